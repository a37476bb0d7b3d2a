#include "chat/chatexchange.h"

#include <algorithm>

namespace proactive {

namespace {

    // A note for the inspector's log: at most this many bytes of a text, cut
    // on a UTF-8 boundary.
    std::string cut(std::string_view text, std::size_t max = 160)
    {
        if (text.size() <= max)
            return std::string(text);
        std::size_t end = max;
        while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
            --end;
        return std::string(text.substr(0, end)) + "…";
    }

    void appendNote(std::string& note, std::string_view label, std::string_view value)
    {
        if (value.empty())
            return;
        if (!note.empty())
            note += "; ";
        note += label;
        note += cut(value);
    }

} // namespace

std::string_view nameOf(ChatOutcome outcome)
{
    switch (outcome) {
    case ChatOutcome::Streaming:
        return "streaming";
    case ChatOutcome::Completed:
        return "completed";
    case ChatOutcome::ErrorEvent:
        return "error_event";
    case ChatOutcome::Truncated:
        return "truncated";
    case ChatOutcome::HttpError:
        return "http_error";
    case ChatOutcome::NetworkError:
        return "network_error";
    case ChatOutcome::Stopped:
        return "stopped";
    }
    return "streaming";
}

ChatExchange::ChatExchange(std::string requestBody)
    : m_requestBody(std::move(requestBody))
{ }

std::span<const DifyEvent> ChatExchange::receive(std::string_view bytes, Duration at)
{
    if (m_finished)
        return {};
    m_answered = true;
    m_counters.bytes += bytes.size();
    m_parser.feed(bytes);
    return drain(at);
}

std::span<const DifyEvent> ChatExchange::drain(Duration at)
{
    m_batchSize = 0;
    while (const auto sse = m_parser.next()) {
        if (m_batchSize == m_batch.size())
            m_batch.emplace_back();
        DifyEvent& event = m_batch[m_batchSize++];
        m_decoder.decode(*sse, event);
        ++m_counters.frames;
        m_log.push_back({ at, event.name.empty() ? std::string(nameOf(event.kind)) : event.name, sse->bytes,
            event.malformedReason });
        if (event.kind == DifyEventKind::Malformed)
            m_log.back().type = "malformed";
        apply(event, m_log.back());
    }
    m_counters.comments = m_parser.stats().comments;
    return { m_batch.data(), m_batchSize };
}

void ChatExchange::apply(DifyEvent& event, ChatLogEntry& entry)
{
    if (!event.taskId.empty())
        m_taskId = event.taskId;
    if (!event.messageId.empty())
        m_messageId = event.messageId;
    if (!event.conversationId.empty())
        m_conversationId = event.conversationId;

    // The answer is final at message_end and frozen by an error frame.
    const bool open = !m_messageEnded && !m_errorEvent;
    event.late = !open;
    switch (event.kind) {
    case DifyEventKind::Message:
        ++m_counters.textEvents;
        if (open)
            m_answer += event.answer;
        break;
    case DifyEventKind::AgentMessage:
        ++m_counters.textEvents;
        // An Agent app may send the whole answer again as its last chunk. A
        // piece that equals the answer so far is taken for that repeat (an
        // answer that truly says the same thing twice in two pieces loses
        // the second: rare, and far better than every agent answer twice).
        if (open && !m_answer.empty() && event.answer == m_answer) {
            event.repeat = true;
            ++m_counters.repeatedAnswers;
            entry.note = "repeats the whole answer so far: not shown again";
        } else if (open) {
            m_answer += event.answer;
        }
        break;
    case DifyEventKind::MessageReplace:
        ++m_counters.replaceEvents;
        if (open)
            m_answer = event.answer;
        break;
    case DifyEventKind::AgentThought: {
        ++m_counters.agentThoughts;
        const DifyAgentThought& thought = *event.thought;
        appendNote(entry.note, "tool: ", thought.tool);
        appendNote(entry.note, "thought: ", thought.thought);
        appendNote(entry.note, "observation: ", thought.observation);
        if (!open)
            break;
        const auto same = std::find_if(m_thoughts.begin(), m_thoughts.end(),
            [&](const DifyAgentThought& t) { return !thought.id.empty() && t.id == thought.id; });
        if (same != m_thoughts.end())
            *same = thought;
        else
            m_thoughts.push_back(thought);
        break;
    }
    case DifyEventKind::MessageFile:
        ++m_counters.files;
        appendNote(entry.note, "", event.file->type);
        appendNote(entry.note, "", event.file->url);
        if (open)
            m_files.push_back(*event.file);
        break;
    case DifyEventKind::MessageEnd:
        if (open) {
            m_messageEnded = true;
            m_usage = event.usage;
            m_resources = event.retrieverResources;
        }
        break;
    case DifyEventKind::Workflow:
        ++m_counters.workflowEvents;
        applyWorkflow(event, open, entry);
        break;
    case DifyEventKind::Ping:
        ++m_counters.pings;
        break;
    case DifyEventKind::Error:
        if (open) {
            m_errorEvent = true;
            m_error = event.error;
        }
        break;
    case DifyEventKind::Tts:
        ++m_counters.ttsEvents;
        break;
    case DifyEventKind::Unknown:
        ++m_counters.unknownEvents;
        entry.note = "ignored: an event type this client does not know";
        break;
    case DifyEventKind::Malformed:
        ++m_counters.malformedFrames;
        break;
    }
}

void ChatExchange::applyWorkflow(const DifyEvent& event, bool open, ChatLogEntry& entry)
{
    const DifyWorkflowStep& step = *event.workflow;
    appendNote(entry.note, "", step.title.empty() ? step.nodeType : step.title);
    appendNote(entry.note, "status: ", step.status);
    appendNote(entry.note, "error: ", step.error);
    if (event.name != "workflow_finished" || !open)
        return;
    m_workflowStatus = step.status;
    // Our own stop ends the workflow as `stopped`: that is the Stopped outcome, not an error.
    const bool failed = step.status == "failed" || (step.status == "stopped" && !m_stopRequested);
    if (!failed)
        return;
    m_errorEvent = true;
    m_error = DifyError { 0, step.status == "failed" ? "workflow_failed" : "workflow_stopped", step.error };
}

void ChatExchange::finishStream(Duration at, std::string_view marker, std::string note)
{
    m_parser.finish();
    drain(at);
    if (const std::size_t truncated = m_parser.truncatedBytes()) {
        m_counters.truncatedBytes = truncated;
        m_log.push_back({ at, "truncated_frame", truncated, {} });
    }
    m_log.push_back({ at, std::string(marker), 0, std::move(note) });
    m_finished = true;
}

std::span<const DifyEvent> ChatExchange::endOfStream(Duration at)
{
    if (m_finished)
        return {};
    m_answered = true;
    finishStream(at, "end_of_stream", {});
    return { m_batch.data(), m_batchSize };
}

std::span<const DifyEvent> ChatExchange::networkError(std::string_view detail, bool answered, Duration at)
{
    if (m_finished)
        return {};
    m_networkDetail = detail;
    if (!answered && !m_answered) {
        m_log.push_back({ at, "network_error", 0, std::string(detail) });
        m_finished = true;
        return {};
    }
    m_answered = true;
    finishStream(at, "network_error", std::string(detail));
    return { m_batch.data(), m_batchSize };
}

void ChatExchange::httpError(int status, std::string_view body, Duration at)
{
    if (m_finished)
        return;
    m_answered = true;
    m_httpStatus = status;
    m_counters.bytes += body.size();
    m_error = parseDifyErrorBody(body).value_or(DifyError {});
    m_error->status = status;
    std::string note = "HTTP " + std::to_string(status);
    if (!m_error->code.empty())
        note += " " + m_error->code;
    m_log.push_back({ at, "http_error", body.size(), std::move(note) });
    m_finished = true;
}

void ChatExchange::requestStop(Duration at)
{
    if (m_finished || m_messageEnded || m_errorEvent || m_stopRequested)
        return;
    m_stopRequested = true;
    m_log.push_back({ at, "stop", 0, {} });
}

ChatOutcome ChatExchange::outcome() const
{
    if (!m_finished)
        return ChatOutcome::Streaming;
    if (m_httpStatus != 0)
        return ChatOutcome::HttpError;
    if (m_stopRequested)
        return ChatOutcome::Stopped;
    if (!m_answered)
        return ChatOutcome::NetworkError;
    if (m_errorEvent)
        return ChatOutcome::ErrorEvent;
    if (m_messageEnded)
        return ChatOutcome::Completed;
    return ChatOutcome::Truncated;
}

std::string ChatExchange::userMessage() const
{
    switch (outcome()) {
    case ChatOutcome::Streaming:
    case ChatOutcome::Completed:
        return {};
    case ChatOutcome::ErrorEvent:
    case ChatOutcome::HttpError:
        return describeDifyError(m_error.value_or(DifyError {}));
    case ChatOutcome::NetworkError:
        return "The chat service could not be reached" + (m_networkDetail.empty() ? "" : " (" + m_networkDetail + ")")
            + ". Check the base URL and your connection.";
    case ChatOutcome::Truncated:
        return "The answer was cut off: the connection ended before the answer was complete"
            + (m_networkDetail.empty() ? "" : " (" + m_networkDetail + ")") + ".";
    case ChatOutcome::Stopped:
        return "You stopped the answer.";
    }
    return {};
}

} // namespace proactive
