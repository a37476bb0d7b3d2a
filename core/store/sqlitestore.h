#pragma once

#include "store/memorystore.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace proactive {

// The embedded store: one SQLite file in WAL mode, loaded whole into a
// MemoryStore when opened. Reads are served from memory; commit() writes one
// SQLite transaction and applies the batch to memory only once that
// transaction has committed, so memory never shows what is not on disk.
// The file stays locked while open: one process owns a store, which is what
// makes serving reads from memory correct.
class SqliteStore final : public Store {
public:
    // 2 added sessions.linked_distinct_id; older files are migrated when opened.
    static constexpr int kSchemaVersion = 3;
    static constexpr std::int32_t kApplicationId = 0x50524F41; // "PROA", so `file` and we can tell our files apart

    // Creates the file when it does not exist. Sessions that expired by
    // `expiry` (with their actions) are deleted first, one transaction per
    // product, and so never loaded. Errors (code, message naming the path
    // and SQLite's reason, where = path): store.cannot_open, store.read_only,
    // store.locked, store.not_a_database, store.corrupt,
    // store.foreign_database, store.newer_schema, store.unknown_schema,
    // store.io_error.
    static Result<std::unique_ptr<SqliteStore>> open(
        const std::string& path, StoreRetention retention = {}, const SessionCutoffs& expiry = {});

    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;
    ~SqliteStore() override;

    const std::string& path() const;
    StoreHealth health() const override { return { "sqlite", true, path() }; }

    std::optional<ConversationRecord> conversation(const ConversationKey& key) const override;
    std::vector<TransitionRecord> transitions(const ConversationKey& key, std::size_t limit) const override;

    std::optional<Timestamp> lastFiring(const ConversationKey& key, std::string_view triggerId) const override;
    std::optional<Timestamp> lastOffer(const SessionKey& key) const override;
    int countFirings(const FiringQuery& query) const override;
    std::vector<FiringRecord> firings(std::string_view productId, std::size_t limit) const override;

    CircuitRecord circuit(std::string_view productId) const override;

    std::optional<SessionRecord> session(const SessionKey& key) const override;
    std::optional<std::string> latestSessionOf(std::string_view productId, std::string_view distinctId) const override;
    std::optional<std::string> latestSessionWithEmailOf(
        std::string_view productId, std::string_view distinctId) const override;
    std::optional<std::string> latestSessionOfEmail(std::string_view productId, std::string_view email) const override;
    void visitActions(
        const SessionKey& key, const std::function<void(std::span<const ActionRecord>)>& visit) const override;
    bool hasActionUuid(const SessionKey& key, std::string_view uuid) const override;
    std::size_t sessionCount() const override;
    std::vector<std::string> idleSessions(
        std::string_view productId, Timestamp idleBefore, std::size_t limit) const override;
    std::vector<TriggerHistory> userHistory(std::string_view productId, std::string_view userKey) const override;

    // Writes every record of the file to `target` in batches (`store copy`):
    // sessions with their actions and uuids, conversations and their logs,
    // firings, circuits, users' offer histories. `progress` hears how many
    // records were copied after each batch. Stops at the first error.
    Status copyTo(Store& target, const std::function<void(std::size_t)>& progress = {}) const;

    // Same order and validation as MemoryStore::commit. A failed transaction
    // is rolled back and leaves disk and memory as they were.
    Status commit(const StoreWrite& write) override;

private:
    struct Connection;

    SqliteStore(std::unique_ptr<Connection> connection, StoreRetention retention);
    Status deleteExpired(const SessionCutoffs& expiry);
    Status load();
    // Reads every row of the file into `target`'s restore*() functions (MemoryStore's, or a copy's).
    template<typename Target> Status readRows(Target& target) const;
    Status writeToDisk(const StoreWrite& write, const MemoryStore::Plan& plan);

    std::unique_ptr<Connection> m_connection;
    MemoryStore m_memory;
};

} // namespace proactive
