#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace proactive {

// The one UUID check of the code base (issue 14). Accepts what Dify's
// `uuid_value` (Python's `uuid.UUID(text)`) accepts that a client plausibly
// sends: 32 hex digits in any case, with hyphens anywhere (the usual
// 8-4-4-4-12 form), optionally in braces and after `urn:uuid:`. Any version
// and variant, the nil UUID `00000000-0000-0000-0000-000000000000` included:
// it is a well-formed UUID, and Dify answers it 404, not 400.
// Returns the canonical form (lowercase 8-4-4-4-12, Python's `str(uuid)`),
// nullopt when `text` is no UUID.
std::optional<std::string> canonicalUuid(std::string_view text);

inline bool isUuid(std::string_view text)
{
    return canonicalUuid(text).has_value();
}

} // namespace proactive
