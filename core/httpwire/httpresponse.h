#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace proactive::httpwire {

// One HTTP/1.1 response as the bytes a server writes to its socket: the
// status line with its reason phrase, the headers in the order they were
// added, the blank line, the body. A chunked body follows a head finished
// without one, as chunk()s and then kLastChunk.
class HttpResponse final {
public:
    explicit HttpResponse(int status);

    HttpResponse& header(QByteArrayView name, QByteArrayView value);
    // The response so far, the blank line and `body`; leaves this empty.
    QByteArray finish(QByteArrayView body = {});

    // One chunk of a chunked body: its size in hex, the bytes, CRLF each.
    static QByteArray chunk(QByteArrayView bytes);
    static constexpr char kLastChunk[] = "0\r\n\r\n";

private:
    QByteArray m_bytes;
};

} // namespace proactive::httpwire
