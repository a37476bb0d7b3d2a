#pragma once

#include <span>
#include <string>
#include <string_view>

namespace proactive {

// SPEC §7: `:param` segments match one non-empty segment ([^/]+), other
// segments match literally, an optional trailing slash is allowed.
// `path` is a URL path ("/projects/acme"); query/fragment must already be gone.
bool matchesRoute(std::string_view path, std::string_view pattern);

// The first route of `routes` that `path` matches, or nullptr.
const std::string* findRoute(std::string_view path, std::span<const std::string> routes);

} // namespace proactive
