// What is particular to RedisStore, beyond the Store contract (tst_store):
// store URLs and their errors, a server that is not there, values under the
// store's prefix that another program wrote, and decisions of two stores on
// one server (a real redis-server): the one that read what the other changed
// gets "store.conflict" and writes nothing; a prefetch is one round trip.

#include "printers.h"
#include "redisserver.h"
#include "store/openstore.h"
#include "store/redisstore.h"

#include <QTest>

using namespace proactive;
using namespace std::chrono_literals;

class TestRedisStore final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void urls_data();
    void urls();
    void badUrls_data();
    void badUrls();
    void noServer();
    void foreignValues();
    void conflictingDecisions();
    void prefetchIsOneRoundTrip();

private:
    std::unique_ptr<RedisStore> open(const QString& prefix);

    testing::RedisServer m_redis;
};

void TestRedisStore::initTestCase()
{
    QVERIFY2(m_redis.start(), qPrintable(m_redis.why()));
}

std::unique_ptr<RedisStore> TestRedisStore::open(const QString& prefix)
{
    auto opened = RedisStore::open(m_redis.url(u"?prefix="_qs + prefix).toStdString());
    if (!opened)
        qWarning("%s", opened.error().toString().c_str());
    return opened ? std::move(opened).value() : nullptr;
}

void TestRedisStore::urls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<int>("database");
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<int>("timeoutMs");
    QTest::addColumn<qint64>("ttlS");

    QTest::newRow("host-only") << u"redis://cache"_qs << u"cache"_qs << 6379 << 0 << u"proactive"_qs << 60
                               << qint64(2'592'000);
    QTest::newRow("port-database") << u"redis://10.0.0.5:6380/3"_qs << u"10.0.0.5"_qs << 6380 << 3 << u"proactive"_qs
                                   << 60 << qint64(2'592'000);
    QTest::newRow("ipv6") << u"redis://[::1]:7000"_qs << u"::1"_qs << 7000 << 0 << u"proactive"_qs << 60
                          << qint64(2'592'000);
    QTest::newRow("options") << u"redis://h:1/2?timeout_ms=150&prefix=shop&ttl_s=86400"_qs << u"h"_qs << 1 << 2
                             << u"shop"_qs << 150 << qint64(86'400);
}

void TestRedisStore::urls()
{
    QFETCH(QString, url);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(int, database);
    QFETCH(QString, prefix);
    QFETCH(int, timeoutMs);
    QFETCH(qint64, ttlS);
    const auto endpoint = RedisEndpoint::parse(url.toStdString());
    QVERIFY2(endpoint, endpoint ? "" : endpoint.error().toString().c_str());
    QCOMPARE(QString::fromStdString(endpoint->host), host);
    QCOMPARE(endpoint->port, port);
    QCOMPARE(endpoint->database, database);
    QCOMPARE(QString::fromStdString(endpoint->prefix), prefix);
    QCOMPARE(int(endpoint->timeout.count()), timeoutMs);
    QCOMPARE(qint64(endpoint->ttl.count()), ttlS);
}

void TestRedisStore::badUrls_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QString>("why"); // part of the message

    QTest::newRow("no-scheme") << u"cache:6379"_qs << u"names no store"_qs;
    QTest::newRow("empty-sqlite") << u"sqlite:"_qs << u"names no store"_qs;
    QTest::newRow("port-text") << u"redis://h:port"_qs << u"the port is a number from 1 to 65535"_qs;
    QTest::newRow("port-zero") << u"redis://h:0"_qs << u"the port is a number from 1 to 65535"_qs;
    QTest::newRow("database-16") << u"redis://h/16"_qs << u"the database after / is a number from 0 to 15"_qs;
    QTest::newRow("password") << u"redis://:secret@h"_qs << u"a password does not belong in the store's URL"_qs;
    QTest::newRow("unclosed-ipv6") << u"redis://[::1:7000"_qs << u"ends with ]"_qs;
    QTest::newRow("unknown-option") << u"redis://h?pool=4"_qs << u"unknown option \"pool\""_qs;
    QTest::newRow("timeout-zero") << u"redis://h?timeout_ms=0"_qs << u"timeout_ms is a positive number"_qs;
    QTest::newRow("prefix-colon") << u"redis://h?prefix=a:b"_qs << u"prefix is a word without ':'"_qs;
}

void TestRedisStore::badUrls()
{
    QFETCH(QString, spec);
    QFETCH(QString, why);
    const auto opened = openStore(spec.toStdString());
    QVERIFY(!opened);
    QCOMPARE(QString::fromStdString(opened.error().code), u"store.bad_url"_qs);
    QCOMPARE(QString::fromStdString(opened.error().where), u"--store"_qs);
    QVERIFY2(QString::fromStdString(opened.error().message).contains(why), opened.error().message.c_str());
    // A password in the URL never reaches the message (nor the logs it goes to).
    QVERIFY(!QString::fromStdString(opened.error().message).contains(u"secret"_qs));
}

void TestRedisStore::noServer()
{
    testing::RedisServer absent; // its port is free: nothing listens there
    const auto opened = RedisStore::open(absent.url().toStdString());
    QVERIFY(!opened);
    QCOMPARE(opened.error().code, std::string("store_unavailable"));
    QVERIFY2(opened.error().message.find("cannot connect") != std::string::npos, opened.error().message.c_str());
}

void TestRedisStore::foreignValues()
{
    const auto store = open(u"foreign"_qs);
    QVERIFY(store);
    // Another program's values under the store's keys: a clear failure
    // naming the key, never a crash or a made-up record.
    QCOMPARE(m_redis.command({ u"SET"_qs, u"foreign:p:c:c1"_qs, u"not a record"_qs }), u"OK"_qs);
    QCOMPARE(m_redis.command({ u"SET"_qs, u"foreign:p:s:s1"_qs, u"a string, not a hash"_qs }), u"OK"_qs);
    const auto failure = [](const auto& read) -> std::string {
        try {
            read();
        } catch (const StoreUnavailable& unavailable) {
            return unavailable.error().message;
        }
        return {};
    };
    const std::string conversation = failure([&] { (void)store->conversation({ "p", "c1" }); });
    QVERIFY2(conversation.find("key foreign:p:c:c1 does not hold a conversation") != std::string::npos,
        conversation.c_str());
    const std::string session = failure([&] { (void)store->session({ "p", "s1" }); });
    QVERIFY2(session.find("foreign:p:s:s1") != std::string::npos, session.c_str());
    // The store goes on working for everything else.
    StoreWrite write;
    write.circuits = { { "p", { 1, fromEpochMs(5000) } } };
    QVERIFY(store->commit(write));
    QCOMPARE(store->circuit("p").consecutiveFailures, 1);
}

void TestRedisStore::conflictingDecisions()
{
    const auto first = open(u"race"_qs);
    const auto second = open(u"race"_qs);
    QVERIFY(first && second);
    const ConversationKey key { "p", "proactive:s1" };
    ConversationRecord offered;
    offered.state = FsmState::ProactiveAssistance;
    offered.activeTriggerId = "billing";

    // Both read the conversation (none yet); the second commits first.
    first->beginDecision();
    second->beginDecision();
    QVERIFY(!first->conversation(key));
    QVERIFY(!second->conversation(key));
    StoreWrite fromSecond;
    fromSecond.conversations = { { key, offered } };
    QVERIFY(second->commit(fromSecond));
    second->endDecision();

    StoreWrite fromFirst;
    ConversationRecord other = offered;
    other.activeTriggerId = "ping-pong";
    fromFirst.conversations = { { key, other } };
    const Status status = first->commit(fromFirst);
    first->endDecision();
    QVERIFY(!status);
    QCOMPARE(status.error().code, std::string("store.conflict"));
    QCOMPARE(first->conversation(key)->activeTriggerId, std::string("billing"));

    // Decided again from fresh reads, it commits.
    first->beginDecision();
    QCOMPARE(first->conversation(key)->activeTriggerId, std::string("billing"));
    StoreWrite again;
    again.circuits = { { "p", { 0, {} } } };
    QVERIFY(first->commit(again));
    first->endDecision();

    // A decision that wrote nothing leaves no watch behind for the next one.
    first->beginDecision();
    (void)first->conversation(key);
    first->endDecision();
    QVERIFY(second->commit(fromSecond));
    QVERIFY(first->commit(again));
}

void TestRedisStore::prefetchIsOneRoundTrip()
{
    const auto store = open(u"prefetch"_qs);
    QVERIFY(store);
    ReadScope scope { "p", { "s1" }, { "s1" }, { { "s1", "u1" } }, std::string("proactive:s1"), true,
        { { "p", std::nullopt, std::nullopt, fromEpochMs(0) }, { "p", std::string("s1"), std::nullopt, {} } },
        { "id:u1" } };
    store->beginDecision();
    const std::uint64_t before = store->roundTrips();
    store->prefetch(scope);
    QCOMPARE(store->roundTrips() - before, std::uint64_t(1));
    // Every read it named is answered without another.
    (void)store->session({ "p", "s1" });
    store->visitActions({ "p", "s1" }, [](std::span<const ActionRecord>) {});
    (void)store->lastOffer({ "p", "s1" });
    (void)store->hasActionUuid({ "p", "s1" }, "u1");
    (void)store->conversation({ "p", "proactive:s1" });
    (void)store->lastFiring({ "p", "proactive:s1" }, "t");
    (void)store->circuit("p");
    (void)store->countFirings(scope.firingCounts[0]);
    (void)store->countFirings(scope.firingCounts[1]);
    (void)store->userHistory("p", "id:u1");
    QCOMPARE(store->roundTrips() - before, std::uint64_t(1));
    store->endDecision();
}

QTEST_GUILESS_MAIN(TestRedisStore)
#include "tst_redisstore.moc"
