#include "chatcontroller.h"

#include "chatbridge.h"
#include "chatnet/chatsession.h"
#include "difysimserver.h"
#include "simulation/simulation.h"

#include <QJsonArray>
#include <QJsonObject>

namespace proactive::ui {

namespace {

    // What chat.js renders of an agent's thought and of a file.
    QJsonObject thoughtJson(const chatnet::ChatThought& thought)
    {
        return { { u"id"_qs, thought.id }, { u"tool"_qs, thought.tool }, { u"tool_input"_qs, thought.toolInput },
            { u"thought"_qs, thought.thought }, { u"observation"_qs, thought.observation } };
    }

    QJsonObject fileJson(const chatnet::ChatFile& file)
    {
        return { { u"type"_qs, file.type }, { u"url"_qs, file.url } };
    }

} // namespace

ChatController::ChatController(
    Simulation& simulation, ChatBridge& bridge, TourCatalog catalog, ChatBackend backend, QObject* parent)
    : QObject(parent)
    , m_simulation(simulation)
    , m_bridge(bridge)
    , m_catalog(std::move(catalog))
{
    chatnet::DifyClientSettings settings;
    if (backend.kind == ChatBackend::Kind::Offline) {
        difysim::DifySimSettings simSettings;
        simSettings.tokenDelay = std::chrono::milliseconds(std::max(0, backend.tokenDelayMs));
        simSettings.chunkChars = std::max(1, backend.chunkChars);
        simSettings.fault
            = difysim::difySimFaultFromString(backend.fault.toStdString()).value_or(difysim::DifySimFault::None);
        m_server = std::make_unique<difysim::DifySimServer>(m_catalog, simSettings);
        // The user's page, as the real app reads it through the knowledge endpoint.
        m_server->setCurrentPageProvider([&connector = simulation.connector()](const std::string& sessionId) {
            const auto activity = connector.recentActivity(sessionId, 1);
            return activity && !activity->actions.empty() ? activity->actions.front().canonicalUrl : std::string();
        });
        if (m_server->listen() == 0)
            m_problem = tr("The offline Dify server could not listen on 127.0.0.1.");
        settings.baseUrl = m_server->baseUrl();
        settings.apiKey = "app-offline-studio";
    } else {
        settings.baseUrl = backend.difyBaseUrl;
        // Until the key is read (the keychain answers asynchronously), a
        // message explains the wait instead of failing with 401.
        m_problem = tr("Reading the Dify app key…");
    }
    m_session = std::make_unique<chatnet::ChatSession>(m_network, settings, simulation.identity().distinctId);
    setCatalog(m_catalog);
    m_session->setSessionId(simulation.sessionId());
    if (backend.kind == ChatBackend::Kind::Dify) {
        m_keys.read([this, settings](const QByteArray& key, const QString& problem) mutable {
            m_problem = problem;
            settings.apiKey = key;
            if (!key.isEmpty())
                m_session->client().setSettings(settings);
            Q_EMIT backendReady(m_problem);
        });
    }

    connect(&simulation, &Simulation::chatOpened, this, [this](const QString& prefill) {
        m_bridge.setOpen(true);
        send(prefill);
    });
    connect(&simulation, &Simulation::sessionChanged, this, [this](const QString& sessionId) {
        // A rotation is a new conversation (SPEC §4); the old transcript goes
        // even when the old conversation never got an id from Dify. An answer
        // still streaming belongs to the old session: it is cut, and its end
        // is neither shown nor reported on the new conversation.
        if (m_session->isBusy()) {
            m_discarding = true;
            m_session->client().cancel();
            m_discarding = false;
        }
        m_session->setSessionId(sessionId);
        m_bridge.clear();
    });
    connect(&bridge, &ChatBridge::sendRequested, this, &ChatController::send);
    connect(&bridge, &ChatBridge::stopRequested, m_session.get(), &chatnet::ChatSession::stop);
    connect(&bridge, &ChatBridge::resetRequested, this, [this] {
        m_session->reset();
        m_bridge.clear();
    });
    connect(&bridge, &ChatBridge::tourRequested, this, &ChatController::tourRequested);
    connect(m_session.get(), &chatnet::ChatSession::agentEventRequested, this, [this](const QString& event) {
        if (m_discarding)
            return;
        if (event == u"user_sent"_qs)
            m_simulation.chatSent();
        else if (event == u"bot_response_completed"_qs)
            m_simulation.chatCompleted();
        else if (event == u"reset"_qs)
            m_simulation.resetConversation();
    });
    connect(m_session.get(), &chatnet::ChatSession::textAppended, &bridge, &ChatBridge::appendToAnswer);
    connect(m_session.get(), &chatnet::ChatSession::textReplaced, &bridge, &ChatBridge::replaceAnswer);
    connect(m_session.get(), &chatnet::ChatSession::thoughtUpdated, &bridge,
        [&bridge](const chatnet::ChatThought& thought) { bridge.updateThought(thoughtJson(thought)); });
    connect(m_session.get(), &chatnet::ChatSession::fileReceived, &bridge,
        [&bridge](const chatnet::ChatFile& file) { bridge.addFile(fileJson(file)); });
    connect(m_session.get(), &chatnet::ChatSession::replyFinished, this, &ChatController::onReply);
}

ChatController::~ChatController() = default;

void ChatController::setCatalog(TourCatalog catalog)
{
    m_catalog = std::move(catalog);
    std::vector<std::string> ids;
    for (const Tour& tour : m_catalog.tours())
        ids.push_back(tour.id);
    m_session->setTourIds(std::move(ids));
    if (m_server)
        m_server->setCatalog(m_catalog);
}

void ChatController::send(const QString& text)
{
    if (!m_problem.isEmpty()) {
        m_bridge.addUserMessage(text);
        m_bridge.finishAnswer({}, {}, {}, m_problem);
        return;
    }
    const QString conversationId = QString::fromStdString(m_session->conversation().conversationId());
    if (!m_session->send(text))
        return; // an answer is still streaming; the panel's send button is hidden meanwhile
    m_bridge.addUserMessage(text);
    m_bridge.startAnswer();
    Q_EMIT requestSent(text, conversationId, conversationId.isEmpty());
}

void ChatController::onReply(const chatnet::ChatReply& reply)
{
    if (m_discarding)
        return;
    const Tour* tour = reply.tourId.isEmpty() ? nullptr : m_catalog.find(reply.tourId.toStdString());
    QJsonArray thoughts;
    for (const chatnet::ChatThought& thought : reply.thoughts)
        thoughts.append(thoughtJson(thought));
    QJsonArray files;
    for (const chatnet::ChatFile& file : reply.files)
        files.append(fileJson(file));
    m_bridge.finishAnswer(reply.text, tour ? reply.tourId : QString(),
        tour ? QString::fromStdString(tour->name) : QString(), reply.userMessage, thoughts, files);
    Q_EMIT replyFinished(reply);
}

} // namespace proactive::ui
