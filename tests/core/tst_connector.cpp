// Connector::ingest's duplicate check by uuid, on MemoryStore and on a real
// SQLite file: across calls, across a restart (a new connector over the
// reopened file), per session and product, never for events without uuid,
// and only against the retained actions. Then the bounds on new sessions
// and session retention (SPEC §8): what expires, what stays, and when; and
// what sessions learn of their user from person properties (SPEC §8 §1
// Identity), across calls, sessions and restarts. Records ingested as they
// are (a replay's) leave what the same actions leave.

#include "connector/connector.h"
#include "intake/canonicalurl.h"
#include "printers.h"
#include "store/memorystore.h"
#include "store/sqlitestore.h"

#include <QStringList>
#include <QTemporaryDir>
#include <QTest>
#include <memory>
#include <nlohmann/json.hpp>

using namespace proactive;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(proactive::FsmState)

namespace {

const Timestamp kStart = *parseIsoTimestamp("2024-05-01T12:00:00Z");
constexpr std::string_view kUuidQuery = "?uuid=";

std::shared_ptr<const Workspace> twoProducts()
{
    const auto products = nlohmann::json::parse(R"([
        { "product_id": "p", "routes": ["/projects/:slug"], "proactive": { "enabled": true }, "triggers": [] },
        { "product_id": "q", "routes": [], "proactive": { "enabled": true }, "triggers": [] }
    ])");
    Diagnostics diagnostics;
    auto workspace = std::make_shared<const Workspace>(
        Workspace::fromJson(products, PROACTIVE_TEST_DATA, "products.json", diagnostics));
    for (const auto& d : diagnostics)
        qWarning("workspace problem: %s", d.toString().c_str());
    return workspace;
}

// A connector over a store that can be closed and opened again, as `serve`
// is restarted: for SQLite the same file, for memory the same store (only the
// connector is new).
class Harness {
public:
    Harness(bool sqlite, std::size_t retained, std::shared_ptr<const Workspace> workspace = twoProducts())
        : m_sqlite(sqlite)
        , m_workspace(std::move(workspace))
    {
        m_retention.maxActionsPerSession = retained;
        if (!sqlite) {
            m_store = std::make_unique<MemoryStore>(m_retention);
            m_connector = std::make_unique<Connector>(m_workspace, *m_store, m_clock);
        } else {
            reopen(retained);
        }
    }

    Connector& connector() { return *m_connector; }
    const Store& store() const { return *m_store; }
    VirtualClock& clock() { return m_clock; }

    void reopen(std::size_t retained)
    {
        if (!m_sqlite) {
            QCOMPARE(retained, m_retention.maxActionsPerSession);
            m_connector = std::make_unique<Connector>(m_workspace, *m_store, m_clock);
            return;
        }
        m_connector.reset();
        m_store.reset();
        m_retention.maxActionsPerSession = retained;
        auto opened = SqliteStore::open(m_dir.filePath(QStringLiteral("store.db")).toStdString(), m_retention);
        if (!opened)
            QFAIL(opened.error().toString().c_str());
        m_store = std::move(opened).value();
        m_connector = std::make_unique<Connector>(m_workspace, *m_store, m_clock);
    }

private:
    bool m_sqlite;
    std::shared_ptr<const Workspace> m_workspace;
    StoreRetention m_retention;
    VirtualClock m_clock { kStart };
    QTemporaryDir m_dir;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<Connector> m_connector;
};

// "[product:]session/uuid", an empty uuid after the slash.
struct EventSpec {
    std::string product;
    std::string session;
    std::string uuid;
};

EventSpec parseEvent(const QString& token)
{
    QString rest = token;
    std::string product = "p";
    if (const auto colon = rest.indexOf(QLatin1Char(':')); colon >= 0) {
        product = rest.left(colon).toStdString();
        rest = rest.mid(colon + 1);
    }
    const QStringList parts = rest.split(QLatin1Char('/'));
    return { product, parts[0].toStdString(), parts.value(1).toStdString() };
}

// "s1/u1 | s1/u1 s2/u1": retained uuids per session, oldest first, "-" for
// none, then "#" and the session's action count: "p/s1=u1,-#2 p/s2=u1#1".
// The store keeps no uuids, so each event carries its own in its URL's query
// (kUuidQuery), which it keeps.
QString describe(const Store& store, const QStringList& sessions)
{
    QStringList out;
    for (const QString& name : sessions) {
        const QStringList parts = name.split(QLatin1Char('/'));
        const SessionKey key { parts[0].toStdString(), parts[1].toStdString() };
        QStringList uuids;
        store.visitActions(key, [&](std::span<const ActionRecord> actions) {
            for (const ActionRecord& action : actions) {
                const std::string_view url = action.rawUrl;
                const std::string_view uuid = url.substr(url.find(kUuidQuery) + kUuidQuery.size());
                uuids << (uuid.empty() ? QStringLiteral("-") : QString::fromUtf8(uuid.data(), uuid.size()));
            }
        });
        const auto record = store.session(key);
        out << QStringLiteral("%1=%2#%3")
                   .arg(name, uuids.join(QLatin1Char(',')))
                   .arg(record ? record->actionCount : -1);
    }
    return out.join(QLatin1Char(' '));
}

} // namespace

class TestConnector final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void duplicates_data();
    void duplicates();
    void newSessionBounds_data();
    void newSessionBounds();
    void refusalSaysWhy();
    void retention_data();
    void retention();
    void sweepsInChunks_data();
    void sweepsInChunks();
    void lateAnswers_data();
    void lateAnswers();
    void identity_data();
    void identity();
    void recordsAsActions_data();
    void recordsAsActions();
};

void TestConnector::duplicates_data()
{
    QTest::addColumn<bool>("sqlite");
    QTest::addColumn<int>("retained");
    // Calls separated by "|"; "reopen" (or "reopen=N", retaining N actions
    // per session from then on; SQLite only) restarts between two calls.
    QTest::addColumn<QString>("calls");
    QTest::addColumn<QString>("results"); // accepted+duplicates of each call
    QTest::addColumn<QString>("sessions"); // see describe()

    struct Row {
        const char* name;
        int retained;
        const char* calls;
        const char* results;
        const char* sessions;
        bool memoryToo = true;
    };
    const Row rows[] {
        { "across-two-calls", 200, "s1/u1 s1/u2 | s1/u2 s1/u3", "2+0 1+1", "p/s1=u1,u2,u3#3" },
        { "within-one-call", 200, "s1/u1 s1/u1 s1/u2", "2+1", "p/s1=u1,u2#2" },
        { "whole-batch-retried", 200, "s1/u1 s1/u2 s1/u3 | s1/u1 s1/u2 s1/u3", "3+0 0+3", "p/s1=u1,u2,u3#3" },
        { "across-restarts", 200, "s1/u1 s1/u2 | reopen | s1/u2 s1/u3 | reopen | s1/u1 s1/u3 s1/u4", "2+0 1+1 1+2",
            "p/s1=u1,u2,u3,u4#4" },
        { "same-uuid-two-sessions", 200, "s1/u1 | s2/u1 | s1/u1 s2/u1", "1+0 1+0 0+2", "p/s1=u1#1 p/s2=u1#1" },
        { "same-uuid-two-sessions-one-call", 200, "s1/u1 s2/u1 s1/u1", "2+1", "p/s1=u1#1 p/s2=u1#1" },
        { "same-uuid-two-sessions-after-restart", 200, "s1/u1 | reopen | s2/u1 s1/u1", "1+0 1+1",
            "p/s1=u1#1 p/s2=u1#1" },
        { "same-uuid-two-products", 200, "p:s1/u1 | q:s1/u1 | q:s1/u1", "1+0 1+0 0+1", "p/s1=u1#1 q/s1=u1#1" },
        { "empty-uuid-never-deduplicated", 200, "s1/ s1/ | s1/ | reopen | s1/", "2+0 1+0 1+0", "p/s1=-,-,-,-#4" },
        { "empty-uuid-beside-duplicates", 200, "s1/u1 s1/ | s1/u1 s1/", "2+0 1+1", "p/s1=u1,-,-#3" },
        // Only the retained actions count: an event older than them is new again.
        { "uuid-of-dropped-action", 2, "s1/u1 s1/u2 | s1/u3 | s1/u1 s1/u3", "2+0 1+0 1+1", "p/s1=u3,u1#4" },
        { "uuid-of-dropped-action-after-restart", 2, "s1/u1 s1/u2 s1/u3 | reopen | s1/u1 s1/u3", "3+0 1+1",
            "p/s1=u3,u1#4" },
        { "retention-shrunk-on-restart", 200, "s1/u1 s1/u2 s1/u3 | reopen=1 | s1/u2 s1/u3", "3+0 1+1", "p/s1=u2#4",
            false },
    };
    for (const bool sqlite : { false, true })
        for (const Row& row : rows)
            if (sqlite || row.memoryToo)
                QTest::addRow("%s/%s", sqlite ? "sqlite" : "memory", row.name)
                    << sqlite << row.retained << QString::fromUtf8(row.calls) << QString::fromUtf8(row.results)
                    << QString::fromUtf8(row.sessions);
}

void TestConnector::duplicates()
{
    QFETCH(bool, sqlite);
    QFETCH(int, retained);
    QFETCH(QString, calls);
    QFETCH(QString, results);
    QFETCH(QString, sessions);

    Harness harness(sqlite, std::size_t(retained));
    if (QTest::currentTestFailed())
        return;
    QStringList got;
    QStringList touched;
    Timestamp at = kStart;
    for (const QString& call : calls.split(QLatin1Char('|'))) {
        const QString trimmed = call.trimmed();
        if (trimmed.startsWith(QLatin1String("reopen"))) {
            const auto equals = trimmed.indexOf(QLatin1Char('='));
            harness.reopen(equals < 0 ? std::size_t(retained) : trimmed.mid(equals + 1).toULong());
            if (QTest::currentTestFailed())
                return;
            continue;
        }
        std::string product;
        std::vector<Action> actions;
        for (const QString& token : trimmed.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
            const EventSpec spec = parseEvent(token);
            product = spec.product;
            Action action;
            action.type = ActionType::Pageview;
            action.event = "$pageview";
            action.uuid = spec.uuid;
            action.sessionId = spec.session;
            action.distinctId = "user-1";
            action.rawUrl = "https://app.example.com/projects/acme" + std::string(kUuidQuery) + spec.uuid;
            action.timestampStart = at;
            action.timestampEnd = at;
            at += 1s;
            actions.push_back(std::move(action));
            const QString session = QString::fromStdString(spec.product + "/" + spec.session);
            if (!touched.contains(session))
                touched << session;
        }
        const auto result = harness.connector().ingest(product, std::move(actions));
        QVERIFY2(result, result ? "" : result.error().toString().c_str());
        QVERIFY(result->rejected.empty());
        got << QStringLiteral("%1+%2").arg(result->accepted).arg(result->duplicates);
    }
    QCOMPARE(got.join(QLatin1Char(' ')), results);
    touched.sort();
    QCOMPARE(describe(harness.store(), touched), sessions);
}

namespace {

// Product "p" with `fields` added to its row, and one trigger that offers
// help as soon as the session has an action in the lookback window.
std::shared_ptr<const Workspace> productWith(const nlohmann::json& fields)
{
    auto row = nlohmann::json::parse(R"({ "product_id": "p", "proactive": { "enabled": true },
        "triggers": [ { "id": "any", "body": "Need a hand?", "when": { "count": { "at_least": 1 } } } ] })");
    row.update(fields);
    Diagnostics diagnostics;
    auto workspace = std::make_shared<const Workspace>(
        Workspace::fromJson(nlohmann::json::array({ row }), PROACTIVE_TEST_DATA, "products.json", diagnostics));
    for (const auto& d : diagnostics)
        qWarning("workspace problem: %s", d.toString().c_str());
    return workspace;
}

// One row per store: "memory" and "sqlite" (a real file).
void addStoreRows()
{
    QTest::addColumn<bool>("sqlite");
    QTest::newRow("memory") << false;
    QTest::newRow("sqlite") << true;
}

// Two pageviews of `session` at the clock's time, with uuids when `uuid` is set.
std::vector<Action> visit(const std::string& session, Timestamp at, const std::string& uuid = {})
{
    std::vector<Action> actions;
    for (int i = 0; i < 2; ++i) {
        Action action;
        action.type = ActionType::Pageview;
        action.event = "$pageview";
        action.sessionId = session;
        action.distinctId = "user-" + session;
        action.uuid = uuid.empty() ? std::string() : uuid + "-" + std::to_string(i);
        action.rawUrl = "https://app.example.com/projects/" + std::to_string(i);
        action.timestampStart = at;
        action.timestampEnd = at;
        actions.push_back(std::move(action));
    }
    return actions;
}

} // namespace

void TestConnector::newSessionBounds_data()
{
    QTest::addColumn<int>("perRequest"); // max_new_sessions_per_request
    QTest::addColumn<int>("perSecond"); // max_new_sessions_per_second
    // Calls separated by "|"; each name sends two events of that session,
    // "+MS" moves the clock on first.
    QTest::addColumn<QString>("calls");
    // Per call: accepted+refused, and the refusals' codes.
    QTest::addColumn<QString>("results");

    QTest::newRow("within-both") << 2 << 10 << u"s1 s2 | s1 s2 s3"_qs << u"4+0 6+0"_qs;
    QTest::newRow("one-request-too-many") << 2 << 10 << u"s1 s2 s3"_qs << u"4+2(too_many_sessions)"_qs;
    QTest::newRow("known-sessions-do-not-count") << 2 << 10 << u"s1 s2 | s1 s2 s3 s4"_qs << u"4+0 8+0"_qs;
    QTest::newRow("per-second") << 0 << 3 << u"s1 s2 | s3 s4"_qs << u"4+0 2+2(session_rate_limited)"_qs;
    QTest::newRow("next-second") << 0 << 3 << u"s1 s2 s3 | +1000 s4 s5"_qs << u"6+0 4+0"_qs;
    QTest::newRow("refused-then-let-in") << 0 << 1 << u"s1 s2 | +1000 s2"_qs << u"2+2(session_rate_limited) 2+0"_qs;
    // A session the request bound refused does not use up the second's.
    QTest::newRow("both") << 2 << 3 << u"s1 s2 s3 | s4 s5"_qs << u"4+2(too_many_sessions) 2+2(session_rate_limited)"_qs;
    QTest::newRow("no-bounds") << 0 << 0 << u"s1 s2 s3 s4 s5"_qs << u"10+0"_qs;
}

void TestConnector::newSessionBounds()
{
    QFETCH(int, perRequest);
    QFETCH(int, perSecond);
    QFETCH(QString, calls);
    QFETCH(QString, results);

    Harness harness(false, 200,
        productWith({ { "max_new_sessions_per_request", perRequest }, { "max_new_sessions_per_second", perSecond } }));
    QStringList got;
    for (const QString& call : calls.split(u'|')) {
        std::vector<Action> actions;
        for (const QString& token : call.split(u' ', Qt::SkipEmptyParts)) {
            if (token.startsWith(u'+')) {
                harness.clock().set(harness.clock().now() + Duration(token.mid(1).toLongLong()));
                continue;
            }
            for (Action& action : visit(token.toStdString(), harness.clock().now()))
                actions.push_back(std::move(action));
        }
        const auto result = harness.connector().ingest("p", std::move(actions));
        QVERIFY2(result, result ? "" : result.error().toString().c_str());
        QCOMPARE(result->limited, result->rejected.size());
        QStringList codes;
        for (const Error& error : result->rejected)
            if (!codes.contains(QString::fromStdString(error.code)))
                codes << QString::fromStdString(error.code);
        got << u"%1+%2"_qs.arg(result->accepted).arg(result->limited)
                + (codes.isEmpty() ? QString() : u"("_qs + codes.join(u',') + u")"_qs);
    }
    QCOMPARE(got.join(u' '), results);
}

void TestConnector::refusalSaysWhy()
{
    Harness harness(false, 200, productWith({ { "max_new_sessions_per_request", 1 } }));
    auto actions = visit("s1", harness.clock().now(), "u");
    for (Action& action : visit("s2", harness.clock().now() + 1ms, "v"))
        actions.push_back(std::move(action));
    const auto result = harness.connector().ingest("p", std::move(actions));
    QVERIFY(result);
    QCOMPARE(result->accepted, std::size_t(2));
    QCOMPARE(result->rejected.size(), std::size_t(2)); // each event of the refused session, none dropped silently
    const Error& error = result->rejected[0];
    QCOMPARE(error.code, std::string("too_many_sessions"));
    QCOMPARE(error.where, std::string("v-0"));
    QCOMPARE(error.message,
        std::string("event \"$pageview\" would open session \"s2\", but one request may open at most 1 new sessions "
                    "(max_new_sessions_per_request of product p)"));
    QVERIFY(!harness.store().session({ "p", "s2" }));
}

void TestConnector::retention_data()
{
    addStoreRows();
}

void TestConnector::retention()
{
    QFETCH(bool, sqlite);
    // Retention 300 s; lookback 120 s.
    Harness harness(sqlite, 200, productWith({ { "session_retention_s", 300 } }));
    Connector& connector = harness.connector();
    VirtualClock& clock = harness.clock();
    const Timestamp t0 = clock.now();

    QVERIFY(connector.ingest("p", visit("s1", t0, "a")));
    QVERIFY(connector.ingest("p", visit("s2", t0 + 200s, "b")));
    // s1 is offered help: its conversation gets an FSM record, its user and
    // session a firing that counts for the quotas.
    clock.set(t0 + 10s);
    const auto offered = connector.context("p", "s1");
    QVERIFY(offered && offered->offer);
    const ConversationKey conversation { "p", Connector::proactiveConversationId("s1") };
    QCOMPARE(connector.conversation(conversation)->state, FsmState::ProactiveAssistance);

    // Idle for exactly the retention: still there.
    clock.set(t0 + 300s);
    QVERIFY(connector.recentActivity("s1", 10));
    // One millisecond more: gone for every reader, swept or not.
    clock.set(t0 + 300s + 1ms);
    QVERIFY(!connector.recentActivity("s1", 10));
    QCOMPARE(harness.store().sessionCount(), std::size_t(2));
    QCOMPARE(*connector.expireSessions(), std::size_t(1));
    QCOMPARE(harness.store().sessionCount(), std::size_t(1));
    QVERIFY(!harness.store().session({ "p", "s1" }));
    QVERIFY(connector.recentActivity("s2", 10));

    // What its offer left stays for its own period (SPEC §8).
    QVERIFY(connector.conversation(conversation));
    QVERIFY(!connector.transitions(conversation).empty());
    QCOMPARE(harness.store().countFirings({ "p", std::string("s1"), std::nullopt, t0 }), 1);
    QCOMPARE(harness.store().countFirings({ "p", std::nullopt, std::string("user-s1"), t0 }), 1);
    QVERIFY(harness.store().lastOffer({ "p", "s1" }));

    // The same id again is a new session: its old uuids are no duplicates,
    // its count starts again.
    const auto again = connector.ingest("p", visit("s1", clock.now(), "a"));
    QVERIFY(again);
    QCOMPARE(again->accepted, std::size_t(2));
    QCOMPARE(again->duplicates, std::size_t(0));
    QCOMPARE(harness.store().session({ "p", "s1" })->actionCount, std::int64_t(2));

    // An ingest that finds s2 idle beyond the retention starts it afresh too,
    // dropping what it held, in the same commit.
    clock.set(t0 + 200s + 300s + 1ms);
    const auto s2Again = connector.ingest("p", visit("s2", clock.now(), "b"));
    QVERIFY(s2Again);
    QCOMPARE(s2Again->duplicates, std::size_t(0));
    QCOMPARE(harness.store().session({ "p", "s2" })->firstSeen, clock.now());
    std::size_t held = 0;
    harness.store().visitActions({ "p", "s2" }, [&](std::span<const ActionRecord> actions) { held = actions.size(); });
    QCOMPARE(held, std::size_t(2));

    if (sqlite) {
        harness.reopen(200);
        QCOMPARE(harness.store().sessionCount(), std::size_t(2));
        QVERIFY(harness.store().lastOffer({ "p", "s1" }));
    }
}

void TestConnector::sweepsInChunks_data()
{
    addStoreRows();
}

void TestConnector::sweepsInChunks()
{
    QFETCH(bool, sqlite);
    Harness harness(sqlite, 200, productWith({ { "session_retention_s", 300 } }));
    Connector& connector = harness.connector();
    VirtualClock& clock = harness.clock();
    const Timestamp t0 = clock.now();
    for (int i = 0; i < 5; ++i)
        QVERIFY(connector.ingest("p", visit("s" + std::to_string(i), t0 + 1s * i)));

    clock.set(t0 + 310s);
    QCOMPARE(*connector.expireSessions(2), std::size_t(2)); // the longest idle first
    QVERIFY(!harness.store().session({ "p", "s0" }) && !harness.store().session({ "p", "s1" }));
    QCOMPARE(*connector.expireSessions(2), std::size_t(2));
    QCOMPARE(*connector.expireSessions(2), std::size_t(1));
    QCOMPARE(*connector.expireSessions(2), std::size_t(0));
    QCOMPARE(harness.store().sessionCount(), std::size_t(0));

    // Ingest sweeps by itself, at most once a second, in the same commit.
    for (int i = 0; i < 3; ++i)
        QVERIFY(connector.ingest("p", visit("t" + std::to_string(i), clock.now())));
    clock.set(clock.now() + 301s);
    QVERIFY(connector.ingest("p", visit("u0", clock.now())));
    QCOMPARE(harness.store().sessionCount(), std::size_t(1));
    QVERIFY(harness.store().session({ "p", "u0" }));
}

void TestConnector::lateAnswers_data()
{
    QTest::addColumn<bool>("sqlite");
    QTest::addColumn<int>("pollAt"); // s after the offer; 0: no poll before the answer (lazy expiry on the answer)
    QTest::addColumn<bool>("restart"); // reopen the store between the poll and the answer
    QTest::addColumn<QString>("event");
    QTest::addColumn<int>("answerAt"); // s after the offer (interaction_timeout_s 10, grace 60)
    QTest::addColumn<FsmState>("state"); // after the answer
    QTest::addColumn<int>("dismissals");
    QTest::addColumn<QString>("skip"); // the next poll's skip reason

    using S = FsmState;
    for (const bool sqlite : { false, true }) {
        const auto row = [&](const char* name) {
            return &(QTest::newRow(qPrintable(QString::fromLatin1(name) + (sqlite ? u"/sqlite"_qs : u"/memory"_qs)))
                << sqlite);
        };
        *row("on-time-dismiss") << 0 << false << u"proactive_dismissed"_qs << 9 << S::ConservativeAssistance << 1
                                << u"fsm:conservative_cooldown"_qs;
        *row("late-dismiss") << 0 << false << u"proactive_dismissed"_qs << 12 << S::ConservativeAssistance << 1
                             << u"fsm:conservative_cooldown"_qs;
        *row("late-dismiss-after-a-poll") << 11 << false << u"proactive_dismissed"_qs << 12 << S::ConservativeAssistance
                                          << 1 << u"fsm:conservative_cooldown"_qs;
        *row("late-dismiss-after-restart") << 11 << true << u"proactive_dismissed"_qs << 69 << S::ConservativeAssistance
                                           << 1 << u"fsm:conservative_cooldown"_qs;
        *row("dismiss-after-grace") << 11 << false << u"proactive_dismissed"_qs << 70 << S::Thinking << 0
                                    << u"resilience:min_interval"_qs;
        *row("late-accept-chat") << 0 << false << u"proactive_accepted_chat"_qs << 30 << S::ReactiveAssistance << 0
                                 << u"fsm:wrong_state"_qs;
        *row("late-accept-tour") << 11 << false << u"proactive_accepted_tour"_qs << 30 << S::GuidanceExecution << 0
                                 << u"fsm:wrong_state"_qs;
    }
}

// SPEC §8 "§2 Late answers" through the connector: the expired offer is
// remembered in the stored record (across a poll that expired it and a
// restart), and a late answer does everything an on-time one does.
void TestConnector::lateAnswers()
{
    QFETCH(bool, sqlite);
    QFETCH(int, pollAt);
    QFETCH(bool, restart);
    QFETCH(QString, event);
    QFETCH(int, answerAt);
    QFETCH(FsmState, state);
    QFETCH(int, dismissals);
    QFETCH(QString, skip);

    Harness harness(sqlite, 200, productWith(nlohmann::json::object()));
    VirtualClock& clock = harness.clock();
    const Timestamp offeredAt = clock.now();
    QVERIFY(harness.connector().ingest("p", visit("s1", offeredAt)));
    const auto offered = harness.connector().context("p", "s1");
    QVERIFY(offered && offered->offer);
    QCOMPARE(offered->offer->interactionTimeout, Duration(10s));
    const ConversationKey key { "p", Connector::proactiveConversationId("s1") };
    if (pollAt > 0) {
        clock.set(offeredAt + std::chrono::seconds(pollAt));
        QVERIFY(harness.connector().context("p", "s1"));
        QCOMPARE(harness.connector().conversation(key)->state, FsmState::Thinking);
    }
    if (restart)
        harness.reopen(200);

    clock.set(offeredAt + std::chrono::seconds(answerAt));
    const auto outcome = harness.connector().agentState("p", key.conversationId, event.toStdString());
    QVERIFY2(outcome, outcome ? "" : outcome.error().toString().c_str());
    QCOMPARE(outcome->state, state);
    const auto record = harness.connector().conversation(key);
    QVERIFY(record);
    QCOMPARE(record->dismissals, dismissals);
    const std::vector<TransitionRecord> log = harness.connector().transitions(key);
    if (state == FsmState::Thinking) {
        QCOMPARE(outcome->kind, FsmOutcome::Kind::InvalidTransition);
        QVERIFY2(QString::fromStdString(outcome->message).contains(u"beyond late_answer_grace_s (60 s)"_qs),
            outcome->message.c_str());
        QCOMPARE(log.back().event, std::string("interaction_timeout"));
    } else {
        QCOMPARE(outcome->kind, FsmOutcome::Kind::Applied);
        QCOMPARE(log.back().event, event.toStdString());
        QCOMPARE(log.back().to, state);
        QCOMPARE(log.back().cause, std::string(answerAt < 10 ? "agent_state" : "late_answer"));
        if (state == FsmState::ConservativeAssistance)
            QCOMPARE(record->cooldownUntil, clock.now() + 600s);
    }
    clock.set(clock.now() + 1s);
    const auto next = harness.connector().context("p", "s1");
    QVERIFY(next);
    QCOMPARE(QString::fromStdString(next->skipReason.value_or(std::string())), skip);
}

void TestConnector::identity_data()
{
    QTest::addColumn<bool>("sqlite");
    // Calls separated by "|" (one second apart; "wait=N" moves the clock N
    // seconds on, "reopen" restarts). Events: session/event/distinct id
    // [/set=email][/once=email][/link=id]; "view" is a pageview, other
    // names are sent as they are.
    QTest::addColumn<QString>("calls");
    QTest::addColumn<QString>("ignored"); // per call
    // Per session: distinct id, "~linked id", "<email>", "#actions"; "-" when
    // the session does not exist.
    QTest::addColumn<QString>("sessions");
    QTest::addColumn<QString>("email"); // looked up with recentActivity
    QTest::addColumn<QString>("found"); // its session, "-" for none

    struct Row {
        const char* name;
        const char* calls;
        const char* ignored;
        const char* sessions;
        const char* email;
        const char* found;
    };
    const Row rows[] {
        // posthog-js's identify(id, {email}) after an anonymous pageview.
        { "identify-teaches-the-session", "s1/view/anon s1/$identify/user-x/set=x@e.com/link=anon s1/view/user-x", "1",
            "s1=user-x~anon<x@e.com>#2", "X@E.com", "s1" },
        { "set-replaces", "s1/view/u/set=a@e.com | s1/$set/u/set=b@e.com", "0 1", "s1=u<b@e.com>#1", "a@e.com", "-" },
        { "set-once-keeps-a-known-email", "s1/view/u/set=a@e.com | s1/$set/u/once=b@e.com", "0 1", "s1=u<a@e.com>#1",
            "a@e.com", "s1" },
        { "set-once-fills-an-empty-one", "s1/view/u | s1/$set/u/once=b@e.com", "0 1", "s1=u<b@e.com>#1", "b@e.com",
            "s1" },
        { "set-on-a-user-action", "s1/view/u/once=b@e.com", "0", "s1=u<b@e.com>#1", "b@e.com", "s1" },
        { "identity-opens-a-session", "s1/$identify/u/set=a@e.com/link=anon", "1", "s1=u~anon<a@e.com>#0", "a@e.com",
            "s1" },
        { "new-session-inherits", "s1/view/anon s1/$identify/user-x/set=x@e.com/link=anon | s2/view/user-x", "1 0",
            "s1=user-x~anon<x@e.com>#1 s2=user-x<x@e.com>#1", "x@e.com", "s2" },
        { "anonymous-id-inherits", "s1/view/anon s1/$identify/user-x/set=x@e.com/link=anon | s2/view/anon", "1 0",
            "s1=user-x~anon<x@e.com>#1 s2=anon<x@e.com>#1", "x@e.com", "s2" },
        { "inherits-within-one-call", "s1/$identify/u/set=a@e.com s2/view/u", "1", "s1=u<a@e.com>#0 s2=u<a@e.com>#1",
            "a@e.com", "s2" },
        { "inherited-before-set-once", "s1/view/u/set=a@e.com | s2/view/u/once=b@e.com", "0 0",
            "s1=u<a@e.com>#1 s2=u<a@e.com>#1", "b@e.com", "-" },
        { "late-anonymous-event-keeps-the-identified-id", "s1/$identify/user-x/link=anon | s1/view/anon", "1 0",
            "s1=user-x~anon#1", "x@e.com", "-" },
        { "identify-then-set", "s1/$identify/user-x/link=anon | s1/$set/user-x/set=x@e.com | s2/view/anon", "1 1 0",
            "s1=user-x~anon<x@e.com>#0 s2=anon<x@e.com>#1", "x@e.com", "s2" },
        { "create-alias-links", "s1/view/u/set=u@e.com | s1/$create_alias/u/link=a | s2/view/a", "0 1 0",
            "s1=u~a<u@e.com>#1 s2=a<u@e.com>#1", "u@e.com", "s2" },
        { "merge-dangerously-links", "s1/view/u/set=u@e.com | s1/$merge_dangerously/u/link=a | s2/view/a", "0 1 0",
            "s1=u~a<u@e.com>#1 s2=a<u@e.com>#1", "u@e.com", "s2" },
        { "another-user-inherits-nothing", "s1/view/u/set=a@e.com | s2/view/v", "0 0", "s1=u<a@e.com>#1 s2=v#1",
            "a@e.com", "s1" },
        // Retention 300 s: an expired session neither answers nor is inherited from.
        { "expired-is-not-inherited", "s1/view/u/set=a@e.com | wait=301 | s2/view/u", "0 0", "s1=- s2=u#1", "a@e.com",
            "-" },
        { "bookkeeping-without-identity", "s1/$web_vitals/u s1/$feature_flag_called/u", "2", "s1=-", "a@e.com", "-" },
        { "links-survive-a-restart", "s1/view/anon s1/$identify/user-x/set=x@e.com/link=anon | reopen | s2/view/anon",
            "1 0", "s1=user-x~anon<x@e.com>#1 s2=anon<x@e.com>#1", "x@e.com", "s2" },
    };
    for (const bool sqlite : { false, true })
        for (const Row& row : rows)
            QTest::addRow("%s/%s", sqlite ? "sqlite" : "memory", row.name)
                << sqlite << QString::fromUtf8(row.calls) << QString::fromUtf8(row.ignored)
                << QString::fromUtf8(row.sessions) << QString::fromUtf8(row.email) << QString::fromUtf8(row.found);
}

void TestConnector::identity()
{
    QFETCH(bool, sqlite);
    QFETCH(QString, calls);
    QFETCH(QString, ignored);
    QFETCH(QString, sessions);
    QFETCH(QString, email);
    QFETCH(QString, found);

    Harness harness(sqlite, 200, productWith({ { "session_retention_s", 300 } }));
    VirtualClock& clock = harness.clock();
    QStringList ignoredCounts;
    for (const QString& call : calls.split(QLatin1Char('|'))) {
        const QString trimmed = call.trimmed();
        if (trimmed == QLatin1String("reopen")) {
            harness.reopen(200);
            continue;
        }
        if (trimmed.startsWith(QLatin1String("wait="))) {
            clock.advance(std::chrono::seconds(trimmed.mid(5).toInt()));
            continue;
        }
        clock.advance(1s);
        std::vector<Action> actions;
        for (const QString& token : trimmed.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
            const QStringList parts = token.split(QLatin1Char('/'));
            Action& action = actions.emplace_back();
            action.sessionId = parts[0].toStdString();
            action.event = parts[1] == QLatin1String("view") ? "$pageview" : parts[1].toStdString();
            action.type = parts[1] == QLatin1String("view") ? ActionType::Pageview : ActionType::Custom;
            action.distinctId = parts[2].toStdString();
            action.rawUrl = "https://app.example.com/projects";
            action.timestampStart = clock.now() + std::chrono::milliseconds(actions.size());
            action.timestampEnd = action.timestampStart;
            for (const QString& field : parts.mid(3)) {
                const std::string value = field.section(QLatin1Char('='), 1).toStdString();
                if (field.startsWith(QLatin1String("set=")))
                    action.email = value;
                else if (field.startsWith(QLatin1String("once=")))
                    action.emailOnce = value;
                else if (field.startsWith(QLatin1String("link=")))
                    action.linkedDistinctId = value;
            }
        }
        const auto result = harness.connector().ingest("p", std::move(actions));
        QVERIFY2(result, result ? "" : result.error().toString().c_str());
        QVERIFY(result->rejected.empty());
        ignoredCounts << QString::number(result->ignored);
    }
    QCOMPARE(ignoredCounts.join(QLatin1Char(' ')), ignored);

    QStringList described;
    for (const QString& expected : sessions.split(QLatin1Char(' '))) {
        const QString id = expected.section(QLatin1Char('='), 0, 0);
        // Expired sessions may still be in the store until swept: ask as a reader does.
        const auto record = harness.connector().recentActivity(id.toStdString(), 10)
            ? harness.store().session({ "p", id.toStdString() })
            : std::nullopt;
        QString text = id + QLatin1Char('=');
        if (!record) {
            text += QLatin1Char('-');
        } else {
            text += QString::fromStdString(record->distinctId);
            if (!record->linkedDistinctId.empty())
                text += QLatin1Char('~') + QString::fromStdString(record->linkedDistinctId);
            if (!record->email.empty())
                text += QLatin1Char('<') + QString::fromStdString(record->email) + QLatin1Char('>');
            text += QLatin1Char('#') + QString::number(record->actionCount);
        }
        described << text;
    }
    QCOMPARE(described.join(QLatin1Char(' ')), sessions);

    const auto activity = harness.connector().recentActivity(email.toStdString(), 10);
    QCOMPARE(activity ? QString::fromStdString(activity->sessionId) : QStringLiteral("-"), found);
}

void TestConnector::recordsAsActions_data()
{
    QTest::addColumn<bool>("sqlite");
    // Calls "|" one second apart ("&": in the same second, "wait=N" N
    // seconds on), each one session's pageviews of one identity:
    // session/distinct id[/set=email][/once=email][/link=id]/count.
    QTest::addColumn<QString>("calls");
    // Per call accepted+limited(refusals, previous sessions); then per
    // session: distinct id, ~linked id, <email>, ^previous session,
    // #actions and the indexes of those stored.
    QTest::addColumn<QString>("expected");

    // Product p: retention 300 s, one new session a second, route /projects/:slug.
    const std::pair<const char*, const char*> rows[] {
        { "s1/u/3 | s1/u/2", "3+0 2+0; s1=u#5 [0-4]" },
        { "s1/anon/1 | s1/user-x/set=x@e.com/link=anon/2", "1+0 2+0; s1=user-x~anon<x@e.com>#3 [0-2]" },
        { "s1/u/1 | s1/u/once=b@e.com/1 | s1/u/once=c@e.com/1", "1+0 1+0 1+0; s1=u<b@e.com>#3 [0-2]" },
        { "s1/u/set=a@e.com/1 | s2/u/2", "1+0 2+0(s1); s1=u<a@e.com>#1 [0] s2=u<a@e.com>^s1#2 [0-1]" },
        { "s1/u/2 | wait=301 | s1/u/1", "2+0 1+0; s1=u#1 [0]" },
        { "s1/u/1 & s2/v/2 | s2/v/1", "1+0 0+2(session_rate_limited) 1+0; s1=u#1 [0] s2=v#1 [0]" },
    };
    const char* names[] { "one-session", "identity-learned", "set-once", "rotation-and-inherited-email",
        "expired-restarts", "rate-limited" };
    for (const bool sqlite : { false, true })
        for (std::size_t i = 0; i < std::size(rows); ++i)
            QTest::addRow("%s/%s", sqlite ? "sqlite" : "memory", names[i])
                << sqlite << QString::fromUtf8(rows[i].first) << QString::fromUtf8(rows[i].second);
}

void TestConnector::recordsAsActions()
{
    QFETCH(bool, sqlite);
    QFETCH(QString, calls);
    QFETCH(QString, expected);

    const auto workspace = productWith({ { "session_retention_s", 300 }, { "max_new_sessions_per_second", 1 },
        { "routes", nlohmann::json::array({ "/projects/:slug" }) } });
    const Product& product = *workspace->product("p");
    // The calls as ingest takes them, as ingestRecords does, and what each leaves.
    const auto run = [&](bool records) -> QString {
        Harness harness(sqlite, 200, workspace);
        ActionInterner interner;
        QStringList results;
        QStringList sessions;
        for (const QString& call : calls.split(QLatin1Char('|'))) {
            const QStringList parts = call.split(QLatin1Char('&'));
            for (qsizetype k = 0; k < parts.size(); ++k) {
                const QString part = parts[k].trimmed();
                if (part.startsWith(u"wait="_qs)) {
                    harness.clock().advance(std::chrono::seconds(part.mid(5).toInt()));
                    continue;
                }
                if (k == 0)
                    harness.clock().advance(1s);
                const QStringList fields = part.split(QLatin1Char('/'));
                const std::string sessionId = fields.front().toStdString();
                if (!sessions.contains(fields.front()))
                    sessions << fields.front();
                std::vector<Action> actions;
                for (int i = 0; i < fields.back().toInt(); ++i) {
                    Action& action = actions.emplace_back();
                    action.type = ActionType::Pageview;
                    action.event = "$pageview";
                    action.sessionId = sessionId;
                    action.distinctId = fields[1].toStdString();
                    action.rawUrl = "https://app.example.com/projects/" + std::to_string(i) + "?q=1";
                    action.timestampStart = harness.clock().now() + std::chrono::milliseconds(i);
                    action.timestampEnd = action.timestampStart;
                    for (const QString& field : fields.mid(2, fields.size() - 3)) {
                        const std::string value = field.section(QLatin1Char('='), 1).toStdString();
                        if (field.startsWith(u"set="_qs))
                            action.email = value;
                        else if (field.startsWith(u"once="_qs))
                            action.emailOnce = value;
                        else if (field.startsWith(u"link="_qs))
                            action.linkedDistinctId = value;
                    }
                }
                Result<IngestResult> result = Error { "unset", "", "" };
                if (records) {
                    std::vector<ActionRecord> made;
                    for (Action& action : actions) {
                        action.canonicalUrl = canonicalUrl(action.rawUrl, product.routes);
                        made.push_back(interner.record(action));
                    }
                    result
                        = harness.connector().ingestRecords("p", sessionId, made, ActionIdentity::of(actions.front()));
                } else {
                    result = harness.connector().ingest("p", std::move(actions));
                }
                if (!result)
                    return QString::fromStdString(result.error().toString());
                QStringList codes;
                for (const Error& error : result->rejected)
                    if (!codes.contains(QString::fromStdString(error.code)))
                        codes << QString::fromStdString(error.code);
                for (const SessionRotation& rotation : result->rotations)
                    codes << QString::fromStdString(rotation.previousSessionId);
                results << u"%1+%2"_qs.arg(result->accepted).arg(result->limited)
                        + (codes.isEmpty() ? QString() : u"("_qs + codes.join(u',') + u")"_qs);
            }
        }
        if (sqlite)
            harness.reopen(200); // what the file kept
        QStringList described;
        for (const QString& id : sessions) {
            const SessionKey key { "p", id.toStdString() };
            const auto record = harness.store().session(key);
            if (!record)
                continue;
            QString text = id + u'=' + QString::fromStdString(record->distinctId);
            if (!record->linkedDistinctId.empty())
                text += u'~' + QString::fromStdString(record->linkedDistinctId);
            if (!record->email.empty())
                text += u'<' + QString::fromStdString(record->email) + u'>';
            if (!record->previousSessionId.empty())
                text += u'^' + QString::fromStdString(record->previousSessionId);
            text += u'#' + QString::number(record->actionCount);
            QStringList indexes;
            harness.store().visitActions(key, [&](std::span<const ActionRecord> stored) {
                for (std::size_t i = 0; i < stored.size(); ++i) {
                    const ActionRecord& action = stored[i];
                    // What each action must be, whichever way it came.
                    const bool ended = i + 1 < stored.size() ? action.timestampEnd == stored[i + 1].timestampStart
                                                             : action.timestampEnd == action.timestampStart;
                    if (!ended || action.canonicalUrl != std::string_view("https://app.example.com/projects/:slug")
                        || action.event != std::string_view("$pageview") || action.type != ActionType::Pageview)
                        indexes << u"bad"_qs;
                    indexes << QString::number(action.index);
                }
            });
            const QString range = indexes.size() == 1 ? indexes.front() : indexes.front() + u'-' + indexes.back();
            described << text + u" ["_qs + (indexes.contains(u"bad"_qs) ? indexes.join(u',') : range) + u']';
        }
        return results.join(u' ') + u"; "_qs + described.join(u' ');
    };
    const QString asActions = run(false);
    QCOMPARE(asActions, expected);
    QCOMPARE(run(true), asActions);
}

QTEST_GUILESS_MAIN(TestConnector)
#include "tst_connector.moc"
