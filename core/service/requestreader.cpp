#include "service/requestreader.h"

#include "base/percentencoding.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace proactive::service {

namespace {

    constexpr std::int64_t kMaxLength = std::int64_t(1) << 53;
    // A buffer grown beyond this for one large request is given back once
    // the connection has nothing buffered: a thousand idle keep-alive
    // connections must not each keep a megabyte.
    constexpr std::size_t kKeptCapacity = 256 * 1024;
    constexpr std::size_t kFirstCapacity = 16 * 1024;

    bool isControl(char c)
    {
        const auto byte = static_cast<unsigned char>(c);
        return (byte < 0x20 && c != '\t') || byte == 0x7F;
    }

    bool isBlank(char c)
    {
        return c == '\r' || c == '\n' || c == ' ' || c == '\t' || c == '\v';
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

    // Calls `f` with each comma-separated token of a header value, without
    // whitespace (empty list elements skipped).
    template<class F> void forEachToken(std::string_view value, F f)
    {
        while (!value.empty()) {
            const auto comma = value.find(',');
            const std::string_view token = withoutOws(value.substr(0, comma));
            if (!token.empty())
                f(token);
            if (comma == std::string_view::npos)
                break;
            value.remove_prefix(comma + 1);
        }
    }

    bool hasToken(std::string_view value, std::string_view wanted)
    {
        bool found = false;
        forEachToken(value, [&](std::string_view token) { found = found || equalsIgnoringAsciiCase(token, wanted); });
        return found;
    }

    // Calls `f(name, value)` for each field line of a complete head (the
    // request line skipped), names and values without whitespace.
    template<class F> void forEachField(std::string_view head, F f)
    {
        std::size_t lineEnd = head.find('\n');
        while (lineEnd != std::string_view::npos) {
            head.remove_prefix(lineEnd + 1);
            lineEnd = head.find('\n');
            const std::string_view line = withoutOws(head.substr(0, lineEnd));
            if (line.empty())
                return;
            const auto colon = line.find(':');
            if (colon == std::string_view::npos)
                continue;
            f(withoutOws(line.substr(0, colon)), withoutOws(line.substr(colon + 1)));
        }
    }

    // Where the head ends (just past its blank line): CRLF CRLF, or bare LFs.
    std::size_t headEnd(std::string_view bytes, std::size_t from)
    {
        for (std::size_t i = bytes.find('\n', from); i != std::string_view::npos; i = bytes.find('\n', i + 1)) {
            if (i + 1 < bytes.size() && bytes[i + 1] == '\n')
                return i + 2;
            if (i + 2 < bytes.size() && bytes[i + 1] == '\r' && bytes[i + 2] == '\n')
                return i + 3;
        }
        return std::string_view::npos;
    }

    // A chunk-size line without its line ending: hex digits, then optional
    // whitespace and extensions (";name=value", ignored).
    std::optional<std::uint64_t> chunkSize(std::string_view line)
    {
        std::uint64_t size = 0;
        const auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
        if (end == line.data() || error != std::errc())
            return std::nullopt;
        const std::string_view rest = withoutOws(std::string_view(end, std::size_t(line.data() + line.size() - end)));
        if (!rest.empty() && rest.front() != ';')
            return std::nullopt;
        return size;
    }

} // namespace

bool equalsIgnoringAsciiCase(std::string_view a, std::string_view b)
{
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return a.size() == b.size()
        && std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

std::string_view RequestHead::path() const
{
    std::string_view path = target;
    if (!path.starts_with('/')) {
        // Absolute form: "http://host:port/path?query".
        if (const auto scheme = path.find("://"); scheme != std::string_view::npos) {
            const auto slash = path.find('/', scheme + 3);
            path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
        }
    }
    return path.substr(0, path.find_first_of("?#"));
}

std::string_view RequestHead::query() const
{
    const std::string_view all = target;
    const auto mark = all.find('?');
    if (mark == std::string_view::npos)
        return {};
    const std::string_view query = all.substr(mark + 1);
    return query.substr(0, query.find('#'));
}

HttpRequest::HttpRequest(const RequestHead& head, std::string_view headBytes, std::string_view body)
    : m_head(head)
    , m_headBytes(headBytes)
    , m_body(body)
{ }

std::string_view HttpRequest::header(std::string_view name) const
{
    std::string_view found;
    forEachField(m_headBytes, [&](std::string_view field, std::string_view value) {
        if (equalsIgnoringAsciiCase(field, name))
            found = value;
    });
    return found;
}

std::string HttpRequest::queryValue(std::string_view name) const
{
    std::string_view query = m_head.query();
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view item = query.substr(0, amp);
        const auto equals = item.find('=');
        const std::string_view key = item.substr(0, equals);
        if (key == name || (key.find('%') != std::string_view::npos && percentDecode(key) == name))
            return equals == std::string_view::npos ? std::string() : percentDecode(item.substr(equals + 1));
        if (amp == std::string_view::npos)
            break;
        query.remove_prefix(amp + 1);
    }
    return {};
}

RequestReader::RequestReader(Limits limits)
    : m_limits(limits)
{ }

RequestReader::~RequestReader() = default;

char* RequestReader::reserve(std::size_t size)
{
    if (m_capacity - m_size < size) {
        const std::size_t capacity = std::max({ m_capacity * 2, m_size + size, kFirstCapacity });
        auto data = std::make_unique_for_overwrite<char[]>(capacity);
        if (m_size > 0)
            std::memcpy(data.get(), m_data.get(), m_size);
        m_data = std::move(data);
        m_capacity = capacity;
    }
    return m_data.get() + m_size;
}

RequestReader::Verdict RequestReader::received(std::size_t size)
{
    m_size += size;
    return advance();
}

RequestReader::Verdict RequestReader::feed(std::string_view bytes)
{
    if (!bytes.empty())
        std::memcpy(reserve(bytes.size()), bytes.data(), bytes.size());
    return received(bytes.size());
}

HttpRequest RequestReader::request() const
{
    const std::string_view head = bytes(m_begin, m_headEnd);
    if (m_head.chunked)
        return { m_head, head, m_body };
    return { m_head, head, bytes(m_headEnd, m_bodyEnd) };
}

RequestReader::Verdict RequestReader::next()
{
    const std::size_t end = m_bodyEnd;
    const std::size_t rest = m_size - end;
    if (rest > 0)
        std::memmove(m_data.get(), m_data.get() + end, rest);
    m_size = rest;
    m_begin = 0;
    if (m_size == 0 && m_capacity > kKeptCapacity) {
        m_data.reset();
        m_capacity = 0;
    }
    restart();
    return advance();
}

void RequestReader::discard()
{
    m_size = 0;
    m_begin = 0;
    m_data.reset();
    m_capacity = 0;
    restart();
    std::string().swap(m_body);
}

std::optional<std::int64_t> RequestReader::bodyRemaining() const
{
    if (!headComplete() || !m_head.contentLength)
        return std::nullopt;
    // Of the announced length, not of the part within the limit: a refused
    // body is drained whole.
    return std::max<std::int64_t>(0, *m_head.contentLength - std::int64_t(m_size - m_headEnd));
}

void RequestReader::restart()
{
    m_head.method.clear();
    m_head.target.clear();
    m_head.version.clear();
    m_head.contentLength.reset();
    m_head.chunked = false;
    m_head.expectContinue = false;
    m_head.closeRequested = false;
    m_head.origin.clear();
    m_skipped = 0;
    m_scanned = m_begin;
    m_headEnd = 0;
    m_bodyEnd = 0;
    m_state = State::Head;
    m_chunkPart = ChunkPart::Size;
    m_chunkAt = 0;
    m_chunkLeft = 0;
    m_body.clear();
}

RequestReader::Verdict RequestReader::advance()
{
    bool headJustRead = false;
    switch (m_state) {
    case State::Head: {
        const Verdict verdict = readHead();
        if (verdict != Verdict::Proceed)
            return verdict;
        headJustRead = true;
        break;
    }
    case State::Refused:
        return m_refusal;
    case State::Body:
    case State::Chunked:
    case State::Complete:
        break;
    }
    if (m_state == State::Body && m_size >= m_bodyEnd)
        m_state = State::Complete;
    if (m_state == State::Chunked)
        if (const Verdict verdict = readChunks(); verdict != Verdict::Proceed)
            return refuse(verdict);
    if (const Verdict verdict = bodyVerdict(); verdict != Verdict::Proceed)
        return refuse(verdict);
    if (headJustRead && m_head.expectContinue && m_state != State::Complete && m_size == m_headEnd)
        return Verdict::SendContinue;
    return Verdict::Proceed;
}

RequestReader::Verdict RequestReader::refuse(Verdict verdict)
{
    m_state = State::Refused;
    m_refusal = verdict;
    return verdict;
}

RequestReader::Verdict RequestReader::readHead()
{
    // Blank lines left over from an earlier request are skipped, however
    // they are split across reads.
    if (m_scanned == m_begin) {
        while (m_begin < m_size && isBlank(m_data[m_begin])) {
            ++m_begin;
            ++m_skipped;
        }
        m_scanned = m_begin;
    }
    const std::string_view held = bytes(0, m_size);
    const std::size_t from = std::max(m_begin, m_scanned >= m_begin + 2 ? m_scanned - 2 : m_begin);
    const std::size_t end = headEnd(held, from);
    if (end == std::string_view::npos || m_skipped + (end - m_begin) > m_limits.maxHeadBytes) {
        if (m_skipped + (m_size - m_begin) > m_limits.maxHeadBytes)
            return refuse(Verdict::HeadTooLarge);
        m_scanned = m_size;
        return Verdict::Wait;
    }
    m_headEnd = end;
    if (const Verdict verdict = parseHead(bytes(m_begin, end)); verdict != Verdict::Proceed)
        return refuse(verdict);
    if (m_head.chunked) {
        m_state = State::Chunked;
        m_chunkAt = end;
        m_bodyEnd = end;
    } else {
        m_state = State::Body;
        m_bodyEnd = end + std::size_t(std::min(m_head.contentLength.value_or(0), m_limits.maxBodyBytes + 1));
    }
    return Verdict::Proceed;
}

RequestReader::Verdict RequestReader::parseHead(std::string_view head)
{
    // RFC 9110 §5.5: no CR, LF, NUL or other control character inside a
    // request line or field value; a bare CR or a NUL would reach the
    // answer's headers (CORS echoes Origin) and the access log.
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

    const std::string_view requestLine = withoutOws(head.substr(0, head.find('\n')));
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
    bool badLength = false;
    forEachField(head, [&](std::string_view name, std::string_view value) {
        if (equalsIgnoringAsciiCase(name, "content-length")) {
            if (value.empty() || value.find_first_not_of("0123456789") != std::string_view::npos) {
                badLength = true;
                return;
            }
            std::int64_t length = 0;
            if (std::from_chars(value.data(), value.data() + value.size(), length).ec == std::errc::result_out_of_range)
                length = kMaxLength;
            length = std::min(length, kMaxLength);
            if (m_head.contentLength && *m_head.contentLength != length)
                badLength = true;
            m_head.contentLength = length;
        } else if (equalsIgnoringAsciiCase(name, "transfer-encoding")) {
            // Only chunked (last, as RFC 9112 requires) or identity.
            forEachToken(value, [&](std::string_view coding) {
                if (m_head.chunked)
                    otherCoding = true; // a coding after chunked
                else if (equalsIgnoringAsciiCase(coding, "chunked"))
                    m_head.chunked = true;
                else if (!equalsIgnoringAsciiCase(coding, "identity"))
                    otherCoding = true;
            });
        } else if (equalsIgnoringAsciiCase(name, "expect")) {
            m_head.expectContinue = equalsIgnoringAsciiCase(value, "100-continue");
        } else if (equalsIgnoringAsciiCase(name, "connection")) {
            m_head.closeRequested = m_head.closeRequested || hasToken(value, "close");
            keepAlive = keepAlive || hasToken(value, "keep-alive");
        } else if (equalsIgnoringAsciiCase(name, "origin")) {
            m_head.origin = value;
        }
    });
    if (m_head.version == "HTTP/1.0" && !keepAlive)
        m_head.closeRequested = true;
    if (badLength || otherCoding || (m_head.chunked && m_head.contentLength))
        return Verdict::Malformed;
    return Verdict::Proceed;
}

RequestReader::Verdict RequestReader::readChunks()
{
    while (m_state == State::Chunked && m_chunkAt < m_size) {
        switch (m_chunkPart) {
        case ChunkPart::Size:
        case ChunkPart::Trailer: {
            const std::string_view held = bytes(0, m_size);
            const auto lineEnd = held.find('\n', m_chunkAt);
            if (lineEnd == std::string_view::npos)
                return Verdict::Proceed;
            std::string_view line = held.substr(m_chunkAt, lineEnd - m_chunkAt);
            if (line.ends_with('\r'))
                line.remove_suffix(1);
            m_chunkAt = lineEnd + 1;
            if (m_chunkPart == ChunkPart::Trailer) {
                // Trailer fields are read past and ignored; a blank line ends the body.
                if (line.empty()) {
                    m_bodyEnd = m_chunkAt;
                    m_state = State::Complete;
                }
                break;
            }
            const auto size = chunkSize(line);
            if (!size)
                return Verdict::Malformed;
            // Refused as soon as a chunk announces more than the body may hold.
            if (*size > std::uint64_t(m_limits.maxBodyBytes) - m_body.size())
                return Verdict::BodyTooLarge;
            m_chunkLeft = *size;
            m_chunkPart = *size == 0 ? ChunkPart::Trailer : ChunkPart::Data;
            break;
        }
        case ChunkPart::Data: {
            const std::size_t take = std::size_t(std::min<std::uint64_t>(m_chunkLeft, m_size - m_chunkAt));
            m_body.append(m_data.get() + m_chunkAt, take);
            m_chunkAt += take;
            m_chunkLeft -= take;
            if (m_chunkLeft == 0)
                m_chunkPart = ChunkPart::DataEnd;
            break;
        }
        case ChunkPart::DataEnd:
            if (m_data[m_chunkAt] == '\n') {
                m_chunkAt += 1;
            } else if (m_data[m_chunkAt] != '\r') {
                return Verdict::Malformed;
            } else if (m_chunkAt + 1 == m_size) {
                return Verdict::Proceed;
            } else if (m_data[m_chunkAt + 1] == '\n') {
                m_chunkAt += 2;
            } else {
                return Verdict::Malformed;
            }
            m_chunkPart = ChunkPart::Size;
            break;
        }
    }
    return Verdict::Proceed;
}

RequestReader::Verdict RequestReader::bodyVerdict() const
{
    if (m_state == State::Head)
        return Verdict::Proceed;
    if (m_head.contentLength && *m_head.contentLength > m_limits.maxBodyBytes)
        return Verdict::BodyTooLarge;
    // Chunked: the raw bytes, framing included, bound the body from above.
    if (m_head.chunked) {
        const std::size_t end = m_state == State::Complete ? m_bodyEnd : m_size;
        if (std::int64_t(end - m_headEnd) > m_limits.maxBodyBytes)
            return Verdict::BodyTooLarge;
    }
    return Verdict::Proceed;
}

} // namespace proactive::service
