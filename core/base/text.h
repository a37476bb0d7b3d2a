#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace proactive {

// Whitespace is what Python's str.isspace() says it is, so that trimming
// agrees with str.strip() (SPEC §8 §5): U+0009–U+000D, U+001C–U+001F,
// U+0020, U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F,
// U+205F, U+3000. U+200B ZERO WIDTH SPACE and U+FEFF are not whitespace
// (Python and Unicode's White_Space property leave them out): they stay.
// Text is UTF-8; bytes that are not whitespace, valid or not, stay as they are.

// The length in bytes of the whitespace character that starts at text[at],
// or 0 when none does.
std::size_t whitespaceAt(std::string_view text, std::size_t at);

// The one trim of the code base: whitespace as above removed at both ends.
std::string_view trimmed(std::string_view text);

// Whether nothing is left after trimming. Inline: rules ask it of the URL of
// every action on every poll, and text that starts with a visible ASCII
// character is not blank without trimming it.
inline bool isBlank(std::string_view text)
{
    const unsigned char first = text.empty() ? 0 : static_cast<unsigned char>(text.front());
    if (first > 0x20 && first < 0x7F)
        return false;
    return trimmed(text).empty();
}

// The first `maxCodePoints` code points of `text` (UTF-8 lead bytes
// counted, so a sequence is never split).
std::string_view firstCodePoints(std::string_view text, std::size_t maxCodePoints);

// `text` filled with spaces up to `width` code points (on the left when
// `alignRight`), so that plain-text tables line up with "…" and "→" in them.
std::string padded(std::string text, std::size_t width, bool alignRight = false);

} // namespace proactive
