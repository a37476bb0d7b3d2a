#include "gates/decision.h"

namespace proactive {

std::string_view nameOf(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Pass:
        return "pass";
    case Verdict::Block:
        return "block";
    case Verdict::NotReached:
        break;
    }
    return "not_reached";
}

std::string_view nameOf(TriggerReport::Status status)
{
    switch (status) {
    case TriggerReport::Status::Matched:
        return "matched";
    case TriggerReport::Status::NoMatch:
        return "no_match";
    case TriggerReport::Status::Cooldown:
        return "cooldown";
    case TriggerReport::Status::Error:
        return "error";
    case TriggerReport::Status::Shadowed:
        return "shadowed";
    case TriggerReport::Status::Frequency:
        return "frequency";
    case TriggerReport::Status::Wait:
        break;
    }
    return "wait";
}

nlohmann::json toJson(const Offer& offer)
{
    return {
        { "trigger_id", offer.triggerId },
        { "body", offer.body },
        { "reply_option_labels", offer.replyOptionLabels },
        { "interaction_timeout_s", toSeconds(offer.interactionTimeout) },
        { "cooldown_s", toSeconds(offer.cooldown) },
        { "metadata", offer.metadata },
    };
}

nlohmann::json toJson(const Decision& decision, bool explain)
{
    nlohmann::json body {
        { "proactive_trigger", decision.offer ? toJson(*decision.offer) : nlohmann::json(nullptr) },
        { "proactive_skip_reason",
            decision.skipReason ? nlohmann::json(*decision.skipReason) : nlohmann::json(nullptr) },
        { "state", nameOf(decision.state) },
    };
    if (decision.offer && !decision.offer->tourId.empty())
        body["proactive_trigger"]["tour_id"] = decision.offer->tourId;
    if (!explain)
        return body;
    nlohmann::json gates = nlohmann::json::array();
    for (const auto& gate : decision.gates) {
        nlohmann::json entry {
            { "gate", gate.gate },
            { "verdict", nameOf(gate.verdict) },
            { "numbers", gate.numbers },
        };
        if (!gate.reason.empty())
            entry["reason"] = gate.reason;
        if (gate.gate == "triggers" && gate.verdict != Verdict::NotReached) {
            nlohmann::json triggers = nlohmann::json::array();
            for (const auto& trigger : decision.triggers) {
                nlohmann::json t {
                    { "trigger_id", trigger.triggerId },
                    { "status", nameOf(trigger.status) },
                    { "condition", toJson(trigger.explanation) },
                };
                if (!trigger.error.empty())
                    t["error"] = trigger.error;
                if (trigger.status == TriggerReport::Status::Cooldown)
                    t["cooldown_remaining_s"] = trigger.cooldownRemainingS;
                if (!trigger.rule.empty())
                    t["reason"] = trigger.rule;
                triggers.push_back(std::move(t));
            }
            entry["triggers"] = std::move(triggers);
        }
        gates.push_back(std::move(entry));
    }
    body["gates"] = std::move(gates);
    if (decision.assignment)
        body["experiment"] = decision.assignment->toJson();
    if (!decision.heldOutTrigger.empty())
        body["would_have_offered"] = decision.heldOutTrigger;
    body["at"] = formatIsoTimestamp(decision.at);
    return body;
}

} // namespace proactive
