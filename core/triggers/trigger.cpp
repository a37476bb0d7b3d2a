#include "triggers/trigger.h"

#include "base/jsonreader.h"
#include "triggers/condition.h"
#include "triggers/triggerjson.h"

#include <algorithm>
#include <map>

namespace proactive {

namespace {

    constexpr std::size_t kMaxBodyCodePoints = 150;
    constexpr std::size_t kMaxTriggers = 1000;
    constexpr std::size_t kMaxIdBytes = 128;
    constexpr std::size_t kMaxMetadataBytes = 16 * 1024;
    // 9999-12-31T23:59:59.999Z: anything beyond is corrupt data, and keeping
    // times this small makes every difference of two of them safe.
    constexpr std::int64_t kMaxAbsEpochMs = 253'402'300'799'999;

    bool isIdChar(char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
            || c == '.' || c == ':';
    }

    bool isTourIdChar(char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }

    bool inRange(Timestamp t)
    {
        const auto ms = toEpochMs(t);
        return ms >= -kMaxAbsEpochMs && ms <= kMaxAbsEpochMs;
    }

    // !inRange(t) as one unsigned compare (wrapping arithmetic, no overflow),
    // so the pass over a window has no branch per action.
    bool outOfRange(Timestamp t)
    {
        constexpr auto bound = static_cast<std::uint64_t>(kMaxAbsEpochMs);
        return static_cast<std::uint64_t>(toEpochMs(t)) + bound > 2 * bound;
    }

    // "always", "once", "until_interacted" or {"max_per_user": N, "within_s": S}.
    std::optional<FrequencyRule> readFrequency(JsonObjectReader& reader, ConditionParser& parser)
    {
        const auto* value = reader.value("frequency");
        if (!value)
            return std::nullopt;
        const std::string pointer = jsonPointer(reader.pointer(), "frequency");
        FrequencyRule rule;
        if (value->is_string()) {
            const auto& name = value->get_ref<const std::string&>();
            for (const auto kind :
                { FrequencyRule::Kind::Always, FrequencyRule::Kind::Once, FrequencyRule::Kind::UntilInteracted })
                if (name == nameOf(kind)) {
                    rule.kind = kind;
                    return rule;
                }
            parser.error(pointer,
                "unknown value \"" + name
                    + "\" (expected \"always\", \"once\", \"until_interacted\" or {\"max_per_user\": N, "
                      "\"within_s\": S})");
            return std::nullopt;
        }
        if (!value->is_object()) {
            parser.error(pointer,
                "expected \"always\", \"once\", \"until_interacted\" or {\"max_per_user\": N, \"within_s\": S}, "
                "found "
                    + std::string(jsonTypeName(*value)));
            return std::nullopt;
        }
        const std::size_t before = parser.diagnostics.size();
        auto object = parser.reader(*value, pointer);
        rule.kind = FrequencyRule::Kind::MaxPerUser;
        if (auto n = readInteger(object, "max_per_user", 1, FrequencyRule::kMaxPerUserLimit, true))
            rule.maxPerUser = static_cast<int>(*n);
        if (object.has("within_s"))
            rule.within = readSeconds(object, "within_s", 1, 366.0 * 86400);
        object.finish();
        if (parser.diagnostics.size() != before)
            return std::nullopt;
        return rule;
    }

    std::optional<TriggerDefinition> readDefinition(const nlohmann::json& value, const std::string& pointer,
        ConditionParser& parser, std::shared_ptr<const Condition>& when)
    {
        const std::size_t before = parser.diagnostics.size();
        auto reader = parser.reader(value, pointer);
        if (!reader.valid())
            return std::nullopt;
        TriggerDefinition definition;
        if (auto id = readText(reader, "id", { .required = true, .maxBytes = kMaxIdBytes })) {
            if (std::all_of(id->begin(), id->end(), isIdChar))
                definition.id = std::move(*id);
            else
                reader.error("id", "may only contain letters, digits, '_', '-', '.' and ':'");
        }
        definition.name = readText(reader, "name", { .allowBlank = true, .maxBytes = 200 }).value_or("");
        definition.description = readText(reader, "description", { .allowBlank = true, .maxBytes = 2000 }).value_or("");
        const bool hasBody = reader.has("body");
        const auto body = readText(reader, "body", { .allowBlank = true, .maxBytes = 4000 });
        definition.body = body.value_or("");
        definition.replyOptionLabels
            = readLabels(reader, parser, "reply_option_labels").value_or(std::vector<std::string> {});
        if (auto timeout = readSeconds(reader, "interaction_timeout_s", 0.001, 86400))
            definition.interactionTimeout = *timeout;
        if (auto cooldown = readSeconds(reader, "cooldown_s", 0, kMaxDurationSeconds))
            definition.cooldown = *cooldown;
        if (auto tour = readText(reader, "tour_id", { .maxBytes = kMaxIdBytes })) {
            if (std::all_of(tour->begin(), tour->end(), isTourIdChar))
                definition.tourId = std::move(*tour);
            else
                reader.error("tour_id", "may only contain letters, digits, '_' and '-' (the [TOUR:<id>] tag syntax)");
        }
        if (const auto* metadata = reader.value("metadata")) {
            if (!metadata->is_object())
                reader.error("metadata", "expected an object, found " + std::string(jsonTypeName(*metadata)));
            else if (const auto size = metadata->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).size();
                     size > kMaxMetadataBytes)
                reader.error("metadata",
                    "too large: " + std::to_string(size) + " bytes, at most " + std::to_string(kMaxMetadataBytes));
            else
                definition.metadata = *metadata;
        }
        if (auto frequency = readFrequency(reader, parser))
            definition.frequency = *frequency;
        if (auto group = readText(reader, "group", { .maxBytes = kMaxIdBytes })) {
            if (std::all_of(group->begin(), group->end(), isIdChar))
                definition.group = std::move(*group);
            else
                reader.error("group", "may only contain letters, digits, '_', '-', '.' and ':'");
        }
        definition.holdoutPercent = reader.number("holdout_percent", 0, kMaxHoldoutPercent);
        if (auto experiment = readText(reader, "experiment", { .maxBytes = kMaxIdBytes })) {
            if (std::all_of(experiment->begin(), experiment->end(), isIdChar))
                definition.experiment = std::move(*experiment);
            else
                reader.error("experiment", "may only contain letters, digits, '_', '-', '.' and ':'");
        }
        if (const auto* condition = reader.value("when")) {
            definition.when = *condition;
            parser.nodes = 0;
            when = compileCondition(*condition, jsonPointer(pointer, "when"), parser);
            if (when && (body || !hasBody) && isBlank(definition.body) && !when->providesBody())
                reader.error(
                    "body", hasBody ? "must not be empty" : "missing required field (the offer text, a string)");
        } else {
            reader.error("when", "missing required field (a condition)");
        }
        reader.finish();
        if (parser.diagnostics.size() != before)
            return std::nullopt;
        return definition;
    }

} // namespace

std::optional<std::string> contextProblem(const EvaluationContext& context)
{
    if (!inRange(context.now))
        return "the evaluation time is out of range";
    bool anyOut = false;
    for (const ActionRecord& action : context.actions)
        anyOut |= outOfRange(action.timestampStart) | outOfRange(action.timestampEnd);
    if (!anyOut)
        return std::nullopt;
    // Which one: the slow path, taken only for corrupt data.
    for (std::size_t i = 0; i < context.actions.size(); ++i)
        if (!inRange(context.actions[i].timestampStart) || !inRange(context.actions[i].timestampEnd))
            return "action " + std::to_string(i) + " has a timestamp out of range";
    return std::nullopt;
}

nlohmann::json toJson(const ConditionExplanation& explanation)
{
    nlohmann::json json {
        { "kind", explanation.kind },
        { "label", explanation.label },
        { "observed", explanation.observed },
        { "threshold", explanation.threshold },
        { "matched", explanation.matched },
        { "summary", explanation.summary },
    };
    if (!explanation.details.is_null())
        json["details"] = explanation.details;
    if (!explanation.children.empty()) {
        auto& children = json["children"] = nlohmann::json::array();
        for (const auto& child : explanation.children)
            children.push_back(toJson(child));
    }
    return json;
}

std::string normaliseBody(std::string_view body)
{
    // Trimmed before the cut, so padding does not count, and after it, so
    // the cut leaves no padding behind.
    return std::string(trimmed(firstCodePoints(trimmed(body), kMaxBodyCodePoints)));
}

Trigger::Trigger(TriggerDefinition definition, std::shared_ptr<const Condition> when)
    : m_definition(std::move(definition))
    , m_when(std::move(when))
    , m_body(normaliseBody(m_definition.body))
{ }

TriggerEvaluation Trigger::evaluate(const EvaluationContext& context) const noexcept
{
    TriggerEvaluation result;
    if (context.explain)
        result.explanation.emplace();
    try {
        if (!context.checked)
            if (auto problem = contextProblem(context)) {
                result.error = std::move(problem);
                return result;
            }
        if (!m_when) {
            result.error = "trigger has no condition";
            return result;
        }
        EvaluationScope scope(context);
        const PlaybookSection* section = nullptr;
        result.matched = m_when->evaluate(scope, result.explanation ? &*result.explanation : nullptr, section);
        if (result.matched) {
            result.body = section ? section->body : m_body;
            result.replyOptionLabels
                = section && section->replyOptionLabels ? *section->replyOptionLabels : m_definition.replyOptionLabels;
        }
    } catch (const std::exception& e) {
        result.matched = false;
        try {
            result.error = std::string("evaluation failed: ") + e.what();
        } catch (...) {
            result.error.emplace();
        }
    } catch (...) {
        result.matched = false;
        result.error.emplace();
    }
    return result;
}

std::string_view nameOf(FrequencyRule::Kind kind)
{
    switch (kind) {
    case FrequencyRule::Kind::Always:
        return "always";
    case FrequencyRule::Kind::Once:
        return "once";
    case FrequencyRule::Kind::UntilInteracted:
        return "until_interacted";
    case FrequencyRule::Kind::MaxPerUser:
        break;
    }
    return "max_per_user";
}

TriggerSet::TriggerSet(std::vector<Trigger> triggers)
    : m_triggers(std::move(triggers))
    , m_usesOfferRules(std::any_of(m_triggers.begin(), m_triggers.end(), [](const Trigger& trigger) {
        const TriggerDefinition& d = trigger.definition();
        return d.frequency.kind != FrequencyRule::Kind::Always || d.holdoutPercent.value_or(0) > 0;
    }))
{ }

const Trigger* TriggerSet::find(std::string_view id) const
{
    const auto it = std::find_if(m_triggers.begin(), m_triggers.end(), [&](const Trigger& t) { return t.id() == id; });
    return it == m_triggers.end() ? nullptr : &*it;
}

std::shared_ptr<const TriggerSet> parseTriggers(
    const nlohmann::json& array, const std::string& file, const std::string& pointer, Diagnostics& diagnostics)
{
    if (!array.is_array()) {
        diagnostics.push_back(
            { file, pointer, "expected an array of triggers, found " + std::string(jsonTypeName(array)) });
        return std::make_shared<const TriggerSet>();
    }
    if (array.size() > kMaxTriggers) {
        diagnostics.push_back({ file, pointer,
            "too many triggers: " + std::to_string(array.size()) + ", at most " + std::to_string(kMaxTriggers) });
        return std::make_shared<const TriggerSet>();
    }
    ConditionParser parser { file, diagnostics };
    std::vector<Trigger> triggers;
    std::map<std::string, std::string, std::less<>> firstSeen; // id -> pointer of its first definition
    for (std::size_t i = 0; i < array.size(); ++i) {
        const std::string at = jsonPointer(pointer, i);
        std::shared_ptr<const Condition> when;
        auto definition = readDefinition(array[i], at, parser, when);
        // A duplicate is reported even when the first one was invalid, so
        // fixing that one does not reveal a new error.
        std::string id;
        if (array[i].is_object() && array[i].contains("id") && array[i]["id"].is_string())
            id = array[i]["id"].get<std::string>();
        if (!id.empty()) {
            const auto [it, inserted] = firstSeen.emplace(id, jsonPointer(at, "id"));
            if (!inserted) {
                parser.error(jsonPointer(at, "id"), "duplicate id \"" + id + "\" (first at " + it->second + ")");
                continue;
            }
        }
        if (definition)
            triggers.emplace_back(std::move(*definition), std::move(when));
    }
    return std::make_shared<const TriggerSet>(std::move(triggers));
}

} // namespace proactive
