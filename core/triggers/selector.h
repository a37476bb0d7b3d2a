#pragma once

#include "base/result.h"
#include "intake/action.h"

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

// A CSS-like selector matched against a PostHog elements chain (target
// first). Supported: `tag`, `*`, `.class`, `#id`, `[attr]`, `[attr="v"]`,
// `[attr^="v"]`, `[attr$="v"]`, `[attr*="v"]`, `:nth-child(n)`,
// `:nth-of-type(n)`, the descendant (space) and child (`>`) combinators and
// selector lists (`a, b`). The target element must match the last compound,
// as in the browser, so `form button` means "a button inside a form".
class Selector final {
public:
    // Sizes beyond these are rejected at parse time; the chain is cut at
    // match time, so work per match is bounded by their product.
    static constexpr std::size_t kMaxLength = 1024;
    static constexpr std::size_t kMaxCompounds = 32;
    static constexpr std::size_t kMaxAlternatives = 16;
    static constexpr std::size_t kMaxChainElements = 64;

    // The error says what was expected and where ("expected ']' at offset 9").
    static Result<Selector> parse(std::string_view text);

    bool matches(std::span<const Element> chain) const;
    const std::string& text() const { return m_text; }

private:
    enum class AttributeOperator { Exists, Equals, Prefix, Suffix, Contains };
    struct AttributeTest {
        std::string name;
        AttributeOperator op = AttributeOperator::Exists;
        std::string value;
    };
    struct Compound {
        std::string tag; // empty or "*": any
        std::string id;
        std::vector<std::string> classes;
        std::vector<AttributeTest> attributes;
        std::optional<int> nthChild;
        std::optional<int> nthOfType;
    };
    enum class Combinator { Descendant, Child };
    // compounds[i] and compounds[i + 1] are joined by combinators[i].
    struct Complex {
        std::vector<Compound> compounds;
        std::vector<Combinator> combinators;
    };

    class Parser;

    static bool matches(const Compound& compound, const Element& element);
    static bool matches(const Complex& complex, std::span<const Element> chain);

    std::string m_text;
    std::vector<Complex> m_alternatives;
};

} // namespace proactive
