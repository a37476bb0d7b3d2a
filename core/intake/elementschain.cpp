#include "intake/elementschain.h"

#include <algorithm>
#include <charconv>

namespace proactive {

namespace {

    // The grammar follows PostHog's own parser (posthog/models/element/element.py):
    //   split_chain_regex       (?:[^\s;"]|"(?:\\.|[^"])*")+   one element per match
    //   split_class_attributes  (.*?)($|:([a-zA-Z\-\_0-9]*=.*)) tag.classes before the first `:key=`
    //   parse_attributes_regex  (.*?)="((?:[^"\\]|\\.)*)"       key="value" pairs, `\"` escaped
    // written as linear scanners so that hostile chains cannot make them backtrack.

    constexpr auto npos = std::string_view::npos;

    bool isChainSpace(char c)
    {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    }

    bool isKeyChar(char c)
    {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    // The quote closing the run opened at `open`. Escapes are honoured first; when
    // no unescaped quote follows, the regex backtracks until the last quote of the
    // chain closes the run. npos: an unbalanced quote, which no element can contain.
    std::size_t closingQuote(std::string_view s, std::size_t open)
    {
        for (std::size_t i = open + 1; i < s.size(); ++i) {
            if (s[i] == '\\')
                ++i;
            else if (s[i] == '"')
                return i;
        }
        const auto last = s.rfind('"');
        return last != npos && last > open ? last : npos;
    }

    class ChainTokens {
    public:
        explicit ChainTokens(std::string_view chain)
            : m_chain(chain)
        { }

        // The next element string, or false at the end.
        bool next(std::string_view& token)
        {
            const std::size_t n = m_chain.size();
            while (m_pos < n) {
                const char c = m_chain[m_pos];
                if (isChainSpace(c) || c == ';' || (c == '"' && closingQuote(m_chain, m_pos) == npos))
                    ++m_pos;
                else
                    break;
            }
            if (m_pos >= n)
                return false;
            const std::size_t start = m_pos;
            while (m_pos < n) {
                const char c = m_chain[m_pos];
                if (isChainSpace(c) || c == ';')
                    break;
                if (c == '"') {
                    const auto close = closingQuote(m_chain, m_pos);
                    if (close == npos)
                        break;
                    m_pos = close + 1;
                    continue;
                }
                ++m_pos;
            }
            token = m_chain.substr(start, m_pos - start);
            return true;
        }

        std::size_t position() const { return m_pos; }

    private:
        std::string_view m_chain;
        std::size_t m_pos = 0;
    };

    // Where the attributes start: the first `:` followed by `[A-Za-z0-9_-]*=`
    // (classes may contain `:`, as in Tailwind's `hover:bg-blue-500`).
    std::size_t attributesColon(std::string_view token)
    {
        for (std::size_t i = 0; i < token.size(); ++i) {
            if (token[i] != ':')
                continue;
            std::size_t j = i + 1;
            while (j < token.size() && isKeyChar(token[j]))
                ++j;
            if (j < token.size() && token[j] == '=')
                return i;
        }
        return npos;
    }

    // posthog-js escapes `"` (and an already escaped `\"`) as `\"` and nothing
    // else, so `\"` is the only escape to undo; other backslashes are literal.
    std::string unescapeValue(std::string_view raw)
    {
        std::string out;
        std::size_t from = 0;
        for (auto at = raw.find("\\\"", from); at != std::string_view::npos; at = raw.find("\\\"", from)) {
            out.append(raw.substr(from, at - from));
            out += '"';
            from = at + 2;
        }
        out.append(raw.substr(from));
        return out;
    }

    // Like Python's int(), which PostHog uses: surrounding whitespace and a '+' are fine.
    std::optional<int> parseInt(std::string_view text)
    {
        while (!text.empty() && isChainSpace(text.front()))
            text.remove_prefix(1);
        while (!text.empty() && isChainSpace(text.back()))
            text.remove_suffix(1);
        if (text.starts_with('+') && text.size() > 1 && text[1] != '-')
            text.remove_prefix(1);
        int value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size())
            return std::nullopt;
        return value;
    }

    void setAttr(Element& element, std::string_view key, std::string value)
    {
        for (auto& [k, v] : element.attrs) {
            if (k == key) {
                v = std::move(value);
                return;
            }
        }
        element.attrs.emplace_back(std::string(key), std::move(value));
    }

    void applyAttribute(Element& element, std::string_view key, std::string value, bool& explicitId, bool& explicitHref)
    {
        if (key == "text") {
            element.text = std::move(value);
        } else if (key == "href") {
            element.href = std::move(value);
            explicitHref = true;
        } else if (key == "attr_id") {
            element.id = std::move(value);
            explicitId = true;
        } else if (key == "nth-child") {
            element.nthChild = parseInt(value);
        } else if (key == "nth-of-type") {
            element.nthOfType = parseInt(value);
        } else if (key.starts_with("attr__") && key.size() > 6) {
            const auto name = key.substr(6);
            if (name == "id" && !explicitId)
                element.id = value;
            else if (name == "href" && !explicitHref)
                element.href = value;
            else if (name == "name")
                element.name = value;
            setAttr(element, name, std::move(value));
        }
        // Other keys are not written by posthog-js (PostHog keeps them only for
        // server-side elements); they are not HTML attributes, so they are dropped.
    }

    void parseAttributes(Element& element, std::string_view attrs)
    {
        bool explicitId = false;
        bool explicitHref = false;
        std::size_t pos = 0;
        while (pos < attrs.size()) {
            const auto eq = attrs.find("=\"", pos);
            if (eq == npos)
                return;
            std::size_t close = npos;
            for (std::size_t i = eq + 2; i < attrs.size(); ++i) {
                if (attrs[i] == '\\') {
                    if (i + 1 >= attrs.size())
                        break;
                    ++i;
                } else if (attrs[i] == '"') {
                    close = i;
                    break;
                }
            }
            if (close == npos)
                return;
            const auto key = attrs.substr(pos, eq - pos);
            if (!key.empty())
                applyAttribute(
                    element, key, unescapeValue(attrs.substr(eq + 2, close - eq - 2)), explicitId, explicitHref);
            pos = close + 1;
        }
    }

    void splitDottedClasses(Element& element, std::string_view classes)
    {
        std::size_t start = 0;
        while (start <= classes.size()) {
            auto end = classes.find('.', start);
            if (end == npos)
                end = classes.size();
            if (end > start)
                element.classes.emplace_back(classes.substr(start, end - start));
            start = end + 1;
        }
    }

    void splitClassAttribute(Element& element, std::string_view classes)
    {
        std::size_t i = 0;
        while (i < classes.size()) {
            while (i < classes.size() && isChainSpace(classes[i]))
                ++i;
            const std::size_t start = i;
            while (i < classes.size() && !isChainSpace(classes[i]))
                ++i;
            if (i > start)
                element.classes.emplace_back(classes.substr(start, i - start));
        }
    }

    Element parseElement(std::string_view token)
    {
        Element element;
        const auto colon = attributesColon(token);
        const auto tagPart = token.substr(0, colon);
        const auto dot = tagPart.find('.');
        element.tag = std::string(tagPart.substr(0, dot));
        if (dot != npos)
            splitDottedClasses(element, tagPart.substr(dot + 1));
        if (colon != npos) {
            element.attrs.reserve(4);
            parseAttributes(element, token.substr(colon + 1));
        }
        // Elements written without a tag part still carry their classes in attr__class.
        if (element.classes.empty()) {
            if (const auto* cls = element.attr("class"))
                splitClassAttribute(element, *cls);
        }
        element.selector = cssSelectorFor(element);
        return element;
    }

    void appendHexEscape(std::string& out, unsigned char c)
    {
        static constexpr char kHex[] = "0123456789abcdef";
        out += '\\';
        if (c >= 0x10)
            out += kHex[c >> 4];
        out += kHex[c & 0xf];
        out += ' ';
    }

    void appendCssStringValue(std::string& out, std::string_view value)
    {
        for (const char ch : value) {
            const auto c = static_cast<unsigned char>(ch);
            if (c == 0)
                out += "\xEF\xBF\xBD";
            else if (c < 0x20 || c == 0x7f)
                appendHexEscape(out, c);
            else if (c == '"' || c == '\\')
                (out += '\\') += ch;
            else
                out += ch;
        }
    }

    // Tags and classes are written unquoted, so what would end them, quote
    // them or read as the start of the attributes (`:key=`) is dropped
    // (posthog-js drops quotes from classes; DOM names never hold the rest).
    // Right to left, each `:` judged on what is kept after it (dropping one
    // can make an earlier one read as `:key=`, as in "::a="): linear, where
    // starting over after each drop was quadratic in a hostile tag_name.
    void appendBareName(std::string& out, std::string_view name)
    {
        const auto start = out.size();
        bool keyFollows = false; // what is kept so far starts with [A-Za-z0-9_-]*=
        for (auto it = name.rbegin(); it != name.rend(); ++it) {
            const char c = *it;
            if (c == '"' || c == ';' || isChainSpace(c) || (c == ':' && keyFollows))
                continue;
            keyFollows = c == '=' || (keyFollows && isKeyChar(c));
            out += c;
        }
        std::reverse(out.begin() + static_cast<std::ptrdiff_t>(start), out.end());
    }

    // Classes are written between dots, so a class with a dot in it reads
    // back as several ("w-1.5": "w-1", "5"), and one left empty by
    // appendBareName as none: write what will be read, so that writing a
    // chain read back gives the same chain.
    void appendClassNames(std::vector<std::string>& classes, std::string_view name)
    {
        for (std::size_t start = 0; start <= name.size();) {
            const auto end = std::min(name.find('.', start), name.size());
            std::string written;
            appendBareName(written, name.substr(start, end - start));
            if (!written.empty())
                classes.push_back(std::move(written));
            start = end + 1;
        }
    }

    // An attribute value between quotes. Like posthog-js's escapeQuotes(),
    // `"` and `\"` both become `\"`; and since readers pair backslashes, a
    // run of them before a quote or at the end is made to leave that quote
    // escaped, or the closing one not, as meant (posthog-js writes `\\"` as
    // `\\"`, which ends the value early).
    void appendChainValue(std::string& out, std::string_view text)
    {
        for (std::size_t i = 0; i < text.size();) {
            const std::size_t end = std::min(text.find_first_not_of('\\', i), text.size());
            const std::size_t run = end - i;
            out.append(run, '\\');
            if (end == text.size()) {
                if (run % 2 == 1)
                    out += '\\'; // the closing quote must not be escaped
                break;
            }
            if (text[end] == '"' && run % 2 == 0)
                out += '\\'; // an odd run already ends with the quote's escape
            out += text[end];
            i = end + 1;
        }
    }

    // Readers find where the attributes start by the first `:name=` whose
    // name is made of [A-Za-z0-9_-] (attributesColon), so an attribute named
    // otherwise (`@click`, `x-on:click`, or with a quote or a space) would
    // hide the attributes or split them elsewhere: it is not written.
    bool isWritableAttributeName(std::string_view name)
    {
        return !name.empty() && std::all_of(name.begin(), name.end(), isKeyChar);
    }

} // namespace

std::vector<Element> parseElementsChain(std::string_view chain)
{
    std::vector<Element> elements;
    ChainTokens tokens(chain);
    std::string_view token;
    while (tokens.next(token))
        elements.push_back(parseElement(token));
    return elements;
}

Element parseTargetElement(std::string_view chain)
{
    ChainTokens tokens(chain);
    std::string_view token;
    return tokens.next(token) ? parseElement(token) : Element {};
}

const Element& TargetElements::of(std::string_view chain)
{
    ChainTokens tokens(chain);
    std::string_view token;
    if (!tokens.next(token))
        return m_none;
    if (const auto it = m_parsed.find(token); it != m_parsed.end())
        return it->second;
    if (m_keyBytes + token.size() > m_maxKeyBytes) {
        m_parsed.clear();
        m_keyBytes = 0;
    }
    m_keyBytes += token.size();
    return m_parsed.emplace(std::string(token), parseElement(token)).first->second;
}

std::string toElementsChain(std::span<const Element> elements)
{
    std::string out;
    std::vector<std::string> classes;
    std::vector<std::pair<std::string, std::string_view>> attributes;
    for (const Element& element : elements) {
        if (!out.empty())
            out += ';';
        appendBareName(out, element.tag);
        classes.clear();
        for (const auto& cls : element.classes)
            appendClassNames(classes, cls);
        std::sort(classes.begin(), classes.end());
        for (const auto& cls : classes)
            (out += '.') += cls;
        const std::string nthChild = std::to_string(element.nthChild.value_or(0));
        const std::string nthOfType = std::to_string(element.nthOfType.value_or(0));
        attributes.clear();
        if (!element.text.empty())
            attributes.emplace_back("text", element.text);
        attributes.emplace_back("nth-child", nthChild);
        attributes.emplace_back("nth-of-type", nthOfType);
        if (!element.href.empty())
            attributes.emplace_back("href", element.href);
        if (!element.id.empty())
            attributes.emplace_back("attr_id", element.id);
        for (const auto& [key, value] : element.attrs)
            if (isWritableAttributeName(key))
                attributes.emplace_back("attr__" + key, value);
        if (!element.name.empty() && !element.attr("name"))
            attributes.emplace_back("attr__name", element.name);
        std::stable_sort(
            attributes.begin(), attributes.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        out += ':';
        for (const auto& [key, value] : attributes) {
            out += key;
            out += "=\"";
            appendChainValue(out, value);
            out += '"';
        }
    }
    return out;
}

std::string_view truncateElementsChain(std::string_view chain, std::size_t maxBytes)
{
    if (chain.size() <= maxBytes)
        return chain;
    ChainTokens tokens(chain);
    std::string_view token;
    std::size_t end = 0;
    while (tokens.next(token) && tokens.position() <= maxBytes)
        end = tokens.position();
    return chain.substr(0, end);
}

std::string cssEscapeIdentifier(std::string_view identifier)
{
    std::string out;
    out.reserve(identifier.size() + 4);
    for (std::size_t i = 0; i < identifier.size(); ++i) {
        const auto c = static_cast<unsigned char>(identifier[i]);
        const bool digit = c >= '0' && c <= '9';
        if (c == 0)
            out += "\xEF\xBF\xBD";
        else if (c < 0x20 || c == 0x7f || (i == 0 && digit) || (i == 1 && digit && identifier[0] == '-'))
            appendHexEscape(out, c);
        else if (i == 0 && c == '-' && identifier.size() == 1)
            out += "\\-";
        else if (c >= 0x80 || c == '-' || c == '_' || digit || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            out += static_cast<char>(c);
        else
            (out += '\\') += static_cast<char>(c);
    }
    return out;
}

std::string cssSelectorFor(const Element& element)
{
    // Appending, not `"#" + ...`: GCC 12 warns falsely (-Wrestrict) on the latter.
    if (const auto* tourId = element.attr("data-tour-id")) {
        std::string selector;
        selector.reserve(tourId->size() + 20);
        selector += "[data-tour-id=\"";
        appendCssStringValue(selector, *tourId);
        selector += "\"]";
        return selector;
    }
    if (!element.id.empty()) {
        std::string selector("#");
        selector += cssEscapeIdentifier(element.id);
        return selector;
    }
    std::string selector = cssEscapeIdentifier(element.tag);
    for (const auto& cls : element.classes)
        (selector += '.') += cssEscapeIdentifier(cls);
    return selector;
}

} // namespace proactive
