// The bytes of HttpResponse: status line, headers in order, blank line,
// body; chunk framing; the method names servers log.

#include "httpwire/httpresponse.h"
#include "httpwire/rawhttpserver.h"

#include <QTest>

using proactive::httpwire::HttpResponse;
using proactive::httpwire::RawHttpServer;

class TestHttpResponse final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void response_data();
    void response();
    void chunk_data();
    void chunk();
    void methodName_data();
    void methodName();
};

void TestHttpResponse::response_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArrayList>("headers"); // name, value, name, value, ...
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("continue") << 100 << QByteArrayList {} << QByteArray()
                              << QByteArray("HTTP/1.1 100 Continue\r\n\r\n");
    QTest::newRow("ok-with-body") << 200 << QByteArrayList { "Content-Type", "application/json", "Content-Length", "2" }
                                  << QByteArray("{}")
                                  << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                                "Content-Length: 2\r\n\r\n{}");
    QTest::newRow("no-content") << 204 << QByteArrayList { "Access-Control-Max-Age", "600" } << QByteArray()
                                << QByteArray("HTTP/1.1 204 No Content\r\nAccess-Control-Max-Age: 600\r\n\r\n");
    QTest::newRow("headers-keep-their-order")
        << 401 << QByteArrayList { "Z", "1", "A", "2", "Connection", "close" } << QByteArray()
        << QByteArray("HTTP/1.1 401 Unauthorized\r\nZ: 1\r\nA: 2\r\nConnection: close\r\n\r\n");
    QTest::newRow("empty-header-value") << 403 << QByteArrayList { "X-Empty", "" } << QByteArray()
                                        << QByteArray("HTTP/1.1 403 Forbidden\r\nX-Empty: \r\n\r\n");
    QTest::newRow("body-with-crlf-and-nul")
        << 500 << QByteArrayList {} << QByteArray("a\r\n\0b", 5)
        << QByteArray("HTTP/1.1 500 Internal Server Error\r\n\r\n") + QByteArray("a\r\n\0b", 5);
    QTest::newRow("404") << 404 << QByteArrayList {} << QByteArray() << QByteArray("HTTP/1.1 404 Not Found\r\n\r\n");
    QTest::newRow("405") << 405 << QByteArrayList {} << QByteArray()
                         << QByteArray("HTTP/1.1 405 Method Not Allowed\r\n\r\n");
    QTest::newRow("413") << 413 << QByteArrayList {} << QByteArray()
                         << QByteArray("HTTP/1.1 413 Content Too Large\r\n\r\n");
    QTest::newRow("429") << 429 << QByteArrayList {} << QByteArray()
                         << QByteArray("HTTP/1.1 429 Too Many Requests\r\n\r\n");
    QTest::newRow("431") << 431 << QByteArrayList {} << QByteArray()
                         << QByteArray("HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n");
    QTest::newRow("400") << 400 << QByteArrayList {} << QByteArray() << QByteArray("HTTP/1.1 400 Bad Request\r\n\r\n");
    QTest::newRow("unlisted-status") << 418 << QByteArrayList {} << QByteArray()
                                     << QByteArray("HTTP/1.1 418 Status\r\n\r\n");
}

void TestHttpResponse::response()
{
    QFETCH(int, status);
    QFETCH(QByteArrayList, headers);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, expected);

    HttpResponse response(status);
    for (qsizetype i = 0; i + 1 < headers.size(); i += 2)
        response.header(headers[i], headers[i + 1]);
    QCOMPARE(response.finish(body), expected);
}

void TestHttpResponse::chunk_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("one-byte") << QByteArray("x") << QByteArray("1\r\nx\r\n");
    QTest::newRow("sse-frame") << QByteArray("data: {}\n\n") << QByteArray("a\r\ndata: {}\n\n\r\n");
    QTest::newRow("size-in-lowercase-hex")
        << QByteArray(255, 'a') << QByteArray("ff\r\n" + QByteArray(255, 'a') + "\r\n");
    QTest::newRow("4096-bytes") << QByteArray(4096, 'b') << QByteArray("1000\r\n" + QByteArray(4096, 'b') + "\r\n");
}

void TestHttpResponse::chunk()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, expected);

    QCOMPARE(HttpResponse::chunk(bytes), expected);
    QCOMPARE(QByteArray(HttpResponse::kLastChunk), QByteArray("0\r\n\r\n"));
}

void TestHttpResponse::methodName_data()
{
    QTest::addColumn<QHttpServerRequest::Method>("method");
    QTest::addColumn<QString>("expected");

    using Method = QHttpServerRequest::Method;
    QTest::newRow("get") << Method::Get << u"GET"_qs;
    QTest::newRow("post") << Method::Post << u"POST"_qs;
    QTest::newRow("options") << Method::Options << u"OPTIONS"_qs;
    QTest::newRow("trace") << Method::Trace << u"TRACE"_qs;
    QTest::newRow("unknown") << Method::Unknown << u"UNKNOWN"_qs;
}

void TestHttpResponse::methodName()
{
    QFETCH(QHttpServerRequest::Method, method);
    QFETCH(QString, expected);

    QCOMPARE(QString::fromStdString(RawHttpServer::methodName(method)), expected);
}

QTEST_GUILESS_MAIN(TestHttpResponse)
#include "tst_httpresponse.moc"
