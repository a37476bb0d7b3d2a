#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

// The page paths users really visited, from a workspace's recorded sessions
// (sessions/*.jsonl, file name order, then event order), each once. A page
// of a parameterised route ("/projects/:slug") can only be opened with a
// real value for its parameters, and these are the values known to exist.
// Unreadable files and events are skipped: samples are a convenience.
std::vector<std::string> recordedPagePaths(const std::filesystem::path& sessionsDir);

// The first of `paths` that `route` (a path pattern or full URL) matches.
std::optional<std::string> samplePathForRoute(std::string_view route, std::span<const std::string> paths);

} // namespace proactive
