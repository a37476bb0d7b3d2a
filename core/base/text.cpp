#include "base/text.h"

namespace proactive {

namespace {

    bool isAsciiSpace(unsigned char c)
    {
        return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20);
    }

    // The length of the whitespace character that ends just before `end`, or 0.
    std::size_t whitespaceBefore(std::string_view text, std::size_t end)
    {
        if (end >= 1 && isAsciiSpace(static_cast<unsigned char>(text[end - 1])))
            return 1;
        // Lead bytes are never continuation bytes, so each match below is a
        // whole character whatever precedes it.
        for (const std::size_t length : { 2, 3 })
            if (end >= length && whitespaceAt(text, end - length) == length)
                return length;
        return 0;
    }

} // namespace

std::size_t whitespaceAt(std::string_view text, std::size_t at)
{
    const auto byte
        = [&](std::size_t i) { return at + i < text.size() ? static_cast<unsigned char>(text[at + i]) : 0; };
    const unsigned char b0 = byte(0);
    if (isAsciiSpace(b0))
        return 1;
    if (b0 == 0xC2) // U+0085, U+00A0
        return byte(1) == 0x85 || byte(1) == 0xA0 ? 2 : 0;
    const unsigned char b1 = byte(1);
    const unsigned char b2 = byte(2);
    if (b0 == 0xE1) // U+1680
        return b1 == 0x9A && b2 == 0x80 ? 3 : 0;
    if (b0 == 0xE2) { // U+2000–U+200A, U+2028, U+2029, U+202F; U+205F
        if (b1 == 0x80)
            return (b2 >= 0x80 && b2 <= 0x8A) || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF ? 3 : 0;
        return b1 == 0x81 && b2 == 0x9F ? 3 : 0;
    }
    if (b0 == 0xE3) // U+3000
        return b1 == 0x80 && b2 == 0x80 ? 3 : 0;
    return 0;
}

std::string_view trimmed(std::string_view text)
{
    while (const std::size_t length = whitespaceAt(text, 0))
        text.remove_prefix(length);
    while (const std::size_t length = whitespaceBefore(text, text.size()))
        text.remove_suffix(length);
    return text;
}

std::string_view firstCodePoints(std::string_view text, std::size_t maxCodePoints)
{
    std::size_t codePoints = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool continuation = (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
        if (!continuation && codePoints++ == maxCodePoints)
            return text.substr(0, i);
    }
    return text;
}

std::string padded(std::string text, std::size_t width, bool alignRight)
{
    std::size_t points = 0;
    for (const char c : text)
        points += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    if (points >= width)
        return text;
    const std::string fill(width - points, ' ');
    return alignRight ? fill + text : text + fill;
}

} // namespace proactive
