#include "store/sqlitestore.h"

#include "intake/posthogintake.h"
#include "store/recordcodec.h"

#include <array>
#include <charconv>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <type_traits>

namespace proactive {

namespace {

    using nlohmann::json;
    using namespace recordcodec;

    // A previous owner of the file (a process being restarted) gets this long
    // to let go of it. Once open, nobody else can hold a lock on the file.
    constexpr int kBusyTimeoutMs = 2000;

    // Each step takes a file from version N to N + 1, in one transaction with
    // the version bump; kMigrations[0] reads version 1.
    constexpr std::array<const char*, SqliteStore::kSchemaVersion - 1> kMigrations {
        // 2: identity links (SPEC §8 §1 Identity).
        "ALTER TABLE sessions ADD COLUMN linked_distinct_id TEXT NOT NULL DEFAULT '';",
        // 3: each user's offer history (SPEC §8 "§3 Frequency and experiments").
        R"sql(CREATE TABLE user_history (
    product_id TEXT NOT NULL,
    user_key TEXT NOT NULL,
    trigger_id TEXT NOT NULL,
    group_name TEXT NOT NULL,
    offers INTEGER NOT NULL,
    recent_offers TEXT NOT NULL,
    interactions INTEGER NOT NULL,
    PRIMARY KEY (product_id, user_key, trigger_id)
) WITHOUT ROWID;)sql",
    };

    constexpr const char* kSchema = R"sql(
CREATE TABLE conversations (
    product_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    state TEXT NOT NULL,
    entered_at INTEGER NOT NULL,
    last_event_at INTEGER NOT NULL,
    dismissals INTEGER NOT NULL,
    cooldown_until INTEGER NOT NULL,
    silenced INTEGER NOT NULL,
    active_trigger_id TEXT NOT NULL,
    interaction_timeout_ms INTEGER NOT NULL,
    PRIMARY KEY (product_id, conversation_id)
) WITHOUT ROWID;
CREATE TABLE transitions (
    id INTEGER PRIMARY KEY,
    product_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    event TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    cause TEXT NOT NULL
);
CREATE INDEX transitions_by_conversation ON transitions (product_id, conversation_id);
CREATE TABLE firings (
    id INTEGER PRIMARY KEY,
    product_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    distinct_id TEXT NOT NULL,
    trigger_id TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX firings_by_product ON firings (product_id, at);
CREATE TABLE last_firings (
    product_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    trigger_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (product_id, conversation_id, trigger_id)
) WITHOUT ROWID;
CREATE TABLE last_offers (
    product_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (product_id, session_id)
) WITHOUT ROWID;
CREATE TABLE circuits (
    product_id TEXT NOT NULL PRIMARY KEY,
    consecutive_failures INTEGER NOT NULL,
    open_until INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE sessions (
    product_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    distinct_id TEXT NOT NULL,
    email TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    action_count INTEGER NOT NULL,
    previous_session_id TEXT NOT NULL,
    linked_distinct_id TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (product_id, session_id)
) WITHOUT ROWID;
CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    product_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    ts_start INTEGER NOT NULL,
    action_index INTEGER NOT NULL,
    type TEXT NOT NULL,
    event TEXT NOT NULL,
    uuid TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    raw_url TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    action_session_id TEXT NOT NULL,
    distinct_id TEXT NOT NULL,
    email TEXT NOT NULL,
    element TEXT,
    elements_chain TEXT NOT NULL,
    properties TEXT
);
CREATE INDEX actions_by_session ON actions (product_id, session_id, ts_start);
CREATE TABLE user_history (
    product_id TEXT NOT NULL,
    user_key TEXT NOT NULL,
    trigger_id TEXT NOT NULL,
    group_name TEXT NOT NULL,
    offers INTEGER NOT NULL,
    recent_offers TEXT NOT NULL,
    interactions INTEGER NOT NULL,
    PRIMARY KEY (product_id, user_key, trigger_id)
) WITHOUT ROWID;
)sql";

    class Statement {
    public:
        Statement() = default;
        Statement(const Statement&) = delete;
        Statement& operator=(const Statement&) = delete;
        ~Statement() { sqlite3_finalize(m_statement); }

        int prepare(sqlite3* db, const char* sql)
        {
            return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &m_statement, nullptr);
        }
        sqlite3_stmt* get() const { return m_statement; }

    private:
        sqlite3_stmt* m_statement = nullptr;
    };

    template<typename T> struct IsOptional : std::false_type { };
    template<typename T> struct IsOptional<std::optional<T>> : std::true_type { };

    template<typename T> int bindValue(sqlite3_stmt* statement, int index, const T& value)
    {
        if constexpr (std::is_same_v<T, Timestamp>) {
            return sqlite3_bind_int64(statement, index, toEpochMs(value));
        } else if constexpr (std::is_same_v<T, Duration>) {
            return sqlite3_bind_int64(statement, index, value.count());
        } else if constexpr (std::is_integral_v<T>) {
            return sqlite3_bind_int64(statement, index, static_cast<sqlite3_int64>(value));
        } else if constexpr (IsOptional<T>::value) {
            return value ? bindValue(statement, index, *value) : sqlite3_bind_null(statement, index);
        } else {
            // A default-constructed string_view has no data; SQLite would store NULL.
            const std::string_view text(value);
            return sqlite3_bind_text64(
                statement, index, text.empty() ? "" : text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
        }
    }

    std::string columnText(sqlite3_stmt* statement, int column)
    {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
        if (!text)
            return {};
        return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, column)));
    }

    Timestamp columnTime(sqlite3_stmt* statement, int column)
    {
        return fromEpochMs(sqlite3_column_int64(statement, column));
    }

    std::string codeForSqlite(int result, const char* otherwise)
    {
        switch (result & 0xff) {
        case SQLITE_CANTOPEN:
            return "store.cannot_open";
        case SQLITE_READONLY:
        case SQLITE_PERM:
            return "store.read_only";
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return "store.locked";
        case SQLITE_NOTADB:
            return "store.not_a_database";
        case SQLITE_CORRUPT:
            return "store.corrupt";
        case SQLITE_IOERR:
        case SQLITE_FULL:
            return "store.io_error";
        default:
            return otherwise;
        }
    }

} // namespace

struct SqliteStore::Connection {
    std::string path;
    sqlite3* db = nullptr;

    Statement begin;
    Statement commit;
    Statement rollback;
    Statement upsertConversation;
    Statement eraseConversation;
    Statement insertTransition;
    Statement dropTransitions;
    Statement insertFiring;
    Statement pruneFirings;
    Statement upsertLastFiring;
    Statement upsertLastOffer;
    Statement upsertCircuit;
    Statement upsertSession;
    Statement insertAction;
    Statement dropActions;
    Statement expireActions;
    Statement expireSession;
    Statement upsertUserHistory;

    Connection() = default;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    // close_v2 waits for the statements, which are finalised right after this body.
    ~Connection() { sqlite3_close_v2(db); }

    // SQLite's own words for the last failure, with the path in front.
    Error failure(int result, std::string_view doing, const char* otherwise) const
    {
        std::string reason = db ? sqlite3_errmsg(db) : sqlite3_errstr(result);
        if (reason.empty() || reason == "not an error")
            reason = sqlite3_errstr(result);
        if ((result & 0xff) == SQLITE_BUSY)
            reason += " (another process has the store open)";
        return Error { codeForSqlite(result, otherwise), std::string(doing) + " " + path + ": " + reason, path };
    }

    Status exec(const char* sql, std::string_view doing)
    {
        const int result = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
        if (result != SQLITE_OK)
            return failure(result, doing, "store.sqlite_error");
        return Ok {};
    }

    Result<std::int64_t> queryInt(const char* sql, std::string_view doing)
    {
        Statement statement;
        int result = statement.prepare(db, sql);
        if (result == SQLITE_OK)
            result = sqlite3_step(statement.get());
        if (result != SQLITE_ROW)
            return failure(result, doing, "store.sqlite_error");
        return static_cast<std::int64_t>(sqlite3_column_int64(statement.get(), 0));
    }

    Result<std::string> queryText(const char* sql, std::string_view doing)
    {
        Statement statement;
        int result = statement.prepare(db, sql);
        if (result == SQLITE_OK)
            result = sqlite3_step(statement.get());
        if (result != SQLITE_ROW)
            return failure(result, doing, "store.sqlite_error");
        return columnText(statement.get(), 0);
    }

    template<typename... Args> Status run(Statement& statement, const Args&... args)
    {
        sqlite3_stmt* handle = statement.get();
        int index = 0;
        int result = SQLITE_OK;
        ((result = result == SQLITE_OK ? bindValue(handle, ++index, args) : result), ...);
        if (result == SQLITE_OK) {
            result = sqlite3_step(handle);
            if (result == SQLITE_DONE)
                result = SQLITE_OK;
        }
        std::optional<Error> error;
        if (result != SQLITE_OK)
            error = failure(result, "cannot write to", "store.write_failed");
        sqlite3_reset(handle);
        sqlite3_clear_bindings(handle);
        if (error)
            return *error;
        return Ok {};
    }
};

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(
    const std::string& path, StoreRetention retention, const SessionCutoffs& expiry)
{
    auto connection = std::make_unique<Connection>();
    connection->path = path;
    Connection& c = *connection;

    const int opened = sqlite3_open_v2(path.c_str(), &c.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    if (opened != SQLITE_OK) {
        const std::filesystem::path directory = std::filesystem::path(path).parent_path();
        std::error_code ignored;
        if (!directory.empty() && !std::filesystem::is_directory(directory, ignored))
            return Error { "store.cannot_open",
                "cannot open " + path + ": directory " + directory.string() + " does not exist", path };
        if (std::filesystem::is_directory(path, ignored))
            return Error { "store.cannot_open", "cannot open " + path + ": it is a directory", path };
        return c.failure(opened, "cannot open", "store.cannot_open");
    }
    sqlite3_extended_result_codes(c.db, 1);
    // SQLite falls back to read-only without a word when it may not write.
    if (sqlite3_db_readonly(c.db, "main") == 1)
        return Error { "store.read_only", "cannot open " + path + ": the file is read-only", path };
    sqlite3_busy_timeout(c.db, kBusyTimeoutMs);

    // Exclusive locking before WAL: no shared-memory index is created and the
    // first read takes the lock for as long as the store is open.
    if (auto status = c.exec("PRAGMA locking_mode=EXCLUSIVE", "cannot configure"); !status)
        return status.error();
    auto journal = c.queryText("PRAGMA journal_mode=WAL", "cannot read");
    if (!journal)
        return journal.error();
    if (*journal != "wal")
        return Error { "store.cannot_open",
            "cannot open " + path + ": SQLite cannot use a write-ahead log here (journal mode " + *journal + ")",
            path };
    // NORMAL in WAL mode: a committed transaction survives a crash of the
    // process; only a power loss or OS crash may drop the last ones before
    // the next checkpoint, never corrupt the file.
    if (auto status = c.exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF", "cannot configure"); !status)
        return status.error();

    auto applicationId = c.queryInt("PRAGMA application_id", "cannot read");
    if (!applicationId)
        return applicationId.error();
    auto version = c.queryInt("PRAGMA user_version", "cannot read");
    if (!version)
        return version.error();
    auto objects = c.queryInt("SELECT count(*) FROM sqlite_master", "cannot read");
    if (!objects)
        return objects.error();

    if (*applicationId == kApplicationId) {
        if (*version > kSchemaVersion)
            return Error { "store.newer_schema",
                "cannot open " + path + ": its schema version " + std::to_string(*version)
                    + " is newer than this build supports (" + std::to_string(kSchemaVersion) + ")",
                path };
        if (*version < 1)
            return Error { "store.unknown_schema",
                "cannot open " + path + ": unknown schema version " + std::to_string(*version), path };
        for (auto from = *version; from < kSchemaVersion; ++from) {
            const std::string migrate = std::string("BEGIN IMMEDIATE;")
                + kMigrations[static_cast<std::size_t>(from - 1)] + "PRAGMA user_version=" + std::to_string(from + 1)
                + "; COMMIT;";
            if (auto status = c.exec(migrate.c_str(), "cannot migrate the schema of"); !status) {
                sqlite3_exec(c.db, "ROLLBACK", nullptr, nullptr, nullptr);
                return status.error();
            }
        }
    } else if (*applicationId == 0 && *objects == 0) {
        const std::string create = std::string("BEGIN IMMEDIATE;") + kSchema + "PRAGMA application_id="
            + std::to_string(kApplicationId) + "; PRAGMA user_version=" + std::to_string(kSchemaVersion) + "; COMMIT;";
        if (auto status = c.exec(create.c_str(), "cannot create the schema in"); !status) {
            sqlite3_exec(c.db, "ROLLBACK", nullptr, nullptr, nullptr);
            return status.error();
        }
    } else {
        return Error { "store.foreign_database",
            "cannot open " + path + ": it is an SQLite database of another application (application_id "
                + std::to_string(*applicationId) + ", user_version " + std::to_string(*version) + ")",
            path };
    }

    const std::pair<Statement*, const char*> statements[] {
        { &c.begin, "BEGIN IMMEDIATE" },
        { &c.commit, "COMMIT" },
        { &c.rollback, "ROLLBACK" },
        { &c.upsertConversation,
            "INSERT OR REPLACE INTO conversations (product_id, conversation_id, state, entered_at, last_event_at, "
            "dismissals, cooldown_until, silenced, active_trigger_id, interaction_timeout_ms) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" },
        { &c.eraseConversation, "DELETE FROM conversations WHERE product_id = ? AND conversation_id = ?" },
        { &c.insertTransition,
            "INSERT INTO transitions (product_id, conversation_id, at, event, from_state, to_state, cause) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)" },
        { &c.dropTransitions,
            "DELETE FROM transitions WHERE id IN (SELECT id FROM transitions "
            "WHERE product_id = ?1 AND conversation_id = ?2 ORDER BY id LIMIT ?3)" },
        { &c.insertFiring,
            "INSERT INTO firings (product_id, session_id, conversation_id, distinct_id, trigger_id, canonical_url, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)" },
        { &c.pruneFirings,
            "DELETE FROM firings WHERE product_id = ?1 AND at < ?2 AND id NOT IN (SELECT id FROM firings "
            "WHERE product_id = ?1 ORDER BY at DESC, id DESC LIMIT ?3)" },
        { &c.upsertLastFiring,
            "INSERT INTO last_firings (product_id, conversation_id, trigger_id, at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (product_id, conversation_id, trigger_id) DO UPDATE SET at = max(at, excluded.at)" },
        { &c.upsertLastOffer,
            "INSERT INTO last_offers (product_id, session_id, at) VALUES (?, ?, ?) "
            "ON CONFLICT (product_id, session_id) DO UPDATE SET at = max(at, excluded.at)" },
        { &c.upsertCircuit,
            "INSERT OR REPLACE INTO circuits (product_id, consecutive_failures, open_until) VALUES (?, ?, ?)" },
        { &c.upsertSession,
            "INSERT OR REPLACE INTO sessions (product_id, session_id, distinct_id, email, first_seen, last_seen, "
            "action_count, previous_session_id, linked_distinct_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)" },
        { &c.insertAction,
            "INSERT INTO actions (product_id, session_id, ts_start, action_index, type, event, uuid, title, "
            "description, raw_url, canonical_url, action_session_id, distinct_id, email, element, elements_chain, "
            "properties) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" },
        { &c.dropActions,
            "DELETE FROM actions WHERE id IN (SELECT id FROM actions "
            "WHERE product_id = ?1 AND session_id = ?2 ORDER BY ts_start, id LIMIT ?3)" },
        { &c.expireActions, "DELETE FROM actions WHERE product_id = ? AND session_id = ?" },
        { &c.expireSession, "DELETE FROM sessions WHERE product_id = ? AND session_id = ?" },
        { &c.upsertUserHistory,
            "INSERT OR REPLACE INTO user_history (product_id, user_key, trigger_id, group_name, offers, recent_offers, "
            "interactions) VALUES (?, ?, ?, ?, ?, ?, ?)" },
    };
    for (const auto& [statement, sql] : statements)
        if (const int result = statement->prepare(c.db, sql); result != SQLITE_OK)
            return c.failure(result, "schema does not match in", "store.unknown_schema");

    std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(connection), retention));
    if (auto status = store->deleteExpired(expiry); !status)
        return status.error();
    if (auto status = store->load(); !status)
        return status.error();
    return store;
}

Status SqliteStore::deleteExpired(const SessionCutoffs& expiry)
{
    Connection& c = *m_connection;
    std::vector<std::string> products;
    {
        Statement statement;
        int result = statement.prepare(c.db, "SELECT DISTINCT product_id FROM sessions");
        while (result == SQLITE_OK || result == SQLITE_ROW) {
            result = sqlite3_step(statement.get());
            if (result == SQLITE_ROW)
                products.push_back(columnText(statement.get(), 0));
        }
        if (result != SQLITE_DONE)
            return c.failure(result, "cannot read", "store.sqlite_error");
    }
    Statement actions;
    Statement sessions;
    if (const int result = actions.prepare(c.db,
            "DELETE FROM actions WHERE product_id = ?1 AND session_id IN "
            "(SELECT session_id FROM sessions WHERE product_id = ?1 AND last_seen < ?2)");
        result != SQLITE_OK)
        return c.failure(result, "schema does not match in", "store.unknown_schema");
    if (const int result = sessions.prepare(c.db, "DELETE FROM sessions WHERE product_id = ?1 AND last_seen < ?2");
        result != SQLITE_OK)
        return c.failure(result, "schema does not match in", "store.unknown_schema");
    // One transaction per product: a large backlog is not one huge log.
    for (const std::string& product : products) {
        const auto cutoff = expiry.of(product);
        if (!cutoff)
            continue;
        auto status = c.run(c.begin);
        if (status)
            status = c.run(actions, product, *cutoff);
        if (status)
            status = c.run(sessions, product, *cutoff);
        if (status)
            status = c.run(c.commit);
        if (!status) {
            if (!sqlite3_get_autocommit(c.db))
                (void)c.run(c.rollback);
            return status;
        }
    }
    return Ok {};
}

SqliteStore::SqliteStore(std::unique_ptr<Connection> connection, StoreRetention retention)
    : m_connection(std::move(connection))
    , m_memory(retention)
{ }

SqliteStore::~SqliteStore() = default;

const std::string& SqliteStore::path() const
{
    return m_connection->path;
}

template<typename Target> Status SqliteStore::readRows(Target& target) const
{
    Connection& c = *m_connection;
    // Runs `sql` and hands every row to `row`, which returns false for a row
    // it cannot make sense of.
    const auto each = [&](const char* table, const char* sql, const auto& row) -> Status {
        Statement statement;
        int result = statement.prepare(c.db, sql);
        while (result == SQLITE_OK || result == SQLITE_ROW) {
            result = sqlite3_step(statement.get());
            if (result == SQLITE_ROW && !row(statement.get()))
                return Error { "store.corrupt",
                    "cannot read " + c.path + ": table " + table + ", row (" + columnText(statement.get(), 0) + ", "
                        + columnText(statement.get(), 1) + "), holds values this build cannot read",
                    c.path };
        }
        if (result != SQLITE_DONE)
            return c.failure(result, "cannot read", "store.sqlite_error");
        return Ok {};
    };

    auto status = each("conversations",
        "SELECT product_id, conversation_id, state, entered_at, last_event_at, dismissals, cooldown_until, silenced, "
        "active_trigger_id, interaction_timeout_ms FROM conversations",
        [&](sqlite3_stmt* s) {
            const auto state = fromCode<FsmState>(kStateCodes, columnText(s, 2));
            if (!state)
                return false;
            ConversationRecord record;
            record.state = *state;
            record.enteredAt = columnTime(s, 3);
            record.lastEventAt = columnTime(s, 4);
            record.dismissals = sqlite3_column_int(s, 5);
            record.cooldownUntil = columnTime(s, 6);
            record.silenced = sqlite3_column_int(s, 7) != 0;
            record.activeTriggerId = columnText(s, 8);
            record.interactionTimeout = Duration(sqlite3_column_int64(s, 9));
            target.restoreConversation({ columnText(s, 0), columnText(s, 1) }, std::move(record));
            return true;
        });
    if (status)
        status = each("transitions",
            "SELECT product_id, conversation_id, at, event, from_state, to_state, cause FROM transitions ORDER BY id",
            [&](sqlite3_stmt* s) {
                const auto from = fromCode<FsmState>(kStateCodes, columnText(s, 4));
                const auto to = fromCode<FsmState>(kStateCodes, columnText(s, 5));
                if (!from || !to)
                    return false;
                target.restoreTransition({ columnText(s, 0), columnText(s, 1) },
                    { columnTime(s, 2), columnText(s, 3), *from, *to, columnText(s, 6) });
                return true;
            });
    if (status)
        status = each("firings",
            "SELECT product_id, session_id, conversation_id, distinct_id, trigger_id, canonical_url, at FROM firings "
            "ORDER BY id",
            [&](sqlite3_stmt* s) {
                target.restoreFiring({ columnText(s, 0), columnText(s, 1), columnText(s, 2), columnText(s, 3),
                    columnText(s, 4), columnText(s, 5), columnTime(s, 6) });
                return true;
            });
    if (status)
        status = each("last_firings", "SELECT product_id, conversation_id, trigger_id, at FROM last_firings",
            [&](sqlite3_stmt* s) {
                target.restoreLastFiring({ columnText(s, 0), columnText(s, 1) }, columnText(s, 2), columnTime(s, 3));
                return true;
            });
    if (status)
        status = each("last_offers", "SELECT product_id, session_id, at FROM last_offers", [&](sqlite3_stmt* s) {
            target.restoreLastOffer({ columnText(s, 0), columnText(s, 1) }, columnTime(s, 2));
            return true;
        });
    if (status)
        status = each(
            "circuits", "SELECT product_id, consecutive_failures, open_until FROM circuits", [&](sqlite3_stmt* s) {
                target.restoreCircuit(columnText(s, 0), { sqlite3_column_int(s, 1), columnTime(s, 2) });
                return true;
            });
    if (status)
        status = each("sessions",
            "SELECT product_id, session_id, distinct_id, email, first_seen, last_seen, action_count, "
            "previous_session_id, linked_distinct_id FROM sessions",
            [&](sqlite3_stmt* s) {
                target.restoreSession({ columnText(s, 0), columnText(s, 1) },
                    { columnText(s, 2), columnText(s, 3), columnTime(s, 4), columnTime(s, 5),
                        sqlite3_column_int64(s, 6), columnText(s, 7), columnText(s, 8) });
                return true;
            });
    if (status)
        status = each("user_history",
            "SELECT product_id, user_key, trigger_id, group_name, offers, recent_offers, interactions FROM "
            "user_history",
            [&](sqlite3_stmt* s) {
                TriggerHistory history { columnText(s, 2), columnText(s, 3), sqlite3_column_int64(s, 4), {},
                    sqlite3_column_int64(s, 6) };
                if (!decodeTimes(columnText(s, 5), history.recentOffers)
                    || !std::is_sorted(history.recentOffers.begin(), history.recentOffers.end()))
                    return false;
                target.restoreUserHistory(columnText(s, 0), columnText(s, 1), std::move(history));
                return true;
            });
    if (status)
        status = each("actions",
            "SELECT product_id, session_id, ts_start, action_index, type, event, uuid, title, description, raw_url, "
            "canonical_url, action_session_id, distinct_id, email, element, elements_chain, properties FROM actions "
            "ORDER BY product_id, session_id, ts_start, id",
            [&](sqlite3_stmt* s) {
                const auto type = fromCode<ActionType>(kActionTypeCodes, columnText(s, 4));
                if (!type)
                    return false;
                Action action;
                action.timestampStart = columnTime(s, 2);
                action.index = sqlite3_column_int64(s, 3);
                action.type = *type;
                action.event = columnText(s, 5);
                action.uuid = columnText(s, 6);
                action.title = columnText(s, 7);
                action.description = columnText(s, 8);
                action.rawUrl = columnText(s, 9);
                action.canonicalUrl = columnText(s, 10);
                action.sessionId = columnText(s, 11);
                action.distinctId = columnText(s, 12);
                action.email = columnText(s, 13);
                if (sqlite3_column_type(s, 14) != SQLITE_NULL && !decodeElement(columnText(s, 14), action.element))
                    return false;
                action.elementsChain = columnText(s, 15);
                if (sqlite3_column_type(s, 16) != SQLITE_NULL) {
                    const json properties = json::parse(columnText(s, 16), nullptr, false);
                    if (properties.is_discarded() || !decodePairs(properties, action.properties))
                        return false;
                }
                target.restoreAction({ columnText(s, 0), columnText(s, 1) }, action);
                return true;
            });
    return status;
}

Status SqliteStore::load()
{
    auto status = readRows(m_memory);
    if (status)
        m_memory.dropSpentOffers();
    return status;
}

namespace {

    // Rows of a SQLite file as writes to another store (`store copy`), a
    // batch at a time: the same records, in the order the file's own load
    // restores them.
    class CopyBatcher {
    public:
        static constexpr std::size_t kBatch = 500;

        CopyBatcher(Store& target, const std::function<void(std::size_t)>& progress)
            : m_target(target)
            , m_progress(progress)
        { }

        void restoreConversation(const ConversationKey& key, ConversationRecord record)
        {
            add([&] { m_write.conversations.emplace_back(key, std::move(record)); });
        }
        void restoreTransition(const ConversationKey& key, TransitionRecord transition)
        {
            add([&] { m_write.transitions.emplace_back(key, std::move(transition)); });
        }
        void restoreFiring(const FiringRecord& firing)
        {
            add([&] { m_write.firings.push_back(firing); });
        }
        void restoreLastFiring(const ConversationKey& key, std::string_view triggerId, Timestamp at)
        {
            add([&] { m_write.lastFirings.emplace_back(key, std::string(triggerId), at); });
        }
        void restoreLastOffer(const SessionKey& key, Timestamp at)
        {
            add([&] { m_write.lastOffers.emplace_back(key, at); });
        }
        void restoreCircuit(std::string productId, CircuitRecord circuit)
        {
            add([&] { m_write.circuits.emplace_back(std::move(productId), circuit); });
        }
        void restoreSession(const SessionKey& key, SessionRecord record)
        {
            add([&] { m_write.sessions.emplace_back(key, std::move(record)); });
        }
        void restoreAction(const SessionKey& key, const Action& action)
        {
            add([&] { m_write.actions.emplace_back(key, action); });
        }
        // The history as the events that make it: offers beyond the recent
        // times first, at the oldest recent time (the store keeps only the
        // newest kRecentOffers, so they leave the same times behind).
        void restoreUserHistory(std::string_view productId, std::string_view userKey, TriggerHistory history)
        {
            add([&] {
                const auto event = [&](UserHistoryEvent::Kind kind, Timestamp at) {
                    m_write.userHistory.push_back(
                        { std::string(productId), std::string(userKey), history.triggerId, history.group, kind, at });
                };
                const auto& times = history.recentOffers;
                const std::int64_t older = history.offers - static_cast<std::int64_t>(times.size());
                for (std::int64_t i = 0; i < older && !times.empty(); ++i)
                    event(UserHistoryEvent::Kind::Offer, times.front());
                for (const Timestamp at : times)
                    event(UserHistoryEvent::Kind::Offer, at);
                for (std::int64_t i = 0; i < history.interactions; ++i)
                    event(UserHistoryEvent::Kind::Interaction, times.empty() ? Timestamp {} : times.back());
            });
        }

        Status finish() { return flush(); }
        const Status& status() const { return m_status; }

    private:
        template<typename Add> void add(const Add& addTo)
        {
            if (!m_status)
                return;
            addTo();
            if (++m_pending == kBatch)
                m_status = flush();
        }
        Status flush()
        {
            if (m_pending == 0 || !m_status)
                return m_status;
            m_status = m_target.commit(m_write);
            m_copied += m_pending;
            m_pending = 0;
            m_write = {};
            if (m_status && m_progress)
                m_progress(m_copied);
            return m_status;
        }

        Store& m_target;
        const std::function<void(std::size_t)>& m_progress;
        StoreWrite m_write;
        std::size_t m_pending = 0;
        std::size_t m_copied = 0;
        Status m_status = Ok {};
    };

} // namespace

Status SqliteStore::copyTo(Store& target, const std::function<void(std::size_t)>& progress) const
{
    CopyBatcher batcher(target, progress);
    auto status = readRows(batcher);
    if (!status)
        return status;
    if (!batcher.status())
        return batcher.status();
    return batcher.finish();
}

std::optional<ConversationRecord> SqliteStore::conversation(const ConversationKey& key) const
{
    return m_memory.conversation(key);
}

std::vector<TransitionRecord> SqliteStore::transitions(const ConversationKey& key, std::size_t limit) const
{
    return m_memory.transitions(key, limit);
}

std::optional<Timestamp> SqliteStore::lastFiring(const ConversationKey& key, std::string_view triggerId) const
{
    return m_memory.lastFiring(key, triggerId);
}

std::optional<Timestamp> SqliteStore::lastOffer(const SessionKey& key) const
{
    return m_memory.lastOffer(key);
}

int SqliteStore::countFirings(const FiringQuery& query) const
{
    return m_memory.countFirings(query);
}

std::vector<FiringRecord> SqliteStore::firings(std::string_view productId, std::size_t limit) const
{
    return m_memory.firings(productId, limit);
}

CircuitRecord SqliteStore::circuit(std::string_view productId) const
{
    return m_memory.circuit(productId);
}

std::optional<SessionRecord> SqliteStore::session(const SessionKey& key) const
{
    return m_memory.session(key);
}

std::optional<std::string> SqliteStore::latestSessionOf(std::string_view productId, std::string_view distinctId) const
{
    return m_memory.latestSessionOf(productId, distinctId);
}

std::optional<std::string> SqliteStore::latestSessionWithEmailOf(
    std::string_view productId, std::string_view distinctId) const
{
    return m_memory.latestSessionWithEmailOf(productId, distinctId);
}

std::optional<std::string> SqliteStore::latestSessionOfEmail(std::string_view productId, std::string_view email) const
{
    return m_memory.latestSessionOfEmail(productId, email);
}

void SqliteStore::visitActions(
    const SessionKey& key, const std::function<void(std::span<const ActionRecord>)>& visit) const
{
    m_memory.visitActions(key, visit);
}

bool SqliteStore::hasActionUuid(const SessionKey& key, std::string_view uuid) const
{
    return m_memory.hasActionUuid(key, uuid);
}

std::size_t SqliteStore::sessionCount() const
{
    return m_memory.sessionCount();
}

std::vector<TriggerHistory> SqliteStore::userHistory(std::string_view productId, std::string_view userKey) const
{
    return m_memory.userHistory(productId, userKey);
}

std::vector<std::string> SqliteStore::idleSessions(
    std::string_view productId, Timestamp idleBefore, std::size_t limit) const
{
    return m_memory.idleSessions(productId, idleBefore, limit);
}

Status SqliteStore::commit(const StoreWrite& write)
{
    // The file holds actions; records are written out as the ones they stand for.
    if (!write.records.empty()) {
        if (auto error = validateWrite(write))
            return *error;
        return commit(recordsAsActions(write));
    }
    auto planned = m_memory.plan(write);
    if (!planned)
        return planned.error();
    if (write.empty())
        return Ok {};
    if (auto written = writeToDisk(write, *planned); !written)
        return written;
    m_memory.apply(write, *planned);
    return Ok {};
}

Status SqliteStore::writeToDisk(const StoreWrite& write, const MemoryStore::Plan& plan)
{
    Connection& c = *m_connection;
    if (auto begun = c.run(c.begin); !begun)
        return begun;

    const auto statements = [&]() -> Status {
        // Both by the primary key or its index: a few rows each.
        for (const SessionKey& key : plan.expiredSessions) {
            if (auto status = c.run(c.expireActions, key.productId, key.sessionId); !status)
                return status;
            if (auto status = c.run(c.expireSession, key.productId, key.sessionId); !status)
                return status;
        }
        for (const ConversationKey& key : write.erasedConversations)
            if (auto status = c.run(c.eraseConversation, key.productId, key.conversationId); !status)
                return status;
        for (const auto& [key, record] : write.conversations)
            if (auto status = c.run(c.upsertConversation, key.productId, key.conversationId,
                    codeOf(kStateCodes, record.state), record.enteredAt, record.lastEventAt, record.dismissals,
                    record.cooldownUntil, record.silenced, record.activeTriggerId, record.interactionTimeout);
                !status)
                return status;
        for (const auto& [key, transition] : write.transitions)
            if (auto status
                = c.run(c.insertTransition, key.productId, key.conversationId, transition.at, transition.event,
                    codeOf(kStateCodes, transition.from), codeOf(kStateCodes, transition.to), transition.cause);
                !status)
                return status;
        for (const auto& [key, dropped] : plan.droppedTransitions)
            if (auto status = c.run(c.dropTransitions, key.productId, key.conversationId, dropped); !status)
                return status;
        for (const FiringRecord& f : write.firings) {
            if (auto status = c.run(c.insertFiring, f.productId, f.sessionId, f.conversationId, f.distinctId,
                    f.triggerId, f.canonicalUrl, f.at);
                !status)
                return status;
            if (auto status = c.run(c.upsertLastFiring, f.productId, f.conversationId, f.triggerId, f.at); !status)
                return status;
            if (auto status = c.run(c.upsertLastOffer, f.productId, f.sessionId, f.at); !status)
                return status;
        }
        for (const auto& [key, triggerId, at] : write.lastFirings)
            if (auto status = c.run(c.upsertLastFiring, key.productId, key.conversationId, triggerId, at); !status)
                return status;
        for (const auto& [key, at] : write.lastOffers)
            if (auto status = c.run(c.upsertLastOffer, key.productId, key.sessionId, at); !status)
                return status;
        for (const auto& [productId, cutoff] : plan.firingCutoffs)
            if (auto status = c.run(c.pruneFirings, productId, cutoff, MemoryStore::kFiringHistory); !status)
                return status;
        for (const auto& [productId, circuit] : write.circuits)
            if (auto status = c.run(c.upsertCircuit, productId, circuit.consecutiveFailures, circuit.openUntil);
                !status)
                return status;
        for (const auto& [key, r] : write.sessions)
            if (auto status = c.run(c.upsertSession, key.productId, key.sessionId, r.distinctId, r.email, r.firstSeen,
                    r.lastSeen, r.actionCount, r.previousSessionId, r.linkedDistinctId);
                !status)
                return status;
        for (std::size_t i = 0; i < write.actions.size(); ++i) {
            if (!plan.acceptedActions[i])
                continue;
            const auto& [key, a] = write.actions[i];
            // The connector hands actions over without their wording; the
            // file keeps it for people who read it.
            const ActionWording wording = wordingOf(a);
            const std::optional<std::string> element
                = a.element == Element {} ? std::nullopt : std::optional(encodeElement(a.element));
            const std::optional<std::string> properties
                = a.properties.empty() ? std::nullopt : std::optional(encodePairs(a.properties));
            if (auto status = c.run(c.insertAction, key.productId, key.sessionId, a.timestampStart, a.index,
                    codeOf(kActionTypeCodes, a.type), a.event, a.uuid, wording.title, wording.description, a.rawUrl,
                    a.canonicalUrl, a.sessionId, a.distinctId, a.email, element, a.elementsChain, properties);
                !status)
                return status;
        }
        for (const auto& [key, dropped] : plan.droppedActions)
            if (auto status = c.run(c.dropActions, key.productId, key.sessionId, dropped); !status)
                return status;
        for (const auto& [productId, userKey, h] : plan.userHistory)
            if (auto status = c.run(c.upsertUserHistory, productId, userKey, h.triggerId, h.group, h.offers,
                    encodeTimes(h.recentOffers), h.interactions);
                !status)
                return status;
        return c.run(c.commit);
    };

    auto status = statements();
    // Some errors (a full disk, I/O) end the transaction themselves.
    if (!status && !sqlite3_get_autocommit(c.db))
        (void)c.run(c.rollback);
    return status;
}

} // namespace proactive
