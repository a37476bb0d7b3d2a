#include "httpwire/httpresponse.h"

#include <utility>

namespace proactive::httpwire {

namespace {

    // The phrases of the statuses our servers send; clients read the code.
    QByteArrayView reasonPhrase(int status)
    {
        switch (status) {
        case 100:
            return "Continue";
        case 200:
            return "OK";
        case 204:
            return "No Content";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 413:
            return "Content Too Large";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        default:
            return "Status";
        }
    }

} // namespace

HttpResponse::HttpResponse(int status)
{
    m_bytes.reserve(256);
    m_bytes.append("HTTP/1.1 ").append(QByteArray::number(status)).append(' ').append(reasonPhrase(status));
    m_bytes.append("\r\n");
}

HttpResponse& HttpResponse::header(QByteArrayView name, QByteArrayView value)
{
    m_bytes.append(name).append(": ").append(value).append("\r\n");
    return *this;
}

QByteArray HttpResponse::finish(QByteArrayView body)
{
    m_bytes.reserve(m_bytes.size() + 2 + body.size());
    m_bytes.append("\r\n").append(body);
    return std::exchange(m_bytes, {});
}

QByteArray HttpResponse::chunk(QByteArrayView bytes)
{
    QByteArray out = QByteArray::number(qulonglong(bytes.size()), 16);
    out.reserve(out.size() + bytes.size() + 4);
    out.append("\r\n").append(bytes).append("\r\n");
    return out;
}

} // namespace proactive::httpwire
