// Soak of `proactive-studio serve` (issue 13): a real serve process on a real
// SQLite file, with retention on, under a steady mix of posthog-js capture
// and /context polls over loopback for MINUTES minutes; every minute it
// prints one Markdown table row: requests, latency percentiles of each kind,
// errors, the server's RSS and the size of its database (file + WAL).
//
//   bench_soak path/to/proactive-studio [minutes=30] [new_sessions_per_s=20] [retention_s=300]
//
// Visitors arrive at a steady rate; each one is a posthog-js session that
// lives 120 s, sends a capture batch of two events (a pageview, then a click
// with a five-element $elements_chain, as `/batch/` {api_key, batch,
// sent_at}) every 5 s and polls /context every 20 s, as the tutorial's
// client does. With 20 visitors a second that is 2400 live visitors, 480
// captures and 120 polls a second. Sessions expire session_retention_s
// after their last event (300 s, so that a 30-minute run reaches the steady
// state where as many expire as arrive: from then on memory must stay
// flat). The triggers are the built-ins with thresholds no visitor reaches:
// every poll runs every gate and every trigger, and no offer leaves FSM
// records behind (those are kept for their own periods, SPEC §8).
//
// Requests go out on 32 keep-alive connections at their scheduled time;
// latency is measured from the scheduled time to the last byte of the
// answer, so a request that had to wait for a free connection counts its
// wait (no coordinated omission). As browsers do, a request whose reused
// connection turns out closed by the server (its idle timeout) before any
// answer is sent again once on a new one; every other failure, and every
// answer but 2xx, counts as an error. A harness, not Google Benchmark: it
// measures a process over time.

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <queue>
#include <random>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int kConnections = 32;
constexpr auto kVisitorLifetime = 120s;
constexpr auto kCaptureEvery = 5s;
constexpr auto kPollEvery = 20s;
constexpr const char* kToken = "phc_soak";

std::string productsJson(int retentionSeconds)
{
    return R"([{
  "product_id": "soak",
  "posthog_token": "phc_soak",
  "routes": ["/projects/:slug", "/projects/:slug/settings", "/projects/:slug/members", "/settings/account"],
  "session_retention_s": )"
        + std::to_string(retentionSeconds) + R"(,
  "proactive": { "enabled": true, "lookback_s": 120, "max_actions": 50 },
  "triggers": [
    { "id": "ping-pong", "body": "Looking for something?", "when": { "type": "canonical_url_ping_pong", "min_cycles": 50 } },
    { "id": "dwell", "body": "Need a hand?", "when": { "type": "user_page_dwell", "threshold_s": 100000, "max_actions": 5 } },
    { "id": "invite", "body": "Inviting your team?",
      "when": { "count": { "of": { "type": "click", "selector": "[data-tour-id=\"invite-btn\"]" }, "at_least": 1000, "within_s": 120 } } }
  ]
}])";
}

std::string isoNow()
{
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc {};
    gmtime_r(&seconds, &utc);
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
        utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(ms));
    return text;
}

std::string uuid(std::mt19937_64& rng)
{
    char text[40];
    const auto a = rng();
    const auto b = rng();
    std::snprintf(text, sizeof text, "%08llx-%04llx-7%03llx-8%03llx-%012llx", static_cast<unsigned long long>(a >> 32),
        static_cast<unsigned long long>((a >> 16) & 0xffff), static_cast<unsigned long long>(a & 0xfff),
        static_cast<unsigned long long>(b & 0xfff), static_cast<unsigned long long>((b >> 16) & 0xffffffffffffULL));
    return text;
}

struct Visitor {
    std::string session;
    std::string user;
    int number = 0;
    int captures = 0;
    Clock::time_point end;
};

enum class Kind { Capture, Poll };

struct Request {
    Clock::time_point due;
    Kind kind;
    std::string bytes;
};

std::string captureRequest(std::mt19937_64& rng, Visitor& visitor, std::uint16_t port)
{
    static const char* const pages[]
        = { "/projects/{slug}", "/projects/{slug}/settings", "/projects/{slug}/members", "/settings/account" };
    std::string path = pages[visitor.captures % 4];
    if (const auto slug = path.find("{slug}"); slug != std::string::npos)
        path.replace(slug, 6, "acme-" + std::to_string(visitor.number % 50));
    ++visitor.captures;
    const std::string now = isoNow();
    const std::string url = "https://app.example.com" + path;
    const std::string common = R"(","timestamp":")" + now + R"(","properties":{"token":")" + kToken
        + R"(","$session_id":")" + visitor.session + R"(","distinct_id":")" + visitor.user + R"(","$current_url":")"
        + url + R"(","$lib":"web","$lib_version":"1.161.3")";
    std::string body = std::string(R"({"api_key":")") + kToken + R"(","sent_at":")" + now + R"(","batch":[)";
    body += R"({"event":"$pageview","uuid":")" + uuid(rng) + common + "}},";
    body += R"({"event":"$autocapture","uuid":")" + uuid(rng) + common
        + R"x(,"$event_type":"click","$elements_chain":"button.btn.btn-primary:text=\"Invite member\"nth-child=\"2\"nth-of-type=\"1\"attr__data-tour-id=\"invite-btn\"attr__class=\"btn btn-primary\";div.toolbar:nth-child=\"1\"nth-of-type=\"1\"attr__class=\"toolbar\";header.page-header:attr__class=\"page-header\"nth-child=\"1\"nth-of-type=\"1\";main:nth-child=\"2\"nth-of-type=\"1\";body:nth-child=\"2\"nth-of-type=\"1\""}}]})x";
    return "POST /batch/ HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port)
        + "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string pollRequest(const Visitor& visitor, std::uint16_t port)
{
    return "GET /context/soak/" + visitor.session + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n";
}

struct Connection {
    int fd = -1;
    bool busy = false;
    bool reused = false; // it has answered a request before this one
    bool retried = false;
    Kind kind = Kind::Poll;
    Clock::time_point due;
    std::string out;
    std::size_t sent = 0;
    std::string in;
};

int connectTo(std::uint16_t port)
{
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 && errno != EINPROGRESS) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// The status of a complete answer in `in` (and its length), or 0 while incomplete.
int completeAnswer(const std::string& in, std::size_t& length)
{
    const auto headEnd = in.find("\r\n\r\n");
    if (headEnd == std::string::npos || in.size() < 12)
        return 0;
    std::size_t bodyLength = 0;
    std::string head = in.substr(0, headEnd);
    for (char& c : head)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (const auto at = head.find("\r\ncontent-length:"); at != std::string::npos)
        bodyLength = std::strtoul(head.c_str() + at + 17, nullptr, 10);
    if (in.size() < headEnd + 4 + bodyLength)
        return 0;
    length = headEnd + 4 + bodyLength;
    return std::atoi(in.c_str() + 9);
}

long residentKiB(pid_t pid)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.starts_with("VmRSS:"))
            return std::atol(line.c_str() + 6);
    return 0;
}

double fileMiB(const std::filesystem::path& path)
{
    std::error_code ignored;
    const auto size = std::filesystem::file_size(path, ignored);
    return ignored ? 0.0 : static_cast<double>(size) / (1024.0 * 1024.0);
}

struct Minute {
    std::vector<double> capture;
    std::vector<double> poll;
    int errors = 0;
};

double percentile(std::vector<double>& values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, static_cast<std::size_t>(p * static_cast<double>(values.size())))];
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr,
            "usage: bench_soak path/to/proactive-studio [minutes=30] [new_sessions_per_s=20] "
            "[retention_s=300]\n");
        return 2;
    }
    const std::string studio = argv[1];
    const int minutes = argc > 2 ? std::atoi(argv[2]) : 30;
    const double visitorsPerSecond = argc > 3 ? std::atof(argv[3]) : 20.0;
    const int retention = argc > 4 ? std::atoi(argv[4]) : 300;
    std::signal(SIGPIPE, SIG_IGN);

    char pattern[] = "/tmp/bench_soak-XXXXXX";
    const std::filesystem::path work = mkdtemp(pattern);
    std::filesystem::create_directories(work / "workspace");
    std::ofstream(work / "workspace" / "products.json") << productsJson(retention);
    const std::filesystem::path db = work / "connector.db";

    int pipeFds[2];
    if (pipe(pipeFds) != 0)
        return 1;
    const pid_t server = fork();
    if (server == 0) {
        dup2(pipeFds[1], STDOUT_FILENO);
        const int log = ::open((work / "serve.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(log, STDERR_FILENO);
        const std::string workspace = (work / "workspace").string();
        const std::string dbPath = db.string();
        execl(studio.c_str(), studio.c_str(), "serve", "--workspace", workspace.c_str(), "--listen", "127.0.0.1:0",
            "--db", dbPath.c_str(), "--quiet", static_cast<char*>(nullptr));
        _exit(127);
    }
    ::close(pipeFds[1]);
    std::string line;
    char c = 0;
    while (::read(pipeFds[0], &c, 1) == 1 && c != '\n')
        line += c;
    const auto colon = line.rfind(':');
    if (!line.starts_with("listening on http://") || colon == std::string::npos) {
        std::fprintf(stderr, "serve did not start (see %s): %s\n", (work / "serve.log").c_str(), line.c_str());
        return 1;
    }
    const auto port = static_cast<std::uint16_t>(std::atoi(line.c_str() + colon + 1));

    std::printf("serve pid %d on port %u, %d minutes, %.0f new sessions/s, session_retention_s %d, %s\n\n", server,
        port, minutes, visitorsPerSecond, retention, work.c_str());
    std::printf("| minute | requests | capture p50 / p99 / max ms | poll p50 / p99 / max ms | errors | RSS MiB | "
                "database MiB |\n|---|---|---|---|---|---|---|\n");
    std::fflush(stdout);

    std::vector<Connection> connections(kConnections);
    for (Connection& connection : connections)
        connection.fd = connectTo(port);

    std::mt19937_64 rng(42);
    std::deque<Visitor> visitors; // by arrival, so by end
    std::deque<Request> waiting;
    struct Due {
        Clock::time_point at;
        std::size_t visitor; // index since start
        Kind kind;
        bool operator>(const Due& other) const { return at > other.at; }
    };
    std::priority_queue<Due, std::vector<Due>, std::greater<>> schedule;
    std::size_t firstVisitor = 0; // index of visitors.front()
    int arrived = 0;

    const Clock::time_point start = Clock::now();
    const Clock::time_point stop = start + std::chrono::minutes(minutes);
    Clock::time_point nextMinute = start + 1min;
    int minute = 1;
    Minute stats;
    std::vector<pollfd> fds(connections.size());

    while (Clock::now() < stop) {
        const Clock::time_point now = Clock::now();
        // Arrivals up to now.
        const auto due = static_cast<int>(std::chrono::duration<double>(now - start).count() * visitorsPerSecond);
        for (; arrived < due; ++arrived) {
            const auto at = start
                + std::chrono::duration_cast<Clock::duration>(
                    std::chrono::duration<double>(arrived / visitorsPerSecond));
            visitors.push_back({ uuid(rng), uuid(rng), arrived, 0, at + kVisitorLifetime });
            const std::size_t index = firstVisitor + visitors.size() - 1;
            schedule.push({ at, index, Kind::Capture });
            schedule.push({ at + 1s, index, Kind::Poll });
        }
        while (!visitors.empty() && visitors.front().end + kPollEvery < now) {
            visitors.pop_front();
            ++firstVisitor;
        }
        // Requests due now, in order.
        while (!schedule.empty() && schedule.top().at <= now) {
            const Due next = schedule.top();
            schedule.pop();
            if (next.visitor < firstVisitor)
                continue;
            Visitor& visitor = visitors[next.visitor - firstVisitor];
            if (next.at > visitor.end)
                continue;
            const bool capture = next.kind == Kind::Capture;
            waiting.push_back(
                { next.at, next.kind, capture ? captureRequest(rng, visitor, port) : pollRequest(visitor, port) });
            schedule.push({ next.at + (capture ? Clock::duration(kCaptureEvery) : Clock::duration(kPollEvery)),
                next.visitor, next.kind });
        }
        for (Connection& connection : connections) {
            if (connection.busy || waiting.empty())
                continue;
            if (connection.fd < 0) {
                connection.fd = connectTo(port);
                connection.reused = false;
            }
            Request request = std::move(waiting.front());
            waiting.pop_front();
            connection.busy = true;
            connection.retried = false;
            connection.kind = request.kind;
            connection.due = request.due;
            connection.out = std::move(request.bytes);
            connection.sent = 0;
            connection.in.clear();
        }

        // Idle connections are watched too: the server may close them.
        for (std::size_t i = 0; i < connections.size(); ++i) {
            const Connection& connection = connections[i];
            fds[i] = { connection.fd,
                static_cast<short>(connection.busy && connection.sent < connection.out.size() ? POLLOUT : POLLIN), 0 };
        }
        Clock::time_point wake = nextMinute;
        if (!schedule.empty())
            wake = std::min(wake, schedule.top().at);
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - Clock::now()).count();
        ::poll(fds.data(), fds.size(), static_cast<int>(std::clamp<long long>(wait, 0, 5)));

        for (std::size_t i = 0; i < connections.size(); ++i) {
            Connection& connection = connections[i];
            if (connection.fd < 0 || fds[i].revents == 0)
                continue;
            if (!connection.busy) {
                ::close(connection.fd); // closed by the server (or sent what nobody asked for)
                connection.fd = -1;
                continue;
            }
            bool failed = (fds[i].revents & (POLLERR | POLLNVAL)) != 0;
            if (!failed && connection.sent < connection.out.size()) {
                const ssize_t n = ::send(connection.fd, connection.out.data() + connection.sent,
                    connection.out.size() - connection.sent, MSG_NOSIGNAL);
                if (n > 0)
                    connection.sent += static_cast<std::size_t>(n);
                else if (n < 0 && errno != EAGAIN)
                    failed = true;
            } else if (!failed) {
                char buffer[16 * 1024];
                const ssize_t n = ::recv(connection.fd, buffer, sizeof buffer, 0);
                if (n > 0)
                    connection.in.append(buffer, static_cast<std::size_t>(n));
                else if (n == 0 || errno != EAGAIN)
                    failed = true;
                std::size_t length = 0;
                if (const int status = completeAnswer(connection.in, length)) {
                    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - connection.due).count();
                    (connection.kind == Kind::Capture ? stats.capture : stats.poll).push_back(ms);
                    if (status < 200 || status >= 300)
                        ++stats.errors;
                    connection.busy = false;
                    connection.reused = true;
                }
            }
            if (failed) {
                ::close(connection.fd);
                connection.fd = -1;
                if (connection.reused && !connection.retried && connection.in.empty()) {
                    connection.fd = connectTo(port);
                    connection.reused = false;
                    connection.retried = true;
                    connection.sent = 0;
                } else {
                    ++stats.errors;
                    connection.busy = false;
                }
            }
        }

        if (Clock::now() >= nextMinute) {
            const std::size_t requests = stats.capture.size() + stats.poll.size();
            const double c50 = percentile(stats.capture, 0.50), c99 = percentile(stats.capture, 0.99);
            const double p50 = percentile(stats.poll, 0.50), p99 = percentile(stats.poll, 0.99);
            const double cMax = stats.capture.empty() ? 0 : stats.capture.back();
            const double pMax = stats.poll.empty() ? 0 : stats.poll.back();
            std::printf("| %d | %zu | %.2f / %.2f / %.1f | %.2f / %.2f / %.1f | %d | %.1f | %.1f |\n", minute, requests,
                c50, c99, cMax, p50, p99, pMax, stats.errors, residentKiB(server) / 1024.0,
                fileMiB(db) + fileMiB(db.string() + "-wal"));
            std::fflush(stdout);
            stats = {};
            ++minute;
            nextMinute += 1min;
        }
    }

    for (Connection& connection : connections)
        if (connection.fd >= 0)
            ::close(connection.fd);
    kill(server, SIGTERM);
    int status = 0;
    waitpid(server, &status, 0);
    std::printf("\nserve exited with %d; visitors %d; work directory %s (remove it when done)\n",
        WIFEXITED(status) ? WEXITSTATUS(status) : -1, arrived, work.c_str());
    return 0;
}
