#include "offerexport.h"

namespace proactive::ui {

Result<std::unique_ptr<OfferExport>> OfferExport::open(
    const QString& outboxFile, service::PostHogEmitter::Destination destination)
{
    auto outbox = Outbox::open(outboxFile.toStdString());
    if (!outbox)
        return outbox.error();
    return std::unique_ptr<OfferExport>(new OfferExport(std::move(*outbox), std::move(destination)));
}

OfferExport::OfferExport(std::unique_ptr<Outbox> outbox, service::PostHogEmitter::Destination destination)
    : m_outbox(std::move(outbox))
    , m_emitter(*m_outbox, std::move(destination), m_network)
{
    connect(&m_emitter, &service::PostHogEmitter::delivered, this, [this] {
        m_problem.clear();
        Q_EMIT statusChanged(status());
    });
    connect(&m_emitter, &service::PostHogEmitter::retrying, this, [this](int answer, std::chrono::milliseconds after) {
        const QString why = answer ? tr("PostHog answered %1").arg(answer) : tr("PostHog is unreachable");
        m_problem = tr("%1, retrying in %2 s").arg(why).arg((after.count() + 999) / 1000);
        Q_EMIT statusChanged(status());
    });
    connect(&m_emitter, &service::PostHogEmitter::rejected, this, [this](int answer, int events) {
        m_problem = tr("PostHog refused %n event(s) (answer %1)", nullptr, events).arg(answer);
        Q_EMIT statusChanged(status());
    });
    m_emitter.start();
}

OfferExport::~OfferExport() = default;

void OfferExport::record(std::vector<OfferEvent> events)
{
    m_outbox->record(std::move(events));
    Q_EMIT statusChanged(status());
}

QString OfferExport::status() const
{
    const auto stats = m_emitter.stats();
    const QString counts = tr("offer events: %1 sent, %2 waiting").arg(stats.sent).arg(m_outbox->size());
    return m_problem.isEmpty() ? counts : counts + u" · "_qs + m_problem;
}

} // namespace proactive::ui
