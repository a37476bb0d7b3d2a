// SSE parse and Dify decode throughput (issue 6, target ≥ 200 MB/s): a
// realistic Dify stream — `message` frames exactly as Dify's Python writes
// them (four-character answers, UUIDs, ", " spacing), a ping every 50
// frames, one message_end — parsed from network-sized chunks, then decoded,
// then accumulated by ChatExchange (the client's whole per-byte path).
//
//   bench_sse [--benchmark_filter=...]

#include "chat/chatexchange.h"
#include "chat/difyevent.h"
#include "chat/sseparser.h"

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>
#include <string>

using namespace proactive;

namespace {

// About 1 MB of stream.
const std::string& difyStream()
{
    static const std::string stream = [] {
        const std::string ids
            = "\"conversation_id\": \"45701982-8118-4bc5-8e9b-64562b4555f2\", \"message_id\": "
              "\"663c5084-a254-4040-8ad3-51f2a3c1a77c\", \"created_at\": 1705395332, \"task_id\": "
              "\"900bbd43-dc0b-4383-a372-aa6e6c414227\", \"id\": \"663c5084-a254-4040-8ad3-51f2a3c1a77c\"";
        const char* const tokens[] = { "Clic", "k \\\"A", "dd P", "roje", "ct\\\" ", "(top", " rig", "ht)\\n",
            "caf\\u00e9", " \\ud83d\\ude80" };
        std::string out;
        int i = 0;
        while (out.size() < 1024 * 1024) {
            out += "data: {\"event\": \"message\", " + ids + ", \"answer\": \"" + tokens[i % 10] + "\"}\n\n";
            if (++i % 50 == 0)
                out += "event: ping\n\n";
        }
        out += "data: {\"event\": \"message_end\", " + ids
            + ", \"metadata\": {\"usage\": {\"prompt_tokens\": 1033, \"completion_tokens\": 135, \"total_tokens\": "
              "1168, \"total_price\": \"0.0013030\", \"currency\": \"USD\", \"latency\": 1.38}, "
              "\"retriever_resources\": []}}\n\n";
        return out;
    }();
    return stream;
}

template<typename PerChunk> void forEachChunk(std::size_t chunk, PerChunk&& perChunk)
{
    const std::string& stream = difyStream();
    for (std::size_t at = 0; at < stream.size(); at += chunk)
        perChunk(std::string_view(stream).substr(at, chunk));
}

void BM_SseParse(benchmark::State& state)
{
    const auto chunk = std::size_t(state.range(0));
    std::size_t events = 0;
    for (auto _ : state) {
        SseParser parser;
        forEachChunk(chunk, [&](std::string_view piece) {
            parser.feed(piece);
            while (const auto event = parser.next())
                benchmark::DoNotOptimize(event->data.data());
        });
        parser.finish();
        events = parser.stats().events;
    }
    state.SetBytesProcessed(std::int64_t(state.iterations() * difyStream().size()));
    state.counters["events"] = double(events);
}
BENCHMARK(BM_SseParse)->Arg(64)->Arg(1460)->Arg(16384)->Arg(65536);

void BM_SseParseAndDecode(benchmark::State& state)
{
    const auto chunk = std::size_t(state.range(0));
    for (auto _ : state) {
        SseParser parser;
        DifyDecoder decoder;
        DifyEvent event;
        std::size_t answerBytes = 0;
        forEachChunk(chunk, [&](std::string_view piece) {
            parser.feed(piece);
            while (const auto sse = parser.next()) {
                decoder.decode(*sse, event);
                answerBytes += event.answer.size();
            }
        });
        benchmark::DoNotOptimize(answerBytes);
    }
    state.SetBytesProcessed(std::int64_t(state.iterations() * difyStream().size()));
}
BENCHMARK(BM_SseParseAndDecode)->Arg(1460)->Arg(16384);

// The client's whole path per byte: parse, decode, accumulate, event log.
void BM_ChatExchange(benchmark::State& state)
{
    const auto chunk = std::size_t(state.range(0));
    for (auto _ : state) {
        ChatExchange exchange;
        forEachChunk(chunk, [&](std::string_view piece) { exchange.receive(piece, Duration(1)); });
        exchange.endOfStream(Duration(2));
        benchmark::DoNotOptimize(exchange.answer().size());
    }
    state.SetBytesProcessed(std::int64_t(state.iterations() * difyStream().size()));
}
BENCHMARK(BM_ChatExchange)->Arg(16384);

// One 1 MB frame arriving in 16 KB pieces (a single huge data line).
void BM_SseParseOneLargeFrame(benchmark::State& state)
{
    const std::string stream = "data: " + std::string(1024 * 1024, 'x') + "\n\n";
    for (auto _ : state) {
        SseParser parser;
        for (std::size_t at = 0; at < stream.size(); at += 16384) {
            parser.feed(std::string_view(stream).substr(at, 16384));
            while (const auto event = parser.next())
                benchmark::DoNotOptimize(event->data.size());
        }
    }
    state.SetBytesProcessed(std::int64_t(state.iterations() * stream.size()));
}
BENCHMARK(BM_SseParseOneLargeFrame);

// Reference: the same frames decoded with nlohmann's DOM instead of JsonTape.
void BM_SseParseAndNlohmannDom(benchmark::State& state)
{
    for (auto _ : state) {
        SseParser parser;
        std::size_t answerBytes = 0;
        forEachChunk(16384, [&](std::string_view piece) {
            parser.feed(piece);
            while (const auto sse = parser.next()) {
                if (sse->data.empty())
                    continue;
                const auto json = nlohmann::json::parse(sse->data, nullptr, false);
                if (const auto it = json.find("answer"); it != json.end() && it->is_string())
                    answerBytes += it->get_ref<const std::string&>().size();
            }
        });
        benchmark::DoNotOptimize(answerBytes);
    }
    state.SetBytesProcessed(std::int64_t(state.iterations() * difyStream().size()));
}
BENCHMARK(BM_SseParseAndNlohmannDom);

} // namespace

BENCHMARK_MAIN();
