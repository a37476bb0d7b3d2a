#include "fsm/fsm.h"

#include <array>
#include <cstdio>

namespace proactive {

namespace {

    constexpr std::array<std::string_view, kFsmStateCount> kStateNames {
        "thinking",
        "reactive_assistance",
        "proactive_assistance",
        "guidance_execution",
        "conservative_assistance",
    };

    constexpr std::array<std::string_view, kFsmEventCount> kEventNames {
        "user_sent",
        "bot_response_completed",
        "proactive_dismissed",
        "proactive_accepted_chat",
        "proactive_accepted_tour",
        "tour_completed",
        "tour_abandoned",
        "reset",
    };

    struct Edge {
        FsmEvent event;
        FsmState from;
        FsmState to;
    };

    // SPEC §2. Every pair not listed here is an invalid transition.
    constexpr std::array<Edge, 7> kEdges { {
        { FsmEvent::UserSent, FsmState::Thinking, FsmState::ReactiveAssistance },
        { FsmEvent::BotResponseCompleted, FsmState::ReactiveAssistance, FsmState::Thinking },
        { FsmEvent::ProactiveDismissed, FsmState::ProactiveAssistance, FsmState::ConservativeAssistance },
        { FsmEvent::ProactiveAcceptedChat, FsmState::ProactiveAssistance, FsmState::ReactiveAssistance },
        { FsmEvent::ProactiveAcceptedTour, FsmState::ProactiveAssistance, FsmState::GuidanceExecution },
        { FsmEvent::TourCompleted, FsmState::GuidanceExecution, FsmState::Thinking },
        { FsmEvent::TourAbandoned, FsmState::GuidanceExecution, FsmState::ConservativeAssistance },
    } };

    template<typename Enum, std::size_t N>
    std::optional<Enum> lookup(const std::array<std::string_view, N>& names, std::string_view name)
    {
        for (std::size_t i = 0; i < N; ++i)
            if (names[i] == name)
                return static_cast<Enum>(i);
        return std::nullopt;
    }

    TransitionRecord enter(ConversationRecord& record, FsmState to, Timestamp now, std::string event, std::string cause)
    {
        TransitionRecord transition { now, std::move(event), record.state, to, std::move(cause) };
        record.state = to;
        record.enteredAt = now;
        record.lastEventAt = now;
        if (to != FsmState::ProactiveAssistance) {
            record.activeTriggerId.clear();
            record.interactionTimeout = Duration(0);
        }
        return transition;
    }

    bool isAnswerToOffer(FsmEvent event)
    {
        return event == FsmEvent::ProactiveDismissed || event == FsmEvent::ProactiveAcceptedChat
            || event == FsmEvent::ProactiveAcceptedTour;
    }

    std::string secondsText(Duration duration)
    {
        char text[32];
        std::snprintf(text, sizeof text, "%g s", toSeconds(duration));
        return text;
    }

    // Why `event` changes nothing in `record` (which still holds the offer
    // that expired last, if any).
    std::string refusal(const ConversationRecord& record, FsmEvent event, Timestamp now, Duration grace)
    {
        const std::string pair
            = std::string(nameOf(event)) + " is not a transition from " + std::string(nameOf(record.state));
        if (!isAnswerToOffer(event) || record.state != FsmState::Thinking)
            return pair;
        if (record.activeTriggerId.empty())
            return pair + ": no offer is open and none expired in the last late_answer_grace_s (" + secondsText(grace)
                + ")";
        return pair + ": the offer of trigger \"" + record.activeTriggerId + "\" expired "
            + secondsText(now - (record.lastEventAt + record.interactionTimeout)) + " ago, beyond late_answer_grace_s ("
            + secondsText(grace) + ")";
    }

} // namespace

std::string_view nameOf(FsmState state) { return kStateNames[static_cast<std::size_t>(state)]; }
std::string_view nameOf(FsmEvent event) { return kEventNames[static_cast<std::size_t>(event)]; }
std::optional<FsmState> fsmStateFromString(std::string_view name) { return lookup<FsmState>(kStateNames, name); }
std::optional<FsmEvent> fsmEventFromString(std::string_view name) { return lookup<FsmEvent>(kEventNames, name); }

namespace fsm {

    std::optional<FsmState> target(FsmState from, FsmEvent event)
    {
        for (const Edge& edge : kEdges)
            if (edge.event == event && edge.from == from)
                return edge.to;
        return std::nullopt;
    }

    std::optional<TransitionRecord> expire(ConversationRecord& record, Timestamp now)
    {
        if (record.state == FsmState::ConservativeAssistance && !record.silenced && now >= record.cooldownUntil)
            return enter(record, FsmState::Thinking, now, "cooldown_elapsed", "gate");
        if (record.state == FsmState::ProactiveAssistance && record.interactionTimeout > Duration(0)
            && now >= record.lastEventAt + record.interactionTimeout) {
            ConversationRecord offer = record;
            auto transition = enter(record, FsmState::Thinking, now, "interaction_timeout", "gate");
            // The user may still be answering it (a late answer, see apply()).
            record.activeTriggerId = std::move(offer.activeTriggerId);
            record.interactionTimeout = offer.interactionTimeout;
            record.lastEventAt = offer.lastEventAt;
            return transition;
        }
        return std::nullopt;
    }

    FsmOutcome apply(ConversationRecord& record, FsmEvent event, Timestamp now, const ProactiveSettings& settings)
    {
        FsmOutcome outcome;
        outcome.previous = record.state;
        if (event == FsmEvent::Reset) {
            const FsmState previous = record.state;
            record = ConversationRecord {};
            record.enteredAt = now;
            record.lastEventAt = now;
            outcome.kind = FsmOutcome::Kind::Erased;
            outcome.state = record.state;
            outcome.transition = TransitionRecord { now, "reset", previous, FsmState::Thinking, "agent_state" };
            return outcome;
        }
        auto to = target(record.state, event);
        std::string cause = "agent_state";
        // The offer expired while the user was answering it: within the
        // grace the answer is still the answer to that offer.
        if (!to && isAnswerToOffer(event) && record.state == FsmState::Thinking && !record.activeTriggerId.empty()
            && now < record.lastEventAt + record.interactionTimeout + settings.lateAnswerGrace) {
            to = target(FsmState::ProactiveAssistance, event);
            cause = "late_answer";
        }
        if (!to) {
            outcome.kind = FsmOutcome::Kind::InvalidTransition;
            outcome.state = record.state;
            outcome.message = refusal(record, event, now, settings.lateAnswerGrace);
            return outcome;
        }
        outcome.transition = enter(record, *to, now, std::string(nameOf(event)), std::move(cause));
        if (*to == FsmState::ConservativeAssistance) {
            record.dismissals += 1;
            const auto& cooldowns = settings.conservativeCooldowns;
            if (static_cast<std::size_t>(record.dismissals) <= cooldowns.size()) {
                record.silenced = false;
                record.cooldownUntil = now + cooldowns[static_cast<std::size_t>(record.dismissals) - 1];
            } else {
                record.silenced = true;
                record.cooldownUntil = Timestamp {};
            }
        }
        outcome.kind = FsmOutcome::Kind::Applied;
        outcome.state = record.state;
        return outcome;
    }

    TransitionRecord fire(ConversationRecord& record, const std::string& triggerId, Duration interactionTimeout,
        Timestamp now)
    {
        auto transition = enter(record, FsmState::ProactiveAssistance, now, "trigger_fired", "trigger:" + triggerId);
        record.activeTriggerId = triggerId;
        record.interactionTimeout = interactionTimeout;
        return transition;
    }

} // namespace fsm
} // namespace proactive
