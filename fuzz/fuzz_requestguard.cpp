// The HTTP request guard (core/service/requestguard.h), fed as the service
// feeds it: the first piece of a request through begin(), the rest through
// more(), each with what peekLimit() asks for. The input is one connection's
// bytes; its pieces are drawn from the input. Property: the verdict and the
// head do not depend on the pieces, only on the bytes: fed in pieces, the
// guard ends where it ends when everything arrives at once.

#include "fuzzcheck.h"
#include "service/requestguard.h"

#include <string>

using namespace proactive;
using namespace proactive::service;
using Verdict = RequestGuard::Verdict;

namespace {

constexpr RequestGuard::Limits kLimits { 300, 200 };

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

// Feeds `stream` cut at `cuts` until the guard refuses it or the bytes run out.
Verdict feed(RequestGuard& guard, std::string_view stream, const std::vector<std::size_t>& cuts)
{
    std::size_t from = 0;
    Verdict verdict = Verdict::Wait;
    for (std::size_t i = 0; i <= cuts.size() && !isRefusal(verdict); ++i) {
        const std::size_t to = i < cuts.size() ? cuts[i] : stream.size();
        const std::string_view piece = stream.substr(from, to - from);
        const auto length = static_cast<std::int64_t>(piece.size());
        if (i == 0)
            verdict = guard.begin(piece.substr(0, guard.peekLimit()), length);
        else
            verdict = guard.more(piece.substr(0, guard.peekLimit()), length);
        from = to;
    }
    return settled(verdict);
}

std::string describe(const RequestHead& head)
{
    return head.method + "|" + head.target + "|" + head.version + "|"
        + (head.contentLength ? std::to_string(*head.contentLength) : "-") + "|" + (head.chunked ? "chunked" : "") + "|"
        + (head.expectContinue ? "continue" : "") + "|" + (head.closeRequested ? "close" : "") + "|" + head.origin;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view stream = fuzz::bytes(data, size);
    RequestGuard whole(kLimits);
    const Verdict reference = settled(whole.begin(stream.substr(0, whole.peekLimit()), std::int64_t(size)));

    RequestGuard pieces(kLimits);
    const Verdict verdict = feed(pieces, stream, fuzz::cutsFor(stream, 48));
    if (verdict != reference)
        fuzz::fail(
            "the verdict depends on the pieces: " + nameOf(reference) + " at once, " + nameOf(verdict) + " in pieces");
    if (whole.headComplete() != pieces.headComplete())
        fuzz::fail("whether the head is complete depends on the pieces");
    if (whole.headComplete() && describe(whole.head()) != describe(pieces.head()))
        fuzz::fail("the head depends on the pieces: " + describe(whole.head()) + " vs " + describe(pieces.head()));
    if (verdict == Verdict::Proceed && whole.bodyRemaining() != pieces.bodyRemaining())
        fuzz::fail("bodyRemaining depends on the pieces");
    return 0;
}
