// The service over time: state that survives a restart on the same SQLite
// file, concurrent clients that end where serial ones do, and a graceful
// shutdown that finishes what it has begun.

#include "servicetestsupport.h"
#include "store/sqlitestore.h"

#include <QTemporaryDir>
#include <QTest>
#include <latch>
#include <set>
#include <thread>

using namespace proactive;
using namespace proactive::test;
using namespace std::chrono_literals;

namespace {

constexpr int kClients = 8;
constexpr int kRounds = 20;

// One client's script: its own session (offer, dismiss, chat events), and
// one event per round into a session every client writes to. Runs in a
// thread of its own, so it counts its unexpected answers instead of
// failing the test itself.
int runClient(quint16 port, int client)
{
    HttpClient http(port);
    int failures = 0;
    const auto expect
        = [&](const HttpResponse& response) { failures += response.status == 200 && response.complete ? 0 : 1; };
    const std::string own = "client-" + std::to_string(client);
    const QByteArray ownPath = QByteArray::fromStdString(own);
    expect(http.post("/batch/", pingPongBatch(own, kT0)));
    for (int round = 0; round < kRounds; ++round) {
        const std::string uuid = own + "-shared-" + std::to_string(round);
        expect(http.post("/e/", QByteArray::fromStdString(pageview("shared", "/projects", kT0 - 1s, uuid).dump())));
        expect(http.get("/context/shop/" + ownPath));
        if (round == 0)
            expect(http.post("/agent_state/shop/proactive%3A" + ownPath, R"({"event":"proactive_dismissed"})"));
        expect(http.post("/agent_state/shop/chat%3A" + ownPath,
            round % 2 == 0 ? R"({"event":"user_sent"})" : R"({"event":"bot_response_completed"})"));
    }
    return failures;
}

// Everything the clients could have changed, as text.
std::string finalState(ServiceThread& service)
{
    nlohmann::json state;
    HttpClient http(service.port());
    for (int client = 0; client < kClients; ++client) {
        const std::string own = "client-" + std::to_string(client);
        state[own]["poll"] = http.get(QByteArray("/context/shop/") + own.c_str()).json();
        const auto chat = service.connector().conversation({ "shop", "chat:" + own });
        state[own]["chat"] = chat ? nameOf(chat->state) : "none";
        state[own]["chat_transitions"] = service.connector().transitions({ "shop", "chat:" + own }).size();
        state[own]["proactive_transitions"] = service.connector().transitions({ "shop", "proactive:" + own }).size();
    }
    const auto shared = service.connector().recentActivity("shared", 1000);
    state["shared_actions"] = shared ? shared->actions.size() : 0;
    state["shared_action_count"] = shared ? shared->session.actionCount : 0;
    return state.dump(2) + "\n" + service.metricsText();
}

} // namespace

class TestLifecycle final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void restartKeepsTheCooldown();
    void concurrentClientsEndWhereSerialOnesDo();
    void shutdownFinishesRequestsInFlight();
    void shutdownCutsWhatOutlastsTheGrace();
};

void TestLifecycle::restartKeepsTheCooldown()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(u"connector.db"_qs).toStdString();
    VirtualClock clock(kT0);
    {
        auto store = SqliteStore::open(path);
        QVERIFY(store);
        ServiceThread service(serviceWorkspace(), **store, clock);
        HttpClient http(service.port());
        QCOMPARE(http.post("/batch/", pingPongBatch("s1", kT0)).status, 200);
        QCOMPARE(http.get("/context/shop/s1").json()["proactive_trigger"]["trigger_id"].get<std::string>(),
            std::string("ping-pong"));
        QCOMPARE(http.post("/agent_state/shop/proactive%3As1", R"({"event":"proactive_dismissed"})").status, 200);
        QCOMPARE(http.get("/context/shop/s1").json()["proactive_skip_reason"].get<std::string>(),
            std::string("fsm:conservative_cooldown"));
        QVERIFY(service.shutdown());
    }
    clock.advance(599s);
    {
        auto store = SqliteStore::open(path);
        QVERIFY2(store, store ? "" : store.error().toString().c_str());
        ServiceThread service(serviceWorkspace(), **store, clock);
        HttpClient http(service.port());
        const auto cooling = http.get("/context/shop/s1").json();
        QCOMPARE(cooling["proactive_skip_reason"].get<std::string>(), std::string("fsm:conservative_cooldown"));
        QCOMPARE(cooling["state"].get<std::string>(), std::string("conservative_assistance"));
        // The first cooldown is 600 s: over exactly then.
        clock.advance(1s);
        const auto over = http.get("/context/shop/s1").json();
        QCOMPARE(over["state"].get<std::string>(), std::string("thinking"));
        QCOMPARE(over["proactive_skip_reason"].get<std::string>(), std::string("no_trigger"));
        QCOMPARE(service.connector().conversation({ "shop", "proactive:s1" })->dismissals, 1);
    }
}

void TestLifecycle::concurrentClientsEndWhereSerialOnesDo()
{
    Harness serial;
    for (int client = 0; client < kClients; ++client)
        QCOMPARE(runClient(serial.service.port(), client), 0);

    Harness concurrent;
    std::latch start(kClients);
    std::vector<int> failures(kClients, 0);
    std::vector<std::thread> threads;
    for (int client = 0; client < kClients; ++client)
        threads.emplace_back([&, client] {
            start.arrive_and_wait();
            failures[std::size_t(client)] = runClient(concurrent.service.port(), client);
        });
    for (auto& thread : threads)
        thread.join();
    QCOMPARE(failures, std::vector<int>(kClients, 0));

    const std::string expected = finalState(serial.service);
    QCOMPARE(QString::fromStdString(finalState(concurrent.service)), QString::fromStdString(expected));
    // No lost increment: every shared event got its own index.
    const auto shared = concurrent.service.connector().recentActivity("shared", 1000);
    QVERIFY(shared);
    QCOMPARE(shared->session.actionCount, std::int64_t(kClients * kRounds));
    std::set<std::int64_t> indexes;
    for (const Action& action : shared->actions)
        indexes.insert(action.index);
    QCOMPARE(indexes.size(), std::size_t(kClients * kRounds));
    QCOMPARE(*indexes.rbegin(), std::int64_t(kClients * kRounds - 1));
    QCOMPARE(concurrent.service.requests("/e/", 200), std::uint64_t(kClients * kRounds));
}

void TestLifecycle::shutdownFinishesRequestsInFlight()
{
    Harness h;
    HttpClient idle = h.client();
    QCOMPARE(idle.get("/healthz").status, 200);
    HttpClient busy = h.client();
    const QByteArray body = R"({"event":"user_sent"})";
    QVERIFY(busy.send("POST /agent_state/shop/c1 HTTP/1.1\r\nHost: x\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body.left(5)));

    h.service.beginShutdown();
    // No new connection, and the idle one is closed...
    HttpClient late = h.client();
    QVERIFY(!late.isConnected());
    QVERIFY(idle.waitForClose());
    // ...but the request already begun is read, answered and persisted.
    QVERIFY(!h.service.waitStopped(50));
    QVERIFY(busy.send(body.mid(5)));
    const auto response = busy.readResponse();
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("connection"), QByteArray("close"));
    QVERIFY(response.closed);
    QVERIFY(h.service.waitStopped());
    QCOMPARE(h.service.connector().conversation({ "shop", "c1" })->state, FsmState::ReactiveAssistance);
}

void TestLifecycle::shutdownCutsWhatOutlastsTheGrace()
{
    auto settings = ServiceThread::defaultSettings();
    settings.shutdownGrace = 200ms;
    Harness h(settings);
    HttpClient stalled = h.client();
    QVERIFY(stalled.send("POST /agent_state/shop/c1 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"));
    QElapsedTimer timer;
    timer.start();
    h.service.beginShutdown();
    QVERIFY(h.service.waitStopped());
    QVERIFY(timer.elapsed() >= 150);
    QVERIFY(stalled.waitForClose());
    QVERIFY(!h.service.connector().conversation({ "shop", "c1" }));
}

QTEST_GUILESS_MAIN(TestLifecycle)
#include "tst_lifecycle.moc"
