#include "triggers/selector.h"

#include <algorithm>
#include <array>
#include <bitset>

namespace proactive {

namespace {

    bool isSpace(char c)
    {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
    }

    bool isIdentChar(char c)
    {
        const auto u = static_cast<unsigned char>(c);
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
            || c == '\\' || u >= 0x80;
    }

    char asciiLower(char c)
    {
        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }

    std::string asciiLower(std::string text)
    {
        for (char& c : text)
            c = asciiLower(c);
        return text;
    }

    bool equalsIgnoringCase(std::string_view a, std::string_view b)
    {
        return a.size() == b.size()
            && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return asciiLower(x) == asciiLower(y); });
    }

    // 1-based, in code points, as an editor shows it.
    std::size_t columnOf(std::string_view text, std::size_t offset)
    {
        std::size_t column = 1;
        for (std::size_t i = 0; i < offset && i < text.size(); ++i)
            if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
                ++column;
        return column;
    }

} // namespace

class Selector::Parser {
public:
    explicit Parser(std::string_view text)
        : m_text(text)
    { }

    Result<Selector> run()
    {
        Selector selector;
        selector.m_text = std::string(m_text);
        if (m_text.size() > kMaxLength)
            return Error { "selector",
                "selector is " + std::to_string(m_text.size()) + " bytes long, at most " + std::to_string(kMaxLength)
                    + " are allowed" };
        skipSpaces();
        if (atEnd())
            return Error { "selector", "empty selector" };
        for (;;) {
            if (selector.m_alternatives.size() == kMaxAlternatives)
                return fail("more than " + std::to_string(kMaxAlternatives) + " selectors in the list");
            Complex complex;
            if (!parseComplex(complex))
                return *m_error;
            selector.m_alternatives.push_back(std::move(complex));
            skipSpaces();
            if (atEnd())
                return selector;
            if (peek() != ',')
                return fail("unexpected '" + std::string(1, peek()) + "'");
            ++m_pos;
            skipSpaces();
            if (atEnd())
                return fail("expected a selector after ','");
        }
    }

private:
    bool atEnd() const { return m_pos >= m_text.size(); }
    char peek() const { return m_text[m_pos]; }

    bool skipSpaces()
    {
        const std::size_t start = m_pos;
        while (!atEnd() && isSpace(peek()))
            ++m_pos;
        return m_pos != start;
    }

    Error fail(std::string reason)
    {
        m_error = Error { "selector", reason + " at column " + std::to_string(columnOf(m_text, m_pos)) };
        return *m_error;
    }

    bool parseComplex(Complex& complex)
    {
        Compound compound;
        if (!parseCompound(compound))
            return false;
        complex.compounds.push_back(std::move(compound));
        for (;;) {
            const bool spaced = skipSpaces();
            if (atEnd() || peek() == ',')
                return true;
            Combinator combinator = Combinator::Descendant;
            if (peek() == '>') {
                combinator = Combinator::Child;
                ++m_pos;
                skipSpaces();
            } else if (!spaced) {
                fail("unexpected '" + std::string(1, peek()) + "'");
                return false;
            }
            if (atEnd() || peek() == ',') {
                fail("expected a selector after the combinator");
                return false;
            }
            if (complex.compounds.size() == kMaxCompounds) {
                fail("more than " + std::to_string(kMaxCompounds) + " compound selectors");
                return false;
            }
            Compound next;
            if (!parseCompound(next))
                return false;
            complex.combinators.push_back(combinator);
            complex.compounds.push_back(std::move(next));
        }
    }

    bool parseCompound(Compound& compound)
    {
        const std::size_t start = m_pos;
        if (!atEnd() && peek() == '*') {
            ++m_pos;
            compound.tag = "*";
        } else if (!atEnd() && isIdentChar(peek())) {
            std::string tag;
            if (!parseIdent(tag, "a tag name"))
                return false;
            compound.tag = asciiLower(std::move(tag));
        }
        while (!atEnd()) {
            const char c = peek();
            if (c == '.') {
                ++m_pos;
                std::string name;
                if (!parseIdent(name, "a class name after '.'"))
                    return false;
                compound.classes.push_back(std::move(name));
            } else if (c == '#') {
                ++m_pos;
                std::string id;
                if (!parseIdent(id, "an id after '#'"))
                    return false;
                if (!compound.id.empty() && compound.id != id) {
                    fail("two different ids in one compound selector");
                    return false;
                }
                compound.id = std::move(id);
            } else if (c == '[') {
                if (!parseAttribute(compound))
                    return false;
            } else if (c == ':') {
                if (!parsePseudo(compound))
                    return false;
            } else {
                break;
            }
        }
        if (m_pos == start) {
            if (atEnd())
                fail("expected a selector");
            else
                fail("expected a selector, found '" + std::string(1, peek()) + "'");
            return false;
        }
        return true;
    }

    // Identifiers: letters, digits, '-', '_', any non-ASCII byte; a backslash
    // takes the next character literally (`.md\:flex`).
    bool parseIdent(std::string& out, std::string_view what)
    {
        while (!atEnd() && isIdentChar(peek())) {
            if (peek() == '\\') {
                ++m_pos;
                if (atEnd()) {
                    fail("nothing to escape after '\\'");
                    return false;
                }
            }
            out += peek();
            ++m_pos;
        }
        if (out.empty()) {
            fail("expected " + std::string(what));
            return false;
        }
        return true;
    }

    bool parseAttribute(Compound& compound)
    {
        ++m_pos; // [
        skipSpaces();
        AttributeTest test;
        std::string name;
        if (!parseIdent(name, "an attribute name after '['"))
            return false;
        test.name = asciiLower(std::move(name));
        skipSpaces();
        if (atEnd()) {
            fail("expected ']'");
            return false;
        }
        if (peek() != ']') {
            static constexpr std::array<std::pair<std::string_view, AttributeOperator>, 4> kOperators { {
                { "=", AttributeOperator::Equals },
                { "^=", AttributeOperator::Prefix },
                { "$=", AttributeOperator::Suffix },
                { "*=", AttributeOperator::Contains },
            } };
            const auto rest = m_text.substr(m_pos);
            const auto* op = std::find_if(
                kOperators.begin(), kOperators.end(), [&](const auto& entry) { return rest.starts_with(entry.first); });
            if (op == kOperators.end()) {
                if (rest.size() >= 2 && rest[1] == '=')
                    fail("unsupported attribute operator '" + std::string(rest.substr(0, 2)) + "'");
                else
                    fail("expected ']' or one of = ^= $= *=");
                return false;
            }
            test.op = op->second;
            m_pos += op->first.size();
            skipSpaces();
            if (!parseValue(test.value))
                return false;
            skipSpaces();
            if (atEnd() || peek() != ']') {
                fail("expected ']'");
                return false;
            }
        }
        ++m_pos; // ]
        compound.attributes.push_back(std::move(test));
        return true;
    }

    bool parseValue(std::string& out)
    {
        if (atEnd()) {
            fail("expected a value");
            return false;
        }
        const char quote = peek();
        if (quote != '"' && quote != '\'')
            return parseIdent(out, "a value");
        ++m_pos;
        while (!atEnd() && peek() != quote) {
            if (peek() == '\\') {
                ++m_pos;
                if (atEnd())
                    break;
            }
            out += peek();
            ++m_pos;
        }
        if (atEnd()) {
            fail("unterminated string");
            return false;
        }
        ++m_pos; // closing quote
        return true;
    }

    bool parsePseudo(Compound& compound)
    {
        const std::size_t start = m_pos;
        ++m_pos; // :
        std::string name;
        if (!parseIdent(name, "a pseudo-class name after ':'"))
            return false;
        name = asciiLower(std::move(name));
        if (name != "nth-child" && name != "nth-of-type") {
            m_pos = start;
            fail("unsupported pseudo-class ':" + name + "' (only :nth-child(n) and :nth-of-type(n))");
            return false;
        }
        if (atEnd() || peek() != '(') {
            fail("expected '(' after ':" + name + "'");
            return false;
        }
        ++m_pos;
        skipSpaces();
        int value = 0;
        std::size_t digits = 0;
        while (!atEnd() && peek() >= '0' && peek() <= '9') {
            if (++digits > 6) {
                fail(":" + name + "() takes a number up to 999999");
                return false;
            }
            value = value * 10 + (peek() - '0');
            ++m_pos;
        }
        skipSpaces();
        if (digits == 0 || value < 1 || atEnd() || peek() != ')') {
            fail(":" + name + "() takes a positive integer (An+B is not supported)");
            return false;
        }
        ++m_pos;
        (name == "nth-child" ? compound.nthChild : compound.nthOfType) = value;
        return true;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
    std::optional<Error> m_error;
};

Result<Selector> Selector::parse(std::string_view text)
{
    return Parser(text).run();
}

namespace {

    // The element's value for an attribute selector: the chain's own
    // attributes first, then the fields the chain stores apart.
    const std::string* attributeValue(const Element& element, std::string_view name, std::string& scratch)
    {
        if (const auto* value = element.attr(name))
            return value;
        if (name == "id" && !element.id.empty())
            return &element.id;
        if (name == "href" && !element.href.empty())
            return &element.href;
        if (name == "name" && !element.name.empty())
            return &element.name;
        if (name == "class" && !element.classes.empty()) {
            scratch.clear();
            for (const auto& c : element.classes) {
                if (!scratch.empty())
                    scratch += ' ';
                scratch += c;
            }
            return &scratch;
        }
        return nullptr;
    }

} // namespace

bool Selector::matches(const Compound& compound, const Element& element)
{
    if (!compound.tag.empty() && compound.tag != "*" && !equalsIgnoringCase(compound.tag, element.tag))
        return false;
    if (!compound.id.empty()) {
        const auto* attrId = element.attr("id");
        if (element.id != compound.id && !(attrId && *attrId == compound.id))
            return false;
    }
    for (const auto& c : compound.classes)
        if (std::find(element.classes.begin(), element.classes.end(), c) == element.classes.end())
            return false;
    if (compound.nthChild && element.nthChild != compound.nthChild)
        return false;
    if (compound.nthOfType && element.nthOfType != compound.nthOfType)
        return false;
    std::string scratch;
    for (const auto& test : compound.attributes) {
        const std::string* value = attributeValue(element, test.name, scratch);
        if (!value)
            return false;
        const std::string_view v = *value;
        switch (test.op) {
        case AttributeOperator::Exists:
            break;
        case AttributeOperator::Equals:
            if (v != test.value)
                return false;
            break;
        case AttributeOperator::Prefix:
            if (test.value.empty() || !v.starts_with(test.value))
                return false;
            break;
        case AttributeOperator::Suffix:
            if (test.value.empty() || !v.ends_with(test.value))
                return false;
            break;
        case AttributeOperator::Contains:
            if (test.value.empty() || v.find(test.value) == std::string_view::npos)
                return false;
            break;
        }
    }
    return true;
}

// Right to left over the compounds, keeping the set of chain positions each
// compound can sit on. A descendant combinator only needs the nearest such
// position, a child combinator the exact parents, so the work is
// compounds × elements with no backtracking.
bool Selector::matches(const Complex& complex, std::span<const Element> chain)
{
    using Positions = std::bitset<kMaxChainElements>;
    const std::size_t n = complex.compounds.size();
    if (chain.empty() || !matches(complex.compounds[n - 1], chain[0]))
        return false;
    Positions current;
    current.set(0);
    for (std::size_t k = n - 1; k-- > 0;) {
        const Compound& compound = complex.compounds[k];
        Positions next;
        if (complex.combinators[k] == Combinator::Child) {
            for (std::size_t e = 0; e + 1 < chain.size(); ++e)
                if (current.test(e) && matches(compound, chain[e + 1]))
                    next.set(e + 1);
        } else {
            std::size_t nearest = 0;
            while (!current.test(nearest))
                ++nearest;
            for (std::size_t e = nearest + 1; e < chain.size(); ++e)
                if (matches(compound, chain[e]))
                    next.set(e);
        }
        if (next.none())
            return false;
        current = next;
    }
    return true;
}

bool Selector::matches(std::span<const Element> chain) const
{
    chain = chain.first(std::min(chain.size(), kMaxChainElements));
    return std::any_of(
        m_alternatives.begin(), m_alternatives.end(), [&](const Complex& complex) { return matches(complex, chain); });
}

} // namespace proactive
