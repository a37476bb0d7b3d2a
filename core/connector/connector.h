#pragma once

#include "base/clock.h"
#include "base/result.h"
#include "fsm/fsm.h"
#include "gates/decision.h"
#include "store/store.h"
#include "workspace/workspace.h"

#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

namespace proactive {

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
    std::size_t ignored = 0; // PostHog's own bookkeeping events ($identify, $web_vitals, ...): not user actions
    std::vector<Error> rejected; // actions that cannot be kept (no session id)
    std::vector<SessionRotation> rotations;
};

// What the connector knows of one session's recent activity (the Dify
// retrieval endpoint, SPEC §5).
struct SessionActivity {
    std::string productId;
    std::string sessionId;
    SessionRecord session;
    std::vector<Action> actions; // newest first
};

// The one façade every driver (studio, HTTP service, replay) calls; no
// driver re-implements a rule. Thread-safe: calls are serialised, which also
// makes concurrent clients equivalent to some serial order.
class Connector final {
public:
    Connector(std::shared_ptr<const Workspace> workspace, Store& store, const Clock& clock);

    std::shared_ptr<const Workspace> workspace() const;
    // Swaps the configuration (edited triggers, reloaded files); state stays.
    void setWorkspace(std::shared_ptr<const Workspace> workspace);
    const Clock& clock() const { return m_clock; }

    // Canonicalises the actions with the product's routes and appends them to
    // their sessions.
    Result<IngestResult> ingest(std::string_view productId, std::vector<Action> actions);

    // GET /context (SPEC §3). An empty conversation id means proactive:{session}.
    Result<Decision> context(
        std::string_view productId, std::string_view sessionId, std::string_view conversationId = {}, bool explain = false);

    // POST /agent_state (SPEC §2). Unknown product → "unknown_product", unknown
    // event → "unknown_event"; an invalid pair is an outcome, not an error.
    Result<FsmOutcome> agentState(std::string_view productId, std::string_view conversationId, std::string_view event);

    // Every trigger evaluated on the session now, ignoring the other gates.
    Result<std::vector<TriggerReport>> explainTriggers(std::string_view productId, std::string_view sessionId);

    // The `limit` most recent actions of the session with this id, or, when
    // no session has it and it contains '@', of the latest session of the
    // user with this email. Sessions of every product are candidates; the
    // most recently seen wins. nullopt when no session matches.
    std::optional<SessionActivity> recentActivity(std::string_view sessionOrEmail, std::size_t limit) const;

    std::vector<TransitionRecord> transitions(const ConversationKey& key, std::size_t limit = 200) const;
    std::optional<ConversationRecord> conversation(const ConversationKey& key) const;

    static std::string proactiveConversationId(std::string_view sessionId);

private:
    Result<const Product*> findProduct(const Workspace& workspace, std::string_view productId) const;
    Status commit(const StoreWrite& write);

    mutable std::mutex m_mutex;
    std::shared_ptr<const Workspace> m_workspace;
    Store& m_store;
    const Clock& m_clock;
};

} // namespace proactive
