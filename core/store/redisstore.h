#pragma once

#include "intake/actionrecord.h"
#include "store/redisclient.h"
#include "store/store.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace proactive {

// The store shared by several connector instances (issue 17): every entity
// in Redis under keys namespaced by product and session or conversation
// (docs/deploy.md, "Redis layout"), nothing kept in this process between
// decisions. Writes are one Lua script (lua/commit.lua) inside MULTI/EXEC;
// during a decision every read WATCHes the keys it read, so a commit whose
// reads another instance changed meanwhile fails with "store.conflict" and
// the connector decides again: decisions are linearizable across instances.
// prefetch() loads a decision's reads in one pipelined round trip.
//
// Reads that cannot reach the server throw StoreUnavailable; commit()
// returns "store_unavailable". Neither leaves a partial write: a commit
// either ran whole (the script is atomic) or not at all, and when its answer
// is lost the caller answers 503 and the client's retry is de-duplicated by
// uuid. One thread at a time, like every Store.
class RedisStore final : public Store {
public:
    // Connects and loads the scripts. Errors: "store.bad_url",
    // "store_unavailable" (not reachable), "store.not_redis" (it answered,
    // but not as Redis 6.2 or newer does).
    static Result<std::unique_ptr<RedisStore>> open(std::string_view url, StoreRetention retention = {});

    RedisStore(const RedisStore&) = delete;
    RedisStore& operator=(const RedisStore&) = delete;
    ~RedisStore() override;

    const RedisEndpoint& endpoint() const { return m_client.endpoint(); }
    std::uint64_t roundTrips() const { return m_client.roundTrips(); }

    bool decisionsMayConflict() const override { return true; }
    void beginDecision() const override;
    void endDecision() const override;
    bool prefetches() const override { return true; }
    void prefetch(const ReadScope& scope) const override;
    StoreHealth health() const override;

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

    Status commit(const StoreWrite& write) override;

private:
    // One read: the command, and the key whose change invalidates what it
    // read (WATCHed during a decision). Its text is the decision cache's key.
    struct Query {
        RedisCommand command;
        std::string watched;
    };

    RedisStore(RedisEndpoint endpoint, StoreRetention retention);
    Status loadScripts() const;

    // prefix:product:kind:id, ids escaped (lua/prelude.lua builds the same).
    std::string key(std::string_view productId, std::string_view kind, std::string_view id) const;
    std::string productKey(std::string_view productId, std::string_view kind) const;
    std::string productsKey() const;

    Query conversationQuery(const ConversationKey& key) const;
    Query lastFiringsQuery(const ConversationKey& key) const;
    Query lastOfferQuery(const SessionKey& key) const;
    Query sessionQuery(const SessionKey& key) const;
    Query actionsQuery(const SessionKey& key) const;
    Query uuidQuery(const SessionKey& key, std::string_view uuid) const;
    Query circuitQuery(std::string_view productId) const;
    Query historyQuery(std::string_view productId, std::string_view userKey) const;
    // A count reads the firings since `since` and the product's newest
    // firing, which bounds the window (MemoryStore::kFiringWindow).
    std::vector<Query> countQueries(const FiringQuery& query) const;

    // Answers from the decision's cache, else reads (one round trip for all
    // of `queries`); throws StoreUnavailable.
    std::vector<RedisReply> read(const std::vector<Query>& queries) const;
    RedisReply read(const Query& query) const;
    std::vector<RedisReply> run(std::vector<RedisCommand> commands) const;
    [[noreturn]] void corrupt(const std::string& key, std::string_view what) const;
    std::optional<std::string> latest(
        std::string_view productId, std::string_view index, std::string_view id, std::string_view mode) const;
    std::string encodeWrite(const StoreWrite& write) const;

    mutable RedisClient m_client;
    StoreRetention m_retention;
    mutable std::string m_commitSha;
    mutable std::string m_latestSha;
    // The decision under way: its replies by their query's text, and
    // whether keys are WATCHed.
    mutable bool m_inDecision = false;
    mutable bool m_watching = false;
    mutable bool m_staleWatch = false; // keys of a decision that ended without a commit are still watched
    mutable std::map<std::string, RedisReply, std::less<>> m_cache;
    mutable ActionInterner m_interner;
};

} // namespace proactive
