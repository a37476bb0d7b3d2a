#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace proactive {

// One dispatched Server-Sent Event. The views point into the parser and stay
// valid until the next call to feed(), next() or finish().
struct SseEvent {
    std::string_view type; // the `event:` field; "message" when the frame had none
    std::string_view data; // the `data:` lines joined with '\n'
    std::string_view id; // the last event id (it persists across events, as in EventSource)
    std::size_t bytes = 0; // wire bytes of the frame, from its first line to its blank line
};

struct SseStats {
    std::uint64_t bytes = 0; // everything fed
    std::uint64_t events = 0; // dispatched
    std::uint64_t comments = 0; // lines starting with ':'
    std::uint64_t ignoredFields = 0; // unknown field names, `retry:` that is not digits, `id:` with NUL
    std::uint64_t blankFrames = 0; // frames with neither data nor event type (only comments, id or retry)
    std::uint64_t oversizedFrames = 0; // frames beyond maxFrameBytes, dropped
};

// Incremental text/event-stream parser (WHATWG HTML §9.2.6) for a stream
// that arrives in arbitrary pieces: a frame, a line, a CRLF or the BOM may be
// split at any byte, and one piece may hold many frames.
//
//     parser.feed(chunk);
//     while (auto event = parser.next()) { ... }
//     ...
//     parser.finish();                            // end of the connection
//     while (auto event = parser.next()) { ... }  // a trailing CR may complete one
//     if (parser.truncatedBytes()) { ... }        // the stream stopped mid-frame
//
// Lines end with CRLF, LF or CR. A UTF-8 BOM at the very start is skipped.
// `data:`, `event:`, `id:` and `retry:` follow the standard (one optional
// space after the colon is dropped, data lines are joined with '\n', `id`
// persists, and like `retry` takes effect at the frame's blank line);
// comments and unknown fields are counted and skipped. Unlike
// EventSource, a frame with an `event:` line and no data is dispatched too,
// because Dify's keep-alive is exactly that (`event: ping`). Frames with
// neither data nor an event type are not dispatched.
//
// A CR that is the last byte fed so far is held back until the next byte
// (or finish()) says whether an LF follows, so that every chunking of a
// stream yields the same events with the same byte counts.
//
// Cost: fed bytes are appended to one buffer (compacted on the next feed);
// a frame's single data line is returned as a view into it, several are
// joined into a reused string. No allocation per event once warm.
class SseParser final {
public:
    static constexpr std::size_t kDefaultMaxFrameBytes = 64 * 1024 * 1024;

    // A frame longer than maxFrameBytes is dropped whole, its id and retry
    // included, and counted (a server that never sends a blank line must not
    // exhaust memory).
    explicit SseParser(std::size_t maxFrameBytes = kDefaultMaxFrameBytes)
        : m_maxFrameBytes(maxFrameBytes)
    { }

    void feed(std::string_view bytes);
    // The next complete event, if the bytes fed so far hold one.
    std::optional<SseEvent> next();
    // No more bytes will come: a held-back CR ends its line.
    void finish();
    // After finish() and next() returning nullopt: the bytes of a frame that
    // was begun (a field line, or an unterminated line) but never ended by a
    // blank line; 0 when the stream ended on a frame boundary.
    std::size_t truncatedBytes() const;

    const SseStats& stats() const { return m_stats; }
    const std::string& lastEventId() const { return m_lastEventId; }
    // The last valid `retry:` value, in milliseconds.
    std::optional<std::int64_t> reconnectionTime() const { return m_retry; }

private:
    struct Span {
        std::size_t begin = 0; // relative to m_frameStart
        std::size_t length = 0;
    };

    // Where the current line ends and how long its terminator is; false
    // when the line is not complete yet.
    bool findLineEnd(std::size_t& end, std::size_t& terminator);
    std::size_t nextOf(char c, std::size_t from, std::size_t& cached, std::size_t& scannedTo) const;
    void processField(std::size_t begin, std::size_t end);
    void resetFrame();
    std::string_view spanView(Span span) const;
    void dropOversizedFrame();

    std::string m_buffer;
    std::size_t m_pos = 0; // start of the next line
    std::size_t m_frameStart = 0; // first byte of the current frame
    // Memoised searches: the next LF/CR at or after some point, and how far
    // the buffer has been scanned for one (npos: none up to scannedTo).
    mutable std::size_t m_nextLf = std::string::npos;
    mutable std::size_t m_lfScanned = 0;
    mutable std::size_t m_nextCr = std::string::npos;
    mutable std::size_t m_crScanned = 0;

    // The frame being read. Its id, retry and counts take effect when it
    // ends within maxFrameBytes: an oversized frame is dropped whole, so
    // that what it leaves behind does not depend on where the stream was cut.
    struct Frame {
        Span type;
        bool hasType = false;
        Span firstData;
        std::size_t dataLines = 0;
        bool hasLines = false; // any line, comments included; else a blank line is only a separator
        bool hasFields = false;
        std::optional<Span> id;
        std::optional<std::int64_t> retry;
        std::uint64_t comments = 0;
        std::uint64_t ignoredFields = 0;
    };
    void commitFrame();
    bool frameHasContent() const;

    Frame m_frame;
    std::string m_joinedData; // kept out of Frame: its capacity is reused
    bool m_discarding = false; // inside an oversized frame, until its blank line
    bool m_discardLineHasBytes = false;
    std::size_t m_discardedBytes = 0;

    bool m_started = false; // BOM decided
    bool m_finished = false;
    std::size_t m_maxFrameBytes;
    std::string m_lastEventId;
    std::optional<std::int64_t> m_retry;
    SseStats m_stats;
};

} // namespace proactive
