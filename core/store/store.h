#pragma once

#include "base/result.h"
#include "fsm/fsmstate.h"
#include "intake/actionrecord.h"

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace proactive {

struct ConversationKey {
    std::string productId;
    std::string conversationId;
    auto operator<=>(const ConversationKey&) const = default;
};

struct SessionKey {
    std::string productId;
    std::string sessionId;
    auto operator<=>(const SessionKey&) const = default;
};

// One offer the connector made (bookkeeping gate, SPEC §3.6).
struct FiringRecord {
    std::string productId;
    std::string sessionId;
    std::string conversationId;
    std::string distinctId;
    std::string triggerId;
    std::string canonicalUrl; // page the user was on
    Timestamp at {};
    bool operator==(const FiringRecord&) const = default;
};

// Which firings to count for a quota: all of a product, or narrowed to a
// session and/or a user; only firings at or after `since`.
struct FiringQuery {
    std::string productId;
    std::optional<std::string> sessionId;
    std::optional<std::string> distinctId;
    Timestamp since {};
};

struct CircuitRecord {
    int consecutiveFailures = 0;
    Timestamp openUntil {}; // breaker open while now < openUntil
    bool operator==(const CircuitRecord&) const = default;
};

struct SessionRecord {
    std::string distinctId;
    std::string email;
    Timestamp firstSeen {};
    Timestamp lastSeen {};
    std::int64_t actionCount = 0; // actions ever appended; the next action's index
    std::string previousSessionId; // set when this session rotated away from another for the same distinct id
    // Another distinct id of the session's user (SPEC §8 §1 Identity): the
    // anonymous id it had before `$identify`, or the alias of
    // `$create_alias` / `$merge_dangerously`; the latest one only. The
    // session counts as a session of this id too.
    std::string linkedDistinctId;
    bool operator==(const SessionRecord&) const = default;
};

// What one user has been offered of one trigger and how they answered
// (SPEC §8 "§3 Frequency and experiments"), kept under each of the user's
// keys (see UserHistoryEvent) across sessions and session retention.
struct TriggerHistory {
    // The store keeps this many offer times per user and trigger, enough
    // for any max_per_user (FrequencyRule::kMaxPerUserLimit).
    static constexpr std::size_t kRecentOffers = 100;
    std::string triggerId;
    std::string group; // the trigger's group when it was last offered
    std::int64_t offers = 0; // ever, "would have offered" to a held-out user included
    std::vector<Timestamp> recentOffers; // the latest kRecentOffers, oldest first
    std::int64_t interactions = 0; // accepts and dismissals of its offers
    bool operator==(const TriggerHistory&) const = default;
};

// One entry for a user's history. A user is known by several keys —
// "id:<distinct id>", "email:<email, ASCII lower case>", and for a session
// without a distinct id "session:<session id>" — and each event is written
// under each key the session had when it happened, so that the history
// follows the user across devices once the email is known.
struct UserHistoryEvent {
    enum class Kind : std::uint8_t { Offer, Interaction };
    std::string productId;
    std::string userKey;
    std::string triggerId;
    std::string group; // Offer: the trigger's group
    Kind kind = Kind::Offer;
    Timestamp at {};
    bool operator==(const UserHistoryEvent&) const = default;
};

// A batch of changes applied atomically by Store::commit: all or nothing.
struct StoreWrite {
    // Sessions dropped with their actions (retention, SPEC §8); their offers
    // and firings stay for the quota counts. Applied before everything else,
    // so the same write may start a session of the same id afresh.
    std::vector<SessionKey> expiredSessions;
    std::vector<std::pair<ConversationKey, ConversationRecord>> conversations; // upserts
    std::vector<ConversationKey> erasedConversations; // `reset`: state and dismissals go, the log stays
    std::vector<std::pair<ConversationKey, TransitionRecord>> transitions; // appended to the log
    std::vector<FiringRecord> firings;
    std::vector<std::pair<std::string, CircuitRecord>> circuits; // by product id
    std::vector<std::pair<SessionKey, SessionRecord>> sessions; // upserts
    // Appended to their session, kept ordered by timestampStart (ties keep
    // arrival order); the store sets timestampEnd of the action before each
    // one to its start. Actions with a uuid already stored for that session
    // are ignored.
    std::vector<std::pair<SessionKey, Action>> actions;
    // The same for actions already interned (Connector::ingestRecords: a
    // recorded session replayed), appended after `actions`: the store keeps
    // these records as they are, sharing their values. Without uuids, none
    // is a duplicate. A store that writes actions out writes their Actions
    // (actionOf) under their session's id, without the user's ids and email,
    // which the session keeps.
    std::vector<std::pair<SessionKey, ActionRecord>> records;
    std::vector<UserHistoryEvent> userHistory; // in time order
    // What firings leave behind, restored as it is (`store copy`): a later
    // time than the one stored replaces it, an earlier one is ignored.
    std::vector<std::tuple<ConversationKey, std::string, Timestamp>> lastFirings; // (conversation, trigger id, at)
    std::vector<std::pair<SessionKey, Timestamp>> lastOffers;

    bool empty() const
    {
        return expiredSessions.empty() && conversations.empty() && erasedConversations.empty() && transitions.empty()
            && firings.empty() && circuits.empty() && sessions.empty() && actions.empty() && records.empty()
            && userHistory.empty() && lastFirings.empty() && lastOffers.empty();
    }
};

// Which sessions have expired at some moment (SPEC §8): those whose last
// activity is before their product's cutoff, now − session_retention_s.
// Products not listed use `others` (a product no longer in the workspace);
// without it their sessions are kept.
struct SessionCutoffs {
    std::vector<std::pair<std::string, Timestamp>> products;
    std::optional<Timestamp> others;

    std::optional<Timestamp> of(std::string_view productId) const
    {
        for (const auto& [id, cutoff] : products)
            if (id == productId)
                return cutoff;
        return others;
    }
};

struct StoreRetention {
    std::size_t maxActionsPerSession = 200; // oldest actions beyond this are dropped
    std::size_t maxTransitionsPerConversation = 500;
};

// Ids are what every index hashes on; an empty one would silently merge
// entities, so such a write is refused as a whole ("store.invalid_write",
// naming the entry). Every store checks this first.
std::optional<Error> validateWrite(const StoreWrite& write);

// The write with its records turned into the Actions they stand for
// (StoreWrite::records), appended to its actions: for stores that write
// actions out rather than keep records.
StoreWrite recordsAsActions(StoreWrite write);

// What one decision is about to read, so that a networked store can load it
// in one round trip (Store::prefetch). Reads outside it still work, at the
// cost of a round trip each.
struct ReadScope {
    std::string productId;
    std::vector<std::string> sessions; // records
    std::vector<std::string> sessionActivity; // actions and last offer
    std::vector<std::pair<std::string, std::string>> uuids; // (session id, uuid) for hasActionUuid
    std::optional<std::string> conversationId; // record and last firings
    bool circuit = false;
    std::vector<FiringQuery> firingCounts;
    std::vector<std::string> userKeys; // offer histories
};

struct StoreHealth {
    std::string kind; // "memory", "sqlite", "redis"
    bool ok = true;
    std::string detail; // where it is, and what is wrong when not ok
};

// A read of a networked store that could not be answered (the server is
// unreachable, slow or answered nonsense): code "store_unavailable", or
// "store.conflict" when the decision can simply be made again (what it
// watched was lost with a connection). Reads return values, so this one
// failure unwinds the decision that was reading instead; nothing of that
// decision has been committed.
class StoreUnavailable final : public std::runtime_error {
public:
    explicit StoreUnavailable(Error error)
        : std::runtime_error(error.message)
        , m_error(std::move(error))
    { }
    const Error& error() const { return m_error; }

private:
    Error m_error;
};

// Where the connector's state lives. Reads are per entity so that a shared
// networked store can serve several connector instances; writes go through
// commit() so that one decision is persisted atomically.
//
// Decisions. A store shared by several connector instances (RedisStore)
// makes each decision — the reads of one poll, ingest or agent-state event
// and its commit — atomic: between beginDecision() and endDecision() reads
// remember what they saw, and commit() fails with "store.conflict" when any
// of it changed meanwhile, for the caller to decide again from fresh reads.
// A store owned by one process (Memory, SQLite) ignores all of this: the
// connector's lock already serialises its decisions.
class Store {
public:
    virtual ~Store() = default;

    virtual bool decisionsMayConflict() const { return false; }
    virtual void beginDecision() const { }
    virtual void endDecision() const { }
    // Loads what the decision is about to read in one round trip; the reads
    // that follow are answered from it.
    virtual void prefetch(const ReadScope&) const { }
    virtual StoreHealth health() const = 0;

    virtual std::optional<ConversationRecord> conversation(const ConversationKey& key) const = 0;
    // Oldest first, at most `limit` most recent entries.
    virtual std::vector<TransitionRecord> transitions(const ConversationKey& key, std::size_t limit) const = 0;

    virtual std::optional<Timestamp> lastFiring(const ConversationKey& key, std::string_view triggerId) const = 0;
    virtual std::optional<Timestamp> lastOffer(const SessionKey& key) const = 0;
    virtual int countFirings(const FiringQuery& query) const = 0;
    // Newest last, at most `limit` most recent firings of the product.
    virtual std::vector<FiringRecord> firings(std::string_view productId, std::size_t limit) const = 0;

    virtual CircuitRecord circuit(std::string_view productId) const = 0;

    virtual std::optional<SessionRecord> session(const SessionKey& key) const = 0;
    // The most recently seen session of a user in a product: a session whose
    // distinct id or linked distinct id is `distinctId`.
    virtual std::optional<std::string> latestSessionOf(
        std::string_view productId, std::string_view distinctId) const = 0;
    // The user's most recently seen session (as latestSessionOf finds them)
    // that has an email: the email a new session of the user inherits.
    virtual std::optional<std::string> latestSessionWithEmailOf(
        std::string_view productId, std::string_view distinctId) const = 0;
    // The most recently seen session of the product whose email equals
    // `email` ignoring ASCII case (same tie rules as latestSessionOf): the
    // Dify retrieval endpoint's lookup by email, answered from an index.
    virtual std::optional<std::string> latestSessionOfEmail(
        std::string_view productId, std::string_view email) const = 0;
    // Calls `visit` once with the retained actions of the session, oldest
    // first (empty span for an unknown session). No copy is made; the span
    // is valid only during the call.
    virtual void visitActions(
        const SessionKey& key, const std::function<void(std::span<const ActionRecord>)>& visit) const = 0;
    // Whether one of the session's retained actions has this uuid (never for
    // an empty uuid). Ingest asks this for every event, so it is answered
    // from an index, not by visiting the actions.
    virtual bool hasActionUuid(const SessionKey& key, std::string_view uuid) const = 0;
    virtual std::size_t sessionCount() const = 0;
    // Up to `limit` sessions of the product whose last activity (lastSeen)
    // is before `idleBefore`, the longest idle first: the retention sweep's
    // candidates, answered from an index ordered by lastSeen.
    virtual std::vector<std::string> idleSessions(
        std::string_view productId, Timestamp idleBefore, std::size_t limit) const = 0;

    // The offer history of the user known by `userKey` in the product, one
    // entry per trigger ever offered to it (in no particular order).
    virtual std::vector<TriggerHistory> userHistory(std::string_view productId, std::string_view userKey) const = 0;

    virtual Status commit(const StoreWrite& write) = 0;
};

} // namespace proactive
