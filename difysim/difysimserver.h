#pragma once

#include "tourcatalog.h"

#include <QHostAddress>
#include <QObject>
#include <QString>
#include <QUrl>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

class QHttpServerRequest;
class QTcpSocket;

namespace proactive {
class Connector;
}

namespace proactive::httpwire {
class RawHttpServer;
}

namespace proactive::difysim {

// What the offline server breaks on purpose, so authors and tests can see
// how a client copes.
enum class DifySimFault : std::uint8_t {
    None,
    ErrorEvent, // an `error` frame after `faultAfterFrames` text frames, then the stream ends
    DropConnection, // the connection is closed after `faultAfterFrames` text frames, mid-body
    MalformedFrames, // invalid frames (bad JSON, not JSON, no event name) after `faultAfterFrames`; the answer goes on
    Http429, // every chat request is answered 429 too_many_requests
    Http500, // every chat request is answered 500 internal_server_error
    // Dify's newer stream events (issue 14, SPEC §8 "§5 Dify events"):
    AgentApp, // an Agent app: agent_thought frames (a tool call, then its observation), the answer as agent_message
              // frames, the whole answer again in a last agent_message, a message_file, then message_end
    Moderation, // message_replace with a moderated text after `faultAfterFrames` text frames, then message_end
    WorkflowFailed, // a chatflow whose LLM node fails after `faultAfterFrames` text frames: node_finished and
                    // workflow_finished `failed`, then an `error` frame, as Dify sends them
    WorkflowPartial, // a chatflow that ends `partial-succeeded`: a node failed and its default was used
    UnknownEvents, // event types no client knows, after `faultAfterFrames` text frames; the answer goes on
};

std::string_view nameOf(DifySimFault fault);
// "none", "error-event", "drop", "malformed", "http-429", "http-500", "agent",
// "moderation", "workflow-failed", "workflow-partial", "unknown-events".
std::optional<DifySimFault> difySimFaultFromString(std::string_view name);

struct DifySimSettings {
    // Accepted `Authorization: Bearer` keys; empty: any non-empty key.
    std::vector<std::string> apiKeys;
    // Pause between two text frames (the model's speed); 0 writes the whole answer at once.
    std::chrono::milliseconds tokenDelay { 30 };
    // Characters (code points) per text frame.
    int chunkChars = 4;
    // 0: each SSE frame is one write. n: the byte stream is written in pieces
    // of n bytes, each its own HTTP chunk, so that frames arrive split.
    std::size_t writeBytes = 0;
    // `event: ping` while a stream is open, as Dify does every 10 s.
    std::chrono::milliseconds pingInterval { 10'000 };
    // Also emit workflow_started / node_* / workflow_finished frames, as a
    // Dify chatflow (advanced-chat) app does.
    bool chatflow = false;
    DifySimFault fault = DifySimFault::None;
    int faultAfterFrames = 3;
};

// The user's current page for a PostHog session id (the conversation's
// inputs.session_id, empty when its first message had none): a canonical
// URL or path, empty when unknown. The studio passes connectorCurrentPage().
using CurrentPageProvider = std::function<std::string(const std::string& sessionId)>;

// The canonical URL of the session's newest action, as the connector has it
// (the same activity Dify reads through the connector's /retrieval). The
// connector must outlive the provider; Connector calls are thread-safe.
CurrentPageProvider connectorCurrentPage(const Connector& connector);

struct DifySimMessage {
    std::string id;
    std::string query;
    std::string answer; // as far as it was streamed (a stopped or broken stream keeps its part)
    std::string tourId; // the tag the answer ends with
    std::int64_t createdAt = 0;
};

struct DifySimConversation {
    std::string id;
    std::string user;
    std::string name;
    std::vector<std::pair<std::string, std::string>> inputs; // from the first message only
    std::vector<DifySimMessage> messages;
    std::int64_t createdAt = 0;
    std::int64_t updatedAt = 0; // seconds, as Dify shows it
    std::uint64_t updateSequence = 0; // orders updates within one second
};

// An offline, in-process server with Dify's service API for chat apps (SPEC
// §5): POST /v1/chat-messages (streaming and blocking),
// POST /v1/chat-messages/{task_id}/stop, GET /v1/parameters,
// GET /v1/conversations, GET /v1/messages. Same Bearer check, error bodies
// ({code, message, status}), conversation rules (inputs only on the first
// message, "Conversation Not Exists." for an unknown or foreign id) and SSE
// framing as Dify: `data: {json}\n\n` with Python's json.dumps spacing, a
// keep-alive `event: ping\n\n`, no [DONE], chunked transfer encoding.
//
// Answers come from composeTourAnswer (tours/touranswer.h) on the catalog,
// the question and the session's current page. A stop ends the stream with
// message_end, as Dify does. Lives in the thread that created it.
class DifySimServer final : public QObject {
    Q_OBJECT

public:
    DifySimServer(TourCatalog catalog, DifySimSettings settings = {}, QObject* parent = nullptr);
    ~DifySimServer() override;

    // Starts accepting connections; port 0 picks a free one. Returns the
    // port, or 0 with errorString() set.
    quint16 listen(const QHostAddress& address = QHostAddress(QHostAddress::LocalHost), quint16 port = 0);
    QString errorString() const { return m_errorString; }
    // http://HOST:PORT, the base a client appends /v1/... to.
    QUrl baseUrl() const;

    void setCatalog(TourCatalog catalog);
    const TourCatalog& catalog() const { return m_catalog; }
    void setSettings(DifySimSettings settings);
    const DifySimSettings& settings() const { return m_settings; }
    void setCurrentPageProvider(CurrentPageProvider provider);

    const DifySimConversation* conversation(std::string_view id) const;
    std::size_t conversationCount() const { return m_conversations.size(); }
    // Streams being written now.
    std::size_t activeStreams() const { return m_streams.size(); }

Q_SIGNALS:
    // One line per request for an access log: method, path, status and what
    // happened ("streaming tour=create-project"). Never contains the key.
    void requestServed(const QString& line);

private:
    class Stream;
    friend class Stream;
    struct Reply;

    void handle(const QHttpServerRequest& request, QTcpSocket* socket);
    Reply chatMessages(const QHttpServerRequest& request, QTcpSocket* socket, std::string& note);
    Reply stopTask(const QHttpServerRequest& request, std::string_view taskId, std::string& note);
    Reply parameters() const;
    Reply conversations(const QHttpServerRequest& request) const;
    Reply messages(const QHttpServerRequest& request) const;
    std::optional<Reply> checkKey(const QHttpServerRequest& request) const;
    void send(QTcpSocket* socket, const Reply& reply);
    void streamEnded(Stream* stream);
    DifySimConversation* findConversation(std::string_view id);
    void appendToAnswer(std::string_view conversationId, std::string_view messageId, std::string_view piece);
    void replaceAnswer(std::string_view conversationId, std::string_view messageId, std::string_view answer);

    TourCatalog m_catalog;
    DifySimSettings m_settings;
    CurrentPageProvider m_currentPage;
    std::unique_ptr<httpwire::RawHttpServer> m_server;
    QHostAddress m_address;
    quint16 m_port = 0;
    QString m_errorString;
    std::map<std::string, DifySimConversation, std::less<>> m_conversations;
    std::uint64_t m_updates = 0;
    std::vector<Stream*> m_streams; // children of this object, deleted when their answer ends
};

} // namespace proactive::difysim
