#include "base/jsonwriter.h"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace proactive {

namespace {

    // The length of the UTF-8 sequence starting at `text[at]`, 0 when it is
    // not a valid one (overlong, surrogate, beyond U+10FFFF, cut short).
    std::size_t utf8SequenceLength(std::string_view text, std::size_t at)
    {
        const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
        const unsigned char lead = byte(at);
        std::size_t length = 0;
        unsigned char low = 0x80, high = 0xBF; // the allowed range of the second byte
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            low = lead == 0xE0 ? 0xA0 : 0x80;
            high = lead == 0xED ? 0x9F : 0xBF;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            low = lead == 0xF0 ? 0x90 : 0x80;
            high = lead == 0xF4 ? 0x8F : 0xBF;
        } else {
            return 0;
        }
        if (at + length > text.size() || byte(at + 1) < low || byte(at + 1) > high)
            return 0;
        for (std::size_t i = 2; i < length; ++i)
            if (byte(at + i) < 0x80 || byte(at + i) > 0xBF)
                return 0;
        return length;
    }

} // namespace

void JsonWriter::separate()
{
    if (m_afterKey) {
        m_afterKey = false;
        return;
    }
    if (!m_hasMember.empty()) {
        if (m_hasMember.back())
            m_out += ',';
        m_hasMember.back() = true;
    }
}

JsonWriter& JsonWriter::beginObject()
{
    separate();
    m_out += '{';
    m_hasMember.push_back(false);
    return *this;
}

JsonWriter& JsonWriter::endObject()
{
    m_out += '}';
    m_hasMember.pop_back();
    return *this;
}

JsonWriter& JsonWriter::beginArray()
{
    separate();
    m_out += '[';
    m_hasMember.push_back(false);
    return *this;
}

JsonWriter& JsonWriter::endArray()
{
    m_out += ']';
    m_hasMember.pop_back();
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view name)
{
    separate();
    appendString(name);
    m_out += ':';
    m_afterKey = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view text)
{
    separate();
    appendString(text);
    return *this;
}

JsonWriter& JsonWriter::value(std::int64_t number)
{
    separate();
    char buffer[24];
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, number).ptr;
    m_out.append(buffer, end);
    return *this;
}

JsonWriter& JsonWriter::value(double number)
{
    separate();
    if (!std::isfinite(number)) {
        m_out += "null"; // as dump() writes NaN and infinities
        return *this;
    }
    // nlohmann's own shortest round-trip formatting ("1.0", "0.0001", "1e-05"),
    // which std::to_chars does not reproduce.
    char buffer[64];
    char* end = nlohmann::detail::to_chars(buffer, buffer + sizeof buffer, number);
    m_out.append(buffer, end);
    return *this;
}

JsonWriter& JsonWriter::value(bool flag)
{
    separate();
    m_out += flag ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::null()
{
    separate();
    m_out += "null";
    return *this;
}

JsonWriter& JsonWriter::dump(const nlohmann::json& value)
{
    separate();
    appendDump(value);
    return *this;
}

void JsonWriter::appendDump(const nlohmann::json& value)
{
    m_out += value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void JsonWriter::appendString(std::string_view text)
{
    static constexpr char kHex[] = "0123456789abcdef";
    const std::size_t start = m_out.size();
    m_out += '"';
    // Runs of bytes that stand for themselves go in at once: keys and most
    // values are nothing else.
    const auto plain = [](unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; };
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (plain(static_cast<unsigned char>(text[i]))) {
            std::size_t end = i + 1;
            while (end < text.size() && plain(static_cast<unsigned char>(text[end])))
                ++end;
            m_out.append(text.substr(i, end - i));
            i = end - 1;
            continue;
        }
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x80) {
            const std::size_t length = utf8SequenceLength(text, i);
            if (length == 0) {
                // Rare: let dump() replace what is not UTF-8, its way.
                m_out.resize(start);
                appendDump(nlohmann::json(std::string(text)));
                return;
            }
            m_out.append(text.substr(i, length));
            i += length - 1;
            continue;
        }
        switch (c) {
        case '"':
            m_out += "\\\"";
            break;
        case '\\':
            m_out += "\\\\";
            break;
        case '\b':
            m_out += "\\b";
            break;
        case '\f':
            m_out += "\\f";
            break;
        case '\n':
            m_out += "\\n";
            break;
        case '\r':
            m_out += "\\r";
            break;
        case '\t':
            m_out += "\\t";
            break;
        default:
            if (c < 0x20) {
                m_out += "\\u00";
                m_out += kHex[c >> 4];
                m_out += kHex[c & 0xf];
            } else {
                m_out += static_cast<char>(c);
            }
        }
    }
    m_out += '"';
}

} // namespace proactive
