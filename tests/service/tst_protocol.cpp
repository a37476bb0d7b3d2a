// The HTTP surface around the endpoints: CORS, body and head limits, Expect,
// Connection: close, pipelining — raw bytes on a real socket.

#include "servicetestsupport.h"

#include <QTest>

using namespace proactive;
using namespace proactive::test;

class TestProtocol final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cors_data();
    void cors();
    void refusedOriginChangesNothing();
    void bodyLimit_data();
    void bodyLimit();
    void bodyFarBeyondTheLimit();
    void headTooLarge();
    void malformedHeadIsRefused();
    void expectContinue();
    void connectionClose_data();
    void connectionClose();
    void pipelinedRequestsAnswerInOrder();
};

void TestProtocol::cors_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("origin"); // empty: no Origin header
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("allowOrigin"); // expected Access-Control-Allow-Origin, empty: absent

    const QByteArray shopState = "/agent_state/shop/c1";
    const QByteArray app = "https://app.example.com";
    // Preflights (OPTIONS with Access-Control-Request-Method).
    QTest::newRow("preflight-listed-origin") << QByteArray("OPTIONS") << shopState << app << 204 << app;
    QTest::newRow("preflight-listed-with-trailing-slash")
        << QByteArray("OPTIONS") << shopState << QByteArray("http://localhost:5173") << 204
        << QByteArray("http://localhost:5173");
    QTest::newRow("preflight-listed-other-case")
        << QByteArray("OPTIONS") << shopState << QByteArray("https://APP.example.com") << 204
        << QByteArray("https://APP.example.com");
    QTest::newRow("preflight-unlisted") << QByteArray("OPTIONS") << shopState << QByteArray("https://evil.example")
                                        << 403 << QByteArray();
    QTest::newRow("preflight-localhost-not-listed")
        << QByteArray("OPTIONS") << shopState << QByteArray("http://localhost:3000") << 403 << QByteArray();
    QTest::newRow("preflight-default-localhost")
        << QByteArray("OPTIONS") << QByteArray("/context/local/s1") << QByteArray("http://localhost:3000") << 204
        << QByteArray("http://localhost:3000");
    QTest::newRow("preflight-default-127")
        << QByteArray("OPTIONS") << QByteArray("/context/local/s1") << QByteArray("http://127.0.0.1:8080") << 204
        << QByteArray("http://127.0.0.1:8080");
    QTest::newRow("preflight-default-ipv6")
        << QByteArray("OPTIONS") << QByteArray("/context/local/s1") << QByteArray("http://[::1]:3000") << 204
        << QByteArray("http://[::1]:3000");
    QTest::newRow("preflight-default-https-no-port")
        << QByteArray("OPTIONS") << QByteArray("/context/local/s1") << QByteArray("https://localhost") << 204
        << QByteArray("https://localhost");
    QTest::newRow("preflight-default-lookalike") << QByteArray("OPTIONS") << QByteArray("/context/local/s1")
                                                 << QByteArray("http://localhost.evil.example") << 403 << QByteArray();
    QTest::newRow("preflight-default-other-host")
        << QByteArray("OPTIONS") << QByteArray("/context/local/s1") << app << 403 << QByteArray();
    QTest::newRow("preflight-null-origin")
        << QByteArray("OPTIONS") << QByteArray("/context/local/s1") << QByteArray("null") << 403 << QByteArray();
    QTest::newRow("preflight-unknown-product")
        << QByteArray("OPTIONS") << QByteArray("/context/nope/s1") << app << 404 << QByteArray();
    QTest::newRow("preflight-server-to-server-route")
        << QByteArray("OPTIONS") << QByteArray("/webhook/shop") << app << 403 << QByteArray();
    // posthog-js endpoints: the product is only known from the body, so any product's origins.
    QTest::newRow("preflight-capture-shop-origin") << QByteArray("OPTIONS") << QByteArray("/e/") << app << 204 << app;
    QTest::newRow("preflight-capture-local-default")
        << QByteArray("OPTIONS") << QByteArray("/i/v0/e/") << QByteArray("http://localhost:1234") << 204
        << QByteArray("http://localhost:1234");
    QTest::newRow("preflight-capture-unlisted")
        << QByteArray("OPTIONS") << QByteArray("/batch/") << QByteArray("https://evil.example") << 403 << QByteArray();
    QTest::newRow("options-without-origin")
        << QByteArray("OPTIONS") << shopState << QByteArray() << 204 << QByteArray();
    // Actual requests.
    QTest::newRow("get-listed-origin") << QByteArray("GET") << QByteArray("/context/shop/s1") << app << 200 << app;
    QTest::newRow("get-unlisted-origin") << QByteArray("GET") << QByteArray("/context/shop/s1")
                                         << QByteArray("https://evil.example") << 403 << QByteArray();
    QTest::newRow("get-without-origin") << QByteArray("GET") << QByteArray("/context/shop/s1") << QByteArray() << 200
                                        << QByteArray();
    QTest::newRow("decide-from-listed-origin") << QByteArray("POST") << QByteArray("/decide/?v=3") << app << 200 << app;
    QTest::newRow("healthz-ignores-origin")
        << QByteArray("GET") << QByteArray("/healthz") << QByteArray("https://evil.example") << 200 << QByteArray();
}

void TestProtocol::cors()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, origin);
    QFETCH(int, status);
    QFETCH(QByteArray, allowOrigin);
    Harness h;
    HeaderList headers;
    if (!origin.isEmpty())
        headers.emplaceBack("Origin", origin);
    if (method == "OPTIONS" && !origin.isEmpty()) {
        headers.emplaceBack("Access-Control-Request-Method", "POST");
        headers.emplaceBack("Access-Control-Request-Headers", "content-type");
    }
    const auto response
        = h.client().request(method, target, method == "POST" ? QByteArray("{}") : QByteArray(), headers);
    QCOMPARE(response.status, status);
    QCOMPARE(response.header("access-control-allow-origin"), allowOrigin);
    if (status == 204 && !allowOrigin.isEmpty()) {
        QVERIFY(response.body.isEmpty());
        QVERIFY(response.header("access-control-allow-methods").contains("OPTIONS"));
        QCOMPARE(response.header("access-control-allow-headers"), QByteArray("content-type"));
        QCOMPARE(response.header("access-control-max-age"), QByteArray("600"));
        QVERIFY(response.header("vary").contains("Origin"));
    }
    if (method == "OPTIONS" && origin.isEmpty())
        QCOMPARE(response.header("allow"), QByteArray("POST, OPTIONS"));
    if (method == "GET" && target.startsWith("/context/"))
        QVERIFY(response.header("vary").contains("Origin"));
    if (status == 403)
        QCOMPARE(response.json()["error"].get<std::string>(), std::string("origin_not_allowed"));
}

void TestProtocol::refusedOriginChangesNothing()
{
    Harness h;
    auto client = h.client();
    const auto refused = client.post("/agent_state/shop/c1", R"({"event":"user_sent"})",
        { { "Origin", "https://evil.example" }, { "Content-Type", "text/plain" } });
    QCOMPARE(refused.status, 403);
    QVERIFY(!h.service.connector().conversation({ "shop", "c1" }));
    const auto capture = client.post("/batch/", pingPongBatch("s1", kT0), { { "Origin", "https://evil.example" } });
    QCOMPARE(capture.status, 403);
    QVERIFY(!h.service.connector().recentActivity("s1", 10));
}

void TestProtocol::bodyLimit_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<qint64>("bodySize");
    QTest::addColumn<bool>("chunked");
    QTest::addColumn<int>("status");

    QTest::newRow("exactly-1-mib") << QByteArray("/e/") << qint64(1024 * 1024) << false << 200;
    QTest::newRow("1-mib-plus-1") << QByteArray("/e/") << qint64(1024 * 1024 + 1) << false << 413;
    QTest::newRow("3-mib") << QByteArray("/batch/") << qint64(3 * 1024 * 1024) << false << 413;
    QTest::newRow("any-route") << QByteArray("/healthz") << qint64(2 * 1024 * 1024) << false << 413;
    QTest::newRow("chunked-small") << QByteArray("/e/") << qint64(1000) << true << 200;
    QTest::newRow("chunked-over") << QByteArray("/e/") << qint64(2 * 1024 * 1024) << true << 413;
}

void TestProtocol::bodyLimit()
{
    QFETCH(QByteArray, target);
    QFETCH(qint64, bodySize);
    QFETCH(bool, chunked);
    QFETCH(int, status);
    Harness h;
    // A JSON array padded with spaces: a valid (empty) capture body of any size.
    QByteArray body = "[]" + QByteArray(bodySize - 2, ' ');
    HttpClient client = h.client();
    QByteArray request = "POST " + target + " HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com\r\n";
    if (chunked) {
        request += "Transfer-Encoding: chunked\r\n\r\n";
        for (qsizetype at = 0; at < body.size(); at += 64 * 1024) {
            const QByteArray piece = body.mid(at, 64 * 1024);
            request += QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n";
        }
        request += "0\r\n\r\n";
    } else {
        request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    }
    QVERIFY(client.send(request));
    const auto response = client.readResponse();
    QCOMPARE(response.status, status);
    if (status == 413) {
        QCOMPARE(response.json()["error"].get<std::string>(), std::string("payload_too_large"));
        QCOMPARE(response.header("connection"), QByteArray("close"));
        QVERIFY(response.closed);
        QVERIFY(h.service.accessLog().last().startsWith(u"POST "_qs + QString::fromUtf8(target) + u" 413 "_qs));
        if (target != "/healthz")
            QCOMPARE(response.header("access-control-allow-origin"), QByteArray("https://app.example.com"));
    } else {
        QCOMPARE(response.json()["accepted"].get<int>(), 0);
    }
    // The service is still there.
    QCOMPARE(h.client().get("/healthz").status, 200);
}

void TestProtocol::bodyFarBeyondTheLimit()
{
    // 1 GiB announced, 32 MiB sent: the service answers 413 after the head
    // and cuts the connection without reading what it will not drain; the
    // client sees the answer or a reset, depending on timing.
    Harness h;
    HttpClient client = h.client();
    QVERIFY(client.send("POST /batch/ HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n"));
    const QByteArray chunk(1024 * 1024, 'x');
    for (int i = 0; i < 32 && client.isConnected(); ++i)
        client.send(chunk);
    const auto response = client.readResponse(5'000);
    QVERIFY(response.status == 413 || response.status == 0);
    QVERIFY(client.waitForClose());
    QCOMPARE(h.service.requests("/batch/", 413), std::uint64_t(1));
    QCOMPARE(h.client().get("/healthz").status, 200);
}

void TestProtocol::headTooLarge()
{
    Harness h;
    HttpClient client = h.client();
    QVERIFY(client.send("GET /healthz HTTP/1.1\r\nX-Padding: " + QByteArray(70 * 1024, 'a') + "\r\n\r\n"));
    const auto response = client.readResponse();
    QCOMPARE(response.status, 431);
    QCOMPARE(response.json()["error"].get<std::string>(), std::string("header_too_large"));
    QVERIFY(response.closed);
}

void TestProtocol::malformedHeadIsRefused()
{
    Harness h;
    HttpClient client = h.client();
    QVERIFY(client.send("POST /e/ HTTP/1.1\r\nContent-Length: 12abc\r\n\r\n[]"));
    const auto response = client.readResponse();
    QCOMPARE(response.status, 400);
    QCOMPARE(response.json()["error"].get<std::string>(), std::string("bad_request"));
    QVERIFY(response.closed);
}

void TestProtocol::expectContinue()
{
    Harness h;
    HttpClient client = h.client();
    const QByteArray body = R"({"event":"user_sent"})";
    QVERIFY(client.send("POST /agent_state/shop/c1 HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n"));
    const auto interim = client.readResponse();
    QCOMPARE(interim.status, 100);
    QVERIFY(client.send(body));
    const auto response = client.readResponse();
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json()["state"].get<std::string>(), std::string("reactive_assistance"));

    // Too large: 413 at once, before the client sends the body.
    QVERIFY(client.send("POST /e/ HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000000\r\n\r\n"));
    const auto refused = client.readResponse();
    QCOMPARE(refused.status, 413);
    QVERIFY(refused.closed);
}

void TestProtocol::connectionClose_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<bool>("closed");

    QTest::newRow("http-1.1-keep-alive") << QByteArray("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") << false;
    QTest::newRow("connection-close") << QByteArray("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                                      << true;
    QTest::newRow("http-1.0") << QByteArray("GET /healthz HTTP/1.0\r\n\r\n") << true;
    QTest::newRow("http-1.0-keep-alive") << QByteArray("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                                         << false;
}

void TestProtocol::connectionClose()
{
    QFETCH(QByteArray, request);
    QFETCH(bool, closed);
    Harness h;
    HttpClient client = h.client();
    QVERIFY(client.send(request));
    const auto response = client.readResponse();
    QCOMPARE(response.status, 200);
    QCOMPARE(response.closed, closed);
    if (!closed)
        QCOMPARE(client.get("/healthz").status, 200);
}

void TestProtocol::pipelinedRequestsAnswerInOrder()
{
    Harness h;
    HttpClient client = h.client();
    const QByteArray state = R"({"event":"user_sent"})";
    QVERIFY(client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                        "POST /agent_state/shop/proactive%3As1 HTTP/1.1\r\nHost: x\r\nContent-Length: "
        + QByteArray::number(state.size()) + "\r\n\r\n" + state
        + "GET /context/shop/s1 HTTP/1.1\r\nHost: x\r\n\r\n"
          "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"));
    QCOMPARE(client.readResponse().json()["status"].get<std::string>(), std::string("ok"));
    QCOMPARE(client.readResponse().json()["state"].get<std::string>(), std::string("reactive_assistance"));
    QCOMPARE(client.readResponse().json()["state"].get<std::string>(), std::string("reactive_assistance"));
    QCOMPARE(client.readResponse().status, 404);
}

QTEST_GUILESS_MAIN(TestProtocol)
#include "tst_protocol.moc"
