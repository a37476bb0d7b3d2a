#include "service/requestguard.h"

#include <algorithm>
#include <charconv>

namespace proactive::service {

namespace {

    constexpr std::int64_t kMaxLength = std::int64_t(1) << 53;

    char lower(char c)
    {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }

    std::string lowered(std::string_view text)
    {
        std::string result(text);
        std::transform(result.begin(), result.end(), result.begin(), lower);
        return result;
    }

    bool isControl(char c)
    {
        const auto byte = static_cast<unsigned char>(c);
        return (byte < 0x20 && c != '\t') || byte == 0x7F;
    }

    // HTTP's optional whitespace (RFC 9110 §5.6.3), and the CR of a line
    // ending: a protocol rule, not the text trim of base/text.h.
    std::string_view withoutOws(std::string_view text)
    {
        const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
        while (!text.empty() && space(text.front()))
            text.remove_prefix(1);
        while (!text.empty() && space(text.back()))
            text.remove_suffix(1);
        return text;
    }

    // Calls `f` with each comma-separated token of a header value, lowercased
    // (empty list elements skipped).
    template<class F> void forEachToken(std::string_view value, F f)
    {
        while (!value.empty()) {
            const auto comma = value.find(',');
            const std::string token = lowered(withoutOws(value.substr(0, comma)));
            if (!token.empty())
                f(std::string_view(token));
            if (comma == std::string_view::npos)
                break;
            value.remove_prefix(comma + 1);
        }
    }

    bool hasToken(std::string_view value, std::string_view wanted)
    {
        bool found = false;
        forEachToken(value, [&](std::string_view token) { found = found || token == wanted; });
        return found;
    }

    // Where the head ends (just past its blank line), as QtHttpServer sees
    // it: CRLF CRLF, or bare LFs.
    std::size_t headEnd(std::string_view bytes, std::size_t from)
    {
        for (std::size_t i = from; i < bytes.size(); ++i) {
            if (bytes[i] != '\n')
                continue;
            if (i + 1 < bytes.size() && bytes[i + 1] == '\n')
                return i + 2;
            if (i + 2 < bytes.size() && bytes[i + 1] == '\r' && bytes[i + 2] == '\n')
                return i + 3;
        }
        return std::string_view::npos;
    }

} // namespace

RequestGuard::Verdict RequestGuard::begin(std::string_view peeked, std::int64_t buffered)
{
    m_head = {};
    m_headBytes.clear();
    m_headComplete = false;
    m_headSize = 0;
    m_skipped = 0;
    m_seen = 0;
    return more(peeked, buffered);
}

RequestGuard::Verdict RequestGuard::more(std::string_view peeked, std::int64_t fresh)
{
    m_seen += fresh;
    if (m_headComplete)
        return bodyVerdict();
    if (m_headBytes.empty()) {
        // The parser skips blank lines left over from an earlier request,
        // however they are split across reads.
        std::size_t skipped = 0;
        while (skipped < peeked.size() && std::string_view("\r\n \t\v").find(peeked[skipped]) != std::string_view::npos)
            ++skipped;
        peeked.remove_prefix(skipped);
        m_skipped += skipped;
        m_seen -= static_cast<std::int64_t>(skipped);
    }
    const std::size_t from = m_headBytes.size() < 2 ? 0 : m_headBytes.size() - 2;
    m_headBytes.append(peeked);
    return scan(from);
}

std::size_t RequestGuard::peekLimit() const
{
    if (m_headComplete)
        return 0;
    return m_limits.maxHeadBytes + 1 - std::min(m_skipped + m_headBytes.size(), m_limits.maxHeadBytes);
}

std::optional<std::int64_t> RequestGuard::bodyRemaining() const
{
    if (!m_headComplete || !m_head.contentLength)
        return std::nullopt;
    return std::max<std::int64_t>(0, *m_head.contentLength - (m_seen - m_headSize));
}

RequestGuard::Verdict RequestGuard::scan(std::size_t searchFrom)
{
    const std::size_t end = headEnd(m_headBytes, searchFrom);
    if (end == std::string_view::npos || m_skipped + end > m_limits.maxHeadBytes) {
        if (m_skipped + m_headBytes.size() > m_limits.maxHeadBytes)
            return Verdict::HeadTooLarge;
        return Verdict::Wait;
    }
    m_headComplete = true;
    m_headSize = static_cast<std::int64_t>(end);
    const Verdict verdict = parseHead(std::string_view(m_headBytes).substr(0, end));
    m_headBytes.clear();
    m_headBytes.shrink_to_fit();
    if (verdict != Verdict::Proceed)
        return verdict;
    const Verdict body = bodyVerdict();
    if (body == Verdict::Proceed && m_head.expectContinue && m_seen == m_headSize)
        return Verdict::SendContinue;
    return body;
}

RequestGuard::Verdict RequestGuard::parseHead(std::string_view head)
{
    // RFC 9110 §5.5: no CR, LF, NUL or other control character inside a
    // request line or field value; the parser would pass a bare CR or a NUL
    // on, into the answer's headers (CORS echoes Origin) and the access log.
    for (std::size_t line = 0; line < head.size();) {
        std::size_t end = head.find('\n', line);
        if (end == std::string_view::npos)
            end = head.size();
        std::string_view text = head.substr(line, end - line);
        if (text.ends_with('\r'))
            text.remove_suffix(1);
        if (std::any_of(text.begin(), text.end(), isControl))
            return Verdict::Malformed;
        line = end + 1;
    }

    std::size_t lineEnd = head.find('\n');
    const std::string_view requestLine = withoutOws(head.substr(0, lineEnd));
    const auto firstSpace = requestLine.find(' ');
    const auto lastSpace = requestLine.rfind(' ');
    if (firstSpace == std::string_view::npos || lastSpace == firstSpace)
        return Verdict::Malformed;
    m_head.method = requestLine.substr(0, firstSpace);
    m_head.target = withoutOws(requestLine.substr(firstSpace + 1, lastSpace - firstSpace - 1));
    m_head.version = requestLine.substr(lastSpace + 1);
    if (m_head.target.empty() || !m_head.version.starts_with("HTTP/"))
        return Verdict::Malformed;

    bool keepAlive = false;
    bool otherCoding = false;
    while (lineEnd != std::string_view::npos) {
        head.remove_prefix(lineEnd + 1);
        lineEnd = head.find('\n');
        const std::string_view line = withoutOws(head.substr(0, lineEnd));
        if (line.empty())
            break;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos)
            continue;
        const std::string name = lowered(withoutOws(line.substr(0, colon)));
        const std::string_view value = withoutOws(line.substr(colon + 1));
        if (name == "content-length") {
            if (value.empty() || value.find_first_not_of("0123456789") != std::string_view::npos)
                return Verdict::Malformed;
            std::int64_t length = 0;
            if (std::from_chars(value.data(), value.data() + value.size(), length).ec == std::errc::result_out_of_range)
                length = kMaxLength;
            length = std::min(length, kMaxLength);
            if (m_head.contentLength && *m_head.contentLength != length)
                return Verdict::Malformed;
            m_head.contentLength = length;
        } else if (name == "transfer-encoding") {
            // Only chunked (last, as RFC 9112 requires) or identity: the
            // parser would read "chunked, gzip" as plain chunked.
            forEachToken(value, [&](std::string_view coding) {
                if (m_head.chunked)
                    otherCoding = true; // a coding after chunked
                else if (coding == "chunked")
                    m_head.chunked = true;
                else if (coding != "identity")
                    otherCoding = true;
            });
        } else if (name == "expect") {
            m_head.expectContinue = lowered(value) == "100-continue";
        } else if (name == "connection") {
            m_head.closeRequested = m_head.closeRequested || hasToken(value, "close");
            keepAlive = keepAlive || hasToken(value, "keep-alive");
        } else if (name == "origin") {
            m_head.origin = value;
        }
    }
    if (m_head.version == "HTTP/1.0" && !keepAlive)
        m_head.closeRequested = true;
    if (otherCoding || (m_head.chunked && m_head.contentLength))
        return Verdict::Malformed;
    return Verdict::Proceed;
}

RequestGuard::Verdict RequestGuard::bodyVerdict() const
{
    if (m_head.contentLength && *m_head.contentLength > m_limits.maxBodyBytes)
        return Verdict::BodyTooLarge;
    // Chunked: the raw bytes, framing included, bound the body from above.
    if (m_head.chunked && m_seen - m_headSize > m_limits.maxBodyBytes)
        return Verdict::BodyTooLarge;
    return Verdict::Proceed;
}

} // namespace proactive::service
