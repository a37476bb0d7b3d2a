#pragma once

#include "base/result.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace proactive {

// Appends `key` to a JSON pointer (RFC 6901 escaping).
std::string jsonPointer(std::string_view parent, std::string_view key);
std::string jsonPointer(std::string_view parent, std::size_t index);

// Reads one JSON object of a configuration file strictly: every field read
// is type-checked, and finish() reports the fields nobody asked for, so a
// typo ("threshhold_s") is an error with its location instead of a silently
// ignored setting.
class JsonObjectReader final {
public:
    JsonObjectReader(const nlohmann::json& value, std::string file, std::string pointer, Diagnostics& diagnostics);

    bool valid() const { return m_value.is_object(); }
    const std::string& pointer() const { return m_pointer; }
    bool has(std::string_view key) const;

    std::optional<std::string> string(std::string_view key, bool required = false);
    // Integral or fractional number within [min, max].
    std::optional<double> number(std::string_view key, double min, double max, bool required = false);
    std::optional<bool> boolean(std::string_view key);
    std::optional<std::vector<std::string>> stringArray(std::string_view key);
    // The raw value (any type), marked as read.
    const nlohmann::json* value(std::string_view key);

    void error(std::string_view key, std::string message);
    void finish();

private:
    const nlohmann::json* take(std::string_view key, bool required, std::string_view expected);

    const nlohmann::json& m_value;
    std::string m_file;
    std::string m_pointer;
    Diagnostics& m_diagnostics;
    std::set<std::string, std::less<>> m_read;
};

std::string_view jsonTypeName(const nlohmann::json& value);

// Json::parse(text, nullptr, false), except that a NUL byte anywhere makes
// the text invalid: nlohmann's lexer takes NUL for the end of the input and
// would accept `{"event":"user_sent"}\0junk`. Invalid: is_discarded().
template<class Json = nlohmann::json> Json parseJsonText(std::string_view text)
{
    if (text.find('\0') != std::string_view::npos)
        return Json(Json::value_t::discarded);
    return Json::parse(text, nullptr, false);
}

} // namespace proactive
