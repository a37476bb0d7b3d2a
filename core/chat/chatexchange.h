#pragma once

#include "base/clock.h"
#include "chat/difyevent.h"
#include "chat/sseparser.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

// How one question → answer exchange ended.
enum class ChatOutcome : std::uint8_t {
    Streaming, // not over yet
    Completed, // message_end arrived
    ErrorEvent, // an `error` frame inside the 200 stream, or a chatflow's workflow_finished `failed` (or
                // `stopped` by someone else than this client); the partial answer is kept
    Truncated, // the stream ended or broke before message_end; the partial answer is kept
    HttpError, // a non-2xx answer (Dify's {code, message, status} body)
    NetworkError, // no HTTP answer at all (refused, unreachable, timed out)
    Stopped, // the person stopped it before message_end; the partial answer is kept
};

std::string_view nameOf(ChatOutcome outcome);

// One line of the studio inspector's raw event log.
struct ChatLogEntry {
    Duration at {}; // since the request was sent
    std::string type; // the Dify event name ("message", "ping", "node_started"), "malformed", or an
                      // end marker: "http_error", "network_error", "end_of_stream", "truncated_frame", "stop"
    std::size_t bytes = 0; // wire bytes of the frame (of the body for http_error)
    std::string note; // why a frame was malformed, the HTTP status, the network error
};

struct ChatCounters {
    std::uint64_t bytes = 0;
    std::uint64_t frames = 0; // SSE events dispatched
    std::uint64_t textEvents = 0; // message + agent_message
    std::uint64_t repeatedAnswers = 0; // agent_message frames repeating the whole answer (not appended)
    std::uint64_t replaceEvents = 0;
    std::uint64_t agentThoughts = 0;
    std::uint64_t files = 0;
    std::uint64_t workflowEvents = 0;
    std::uint64_t pings = 0;
    std::uint64_t ttsEvents = 0;
    std::uint64_t unknownEvents = 0;
    std::uint64_t malformedFrames = 0;
    std::uint64_t comments = 0;
    std::uint64_t truncatedBytes = 0; // of an unfinished last frame
};

// One streaming exchange with Dify's /v1/chat-messages, from the bytes on the
// wire to the answer: feeds the SSE parser, decodes frames, accumulates the
// text, keeps ids, usage and the raw event log, and decides the outcome.
// Pure: the caller owns the connection and the clock (`at` is the time since
// the request was sent).
//
// Rules (SPEC §5, §8 "§5 Dify events"): text frames (message,
// agent_message) append, message_replace replaces the whole answer; an
// agent_message whose piece is the whole non-empty answer so far is an Agent
// app repeating it in its last chunk and is not appended (`repeat`);
// agent_thought frames are kept per thought id (a later frame of the same
// thought updates it), message_file frames are kept in order; a chatflow's
// workflow_finished `failed` (or `stopped`, unless this client stopped it)
// ends the answer like an error frame, `partial-succeeded` and `succeeded`
// do not; task, message and conversation ids are taken from any frame that
// carries them (message_end's win); after an error, later text is ignored;
// frames after message_end (tts) are read and counted; unknown event types
// are ignored, counted and logged. Malformed frames are skipped and counted,
// never fatal.
class ChatExchange final {
public:
    // `requestBody` is kept for the inspector ("which inputs were sent"); it
    // must not contain the key (it is the JSON body, the key is a header).
    explicit ChatExchange(std::string requestBody = {});

    // Body bytes of a 2xx answer as they arrive. Returns the frames decoded
    // from them, in order; the span is valid until the next call.
    std::span<const DifyEvent> receive(std::string_view bytes, Duration at);
    // The body ended normally (end of the connection or of the chunked body).
    // Returns the frames a held-back CR completed.
    std::span<const DifyEvent> endOfStream(Duration at);
    // The connection broke. Before any HTTP answer this is a NetworkError;
    // after a 200 it ends the stream like endOfStream, noting `detail`.
    std::span<const DifyEvent> networkError(std::string_view detail, bool answered, Duration at);
    // A non-2xx answer with its whole body.
    void httpError(int status, std::string_view body, Duration at);
    // The person pressed stop. Before message_end the outcome becomes Stopped
    // once the stream is over; after it, nothing changes.
    void requestStop(Duration at);

    bool finished() const { return m_finished; }
    ChatOutcome outcome() const;
    bool messageEnded() const { return m_messageEnded; }
    bool stopRequested() const { return m_stopRequested; }

    // The answer as streamed so far (tags included; see tourtag.h).
    const std::string& answer() const { return m_answer; }
    const std::string& taskId() const { return m_taskId; }
    const std::string& messageId() const { return m_messageId; }
    const std::string& conversationId() const { return m_conversationId; }
    const std::optional<DifyUsage>& usage() const { return m_usage; }
    const std::vector<DifyRetrieverResource>& retrieverResources() const { return m_resources; }
    // agent_thought frames, one per thought id in the order they first came, each as last updated.
    const std::vector<DifyAgentThought>& thoughts() const { return m_thoughts; }
    // message_file frames, in order.
    const std::vector<DifyMessageFile>& files() const { return m_files; }
    // A chatflow's workflow_finished status ("succeeded", "partial-succeeded", ...); empty without one.
    const std::string& workflowStatus() const { return m_workflowStatus; }
    // The error frame or HTTP error, when there was one.
    const std::optional<DifyError>& error() const { return m_error; }
    int httpStatus() const { return m_httpStatus; }

    // A sentence for the person chatting; empty for Completed and Streaming.
    std::string userMessage() const;

    const ChatCounters& counters() const { return m_counters; }
    const std::vector<ChatLogEntry>& log() const { return m_log; }
    const std::string& requestBody() const { return m_requestBody; }

private:
    std::span<const DifyEvent> drain(Duration at);
    void apply(DifyEvent& event, ChatLogEntry& entry);
    void applyWorkflow(const DifyEvent& event, bool open, ChatLogEntry& entry);
    void finishStream(Duration at, std::string_view marker, std::string note);

    std::string m_requestBody;
    SseParser m_parser;
    DifyDecoder m_decoder;
    std::vector<DifyEvent> m_batch; // reused: decoded objects keep their capacity
    std::size_t m_batchSize = 0;

    std::string m_answer;
    std::string m_taskId;
    std::string m_messageId;
    std::string m_conversationId;
    std::optional<DifyUsage> m_usage;
    std::vector<DifyRetrieverResource> m_resources;
    std::vector<DifyAgentThought> m_thoughts;
    std::vector<DifyMessageFile> m_files;
    std::string m_workflowStatus;
    std::optional<DifyError> m_error;
    std::string m_networkDetail;
    int m_httpStatus = 0;
    bool m_answered = false; // an HTTP answer arrived
    bool m_messageEnded = false;
    bool m_errorEvent = false;
    bool m_stopRequested = false;
    bool m_finished = false;

    ChatCounters m_counters;
    std::vector<ChatLogEntry> m_log;
};

} // namespace proactive
