#include "gates/decision.h"

#include "base/jsonwriter.h"

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

namespace {

    // Keys in the order nlohmann's (std::map) objects keep them.
    void writeOffer(JsonWriter& json, const Offer& offer)
    {
        json.beginObject();
        json.key("body").value(offer.body);
        json.key("cooldown_s").value(toSeconds(offer.cooldown));
        json.key("interaction_timeout_s").value(toSeconds(offer.interactionTimeout));
        json.key("metadata").dump(offer.metadata);
        json.key("reply_option_labels").beginArray();
        for (const std::string& label : offer.replyOptionLabels)
            json.value(label);
        json.endArray();
        if (!offer.tourId.empty())
            json.key("tour_id").value(offer.tourId);
        json.key("trigger_id").value(offer.triggerId);
        json.endObject();
    }

} // namespace

nlohmann::json gatesJson(const std::vector<GateReport>& gates, const std::vector<TriggerReport>& triggers)
{
    nlohmann::json list = nlohmann::json::array();
    for (const auto& gate : gates) {
        nlohmann::json entry {
            { "gate", gate.gate },
            { "verdict", nameOf(gate.verdict) },
            { "numbers", gate.numbers },
        };
        if (!gate.reason.empty())
            entry["reason"] = gate.reason;
        if (gate.gate == "triggers" && gate.verdict != Verdict::NotReached) {
            nlohmann::json reports = nlohmann::json::array();
            for (const auto& trigger : triggers) {
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
                reports.push_back(std::move(t));
            }
            entry["triggers"] = std::move(reports);
        }
        list.push_back(std::move(entry));
    }
    return list;
}

std::string contextJson(const Decision& decision, bool explain)
{
    std::string out;
    out.reserve(256); // a poll's answer without explain fits
    JsonWriter json(out);
    // Keys in the order nlohmann's (std::map) objects keep them.
    json.beginObject();
    if (explain) {
        json.key("at").value(formatIsoTimestamp(decision.at));
        if (decision.assignment)
            json.key("experiment").dump(decision.assignment->toJson());
        json.key("gates").dump(gatesJson(decision.gates, decision.triggers));
    }
    json.key("proactive_skip_reason");
    if (decision.skipReason)
        json.value(*decision.skipReason);
    else
        json.null();
    json.key("proactive_trigger");
    if (decision.offer)
        writeOffer(json, *decision.offer);
    else
        json.null();
    json.key("state").value(nameOf(decision.state));
    if (explain && !decision.heldOutTrigger.empty())
        json.key("would_have_offered").value(decision.heldOutTrigger);
    json.endObject();
    return out;
}

} // namespace proactive
