// The HTTP request reader (core/service/requestreader.h), fed as the service
// feeds it: one connection's bytes in pieces drawn from the input, every
// complete request taken as soon as it is complete. Properties: what is
// read — the requests, their heads and bodies, the verdict the stream ends
// on — does not depend on the pieces, only on the bytes; no body is larger
// than the limit.

#include "fuzzcheck.h"
#include "service/requestreader.h"

#include <string>

using namespace proactive;
using namespace proactive::service;
using Verdict = RequestReader::Verdict;

namespace {

constexpr RequestReader::Limits kLimits { 300, 200 };

std::string nameOf(Verdict verdict)
{
    constexpr const char* kNames[] = { "wait", "proceed", "continue", "413", "431", "400" }; // in Verdict order
    return kNames[static_cast<int>(verdict)];
}

bool isRefusal(Verdict verdict)
{
    return verdict == Verdict::BodyTooLarge || verdict == Verdict::HeadTooLarge || verdict == Verdict::Malformed;
}

// Whether a client may send a request's body: waiting for "100 Continue" or
// not depends on whether body bytes came with the head, so both count alike.
Verdict settled(Verdict verdict)
{
    return verdict == Verdict::SendContinue ? Verdict::Proceed : verdict;
}

std::string describe(const HttpRequest& request)
{
    const RequestHead& head = request.head();
    return head.method + "|" + head.target + "|" + head.version + "|"
        + (head.contentLength ? std::to_string(*head.contentLength) : "-") + "|" + (head.chunked ? "chunked" : "") + "|"
        + (head.expectContinue ? "continue" : "") + "|" + (head.closeRequested ? "close" : "") + "|" + head.origin + "|"
        + std::string(request.body());
}

struct Outcome {
    std::vector<std::string> requests;
    Verdict last = Verdict::Wait;
};

// Feeds `stream` cut at `cuts` until the reader refuses it or the bytes run out.
Outcome feed(std::string_view stream, const std::vector<std::size_t>& cuts)
{
    RequestReader reader(kLimits);
    Outcome outcome;
    std::size_t from = 0;
    for (std::size_t i = 0; i <= cuts.size() && !isRefusal(outcome.last); ++i) {
        const std::size_t to = i < cuts.size() ? cuts[i] : stream.size();
        outcome.last = settled(reader.feed(stream.substr(from, to - from)));
        while (outcome.last == Verdict::Proceed && reader.requestComplete()) {
            const HttpRequest request = reader.request();
            if (request.body().size() > std::size_t(kLimits.maxBodyBytes))
                fuzz::fail("a body larger than the limit was read");
            outcome.requests.push_back(describe(request));
            outcome.last = settled(reader.next());
        }
        from = to;
    }
    return outcome;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view stream = fuzz::bytes(data, size);
    const Outcome whole = feed(stream, {});
    const Outcome pieces = feed(stream, fuzz::cutsFor(stream, 48));
    if (whole.last != pieces.last)
        fuzz::fail("the verdict depends on the pieces: " + nameOf(whole.last) + " at once, " + nameOf(pieces.last)
            + " in pieces");
    if (whole.requests != pieces.requests)
        fuzz::fail("the requests read depend on the pieces: " + std::to_string(whole.requests.size()) + " at once, "
            + std::to_string(pieces.requests.size()) + " in pieces");
    return 0;
}
