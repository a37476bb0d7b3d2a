#include "emit/outbox.h"

#include <sqlite3.h>

namespace proactive {

struct Outbox::Database {
    sqlite3* db = nullptr;
    std::string path;
    ~Database() { sqlite3_close(db); }

    Status exec(const std::string& sql)
    {
        char* message = nullptr;
        if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) == SQLITE_OK)
            return Ok {};
        Error error { "outbox.sqlite_error", "outbox " + path + ": " + (message ? message : "error"), path };
        sqlite3_free(message);
        return error;
    }

    std::int64_t count() const
    {
        sqlite3_stmt* statement = nullptr;
        std::int64_t n = 0;
        if (sqlite3_prepare_v2(db, "SELECT count(*) FROM events", -1, &statement, nullptr) == SQLITE_OK
            && sqlite3_step(statement) == SQLITE_ROW)
            n = sqlite3_column_int64(statement, 0);
        sqlite3_finalize(statement);
        return n;
    }
};

Result<std::unique_ptr<Outbox>> Outbox::open(const std::string& path, std::size_t capacity)
{
    auto database = std::make_unique<Database>();
    database->path = path;
    if (sqlite3_open_v2(path.c_str(), &database->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
        return Error { "outbox.cannot_open", "cannot open the outbox " + path + ": " + sqlite3_errmsg(database->db),
            path };
    sqlite3_busy_timeout(database->db, 2000);
    if (auto status = database->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                                     "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, "
                                     "product_id TEXT NOT NULL, body TEXT NOT NULL)");
        !status)
        return status.error();
    return std::unique_ptr<Outbox>(new Outbox(std::move(database), capacity));
}

Outbox::Outbox(std::unique_ptr<Database> database, std::size_t capacity)
    : m_database(std::move(database))
    , m_capacity(capacity)
{ }

Outbox::~Outbox() = default;

void Outbox::record(std::vector<OfferEvent> events)
{
    if (events.empty())
        return;
    std::lock_guard lock(m_mutex);
    Database& d = *m_database;
    sqlite3_stmt* insert = nullptr;
    bool ok = d.exec("BEGIN IMMEDIATE").ok()
        && sqlite3_prepare_v2(d.db, "INSERT INTO events (product_id, body) VALUES (?, ?)", -1, &insert, nullptr)
            == SQLITE_OK;
    for (const OfferEvent& event : events) {
        if (!ok)
            break;
        const std::string body = toCaptureEvent(event).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        sqlite3_bind_text(
            insert, 1, event.productId.c_str(), static_cast<int>(event.productId.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 2, body.c_str(), static_cast<int>(body.size()), SQLITE_TRANSIENT);
        ok = sqlite3_step(insert) == SQLITE_DONE;
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    // Over capacity: the oldest go.
    const std::int64_t over = ok ? d.count() - static_cast<std::int64_t>(m_capacity) : 0;
    if (ok && over > 0)
        ok = d.exec("DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY id LIMIT " + std::to_string(over)
                  + ")")
                 .ok();
    if (ok && d.exec("COMMIT").ok()) {
        m_dropped += static_cast<std::uint64_t>(std::max<std::int64_t>(over, 0));
        return;
    }
    (void)d.exec("ROLLBACK");
    m_dropped += events.size();
}

std::vector<Outbox::Entry> Outbox::oldest(std::size_t limit) const
{
    std::lock_guard lock(m_mutex);
    std::vector<Entry> entries;
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(m_database->db,
            "SELECT id, product_id, body FROM events WHERE product_id = (SELECT product_id FROM events ORDER BY id "
            "LIMIT 1) ORDER BY id LIMIT ?",
            -1, &statement, nullptr)
        != SQLITE_OK)
        return entries;
    sqlite3_bind_int64(statement, 1, static_cast<sqlite3_int64>(limit));
    while (sqlite3_step(statement) == SQLITE_ROW)
        entries.push_back(
            { sqlite3_column_int64(statement, 0), reinterpret_cast<const char*>(sqlite3_column_text(statement, 1)),
                reinterpret_cast<const char*>(sqlite3_column_text(statement, 2)) });
    sqlite3_finalize(statement);
    return entries;
}

Status Outbox::remove(std::span<const std::int64_t> ids)
{
    if (ids.empty())
        return Ok {};
    std::string list;
    for (const std::int64_t id : ids)
        list += (list.empty() ? "" : ",") + std::to_string(id);
    std::lock_guard lock(m_mutex);
    return m_database->exec("DELETE FROM events WHERE id IN (" + list + ")");
}

std::size_t Outbox::size() const
{
    std::lock_guard lock(m_mutex);
    return static_cast<std::size_t>(m_database->count());
}

std::uint64_t Outbox::dropped() const
{
    std::lock_guard lock(m_mutex);
    return m_dropped;
}

} // namespace proactive
