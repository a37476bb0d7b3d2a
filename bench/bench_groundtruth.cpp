// Ground truth's cost (issue 15), a harness:
//
//  1. 1M events (10k sessions × 100 actions of the generated replay corpus)
//     with 10k labelled ranges and 10k expectations: the plain batch replay
//     on one core, against the same replay judged (evaluateGroundTruth) and
//     with every failing expectation explained (explainFailures replays the
//     failing sessions up to the moment that decided them). Goal ≤ 1.2×.
//  2. The trigger editor's live refresh: 300 labelled sessions replayed on
//     every core and judged, as the editor does after each edit. Goal
//     ≤ 200 ms.
//
// Rounds alternate the plain and the judged run; min / median / max.
//
//   bench_groundtruth [sessions=10000] [actions per session=100] [rounds=3]

#include "groundtruth/groundtruth.h"
#include "groundtruth/labelset.h"
#include "replay/replaybatch.h"
#include "replaycorpus.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

using namespace proactive;

namespace {

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// One help_wanted or no_help range per session, and one expectation: every
// third session expects ping-pong to fire somewhere in its first five
// minutes (most do not: those are failures to explain), the others expect no
// offer in their first ten seconds.
LabelSet labelsFor(const std::vector<RecordedSession>& sessions)
{
    nlohmann::json document { { "sessions", nlohmann::json::array() } };
    for (std::size_t i = 0; i < sessions.size(); ++i) {
        const bool help = i % 2 == 0;
        nlohmann::json range { { "kind", help ? "help_wanted" : "no_help" }, { "from", 60 + i % 120 },
            { "to", 180 + i % 120 } };
        if (help && i % 4 == 0)
            range["answer"] = "ping-pong";
        nlohmann::json expectation = i % 3 == 0
            ? nlohmann::json { { "expect", "fires" }, { "trigger", "ping-pong" }, { "to", 300 } }
            : nlohmann::json { { "expect", "no_offer" }, { "to", 10 } };
        document["sessions"].push_back({ { "session_id", sessions[i].summary.sessionId },
            { "fully_labelled", i % 5 == 0 }, { "ranges", { range } }, { "expect", { expectation } } });
    }
    Diagnostics diagnostics;
    LabelSet labels;
    labels.add(document, "bench.json", diagnostics);
    if (!diagnostics.empty())
        std::fprintf(stderr, "%s\n", diagnostics.front().toString().c_str());
    return labels;
}

struct Stats {
    std::vector<double> values;
    void add(double v) { values.push_back(v); }
    double min() const { return *std::min_element(values.begin(), values.end()); }
    double max() const { return *std::max_element(values.begin(), values.end()); }
    double median() const
    {
        auto sorted = values;
        std::sort(sorted.begin(), sorted.end());
        return sorted[sorted.size() / 2];
    }
};

std::vector<RecordedSession> corpusOf(const Product& product, int sessions, int perSession)
{
    std::vector<RecordedSession> corpus;
    corpus.reserve(static_cast<std::size_t>(sessions));
    ActionInterner interner; // one per corpus, as an import has
    for (auto& actions : bench::generateReplayCorpus(sessions, perSession)) {
        std::string sessionId = actions.front().sessionId;
        corpus.push_back(recordSession(product, std::move(sessionId), std::move(actions), interner));
    }
    return corpus;
}

} // namespace

int main(int argc, char** argv)
{
    const int sessions = argc > 1 ? std::atoi(argv[1]) : 10'000;
    const int perSession = argc > 2 ? std::atoi(argv[2]) : 100;
    const int rounds = argc > 3 ? std::atoi(argv[3]) : 3;

    Diagnostics diagnostics;
    auto workspace = std::make_shared<const Workspace>(
        Workspace::load(PROACTIVE_SOURCE_DIR "/resources/demo-workspace", diagnostics));
    const Product* product = workspace->product("demo");
    if (!product) {
        std::fprintf(stderr, "cannot load the demo workspace\n");
        return 1;
    }
    const auto corpus = corpusOf(*product, sessions, perSession);
    std::size_t events = 0;
    for (const auto& session : corpus)
        events += session.actions.size();
    const LabelSet labels = labelsFor(corpus);
    std::printf("corpus      %d sessions, %zu events, %zu labelled ranges, %zu expectations\n", sessions, events,
        labels.rangeCount(), labels.expectationCount());
    std::printf("triggers    the demo workspace's %zu; cores %u\n\n", product->triggers->triggers().size(),
        std::thread::hardware_concurrency());

    ReplaySettings settings; // as the command line: no explanations unless asked
    settings.client.explain = false;
    BatchOptions oneCore;
    oneCore.threads = 1;
    Stats plain, judged, evaluateOnly, explainOnly;
    std::size_t failed = 0;
    for (int round = 0; round < rounds; ++round) {
        auto t0 = std::chrono::steady_clock::now();
        auto batch = runBatch(workspace, corpus, settings, oneCore);
        plain.add(secondsSince(t0));
        if (!batch)
            return 1;

        t0 = std::chrono::steady_clock::now();
        auto again = runBatch(workspace, corpus, settings, oneCore);
        const double replay = secondsSince(t0);
        auto t1 = std::chrono::steady_clock::now();
        GroundTruth truth = evaluateGroundTruth(*workspace, corpus, again->records, labels);
        const double evaluate = secondsSince(t1);
        t1 = std::chrono::steady_clock::now();
        if (auto explained = explainFailures(truth, workspace, corpus, settings); !explained) {
            std::fprintf(stderr, "%s\n", explained.error().toString().c_str());
            return 1;
        }
        const double explain = secondsSince(t1);
        judged.add(replay + evaluate + explain);
        evaluateOnly.add(evaluate);
        explainOnly.add(explain);
        failed = truth.expectationsFailed;
        std::printf("round %d     plain %.2f s   judged %.2f s (replay %.2f + evaluate %.3f + explain %.2f)   %.2f×\n",
            round + 1, plain.values.back(), judged.values.back(), replay, evaluate, explain,
            judged.values.back() / plain.values.back());
    }
    std::printf("\n1M events, one core (min / median / max of %d)\n", rounds);
    std::printf("  plain replay                 %.2f / %.2f / %.2f s\n", plain.min(), plain.median(), plain.max());
    std::printf("  replay + metrics + checks    %.2f / %.2f / %.2f s   (%zu failed expectations explained)\n",
        judged.min(), judged.median(), judged.max(), failed);
    std::printf("    of which evaluate          %.3f / %.3f / %.3f s\n", evaluateOnly.min(), evaluateOnly.median(),
        evaluateOnly.max());
    std::printf("    of which explain failures  %.2f / %.2f / %.2f s\n", explainOnly.min(), explainOnly.median(),
        explainOnly.max());
    std::printf("  ratio (medians)              %.2f×   (goal ≤ 1.2×)\n\n", judged.median() / plain.median());

    // The trigger editor's refresh: 300 labelled sessions of 30 actions, every core.
    const auto editorCorpus = corpusOf(*product, 300, 30);
    const LabelSet editorLabels = labelsFor(editorCorpus);
    Stats refresh;
    for (int round = 0; round < std::max(rounds, 5); ++round) {
        const auto t0 = std::chrono::steady_clock::now();
        auto batch = runBatch(workspace, editorCorpus, settings, BatchOptions {});
        if (!batch)
            return 1;
        const GroundTruth truth = evaluateGroundTruth(*workspace, editorCorpus, batch->records, editorLabels);
        refresh.add(secondsSince(t0) * 1000);
        if (truth.labelledSessions != editorCorpus.size())
            return 1;
    }
    std::printf(
        "live refresh, 300 labelled sessions × 30 actions, every core: %.0f / %.0f / %.0f ms   (goal ≤ 200 ms)\n",
        refresh.min(), refresh.median(), refresh.max());
    return 0;
}
