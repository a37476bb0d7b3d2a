// The connector over HTTP against its in-process neighbours, in one run
// (issue 20): the real HttpService on 127.0.0.1 in a thread of its own
// (pinned to CPU 0), a client driving it from the main thread (CPU 1) over
// keep-alive connections, like wrk.
//
//   1. posthog-js intake: POST /batch/ with 50-event bodies of autocapture
//      clicks (the issue's and bench/serve/batch.lua's events, all sessions
//      of one distinct id), events/s over HTTP per interval, against the
//      same bodies parsed (PostHogIntake) and stored (Connector::ingest)
//      in process, and parsed alone;
//   2. GET /context over SESSIONS seeded sessions, rotating, against
//      GET /healthz, in ten pairs of alternate slices: req/s and latency
//      percentiles, and their ratio, in all and per pair; and the service
//      thread's CPU time per request of each, and their ratio, which the
//      machine's other load moves less than it moves req/s;
//      then the service's own work on each (read, route, answer: no socket,
//      no event loop) in process on the server's core, in alternate slices.
//
// Usage: bench_http [sessions=100000] [seconds per phase=10] [batch seconds=30]

#include "base/clock.h"
#include "benchworkspace.h"
#include "connector/connector.h"
#include "intake/posthogintake.h"
#include "service/endpoints.h"
#include "service/httpservice.h"
#include "service/metrics.h"
#include "service/servicesettings.h"
#include "store/memorystore.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QThread>
#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <future>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace proactive;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr const char* kToken = "phc_bench";
constexpr int kEventsPerBody = 50;
constexpr int kConnections = 64;
// /healthz and /context are measured in this many pairs of alternate slices.
constexpr int kSlicePairs = 10;

// bench/bench_serve.sh's workspace: a custom count condition over the
// elements chain and the three built-ins, an hour of lookback, no bound on
// new sessions; no poll fires, so every poll evaluates every trigger.
constexpr const char* kProducts = R"([{
  "product_id": "bench",
  "posthog_token": "phc_bench",
  "max_new_sessions_per_second": 0,
  "routes": ["/projects", "/projects/:slug", "/projects/:slug/settings", "/settings/account"],
  "proactive": { "enabled": true, "lookback_s": 3600 },
  "triggers": [
    { "id": "create-project-hesitation", "body": "Setting up a new project?",
      "when": { "all": [
        { "count": { "of": { "type": "click", "selector": "[data-tour-id=\"add-project-btn\"]" }, "within_s": 90, "at_least": 2 } },
        { "event": { "type": "click", "text": "Cancel", "route": "/projects" } } ] } },
    { "id": "ping-pong", "body": "Looking for something?", "when": { "type": "canonical_url_ping_pong", "min_cycles": 1 } },
    { "id": "dwell", "body": "Need a hand?", "when": { "type": "user_page_dwell", "threshold_s": 3600, "max_actions": 5 } },
    { "id": "sections", "when": { "type": "section_playbook_match",
        "rules": [ { "url_prefix": "/billing", "section": "billing" } ],
        "sections": { "billing": { "body": "Questions about billing?" } } } }
  ]
}])";

void pinTo(int cpu)
{
    if (std::getenv("NO_PIN"))
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

std::string sessionId(const char* prefix, int index)
{
    char id[64];
    std::snprintf(id, sizeof id, "%s-%07d", prefix, index);
    return id;
}

// posthog-js capture bodies {api_key, sent_at, batch} of autocapture
// clicks of one session, every event with a new uuid (no de-duplication
// shortcut), sessions rotating over `sessions` ids. The issue's bodies give
// every session one distinct id; seeded sessions have their own.
class BodyMaker final {
public:
    enum class Users { One, OnePerSession };
    BodyMaker(const char* prefix, int sessions, int events = kEventsPerBody, Users users = Users::One)
        : m_prefix(prefix)
        , m_sessions(sessions)
        , m_events(events)
        , m_users(users)
    { }

    std::string next(Timestamp now)
    {
        const std::string time = formatIsoTimestamp(now);
        const std::string session = sessionId(m_prefix, m_session);
        const std::string user = m_users == Users::One ? std::string("intake-user") : "user-" + session;
        m_session = (m_session + 1) % m_sessions;
        std::string body;
        body.reserve(std::size_t(m_events) * 1800);
        body += R"({"api_key":")";
        body += kToken;
        body += R"(","sent_at":")" + time + R"(","batch":[)";
        for (int i = 0; i < m_events; ++i) {
            char uuid[40];
            std::snprintf(uuid, sizeof uuid, "01890000-0000-7000-8000-%012llx", ++m_serial);
            if (i > 0)
                body += ',';
            body += R"({"uuid":")";
            body += uuid;
            body += R"(","event":"$autocapture","timestamp":")" + time + R"(","properties":{"token":")";
            body += kToken;
            body += R"(","$session_id":")" + session + R"(","distinct_id":")" + user + R"(",)";
            body
                += R"("$current_url":"https://app.example.com/projects/acme/settings?tab=members",)"
                   R"("$host":"app.example.com","$pathname":"/projects/acme/settings","$os":"Linux","$browser":"Chrome",)"
                   R"("$browser_version":128,"$device_type":"Desktop","$lib":"web","$lib_version":"1.449.2",)"
                   R"("$raw_user_agent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",)"
                   R"("$screen_height":1080,"$screen_width":1920,"$viewport_height":960,"$viewport_width":1920,)"
                   R"("$referrer":"$direct","$referring_domain":"$direct","$event_type":"click","$el_text":"Invite member",)"
                   R"("$elements_chain":"button.btn.btn-primary:text=\"Invite member\"nth-child=\"2\"nth-of-type=\"1\"attr__data-tour-id=\"invite-btn\"attr__class=\"btn btn-primary\";div.toolbar:nth-child=\"1\"nth-of-type=\"1\"attr__class=\"toolbar\";main:nth-child=\"2\"nth-of-type=\"1\";body:nth-child=\"2\"nth-of-type=\"1\""}})";
        }
        body += "]}";
        return body;
    }

private:
    const char* m_prefix;
    int m_sessions;
    int m_events;
    Users m_users;
    int m_session = 0;
    unsigned long long m_serial = 0;
};

std::vector<Action> actionsOf(PostHogIntake& intake, std::string_view body, Timestamp now)
{
    intake.setOptions({ .receivedAt = now });
    IntakeBatch batch = intake.parseBody(body);
    if (!batch.errors.empty()) {
        std::fprintf(stderr, "bench body rejected: %s\n", batch.errors.front().toString().c_str());
        std::exit(1);
    }
    std::vector<Action> actions;
    actions.reserve(batch.events.size());
    for (IntakeEvent& event : batch.events)
        actions.push_back(std::move(event.action));
    return actions;
}

// The in-process neighbours of POST /batch/: events/s parsing the bodies
// alone, and parsing and storing them, for `seconds` each.
struct InProcess {
    double parseOnly = 0;
    double parseAndStore = 0;
};

// The calling thread's CPU time, in seconds: what work costs it, whatever
// else the machine's cores are doing.
double threadCpuSeconds()
{
    timespec time {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time);
    return double(time.tv_sec) + double(time.tv_nsec) / 1e9;
}

// Events a second of this thread's CPU time `handle` gets through, timing
// only it, for `seconds` of that time; the bodies are made outside the
// timing. CPU time rather than wall time: other load on the machine would
// count its own time slices as the handler's.
double eventsPerSecond(const char* prefix, double seconds, const std::function<std::size_t(std::string_view)>& handle)
{
    SystemClock clock;
    BodyMaker maker(prefix, 10'000);
    std::size_t events = 0;
    double spent = 0;
    while (spent < seconds) {
        const std::string body = maker.next(clock.now());
        const double t0 = threadCpuSeconds();
        events += handle(body);
        spent += threadCpuSeconds() - t0;
    }
    return double(events) / spent;
}

InProcess measureInProcess(double seconds)
{
    SystemClock clock;
    PostHogIntake intake;
    MemoryStore store;
    Connector connector(bench::workspaceOf(kProducts), store, clock);
    InProcess result;
    result.parseOnly = eventsPerSecond(
        "parse", seconds, [&](std::string_view body) { return actionsOf(intake, body, clock.now()).size(); });
    result.parseAndStore = eventsPerSecond("store", seconds, [&](std::string_view body) {
        auto ingested = connector.ingest("bench", actionsOf(intake, body, clock.now()));
        if (!ingested) {
            std::fprintf(stderr, "ingest failed: %s\n", ingested.error().toString().c_str());
            std::exit(1);
        }
        return ingested->accepted;
    });
    return result;
}

// The service in a thread of its own, with its own event loop.
class ServerThread final : public QThread {
public:
    explicit ServerThread(Connector& connector)
        : m_connector(connector)
    { }
    quint16 port() { return m_port.get_future().get(); }

    // The CPU time the service's thread has used so far (once port() has
    // returned): what requests cost the service, however loaded the machine
    // is, where req/s also measure what else got the cores.
    double cpuSeconds() const
    {
        timespec time {};
        clock_gettime(m_cpuClock, &time);
        return double(time.tv_sec) + double(time.tv_nsec) / 1e9;
    }

protected:
    void run() override
    {
        pinTo(0);
        pthread_getcpuclockid(pthread_self(), &m_cpuClock);
        service::ServiceSettings settings;
        settings.accessLog = [](std::string_view) {};
        service::HttpService service(m_connector, settings);
        m_port.set_value(service.listen(QHostAddress::LocalHost, 0));
        exec();
    }

private:
    Connector& m_connector;
    std::promise<quint16> m_port;
    clockid_t m_cpuClock {};
};

struct Run {
    std::size_t requests = 0;
    std::size_t failures = 0; // answers other than 200
    double seconds = 0;
    std::vector<double> latenciesUs;
    std::vector<std::size_t> perInterval; // requests answered in each interval
    // The service thread's CPU time when each interval began (with a
    // sampler): its cost per request in each interval, which other load on
    // the machine does not move as it moves the rate.
    std::vector<double> cpuAtInterval;

    // Another run of the same requests, as if this one had gone on.
    void add(Run other)
    {
        requests += other.requests;
        failures += other.failures;
        seconds += other.seconds;
        // Both sorted (drive() sorts a run's): merged, they stay so.
        const auto middle = latenciesUs.insert(latenciesUs.end(), other.latenciesUs.begin(), other.latenciesUs.end());
        std::inplace_merge(latenciesUs.begin(), middle, latenciesUs.end());
    }
};

// "min / median / max" of `values`.
std::string spread(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    char text[64];
    std::snprintf(text, sizeof text, "%.2f / %.2f / %.2f", values.front(), values[values.size() / 2], values.back());
    return text;
}

// Drives `connections` keep-alive connections for `duration`, each sending
// the next request as soon as the previous answer is read.
Run drive(quint16 port, int connections, std::chrono::duration<double> duration,
    const std::function<std::string()>& nextRequest, std::chrono::duration<double> interval = std::chrono::hours(1),
    const std::function<double()>& serviceCpu = {})
{
    struct Connection {
        int fd = -1;
        std::string out;
        std::size_t sent = 0;
        std::string in;
        SteadyClock::time_point started;
    };
    std::vector<Connection> clients(static_cast<std::size_t>(connections));
    std::vector<pollfd> polls(clients.size());
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    Run run;
    if (serviceCpu)
        run.cpuAtInterval.push_back(serviceCpu());
    const auto begin = SteadyClock::now();
    const auto end = begin + std::chrono::duration_cast<SteadyClock::duration>(duration);
    const auto start = [&](Connection& c) {
        c.out = nextRequest();
        c.sent = 0;
        c.started = SteadyClock::now();
    };
    for (std::size_t i = 0; i < clients.size(); ++i) {
        Connection& c = clients[i];
        c.fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (::connect(c.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            std::perror("connect");
            std::exit(1);
        }
        const int one = 1;
        ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        start(c);
    }
    std::size_t active = clients.size();
    char buffer[64 * 1024];
    while (active > 0) {
        for (std::size_t i = 0; i < clients.size(); ++i) {
            polls[i].fd = clients[i].fd;
            polls[i].events = clients[i].fd < 0 ? 0 : (clients[i].sent < clients[i].out.size() ? POLLOUT : POLLIN);
            polls[i].revents = 0;
        }
        if (::poll(polls.data(), polls.size(), 1000) < 0) {
            std::perror("poll");
            std::exit(1);
        }
        for (std::size_t i = 0; i < clients.size(); ++i) {
            Connection& c = clients[i];
            if (c.fd < 0 || polls[i].revents == 0)
                continue;
            if (c.sent < c.out.size()) {
                const ssize_t n = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
                if (n > 0)
                    c.sent += std::size_t(n);
                continue;
            }
            const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
            if (n <= 0) {
                std::fprintf(stderr, "the server closed a connection\n");
                std::exit(1);
            }
            c.in.append(buffer, std::size_t(n));
            const auto headEnd = c.in.find("\r\n\r\n");
            if (headEnd == std::string::npos)
                continue;
            const auto length = c.in.find("Content-Length: ");
            const std::size_t bodyLength = length < headEnd ? std::strtoul(c.in.c_str() + length + 16, nullptr, 10) : 0;
            if (c.in.size() < headEnd + 4 + bodyLength)
                continue;
            const auto now = SteadyClock::now();
            if (c.in.compare(9, 3, "200") != 0)
                ++run.failures;
            ++run.requests;
            run.latenciesUs.push_back(std::chrono::duration<double, std::micro>(now - c.started).count());
            const auto slot = std::size_t((now - begin) / interval);
            if (run.perInterval.size() <= slot) {
                run.perInterval.resize(slot + 1);
                if (serviceCpu)
                    run.cpuAtInterval.resize(slot + 1, serviceCpu());
            }
            ++run.perInterval[slot];
            c.in.clear();
            if (now < end) {
                start(c);
            } else {
                ::close(c.fd);
                c.fd = -1;
                --active;
            }
        }
    }
    run.seconds = std::chrono::duration<double>(SteadyClock::now() - begin).count();
    std::sort(run.latenciesUs.begin(), run.latenciesUs.end());
    return run;
}

double percentile(const Run& run, double p)
{
    if (run.latenciesUs.empty())
        return 0;
    return run.latenciesUs[std::min(run.latenciesUs.size() - 1, std::size_t(p * double(run.latenciesUs.size())))];
}

void printRun(const char* name, const Run& run)
{
    std::printf("%-22s %9.0f req/s  p50 %7.0f µs  p99 %7.0f µs  max %7.0f µs  (%zu requests, %zu not 200)\n", name,
        double(run.requests) / run.seconds, percentile(run, 0.50), percentile(run, 0.99), percentile(run, 1.0),
        run.requests, run.failures);
}

std::string getRequest(const std::string& target)
{
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
}

// µs a request of the service's own work, in process: the request read,
// its route matched and its answer made as HttpService does (the socket,
// the event loop and the response's head left out), over `seconds`.
double inProcessMicros(service::Endpoints& endpoints, double seconds, const std::function<std::string()>& nextRequest)
{
    service::RequestReader reader({});
    std::size_t requests = 0;
    SteadyClock::duration spent {};
    while (std::chrono::duration<double>(spent).count() < seconds) {
        const std::string bytes = nextRequest();
        const auto t0 = SteadyClock::now();
        reader.feed(bytes);
        const service::HttpRequest request = reader.request();
        const service::Reply reply = endpoints.answer(request, service::matchRoute(request.path()));
        reader.next();
        spent += SteadyClock::now() - t0;
        if (reply.status != 200) {
            std::fprintf(stderr, "in process: %d for %s\n", reply.status, bytes.c_str());
            std::exit(1);
        }
        ++requests;
    }
    return std::chrono::duration<double, std::micro>(spent).count() / double(requests);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const int sessions = argc > 1 ? std::atoi(argv[1]) : 100'000;
    const double seconds = argc > 2 ? std::atof(argv[2]) : 10;
    const double batchSeconds = argc > 3 ? std::atof(argv[3]) : 30;
    if (sessions <= 0 || seconds <= 0 || batchSeconds <= 0) {
        std::fprintf(stderr, "usage: bench_http [sessions] [seconds per phase] [batch seconds]\n");
        return 2;
    }
    pinTo(1);
    std::printf("machine: %ld CPUs; server thread on CPU 0, client on CPU 1; %d connections\n",
        sysconf(_SC_NPROCESSORS_ONLN), kConnections);

    std::printf("\n== POST /batch/, %d posthog-js autocapture events a body\n", kEventsPerBody);
    // In process on CPU 0, where the server runs.
    pinTo(0);
    const InProcess inProcess = measureInProcess(std::min(seconds, 5.0));
    pinTo(1);
    std::printf("in process, parse only          %9.0f events/s of CPU time\n", inProcess.parseOnly);
    std::printf("in process, parse + store       %9.0f events/s of CPU time\n", inProcess.parseAndStore);

    SystemClock clock;
    MemoryStore store;
    Connector connector(bench::workspaceOf(kProducts), store, clock);
    {
        ServerThread server(connector);
        server.start();
        const quint16 port = server.port();
        if (port == 0) {
            std::fprintf(stderr, "the service did not listen\n");
            return 1;
        }
        BodyMaker maker("intake", 10'000);
        const auto interval = std::chrono::duration<double>(std::max(1.0, batchSeconds / 10));
        const double cpuBefore = server.cpuSeconds();
        const double clientCpuBefore = threadCpuSeconds();
        const Run batch = drive(
            port, kConnections, std::chrono::duration<double>(batchSeconds),
            [&] {
                const std::string body = maker.next(clock.now());
                return "POST /batch/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                    + std::to_string(body.size()) + "\r\n\r\n" + body;
            },
            interval, [&] { return server.cpuSeconds(); });
        const double cpuPerEventUs = (server.cpuSeconds() - cpuBefore) * 1e6 / double(batch.requests * kEventsPerBody);
        const double clientCpuSeconds = threadCpuSeconds() - clientCpuBefore;
        printRun("over HTTP", batch);
        const double overHttp = double(batch.requests * kEventsPerBody) / batch.seconds;
        std::printf(
            "over HTTP                       %9.0f events/s = %.2f × in process (parse + store), %.2f × parse only\n",
            overHttp, overHttp / inProcess.parseAndStore, overHttp / inProcess.parseOnly);
        std::printf("service thread CPU per event over HTTP: %.2f µs = %.0f events/s the service thread alone allows, "
                    "%.2f × in process (parse + store: %.2f µs)\n",
            cpuPerEventUs, 1e6 / cpuPerEventUs, 1e6 / cpuPerEventUs / inProcess.parseAndStore,
            1e6 / inProcess.parseAndStore);
        // The client makes every body and the kernel's loopback delivers it
        // in the sender's time: when this is near 100 %, the client is what
        // limits the rate, not the service.
        std::printf("client thread CPU: %.0f %% of the run (%.1f µs a request, body made and sent)\n",
            100 * clientCpuSeconds / batch.seconds, clientCpuSeconds * 1e6 / double(batch.requests));
        std::printf("per %.0f s interval (events/s):", interval.count());
        for (std::size_t i = 0; i + 1 < batch.perInterval.size(); ++i)
            std::printf(" %.0f", double(batch.perInterval[i] * kEventsPerBody) / interval.count());
        std::printf("\n");
        // Interval i's requests were answered between the first answers of
        // intervals i and i + 1: close enough to its CPU time over many.
        std::printf("per %.0f s interval, service CPU per event (µs):", interval.count());
        for (std::size_t i = 0; i + 1 < batch.perInterval.size(); ++i)
            std::printf(" %.2f",
                (batch.cpuAtInterval[i + 1] - batch.cpuAtInterval[i]) * 1e6
                    / double(std::max<std::size_t>(1, batch.perInterval[i] * kEventsPerBody)));
        std::printf("\n");

        server.quit();
        server.wait();
    }

    std::printf("\n== GET /context over %d seeded sessions (5 actions each) vs GET /healthz\n", sessions);
    MemoryStore seeded;
    Connector polled(bench::workspaceOf(kProducts), seeded, clock);
    {
        PostHogIntake intake;
        BodyMaker maker("poll", sessions, 5, BodyMaker::Users::OnePerSession);
        const auto t0 = SteadyClock::now();
        for (int s = 0; s < sessions; ++s) {
            auto ingested = polled.ingest("bench", actionsOf(intake, maker.next(clock.now()), clock.now()));
            if (!ingested) {
                std::fprintf(stderr, "seeding failed: %s\n", ingested.error().toString().c_str());
                return 1;
            }
        }
        std::printf("seeded in %.1f s\n", std::chrono::duration<double>(SteadyClock::now() - t0).count());
    }
    ServerThread server(polled);
    server.start();
    const quint16 port = server.port();
    const std::string healthz = getRequest("/healthz");
    int next = 0;
    const auto nextPoll = [&] {
        const std::string session = sessionId("poll", next);
        next = (next + 1) % sessions;
        return getRequest("/context/bench/" + session + "?conversation_id=proactive%3A" + session);
    };
    // The two in alternate slices, each pair in the other order than the
    // last: this machine's other load (another VM's, a build) shifts from
    // second to second and would otherwise fall on one phase and not the
    // other. Each slice's rate and service CPU per request against its
    // neighbour of the other endpoint gives one ratio; their spread is the
    // measure's.
    const std::function<std::string()> makers[2] = { [&] { return healthz; }, nextPoll };
    Run runs[2];
    double cpu[2] = {};
    std::vector<double> rateRatios, cpuRatios;
    for (int pair = 0; pair < kSlicePairs; ++pair) {
        double rate[2] = {};
        double cpuPerRequest[2] = {};
        for (int turn = 0; turn < 2; ++turn) {
            const int which = pair % 2 == 0 ? turn : 1 - turn;
            const double cpuBefore = server.cpuSeconds();
            Run slice = drive(port, kConnections, std::chrono::duration<double>(seconds / kSlicePairs), makers[which]);
            const double spent = server.cpuSeconds() - cpuBefore;
            rate[which] = double(slice.requests) / slice.seconds;
            cpuPerRequest[which] = spent / double(slice.requests);
            cpu[which] += spent;
            runs[which].add(std::move(slice));
        }
        rateRatios.push_back(rate[1] / rate[0]);
        cpuRatios.push_back(cpuPerRequest[0] / cpuPerRequest[1]);
    }
    printRun("GET /healthz", runs[0]);
    printRun("GET /context", runs[1]);
    std::printf("/context = %.2f × /healthz (req/s, all slices); per pair of slices %s\n",
        (double(runs[1].requests) / runs[1].seconds) / (double(runs[0].requests) / runs[0].seconds),
        spread(rateRatios).c_str());
    const double healthCpuUs = cpu[0] * 1e6 / double(runs[0].requests);
    const double contextCpuUs = cpu[1] * 1e6 / double(runs[1].requests);
    std::printf("service thread CPU per request: /healthz %.1f µs, /context %.1f µs; "
                "/context = %.2f × /healthz (req/s the service thread alone allows); per pair of slices %s\n",
        healthCpuUs, contextCpuUs, healthCpuUs / contextCpuUs, spread(cpuRatios).c_str());
    server.quit();
    server.wait();

    pinTo(0);
    service::Metrics metrics;
    service::ServiceSettings settings;
    service::Endpoints endpoints(polled, metrics, settings);
    std::vector<double> healthUs, contextUs;
    for (int slice = 0; slice < 10; ++slice) {
        healthUs.push_back(inProcessMicros(endpoints, seconds / 10, [&] { return healthz; }));
        contextUs.push_back(inProcessMicros(endpoints, seconds / 10, [&] {
            const std::string session = sessionId("poll", next);
            next = (next + 1) % sessions;
            return getRequest("/context/bench/" + session + "?conversation_id=proactive%3A" + session);
        }));
    }
    std::sort(healthUs.begin(), healthUs.end());
    std::sort(contextUs.begin(), contextUs.end());
    std::printf("in process, read + route + answer (µs a request, min / median of 10 slices): "
                "/healthz %.2f / %.2f, /context %.2f / %.2f\n",
        healthUs.front(), healthUs[5], contextUs.front(), contextUs[5]);
    return 0;
}
