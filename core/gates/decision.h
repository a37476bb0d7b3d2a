#pragma once

#include "fsm/fsmstate.h"
#include "gates/offerrules.h"
#include "triggers/trigger.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace proactive {

// What the client shows when a trigger fires (SPEC §3 response).
struct Offer {
    std::string triggerId;
    std::string body;
    std::vector<std::string> replyOptionLabels;
    Duration interactionTimeout { 0 };
    Duration cooldown { 0 };
    nlohmann::json metadata = nlohmann::json::object();
    std::string tourId;
};

enum class Verdict { Pass, Block, NotReached };
std::string_view nameOf(Verdict verdict);

// One gate's verdict with the numbers behind it.
struct GateReport {
    std::string gate; // product, fsm, resilience, triggers, quotas, bookkeeping
    Verdict verdict = Verdict::NotReached;
    std::string reason; // the skip reason when blocked
    nlohmann::json numbers = nlohmann::json::object();
};

// The trigger gate's view of one trigger.
struct TriggerReport {
    // Frequency and Wait: matched, but passed over by the user's offer
    // history (SPEC §8 "§3 Frequency and experiments"); `rule` says which.
    enum class Status { Matched, NoMatch, Cooldown, Error, Shadowed, Frequency, Wait };
    std::string triggerId;
    Status status = Status::NoMatch;
    std::string error;
    std::string rule; // Frequency, Wait: the skip reason it would have been
    double cooldownRemainingS = 0;
    ConditionExplanation explanation;
};
std::string_view nameOf(TriggerReport::Status status);

// The answer of one poll.
struct Decision {
    std::optional<Offer> offer;
    std::optional<std::string> skipReason;
    FsmState state = FsmState::Thinking;
    Timestamp at {};
    // Filled when explain was asked for.
    std::vector<GateReport> gates;
    std::vector<TriggerReport> triggers;
    // What this poll changed: expiry, firing. Empty for most polls.
    std::vector<TransitionRecord> transitions;
    // The experiment arm of the trigger that would have been offered, when
    // it has a holdout; with `experiment:holdout` the user is held out and
    // heldOutTrigger is what they would have been offered.
    std::optional<HoldoutAssignment> assignment;
    std::string heldOutTrigger;
};

// The /context body: proactive_trigger, proactive_skip_reason, state, and
// with `explain` the gates (gatesJson), the experiment, what would have been
// offered, and when. Written as text (JsonWriter), byte for byte what dump()
// of the same document writes with error_handler_t::replace: a poll builds
// no DOM for its answer; only an explained one dumps its gate report.
std::string contextJson(const Decision& decision, bool explain);

// The gates' report, the triggers gate carrying every trigger's report: the
// "gates" of an explained /context answer and of a replay's polls.
nlohmann::json gatesJson(const std::vector<GateReport>& gates, const std::vector<TriggerReport>& triggers);

} // namespace proactive
