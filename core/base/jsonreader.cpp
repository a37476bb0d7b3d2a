#include "base/jsonreader.h"

#include <cmath>

namespace proactive {

std::string jsonPointer(std::string_view parent, std::string_view key)
{
    std::string pointer(parent);
    pointer += '/';
    for (char c : key) {
        if (c == '~')
            pointer += "~0";
        else if (c == '/')
            pointer += "~1";
        else
            pointer += c;
    }
    return pointer;
}

std::string jsonPointer(std::string_view parent, std::size_t index)
{
    return std::string(parent) + '/' + std::to_string(index);
}

std::string_view jsonTypeName(const nlohmann::json& value)
{
    switch (value.type()) {
    case nlohmann::json::value_t::null:
        return "null";
    case nlohmann::json::value_t::object:
        return "an object";
    case nlohmann::json::value_t::array:
        return "an array";
    case nlohmann::json::value_t::string:
        return "a string";
    case nlohmann::json::value_t::boolean:
        return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
        return "a number";
    default:
        return "an unsupported value";
    }
}

JsonObjectReader::JsonObjectReader(
    const nlohmann::json& value, std::string file, std::string pointer, Diagnostics& diagnostics)
    : m_value(value)
    , m_file(std::move(file))
    , m_pointer(std::move(pointer))
    , m_diagnostics(diagnostics)
{
    if (!m_value.is_object())
        m_diagnostics.push_back(
            { m_file, m_pointer, "expected an object, found " + std::string(jsonTypeName(m_value)) });
}

bool JsonObjectReader::has(std::string_view key) const
{
    return valid() && m_value.find(key) != m_value.end();
}

void JsonObjectReader::error(std::string_view key, std::string message)
{
    m_diagnostics.push_back({ m_file, key.empty() ? m_pointer : jsonPointer(m_pointer, key), std::move(message) });
}

const nlohmann::json* JsonObjectReader::take(std::string_view key, bool required, std::string_view expected)
{
    if (!valid())
        return nullptr;
    m_read.emplace(key);
    const auto it = m_value.find(key);
    if (it == m_value.end()) {
        if (required)
            error(key, "missing required field (" + std::string(expected) + ")");
        return nullptr;
    }
    return &*it;
}

std::optional<std::string> JsonObjectReader::string(std::string_view key, bool required)
{
    const auto* v = take(key, required, "a string");
    if (!v)
        return std::nullopt;
    if (!v->is_string()) {
        error(key, "expected a string, found " + std::string(jsonTypeName(*v)));
        return std::nullopt;
    }
    return v->get<std::string>();
}

std::optional<double> JsonObjectReader::number(std::string_view key, double min, double max, bool required)
{
    const auto* v = take(key, required, "a number");
    if (!v)
        return std::nullopt;
    if (!v->is_number()) {
        error(key, "expected a number, found " + std::string(jsonTypeName(*v)));
        return std::nullopt;
    }
    const double d = v->get<double>();
    if (!std::isfinite(d) || d < min || d > max) {
        char range[96];
        std::snprintf(range, sizeof range, "%g is out of range [%g, %g]", d, min, max);
        error(key, range);
        return std::nullopt;
    }
    return d;
}

std::optional<bool> JsonObjectReader::boolean(std::string_view key)
{
    const auto* v = take(key, false, "a boolean");
    if (!v)
        return std::nullopt;
    if (!v->is_boolean()) {
        error(key, "expected true or false, found " + std::string(jsonTypeName(*v)));
        return std::nullopt;
    }
    return v->get<bool>();
}

std::optional<std::vector<std::string>> JsonObjectReader::stringArray(std::string_view key)
{
    const auto* v = take(key, false, "an array of strings");
    if (!v)
        return std::nullopt;
    if (!v->is_array()) {
        error(key, "expected an array of strings, found " + std::string(jsonTypeName(*v)));
        return std::nullopt;
    }
    std::vector<std::string> out;
    bool ok = true;
    for (std::size_t i = 0; i < v->size(); ++i) {
        const auto& item = (*v)[i];
        if (!item.is_string()) {
            m_diagnostics.push_back({ m_file, jsonPointer(jsonPointer(m_pointer, key), i),
                "expected a string, found " + std::string(jsonTypeName(item)) });
            ok = false;
            continue;
        }
        out.push_back(item.get<std::string>());
    }
    if (!ok)
        return std::nullopt;
    return out;
}

const nlohmann::json* JsonObjectReader::value(std::string_view key)
{
    return take(key, false, "");
}

void JsonObjectReader::finish()
{
    if (!valid())
        return;
    for (const auto& [key, unused] : m_value.items())
        if (!m_read.contains(key))
            error(key, "unknown field");
}

} // namespace proactive
