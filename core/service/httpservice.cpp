#include "service/httpservice.h"

#include "httpwire/httpresponse.h"
#include "service/endpoints.h"
#include "service/route.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <algorithm>
#include <cerrno>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace proactive::service {

namespace {

    // What the descriptor limit leaves for connections: the store, the
    // listeners, Qt's event dispatcher and the logs need some of it.
    std::size_t capacityUnderDescriptorLimit(std::size_t configured)
    {
        rlimit limit {};
        if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
            return configured;
        constexpr rlim_t kReserved = 32;
        const rlim_t room = limit.rlim_cur > 2 * kReserved ? limit.rlim_cur - kReserved : limit.rlim_cur / 2;
        return std::max<std::size_t>(1, std::min<std::size_t>(configured, room));
    }

    // How often timeouts are checked: a fraction of the shortest one.
    std::chrono::milliseconds sweepInterval(const ServiceSettings& settings)
    {
        const auto shortest = std::min({ settings.idleTimeout, settings.headTimeout, settings.requestTimeout });
        return std::clamp(shortest / 4, std::chrono::milliseconds(20), std::chrono::milliseconds(1000));
    }

    constexpr std::chrono::milliseconds kFirstAcceptBackoff { 50 };
    constexpr std::chrono::milliseconds kMaxAcceptBackoff { 2000 };
    // A refused or timed-out connection that does not read its answer is cut after this.
    constexpr std::chrono::milliseconds kClosingGrace { 2000 };

} // namespace

// Accepts connections for the service. Out of descriptors, QTcpServer 6.4 takes
// accept()'s EMFILE for a temporary error and neither pauses nor reports it:
// the pending connection keeps the socket readable and the event loop spins
// on it. Here a failed accept pauses accepting for a back-off time instead.
class HttpService::Listener final : public QTcpServer {
public:
    explicit Listener(HttpService& service)
        : m_service(service)
    { }

    // After listen(): accepting goes through acceptPending().
    void takeOverAccepting()
    {
        pauseAccepting(); // QTcpServer's own notifier
        m_notifier = new QSocketNotifier(socketDescriptor(), QSocketNotifier::Read, this);
        connect(m_notifier, &QSocketNotifier::activated, this, [this] { acceptPending(); });
    }
    void setAccepting(bool accepting)
    {
        if (m_notifier)
            m_notifier->setEnabled(accepting);
    }
    // Before close(): the notifier must not outlive the descriptor.
    void stopAccepting()
    {
        delete m_notifier;
        m_notifier = nullptr;
    }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto* socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            ::close(int(descriptor));
            return;
        }
        m_service.admit(socket);
    }

private:
    void acceptPending()
    {
        // A bounded batch per wake-up keeps other clients' reads interleaved.
        for (int i = 0; i < 64 && m_notifier && m_notifier->isEnabled(); ++i) {
            const int descriptor = ::accept4(int(socketDescriptor()), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (descriptor < 0) {
                if (errno == EINTR || errno == ECONNABORTED)
                    continue;
                if (errno != EAGAIN && errno != EWOULDBLOCK)
                    m_service.onAcceptError();
                return;
            }
            incomingConnection(descriptor);
        }
    }

    HttpService& m_service;
    QSocketNotifier* m_notifier = nullptr;
};

HttpService::HttpService(Connector& connector, ServiceSettings settings, QObject* parent)
    : QObject(parent)
    , m_connector(connector)
    , m_settings(std::move(settings))
    , m_accessLog(m_settings.accessLog)
    , m_endpoints(std::make_unique<Endpoints>(m_connector, m_metrics, m_settings))
    , m_graceTimer(new QTimer(this))
    , m_sweepTimer(new QTimer(this))
    , m_acceptRetryTimer(new QTimer(this))
    , m_capacity(capacityUnderDescriptorLimit(m_settings.maxConnections))
{
    m_graceTimer->setSingleShot(true);
    connect(m_graceTimer, &QTimer::timeout, this, &HttpService::abortAll);
    m_sweepTimer->setInterval(sweepInterval(m_settings));
    connect(m_sweepTimer, &QTimer::timeout, this, &HttpService::sweep);
    m_acceptRetryTimer->setSingleShot(true);
    connect(m_acceptRetryTimer, &QTimer::timeout, this, &HttpService::updateAccepting);
}

HttpService::~HttpService()
{
    for (const auto& [socket, connection] : m_connections)
        socket->disconnect(this);
    m_connections.clear();
}

quint16 HttpService::listen(const QHostAddress& address, quint16 port)
{
    auto* listener = new Listener(*this);
    listener->setParent(this);
    // Load tests open hundreds of connections at once.
    listener->setListenBacklogSize(1024);
    if (m_shuttingDown || !listener->listen(address, port)) {
        m_errorString = m_shuttingDown ? u"the service is shutting down"_qs : listener->errorString();
        delete listener;
        return 0;
    }
    listener->takeOverAccepting();
    m_listeners.push_back(listener);
    m_sweepTimer->start();
    return listener->serverPort();
}

std::size_t HttpService::requestsInProgress() const
{
    return std::size_t(std::count_if(m_connections.begin(), m_connections.end(),
        [](const auto& entry) { return entry.second->requestStarted && !entry.second->rejected; }));
}

bool HttpService::admit(QTcpSocket* socket)
{
    m_acceptBackoff = std::chrono::milliseconds(0);
    if (m_connections.size() >= m_capacity && !closeLongestIdle()) {
        refuseBusy(socket);
        return false;
    }
    adopt(socket);
    return true;
}

void HttpService::adopt(QTcpSocket* socket)
{
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_connections.emplace(socket,
        std::make_unique<Connection>(RequestReader::Limits { m_settings.maxBodyBytes, m_settings.maxHeadBytes }));
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    connect(socket, &QTcpSocket::bytesWritten, this, [this, socket] {
        if (const auto it = m_connections.find(socket); it != m_connections.end())
            it->second->lastActivity = SteadyClock::now();
    });
    connect(socket, &QObject::destroyed, this, [this, socket] {
        forget(socket);
        if (m_full && m_connections.size() < m_capacity) {
            m_full = false;
            updateAccepting();
        }
        maybeStopped();
    });
}

bool HttpService::closeLongestIdle()
{
    auto idlest = m_connections.end();
    for (auto it = m_connections.begin(); it != m_connections.end(); ++it) {
        const Connection& c = *it->second;
        if (c.rejected || c.requestStarted)
            continue;
        if (idlest == m_connections.end() || c.lastActivity < idlest->second->lastActivity)
            idlest = it;
    }
    if (idlest == m_connections.end())
        return false;
    QTcpSocket* socket = idlest->first;
    // Forgotten now, so that the new connection counts at once; the socket
    // itself goes once it has disconnected.
    forget(socket);
    socket->abort();
    m_metrics.countConnectionEvent("evicted");
    return true;
}

void HttpService::refuseBusy(QTcpSocket* socket)
{
    Reply reply = errorReply(503, "server_busy",
        "the service has " + std::to_string(m_capacity) + " connections open, none of them idle; retry shortly");
    reply.headers.emplace_back(QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1"));
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    send(socket, reply, Close::AfterWrite);
    QTimer::singleShot(kClosingGrace, socket, [socket] { socket->abort(); });
    m_metrics.countConnectionEvent("busy");
    m_accessLog.write("-", "-", 503, std::chrono::microseconds(0));
    // Until a connection ends, new ones wait in the system's backlog
    // instead of being accepted only to be refused.
    m_full = true;
    updateAccepting();
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
    const qint64 available = socket->bytesAvailable();
    if (available <= 0)
        return;
    connection.lastActivity = SteadyClock::now();
    if (!connection.requestStarted)
        connection.requestStarted = connection.lastActivity;
    RequestReader& reader = connection.reader;
    const qint64 read = socket->read(reader.reserve(std::size_t(available)), available);
    serve(socket, connection, reader.received(std::size_t(std::max<qint64>(read, 0))));
    // `connection` may be gone: an answer can end the connection.
    if (const auto again = m_connections.find(socket); again != m_connections.end())
        account(*again->second);
    if (m_bufferedBytes > m_settings.maxBufferedBytes)
        shedLargestRequests();
}

void HttpService::account(Connection& connection)
{
    const std::size_t held = connection.reader.heldBytes();
    m_bufferedBytes = m_bufferedBytes - connection.counted + held;
    connection.counted = held;
}

void HttpService::forget(QTcpSocket* socket)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    m_bufferedBytes -= it->second->counted;
    m_connections.erase(it);
}

void HttpService::shedLargestRequests()
{
    // The largest holders go first: a few clients trickling large bodies
    // cannot make every other client's small batch fail.
    while (m_bufferedBytes > m_settings.maxBufferedBytes) {
        auto largest = m_connections.end();
        for (auto it = m_connections.begin(); it != m_connections.end(); ++it)
            if (!it->second->rejected && it->second->counted > 0
                && (largest == m_connections.end() || it->second->counted > largest->second->counted))
                largest = it;
        if (largest == m_connections.end())
            return;
        Reply reply = errorReply(503, "server_busy",
            "requests in progress hold " + std::to_string(m_bufferedBytes)
                + " bytes, more than the service's budget of " + std::to_string(m_settings.maxBufferedBytes)
                + "; this one, the largest, is refused: retry shortly");
        reply.headers.emplace_back(QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1"));
        m_metrics.countConnectionEvent("over_budget");
        refuse(largest->first, *largest->second, std::move(reply), 0);
        account(*largest->second);
    }
}

void HttpService::serve(QTcpSocket* socket, Connection& connection, RequestReader::Verdict verdict)
{
    RequestReader& reader = connection.reader;
    for (;;) {
        switch (verdict) {
        case RequestReader::Verdict::Wait:
            return;
        case RequestReader::Verdict::SendContinue:
            socket->write(httpwire::HttpResponse(100).finish());
            return;
        case RequestReader::Verdict::BodyTooLarge:
        case RequestReader::Verdict::HeadTooLarge:
        case RequestReader::Verdict::Malformed:
            reject(socket, connection, verdict);
            return;
        case RequestReader::Verdict::Proceed:
            break;
        }
        if (!reader.requestComplete())
            return;
        const bool close = handle(socket, connection);
        if (close || socket->state() != QAbstractSocket::ConnectedState) {
            // Nothing after a closing answer is read.
            reader.discard();
            return;
        }
        verdict = reader.next();
        if (reader.holdsBytes())
            connection.requestStarted = SteadyClock::now();
    }
}

void HttpService::reject(QTcpSocket* socket, Connection& connection, RequestReader::Verdict verdict)
{
    Reply reply;
    switch (verdict) {
    case RequestReader::Verdict::BodyTooLarge:
        reply = errorReply(413, "payload_too_large",
            "a request body is at most " + std::to_string(m_settings.maxBodyBytes) + " bytes");
        break;
    case RequestReader::Verdict::HeadTooLarge:
        reply = errorReply(431, "header_too_large",
            "the request line and headers are at most " + std::to_string(m_settings.maxHeadBytes) + " bytes");
        break;
    default:
        reply = errorReply(
            400, "bad_request", "malformed request head (length, transfer coding, or a control character in a header)");
        break;
    }
    // The rest of the announced body is read and thrown away, so that the
    // client, still sending, gets to read the answer.
    const RequestHead& head = connection.reader.head();
    const auto remaining = connection.reader.bodyRemaining();
    const bool clientWaits = head.expectContinue && remaining && remaining == head.contentLength;
    const bool drainBody = remaining && !clientWaits && *remaining <= m_settings.maxDrainBytes;
    refuse(socket, connection, std::move(reply), drainBody ? *remaining + socket->bytesAvailable() : 0);
}

void HttpService::refuse(QTcpSocket* socket, Connection& connection, Reply reply, std::int64_t drainBytes)
{
    const RequestHead& head = connection.reader.head();
    const RouteMatch match = matchRoute(head.path());
    const Headers cors = m_endpoints->corsHeaders(match, head.origin);
    reply.headers.insert(reply.headers.end(), cors.begin(), cors.end());
    send(socket, reply, Close::AfterDrain);
    m_accessLog.write(head.method.empty() ? std::string_view("-") : std::string_view(head.method), match.pattern,
        reply.status, std::chrono::microseconds(0));
    m_metrics.countRequest(match.pattern, reply.status);

    // From now on everything that arrives is read and thrown away.
    connection.rejected = true;
    connection.reader.discard();
    connection.drainRemaining = drainBytes;
    if (drainBytes > 0)
        QTimer::singleShot(m_settings.rejectDrainTimeout, socket, [socket] { socket->abort(); });
    else
        QTimer::singleShot(kClosingGrace, socket, [socket] { socket->abort(); });
    drain(socket, connection);
}

void HttpService::drain(QTcpSocket* socket, Connection& connection)
{
    const qint64 available = socket->bytesAvailable();
    socket->skip(available);
    connection.drainRemaining -= available;
    if (connection.drainRemaining <= 0 && socket->state() == QAbstractSocket::ConnectedState)
        socket->disconnectFromHost();
}

bool HttpService::handle(QTcpSocket* socket, Connection& connection)
{
    QElapsedTimer timer;
    timer.start();
    connection.requestStarted.reset();
    connection.lastActivity = SteadyClock::now();
    const HttpRequest request = connection.reader.request();
    const RouteMatch match = matchRoute(request.path());
    const Reply reply = m_endpoints->answer(request, match);
    const bool close = m_shuttingDown || request.head().closeRequested;
    send(socket, reply, close ? Close::AfterWrite : Close::No);
    m_accessLog.write(
        request.method(), match.pattern, reply.status, std::chrono::microseconds(timer.nsecsElapsed() / 1000));
    m_metrics.countRequest(match.pattern, reply.status);
    return close;
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
    for (Listener* listener : m_listeners) {
        // Connections the system accepted before the signal may carry
        // requests already sent: take them in before closing the door.
        while (listener->waitForNewConnection(0)) { }
        listener->stopAccepting();
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
        if (it != m_connections.end() && !it->second->rejected && !it->second->reader.holdsBytes()
            && socket->bytesAvailable() == 0)
            socket->disconnectFromHost();
    }
    m_graceTimer->start(m_settings.shutdownGrace);
    QMetaObject::invokeMethod(this, &HttpService::maybeStopped, Qt::QueuedConnection);
}

void HttpService::sweep()
{
    const auto now = SteadyClock::now();
    std::vector<QPointer<QTcpSocket>> idle;
    std::vector<QPointer<QTcpSocket>> late;
    for (const auto& [socket, c] : m_connections) {
        if (c->rejected)
            continue; // closing already, on a timer of its own
        if (c->requestStarted) {
            const auto age = now - *c->requestStarted;
            if (age > m_settings.requestTimeout || (!c->reader.headComplete() && age > m_settings.headTimeout))
                late.emplace_back(socket);
        } else if (now - c->lastActivity > m_settings.idleTimeout) {
            idle.emplace_back(socket);
        }
    }
    for (const QPointer<QTcpSocket>& socket : idle) {
        if (!socket)
            continue;
        m_metrics.countConnectionEvent("idle_timeout");
        // An answer still unread after the whole idle time: the client is gone or stalling.
        if (socket->bytesToWrite() > 0)
            socket->abort();
        else
            socket->disconnectFromHost();
    }
    for (const QPointer<QTcpSocket>& socket : late) {
        const auto it = socket ? m_connections.find(socket.data()) : m_connections.end();
        if (it == m_connections.end())
            continue;
        m_metrics.countConnectionEvent("request_timeout");
        refuse(socket, *it->second,
            errorReply(408, "request_timeout",
                it->second->reader.headComplete()
                    ? "the request was not complete within " + std::to_string(m_settings.requestTimeout.count()) + " ms"
                    : "the request head did not arrive within " + std::to_string(m_settings.headTimeout.count())
                        + " ms"),
            0);
    }
}

void HttpService::onAcceptError()
{
    // Out of descriptors (EMFILE, ENFILE) or memory: the connection stays in
    // the backlog and the listener readable, so accepting again at once
    // would spin. Back off, doubling up to kMaxAcceptBackoff.
    m_acceptBackoff = std::clamp(m_acceptBackoff * 2, kFirstAcceptBackoff, kMaxAcceptBackoff);
    m_metrics.countConnectionEvent("accept_error");
    m_acceptRetryTimer->start(m_acceptBackoff);
    updateAccepting();
}

void HttpService::updateAccepting()
{
    const bool accept = !m_shuttingDown && !m_full && !m_acceptRetryTimer->isActive();
    for (Listener* listener : m_listeners)
        listener->setAccepting(accept);
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
