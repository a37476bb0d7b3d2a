#pragma once

#include "service/accesslog.h"
#include "service/metrics.h"
#include "service/requestreader.h"
#include "service/servicesettings.h"

#include <QHostAddress>
#include <QObject>
#include <QString>
#include <chrono>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

class QTcpSocket;
class QTimer;

namespace proactive {
class Connector;
}

namespace proactive::service {

class Endpoints;
struct Reply;

// The connector as an HTTP service (issue 4): each connection's
// RequestReader reads its requests, Endpoints answers them through the
// Connector façade. Lives in one thread (the one that created it); the
// connector serialises its own calls.
//
// The reader enforces the body and head limits (413/431 before a large
// body is read); the service answers "Expect: 100-continue", honours
// "Connection: close" and answers pipelined requests in order. Every answer
// is one write: status line, headers and body, with Content-Length.
//
// The service keeps connection limits and timeouts (ServiceSettings): a
// bound on connections that respects the descriptor limit, idle, head and
// request timeouts, and a back-off when accepting fails, so that idle or
// slow clients cannot take it down.
class HttpService final : public QObject {
    Q_OBJECT

public:
    HttpService(Connector& connector, ServiceSettings settings, QObject* parent = nullptr);
    ~HttpService() override;

    // Starts accepting connections; port 0 picks a free one. Returns the
    // port, or 0 with errorString() set. May be called for several addresses.
    quint16 listen(const QHostAddress& address, quint16 port = 0);
    QString errorString() const { return m_errorString; }

    const Metrics& metrics() const { return m_metrics; }
    // ServiceSettings::maxConnections, lowered to what the descriptor limit allows.
    std::size_t connectionCapacity() const { return m_capacity; }
    std::size_t openConnections() const { return m_connections.size(); }
    // Connections with part of a request read and no answer yet.
    std::size_t requestsInProgress() const;
    // Request bytes held by all connections (ServiceSettings::maxBufferedBytes).
    std::size_t bufferedBytes() const { return m_bufferedBytes; }

    // Graceful stop: stops accepting, closes idle connections, lets requests
    // already begun arrive and be answered (their connections close after
    // the answer), then emits stopped() once no connection is left. After
    // shutdownGrace the remaining connections are cut. Calling it again cuts
    // them at once.
    void shutdown();

Q_SIGNALS:
    void stopped();

private:
    class Listener;
    using SteadyClock = std::chrono::steady_clock;
    struct Connection {
        explicit Connection(RequestReader::Limits limits)
            : reader(limits)
        { }
        RequestReader reader;
        bool rejected = false; // answered before its body was read; draining, then closing
        std::int64_t drainRemaining = 0;
        SteadyClock::time_point lastActivity = SteadyClock::now(); // bytes read or written
        std::optional<SteadyClock::time_point> requestStarted; // first byte of the request in progress
        std::size_t counted = 0; // reader.heldBytes() as last added to m_bufferedBytes
    };

    // A new connection: adopted, or, at the limit with no idle connection
    // to close, answered 503 and closed (false).
    bool admit(QTcpSocket* socket);
    void adopt(QTcpSocket* socket);
    bool closeLongestIdle();
    void refuseBusy(QTcpSocket* socket);
    void onReadyRead(QTcpSocket* socket);
    // Brings m_bufferedBytes up to date with what the connection's reader holds.
    void account(Connection& connection);
    // Over the budget for bytes in flight: refuses the requests holding the
    // most (503) until the rest fit in it.
    void shedLargestRequests();
    void forget(QTcpSocket* socket);
    // Answers the complete requests the reader holds, in order, and acts on
    // its verdict on the one after them.
    void serve(QTcpSocket* socket, Connection& connection, RequestReader::Verdict verdict);
    void reject(QTcpSocket* socket, Connection& connection, RequestReader::Verdict verdict);
    // Answers `reply` to a request that is not read on, then closes.
    void refuse(QTcpSocket* socket, Connection& connection, Reply reply, std::int64_t drainBytes);
    void drain(QTcpSocket* socket, Connection& connection);
    // Answers the reader's complete request; true when the connection closes after it.
    bool handle(QTcpSocket* socket, Connection& connection);
    // AfterDrain announces the close; drain() closes once the body is gone.
    enum class Close { No, AfterWrite, AfterDrain };
    void send(QTcpSocket* socket, const Reply& reply, Close close);
    // Idle, head and request timeouts.
    void sweep();
    // accept() failed for want of descriptors or memory: every such error is worth a retry later.
    void onAcceptError();
    // Accepting pauses while the service is full or backs off from an accept error.
    void updateAccepting();
    void abortAll();
    void maybeStopped();
    Connector& m_connector;
    ServiceSettings m_settings;
    AccessLog m_accessLog;
    Metrics m_metrics;
    std::unique_ptr<Endpoints> m_endpoints;
    std::vector<Listener*> m_listeners; // children
    std::unordered_map<QTcpSocket*, std::unique_ptr<Connection>> m_connections;
    QTimer* m_graceTimer = nullptr;
    QTimer* m_sweepTimer = nullptr;
    QTimer* m_acceptRetryTimer = nullptr;
    std::size_t m_capacity = 0;
    bool m_full = false; // a connection was refused; accepting resumes when one ends
    std::size_t m_bufferedBytes = 0; // sum of the connections' `counted`
    std::chrono::milliseconds m_acceptBackoff { 0 };
    QString m_errorString;
    bool m_shuttingDown = false;
    bool m_stopped = false;
};

} // namespace proactive::service
