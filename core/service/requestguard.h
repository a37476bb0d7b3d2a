#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace proactive::service {

// What the guard read from a request head.
struct RequestHead {
    std::string method;
    std::string target; // as sent: path and query
    std::string version; // "HTTP/1.1"
    std::optional<std::int64_t> contentLength;
    bool chunked = false;
    bool expectContinue = false; // "Expect: 100-continue"
    bool closeRequested = false; // "Connection: close", or HTTP/1.0 without keep-alive
    std::string origin;

    std::string_view path() const { return std::string_view(target).substr(0, target.find('?')); }
};

// Enforces the request limits ahead of QtHttpServer's parser, which (in 6.4)
// buffers any body it is announced, however large, and ignores Expect and
// Connection. The guard sees each connection's bytes before the parser does
// and decides once per request whether it may go on. Pure: the service feeds
// it what it peeks from the socket.
class RequestGuard final {
public:
    struct Limits {
        std::int64_t maxBodyBytes = 1024 * 1024;
        std::size_t maxHeadBytes = 64 * 1024;
    };

    enum class Verdict {
        Wait, // the head is not complete yet; let the parser read on
        Proceed, // within the limits
        SendContinue, // within the limits, and the client waits for "100 Continue" before sending the body
        BodyTooLarge, // 413
        HeadTooLarge, // 431
        Malformed, // 400: a head the parser would misread (bad or conflicting lengths, unknown transfer coding)
    };

    explicit RequestGuard(Limits limits)
        : m_limits(limits)
    { }

    // At a request boundary (the parser has consumed every earlier request):
    // `buffered` bytes wait, starting with the next request; `peeked` is
    // their prefix of at most peekLimit() bytes.
    Verdict begin(std::string_view peeked, std::int64_t buffered);
    // Mid-request: `fresh` bytes arrived that the parser has not read yet (it
    // reads everything while a request is incomplete); `peeked` as above.
    Verdict more(std::string_view peeked, std::int64_t fresh);

    // How many bytes are worth peeking for more(): none once the head is
    // complete. For begin(): limits().maxHeadBytes + 1.
    std::size_t peekLimit() const;
    const Limits& limits() const { return m_limits; }
    bool headComplete() const { return m_headComplete; }
    const RequestHead& head() const { return m_head; }
    // Body bytes announced by Content-Length and not seen yet; nullopt while
    // the head is incomplete and for chunked bodies.
    std::optional<std::int64_t> bodyRemaining() const;

private:
    Verdict scan(std::size_t searchFrom);
    Verdict parseHead(std::string_view head);
    Verdict bodyVerdict() const;

    Limits m_limits;
    std::string m_headBytes; // the head so far (and what follows it in the same peek)
    // Blank bytes skipped before the head: they count toward its limit, so
    // that the verdict does not depend on how they arrive.
    std::size_t m_skipped = 0;
    std::int64_t m_seen = 0; // bytes of this request seen so far, head included
    std::int64_t m_headSize = 0;
    bool m_headComplete = false;
    RequestHead m_head;
};

} // namespace proactive::service
