// Connection limits and timeouts (issue 13): idle, slow and stalled clients
// on real sockets against the real HttpService, with short timeouts.

#include "eventwait.h"
#include "servicetestsupport.h"

#include <QDir>
#include <QTest>
#include <list>
#include <optional>
#include <sys/resource.h>

using namespace proactive;
using namespace proactive::test;

namespace {

// Long enough that a keep-alive request made half an idle time after the
// last one is answered well inside the idle time even under ASan on a busy
// 2-core machine (at 400 ms a slow round trip was taken for idleness).
constexpr std::chrono::milliseconds kIdle { 1500 };
constexpr std::chrono::milliseconds kHead { 300 };
constexpr std::chrono::milliseconds kRequest { 600 };

service::ServiceSettings shortTimeouts(std::size_t maxConnections = 1024)
{
    service::ServiceSettings settings = ServiceThread::defaultSettings();
    settings.maxConnections = maxConnections;
    settings.idleTimeout = kIdle;
    settings.headTimeout = kHead;
    settings.requestTimeout = kRequest;
    return settings;
}

std::uint64_t connectionEvents(ServiceThread& service, std::string_view event)
{
    const std::string text = service.metricsText();
    const std::string prefix = "proactive_connection_events_total{event=\"" + std::string(event) + "\"} ";
    const auto at = text.find(prefix);
    return at == std::string::npos ? 0 : std::stoull(text.substr(at + prefix.size()));
}

} // namespace

class TestConnections final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void idleConnectionIsClosed();
    void keepAliveWithinTheIdleTimeStaysOpen();
    void slowHeadGets408();
    void stalledBodyGets408();
    void atTheLimitTheLongestIdleMakesRoom();
    void atTheLimitWithNoneIdleNewOnesGet503();
    void capacityRespectsTheDescriptorLimit();
    void acceptFailureBacksOff();
    void bodiesInFlightOverTheBudgetShedTheLargest();
};

void TestConnections::idleConnectionIsClosed()
{
    Harness h(shortTimeouts());
    HttpClient client = h.client();
    QCOMPARE(client.get("/healthz").status, 200);
    // Nothing more is sent: the server closes after the idle time.
    QVERIFY(client.waitForClose(5'000));
    HttpClient silent = h.client(); // connects and never sends a byte
    QVERIFY(silent.waitForClose(5'000));
    QVERIFY(connectionEvents(h.service, "idle_timeout") >= 2);
}

void TestConnections::keepAliveWithinTheIdleTimeStaysOpen()
{
    Harness h(shortTimeouts());
    HttpClient client = h.client();
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(client.get("/healthz").status, 200);
        QVERIFY(!client.waitForClose(int(kIdle.count() / 2)));
    }
    QCOMPARE(connectionEvents(h.service, "idle_timeout"), std::uint64_t(0));
}

void TestConnections::slowHeadGets408()
{
    Harness h(shortTimeouts());
    HttpClient client = h.client();
    QVERIFY(client.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "));
    const auto response = client.readResponse(5'000);
    QCOMPARE(response.status, 408);
    QCOMPARE(response.json()["error"].get<std::string>(), std::string("request_timeout"));
    QVERIFY(response.closed);
    QCOMPARE(connectionEvents(h.service, "request_timeout"), std::uint64_t(1));
    QCOMPARE(h.client().get("/healthz").status, 200);
}

void TestConnections::stalledBodyGets408()
{
    // The issue's slow client: a body one byte short of its length, then nothing.
    Harness h(shortTimeouts());
    HttpClient client = h.client();
    const QByteArray body(64 * 1024, ' ');
    QVERIFY(client.send("POST /batch/ HTTP/1.1\r\nHost: x\r\nContent-Length: " + QByteArray::number(body.size() + 1)
        + "\r\n\r\n" + body));
    const auto response = client.readResponse(5'000);
    QCOMPARE(response.status, 408);
    QVERIFY(response.closed);
    QCOMPARE(h.service.requests("/batch/", 408), std::uint64_t(1));
    // Nothing of the stalled body reached the connector.
    QCOMPARE(h.service.requests("/batch/", 200), std::uint64_t(0));
}

void TestConnections::atTheLimitTheLongestIdleMakesRoom()
{
    Harness h(shortTimeouts(3));
    std::list<HttpClient> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(h.client());
        QCOMPARE(clients.back().get("/healthz").status, 200);
    }
    // The first client has been idle longest: it goes, the newcomer is served.
    HttpClient newcomer = h.client();
    QCOMPARE(newcomer.get("/healthz").status, 200);
    QVERIFY(clients.front().waitForClose(2'000));
    QCOMPARE(connectionEvents(h.service, "evicted"), std::uint64_t(1));
}

void TestConnections::atTheLimitWithNoneIdleNewOnesGet503()
{
    Harness h(shortTimeouts(2));
    std::list<HttpClient> busy;
    for (int i = 0; i < 2; ++i) {
        busy.push_back(h.client());
        QVERIFY(busy.back().send("POST /batch/ HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n[]"));
    }
    // Both hold a request in progress: nothing can be closed to make room.
    TRY_COMPARE(h.service.requestsInProgress(), std::size_t(2));
    HttpClient refused = h.client();
    const auto response = refused.readResponse(5'000);
    QCOMPARE(response.status, 503);
    QCOMPARE(response.header("retry-after"), QByteArray("1"));
    QCOMPARE(response.json()["error"].get<std::string>(), std::string("server_busy"));
    // Once the stalled requests time out, the service takes new connections again.
    for (HttpClient& client : busy)
        QCOMPARE(client.readResponse(5'000).status, 408);
    QCOMPARE(h.client().get("/healthz").status, 200);
}

void TestConnections::capacityRespectsTheDescriptorLimit()
{
    // The configured maximum is lowered to what RLIMIT_NOFILE leaves, never raised.
    Harness h(shortTimeouts(1'000'000'000));
    const std::size_t capacity = h.service.connectionCapacity();
    QVERIFY(capacity > 0);
    QVERIFY(capacity < 1'000'000'000);
}

void TestConnections::acceptFailureBacksOff()
{
    // Out of descriptors, accept() fails while the connection waits in the
    // backlog: retrying at once would spin. Client and service share this
    // process, so lowering its limit makes the service's accept fail.
#if defined(__SANITIZE_ADDRESS__)
    // The sanitizers' runtime opens a pipe to check the memory it looks at
    // (UBSan's vptr check on a type it has not cached): with every
    // descriptor taken, it reports a false "invalid vptr" and aborts. The
    // dev preset runs this test.
    QSKIP("out of descriptors, the sanitizer runtime cannot check memory");
#endif
    Harness h(shortTimeouts());
    HttpClient first = h.client();
    QCOMPARE(first.get("/healthz").status, 200);
    rlimit original {};
    QVERIFY(getrlimit(RLIMIT_NOFILE, &original) == 0);
    // The lowest limit at which the client still gets its socket leaves the
    // service none (descriptors of earlier tests may still be closing, so
    // the count is a starting point, not the answer).
    const auto used = rlim_t(QDir(u"/proc/self/fd"_qs).entryList(QDir::Files | QDir::System).size());
    std::optional<HttpClient> second;
    for (rlim_t limit = used - 2; limit < used + 4 && !(second && second->isConnected()); ++limit) {
        rlimit low = original;
        low.rlim_cur = limit;
        QVERIFY(setrlimit(RLIMIT_NOFILE, &low) == 0);
        second.emplace(h.service.port());
    }
    QVERIFY(second->isConnected()); // the system completed the handshake; the service cannot accept it
    TRY_VERIFY(connectionEvents(h.service, "accept_error") >= 1);

    rusage before {};
    getrusage(RUSAGE_SELF, &before);
    QTest::qSleep(500); // measures the service thread's CPU: nothing to wait for
    rusage after {};
    getrusage(RUSAGE_SELF, &after);
    const auto micros = [](const rusage& r) {
        return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1'000'000 + r.ru_utime.tv_usec + r.ru_stime.tv_usec;
    };
    const long spent = micros(after) - micros(before);
    QVERIFY(setrlimit(RLIMIT_NOFILE, &original) == 0);
    // A busy loop burns the whole 500 ms; backing off, a few retries cost little.
    QVERIFY2(spent < 100'000, QByteArray::number(qlonglong(spent)).constData());
    // Once descriptors are available again, the waiting connection is served.
    QCOMPARE(second->get("/healthz").status, 200);
}

QTEST_GUILESS_MAIN(TestConnections)
#include "tst_connections.moc"

void TestConnections::bodiesInFlightOverTheBudgetShedTheLargest()
{
    // Clients trickling large bodies: together over the budget for bytes in
    // flight, the one holding the most is refused; the others go on.
    service::ServiceSettings settings = shortTimeouts();
    settings.maxBufferedBytes = 256 * 1024;
    settings.requestTimeout = std::chrono::milliseconds(10'000);
    Harness h(settings);
    const auto head = [](int length) {
        return "POST /batch/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
            + QByteArray::number(length) + "\r\n\r\n";
    };
    // A valid (empty) batch padded with JSON whitespace to any length.
    const auto body = [](int length) {
        QByteArray bytes = R"({"api_key":"phc_demo","batch":[]})";
        return bytes + QByteArray(length - bytes.size(), ' ');
    };
    constexpr int kLarge = 200 * 1024;
    constexpr int kSmaller = 150 * 1024;
    HttpClient large = h.client();
    QVERIFY(large.send(head(kLarge) + body(kLarge).left(150 * 1024)));
    TRY_VERIFY(h.service.bufferedBytes() >= 150 * 1024);
    HttpClient smaller = h.client();
    QVERIFY(smaller.send(head(kSmaller) + body(kSmaller).left(120 * 1024)));

    const auto refused = large.readResponse(5'000);
    QCOMPARE(refused.status, 503);
    QCOMPARE(refused.header("retry-after"), QByteArray("1"));
    QCOMPARE(refused.json()["error"].get<std::string>(), std::string("server_busy"));
    QVERIFY(large.waitForClose(5'000));
    QCOMPARE(connectionEvents(h.service, "over_budget"), std::uint64_t(1));

    // The smaller one was not shed: its body completes and is answered.
    QVERIFY(smaller.send(body(kSmaller).mid(120 * 1024)));
    const auto answered = smaller.readResponse(5'000);
    QVERIFY2(answered.status != 503 && answered.status != 0, qPrintable(QString::number(answered.status)));
    TRY_COMPARE(h.service.bufferedBytes(), std::size_t(0));
    QCOMPARE(h.client().get("/healthz").status, 200);
}
