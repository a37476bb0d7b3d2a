#pragma once

#include <string>
#include <string_view>

namespace proactive {

class ChatExchange;

// The body of one POST /v1/chat-messages and what a client needs to send it.
struct ChatRequest {
    std::string body; // JSON: {inputs, query, response_mode, conversation_id, user}
    std::string user; // also needed by the stop call
    bool startsConversation = false; // conversation_id is empty, inputs are sent
};

// SPEC §4–§5 conversation rules, with no I/O:
// - the first message of a conversation sends `inputs: {session_id}` and an
//   empty `conversation_id`; Dify reads inputs only then, so follow-ups send
//   `inputs: {}` and the conversation id the previous exchange reported;
// - a new PostHog session id (rotation) or a chat reset starts a new
//   conversation, so that the new session's activity is what Dify reads;
// - an exchange answered 404 (the conversation is gone on the server) also
//   starts a new one;
// - around every exchange the client reports `user_sent` before sending and
//   `bot_response_completed` after the stream ends, however it ends; a chat
//   reset reports `reset` (SPEC §2 event names).
class ChatConversation final {
public:
    static constexpr std::string_view kUserSent = "user_sent";
    static constexpr std::string_view kBotResponseCompleted = "bot_response_completed";
    static constexpr std::string_view kReset = "reset";

    // `user` is Dify's end-user id (required by Dify; the PostHog distinct id
    // or email is a good one); `sessionId` the PostHog session, may be empty.
    ChatConversation(std::string user, std::string sessionId = {});

    const std::string& user() const { return m_user; }
    const std::string& sessionId() const { return m_sessionId; }
    // Empty until an exchange reported one; the next message then starts a conversation.
    const std::string& conversationId() const { return m_conversationId; }
    bool startsNewConversation() const { return m_conversationId.empty(); }

    // The request for `query`; `streaming` false asks for Dify's blocking
    // mode. Remembers which session a new conversation is started with.
    ChatRequest request(std::string_view query, bool streaming = true);

    // After an exchange, however it ended: keeps the conversation id it
    // reported (a truncated or stopped first answer still created the
    // conversation on the server), or forgets the conversation on a 404.
    void adopt(const ChatExchange& exchange);

    // PostHog's current session. A different id than the one the
    // conversation was started with is a rotation: the conversation is
    // forgotten (also when the rotation happens while the first answer is
    // streaming). An empty id (PostHog has none) changes nothing. Returns
    // true when a conversation was forgotten.
    bool setSessionId(std::string sessionId);
    // The chat's reset button: a new conversation next time.
    void reset();

private:
    std::string m_user;
    std::string m_sessionId;
    std::string m_conversationId;
    std::string m_startedWithSessionId; // the session whose inputs the conversation was started with
};

} // namespace proactive
