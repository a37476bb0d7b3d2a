#include "chat/sseparser.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace proactive {

namespace {

    constexpr std::string_view kBom = "\xEF\xBB\xBF";
    constexpr auto npos = std::string::npos;

    // Positions move left by `shift` when the buffer's consumed prefix is erased.
    void shiftScan(std::size_t& cached, std::size_t& scannedTo, std::size_t shift)
    {
        if (cached != npos && cached >= shift) {
            cached -= shift;
            scannedTo -= shift;
            return;
        }
        // Nothing before scannedTo except a position that is gone now.
        cached = npos;
        scannedTo = std::max(scannedTo, shift) - shift;
    }

} // namespace

void SseParser::feed(std::string_view bytes)
{
    m_stats.bytes += bytes.size();
    if (m_finished || bytes.empty())
        return;
    if (m_frameStart > 0) {
        const std::size_t shift = m_frameStart;
        m_buffer.erase(0, shift);
        m_pos -= shift;
        m_frameStart = 0;
        shiftScan(m_nextLf, m_lfScanned, shift);
        shiftScan(m_nextCr, m_crScanned, shift);
    }
    m_buffer.append(bytes);
}

void SseParser::finish()
{
    m_finished = true;
}

std::size_t SseParser::nextOf(char c, std::size_t from, std::size_t& cached, std::size_t& scannedTo) const
{
    if (cached != npos && cached >= from)
        return cached;
    const std::size_t start = std::max(from, scannedTo);
    const void* hit
        = start < m_buffer.size() ? std::memchr(m_buffer.data() + start, c, m_buffer.size() - start) : nullptr;
    if (!hit) {
        cached = npos;
        scannedTo = m_buffer.size();
        return npos;
    }
    cached = static_cast<std::size_t>(static_cast<const char*>(hit) - m_buffer.data());
    scannedTo = cached + 1;
    return cached;
}

bool SseParser::findLineEnd(std::size_t& end, std::size_t& terminator)
{
    const std::size_t lf = nextOf('\n', m_pos, m_nextLf, m_lfScanned);
    const std::size_t cr = nextOf('\r', m_pos, m_nextCr, m_crScanned);
    if (cr < lf) {
        if (cr + 1 < m_buffer.size()) {
            end = cr;
            terminator = m_buffer[cr + 1] == '\n' ? 2 : 1;
            return true;
        }
        if (!m_finished)
            return false; // an LF may follow in the next piece
        end = cr;
        terminator = 1;
        return true;
    }
    if (lf == npos)
        return false;
    end = lf;
    terminator = 1;
    return true;
}

std::string_view SseParser::spanView(Span span) const
{
    return { m_buffer.data() + m_frameStart + span.begin, span.length };
}

void SseParser::resetFrame()
{
    m_frame = {};
}

void SseParser::commitFrame()
{
    m_stats.comments += m_frame.comments;
    m_stats.ignoredFields += m_frame.ignoredFields;
    if (m_frame.id)
        m_lastEventId.assign(spanView(*m_frame.id));
    if (m_frame.retry)
        m_retry = m_frame.retry;
}

bool SseParser::frameHasContent() const
{
    // Past the lines read: an unfinished line, or only a held-back CR (a
    // blank line to be, which alone makes no frame).
    const std::size_t partial = m_buffer.size() - m_pos;
    return m_frame.hasLines || partial > 1 || (partial == 1 && m_buffer.back() != '\r');
}

void SseParser::processField(std::size_t begin, std::size_t end)
{
    const std::string_view line(m_buffer.data() + begin, end - begin);
    m_frame.hasLines = true;
    if (line.front() == ':') {
        ++m_frame.comments;
        return;
    }
    m_frame.hasFields = true;
    const std::size_t colon = line.find(':');
    const std::string_view field = line.substr(0, colon);
    std::size_t valueBegin = colon == npos ? end : begin + colon + 1;
    if (valueBegin < end && m_buffer[valueBegin] == ' ')
        ++valueBegin;
    const Span value { valueBegin - m_frameStart, end - valueBegin };
    const std::string_view text = spanView(value);

    if (field == "data") {
        if (++m_frame.dataLines == 1) {
            m_frame.firstData = value;
            return;
        }
        // The previous event's joined data is no longer referenced once a
        // new frame has its second data line.
        if (m_frame.dataLines == 2)
            m_joinedData.assign(spanView(m_frame.firstData));
        m_joinedData += '\n';
        m_joinedData.append(text);
    } else if (field == "event") {
        m_frame.type = value;
        m_frame.hasType = !text.empty();
    } else if (field == "id") {
        if (text.find('\0') == npos)
            m_frame.id = value;
        else
            ++m_frame.ignoredFields;
    } else if (field == "retry") {
        std::int64_t ms = 0;
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
        const bool digitsOnly
            = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (digitsOnly && ec == std::errc() && ptr == text.data() + text.size())
            m_frame.retry = ms;
        else
            ++m_frame.ignoredFields;
    } else {
        ++m_frame.ignoredFields;
    }
}

void SseParser::dropOversizedFrame()
{
    if (!m_discarding) {
        m_discarding = true;
        m_discardedBytes = 0;
        m_discardLineHasBytes = false;
    }
    std::size_t keep = m_buffer.size();
    // A held-back CR still has to end its line.
    if (keep > m_pos && m_buffer.back() == '\r')
        --keep;
    if (keep > m_pos)
        m_discardLineHasBytes = true;
    m_discardedBytes += keep - m_frameStart;
    m_pos = keep;
    m_frameStart = keep;
    resetFrame();
}

std::optional<SseEvent> SseParser::next()
{
    if (!m_started) {
        const std::string_view head(m_buffer.data(), std::min(m_buffer.size(), kBom.size()));
        if (head.size() < kBom.size() && kBom.starts_with(head) && !m_finished)
            return std::nullopt; // maybe a BOM split across pieces
        m_started = true;
        if (head == kBom)
            m_pos = kBom.size(); // counted in the first frame's bytes
    }

    std::size_t end = 0;
    std::size_t terminator = 0;
    while (findLineEnd(end, terminator)) {
        const std::size_t lineStart = m_pos;
        m_pos = end + terminator;

        if (m_discarding) {
            m_discardedBytes += m_pos - m_frameStart;
            m_frameStart = m_pos;
            if (end == lineStart && !m_discardLineHasBytes) {
                m_discarding = false;
                ++m_stats.oversizedFrames;
            }
            m_discardLineHasBytes = false;
            continue;
        }

        if (end != lineStart) {
            processField(lineStart, end);
            continue;
        }

        // A blank line ends the frame (with no line before it, it only separates frames).
        const std::size_t bytes = m_pos - m_frameStart;
        if (m_frame.hasLines && bytes > m_maxFrameBytes) {
            ++m_stats.oversizedFrames;
            m_frameStart = m_pos;
            resetFrame();
            continue;
        }
        commitFrame();
        if (m_frame.dataLines == 0 && !m_frame.hasType) {
            if (m_frame.hasFields)
                ++m_stats.blankFrames;
            m_frameStart = m_pos;
            resetFrame();
            continue;
        }
        SseEvent event;
        event.type = m_frame.hasType ? spanView(m_frame.type) : std::string_view("message");
        if (m_frame.dataLines == 1)
            event.data = spanView(m_frame.firstData);
        else if (m_frame.dataLines > 1)
            event.data = m_joinedData;
        event.id = m_lastEventId;
        event.bytes = bytes;
        // The views stay valid: the buffer only changes in feed().
        m_frameStart = m_pos;
        resetFrame();
        ++m_stats.events;
        return event;
    }

    if (m_discarding || (m_buffer.size() - m_frameStart > m_maxFrameBytes && frameHasContent()))
        dropOversizedFrame();
    return std::nullopt;
}

std::size_t SseParser::truncatedBytes() const
{
    std::size_t bytes = m_discarding ? m_discardedBytes : 0;
    if (m_frame.hasFields || m_pos < m_buffer.size())
        bytes += m_buffer.size() - m_frameStart;
    return bytes;
}

} // namespace proactive
