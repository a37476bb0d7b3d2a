#include "simulation.h"

#include "intake/posthogintake.h"

#include <QUuid>
#include <nlohmann/json.hpp>

namespace proactive::ui {

namespace {

    // Real time is simulated in steps this long; polls still run at their exact
    // scheduled times between two ticks.
    constexpr int kTickMs = 50;

    std::string newSessionId()
    {
        return QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
    }

} // namespace

Simulation::Simulation(
    std::shared_ptr<const Workspace> workspace, QString productId, ClientSettings clientSettings, QObject* parent)
    : QObject(parent)
    , m_productId(std::move(productId))
    , m_clock(std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()))
    , m_connector(std::move(workspace), m_store, m_clock)
    , m_clientSettings(clientSettings)
    , m_identity { u"studio-visitor"_qs, u"visitor@example.com"_qs }
{
    m_clientSettings.explain = true;
    startClient();
    m_client->setSessionId(newSessionId());
    m_timer.setInterval(kTickMs);
    connect(&m_timer, &QTimer::timeout, this, &Simulation::tick);
    m_wall.start();
    m_timer.start();
}

Simulation::~Simulation() = default;

void Simulation::startClient()
{
    const std::string sessionId = m_client ? m_client->sessionId() : std::string();
    m_client = std::make_unique<SimulatedClient>(m_connector, m_productId.toStdString(), m_clientSettings);
    if (!sessionId.empty())
        m_client->setSessionId(sessionId);
    m_shownTriggerId.reset();
}

void Simulation::setWorkspace(std::shared_ptr<const Workspace> workspace)
{
    m_connector.setWorkspace(std::move(workspace));
    Q_EMIT conversationChanged();
}

void Simulation::setSpeed(double speed)
{
    tick(); // time so far runs at the old speed
    m_speed = std::max(0.0, speed);
}

void Simulation::setClientSettings(const ClientSettings& settings)
{
    // A new client starts its schedule from now; the toast it showed is gone,
    // as after a page reload.
    m_clientSettings = settings;
    m_clientSettings.explain = true;
    startClient();
    Q_EMIT toastChanged(std::nullopt);
}

void Simulation::tick()
{
    const qint64 wallMs = m_wall.restart();
    if (m_speed <= 0 || wallMs <= 0)
        return;
    const auto step = Duration(static_cast<Duration::rep>(static_cast<double>(wallMs) * m_speed));
    runPollsUntil(m_clock.now() + step);
}

void Simulation::advance(Duration duration)
{
    runPollsUntil(m_clock.now() + duration);
}

void Simulation::stepToNextPoll()
{
    runPollsUntil(std::max(m_clock.now(), m_client->nextPollAt()));
}

void Simulation::runPollsUntil(Timestamp until)
{
    for (;;) {
        // The toast hides itself at its interaction timeout (SPEC §8 "§4
        // Client"), before a poll due at the same time.
        const auto expiresAt = m_client->toastExpiresAt();
        const bool expiryFirst = expiresAt && *expiresAt <= m_client->nextPollAt();
        const Timestamp next = expiryFirst ? *expiresAt : m_client->nextPollAt();
        if (next > until)
            break;
        m_clock.set(std::max(m_clock.now(), next));
        publish(expiryFirst ? m_client->expireToast() : m_client->pollNow());
    }
    m_clock.set(until);
    Q_EMIT timeChanged(until);
}

void Simulation::publish(ClientStep step)
{
    for (const Decision& decision : step.decisions)
        Q_EMIT polled(decision);
    if (!step.events.empty())
        Q_EMIT clientEvents(step.events);
    for (const ClientEvent& event : step.events) {
        if (event.kind == ClientEvent::Kind::TourStarted)
            Q_EMIT tourRequested(QString::fromStdString(event.text));
        else if (event.kind == ClientEvent::Kind::ChatOpened)
            Q_EMIT chatOpened(QString::fromStdString(event.text));
    }
    const std::optional<Offer>& toast = m_client->toast();
    std::optional<std::string> shown = toast ? std::optional(toast->triggerId) : std::nullopt;
    if (shown != m_shownTriggerId) {
        m_shownTriggerId = std::move(shown);
        Q_EMIT toastChanged(toast);
    }
    if (!step.events.empty())
        Q_EMIT conversationChanged();
}

void Simulation::setIdentity(const VisitorIdentity& identity)
{
    m_identity = identity;
}

std::optional<ConversationRecord> Simulation::conversation() const
{
    return m_connector.conversation({ m_productId.toStdString(), m_client->conversationId() });
}

void Simulation::rotateSession()
{
    publish(m_client->setSessionId(newSessionId()));
    Q_EMIT sessionChanged(sessionId());
    Q_EMIT conversationChanged();
}

void Simulation::resetConversation()
{
    publish(m_client->chatReset());
}

void Simulation::ingestCapturedEvent(const QByteArray& eventJson)
{
    nlohmann::json event = nlohmann::json::parse(eventJson.constData(), nullptr, false);
    if (event.is_discarded() || !event.is_object() || !event.contains("properties")
        || !event["properties"].is_object()) {
        Q_EMIT captureRejected(u"capture: not a PostHog event object"_qs);
        return;
    }
    const Product* product = m_connector.workspace()->product(m_productId.toStdString());
    nlohmann::json& properties = event["properties"];
    // Every captured event says where the user is: the page the client's
    // next poll is sent from.
    if (const auto url = properties.find("$current_url"); url != properties.end() && url->is_string())
        m_client->setPage(url->get_ref<const std::string&>());
    properties["$session_id"] = m_client->sessionId();
    properties["distinct_id"] = m_identity.distinctId.toStdString();
    if (product)
        properties["token"] = product->posthogToken;
    if (!m_identity.email.isEmpty())
        properties["$set"] = { { "email", m_identity.email.toStdString() } };
    event["timestamp"] = formatIsoTimestamp(m_clock.now());

    const std::string stamped = event.dump();
    Q_EMIT eventStamped(QByteArray::fromStdString(stamped));
    PostHogIntake intake({ .receivedAt = m_clock.now() });
    IntakeBatch batch = intake.parseBody(stamped);
    for (const Error& error : batch.errors)
        Q_EMIT captureRejected(QString::fromStdString(error.toString()));
    std::vector<Action> actions;
    actions.reserve(batch.events.size());
    for (IntakeEvent& intakeEvent : batch.events)
        actions.push_back(std::move(intakeEvent.action));
    if (actions.empty())
        return;
    Result<IngestResult> ingested = m_connector.ingest(m_productId.toStdString(), actions);
    if (!ingested) {
        Q_EMIT captureRejected(QString::fromStdString(ingested.error().toString()));
        return;
    }
    if (ingested->accepted == 0)
        return;
    // The session as the connector stores it (canonical URLs, descriptions).
    const auto activity = m_connector.recentActivity(m_client->sessionId(), ingested->accepted);
    if (activity) {
        std::vector<Action> stored(activity->actions.rbegin(), activity->actions.rend());
        Q_EMIT actionsIngested(stored);
    }
}

void Simulation::accept(AcceptMode mode)
{
    publish(m_client->accept(mode));
}

void Simulation::dropToast()
{
    publish(m_client->dropToast());
}

void Simulation::dismiss()
{
    publish(m_client->dismiss());
}

void Simulation::chatSent()
{
    publish(m_client->chatSent());
}

void Simulation::chatCompleted()
{
    publish(m_client->chatCompleted());
}

void Simulation::setOfferEventSink(OfferEventSink* sink)
{
    m_connector.setOfferEventSink(sink);
}

void Simulation::tourProgressed(const TourProgress& progress)
{
    publish(m_client->tourProgressed(progress));
}

void Simulation::tourCompleted()
{
    publish(m_client->tourCompleted());
}

void Simulation::tourAbandoned()
{
    publish(m_client->tourAbandoned());
}

} // namespace proactive::ui
