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
    Timestamp lastEventAt {}; // last agent_state event or firing, for proactive expiry
    int dismissals = 0; // times conservative_assistance was entered since the last reset
    Timestamp cooldownUntil {}; // conservative: when the cooldown ends (ignored when silenced)
    bool silenced = false; // conservative with dismissals beyond the cooldown list
    std::string activeTriggerId; // proactive: the trigger that was offered
    Duration interactionTimeout { 0 }; // proactive: expiry without an event

    bool operator==(const ConversationRecord&) const = default;
};

// One entry of the transition log (SPEC §2: time, event, from, to, cause).
struct TransitionRecord {
    Timestamp at {};
    std::string event; // agent-state event name, or "fired", "cooldown_elapsed", "interaction_timeout"
    FsmState from = FsmState::Thinking;
    FsmState to = FsmState::Thinking;
    std::string cause; // "agent_state", "trigger:<id>", "gate", ...

    bool operator==(const TransitionRecord&) const = default;
};

} // namespace proactive
