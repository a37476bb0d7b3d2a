#pragma once

#include "base/clock.h"
#include "base/result.h"
#include "emit/offerevent.h"
#include "fsm/fsm.h"
#include "gates/decision.h"
#include "store/store.h"
#include "workspace/workspace.h"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace proactive {

struct TourProgress;

// A user that came back under a new PostHog session (SPEC §1): the chat
// must start a new Dify conversation.
struct SessionRotation {
    std::string distinctId;
    std::string previousSessionId;
    std::string sessionId;
    bool operator==(const SessionRotation&) const = default;
};

struct IngestResult {
    std::size_t accepted = 0;
    std::size_t duplicates = 0; // same uuid already stored for the session
    // PostHog's own bookkeeping events ($identify, $web_vitals, ...): not user
    // actions; those carrying identity still update their session's
    // distinct id, linked id and email (SPEC §8 §1 Identity).
    std::size_t ignored = 0;
    // Actions that cannot be kept: no session id ("missing_session_id"), or
    // their session would be one new session too many ("too_many_sessions"
    // for the product's max_new_sessions_per_request, "session_rate_limited"
    // for max_new_sessions_per_second; where = the event's uuid or position).
    std::vector<Error> rejected;
    std::size_t limited = 0; // how many of `rejected` the new-session bounds refused
    std::vector<SessionRotation> rotations;
};

// What an event tells of its user besides what it did (SPEC §8 §1
// Identity): what ingest learns a session's distinct id, linked id and
// email from.
struct ActionIdentity {
    std::string_view distinctId;
    std::string_view linkedDistinctId;
    std::string_view email; // $set.email: replaces the session's
    std::string_view emailOnce; // $set_once.email: only fills an empty one

    static ActionIdentity of(const Action& action)
    {
        return { action.distinctId, action.linkedDistinctId, action.email, action.emailOnce };
    }
};

// What the connector knows of one session's recent activity (the Dify
// retrieval endpoint, SPEC §5).
struct SessionActivity {
    std::string productId;
    std::string sessionId;
    SessionRecord session;
    // Newest first. Session id, distinct id and email are the session's (the
    // store keeps them once per session), title and description derived
    // again; the uuid is not kept.
    std::vector<Action> actions;
};

// The one façade every driver (studio, HTTP service, replay) calls; no
// driver re-implements a rule. Thread-safe: calls are serialised, which also
// makes concurrent clients equivalent to some serial order. Each call is one
// decision of the store (Store::beginDecision): on a store shared with other
// instances, a decision another instance got in between is made again from
// fresh reads, so instances too are equivalent to some serial order. Store
// failures are errors: "store_unavailable" (the store cannot be reached),
// "store_busy" (other instances kept changing what this call read).
class Connector final {
public:
    Connector(std::shared_ptr<const Workspace> workspace, Store& store, const Clock& clock);

    std::shared_ptr<const Workspace> workspace() const;
    // Swaps the configuration (edited triggers, reloaded files); state stays.
    void setWorkspace(std::shared_ptr<const Workspace> workspace);
    const Clock& clock() const { return m_clock; }

    // Canonicalises the actions with the product's routes and appends them to
    // their sessions. Identity (SPEC §8 §1): `$set` emails replace the
    // session's, `$set_once` ones only fill an empty one; a session without
    // an email inherits that of its user's latest unexpired session with one
    // (by distinct id or linked id) before its own `$set_once` applies. Sessions not seen before count against the
    // product's bounds on new sessions (per call, per second); an action whose stored session has been idle beyond the
    // retention starts it afresh. Each call also drops a chunk of expired sessions when a sweep is due (see
    // expireSessions), in the same commit.
    Result<IngestResult> ingest(std::string_view productId, std::vector<Action> actions);
    // The same for actions already canonicalised with the product's routes
    // and interned, all of session `sessionId` and of one identity: a
    // recorded session replayed, whose records the store then shares
    // rather than making its own. They have no uuids, so none is a duplicate.
    Result<IngestResult> ingestRecords(std::string_view productId, std::string_view sessionId,
        std::span<const ActionRecord> records, const ActionIdentity& identity);

    // GET /context (SPEC §3). An empty conversation id means proactive:{session}.
    // The id is taken by value: the poll's key keeps it, and an HTTP poll's
    // is a string of its own already (its query value, decoded).
    Result<Decision> context(
        std::string_view productId, std::string_view sessionId, std::string conversationId = {}, bool explain = false);

    // POST /agent_state (SPEC §2). Unknown product → "unknown_product", unknown
    // event → "unknown_event"; an invalid pair is an outcome, not an error.
    Result<FsmOutcome> agentState(std::string_view productId, std::string_view conversationId, std::string_view event);

    // Every trigger evaluated on the session now, ignoring the other gates.
    Result<std::vector<TriggerReport>> explainTriggers(std::string_view productId, std::string_view sessionId);

    // The `limit` most recent actions of the session with this id, or, when
    // no session has it and it contains '@', of the latest session of the
    // user with this email. Sessions of every product are candidates; the
    // most recently seen wins. Error "no_session" when no session matches.
    Result<SessionActivity> recentActivity(std::string_view sessionOrEmail, std::size_t limit) const;

    // Whether the store answers now (GET /healthz).
    StoreHealth storeHealth() const;

    // For the studio's own store, which cannot fail: a failing store reads as empty.
    std::vector<TransitionRecord> transitions(const ConversationKey& key, std::size_t limit = 200) const;
    std::optional<ConversationRecord> conversation(const ConversationKey& key) const;

    // Sessions expire (SPEC §8) once idle for their product's
    // session_retention_s: from then on they are treated as gone, and this
    // drops up to `limit` of them (the longest idle first) with their
    // actions, in memory and in the store's file, in one commit. Ingest
    // sweeps a chunk at most once a second, more often while it falls
    // behind; a driver whose connector may go without ingests for long (the
    // HTTP service) calls this on a timer so that memory and disk come back
    // without traffic. Returns how many were dropped; `limit` of them means
    // there may be more.
    static constexpr std::size_t kSweepChunk = 256;
    Result<std::size_t> expireSessions(std::size_t limit = kSweepChunk);

    // Where each product's sessions expire at `now`, for SqliteStore::open;
    // sessions of products no longer in the workspace expire after the
    // default retention.
    static SessionCutoffs sessionCutoffs(const Workspace& workspace, Timestamp now);

    static std::string proactiveConversationId(std::string_view sessionId);
    // The session of a conversation proactive:{session id} (SPEC preamble);
    // none for another conversation (a Dify one names no session).
    static std::optional<std::string_view> sessionOfConversation(std::string_view conversationId);

    // Where the offer events of products with a `posthog_export` go (issue
    // 18): shown, held out, accepted, dismissed, expired, tour completed or
    // abandoned, each right after its change was committed, under the
    // connector's lock (so in the order they happened). None: no events are
    // built. The sink must outlive the connector's use of it.
    void setOfferEventSink(OfferEventSink* sink);

    // What the page's tour runtime reports besides the tour's end (POST
    // /tour_event, issue 18): exported as "proactive tour step shown" /
    // "proactive tour target missing" with the trigger of the conversation's
    // latest offer, like the tour's end. Nothing is stored. Answers whether
    // an event was exported: only for a product with `posthog_export` and a
    // conversation `proactive:{session id}` (others name no session).
    Result<bool> tourProgress(
        std::string_view productId, std::string_view conversationId, const TourProgress& progress);

    // How often a decision is made again after a conflict before the call
    // gives up with "store_busy".
    static constexpr int kDecisionAttempts = 8;

private:
    struct SessionRate {
        std::int64_t atSecond = 0; // the second of the clock being counted
        int opened = 0;
    };

    Result<const Product*> findProduct(const Workspace& workspace, std::string_view productId) const;
    // Accepting or dismissing an offer is the user's interaction with its
    // trigger (frequency "until_interacted", SPEC §8): kept in the history
    // of the conversation's session's user.
    static bool isOfferAnswer(FsmEvent event);
    // An offer event of the product about a session, with the trigger's
    // experiment arm for the session's user when the trigger has a holdout.
    OfferEvent offerEvent(const Product& product, std::string_view event, const std::string& sessionId,
        const std::string& triggerId, Timestamp at) const;
    // The trigger the conversation's latest offer was of (what a tour that
    // ends now was started by); empty when none.
    std::string latestOfferedTrigger(const Product& product, const ConversationKey& conversation) const;
    // What an agent-state event tells PostHog: the expiry it found, the
    // answer it applied, the end of a tour.
    std::vector<OfferEvent> offerEventsOf(const Product& product, const ConversationKey& key, FsmEvent event,
        const FsmOutcome& outcome, const std::string& offeredTrigger, Timestamp now) const;
    void recordInteraction(const Product& product, std::string_view conversationId, const std::string& triggerId,
        Timestamp now, StoreWrite& write) const;
    Status commit(const StoreWrite& write);
    // Runs `attempt` as one decision of the store, again while it ends in a
    // conflict; a store that fails turns into an error. `attempt` returns a
    // Result and is called with the connector locked.
    template<typename Attempt> auto decide(Attempt&& attempt) const -> decltype(attempt());
    class IngestBatch;
    // Runs an ingest attempt as one decision (decide), each attempt made
    // again from the product's new-session count as it was.
    template<typename Attempt> Result<IngestResult> decideIngest(const Product& product, Attempt&& attempt);
    Result<IngestResult> ingestOnce(const Product& product, std::vector<Action> actions);
    Result<IngestResult> ingestRecordsOnce(const Product& product, std::string_view sessionId,
        std::span<const ActionRecord> records, const ActionIdentity& identity);
    // Adds up to `limit` expired sessions (not those in `skip`, by id, of
    // `skipProduct`) to `write`; returns how many.
    std::size_t sweep(StoreWrite& write, Timestamp now, std::size_t limit, std::string_view skipProduct,
        const std::function<bool(const std::string&)>& skip) const;
    // Why a new session may not open now for an event (where left empty),
    // or nothing: then it counts toward the product's second.
    std::optional<Error> admitSession(const Product& product, std::size_t openedByCall, std::string_view event,
        std::string_view sessionId, Timestamp now);

    mutable std::mutex m_mutex;
    std::shared_ptr<const Workspace> m_workspace;
    Store& m_store;
    const Clock& m_clock;
    std::map<std::string, SessionRate, std::less<>> m_sessionRates; // by product id
    Timestamp m_nextSweep {};
    OfferEventSink* m_offerEvents = nullptr;
    bool m_sweepBehind = false; // the last sweep found a full chunk: sweep again at the next ingest
};

} // namespace proactive
