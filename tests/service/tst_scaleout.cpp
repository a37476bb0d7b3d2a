// Several `serve` instances on one Redis (issue 17): the real executable
// twice, a real redis-server started here, real HTTP. Concurrent polls for
// one session from both instances make exactly one offer; a quota grants
// exactly its number of offers; an agent-state event posted to one instance
// is seen by the other at once; an instance killed with SIGKILL leaves the
// other serving the same state; a Redis that stops answering turns into 503
// store_unavailable and back; and a Redis restarted from its append-only
// file (appendfsync always) still has every acknowledged capture.

#include "redisserver.h"
#include "servicetestsupport.h"
#include "store/redisstore.h"
#include "studioprocess.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <atomic>
#include <barrier>
#include <csignal>
#include <thread>

using namespace proactive;
using namespace proactive::test;
using nlohmann::json;
using proactive::testing::RedisServer;
using proactive::testing::StudioProcess;

namespace {

const QString kStudio = QStringLiteral(PROACTIVE_STUDIO_EXECUTABLE);
constexpr const char* kToken = "phc_scaleout_token";

// One trigger on the billing page, no pacing: every poll of a session that
// visited it would offer, were it not for the FSM and the quota.
QByteArray productsJson(int productPerMinute)
{
    return QByteArray(R"([{
    "product_id": "p", "posthog_token": "phc_scaleout_token",
    "proactive": { "enabled": true, "min_interval_s": 0, "quotas": { "product_per_minute": )")
        + QByteArray::number(productPerMinute) + R"( } },
    "triggers": [ { "id": "billing", "body": "Comparing plans?", "cooldown_s": 0,
                    "when": { "event": { "url_prefix": "/settings/billing" } } } ] }])";
}

json billingVisit(const std::string& session, const std::string& uuid)
{
    const std::string now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toStdString();
    return { { "api_key", kToken },
        { "batch",
            json::array({ { { "event", "$pageview" }, { "uuid", uuid }, { "timestamp", now },
                { "properties",
                    { { "$session_id", session }, { "distinct_id", "user-" + session },
                        { "$current_url", "https://app.example.com/settings/billing" } } } } }) } };
}

// A workspace folder and the instances serving it on one Redis.
class Deployment {
public:
    Deployment(const RedisServer& redis, int productPerMinute = 0)
        : m_url(redis.url(u"?prefix=scaleout%1"_qs.arg(++s_deployments)))
    {
        QFile products(m_dir.filePath(u"products.json"_qs));
        if (products.open(QIODevice::WriteOnly))
            products.write(productsJson(productPerMinute));
    }

    std::unique_ptr<StudioProcess> start(const QString& store = {}) const
    {
        return std::make_unique<StudioProcess>(kStudio,
            QStringList { u"serve"_qs, u"--workspace"_qs, m_dir.path(), u"--listen"_qs, u"127.0.0.1:0"_qs,
                u"--store"_qs, store.isEmpty() ? m_url : store, u"--quiet"_qs },
            serveEnvironment());
    }
    const QString& url() const { return m_url; }
    QString file(const QString& name) const { return m_dir.filePath(name); }

private:
    static inline int s_deployments = 0;
    QTemporaryDir m_dir;
    QString m_url;
};

bool offered(const HttpResponse& response)
{
    return response.status == 200 && !response.json().at("proactive_trigger").is_null();
}

// Each of `ports` gets `perPort` clients; all poll `session` at once.
int concurrentOffers(const std::vector<quint16>& ports, int perPort, const std::string& session)
{
    const int clients = int(ports.size()) * perPort;
    std::barrier start(clients);
    std::atomic<int> offers = 0;
    std::atomic<int> failures = 0;
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i)
        threads.emplace_back([&, port = ports[std::size_t(i) % ports.size()]] {
            HttpClient http(port);
            start.arrive_and_wait();
            const auto response = http.get(QByteArray::fromStdString("/context/p/" + session));
            if (response.status != 200)
                ++failures;
            if (offered(response))
                ++offers;
        });
    for (std::thread& thread : threads)
        thread.join();
    return failures > 0 ? -failures : offers.load();
}

} // namespace

class TestScaleOut final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void concurrentPollsMakeOneOffer();
    void quotaGrantsExactlyItsNumber();
    void agentStateIsSeenByTheOtherInstance();
    void killedInstanceLeavesTheOtherServing();
    void unreachableRedisIs503UntilItAnswers();
    void appendOnlyFileKeepsAcknowledgedWrites();
    void storeCopyMovesASqliteDeploymentToRedis();

private:
    RedisServer m_redis;
};

void TestScaleOut::initTestCase()
{
    if (!m_redis.start())
        QFAIL(qPrintable(m_redis.why()));
}

void TestScaleOut::concurrentPollsMakeOneOffer()
{
    Deployment deployment(m_redis);
    const auto a = deployment.start();
    const auto b = deployment.start();
    QVERIFY(a->port() != 0 && b->port() != 0);
    HttpClient http(a->port());
    for (int round = 0; round < 5; ++round) {
        const std::string session = "race-" + std::to_string(round);
        QCOMPARE(http.postJson("/batch/", billingVisit(session, session + "-visit")).status, 200);
        // 6 clients on each instance, all at once: one offer, the rest see proactive_assistance.
        QCOMPARE(concurrentOffers({ a->port(), b->port() }, 6, session), 1);
        const json after = http.get(QByteArray::fromStdString("/context/p/" + session + "?explain=1")).json();
        QCOMPARE_JSON(after.at("proactive_skip_reason"), "fsm:wrong_state");
    }
}

void TestScaleOut::quotaGrantsExactlyItsNumber()
{
    Deployment deployment(m_redis, 3);
    const auto a = deployment.start();
    const auto b = deployment.start();
    QVERIFY(a->port() != 0 && b->port() != 0);
    constexpr int kSessions = 12;
    HttpClient http(b->port());
    for (int i = 0; i < kSessions; ++i) {
        const std::string session = "quota-" + std::to_string(i);
        QCOMPARE(http.postJson("/batch/", billingVisit(session, session + "-visit")).status, 200);
    }
    // Every session polled once, half through each instance, all at once.
    std::barrier start(kSessions);
    std::atomic<int> offers = 0;
    std::atomic<int> quotaSkips = 0;
    std::vector<std::thread> threads;
    for (int i = 0; i < kSessions; ++i)
        threads.emplace_back([&, i] {
            HttpClient client(i % 2 ? a->port() : b->port());
            start.arrive_and_wait();
            const auto response = client.get(QByteArray::fromStdString("/context/p/quota-" + std::to_string(i)));
            if (offered(response))
                ++offers;
            else if (response.status == 200 && response.json().at("proactive_skip_reason") == "quota:product_minute")
                ++quotaSkips;
        });
    for (std::thread& thread : threads)
        thread.join();
    QCOMPARE(offers.load(), 3);
    QCOMPARE(quotaSkips.load(), kSessions - 3);
}

void TestScaleOut::agentStateIsSeenByTheOtherInstance()
{
    Deployment deployment(m_redis);
    const auto a = deployment.start();
    const auto b = deployment.start();
    QVERIFY(a->port() != 0 && b->port() != 0);
    HttpClient toA(a->port());
    HttpClient toB(b->port());
    QCOMPARE(toA.postJson("/batch/", billingVisit("s1", "s1-visit")).status, 200);
    QVERIFY(offered(toA.get("/context/p/s1")));
    const auto dismissed = toB.post("/agent_state/p/proactive%3As1", R"({"event":"proactive_dismissed"})");
    QCOMPARE(dismissed.status, 200);
    // The very next poll on A: conservative, from B's event.
    const json answer = toA.get("/context/p/s1?explain=1").json();
    QCOMPARE_JSON(answer.at("proactive_skip_reason"), "fsm:conservative_cooldown");
    QCOMPARE_JSON(answer.at("state"), "conservative_assistance");
}

void TestScaleOut::killedInstanceLeavesTheOtherServing()
{
    Deployment deployment(m_redis);
    auto a = deployment.start();
    const auto b = deployment.start();
    QVERIFY(a->port() != 0 && b->port() != 0);

    // Load on both until A is killed in the middle of it.
    std::atomic<bool> stop = false;
    std::vector<std::string> acknowledged;
    std::thread load([&, portA = a->port(), portB = b->port()] {
        HttpClient toA(portA);
        HttpClient toB(portB);
        for (int i = 0; !stop; ++i) {
            const std::string session = "load-" + std::to_string(i);
            HttpClient& http = i % 2 ? toA : toB;
            if (http.postJson("/batch/", billingVisit(session, session + "-visit")).status == 200)
                acknowledged.push_back(session);
            http.get(QByteArray::fromStdString("/context/p/" + session));
        }
    });
    QTest::qWait(300);
    a->signal(SIGKILL);
    a->waitForExit();
    QTest::qWait(200);
    stop = true;
    load.join();
    QVERIFY(acknowledged.size() > 2);

    // Every capture either instance acknowledged, B serves: each session is
    // offered now or was offered already (by A or B).
    HttpClient toB(b->port());
    QCOMPARE(toB.get("/healthz").status, 200);
    for (const std::string& session : acknowledged) {
        const auto answer = toB.get(QByteArray::fromStdString("/context/p/" + session + "?explain=1"));
        QCOMPARE(answer.status, 200);
        const json body = answer.json();
        QVERIFY2(!body.at("proactive_trigger").is_null() || body.at("proactive_skip_reason") == "fsm:wrong_state",
            session.c_str());
    }
    QCOMPARE(toB.postJson("/batch/", billingVisit("after", "after-visit")).status, 200);
    QVERIFY(offered(toB.get("/context/p/after")));
}

void TestScaleOut::unreachableRedisIs503UntilItAnswers()
{
    RedisServer redis;
    QVERIFY2(redis.start(), qPrintable(redis.why()));
    Deployment deployment(redis);
    const auto a = deployment.start();
    QVERIFY(a->port() != 0);
    HttpClient http(a->port());
    QCOMPARE(http.postJson("/batch/", billingVisit("s1", "s1-visit")).status, 200);

    // A server that stops answering: every request that needs it is a 503
    // within a bounded time (not a hang), and capture never says 200.
    redis.pause();
    QElapsedTimer timer;
    timer.start();
    const auto poll = http.get("/context/p/s1");
    const qint64 elapsed = timer.elapsed();
    QCOMPARE(poll.status, 503);
    QCOMPARE_JSON(poll.json().at("error"), "store_unavailable");
    // Liveness, not performance (docs/performance.md has the measured bound).
    QVERIFY2(elapsed < 5000, qPrintable(QString::number(elapsed)));
    const auto capture = http.postJson("/batch/", billingVisit("s2", "s2-visit"));
    QCOMPARE(capture.status, 503);
    QCOMPARE_JSON(capture.json().at("error"), "store_unavailable");
    const auto health = http.get("/healthz");
    QCOMPARE(health.status, 503);
    QCOMPARE_JSON(health.json().at("store").at("kind"), "redis");
    QCOMPARE_JSON(health.json().at("store").at("ok"), false);

    // Back: the connection is made again by itself; nothing was lost, and
    // the capture posthog-js retries is stored once.
    redis.resume();
    QCOMPARE(http.get("/healthz").status, 200);
    QVERIFY(offered(http.get("/context/p/s1")));
    QCOMPARE(http.postJson("/batch/", billingVisit("s2", "s2-visit")).status, 200);
    QCOMPARE(http.postJson("/batch/", billingVisit("s2", "s2-visit")).status, 200);
    const auto store = RedisStore::open(deployment.url().toStdString());
    QVERIFY(store);
    QCOMPARE((*store)->session({ "p", "s2" })->actionCount, std::int64_t(1));

    // Stopped altogether (connection refused): the same.
    redis.kill();
    QCOMPARE(http.get("/context/p/s1").status, 503);
    QVERIFY(redis.start());
    QCOMPARE(http.get("/healthz").status, 200);
}

void TestScaleOut::appendOnlyFileKeepsAcknowledgedWrites()
{
    RedisServer redis({ u"--appendonly"_qs, u"yes"_qs, u"--appendfsync"_qs, u"always"_qs });
    QVERIFY2(redis.start(), qPrintable(redis.why()));
    Deployment deployment(redis);
    const auto a = deployment.start();
    const auto b = deployment.start();
    QVERIFY(a->port() != 0 && b->port() != 0);
    std::vector<std::string> acknowledged;
    std::vector<std::string> offeredSessions;
    HttpClient toA(a->port());
    HttpClient toB(b->port());
    for (int i = 0; i < 30; ++i) {
        const std::string session = "aof-" + std::to_string(i);
        HttpClient& http = i % 2 ? toA : toB;
        if (http.postJson("/batch/", billingVisit(session, session + "-visit")).status == 200)
            acknowledged.push_back(session);
        if (offered(http.get(QByteArray::fromStdString("/context/p/" + session))))
            offeredSessions.push_back(session);
    }
    QCOMPARE(acknowledged.size(), std::size_t(30));
    QCOMPARE(offeredSessions.size(), std::size_t(30));

    // A crash of Redis itself, then a restart from its files.
    redis.kill();
    QVERIFY(redis.start());
    const auto store = RedisStore::open(deployment.url().toStdString());
    QVERIFY(store);
    for (const std::string& session : acknowledged)
        QVERIFY2((*store)->hasActionUuid({ "p", session }, session + "-visit"), session.c_str());
    for (const std::string& session : offeredSessions) {
        const auto log = (*store)->transitions({ "p", "proactive:" + session }, 10);
        QVERIFY2(!log.empty() && log.back().event == "trigger_fired", session.c_str());
    }
    // And the instances go on with it.
    QCOMPARE_JSON(toA.get("/context/p/aof-0?explain=1").json().at("proactive_skip_reason"), "fsm:wrong_state");
}

void TestScaleOut::storeCopyMovesASqliteDeploymentToRedis()
{
    Deployment deployment(m_redis);
    const QString sqlite = u"sqlite:"_qs + deployment.file(u"connector.db"_qs);
    {
        // One instance on SQLite: an offer, dismissed.
        const auto single = deployment.start(sqlite);
        QVERIFY(single->port() != 0);
        HttpClient http(single->port());
        QCOMPARE(http.postJson("/batch/", billingVisit("s1", "s1-visit")).status, 200);
        QVERIFY(offered(http.get("/context/p/s1")));
        QCOMPARE(http.post("/agent_state/p/proactive%3As1", R"({"event":"proactive_dismissed"})").status, 200);
        single->signal(SIGTERM);
        QCOMPARE(single->waitForExit(), 0);
    }
    const auto copy = testing::runStudio(
        kStudio, { u"store"_qs, u"copy"_qs, u"--from"_qs, sqlite, u"--to"_qs, deployment.url() }, 30'000);
    QVERIFY2(copy.exitCode == 0, qPrintable(copy.err));
    QVERIFY2(copy.out.contains(u"copied 1 sessions"_qs), qPrintable(copy.out));
    // A second copy would merge two states: refused, and the first stays.
    const auto again = testing::runStudio(
        kStudio, { u"store"_qs, u"copy"_qs, u"--from"_qs, sqlite, u"--to"_qs, deployment.url() }, 30'000);
    QCOMPARE(again.exitCode, 1);
    QVERIFY2(again.err.contains(u"already holds 1 sessions"_qs), qPrintable(again.err));

    // Two instances on Redis go on where the one on SQLite stopped.
    const auto a = deployment.start();
    const auto b = deployment.start();
    QVERIFY(a->port() != 0 && b->port() != 0);
    for (const quint16 port : { a->port(), b->port() }) {
        HttpClient http(port);
        const json answer = http.get("/context/p/s1?explain=1").json();
        QCOMPARE_JSON(answer.at("state"), "conservative_assistance");
        // The uuid of the copied capture still counts: posthog-js's retry is a duplicate.
        const auto retried = http.postJson("/batch/", billingVisit("s1", "s1-visit"));
        QCOMPARE(retried.status, 200);
    }
    const auto store = RedisStore::open(deployment.url().toStdString());
    QVERIFY(store);
    QCOMPARE((*store)->session({ "p", "s1" })->actionCount, std::int64_t(1));
}

QTEST_GUILESS_MAIN(TestScaleOut)
#include "tst_scaleout.moc"
