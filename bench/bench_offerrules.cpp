// What the frequency, wait and holdout gates (issue 18, SPEC §8) add to a
// poll: the same polls timed on a product without them and on the same
// product with a frequency rule, a wait by group and a holdout. Polls that
// match a trigger are the ones the new gates work on (they read the user's
// offer history); polls that match nothing only pay for knowing that the
// product has rules. Prints p50/p90/p99 of each set for both products and
// the p50 overhead. A harness, like bench_decision, for the percentiles.
//
//   bench_offerrules [users=20000]

#include "benchworkspace.h"
#include "connector/connector.h"
#include "store/memorystore.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace proactive;
using namespace std::chrono_literals;

namespace {

// The bench_decision product, with or without the rules of issue 18.
std::shared_ptr<const Workspace> workspace(bool offerRules)
{
    const char* plain = R"([{
        "product_id": "bench", "routes": ["/projects/:slug"], "max_new_sessions_per_second": 0,
        "proactive": { "enabled": true },
        "triggers": [
          { "id": "ping-pong", "body": "Looking for something?", "when": { "type": "canonical_url_ping_pong", "min_cycles": 1 } },
          { "id": "dwell", "body": "Need a hand?", "when": { "type": "user_page_dwell", "threshold_s": 60, "max_actions": 5 } }
        ] }])";
    const char* rules = R"([{
        "product_id": "bench", "routes": ["/projects/:slug"], "max_new_sessions_per_second": 0,
        "proactive": { "enabled": true, "wait_after_offer_s": 600, "wait_scope": "group", "holdout_percent": 10 },
        "triggers": [
          { "id": "ping-pong", "body": "Looking for something?", "group": "nudge",
            "frequency": { "max_per_user": 5, "within_s": 86400 },
            "when": { "type": "canonical_url_ping_pong", "min_cycles": 1 } },
          { "id": "dwell", "body": "Need a hand?", "group": "help", "frequency": "until_interacted",
            "when": { "type": "user_page_dwell", "threshold_s": 60, "max_actions": 5 } }
        ] }])";
    return bench::workspaceOf(offerRules ? rules : plain);
}

double percentile(const std::vector<double>& sorted, double p)
{
    return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted.size())))];
}

struct Timings {
    std::vector<double> matching; // polls whose session matches ping-pong
    std::vector<double> idle; // polls that match nothing
};

// One product's connector with its users' sessions.
struct Bed {
    explicit Bed(bool offerRules)
        : connector(workspace(offerRules), store, clock)
    { }
    VirtualClock clock { fromEpochMs(1'714'564'800'000) };
    MemoryStore store;
    Connector connector;
    Timings timings;
};

void seed(Bed& bed, int users, int pass, Timestamp start)
{
    for (int i = 0; i < users; ++i) {
        const std::string user = "user-" + std::to_string(i);
        const std::string p = std::to_string(pass);
        const std::string pingPong = "pp-" + p + "-" + std::to_string(i);
        const std::string reading = "rd-" + p + "-" + std::to_string(i);
        std::vector<Action> actions { bench::pageview(pingPong, user, "/projects", start),
            bench::pageview(pingPong, user, "/projects/p" + std::to_string(i % 50), start + 2s),
            bench::pageview(pingPong, user, "/projects", start + 4s),
            bench::pageview(reading, user, "/projects", start),
            bench::pageview(reading, user, "/projects/p1", start + 10s),
            bench::pageview(reading, user, "/settings", start + 20s) };
        if (!bed.connector.ingest("bench", std::move(actions))) {
            std::fprintf(stderr, "ingest failed\n");
            std::exit(1);
        }
    }
}

void timePoll(Bed& bed, const std::string& session, std::vector<double>& into)
{
    const auto t0 = std::chrono::steady_clock::now();
    const auto decision = bed.connector.context("bench", session);
    const auto t1 = std::chrono::steady_clock::now();
    if (!decision) {
        std::fprintf(stderr, "poll failed\n");
        std::exit(1);
    }
    into.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
}

// Each user: a session going back and forth (ping-pong matches) and one
// reading three pages (nothing matches). Two passes an hour apart: the
// second finds the first offer in the user's history. The two products'
// polls alternate (which goes first too), so that both see the same
// machine: on a shared machine, noise between separate runs is larger
// than the difference measured.
void run(Bed (&beds)[2], int users)
{
    for (int pass = 0; pass < 2; ++pass) {
        const Timestamp start = beds[0].clock.now();
        for (Bed& bed : beds)
            seed(bed, users, pass, start);
        for (Bed& bed : beds)
            bed.clock.set(start + 25s);
        for (int i = 0; i < users; ++i)
            for (const char* kind : { "pp-", "rd-" }) {
                const std::string session = kind + std::to_string(pass) + "-" + std::to_string(i);
                for (const int b : { i % 2, 1 - i % 2 })
                    timePoll(beds[b], session, kind[0] == 'p' ? beds[b].timings.matching : beds[b].timings.idle);
            }
        for (Bed& bed : beds)
            bed.clock.set(start + 1h);
    }
}

} // namespace

int main(int argc, char** argv)
{
    const int users = argc > 1 ? std::atoi(argv[1]) : 20'000;
    Bed beds[2] { Bed(false), Bed(true) };
    run(beds, users);
    std::printf("users %d, 2 passes, polls per set %zu, the two products' polls alternating\n", users,
        beds[0].timings.matching.size());
    for (int set = 0; set < 2; ++set) {
        std::printf("%s\n",
            set == 0 ? "polls matching a trigger (offer, held out or refused by a rule):" : "polls matching nothing:");
        double p50[2] = {};
        for (const int b : { 0, 1 }) {
            auto& values = set == 0 ? beds[b].timings.matching : beds[b].timings.idle;
            std::sort(values.begin(), values.end());
            p50[b] = percentile(values, 0.5);
            std::printf("  %-22s p50 %6.2f us  p90 %6.2f us  p99 %6.2f us\n", b ? "with issue 18 rules" : "without",
                p50[b], percentile(values, 0.9), percentile(values, 0.99));
        }
        std::printf("  p50 overhead %+.1f %%\n", 100.0 * (p50[1] / p50[0] - 1));
    }
    return 0;
}
