// Connector::ingest's duplicate check by uuid, on MemoryStore and on a real
// SQLite file: across calls, across a restart (a new connector over the
// reopened file), per session and product, never for events without uuid,
// and only against the retained actions.

#include "connector/connector.h"
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

namespace {

const Timestamp kStart = *parseIsoTimestamp("2024-05-01T12:00:00Z");

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
    Harness(bool sqlite, std::size_t retained)
        : m_sqlite(sqlite)
        , m_workspace(twoProducts())
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
QString describe(const Store& store, const QStringList& sessions)
{
    QStringList out;
    for (const QString& name : sessions) {
        const QStringList parts = name.split(QLatin1Char('/'));
        const SessionKey key { parts[0].toStdString(), parts[1].toStdString() };
        QStringList uuids;
        store.visitActions(key, [&](std::span<const Action> actions) {
            for (const Action& action : actions)
                uuids << (action.uuid.empty() ? QStringLiteral("-") : QString::fromStdString(action.uuid));
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
            action.rawUrl = "https://app.example.com/projects/acme";
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

QTEST_GUILESS_MAIN(TestConnector)
#include "tst_connector.moc"
