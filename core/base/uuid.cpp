#include "base/uuid.h"

#include "base/percentencoding.h"

namespace proactive {

std::optional<std::string> canonicalUuid(std::string_view text)
{
    // Python removes these wherever they are; at the front is where they are.
    for (const std::string_view prefix : { std::string_view("urn:"), std::string_view("uuid:") })
        if (text.starts_with(prefix))
            text.remove_prefix(prefix.size());
    if (text.size() >= 2 && text.front() == '{' && text.back() == '}')
        text = text.substr(1, text.size() - 2);
    // A UUID's text is at most 32 digits and 31 hyphens; longer is no UUID
    // and not worth scanning.
    if (text.size() > 63)
        return std::nullopt;
    std::string digits;
    digits.reserve(32);
    for (const char c : text) {
        if (c == '-')
            continue;
        const int value = hexDigitValue(c);
        if (value < 0 || digits.size() == 32)
            return std::nullopt;
        digits += "0123456789abcdef"[value];
    }
    if (digits.size() != 32)
        return std::nullopt;
    std::string canonical;
    canonical.reserve(36);
    for (std::size_t i = 0; i < 32; ++i) {
        if (i == 8 || i == 12 || i == 16 || i == 20)
            canonical += '-';
        canonical += digits[i];
    }
    return canonical;
}

} // namespace proactive
