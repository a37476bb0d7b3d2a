#include "chat/chatconversation.h"

#include "chat/chatexchange.h"

#include <nlohmann/json.hpp>

namespace proactive {

ChatConversation::ChatConversation(std::string user, std::string sessionId)
    : m_user(std::move(user))
    , m_sessionId(std::move(sessionId))
{ }

ChatRequest ChatConversation::request(std::string_view query, bool streaming)
{
    // Ordered like Dify's documentation, for readable inspector output.
    nlohmann::ordered_json body;
    nlohmann::ordered_json inputs = nlohmann::ordered_json::object();
    const bool starts = m_conversationId.empty();
    if (starts) {
        m_startedWithSessionId = m_sessionId;
        if (!m_sessionId.empty())
            inputs["session_id"] = m_sessionId;
    }
    body["inputs"] = std::move(inputs);
    body["query"] = query;
    body["response_mode"] = streaming ? "streaming" : "blocking";
    body["conversation_id"] = m_conversationId;
    body["user"] = m_user;
    return { body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), m_user, starts };
}

void ChatConversation::adopt(const ChatExchange& exchange)
{
    if (exchange.outcome() == ChatOutcome::HttpError && exchange.httpStatus() == 404) {
        m_conversationId.clear();
        return;
    }
    const std::string& reported = exchange.conversationId();
    if (reported.empty())
        return;
    // A rotation while the first answer streamed: that conversation was
    // started with the previous session's inputs.
    if (m_conversationId.empty() && m_startedWithSessionId != m_sessionId)
        return;
    m_conversationId = reported;
}

bool ChatConversation::setSessionId(std::string sessionId)
{
    if (sessionId.empty() || sessionId == m_sessionId)
        return false;
    m_sessionId = std::move(sessionId);
    if (m_conversationId.empty())
        return false;
    m_conversationId.clear();
    return true;
}

void ChatConversation::reset()
{
    m_conversationId.clear();
}

} // namespace proactive
