// `store copy` (issue 17): a SQLite file copied into Redis (a real
// redis-server) and into another SQLite file reads back the same through
// every Store read: sessions, actions with their uuids, conversations and
// their logs, firings and what they leave (last firing, last offer, counts),
// circuits, offer histories with more offers than the recent times kept.

#include "printers.h"
#include "redisserver.h"
#include "store/redisstore.h"
#include "store/sqlitestore.h"

#include <QTemporaryDir>
#include <QTest>

using namespace proactive;
using namespace std::chrono_literals;

namespace {

const Timestamp kT0 = fromEpochMs(1'700'000'000'000);

Action action(std::string event, std::string uuid, Timestamp at)
{
    Action a;
    a.event = std::move(event);
    a.uuid = std::move(uuid);
    a.type = ActionType::Click;
    a.timestampStart = at;
    a.timestampEnd = at;
    a.rawUrl = "https://app.example.com/projects/7";
    a.canonicalUrl = "/projects/:id";
    a.element.tag = "button";
    a.element.text = "Add project";
    a.element.attrs = { { "data-tour-id", "add" } };
    a.elementsChain = "button:text=\"Add project\"";
    a.properties = { { "plan", "pro" } };
    return a;
}

// What the source holds: written through commits, so that the file's own
// tables (last firings and offers beyond the firings kept, history counts)
// are what a real connector leaves.
void populate(Store& store)
{
    StoreWrite write;
    write.sessions = { { { "p", "s1" }, { "u1", "a@example.com", kT0, kT0 + 20s, 3, "", "anon-1" } },
        { { "p", "s2" }, { "u2", "", kT0 + 5s, kT0 + 30s, 1, "s0", "" } } };
    for (int i = 0; i < 3; ++i)
        write.actions.push_back(
            { { "p", "s1" }, action("click-" + std::to_string(i), "uuid-1-" + std::to_string(i), kT0 + i * 10s) });
    write.actions.push_back({ { "p", "s2" }, action("view", "uuid-2-0", kT0 + 30s) });
    ConversationRecord record;
    record.state = FsmState::ConservativeAssistance;
    record.dismissals = 2;
    record.cooldownUntil = kT0 + 600s;
    record.activeTriggerId = "billing";
    record.interactionTimeout = 45s;
    write.conversations = { { { "p", "proactive:s1" }, record } };
    write.transitions
        = { { { "p", "proactive:s1" },
                { kT0 + 1s, "fired", FsmState::Thinking, FsmState::ProactiveAssistance, "trigger:billing" } },
              { { "p", "proactive:s1" },
                  { kT0 + 2s, "proactive_dismissed", FsmState::ProactiveAssistance, FsmState::ConservativeAssistance,
                      "agent_state" } } };
    write.firings = { { "p", "s1", "proactive:s1", "u1", "billing", "/settings/billing", kT0 + 1s },
        { "p", "s2", "proactive:s2", "u2", "ping", "/projects", kT0 + 6s } };
    write.circuits = { { "p", { 2, kT0 + 90s } } };
    for (int i = 0; i < 130; ++i)
        write.userHistory.push_back(
            { "p", "id:u1", "billing", "plans", UserHistoryEvent::Kind::Offer, kT0 + std::chrono::minutes(i) });
    write.userHistory.push_back({ "p", "id:u1", "billing", {}, UserHistoryEvent::Kind::Interaction, kT0 + 200min });
    QVERIFY(store.commit(write));
}

QString actionsOf(const Store& store, const SessionKey& key)
{
    QStringList parts;
    store.visitActions(key, [&](std::span<const ActionRecord> actions) {
        for (const ActionRecord& a : actions)
            parts << QStringLiteral("%1#%2@%3>%4 %5 %6 %7")
                         .arg(QString::fromStdString(a.event))
                         .arg(a.index)
                         .arg(toEpochMs(a.timestampStart))
                         .arg(toEpochMs(a.timestampEnd))
                         .arg(QString::fromStdString(*a.canonicalUrl))
                         .arg(QString::fromStdString(a.element().text))
                         .arg(QString::fromStdString(*a.property("plan")));
    });
    return parts.join(u" | "_qs);
}

void compare(const Store& source, const Store& copy)
{
    QCOMPARE(copy.sessionCount(), source.sessionCount());
    for (const char* id : { "s1", "s2" }) {
        const SessionKey key { "p", id };
        QVERIFY(copy.session(key) == source.session(key));
        QCOMPARE(actionsOf(copy, key), actionsOf(source, key));
        QCOMPARE(copy.lastOffer(key), source.lastOffer(key));
    }
    for (const char* uuid : { "uuid-1-0", "uuid-1-2" })
        QVERIFY(copy.hasActionUuid({ "p", "s1" }, uuid));
    QVERIFY(copy.hasActionUuid({ "p", "s2" }, "uuid-2-0"));
    QCOMPARE(copy.latestSessionOf("p", "anon-1"), source.latestSessionOf("p", "anon-1"));
    QCOMPARE(copy.latestSessionOfEmail("p", "A@example.com"), std::optional<std::string>("s1"));
    const ConversationKey conversation { "p", "proactive:s1" };
    QVERIFY(copy.conversation(conversation) == source.conversation(conversation));
    QVERIFY(copy.transitions(conversation, 10) == source.transitions(conversation, 10));
    QCOMPARE(copy.lastFiring(conversation, "billing"), source.lastFiring(conversation, "billing"));
    QVERIFY(copy.firings("p", 10) == source.firings("p", 10));
    const FiringQuery all { "p", std::nullopt, std::nullopt, kT0 };
    QCOMPARE(copy.countFirings(all), 2);
    QCOMPARE(copy.countFirings({ "p", std::string("s2"), std::nullopt, kT0 }), 1);
    QCOMPARE(copy.countFirings({ "p", std::nullopt, std::string("u1"), kT0 }), 1);
    QVERIFY(copy.circuit("p") == source.circuit("p"));
    const auto history = copy.userHistory("p", "id:u1");
    QCOMPARE(history.size(), std::size_t(1));
    QVERIFY(history == source.userHistory("p", "id:u1"));
    QCOMPARE(history.front().offers, std::int64_t(130));
    QCOMPARE(history.front().recentOffers.size(), TriggerHistory::kRecentOffers);
}

} // namespace

class TestStoreCopy final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void copiesEverythingIntoRedis();
    void copiesEverythingIntoSqlite();

private:
    std::unique_ptr<SqliteStore> populatedSource();

    testing::RedisServer m_redis;
    QTemporaryDir m_dir;
};

void TestStoreCopy::initTestCase()
{
    QVERIFY2(m_redis.start(), qPrintable(m_redis.why()));
}

std::unique_ptr<SqliteStore> TestStoreCopy::populatedSource()
{
    static int files = 0;
    auto opened = SqliteStore::open(m_dir.filePath(u"source-%1.db"_qs.arg(++files)).toStdString());
    if (!opened)
        return nullptr;
    populate(**opened);
    return std::move(opened).value();
}

void TestStoreCopy::copiesEverythingIntoRedis()
{
    const auto source = populatedSource();
    QVERIFY(source);
    auto target = RedisStore::open(m_redis.url(u"?prefix=copy1"_qs).toStdString());
    QVERIFY(target);
    std::vector<std::size_t> progress;
    QVERIFY((*source).copyTo(**target, [&](std::size_t copied) { progress.push_back(copied); }));
    QVERIFY(!progress.empty());
    compare(*source, **target);
    // And from a store opened afresh: nothing was held in the copying process.
    auto reopened = RedisStore::open(m_redis.url(u"?prefix=copy1"_qs).toStdString());
    QVERIFY(reopened);
    compare(*source, **reopened);
}

void TestStoreCopy::copiesEverythingIntoSqlite()
{
    const auto source = populatedSource();
    QVERIFY(source);
    auto target = SqliteStore::open(m_dir.filePath(u"target.db"_qs).toStdString());
    QVERIFY(target);
    QVERIFY(source->copyTo(**target));
    compare(*source, **target);
}

QTEST_GUILESS_MAIN(TestStoreCopy)
#include "tst_storecopy.moc"
