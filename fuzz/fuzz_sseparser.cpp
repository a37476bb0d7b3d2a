// The SSE parser (core/chat/sseparser.h) on a stream fed whole, byte by byte
// and in pieces drawn from the input, with a small frame cap so that
// oversized frames happen. Property: how the stream is chunked changes
// nothing: the same events (type, data, id, bytes), the same truncation,
// last event id, retry time and statistics.

#include "chat/sseparser.h"
#include "fuzzcheck.h"

#include <string>

using namespace proactive;

namespace {

struct Outcome {
    std::string events; // type|data|id|bytes per event
    std::size_t truncated = 0;
    std::string lastEventId;
    std::optional<std::int64_t> retry;
    SseStats stats;
};

void drain(SseParser& parser, Outcome& out)
{
    while (const auto event = parser.next()) {
        out.events.append(event->type).append("|").append(event->data).append("|").append(event->id);
        out.events.append("|" + std::to_string(event->bytes) + "\n");
    }
}

Outcome parse(std::string_view stream, const std::vector<std::size_t>& cuts, std::size_t maxFrameBytes)
{
    SseParser parser(maxFrameBytes);
    Outcome out;
    std::size_t from = 0;
    for (const std::size_t cut : cuts) {
        parser.feed(stream.substr(from, cut - from));
        drain(parser, out);
        from = cut;
    }
    parser.feed(stream.substr(from));
    drain(parser, out);
    parser.finish();
    drain(parser, out);
    out.truncated = parser.truncatedBytes();
    out.lastEventId = parser.lastEventId();
    out.retry = parser.reconnectionTime();
    out.stats = parser.stats();
    return out;
}

std::string describe(const Outcome& o)
{
    const SseStats& s = o.stats;
    return o.events + "truncated " + std::to_string(o.truncated) + ", id `" + o.lastEventId + "`, retry "
        + (o.retry ? std::to_string(*o.retry) : "-") + ", bytes " + std::to_string(s.bytes) + ", events "
        + std::to_string(s.events) + ", comments " + std::to_string(s.comments) + ", ignored "
        + std::to_string(s.ignoredFields) + ", blank " + std::to_string(s.blankFrames) + ", oversized "
        + std::to_string(s.oversizedFrames);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view stream = fuzz::bytes(data, size);
    std::vector<std::size_t> everyByte;
    for (std::size_t i = 1; i < size; ++i)
        everyByte.push_back(i);
    const std::vector<std::size_t> pieces = fuzz::cutsFor(stream, 32);
    // A small cap (1 to 128 bytes, from the input's size) makes oversized frames common.
    for (const std::size_t maxFrameBytes : { 1 + size % 128, SseParser::kDefaultMaxFrameBytes }) {
        const std::string whole = describe(parse(stream, {}, maxFrameBytes));
        const std::string byByte = describe(parse(stream, everyByte, maxFrameBytes));
        if (byByte != whole)
            fuzz::fail("byte by byte:\n" + byByte + "\nwhole:\n" + whole);
        const std::string inPieces = describe(parse(stream, pieces, maxFrameBytes));
        if (inPieces != whole)
            fuzz::fail("in pieces:\n" + inPieces + "\nwhole:\n" + whole);
    }
    return 0;
}
