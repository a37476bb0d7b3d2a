// Intake throughput: posthog-js events as JSON lines → finalised canonical
// actions (parse, shape mapping, target element, canonical URL, title and
// description), on one core. Also the pieces alone and the capture endpoint
// path (gzip body → actions).
//
//   bench_intake [--benchmark_filter=...]

#include "intake/canonicalurl.h"
#include "intake/elementschain.h"
#include "intake/posthogintake.h"

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>
#include <zlib.h>

using namespace proactive;

namespace {

constexpr int kLines = 20000;

const std::vector<std::string> kRoutes { "/projects/:slug/settings", "/projects/:slug/members", "/teams/:team",
    "/billing/invoices/:invoice", "/docs/:page" };

std::string hex(std::mt19937_64& rng, int digits)
{
    static constexpr char alphabet[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < digits; ++i)
        out += alphabet[rng() % 16];
    return out;
}

std::string uuid(std::mt19937_64& rng)
{
    return hex(rng, 8) + "-" + hex(rng, 4) + "-7" + hex(rng, 3) + "-8" + hex(rng, 3) + "-" + hex(rng, 12);
}

std::string chainFor(std::mt19937_64& rng, const std::string& text)
{
    const int n = int(rng() % 1000);
    return "button.btn.btn-primary:attr__class=\"btn btn-primary\"attr__data-tour-id=\"action-" + std::to_string(n % 40)
        + "\"attr__type=\"button\"nth-child=\"2\"nth-of-type=\"1\"text=\"" + text
        + "\";div.page-header__actions:attr__class=\"page-header__actions\"nth-child=\"2\"nth-of-type=\"2\";"
          "header.page-header:attr__class=\"page-header\"nth-child=\"1\"nth-of-type=\"1\";"
          "main.container:attr__class=\"container\"attr__id=\"main\"attr_id=\"main\"nth-child=\"2\"nth-of-type=\"1\";"
          "body:nth-child=\"2\"nth-of-type=\"1\"";
}

// One posthog-js event as the browser sends it (the property set of
// posthog-js 1.16x, see tests/data/intake/posthog-js-batch.json).
nlohmann::json makeEvent(std::mt19937_64& rng, std::int64_t t, const std::string& session)
{
    static const char* const paths[] = { "/projects", "/projects/{id}/settings", "/projects/{id}/members", "/teams/{n}",
        "/billing/invoices/{n}", "/docs/getting-started", "/settings/account", "/projects/{uuid}/runs/{n}" };
    std::string path = paths[rng() % std::size(paths)];
    for (const auto& [key, value] :
        { std::pair<std::string, std::string> { "{id}", "acme-" + std::to_string(rng() % 90) },
            { "{n}", std::to_string(rng() % 100000) }, { "{uuid}", uuid(rng) } })
        if (const auto at = path.find(key); at != std::string::npos)
            path.replace(at, key.size(), value);
    const std::string url = "https://app.example.com" + path + (rng() % 3 == 0 ? "?tab=all&utm_source=newsletter" : "");
    nlohmann::json props = {
        { "$os", "Mac OS X" },
        { "$os_version", "14.5.0" },
        { "$browser", "Chrome" },
        { "$device_type", "Desktop" },
        { "$current_url", url },
        { "$host", "app.example.com" },
        { "$pathname", path },
        { "$raw_user_agent",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 "
            "Safari/537.36" },
        { "$browser_version", 128 },
        { "$browser_language", "en-US" },
        { "$browser_language_prefix", "en" },
        { "$screen_height", 1117 },
        { "$screen_width", 1728 },
        { "$viewport_height", 1001 },
        { "$viewport_width", 1728 },
        { "$lib", "web" },
        { "$lib_version", "1.161.3" },
        { "$insert_id", hex(rng, 16) },
        { "$time", double(t) / 1000.0 },
        { "distinct_id", "user_" + std::to_string(rng() % 5000) },
        { "$device_id", uuid(rng) },
        { "$is_identified", true },
        { "$process_person_profile", true },
        { "$referrer", "$direct" },
        { "$referring_domain", "$direct" },
        { "$session_id", session },
        { "$window_id", uuid(rng) },
        { "$pageview_id", uuid(rng) },
        { "$session_entry_url", "https://app.example.com/projects" },
        { "$session_entry_host", "app.example.com" },
        { "$session_entry_pathname", "/projects" },
        { "$lib_rate_limit_remaining_tokens", 98.7 },
        { "$configured_session_timeout_ms", 1800000 },
        { "$timezone", "Europe/Madrid" },
        { "$timezone_offset", -120 },
        { "token", "phc_Q7xk2Vb9LmN4pR8sT1uW6yZ3aC5dF0gH2jK4lM6nP8" },
    };
    std::string name;
    const auto kind = rng() % 20;
    if (kind < 6) {
        name = "$pageview";
        props["title"] = "Acme";
    } else if (kind < 17) {
        name = "$autocapture";
        props["$event_type"] = kind < 15 ? "click" : kind < 16 ? "change" : "submit";
        props["$ce_version"] = 1;
        props["$elements_chain"] = chainFor(rng, kind % 2 ? "New project" : "Save \\\"draft\\\"");
    } else if (kind < 19) {
        name = "$pageleave";
    } else {
        name = "project_created";
        props["plan"] = "pro";
        props["seats"] = 5;
    }
    return { { "uuid", uuid(rng) }, { "event", name }, { "properties", props },
        { "timestamp", formatIsoTimestamp(fromEpochMs(t)) } };
}

const std::string& jsonLines()
{
    static const std::string text = [] {
        std::mt19937_64 rng(42);
        std::string out;
        std::int64_t t = 1725358500000;
        std::string session = uuid(rng);
        for (int i = 0; i < kLines; ++i) {
            if (i % 40 == 0)
                session = uuid(rng);
            t += std::int64_t(rng() % 5000);
            out += makeEvent(rng, t, session).dump();
            out += '\n';
        }
        return out;
    }();
    return text;
}

// A posthog-js /e/ body: {api_key, batch, sent_at} of `size` events.
std::string captureBody(int size)
{
    std::mt19937_64 rng(7);
    nlohmann::json batch = nlohmann::json::array();
    for (int i = 0; i < size; ++i)
        batch.push_back(makeEvent(rng, 1725358500000 + i * 700, "0191a7e2-6c1d-7b3e-9f4a-2d5c8e1b0a93"));
    return nlohmann::json {
        { "api_key", "phc_Q7xk2Vb9LmN4pR8sT1uW6yZ3aC5dF0gH2jK4lM6nP8" }, { "batch", batch },
        { "sent_at", "2024-09-03T10:15:30.000Z" }
    }.dump();
}

std::string gzipped(const std::string& data)
{
    uLongf size = compressBound(uLong(data.size())) + 32;
    std::string out(size, '\0');
    z_stream zs {};
    deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = uInt(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = uInt(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

// The first `lines` lines of the file.
std::string_view firstLines(std::int64_t lines)
{
    const std::string& text = jsonLines();
    std::size_t end = 0;
    for (std::int64_t i = 0; i < lines && end < text.size(); ++i)
        end = text.find('\n', end) + 1;
    return std::string_view(text).substr(0, end);
}

// A whole file in one call, as `eval` reads it; Arg = lines. Past a few
// thousand lines the actions no longer fit in the caches and memory sets the pace.
void BM_JsonLinesToActions(benchmark::State& state)
{
    const std::string_view text = firstLines(state.range(0));
    const auto lines = state.range(0);
    PostHogIntake intake;
    std::size_t actions = 0;
    for (auto _ : state) {
        auto batch = intake.parseJsonLines(text);
        for (auto& event : batch.events)
            finaliseAction(event.action, kRoutes);
        actions += batch.events.size();
        if (!batch.errors.empty())
            state.SkipWithError("unexpected intake errors");
        benchmark::DoNotOptimize(batch);
    }
    state.SetItemsProcessed(std::int64_t(actions));
    state.SetBytesProcessed(std::int64_t(state.iterations() * text.size()));
    state.counters["bytes_per_event"] = double(text.size()) / double(lines);
}
BENCHMARK(BM_JsonLinesToActions)->Arg(1000)->Arg(kLines)->Unit(benchmark::kMillisecond);

// The same lines in requests of 50 events, as the capture endpoints see them:
// each batch is finalised and dropped before the next, so it stays in cache.
void BM_JsonLinesToActionsPer50(benchmark::State& state)
{
    const std::string& text = jsonLines();
    std::vector<std::string_view> chunks;
    for (std::size_t pos = 0, lines = 0, start = 0; pos < text.size(); ++pos) {
        if (text[pos] == '\n' && ++lines % 50 == 0) {
            chunks.emplace_back(text.data() + start, pos + 1 - start);
            start = pos + 1;
        }
    }
    PostHogIntake intake;
    std::size_t actions = 0;
    for (auto _ : state) {
        for (const auto chunk : chunks) {
            auto batch = intake.parseJsonLines(chunk);
            for (auto& event : batch.events)
                finaliseAction(event.action, kRoutes);
            actions += batch.events.size();
            benchmark::DoNotOptimize(batch);
        }
    }
    state.SetItemsProcessed(std::int64_t(actions));
    state.SetBytesProcessed(std::int64_t(state.iterations() * text.size()));
}
BENCHMARK(BM_JsonLinesToActionsPer50)->Unit(benchmark::kMillisecond);

// The same lines parsed but not finalised: what the JSON and shape mapping cost alone.
void BM_JsonLinesParseOnly(benchmark::State& state)
{
    const std::string& text = jsonLines();
    PostHogIntake intake;
    for (auto _ : state)
        benchmark::DoNotOptimize(intake.parseJsonLines(text));
    state.SetItemsProcessed(state.iterations() * kLines);
    state.SetBytesProcessed(std::int64_t(state.iterations() * text.size()));
}
BENCHMARK(BM_JsonLinesParseOnly)->Unit(benchmark::kMillisecond);

// Reference point: a full nlohmann DOM parse of the same lines, nothing else.
void BM_NlohmannDomParseOnly(benchmark::State& state)
{
    const std::string& text = jsonLines();
    for (auto _ : state) {
        std::size_t pos = 0;
        while (pos < text.size()) {
            const auto end = text.find('\n', pos);
            benchmark::DoNotOptimize(nlohmann::json::parse(
                text.begin() + std::ptrdiff_t(pos), text.begin() + std::ptrdiff_t(end), nullptr, false));
            pos = end + 1;
        }
    }
    state.SetItemsProcessed(state.iterations() * kLines);
    state.SetBytesProcessed(std::int64_t(state.iterations() * text.size()));
}
BENCHMARK(BM_NlohmannDomParseOnly)->Unit(benchmark::kMillisecond);

// The capture endpoint: a gzip-js /e/ body of 50 events, decoded and turned into actions.
void BM_GzipCaptureBodyToActions(benchmark::State& state)
{
    const std::string body = gzipped(captureBody(50));
    PostHogIntake intake;
    for (auto _ : state) {
        auto decoded = decodeCaptureBody(body, "text/plain", "gzip-js");
        auto batch = intake.parseBody(*decoded);
        for (auto& event : batch.events)
            finaliseAction(event.action, kRoutes);
        benchmark::DoNotOptimize(batch);
    }
    state.SetItemsProcessed(state.iterations() * 50);
}
BENCHMARK(BM_GzipCaptureBodyToActions)->Unit(benchmark::kMicrosecond);

void BM_ParseElementsChain(benchmark::State& state)
{
    std::mt19937_64 rng(1);
    const std::string chain = chainFor(rng, "New project");
    for (auto _ : state)
        benchmark::DoNotOptimize(parseElementsChain(chain));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseElementsChain);

void BM_CanonicalUrl(benchmark::State& state)
{
    const std::string url = "https://App.Example.com/projects/8f14e45f-ceea-467f-a0e6-3f7a2b9c1d20/runs/4242?tab=all#x";
    for (auto _ : state)
        benchmark::DoNotOptimize(canonicalUrl(url, kRoutes));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CanonicalUrl);

} // namespace

BENCHMARK_MAIN();
