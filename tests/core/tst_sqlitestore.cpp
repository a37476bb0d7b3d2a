// What only the SQLite store promises: the file answers like memory did,
// survives a crash mid-write, refuses bad files with a clear error, and a
// failed transaction changes nothing. The shared contract is in tst_store.

#include "printers.h"
#include "store/memorystore.h"
#include "store/sqlitestore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace proactive;
using namespace std::chrono_literals;

namespace {

const Timestamp kT0 = fromEpochMs(1'700'000'000'000);

std::string pathIn(const QTemporaryDir& dir, const char* name)
{
    return dir.filePath(QLatin1String(name)).toStdString();
}

// Runs SQL on the file with a connection of its own, as another program would.
QString execSql(const std::string& path, const std::string& sql)
{
    sqlite3* db = nullptr;
    int result = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    char* message = nullptr;
    if (result == SQLITE_OK)
        result = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
    QString error;
    if (result != SQLITE_OK)
        error = QString::fromUtf8(message ? message : sqlite3_errmsg(db));
    sqlite3_free(message);
    sqlite3_close(db);
    return error;
}

qint64 scalar(const std::string& path, const char* sql)
{
    sqlite3* db = nullptr;
    sqlite3_stmt* statement = nullptr;
    qint64 value = -1;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK
        && sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK && sqlite3_step(statement) == SQLITE_ROW)
        value = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return value;
}

std::unique_ptr<SqliteStore> openOrFail(const std::string& path, StoreRetention retention = {})
{
    auto opened = SqliteStore::open(path, retention);
    if (!opened) {
        qWarning("%s", opened.error().toString().c_str());
        return nullptr;
    }
    return std::move(opened).value();
}

// A click labelled by its URL, which the store keeps.
Action action(std::string url, Timestamp start, std::string uuid = {})
{
    Action a;
    a.type = ActionType::Click;
    a.event = "$autocapture";
    a.rawUrl = std::move(url);
    a.uuid = std::move(uuid);
    a.timestampStart = start;
    a.sessionId = "s";
    return a;
}

// Everything a store can answer about the keys a scenario used, as JSON, so
// that two stores can be compared whole.
struct Keys {
    std::vector<std::string> products;
    std::vector<std::string> conversations;
    std::vector<std::string> sessions;
    std::vector<std::string> users;
    std::vector<std::string> triggers;
};

nlohmann::json snapshot(const Store& store, const Keys& keys, Timestamp now)
{
    using nlohmann::json;
    const auto time = [](std::optional<Timestamp> t) { return t ? json(toEpochMs(*t)) : json(); };
    json out;
    out["sessionCount"] = store.sessionCount();
    for (const std::string& p : keys.products) {
        json& product = out[p];
        for (const FiringRecord& f : store.firings(p, 5000))
            product["firings"].push_back(
                { f.sessionId, f.conversationId, f.distinctId, f.triggerId, f.canonicalUrl, toEpochMs(f.at) });
        const CircuitRecord circuit = store.circuit(p);
        product["circuit"] = { circuit.consecutiveFailures, toEpochMs(circuit.openUntil) };
        for (const Duration back : { Duration(1min), Duration(1h), Duration(24h), Duration(25h), Duration(40h) })
            product["count"].push_back(store.countFirings({ p, std::nullopt, std::nullopt, now - back }));
        for (const std::string& c : keys.conversations) {
            json& conversation = product["conversations"][c];
            if (const auto r = store.conversation({ p, c }))
                conversation["record"] = { std::string(nameOf(r->state)), toEpochMs(r->enteredAt),
                    toEpochMs(r->lastEventAt), r->dismissals, toEpochMs(r->cooldownUntil), r->silenced,
                    r->activeTriggerId, r->interactionTimeout.count() };
            for (const TransitionRecord& t : store.transitions({ p, c }, 1000))
                conversation["transitions"].push_back(
                    { toEpochMs(t.at), t.event, std::string(nameOf(t.from)), std::string(nameOf(t.to)), t.cause });
            for (const std::string& t : keys.triggers)
                conversation["lastFiring"].push_back(time(store.lastFiring({ p, c }, t)));
        }
        for (const std::string& s : keys.sessions) {
            json& session = product["sessions"][s];
            if (const auto r = store.session({ p, s }))
                session["record"] = { r->distinctId, r->email, toEpochMs(r->firstSeen), toEpochMs(r->lastSeen),
                    r->actionCount, r->previousSessionId };
            session["lastOffer"] = time(store.lastOffer({ p, s }));
            for (const Duration back : { Duration(1h), Duration(25h) }) {
                session["count"].push_back(store.countFirings({ p, s, std::nullopt, now - back }));
                for (const std::string& u : keys.users)
                    session["countByUser"].push_back(store.countFirings({ p, s, u, now - back }));
            }
            store.visitActions({ p, s }, [&](std::span<const ActionRecord> actions) {
                for (const ActionRecord& a : actions)
                    session["actions"].push_back({ a.index, a.event.get(), toEpochMs(a.timestampStart),
                        toEpochMs(a.timestampEnd), a.rawUrl.get(), a.canonicalUrl.get(), a.element().tag,
                        a.element().attrs, a.element().classes, a.elementsChain(), a.details->properties });
            });
        }
        for (const std::string& u : keys.users) {
            product["latest"][u] = store.latestSessionOf(p, u).value_or("-");
            product["countByUser"][u] = store.countFirings({ p, std::nullopt, u, now - 24h });
        }
    }
    return out;
}

// A day and a half of traffic over three products, in batches, with every
// kind of change, late arrivals, duplicate uuids and retention at work.
struct Scenario {
    Keys keys;
    std::vector<StoreWrite> writes;
    Timestamp end;
};

Scenario makeScenario()
{
    std::mt19937 random(20240501);
    const auto pick = [&](int n) { return int(random() % unsigned(n)); };
    Scenario scenario;
    for (int i = 0; i < 3; ++i)
        scenario.keys.products.push_back("p" + std::to_string(i));
    for (int i = 0; i < 12; ++i) {
        scenario.keys.sessions.push_back("s" + std::to_string(i));
        scenario.keys.conversations.push_back("proactive:s" + std::to_string(i));
    }
    for (int i = 0; i < 5; ++i) {
        scenario.keys.users.push_back("u" + std::to_string(i));
        scenario.keys.triggers.push_back("t" + std::to_string(i));
    }
    const auto& k = scenario.keys;
    Timestamp now = kT0;
    for (int batch = 0; batch < 120; ++batch) {
        now += 15min;
        StoreWrite w;
        for (int i = 0; i < 12; ++i) {
            const std::string& p = k.products[pick(3)];
            const int s = pick(12);
            const ConversationKey conversation { p, k.conversations[s] };
            const SessionKey session { p, k.sessions[s] };
            const Timestamp at = now - Duration(pick(40) == 0 ? 26h : Duration(pick(600'000)));
            switch (pick(8)) {
            case 0: {
                ConversationRecord r;
                r.state = static_cast<FsmState>(pick(kFsmStateCount));
                r.enteredAt = at;
                r.lastEventAt = at + 1s;
                r.dismissals = pick(4);
                r.cooldownUntil = at + 600s;
                r.silenced = r.dismissals >= 3;
                r.activeTriggerId = k.triggers[pick(5)];
                r.interactionTimeout = Duration(pick(90'000));
                w.conversations.emplace_back(conversation, r);
                break;
            }
            case 1:
                w.erasedConversations.push_back(conversation);
                break;
            case 2:
                w.transitions.emplace_back(conversation,
                    TransitionRecord { at, "e" + std::to_string(batch), static_cast<FsmState>(pick(kFsmStateCount)),
                        static_cast<FsmState>(pick(kFsmStateCount)), "cause" });
                break;
            case 3:
                w.circuits.emplace_back(p, CircuitRecord { pick(5), at });
                break;
            case 4:
                w.sessions.emplace_back(session,
                    SessionRecord { pick(4) == 0 ? std::string() : k.users[pick(5)], "e@x", at - 1h, at,
                        std::int64_t(batch), k.sessions[pick(12)] });
                break;
            default:
                for (int f = 0; f < 8; ++f)
                    w.firings.push_back({ p, k.sessions[pick(12)], k.conversations[pick(12)], k.users[pick(5)],
                        k.triggers[pick(5)], "/u/" + std::to_string(pick(3)),
                        now - Duration(pick(30) == 0 ? 30h : Duration(pick(900'000))) });
                for (int a = 0; a < 6; ++a) {
                    Action x
                        = action("a" + std::to_string(batch) + "." + std::to_string(a), now - Duration(pick(1'200'000)),
                            pick(3) == 0 ? std::string() : "u" + std::to_string(pick(400)));
                    x.index = batch * 10 + a;
                    if (pick(2) == 0) {
                        x.element.tag = "button";
                        x.element.attrs = { { "data-x", std::to_string(a) } };
                        x.element.classes = { "c" + std::to_string(pick(3)) };
                        x.properties = { { "k", std::to_string(a) } };
                    }
                    w.actions.emplace_back(session, std::move(x));
                }
            }
        }
        scenario.writes.push_back(std::move(w));
    }
    scenario.end = now;
    return scenario;
}

// The crash test's trigger calls this; only the forked writer makes it fatal.
enum class CrashMode { None, Exit, Kill };
volatile std::sig_atomic_t g_crashMode = 0;

void crashFunction(sqlite3_context* context, int, sqlite3_value**)
{
    if (g_crashMode == int(CrashMode::Exit))
        _exit(1);
    if (g_crashMode == int(CrashMode::Kill))
        raise(SIGKILL);
    sqlite3_result_null(context);
}

int registerCrashFunction(sqlite3* db, char**, const sqlite3_api_routines*)
{
    return sqlite3_create_function(db, "test_crash", 0, SQLITE_UTF8, nullptr, crashFunction, nullptr, nullptr);
}

StoreWrite committedBatch(int i)
{
    const std::string n = std::to_string(i);
    StoreWrite w;
    ConversationRecord record;
    record.state = FsmState::ProactiveAssistance;
    record.enteredAt = kT0 + std::chrono::seconds(i);
    w.conversations.emplace_back(ConversationKey { "p", "c" + n }, record);
    w.transitions.emplace_back(ConversationKey { "p", "c" + n },
        TransitionRecord { kT0, "fired", FsmState::Thinking, FsmState::ProactiveAssistance, "trigger:t" });
    w.firings.push_back({ "p", "s" + n, "c" + n, "u", "t", "/", kT0 + std::chrono::seconds(i) });
    w.sessions.emplace_back(SessionKey { "p", "s" + n }, SessionRecord { "u", "", kT0, kT0 + std::chrono::seconds(i) });
    for (int a = 0; a < 10; ++a)
        w.actions.emplace_back(SessionKey { "p", "s" + n }, action(n + "." + std::to_string(a), kT0 + 1s * a));
    return w;
}

// Twenty megabytes, far more than SQLite's page cache, so that pages of the
// open transaction reach the log before the last action kills the writer.
StoreWrite bigBatch()
{
    StoreWrite w;
    w.conversations.emplace_back(ConversationKey { "p", "big" }, ConversationRecord {});
    w.circuits.emplace_back("p", CircuitRecord { 9, kT0 });
    w.firings.push_back({ "p", "big0", "big", "u", "t", "/", kT0 + 1h });
    const std::string padding(1000, 'x');
    for (int s = 0; s < 200; ++s) {
        const SessionKey key { "p", "big" + std::to_string(s) };
        w.sessions.emplace_back(key, SessionRecord { "u", "", kT0, kT0 + 1h });
        for (int a = 0; a < 100; ++a) {
            Action x = action(std::to_string(a), kT0 + 1s * a);
            x.properties.emplace_back("padding", padding);
            w.actions.emplace_back(key, std::move(x));
        }
    }
    Action marker = action("crash", kT0);
    marker.event = "crash";
    w.actions.emplace_back(SessionKey { "p", "big-last" }, marker);
    return w;
}

} // namespace

class TestSqliteStore final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void createsFile_data();
    void createsFile();
    void reopenAnswersLikeMemory();
    void retentionOnDisk();
    void smallerRetentionOnReopen();
    void crashMidWriteLosesNothingCommitted_data();
    void crashMidWriteLosesNothingCommitted();
    void openErrors_data();
    void openErrors();
    void failedCommitChangesNothing();
    void readsSchemaV1();
    void readsSchemaV2();
    void expiredSessionsLeaveTheFile_data();
    void expiredSessionsLeaveTheFile();
};

void TestSqliteStore::createsFile_data()
{
    QTest::addColumn<bool>("existsEmpty");
    QTest::newRow("no-file") << false;
    QTest::newRow("empty-file") << true;
}

void TestSqliteStore::createsFile()
{
    QFETCH(bool, existsEmpty);
    QTemporaryDir dir;
    const std::string path = pathIn(dir, "new.db");
    if (existsEmpty) {
        QFile file(QString::fromStdString(path));
        QVERIFY(file.open(QIODevice::WriteOnly));
    }
    {
        auto store = openOrFail(path);
        QVERIFY(store);
        QCOMPARE(store->path(), path);
        QCOMPARE(store->sessionCount(), std::size_t(0));
    }
    QVERIFY(QFileInfo::exists(QString::fromStdString(path)));
    QCOMPARE(scalar(path, "PRAGMA application_id"), qint64(SqliteStore::kApplicationId));
    QCOMPARE(scalar(path, "PRAGMA user_version"), qint64(SqliteStore::kSchemaVersion));
    QCOMPARE(scalar(path, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), qint64(1));
    QCOMPARE(scalar(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"), qint64(9));
}

void TestSqliteStore::reopenAnswersLikeMemory()
{
    StoreRetention retention;
    retention.maxActionsPerSession = 20;
    retention.maxTransitionsPerConversation = 6;
    const Scenario scenario = makeScenario();
    QTemporaryDir dir;
    const std::string path = pathIn(dir, "store.db");

    MemoryStore memory(retention);
    auto store = openOrFail(path, retention);
    QVERIFY(store);
    for (const StoreWrite& write : scenario.writes) {
        QVERIFY(memory.commit(write).ok());
        QVERIFY(store->commit(write).ok());
    }
    const auto expected = snapshot(memory, scenario.keys, scenario.end);
    QVERIFY(expected.dump().size() > 100'000); // the scenario really fills the store
    QCOMPARE(snapshot(*store, scenario.keys, scenario.end).dump(1), expected.dump(1));
    store.reset();

    store = openOrFail(path, retention);
    QVERIFY(store);
    QCOMPARE(snapshot(*store, scenario.keys, scenario.end).dump(1), expected.dump(1));

    // And it keeps answering alike as writes continue after the reopen.
    const Scenario more = makeScenario();
    for (std::size_t i = 0; i < 20; ++i) {
        QVERIFY(memory.commit(more.writes[i]).ok());
        QVERIFY(store->commit(more.writes[i]).ok());
    }
    QCOMPARE(
        snapshot(*store, scenario.keys, scenario.end).dump(1), snapshot(memory, scenario.keys, scenario.end).dump(1));
}

void TestSqliteStore::retentionOnDisk()
{
    StoreRetention retention;
    retention.maxActionsPerSession = 5;
    retention.maxTransitionsPerConversation = 3;
    QTemporaryDir dir;
    const std::string path = pathIn(dir, "store.db");
    {
        auto store = openOrFail(path, retention);
        QVERIFY(store);
        for (int batch = 0; batch < 12; ++batch) {
            StoreWrite w;
            for (int i = 0; i < 4; ++i) {
                const auto at = kT0 + std::chrono::minutes(batch * 4 + i);
                w.actions.emplace_back(SessionKey { "p", "s" }, action(std::to_string(batch), at));
                w.transitions.emplace_back(ConversationKey { "p", "c" }, TransitionRecord { at });
            }
            // 100 firings a batch, 2 minutes apart: 1200 over 40 hours.
            for (int i = 0; i < 100; ++i)
                w.firings.push_back(
                    { "p", "s", "c", "u", "t", "/", kT0 + std::chrono::minutes(2 * (batch * 100 + i)) });
            QVERIFY(store->commit(w).ok());
        }
    }
    QCOMPARE(scalar(path, "SELECT count(*) FROM actions"), qint64(5));
    QCOMPARE(scalar(path, "SELECT min(ts_start) FROM actions"), toEpochMs(kT0 + 43min));
    QCOMPARE(scalar(path, "SELECT count(*) FROM transitions"), qint64(3));
    // Firings: the newest 1000 (the history) and the last 25 hours (751 of
    // them, for quotas) are kept; the 200 oldest are gone.
    QCOMPARE(scalar(path, "SELECT count(*) FROM firings"), qint64(1000));
    QCOMPARE(scalar(path, "SELECT min(at) FROM firings"), toEpochMs(kT0 + 400min));
    QCOMPARE(scalar(path, "SELECT count(*) FROM last_firings"), qint64(1));
}

void TestSqliteStore::smallerRetentionOnReopen()
{
    QTemporaryDir dir;
    const std::string path = pathIn(dir, "store.db");
    const auto titles = [](const Store& store) {
        QStringList out;
        store.visitActions({ "p", "s" }, [&](std::span<const ActionRecord> actions) {
            for (const ActionRecord& a : actions)
                out << QString::fromStdString(a.rawUrl);
        });
        for (const TransitionRecord& t : store.transitions({ "p", "c" }, 100))
            out << QString::fromStdString(t.event);
        return out.join(QLatin1Char(' '));
    };
    const auto append = [](Store& store, int from, int to) {
        StoreWrite w;
        for (int i = from; i < to; ++i) {
            w.actions.emplace_back(SessionKey { "p", "s" }, action("a" + std::to_string(i), kT0 + 1s * i));
            w.transitions.emplace_back(ConversationKey { "p", "c" }, TransitionRecord { kT0, "t" + std::to_string(i) });
        }
        return store.commit(w).ok();
    };
    {
        auto store = openOrFail(path, { 6, 6 });
        QVERIFY(store);
        QVERIFY(append(*store, 0, 6));
    }
    {
        auto store = openOrFail(path, { 3, 2 });
        QVERIFY(store);
        QCOMPARE(titles(*store), QStringLiteral("a3 a4 a5 t4 t5"));
        QVERIFY(append(*store, 6, 7));
        QCOMPARE(titles(*store), QStringLiteral("a4 a5 a6 t5 t6"));
    }
    auto store = openOrFail(path, { 3, 2 });
    QVERIFY(store);
    QCOMPARE(titles(*store), QStringLiteral("a4 a5 a6 t5 t6"));
}

void TestSqliteStore::crashMidWriteLosesNothingCommitted_data()
{
    QTest::addColumn<int>("mode");
    QTest::newRow("exit-mid-transaction") << int(CrashMode::Exit);
    QTest::newRow("sigkill-mid-transaction") << int(CrashMode::Kill);
}

void TestSqliteStore::crashMidWriteLosesNothingCommitted()
{
    QFETCH(int, mode);
    constexpr int kCommitted = 25;
    StoreRetention retention;
    retention.maxActionsPerSession = 1000;
    QTemporaryDir dir;
    const std::string path = pathIn(dir, "store.db");
    QVERIFY(openOrFail(path));

    QCOMPARE(sqlite3_auto_extension(reinterpret_cast<void (*)()>(registerCrashFunction)), SQLITE_OK);
    const auto unregister
        = qScopeGuard([] { sqlite3_cancel_auto_extension(reinterpret_cast<void (*)()>(registerCrashFunction)); });
    QCOMPARE(execSql(path,
                 "CREATE TRIGGER crash_on_marker AFTER INSERT ON actions WHEN NEW.event = 'crash' "
                 "BEGIN SELECT test_crash(); END"),
        QString());

    std::vector<StoreWrite> batches;
    for (int i = 0; i < kCommitted; ++i)
        batches.push_back(committedBatch(i));
    const StoreWrite big = bigBatch();

    const pid_t child = fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        // The writer: no Qt, no test macros, never returns.
        g_crashMode = mode;
        auto opened = SqliteStore::open(path, retention);
        if (!opened)
            _exit(10);
        for (const StoreWrite& batch : batches)
            if (!(*opened)->commit(batch))
                _exit(11);
        (void)(*opened)->commit(big);
        _exit(12);
    }
    int status = 0;
    QCOMPARE(waitpid(child, &status, 0), child);
    if (mode == int(CrashMode::Exit)) {
        QVERIFY(WIFEXITED(status));
        QCOMPARE(WEXITSTATUS(status), 1);
    } else {
        QVERIFY(WIFSIGNALED(status));
        QCOMPARE(WTERMSIG(status), SIGKILL);
    }
    // The uncommitted transaction did reach the disk in part.
    QVERIFY(QFileInfo(QString::fromStdString(path + "-wal")).size() > 8 * 1024 * 1024);

    {
        auto store = openOrFail(path, retention);
        QVERIFY(store);
        QCOMPARE(store->sessionCount(), std::size_t(kCommitted));
        QCOMPARE(store->countFirings({ "p", std::nullopt, std::nullopt, kT0 }), kCommitted);
        QVERIFY(store->circuit("p") == CircuitRecord {});
        QVERIFY(!store->conversation({ "p", "big" }));
        QVERIFY(!store->session({ "p", "big0" }));
        for (int i = 0; i < kCommitted; ++i) {
            const std::string n = std::to_string(i);
            QVERIFY(store->conversation({ "p", "c" + n }));
            QCOMPARE(store->transitions({ "p", "c" + n }, 10).size(), std::size_t(1));
            QVERIFY(store->session({ "p", "s" + n }));
            std::size_t actions = 0;
            store->visitActions({ "p", "s" + n }, [&](std::span<const ActionRecord> all) { actions = all.size(); });
            QCOMPARE(actions, std::size_t(10));
        }
    }
    QCOMPARE(scalar(path, "SELECT count(*) FROM actions"), qint64(kCommitted * 10));
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    char** table = nullptr;
    int rows = 0;
    int columns = 0;
    QCOMPARE(sqlite3_get_table(db, "PRAGMA integrity_check", &table, &rows, &columns, nullptr), SQLITE_OK);
    const QString integrity = QString::fromUtf8(rows == 1 ? table[1] : "");
    sqlite3_free_table(table);
    sqlite3_close(db);
    QCOMPARE(integrity, QStringLiteral("ok"));
}

void TestSqliteStore::openErrors_data()
{
    QTest::addColumn<QString>("setup");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("reason"); // part of the message

    QTest::newRow("random-bytes") << "random-bytes"
                                  << "store.not_a_database"
                                  << "file is not a database";
    QTest::newRow("text-file") << "text-file"
                               << "store.not_a_database"
                               << "file is not a database";
    QTest::newRow("truncated") << "truncated"
                               << "store.corrupt"
                               << "malformed";
    QTest::newRow("header-only") << "header-only"
                                 << "store.corrupt"
                                 << "malformed";
    QTest::newRow("missing-directory") << "missing-directory"
                                       << "store.cannot_open"
                                       << "does not exist";
    QTest::newRow("path-is-a-directory") << "path-is-a-directory"
                                         << "store.cannot_open"
                                         << "it is a directory";
    QTest::newRow("other-application") << "other-application"
                                       << "store.foreign_database"
                                       << "another application";
    QTest::newRow("other-application-versioned") << "other-application-versioned"
                                                 << "store.foreign_database"
                                                 << "user_version 1";
    QTest::newRow("newer-schema") << "newer-schema"
                                  << "store.newer_schema"
                                  << "schema version 4 is newer than this build supports (3)";
    QTest::newRow("unknown-schema-version") << "unknown-schema-version"
                                            << "store.unknown_schema"
                                            << "unknown schema version 0";
    QTest::newRow("missing-table") << "missing-table"
                                   << "store.unknown_schema"
                                   << "no such table: actions";
    QTest::newRow("unreadable-state") << "unreadable-state"
                                      << "store.corrupt"
                                      << "table conversations, row (p, c)";
    QTest::newRow("unreadable-element") << "unreadable-element"
                                        << "store.corrupt"
                                        << "table actions, row (p, ";
    QTest::newRow("locked-by-another-store") << "locked"
                                             << "store.locked"
                                             << "database is locked (another process has the store open)";
    QTest::newRow("read-only-file") << "read-only"
                                    << "store.read_only"
                                    << "read-only";
}

void TestSqliteStore::openErrors()
{
    QFETCH(QString, setup);
    QFETCH(QString, code);
    QFETCH(QString, reason);

    QTemporaryDir dir;
    std::string path = pathIn(dir, "store.db");
    const auto writeBytes = [&](const QByteArray& bytes) {
        QFile file(QString::fromStdString(path));
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(bytes), bytes.size());
    };
    // A store with enough in it to span many pages.
    const auto populate = [&] {
        auto store = openOrFail(path);
        QVERIFY(store);
        StoreWrite w;
        w.conversations.emplace_back(ConversationKey { "p", "c" }, ConversationRecord {});
        for (int s = 0; s < 40; ++s)
            for (int a = 0; a < 50; ++a) {
                Action x = action(std::to_string(a), kT0 + 1s * a);
                x.properties.emplace_back("padding", std::string(200, 'd'));
                x.element.tag = "a";
                w.actions.emplace_back(SessionKey { "p", std::to_string(s) }, std::move(x));
            }
        QVERIFY(store->commit(w).ok());
    };
    std::unique_ptr<SqliteStore> holder;

    if (setup == QLatin1String("random-bytes")) {
        std::mt19937 random(7);
        QByteArray bytes(64 * 1024, Qt::Uninitialized);
        for (char& byte : bytes)
            byte = char(random());
        writeBytes(bytes);
    } else if (setup == QLatin1String("text-file")) {
        QByteArray text;
        for (int i = 0; i < 200; ++i)
            text += "This is a text file, not a store. Line " + QByteArray::number(i) + "\n";
        writeBytes(text);
    } else if (setup == QLatin1String("truncated") || setup == QLatin1String("header-only")) {
        populate();
        const auto size = std::filesystem::file_size(path);
        std::filesystem::resize_file(path, setup == QLatin1String("truncated") ? size / 2 : 4096);
    } else if (setup == QLatin1String("missing-directory")) {
        path = pathIn(dir, "no/such/dir/store.db");
    } else if (setup == QLatin1String("path-is-a-directory")) {
        QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("store.db")));
    } else if (setup.startsWith(QLatin1String("other-application"))) {
        QCOMPARE(execSql(path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"), QString());
        if (setup.endsWith(QLatin1String("versioned")))
            QCOMPARE(execSql(path, "PRAGMA user_version = 1"), QString());
    } else if (setup == QLatin1String("newer-schema")) {
        populate();
        QCOMPARE(execSql(path, "PRAGMA user_version = " + std::to_string(SqliteStore::kSchemaVersion + 1)), QString());
    } else if (setup == QLatin1String("unknown-schema-version")) {
        populate();
        QCOMPARE(execSql(path, "PRAGMA user_version = 0"), QString());
    } else if (setup == QLatin1String("missing-table")) {
        populate();
        QCOMPARE(execSql(path, "DROP TABLE actions"), QString());
    } else if (setup == QLatin1String("unreadable-state")) {
        populate();
        QCOMPARE(execSql(path, "UPDATE conversations SET state = 'sleeping'"), QString());
    } else if (setup == QLatin1String("unreadable-element")) {
        populate();
        QCOMPARE(execSql(path, "UPDATE actions SET element = '{\"tag\": 5}' WHERE id = 7"), QString());
    } else if (setup == QLatin1String("locked")) {
        holder = openOrFail(path);
        QVERIFY(holder);
    } else if (setup == QLatin1String("read-only")) {
        populate();
        QVERIFY(QFile::setPermissions(QString::fromStdString(path), QFileDevice::ReadOwner | QFileDevice::ReadGroup));
        if (geteuid() == 0)
            QSKIP("root may write to any file");
    }
    if (QTest::currentTestFailed())
        return;

    const auto opened = SqliteStore::open(path);
    QVERIFY(!opened);
    const Error& error = opened.error();
    QCOMPARE(QString::fromStdString(error.code), code);
    QCOMPARE(error.where, path);
    const QString message = QString::fromStdString(error.message);
    QVERIFY2(message.contains(QString::fromStdString(path)), qPrintable(message));
    QVERIFY2(message.contains(reason), qPrintable(message));
}

void TestSqliteStore::failedCommitChangesNothing()
{
    QTemporaryDir dir;
    const std::string path = pathIn(dir, "store.db");
    StoreRetention retention;
    retention.maxActionsPerSession = 2;
    retention.maxTransitionsPerConversation = 1;
    const ConversationRecord r0 { FsmState::ConservativeAssistance, kT0, kT0, 1, kT0 + 600s };
    StoreWrite before;
    before.conversations.emplace_back(ConversationKey { "p", "c0" }, r0);
    before.transitions.emplace_back(ConversationKey { "p", "c0" }, TransitionRecord { kT0, "before" });
    before.firings.push_back({ "p", "s0", "c0", "u", "t", "/", kT0 });
    before.circuits.emplace_back("p", CircuitRecord { 1, kT0 });
    before.sessions.emplace_back(SessionKey { "p", "s0" }, SessionRecord { "u", "", kT0, kT0 });
    before.actions = { { { "p", "s0" }, action("a0", kT0, "x0") }, { { "p", "s0" }, action("a1", kT0 + 1s) } };
    {
        auto store = openOrFail(path, retention);
        QVERIFY(store);
        QVERIFY(store->commit(before).ok());
    }
    // A rule inside the database refuses one action: the failure comes in
    // the middle of the transaction, after rows of every other table.
    QCOMPARE(execSql(path,
                 "CREATE TRIGGER refuse_boom BEFORE INSERT ON actions WHEN NEW.event = 'boom' "
                 "BEGIN SELECT RAISE(ABORT, 'forced failure'); END"),
        QString());

    const auto unchanged = [&](const Store& store) {
        QVERIFY(store.conversation({ "p", "c0" }) == r0);
        QVERIFY(!store.conversation({ "p", "c1" }));
        const auto log = store.transitions({ "p", "c0" }, 10);
        QCOMPARE(log.size(), std::size_t(1));
        QCOMPARE(log[0].event, std::string("before"));
        QCOMPARE(store.countFirings({ "p", std::nullopt, std::nullopt, kT0 }), 1);
        QCOMPARE(store.firings("p", 10).size(), std::size_t(1));
        QVERIFY(!store.lastFiring({ "p", "c1" }, "t"));
        QVERIFY((store.circuit("p") == CircuitRecord { 1, kT0 }));
        QCOMPARE(store.sessionCount(), std::size_t(1));
        QCOMPARE(store.session({ "p", "s0" })->lastSeen, kT0);
        QVERIFY(!store.session({ "p", "s1" }));
        QVERIFY(!store.lastOffer({ "p", "s1" }));
        QStringList titles;
        store.visitActions({ "p", "s0" }, [&](std::span<const ActionRecord> actions) {
            for (const ActionRecord& a : actions)
                titles << QString::fromStdString(a.rawUrl);
        });
        QCOMPARE(titles.join(QLatin1Char(' ')), QStringLiteral("a0 a1"));
    };

    auto store = openOrFail(path, retention);
    QVERIFY(store);
    StoreWrite failing;
    failing.erasedConversations.push_back({ "p", "c0" });
    failing.conversations.emplace_back(ConversationKey { "p", "c1" }, ConversationRecord {});
    failing.transitions.emplace_back(ConversationKey { "p", "c0" }, TransitionRecord { kT0 + 1s, "after" });
    failing.firings.push_back({ "p", "s1", "c1", "u", "t", "/", kT0 + 1s });
    failing.circuits.emplace_back("p", CircuitRecord { 5, kT0 + 120s });
    failing.sessions.emplace_back(SessionKey { "p", "s0" }, SessionRecord { "u", "", kT0, kT0 + 9s });
    failing.sessions.emplace_back(SessionKey { "p", "s1" }, SessionRecord { "u", "", kT0, kT0 + 9s });
    failing.actions = { { { "p", "s0" }, action("a2", kT0 + 2s) }, { { "p", "s0" }, action("a3", kT0 + 3s) } };
    Action boom = action("boom", kT0 + 4s);
    boom.event = "boom";
    failing.actions.emplace_back(SessionKey { "p", "s1" }, boom);

    const Status status = store->commit(failing);
    QVERIFY(!status);
    QCOMPARE(status.error().code, std::string("store.write_failed"));
    QVERIFY2(QString::fromStdString(status.error().message).contains(QLatin1String("forced failure")),
        status.error().message.c_str());
    QCOMPARE(status.error().where, path);
    unchanged(*store);
    if (QTest::currentTestFailed())
        return;

    // The connection is usable again: no transaction was left open.
    StoreWrite after;
    after.conversations.emplace_back(ConversationKey { "p", "c2" }, r0);
    QVERIFY(store->commit(after).ok());
    QVERIFY(store->conversation({ "p", "c2" }) == r0);
    store.reset();

    QCOMPARE(execSql(path, "DROP TRIGGER refuse_boom"), QString());
    store = openOrFail(path, retention);
    QVERIFY(store);
    unchanged(*store);
    QVERIFY(store->conversation({ "p", "c2" }) == r0);
}

void TestSqliteStore::readsSchemaV1()
{
    QFile fixture(QStringLiteral(PROACTIVE_TEST_DATA "/store/schema-v1.sql"));
    QVERIFY(fixture.open(QIODevice::ReadOnly));
    QTemporaryDir dir;
    const std::string path = pathIn(dir, "v1.db");
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    const int loaded = sqlite3_exec(db, fixture.readAll().constData(), nullptr, nullptr, nullptr);
    const QString message = QString::fromUtf8(sqlite3_errmsg(db));
    sqlite3_close(db);
    QVERIFY2(loaded == SQLITE_OK, qPrintable(message));

    auto store = openOrFail(path);
    QVERIFY(store);
    const auto conversation = store->conversation({ "demo", "proactive:s1" });
    QVERIFY(conversation);
    QCOMPARE(conversation->state, FsmState::ConservativeAssistance);
    QCOMPARE(conversation->dismissals, 2);
    QCOMPARE(conversation->cooldownUntil, fromEpochMs(1'700'000'901'000));
    const auto offered = store->conversation({ "demo", "proactive:s2" });
    QVERIFY(offered);
    QCOMPARE(offered->activeTriggerId, std::string("stuck-on-projects"));
    QCOMPARE(offered->interactionTimeout, Duration(45s));

    const auto log = store->transitions({ "demo", "proactive:s1" }, 10);
    QCOMPARE(log.size(), std::size_t(2));
    QCOMPARE(log[1].event, std::string("proactive_dismissed"));
    QCOMPARE(log[1].to, FsmState::ConservativeAssistance);

    QCOMPARE(store->firings("demo", 10).size(), std::size_t(2));
    QCOMPARE(store->countFirings({ "demo", std::nullopt, "user-1", fromEpochMs(1'700'000'000'000) }), 2);
    QCOMPARE(store->lastFiring({ "demo", "proactive:s0" }, "welcome"), std::optional(fromEpochMs(1'600'000'000'000)));
    QCOMPARE(store->lastOffer({ "demo", "s2" }), std::optional(fromEpochMs(1'700'000'003'000)));
    QVERIFY((store->circuit("demo") == CircuitRecord { 2, {} }));
    QCOMPARE(store->sessionCount(), std::size_t(2));
    QCOMPARE(store->latestSessionOf("demo", "user-1"), std::optional<std::string>("s2"));
    QCOMPARE(store->session({ "demo", "s2" })->previousSessionId, std::string("s1"));

    bool visited = false;
    store->visitActions({ "demo", "s1" }, [&](std::span<const ActionRecord> actions) {
        visited = true;
        QCOMPARE(actions.size(), std::size_t(2));
        QVERIFY(actions[0].type == ActionType::Pageview);
        QCOMPARE(actions[0].timestampEnd, actions[1].timestampStart);
        const ActionRecord& click = actions[1];
        QVERIFY(click.type == ActionType::Click);
        QCOMPARE(actionOf(click).description, std::string("Clicked button 'Add Project' on /projects/:id"));
        QCOMPARE(click.element().tag, std::string("button"));
        QCOMPARE(click.element().selector, std::string("[data-tour-id=\"add-project\"]"));
        QCOMPARE(click.element().attr("data-tour-id") ? *click.element().attr("data-tour-id") : std::string(),
            std::string("add-project"));
        QCOMPARE(click.element().classes, (std::vector<std::string> { "btn", "primary" }));
        QCOMPARE(click.element().nthChild, std::optional(2));
        QCOMPARE(click.property("seats") ? *click.property("seats") : std::string(), std::string("3"));
        QCOMPARE(click.timestampEnd, click.timestampStart);
    });
    QVERIFY(visited);
    // Version 1 has no uuid index on disk: the duplicate check's index is built on load.
    QVERIFY(store->hasActionUuid({ "demo", "s1" }, "uuid-0"));
    QVERIFY(store->hasActionUuid({ "demo", "s1" }, "uuid-1"));
    QVERIFY(!store->hasActionUuid({ "demo", "s2" }, "uuid-0"));

    // Opening migrated the file: its sessions have no linked id, and one
    // written now is kept across a restart.
    SessionRecord linked = *store->session({ "demo", "s2" });
    QCOMPARE(linked.linkedDistinctId, std::string());
    linked.linkedDistinctId = "anon-1";
    StoreWrite write;
    write.sessions.emplace_back(SessionKey { "demo", "s2" }, linked);
    QVERIFY(store->commit(write));
    store.reset();
    QCOMPARE(scalar(path, "PRAGMA user_version"), qint64(SqliteStore::kSchemaVersion));
    store = openOrFail(path);
    QVERIFY(store);
    QCOMPARE(store->session({ "demo", "s2" }), std::optional(linked));
    QCOMPARE(store->latestSessionOf("demo", "anon-1"), std::optional<std::string>("s2"));
}

void TestSqliteStore::readsSchemaV2()
{
    QFile fixture(QStringLiteral(PROACTIVE_TEST_DATA "/store/schema-v2.sql"));
    QVERIFY(fixture.open(QIODevice::ReadOnly));
    QTemporaryDir dir;
    const std::string path = pathIn(dir, "v2.db");
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    const int loaded = sqlite3_exec(db, fixture.readAll().constData(), nullptr, nullptr, nullptr);
    const QString message = QString::fromUtf8(sqlite3_errmsg(db));
    sqlite3_close(db);
    QVERIFY2(loaded == SQLITE_OK, qPrintable(message));
    QCOMPARE(scalar(path, "PRAGMA user_version"), qint64(2));

    // Everything version 2 held is still there after the migration to 3 (users' offer histories).
    auto store = openOrFail(path);
    QVERIFY(store);
    QCOMPARE(store->conversation({ "demo", "proactive:s1" })->dismissals, 2);
    QCOMPARE(store->transitions({ "demo", "proactive:s1" }, 10).size(), std::size_t(2));
    QCOMPARE(store->firings("demo", 10).size(), std::size_t(2));
    QCOMPARE(store->lastOffer({ "demo", "s2" }), std::optional(fromEpochMs(1'700'000'003'000)));
    QCOMPARE(store->sessionCount(), std::size_t(2));
    QCOMPARE(store->session({ "demo", "s2" })->linkedDistinctId, std::string("anon-1"));
    QCOMPARE(store->latestSessionOf("demo", "anon-1"), std::optional<std::string>("s2"));
    QVERIFY(store->hasActionUuid({ "demo", "s1" }, "uuid-1"));
    QVERIFY(store->userHistory("demo", "id:user-1").empty());

    StoreWrite write;
    write.userHistory = { { "demo", "id:user-1", "stuck-on-projects", "nudge", UserHistoryEvent::Kind::Offer,
                              fromEpochMs(1'700'000'010'000) },
        { "demo", "id:user-1", "stuck-on-projects", "", UserHistoryEvent::Kind::Interaction,
            fromEpochMs(1'700'000'011'000) } };
    QVERIFY(store->commit(write));
    store.reset();
    QCOMPARE(scalar(path, "PRAGMA user_version"), qint64(SqliteStore::kSchemaVersion));
    store = openOrFail(path);
    QVERIFY(store);
    const auto history = store->userHistory("demo", "id:user-1");
    QCOMPARE(history.size(), std::size_t(1));
    QCOMPARE(history[0].offers, std::int64_t(1));
    QCOMPARE(history[0].interactions, std::int64_t(1));
    QCOMPARE(history[0].group, std::string("nudge"));
    QVERIFY((history[0].recentOffers == std::vector<Timestamp> { fromEpochMs(1'700'000'010'000) }));
    QCOMPARE(store->session({ "demo", "s2" })->linkedDistinctId, std::string("anon-1"));
}

void TestSqliteStore::expiredSessionsLeaveTheFile_data()
{
    QTest::addColumn<bool>("sweep"); // expire p's old sessions by a commit, before closing
    QTest::addColumn<qint64>("cutoffP"); // ms after kT0 at the next open; -1: no cutoff for p
    QTest::addColumn<qint64>("cutoffOthers"); // for products not listed; -1: kept
    QTest::addColumn<qint64>("sessions"); // rows left, and sessions loaded by the next open
    QTest::addColumn<qint64>("actions"); // rows left

    // p: ten old sessions (last seen at kT0, three actions each) and three
    // live ones (an hour later, two actions each); q: two old sessions of
    // one action each, a product the cutoffs may not list.
    QTest::newRow("nothing-expires") << false << qint64(-1) << qint64(-1) << qint64(15) << qint64(38);
    QTest::newRow("swept-while-open") << true << qint64(-1) << qint64(-1) << qint64(5) << qint64(8);
    QTest::newRow("expired-while-closed") << false << qint64(1) << qint64(-1) << qint64(5) << qint64(8);
    QTest::newRow("last-seen-at-the-cutoff-stays") << false << qint64(0) << qint64(-1) << qint64(15) << qint64(38);
    QTest::newRow("products-not-listed") << false << qint64(1) << qint64(1) << qint64(3) << qint64(6);
}

void TestSqliteStore::expiredSessionsLeaveTheFile()
{
    QFETCH(bool, sweep);
    QFETCH(qint64, cutoffP);
    QFETCH(qint64, cutoffOthers);
    QFETCH(qint64, sessions);
    QFETCH(qint64, actions);

    QTemporaryDir dir;
    const std::string path = pathIn(dir, "store.db");
    {
        auto store = openOrFail(path);
        QVERIFY(store);
        StoreWrite write;
        const auto add = [&](const char* product, const std::string& session, Timestamp lastSeen, int count) {
            write.sessions.push_back(
                { { product, session }, { "user-" + session, "", lastSeen, lastSeen, count, "" } });
            for (int i = 0; i < count; ++i)
                write.actions.push_back({ { product, session },
                    action(session + "/" + std::to_string(i), lastSeen, session + "-" + std::to_string(i)) });
        };
        for (int i = 0; i < 10; ++i)
            add("p", "old" + std::to_string(i), kT0, 3);
        for (int i = 0; i < 3; ++i)
            add("p", "live" + std::to_string(i), kT0 + 1h, 2);
        for (int i = 0; i < 2; ++i)
            add("q", "old" + std::to_string(i), kT0, 1);
        write.firings.push_back({ "p", "old0", "proactive:old0", "user-old0", "t", "/", kT0 });
        QVERIFY(store->commit(write).ok());
        if (sweep) {
            StoreWrite expire;
            for (const std::string& id : store->idleSessions("p", kT0 + 1s, 100))
                expire.expiredSessions.push_back({ "p", id });
            QCOMPARE(expire.expiredSessions.size(), std::size_t(10));
            QVERIFY(store->commit(expire).ok());
            QCOMPARE(store->sessionCount(), std::size_t(sessions));
        }
    }

    SessionCutoffs cutoffs;
    if (cutoffP >= 0)
        cutoffs.products.emplace_back("p", kT0 + Duration(cutoffP));
    if (cutoffOthers >= 0)
        cutoffs.others = kT0 + Duration(cutoffOthers);
    {
        auto opened = SqliteStore::open(path, {}, cutoffs);
        QVERIFY2(opened, opened ? "" : opened.error().toString().c_str());
        const auto& store = *opened;
        // Expired sessions are not loaded…
        QCOMPARE(qint64(store->sessionCount()), sessions);
        QVERIFY(store->session({ "p", "live0" }));
        QVERIFY(store->hasActionUuid({ "p", "live0" }, "live0-1"));
        QCOMPARE(bool(store->session({ "p", "old0" })), sessions > 5);
        QCOMPARE(store->hasActionUuid({ "p", "old0" }, "old0-2"), sessions > 5);
        QCOMPARE(store->idleSessions("p", kT0 + 2h, 100).size(), std::size_t(sessions > 5 ? 13 : 3));
        // …and what their offers leave stays for the quota counts (SPEC §8).
        QCOMPARE(store->countFirings({ "p", std::string("old0"), std::nullopt, kT0 }), 1);
        QVERIFY(store->lastOffer({ "p", "old0" }));
    }
    // …nor left on disk.
    QCOMPARE(scalar(path, "SELECT count(*) FROM sessions"), sessions);
    QCOMPARE(scalar(path, "SELECT count(*) FROM actions"), actions);
    QCOMPARE(scalar(path, "SELECT count(*) FROM last_offers"), qint64(1));
}

QTEST_GUILESS_MAIN(TestSqliteStore)
#include "tst_sqlitestore.moc"
