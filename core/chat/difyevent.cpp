#include "chat/difyevent.h"

#include "base/jsonreader.h"

#include <nlohmann/json.hpp>

namespace proactive {

namespace {

    DifyEventKind kindOf(std::string_view name)
    {
        if (name == "message")
            return DifyEventKind::Message;
        if (name == "agent_message")
            return DifyEventKind::AgentMessage;
        if (name == "agent_thought")
            return DifyEventKind::AgentThought;
        if (name == "message_replace")
            return DifyEventKind::MessageReplace;
        if (name == "message_file")
            return DifyEventKind::MessageFile;
        if (name == "message_end")
            return DifyEventKind::MessageEnd;
        if (name == "ping")
            return DifyEventKind::Ping;
        if (name == "error")
            return DifyEventKind::Error;
        if (name == "tts_message" || name == "tts_message_end")
            return DifyEventKind::Tts;
        for (std::string_view prefix : { "workflow_", "node_", "iteration_", "loop_", "parallel_branch_" })
            if (name.starts_with(prefix))
                return DifyEventKind::Workflow;
        if (name == "agent_log")
            return DifyEventKind::Workflow;
        return DifyEventKind::Unknown;
    }

    void assign(JsonValue value, std::string& out)
    {
        out.clear();
        value.appendString(out);
    }

    // A number as an integer (fractions cut), 0 when it is absent or outside
    // int64: converting such a double (`1e19`) is undefined behaviour.
    std::int64_t integer(JsonValue value)
    {
        constexpr double kLimit = 9223372036854775808.0; // 2^63
        const auto number = value.number();
        if (!number || !(*number >= -kLimit && *number < kLimit))
            return 0;
        return static_cast<std::int64_t>(*number);
    }

    // An HTTP status (100 to 599), 0 when it is absent or no such status.
    bool isHttpStatus(double status)
    {
        return status >= 100 && status <= 599;
    }
    int httpStatus(JsonValue value)
    {
        const auto number = value.number();
        return number && isHttpStatus(*number) ? static_cast<int>(*number) : 0;
    }

    double real(JsonValue value)
    {
        return value.number().value_or(0.0);
    }

    // Dify sends prices as strings ("0.0013030"); accept numbers too.
    std::string decimal(JsonValue value)
    {
        if (value.isString())
            return value.string();
        if (value.isNumber())
            return std::string(value.raw());
        return {};
    }

    DifyUsage readUsage(JsonValue usage, std::string& scratch)
    {
        DifyUsage out;
        for (JsonValue member = usage.firstChild(); member.exists(); member = member.nextSibling()) {
            const std::string_view key = member.key(scratch);
            if (key == "prompt_tokens")
                out.promptTokens = integer(member);
            else if (key == "completion_tokens")
                out.completionTokens = integer(member);
            else if (key == "total_tokens")
                out.totalTokens = integer(member);
            else if (key == "total_price")
                out.totalPrice = decimal(member);
            else if (key == "currency")
                assign(member, out.currency);
            else if (key == "latency")
                out.latency = real(member);
        }
        return out;
    }

    DifyRetrieverResource readResource(JsonValue resource, std::string& scratch)
    {
        DifyRetrieverResource out;
        for (JsonValue member = resource.firstChild(); member.exists(); member = member.nextSibling()) {
            const std::string_view key = member.key(scratch);
            if (key == "position")
                out.position = integer(member);
            else if (key == "dataset_id")
                assign(member, out.datasetId);
            else if (key == "dataset_name")
                assign(member, out.datasetName);
            else if (key == "document_id")
                assign(member, out.documentId);
            else if (key == "document_name")
                assign(member, out.documentName);
            else if (key == "segment_id")
                assign(member, out.segmentId);
            else if (key == "score")
                out.score = real(member);
            else if (key == "content")
                assign(member, out.content);
        }
        return out;
    }

    void readWorkflowData(JsonValue data, DifyWorkflowStep& out, std::string& scratch)
    {
        for (JsonValue member = data.firstChild(); member.exists(); member = member.nextSibling()) {
            const std::string_view key = member.key(scratch);
            if (key == "id")
                assign(member, out.id);
            else if (key == "node_id")
                assign(member, out.nodeId);
            else if (key == "node_type")
                assign(member, out.nodeType);
            else if (key == "title")
                assign(member, out.title);
            else if (key == "status")
                assign(member, out.status);
            else if (key == "error")
                assign(member, out.error);
            else if (key == "outputs" && member.isObject())
                out.outputs.assign(member.raw());
        }
    }

    void readMetadata(JsonValue metadata, DifyEvent& out, std::string& scratch)
    {
        const JsonValue usage = metadata.get("usage");
        if (usage.isObject())
            out.usage = readUsage(usage, scratch);
        const JsonValue resources = metadata.get("retriever_resources");
        if (resources.isArray())
            for (JsonValue item = resources.firstChild(); item.exists(); item = item.nextSibling())
                if (item.isObject())
                    out.retrieverResources.push_back(readResource(item, scratch));
    }

    void clear(DifyEvent& out)
    {
        out.kind = DifyEventKind::Malformed;
        out.name.clear();
        out.taskId.clear();
        out.messageId.clear();
        out.conversationId.clear();
        out.answer.clear();
        out.createdAt = 0;
        out.usage.reset();
        out.retrieverResources.clear();
        out.thought.reset();
        out.file.reset();
        out.workflow.reset();
        out.error.reset();
        out.malformedReason.clear();
        out.late = false;
        out.repeat = false;
    }

    void malformed(DifyEvent& out, std::string reason)
    {
        out.kind = DifyEventKind::Malformed;
        out.malformedReason = std::move(reason);
    }

    bool contains(std::string_view text, std::string_view part)
    {
        return text.find(part) != std::string_view::npos;
    }

    std::string detail(const DifyError& error)
    {
        constexpr std::size_t kMax = 200;
        std::string message = error.message.size() > kMax ? error.message.substr(0, kMax) + "…" : error.message;
        while (!message.empty() && (message.back() == '.' || message.back() == ' '))
            message.pop_back();
        return message;
    }

    std::string withDetail(std::string sentence, const DifyError& error)
    {
        const std::string message = detail(error);
        if (!message.empty())
            sentence += " (" + message + ")";
        return sentence + ".";
    }

    std::string httpPart(int status)
    {
        return status > 0 ? " (HTTP " + std::to_string(status) + ")" : std::string();
    }

} // namespace

std::string_view nameOf(DifyEventKind kind)
{
    switch (kind) {
    case DifyEventKind::Message:
        return "message";
    case DifyEventKind::AgentMessage:
        return "agent_message";
    case DifyEventKind::AgentThought:
        return "agent_thought";
    case DifyEventKind::MessageReplace:
        return "message_replace";
    case DifyEventKind::MessageFile:
        return "message_file";
    case DifyEventKind::MessageEnd:
        return "message_end";
    case DifyEventKind::Workflow:
        return "workflow";
    case DifyEventKind::Ping:
        return "ping";
    case DifyEventKind::Error:
        return "error";
    case DifyEventKind::Tts:
        return "tts";
    case DifyEventKind::Unknown:
        return "unknown";
    case DifyEventKind::Malformed:
        return "malformed";
    }
    return "malformed";
}

void DifyDecoder::decode(const SseEvent& sse, DifyEvent& out)
{
    clear(out);
    if (sse.data.empty()) {
        out.name.assign(sse.type);
        if (sse.type == "ping")
            out.kind = DifyEventKind::Ping;
        else if (sse.type == "message")
            malformed(out, "no data");
        else
            out.kind = DifyEventKind::Unknown;
        return;
    }
    if (!m_tape.parse(sse.data, m_error)) {
        out.name.assign(sse.type);
        malformed(out, "invalid JSON: " + m_error);
        return;
    }
    const JsonValue root = m_tape.root();
    if (!root.isObject()) {
        out.name.assign(sse.type);
        malformed(out, "not a JSON object");
        return;
    }

    JsonValue event, taskId, messageId, id, conversationId, answer, createdAt, metadata;
    JsonValue status, code, message, position, thought, observation, tool, toolInput, type, belongsTo, url;
    JsonValue messageFiles, data, workflowRunId;
    for (JsonValue member = root.firstChild(); member.exists(); member = member.nextSibling()) {
        const std::string_view key = member.key(m_scratch);
        if (key == "event")
            event = member;
        else if (key == "task_id")
            taskId = member;
        else if (key == "message_id")
            messageId = member;
        else if (key == "id")
            id = member;
        else if (key == "conversation_id")
            conversationId = member;
        else if (key == "answer")
            answer = member;
        else if (key == "created_at")
            createdAt = member;
        else if (key == "metadata")
            metadata = member;
        else if (key == "status")
            status = member;
        else if (key == "code")
            code = member;
        else if (key == "message")
            message = member;
        else if (key == "position")
            position = member;
        else if (key == "thought")
            thought = member;
        else if (key == "observation")
            observation = member;
        else if (key == "tool")
            tool = member;
        else if (key == "tool_input")
            toolInput = member;
        else if (key == "type")
            type = member;
        else if (key == "belongs_to")
            belongsTo = member;
        else if (key == "url")
            url = member;
        else if (key == "message_files")
            messageFiles = member;
        else if (key == "data")
            data = member;
        else if (key == "workflow_run_id")
            workflowRunId = member;
    }
    if (!event.isString()) {
        out.name.assign(sse.type);
        malformed(out, "no \"event\" name");
        return;
    }
    assign(event, out.name);
    out.kind = kindOf(out.name);
    assign(taskId, out.taskId);
    assign(conversationId, out.conversationId);
    out.createdAt = integer(createdAt);
    // `id` is the message's id in message and message_end frames (Dify sends
    // both); in agent_thought and message_file it is the thought's or file's.
    assign(messageId, out.messageId);
    const bool idIsMessage = out.kind != DifyEventKind::AgentThought && out.kind != DifyEventKind::MessageFile;
    if (out.messageId.empty() && idIsMessage)
        assign(id, out.messageId);

    switch (out.kind) {
    case DifyEventKind::Message:
    case DifyEventKind::AgentMessage:
    case DifyEventKind::MessageReplace:
        if (!answer.isString()) {
            malformed(out, "\"" + out.name + "\" without a string \"answer\"");
            return;
        }
        answer.appendString(out.answer);
        break;
    case DifyEventKind::MessageEnd:
        if (metadata.isObject())
            readMetadata(metadata, out, m_scratch);
        break;
    case DifyEventKind::AgentThought: {
        DifyAgentThought& t = out.thought.emplace();
        assign(id, t.id);
        t.position = integer(position);
        assign(thought, t.thought);
        assign(observation, t.observation);
        assign(tool, t.tool);
        assign(toolInput, t.toolInput);
        if (messageFiles.isArray())
            for (JsonValue file = messageFiles.firstChild(); file.exists(); file = file.nextSibling())
                if (file.isString())
                    t.files.push_back(file.string());
        break;
    }
    case DifyEventKind::Workflow: {
        DifyWorkflowStep& step = out.workflow.emplace();
        assign(workflowRunId, step.runId);
        if (data.isObject())
            readWorkflowData(data, step, m_scratch);
        break;
    }
    case DifyEventKind::MessageFile: {
        DifyMessageFile& f = out.file.emplace();
        assign(id, f.id);
        assign(type, f.type);
        assign(belongsTo, f.belongsTo);
        assign(url, f.url);
        break;
    }
    case DifyEventKind::Error: {
        DifyError& e = out.error.emplace();
        e.status = httpStatus(status);
        assign(code, e.code);
        assign(message, e.message);
        break;
    }
    default:
        break;
    }
}

std::optional<DifyError> parseDifyErrorBody(std::string_view body)
{
    const auto json = parseJsonText(body);
    if (json.is_discarded() || !json.is_object())
        return std::nullopt;
    DifyError error;
    bool any = false;
    if (const auto it = json.find("code"); it != json.end() && it->is_string()) {
        error.code = it->get<std::string>();
        any = true;
    }
    if (const auto it = json.find("message"); it != json.end() && it->is_string()) {
        error.message = it->get<std::string>();
        any = true;
    }
    if (const auto it = json.find("status");
        it != json.end() && it->is_number_integer() && isHttpStatus(it->get<double>()))
        error.status = it->get<int>();
    if (!any)
        return std::nullopt;
    return error;
}

std::string describeDifyError(const DifyError& error)
{
    const std::string_view code = error.code;
    const int status = error.status;
    if (status == 401 || code == "unauthorized")
        return "The chat service did not accept the app key" + httpPart(status)
            + ". Check the Dify app key (DIFY_API_KEY) and the base URL.";
    if (code == "not_found" && contains(error.message, "Conversation"))
        return "This conversation no longer exists on the chat service" + httpPart(status)
            + "; your next message starts a new one.";
    if (status == 429 || code == "too_many_requests" || code == "rate_limit_error")
        return "The chat service is rate limited right now" + httpPart(status)
            + ". Wait a moment, then send your message again.";
    if (code == "workflow_failed")
        return withDetail("The chat app's workflow failed", error);
    if (code == "workflow_stopped")
        return withDetail("The chat app's workflow was stopped on the chat service", error);
    if (code == "app_unavailable")
        return "The chat app is unavailable" + httpPart(status)
            + ": it is disabled or its configuration in Dify is incomplete.";
    if (code == "provider_not_initialize" || code == "provider_quota_exceeded" || code == "model_currently_not_support"
        || code == "completion_request_error")
        return withDetail("The chat model could not answer" + httpPart(status), error);
    if (status == 403 || code == "forbidden")
        return withDetail("The chat service refused access to this app" + httpPart(status), error);
    if (status == 404)
        return "The chat service has no such app or endpoint" + httpPart(status) + ". Check the base URL.";
    if (status == 502 || status == 503 || status == 504)
        return "The chat service is unreachable behind its gateway" + httpPart(status) + ". Try again in a moment.";
    if (status >= 500)
        return "The chat service had an internal error" + httpPart(status) + ". Try again in a moment.";
    if (status >= 400 || !code.empty())
        return withDetail("The chat service rejected the request" + httpPart(status), error);
    return withDetail("The chat service reported an error", error);
}

std::string describeDifyHttpError(int status, std::string_view body)
{
    DifyError error = parseDifyErrorBody(body).value_or(DifyError {});
    error.status = status;
    return describeDifyError(error);
}

} // namespace proactive
