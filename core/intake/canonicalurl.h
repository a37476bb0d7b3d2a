#pragma once

#include <span>
#include <string>
#include <string_view>

namespace proactive {

// SPEC §1: drop query and fragment, lowercase scheme and host, drop a
// trailing slash (except root), replace dynamic path segments with `:id`;
// a path that matches one of `routes` becomes that route instead.
// Accepts full URLs ("https://App.example.com/p/42?x=1") and paths ("/p/42").
std::string canonicalUrl(std::string_view url, std::span<const std::string> routes = {});

// The path of a full URL or path-only string, without query and fragment ("/" for an empty path).
std::string_view urlPath(std::string_view url);

// Compares a configured URL (full or path-only, SPEC §1) with an observed one:
// a path-only configured value compares against the observed URL's path.
bool urlMatchesConfigured(std::string_view observed, std::string_view configured);

} // namespace proactive
