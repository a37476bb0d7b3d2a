// Dify's stream from frames to an answer: the event decoder on every frame
// kind, the exchange's outcome for every way a stream ends, and the
// sentences shown for Dify's errors.

#include "chat/chatexchange.h"
#include "chat/difyevent.h"
#include "printers.h"

#include <QFile>
#include <QTest>
#include <random>

using namespace proactive;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(proactive::DifyEventKind)
Q_DECLARE_METATYPE(proactive::ChatOutcome)

namespace QTest {
template<> inline char* toString(const proactive::DifyEventKind& kind)
{
    return qstrdup(std::string(proactive::nameOf(kind)).c_str());
}
template<> inline char* toString(const proactive::ChatOutcome& outcome)
{
    return qstrdup(std::string(proactive::nameOf(outcome)).c_str());
}
} // namespace QTest

namespace {

constexpr const char* kTask = "900bbd43-dc0b-4383-a372-aa6e6c414227";
constexpr const char* kMessage = "663c5084-a254-4040-8ad3-51f2a3c1a77c";
constexpr const char* kConversation = "45701982-8118-4bc5-8e9b-64562b4555f2";

std::string jsonString(std::string_view s)
{
    return "\"" + std::string(s) + "\"";
}

// Frames exactly as Dify writes them (Python json.dumps: ", " and ": ").
std::string messageFrame(std::string_view answerJson, std::string_view event = "message")
{
    return "data: {\"event\": " + jsonString(event) + ", \"conversation_id\": " + jsonString(kConversation)
        + ", \"message_id\": " + jsonString(kMessage)
        + ", \"created_at\": 1705395332, \"task_id\": " + jsonString(kTask) + ", \"id\": " + jsonString(kMessage)
        + ", \"answer\": " + std::string(answerJson) + "}\n\n";
}

std::string messageEndFrame()
{
    return "data: {\"event\": \"message_end\", \"conversation_id\": " + jsonString(kConversation)
        + ", \"message_id\": " + jsonString(kMessage)
        + ", \"created_at\": 1705395332, \"task_id\": " + jsonString(kTask) + ", \"id\": " + jsonString(kMessage)
        + ", \"metadata\": {\"usage\": {\"prompt_tokens\": 1033, \"prompt_unit_price\": \"0.001\", "
          "\"completion_tokens\": 135, \"total_tokens\": 1168, \"total_price\": \"0.0013030\", \"currency\": "
          "\"USD\", \"latency\": 1.381760165997548}, \"retriever_resources\": [{\"position\": 1, \"dataset_id\": "
          "\"101b4c97\", \"dataset_name\": \"activity\", \"document_id\": \"8dd1ad74\", \"document_name\": "
          "\"session s1\", \"segment_id\": \"ed599c7f\", \"score\": 0.98457545, \"content\": \"Clicked "
          "button\"}]}}\n\n";
}

std::string errorFrame()
{
    return "data: {\"event\": \"error\", \"task_id\": " + jsonString(kTask)
        + ", \"message_id\": " + jsonString(kMessage)
        + ", \"status\": 400, \"code\": \"completion_request_error\", \"message\": \"Model timed out.\"}\n\n";
}

DifyEvent decodeData(std::string_view data, std::string_view type = "message")
{
    DifyDecoder decoder;
    DifyEvent event;
    decoder.decode(SseEvent { type, data, {}, 0 }, event);
    return event;
}

} // namespace

class TestChatExchange final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void decodeKinds_data();
    void decodeKinds();
    void decodeMessage();
    void decodeMessageEnd();
    void decodeAgentThoughtAndFile();
    void decodeErrorFrame();
    void decodeOutOfRangeNumbers_data();
    void decodeOutOfRangeNumbers();
    void decoderReuseClearsFields();

    void completedStream();
    void answerSameForEveryChunking_data();
    void answerSameForEveryChunking();
    void oneMegabyteAnswer();
    void messageReplace();
    void errorFrameMidStream();
    void truncatedKeepsPartialAnswer();
    void droppedConnectionAfterAnswer();
    void networkErrorBeforeAnswer();
    void malformedFramesAreCountedNeverFatal();
    void framesAfterMessageEnd();
    void stop_data();
    void stop();
    void recordedStreams_data();
    void recordedStreams();
    void agentThoughtUpdatesByIdAndKeepsFiles();
    void agentRepeatOnlyForAgentMessages();
    void ourStopEndsAWorkflowWithoutError();
    void httpErrors_data();
    void httpErrors();
    void errorSentences_data();
    void errorSentences();
};

void TestChatExchange::decodeKinds_data()
{
    QTest::addColumn<QByteArray>("type");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<DifyEventKind>("kind");
    QTest::addColumn<QString>("name");

    const auto row = [](const char* tag, QByteArray type, QByteArray data, DifyEventKind kind, QString name) {
        QTest::newRow(tag) << type << data << kind << name;
    };
    row("message", "message", R"({"event": "message", "answer": "Hi"})", DifyEventKind::Message, u"message"_qs);
    row("agent-message", "message", R"({"event": "agent_message", "answer": "Hi"})", DifyEventKind::AgentMessage,
        u"agent_message"_qs);
    row("agent-thought", "message", R"({"event": "agent_thought", "id": "t1", "position": 1})",
        DifyEventKind::AgentThought, u"agent_thought"_qs);
    row("message-replace", "message", R"({"event": "message_replace", "answer": "[redacted]"})",
        DifyEventKind::MessageReplace, u"message_replace"_qs);
    row("message-file", "message", R"({"event": "message_file", "id": "f", "type": "image"})",
        DifyEventKind::MessageFile, u"message_file"_qs);
    row("message-end", "message", R"({"event": "message_end", "metadata": {}})", DifyEventKind::MessageEnd,
        u"message_end"_qs);
    row("workflow-started", "message", R"({"event": "workflow_started", "data": {"id": "w"}})", DifyEventKind::Workflow,
        u"workflow_started"_qs);
    row("node-finished", "message", R"({"event": "node_finished", "data": {}})", DifyEventKind::Workflow,
        u"node_finished"_qs);
    row("iteration-next", "message", R"({"event": "iteration_next"})", DifyEventKind::Workflow, u"iteration_next"_qs);
    row("parallel-branch", "message", R"({"event": "parallel_branch_started"})", DifyEventKind::Workflow,
        u"parallel_branch_started"_qs);
    row("agent-log", "message", R"({"event": "agent_log"})", DifyEventKind::Workflow, u"agent_log"_qs);
    row("tts-message", "message", R"({"event": "tts_message", "audio": "SUQz"})", DifyEventKind::Tts,
        u"tts_message"_qs);
    row("tts-message-end", "message", R"({"event": "tts_message_end", "audio": ""})", DifyEventKind::Tts,
        u"tts_message_end"_qs);
    row("sse-ping", "ping", "", DifyEventKind::Ping, u"ping"_qs);
    row("json-ping", "message", R"({"event": "ping"})", DifyEventKind::Ping, u"ping"_qs);
    row("error", "message", R"({"event": "error", "status": 500, "code": "x", "message": "m"})", DifyEventKind::Error,
        u"error"_qs);
    row("unknown-json-event", "message", R"({"event": "future_thing", "x": 1})", DifyEventKind::Unknown,
        u"future_thing"_qs);
    row("unknown-sse-event", "custom", "", DifyEventKind::Unknown, u"custom"_qs);
    row("empty-data", "message", "", DifyEventKind::Malformed, u"message"_qs);
    row("invalid-json", "message", R"({"event": "message", "answer": "Hel)", DifyEventKind::Malformed, u"message"_qs);
    row("not-json", "message", "[DONE]", DifyEventKind::Malformed, u"message"_qs);
    row("array", "message", R"([{"event": "message"}])", DifyEventKind::Malformed, u"message"_qs);
    row("no-event-name", "message", R"({"answer": "x"})", DifyEventKind::Malformed, u"message"_qs);
    row("event-not-a-string", "message", R"({"event": 3, "answer": "x"})", DifyEventKind::Malformed, u"message"_qs);
    row("message-without-answer", "message", R"({"event": "message"})", DifyEventKind::Malformed, u"message"_qs);
    row("answer-not-a-string", "message", R"({"event": "message", "answer": 12})", DifyEventKind::Malformed,
        u"message"_qs);
    row("invalid-utf8", "message", "{\"event\": \"message\", \"answer\": \"\xC3\"}", DifyEventKind::Malformed,
        u"message"_qs);
}

void TestChatExchange::decodeKinds()
{
    QFETCH(QByteArray, type);
    QFETCH(QByteArray, data);
    QFETCH(DifyEventKind, kind);
    QFETCH(QString, name);
    const DifyEvent event = decodeData(data.toStdString(), type.toStdString());
    QCOMPARE(event.kind, kind);
    QCOMPARE(QString::fromStdString(event.name), name);
    QCOMPARE(event.malformedReason.empty(), kind != DifyEventKind::Malformed);
}

void TestChatExchange::decodeMessage()
{
    std::string frame = messageFrame(R"("caf\u00e9 \ud83d\ude00 \"ok\"\n")");
    frame = frame.substr(6, frame.size() - 8); // the data line's value
    const DifyEvent event = decodeData(frame);
    QCOMPARE(event.kind, DifyEventKind::Message);
    QCOMPARE(event.answer, std::string("caf\xC3\xA9 \xF0\x9F\x98\x80 \"ok\"\n"));
    QCOMPARE(event.taskId, std::string(kTask));
    QCOMPARE(event.messageId, std::string(kMessage));
    QCOMPARE(event.conversationId, std::string(kConversation));
    QCOMPARE(event.createdAt, std::int64_t(1705395332));

    // Older Dify versions send only `id` for the message.
    const DifyEvent idOnly = decodeData(R"({"event": "message", "id": "m-1", "answer": ""})");
    QCOMPARE(idOnly.messageId, std::string("m-1"));
}

void TestChatExchange::decodeMessageEnd()
{
    std::string frame = messageEndFrame();
    const DifyEvent event = decodeData(frame.substr(6, frame.size() - 8));
    QCOMPARE(event.kind, DifyEventKind::MessageEnd);
    QVERIFY(event.usage);
    QCOMPARE(event.usage->promptTokens, std::int64_t(1033));
    QCOMPARE(event.usage->completionTokens, std::int64_t(135));
    QCOMPARE(event.usage->totalTokens, std::int64_t(1168));
    QCOMPARE(event.usage->totalPrice, std::string("0.0013030"));
    QCOMPARE(event.usage->currency, std::string("USD"));
    QVERIFY(qFuzzyCompare(event.usage->latency, 1.381760165997548));
    QCOMPARE(event.retrieverResources.size(), std::size_t(1));
    const DifyRetrieverResource& resource = event.retrieverResources.front();
    QCOMPARE(resource.position, std::int64_t(1));
    QCOMPARE(resource.datasetName, std::string("activity"));
    QCOMPARE(resource.documentName, std::string("session s1"));
    QCOMPARE(resource.segmentId, std::string("ed599c7f"));
    QVERIFY(qFuzzyCompare(resource.score, 0.98457545));
    QCOMPARE(resource.content, std::string("Clicked button"));
    QCOMPARE(event.conversationId, std::string(kConversation));
}

void TestChatExchange::decodeAgentThoughtAndFile()
{
    const DifyEvent thought = decodeData(R"({"event": "agent_thought", "id": "th-1", "task_id": "t",
        "message_id": "m", "position": 2, "thought": "Look it up", "observation": "found", "tool": "search",
        "tool_input": "{\"q\": 1}", "created_at": 5, "message_files": []})");
    QCOMPARE(thought.kind, DifyEventKind::AgentThought);
    QVERIFY(thought.thought);
    QCOMPARE(thought.thought->id, std::string("th-1"));
    QCOMPARE(thought.thought->position, std::int64_t(2));
    QCOMPARE(thought.thought->thought, std::string("Look it up"));
    QCOMPARE(thought.thought->observation, std::string("found"));
    QCOMPARE(thought.thought->tool, std::string("search"));
    QCOMPARE(thought.thought->toolInput, std::string("{\"q\": 1}"));
    QCOMPARE(thought.messageId, std::string("m"));

    const DifyEvent file = decodeData(R"({"event": "message_file", "id": "f-1", "type": "image",
        "belongs_to": "assistant", "url": "https://x/y.png", "conversation_id": "c"})");
    QCOMPARE(file.kind, DifyEventKind::MessageFile);
    QVERIFY(file.file);
    QCOMPARE(file.file->id, std::string("f-1"));
    QCOMPARE(file.file->type, std::string("image"));
    QCOMPARE(file.file->belongsTo, std::string("assistant"));
    QCOMPARE(file.file->url, std::string("https://x/y.png"));
    QCOMPARE(file.messageId, std::string()); // `id` is the file's, not the message's
}

void TestChatExchange::decodeErrorFrame()
{
    std::string frame = errorFrame();
    const DifyEvent event = decodeData(frame.substr(6, frame.size() - 8));
    QCOMPARE(event.kind, DifyEventKind::Error);
    QVERIFY(event.error);
    QCOMPARE(event.error->status, 400);
    QCOMPARE(event.error->code, std::string("completion_request_error"));
    QCOMPARE(event.error->message, std::string("Model timed out."));
}

void TestChatExchange::decodeOutOfRangeNumbers_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("field");
    QTest::addColumn<qint64>("expected");

    const auto row = [](const char* tag, QByteArray data, QString field, qint64 expected) {
        QTest::newRow(tag) << data << field << expected;
    };
    // A double beyond int64 used to be converted anyway: undefined behaviour (issue 13).
    row("created-at-1e19", R"({"event": "message", "answer": "Hi", "created_at": 1e19})", u"created_at"_qs, 0);
    row("created-at-minus-1e19", R"({"event": "message", "answer": "Hi", "created_at": -1e19})", u"created_at"_qs, 0);
    row("created-at-2-pow-63", R"({"event": "message", "answer": "Hi", "created_at": 9223372036854775808})",
        u"created_at"_qs, 0);
    row("created-at-largest-double-below-2-pow-63",
        R"({"event": "message", "answer": "Hi", "created_at": 9223372036854774784})", u"created_at"_qs,
        Q_INT64_C(9223372036854774784));
    row("created-at-beyond-double", R"({"event": "message", "answer": "Hi", "created_at": 1e400})", u"created_at"_qs,
        0);
    row("created-at-fraction-cut", R"({"event": "message", "answer": "Hi", "created_at": 1705395332.9})",
        u"created_at"_qs, 1705395332);
    row("position-1e19", R"({"event": "agent_thought", "id": "t", "position": 1e19})", u"position"_qs, 0);
    row("total-tokens-1e19", R"({"event": "message_end", "metadata": {"usage": {"total_tokens": 1e19}}})",
        u"total_tokens"_qs, 0);
    row("status-1e19", R"({"event": "error", "status": 1e19, "code": "x", "message": "m"})", u"status"_qs, 0);
    row("status-beyond-int", R"({"event": "error", "status": 4294967696, "code": "x", "message": "m"})", u"status"_qs,
        0);
    row("status-not-http", R"({"event": "error", "status": 42, "code": "x", "message": "m"})", u"status"_qs, 0);
    row("status-http", R"({"event": "error", "status": 429, "code": "x", "message": "m"})", u"status"_qs, 429);
    row("body-status-beyond-int", R"({"status": 4294967696, "code": "x", "message": "m"})", u"body_status"_qs, 0);
    row("body-status-uint64", R"({"status": 18446744073709551615, "code": "x", "message": "m"})", u"body_status"_qs, 0);
    row("body-status-http", R"({"status": 503, "code": "x", "message": "m"})", u"body_status"_qs, 503);
}

void TestChatExchange::decodeOutOfRangeNumbers()
{
    QFETCH(QByteArray, data);
    QFETCH(QString, field);
    QFETCH(qint64, expected);
    if (field == u"body_status"_qs) {
        const auto error = parseDifyErrorBody(data.toStdString());
        QVERIFY(error);
        QCOMPARE(qint64(error->status), expected);
        return;
    }
    const DifyEvent event = decodeData(data.toStdString());
    QVERIFY2(event.kind != DifyEventKind::Malformed, event.malformedReason.c_str());
    if (field == u"created_at"_qs) {
        QCOMPARE(event.answer, std::string("Hi"));
        QCOMPARE(qint64(event.createdAt), expected);
    } else if (field == u"position"_qs) {
        QVERIFY(event.thought);
        QCOMPARE(qint64(event.thought->position), expected);
    } else if (field == u"total_tokens"_qs) {
        QVERIFY(event.usage);
        QCOMPARE(qint64(event.usage->totalTokens), expected);
    } else {
        QVERIFY(event.error);
        QCOMPARE(qint64(event.error->status), expected);
        QCOMPARE(event.error->message, std::string("m"));
    }
}

void TestChatExchange::decoderReuseClearsFields()
{
    DifyDecoder decoder;
    DifyEvent event;
    const std::string end = messageEndFrame();
    decoder.decode(SseEvent { "message", std::string_view(end).substr(6, end.size() - 8), {}, 0 }, event);
    QVERIFY(event.usage);
    decoder.decode(SseEvent { "ping", {}, {}, 0 }, event);
    QCOMPARE(event.kind, DifyEventKind::Ping);
    QVERIFY(!event.usage);
    QVERIFY(event.retrieverResources.empty());
    QVERIFY(event.conversationId.empty());
    QVERIFY(event.taskId.empty());
}

void TestChatExchange::completedStream()
{
    ChatExchange exchange(R"({"inputs": {"session_id": "s1"}})");
    QCOMPARE(exchange.outcome(), ChatOutcome::Streaming);
    auto events = exchange.receive("event: ping\n\n" + messageFrame(R"("Hello")"), 120ms);
    QCOMPARE(events.size(), std::size_t(2));
    QCOMPARE(events[1].answer, std::string("Hello"));
    events = exchange.receive(messageFrame(R"(" world")") + messageEndFrame(), 250ms);
    QCOMPARE(events.size(), std::size_t(2));
    QVERIFY(exchange.messageEnded());
    QVERIFY(!exchange.finished());
    QCOMPARE(exchange.outcome(), ChatOutcome::Streaming);
    QVERIFY(exchange.endOfStream(300ms).empty());
    QVERIFY(exchange.finished());
    QCOMPARE(exchange.outcome(), ChatOutcome::Completed);
    QCOMPARE(exchange.answer(), std::string("Hello world"));
    QCOMPARE(exchange.taskId(), std::string(kTask));
    QCOMPARE(exchange.messageId(), std::string(kMessage));
    QCOMPARE(exchange.conversationId(), std::string(kConversation));
    QVERIFY(exchange.usage());
    QCOMPARE(exchange.usage()->totalTokens, std::int64_t(1168));
    QCOMPARE(exchange.retrieverResources().size(), std::size_t(1));
    QCOMPARE(exchange.userMessage(), std::string());
    QCOMPARE(exchange.counters().textEvents, std::uint64_t(2));
    QCOMPARE(exchange.counters().pings, std::uint64_t(1));
    QCOMPARE(exchange.counters().frames, std::uint64_t(4));
    QCOMPARE(exchange.requestBody(), std::string(R"({"inputs": {"session_id": "s1"}})"));

    const auto& log = exchange.log();
    QCOMPARE(log.size(), std::size_t(5));
    QCOMPARE(log[0].type, std::string("ping"));
    QCOMPARE(log[0].at, Duration(120ms));
    QCOMPARE(log[0].bytes, std::size_t(13));
    QCOMPARE(log[1].type, std::string("message"));
    QCOMPARE(log[1].bytes, messageFrame(R"("Hello")").size());
    QCOMPARE(log[3].type, std::string("message_end"));
    QCOMPARE(log[3].at, Duration(250ms));
    QCOMPARE(log[4].type, std::string("end_of_stream"));
    QCOMPARE(log[4].at, Duration(300ms));
}

void TestChatExchange::answerSameForEveryChunking_data()
{
    QTest::addColumn<unsigned>("seed");
    for (unsigned seed : { 7u, 8u, 9u, 10u })
        QTest::newRow(qPrintable(u"seed-%1"_qs.arg(seed))) << seed;
}

void TestChatExchange::answerSameForEveryChunking()
{
    QFETCH(unsigned, seed);
    std::string stream;
    std::string expected;
    for (int i = 0; i < 300; ++i) {
        const std::string piece = "w" + std::to_string(i) + (i % 10 == 9 ? "\\n" : " ");
        stream += messageFrame(jsonString(piece));
        expected += "w" + std::to_string(i) + (i % 10 == 9 ? "\n" : " ");
        if (i % 50 == 0)
            stream += "event: ping\r\n\r\n: keep-alive\n\n";
    }
    stream += messageEndFrame();
    std::mt19937 rng(seed);
    ChatExchange exchange;
    std::size_t events = 0;
    for (std::size_t at = 0; at < stream.size();) {
        const std::size_t size = std::min<std::size_t>(1 + rng() % 1500, stream.size() - at);
        events += exchange.receive(std::string_view(stream).substr(at, size), 1ms).size();
        at += size;
    }
    exchange.endOfStream(2ms);
    QCOMPARE(exchange.outcome(), ChatOutcome::Completed);
    QVERIFY(exchange.answer() == expected);
    QCOMPARE(events, std::size_t(300 + 6 + 1));
    QCOMPARE(exchange.counters().comments, std::uint64_t(6));
    QCOMPARE(exchange.counters().bytes, std::uint64_t(stream.size()));
}

void TestChatExchange::oneMegabyteAnswer()
{
    std::string stream;
    std::string expected;
    const std::string token = "0123456789abcdef";
    while (expected.size() < 1024 * 1024) {
        stream += messageFrame(jsonString(token));
        expected += token;
    }
    stream += messageEndFrame();
    ChatExchange exchange;
    for (std::size_t at = 0; at < stream.size(); at += 16384)
        exchange.receive(std::string_view(stream).substr(at, 16384), 1ms);
    exchange.endOfStream(1ms);
    QCOMPARE(exchange.outcome(), ChatOutcome::Completed);
    QCOMPARE(exchange.answer().size(), expected.size());
    QVERIFY(exchange.answer() == expected);
}

void TestChatExchange::messageReplace()
{
    ChatExchange exchange;
    exchange.receive(messageFrame(R"("bad words")") + messageFrame(R"("[filtered]")", "message_replace")
            + messageFrame(R"(" and more")") + messageEndFrame(),
        1ms);
    exchange.endOfStream(1ms);
    QCOMPARE(exchange.answer(), std::string("[filtered] and more"));
    QCOMPARE(exchange.counters().replaceEvents, std::uint64_t(1));
}

void TestChatExchange::errorFrameMidStream()
{
    ChatExchange exchange;
    exchange.receive(messageFrame(R"("Partial ")") + errorFrame() + messageFrame(R"("ignored")"), 1ms);
    exchange.endOfStream(2ms);
    QCOMPARE(exchange.outcome(), ChatOutcome::ErrorEvent);
    QCOMPARE(exchange.answer(), std::string("Partial "));
    QVERIFY(exchange.error());
    QCOMPARE(exchange.error()->code, std::string("completion_request_error"));
    QCOMPARE(exchange.userMessage(), std::string("The chat model could not answer (HTTP 400) (Model timed out)."));
}

void TestChatExchange::truncatedKeepsPartialAnswer()
{
    ChatExchange exchange;
    const std::string partialFrame = "data: {\"event\": \"message\", \"answ";
    exchange.receive(messageFrame(R"("Half an ")") + partialFrame, 1ms);
    exchange.endOfStream(5ms);
    QCOMPARE(exchange.outcome(), ChatOutcome::Truncated);
    QCOMPARE(exchange.answer(), std::string("Half an "));
    QCOMPARE(exchange.counters().truncatedBytes, std::uint64_t(partialFrame.size()));
    QCOMPARE(exchange.log().at(exchange.log().size() - 2).type, std::string("truncated_frame"));
    QCOMPARE(exchange.userMessage(),
        std::string("The answer was cut off: the connection ended before the answer was complete."));
}

void TestChatExchange::droppedConnectionAfterAnswer()
{
    ChatExchange exchange;
    exchange.receive(messageFrame(R"("Some")"), 1ms);
    exchange.networkError("Connection closed", true, 9ms);
    QCOMPARE(exchange.outcome(), ChatOutcome::Truncated);
    QCOMPARE(exchange.answer(), std::string("Some"));
    QCOMPARE(exchange.userMessage(),
        std::string(
            "The answer was cut off: the connection ended before the answer was complete (Connection closed)."));
    QCOMPARE(exchange.log().back().type, std::string("network_error"));

    // After message_end a broken connection loses nothing.
    ChatExchange complete;
    complete.receive(messageFrame(R"("All")") + messageEndFrame(), 1ms);
    complete.networkError("Connection closed", true, 2ms);
    QCOMPARE(complete.outcome(), ChatOutcome::Completed);
}

void TestChatExchange::networkErrorBeforeAnswer()
{
    ChatExchange exchange;
    exchange.networkError("Connection refused", false, 3ms);
    QVERIFY(exchange.finished());
    QCOMPARE(exchange.outcome(), ChatOutcome::NetworkError);
    QCOMPARE(exchange.userMessage(),
        std::string("The chat service could not be reached (Connection refused). Check the base URL and your "
                    "connection."));
}

void TestChatExchange::malformedFramesAreCountedNeverFatal()
{
    ChatExchange exchange;
    exchange.receive(messageFrame(R"("A")") + "data: {\"event\": \"message\", \"answer\": \"oops\n\n"
            + "data: not json at all\n\n" + "data: {\"answer\": \"no event\"}\n\n" + ": comment\n\n"
            + "event: surprise\n\n" + messageFrame(R"("B")") + messageEndFrame(),
        1ms);
    exchange.endOfStream(1ms);
    QCOMPARE(exchange.outcome(), ChatOutcome::Completed);
    QCOMPARE(exchange.answer(), std::string("AB"));
    QCOMPARE(exchange.counters().malformedFrames, std::uint64_t(3));
    QCOMPARE(exchange.counters().unknownEvents, std::uint64_t(1));
    QCOMPARE(exchange.counters().comments, std::uint64_t(1));
    int malformedLogged = 0;
    for (const ChatLogEntry& entry : exchange.log())
        if (entry.type == "malformed") {
            ++malformedLogged;
            QVERIFY(!entry.note.empty());
        }
    QCOMPARE(malformedLogged, 3);
}

void TestChatExchange::framesAfterMessageEnd()
{
    ChatExchange exchange;
    exchange.receive(messageFrame(R"("Done")") + messageEndFrame()
            + "data: {\"event\": \"tts_message\", \"audio\": \"SUQz\"}\n\n"
            + "data: {\"event\": \"tts_message_end\", \"audio\": \"\"}\n\n" + messageFrame(R"(" late")"),
        1ms);
    exchange.endOfStream(1ms);
    QCOMPARE(exchange.outcome(), ChatOutcome::Completed);
    QCOMPARE(exchange.answer(), std::string("Done"));
    QCOMPARE(exchange.counters().ttsEvents, std::uint64_t(2));
}

void TestChatExchange::stop_data()
{
    QTest::addColumn<bool>("stopBeforeEnd");
    QTest::addColumn<ChatOutcome>("outcome");
    QTest::newRow("stop-then-server-ends-with-message-end") << true << ChatOutcome::Stopped;
    QTest::newRow("stop-after-message-end-changes-nothing") << false << ChatOutcome::Completed;
}

void TestChatExchange::stop()
{
    QFETCH(bool, stopBeforeEnd);
    QFETCH(ChatOutcome, outcome);
    ChatExchange exchange;
    exchange.receive(messageFrame(R"("Part")"), 1ms);
    if (stopBeforeEnd)
        exchange.requestStop(2ms);
    exchange.receive(messageEndFrame(), 3ms);
    if (!stopBeforeEnd)
        exchange.requestStop(4ms);
    exchange.endOfStream(5ms);
    QCOMPARE(exchange.outcome(), outcome);
    QCOMPARE(exchange.answer(), std::string("Part"));
    QCOMPARE(exchange.conversationId(), std::string(kConversation));
    QCOMPARE(exchange.userMessage().empty(), outcome == ChatOutcome::Completed);
}

// Dify's newer events (SPEC §8 "§5 Dify events"), each as a whole recorded
// stream in tests/data/chat/streams, fed through the real SSE parser and
// decoder in pieces of every size a seed picks.
void TestChatExchange::recordedStreams_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<ChatOutcome>("outcome");
    QTest::addColumn<QString>("answer");
    QTest::addColumn<int>("thoughts");
    QTest::addColumn<int>("files");
    QTest::addColumn<QString>("workflowStatus");
    QTest::addColumn<QString>("userMessage");
    QTest::addColumn<QString>("loggedNote"); // a note the inspector's log must carry

    const QString projectAnswer
        = u"To create a project, open **Projects** and click **New project**.\n[TOUR:create-project]"_qs;
    const QString passwordAnswer = u"Open **Settings** and choose **Password**."_qs;
    QTest::newRow("agent-message-final-chunk-repeats-the-answer")
        << u"agent_message_repeated.sse"_qs << ChatOutcome::Completed << projectAnswer << 0 << 0 << QString()
        << QString() << u"repeats the whole answer so far: not shown again"_qs;
    QTest::newRow("agent-thought") << u"agent_thought.sse"_qs << ChatOutcome::Completed << projectAnswer << 2 << 0
                                   << QString() << QString() << u"tool: tour_catalog; thought: I should look up"_qs;
    QTest::newRow("message-replace") << u"message_replace.sse"_qs << ChatOutcome::Completed
                                     << u"This answer was withheld by the app's content moderation."_qs << 0 << 0
                                     << QString() << QString() << QString();
    QTest::newRow("message-file") << u"message_file.sse"_qs << ChatOutcome::Completed
                                  << u"Here is where the button is: top right."_qs << 0 << 1 << QString() << QString()
                                  << u"image; https://files.example.com/projects-button.png"_qs;
    QTest::newRow("workflow-succeeded") << u"workflow_succeeded.sse"_qs << ChatOutcome::Completed << passwordAnswer << 0
                                        << 0 << u"succeeded"_qs << QString() << u"LLM; status: succeeded"_qs;
    QTest::newRow("workflow-partial-succeeded")
        << u"workflow_partial_succeeded.sse"_qs << ChatOutcome::Completed << passwordAnswer << 0 << 0
        << u"partial-succeeded"_qs << QString()
        << u"LLM; status: exception; error: Tool timed out; the default answer was used."_qs;
    QTest::newRow("workflow-failed") << u"workflow_failed.sse"_qs << ChatOutcome::ErrorEvent << passwordAnswer << 0 << 0
                                     << u"failed"_qs
                                     << u"The chat app's workflow failed (Node LLM run failed: the model provider "
                                        "timed out)."_qs
                                     << u"status: failed; error: Node LLM run failed"_qs;
    QTest::newRow("workflow-stopped-elsewhere")
        << u"workflow_stopped.sse"_qs << ChatOutcome::ErrorEvent << passwordAnswer << 0 << 0 << u"stopped"_qs
        << u"The chat app's workflow was stopped on the chat service (Workflow stopped by the console)."_qs
        << QString();
    QTest::newRow("error-mid-stream") << u"error_mid_stream.sse"_qs << ChatOutcome::ErrorEvent << u"Partial answer "_qs
                                      << 0 << 0 << QString()
                                      << u"The chat model could not answer (HTTP 400) (Model timed out)."_qs
                                      << QString();
    QTest::newRow("unknown-events") << u"unknown_events.sse"_qs << ChatOutcome::Completed << u"Hello there"_qs << 0 << 0
                                    << QString() << QString() << u"ignored: an event type this client does not know"_qs;
}

void TestChatExchange::recordedStreams()
{
    QFETCH(QString, file);
    QFETCH(ChatOutcome, outcome);
    QFETCH(QString, answer);
    QFETCH(int, thoughts);
    QFETCH(int, files);
    QFETCH(QString, workflowStatus);
    QFETCH(QString, userMessage);
    QFETCH(QString, loggedNote);
    QFile recorded(QStringLiteral(PROACTIVE_TEST_DATA "/chat/streams/") + file);
    QVERIFY2(recorded.open(QIODevice::ReadOnly), qPrintable(recorded.errorString()));
    const std::string stream = recorded.readAll().toStdString();
    for (const unsigned seed : { 1u, 2u, 3u }) {
        std::mt19937 rng(seed);
        ChatExchange exchange;
        for (std::size_t at = 0; at < stream.size();) {
            const std::size_t size = std::min<std::size_t>(1 + rng() % 97, stream.size() - at);
            exchange.receive(std::string_view(stream).substr(at, size), 1ms);
            at += size;
        }
        exchange.endOfStream(2ms);
        QCOMPARE(exchange.outcome(), outcome);
        QCOMPARE(QString::fromStdString(exchange.answer()), answer);
        QCOMPARE(int(exchange.thoughts().size()), thoughts);
        QCOMPARE(int(exchange.files().size()), files);
        QCOMPARE(QString::fromStdString(exchange.workflowStatus()), workflowStatus);
        QCOMPARE(QString::fromStdString(exchange.userMessage()), userMessage);
        QCOMPARE(exchange.counters().malformedFrames, std::uint64_t(0));
        if (!loggedNote.isEmpty()) {
            const auto& log = exchange.log();
            QVERIFY2(std::any_of(log.begin(), log.end(),
                         [&](const ChatLogEntry& entry) {
                             return QString::fromStdString(entry.note).startsWith(loggedNote);
                         }),
                qPrintable(loggedNote));
        }
    }
}

void TestChatExchange::agentThoughtUpdatesByIdAndKeepsFiles()
{
    ChatExchange exchange;
    exchange.receive(
        "data: {\"event\": \"agent_thought\", \"id\": \"th-1\", \"position\": 1, \"thought\": \"\", "
        "\"tool\": \"search\", \"tool_input\": \"{}\", \"observation\": \"\", \"message_files\": []}\n\n"
        "data: {\"event\": \"agent_thought\", \"id\": \"th-1\", \"position\": 1, \"thought\": \"Found it\", "
        "\"tool\": \"search\", \"tool_input\": \"{}\", \"observation\": \"3 hits\", \"message_files\": "
        "[\"f-1\"]}\n\n",
        1ms);
    QCOMPARE(exchange.thoughts().size(), std::size_t(1));
    const DifyAgentThought& thought = exchange.thoughts().front();
    QCOMPARE(thought.thought, std::string("Found it"));
    QCOMPARE(thought.observation, std::string("3 hits"));
    QCOMPARE(thought.files, std::vector<std::string> { "f-1" });
    QCOMPARE(exchange.counters().agentThoughts, std::uint64_t(2));
}

void TestChatExchange::agentRepeatOnlyForAgentMessages()
{
    // A `message` app that says the same thing twice is shown as it said it.
    ChatExchange plain;
    plain.receive(messageFrame(R"("Yes. ")") + messageFrame(R"("Yes. ")") + messageEndFrame(), 1ms);
    QCOMPARE(plain.answer(), std::string("Yes. Yes. "));
    QCOMPARE(plain.counters().repeatedAnswers, std::uint64_t(0));

    // An agent's repeat is flagged on the event, so a client does not show it.
    ChatExchange agent;
    const auto first = agent.receive(messageFrame(R"("Yes. ")", "agent_message"), 1ms);
    QCOMPARE(first.size(), std::size_t(1));
    QVERIFY(!first[0].repeat);
    const auto second = agent.receive(messageFrame(R"("Yes. ")", "agent_message"), 2ms);
    QVERIFY(second[0].repeat);
    QCOMPARE(agent.answer(), std::string("Yes. "));
    QCOMPARE(agent.counters().repeatedAnswers, std::uint64_t(1));
}

void TestChatExchange::ourStopEndsAWorkflowWithoutError()
{
    ChatExchange exchange;
    exchange.receive(messageFrame(R"("Part")"), 1ms);
    exchange.requestStop(2ms);
    exchange.receive("data: {\"event\": \"workflow_finished\", \"workflow_run_id\": \"w\", \"data\": {\"id\": "
                     "\"w\", \"status\": \"stopped\", \"error\": null}}\n\n"
            + messageEndFrame(),
        3ms);
    exchange.endOfStream(4ms);
    QCOMPARE(exchange.outcome(), ChatOutcome::Stopped);
    QCOMPARE(exchange.userMessage(), std::string("You stopped the answer."));
    QCOMPARE(exchange.workflowStatus(), std::string("stopped"));
}

void TestChatExchange::httpErrors_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message");

    QTest::newRow("bad-key-401")
        << 401 << QByteArray(R"({"code": "unauthorized", "message": "Access token is invalid", "status": 401})")
        << u"The chat service did not accept the app key (HTTP 401). Check the Dify app key (DIFY_API_KEY) and the "
           "base URL."_qs;
    QTest::newRow("conversation-not-found-404")
        << 404 << QByteArray(R"({"code": "not_found", "message": "Conversation Not Exists.", "status": 404})")
        << u"This conversation no longer exists on the chat service (HTTP 404); your next message starts a new one."_qs;
    QTest::newRow("rate-limited-429")
        << 429
        << QByteArray(R"({"code": "too_many_requests", "message": "Too many requests. Please try again later.", )"
                      R"("status": 429})")
        << u"The chat service is rate limited right now (HTTP 429). Wait a moment, then send your message again."_qs;
    QTest::newRow("app-unavailable-400")
        << 400
        << QByteArray(R"({"code": "app_unavailable", "message": "App unavailable, please check your app )"
                      R"(configurations.", "status": 400})")
        << u"The chat app is unavailable (HTTP 400): it is disabled or its configuration in Dify is incomplete."_qs;
    QTest::newRow("provider-not-initialised-400")
        << 400
        << QByteArray(R"({"code": "provider_not_initialize", "message": "No valid model provider credentials )"
                      R"(found.", "status": 400})")
        << u"The chat model could not answer (HTTP 400) (No valid model provider credentials found)."_qs;
    QTest::newRow("invalid-param-400")
        << 400 << QByteArray(R"({"code": "invalid_param", "message": "query is required", "status": 400})")
        << u"The chat service rejected the request (HTTP 400) (query is required)."_qs;
    QTest::newRow("forbidden-403") << 403
                                   << QByteArray(
                                          R"({"code": "forbidden", "message": "App is disabled", "status": 403})")
                                   << u"The chat service refused access to this app (HTTP 403) (App is disabled)."_qs;
    QTest::newRow("internal-500")
        << 500
        << QByteArray(R"({"code": "internal_server_error", "message": "The server encountered an internal )"
                      R"(error.", "status": 500})")
        << u"The chat service had an internal error (HTTP 500). Try again in a moment."_qs;
    QTest::newRow("gateway-502-html") << 502 << QByteArray("<html><body>Bad Gateway</body></html>")
                                      << u"The chat service is unreachable behind its gateway (HTTP 502). Try again "
                                         "in a moment."_qs;
    QTest::newRow("wrong-base-url-404-html")
        << 404 << QByteArray("<!doctype html><title>404</title>")
        << u"The chat service has no such app or endpoint (HTTP 404). Check the base URL."_qs;
    QTest::newRow("empty-body-418") << 418 << QByteArray() << u"The chat service rejected the request (HTTP 418)."_qs;
}

void TestChatExchange::httpErrors()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QString, message);
    ChatExchange exchange;
    exchange.httpError(status, body.toStdString(), 10ms);
    QVERIFY(exchange.finished());
    QCOMPARE(exchange.outcome(), ChatOutcome::HttpError);
    QCOMPARE(exchange.httpStatus(), status);
    QCOMPARE(QString::fromStdString(exchange.userMessage()), message);
    QCOMPARE(exchange.log().size(), std::size_t(1));
    QCOMPARE(exchange.log()[0].type, std::string("http_error"));
    QCOMPARE(exchange.log()[0].bytes, std::size_t(body.size()));
    QCOMPARE(QString::fromStdString(describeDifyHttpError(status, body.toStdString())), message);
}

void TestChatExchange::errorSentences_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("sentence");
    QTest::newRow("frame-rate-limit") << 429 << u"rate_limit_error"_qs << u"slow down"_qs
                                      << u"The chat service is rate limited right now (HTTP 429). Wait a moment, "
                                         "then send your message again."_qs;
    QTest::newRow("frame-without-status")
        << 0 << u"completion_request_error"_qs << u"boom"_qs << u"The chat model could not answer (boom)."_qs;
    QTest::newRow("frame-internal") << 500 << u"internal_server_error"_qs << u""_qs
                                    << u"The chat service had an internal error (HTTP 500). Try again in a moment."_qs;
    QTest::newRow("nothing-known") << 0 << u""_qs << u"Something odd"_qs
                                   << u"The chat service reported an error (Something odd)."_qs;
    QTest::newRow("long-message-cut") << 400 << u"invalid_param"_qs << QString(300, u'x')
                                      << u"The chat service rejected the request (HTTP 400) ("_qs + QString(200, u'x')
            + u"…)."_qs;
}

void TestChatExchange::errorSentences()
{
    QFETCH(int, status);
    QFETCH(QString, code);
    QFETCH(QString, message);
    QFETCH(QString, sentence);
    QCOMPARE(
        QString::fromStdString(describeDifyError({ status, code.toStdString(), message.toStdString() })), sentence);
}

QTEST_GUILESS_MAIN(TestChatExchange)
#include "tst_chatexchange.moc"
