#include "rawhttpclient.h"

#include <QHostAddress>

namespace proactive::testing {

QByteArray RawHttpResponse::header(const QByteArray& name) const
{
    for (const auto& [key, value] : headers)
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    return {};
}

nlohmann::json RawHttpResponse::json() const
{
    return nlohmann::json::parse(body.toStdString(), nullptr, false);
}

RawHttpClient::RawHttpClient(quint16 port, HeaderList defaultHeaders)
    : m_socket(std::make_unique<QTcpSocket>())
    , m_defaultHeaders(std::move(defaultHeaders))
{
    m_socket->connectToHost(QHostAddress::LocalHost, port);
    m_socket->waitForConnected(10'000);
}

bool RawHttpClient::send(const QByteArray& bytes)
{
    if (m_socket->write(bytes) != bytes.size())
        return false;
    while (m_socket->bytesToWrite() > 0)
        if (!m_socket->waitForBytesWritten(10'000))
            return false;
    return true;
}

bool RawHttpClient::sendRequest(
    const QByteArray& method, const QByteArray& target, const QByteArray& body, const HeaderList& headers)
{
    QByteArray bytes = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    bool hasLength = false;
    for (const auto& [name, value] : headers.isEmpty() ? m_defaultHeaders : headers) {
        bytes += name + ": " + value + "\r\n";
        hasLength = hasLength || name.compare("content-length", Qt::CaseInsensitive) == 0;
    }
    if (!hasLength && (!body.isEmpty() || method == "POST"))
        bytes += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    return send(bytes + "\r\n" + body);
}

RawHttpResponse RawHttpClient::request(
    const QByteArray& method, const QByteArray& target, const QByteArray& body, const HeaderList& headers)
{
    if (!sendRequest(method, target, body, headers))
        return {};
    return readResponse();
}

bool RawHttpClient::fill(int timeoutMs)
{
    if (m_socket->bytesAvailable() == 0 && !m_socket->waitForReadyRead(timeoutMs))
        return false;
    m_buffer += m_socket->readAll();
    return true;
}

RawHttpResponse RawHttpClient::readResponse(int timeoutMs)
{
    RawHttpResponse response = readHead(timeoutMs);
    if (response.status == 0 || response.status == 100)
        return response;
    readBody(response, timeoutMs);
    if (response.complete && response.header("connection").compare("close", Qt::CaseInsensitive) == 0)
        response.closed = waitForClose(timeoutMs);
    return response;
}

RawHttpResponse RawHttpClient::readHead(int timeoutMs)
{
    RawHttpResponse response;
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

QByteArray RawHttpClient::readChunk(bool& ok, int timeoutMs)
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

void RawHttpClient::readBody(RawHttpResponse& response, int timeoutMs)
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

bool RawHttpClient::waitForClose(int timeoutMs)
{
    while (isConnected()) {
        if (!m_socket->waitForReadyRead(timeoutMs))
            return !isConnected();
        m_buffer += m_socket->readAll();
    }
    return true;
}

} // namespace proactive::testing
