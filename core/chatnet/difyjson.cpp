#include "chatnet/difyjson.h"

#include <cstdint>
#include <nlohmann/json.hpp>

namespace proactive::chatnet {

namespace {

    void appendEscape(std::string& out, std::uint32_t unit)
    {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "\\u";
        for (int shift = 12; shift >= 0; shift -= 4)
            out += kHex[(unit >> shift) & 0xF];
    }

    // Decodes one UTF-8 sequence at text[i]; advances i. Invalid → U+FFFD, one byte.
    std::uint32_t nextCodePoint(const std::string& text, std::size_t& i)
    {
        const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
        const unsigned char lead = byte(i);
        int length = 0;
        std::uint32_t cp = 0;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
            cp = lead & 0x1F;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            cp = lead & 0x0F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            cp = lead & 0x07;
        } else {
            ++i;
            return 0xFFFD;
        }
        if (i + std::size_t(length) > text.size()) {
            ++i;
            return 0xFFFD;
        }
        for (int k = 1; k < length; ++k) {
            const unsigned char continuation = byte(i + std::size_t(k));
            if ((continuation & 0xC0) != 0x80) {
                ++i;
                return 0xFFFD;
            }
            cp = (cp << 6) | (continuation & 0x3F);
        }
        const bool overlong = (length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000);
        if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            ++i;
            return 0xFFFD;
        }
        i += std::size_t(length);
        return cp;
    }

    void appendString(std::string& out, const std::string& text)
    {
        out += '"';
        for (std::size_t i = 0; i < text.size();) {
            const auto c = static_cast<unsigned char>(text[i]);
            if (c < 0x80) {
                ++i;
                switch (c) {
                case '"':
                    out += "\\\"";
                    break;
                case '\\':
                    out += "\\\\";
                    break;
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                case '\b':
                    out += "\\b";
                    break;
                case '\f':
                    out += "\\f";
                    break;
                default:
                    if (c < 0x20)
                        appendEscape(out, c);
                    else
                        out += static_cast<char>(c);
                }
                continue;
            }
            const std::uint32_t cp = nextCodePoint(text, i);
            if (cp > 0xFFFF) {
                const std::uint32_t v = cp - 0x10000;
                appendEscape(out, 0xD800 + (v >> 10));
                appendEscape(out, 0xDC00 + (v & 0x3FF));
            } else {
                appendEscape(out, cp);
            }
        }
        out += '"';
    }

    void append(std::string& out, const nlohmann::ordered_json& value)
    {
        switch (value.type()) {
        case nlohmann::json::value_t::object: {
            out += '{';
            bool first = true;
            for (auto it = value.begin(); it != value.end(); ++it) {
                if (!first)
                    out += ", ";
                first = false;
                appendString(out, it.key());
                out += ": ";
                append(out, it.value());
            }
            out += '}';
            break;
        }
        case nlohmann::json::value_t::array: {
            out += '[';
            bool first = true;
            for (const auto& element : value) {
                if (!first)
                    out += ", ";
                first = false;
                append(out, element);
            }
            out += ']';
            break;
        }
        case nlohmann::json::value_t::string:
            appendString(out, value.get_ref<const std::string&>());
            break;
        default:
            out += value.dump(); // null, booleans and numbers print as Python prints them
            break;
        }
    }

} // namespace

std::string difyJsonDump(const nlohmann::ordered_json& value)
{
    std::string out;
    append(out, value);
    return out;
}

} // namespace proactive::chatnet
