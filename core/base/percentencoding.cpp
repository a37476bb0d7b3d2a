#include "base/percentencoding.h"

namespace proactive {

int hexDigitValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string percentDecode(std::string_view text, PlusSign plus)
{
    std::string result;
    result.reserve(text.size());
    // What lies before the next '%' or '+' goes in at once (found by a
    // plain loop: find_first_of calls memchr once a byte).
    const auto special = [plus](char c) { return c == '%' || (c == '+' && plus == PlusSign::Space); };
    for (std::size_t i = 0; i < text.size(); ++i) {
        std::size_t next = i;
        while (next < text.size() && !special(text[next]))
            ++next;
        result.append(text.substr(i, next - i));
        if (next == text.size())
            break;
        i = next;
        if (text[i] == '%' && i + 2 < text.size()) {
            const int high = hexDigitValue(text[i + 1]);
            const int low = hexDigitValue(text[i + 2]);
            if (high >= 0 && low >= 0) {
                result.push_back(static_cast<char>(high * 16 + low));
                i += 2;
                continue;
            }
        }
        result.push_back(text[i] == '+' && plus == PlusSign::Space ? ' ' : text[i]);
    }
    return result;
}

} // namespace proactive
