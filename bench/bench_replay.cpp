// Batch replay throughput (issue #8): a generated corpus of recorded sessions
// replayed through the connector and the simulated client (polls every 20
// virtual seconds) with the demo workspace's triggers. A harness rather than
// Google Benchmark: the issue asks for wall time of one whole batch on one
// core, and of a sweep on every core.
//
//   bench_replay [sessions=10000] [actions-per-session=100] [all|batch]
//
// `batch` runs only the one-core batch without explanations (for profiling).
// Prints: the corpus, its import from JSON lines (events/s), the batch on
// one core with and without per-poll explanations, and a sweep of 8 dwell
// thresholds on every core.

#include "replaycorpus.h"
#include "replay/replaybatch.h"
#include "replay/sessionimport.h"
#include "triggers/trigger.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

using namespace proactive;
using namespace std::chrono_literals;

namespace {

double secondsSince(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void printBatch(const char* label, const BatchTotals& totals, double seconds)
{
    std::printf("%-44s %7.2f s  %9.0f events/s  %8.0f polls/s  (%zu polls, %zu offers, %zu sessions reached)\n", label,
        seconds, static_cast<double>(totals.actions) / seconds, static_cast<double>(totals.polls) / seconds,
        totals.polls, totals.firings, totals.sessionsReached);
}

} // namespace

int main(int argc, char** argv)
{
    const int sessions = argc > 1 ? std::atoi(argv[1]) : 10'000;
    const int perSession = argc > 2 ? std::atoi(argv[2]) : 100;
    const bool onlyBatch = argc > 3 && std::string(argv[3]) == "batch";

    Diagnostics diagnostics;
    auto workspace = std::make_shared<const Workspace>(
        Workspace::load(PROACTIVE_SOURCE_DIR "/resources/demo-workspace", diagnostics));
    const Product* product = workspace->product("demo");
    if (!product || !diagnostics.empty()) {
        std::fprintf(stderr, "cannot load the demo workspace\n");
        return 1;
    }

    auto t0 = std::chrono::steady_clock::now();
    std::vector<RecordedSession> corpus;
    corpus.reserve(static_cast<std::size_t>(sessions));
    // The first 1000 sessions as an export, for the import figure: recorded
    // sessions keep no uuids.
    std::string text;
    ActionInterner interner; // one per corpus, as an import has
    for (auto& actions : bench::generateReplayCorpus(sessions, perSession)) {
        if (corpus.size() < 1000)
            for (const Action& action : actions)
                text += bench::exportLine(action);
        std::string sessionId = actions.front().sessionId;
        corpus.push_back(recordSession(*product, std::move(sessionId), std::move(actions), interner));
    }
    std::size_t events = 0;
    for (const auto& session : corpus)
        events += session.actions.size();
    std::printf("corpus                                       %d sessions, %zu events (generated in %.2f s)\n",
        sessions, events, secondsSince(t0));
    std::printf("triggers                                     the demo workspace's %zu (product demo)\n",
        product->triggers->triggers().size());
    std::printf("cores                                        %u\n\n", std::thread::hardware_concurrency());

    if (!onlyBatch) {
        SessionImporter importer(workspace);
        t0 = std::chrono::steady_clock::now();
        importer.addText(text, "corpus.jsonl");
        const auto imported = importer.finish();
        const double s = secondsSince(t0);
        std::printf("%-44s %7.2f s  %9.0f events/s  (%zu events, %.1f MB)\n", "import: JSON lines, one core", s,
            static_cast<double>(imported.events) / s, imported.events, static_cast<double>(text.size()) / 1e6);
    }

    ReplaySettings settings; // polls every 20 s, first after 5 s, explain on, policy never
    BatchOptions oneCore;
    oneCore.threads = 1;
    for (const bool explain : { false, true }) {
        settings.client.explain = explain;
        t0 = std::chrono::steady_clock::now();
        auto batch = runBatch(workspace, corpus, settings, oneCore);
        const double s = secondsSince(t0);
        if (!batch) {
            std::fprintf(stderr, "%s\n", batch.error().toString().c_str());
            return 1;
        }
        printBatch(
            explain ? "batch, one core, every poll explained" : "batch, one core, no explanations", batch->totals, s);
        if (onlyBatch)
            return 0;
    }
    settings.policy = *ResponsePolicy::parse("dismiss:5");
    settings.client.explain = false;
    {
        t0 = std::chrono::steady_clock::now();
        auto batch = runBatch(workspace, corpus, settings, oneCore);
        const double s = secondsSince(t0);
        if (!batch)
            return 1;
        printBatch("batch, one core, no explanations, dismiss:5", batch->totals, s);
    }

    const auto axis = SweepAxis::parse("user_page_dwell.threshold_s=30,40,50,60,70,80,90,100");
    settings.policy = {};
    t0 = std::chrono::steady_clock::now();
    auto sweep = runSweep(workspace, "demo", corpus, settings, std::span(&*axis, 1), BatchOptions {});
    const double s = secondsSince(t0);
    if (!sweep) {
        std::fprintf(stderr, "%s\n", sweep.error().toString().c_str());
        return 1;
    }
    std::printf("%-44s %7.2f s  %9.0f events/s  (8 × %zu events)\n", "sweep of 8 dwell thresholds, every core", s,
        8.0 * static_cast<double>(events) / s, events);
    for (const SweepPoint& point : sweep->points)
        std::printf("    %-40s reached %5zu sessions, %6zu offers\n", point.settings.front().toString().c_str(),
            point.totals.sessionsReached, point.totals.firings);
    return 0;
}
