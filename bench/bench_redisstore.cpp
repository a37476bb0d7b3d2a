// The connector on Redis (issue 17): round trips and latency of one
// decision, in process, against a running redis-server. For each kind of
// call — a capture of one event into a known session, a poll that matches
// nothing (the common case), a poll that offers, and the same polls on a
// product with frequency rules, a holdout and a user-day quota — prints the
// round trips per call (RedisStore::roundTrips(), exact) and p50/p99 of its
// time. The target: at most 2 round trips per poll in the common case.
// A harness; bench/bench_scaleout.sh runs it against its own redis-server.
//
//   bench_redisstore redis://127.0.0.1:6379/0 [sessions=2000]

#include "benchworkspace.h"
#include "connector/connector.h"
#include "store/redisstore.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace proactive;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<const Workspace> workspace(bool offerRules)
{
    const char* plain = R"([{
        "product_id": "bench", "routes": ["/projects/:slug"], "max_new_sessions_per_second": 0,
        "proactive": { "enabled": true, "min_interval_s": 0, "quotas": { "product_per_minute": 100000, "session_per_hour": 10 } },
        "triggers": [
          { "id": "ping-pong", "body": "Looking for something?", "when": { "type": "canonical_url_ping_pong", "min_cycles": 1 } },
          { "id": "dwell", "body": "Need a hand?", "when": { "type": "user_page_dwell", "threshold_s": 3600, "max_actions": 5 } }
        ] }])";
    const char* rules = R"([{
        "product_id": "bench", "routes": ["/projects/:slug"], "max_new_sessions_per_second": 0,
        "proactive": { "enabled": true, "min_interval_s": 0, "wait_after_offer_s": 600, "wait_scope": "group",
                       "holdout_percent": 10, "quotas": { "product_per_minute": 100000, "user_per_day": 10 } },
        "triggers": [
          { "id": "ping-pong", "body": "Looking for something?", "group": "nudge",
            "frequency": { "max_per_user": 5, "within_s": 86400 },
            "when": { "type": "canonical_url_ping_pong", "min_cycles": 1 } },
          { "id": "dwell", "body": "Need a hand?", "group": "help", "frequency": "until_interacted",
            "when": { "type": "user_page_dwell", "threshold_s": 3600, "max_actions": 5 } }
        ] }])";
    return bench::workspaceOf(offerRules ? rules : plain);
}

struct Figures {
    std::vector<double> micros;
    std::uint64_t roundTrips = 0;

    void print(const char* name) const
    {
        std::vector<double> sorted = micros;
        std::sort(sorted.begin(), sorted.end());
        const auto at = [&](double q) { return sorted[std::min(sorted.size() - 1, std::size_t(q * sorted.size()))]; };
        std::printf("  %-34s %6zu calls  %4.2f round trips/call  p50 %7.1f µs  p99 %7.1f µs\n", name, sorted.size(),
            double(roundTrips) / double(sorted.size()), at(0.5), at(0.99));
    }
};

template<typename Call> void measure(Figures& figures, const RedisStore& store, const Call& call)
{
    const std::uint64_t before = store.roundTrips();
    const auto start = std::chrono::steady_clock::now();
    call();
    figures.micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    figures.roundTrips += store.roundTrips() - before;
}

void run(const std::string& url, int sessions, bool offerRules)
{
    static int runs = 0;
    const std::string prefix = "bench" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count())
        + "-" + std::to_string(++runs);
    auto opened = RedisStore::open(url + (url.find('?') == std::string::npos ? "?" : "&") + "prefix=" + prefix);
    if (!opened) {
        std::fprintf(stderr, "%s\n", opened.error().toString().c_str());
        std::exit(1);
    }
    RedisStore& store = **opened;
    VirtualClock clock(fromEpochMs(1'760'000'000'000));
    Connector connector(workspace(offerRules), store, clock);

    const auto id = [](int i) { return "s" + std::to_string(i); };
    // Every session: the project list, then a project (no trigger matches yet).
    for (int i = 0; i < sessions; ++i) {
        std::vector<Action> actions { bench::pageview(
                                          id(i), "user-" + id(i), "/projects", clock.now() - 30s, id(i) + "-0"),
            bench::pageview(id(i), "user-" + id(i), "/projects/p1", clock.now() - 20s, id(i) + "-1") };
        if (!connector.ingest("bench", std::move(actions))) {
            std::fprintf(stderr, "seeding failed\n");
            std::exit(1);
        }
    }
    Figures capture, idlePoll, offeringPoll;
    for (int i = 0; i < sessions; ++i)
        measure(idlePoll, store, [&] { (void)connector.context("bench", id(i)); });
    for (int i = 0; i < sessions; ++i)
        measure(capture, store, [&] {
            (void)connector.ingest(
                "bench", { bench::pageview(id(i), "user-" + id(i), "/projects", clock.now(), id(i) + "-back") });
        });
    // Back on /projects after /projects/p1: a ping-pong, offered (or held out).
    for (int i = 0; i < sessions; ++i)
        measure(offeringPoll, store, [&] { (void)connector.context("bench", id(i)); });
    std::printf("%s\n",
        offerRules ? "product with frequency rules, wait, holdout and user_per_day"
                   : "product with product and session quotas");
    capture.print("capture of one event");
    idlePoll.print("poll, no trigger matches (common)");
    offeringPoll.print("poll that offers");
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_redisstore redis://HOST:PORT/DB [sessions]\n");
        return 2;
    }
    const int sessions = argc > 2 ? std::atoi(argv[2]) : 2000;
    run(argv[1], sessions, false);
    run(argv[1], sessions, true);
    return 0;
}
