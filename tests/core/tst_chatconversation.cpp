// SPEC §4–§5 conversation rules: what each request body carries, when a
// conversation starts over, and the FSM event names around an exchange.

#include "chat/chatconversation.h"
#include "chat/chatexchange.h"
#include "fsm/fsmstate.h"
#include "printers.h"

#include <QTest>
#include <nlohmann/json.hpp>

using namespace proactive;
using namespace std::chrono_literals;

namespace {

constexpr const char* kConversation = "45701982-8118-4bc5-8e9b-64562b4555f2";

// An exchange that reported `conversationId`, with or without message_end.
ChatExchange finishedExchange(std::string_view conversationId, bool complete = true)
{
    ChatExchange exchange;
    std::string stream = "data: {\"event\": \"message\", \"conversation_id\": \"" + std::string(conversationId)
        + "\", \"answer\": \"Hi\"}\n\n";
    if (complete)
        stream
            += "data: {\"event\": \"message_end\", \"conversation_id\": \"" + std::string(conversationId) + "\"}\n\n";
    exchange.receive(stream, 1ms);
    exchange.endOfStream(2ms);
    return exchange;
}

nlohmann::json bodyOf(const ChatRequest& request)
{
    return nlohmann::json::parse(request.body, nullptr, false);
}

} // namespace

class TestChatConversation final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void firstMessageCarriesInputs();
    void firstMessageWithoutSession();
    void blockingMode();
    void followUpCarriesConversationId();
    void truncatedFirstAnswerStillKeepsTheConversation();
    void rotationStartsNewConversation();
    void sameOrEmptySessionIsNoRotation();
    void rotationWhileFirstAnswerStreams();
    void sessionArrivingLaterStartsOver();
    void resetStartsNewConversation();
    void conversationGoneOnServer();
    void otherErrorsKeepTheConversation();
    void fsmEventNamesAreSpecEvents();
};

void TestChatConversation::firstMessageCarriesInputs()
{
    ChatConversation conversation("user-1", "sess-1");
    QVERIFY(conversation.startsNewConversation());
    const ChatRequest request = conversation.request("I could use some help with what I'm currently doing.");
    QCOMPARE(request.body,
        std::string(
            "{\"inputs\":{\"session_id\":\"sess-1\"},\"query\":\"I could use some help with what I\'m "
            "currently doing.\",\"response_mode\":\"streaming\",\"conversation_id\":\"\",\"user\":\"user-1\"}"));
    QCOMPARE(request.user, std::string("user-1"));
    QVERIFY(request.startsConversation);
}

void TestChatConversation::firstMessageWithoutSession()
{
    ChatConversation conversation("user-1");
    const nlohmann::json body = bodyOf(conversation.request("Hi"));
    QCOMPARE(body["inputs"].dump(), nlohmann::json::object().dump());
    QCOMPARE(body["conversation_id"].dump(), nlohmann::json("").dump());
}

void TestChatConversation::blockingMode()
{
    ChatConversation conversation("u", "s");
    QCOMPARE(bodyOf(conversation.request("Hi", false))["response_mode"].dump(), nlohmann::json("blocking").dump());
}

void TestChatConversation::followUpCarriesConversationId()
{
    ChatConversation conversation("user-1", "sess-1");
    (void)conversation.request("first");
    conversation.adopt(finishedExchange(kConversation));
    QCOMPARE(conversation.conversationId(), std::string(kConversation));
    const ChatRequest request = conversation.request("and then?");
    QVERIFY(!request.startsConversation);
    QCOMPARE(request.body,
        "{\"inputs\":{},\"query\":\"and then?\",\"response_mode\":\"streaming\",\"conversation_id\":\""
            + std::string(kConversation) + "\",\"user\":\"user-1\"}");
}

void TestChatConversation::truncatedFirstAnswerStillKeepsTheConversation()
{
    ChatConversation conversation("u", "s");
    (void)conversation.request("first");
    const ChatExchange truncated = finishedExchange(kConversation, false);
    QCOMPARE(truncated.outcome(), ChatOutcome::Truncated);
    conversation.adopt(truncated);
    QCOMPARE(conversation.conversationId(), std::string(kConversation));
}

void TestChatConversation::rotationStartsNewConversation()
{
    ChatConversation conversation("user-1", "sess-1");
    (void)conversation.request("first");
    conversation.adopt(finishedExchange(kConversation));
    QVERIFY(conversation.setSessionId("sess-2"));
    QVERIFY(conversation.startsNewConversation());
    const nlohmann::json body = bodyOf(conversation.request("again"));
    QCOMPARE(body["inputs"]["session_id"].dump(), nlohmann::json("sess-2").dump());
    QCOMPARE(body["conversation_id"].dump(), nlohmann::json("").dump());
}

void TestChatConversation::sameOrEmptySessionIsNoRotation()
{
    ChatConversation conversation("user-1", "sess-1");
    (void)conversation.request("first");
    conversation.adopt(finishedExchange(kConversation));
    QVERIFY(!conversation.setSessionId("sess-1"));
    QVERIFY(!conversation.setSessionId(""));
    QCOMPARE(conversation.sessionId(), std::string("sess-1"));
    QCOMPARE(conversation.conversationId(), std::string(kConversation));
}

void TestChatConversation::rotationWhileFirstAnswerStreams()
{
    ChatConversation conversation("user-1", "sess-1");
    QVERIFY(conversation.request("first").startsConversation);
    // No conversation yet, so nothing to forget now...
    QVERIFY(!conversation.setSessionId("sess-2"));
    // ...but the one the answer reports was started with sess-1's inputs.
    conversation.adopt(finishedExchange(kConversation));
    QVERIFY(conversation.startsNewConversation());
    QCOMPARE(bodyOf(conversation.request("again"))["inputs"]["session_id"].dump(), nlohmann::json("sess-2").dump());
}

void TestChatConversation::sessionArrivingLaterStartsOver()
{
    ChatConversation conversation("user-1");
    (void)conversation.request("first");
    conversation.adopt(finishedExchange(kConversation));
    QCOMPARE(conversation.conversationId(), std::string(kConversation));
    // PostHog got a session id: the next message starts over so Dify reads its activity.
    QVERIFY(conversation.setSessionId("sess-1"));
    QCOMPARE(bodyOf(conversation.request("again"))["inputs"]["session_id"].dump(), nlohmann::json("sess-1").dump());
}

void TestChatConversation::resetStartsNewConversation()
{
    ChatConversation conversation("user-1", "sess-1");
    (void)conversation.request("first");
    conversation.adopt(finishedExchange(kConversation));
    conversation.reset();
    QVERIFY(conversation.startsNewConversation());
    QCOMPARE(bodyOf(conversation.request("again"))["inputs"]["session_id"].dump(), nlohmann::json("sess-1").dump());
}

void TestChatConversation::conversationGoneOnServer()
{
    ChatConversation conversation("user-1", "sess-1");
    (void)conversation.request("first");
    conversation.adopt(finishedExchange(kConversation));
    (void)conversation.request("follow-up");
    ChatExchange gone;
    gone.httpError(404, R"({"code": "not_found", "message": "Conversation Not Exists.", "status": 404})", 1ms);
    conversation.adopt(gone);
    QVERIFY(conversation.startsNewConversation());
}

void TestChatConversation::otherErrorsKeepTheConversation()
{
    ChatConversation conversation("user-1", "sess-1");
    (void)conversation.request("first");
    conversation.adopt(finishedExchange(kConversation));
    ChatExchange limited;
    limited.httpError(429, R"({"code": "too_many_requests", "message": "slow", "status": 429})", 1ms);
    conversation.adopt(limited);
    ChatExchange unreachable;
    unreachable.networkError("Connection refused", false, 1ms);
    conversation.adopt(unreachable);
    QCOMPARE(conversation.conversationId(), std::string(kConversation));
}

void TestChatConversation::fsmEventNamesAreSpecEvents()
{
    QCOMPARE(fsmEventFromString(ChatConversation::kUserSent), std::optional(FsmEvent::UserSent));
    QCOMPARE(
        fsmEventFromString(ChatConversation::kBotResponseCompleted), std::optional(FsmEvent::BotResponseCompleted));
    QCOMPARE(fsmEventFromString(ChatConversation::kReset), std::optional(FsmEvent::Reset));
}

QTEST_GUILESS_MAIN(TestChatConversation)
#include "tst_chatconversation.moc"
