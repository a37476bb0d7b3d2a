#pragma once

#include "base/result.h"
#include "emit/outbox.h"
#include "service/posthogemitter.h"

#include <QNetworkAccessManager>
#include <QObject>
#include <QString>
#include <memory>

namespace proactive::ui {

// Sends the live simulation's offer events (issue 18) to the PostHog
// project of each product that names one (`posthog_export`), as `serve`
// does: through an outbox file, so events wait while PostHog is
// unreachable and survive a restart of the studio. Off by default
// (Simulation ▸ Send Offer Events to PostHog): the studio's visitor is a
// person clicking through a demo, and a team turns it on to watch the
// events arrive, not by accident. Replays never export.
class OfferExport final : public QObject, public OfferEventSink {
    Q_OBJECT

public:
    // Opens (creating) the outbox; events left from an earlier run go first.
    static Result<std::unique_ptr<OfferExport>> open(
        const QString& outboxFile, service::PostHogEmitter::Destination destination);
    ~OfferExport() override;

    // The connector hands the events here: into the outbox.
    void record(std::vector<OfferEvent> events) override;
    // "12 sent, 0 waiting", "PostHog answered 503: 4 waiting, retrying in 2 s".
    QString status() const;

Q_SIGNALS:
    void statusChanged(const QString& status);

private:
    explicit OfferExport(std::unique_ptr<Outbox> outbox, service::PostHogEmitter::Destination destination);

    std::unique_ptr<Outbox> m_outbox;
    QNetworkAccessManager m_network;
    service::PostHogEmitter m_emitter;
    QString m_problem; // the last failure, until the next delivery
};

} // namespace proactive::ui
