#pragma once

#include "chat/sseparser.h"
#include "intake/jsontape.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

// What one SSE frame of Dify's /v1/chat-messages stream is (SPEC §5).
enum class DifyEventKind : std::uint8_t {
    Message, // `message`: a piece of the answer
    AgentMessage, // `agent_message`: the same for agent apps
    AgentThought, // `agent_thought`: a tool call or reasoning step
    MessageReplace, // `message_replace`: the whole answer so far is replaced (moderation)
    MessageFile, // `message_file`: a file (image) attached to the message
    MessageEnd, // `message_end`: the answer is complete; usage and retriever resources
    Workflow, // `workflow_*`, `node_*`, `iteration_*`, `loop_*`, `parallel_branch_*`, `agent_log`: a chatflow's
              // progress; a failed or stopped `workflow_finished` ends the answer (ChatExchange)
    Ping, // `event: ping` keep-alive (no data)
    Error, // `error`: the stream failed; status, code, message
    Tts, // `tts_message`, `tts_message_end`: audio, may follow message_end; ignored
    Unknown, // valid JSON with an event name this client does not know
    Malformed, // not JSON, not an object, or no `event` name: skipped and counted
};

std::string_view nameOf(DifyEventKind kind);

struct DifyUsage {
    std::int64_t promptTokens = 0;
    std::int64_t completionTokens = 0;
    std::int64_t totalTokens = 0;
    std::string totalPrice; // Dify sends prices as decimal strings
    std::string currency;
    double latency = 0; // seconds
};

struct DifyRetrieverResource {
    std::int64_t position = 0;
    std::string datasetId;
    std::string datasetName;
    std::string documentId;
    std::string documentName;
    std::string segmentId;
    double score = 0;
    std::string content;
};

struct DifyAgentThought {
    std::string id;
    std::int64_t position = 0;
    std::string thought;
    std::string observation;
    std::string tool;
    std::string toolInput;
    std::vector<std::string> files; // `message_files`: ids of files the thought produced
};

struct DifyMessageFile {
    std::string id;
    std::string type; // "image"
    std::string belongsTo; // "user" or "assistant"
    std::string url;
};

// `data` of a chatflow's workflow_* / node_* frame (the members a client
// shows; the rest is in the raw frame).
struct DifyWorkflowStep {
    std::string runId; // `workflow_run_id`
    std::string id; // data.id: the run's (workflow_*) or the node execution's (node_*)
    std::string nodeId; // node_*: data.node_id
    std::string nodeType; // node_*: "llm", "answer", ...
    std::string title; // node_*: the node's title in the app
    std::string status; // *_finished: "running", "succeeded", "failed", "stopped", "partial-succeeded", "exception"
    std::string error; // *_finished: why it failed
    std::string outputs; // *_finished: data.outputs as JSON text, for the inspector
};

// An error frame inside a 200 stream, or the body of an HTTP error: Dify's
// `{status, code, message}`.
struct DifyError {
    int status = 0;
    std::string code;
    std::string message;
};

// One decoded frame. Only the members of its kind are set; the decoder
// reuses the object, so its strings keep their capacity between frames.
struct DifyEvent {
    DifyEventKind kind = DifyEventKind::Malformed;
    std::string name; // the JSON `event` name, or the SSE event type when there is no JSON
    std::string taskId;
    std::string messageId;
    std::string conversationId;
    std::string answer; // Message/AgentMessage: the piece; MessageReplace: the new whole answer
    std::int64_t createdAt = 0;
    std::optional<DifyUsage> usage; // MessageEnd
    std::vector<DifyRetrieverResource> retrieverResources; // MessageEnd
    std::optional<DifyAgentThought> thought;
    std::optional<DifyMessageFile> file;
    std::optional<DifyWorkflowStep> workflow; // Workflow
    std::optional<DifyError> error;
    std::string malformedReason; // Malformed: why, for the inspector
    // Set by ChatExchange: the frame came after message_end or an error frame
    // and changed nothing (a client must not show its text).
    bool late = false;
    // Set by ChatExchange: an agent_message whose piece is the whole answer so
    // far (Agent apps may repeat it in the last chunk); not appended, not shown.
    bool repeat = false;
};

// Turns SSE frames into DifyEvents. JSON is read with the intake's JsonTape
// (no DOM) and only the members Dify defines are kept; a member of the
// wrong type counts as absent, except `answer` of a text event, whose
// absence would silently lose text (that frame is Malformed).
class DifyDecoder final {
public:
    void decode(const SseEvent& sse, DifyEvent& out);

private:
    JsonTape m_tape;
    std::string m_error;
    std::string m_scratch;
};

// Dify's HTTP error body `{code, message, status}`; nullopt when the body is
// not such an object.
std::optional<DifyError> parseDifyErrorBody(std::string_view body);

// A sentence for the person chatting, from an HTTP error (status and body)
// or an error frame: bad key, conversation gone, rate limited, app or model
// unavailable, server trouble. Never contains the request or the key.
std::string describeDifyError(const DifyError& error);
std::string describeDifyHttpError(int status, std::string_view body);

} // namespace proactive
