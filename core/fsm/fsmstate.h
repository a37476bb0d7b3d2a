#pragma once

#include "base/clock.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace proactive {

enum class FsmState : std::uint8_t {
    Thinking,
    ReactiveAssistance,
    ProactiveAssistance,
    GuidanceExecution,
    ConservativeAssistance,
};

enum class FsmEvent : std::uint8_t {
    UserSent,
    BotResponseCompleted,
    ProactiveDismissed,
    ProactiveAcceptedChat,
    ProactiveAcceptedTour,
    TourCompleted,
    TourAbandoned,
    Reset,
};

inline constexpr int kFsmStateCount = 5;
inline constexpr int kFsmEventCount = 8;

std::string_view nameOf(FsmState state);
std::string_view nameOf(FsmEvent event);
std::optional<FsmState> fsmStateFromString(std::string_view name);
std::optional<FsmEvent> fsmEventFromString(std::string_view name);

// The persisted FSM state of one (product, conversation).
struct ConversationRecord {
    FsmState state = FsmState::Thinking;
    Timestamp enteredAt {}; // when `state` was entered
    // Last agent_state event or firing: proactive expiry, and for an expired
    // offer (thinking with activeTriggerId set) when it was made.
    Timestamp lastEventAt {};
    int dismissals = 0; // times conservative_assistance was entered since the last reset
    Timestamp cooldownUntil {}; // conservative: when the cooldown ends (ignored when silenced)
    bool silenced = false; // conservative with dismissals beyond the cooldown list
    // Proactive: the open offer. Thinking after an interaction timeout: the
    // offer that expired at lastEventAt + interactionTimeout, kept so that a
    // late answer within the product's late_answer_grace_s still counts
    // (SPEC §8 "§2 Late answers"); any later transition forgets it.
    std::string activeTriggerId;
    Duration interactionTimeout { 0 }; // proactive: expiry without an event

    bool operator==(const ConversationRecord&) const = default;
};

// One entry of the transition log (SPEC §2: time, event, from, to, cause).
struct TransitionRecord {
    Timestamp at {};
    std::string event; // agent-state event name, or "fired", "cooldown_elapsed", "interaction_timeout"
    FsmState from = FsmState::Thinking;
    FsmState to = FsmState::Thinking;
    std::string cause; // "agent_state", "late_answer", "trigger:<id>", "gate", ...

    bool operator==(const TransitionRecord&) const = default;
};

} // namespace proactive
