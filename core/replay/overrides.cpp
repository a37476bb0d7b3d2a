#include "replay/overrides.h"

#include "triggers/trigger.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

namespace proactive {

namespace {

    using nlohmann::json;

    constexpr double kMaxSeconds = 365.0 * 24 * 3600;

    Error overrideError(const SettingOverride& override, std::string message)
    {
        return Error { "bad_override", override.toString() + ": " + std::move(message), override.path };
    }

    json numberJson(double value)
    {
        if (std::floor(value) == value && std::fabs(value) < 1e15)
            return static_cast<std::int64_t>(value);
        return value;
    }

    std::vector<std::string> split(std::string_view text, char separator)
    {
        std::vector<std::string> parts;
        std::size_t pos = 0;
        while (true) {
            const auto next = text.find(separator, pos);
            parts.emplace_back(text.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
            if (next == std::string_view::npos)
                return parts;
            pos = next + 1;
        }
    }

    std::string joined(const std::set<std::string>& names)
    {
        std::string out;
        for (const auto& name : names)
            out += (out.empty() ? "" : ", ") + name;
        return out.empty() ? std::string("none") : out;
    }

    // A trigger as the trigger parser reads it, from what it parsed.
    json triggerJson(const TriggerDefinition& definition)
    {
        json trigger { { "id", definition.id }, { "when", definition.when },
            { "interaction_timeout_s", numberJson(toSeconds(definition.interactionTimeout)) },
            { "cooldown_s", numberJson(toSeconds(definition.cooldown)) } };
        if (!definition.name.empty())
            trigger["name"] = definition.name;
        if (!definition.description.empty())
            trigger["description"] = definition.description;
        if (!definition.body.empty())
            trigger["body"] = definition.body;
        if (!definition.replyOptionLabels.empty())
            trigger["reply_option_labels"] = definition.replyOptionLabels;
        if (!definition.tourId.empty())
            trigger["tour_id"] = definition.tourId;
        if (definition.metadata.is_object() && !definition.metadata.empty())
            trigger["metadata"] = definition.metadata;
        return trigger;
    }

    // Every condition of a `when` with its kind and the object holding its
    // parameters: the condition itself for built-ins ({"type": kind, ...}),
    // the inner object for the keyed forms ({"idle": {...}}). Logic
    // (all/any/not) is walked through.
    void visitConditions(json& node, const std::function<void(const std::string& kind, json& parameters)>& visit)
    {
        if (!node.is_object())
            return;
        if (const auto type = node.find("type"); type != node.end() && type->is_string()) {
            visit(type->get<std::string>(), node);
            return;
        }
        if (node.size() != 1)
            return;
        const auto member = node.begin();
        const std::string& key = member.key();
        json& value = member.value();
        if ((key == "all" || key == "any") && value.is_array()) {
            for (auto& child : value)
                visitConditions(child, visit);
        } else if (key == "not") {
            visitConditions(value, visit);
        } else if (value.is_object()) {
            visit(key, value);
        }
    }

    std::set<std::string> conditionKinds(json& when)
    {
        std::set<std::string> kinds;
        visitConditions(when, [&](const std::string& kind, json&) { kinds.insert(kind); });
        return kinds;
    }

    std::set<std::string> numericParameters(json& when)
    {
        std::set<std::string> names;
        visitConditions(when, [&](const std::string&, json& parameters) {
            for (const auto& [name, value] : parameters.items())
                if (value.is_number())
                    names.insert(name);
        });
        return names;
    }

    Status applyProactive(Product& product, const SettingOverride& override, std::string_view setting)
    {
        ProactiveSettings& s = product.proactive;
        const double v = override.value;
        auto check = [&](double min, double max, bool integral) -> std::optional<Error> {
            if (v < min || v > max)
                return overrideError(
                    override, "must be between " + formatSettingValue(min) + " and " + formatSettingValue(max));
            if (integral && std::floor(v) != v)
                return overrideError(override, "must be a whole number");
            return std::nullopt;
        };
        std::optional<Error> error;
        if (setting == "min_interval_s") {
            if (!(error = check(0, kMaxSeconds, false)))
                s.minInterval = fromSeconds(v);
        } else if (setting == "lookback_s") {
            if (!(error = check(1, kMaxSeconds, false)))
                s.lookback = fromSeconds(v);
        } else if (setting == "max_actions") {
            if (!(error = check(1, 10000, true)))
                s.maxActions = static_cast<int>(v);
        } else if (setting == "late_answer_grace_s") {
            if (!(error = check(0, kMaxSeconds, false)))
                s.lateAnswerGrace = fromSeconds(v);
        } else if (setting == "circuit.failures") {
            if (!(error = check(1, 1000, true)))
                s.circuit.failures = static_cast<int>(v);
        } else if (setting == "circuit.pause_s") {
            if (!(error = check(0, kMaxSeconds, false)))
                s.circuit.pause = fromSeconds(v);
        } else if (setting == "quotas.product_per_minute") {
            if (!(error = check(0, 1e9, true)))
                s.quotas.productPerMinute = static_cast<int>(v);
        } else if (setting == "quotas.session_per_hour") {
            if (!(error = check(0, 1e9, true)))
                s.quotas.sessionPerHour = static_cast<int>(v);
        } else if (setting == "quotas.user_per_day") {
            if (!(error = check(0, 1e9, true)))
                s.quotas.userPerDay = static_cast<int>(v);
        } else if (setting.starts_with("conservative_cooldowns_s.")) {
            const std::string index(setting.substr(25));
            char* end = nullptr;
            const unsigned long i = std::strtoul(index.c_str(), &end, 10);
            if (index.empty() || *end != '\0' || i >= s.conservativeCooldowns.size())
                return overrideError(override,
                    "the product has " + std::to_string(s.conservativeCooldowns.size())
                        + " conservative cooldowns (indexes from 0)");
            if (!(error = check(0, kMaxSeconds, false)))
                s.conservativeCooldowns[i] = fromSeconds(v);
        } else {
            return overrideError(override,
                "unknown gate setting; proactive.* has min_interval_s, lookback_s, max_actions, "
                "conservative_cooldowns_s.<i>, late_answer_grace_s, circuit.failures, circuit.pause_s, "
                "quotas.product_per_minute, "
                "quotas.session_per_hour, quotas.user_per_day");
        }
        if (error)
            return *error;
        return Ok {};
    }

    // Sets a trigger setting in the JSON of the product's triggers.
    Status applyTrigger(json& triggers, const Product& product, const SettingOverride& override)
    {
        const std::string& path = override.path;
        // The longest trigger id the path starts with: ids may contain dots.
        json* trigger = nullptr;
        std::size_t idLength = 0;
        for (auto& t : triggers) {
            const auto& id = t["id"].get_ref<const std::string&>();
            if (path.size() > id.size() + 1 && path.starts_with(id) && path[id.size()] == '.' && id.size() > idLength) {
                trigger = &t;
                idLength = id.size();
            }
        }
        if (trigger) {
            const std::string id = (*trigger)["id"].get<std::string>();
            const auto rest = split(std::string_view(path).substr(idLength + 1), '.');
            json& when = (*trigger)["when"];
            if (rest.size() == 1 && (rest[0] == "interaction_timeout_s" || rest[0] == "cooldown_s")) {
                (*trigger)[rest[0]] = numberJson(override.value);
                return Ok {};
            }
            if (rest.size() == 1) {
                int set = 0;
                int conditions = 0;
                json* only = nullptr;
                visitConditions(when, [&](const std::string&, json& parameters) {
                    ++conditions;
                    only = &parameters;
                    if (const auto it = parameters.find(rest[0]); it != parameters.end() && it->is_number()) {
                        *it = numberJson(override.value);
                        ++set;
                    }
                });
                // A parameter left at its default is not written: with one condition, it is that one's.
                if (set == 0 && conditions == 1) {
                    (*only)[rest[0]] = numberJson(override.value);
                    set = 1;
                }
                if (set == 0)
                    return overrideError(override,
                        "trigger " + id + " has no setting " + rest[0] + "; it has interaction_timeout_s, cooldown_s"
                            + (numericParameters(when).empty() ? std::string()
                                                               : ", " + joined(numericParameters(when))));
                return Ok {};
            }
            if (rest.size() == 2) {
                int set = 0;
                visitConditions(when, [&](const std::string& kind, json& parameters) {
                    if (kind == rest[0]) {
                        parameters[rest[1]] = numberJson(override.value);
                        ++set;
                    }
                });
                if (set == 0)
                    return overrideError(override,
                        "trigger " + id + " has no " + rest[0]
                            + " condition; its conditions: " + joined(conditionKinds(when)));
                return Ok {};
            }
            return overrideError(override, "expected " + id + ".<setting> or " + id + ".<condition kind>.<setting>");
        }

        const auto parts = split(path, '.');
        std::set<std::string> kinds;
        for (auto& t : triggers) {
            auto found = conditionKinds(t["when"]);
            kinds.insert(found.begin(), found.end());
        }
        if (parts.size() == 2 && kinds.contains(parts[0])) {
            for (auto& t : triggers)
                visitConditions(t["when"], [&](const std::string& kind, json& parameters) {
                    if (kind == parts[0])
                        parameters[parts[1]] = numberJson(override.value);
                });
            return Ok {};
        }
        std::set<std::string> ids;
        for (const auto& t : triggers)
            ids.insert(t["id"].get<std::string>());
        return overrideError(override,
            "unknown setting path: \"" + parts[0] + "\" is neither \"proactive\", a trigger of product " + product.id
                + " (" + joined(ids) + ") nor a condition kind its triggers use (" + joined(kinds) + ")");
    }

} // namespace

Result<SettingOverride> SettingOverride::parse(std::string_view text)
{
    const auto equals = text.find('=');
    if (equals == std::string_view::npos || equals == 0)
        return Error { "bad_override", "expected path=value, got \"" + std::string(text) + "\"", std::string(text) };
    SettingOverride override;
    override.path = std::string(text.substr(0, equals));
    const std::string value(text.substr(equals + 1));
    char* end = nullptr;
    override.value = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || !std::isfinite(override.value))
        return Error { "bad_override", override.path + ": \"" + value + "\" is not a number", override.path };
    return override;
}

std::string SettingOverride::toString() const
{
    return path + "=" + formatSettingValue(value);
}

std::string formatSettingValue(double value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.10g", value);
    return buffer;
}

Result<Product> applyOverrides(const Product& product, std::span<const SettingOverride> overrides)
{
    Product edited = product;
    json triggers = json::array();
    for (const Trigger& trigger : product.triggers->triggers())
        triggers.push_back(triggerJson(trigger.definition()));
    bool triggersEdited = false;
    for (const SettingOverride& override : overrides) {
        if (override.path.starts_with("proactive.")) {
            if (auto status = applyProactive(edited, override, std::string_view(override.path).substr(10)); !status)
                return status.error();
            continue;
        }
        if (auto status = applyTrigger(triggers, product, override); !status)
            return status.error();
        // Checked one at a time, so that a refusal names the override that caused it.
        Diagnostics diagnostics;
        auto parsed = parseTriggers(triggers, "triggers", "", diagnostics);
        if (!diagnostics.empty()) {
            const Diagnostic& d = diagnostics.front();
            const auto index = d.path.size() > 1 ? std::strtoul(d.path.c_str() + 1, nullptr, 10) : triggers.size();
            const std::string id = index < triggers.size() ? triggers[index]["id"].get<std::string>() : std::string();
            return overrideError(override, "refused for trigger " + id + " (" + d.path + "): " + d.message);
        }
        edited.triggers = std::move(parsed);
        triggersEdited = true;
    }
    if (!triggersEdited)
        edited.triggers = product.triggers;
    return edited;
}

Result<std::shared_ptr<const Workspace>> applyOverrides(
    const Workspace& workspace, std::string_view productId, std::span<const SettingOverride> overrides)
{
    const Product* product = workspace.product(productId);
    if (!product)
        return Error { "unknown_product", "the workspace has no product \"" + std::string(productId) + "\"",
            std::string(productId) };
    auto edited = applyOverrides(*product, overrides);
    if (!edited)
        return edited.error();
    return std::make_shared<const Workspace>(workspace.withProduct(std::move(*edited)));
}

std::vector<std::pair<std::string, double>> numericSettings(const Product& product)
{
    const ProactiveSettings& s = product.proactive;
    std::vector<std::pair<std::string, double>> out {
        { "proactive.min_interval_s", toSeconds(s.minInterval) },
        { "proactive.lookback_s", toSeconds(s.lookback) },
        { "proactive.max_actions", s.maxActions },
        { "proactive.late_answer_grace_s", toSeconds(s.lateAnswerGrace) },
    };
    for (std::size_t i = 0; i < s.conservativeCooldowns.size(); ++i)
        out.emplace_back(
            "proactive.conservative_cooldowns_s." + std::to_string(i), toSeconds(s.conservativeCooldowns[i]));
    out.emplace_back("proactive.circuit.failures", s.circuit.failures);
    out.emplace_back("proactive.circuit.pause_s", toSeconds(s.circuit.pause));
    out.emplace_back("proactive.quotas.product_per_minute", s.quotas.productPerMinute);
    out.emplace_back("proactive.quotas.session_per_hour", s.quotas.sessionPerHour);
    out.emplace_back("proactive.quotas.user_per_day", s.quotas.userPerDay);
    for (const Trigger& trigger : product.triggers->triggers()) {
        const TriggerDefinition& definition = trigger.definition();
        out.emplace_back(definition.id + ".interaction_timeout_s", toSeconds(definition.interactionTimeout));
        out.emplace_back(definition.id + ".cooldown_s", toSeconds(definition.cooldown));
        json when = definition.when;
        visitConditions(when, [&](const std::string& kind, json& parameters) {
            for (const auto& [name, value] : parameters.items())
                if (value.is_number())
                    out.emplace_back(definition.id + "." + kind + "." + name, value.get<double>());
        });
    }
    return out;
}

} // namespace proactive
