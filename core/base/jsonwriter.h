#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

// Writes JSON text straight into a string, byte for byte as nlohmann::json's
// dump() writes the same document (compact; objects' keys must be given in
// the order a std::map would sort them, as nlohmann's default object does):
// for answers on hot paths, where building the DOM first cost more than the
// work the answer reports (/retrieval: 5 records, ~100 allocations). A
// string with bytes that are not UTF-8 is written by dump() with
// error_handler_t::replace, as every answer of the service is.
class JsonWriter final {
public:
    explicit JsonWriter(std::string& out)
        : m_out(out)
    { }

    JsonWriter& beginObject();
    JsonWriter& endObject();
    JsonWriter& beginArray();
    JsonWriter& endArray();
    // The key of the next value, in an object.
    JsonWriter& key(std::string_view name);

    JsonWriter& value(std::string_view text);
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(std::int64_t number);
    JsonWriter& value(int number) { return value(std::int64_t(number)); }
    JsonWriter& value(double number);
    JsonWriter& value(bool flag);
    JsonWriter& null();
    // A value that is an nlohmann::json already (metadata, a gate's numbers):
    // written by its dump(), with error_handler_t::replace.
    JsonWriter& dump(const nlohmann::json& value);

private:
    void separate();
    void appendString(std::string_view text);
    void appendDump(const nlohmann::json& value);

    std::string& m_out;
    // One entry per open object or array: whether it has a member yet.
    std::vector<bool> m_hasMember;
    bool m_afterKey = false;
};

} // namespace proactive
