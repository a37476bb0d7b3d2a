#pragma once

#include "base/clock.h"
#include "base/jsonreader.h"
#include "base/text.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

namespace proactive {

// Field rules shared by trigger and condition parsing, on top of
// JsonObjectReader (which reports type errors and unknown fields).

// Where the problems of one trigger go, and the bounds on what one trigger
// may build.
struct ConditionParser {
    static constexpr int kMaxDepth = 16;
    static constexpr int kMaxNodes = 256;

    std::string file;
    Diagnostics& diagnostics;
    int nodes = 0;

    void error(std::string pointer, std::string message)
    {
        diagnostics.push_back({ file, std::move(pointer), std::move(message) });
    }
    JsonObjectReader reader(const nlohmann::json& value, std::string pointer)
    {
        return JsonObjectReader(value, file, std::move(pointer), diagnostics);
    }
};

// The longest duration a trigger may configure (cooldowns, dwell and idle
// thresholds): a week.
constexpr double kMaxDurationSeconds = 7 * 86400;

struct TextRule {
    bool required = false;
    bool allowBlank = false;
    std::size_t maxBytes = 2048;
};

std::optional<std::string> readText(JsonObjectReader& reader, std::string_view key, TextRule rule = {});
std::optional<std::int64_t> readInteger(
    JsonObjectReader& reader, std::string_view key, std::int64_t min, std::int64_t max, bool required = false);
// A number of seconds (fractions allowed, millisecond precision).
std::optional<Duration> readSeconds(
    JsonObjectReader& reader, std::string_view key, double min, double max, bool required = false);
// An RE2 pattern, compiled once here; problems read
// "invalid regex: missing ) (RE2)".
std::shared_ptr<const re2::RE2> readRegex(JsonObjectReader& reader, std::string_view key);

// reply_option_labels: at most kMaxLabels non-empty strings.
constexpr std::size_t kMaxLabels = 4;
std::optional<std::vector<std::string>> readLabels(
    JsonObjectReader& reader, ConditionParser& parser, std::string_view key);

} // namespace proactive
