#pragma once

#include "base/clock.h"
#include "client/simulatedclient.h"
#include "connector/connector.h"
#include "emit/tourprogress.h"
#include "intake/action.h"
#include "store/memorystore.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>
#include <memory>
#include <vector>

namespace proactive::ui {

// Who the simulated visitor is, as PostHog would know them.
struct VisitorIdentity {
    QString distinctId;
    QString email;
};

// The in-process connector and the simulated client of SPEC §4 for one
// product, on a clock the author controls: paused, real time, accelerated,
// or stepped to the next poll. Captured page events enter here, stamped with
// the simulation's time and the visitor's identity; every poll, toast change
// and FSM transition leaves as a signal, so the inspector and the page show
// the same truth the connector has.
class Simulation final : public QObject {
    Q_OBJECT

public:
    Simulation(std::shared_ptr<const Workspace> workspace, QString productId, ClientSettings clientSettings = {},
        QObject* parent = nullptr);
    ~Simulation() override;

    Connector& connector() { return m_connector; }
    const SimulatedClient& client() const { return *m_client; }
    const QString& productId() const { return m_productId; }
    std::shared_ptr<const Workspace> workspace() const { return m_connector.workspace(); }
    // Edited triggers or reloaded files; state and activity stay.
    void setWorkspace(std::shared_ptr<const Workspace> workspace);

    Timestamp now() const { return m_clock.now(); }
    // 0 pauses; 1 is real time. Polls always run at their exact scheduled time.
    double speed() const { return m_speed; }
    void setSpeed(double speed);
    void setClientSettings(const ClientSettings& settings);
    // Jumps to the next poll and runs it, whatever the speed.
    void stepToNextPoll();
    // Moves time forward by `duration` (virtual), running the polls due on the way.
    void advance(Duration duration);

    const VisitorIdentity& identity() const { return m_identity; }
    void setIdentity(const VisitorIdentity& identity);
    QString sessionId() const { return QString::fromStdString(m_client->sessionId()); }
    std::string conversationId() const { return m_client->conversationId(); }
    std::optional<ConversationRecord> conversation() const;
    // A new PostHog session for the same visitor (a rotation, SPEC §1).
    void rotateSession();
    // The chat's reset: the conversation's FSM state is erased.
    void resetConversation();

    // A PostHog-shaped event from the page without identity or time.
    void ingestCapturedEvent(const QByteArray& eventJson);

    // Where the connector's offer events go (issue 18); none: nowhere.
    void setOfferEventSink(OfferEventSink* sink);

    // Toast buttons, chat and tour hooks (SPEC §4).
    void accept(AcceptMode mode);
    void dismiss();
    // The page's widget found the user on another page than the toast's
    // poll was sent from: the offer is dropped, not shown.
    void dropToast();
    void chatSent();
    void chatCompleted();
    void tourProgressed(const proactive::TourProgress& progress);
    void tourCompleted();
    void tourAbandoned();

Q_SIGNALS:
    void timeChanged(proactive::Timestamp now);
    void actionsIngested(const std::vector<proactive::Action>& actions);
    // A captured event as the connector was given it (identity, token and
    // time added): what File ▸ Save Session… writes.
    void eventStamped(const QByteArray& eventJson);
    // A capture the intake could not read (what and why).
    void captureRejected(const QString& reason);
    // Each poll's answer, with every gate's numbers.
    void polled(const proactive::Decision& decision);
    // Everything the client did: polls, toasts, agent-state posts.
    void clientEvents(const std::vector<proactive::ClientEvent>& events);
    void toastChanged(const std::optional<proactive::Offer>& offer);
    void conversationChanged();
    void sessionChanged(const QString& sessionId);
    void tourRequested(const QString& tourId);
    void chatOpened(const QString& prefill);

private:
    void tick();
    void runPollsUntil(Timestamp until);
    void publish(ClientStep step);
    void startClient();

    QString m_productId;
    VirtualClock m_clock;
    MemoryStore m_store;
    Connector m_connector;
    std::unique_ptr<SimulatedClient> m_client;
    ClientSettings m_clientSettings;
    VisitorIdentity m_identity;
    std::optional<std::string> m_shownTriggerId;
    double m_speed = 1.0;
    QTimer m_timer;
    QElapsedTimer m_wall;
};

} // namespace proactive::ui
