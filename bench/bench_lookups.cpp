// The store's lookups by user and by email (issue 20), each beside its
// neighbour measured in the same run:
//
//  1. New sessions sharing one distinct id: the cost of one new session
//     (Connector::ingest of one pageview, 50 new sessions a call, as a
//     posthog-js batch brings them) after N sessions of that id, beside new
//     sessions with an id of their own after N sessions of other ids.
//  2. /retrieval by email beside /retrieval by session id with N sessions
//     held: the store's lookup, Connector::recentActivity, and the
//     endpoint's core in process (parse the body, recentActivity,
//     retrievalRecords, serialise), without the HTTP layer.
//
// Every figure is the time of one operation, min/median/max over the rounds;
// each round starts from a freshly filled store, so N is the same in every
// round. A harness rather than Google Benchmark: the issue asks for figures
// side by side and their ratio.
//
//   bench_lookups [rounds=5] [largest_store=1000000]

#include "benchworkspace.h"
#include "connector/connector.h"
#include "service/retrieval.h"
#include "store/memorystore.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

using namespace proactive;
using namespace std::chrono_literals;

namespace {

constexpr const char* kProduct = "bench";
constexpr int kNewSessions = 1000; // timed per round in part 1
constexpr int kSessionsPerCall = 50;
constexpr int kActionsPerTarget = 20; // actions of the sessions /retrieval asks for
constexpr int kTargets = 64;
const Timestamp kNow = fromEpochMs(1'725'358'500'000);

std::shared_ptr<const Workspace> benchWorkspace()
{
    // Stores are filled at one instant of the virtual clock: no bound on
    // new sessions.
    return bench::workspaceOf(R"([{
        "product_id": "bench",
        "routes": ["/projects/:slug", "/settings/account"],
        "max_new_sessions_per_second": 0,
        "max_new_sessions_per_request": 0,
        "proactive": { "enabled": true },
        "triggers": []
    }])");
}

using Clock = std::chrono::steady_clock;

struct Spread {
    double min = 0, median = 0, max = 0;
};

Spread spreadOf(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return { values.front(), values[values.size() / 2], values.back() };
}

std::string show(const Spread& s)
{
    char text[96];
    std::snprintf(text, sizeof text, "%9.2f %9.2f %9.2f", s.min, s.median, s.max);
    return text;
}

// Microseconds per call of `op`, repeated until at least `minimum` has
// passed (at least once).
double microsPerCall(const std::function<void(int)>& op, Duration minimum = 20ms)
{
    int calls = 0;
    const auto start = Clock::now();
    auto elapsed = Clock::duration::zero();
    do {
        op(calls++);
        elapsed = Clock::now() - start;
    } while (elapsed < minimum);
    return std::chrono::duration<double, std::micro>(elapsed).count() / calls;
}

std::string sessionName(int i)
{
    return "session-" + std::to_string(i);
}

// `count` sessions, all live at kNow, a second of lastSeen apart in steps
// of a millisecond; their distinct ids and emails from `distinctOf` / `emailOf`.
void fill(MemoryStore& store, int count, const std::function<std::string(int)>& distinctOf,
    const std::function<std::string(int)>& emailOf)
{
    constexpr int kChunk = 10'000;
    for (int first = 0; first < count; first += kChunk) {
        StoreWrite write;
        for (int i = first; i < std::min(count, first + kChunk); ++i) {
            const Timestamp seen = kNow - 20min + 1ms * (i % 600'000);
            write.sessions.push_back(
                { { kProduct, sessionName(i) }, { distinctOf(i), emailOf(i), seen, seen, 1, {} } });
        }
        if (!store.commit(write)) {
            std::fprintf(stderr, "fill failed\n");
            std::exit(1);
        }
    }
}

Action pageview(const std::string& session, const std::string& distinct, Timestamp at)
{
    Action action;
    action.type = ActionType::Pageview;
    action.event = "$pageview";
    action.title = "Viewed page";
    action.description = "Viewed page /settings/account";
    action.sessionId = session;
    action.distinctId = distinct;
    action.rawUrl = "https://app.example.com/settings/account";
    action.timestampStart = at;
    action.timestampEnd = at;
    return action;
}

// Part 1: µs per new session after `held` sessions, of one distinct id or of
// one id each.
double newSessionCost(int held, bool shared)
{
    VirtualClock clock(kNow);
    MemoryStore store;
    Connector connector(benchWorkspace(), store, clock);
    fill(
        store, held, [&](int i) { return shared ? std::string("shared-user") : "user-" + std::to_string(i); },
        [&](int i) {
            return shared ? std::string("shared@example.com") : "user-" + std::to_string(i) + "@example.com";
        });

    std::vector<std::vector<Action>> calls(kNewSessions / kSessionsPerCall);
    for (int i = 0; i < kNewSessions; ++i) {
        const std::string distinct = shared ? std::string("shared-user") : "new-user-" + std::to_string(i);
        calls[static_cast<std::size_t>(i / kSessionsPerCall)].push_back(
            pageview("new-" + std::to_string(i), distinct, kNow - 1s + 1ms * i));
    }
    const auto start = Clock::now();
    for (auto& actions : calls) {
        const auto ingested = connector.ingest(kProduct, std::move(actions));
        if (!ingested || ingested->accepted != kSessionsPerCall) {
            std::fprintf(stderr, "ingest failed\n");
            std::exit(1);
        }
    }
    return std::chrono::duration<double, std::micro>(Clock::now() - start).count() / kNewSessions;
}

void partNewSessions(int rounds)
{
    std::printf("New sessions sharing one distinct id vs own ids (Connector::ingest, %d new sessions a call;\n"
                "µs per new session, min / median / max over %d rounds)\n",
        kSessionsPerCall, rounds);
    std::printf("  %-9s %-29s %-29s %s\n", "held", "one distinct id", "own ids", "ratio (medians)");
    double firstShared = 0;
    for (const int held : { 1'000, 20'000, 100'000 }) {
        std::vector<double> shared, own;
        for (int r = 0; r < rounds; ++r) {
            shared.push_back(newSessionCost(held, true));
            own.push_back(newSessionCost(held, false));
        }
        const Spread s = spreadOf(shared), o = spreadOf(own);
        if (firstShared == 0)
            firstShared = s.median;
        std::printf("  %-9d %s   %s   %.2f× own, %.2f× at 1k\n", held, show(s).c_str(), show(o).c_str(),
            s.median / o.median, s.median / firstShared);
    }
}

// Part 2: /retrieval by email beside by session id with `held` sessions.
void partRetrieval(int held, int rounds)
{
    VirtualClock clock(kNow);
    MemoryStore store;
    Connector connector(benchWorkspace(), store, clock);
    fill(
        store, held, [](int i) { return "user-" + std::to_string(i); },
        [](int i) { return "user-" + std::to_string(i) + "@example.com"; });
    // The sessions asked for, spread over the store, each with some actions.
    std::vector<int> targets;
    StoreWrite actions;
    for (int t = 0; t < kTargets; ++t) {
        const int i = static_cast<int>((static_cast<long long>(t) * 7919 * 104729) % held);
        targets.push_back(i);
        for (int a = 0; a < kActionsPerTarget; ++a)
            actions.actions.push_back({ { kProduct, sessionName(i) },
                pageview(sessionName(i), "user-" + std::to_string(i), kNow - 20min + 1ms * (i % 600'000) - 1s * a) });
    }
    if (!store.commit(actions)) {
        std::fprintf(stderr, "fill failed\n");
        std::exit(1);
    }
    const auto emailOf = [&](int call) { return "user-" + std::to_string(targets[call % kTargets]) + "@example.com"; };
    const auto idOf = [&](int call) { return sessionName(targets[call % kTargets]); };
    const auto body = [](const std::string& knowledgeId) {
        return R"({"knowledge_id":")" + knowledgeId
            + R"(","query":"what is the user doing","retrieval_setting":{"top_k":5,"score_threshold":0}})";
    };
    const auto endpointCore = [&](const std::string& requestBody) {
        const auto request = service::parseRetrievalRequest(requestBody);
        const auto activity = connector.recentActivity(request->knowledgeId, static_cast<std::size_t>(request->topK));
        if (!activity) {
            std::fprintf(stderr, "retrieval found nothing\n");
            std::exit(1);
        }
        return service::retrievalRecords(*activity, *request);
    };
    std::vector<std::string> emailBodies, idBodies;
    for (int c = 0; c < kTargets; ++c) {
        emailBodies.push_back(body(emailOf(c)));
        idBodies.push_back(body(idOf(c)));
    }

    struct Measure {
        const char* name;
        std::function<void(int)> byEmail, byId;
        std::vector<double> email, id;
    };
    std::size_t sink = 0;
    std::vector<Measure> measures;
    measures.push_back({ "store: latestSessionOfEmail / session",
        [&](int c) { sink += store.latestSessionOfEmail(kProduct, emailOf(c))->size(); },
        [&](int c) {
            sink += store.session({ kProduct, idOf(c) })->actionCount;
        },
        {}, {} });
    measures.push_back(
        { "Connector::recentActivity", [&](int c) { sink += connector.recentActivity(emailOf(c), 5)->actions.size(); },
            [&](int c) { sink += connector.recentActivity(idOf(c), 5)->actions.size(); }, {}, {} });
    measures.push_back({ "endpoint core (parse, recentActivity, records, dump)",
        [&](int c) { sink += endpointCore(emailBodies[static_cast<std::size_t>(c % kTargets)]).size(); },
        [&](int c) { sink += endpointCore(idBodies[static_cast<std::size_t>(c % kTargets)]).size(); }, {}, {} });
    for (int r = 0; r < rounds; ++r)
        for (Measure& m : measures) {
            m.email.push_back(microsPerCall(m.byEmail));
            m.id.push_back(microsPerCall(m.byId));
        }
    std::printf("/retrieval with %d sessions held (µs per lookup, min / median / max over %d rounds)\n", held, rounds);
    std::printf("  %-52s %-29s %-29s %s\n", "", "by email", "by session id", "ratio (medians)");
    for (const Measure& m : measures) {
        const Spread e = spreadOf(m.email), i = spreadOf(m.id);
        std::printf("  %-52s %s   %s   %.1f×\n", m.name, show(e).c_str(), show(i).c_str(), e.median / i.median);
    }
    if (sink == 0)
        std::printf("(nothing found)\n");
}

} // namespace

int main(int argc, char** argv)
{
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 5;
    const int largest = argc > 2 ? std::atoi(argv[2]) : 1'000'000;
    if (rounds <= 0 || largest < 100'000) {
        std::fprintf(stderr, "usage: bench_lookups [rounds ≥ 1] [largest_store ≥ 100000]\n");
        return 2;
    }
    partNewSessions(rounds);
    std::printf("\n");
    partRetrieval(100'000, rounds);
    std::printf("\n");
    partRetrieval(largest, rounds);
    return 0;
}
