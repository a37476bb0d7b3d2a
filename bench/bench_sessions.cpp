// Memory held per live session (issue 13: 1M live sessions in ≤ 1 GB).
// Ingests N sessions of K posthog-js events each the way `serve` does —
// capture bodies {api_key, batch, sent_at} of 50 events read by PostHogIntake
// and handed to Connector::ingest — into a MemoryStore (SqliteStore serves
// its reads from one), on a virtual clock on which 960 new sessions arrive
// a second (under the default bound of 1000), so that a million take 17
// minutes and every session is still live at the end. A session's events
// cycle through a pageview, an autocapture click with a five-element
// $elements_chain and a pageview of another page; every id is a posthog-js
// uuid (36 characters). Prints the heap in use (glibc's mallinfo2: every
// arena, mmapped blocks included) per session and per action, the RSS and
// peak RSS of the process, and the ingest rate. A harness rather than Google
// Benchmark: one run is one measurement of memory.
//
//   bench_sessions [sessions=1000000] [actions_per_session=1]

#include "benchworkspace.h"
#include "connector/connector.h"
#include "intake/posthogintake.h"
#include "store/memorystore.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <malloc.h>
#include <random>
#include <string>
#include <unistd.h>

using namespace proactive;
using namespace std::chrono_literals;

namespace {

constexpr int kEventsPerBody = 50;
constexpr int kSessionsPerSecond = 960;
constexpr const char* kToken = "phc_bench";

long statusKiB(const char* field)
{
    std::ifstream status("/proc/self/status");
    std::string line;
    const std::string prefix = std::string(field) + ":";
    while (std::getline(status, line))
        if (line.starts_with(prefix))
            return std::atol(line.c_str() + prefix.size());
    return 0;
}

std::size_t heapInUse()
{
    const struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

std::shared_ptr<const Workspace> benchWorkspace()
{
    return bench::workspaceOf(R"([{
        "product_id": "bench",
        "posthog_token": "phc_bench",
        "routes": ["/projects/:slug", "/projects/:slug/settings", "/settings/account"],
        "proactive": { "enabled": true },
        "triggers": []
    }])");
}

// A posthog-js uuid v7: 36 characters, time first.
std::string uuid(std::mt19937_64& rng, Timestamp at)
{
    char text[64];
    const auto ms = static_cast<unsigned long long>(toEpochMs(at));
    const auto r = static_cast<unsigned long long>(rng());
    std::snprintf(text, sizeof text, "%08llx-%04llx-7%03llx-8%03llx-%012llx", ms >> 16, ms & 0xffff, r & 0xfff,
        (r >> 12) & 0xfff, (r >> 24) & 0xffffffffffffULL);
    return text;
}

void appendEvent(std::string& body, std::mt19937_64& rng, const std::string& session, const std::string& user,
    int sessionNumber, int n, Timestamp at)
{
    const std::string slug = "acme-" + std::to_string(sessionNumber % 90);
    std::string event;
    std::string extra;
    std::string url;
    switch (n % 3) {
    case 0:
        event = "$pageview";
        url = "https://app.example.com/projects/" + slug + "/settings";
        break;
    case 1:
        event = "$autocapture";
        url = "https://app.example.com/projects/" + slug + "/settings";
        extra
            = R"(,"$event_type":"click","$elements_chain":"button.btn.btn-primary:attr__class=\"btn btn-primary\"attr__data-tour-id=\"action-)"
            + std::to_string(sessionNumber % 40)
            + R"(\"attr__type=\"button\"nth-child=\"2\"nth-of-type=\"1\"text=\"New project\";div.page-header__actions:attr__class=\"page-header__actions\"nth-child=\"2\"nth-of-type=\"2\";header.page-header:attr__class=\"page-header\"nth-child=\"1\"nth-of-type=\"1\";main.container:attr__class=\"container\"attr__id=\"main\"nth-child=\"2\"nth-of-type=\"1\";body:nth-child=\"2\"nth-of-type=\"1\"")";
        break;
    default:
        event = "$pageview";
        url = "https://app.example.com/settings/account";
        break;
    }
    if (body.back() != '[')
        body += ',';
    body += R"({"event":")" + event + R"(","uuid":")" + uuid(rng, at) + R"(","timestamp":")" + formatIsoTimestamp(at)
        + R"(","properties":{"$session_id":")" + session + R"(","distinct_id":")" + user + R"(","$current_url":")" + url
        + R"(","$lib":"web","$lib_version":"1.161.3")" + extra + "}}";
}

} // namespace

int main(int argc, char** argv)
{
    const int sessions = argc > 1 ? std::atoi(argv[1]) : 1'000'000;
    const int actionsPerSession = argc > 2 ? std::atoi(argv[2]) : 1;
    if (sessions <= 0 || actionsPerSession <= 0) {
        std::fprintf(stderr, "usage: bench_sessions [sessions] [actions_per_session]\n");
        return 2;
    }

    const Timestamp start = fromEpochMs(1'725'358'500'000);
    VirtualClock clock(start);
    MemoryStore store;
    Connector connector(benchWorkspace(), store, clock);
    PostHogIntake intake;
    std::mt19937_64 rng(42);

    // Bodies are made ahead of each ingest and freed after it; only the
    // store's growth is measured.
    const std::size_t heapBefore = heapInUse();
    const long rssBefore = statusKiB("VmRSS");
    const int sessionsPerBody = std::max(1, kEventsPerBody / actionsPerSession);
    std::size_t accepted = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (int first = 0; first < sessions; first += sessionsPerBody) {
        const int last = std::min(sessions, first + sessionsPerBody);
        // A session's events are a second apart; the body is sent after the last.
        const auto sessionStart = [&](int s) { return start + 1ms * (std::int64_t(s) * 1000 / kSessionsPerSecond); };
        std::string body = std::string(R"({"api_key":")") + kToken + R"(","batch":[)";
        for (int s = first; s < last; ++s) {
            const std::string session = uuid(rng, sessionStart(s));
            const std::string user = uuid(rng, sessionStart(s));
            for (int n = 0; n < actionsPerSession; ++n)
                appendEvent(body, rng, session, user, s, n, sessionStart(s) + 1s * n);
        }
        body += "]}";
        clock.set(sessionStart(last - 1) + 1s * actionsPerSession);
        intake.setOptions({ .receivedAt = clock.now() });
        IntakeBatch batch = intake.parseBody(body);
        std::vector<Action> actions;
        actions.reserve(batch.events.size());
        for (IntakeEvent& event : batch.events)
            actions.push_back(std::move(event.action));
        auto ingested = connector.ingest("bench", std::move(actions));
        if (!ingested || !batch.errors.empty()) {
            std::fprintf(stderr, "ingest failed: %s\n",
                !ingested ? ingested.error().toString().c_str() : batch.errors.front().toString().c_str());
            return 1;
        }
        accepted += ingested->accepted;
    }
    const auto t1 = std::chrono::steady_clock::now();
    malloc_trim(0);
    const std::size_t heap = heapInUse() - heapBefore;
    const long rss = statusKiB("VmRSS");
    const double seconds = std::chrono::duration<double>(t1 - t0).count();

    std::printf("sessions                 %d × %d actions (%zu accepted, %zu held)\n", sessions, actionsPerSession,
        accepted, store.sessionCount());
    std::printf("sizeof(ActionRecord)     %zu bytes\n", sizeof(ActionRecord));
    std::printf("heap in use              %.1f MiB\n", static_cast<double>(heap) / (1024.0 * 1024.0));
    std::printf("heap per session         %.0f bytes (its actions included)\n", static_cast<double>(heap) / sessions);
    std::printf("RSS                      %.1f MiB (%.1f MiB before ingest)\n", rss / 1024.0, rssBefore / 1024.0);
    std::printf("peak RSS                 %.1f MiB\n", statusKiB("VmHWM") / 1024.0);
    std::printf("ingest                   %.2f s, %.0f events/s\n", seconds, static_cast<double>(accepted) / seconds);
    return 0;
}
