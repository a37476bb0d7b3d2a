#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace proactive::service {

// HTTP's case-insensitive comparison (field names, tokens, schemes, hosts,
// origins): ASCII letters only, every other byte as it is.
bool equalsIgnoringAsciiCase(std::string_view a, std::string_view b);

// What the reader read from a request head.
struct RequestHead {
    std::string method;
    std::string target; // as sent: path and query
    std::string version; // "HTTP/1.1"
    std::optional<std::int64_t> contentLength;
    bool chunked = false;
    bool expectContinue = false; // "Expect: 100-continue"
    bool closeRequested = false; // "Connection: close", or HTTP/1.0 without keep-alive
    std::string origin;

    // The path as sent (percent-encoded); for an absolute-form target
    // ("http://host/path?q") the path part.
    std::string_view path() const;
    // What follows the first '?' of the target, without it.
    std::string_view query() const;
};

// One complete request, as views into the reader's buffer: valid until
// RequestReader::next().
class HttpRequest final {
public:
    HttpRequest(const RequestHead& head, std::string_view headBytes, std::string_view body);

    const RequestHead& head() const { return m_head; }
    std::string_view method() const { return m_head.method; }
    std::string_view path() const { return m_head.path(); }
    // The value of the last field named `name` (compared ignoring ASCII
    // case), without surrounding whitespace; empty when there is none.
    std::string_view header(std::string_view name) const;
    // The first query parameter named `name`, percent-decoded ('+' stays
    // '+'); empty when there is none.
    std::string queryValue(std::string_view name) const;
    std::string_view body() const { return m_body; }

private:
    const RequestHead& m_head;
    std::string_view m_headBytes;
    std::string_view m_body;
};

// Reads one connection's HTTP/1.1 requests from the bytes as they arrive:
// the service's only request parser (QtHttpServer 6.4's buffered any body
// it was announced and ignored Expect and Connection). It enforces the
// request limits as soon as a head is complete (413/431 before a large body
// is read), frames bodies by Content-Length or chunked coding, and hands out
// complete requests in order, pipelined ones included. Pure: the service
// gives it what it reads from the socket, into the reader's own buffer, so
// that a request's bytes are copied once.
class RequestReader final {
public:
    struct Limits {
        std::int64_t maxBodyBytes = 1024 * 1024;
        std::size_t maxHeadBytes = 64 * 1024;
    };

    enum class Verdict {
        Wait, // the head is not complete yet
        Proceed, // the head is within the limits; the body may still be on its way
        SendContinue, // within the limits, and the client waits for "100 Continue" before sending the body
        BodyTooLarge, // 413
        HeadTooLarge, // 431
        Malformed, // 400: bad or conflicting lengths, an unknown transfer coding, a control character, bad chunk
                   // framing
    };

    explicit RequestReader(Limits limits);
    ~RequestReader();
    RequestReader(const RequestReader&) = delete;
    RequestReader& operator=(const RequestReader&) = delete;

    // Room for `size` more bytes: write them there, then received().
    char* reserve(std::size_t size);
    // `size` bytes were written where reserve() said: the verdict on the
    // current request with them.
    Verdict received(std::size_t size);
    // reserve() + copy + received(), for callers that hold the bytes already.
    Verdict feed(std::string_view bytes);

    // Whether the current request is complete (only after Proceed).
    bool requestComplete() const { return m_state == State::Complete; }
    // The complete current request.
    HttpRequest request() const;
    // Drops the complete current request; the bytes after it begin the next
    // one, and the verdict is the next one's.
    Verdict next();
    // Drops every byte held and gives back the memory, for a connection
    // that is being drained or closed.
    void discard();

    // Whether any byte of a next request or of an incomplete one is held.
    bool holdsBytes() const { return m_size > m_begin; }
    // The request bytes held: those of the current request and any after
    // it, and a chunked body decoded so far. What the service's budget for
    // bodies in flight counts (ServiceSettings::maxBufferedBytes).
    std::size_t heldBytes() const { return m_size - m_begin + m_body.size(); }
    const Limits& limits() const { return m_limits; }
    bool headComplete() const { return m_state != State::Head; }
    const RequestHead& head() const { return m_head; }
    // Body bytes announced by Content-Length and not received yet; nullopt
    // while the head is incomplete and for chunked bodies.
    std::optional<std::int64_t> bodyRemaining() const;

private:
    enum class State { Head, Body, Chunked, Complete, Refused };
    enum class ChunkPart { Size, Data, DataEnd, Trailer };

    Verdict advance();
    Verdict readHead();
    Verdict parseHead(std::string_view head);
    Verdict readChunks();
    Verdict bodyVerdict() const;
    Verdict refuse(Verdict verdict);
    std::string_view bytes(std::size_t from, std::size_t to) const { return { m_data.get() + from, to - from }; }
    void restart();

    Limits m_limits;
    std::unique_ptr<char[]> m_data;
    std::size_t m_capacity = 0;
    std::size_t m_size = 0; // bytes held
    std::size_t m_begin = 0; // where the current request's bytes start
    // Blank bytes skipped before the head: they count toward its limit, so
    // that the verdict does not depend on how they arrive.
    std::size_t m_skipped = 0;
    std::size_t m_scanned = 0; // head bytes already searched for the blank line
    std::size_t m_headEnd = 0; // just past the head's blank line, once complete
    std::size_t m_bodyEnd = 0; // Content-Length: where the body ends
    State m_state = State::Head;
    Verdict m_refusal = Verdict::Malformed; // while Refused
    RequestHead m_head;

    // Chunked bodies are decoded into m_body as their chunks arrive.
    ChunkPart m_chunkPart = ChunkPart::Size;
    std::size_t m_chunkAt = 0; // next undecoded framing byte
    std::uint64_t m_chunkLeft = 0;
    std::string m_body;
};

} // namespace proactive::service
