#pragma once

#include "fsm/fsmstate.h"
#include "workspace/product.h"

#include <optional>

namespace proactive {

// What one agent-state event did to a conversation.
struct FsmOutcome {
    enum class Kind { Applied, InvalidTransition, Erased };
    Kind kind = Kind::InvalidTransition;
    FsmState previous = FsmState::Thinking;
    FsmState state = FsmState::Thinking;
    std::optional<TransitionRecord> transition; // set when something changed (Applied, Erased)
    // Set by Connector::agentState when a time-based change (fsm::expire) was
    // applied just before the event, so that drivers can count it too.
    std::optional<TransitionRecord> expiry;
    // InvalidTransition: why, for the client (which state refused which
    // event, or why a late answer no longer counts).
    std::string message;
};

// The state machine of SPEC §2 as pure functions over a ConversationRecord;
// the caller loads and persists the record. Every time comes in as `now`.
namespace fsm {

    // The table: target state of (from, event), or nullopt for an invalid
    // pair. `reset` is not in the table (it erases, see apply()).
    std::optional<FsmState> target(FsmState from, FsmEvent event);

    // Time-based changes due at `now`, applied before anything reads the
    // state: a conservative cooldown that has elapsed (now ≥ cooldownUntil)
    // returns to thinking; a proactive offer whose interaction timeout has
    // elapsed with no event (now ≥ lastEventAt + timeout) returns to
    // thinking without a cooldown, remembering the offer for late answers.
    // Silenced conversations stay.
    std::optional<TransitionRecord> expire(ConversationRecord& record, Timestamp now);

    // Applies an agent-state event (after expire()). Entering
    // conservative_assistance increments the dismissal count and starts the
    // n-th cooldown, or silences the conversation beyond the cooldown list.
    // `reset` returns Erased with the record reset to a fresh `thinking`.
    // An answer to an offer (dismissed, accepted_chat, accepted_tour) in
    // `thinking` within settings.lateAnswerGrace after that offer expired is
    // applied as if the offer were still open, with cause "late_answer".
    FsmOutcome apply(ConversationRecord& record, FsmEvent event, Timestamp now, const ProactiveSettings& settings);

    // Bookkeeping after a firing: thinking → proactive_assistance.
    TransitionRecord fire(ConversationRecord& record, const std::string& triggerId, Duration interactionTimeout,
        Timestamp now);

} // namespace fsm
} // namespace proactive
