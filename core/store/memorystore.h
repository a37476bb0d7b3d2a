#pragma once

#include "store/store.h"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace proactive {

// The whole store in hash maps: the store of tests and replay, and the read
// side of SqliteStore. Lookups hash the caller's strings in place, so reads
// allocate nothing beyond the vectors some of them return. Not synchronised:
// callers use it from one thread at a time.
class MemoryStore final : public Store {
public:
    // firings() keeps this many per product.
    static constexpr std::size_t kFiringHistory = 1000;
    // Quota counts look back at most one UTC day, so firings older than this
    // before the product's newest firing leave the count indexes:
    // countFirings() is exact for any `since` within this window.
    static constexpr Duration kFiringWindow = std::chrono::hours(25);

    explicit MemoryStore(StoreRetention retention = {});
    MemoryStore(const MemoryStore&) = delete;
    MemoryStore& operator=(const MemoryStore&) = delete;
    ~MemoryStore() override;

    StoreHealth health() const override { return { "memory", true, "in this process, not persisted" }; }

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

    // Expired sessions and erasures first, then conversation upserts,
    // transitions, firings, circuits, sessions and actions, each in the
    // order given.
    Status commit(const StoreWrite& write) override;

private:
    // SqliteStore writes what plan() decided to disk, then apply()s it here,
    // and loads its file through the restore*() functions.
    friend class SqliteStore;

    struct KeyView {
        std::string_view first;
        std::string_view second;
        bool operator==(const KeyView&) const = default;
    };
    struct Key {
        std::string first;
        std::string second;
        operator KeyView() const { return { first, second }; }
    };
    struct KeyHash {
        using is_transparent = void;
        std::size_t operator()(KeyView key) const noexcept;
    };
    struct KeyEqual {
        using is_transparent = void;
        bool operator()(KeyView a, KeyView b) const noexcept { return a == b; }
    };
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view> {}(text); }
    };
    template<typename T> using KeyMap = std::unordered_map<Key, T, KeyHash, KeyEqual>;
    template<typename T> using StringMap = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;

    struct SessionFiring {
        Timestamp at;
        std::string distinctId;
    };
    struct ConversationEntry {
        std::optional<ConversationRecord> record;
        std::deque<TransitionRecord> transitions;
        std::vector<std::pair<std::string, Timestamp>> lastFirings; // by trigger id; a conversation fires few
    };
    struct SessionEntry;
    using SessionMap = KeyMap<SessionEntry>;
    using SessionNode = SessionMap::value_type; // unordered_map nodes never move
    // Vectors, not deques, wherever one exists per session or user: an
    // empty std::deque already holds some 600 bytes.
    struct SessionEntry {
        // Unset for actions written without a record (tests, a damaged
        // file): such a session is not indexed by lastSeen and never expires.
        std::optional<SessionRecord> record;
        std::vector<ActionRecord> actions; // contiguous for visitActions' span
        // The duplicate check's index, parallel to `actions`: the hash of
        // each one's uuid (kNoUuid without one). 8 bytes an action; a
        // lookup is one pass over at most maxActionsPerSession of them. The
        // uuids themselves are not kept, so a hit is not confirmed: two
        // uuids of one session sharing a 64-bit hash is a chance of about
        // 200 in 2^64 per event.
        std::vector<std::uint64_t> uuidHashes;
        // The idle index: the sessions of a product whose lastSeen falls in
        // one second are linked through their entries (see IdleIndex).
        SessionNode* idlePrevious = nullptr;
        SessionNode* idleNext = nullptr;
        // Where the session stands in each SessionList that lists it, by
        // Listing: removing it is a swap with the list's last one.
        std::array<std::uint32_t, 3> listedAt {};
    };
    // What a session's offers leave for the minimum interval and the quota
    // counts; kept apart from the session because they outlive its
    // retention (SPEC §8).
    struct SessionOffers {
        std::optional<Timestamp> lastOffer;
        std::vector<SessionFiring> firings; // within the window, by time
    };
    // The sessions listed under one user or one email, in no order, with
    // the one that ranks highest (latest lastSeen, then firstSeen, then id)
    // and the highest that has an email: the answers of the latest*Of
    // lookups, kept as sessions come, change and go rather than found by a
    // scan. Only a change that can lower them (the latest leaves, loses its
    // email or is seen earlier) makes the list stale; it is ranked afresh
    // once, at the end of the write.
    struct SessionList {
        std::vector<SessionNode*> sessions;
        const SessionNode* latest = nullptr;
        const SessionNode* latestWithEmail = nullptr; // in an email's list, the latest
        bool stale = false;
    };
    // The lists a session can be in: its distinct id's, its linked distinct
    // id's, its email's.
    enum Listing : std::uint8_t { kByDistinctId, kByLinkedId, kByEmail };
    struct UserEntry {
        SessionList sessions;
        std::vector<Timestamp> firings; // within the window, by time
    };
    // Emails are keyed ignoring ASCII case (Store::latestSessionOfEmail):
    // these hash and compare the second half of a key folded.
    struct FoldedKeyHash {
        using is_transparent = void;
        std::size_t operator()(KeyView key) const noexcept;
    };
    struct FoldedKeyEqual {
        using is_transparent = void;
        bool operator()(KeyView a, KeyView b) const noexcept;
    };
    using EmailMap = std::unordered_map<Key, SessionList, FoldedKeyHash, FoldedKeyEqual>;
    // A product's sessions by the second of their lastSeen, each second a
    // list linked through the entries: finding the longest idle sessions
    // costs only what it returns, and moving a session costs one lookup.
    using IdleIndex = std::map<std::int64_t, SessionNode*>;
    struct WindowFiring {
        Timestamp at;
        std::string sessionId;
        std::string distinctId;
    };
    struct ProductFirings {
        std::deque<FiringRecord> history; // by time, ties in arrival order; at most kFiringHistory
        std::deque<WindowFiring> window; // by time: every firing at or after newest - kFiringWindow
        Timestamp newest {};
    };

    // One user's history of one trigger as a write leaves it.
    struct PlannedHistory {
        std::string productId;
        std::string userKey;
        TriggerHistory history;
    };
    // What commit() will do, decided before anything changes.
    struct Plan {
        std::vector<PlannedHistory> userHistory; // in the order first touched
        std::vector<SessionKey> expiredSessions; // of write.expiredSessions, those that exist
        std::vector<bool> acceptedActions; // per write.actions entry; false for a duplicate uuid
        std::vector<std::pair<SessionKey, std::size_t>> acceptedActionsBySession;
        std::vector<std::pair<SessionKey, std::size_t>> droppedActions; // oldest beyond retention
        std::vector<std::pair<ConversationKey, std::size_t>> droppedTransitions; // oldest beyond retention
        // Products whose firings before the cutoff that are not among the
        // newest kFiringHistory are no longer needed by anything.
        std::vector<std::pair<std::string, Timestamp>> firingCutoffs;
    };
    static KeyView keyOf(const ConversationKey& key) { return { key.productId, key.conversationId }; }
    static KeyView keyOf(const SessionKey& key) { return { key.productId, key.sessionId }; }

    Result<Plan> plan(const StoreWrite& write) const;
    void apply(const StoreWrite& write, const Plan& plan);

    // Loading a persisted copy: rows come in their stored order.
    void restoreConversation(const ConversationKey& key, ConversationRecord record);
    void restoreTransition(const ConversationKey& key, TransitionRecord transition); // oldest first
    void restoreFiring(const FiringRecord& firing); // in arrival order
    void restoreLastFiring(const ConversationKey& key, std::string_view triggerId, Timestamp at);
    void restoreLastOffer(const SessionKey& key, Timestamp at);
    void restoreCircuit(std::string productId, CircuitRecord circuit);
    void restoreSession(const SessionKey& key, SessionRecord record);
    void restoreAction(const SessionKey& key, const Action& action); // by timestampStart, ties in arrival order
    void restoreUserHistory(std::string_view productId, std::string_view userKey, TriggerHistory history);

    std::size_t transitionCount(const ConversationKey& key) const;
    std::size_t firingHistorySize(std::string_view productId) const;
    std::optional<Timestamp> newestFiring(std::string_view productId) const;

    ConversationEntry& conversationEntry(KeyView key);
    SessionNode& sessionNode(KeyView key);
    SessionOffers& sessionOffers(KeyView key);
    UserEntry& userEntry(KeyView key);
    void upsertSession(SessionNode& node, SessionRecord record);
    std::size_t expireSession(KeyView key); // the number of actions it held
    // Moves the session between the lists of its keys (a user's, an
    // email's) after its record changed from `before` (none: a new one).
    void refileSession(SessionNode& node, const SessionRecord* before);
    void listSession(SessionNode& node, Listing listing, KeyView key);
    void unlistSession(SessionNode& node, Listing listing, KeyView key);
    SessionList* sessionList(Listing listing, KeyView key);
    // A session listed under `key` before and after its record changed
    // from `before`.
    void rerank(SessionNode& node, Listing listing, KeyView key, const SessionRecord& before);
    void markStale(SessionList& list, Listing listing, KeyView key);
    // Ranks every stale list afresh; writes and restores end with it.
    void refreshStaleLists();
    // Takes `node` as the list's latest (with an email) if it ranks above.
    static void offer(SessionList& list, const SessionNode& node);
    static bool ranksAbove(const SessionNode& a, const SessionNode& b);
    void linkIdle(SessionNode& node);
    void unlinkIdle(SessionNode& node);
    void insertFiring(const FiringRecord& firing);
    void pruneWindow(std::string_view productId, ProductFirings& product);
    // A session's offers go once none of its firings counts any more and
    // the session itself has expired: the minimum interval does not reach
    // beyond the 25 h window for a session that is gone.
    void dropSpentOffers(KeyMap<SessionOffers>::iterator offers);
    void dropSpentOffers(); // all of them; after loading a file
    static bool holdsUuid(const SessionEntry& entry, std::string_view uuid);
    void insertAction(SessionEntry& entry, const Action& action);
    // By timestampStart, ties in arrival order; kNoUuid without a uuid.
    void insertRecord(SessionEntry& entry, ActionRecord record, std::uint64_t hashOfUuid);
    // Room for `more` actions: exactly what a new session needs, doubling
    // beyond (one session arrives in a batch or two, then in small ones).
    void reserveActions(SessionEntry& entry, std::size_t more);
    void dropOldestActions(SessionEntry& entry, std::size_t count);
    void recordLastFiring(KeyView conversation, std::string_view triggerId, Timestamp at);
    void recordLastOffer(KeyView session, Timestamp at);

    StoreRetention m_retention;
    KeyMap<ConversationEntry> m_conversations;
    SessionMap m_sessions;
    KeyMap<SessionOffers> m_offers;
    // By (product, distinct id); a session is listed under its distinct id
    // and its linked distinct id, sessions without either are not listed.
    KeyMap<UserEntry> m_users;
    // By (product, email ignoring ASCII case); sessions without an email
    // are not listed.
    EmailMap m_emails;
    std::vector<std::pair<Listing, Key>> m_staleLists; // see SessionList; kByEmail: in m_emails, else in m_users
    StringMap<IdleIndex> m_idle; // by product id
    StringMap<ProductFirings> m_firings;
    StringMap<CircuitRecord> m_circuits;
    // By (product, user key): one entry per trigger offered to the user.
    // Kept for good (frequency "once" is per user, ever): about 100 bytes
    // per user and trigger plus 8 per remembered offer time.
    KeyMap<std::vector<TriggerHistory>> m_userHistory;
    ActionInterner m_interner;
    std::size_t m_sessionRecords = 0;
};

} // namespace proactive
