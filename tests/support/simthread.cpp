#include "simthread.h"

#include <QMetaObject>

namespace proactive::test {

difysim::DifySimSettings SimThread::defaultSettings()
{
    difysim::DifySimSettings settings;
    settings.apiKeys = { kSimKey };
    settings.tokenDelay = std::chrono::milliseconds(0);
    settings.pingInterval = std::chrono::milliseconds(0);
    return settings;
}

SimThread::SimThread(difysim::DifySimSettings settings, TourCatalog catalog)
{
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(
        m_context,
        [&] {
            m_server = std::make_unique<difysim::DifySimServer>(std::move(catalog), std::move(settings));
            m_server->setCurrentPageProvider([this](const std::string& sessionId) {
                std::lock_guard lock(m_mutex);
                const auto it = m_pages.find(sessionId);
                return it == m_pages.end() ? std::string() : it->second;
            });
            QObject::connect(
                m_server.get(), &difysim::DifySimServer::requestServed, m_context, [this](const QString& line) {
                    std::lock_guard lock(m_mutex);
                    m_log.append(line);
                });
            m_port = m_server->listen(QHostAddress(QHostAddress::LocalHost), 0);
        },
        Qt::BlockingQueuedConnection);
    if (m_port == 0)
        qFatal("the offline Dify server does not listen");
}

SimThread::~SimThread()
{
    QMetaObject::invokeMethod(
        m_context,
        [this] {
            m_server.reset();
            delete m_context;
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

void SimThread::run(const std::function<void(difysim::DifySimServer&)>& f)
{
    QMetaObject::invokeMethod(
        m_context, [&] { f(*m_server); }, Qt::BlockingQueuedConnection);
}

QUrl SimThread::baseUrl() const
{
    return QUrl(u"http://127.0.0.1:%1"_qs.arg(m_port));
}

void SimThread::setPage(const std::string& sessionId, const std::string& page)
{
    std::lock_guard lock(m_mutex);
    m_pages[sessionId] = page;
}

void SimThread::setSettings(difysim::DifySimSettings settings)
{
    run([&](difysim::DifySimServer& server) { server.setSettings(std::move(settings)); });
}

QStringList SimThread::accessLog() const
{
    std::lock_guard lock(m_mutex);
    return m_log;
}

std::optional<difysim::DifySimConversation> SimThread::conversation(const std::string& id)
{
    std::optional<difysim::DifySimConversation> copy;
    run([&](difysim::DifySimServer& server) {
        if (const auto* found = server.conversation(id))
            copy = *found;
    });
    return copy;
}

std::size_t SimThread::conversationCount()
{
    std::size_t count = 0;
    run([&](difysim::DifySimServer& server) { count = server.conversationCount(); });
    return count;
}

std::size_t SimThread::activeStreams()
{
    std::size_t count = 0;
    run([&](difysim::DifySimServer& server) { count = server.activeStreams(); });
    return count;
}

std::vector<nlohmann::json> dataFrames(const QByteArray& body)
{
    std::vector<nlohmann::json> frames;
    for (const QByteArray& frame : body.split('\n')) {
        if (!frame.startsWith("data: "))
            continue;
        frames.push_back(nlohmann::json::parse(frame.mid(6).toStdString(), nullptr, false));
    }
    return frames;
}

nlohmann::json chatBody(const std::string& query, const std::string& user, const std::string& sessionId,
    const std::string& conversationId, const std::string& mode)
{
    nlohmann::json inputs = nlohmann::json::object();
    if (!sessionId.empty())
        inputs["session_id"] = sessionId;
    return { { "inputs", inputs }, { "query", query }, { "response_mode", mode }, { "conversation_id", conversationId },
        { "user", user } };
}

} // namespace proactive::test
