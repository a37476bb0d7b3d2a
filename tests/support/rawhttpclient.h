#pragma once

// A blocking raw HTTP/1.1 client for tests of the servers on 127.0.0.1: it
// sends exactly the bytes a test asks for, keeps the chunks of a chunked body
// apart and reports what the server did with the connection. Usable from any
// thread, without an event loop.

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QTcpSocket>
#include <memory>
#include <nlohmann/json.hpp>

namespace proactive::testing {

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

struct RawHttpResponse {
    int status = 0; // 0: no (complete) head
    HeaderList headers;
    QByteArray body; // de-chunked
    QList<QByteArray> chunks; // a chunked body's chunks, in order
    bool complete = false; // Content-Length reached, or the terminating chunk seen
    // The server closed the connection: before the body was complete, or
    // after an answer with "Connection: close".
    bool closed = false;

    QByteArray header(const QByteArray& name) const; // first value, case-insensitive name
    nlohmann::json json() const;
};

// One connection.
class RawHttpClient final {
public:
    // `defaultHeaders` go with every request made without headers of its own.
    explicit RawHttpClient(quint16 port, HeaderList defaultHeaders = {});

    bool isConnected() const { return m_socket->state() == QAbstractSocket::ConnectedState; }
    void close() { m_socket->abort(); }

    // Adds Content-Length unless the headers have one.
    RawHttpResponse request(const QByteArray& method, const QByteArray& target, const QByteArray& body = {},
        const HeaderList& headers = {});
    RawHttpResponse get(const QByteArray& target, const HeaderList& headers = {})
    {
        return request("GET", target, {}, headers);
    }
    RawHttpResponse post(const QByteArray& target, const QByteArray& body, const HeaderList& headers = {})
    {
        return request("POST", target, body, headers);
    }
    RawHttpResponse postJson(const QByteArray& target, const nlohmann::json& body, const HeaderList& headers = {})
    {
        return post(target, QByteArray::fromStdString(body.dump()), headers);
    }

    // Piece by piece, for partial requests and streams.
    bool send(const QByteArray& bytes);
    bool sendRequest(
        const QByteArray& method, const QByteArray& target, const QByteArray& body, const HeaderList& headers = {});
    // The next answer; an interim "100 Continue" as it is (the next call
    // reads the final answer).
    RawHttpResponse readResponse(int timeoutMs = 10'000);
    RawHttpResponse readHead(int timeoutMs = 10'000);
    // The next chunk of a chunked body (empty: the terminating chunk, or
    // nothing within the timeout: then `ok` is false).
    QByteArray readChunk(bool& ok, int timeoutMs = 10'000);
    // Reads the rest of the answer whose head readHead() returned.
    void readBody(RawHttpResponse& response, int timeoutMs = 10'000);
    // True once the server has closed the connection (waits up to timeoutMs).
    bool waitForClose(int timeoutMs = 10'000);

private:
    bool fill(int timeoutMs);

    std::unique_ptr<QTcpSocket> m_socket;
    HeaderList m_defaultHeaders;
    QByteArray m_buffer;
};

} // namespace proactive::testing
