#include "cssselector.h"

#include <algorithm>
#include <array>
#include <vector>

namespace proactive {

namespace {

    // Deep enough for any real selector, shallow enough that a hostile
    // ":not(:not(:not(..." cannot exhaust the stack.
    constexpr int kMaxNesting = 32;

    // CSS Syntax 3 §4 token types; comments produce no token.
    enum class TokenType {
        Ident,
        Function,
        AtKeyword,
        Hash,
        String,
        Number,
        Percentage,
        Dimension,
        Whitespace,
        Colon,
        Semicolon,
        Comma,
        LeftBracket,
        RightBracket,
        LeftParen,
        RightParen,
        LeftBrace,
        RightBrace,
        Cdo,
        Cdc,
        Delim,
        End,
    };

    struct Token {
        TokenType type = TokenType::End;
        std::size_t begin = 0; // byte offsets into the selector
        std::size_t end = 0;
        std::string value; // unescaped name, unit or string contents; the character of a delim
        bool integer = false; // number, percentage, dimension: no fraction, no exponent
        bool sign = false; // number written with a leading + or -
        bool idHash = false; // hash whose name would start an identifier, so usable as #id
    };

    struct Failure {
        std::size_t offset = 0;
        std::string reason;
    };

    constexpr int kEof = -1;

    bool isDigit(int c)
    {
        return c >= '0' && c <= '9';
    }
    bool isHexDigit(int c)
    {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
    bool isNewline(int c)
    {
        return c == '\n' || c == '\r' || c == '\f';
    }
    bool isWhitespace(int c)
    {
        return isNewline(c) || c == ' ' || c == '\t';
    }
    // Non-ASCII and NUL (which CSS preprocessing turns into U+FFFD) start names.
    bool isNameStart(int c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80 || c == 0;
    }
    bool isNameChar(int c)
    {
        return isNameStart(c) || isDigit(c) || c == '-';
    }

    std::string asciiLower(std::string_view s)
    {
        std::string out(s);
        std::transform(out.begin(), out.end(), out.begin(),
            [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
        return out;
    }

    void appendUtf8(std::string& out, char32_t cp)
    {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    // Offset of the first byte that is not part of well-formed UTF-8, if any.
    std::optional<std::size_t> invalidUtf8(std::string_view s)
    {
        std::size_t i = 0;
        while (i < s.size()) {
            const auto c = static_cast<unsigned char>(s[i]);
            std::size_t length = 0;
            char32_t cp = 0;
            char32_t min = 0;
            if (c < 0x80) {
                ++i;
                continue;
            } else if ((c & 0xE0) == 0xC0) {
                length = 2, cp = c & 0x1F, min = 0x80;
            } else if ((c & 0xF0) == 0xE0) {
                length = 3, cp = c & 0x0F, min = 0x800;
            } else if ((c & 0xF8) == 0xF0) {
                length = 4, cp = c & 0x07, min = 0x10000;
            } else {
                return i;
            }
            if (i + length > s.size())
                return i;
            for (std::size_t k = 1; k < length; ++k) {
                const auto cc = static_cast<unsigned char>(s[i + k]);
                if ((cc & 0xC0) != 0x80)
                    return i;
                cp = (cp << 6) | (cc & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                return i;
            i += length;
        }
        return std::nullopt;
    }

    class Tokenizer final {
    public:
        explicit Tokenizer(std::string_view source)
            : m_s(source)
        { }

        std::optional<Failure> run(std::vector<Token>& tokens)
        {
            while (m_p < m_s.size() && !m_failure) {
                if (at(0) == '/' && at(1) == '*') {
                    comment();
                    continue;
                }
                Token token;
                token.begin = m_p;
                next(token);
                token.end = m_p;
                tokens.push_back(std::move(token));
            }
            Token end;
            end.begin = end.end = m_s.size();
            tokens.push_back(end);
            return m_failure;
        }

    private:
        int at(std::size_t k) const { return m_p + k < m_s.size() ? static_cast<unsigned char>(m_s[m_p + k]) : kEof; }

        // CSS Syntax 3 "valid escape"; a backslash at the very end counts as
        // one here and is then reported by escape().
        bool validEscape(std::size_t k) const { return at(k) == '\\' && !isNewline(at(k + 1)); }

        bool startsIdent(std::size_t k) const
        {
            const int c = at(k);
            if (c == '-')
                return isNameStart(at(k + 1)) || at(k + 1) == '-' || validEscape(k + 1);
            if (c == '\\')
                return validEscape(k);
            return c != kEof && isNameStart(c);
        }

        bool startsNumber(std::size_t k) const
        {
            const int c = at(k);
            if (c == '+' || c == '-')
                return isDigit(at(k + 1)) || (at(k + 1) == '.' && isDigit(at(k + 2)));
            if (c == '.')
                return isDigit(at(k + 1));
            return isDigit(c);
        }

        void fail(std::size_t offset, std::string reason)
        {
            if (!m_failure)
                m_failure = Failure { offset, std::move(reason) };
        }

        void comment()
        {
            const std::size_t start = m_p;
            const auto close = m_s.find("*/", m_p + 2);
            if (close == std::string_view::npos) {
                fail(start, "unterminated comment");
                m_p = m_s.size();
                return;
            }
            m_p = close + 2;
        }

        // After the backslash of a valid escape.
        void escape(std::string& out)
        {
            if (at(0) == kEof) {
                fail(m_p - 1, "dangling backslash");
                return;
            }
            if (isHexDigit(at(0))) {
                char32_t cp = 0;
                for (int n = 0; n < 6 && isHexDigit(at(0)); ++n, ++m_p) {
                    const int c = at(0);
                    cp = cp * 16 + static_cast<char32_t>(isDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
                }
                if (at(0) == '\r' && at(1) == '\n')
                    m_p += 2;
                else if (isWhitespace(at(0)))
                    ++m_p;
                if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
                    cp = 0xFFFD;
                appendUtf8(out, cp);
                return;
            }
            out += m_s[m_p++];
        }

        std::string name()
        {
            std::string out;
            while (!m_failure) {
                if (at(0) != kEof && isNameChar(at(0))) {
                    out += m_s[m_p++];
                } else if (validEscape(0)) {
                    ++m_p;
                    escape(out);
                } else {
                    break;
                }
            }
            return out;
        }

        void number(Token& token)
        {
            token.type = TokenType::Number;
            token.integer = true;
            if (at(0) == '+' || at(0) == '-') {
                token.sign = true;
                ++m_p;
            }
            while (isDigit(at(0)))
                ++m_p;
            if (at(0) == '.' && isDigit(at(1))) {
                token.integer = false;
                ++m_p;
                while (isDigit(at(0)))
                    ++m_p;
            }
            if ((at(0) == 'e' || at(0) == 'E')
                && (isDigit(at(1)) || ((at(1) == '+' || at(1) == '-') && isDigit(at(2))))) {
                token.integer = false;
                m_p += isDigit(at(1)) ? 1 : 2;
                while (isDigit(at(0)))
                    ++m_p;
            }
            if (startsIdent(0)) {
                token.type = TokenType::Dimension;
                token.value = name();
            } else if (at(0) == '%') {
                token.type = TokenType::Percentage;
                ++m_p;
            }
        }

        void string(Token& token)
        {
            const int quote = at(0);
            const std::size_t start = m_p++;
            token.type = TokenType::String;
            while (!m_failure) {
                const int c = at(0);
                if (c == kEof) {
                    fail(start, "unterminated string");
                } else if (c == quote) {
                    ++m_p;
                    return;
                } else if (isNewline(c)) {
                    fail(start, "unterminated string (line break before the closing quote)");
                } else if (c == '\\') {
                    if (at(1) == kEof) {
                        fail(start, "unterminated string");
                    } else if (isNewline(at(1))) {
                        m_p += (at(1) == '\r' && at(2) == '\n') ? 3 : 2;
                    } else {
                        ++m_p;
                        escape(token.value);
                    }
                } else {
                    token.value += m_s[m_p++];
                }
            }
        }

        void identLike(Token& token)
        {
            token.value = name();
            if (at(0) == '(') {
                ++m_p;
                token.type = TokenType::Function;
            } else {
                token.type = TokenType::Ident;
            }
        }

        void next(Token& token)
        {
            const int c = at(0);
            if (isWhitespace(c)) {
                token.type = TokenType::Whitespace;
                while (isWhitespace(at(0)))
                    ++m_p;
                return;
            }
            if (c == '"' || c == '\'') {
                string(token);
                return;
            }
            if (startsNumber(0)) {
                number(token);
                return;
            }
            if (c == '#' && (isNameChar(at(1)) || validEscape(1))) {
                ++m_p;
                token.type = TokenType::Hash;
                token.idHash = startsIdent(0);
                token.value = name();
                return;
            }
            if (c == '@' && startsIdent(1)) {
                ++m_p;
                token.type = TokenType::AtKeyword;
                token.value = name();
                return;
            }
            if (c == '-' && at(1) == '-' && at(2) == '>') {
                token.type = TokenType::Cdc;
                m_p += 3;
                return;
            }
            if (c == '<' && m_s.substr(m_p, 4) == "<!--") {
                token.type = TokenType::Cdo;
                m_p += 4;
                return;
            }
            if (startsIdent(0)) {
                identLike(token);
                return;
            }
            static constexpr std::array<std::pair<char, TokenType>, 9> punctuation { {
                { ':', TokenType::Colon },
                { ';', TokenType::Semicolon },
                { ',', TokenType::Comma },
                { '[', TokenType::LeftBracket },
                { ']', TokenType::RightBracket },
                { '(', TokenType::LeftParen },
                { ')', TokenType::RightParen },
                { '{', TokenType::LeftBrace },
                { '}', TokenType::RightBrace },
            } };
            for (const auto& [ch, type] : punctuation) {
                if (c == ch) {
                    token.type = type;
                    ++m_p;
                    return;
                }
            }
            // Anything else is one code point as a delim.
            token.type = TokenType::Delim;
            std::size_t length = 1;
            while (m_p + length < m_s.size() && (static_cast<unsigned char>(m_s[m_p + length]) & 0xC0) == 0x80)
                ++length;
            token.value = std::string(m_s.substr(m_p, length));
            m_p += length;
        }

        std::string_view m_s;
        std::size_t m_p = 0;
        std::optional<Failure> m_failure;
    };

    bool isLegacyPseudoElement(std::string_view name)
    {
        return name == "before" || name == "after" || name == "first-line" || name == "first-letter";
    }

    // Pseudo-classes that only exist with an argument: browsers reject them bare.
    bool needsArgument(std::string_view name)
    {
        static constexpr std::array<std::string_view, 14> names { "not", "is", "where", "has", "nth-child",
            "nth-last-child", "nth-of-type", "nth-last-of-type", "nth-col", "nth-last-col", "lang", "dir", "state",
            "host-context" };
        return std::find(names.begin(), names.end(), name) != names.end();
    }

    bool isNDashDigits(std::string_view s)
    {
        return s.size() > 2 && s.starts_with("n-")
            && std::all_of(s.begin() + 2, s.end(), [](char c) { return isDigit(static_cast<unsigned char>(c)); });
    }

    // Selectors 4 over the token stream, as browsers apply it to querySelector().
    class Parser final {
    public:
        Parser(std::string_view source, const std::vector<Token>& tokens)
            : m_source(source)
            , m_tokens(tokens)
        { }

        std::optional<Failure> run()
        {
            if (selectorList(Context {}) && peek().type != TokenType::End)
                unexpected(peek());
            return m_failure;
        }

    private:
        enum class PseudoKind { Class, Element, ElementWithStates };

        struct Context {
            bool pseudoElements = true; // false inside :not(), :is(), :has(), ...
            bool relative = false; // :has() arguments may start with a combinator
            bool insideHas = false;
        };

        const Token& peek(std::size_t k = 0) const { return m_tokens[std::min(m_index + k, m_tokens.size() - 1)]; }
        void advance(std::size_t n = 1) { m_index = std::min(m_index + n, m_tokens.size() - 1); }

        static bool isDelim(const Token& t, char c)
        {
            return t.type == TokenType::Delim && t.value.size() == 1 && t.value[0] == c;
        }
        static bool isCombinator(const Token& t) { return isDelim(t, '>') || isDelim(t, '+') || isDelim(t, '~'); }

        bool skipWhitespace()
        {
            bool skipped = false;
            while (peek().type == TokenType::Whitespace) {
                advance();
                skipped = true;
            }
            return skipped;
        }

        bool fail(std::size_t offset, std::string reason)
        {
            if (!m_failure)
                m_failure = Failure { offset, std::move(reason) };
            return false;
        }

        std::string describe(const Token& t) const
        {
            if (t.type == TokenType::End)
                return "end of selector";
            constexpr std::size_t kMaxQuoted = 24;
            std::string_view text = m_source.substr(t.begin, t.end - t.begin);
            if (text.size() <= kMaxQuoted)
                return "'" + std::string(text) + "'";
            std::size_t cut = kMaxQuoted;
            while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
                --cut;
            return "'" + std::string(text.substr(0, cut)) + "…'";
        }

        bool unexpected(const Token& t) { return fail(t.begin, "unexpected " + describe(t)); }

        bool unclosed(const Token& opener)
        {
            return fail(opener.begin,
                "unclosed '" + std::string(m_source.substr(opener.begin, opener.end - opener.begin)) + "'");
        }

        bool expectClose(const Token& opener, TokenType closer)
        {
            skipWhitespace();
            if (peek().type == closer) {
                advance();
                return true;
            }
            return peek().type == TokenType::End ? unclosed(opener) : unexpected(peek());
        }

        bool selectorList(const Context& context)
        {
            for (;;) {
                if (!complexSelector(context))
                    return false;
                if (peek().type != TokenType::Comma)
                    return true;
                advance();
            }
        }

        bool complexSelector(const Context& context)
        {
            skipWhitespace();
            if (context.relative && isCombinator(peek())) {
                advance();
                skipWhitespace();
            }
            bool pseudoElement = false;
            for (;;) {
                if (!compoundSelector(context, pseudoElement))
                    return false;
                const bool space = skipWhitespace();
                const Token& t = peek();
                if (t.type == TokenType::End || t.type == TokenType::Comma || t.type == TokenType::RightParen)
                    return true;
                if (isDelim(t, '|') && isDelim(peek(1), '|'))
                    return fail(t.begin, "the column combinator '||' is not supported by browsers");
                if (isCombinator(t)) {
                    advance();
                    skipWhitespace();
                } else if (!space) {
                    if (t.type == TokenType::Ident || isDelim(t, '*'))
                        return fail(
                            t.begin, "type selector " + describe(t) + " must come first in its compound selector");
                    return unexpected(t);
                }
                if (pseudoElement)
                    return fail(t.begin, "nothing can follow a pseudo-element");
            }
        }

        bool compoundSelector(const Context& context, bool& pseudoElement)
        {
            const std::size_t first = m_index;
            if (!typeSelector())
                return false;
            bool afterPseudoElement = false;
            bool statesAllowed = false; // more pseudo-classes and -elements may follow it
            for (;;) {
                const Token& t = peek();
                const bool subclass = t.type == TokenType::Hash || isDelim(t, '.') || t.type == TokenType::LeftBracket;
                if (subclass && afterPseudoElement)
                    return fail(t.begin, "nothing can follow a pseudo-element");
                if (t.type == TokenType::Hash) {
                    if (!t.idHash)
                        return fail(t.begin,
                            describe(t)
                                + " is not a valid ID selector: an identifier cannot start with a digit (escape it, "
                                  "e.g. #\\31 23)");
                    advance();
                } else if (isDelim(t, '.')) {
                    advance();
                    if (peek().type != TokenType::Ident)
                        return fail(t.begin, "expected a class name after '.'");
                    advance();
                } else if (t.type == TokenType::LeftBracket) {
                    if (!attributeSelector())
                        return false;
                } else if (t.type == TokenType::Colon) {
                    PseudoKind kind = PseudoKind::Class;
                    if (!pseudo(context, kind))
                        return false;
                    if (afterPseudoElement && !statesAllowed)
                        return fail(t.begin, "nothing can follow a pseudo-element");
                    if (kind != PseudoKind::Class) {
                        afterPseudoElement = true;
                        statesAllowed = kind == PseudoKind::ElementWithStates;
                    }
                } else if ((t.type == TokenType::Number || t.type == TokenType::Dimension
                               || t.type == TokenType::Percentage)
                    && m_source[t.begin] == '.') {
                    return fail(t.begin, "a class name cannot start with a digit (escape it, e.g. .\\31 23)");
                } else {
                    break;
                }
            }
            if (m_index == first)
                return fail(peek().begin, "expected a selector but found " + describe(peek()));
            pseudoElement = pseudoElement || afterPseudoElement;
            return true;
        }

        // [ns|]name or [ns|]*, where querySelector() knows only the *| and | prefixes.
        bool typeSelector()
        {
            const auto isName = [](const Token& t) { return t.type == TokenType::Ident || isDelim(t, '*'); };
            const Token& t = peek();
            if (isDelim(t, '|') && !isDelim(peek(1), '|')) {
                if (!isName(peek(1)))
                    return fail(t.begin, "expected an element name or '*' after '|'");
                advance(2);
                return true;
            }
            if (!isName(t))
                return true;
            if (isDelim(peek(1), '|') && !isDelim(peek(2), '|') && !isDelim(peek(2), '=')) {
                if (!isName(peek(2)))
                    return fail(peek(1).begin, "expected an element name or '*' after '|'");
                if (t.type == TokenType::Ident)
                    return fail(t.begin,
                        "namespace prefix " + describe(t) + " is not declared (querySelector only accepts *| and |)");
                advance(3);
                return true;
            }
            advance();
            return true;
        }

        bool attributeSelector()
        {
            const Token& open = peek();
            advance();
            skipWhitespace();
            const Token& t = peek();
            if (isDelim(t, '|') && peek(1).type == TokenType::Ident) {
                advance(2);
            } else if (isDelim(t, '*') && isDelim(peek(1), '|') && peek(2).type == TokenType::Ident) {
                advance(3);
            } else if (t.type == TokenType::Ident) {
                if (isDelim(peek(1), '|') && peek(2).type == TokenType::Ident)
                    return fail(t.begin,
                        "namespace prefix " + describe(t) + " is not declared (querySelector only accepts *| and |)");
                advance();
            } else if (t.type == TokenType::End) {
                return unclosed(open);
            } else {
                return fail(t.begin, "expected an attribute name but found " + describe(t));
            }
            skipWhitespace();
            const Token& op = peek();
            if (op.type == TokenType::RightBracket) {
                advance();
                return true;
            }
            if (isDelim(op, '=')) {
                advance();
            } else if (op.type == TokenType::Delim && op.value.size() == 1
                && std::string_view("~|^$*").find(op.value[0]) != std::string_view::npos && isDelim(peek(1), '=')) {
                advance(2);
            } else if (op.type == TokenType::End) {
                return unclosed(open);
            } else {
                return fail(op.begin,
                    "expected ']' or an attribute operator (=, ~=, |=, ^=, $=, *=) but found " + describe(op));
            }
            skipWhitespace();
            const Token& value = peek();
            if (value.type == TokenType::Ident || value.type == TokenType::String) {
                advance();
            } else if (value.type == TokenType::End) {
                return unclosed(open);
            } else if (value.type == TokenType::Number || value.type == TokenType::Dimension
                || value.type == TokenType::Percentage || value.type == TokenType::Hash) {
                return fail(value.begin, "attribute value " + describe(value) + " must be quoted");
            } else {
                return fail(value.begin, "expected an attribute value but found " + describe(value));
            }
            skipWhitespace();
            if (peek().type == TokenType::Ident) {
                const std::string flag = asciiLower(peek().value);
                if (flag == "s")
                    return fail(peek().begin,
                        "the attribute flag 's' is not supported by Chromium; leave it out (values compare "
                        "case-sensitively by default)");
                if (flag != "i")
                    return fail(peek().begin, "unknown attribute flag " + describe(peek()) + " (expected i)");
                advance();
            }
            return expectClose(open, TokenType::RightBracket);
        }

        // At ':'. Browsers (Chromium) accept more pseudo-classes and -elements
        // after ::part() and vendor pseudo-elements (::-webkit-scrollbar:hover) only.
        bool pseudo(const Context& context, PseudoKind& kind)
        {
            const Token& colon = peek();
            const bool doubleColon = peek(1).type == TokenType::Colon;
            advance(doubleColon ? 2 : 1);
            const Token& name = peek();
            if (name.type != TokenType::Ident && name.type != TokenType::Function)
                return fail(colon.begin,
                    doubleColon ? "expected a pseudo-element name after '::'"
                                : "expected a pseudo-class name after ':'");
            const std::string lower = asciiLower(name.value);
            const bool isPseudoElement = doubleColon || (name.type == TokenType::Ident && isLegacyPseudoElement(lower));
            if (!isPseudoElement)
                kind = PseudoKind::Class;
            else if (doubleColon && (lower == "part" || lower.starts_with('-')))
                kind = PseudoKind::ElementWithStates;
            else
                kind = PseudoKind::Element;
            if (isPseudoElement && !context.pseudoElements)
                return fail(colon.begin, "a pseudo-element is not allowed inside a selector argument");
            advance();
            if (name.type == TokenType::Ident) {
                if (!doubleColon && needsArgument(lower))
                    return fail(name.begin, "':" + lower + "' needs an argument in parentheses");
                return true;
            }
            if (m_depth >= kMaxNesting)
                return fail(name.begin, "selector nested too deeply");
            ++m_depth;
            const bool ok
                = doubleColon ? pseudoElementArguments(lower, context) : pseudoClassArguments(lower, name, context);
            --m_depth;
            Token opener = name;
            opener.begin = colon.begin;
            return ok && expectClose(opener, TokenType::RightParen);
        }

        bool pseudoClassArguments(const std::string& name, const Token& opener, const Context& context)
        {
            Context inner { .pseudoElements = false, .relative = false, .insideHas = context.insideHas };
            skipWhitespace();
            const bool known = needsArgument(name) || name == "host";
            if (known && peek().type == TokenType::RightParen)
                return fail(opener.begin, "':" + name + "()' needs an argument");
            if (name == "not" || name == "is" || name == "where")
                return selectorList(inner);
            if (name == "has") {
                if (context.insideHas)
                    return fail(opener.begin, "':has()' cannot be nested inside ':has()'");
                inner.relative = true;
                inner.insideHas = true;
                return selectorList(inner);
            }
            if (name == "nth-child" || name == "nth-last-child") {
                if (!anPlusB())
                    return false;
                skipWhitespace();
                if (peek().type == TokenType::Ident && asciiLower(peek().value) == "of") {
                    advance();
                    return selectorList(inner);
                }
                return true;
            }
            if (name == "nth-of-type" || name == "nth-last-of-type" || name == "nth-col" || name == "nth-last-col")
                return anPlusB();
            if (name == "lang") {
                for (;;) {
                    skipWhitespace();
                    if (peek().type != TokenType::Ident && peek().type != TokenType::String)
                        return fail(peek().begin, "expected a language tag but found " + describe(peek()));
                    advance();
                    skipWhitespace();
                    if (peek().type != TokenType::Comma)
                        return true;
                    advance();
                }
            }
            if (name == "dir" || name == "state") {
                if (peek().type != TokenType::Ident)
                    return fail(peek().begin, "expected an identifier but found " + describe(peek()));
                advance();
                return true;
            }
            if (name == "host" || name == "host-context") {
                bool unused = false;
                return compoundSelector(inner, unused);
            }
            return balancedArguments();
        }

        bool pseudoElementArguments(const std::string& name, const Context& context)
        {
            skipWhitespace();
            if (name == "part") {
                if (peek().type != TokenType::Ident)
                    return fail(peek().begin, "expected a part name but found " + describe(peek()));
                while (peek().type == TokenType::Ident) {
                    advance();
                    skipWhitespace();
                }
                return true;
            }
            if (name == "slotted") {
                bool unused = false;
                return compoundSelector(
                    Context { .pseudoElements = false, .relative = false, .insideHas = context.insideHas }, unused);
            }
            if (name == "highlight") {
                if (peek().type != TokenType::Ident)
                    return fail(peek().begin, "expected a highlight name but found " + describe(peek()));
                advance();
                return true;
            }
            return balancedArguments();
        }

        // Arguments of a function this checker does not know: any tokens with
        // matched brackets, up to (not including) the closing ')'.
        bool balancedArguments()
        {
            std::vector<std::size_t> open; // token indexes of unclosed openers
            for (;;) {
                const Token& t = peek();
                switch (t.type) {
                case TokenType::End:
                    return open.empty() || unclosed(m_tokens[open.back()]);
                case TokenType::Function:
                case TokenType::LeftParen:
                case TokenType::LeftBracket:
                case TokenType::LeftBrace:
                    open.push_back(m_index);
                    break;
                case TokenType::RightParen:
                case TokenType::RightBracket:
                case TokenType::RightBrace: {
                    if (open.empty() && t.type == TokenType::RightParen)
                        return true;
                    if (open.empty())
                        return unexpected(t);
                    const TokenType opener = m_tokens[open.back()].type;
                    const bool matches = (t.type == TokenType::RightParen
                                             && (opener == TokenType::LeftParen || opener == TokenType::Function))
                        || (t.type == TokenType::RightBracket && opener == TokenType::LeftBracket)
                        || (t.type == TokenType::RightBrace && opener == TokenType::LeftBrace);
                    if (!matches)
                        return unexpected(t);
                    open.pop_back();
                    break;
                }
                default:
                    break;
                }
                advance();
            }
        }

        // CSS Syntax 3 §6.2: the An+B microsyntax over tokens, e.g. "2n+1",
        // "-n + 3", "odd". A '+' may not be separated from the 'n' after it.
        bool anPlusB()
        {
            skipWhitespace();
            const Token& first = peek();
            const auto invalid = [&] {
                return fail(first.begin,
                    "invalid An+B expression " + describe(first) + " (expected e.g. 2n+1, -n+3, odd, even)");
            };
            enum class Tail { None, OptionalB, SignlessB };
            const auto tailOf = [](std::string_view nPart) -> std::optional<Tail> {
                if (nPart == "n")
                    return Tail::OptionalB;
                if (nPart == "n-")
                    return Tail::SignlessB;
                if (isNDashDigits(nPart))
                    return Tail::None;
                return std::nullopt;
            };
            std::optional<Tail> tail;
            if (first.type == TokenType::Number) {
                if (!first.integer)
                    return invalid();
                advance();
                return true;
            }
            if (first.type == TokenType::Dimension) {
                if (first.integer)
                    tail = tailOf(asciiLower(first.value));
                if (!tail)
                    return invalid();
                advance();
            } else if (first.type == TokenType::Ident) {
                const std::string v = asciiLower(first.value);
                if (v == "odd" || v == "even") {
                    advance();
                    return true;
                }
                tail = tailOf(v.starts_with('-') ? std::string_view(v).substr(1) : std::string_view(v));
                if (!tail)
                    return invalid();
                advance();
            } else if (isDelim(first, '+') && peek(1).type == TokenType::Ident) {
                tail = tailOf(asciiLower(peek(1).value));
                if (!tail)
                    return invalid();
                advance(2);
            } else {
                return invalid();
            }
            if (*tail == Tail::None)
                return true;
            skipWhitespace();
            const Token& t = peek();
            if (*tail == Tail::OptionalB) {
                if (t.type == TokenType::Number && t.integer && t.sign) {
                    advance();
                    return true;
                }
                if (!isDelim(t, '+') && !isDelim(t, '-'))
                    return true;
                advance();
                skipWhitespace();
            }
            const Token& b = peek();
            if (b.type != TokenType::Number || !b.integer || b.sign)
                return fail(b.begin, "invalid An+B expression: expected an unsigned integer but found " + describe(b));
            advance();
            return true;
        }

        std::string_view m_source;
        const std::vector<Token>& m_tokens;
        std::size_t m_index = 0;
        int m_depth = 0;
        std::optional<Failure> m_failure;
    };

    std::size_t columnOf(std::string_view source, std::size_t offset)
    {
        const auto prefix = source.substr(0, std::min(offset, source.size()));
        return 1 + static_cast<std::size_t>(std::count_if(prefix.begin(), prefix.end(), [](char c) {
            return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        }));
    }

} // namespace

std::optional<CssSelectorError> checkCssSelector(std::string_view selector)
{
    if (const auto bad = invalidUtf8(selector))
        return CssSelectorError { columnOf(selector, *bad), "invalid UTF-8" };
    if (std::all_of(
            selector.begin(), selector.end(), [](char c) { return isWhitespace(static_cast<unsigned char>(c)); }))
        return CssSelectorError { 1, "empty selector" };
    std::vector<Token> tokens;
    auto failure = Tokenizer(selector).run(tokens);
    if (!failure)
        failure = Parser(selector, tokens).run();
    if (!failure)
        return std::nullopt;
    return CssSelectorError { columnOf(selector, failure->offset), failure->reason };
}

} // namespace proactive
