#pragma once

#include <string>
#include <string_view>

namespace proactive {

// The value of one hexadecimal digit, or -1.
int hexDigitValue(char c);

enum class PlusSign {
    Literal, // URL paths: '+' is a plus
    Space, // application/x-www-form-urlencoded fields: '+' is a space
};

// Decodes %XX escapes; a '%' not followed by two hex digits stays as it is.
std::string percentDecode(std::string_view text, PlusSign plus = PlusSign::Literal);

} // namespace proactive
