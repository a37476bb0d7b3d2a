#include "triggers/triggerjson.h"

#include <cmath>
#include <re2/re2.h>

namespace proactive {

namespace {

    constexpr std::size_t kMaxRegexBytes = 1024;
    // RE2 is linear-time whatever the pattern; this bounds the memory one
    // compiled pattern may hold.
    constexpr std::int64_t kRegexMemoryBytes = 2 * 1024 * 1024;

} // namespace

std::optional<std::string> readText(JsonObjectReader& reader, std::string_view key, TextRule rule)
{
    auto text = reader.string(key, rule.required);
    if (!text)
        return std::nullopt;
    if (text->size() > rule.maxBytes) {
        reader.error(
            key, "too long: " + std::to_string(text->size()) + " bytes, at most " + std::to_string(rule.maxBytes));
        return std::nullopt;
    }
    if (!rule.allowBlank && isBlank(*text)) {
        reader.error(key, "must not be empty");
        return std::nullopt;
    }
    return text;
}

std::optional<std::int64_t> readInteger(
    JsonObjectReader& reader, std::string_view key, std::int64_t min, std::int64_t max, bool required)
{
    const auto number = reader.number(key, static_cast<double>(min), static_cast<double>(max), required);
    if (!number)
        return std::nullopt;
    if (std::floor(*number) != *number) {
        reader.error(key, "expected a whole number, found " + nlohmann::json(*number).dump());
        return std::nullopt;
    }
    return static_cast<std::int64_t>(*number);
}

std::optional<Duration> readSeconds(
    JsonObjectReader& reader, std::string_view key, double min, double max, bool required)
{
    const auto number = reader.number(key, min, max, required);
    if (!number)
        return std::nullopt;
    return fromSeconds(*number);
}

std::optional<std::vector<std::string>> readLabels(
    JsonObjectReader& reader, ConditionParser& parser, std::string_view key)
{
    constexpr std::size_t kMaxLabelBytes = 100;
    auto labels = reader.stringArray(key);
    if (!labels)
        return std::nullopt;
    if (labels->size() > kMaxLabels) {
        reader.error(
            key, "too many labels: " + std::to_string(labels->size()) + ", at most " + std::to_string(kMaxLabels));
        return std::nullopt;
    }
    bool ok = true;
    for (std::size_t i = 0; i < labels->size(); ++i) {
        const std::string at = jsonPointer(jsonPointer(reader.pointer(), key), i);
        auto& label = (*labels)[i];
        if (isBlank(label)) {
            parser.error(at, "must not be empty");
            ok = false;
        } else if (label.size() > kMaxLabelBytes) {
            parser.error(
                at, "too long: " + std::to_string(label.size()) + " bytes, at most " + std::to_string(kMaxLabelBytes));
            ok = false;
        } else {
            label = std::string(trimmed(label));
        }
    }
    if (!ok)
        return std::nullopt;
    return labels;
}

std::shared_ptr<const re2::RE2> readRegex(JsonObjectReader& reader, std::string_view key)
{
    const auto pattern = readText(reader, key, { .allowBlank = false, .maxBytes = kMaxRegexBytes });
    if (!pattern)
        return nullptr;
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(kRegexMemoryBytes);
    auto regex = std::make_shared<const RE2>(*pattern, options);
    if (!regex->ok()) {
        // RE2 appends ": <offending fragment>" to its message; the pointer
        // already says where, and the fragment may be the whole pattern.
        std::string reason = regex->error();
        const std::string suffix = ": " + regex->error_arg();
        if (!regex->error_arg().empty() && reason.ends_with(suffix))
            reason.resize(reason.size() - suffix.size());
        reader.error(key, "invalid regex: " + reason + " (RE2)");
        return nullptr;
    }
    return regex;
}

} // namespace proactive
