#pragma once

#include <span>
#include <string>
#include <string_view>

namespace proactive {

// SPEC §1: drop query and fragment, lowercase scheme and host, drop a
// trailing slash (except root), replace dynamic path segments with `:id`;
// a path that matches one of `routes` becomes that route instead.
// Accepts full URLs ("https://App.example.com/p/42?x=1") and paths ("/p/42").
// Also: user info and default ports (http 80, https 443) are dropped, empty
// segments ("/a//b") collapse, spaces around a segment are dropped like those
// around the URL ("/a /?q" is "/a"), and a blank URL stays blank ("").
// A canonical URL is its own canonical form.
std::string canonicalUrl(std::string_view url, std::span<const std::string> routes = {});

// The path of a full URL or path-only string, without query and fragment ("/" for an empty path).
std::string_view urlPath(std::string_view url);

// Compares a configured URL (full or path-only, SPEC §1) with an observed one:
// a path-only configured value compares against the observed URL's path.
// Query and fragment are ignored on both sides, scheme and host compare
// case-insensitively, a trailing slash and empty segments do not matter, and
// `:param` segments of the configured value match any one segment
// ("/projects/:id" matches "https://x.io/projects/42").
bool urlMatchesConfigured(std::string_view observed, std::string_view configured);

// Whether one path segment is an identifier rather than part of the route:
// all digits ("42"); a UUID ("3f2b...-...", any case); hex of 12 or more
// characters ("5f3a9c1e2b4d", Mongo ids, hashes); or 10 or more characters of
// [A-Za-z0-9_-] mixing letters and digits where at least one `-`/`_`-separated
// word switches between letters and digits twice or more ("cus_9s8d7f6g5h",
// "01HZX3K8J9QW", "dQw4w9WgXcQ"). Slugs whose words are letters or numbers
// with at most one switch stay ("my-project", "v2", "step1",
// "release-2024-notes", "python3-tutorial").
bool isDynamicPathSegment(std::string_view segment);

} // namespace proactive
