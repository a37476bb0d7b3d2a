#pragma once

#include "intake/action.h"

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

// Parses PostHog's `$elements_chain`
// ("button.btn.primary:attr__data-tour-id=\"add\"nth-child=\"2\"text=\"Add\";div...") with its real grammar. Target
// element first, then its ancestors. Never throws; unparseable parts are skipped. Each Element gets its `selector`
// filled in.
std::vector<Element> parseElementsChain(std::string_view chain);

// The first (target) element of a chain only, cheaper than parsing the whole
// chain; an empty Element when the chain has none.
Element parseTargetElement(std::string_view chain);

// Writes elements the way posthog-js does (`getElementsChainString`): tag,
// sorted classes, then sorted `key="value"` pairs with quotes escaped.
// parseElementsChain(toElementsChain(x)) gives x back (selectors included),
// but for what a chain cannot hold: a class with a dot is written as the
// classes it reads back as, an attribute named outside [A-Za-z0-9_-] is left
// out, and backslashes before a quote are evened out. So a chain read and
// written once is written the same again.
std::string toElementsChain(std::span<const Element> elements);

// The longest prefix of `chain` made of whole elements that fits in `maxBytes`.
std::string_view truncateElementsChain(std::string_view chain, std::size_t maxBytes);

// `[data-tour-id="x"]` when the element has that attribute, else `#id`, else
// `tag.class1.class2`; identifiers are escaped like CSS.escape().
std::string cssSelectorFor(const Element& element);

// CSS.escape() for one identifier (UTF-8 in, UTF-8 out).
std::string cssEscapeIdentifier(std::string_view identifier);

} // namespace proactive
