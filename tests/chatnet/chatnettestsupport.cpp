#include "chatnettestsupport.h"

#include <QMetaObject>

namespace proactive::test {

chatnet::DifySimSettings SimThread::defaultSettings()
{
    chatnet::DifySimSettings settings;
    settings.apiKeys = { kSimKey };
    settings.tokenDelay = std::chrono::milliseconds(0);
    settings.pingInterval = std::chrono::milliseconds(0);
    return settings;
}

SimThread::SimThread(chatnet::DifySimSettings settings, TourCatalog catalog)
{
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(
        m_context,
        [&] {
            m_server = std::make_unique<chatnet::DifySimServer>(std::move(catalog), std::move(settings));
            m_server->setCurrentPageProvider([this](const std::string& sessionId) {
                std::lock_guard lock(m_mutex);
                const auto it = m_pages.find(sessionId);
                return it == m_pages.end() ? std::string() : it->second;
            });
            QObject::connect(
                m_server.get(), &chatnet::DifySimServer::requestServed, m_context, [this](const QString& line) {
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

void SimThread::run(const std::function<void(chatnet::DifySimServer&)>& f)
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

void SimThread::setSettings(chatnet::DifySimSettings settings)
{
    run([&](chatnet::DifySimServer& server) { server.setSettings(std::move(settings)); });
}

QStringList SimThread::accessLog() const
{
    std::lock_guard lock(m_mutex);
    return m_log;
}

std::optional<chatnet::DifySimConversation> SimThread::conversation(const std::string& id)
{
    std::optional<chatnet::DifySimConversation> copy;
    run([&](chatnet::DifySimServer& server) {
        if (const auto* found = server.conversation(id))
            copy = *found;
    });
    return copy;
}

std::size_t SimThread::conversationCount()
{
    std::size_t count = 0;
    run([&](chatnet::DifySimServer& server) { count = server.conversationCount(); });
    return count;
}

std::size_t SimThread::activeStreams()
{
    std::size_t count = 0;
    run([&](chatnet::DifySimServer& server) { count = server.activeStreams(); });
    return count;
}

QByteArray RawResponse::header(const QByteArray& name) const
{
    for (const auto& [key, value] : headers)
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    return {};
}

nlohmann::json RawResponse::json() const
{
    return nlohmann::json::parse(body.toStdString(), nullptr, false);
}

RawHttp::RawHttp(quint16 port)
    : m_socket(std::make_unique<QTcpSocket>())
{
    m_socket->connectToHost(QHostAddress(QHostAddress::LocalHost), port);
    if (!m_socket->waitForConnected(5'000))
        qFatal("cannot connect to the offline Dify server");
}

bool RawHttp::send(
    const QByteArray& method, const QByteArray& target, const QByteArray& body, const HeaderList& headers)
{
    QByteArray out = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto& [name, value] : headers)
        out += name + ": " + value + "\r\n";
    if (!body.isEmpty() || method == "POST")
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    out += "\r\n" + body;
    m_socket->write(out);
    return m_socket->waitForBytesWritten(5'000);
}

bool RawHttp::fill(int timeoutMs)
{
    if (m_socket->bytesAvailable() == 0 && !m_socket->waitForReadyRead(timeoutMs))
        return false;
    m_buffer += m_socket->readAll();
    return true;
}

RawResponse RawHttp::readHead(int timeoutMs)
{
    RawResponse response;
    qsizetype headEnd = -1;
    while ((headEnd = m_buffer.indexOf("\r\n\r\n")) < 0)
        if (!fill(timeoutMs)) {
            response.closed = !isConnected();
            return response;
        }
    const QList<QByteArray> lines = m_buffer.left(headEnd).split('\n');
    m_buffer.remove(0, headEnd + 4);
    const QList<QByteArray> statusLine = lines.front().trimmed().split(' ');
    if (statusLine.size() < 2)
        return response;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0)
            response.headers.append({ lines[i].left(colon).trimmed(), lines[i].mid(colon + 1).trimmed() });
    }
    response.status = statusLine[1].toInt();
    return response;
}

QByteArray RawHttp::readChunk(bool& ok, int timeoutMs)
{
    ok = false;
    qsizetype lineEnd = -1;
    while ((lineEnd = m_buffer.indexOf("\r\n")) < 0)
        if (!fill(timeoutMs))
            return {};
    bool hexOk = false;
    const qsizetype size = m_buffer.left(lineEnd).trimmed().toLongLong(&hexOk, 16);
    if (!hexOk)
        return {};
    while (m_buffer.size() < lineEnd + 2 + size + 2)
        if (!fill(timeoutMs))
            return {};
    QByteArray chunk = m_buffer.mid(lineEnd + 2, size);
    m_buffer.remove(0, lineEnd + 2 + size + 2);
    ok = true;
    return chunk;
}

void RawHttp::readBody(RawResponse& response, int timeoutMs)
{
    if (response.header("transfer-encoding").compare("chunked", Qt::CaseInsensitive) == 0) {
        for (;;) {
            bool ok = false;
            const QByteArray chunk = readChunk(ok, timeoutMs);
            if (!ok) {
                response.closed = !isConnected();
                return;
            }
            if (chunk.isEmpty()) {
                response.complete = true;
                return;
            }
            response.chunks.append(chunk);
            response.body += chunk;
        }
    }
    const qsizetype length = response.header("content-length").toLongLong();
    while (m_buffer.size() < length)
        if (!fill(timeoutMs)) {
            response.closed = !isConnected();
            return;
        }
    response.body = m_buffer.left(length);
    m_buffer.remove(0, length);
    response.complete = true;
}

RawResponse RawHttp::request(
    const QByteArray& method, const QByteArray& target, const QByteArray& body, const HeaderList& headers)
{
    if (!send(method, target, body, headers))
        return {};
    RawResponse response = readHead();
    if (response.status != 0 && response.status != 204)
        readBody(response);
    return response;
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
