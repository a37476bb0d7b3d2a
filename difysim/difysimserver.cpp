#include "difysimserver.h"

#include "base/jsonreader.h"
#include "base/uuid.h"
#include "chatnet/difyjson.h"
#include "connector/connector.h"
#include "httpwire/httpresponse.h"
#include "httpwire/rawhttpserver.h"
#include "touranswer.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHttpServerRequest>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>
#include <QUuid>
#include <algorithm>
#include <nlohmann/json.hpp>

namespace proactive::difysim {

using Json = nlohmann::ordered_json;

namespace {

    std::string newUuid()
    {
        return QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString();
    }

    std::int64_t nowSeconds()
    {
        return QDateTime::currentSecsSinceEpoch();
    }

    // Pieces of `text` of at most `chars` code points each.
    std::vector<std::string> splitIntoPieces(const std::string& text, int chars)
    {
        std::vector<std::string> pieces;
        const int size = std::max(chars, 1);
        std::string piece;
        int count = 0;
        for (const char c : text) {
            const bool startsCodePoint = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
            if (startsCodePoint && count == size) {
                pieces.push_back(std::move(piece));
                piece.clear();
                count = 0;
            }
            piece += c;
            if (startsCodePoint)
                ++count;
        }
        if (!piece.empty())
            pieces.push_back(std::move(piece));
        return pieces;
    }

    constexpr std::string_view kModerated
        = "[offline Dify] This answer was withheld by content moderation (simulated fault).";

    std::string frame(const Json& event)
    {
        return "data: " + chatnet::difyJsonDump(event) + "\n\n";
    }

    std::vector<std::string> pathSegments(const QString& path)
    {
        std::vector<std::string> segments;
        for (const QString& segment : path.split(u'/', Qt::SkipEmptyParts))
            segments.push_back(segment.toStdString());
        return segments;
    }

    Json inputsJson(const DifySimConversation& conversation)
    {
        Json inputs = Json::object();
        for (const auto& [key, value] : conversation.inputs)
            inputs[key] = value;
        return inputs;
    }

    std::string inputValue(const DifySimConversation& conversation, std::string_view key)
    {
        for (const auto& [name, value] : conversation.inputs)
            if (name == key)
                return value;
        return {};
    }

} // namespace

std::string_view nameOf(DifySimFault fault)
{
    switch (fault) {
    case DifySimFault::None:
        return "none";
    case DifySimFault::ErrorEvent:
        return "error-event";
    case DifySimFault::DropConnection:
        return "drop";
    case DifySimFault::MalformedFrames:
        return "malformed";
    case DifySimFault::Http429:
        return "http-429";
    case DifySimFault::Http500:
        return "http-500";
    case DifySimFault::AgentApp:
        return "agent";
    case DifySimFault::Moderation:
        return "moderation";
    case DifySimFault::WorkflowFailed:
        return "workflow-failed";
    case DifySimFault::WorkflowPartial:
        return "workflow-partial";
    case DifySimFault::UnknownEvents:
        return "unknown-events";
    }
    return "none";
}

std::optional<DifySimFault> difySimFaultFromString(std::string_view name)
{
    for (const DifySimFault fault :
        { DifySimFault::None, DifySimFault::ErrorEvent, DifySimFault::DropConnection, DifySimFault::MalformedFrames,
            DifySimFault::Http429, DifySimFault::Http500, DifySimFault::AgentApp, DifySimFault::Moderation,
            DifySimFault::WorkflowFailed, DifySimFault::WorkflowPartial, DifySimFault::UnknownEvents })
        if (nameOf(fault) == name)
            return fault;
    return std::nullopt;
}

CurrentPageProvider connectorCurrentPage(const Connector& connector)
{
    return [&connector](const std::string& sessionId) {
        const auto activity = connector.recentActivity(sessionId, 1);
        return activity && !activity->actions.empty() ? activity->actions.front().canonicalUrl : std::string();
    };
}

struct DifySimServer::Reply {
    int status = 200;
    std::string body;
    bool streaming = false; // a Stream owns the socket's answer
    bool dropConnection = false;

    static Reply json(int status, const Json& value) { return { status, chatnet::difyJsonDump(value) }; }
    static Reply error(int status, std::string_view code, std::string_view message)
    {
        Json body;
        body["code"] = code;
        body["message"] = message;
        body["status"] = status;
        return json(status, body);
    }
};

// One streaming answer on one connection: the HTTP head, then every frame as
// a chunk of a chunked body, paced by timers, then the terminating chunk.
// The connection stays open for the client's next request afterwards.
class DifySimServer::Stream final : public QObject {
public:
    struct Plan {
        std::string conversationId;
        std::string messageId;
        std::string taskId;
        std::string user;
        std::string sessionId;
        std::string page;
        std::vector<std::string> pieces;
        std::string tourId;
        std::int64_t createdAt = 0;
        std::int64_t promptTokens = 0;
        DifySimSettings settings;
    };

    Stream(DifySimServer& server, QTcpSocket* socket, Plan plan)
        : QObject(&server)
        , m_server(server)
        , m_socket(socket)
        , m_plan(std::move(plan))
        , m_tokenTimer(new QTimer(this))
        , m_pingTimer(new QTimer(this))
        , m_writeTimer(new QTimer(this))
    {
        connect(m_tokenTimer, &QTimer::timeout, this, &Stream::next);
        connect(m_pingTimer, &QTimer::timeout, this, [this] { emitBytes("event: ping\n\n"); });
        connect(m_writeTimer, &QTimer::timeout, this, &Stream::writePending);
        connect(socket, &QTcpSocket::disconnected, this, &Stream::done);
        connect(socket, &QObject::destroyed, this, &Stream::done);
    }

    const std::string& taskId() const { return m_plan.taskId; }
    const std::string& user() const { return m_plan.user; }

    void start()
    {
        m_elapsed.start();
        m_socket->write(httpwire::HttpResponse(200)
                            .header("Content-Type", "text/event-stream; charset=utf-8")
                            .header("Cache-Control", "no-cache")
                            .header("X-Accel-Buffering", "no")
                            .header("Access-Control-Allow-Origin", "*")
                            .header("Transfer-Encoding", "chunked")
                            .finish());
        if (chatflow()) {
            emitBytes(frame(workflowEvent("workflow_started", {})));
            emitBytes(frame(workflowEvent("node_started", "start")));
            emitBytes(frame(workflowEvent("node_finished", "start")));
            emitBytes(frame(workflowEvent("node_started", "llm")));
        }
        if (agent()) {
            // A tool call as Dify reports it: first the call, then the same thought with its observation.
            emitBytes(frame(agentThought("", "")));
            emitBytes(frame(agentThought("I should look up the tour for this page in the catalog.",
                m_plan.tourId.empty() ? "No tour matches." : "The tour \"" + m_plan.tourId + "\" matches.")));
        }
        if (m_plan.settings.pingInterval.count() > 0)
            m_pingTimer->start(m_plan.settings.pingInterval);
        if (m_plan.settings.tokenDelay.count() == 0) {
            while (!m_ending)
                next();
            return;
        }
        m_tokenTimer->start(m_plan.settings.tokenDelay);
    }

    // The stop call: the answer ends here, with message_end, as in Dify.
    void stop()
    {
        if (m_ending)
            return;
        m_next = m_plan.pieces.size();
        end();
    }

private:
    enum class After { Nothing, Terminate, Drop };

    Json base(std::string_view event) const
    {
        Json json;
        json["event"] = event;
        json["conversation_id"] = m_plan.conversationId;
        json["message_id"] = m_plan.messageId;
        json["created_at"] = m_plan.createdAt;
        json["task_id"] = m_plan.taskId;
        json["id"] = m_plan.messageId;
        return json;
    }

    bool chatflow() const
    {
        const DifySimFault fault = m_plan.settings.fault;
        return m_plan.settings.chatflow || fault == DifySimFault::WorkflowFailed
            || fault == DifySimFault::WorkflowPartial;
    }

    bool agent() const { return m_plan.settings.fault == DifySimFault::AgentApp; }

    Json agentThought(std::string_view thought, std::string_view observation) const
    {
        Json json;
        json["event"] = "agent_thought";
        json["id"] = "thought-" + m_plan.messageId;
        json["task_id"] = m_plan.taskId;
        json["message_id"] = m_plan.messageId;
        json["position"] = 1;
        json["thought"] = thought;
        json["observation"] = observation;
        json["tool"] = "tour_catalog";
        Json input;
        input["page"] = m_plan.page;
        json["tool_input"] = chatnet::difyJsonDump(input);
        json["created_at"] = m_plan.createdAt;
        json["message_files"] = Json::array();
        json["conversation_id"] = m_plan.conversationId;
        return json;
    }

    // The node_finished of the LLM node and workflow_finished, with their status.
    void finishWorkflow(std::string_view nodeStatus, std::string_view status, std::string_view error)
    {
        emitBytes(frame(workflowEvent("node_finished", "llm", nodeStatus, error)));
        if (status != "failed") {
            emitBytes(frame(workflowEvent("node_started", "answer")));
            emitBytes(frame(workflowEvent("node_finished", "answer", "succeeded")));
        }
        emitBytes(frame(workflowEvent("workflow_finished", {}, status, status == "failed" ? error : "")));
    }

    Json workflowEvent(
        std::string_view event, std::string_view node, std::string_view status = {}, std::string_view error = {}) const
    {
        // Workflow frames carry the run's id, not a message id of their own.
        Json json = base(event);
        json.erase("id");
        json["workflow_run_id"] = m_plan.taskId;
        Json data;
        data["id"] = node.empty() ? m_plan.taskId : std::string(node) + "-" + m_plan.messageId;
        if (!node.empty()) {
            data["node_id"] = node;
            data["node_type"] = node;
            data["title"] = node == "llm" ? "LLM" : node == "answer" ? "Answer" : "Start";
        }
        if (!status.empty()) {
            data["status"] = status;
            data["error"] = error.empty() ? Json(nullptr) : Json(error);
            data["elapsed_time"] = static_cast<double>(m_elapsed.elapsed()) / 1000.0;
        }
        data["created_at"] = m_plan.createdAt;
        json["data"] = std::move(data);
        return json;
    }

    bool midStreamFault() const
    {
        const DifySimFault fault = m_plan.settings.fault;
        return fault == DifySimFault::ErrorEvent || fault == DifySimFault::DropConnection
            || fault == DifySimFault::MalformedFrames || fault == DifySimFault::Moderation
            || fault == DifySimFault::WorkflowFailed || fault == DifySimFault::UnknownEvents;
    }

    void next()
    {
        if (m_ending)
            return;
        const bool last = m_next >= m_plan.pieces.size();
        if (!m_faultDone && midStreamFault() && (m_sent >= m_plan.settings.faultAfterFrames || last)) {
            m_faultDone = true;
            if (applyFault())
                return;
        }
        if (m_next >= m_plan.pieces.size()) {
            end();
            return;
        }
        const std::string& piece = m_plan.pieces[m_next++];
        Json message = base(agent() ? "agent_message" : "message");
        message["answer"] = piece;
        emitBytes(frame(message));
        ++m_sent;
        m_answer += piece;
        m_server.appendToAnswer(m_plan.conversationId, m_plan.messageId, piece);
    }

    // True when the fault ended the stream.
    bool applyFault()
    {
        switch (m_plan.settings.fault) {
        case DifySimFault::ErrorEvent: {
            Json error;
            error["event"] = "error";
            error["task_id"] = m_plan.taskId;
            error["message_id"] = m_plan.messageId;
            error["status"] = 400;
            error["code"] = "completion_request_error";
            error["message"] = "[offline Dify] The model stopped with an error (simulated fault).";
            emitBytes(frame(error));
            finishWith(After::Terminate);
            return true;
        }
        case DifySimFault::DropConnection:
            finishWith(After::Drop);
            return true;
        case DifySimFault::MalformedFrames:
            emitBytes("data: {\"event\": \"message\", \"answer\": \"brok\n\n");
            emitBytes("data: this is not JSON\n\n");
            emitBytes("data: {\"answer\": \"no event name\"}\n\n");
            emitBytes(": a comment from the offline server\n\n");
            return false;
        case DifySimFault::Moderation: {
            Json replace = base("message_replace");
            replace.erase("id");
            replace["answer"] = std::string(kModerated);
            emitBytes(frame(replace));
            m_answer = kModerated;
            m_server.replaceAnswer(m_plan.conversationId, m_plan.messageId, kModerated);
            m_next = m_plan.pieces.size(); // the rest of the answer is withheld; message_end follows
            return false;
        }
        case DifySimFault::WorkflowFailed: {
            const std::string error
                = "Node LLM run failed: [offline Dify] the model provider timed out (simulated fault).";
            finishWorkflow("failed", "failed", error);
            Json failure;
            failure["event"] = "error";
            failure["task_id"] = m_plan.taskId;
            failure["message_id"] = m_plan.messageId;
            failure["status"] = 500;
            failure["code"] = "internal_server_error";
            failure["message"] = "Run failed: " + error;
            emitBytes(frame(failure));
            finishWith(After::Terminate);
            return true;
        }
        case DifySimFault::UnknownEvents: {
            Json future;
            future["event"] = "offline_future_event";
            future["task_id"] = m_plan.taskId;
            future["detail"] = "an event type from a newer Dify";
            emitBytes(frame(future));
            emitBytes("event: offline_vendor_note\n\n");
            return false;
        }
        default:
            return false;
        }
    }

    void end()
    {
        if (m_plan.settings.fault == DifySimFault::WorkflowPartial)
            finishWorkflow("exception", "partial-succeeded",
                "[offline Dify] a tool timed out and its default answer was used (simulated fault).");
        else if (chatflow())
            finishWorkflow("succeeded", "succeeded", {});
        if (agent()) {
            // Agent apps may repeat the whole answer in their last chunk; clients must not show it twice.
            Json repeat = base("agent_message");
            repeat["answer"] = m_answer;
            emitBytes(frame(repeat));
            Json file;
            file["event"] = "message_file";
            file["id"] = "file-" + m_plan.messageId;
            file["type"] = "image";
            file["belongs_to"] = "assistant";
            file["url"]
                = "https://offline-dify.invalid/files/" + (m_plan.tourId.empty() ? "answer" : m_plan.tourId) + ".png";
            file["conversation_id"] = m_plan.conversationId;
            emitBytes(frame(file));
        }
        Json end = base("message_end");
        Json usage;
        usage["prompt_tokens"] = m_plan.promptTokens;
        usage["prompt_unit_price"] = "0";
        usage["prompt_price_unit"] = "0.000001";
        usage["prompt_price"] = "0";
        usage["completion_tokens"] = m_sent;
        usage["completion_unit_price"] = "0";
        usage["completion_price_unit"] = "0.000001";
        usage["completion_price"] = "0";
        usage["total_tokens"] = m_plan.promptTokens + m_sent;
        usage["total_price"] = "0";
        usage["currency"] = "USD";
        usage["latency"] = static_cast<double>(m_elapsed.elapsed()) / 1000.0;
        Json metadata;
        metadata["usage"] = std::move(usage);
        Json resources = Json::array();
        if (!m_plan.page.empty()) {
            Json resource;
            resource["position"] = 1;
            resource["dataset_id"] = "proactive-activity";
            resource["dataset_name"] = "Recent activity";
            resource["document_id"] = m_plan.sessionId;
            resource["document_name"] = "Session " + m_plan.sessionId;
            resource["segment_id"] = m_plan.messageId;
            resource["score"] = 1.0;
            resource["content"] = "Current page: " + m_plan.page;
            resources.push_back(std::move(resource));
        }
        metadata["retriever_resources"] = std::move(resources);
        end["metadata"] = std::move(metadata);
        end["files"] = nullptr;
        emitBytes(frame(end));
        finishWith(After::Terminate);
    }

    void finishWith(After after)
    {
        m_ending = true;
        m_after = after;
        m_tokenTimer->stop();
        m_pingTimer->stop();
        if (m_pending.empty())
            conclude();
    }

    // Frames go out whole, or in writeBytes pieces (each its own chunk).
    void emitBytes(const std::string& bytes)
    {
        if (m_plan.settings.writeBytes == 0) {
            writeChunk(bytes);
            return;
        }
        m_pending += bytes;
        if (!m_writeTimer->isActive())
            m_writeTimer->start(0);
    }

    void writePending()
    {
        const std::size_t size = std::min(m_plan.settings.writeBytes, m_pending.size());
        writeChunk(std::string_view(m_pending).substr(0, size));
        m_pending.erase(0, size);
        if (!m_pending.empty())
            return;
        m_writeTimer->stop();
        if (m_ending)
            conclude();
    }

    void writeChunk(std::string_view bytes)
    {
        if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState || bytes.empty())
            return;
        m_socket->write(httpwire::HttpResponse::chunk(bytes));
        m_socket->flush();
    }

    void conclude()
    {
        if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState) {
            if (m_after == After::Drop)
                m_socket->disconnectFromHost(); // mid-body: no terminating chunk
            else
                m_socket->write(httpwire::HttpResponse::kLastChunk);
        }
        done();
    }

    void done()
    {
        if (m_done)
            return;
        m_done = true;
        m_tokenTimer->stop();
        m_pingTimer->stop();
        m_writeTimer->stop();
        if (m_socket)
            m_socket->disconnect(this);
        m_server.streamEnded(this);
    }

    DifySimServer& m_server;
    QPointer<QTcpSocket> m_socket;
    Plan m_plan;
    QTimer* m_tokenTimer;
    QTimer* m_pingTimer;
    QTimer* m_writeTimer;
    QElapsedTimer m_elapsed;
    std::string m_pending;
    std::string m_answer; // as streamed so far
    std::size_t m_next = 0;
    int m_sent = 0;
    bool m_faultDone = false;
    bool m_ending = false;
    bool m_done = false;
    After m_after = After::Nothing;
};

DifySimServer::DifySimServer(TourCatalog catalog, DifySimSettings settings, QObject* parent)
    : QObject(parent)
    , m_catalog(std::move(catalog))
    , m_settings(std::move(settings))
    , m_server(std::make_unique<httpwire::RawHttpServer>(
          [this](const QHttpServerRequest& request, QTcpSocket* socket) { handle(request, socket); }))
{ }

DifySimServer::~DifySimServer()
{
    for (Stream* stream : m_streams) {
        stream->disconnect();
        delete stream;
    }
    m_streams.clear();
    m_server.reset();
}

quint16 DifySimServer::listen(const QHostAddress& address, quint16 port)
{
    auto* listener = new QTcpServer(m_server.get());
    if (!listener->listen(address, port)) {
        m_errorString = listener->errorString();
        delete listener;
        return 0;
    }
    m_server->bind(listener);
    m_address = address;
    m_port = listener->serverPort();
    return m_port;
}

QUrl DifySimServer::baseUrl() const
{
    QUrl url;
    url.setScheme(u"http"_qs);
    url.setHost(m_address.toString());
    url.setPort(m_port);
    return url;
}

void DifySimServer::setCatalog(TourCatalog catalog)
{
    m_catalog = std::move(catalog);
}

void DifySimServer::setSettings(DifySimSettings settings)
{
    m_settings = std::move(settings);
}

void DifySimServer::setCurrentPageProvider(CurrentPageProvider provider)
{
    m_currentPage = std::move(provider);
}

const DifySimConversation* DifySimServer::conversation(std::string_view id) const
{
    const auto it = m_conversations.find(id);
    return it == m_conversations.end() ? nullptr : &it->second;
}

DifySimConversation* DifySimServer::findConversation(std::string_view id)
{
    const auto it = m_conversations.find(id);
    return it == m_conversations.end() ? nullptr : &it->second;
}

void DifySimServer::replaceAnswer(std::string_view conversationId, std::string_view messageId, std::string_view answer)
{
    DifySimConversation* conversation = findConversation(conversationId);
    if (!conversation)
        return;
    for (DifySimMessage& message : conversation->messages)
        if (message.id == messageId)
            message.answer = answer;
}

void DifySimServer::appendToAnswer(std::string_view conversationId, std::string_view messageId, std::string_view piece)
{
    DifySimConversation* conversation = findConversation(conversationId);
    if (!conversation)
        return;
    for (DifySimMessage& message : conversation->messages)
        if (message.id == messageId)
            message.answer += piece;
}

void DifySimServer::streamEnded(Stream* stream)
{
    m_streams.erase(std::remove(m_streams.begin(), m_streams.end(), stream), m_streams.end());
    stream->deleteLater();
}

std::optional<DifySimServer::Reply> DifySimServer::checkKey(const QHttpServerRequest& request) const
{
    const QByteArray header = request.value("Authorization");
    if (!header.startsWith("Bearer ") || header.size() <= 7)
        return Reply::error(401, "unauthorized", "Authorization header must be provided and start with 'Bearer'");
    const std::string key = header.mid(7).trimmed().toStdString();
    const auto& keys = m_settings.apiKeys;
    if (!keys.empty() && std::find(keys.begin(), keys.end(), key) == keys.end())
        return Reply::error(401, "unauthorized", "Access token is invalid");
    return std::nullopt;
}

void DifySimServer::handle(const QHttpServerRequest& request, QTcpSocket* socket)
{
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    const std::string method = httpwire::RawHttpServer::methodName(request.method());
    const QString path = request.url().path();
    const std::vector<std::string> segments = pathSegments(path);
    std::string note;
    Reply reply;

    const auto is = [&](std::initializer_list<std::string_view> expected) {
        return std::equal(segments.begin(), segments.end(), expected.begin(), expected.end());
    };
    const bool chat = is({ "v1", "chat-messages" });
    const bool stop
        = segments.size() == 4 && segments[0] == "v1" && segments[1] == "chat-messages" && segments[3] == "stop";
    const bool known
        = chat || stop || is({ "v1", "parameters" }) || is({ "v1", "conversations" }) || is({ "v1", "messages" });

    if (!known) {
        reply = Reply::error(404, "not_found",
            "The requested URL was not found on the server. If you entered the URL manually please check your "
            "spelling and try again.");
    } else if (request.method() == QHttpServerRequest::Method::Options) {
        reply.status = 204;
    } else if ((chat || stop) != (request.method() == QHttpServerRequest::Method::Post)) {
        reply = Reply::error(405, "method_not_allowed", "The method is not allowed for the requested URL.");
    } else if (const auto refused = checkKey(request)) {
        reply = *refused;
    } else if (chat) {
        reply = chatMessages(request, socket, note);
    } else if (stop) {
        reply = stopTask(request, segments[2], note);
    } else if (is({ "v1", "parameters" })) {
        reply = parameters();
    } else if (is({ "v1", "conversations" })) {
        reply = conversations(request);
    } else {
        reply = messages(request);
    }

    if (!reply.streaming)
        send(socket, reply);
    QString line = QString::fromStdString(method) + u' ' + path + u' ' + QString::number(reply.status);
    if (reply.streaming)
        line += u" streaming"_qs;
    if (!note.empty())
        line += u' ' + QString::fromStdString(note);
    Q_EMIT requestServed(line);
}

void DifySimServer::send(QTcpSocket* socket, const Reply& reply)
{
    if (socket->state() != QAbstractSocket::ConnectedState)
        return;
    if (reply.dropConnection) {
        socket->disconnectFromHost();
        return;
    }
    httpwire::HttpResponse out(reply.status);
    out.header("Access-Control-Allow-Origin", "*");
    if (reply.status == 204) {
        out.header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            .header("Access-Control-Allow-Headers", "Authorization, Content-Type")
            .header("Access-Control-Max-Age", "600");
        socket->write(out.finish());
        return;
    }
    out.header("Content-Type", "application/json")
        .header("Content-Length", QByteArray::number(qsizetype(reply.body.size())));
    socket->write(out.finish(reply.body));
}

DifySimServer::Reply DifySimServer::chatMessages(
    const QHttpServerRequest& request, QTcpSocket* socket, std::string& note)
{
    const QByteArray raw = request.body();
    const auto body = parseJsonText(std::string_view(raw.constData(), std::size_t(raw.size())));
    if (body.is_discarded() || !body.is_object())
        return Reply::error(
            400, "bad_request", "The browser (or proxy) sent a request that this server could not understand.");
    const auto text = [&](const char* key) -> const nlohmann::json* {
        const auto it = body.find(key);
        return it == body.end() ? nullptr : &*it;
    };
    const nlohmann::json* inputs = text("inputs");
    if (!inputs || !inputs->is_object())
        return Reply::error(400, "invalid_param", "inputs is required and must be an object");
    const nlohmann::json* query = text("query");
    if (!query || !query->is_string() || query->get_ref<const std::string&>().empty())
        return Reply::error(400, "invalid_param", "query is required");
    const nlohmann::json* user = text("user");
    if (!user || !user->is_string() || user->get_ref<const std::string&>().empty())
        return Reply::error(400, "invalid_param", "user is required");
    const nlohmann::json* mode = text("response_mode");
    bool streaming = false;
    if (mode && !mode->is_null()) {
        if (!mode->is_string() || (*mode != "streaming" && *mode != "blocking"))
            return Reply::error(400, "invalid_param", "response_mode must be 'streaming' or 'blocking'");
        streaming = *mode == "streaming";
    }
    std::string conversationId;
    if (const nlohmann::json* id = text("conversation_id"); id && !id->is_null()) {
        if (!id->is_string())
            return Reply::error(400, "invalid_param", "conversation_id must be a string");
        conversationId = id->get<std::string>();
        // Dify checks the form only (uuid_value), then looks the id up in
        // its canonical form: the nil UUID is 404, an upper-case id is found.
        if (!conversationId.empty()) {
            const auto canonical = canonicalUuid(conversationId);
            if (!canonical)
                return Reply::error(400, "invalid_param", conversationId + " is not a valid uuid.");
            conversationId = *canonical;
        }
    }
    const std::string& userId = user->get_ref<const std::string&>();

    DifySimConversation* conversation = nullptr;
    if (!conversationId.empty()) {
        conversation = findConversation(conversationId);
        if (!conversation || conversation->user != userId)
            return Reply::error(404, "not_found", "Conversation Not Exists.");
    }
    if (m_settings.fault == DifySimFault::Http429) {
        note = "fault=http-429";
        return Reply::error(429, "too_many_requests", "Too many requests. Please try again later.");
    }
    if (m_settings.fault == DifySimFault::Http500) {
        note = "fault=http-500";
        return Reply::error(500, "internal_server_error",
            "The server encountered an internal error and was unable to complete your request. Either the server is "
            "overloaded or there is an error in the application.");
    }

    const std::int64_t now = nowSeconds();
    if (!conversation) {
        // Inputs are read only here, on the conversation's first message.
        DifySimConversation created;
        created.id = newUuid();
        created.user = userId;
        created.name = "New conversation";
        created.createdAt = now;
        for (auto it = inputs->begin(); it != inputs->end(); ++it)
            created.inputs.emplace_back(it.key(), it->is_string() ? it->get<std::string>() : it->dump());
        conversation = &m_conversations.emplace(created.id, std::move(created)).first->second;
    }
    conversation->updatedAt = now;
    conversation->updateSequence = ++m_updates;

    const std::string sessionId = inputValue(*conversation, "session_id");
    const std::string page = m_currentPage ? m_currentPage(sessionId) : std::string();
    const std::string& question = query->get_ref<const std::string&>();
    const TourAnswer answer = composeTourAnswer(m_catalog, question, page);

    DifySimMessage message;
    message.id = newUuid();
    message.query = question;
    message.tourId = answer.tourId;
    message.createdAt = now;
    conversation->messages.push_back(message);

    note = "conversation=" + conversation->id + " tour=" + answer.tourId
        + " reason=" + std::string(nameOf(answer.reason));
    if (m_settings.fault != DifySimFault::None)
        note += " fault=" + std::string(nameOf(m_settings.fault));

    const std::string taskId = newUuid();
    const std::int64_t promptTokens = 400 + std::int64_t(question.size() / 4);
    if (!streaming) {
        if (m_settings.fault == DifySimFault::DropConnection) {
            Reply reply;
            reply.dropConnection = true;
            return reply;
        }
        if (m_settings.fault == DifySimFault::ErrorEvent)
            return Reply::error(
                400, "completion_request_error", "[offline Dify] The model stopped with an error (simulated fault).");
        conversation->messages.back().answer = answer.text;
        const std::int64_t completionTokens = std::int64_t(splitIntoPieces(answer.text, m_settings.chunkChars).size());
        Json usage;
        usage["prompt_tokens"] = promptTokens;
        usage["completion_tokens"] = completionTokens;
        usage["total_tokens"] = promptTokens + completionTokens;
        usage["total_price"] = "0";
        usage["currency"] = "USD";
        usage["latency"] = 0.0;
        Json result;
        result["event"] = "message";
        result["task_id"] = taskId;
        result["id"] = message.id;
        result["message_id"] = message.id;
        result["conversation_id"] = conversation->id;
        result["mode"] = "chat";
        result["answer"] = answer.text;
        result["metadata"]["usage"] = std::move(usage);
        result["metadata"]["retriever_resources"] = Json::array();
        result["created_at"] = now;
        return Reply::json(200, result);
    }

    Stream::Plan plan;
    plan.conversationId = conversation->id;
    plan.messageId = message.id;
    plan.taskId = taskId;
    plan.user = userId;
    plan.sessionId = sessionId;
    plan.page = page;
    plan.pieces = splitIntoPieces(answer.text, m_settings.chunkChars);
    plan.tourId = answer.tourId;
    plan.createdAt = now;
    plan.promptTokens = promptTokens;
    plan.settings = m_settings;
    auto* stream = new Stream(*this, socket, std::move(plan));
    m_streams.push_back(stream);
    stream->start();
    Reply reply;
    reply.streaming = true;
    return reply;
}

DifySimServer::Reply DifySimServer::stopTask(
    const QHttpServerRequest& request, std::string_view taskId, std::string& note)
{
    const QByteArray raw = request.body();
    const auto body = parseJsonText(std::string_view(raw.constData(), std::size_t(raw.size())));
    const auto user = body.is_object() ? body.find("user") : body.end();
    if (!body.is_object() || user == body.end() || !user->is_string() || user->get_ref<const std::string&>().empty())
        return Reply::error(400, "invalid_param", "user is required");
    // As Dify: success whether or not the task is (still) running for this user.
    const auto it = std::find_if(m_streams.begin(), m_streams.end(),
        [&](const Stream* s) { return s->taskId() == taskId && s->user() == user->get<std::string>(); });
    note = it == m_streams.end() ? "task=unknown" : "task=stopped";
    if (it != m_streams.end())
        (*it)->stop();
    Json result;
    result["result"] = "success";
    return Reply::json(200, result);
}

DifySimServer::Reply DifySimServer::parameters() const
{
    Json result;
    result["opening_statement"] = "Hi! Ask me how to do something here; I can also point at the steps on the page.";
    Json suggestions = Json::array();
    for (const Tour& tour : m_catalog.tours())
        suggestions.push_back(tour.name);
    result["suggested_questions"] = std::move(suggestions);
    result["suggested_questions_after_answer"]["enabled"] = false;
    result["speech_to_text"]["enabled"] = false;
    result["text_to_speech"]["enabled"] = false;
    result["retriever_resource"]["enabled"] = true;
    result["annotation_reply"]["enabled"] = false;
    result["more_like_this"]["enabled"] = false;
    Json field;
    field["label"] = "Session ID";
    field["variable"] = "session_id";
    field["required"] = false;
    field["max_length"] = 256;
    field["default"] = "";
    Json input;
    input["text-input"] = std::move(field);
    result["user_input_form"] = Json::array({ std::move(input) });
    result["sensitive_word_avoidance"]["enabled"] = false;
    result["file_upload"]["image"]["enabled"] = false;
    result["system_parameters"]["file_size_limit"] = 15;
    return Reply::json(200, result);
}

DifySimServer::Reply DifySimServer::conversations(const QHttpServerRequest& request) const
{
    const QUrlQuery query = request.query();
    const std::string user = query.queryItemValue(u"user"_qs, QUrl::FullyDecoded).toStdString();
    if (user.empty())
        return Reply::error(400, "invalid_param", "user is required");
    int limit = 20;
    if (query.hasQueryItem(u"limit"_qs)) {
        bool ok = false;
        limit = query.queryItemValue(u"limit"_qs).toInt(&ok);
        if (!ok || limit < 1 || limit > 100)
            return Reply::error(400, "invalid_param", "limit must be between 1 and 100");
    }
    std::vector<const DifySimConversation*> mine;
    for (const auto& [id, conversation] : m_conversations)
        if (conversation.user == user)
            mine.push_back(&conversation);
    std::sort(mine.begin(), mine.end(), [](const DifySimConversation* a, const DifySimConversation* b) {
        return a->updateSequence > b->updateSequence;
    });
    const std::string lastId = query.queryItemValue(u"last_id"_qs).toStdString();
    auto from = mine.begin();
    if (!lastId.empty()) {
        from = std::find_if(mine.begin(), mine.end(), [&](const DifySimConversation* c) { return c->id == lastId; });
        if (from == mine.end())
            return Reply::error(404, "not_found", "Last Conversation Not Exists.");
        ++from;
    }
    Json data = Json::array();
    auto it = from;
    for (; it != mine.end() && data.size() < std::size_t(limit); ++it) {
        Json item;
        item["id"] = (*it)->id;
        item["name"] = (*it)->name;
        item["inputs"] = inputsJson(**it);
        item["status"] = "normal";
        item["introduction"] = "";
        item["created_at"] = (*it)->createdAt;
        item["updated_at"] = (*it)->updatedAt;
        data.push_back(std::move(item));
    }
    Json result;
    result["limit"] = limit;
    result["has_more"] = it != mine.end();
    result["data"] = std::move(data);
    return Reply::json(200, result);
}

DifySimServer::Reply DifySimServer::messages(const QHttpServerRequest& request) const
{
    const QUrlQuery query = request.query();
    const std::string user = query.queryItemValue(u"user"_qs, QUrl::FullyDecoded).toStdString();
    std::string id = query.queryItemValue(u"conversation_id"_qs).toStdString();
    if (user.empty())
        return Reply::error(400, "invalid_param", "user is required");
    if (!id.empty()) {
        const auto canonical = canonicalUuid(id);
        if (!canonical)
            return Reply::error(400, "invalid_param", id + " is not a valid uuid.");
        id = *canonical;
    }
    int limit = 20;
    if (query.hasQueryItem(u"limit"_qs)) {
        bool ok = false;
        limit = query.queryItemValue(u"limit"_qs).toInt(&ok);
        if (!ok || limit < 1 || limit > 100)
            return Reply::error(400, "invalid_param", "limit must be between 1 and 100");
    }
    const DifySimConversation* conversation = this->conversation(id);
    if (!conversation || conversation->user != user)
        return Reply::error(404, "not_found", "Conversation Not Exists.");
    const auto& all = conversation->messages;
    std::size_t end = all.size();
    const std::string firstId = query.queryItemValue(u"first_id"_qs).toStdString();
    if (!firstId.empty()) {
        const auto it = std::find_if(all.begin(), all.end(), [&](const DifySimMessage& m) { return m.id == firstId; });
        if (it == all.end())
            return Reply::error(404, "not_found", "First Message Not Exists.");
        end = std::size_t(it - all.begin());
    }
    // The `limit` messages before first_id (or the newest), oldest first.
    const std::size_t begin = end > std::size_t(limit) ? end - std::size_t(limit) : 0;
    Json data = Json::array();
    for (std::size_t i = begin; i < end; ++i) {
        const DifySimMessage& message = all[i];
        Json item;
        item["id"] = message.id;
        item["conversation_id"] = conversation->id;
        item["parent_message_id"] = nullptr;
        item["inputs"] = inputsJson(*conversation);
        item["query"] = message.query;
        item["answer"] = message.answer;
        item["message_files"] = Json::array();
        item["feedback"] = nullptr;
        item["retriever_resources"] = Json::array();
        item["created_at"] = message.createdAt;
        item["agent_thoughts"] = Json::array();
        item["status"] = "normal";
        item["error"] = nullptr;
        data.push_back(std::move(item));
    }
    Json result;
    result["limit"] = limit;
    result["has_more"] = begin > 0;
    result["data"] = std::move(data);
    return Reply::json(200, result);
}

} // namespace proactive::difysim
