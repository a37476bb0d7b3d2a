// Live intake of one long session: `serve` receives posthog-js events a few
// at a time, so one session arrives as many small Connector::ingest calls.
// Each iteration ingests a fresh session of 10k actions in batches of 10
// (every event with its uuid, as posthog-js sends them) and reports the
// median cost of one batch over three stretches of the session: actions 0 to
// 200 (us_0_200), 200 to 400 (us_200_400: with the default retention of 200
// each batch now also drops 10 old actions) and 9800 to 10000
// (us_9800_10000). The duplicate check must not make a batch cost more as
// the session grows. Medians, because SQLite's WAL checkpoints (a few ms
// every few dozen commits) land in whichever stretch they happen to; the mean
// over all batches, checkpoints included, is 10 / items_per_second.
//
//   bench_ingest [--benchmark_filter=...]
//
// Args: store (0 = MemoryStore, 1 = SqliteStore on a file in /tmp), actions
// retained per session (200 is the default retention).

#include "benchworkspace.h"
#include "connector/connector.h"
#include "store/memorystore.h"
#include "store/sqlitestore.h"

#include <algorithm>
#include <benchmark/benchmark.h>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

using namespace proactive;

namespace {

constexpr int kActions = 10'000;
constexpr int kBatch = 10;
constexpr int kBatches = kActions / kBatch;
constexpr int kStretch = 20; // batches per measured stretch

std::shared_ptr<const Workspace> benchWorkspace()
{
    return bench::workspaceOf(R"([{
        "product_id": "bench",
        "routes": ["/projects/:slug", "/projects/:slug/settings", "/settings/account"],
        "proactive": { "enabled": true },
        "triggers": []
    }])");
}

// A posthog-js-like uuid (v7 shape), unique per action number.
std::string uuidOf(int n)
{
    char text[40];
    std::snprintf(text, sizeof text, "0191a7e2-6c1d-7b3e-9f4a-%012x", static_cast<unsigned>(n) * 2654435761u);
    return text;
}

std::vector<Action> batchOf(const std::string& session, int first, Timestamp start)
{
    static const char* const paths[]
        = { "/projects", "/projects/acme-7", "/projects/acme-7/settings", "/settings/account" };
    std::vector<Action> actions;
    actions.reserve(kBatch);
    for (int n = first; n < first + kBatch; ++n) {
        Action action;
        action.type = n % 3 == 0 ? ActionType::Pageview : ActionType::Click;
        action.event = n % 3 == 0 ? "$pageview" : "$autocapture";
        action.uuid = uuidOf(n);
        action.sessionId = session;
        action.distinctId = "user-1";
        action.rawUrl = std::string("https://app.example.com") + paths[n % 4];
        action.element.tag = "button";
        action.element.text = "New project";
        action.timestampStart = start + std::chrono::milliseconds(700) * n;
        action.timestampEnd = action.timestampStart;
        actions.push_back(std::move(action));
    }
    return actions;
}

struct OpenedStore {
    std::unique_ptr<Store> store;
    std::string path;
    ~OpenedStore()
    {
        store.reset();
        if (!path.empty())
            for (const char* suffix : { "", "-wal", "-shm" })
                std::filesystem::remove(path + suffix);
    }
};

bool openStore(OpenedStore& opened, bool sqlite, StoreRetention retention, int run)
{
    if (!sqlite) {
        opened.store = std::make_unique<MemoryStore>(retention);
        return true;
    }
    opened.path = (std::filesystem::temp_directory_path()
        / ("bench_ingest-" + std::to_string(getpid()) + "-" + std::to_string(run) + ".db"))
                      .string();
    auto store = SqliteStore::open(opened.path, retention);
    if (!store)
        return false;
    opened.store = std::move(store).value();
    return true;
}

void BM_IngestLongSessionInBatches(benchmark::State& state)
{
    const bool sqlite = state.range(0) == 1;
    StoreRetention retention;
    retention.maxActionsPerSession = static_cast<std::size_t>(state.range(1));
    const auto workspace = benchWorkspace();
    const Timestamp start = fromEpochMs(1'725'358'500'000);
    VirtualClock clock(start);

    std::vector<double> firstMicros;
    std::vector<double> secondMicros;
    std::vector<double> lastMicros;
    int run = 0;
    for (auto _ : state) {
        state.PauseTiming();
        OpenedStore opened;
        if (!openStore(opened, sqlite, retention, run++)) {
            state.SkipWithError("cannot open the store");
            return;
        }
        Connector connector(workspace, *opened.store, clock);
        const std::string session = "0191a7e2-6c1d-7b3e-9f4a-2d5c8e1b0a93-" + std::to_string(run);
        state.ResumeTiming();

        for (int b = 0; b < kBatches; ++b) {
            auto actions = batchOf(session, b * kBatch, start);
            const auto t0 = std::chrono::steady_clock::now();
            const auto result = connector.ingest("bench", std::move(actions));
            const auto t1 = std::chrono::steady_clock::now();
            if (!result || result->accepted != std::size_t(kBatch)) {
                state.SkipWithError("ingest did not accept the batch");
                return;
            }
            const double micros = std::chrono::duration<double, std::micro>(t1 - t0).count();
            if (b < kStretch)
                firstMicros.push_back(micros);
            else if (b < 2 * kStretch)
                secondMicros.push_back(micros);
            else if (b >= kBatches - kStretch)
                lastMicros.push_back(micros);
        }

        state.PauseTiming();
        opened.store.reset(); // closing (the final checkpoint) is not part of the measurement
        state.ResumeTiming();
    }
    const auto medianOf = [](std::vector<double>& micros) {
        std::nth_element(micros.begin(), micros.begin() + std::ptrdiff_t(micros.size() / 2), micros.end());
        return micros[micros.size() / 2];
    };
    state.counters["us_0_200"] = medianOf(firstMicros);
    state.counters["us_200_400"] = medianOf(secondMicros);
    state.counters["us_9800_10000"] = medianOf(lastMicros);
    state.SetItemsProcessed(state.iterations() * kActions);
}
BENCHMARK(BM_IngestLongSessionInBatches)
    ->ArgNames({ "sqlite", "retained" })
    ->Args({ 0, 200 })
    ->Args({ 0, kActions })
    ->Args({ 1, 200 })
    ->Args({ 1, kActions })
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

} // namespace

BENCHMARK_MAIN();
