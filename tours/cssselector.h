#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace proactive {

// Where and why a selector does not parse. `column` is 1-based and counts
// Unicode code points, so it matches what an editor shows.
struct CssSelectorError {
    std::size_t column = 0;
    std::string reason;

    std::string toString() const { return reason + " at column " + std::to_string(column); }
};

// Checks the syntax of a selector list as document.querySelector() receives
// it: CSS Syntax 3 tokenisation and the Selectors 4 grammar as Chromium (the
// studio's QtWebEngine, and most users' browser) accepts it: type/universal,
// #id, .class, attribute selectors with = ~= |= ^= $= *= and the i flag,
// pseudo-classes with An+B, selector-list and relative-selector arguments,
// pseudo-elements, the combinators > + ~ and descendant.
//
// Pseudo-class and pseudo-element names are not looked up: `:hvoer` passes
// here and fails in the page. Everything else Chromium rejects is rejected,
// and a few things it lets through are too, because in a tour file they are
// always mistakes: a string, bracket or comment left open at the end (which
// a browser closes silently), a trailing backslash, the Selectors 4 `s`
// flag (Chromium throws), and invalid arguments of :is()/:where() (which a
// browser drops, leaving a selector that matches nothing).
std::optional<CssSelectorError> checkCssSelector(std::string_view selector);

} // namespace proactive
