#include "intake/jsontape.h"

#include "base/percentencoding.h"

#include <bit>
#include <charconv>
#include <cstring>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace proactive {

// The string scanner reads eight bytes as one little-endian word.
static_assert(std::endian::native == std::endian::little);

namespace {

    bool isSpace(char c)
    {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }
    bool isDigit(char c)
    {
        return c >= '0' && c <= '9';
    }

    int hex4(const char* p)
    {
        int value = 0;
        for (int i = 0; i < 4; ++i) {
            const int h = hexDigitValue(p[i]);
            if (h < 0)
                return -1;
            value = value * 16 + h;
        }
        return value;
    }

    // Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlongs,
    // no surrogates, nothing above U+10FFFF), 0 if malformed.
    std::size_t utf8Length(const unsigned char* s, std::size_t i, std::size_t n)
    {
        const unsigned char c = s[i];
        auto cont = [&](std::size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
            return i + k < n && s[i + k] >= lo && s[i + k] <= hi;
        };
        if (c >= 0xC2 && c <= 0xDF)
            return cont(1) ? 2 : 0;
        if (c == 0xE0)
            return cont(1, 0xA0) && cont(2) ? 3 : 0;
        if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
            return cont(1) && cont(2) ? 3 : 0;
        if (c == 0xED)
            return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
        if (c == 0xF0)
            return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
        if (c >= 0xF1 && c <= 0xF3)
            return cont(1) && cont(2) && cont(3) ? 4 : 0;
        if (c == 0xF4)
            return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
        return 0;
    }

    // Writes the code point at `dst`, returns the byte count (1 to 4).
    std::size_t encodeUtf8(char* dst, std::uint32_t cp)
    {
        if (cp < 0x80) {
            dst[0] = static_cast<char>(cp);
            return 1;
        }
        if (cp < 0x800) {
            dst[0] = static_cast<char>(0xC0 | (cp >> 6));
            dst[1] = static_cast<char>(0x80 | (cp & 0x3F));
            return 2;
        }
        if (cp < 0x10000) {
            dst[0] = static_cast<char>(0xE0 | (cp >> 12));
            dst[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            dst[2] = static_cast<char>(0x80 | (cp & 0x3F));
            return 3;
        }
        dst[0] = static_cast<char>(0xF0 | (cp >> 18));
        dst[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        dst[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        dst[3] = static_cast<char>(0x80 | (cp & 0x3F));
        return 4;
    }

    // Undoes the escapes of an already validated string body. Decoding never
    // lengthens the text (`\uXXXX` is six bytes for at most three), so it
    // writes in place into room reserved up front.
    void appendDecoded(std::string& out, std::string_view raw)
    {
        const std::size_t start = out.size();
        out.resize(start + raw.size());
        char* dst = out.data() + start;
        const char* p = raw.data();
        const char* const end = p + raw.size();
        while (p < end) {
            const auto* slash = static_cast<const char*>(std::memchr(p, '\\', static_cast<std::size_t>(end - p)));
            const auto run = static_cast<std::size_t>((slash ? slash : end) - p);
            std::memcpy(dst, p, run);
            dst += run;
            p += run;
            if (!slash)
                break;
            const char e = p[1];
            p += 2;
            switch (e) {
            case 'b':
                *dst++ = '\b';
                break;
            case 'f':
                *dst++ = '\f';
                break;
            case 'n':
                *dst++ = '\n';
                break;
            case 'r':
                *dst++ = '\r';
                break;
            case 't':
                *dst++ = '\t';
                break;
            case 'u': {
                auto cp = static_cast<std::uint32_t>(hex4(p));
                p += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    const auto low = static_cast<std::uint32_t>(hex4(p + 2));
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    p += 6;
                }
                dst += encodeUtf8(dst, cp);
                break;
            }
            default:
                *dst++ = e;
                break; // " \ /
            }
        }
        out.resize(static_cast<std::size_t>(dst - out.data()));
    }

    bool isSpecial(unsigned char c)
    {
        return c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
    }

    // The first byte at or after `i` that a string scan must look at: a quote,
    // a backslash, a control character or the start of a non-ASCII sequence.
    [[gnu::always_inline]] inline std::size_t firstSpecial(const char* s, std::size_t i, std::size_t n)
    {
#if defined(__SSE2__)
        // Sixteen bytes at a time; as signed bytes, non-ASCII ones are below 0x20 too.
        const __m128i quote = _mm_set1_epi8('"');
        const __m128i backslash = _mm_set1_epi8('\\');
        const __m128i space = _mm_set1_epi8(0x20);
        while (i + 16 <= n) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
            const __m128i special = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), _mm_cmplt_epi8(v, space));
            if (const int mask = _mm_movemask_epi8(special))
                return i + static_cast<std::size_t>(std::countr_zero(static_cast<unsigned>(mask)));
            i += 16;
        }
#endif
        // Eight bytes at a time. The lowest flagged byte is exact (borrows only
        // pollute the bytes above it), so the scan jumps straight to it.
        constexpr std::uint64_t ones = 0x0101010101010101ULL;
        constexpr std::uint64_t high = 0x8080808080808080ULL;
        while (i + 8 <= n) {
            std::uint64_t w;
            std::memcpy(&w, s + i, 8);
            const std::uint64_t q = w ^ (ones * '"');
            const std::uint64_t b = w ^ (ones * '\\');
            const std::uint64_t special = (((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w) | w) & high;
            if (special)
                return i + static_cast<std::size_t>(std::countr_zero(special)) / 8;
            i += 8;
        }
        while (i < n && !isSpecial(static_cast<unsigned char>(s[i])))
            ++i;
        return i;
    }

    // Whether a valid JSON number that from_chars finds out of range is so
    // small that it is zero for a double (1e-400), rather than too large
    // (1e400): from_chars reports both the same way. It is when its first
    // significant digit stands at a negative power of ten.
    bool belowDoubleRange(std::string_view number)
    {
        const auto e = number.find_first_of("eE");
        std::int64_t exponent = 0;
        if (e != std::string_view::npos) {
            std::string_view digits = number.substr(e + 1);
            const bool negative = digits.starts_with('-');
            if (negative || digits.starts_with('+'))
                digits.remove_prefix(1);
            if (std::from_chars(digits.data(), digits.data() + digits.size(), exponent).ec != std::errc())
                exponent = std::numeric_limits<std::int64_t>::max() / 2; // beyond any text's digits
            exponent = negative ? -exponent : exponent;
        }
        const auto mantissa = number.substr(0, e);
        const auto point = std::min(mantissa.find('.'), mantissa.size());
        const auto first = mantissa.find_first_of("123456789");
        if (first == std::string_view::npos)
            return true; // zero
        const auto power
            = first < point ? static_cast<std::int64_t>(point - first - 1) : -static_cast<std::int64_t>(first - point);
        return power + exponent < 0;
    }

    class Scanner {
    public:
        Scanner(std::string_view text, std::string& error)
            : m_s(text.data())
            , m_n(text.size())
            , m_error(error)
        { }

        std::size_t pos = 0;

        bool fail(std::string_view what)
        {
            m_error = std::string(what) + " at byte " + std::to_string(pos);
            return false;
        }

        void skipSpace()
        {
            // Every JSON space is <= ' ': one compare settles the common, compact case.
            while (pos < m_n && static_cast<unsigned char>(m_s[pos]) <= ' ' && isSpace(m_s[pos]))
                ++pos;
        }
        bool atEnd() const { return pos >= m_n; }
        char peek() const { return m_s[pos]; }

        // pos at the opening quote; leaves pos after the closing one.
        // Inlined into its two callers: most strings are short keys, where a call costs as much as the scan.
        [[gnu::always_inline]] bool string(std::uint32_t& begin, std::uint32_t& length, bool& escaped)
        {
            const auto* u = reinterpret_cast<const unsigned char*>(m_s);
            std::size_t i = pos + 1;
            escaped = false;
            for (;;) {
                i = firstSpecial(m_s, i, m_n);
                if (i >= m_n) {
                    pos = i;
                    return fail("unterminated string");
                }
                const unsigned char c = u[i];
                if (c == '"')
                    break;
                if (c == '\\') {
                    escaped = true;
                    if (i + 1 >= m_n) {
                        pos = i;
                        return fail("unterminated string");
                    }
                    const char e = m_s[i + 1];
                    if (e == 'u') {
                        const int cp = i + 6 <= m_n ? hex4(m_s + i + 2) : -1;
                        if (cp < 0) {
                            pos = i;
                            return fail("invalid \\u escape");
                        }
                        i += 6;
                        if (cp >= 0xDC00 && cp <= 0xDFFF) {
                            pos = i - 6;
                            return fail("unpaired low surrogate");
                        }
                        if (cp >= 0xD800 && cp <= 0xDBFF) {
                            const int low
                                = i + 6 <= m_n && m_s[i] == '\\' && m_s[i + 1] == 'u' ? hex4(m_s + i + 2) : -1;
                            if (low < 0xDC00 || low > 0xDFFF) {
                                pos = i - 6;
                                return fail("unpaired high surrogate");
                            }
                            i += 6;
                        }
                    } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r'
                        || e == 't') {
                        i += 2;
                    } else {
                        pos = i;
                        return fail("invalid escape");
                    }
                    continue;
                }
                if (c < 0x20) {
                    pos = i;
                    return fail("control character in string");
                }
                if (c >= 0x80) {
                    const auto len = utf8Length(u, i, m_n);
                    if (len == 0) {
                        pos = i;
                        return fail("invalid UTF-8");
                    }
                    i += len;
                    continue;
                }
            }
            begin = static_cast<std::uint32_t>(pos + 1);
            length = static_cast<std::uint32_t>(i - pos - 1);
            pos = i + 1;
            return true;
        }

        bool number()
        {
            if (m_s[pos] == '-')
                ++pos;
            if (pos >= m_n || !isDigit(m_s[pos]))
                return fail("invalid number");
            if (m_s[pos] == '0')
                ++pos;
            else
                while (pos < m_n && isDigit(m_s[pos]))
                    ++pos;
            if (pos < m_n && m_s[pos] == '.') {
                ++pos;
                if (pos >= m_n || !isDigit(m_s[pos]))
                    return fail("invalid number");
                while (pos < m_n && isDigit(m_s[pos]))
                    ++pos;
            }
            if (pos < m_n && (m_s[pos] == 'e' || m_s[pos] == 'E')) {
                ++pos;
                if (pos < m_n && (m_s[pos] == '+' || m_s[pos] == '-'))
                    ++pos;
                if (pos >= m_n || !isDigit(m_s[pos]))
                    return fail("invalid number");
                while (pos < m_n && isDigit(m_s[pos]))
                    ++pos;
            }
            return true;
        }

        bool literal(std::string_view word)
        {
            if (m_n - pos < word.size() || std::memcmp(m_s + pos, word.data(), word.size()) != 0)
                return fail("invalid literal");
            pos += word.size();
            return true;
        }

    private:
        const char* m_s;
        std::size_t m_n;
        std::string& m_error;
    };

} // namespace

bool JsonTape::parse(std::string_view text, std::string& error)
{
    m_nodes.clear();
    m_open.clear();
    m_text = {};
    m_exceededMaxValues = false;
    if (text.size() >= std::numeric_limits<std::uint32_t>::max()) {
        error = "document too large";
        return false;
    }
    if (text.starts_with("\xEF\xBB\xBF"))
        text.remove_prefix(3);
    Scanner scan(text, error);
    bool ok = true;
    bool keyed = false; // readKey() made the node that the next value fills
    auto readKey = [&]() {
        scan.skipSpace();
        if (scan.atEnd() || scan.peek() != '"')
            return scan.fail("expected a string key");
        if (m_nodes.size() >= m_maxValues) {
            m_exceededMaxValues = true;
            return scan.fail("more than " + std::to_string(m_maxValues) + " values");
        }
        Node& node = m_nodes.emplace_back();
        if (!scan.string(node.keyBegin, node.keyLength, node.keyEscaped))
            return false;
        scan.skipSpace();
        if (scan.atEnd() || scan.peek() != ':')
            return scan.fail("expected ':'");
        ++scan.pos;
        keyed = true;
        return true;
    };

    for (;;) {
        // A value.
        scan.skipSpace();
        if (scan.atEnd()) {
            ok = scan.fail("unexpected end of input");
            break;
        }
        if (!keyed) {
            if (m_nodes.size() >= m_maxValues) {
                m_exceededMaxValues = true;
                ok = scan.fail("more than " + std::to_string(m_maxValues) + " values");
                break;
            }
            m_nodes.emplace_back();
        }
        keyed = false;
        const auto index = static_cast<std::uint32_t>(m_nodes.size() - 1);
        Node& node = m_nodes.back();
        node.begin = static_cast<std::uint32_t>(scan.pos);
        const char c = scan.peek();
        if (c == '{' || c == '[') {
            if (m_open.size() >= kMaxDepth) {
                ok = scan.fail("nesting too deep");
                break;
            }
            node.type = c == '{' ? JsonType::Object : JsonType::Array;
            m_open.push_back(index);
            ++scan.pos;
            scan.skipSpace();
            if (!scan.atEnd() && scan.peek() == (c == '{' ? '}' : ']')) {
                // Empty container: closed below.
            } else {
                if (c == '{' && !readKey()) {
                    ok = false;
                    break;
                }
                continue;
            }
        } else {
            if (c == '"') {
                node.type = JsonType::String;
                ok = scan.string(node.begin, node.length, node.escaped);
            } else if (c == '-' || isDigit(c)) {
                node.type = JsonType::Number;
                ok = scan.number();
                node.length = static_cast<std::uint32_t>(scan.pos - node.begin);
            } else if (c == 't') {
                node.type = JsonType::True;
                ok = scan.literal("true");
            } else if (c == 'f') {
                node.type = JsonType::False;
                ok = scan.literal("false");
            } else if (c == 'n') {
                node.type = JsonType::Null;
                ok = scan.literal("null");
            } else {
                ok = scan.fail("unexpected character");
            }
            if (!ok)
                break;
            if (node.type != JsonType::String && node.type != JsonType::Number)
                node.length = static_cast<std::uint32_t>(scan.pos - node.begin);
            node.next = index + 1;
        }

        // After a value: separators and closing brackets.
        bool expectValue = false;
        while (!expectValue) {
            scan.skipSpace();
            if (m_open.empty()) {
                if (!scan.atEnd())
                    ok = scan.fail("unexpected text after the document");
                break;
            }
            if (scan.atEnd()) {
                ok = scan.fail("unexpected end of input");
                break;
            }
            Node& top = m_nodes[m_open.back()];
            const bool object = top.type == JsonType::Object;
            const char d = scan.peek();
            if (d == ',') {
                ++scan.pos;
                if (object && !readKey()) {
                    ok = false;
                    break;
                }
                expectValue = true;
            } else if (d == (object ? '}' : ']')) {
                ++scan.pos;
                top.length = static_cast<std::uint32_t>(scan.pos - top.begin);
                top.next = static_cast<std::uint32_t>(m_nodes.size());
                m_open.pop_back();
            } else {
                ok = scan.fail(object ? "expected ',' or '}'" : "expected ',' or ']'");
                break;
            }
        }
        if (!ok || !expectValue)
            break;
    }
    if (!ok) {
        m_nodes.clear();
        return false;
    }
    m_text = text;
    return true;
}

void JsonTape::trim()
{
    // A posthog-js batch of a hundred events takes some ten thousand nodes.
    constexpr std::size_t kKeptNodes = 64 * 1024;
    if (m_nodes.capacity() > kKeptNodes) {
        m_text = {};
        m_nodes = {};
        m_open = {};
    }
}

JsonValue JsonTape::root() const
{
    if (m_nodes.empty())
        return {};
    return JsonValue(this, 0, static_cast<std::uint32_t>(m_nodes.size()));
}

std::string JsonValue::string() const
{
    std::string out;
    appendString(out);
    return out;
}

void JsonValue::appendString(std::string& out) const
{
    if (!isString())
        return;
    const auto& node = m_tape->m_nodes[m_index];
    const auto text = m_tape->m_text.substr(node.begin, node.length);
    if (node.escaped)
        appendDecoded(out, text);
    else
        out.append(text);
}

std::optional<double> JsonValue::number() const
{
    if (!isNumber())
        return std::nullopt;
    const auto text = raw();
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range && belowDoubleRange(text))
        return text.starts_with('-') ? -0.0 : 0.0;
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

std::string_view JsonValue::decodedKey(std::string_view raw, std::string& scratch)
{
    scratch.clear();
    appendDecoded(scratch, raw);
    return scratch;
}

JsonValue JsonValue::get(std::string_view wanted) const
{
    if (!isObject())
        return {};
    JsonValue found;
    std::string scratch;
    for (JsonValue child = firstChild(); child.exists(); child = child.nextSibling())
        if (child.key(scratch) == wanted)
            found = child;
    return found;
}

std::string_view JsonValue::typeName() const
{
    if (!exists())
        return "nothing";
    switch (type()) {
    case JsonType::Null:
        return "null";
    case JsonType::False:
    case JsonType::True:
        return "boolean";
    case JsonType::Number:
        return "number";
    case JsonType::String:
        return "string";
    case JsonType::Array:
        return "array";
    case JsonType::Object:
        return "object";
    }
    return "value";
}

} // namespace proactive
