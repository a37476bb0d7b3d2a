#pragma once

// Support for the chat tests: the offline Dify server in a thread of its
// own (so a blocking client or a QNetworkAccessManager in the test thread
// meets it over real sockets); tests/support's raw HTTP/1.1 client keeps the
// chunks of a chunked body apart, to check Dify's framing byte by byte.

#include "demoworkspace.h"
#include "difysimserver.h"
#include "rawhttpclient.h"
#include "tourcatalog.h"

#include <QByteArray>
#include <QThread>
#include <QUrl>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

// QCOMPARE for JSON values (compared as their dumps).
#define QCOMPARE_JSON(actual, expected)                                                                                \
    QCOMPARE(QString::fromStdString(nlohmann::json(actual).dump()),                                                    \
        QString::fromStdString(nlohmann::json(expected).dump()))

namespace proactive::test {

inline constexpr const char* kSimKey = "app-test-key-3f9c";

using testing::demoCatalog; // resources/demo-workspace/tours

// A DifySimServer on 127.0.0.1:<free port> in its own thread. The current
// page of a session is whatever setPage() said last.
class SimThread final {
public:
    explicit SimThread(difysim::DifySimSettings settings = defaultSettings(), TourCatalog catalog = demoCatalog());
    ~SimThread();
    SimThread(const SimThread&) = delete;
    SimThread& operator=(const SimThread&) = delete;

    // Fast and fault-free, with kSimKey as the only key.
    static difysim::DifySimSettings defaultSettings();

    quint16 port() const { return m_port; }
    QUrl baseUrl() const;
    void setPage(const std::string& sessionId, const std::string& page);
    void setSettings(difysim::DifySimSettings settings);
    QStringList accessLog() const;
    // Runs `f` in the server's thread and waits for it.
    void run(const std::function<void(difysim::DifySimServer&)>& f);
    // A copy of the conversation, taken in the server's thread.
    std::optional<difysim::DifySimConversation> conversation(const std::string& id);
    std::size_t conversationCount();
    std::size_t activeStreams();

private:
    QThread m_thread;
    QObject* m_context = nullptr; // lives in m_thread
    std::unique_ptr<difysim::DifySimServer> m_server;
    quint16 m_port = 0;
    mutable std::mutex m_mutex;
    std::map<std::string, std::string> m_pages;
    QStringList m_log;
};

using testing::HeaderList;
using testing::RawHttpClient;
using testing::RawHttpResponse;

// Headers of an authorised JSON request.
inline HeaderList authorised(const QByteArray& key = kSimKey)
{
    return { { "Authorization", "Bearer " + key }, { "Content-Type", "application/json" } };
}

// A client whose requests are authorised JSON requests unless they say otherwise.
inline RawHttpClient simClient(quint16 port)
{
    return RawHttpClient(port, authorised());
}

// The JSON of every `data:` frame of an SSE body (frames are split on blank lines).
std::vector<nlohmann::json> dataFrames(const QByteArray& body);
// A chat-messages request body (SPEC §5).
nlohmann::json chatBody(const std::string& query, const std::string& user, const std::string& sessionId = {},
    const std::string& conversationId = {}, const std::string& mode = "streaming");

} // namespace proactive::test
