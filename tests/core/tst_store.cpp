// The Store contract, checked against every implementation: each row runs
// on MemoryStore, SqliteStore and RedisStore (a real redis-server started by
// the test). For SQLite every check runs again after closing and reopening
// the file, for Redis again through a second store on the same server.

#include "printers.h"
#include "redisserver.h"
#include "store/memorystore.h"
#include "store/redisstore.h"
#include "store/sqlitestore.h"

#include <QStringList>
#include <QTemporaryDir>
#include <QTest>
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <tuple>

using namespace proactive;
using namespace std::chrono_literals;

namespace {

enum class Backend { Memory, Sqlite, Redis };
constexpr std::array kBackends { Backend::Memory, Backend::Sqlite, Backend::Redis };

const Timestamp kT0 = fromEpochMs(1'700'000'000'000);

const char* nameOf(Backend backend)
{
    switch (backend) {
    case Backend::Memory:
        return "memory";
    case Backend::Sqlite:
        return "sqlite";
    case Backend::Redis:
        break;
    }
    return "redis";
}

// One server for the whole test; each harness keeps to a key prefix of its own.
testing::RedisServer& redisServer()
{
    static testing::RedisServer server;
    return server;
}

// Adds one row per backend, named "<backend>/<name>", with `backend` first.
template<typename... Values> void addRow(const char* name, const Values&... values)
{
    for (const Backend backend : kBackends) {
        auto& row = QTest::addRow("%s/%s", nameOf(backend), name) << backend;
        (row << ... << values);
    }
}

void addBackendRows()
{
    for (const Backend backend : kBackends)
        QTest::newRow(nameOf(backend)) << backend;
}

// The store under test; for SQLite a real file in a temporary directory,
// for Redis keys under a prefix of its own.
class Harness {
public:
    explicit Harness(Backend backend, StoreRetention retention = {})
        : m_backend(backend)
        , m_retention(retention)
    {
        static int harnesses = 0;
        m_redisPrefix = QStringLiteral("?prefix=h%1").arg(++harnesses);
        if (backend == Backend::Memory)
            m_store = std::make_unique<MemoryStore>(retention);
        else
            reopen();
    }

    Store& store() { return *m_store; }

    bool commit(const StoreWrite& write)
    {
        const Status status = m_store->commit(write);
        if (!status)
            qWarning("commit failed: %s", status.error().toString().c_str());
        return status.ok();
    }

    // Runs `check` on the live store and, for SQLite, on the reopened file.
    template<typename Check> void check(const Check& check)
    {
        check(*m_store);
        if (QTest::currentTestFailed() || m_backend == Backend::Memory)
            return;
        reopen();
        if (QTest::currentTestFailed())
            return;
        check(*m_store);
    }

private:
    void reopen()
    {
        m_store.reset();
        if (m_backend == Backend::Redis) {
            auto opened = RedisStore::open(redisServer().url(m_redisPrefix).toStdString(), m_retention);
            if (!opened)
                QFAIL(opened.error().toString().c_str());
            m_store = std::move(opened).value();
            return;
        }
        auto opened = SqliteStore::open(m_dir.filePath(QStringLiteral("store.db")).toStdString(), m_retention);
        if (!opened)
            QFAIL(opened.error().toString().c_str());
        m_store = std::move(opened).value();
    }

    Backend m_backend;
    StoreRetention m_retention;
    QString m_redisPrefix;
    QTemporaryDir m_dir;
    std::unique_ptr<Store> m_store;
};

std::int64_t ms(std::optional<Timestamp> t)
{
    return t ? toEpochMs(*t) : -1;
}

ConversationRecord conversationRecord(FsmState state, int dismissals)
{
    ConversationRecord record;
    record.state = state;
    record.enteredAt = kT0 + 1s;
    record.lastEventAt = kT0 + 2s;
    record.dismissals = dismissals;
    record.cooldownUntil = kT0 + 600s;
    record.silenced = dismissals >= 3;
    record.activeTriggerId = "trigger-" + std::to_string(dismissals);
    record.interactionTimeout = 45s;
    return record;
}

FiringRecord firing(std::string session, std::string distinct, Timestamp at, std::string trigger = "t1",
    std::string conversation = "c1", std::string product = "p1")
{
    return { std::move(product), std::move(session), std::move(conversation), std::move(distinct), std::move(trigger),
        "/projects/:id", at };
}

SessionRecord sessionRecord(std::string distinct, Timestamp firstSeen, Timestamp lastSeen)
{
    return { std::move(distinct), "someone@example.com", firstSeen, lastSeen, 7, "previous" };
}

// "a@10 b/u1@20 | c@5": actions by event name, optional uuid and start (ms
// after kT0); "|" separates commits.
std::vector<std::vector<Action>> parseArrivals(const QString& spec)
{
    std::vector<std::vector<Action>> commits(1);
    for (const QString& token : spec.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        if (token == QLatin1String("|")) {
            commits.emplace_back();
            continue;
        }
        const QStringList atSplit = token.split(QLatin1Char('@'));
        const QStringList names = atSplit[0].split(QLatin1Char('/'));
        Action action;
        action.event = names[0].toStdString();
        action.uuid = names.size() > 1 ? names[1].toStdString() : std::string();
        action.timestampStart = kT0 + Duration(atSplit[1].toLongLong());
        action.timestampEnd = action.timestampStart + 99'999ms; // the store decides the end
        action.type = ActionType::Click;
        action.sessionId = "s1";
        commits.back().push_back(std::move(action));
    }
    return commits;
}

// "a@10>20 b@20>20": event, start and end (ms after kT0) of each retained action.
QString describe(std::span<const ActionRecord> actions)
{
    QStringList parts;
    for (const ActionRecord& action : actions)
        parts << QStringLiteral("%1@%2>%3")
                     .arg(QString::fromStdString(action.event))
                     .arg(toEpochMs(action.timestampStart) - toEpochMs(kT0))
                     .arg(toEpochMs(action.timestampEnd) - toEpochMs(kT0));
    return parts.join(QLatin1Char(' '));
}

QString actionsOf(const Store& store, const SessionKey& key)
{
    QString text;
    int visits = 0;
    store.visitActions(key, [&](std::span<const ActionRecord> actions) {
        ++visits;
        text = describe(actions);
    });
    return visits == 1 ? text : QStringLiteral("visited %1 times").arg(visits);
}

} // namespace

Q_DECLARE_METATYPE(Backend)
Q_DECLARE_METATYPE(StoreWrite)

// An action with every field an Action has set, strings that need escaping.
Action fullAction()
{
    Action action;
    action.index = 41;
    action.type = ActionType::RageClick;
    action.event = "$rageclick";
    action.uuid = "0190a5c2-0000-7000-8000-000000000001";
    action.title = "Rage-clicked button";
    action.description = "Rage-clicked button 'Añadir \"proyecto\"' on /projects — 3×";
    action.timestampStart = kT0 + 1234ms;
    action.rawUrl = "https://app.example.com/projects/42?tab=a#x";
    action.canonicalUrl = "https://app.example.com/projects/:id";
    action.sessionId = "s1";
    action.distinctId = "user-7";
    action.email = "ana@example.com";
    action.element.tag = "button";
    action.element.text = "Añadir \"proyecto\"";
    action.element.id = "add";
    action.element.href = "/projects/new";
    action.element.name = "add-project";
    action.element.attrs = { { "data-tour-id", "add-project" }, { "aria-label", "" }, { "class", "btn primary" } };
    action.element.classes = { "btn", "primary" };
    action.element.nthChild = 2;
    action.element.nthOfType = 1;
    action.element.selector = "[data-tour-id=\"add-project\"]";
    action.elementsChain = R"(button.btn.primary:attr__data-tour-id="add-project"nth-child="2";div)";
    action.properties = { { "plan", "pro" }, { "seats", "3" }, { "trial", "true" }, { "empty", "" } };
    return action;
}

// The record keeps every field of `action` a record has; it ends at `end`.
void compareFields(const ActionRecord& record, const Action& action, Timestamp end)
{
    QCOMPARE(record.index, action.index);
    QVERIFY(record.type == action.type);
    QCOMPARE(record.event.get(), action.event);
    QCOMPARE(record.timestampStart, action.timestampStart);
    QCOMPARE(record.timestampEnd, end);
    QCOMPARE(record.rawUrl.get(), action.rawUrl);
    QCOMPARE(record.canonicalUrl.get(), action.canonicalUrl);
    QVERIFY(record.element() == action.element);
    QCOMPARE(record.elementsChain(), action.elementsChain);
    QVERIFY(record.details->properties == action.properties);
}

class TestStore final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void conversationUpsertAndErase_data();
    void conversationUpsertAndErase();
    void transitions_data();
    void transitions();
    void lastFiringAndOffer_data();
    void lastFiringAndOffer();
    void countFirings_data();
    void countFirings();
    void firingWindow_data();
    void firingWindow();
    void firingHistory_data();
    void firingHistory();
    void firingHistoryCap_data();
    void firingHistoryCap();
    void circuit_data();
    void circuit();
    void userHistory_data();
    void userHistory();
    void sessions_data();
    void sessions();
    void sessionsByEmail_data();
    void sessionsByEmail();
    void linkedDistinctIds_data();
    void linkedDistinctIds();
    void latestSessions_data();
    void latestSessions();
    void latestSessionsMatchAScan_data();
    void latestSessionsMatchAScan();
    void actions_data();
    void actions();
    void actionsPerSession_data();
    void actionsPerSession();
    void actionFieldsRoundTrip_data();
    void actionFieldsRoundTrip();
    void recordsRoundTrip_data();
    void recordsRoundTrip();
    void invalidWriteChangesNothing_data();
    void invalidWriteChangesNothing();
    void emptyWrite_data();
    void emptyWrite();
    void idleSessions_data();
    void idleSessions();
    void expiry_data();
    void expiry();
};

void TestStore::initTestCase()
{
    if (!redisServer().start())
        QFAIL(qPrintable(redisServer().why()));
}

void TestStore::conversationUpsertAndErase_data()
{
    QTest::addColumn<Backend>("backend");
    addBackendRows();
}

void TestStore::conversationUpsertAndErase()
{
    QFETCH(Backend, backend);
    Harness harness(backend);
    const ConversationKey a { "p1", "c1" };
    const ConversationKey sameIdOtherProduct { "p2", "c1" };
    const ConversationKey unknown { "p1", "c2" };
    const auto r1 = conversationRecord(FsmState::ProactiveAssistance, 1);
    const auto r2 = conversationRecord(FsmState::ConservativeAssistance, 2);
    const auto r3 = conversationRecord(FsmState::ConservativeAssistance, 3);
    const auto r4 = conversationRecord(FsmState::Thinking, 0);

    StoreWrite first;
    first.conversations = { { a, r1 }, { sameIdOtherProduct, r2 } };
    first.transitions = { { a, { kT0, "fired", FsmState::Thinking, FsmState::ProactiveAssistance, "trigger:t1" } } };
    QVERIFY(harness.commit(first));
    harness.check([&](const Store& store) {
        QVERIFY(store.conversation(a) == r1);
        QVERIFY(store.conversation(sameIdOtherProduct) == r2);
        QVERIFY(!store.conversation(unknown));
    });

    StoreWrite update;
    update.conversations = { { a, r3 } };
    QVERIFY(harness.commit(update));
    harness.check([&](const Store& store) { QVERIFY(store.conversation(a) == r3); });

    StoreWrite reset;
    reset.erasedConversations = { a };
    QVERIFY(harness.commit(reset));
    harness.check([&](const Store& store) {
        QVERIFY(!store.conversation(a));
        QVERIFY(store.conversation(sameIdOtherProduct) == r2);
        QCOMPARE(store.transitions(a, 10).size(), std::size_t(1)); // the log stays
    });

    StoreWrite resetThenSet; // erasures apply before upserts
    resetThenSet.conversations = { { a, r4 } };
    resetThenSet.erasedConversations = { a, unknown };
    QVERIFY(harness.commit(resetThenSet));
    harness.check([&](const Store& store) {
        QVERIFY(store.conversation(a) == r4);
        QVERIFY(!store.conversation(unknown));
    });
}

void TestStore::transitions_data()
{
    QTest::addColumn<Backend>("backend");
    QTest::addColumn<int>("appended");
    QTest::addColumn<int>("retained");
    QTest::addColumn<int>("limit");
    QTest::addColumn<QString>("expected"); // events, oldest first

    addRow("all", 5, 500, 10, QStringLiteral("e0 e1 e2 e3 e4"));
    addRow("limit-keeps-newest", 5, 500, 3, QStringLiteral("e2 e3 e4"));
    addRow("limit-equals-count", 5, 500, 5, QStringLiteral("e0 e1 e2 e3 e4"));
    addRow("limit-zero", 5, 500, 0, QString());
    addRow("retention-exact", 4, 4, 10, QStringLiteral("e0 e1 e2 e3"));
    addRow("retention-drops-oldest", 7, 4, 10, QStringLiteral("e3 e4 e5 e6"));
    addRow("retention-and-limit", 7, 4, 2, QStringLiteral("e5 e6"));
}

void TestStore::transitions()
{
    QFETCH(Backend, backend);
    QFETCH(int, appended);
    QFETCH(int, retained);
    QFETCH(int, limit);
    QFETCH(QString, expected);

    StoreRetention retention;
    retention.maxTransitionsPerConversation = std::size_t(retained);
    Harness harness(backend, retention);
    const ConversationKey key { "p1", "c1" };
    const ConversationKey other { "p1", "c2" };
    // Three per commit, to cross commit boundaries; times run backwards so
    // that order can only come from the log.
    StoreWrite write;
    for (int i = 0; i < appended; ++i) {
        const TransitionRecord transition { kT0 - std::chrono::seconds(i), "e" + std::to_string(i), FsmState::Thinking,
            FsmState::ReactiveAssistance, "agent_state" };
        write.transitions.emplace_back(key, transition);
        write.transitions.emplace_back(other, transition);
        if (i % 3 == 2) {
            QVERIFY(harness.commit(write));
            write = {};
        }
    }
    QVERIFY(harness.commit(write));

    harness.check([&](const Store& store) {
        for (const ConversationKey& k : { key, other }) {
            QStringList events;
            for (const TransitionRecord& t : store.transitions(k, std::size_t(limit)))
                events << QString::fromStdString(t.event);
            QCOMPARE(events.join(QLatin1Char(' ')), expected);
        }
        const auto all = store.transitions(key, 1000);
        QVERIFY(!all.empty());
        QCOMPARE(all.back().at, kT0 - std::chrono::seconds(appended - 1));
        QCOMPARE(all.back().from, FsmState::Thinking);
        QCOMPARE(all.back().to, FsmState::ReactiveAssistance);
        QCOMPARE(all.back().cause, std::string("agent_state"));
        QVERIFY(store.transitions({ "p1", "unknown" }, 10).empty());
    });
}

void TestStore::lastFiringAndOffer_data()
{
    QTest::addColumn<Backend>("backend");
    addBackendRows();
}

void TestStore::lastFiringAndOffer()
{
    QFETCH(Backend, backend);
    Harness harness(backend);
    StoreWrite first;
    first.firings = {
        firing("s1", "u1", kT0, "t1", "c1"),
        firing("s1", "u1", kT0 + 5s, "t2", "c1"),
        firing("s1", "u1", kT0 + 10s, "t1", "c1"),
        firing("s2", "u1", kT0 + 20s, "t1", "c2"),
        firing("s1", "u1", kT0 + 30s, "t1", "c1", "p2"),
    };
    QVERIFY(harness.commit(first));
    StoreWrite late; // an older firing arriving late never moves the answer back
    late.firings = { firing("s1", "u1", kT0 + 3s, "t1", "c1"), firing("s2", "u1", kT0 + 1s, "t1", "c2") };
    QVERIFY(harness.commit(late));

    harness.check([&](const Store& store) {
        QCOMPARE(ms(store.lastFiring({ "p1", "c1" }, "t1")), toEpochMs(kT0 + 10s));
        QCOMPARE(ms(store.lastFiring({ "p1", "c1" }, "t2")), toEpochMs(kT0 + 5s));
        QCOMPARE(ms(store.lastFiring({ "p1", "c1" }, "t3")), -1);
        QCOMPARE(ms(store.lastFiring({ "p1", "c2" }, "t1")), toEpochMs(kT0 + 20s));
        QCOMPARE(ms(store.lastFiring({ "p1", "c3" }, "t1")), -1);
        QCOMPARE(ms(store.lastFiring({ "p2", "c1" }, "t1")), toEpochMs(kT0 + 30s));

        QCOMPARE(ms(store.lastOffer({ "p1", "s1" })), toEpochMs(kT0 + 10s));
        QCOMPARE(ms(store.lastOffer({ "p1", "s2" })), toEpochMs(kT0 + 20s));
        QCOMPARE(ms(store.lastOffer({ "p2", "s1" })), toEpochMs(kT0 + 30s));
        QCOMPARE(ms(store.lastOffer({ "p1", "s3" })), -1);
        QVERIFY(!store.session({ "p1", "s1" })); // firings do not make session records
        QCOMPARE(store.sessionCount(), std::size_t(0));
    });
}

void TestStore::countFirings_data()
{
    QTest::addColumn<Backend>("backend");
    QTest::addColumn<QString>("product");
    QTest::addColumn<QString>("session"); // empty: not narrowed
    QTest::addColumn<QString>("user"); // empty: not narrowed
    QTest::addColumn<int>("sinceMs"); // after kT0
    QTest::addColumn<int>("expected");

    const QString p1 = QStringLiteral("p1");
    const QString any;
    const QString s1 = QStringLiteral("s1");
    const QString u1 = QStringLiteral("u1");
    const QString u2 = QStringLiteral("u2");
    addRow("product-all", p1, any, any, 0, 6);
    addRow("product-before-all", p1, any, any, -3'600'000, 6);
    addRow("product-since-inclusive", p1, any, any, 180'000, 3);
    addRow("product-since-1ms-later", p1, any, any, 180'001, 1);
    addRow("product-since-last", p1, any, any, 240'000, 1);
    addRow("product-since-after-last", p1, any, any, 240'001, 0);
    addRow("session", p1, s1, any, 0, 3);
    addRow("session-since-inclusive", p1, s1, any, 60'000, 2);
    addRow("session-since-1ms-later", p1, s1, any, 60'001, 1);
    addRow("user", p1, any, u1, 0, 3);
    addRow("user-since-inclusive", p1, any, u1, 120'000, 1);
    addRow("user-since-1ms-later", p1, any, u1, 120'001, 0);
    addRow("user-two", p1, any, u2, 0, 3);
    addRow("session-and-user", p1, s1, u1, 0, 2);
    addRow("session-and-other-user", p1, s1, u2, 0, 1);
    addRow("session-and-user-since", p1, s1, u1, 1, 1);
    addRow("other-product", QStringLiteral("p2"), any, any, 0, 1);
    addRow("other-product-session", QStringLiteral("p2"), s1, u1, 0, 1);
    addRow("unknown-product", QStringLiteral("p3"), any, any, 0, 0);
    addRow("unknown-session", p1, QStringLiteral("s9"), any, 0, 0);
    addRow("unknown-user", p1, any, QStringLiteral("u9"), 0, 0);
}

void TestStore::countFirings()
{
    QFETCH(Backend, backend);
    QFETCH(QString, product);
    QFETCH(QString, session);
    QFETCH(QString, user);
    QFETCH(int, sinceMs);
    QFETCH(int, expected);

    Harness harness(backend);
    // Arrival order differs from time order, across two commits.
    StoreWrite first;
    first.firings = {
        firing("s2", "u2", kT0 + 180s),
        firing("s1", "u1", kT0 + 60s),
        firing("s1", "u2", kT0 + 240s), // the session's user changed
        firing("s1", "u1", kT0 + 100s, "t1", "c1", "p2"),
    };
    StoreWrite second;
    second.firings = { firing("s3", "u2", kT0 + 180s), firing("s1", "u1", kT0), firing("s2", "u1", kT0 + 120s) };
    QVERIFY(harness.commit(first));
    QVERIFY(harness.commit(second));

    FiringQuery query;
    query.productId = product.toStdString();
    if (!session.isEmpty())
        query.sessionId = session.toStdString();
    if (!user.isEmpty())
        query.distinctId = user.toStdString();
    query.since = kT0 + Duration(sinceMs);
    harness.check([&](const Store& store) { QCOMPARE(store.countFirings(query), expected); });
}

void TestStore::firingWindow_data()
{
    QTest::addColumn<Backend>("backend");
    QTest::addColumn<qint64>("secondAfterMs"); // the second firing, after the first at kT0
    QTest::addColumn<int>("countedSinceFirst");

    constexpr qint64 window = std::chrono::duration_cast<Duration>(MemoryStore::kFiringWindow).count();
    addRow("within-window", qint64(3'600'000), 2);
    addRow("at-window-edge", window, 2);
    addRow("1ms-beyond-window", window + 1, 1);
    addRow("late-arrival-beyond-window", -window - 1, 1);
    addRow("late-arrival-at-window-edge", -window, 2);
}

void TestStore::firingWindow()
{
    QFETCH(Backend, backend);
    QFETCH(qint64, secondAfterMs);
    QFETCH(int, countedSinceFirst);

    // Quota counts are exact within kFiringWindow before the product's newest
    // firing; older firings leave the count indexes but stay in the history.
    Harness harness(backend);
    const Timestamp second = kT0 + Duration(secondAfterMs);
    StoreWrite first;
    first.firings = { firing("s1", "u1", kT0) };
    QVERIFY(harness.commit(first));
    StoreWrite next;
    next.firings = { firing("s1", "u1", second, "t2") };
    QVERIFY(harness.commit(next));

    const Timestamp earliest = std::min(kT0, second);
    harness.check([&](const Store& store) {
        QCOMPARE(store.countFirings({ "p1", std::nullopt, std::nullopt, earliest }), countedSinceFirst);
        QCOMPARE(store.countFirings({ "p1", "s1", std::nullopt, earliest }), countedSinceFirst);
        QCOMPARE(store.countFirings({ "p1", std::nullopt, "u1", earliest }), countedSinceFirst);
        QCOMPARE(store.countFirings({ "p1", "s1", "u1", earliest }), countedSinceFirst);
        QCOMPARE(store.firings("p1", 10).size(), std::size_t(2));
        QCOMPARE(ms(store.lastFiring({ "p1", "c1" }, "t1")), toEpochMs(kT0));
        QCOMPARE(ms(store.lastFiring({ "p1", "c1" }, "t2")), toEpochMs(second));
        QCOMPARE(ms(store.lastOffer({ "p1", "s1" })), toEpochMs(std::max(kT0, second)));
    });
}

void TestStore::firingHistory_data()
{
    QTest::addColumn<Backend>("backend");
    QTest::addColumn<int>("limit");
    QTest::addColumn<QString>("expected"); // trigger ids, oldest first

    addRow("all", 10, QStringLiteral("a b c d e"));
    addRow("exact", 5, QStringLiteral("a b c d e"));
    addRow("newest-three", 3, QStringLiteral("c d e"));
    addRow("newest-one", 1, QStringLiteral("e"));
    addRow("none", 0, QString());
}

void TestStore::firingHistory()
{
    QFETCH(Backend, backend);
    QFETCH(int, limit);
    QFETCH(QString, expected);

    Harness harness(backend);
    // By time, ties by arrival: a(10) b(15) c(20) d(20) e(40), arriving as c e | a d | b.
    StoreWrite first;
    first.firings = { firing("s1", "u1", kT0 + 20s, "c"), firing("s2", "u2", kT0 + 40s, "e") };
    StoreWrite second;
    second.firings = { firing("s1", "u1", kT0 + 10s, "a"), firing("s1", "u1", kT0 + 20s, "d"),
        firing("s3", "u1", kT0 + 20s, "t", "c1", "p2") };
    StoreWrite third;
    third.firings = { firing("s1", "u1", kT0 + 15s, "b") };
    QVERIFY(harness.commit(first));
    QVERIFY(harness.commit(second));
    QVERIFY(harness.commit(third));

    harness.check([&](const Store& store) {
        QStringList triggers;
        for (const FiringRecord& f : store.firings("p1", std::size_t(limit)))
            triggers << QString::fromStdString(f.triggerId);
        QCOMPARE(triggers.join(QLatin1Char(' ')), expected);
        const auto all = store.firings("p1", 10);
        QVERIFY(all.back() == firing("s2", "u2", kT0 + 40s, "e"));
        QCOMPARE(store.firings("p2", 10).size(), std::size_t(1));
        QVERIFY(store.firings("p3", 10).empty());
    });
}

void TestStore::firingHistoryCap_data()
{
    QTest::addColumn<Backend>("backend");
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("spacingS");
    QTest::addColumn<int>("firstKept"); // index of the oldest firing in the history
    QTest::addColumn<int>("firstCounted"); // index of the oldest firing in the count window

    addRow("below-cap", 999, 60, 0, 0);
    addRow("at-cap", 1000, 60, 0, 0);
    addRow("over-cap-all-counted", 1005, 60, 5, 0);
    // 2 min apart: the window (25 h) holds 751, the history 1000.
    addRow("over-cap-and-window", 1100, 120, 100, 349);
}

void TestStore::firingHistoryCap()
{
    QFETCH(Backend, backend);
    QFETCH(int, count);
    QFETCH(int, spacingS);
    QFETCH(int, firstKept);
    QFETCH(int, firstCounted);

    Harness harness(backend);
    StoreWrite write;
    for (int i = 0; i < count; ++i) {
        write.firings.push_back(firing("s" + std::to_string(i % 7), "u" + std::to_string(i % 3),
            kT0 + std::chrono::seconds(std::int64_t(i) * spacingS), "t" + std::to_string(i)));
        if (write.firings.size() == 64) {
            QVERIFY(harness.commit(write));
            write = {};
        }
    }
    QVERIFY(harness.commit(write));

    harness.check([&](const Store& store) {
        const auto history = store.firings("p1", 5000);
        QCOMPARE(int(history.size()), std::min(count, int(MemoryStore::kFiringHistory)));
        QCOMPARE(history.front().triggerId, "t" + std::to_string(firstKept));
        QCOMPARE(history.back().triggerId, "t" + std::to_string(count - 1));
        QCOMPARE(store.countFirings({ "p1", std::nullopt, std::nullopt, kT0 }), count - firstCounted);
        int perSession = 0;
        for (int i = firstCounted; i < count; ++i)
            perSession += i % 7 == 0 ? 1 : 0;
        QCOMPARE(store.countFirings({ "p1", "s0", std::nullopt, kT0 }), perSession);
        QCOMPARE(ms(store.lastFiring({ "p1", "c1" }, "t0")), toEpochMs(kT0)); // outlives the history
    });
}

void TestStore::circuit_data()
{
    QTest::addColumn<Backend>("backend");
    addBackendRows();
}

void TestStore::circuit()
{
    QFETCH(Backend, backend);
    Harness harness(backend);
    QVERIFY(harness.store().circuit("p1") == CircuitRecord {});

    StoreWrite first;
    first.circuits = { { "p1", { 3, kT0 } }, { "p2", { 0, kT0 + 120s } } };
    QVERIFY(harness.commit(first));
    StoreWrite second;
    second.circuits = { { "p1", { 4, kT0 + 60s } } };
    QVERIFY(harness.commit(second));

    harness.check([&](const Store& store) {
        QVERIFY((store.circuit("p1") == CircuitRecord { 4, kT0 + 60s }));
        QVERIFY((store.circuit("p2") == CircuitRecord { 0, kT0 + 120s }));
        QVERIFY(store.circuit("p3") == CircuitRecord {});
    });
}

void TestStore::userHistory_data()
{
    QTest::addColumn<Backend>("backend");
    addBackendRows();
}

void TestStore::userHistory()
{
    QFETCH(Backend, backend);
    Harness harness(backend);
    QVERIFY(harness.store().userHistory("p1", "id:u1").empty());

    using Kind = UserHistoryEvent::Kind;
    StoreWrite first;
    first.userHistory = { { "p1", "id:u1", "t1", "g", Kind::Offer, kT0 + 10s },
        { "p1", "email:a@x", "t1", "g", Kind::Offer, kT0 + 10s }, { "p1", "id:u1", "t2", "", Kind::Offer, kT0 + 5s },
        { "p2", "id:u1", "t1", "", Kind::Offer, kT0 } };
    QVERIFY(harness.commit(first));
    // Later writes add to what is stored; offer times stay in order
    // whatever order they come in, and only the latest kRecentOffers stay.
    StoreWrite second;
    second.userHistory = { { "p1", "id:u1", "t1", "g2", Kind::Offer, kT0 + 30s },
        { "p1", "id:u1", "t1", "", Kind::Interaction, kT0 + 31s },
        { "p1", "id:u1", "t1", "g2", Kind::Offer, kT0 + 20s } };
    QVERIFY(harness.commit(second));
    StoreWrite many;
    for (int i = 0; i < 105; ++i)
        many.userHistory.push_back({ "p1", "id:u2", "t1", "", Kind::Offer, kT0 + std::chrono::seconds(i) });
    QVERIFY(harness.commit(many));

    const auto find = [](const std::vector<TriggerHistory>& list, const std::string& id) {
        const auto it
            = std::find_if(list.begin(), list.end(), [&](const TriggerHistory& h) { return h.triggerId == id; });
        return it == list.end() ? TriggerHistory {} : *it;
    };
    harness.check([&](const Store& store) {
        const auto u1 = store.userHistory("p1", "id:u1");
        QCOMPARE(u1.size(), std::size_t(2));
        const TriggerHistory t1 = find(u1, "t1");
        QCOMPARE(t1.offers, std::int64_t(3));
        QCOMPARE(t1.interactions, std::int64_t(1));
        QCOMPARE(t1.group, std::string("g2"));
        QVERIFY((t1.recentOffers == std::vector<Timestamp> { kT0 + 10s, kT0 + 20s, kT0 + 30s }));
        QCOMPARE(find(u1, "t2").offers, std::int64_t(1));
        QCOMPARE(store.userHistory("p1", "email:a@x").size(), std::size_t(1));
        QCOMPARE(store.userHistory("p2", "id:u1").size(), std::size_t(1));
        QVERIFY(store.userHistory("p3", "id:u1").empty());
        const TriggerHistory u2 = find(store.userHistory("p1", "id:u2"), "t1");
        QCOMPARE(u2.offers, std::int64_t(105));
        QCOMPARE(u2.recentOffers.size(), TriggerHistory::kRecentOffers);
        QCOMPARE(u2.recentOffers.front(), kT0 + 5s);
    });

    // An invalid event refuses the whole write.
    StoreWrite invalid;
    invalid.userHistory
        = { { "p1", "id:u1", "t1", "", Kind::Offer, kT0 + 40s }, { "p1", "", "t1", "", Kind::Offer, kT0 } };
    QVERIFY(!harness.store().commit(invalid));
    QCOMPARE(find(harness.store().userHistory("p1", "id:u1"), "t1").offers, std::int64_t(3));
}

void TestStore::sessions_data()
{
    QTest::addColumn<Backend>("backend");
    addBackendRows();
}

void TestStore::sessions()
{
    QFETCH(Backend, backend);
    Harness harness(backend);
    QCOMPARE(harness.store().sessionCount(), std::size_t(0));

    const auto s1 = sessionRecord("u1", kT0, kT0 + 10s);
    const auto s2 = sessionRecord("u1", kT0 + 1s, kT0 + 20s);
    const auto s3 = sessionRecord("u2", kT0, kT0 + 5s);
    const auto anonymous = sessionRecord("", kT0, kT0 + 50s);
    const auto tieEarly = sessionRecord("u3", kT0 - 10s, kT0);
    const auto tieLate = sessionRecord("u3", kT0 - 5s, kT0);
    StoreWrite first;
    first.sessions
        = { { { "p1", "s1" }, s1 }, { { "p1", "s2" }, s2 }, { { "p1", "s3" }, s3 }, { { "p1", "s4" }, anonymous },
              { { "p1", "s5" }, tieLate }, { { "p1", "s6" }, tieEarly }, { { "p2", "s1" }, s3 } };
    QVERIFY(harness.commit(first));
    harness.check([&](const Store& store) {
        QCOMPARE(store.sessionCount(), std::size_t(7));
        QVERIFY(store.session({ "p1", "s1" }) == s1);
        QVERIFY(store.session({ "p2", "s1" }) == s3);
        QVERIFY(!store.session({ "p1", "s9" }));
        QCOMPARE(store.latestSessionOf("p1", "u1"), std::optional<std::string>("s2"));
        QCOMPARE(store.latestSessionOf("p1", "u2"), std::optional<std::string>("s3"));
        QCOMPARE(store.latestSessionOf("p1", "u3"), std::optional<std::string>("s5")); // tie: started later
        QCOMPARE(store.latestSessionOf("p2", "u2"), std::optional<std::string>("s1"));
        QVERIFY(!store.latestSessionOf("p1", ""));
        QVERIFY(!store.latestSessionOf("p1", "u9"));
        QVERIFY(!store.latestSessionOf("p3", "u1"));
    });

    // s1 is seen again, then becomes u2's (an identify after the fact).
    auto s1Later = s1;
    s1Later.lastSeen = kT0 + 30s;
    StoreWrite seenAgain;
    seenAgain.sessions = { { { "p1", "s1" }, s1Later } };
    QVERIFY(harness.commit(seenAgain));
    harness.check([&](const Store& store) {
        QCOMPARE(store.sessionCount(), std::size_t(7));
        QCOMPARE(store.latestSessionOf("p1", "u1"), std::optional<std::string>("s1"));
    });

    auto s1Identified = s1Later;
    s1Identified.distinctId = "u2";
    auto anonymousIdentified = anonymous;
    anonymousIdentified.distinctId = "u4";
    StoreWrite identified;
    identified.sessions = { { { "p1", "s1" }, s1Identified }, { { "p1", "s4" }, anonymousIdentified } };
    QVERIFY(harness.commit(identified));
    harness.check([&](const Store& store) {
        QCOMPARE(store.sessionCount(), std::size_t(7));
        QVERIFY(store.session({ "p1", "s1" }) == s1Identified);
        QCOMPARE(store.latestSessionOf("p1", "u1"), std::optional<std::string>("s2"));
        QCOMPARE(store.latestSessionOf("p1", "u2"), std::optional<std::string>("s1"));
        QCOMPARE(store.latestSessionOf("p1", "u4"), std::optional<std::string>("s4"));
    });
}

void TestStore::sessionsByEmail_data()
{
    QTest::addColumn<Backend>("backend");
    QTest::addColumn<QString>("product");
    QTest::addColumn<QString>("email");
    QTest::addColumn<QString>("expected"); // empty: none
    QTest::addColumn<QString>("afterChange"); // once s2 is re-identified as carol

    addRow("latest-of-two", QStringLiteral("p1"), QStringLiteral("ana@example.com"), QStringLiteral("s2"),
        QStringLiteral("s1"));
    addRow("ignores-ascii-case", QStringLiteral("p1"), QStringLiteral("ANA@Example.COM"), QStringLiteral("s2"),
        QStringLiteral("s1"));
    addRow("one-session", QStringLiteral("p1"), QStringLiteral("bob@example.com"), QStringLiteral("s3"),
        QStringLiteral("s3"));
    addRow("new-email", QStringLiteral("p1"), QStringLiteral("carol@example.com"), QString(), QStringLiteral("s2"));
    addRow("unknown", QStringLiteral("p1"), QStringLiteral("zed@example.com"), QString(), QString());
    addRow("empty-never-matches", QStringLiteral("p1"), QString(), QString(), QString());
    addRow("per-product", QStringLiteral("p2"), QStringLiteral("ana@example.com"), QStringLiteral("s9"),
        QStringLiteral("s9"));
    addRow("unknown-product", QStringLiteral("p3"), QStringLiteral("ana@example.com"), QString(), QString());
}

void TestStore::sessionsByEmail()
{
    QFETCH(Backend, backend);
    QFETCH(QString, product);
    QFETCH(QString, email);
    QFETCH(QString, expected);
    QFETCH(QString, afterChange);
    Harness harness(backend);

    const auto withEmail = [](std::string address, Timestamp lastSeen) {
        SessionRecord record = sessionRecord("u1", kT0, lastSeen);
        record.email = std::move(address);
        return record;
    };
    StoreWrite write;
    write.sessions = { { { "p1", "s1" }, withEmail("ana@example.com", kT0 + 10s) },
        { { "p1", "s2" }, withEmail("Ana@Example.com", kT0 + 20s) },
        { { "p1", "s3" }, withEmail("bob@example.com", kT0 + 30s) }, { { "p1", "s4" }, withEmail("", kT0 + 40s) },
        { { "p2", "s9" }, withEmail("ana@example.com", kT0 + 50s) } };
    QVERIFY(harness.commit(write));
    const auto found = [&](const Store& store) {
        return QString::fromStdString(
            store.latestSessionOfEmail(product.toStdString(), email.toStdString()).value_or(std::string()));
    };
    harness.check([&](const Store& store) { QCOMPARE(found(store), expected); });

    StoreWrite change;
    change.sessions = { { { "p1", "s2" }, withEmail("carol@example.com", kT0 + 60s) } };
    QVERIFY(harness.commit(change));
    harness.check([&](const Store& store) { QCOMPARE(found(store), afterChange); });
}

void TestStore::linkedDistinctIds_data()
{
    QTest::addColumn<Backend>("backend");
    addBackendRows();
}

// A session is a session of its linked distinct id too (SPEC §8 §1
// Identity): listed under both, moved when either changes, gone with the
// session; latestSessionWithEmailOf skips sessions without an email.
void TestStore::linkedDistinctIds()
{
    QFETCH(Backend, backend);
    Harness harness(backend);
    const auto record = [](std::string distinct, std::string linked, std::string email, Timestamp lastSeen) {
        SessionRecord r = sessionRecord(std::move(distinct), kT0, lastSeen);
        r.linkedDistinctId = std::move(linked);
        r.email = std::move(email);
        return r;
    };
    StoreWrite write;
    write.sessions = { { { "p1", "s1" }, record("user-x", "anon", "x@e.com", kT0 + 10s) },
        { { "p1", "s2" }, record("anon", "", "", kT0 + 20s) },
        { { "p1", "s3" }, record("user-y", "user-y", "", kT0 + 5s) } };
    QVERIFY(harness.commit(write));
    harness.check([&](const Store& store) {
        QCOMPARE(store.latestSessionOf("p1", "user-x"), std::optional<std::string>("s1"));
        QCOMPARE(store.latestSessionOf("p1", "anon"), std::optional<std::string>("s2"));
        QCOMPARE(store.latestSessionWithEmailOf("p1", "anon"), std::optional<std::string>("s1"));
        QCOMPARE(store.latestSessionWithEmailOf("p1", "user-x"), std::optional<std::string>("s1"));
        QVERIFY(!store.latestSessionWithEmailOf("p1", "user-y"));
        QVERIFY(!store.latestSessionWithEmailOf("p2", "anon"));
        QCOMPARE(store.latestSessionOf("p1", "user-y"), std::optional<std::string>("s3")); // listed once
    });

    // Linked to another id: no longer a session of the first one.
    StoreWrite relink;
    relink.sessions = { { { "p1", "s1" }, record("user-x", "anon-2", "x@e.com", kT0 + 30s) } };
    QVERIFY(harness.commit(relink));
    harness.check([&](const Store& store) {
        QVERIFY(!store.latestSessionWithEmailOf("p1", "anon"));
        QCOMPARE(store.latestSessionWithEmailOf("p1", "anon-2"), std::optional<std::string>("s1"));
    });

    StoreWrite expire;
    expire.expiredSessions = { { "p1", "s1" } };
    QVERIFY(harness.commit(expire));
    harness.check([&](const Store& store) {
        QVERIFY(!store.latestSessionOf("p1", "anon-2"));
        QVERIFY(!store.latestSessionOf("p1", "user-x"));
    });
}

namespace {

// One write of "s1=u1,0,10,link=anon,mail=a@x.com; -s2": upserts p1/s1 with
// distinct id u1 (may be empty), firstSeen 0 s and lastSeen 10 s (after
// kT0), linked id anon and email a@x.com (both optional), and expires p1/s2.
StoreWrite sessionWrite(const QString& spec)
{
    StoreWrite write;
    for (const QString& raw : spec.split(u';', Qt::SkipEmptyParts)) {
        const QString op = raw.trimmed();
        if (op.startsWith(u'-')) {
            write.expiredSessions.push_back({ "p1", op.mid(1).toStdString() });
            continue;
        }
        const QStringList sides = op.split(u'=');
        const QStringList fields = op.mid(sides[0].size() + 1).split(u',');
        SessionRecord record = sessionRecord(fields[0].toStdString(), kT0 + std::chrono::seconds(fields[1].toInt()),
            kT0 + std::chrono::seconds(fields[2].toInt()));
        record.email.clear();
        for (const QString& field : fields.mid(3)) {
            if (field.startsWith(u"link="))
                record.linkedDistinctId = field.mid(5).toStdString();
            else if (field.startsWith(u"mail="))
                record.email = field.mid(5).toStdString();
            else
                qFatal("bad field %s", qPrintable(field));
        }
        write.sessions.push_back({ { "p1", sides[0].toStdString() }, std::move(record) });
    }
    return write;
}

// "user:u1 mailOf:u1 email:a@x.com" answered "s2 s1 -": latestSessionOf,
// latestSessionWithEmailOf, latestSessionOfEmail in product p1; "-" for none.
QString latestAnswers(const Store& store, const QString& queries)
{
    QStringList answers;
    for (const QString& query : queries.split(u' ', Qt::SkipEmptyParts)) {
        const std::string key = query.section(u':', 1).toStdString();
        const auto answer = query.startsWith(u"user:") ? store.latestSessionOf("p1", key)
            : query.startsWith(u"mailOf:")             ? store.latestSessionWithEmailOf("p1", key)
                                                       : store.latestSessionOfEmail("p1", key);
        answers << QString::fromStdString(answer.value_or("-"));
    }
    return answers.join(u' ');
}

} // namespace

void TestStore::latestSessions_data()
{
    QTest::addColumn<Backend>("backend");
    QTest::addColumn<QStringList>("writes"); // see sessionWrite()
    QTest::addColumn<QString>("queries"); // see latestAnswers()
    QTest::addColumn<QStringList>("expected"); // the answers after each write

    const QString user = u"user:u1 mailOf:u1"_qs;
    addRow("many-sessions-of-one-user",
        QStringList { u"s1=u1,0,10; s2=u1,0,50; s3=u1,0,30,mail=a@x.com; s4=u1,0,40; s5=u2,0,60"_qs }, user,
        QStringList { u"s2 s3"_qs });
    // Ties on lastSeen: the later start, then the greater id (as a string).
    addRow("tie-goes-to-later-start", QStringList { u"s2=u1,5,10; s1=u1,7,10; s3=u1,0,10"_qs }, user,
        QStringList { u"s1 -"_qs });
    addRow("tie-goes-to-greater-id", QStringList { u"s9=u1,0,10,mail=a; s10=u1,0,10,mail=b; s1=u1,0,9"_qs }, user,
        QStringList { u"s9 s9"_qs });
    addRow("ties-do-not-depend-on-arrival",
        QStringList { u"s1=u1,0,10,mail=a"_qs, u"s2=u1,0,10,mail=a"_qs, u"s0=u1,0,10,mail=a"_qs }, user,
        QStringList { u"s1 s1"_qs, u"s2 s2"_qs, u"s2 s2"_qs });
    addRow("a-later-session-takes-over", QStringList { u"s1=u1,0,30,mail=a; s2=u1,0,20"_qs, u"s2=u1,0,40"_qs }, user,
        QStringList { u"s1 s1"_qs, u"s2 s1"_qs });
    addRow("latest-seen-earlier-drops",
        QStringList { u"s1=u1,0,30,mail=a; s2=u1,0,20,mail=b; s3=u1,0,10"_qs, u"s1=u1,0,15,mail=a"_qs }, user,
        QStringList { u"s1 s1"_qs, u"s2 s2"_qs });
    addRow("latest-seen-earlier-stays-latest", QStringList { u"s1=u1,0,30,mail=a; s2=u1,0,20,mail=b"_qs,
                                                   u"s1=u1,0,25,mail=a"_qs },
        user, QStringList { u"s1 s1"_qs, u"s1 s1"_qs });
    addRow("latest-starts-earlier-loses-tie",
        QStringList { u"s1=u1,5,20,mail=a; s2=u1,1,20,mail=a"_qs, u"s1=u1,0,20,mail=a"_qs }, user,
        QStringList { u"s1 s1"_qs, u"s2 s2"_qs });
    addRow("latest-loses-its-email",
        QStringList { u"s1=u1,0,10,mail=a@x.com; s2=u1,0,20,mail=b@x.com"_qs, u"s2=u1,0,30"_qs },
        u"user:u1 mailOf:u1 email:a@x.com email:b@x.com"_qs,
        QStringList { u"s2 s2 s1 s2"_qs, u"s2 s1 s1 -"_qs });
    addRow("expiry-of-the-latest", QStringList { u"s1=u1,0,10,mail=a; s2=u1,0,20; s3=u1,0,30,mail=c"_qs, u"-s3"_qs },
        user, QStringList { u"s3 s3"_qs, u"s2 s1"_qs });
    addRow("expiries-in-one-write",
        QStringList { u"s1=u1,0,10; s2=u1,0,20; s3=u1,0,30; s4=u1,0,40"_qs, u"-s4; -s2; -s9"_qs, u"-s1; -s3"_qs },
        user, QStringList { u"s4 -"_qs, u"s3 -"_qs, u"- -"_qs });
    // Every removal moves another session into its place: the list must
    // still know where each one stands.
    addRow("removals-in-any-order",
        QStringList { u"s1=u1,0,10; s2=u1,0,20; s3=u1,0,30; s4=u1,0,40; s5=u1,0,50; s6=u1,0,60"_qs, u"-s1"_qs,
            u"-s6"_qs, u"-s3"_qs, u"s5=u1,0,5"_qs, u"-s4"_qs, u"-s2"_qs, u"s7=u1,0,1"_qs, u"-s5"_qs },
        u"user:u1"_qs,
        QStringList { u"s6"_qs, u"s6"_qs, u"s5"_qs, u"s5"_qs, u"s4"_qs, u"s2"_qs, u"s5"_qs, u"s5"_qs, u"s7"_qs });
    addRow("expired-and-started-again-in-one-write",
        QStringList { u"s1=u1,0,10; s2=u1,0,20"_qs, u"-s2; s2=u1,5,5"_qs }, u"user:u1"_qs,
        QStringList { u"s2"_qs, u"s1"_qs });
    addRow("relinked", QStringList { u"s1=u1,0,30,link=anon,mail=x@e.com; s2=anon,0,20"_qs, u"s1=u1,0,30,link=anon-2,mail=x@e.com"_qs },
        u"user:anon mailOf:anon user:anon-2 mailOf:anon-2 user:u1"_qs,
        QStringList { u"s1 s1 - - s1"_qs, u"s2 - s1 s1 s1"_qs });
    // `$identify` after the fact: the anonymous id becomes the linked one.
    addRow("distinct-and-linked-ids-swap",
        QStringList { u"s3=anon,0,20; s4=anon,0,1; s2=u1,0,5; s1=anon,0,10,link=u1; s5=u1,0,2"_qs,
            u"s1=u1,0,10,link=anon"_qs, u"s1=other,0,10,link=anon"_qs, u"-s3"_qs, u"-s1"_qs },
        u"user:u1 user:anon user:other"_qs,
        QStringList { u"s1 s3 -"_qs, u"s1 s3 -"_qs, u"s2 s3 s1"_qs, u"s2 s1 s1"_qs, u"s2 s4 -"_qs });
    addRow("email-changes", QStringList { u"s1=u1,0,10,mail=a@x.com; s2=u1,0,20,mail=a@x.com"_qs, u"s2=u1,0,30,mail=c@x.com"_qs },
        u"email:a@x.com email:c@x.com mailOf:u1"_qs, QStringList { u"s2 - s2"_qs, u"s1 s2 s2"_qs });
    addRow("email-ignores-ascii-case",
        QStringList { u"s1=u1,0,10,mail=Ana@X.com; s2=u2,0,20,mail=ana@x.COM"_qs, u"s2=u2,0,30,mail=ANA@X.COM"_qs,
            u"-s2"_qs },
        u"email:ana@x.com email:ANA@x.com email:anä@x.com"_qs,
        QStringList { u"s2 s2 -"_qs, u"s2 s2 -"_qs, u"s1 s1 -"_qs });
    addRow("email-only-ascii-case", QStringList { u"s1=u1,0,10,mail=ÄNA@x.com"_qs },
        u"email:äna@x.com email:ÄNA@X.COM"_qs, QStringList { u"- s1"_qs });
    addRow("email-ties", QStringList { u"s1=u1,0,10,mail=a; s2=u2,5,10,mail=A; s0=u3,5,10,mail=a"_qs },
        u"email:a"_qs, QStringList { u"s2"_qs });
    addRow("expiry-leaves-the-email-index",
        QStringList { u"s1=u1,0,10,mail=a@x.com; s2=u2,0,20,mail=a@x.com"_qs, u"-s2"_qs, u"-s1"_qs },
        u"email:a@x.com mailOf:u2"_qs, QStringList { u"s2 s2"_qs, u"s1 -"_qs, u"- -"_qs });
    addRow("sessions-without-a-user-have-emails",
        QStringList { u"s1=,0,10,mail=a@x.com"_qs }, u"email:a@x.com user:"_qs, QStringList { u"s1 -"_qs });
}

// The latest session of a user and of an email, as sessions come, change
// and expire; for SQLite every answer also after reopening the file.
void TestStore::latestSessions()
{
    QFETCH(Backend, backend);
    QFETCH(QStringList, writes);
    QFETCH(QString, queries);
    QFETCH(QStringList, expected);
    QCOMPARE(writes.size(), expected.size());

    Harness harness(backend);
    for (qsizetype i = 0; i < writes.size(); ++i) {
        QVERIFY(harness.commit(sessionWrite(writes[i])));
        harness.check([&](const Store& store) { QCOMPARE(latestAnswers(store, queries), expected[i]); });
        if (QTest::currentTestFailed())
            qWarning("after write %lld: %s", static_cast<long long>(i), qPrintable(writes[i]));
    }
}

void TestStore::latestSessionsMatchAScan_data()
{
    QTest::addColumn<Backend>("backend");
    addBackendRows();
}

// Random writes over a few sessions, users and emails, with many ties: every
// answer is that of a scan over the sessions the writes left.
void TestStore::latestSessionsMatchAScan()
{
    QFETCH(Backend, backend);
    Harness harness(backend);
    std::mt19937 rng(20);
    const auto pick = [&](const auto& options) { return options[rng() % options.size()]; };
    const std::array<std::string, 4> users { "u1", "u2", "u3", "" };
    const std::array<std::string, 4> emails { "", "a@x.com", "A@X.com", "b@x.com" };
    std::map<std::string, SessionRecord> held; // of p1, by session id

    const auto scan = [&](const std::function<bool(const SessionRecord&)>& accept) {
        const std::pair<const std::string, SessionRecord>* latest = nullptr;
        for (const auto& entry : held) {
            const SessionRecord& r = entry.second;
            if (accept(r)
                && (!latest
                    || std::tie(r.lastSeen, r.firstSeen, entry.first)
                        > std::tie(latest->second.lastSeen, latest->second.firstSeen, latest->first)))
                latest = &entry;
        }
        return latest ? latest->first : std::string("-");
    };
    const auto expected = [&] {
        QStringList answers;
        for (const std::string& user : users) {
            const auto ofUser = [&](const SessionRecord& r) {
                return !user.empty() && (r.distinctId == user || r.linkedDistinctId == user);
            };
            answers << QString::fromStdString(scan(ofUser))
                    << QString::fromStdString(scan([&](const SessionRecord& r) { return ofUser(r) && !r.email.empty(); }));
        }
        for (const char* email : { "a@x.com", "B@x.com", "c@x.com" })
            answers << QString::fromStdString(scan([&](const SessionRecord& r) {
                return QString::fromStdString(r.email).compare(QLatin1String(email), Qt::CaseInsensitive) == 0;
            }));
        return answers.join(u' ');
    };
    const QString queries = u"user:u1 mailOf:u1 user:u2 mailOf:u2 user:u3 mailOf:u3 user: mailOf: "
                            "email:a@x.com email:B@x.com email:c@x.com"_qs;

    for (int step = 0; step < 300; ++step) {
        StoreWrite write;
        std::vector<std::pair<std::string, SessionRecord>> upserts;
        for (int op = 1 + static_cast<int>(rng() % 4); op > 0; --op) {
            const std::string id = "s" + std::to_string(rng() % 12);
            if (rng() % 5 == 0) {
                write.expiredSessions.push_back({ "p1", id });
                continue;
            }
            const Timestamp firstSeen = kT0 + std::chrono::seconds(rng() % 4);
            SessionRecord record = sessionRecord(pick(users), firstSeen, firstSeen + std::chrono::seconds(rng() % 4));
            record.linkedDistinctId = pick(users);
            record.email = pick(emails);
            upserts.emplace_back(id, record);
            write.sessions.push_back({ { "p1", id }, std::move(record) });
        }
        QVERIFY(harness.commit(write));
        // Expiries first, then upserts in order (StoreWrite).
        for (const SessionKey& key : write.expiredSessions)
            held.erase(key.sessionId);
        for (const auto& [id, record] : upserts)
            held.insert_or_assign(id, record);
        const QString live = latestAnswers(harness.store(), queries);
        if (live != expected())
            qWarning("step %d", step);
        QCOMPARE(live, expected());
    }
    harness.check([&](const Store& store) { QCOMPARE(latestAnswers(store, queries), expected()); });
}

void TestStore::actions_data()
{
    QTest::addColumn<Backend>("backend");
    QTest::addColumn<int>("retained");
    QTest::addColumn<QString>("arrivals");
    QTest::addColumn<QString>("expected");

    addRow("in-order", 200, QStringLiteral("a@10 b@20 c@30"), QStringLiteral("a@10>20 b@20>30 c@30>30"));
    addRow(
        "out-of-order-in-one-commit", 200, QStringLiteral("a@10 c@30 b@20"), QStringLiteral("a@10>20 b@20>30 c@30>30"));
    addRow("oldest-arrives-last", 200, QStringLiteral("b@20 c@30 | a@10"), QStringLiteral("a@10>20 b@20>30 c@30>30"));
    addRow(
        "late-one-in-the-middle", 200, QStringLiteral("a@10 c@30 | b@20"), QStringLiteral("a@10>20 b@20>30 c@30>30"));
    addRow(
        "ties-keep-arrival-order", 200, QStringLiteral("a@10 b@10 | c@10"), QStringLiteral("a@10>10 b@10>10 c@10>10"));
    addRow("tie-arriving-late", 200, QStringLiteral("a@10 b@20 | c@10"), QStringLiteral("a@10>10 c@10>20 b@20>20"));
    addRow("duplicate-uuid-across-commits", 200, QStringLiteral("a/u1@10 | b/u1@20"), QStringLiteral("a@10>10"));
    addRow("duplicate-uuid-in-one-commit", 200, QStringLiteral("a/u1@10 b/u1@20 c/u2@30"),
        QStringLiteral("a@10>30 c@30>30"));
    addRow("empty-uuid-never-duplicate", 200, QStringLiteral("a@10 | b@10"), QStringLiteral("a@10>10 b@10>10"));
    addRow("retention-exact", 3, QStringLiteral("a@10 b@20 c@30"), QStringLiteral("a@10>20 b@20>30 c@30>30"));
    addRow("retention-drops-oldest", 3, QStringLiteral("a@10 b@20 c@30 | d@40"),
        QStringLiteral("b@20>30 c@30>40 d@40>40"));
    addRow("retention-in-one-commit", 2, QStringLiteral("a@10 b@20 c@30 d@40"), QStringLiteral("c@30>40 d@40>40"));
    addRow("retention-drops-late-oldest", 3, QStringLiteral("a@10 b@20 c@30 | z@5"),
        QStringLiteral("a@10>20 b@20>30 c@30>30"));
    addRow("retention-keeps-late-newer", 3, QStringLiteral("a@10 b@20 c@40 | z@30"),
        QStringLiteral("b@20>30 z@30>40 c@40>40"));
    // Duplicates are looked for among the retained actions only.
    addRow("uuid-of-dropped-action", 2, QStringLiteral("a/u1@10 b@20 | c@30 | d/u1@40"),
        QStringLiteral("c@30>40 d@40>40"));
    addRow("duplicate-of-retained-when-full", 2, QStringLiteral("a@10 b/u1@20 | c/u1@30"),
        QStringLiteral("a@10>20 b@20>20"));
    addRow("uuid-dropped-in-its-own-commit", 2, QStringLiteral("a/u1@10 b/u2@20 c/u3@30 | d/u1@40"),
        QStringLiteral("c@30>40 d@40>40"));
    addRow("late-oldest-with-uuid", 2, QStringLiteral("a/u1@10 b/u2@20 | z/u0@5 | y/u0@6"),
        QStringLiteral("a@10>20 b@20>20"));
    // The refused copy must not keep u1 known once the original is dropped.
    addRow("refused-duplicate-then-dropped", 2, QStringLiteral("a/u1@10 | b/u1@20 | c/u2@30 d/u3@40 | e/u1@50"),
        QStringLiteral("d@40>50 e@50>50"));
}

void TestStore::actions()
{
    QFETCH(Backend, backend);
    QFETCH(int, retained);
    QFETCH(QString, arrivals);
    QFETCH(QString, expected);

    StoreRetention retention;
    retention.maxActionsPerSession = std::size_t(retained);
    Harness harness(backend, retention);
    const SessionKey key { "p1", "s1" };
    const auto commits = parseArrivals(arrivals);
    for (const auto& batch : commits) {
        StoreWrite write;
        for (const Action& action : batch)
            write.actions.emplace_back(key, action);
        QVERIFY(harness.commit(write));
    }
    harness.check([&](const Store& store) {
        QCOMPARE(actionsOf(store, key), expected);
        QCOMPARE(actionsOf(store, { "p1", "unknown" }), QString());
        // The duplicate check's index knows exactly the retained uuids (the
        // records keep none: the arrival of the same name says which).
        QStringList retained;
        store.visitActions(key, [&](std::span<const ActionRecord> actions) {
            for (const ActionRecord& action : actions)
                retained << QString::fromStdString(action.event);
        });
        QStringList retainedUuids;
        for (const auto& batch : commits)
            for (const Action& action : batch)
                if (retained.contains(QString::fromStdString(action.event)))
                    retainedUuids << QString::fromStdString(action.uuid);
        for (const auto& batch : commits)
            for (const Action& action : batch)
                QVERIFY2(store.hasActionUuid(key, action.uuid)
                        == (!action.uuid.empty() && retainedUuids.contains(QString::fromStdString(action.uuid))),
                    action.event.c_str());
    });
}

void TestStore::actionsPerSession_data()
{
    QTest::addColumn<Backend>("backend");
    addBackendRows();
}

void TestStore::actionsPerSession()
{
    QFETCH(Backend, backend);
    StoreRetention retention;
    retention.maxActionsPerSession = 2;
    Harness harness(backend, retention);
    // The same uuid in another session or product is another action.
    StoreWrite write;
    for (const SessionKey& key : { SessionKey { "p1", "s1" }, SessionKey { "p1", "s2" }, SessionKey { "p2", "s1" } })
        for (const auto& batch : parseArrivals(QStringLiteral("a/u1@10 b/u2@20 c/u3@30")))
            for (const Action& action : batch)
                write.actions.emplace_back(key, action);
    write.actions.emplace_back(SessionKey { "p1", "s2" }, parseArrivals(QStringLiteral("d/u4@5"))[0][0]);
    write.actions.emplace_back(SessionKey { "p1", "s1" }, parseArrivals(QStringLiteral("e/u5@40"))[0][0]);
    QVERIFY(harness.commit(write));
    harness.check([&](const Store& store) {
        QCOMPARE(actionsOf(store, { "p1", "s1" }), QStringLiteral("c@30>40 e@40>40"));
        QCOMPARE(actionsOf(store, { "p1", "s2" }), QStringLiteral("b@20>30 c@30>30"));
        QCOMPARE(actionsOf(store, { "p2", "s1" }), QStringLiteral("b@20>30 c@30>30"));
        QVERIFY(store.hasActionUuid({ "p1", "s1" }, "u5"));
        QVERIFY(!store.hasActionUuid({ "p1", "s2" }, "u5"));
        QVERIFY(!store.hasActionUuid({ "p2", "s1" }, "u5"));
        QVERIFY(store.hasActionUuid({ "p2", "s1" }, "u2"));
        QVERIFY(!store.hasActionUuid({ "p2", "s2" }, "u2"));
    });
}

void TestStore::actionFieldsRoundTrip_data()
{
    QTest::addColumn<Backend>("backend");
    addBackendRows();
}

void TestStore::actionFieldsRoundTrip()
{
    QFETCH(Backend, backend);
    Harness harness(backend);

    const Action full = fullAction();

    Action bare; // a pageview: no element, no properties, nothing optional
    bare.type = ActionType::Pageview;
    bare.event = "$pageview";
    bare.timestampStart = kT0 + 2000ms;

    StoreWrite write;
    write.actions = { { { "p1", "s1" }, full }, { { "p1", "s1" }, bare } };
    QVERIFY(harness.commit(write));

    harness.check([&](const Store& store) {
        store.visitActions({ "p1", "s1" }, [&](std::span<const ActionRecord> actions) {
            QCOMPARE(actions.size(), std::size_t(2));
            const ActionRecord& a = actions[0];
            compareFields(a, full, bare.timestampStart);
            // What belongs to the session or can be derived is not kept per
            // action: the uuid only as the duplicate check's hash, title and
            // description derived again from the rest.
            QVERIFY(store.hasActionUuid({ "p1", "s1" }, full.uuid));
            const Action shown = actionOf(a);
            QCOMPARE(shown.title, std::string("Rage-clicked button"));
            QCOMPARE(shown.description, std::string("Rage-clicked button 'Añadir \"proyecto\"' on /projects/:id"));
            QVERIFY(shown.uuid.empty() && shown.sessionId.empty() && shown.distinctId.empty() && shown.email.empty());

            const ActionRecord& b = actions[1];
            QCOMPARE(b.index, std::int64_t(-1));
            QVERIFY(b.type == ActionType::Pageview);
            QVERIFY(b.element() == Element {});
            QVERIFY(b.details->properties.empty());
            QCOMPARE(b.timestampEnd, b.timestampStart);
        });
    });
}

void TestStore::recordsRoundTrip_data()
{
    QTest::addColumn<Backend>("backend");
    addBackendRows();
}

void TestStore::recordsRoundTrip()
{
    QFETCH(Backend, backend);
    Harness harness(backend);

    // Records of another interner (a replay's import), after an action.
    ActionInterner interner;
    Action earlier;
    earlier.type = ActionType::Pageview;
    earlier.event = "$pageview";
    earlier.uuid = "u0";
    earlier.timestampStart = kT0;
    Action full = fullAction();
    full.uuid.clear();
    const ActionRecord record = interner.record(full);
    Action bare;
    bare.index = 42;
    bare.type = ActionType::Pageview;
    bare.event = "$pageview";
    bare.timestampStart = kT0 + 2000ms;
    StoreWrite write;
    write.actions = { { { "p1", "s1" }, earlier } };
    write.records = { { { "p1", "s1" }, interner.record(bare) }, { { "p1", "s1" }, record } };
    QVERIFY(harness.commit(write));

    harness.check([&](const Store& store) {
        store.visitActions({ "p1", "s1" }, [&](std::span<const ActionRecord> actions) {
            QCOMPARE(actions.size(), std::size_t(3));
            QCOMPARE(actions[0].event.get(), earlier.event);
            QCOMPARE(actions[0].timestampEnd, full.timestampStart);
            // Kept in time order, each ending where the next starts.
            const ActionRecord& a = actions[1];
            compareFields(a, full, bare.timestampStart);
            // In memory the values are the records' own, not copies.
            if (backend == Backend::Memory)
                QCOMPARE(&a.rawUrl.get(), &record.rawUrl.get());
            const ActionRecord& b = actions[2];
            QCOMPARE(b.index, bare.index);
            QCOMPARE(b.timestampEnd, b.timestampStart);
            // Records carry no uuid; the action's still counts.
            QVERIFY(store.hasActionUuid({ "p1", "s1" }, "u0"));
            QVERIFY(!store.hasActionUuid({ "p1", "s1" }, ""));
        });
    });
}

void TestStore::invalidWriteChangesNothing_data()
{
    QTest::addColumn<Backend>("backend");
    QTest::addColumn<StoreWrite>("write");
    QTest::addColumn<QString>("where");

    // Each write is valid but for one entry, which comes last.
    const auto valid = [] {
        StoreWrite write;
        write.conversations = { { { "p1", "c1" }, conversationRecord(FsmState::Thinking, 0) } };
        write.transitions = { { { "p1", "c1" }, {} } };
        write.firings = { firing("s1", "u1", kT0) };
        write.circuits = { { "p1", { 1, kT0 } } };
        write.sessions = { { { "p1", "s1" }, sessionRecord("u1", kT0, kT0) } };
        write.actions = { { { "p1", "s1" }, parseArrivals(QStringLiteral("a@1"))[0][0] } };
        return write;
    };
    auto w = valid();
    w.erasedConversations = { { "p1", "" } };
    addRow("erased-without-conversation", w, QStringLiteral("erasedConversations[0]: empty conversation id"));
    w = valid();
    w.conversations.push_back({ { "", "c2" }, {} });
    addRow("conversation-without-product", w, QStringLiteral("conversations[1]: empty product id"));
    w = valid();
    w.transitions.push_back({ { "p1", "" }, {} });
    addRow("transition-without-conversation", w, QStringLiteral("transitions[1]: empty conversation id"));
    w = valid();
    w.firings.push_back(firing("s1", "u1", kT0, ""));
    addRow("firing-without-trigger", w, QStringLiteral("firings[1]: empty trigger id"));
    w = valid();
    w.firings.push_back(firing("", "u1", kT0));
    addRow("firing-without-session", w, QStringLiteral("firings[1]: empty session id"));
    w = valid();
    w.firings.push_back(firing("s1", "u1", kT0, "t1", ""));
    addRow("firing-without-conversation", w, QStringLiteral("firings[1]: empty conversation id"));
    w = valid();
    w.circuits.push_back({ "", {} });
    addRow("circuit-without-product", w, QStringLiteral("circuits[1]: empty product id"));
    w = valid();
    w.sessions.push_back({ { "p1", "" }, {} });
    addRow("session-without-id", w, QStringLiteral("sessions[1]: empty session id"));
    w = valid();
    w.actions.push_back({ { "", "s1" }, {} });
    addRow("action-without-product", w, QStringLiteral("actions[1]: empty product id"));
    w = valid();
    w.records.push_back({ { "p1", "" }, {} });
    addRow("record-without-session", w, QStringLiteral("records[0]: empty session id"));
    w = valid();
    w.expiredSessions.push_back({ "p1", "" });
    addRow("expired-session-without-id", w, QStringLiteral("expiredSessions[0]: empty session id"));
}

void TestStore::invalidWriteChangesNothing()
{
    QFETCH(Backend, backend);
    QFETCH(StoreWrite, write);
    QFETCH(QString, where);

    Harness harness(backend);
    const Status status = harness.store().commit(write);
    QVERIFY(!status);
    QCOMPARE(status.error().code, std::string("store.invalid_write"));
    QCOMPARE(QString::fromStdString(status.error().message), where);
    harness.check([&](const Store& store) {
        QVERIFY(!store.conversation({ "p1", "c1" }));
        QVERIFY(store.transitions({ "p1", "c1" }, 10).empty());
        QCOMPARE(store.countFirings({ "p1", std::nullopt, std::nullopt, kT0 }), 0);
        QVERIFY(!store.lastOffer({ "p1", "s1" }));
        QVERIFY(store.circuit("p1") == CircuitRecord {});
        QCOMPARE(store.sessionCount(), std::size_t(0));
        QCOMPARE(actionsOf(store, { "p1", "s1" }), QString());
    });
}

void TestStore::emptyWrite_data()
{
    QTest::addColumn<Backend>("backend");
    addBackendRows();
}

void TestStore::emptyWrite()
{
    QFETCH(Backend, backend);
    Harness harness(backend);
    QVERIFY(StoreWrite {}.empty());
    QVERIFY(harness.commit({}));
    harness.check([&](const Store& store) { QCOMPARE(store.sessionCount(), std::size_t(0)); });
}

namespace {

// The sessions of the retention tests: p1/s1 (user u1, last seen at 10 s,
// offered once in conversation c1), p1/s2 (u1, 20 s), p1/s3 (u2, 30 s) and
// p2/s1 (u3, 5 s). Each action's event name is also its uuid.
StoreWrite retentionSessions()
{
    StoreWrite write;
    const auto add = [&](const char* product, const char* session, const char* user, int lastSeenS,
                         std::initializer_list<const char*> labels) {
        const SessionKey key { product, session };
        write.sessions.push_back({ key, sessionRecord(user, kT0, kT0 + std::chrono::seconds(lastSeenS)) });
        int at = 0;
        for (const char* label : labels) {
            Action action;
            action.event = label;
            action.uuid = label;
            action.timestampStart = kT0 + std::chrono::seconds(at++);
            write.actions.push_back({ key, action });
        }
    };
    add("p1", "s1", "u1", 10, { "a1", "a2" });
    add("p1", "s2", "u1", 20, { "b1" });
    add("p1", "s3", "u2", 30, { "c1" });
    add("p2", "s1", "u3", 5, { "d1" });
    write.firings.push_back(firing("s1", "u1", kT0 + 5s));
    write.conversations.push_back({ { "p1", "c1" }, conversationRecord(FsmState::ProactiveAssistance, 0) });
    return write;
}

// "p1/s1=a1,a2 | … | sessions 4 | latest u1=s2 | offer kept, 1 firing | conversation kept": each
// session's retained actions (a "?" after one whose uuid the duplicate check
// does not know), then what must outlive a session's expiry.
QString describeRetention(const Store& store)
{
    QStringList out;
    for (const SessionKey& key : { SessionKey { "p1", "s1" }, SessionKey { "p1", "s2" }, SessionKey { "p1", "s3" },
             SessionKey { "p2", "s1" } }) {
        QStringList held;
        store.visitActions(key, [&](std::span<const ActionRecord> actions) {
            for (const ActionRecord& action : actions)
                held << QString::fromStdString(action.event)
                        + (store.hasActionUuid(key, action.event) ? u""_qs : u"?"_qs);
        });
        const QString state = store.session(key) ? held.join(u',')
            : held.isEmpty()                     ? u"gone"_qs
                                                 : u"orphans "_qs + held.join(u',');
        out << QString::fromStdString(key.productId + "/" + key.sessionId + "=") + state;
    }
    out << u"sessions %1"_qs.arg(store.sessionCount());
    out << u"latest u1=%1"_qs.arg(QString::fromStdString(store.latestSessionOf("p1", "u1").value_or("-")));
    out << u"offer %1, %2 firing"_qs.arg(store.lastOffer({ "p1", "s1" }) ? u"kept"_qs : u"gone"_qs)
               .arg(store.countFirings({ "p1", std::string("s1"), std::nullopt, kT0 }));
    out << u"conversation %1"_qs.arg(store.conversation({ "p1", "c1" }) ? u"kept"_qs : u"gone"_qs);
    return out.join(u" | "_qs);
}

} // namespace

void TestStore::idleSessions_data()
{
    QTest::addColumn<Backend>("backend");
    QTest::addColumn<QString>("product");
    QTest::addColumn<int>("idleBeforeMs"); // after kT0
    QTest::addColumn<int>("limit");
    QTest::addColumn<bool>("seenAgain"); // p1/s1 seen again at 40 s first
    QTest::addColumn<QString>("expected");

    addRow("none-yet", u"p1"_qs, 10'000, 10, false, QString()); // last seen exactly then: not idle before
    addRow("one-ms-later", u"p1"_qs, 10'001, 10, false, u"s1"_qs);
    addRow("longest-idle-first", u"p1"_qs, 31'000, 10, false, u"s1 s2 s3"_qs);
    addRow("within-one-second", u"p1"_qs, 20'500, 10, false, u"s1 s2"_qs);
    addRow("limit", u"p1"_qs, 31'000, 2, false, u"s1 s2"_qs);
    addRow("limit-zero", u"p1"_qs, 31'000, 0, false, QString());
    addRow("per-product", u"p2"_qs, 31'000, 10, false, u"s1"_qs);
    addRow("unknown-product", u"p9"_qs, 31'000, 10, false, QString());
    addRow("activity-moves-a-session", u"p1"_qs, 31'000, 10, true, u"s2 s3"_qs);
    addRow("moved-to-its-new-place", u"p1"_qs, 41'000, 10, true, u"s2 s3 s1"_qs);
}

void TestStore::idleSessions()
{
    QFETCH(Backend, backend);
    QFETCH(QString, product);
    QFETCH(int, idleBeforeMs);
    QFETCH(int, limit);
    QFETCH(bool, seenAgain);
    QFETCH(QString, expected);

    Harness harness(backend);
    QVERIFY(harness.commit(retentionSessions()));
    if (seenAgain) {
        StoreWrite write;
        write.sessions.push_back({ { "p1", "s1" }, sessionRecord("u1", kT0, kT0 + 40s) });
        QVERIFY(harness.commit(write));
    }
    harness.check([&](const Store& store) {
        QStringList idle;
        for (const std::string& id :
            store.idleSessions(product.toStdString(), kT0 + Duration(idleBeforeMs), std::size_t(limit)))
            idle << QString::fromStdString(id);
        QCOMPARE(idle.join(u' '), expected);
    });
}

void TestStore::expiry_data()
{
    QTest::addColumn<Backend>("backend");
    QTest::addColumn<QStringList>("expire"); // "product/session"
    QTest::addColumn<bool>("restart"); // the same write starts p1/s1 again: user u1, event a1 at 50 s
    QTest::addColumn<QString>("expected"); // see describeRetention()

    const QString rest = u"p1/s2=b1 | p1/s3=c1 | p2/s1=d1"_qs;
    addRow("nothing", QStringList(), false,
        u"p1/s1=a1,a2 | "_qs + rest + u" | sessions 4 | latest u1=s2 | offer kept, 1 firing | conversation kept"_qs);
    // SPEC §8: the session and its actions go; its offer, the quota
    // counts and the conversation's FSM record stay.
    addRow("one-session", QStringList { u"p1/s1"_qs }, false,
        u"p1/s1=gone | "_qs + rest + u" | sessions 3 | latest u1=s2 | offer kept, 1 firing | conversation kept"_qs);
    addRow("twice-in-one-write", QStringList { u"p1/s1"_qs, u"p1/s1"_qs }, false,
        u"p1/s1=gone | "_qs + rest + u" | sessions 3 | latest u1=s2 | offer kept, 1 firing | conversation kept"_qs);
    addRow("the-latest-of-a-user", QStringList { u"p1/s2"_qs }, false,
        u"p1/s1=a1,a2 | p1/s2=gone | p1/s3=c1 | p2/s1=d1 | sessions 3 | latest u1=s1 | offer kept, 1 firing | "
        "conversation kept"_qs);
    addRow("every-session-of-a-user", QStringList { u"p1/s1"_qs, u"p1/s2"_qs }, false,
        u"p1/s1=gone | p1/s2=gone | p1/s3=c1 | p2/s1=d1 | sessions 2 | latest u1=- | offer kept, 1 firing | "
        "conversation kept"_qs);
    addRow("same-id-in-another-product", QStringList { u"p2/s1"_qs }, false,
        u"p1/s1=a1,a2 | p1/s2=b1 | p1/s3=c1 | p2/s1=gone | sessions 3 | latest u1=s2 | offer kept, 1 firing | "
        "conversation kept"_qs);
    addRow("unknown-session", QStringList { u"p1/s9"_qs }, false,
        u"p1/s1=a1,a2 | "_qs + rest + u" | sessions 4 | latest u1=s2 | offer kept, 1 firing | conversation kept"_qs);
    // The old a1 is gone with its session, so the new a1 is no duplicate.
    addRow("restarted-in-the-same-write", QStringList { u"p1/s1"_qs }, true,
        u"p1/s1=a1 | "_qs + rest + u" | sessions 4 | latest u1=s1 | offer kept, 1 firing | conversation kept"_qs);
}

void TestStore::expiry()
{
    QFETCH(Backend, backend);
    QFETCH(QStringList, expire);
    QFETCH(bool, restart);
    QFETCH(QString, expected);

    Harness harness(backend);
    QVERIFY(harness.commit(retentionSessions()));
    StoreWrite write;
    for (const QString& key : expire) {
        const QStringList parts = key.split(u'/');
        write.expiredSessions.push_back({ parts[0].toStdString(), parts[1].toStdString() });
    }
    if (restart) {
        write.sessions.push_back({ { "p1", "s1" }, sessionRecord("u1", kT0 + 50s, kT0 + 50s) });
        Action action;
        action.event = "a1";
        action.uuid = "a1";
        action.timestampStart = kT0 + 50s;
        write.actions.push_back({ { "p1", "s1" }, action });
    }
    QVERIFY(harness.commit(write));
    harness.check([&](const Store& store) { QCOMPARE(describeRetention(store), expected); });
}

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
