// Decision latency: one in-process /context evaluation (Connector::context:
// all six gates, the default built-in triggers) with many live sessions
// held in memory. Prints p50/p90/p99 over a random sample of sessions and
// the memory held per idle session. A harness rather than Google Benchmark
// because the issue asks for percentiles, not a mean.
//
//   bench_decision [sessions=100000] [polls=200000]

#include "benchworkspace.h"
#include "connector/connector.h"
#include "store/memorystore.h"
#include "triggers/trigger.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <unistd.h>

using namespace proactive;
using namespace std::chrono_literals;

namespace {

long residentKiB()
{
    std::ifstream statm("/proc/self/statm");
    long size = 0, resident = 0;
    statm >> size >> resident;
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// The demo workspace's default triggers: the three built-ins.
std::shared_ptr<const Workspace> defaultWorkspace()
{
    // The sessions are seeded at one instant of the virtual clock: no bound
    // on new sessions a second.
    return bench::workspaceOf(R"([{
        "product_id": "bench",
        "routes": ["/projects/:slug", "/projects/:slug/settings", "/settings/account"],
        "max_new_sessions_per_second": 0,
        "proactive": { "enabled": true },
        "triggers": [
          { "id": "ping-pong", "body": "Looking for something?", "when": { "type": "canonical_url_ping_pong", "min_cycles": 1 } },
          { "id": "dwell", "body": "Need a hand?", "when": { "type": "user_page_dwell", "threshold_s": 60, "max_actions": 5 } },
          { "id": "sections", "body": "fallback", "when": { "type": "section_playbook_match",
              "rules": [ { "url_prefix": "/billing", "section": "billing" } ],
              "sections": { "billing": { "body": "Questions about billing?" } } } }
        ]
    }])");
}

double percentile(std::vector<double>& sorted, double p)
{
    return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted.size())))];
}

} // namespace

int main(int argc, char** argv)
{
    const int sessions = argc > 1 ? std::atoi(argv[1]) : 100'000;
    const int polls = argc > 2 ? std::atoi(argv[2]) : 200'000;

    VirtualClock clock(fromEpochMs(1'714'564'800'000));
    MemoryStore store;
    Connector connector(defaultWorkspace(), store, clock);

    // Each session: three pageviews that match no trigger (no ping-pong, a
    // dwell run of 20 s), so every poll runs all six gates and all triggers.
    const long before = residentKiB();
    const Timestamp start = clock.now();
    for (int i = 0; i < sessions; ++i) {
        const std::string session = "s-" + std::to_string(i);
        std::vector<Action> actions { bench::pageview(session, "user-" + session, "/projects", start),
            bench::pageview(session, "user-" + session, "/projects/p" + std::to_string(i % 50), start + 10s),
            bench::pageview(session, "user-" + session, "/settings/account", start + 20s) };
        if (!connector.ingest("bench", std::move(actions))) {
            std::fprintf(stderr, "ingest failed\n");
            return 1;
        }
    }
    const long after = residentKiB();
    clock.set(start + 25s);

    std::mt19937 random(42);
    std::uniform_int_distribution<int> pick(0, sessions - 1);
    std::vector<std::string> ids(static_cast<std::size_t>(polls));
    for (auto& id : ids)
        id = "s-" + std::to_string(pick(random));

    std::vector<double> latencies;
    latencies.reserve(ids.size());
    std::size_t fired = 0;
    for (const auto& id : ids) {
        const auto t0 = std::chrono::steady_clock::now();
        auto decision = connector.context("bench", id);
        const auto t1 = std::chrono::steady_clock::now();
        fired += decision && decision->offer ? 1 : 0;
        latencies.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    std::sort(latencies.begin(), latencies.end());

    std::printf("sessions held            %d (3 actions each)\n", sessions);
    std::printf("polls                    %d (offers fired: %zu)\n", polls, fired);
    std::printf("decision p50             %.2f us\n", percentile(latencies, 0.50));
    std::printf("decision p90             %.2f us\n", percentile(latencies, 0.90));
    std::printf("decision p99             %.2f us\n", percentile(latencies, 0.99));
    std::printf("decision max             %.2f us\n", latencies.back());
    std::printf("memory per idle session  %.0f bytes (RSS delta %ld KiB)\n",
        static_cast<double>(after - before) * 1024.0 / sessions, after - before);
    return 0;
}
