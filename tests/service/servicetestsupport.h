#pragma once

// Support for the service tests: a real HttpService on 127.0.0.1 in its own
// thread, and the blocking raw HTTP/1.1 client of tests/support, so that tests
// see exactly the bytes on the wire (percent-encoded paths, partial bodies,
// pipelining).

#include "base/clock.h"
#include "connector/connector.h"
#include "rawhttpclient.h"
#include "service/httpservice.h"
#include "store/memorystore.h"
#include "workspace/workspace.h"

#include <QByteArray>
#include <QProcessEnvironment>
#include <QStringList>
#include <QThread>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

// QCOMPARE for JSON values (compared as their dumps; object keys are sorted).
#define QCOMPARE_JSON(actual, expected)                                                                                \
    QCOMPARE(QString::fromStdString(nlohmann::json(actual).dump()),                                                    \
        QString::fromStdString(nlohmann::json(expected).dump()))

namespace proactive::test {

inline constexpr const char* kShopToken = "phc_Q7xk2Vb9LmN4pR8sT1uW6yZ3aC5dF0gH2jK4lM6nP8";
inline constexpr const char* kWebhookSecret = "wh-7f3a9c1e-secret";
inline constexpr const char* kRetrievalKey = "dify-retrieval-key-5b2e";

// The environment `serve` runs in for tests/data/service/workspace: its
// webhook secret variable and the retrieval key set.
QProcessEnvironment serveEnvironment();

// tests/data/service/workspace, with its webhook secret variable set.
std::shared_ptr<const Workspace> serviceWorkspace();
QByteArray readTestFile(const QString& relativeToTestData);

using testing::HeaderList;
using HttpResponse = testing::RawHttpResponse;
using HttpClient = testing::RawHttpClient;

// A connector and its HttpService on 127.0.0.1:<free port>, served from a
// thread of their own.
class ServiceThread final {
public:
    ServiceThread(std::shared_ptr<const Workspace> workspace, Store& store, const Clock& clock,
        service::ServiceSettings settings = defaultSettings());
    ~ServiceThread();
    ServiceThread(const ServiceThread&) = delete;
    ServiceThread& operator=(const ServiceThread&) = delete;

    static service::ServiceSettings defaultSettings();

    quint16 port() const { return m_port; }
    Connector& connector() { return *m_connector; }
    QStringList accessLog() const;
    std::string metricsText() const;
    std::uint64_t requests(std::string_view route, int status) const;
    std::size_t connectionCapacity();
    std::size_t requestsInProgress();
    std::size_t bufferedBytes();

    // HttpService::shutdown() in the service thread.
    void beginShutdown();
    // True once the service has emitted stopped().
    bool waitStopped(int timeoutMs = 10'000);
    bool shutdown(int timeoutMs = 10'000)
    {
        beginShutdown();
        return waitStopped(timeoutMs);
    }
    // Runs `f` in the service thread and waits for it.
    void run(const std::function<void()>& f);

private:
    QThread m_thread;
    QObject* m_context = nullptr; // lives in m_thread
    std::unique_ptr<Connector> m_connector;
    std::unique_ptr<service::HttpService> m_service;
    quint16 m_port = 0;
    std::atomic<bool> m_stopped { false };
    mutable std::mutex m_logMutex;
    QStringList m_log;
};

// 2024-09-03T10:15:00Z, the first event of the posthog-js fixtures in tests/data/intake.
inline const Timestamp kT0 = fromEpochMs(1'725'358'500'000);

// A fresh in-memory connector on a virtual clock at kT0, served.
struct Harness {
    explicit Harness(service::ServiceSettings settings = ServiceThread::defaultSettings())
        : service(serviceWorkspace(), store, clock, std::move(settings))
    { }
    HttpClient client() const { return HttpClient(service.port()); }

    VirtualClock clock { kT0 };
    MemoryStore store;
    ServiceThread service;
};

// A posthog-js style event as JSON.
nlohmann::json pageview(const std::string& sessionId, const std::string& path, Timestamp at, const std::string& uuid,
    const std::string& token = kShopToken, const std::string& distinctId = "user-1");
// {"api_key", "batch": events} (no sent_at: times are kept).
QByteArray batchBody(const std::vector<nlohmann::json>& events, const std::string& token = kShopToken);
// /projects, /projects/7, /projects at end − 2 s, end − 1 s and end: the
// ping-pong trigger of the test workspace fires on it.
QByteArray pingPongBatch(const std::string& sessionId, Timestamp end, const std::string& token = kShopToken,
    const std::string& distinctId = "user-1");

} // namespace proactive::test
