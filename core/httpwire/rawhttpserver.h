#pragma once

#include <QAbstractHttpServer>
#include <QHttpServerRequest>
#include <functional>
#include <string>

class QTcpSocket;

namespace proactive::httpwire {

// A QtHttpServer that parses requests and hands each one, with the socket it
// came on, to one function that writes the answer itself (HttpResponse):
// the servers on it choose their own headers, keep-alive and streaming.
class RawHttpServer final : public QAbstractHttpServer {
public:
    using Handler = std::function<void(const QHttpServerRequest& request, QTcpSocket* socket)>;

    explicit RawHttpServer(Handler handler, QObject* parent = nullptr);

    // "GET", "POST", ...; "UNKNOWN" for a method the parser did not know.
    static std::string methodName(QHttpServerRequest::Method method);

protected:
    bool handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) override;
    void missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) override;

private:
    Handler m_handler;
};

} // namespace proactive::httpwire
