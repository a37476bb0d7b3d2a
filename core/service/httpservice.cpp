#include "service/httpservice.h"

#include "httpwire/httpresponse.h"
#include "httpwire/rawhttpserver.h"
#include "service/endpoints.h"
#include "service/route.h"

#include <QElapsedTimer>
#include <QHttpServerRequest>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace proactive::service {

namespace {

    std::string_view view(const QByteArray& bytes)
    {
        return { bytes.constData(), static_cast<std::size_t>(bytes.size()) };
    }

    // Nothing of a next request is buffered and the parser is between requests.
    bool isIdle(QTcpSocket* socket)
    {
        return !socket->isTransactionStarted() && socket->bytesAvailable() == 0;
    }

} // namespace

// Connections pass through the service before QtHttpServer sees them, so
// that the guard's readyRead slot runs ahead of the parser's.
class HttpService::Listener final : public QTcpServer {
public:
    explicit Listener(HttpService& service)
        : m_service(service)
    { }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto* socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        m_service.adopt(socket);
        addPendingConnection(socket);
    }

private:
    HttpService& m_service;
};

HttpService::HttpService(Connector& connector, ServiceSettings settings, QObject* parent)
    : QObject(parent)
    , m_connector(connector)
    , m_settings(std::move(settings))
    , m_accessLog(m_settings.accessLog)
    , m_endpoints(std::make_unique<Endpoints>(m_connector, m_metrics, m_settings))
    , m_server(std::make_unique<httpwire::RawHttpServer>(
          [this](const QHttpServerRequest& request, QTcpSocket* socket) { handle(request, socket); }))
    , m_graceTimer(new QTimer(this))
{
    m_graceTimer->setSingleShot(true);
    connect(m_graceTimer, &QTimer::timeout, this, &HttpService::abortAll);
}

HttpService::~HttpService()
{
    for (const auto& [socket, connection] : m_connections)
        socket->disconnect(this);
    m_connections.clear();
    m_server.reset();
}

quint16 HttpService::listen(const QHostAddress& address, quint16 port)
{
    auto* listener = new Listener(*this);
    // Load tests open hundreds of connections at once.
    listener->setListenBacklogSize(1024);
    if (m_shuttingDown || !listener->listen(address, port)) {
        m_errorString = m_shuttingDown ? u"the service is shutting down"_qs : listener->errorString();
        delete listener;
        return 0;
    }
    m_server->bind(listener);
    return listener->serverPort();
}

void HttpService::adopt(QTcpSocket* socket)
{
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_connections.emplace(socket,
        std::make_unique<Connection>(RequestGuard::Limits { m_settings.maxBodyBytes, m_settings.maxHeadBytes }));
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
    connect(socket, &QObject::destroyed, this, [this, socket] {
        m_connections.erase(socket);
        maybeStopped();
    });
}

void HttpService::onReadyRead(QTcpSocket* socket)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    Connection& connection = *it->second;
    if (connection.rejected) {
        drain(socket, connection);
        return;
    }
    RequestGuard& guard = connection.guard;
    const qint64 available = socket->bytesAvailable();
    RequestGuard::Verdict verdict;
    if (!socket->isTransactionStarted()) {
        const QByteArray peeked = socket->peek(std::min<qint64>(available, qint64(guard.limits().maxHeadBytes) + 1));
        verdict = guard.begin(view(peeked), available);
    } else {
        const qint64 limit = std::min<qint64>(available, qint64(guard.peekLimit()));
        const QByteArray peeked = limit > 0 ? socket->peek(limit) : QByteArray();
        verdict = guard.more(view(peeked), available);
    }
    switch (verdict) {
    case RequestGuard::Verdict::Wait:
    case RequestGuard::Verdict::Proceed:
        return;
    case RequestGuard::Verdict::SendContinue:
        socket->write(httpwire::HttpResponse(100).finish());
        return;
    case RequestGuard::Verdict::BodyTooLarge:
    case RequestGuard::Verdict::HeadTooLarge:
    case RequestGuard::Verdict::Malformed:
        reject(socket, connection, verdict);
        return;
    }
}

void HttpService::reject(QTcpSocket* socket, Connection& connection, RequestGuard::Verdict verdict)
{
    const RequestHead& head = connection.guard.head();
    const RouteMatch match = matchRoute(head.path());
    Reply reply;
    switch (verdict) {
    case RequestGuard::Verdict::BodyTooLarge:
        reply = errorReply(413, "payload_too_large",
            "a request body is at most " + std::to_string(m_settings.maxBodyBytes) + " bytes");
        break;
    case RequestGuard::Verdict::HeadTooLarge:
        reply = errorReply(431, "header_too_large",
            "the request line and headers are at most " + std::to_string(m_settings.maxHeadBytes) + " bytes");
        break;
    default:
        reply = errorReply(400, "bad_request", "malformed request head (length or transfer coding)");
        break;
    }
    const Headers cors = m_endpoints->corsHeaders(match, head.origin);
    reply.headers.insert(reply.headers.end(), cors.begin(), cors.end());
    send(socket, reply, Close::AfterDrain);
    m_accessLog.write(head.method.empty() ? std::string_view("-") : std::string_view(head.method), match.pattern,
        reply.status, std::chrono::microseconds(0));
    m_metrics.countRequest(match.pattern, reply.status);

    // The parser must not see this request: from now on the guard reads
    // everything that arrives and throws it away.
    connection.rejected = true;
    const auto remaining = connection.guard.bodyRemaining();
    const bool clientWaits = head.expectContinue && remaining && remaining == head.contentLength;
    if (remaining && !clientWaits && *remaining <= m_settings.maxDrainBytes) {
        connection.drainRemaining = *remaining + socket->bytesAvailable();
        QTimer::singleShot(m_settings.rejectDrainTimeout, socket, [socket] { socket->abort(); });
    }
    drain(socket, connection);
}

void HttpService::drain(QTcpSocket* socket, Connection& connection)
{
    const qint64 available = socket->bytesAvailable();
    socket->skip(available);
    if (socket->isTransactionStarted())
        socket->commitTransaction();
    connection.drainRemaining -= available;
    if (connection.drainRemaining <= 0 && socket->state() == QAbstractSocket::ConnectedState)
        socket->disconnectFromHost();
}

void HttpService::handle(const QHttpServerRequest& request, QTcpSocket* socket)
{
    QElapsedTimer timer;
    timer.start();
    const auto it = m_connections.find(socket);
    const Connection* connection = it == m_connections.end() ? nullptr : it->second.get();
    const bool guarded = connection && connection->guard.headComplete();
    const std::string method = request.method() == QHttpServerRequest::Method::Unknown && guarded
        ? connection->guard.head().method
        : httpwire::RawHttpServer::methodName(request.method());
    const RouteMatch match = matchRoute(view(request.url().path(QUrl::FullyEncoded).toUtf8()));
    const Reply reply = m_endpoints->answer(request, method, match);
    const bool close = m_shuttingDown || (guarded && connection->guard.head().closeRequested);
    send(socket, reply, close ? Close::AfterWrite : Close::No);
    m_accessLog.write(method, match.pattern, reply.status, std::chrono::microseconds(timer.nsecsElapsed() / 1000));
    m_metrics.countRequest(match.pattern, reply.status);
}

void HttpService::send(QTcpSocket* socket, const Reply& reply, Close close)
{
    // The client left before its answer (the change, if any, is committed).
    if (socket->state() != QAbstractSocket::ConnectedState)
        return;
    httpwire::HttpResponse out(reply.status);
    const bool hasBody = reply.status != 204;
    if (hasBody)
        out.header("Content-Type", reply.contentType).header("Content-Length", QByteArray::number(reply.body.size()));
    for (const auto& [name, value] : reply.headers)
        out.header(name, value);
    if (close != Close::No)
        out.header("Connection", "close");
    socket->write(out.finish(hasBody ? QByteArrayView(reply.body) : QByteArrayView()));
    if (close == Close::AfterWrite)
        socket->disconnectFromHost();
}

void HttpService::shutdown()
{
    if (m_shuttingDown) {
        abortAll();
        return;
    }
    m_shuttingDown = true;
    for (QTcpServer* listener : m_server->servers()) {
        // Connections the system accepted before the signal may carry
        // requests already sent: take them in before closing the door.
        while (listener->waitForNewConnection(0)) { }
        listener->close();
    }
    std::vector<QPointer<QTcpSocket>> sockets;
    for (const auto& [socket, connection] : m_connections)
        sockets.emplace_back(socket);
    for (const QPointer<QTcpSocket>& socket : sockets) {
        // Bytes that reached this host before the signal belong to requests
        // already begun: read them before deciding the connection is idle.
        if (socket && socket->state() == QAbstractSocket::ConnectedState)
            socket->waitForReadyRead(0);
        if (!socket || socket->state() != QAbstractSocket::ConnectedState)
            continue;
        const auto it = m_connections.find(socket.data());
        if (it != m_connections.end() && !it->second->rejected && isIdle(socket))
            socket->disconnectFromHost();
    }
    m_graceTimer->start(m_settings.shutdownGrace);
    QMetaObject::invokeMethod(this, &HttpService::maybeStopped, Qt::QueuedConnection);
}

void HttpService::abortAll()
{
    std::vector<QPointer<QTcpSocket>> sockets;
    for (const auto& [socket, connection] : m_connections)
        sockets.emplace_back(socket);
    for (const QPointer<QTcpSocket>& socket : sockets)
        if (socket)
            socket->abort();
}

void HttpService::maybeStopped()
{
    if (!m_shuttingDown || m_stopped || !m_connections.empty())
        return;
    m_stopped = true;
    m_graceTimer->stop();
    Q_EMIT stopped();
}

} // namespace proactive::service
