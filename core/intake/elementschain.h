#pragma once

#include "intake/action.h"

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
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

// The target elements of the chains an intake met last, each parsed once:
// a product's users click the same few buttons, so the same chains come
// back in every batch. Keyed by the target's own part of the chain (what
// parseTargetElement reads), bounded by the bytes of the keys held: when
// full, it starts over.
class TargetElements final {
public:
    explicit TargetElements(std::size_t maxKeyBytes = std::size_t(1) << 20)
        : m_maxKeyBytes(maxKeyBytes)
    { }

    // parseTargetElement(chain), from the cache when it holds it. The
    // reference lives until the next call.
    const Element& of(std::string_view chain);
    std::size_t size() const { return m_parsed.size(); }

private:
    struct TokenHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view token) const noexcept { return std::hash<std::string_view> {}(token); }
    };
    std::unordered_map<std::string, Element, TokenHash, std::equal_to<>> m_parsed;
    std::size_t m_keyBytes = 0;
    std::size_t m_maxKeyBytes;
    Element m_none;
};

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
