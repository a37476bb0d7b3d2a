// The streaming client and the chat session against the offline Dify server
// over real HTTP on 127.0.0.1: conversation rules, FSM events in order, every
// way an answer can end, stop and reset, frames split on the wire.

#include "chat/tourtag.h"
#include "chatnet/chatsession.h"
#include "chatnet/difyclient.h"
#include "eventwait.h"
#include "simthread.h"
#include "touranswer.h"

#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QTimer>
#include <atomic>
#include <future>
#include <sys/socket.h>
#include <thread>

using namespace proactive;
using namespace proactive::chatnet;
using namespace proactive::difysim;
using namespace proactive::test;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(proactive::difysim::DifySimFault)

namespace QTest {
template<> inline char* toString(const proactive::ChatOutcome& outcome)
{
    return qstrdup(std::string(proactive::nameOf(outcome)).c_str());
}
} // namespace QTest

namespace {

const QString kPrefill = u"I could use some help with what I'm currently doing."_qs;

std::vector<std::string> demoIds()
{
    std::vector<std::string> ids;
    for (const Tour& tour : demoCatalog().tours())
        ids.push_back(tour.id);
    return ids;
}

// What the widget would see, in order.
struct Chat {
    Chat(const QUrl& base, QByteArray key = kSimKey, const QString& sessionId = u"sess-1"_qs)
        : session(network, DifyClientSettings { base, std::move(key) }, u"user-1"_qs)
    {
        session.setTourIds(demoIds());
        session.setSessionId(sessionId);
        QObject::connect(
            &session, &ChatSession::agentEventRequested, &session, [this](const QString& event) { timeline << event; });
        QObject::connect(&session, &ChatSession::textAppended, &session, [this](const QString& piece) {
            if (timeline.isEmpty() || timeline.back() != u"text"_qs)
                timeline << u"text"_qs;
            streamed += piece;
        });
        QObject::connect(&session, &ChatSession::replyFinished, &session, [this](const ChatReply& reply) {
            timeline << u"reply"_qs;
            replies.push_back(reply);
        });
    }

    // Sends and waits for the reply.
    ChatReply ask(const QString& query)
    {
        streamed.clear();
        const std::size_t before = replies.size();
        if (!session.send(query))
            qFatal("send refused");
        if (!proactive::testing::waitFor([&] { return replies.size() > before; }, 15'000))
            qFatal("no reply");
        return replies.back();
    }

    const ChatExchange& exchange() const { return *session.client().exchange(); }

    QNetworkAccessManager network;
    ChatSession session;
    QStringList timeline;
    QString streamed;
    std::vector<ChatReply> replies;
};

std::string expectedText(const std::string& question, const std::string& page)
{
    return extractTourTag(composeTourAnswer(demoCatalog(), question, page).text, demoIds()).text;
}

difysim::DifySimSettings simSettings(std::chrono::milliseconds delay = 0ms, int chunk = 4)
{
    auto settings = SimThread::defaultSettings();
    settings.tokenDelay = delay;
    settings.chunkChars = chunk;
    return settings;
}

// `frames` text frames "tok <i % 10>" and message_end, as Dify writes them.
QByteArray difyBurst(int frames)
{
    QByteArray body;
    for (int i = 0; i < frames; ++i)
        body += R"(data: {"event": "message", "task_id": "t1", "message_id": "m1", "conversation_id": "c1", )"
                R"("answer": "tok )"
            + QByteArray::number(i % 10) + "\"}\n\n";
    body += R"(data: {"event": "message_end", "task_id": "t1", "message_id": "m1", "conversation_id": "c1"})"
            "\n\n";
    return body;
}

QString burstAnswer(int frames)
{
    QString answer;
    for (int i = 0; i < frames; ++i)
        answer += u"tok "_qs + QString::number(i % 10);
    return answer;
}

// A Dify that answers the first request with `body` all at once. It serves
// from a thread of its own with blocking sockets, so the test can hold its
// event loop until the whole answer has arrived in the client's buffers.
class BurstServer final {
public:
    explicit BurstServer(QByteArray body)
    {
        std::promise<quint16> listening;
        std::future<quint16> port = listening.get_future();
        m_thread = std::thread([this, body = std::move(body), &listening] {
            QTcpServer server;
            listening.set_value(server.listen(QHostAddress::LocalHost) ? server.serverPort() : 0);
            if (!server.waitForNewConnection(10'000))
                return;
            QTcpSocket* socket = server.nextPendingConnection();
            QByteArray request;
            while (!requestComplete(request) && socket->waitForReadyRead(10'000))
                request += socket->readAll();
            m_requested = true;
            m_go.get_future().wait();
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
            socket->write(body);
            while (socket->bytesToWrite() > 0 && socket->waitForBytesWritten(10'000)) { }
            // End the body, then wait for the client to close its end: it
            // does once it has read all of it.
            ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
            while (socket->waitForReadyRead(10'000))
                socket->readAll();
        });
        m_port = port.get();
    }
    ~BurstServer()
    {
        if (m_thread.joinable()) {
            if (m_requested)
                m_go.set_value();
            m_thread.join();
        }
    }
    BurstServer(const BurstServer&) = delete;
    BurstServer& operator=(const BurstServer&) = delete;

    QUrl baseUrl() const { return QUrl(u"http://127.0.0.1:%1"_qs.arg(m_port)); }
    bool requested() const { return m_requested; }
    // Sends the answer and blocks, processing no events, until the client
    // has received all of it.
    void send()
    {
        m_go.set_value();
        m_thread.join();
    }

private:
    static bool requestComplete(const QByteArray& request)
    {
        const qsizetype end = request.indexOf("\r\n\r\n");
        if (end < 0)
            return false;
        const QByteArray headers = request.left(end).toLower();
        const qsizetype at = headers.indexOf("content-length:");
        const qsizetype length
            = at < 0 ? 0 : headers.mid(at + 15, headers.indexOf('\r', at) - at - 15).trimmed().toLongLong();
        return request.size() - end - 4 >= length;
    }

    std::thread m_thread;
    quint16 m_port = 0;
    std::atomic<bool> m_requested = false;
    std::promise<void> m_go;
};

} // namespace

class TestDifyClient final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void firstMessageCarriesInputs();
    void followUpsCarryTheConversationId();
    void rotationStartsANewConversation();
    void errorEventSurfacesAsAMessage();
    void newerEventsOverHttp_data();
    void newerEventsOverHttp();
    void httpErrorsSurfaceAsMessages_data();
    void httpErrorsSurfaceAsMessages();
    void conversationGoneOnTheServerStartsOver();
    void stopEndsTheAnswerThroughTheServer();
    void stopBeforeTheFirstFrameCutsTheConnection();
    void resetWhileStreaming();
    void truncatedStreamKeepsThePartialAnswer();
    void malformedFramesAreCountedNeverFatal();
    void unreachableServer();
    void silentServerTimesOut();
    void framesSplitOnTheWire_data();
    void framesSplitOnTheWire();
    void longAnswerAtFullSpeed();
    void workflowFramesAndPingsAreCounted();
    void baseUrlMayEndInV1();
    void eventLogForTheInspector();
    void burstIsReadOverSeveralTurns();
    void cancelFromASlotDuringABurst();
    void destroyingTheClientMidStream();
    void sendWhileBusyIsRefused();
};

void TestDifyClient::initTestCase()
{
    qRegisterMetaType<proactive::ChatOutcome>();
    qRegisterMetaType<proactive::chatnet::ChatThought>();
    qRegisterMetaType<proactive::chatnet::ChatFile>();
    qRegisterMetaType<proactive::chatnet::ChatReply>();
}

void TestDifyClient::firstMessageCarriesInputs()
{
    SimThread sim;
    sim.setPage("sess-1", "/projects");
    Chat chat(sim.baseUrl());
    const ChatReply reply = chat.ask(kPrefill);

    QCOMPARE(reply.outcome, ChatOutcome::Completed);
    QCOMPARE(reply.tourId, u"create-project"_qs);
    QCOMPARE(reply.tagStatus, TourTagStatus::Known);
    QCOMPARE(reply.text.toStdString(), expectedText(kPrefill.toStdString(), "/projects"));
    QCOMPARE(reply.userMessage, QString());
    QCOMPARE(chat.timeline, QStringList({ u"user_sent"_qs, u"text"_qs, u"bot_response_completed"_qs, u"reply"_qs }));
    // The tag never reached the bubble while streaming.
    QVERIFY(!chat.streamed.contains(u"[TOUR"_qs));
    QCOMPARE(chat.streamed.trimmed(), reply.text);

    const std::string& body = chat.exchange().requestBody();
    QVERIFY2(body.find(R"("inputs":{"session_id":"sess-1"})") != std::string::npos, body.c_str());
    QVERIFY(body.find(R"("conversation_id":"")") != std::string::npos);
    QVERIFY(body.find(kSimKey) == std::string::npos);
    const auto conversation = sim.conversation(reply.conversationId.toStdString());
    QVERIFY(conversation);
    QCOMPARE(conversation->inputs.size(), std::size_t(1));
    QCOMPARE(conversation->inputs[0].second, std::string("sess-1"));
    QCOMPARE(chat.session.conversation().conversationId(), reply.conversationId.toStdString());
}

void TestDifyClient::followUpsCarryTheConversationId()
{
    SimThread sim;
    sim.setPage("sess-1", "/projects");
    Chat chat(sim.baseUrl());
    const QString conversationId = chat.ask(kPrefill).conversationId;
    const ChatReply second = chat.ask(u"How do I change my password?"_qs);
    QCOMPARE(second.outcome, ChatOutcome::Completed);
    QCOMPARE(second.conversationId, conversationId);
    QCOMPARE(second.tourId, u"account-settings"_qs);

    const std::string& body = chat.exchange().requestBody();
    QVERIFY2(body.find(R"("inputs":{})") != std::string::npos, body.c_str());
    QVERIFY(body.find("\"conversation_id\":\"" + conversationId.toStdString() + "\"") != std::string::npos);
    QCOMPARE(sim.conversationCount(), std::size_t(1));
    QCOMPARE(sim.conversation(conversationId.toStdString())->messages.size(), std::size_t(2));
    QCOMPARE(chat.timeline,
        QStringList({ u"user_sent"_qs, u"text"_qs, u"bot_response_completed"_qs, u"reply"_qs, u"user_sent"_qs,
            u"text"_qs, u"bot_response_completed"_qs, u"reply"_qs }));
}

void TestDifyClient::rotationStartsANewConversation()
{
    SimThread sim;
    sim.setPage("sess-1", "/projects");
    sim.setPage("sess-2", "/settings/account");
    Chat chat(sim.baseUrl());
    const QString first = chat.ask(kPrefill).conversationId;
    QVERIFY(chat.session.setSessionId(u"sess-2"_qs));
    const ChatReply reply = chat.ask(kPrefill);
    QVERIFY(reply.conversationId != first);
    QCOMPARE(reply.tourId, u"account-settings"_qs); // the new session's page
    QCOMPARE(sim.conversationCount(), std::size_t(2));
    QCOMPARE(sim.conversation(reply.conversationId.toStdString())->inputs[0].second, std::string("sess-2"));
    QVERIFY(chat.exchange().requestBody().find(R"("session_id":"sess-2")") != std::string::npos);
}

void TestDifyClient::errorEventSurfacesAsAMessage()
{
    auto settings = simSettings();
    settings.fault = DifySimFault::ErrorEvent;
    settings.faultAfterFrames = 2;
    SimThread sim(settings);
    Chat chat(sim.baseUrl());
    QSignalSpy errors(&chat.session.client(), &DifyClient::errorReceived);
    const ChatReply reply = chat.ask(u"How do I create a project?"_qs);
    const QString sentence = u"The chat model could not answer (HTTP 400) ([offline Dify] The model stopped with an "
                             "error (simulated fault))."_qs;
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors[0][0].toString(), sentence);
    QCOMPARE(reply.outcome, ChatOutcome::ErrorEvent);
    QCOMPARE(reply.userMessage, sentence);
    QCOMPARE(reply.text, u"**Creating"_qs.left(8)); // two frames of four characters, kept
    QCOMPARE(reply.tourId, QString());
    QCOMPARE(chat.timeline, QStringList({ u"user_sent"_qs, u"text"_qs, u"bot_response_completed"_qs, u"reply"_qs }));
}

// Dify's newer stream events (issue 14), each from the offline server's
// fault mode over HTTP on 127.0.0.1, streamed frame by frame, through the
// real client and session.
void TestDifyClient::newerEventsOverHttp_data()
{
    QTest::addColumn<DifySimFault>("fault");
    QTest::addColumn<ChatOutcome>("outcome");
    QTest::addColumn<QString>("text"); // "answer": the whole answer; else the text itself
    QTest::addColumn<int>("thoughtSignals");
    QTest::addColumn<int>("thoughts");
    QTest::addColumn<int>("files");
    QTest::addColumn<int>("replaced");
    QTest::addColumn<QString>("error"); // the start of the errorReceived sentence; empty: none
    QTest::addColumn<QString>("workflowStatus");
    QTest::addColumn<int>("unknown");

    const QString answer = u"answer"_qs;
    QTest::newRow("agent-answer-once-thoughts-and-a-file") << DifySimFault::AgentApp << ChatOutcome::Completed << answer
                                                           << 2 << 1 << 1 << 0 << QString() << QString() << 0;
    QTest::newRow("moderation-replaces-the-answer")
        << DifySimFault::Moderation << ChatOutcome::Completed
        << u"[offline Dify] This answer was withheld by content moderation (simulated fault)."_qs << 0 << 0 << 0 << 1
        << QString() << QString() << 0;
    QTest::newRow("workflow-failed-is-an-error")
        << DifySimFault::WorkflowFailed << ChatOutcome::ErrorEvent << u"**Creating"_qs.left(8) << 0 << 0 << 0 << 0
        << u"The chat app's workflow failed (Node LLM run failed: [offline Dify] the model provider timed out"_qs
        << u"failed"_qs << 0;
    QTest::newRow("workflow-partial-succeeded-completes")
        << DifySimFault::WorkflowPartial << ChatOutcome::Completed << answer << 0 << 0 << 0 << 0 << QString()
        << u"partial-succeeded"_qs << 0;
    QTest::newRow("unknown-events-are-ignored") << DifySimFault::UnknownEvents << ChatOutcome::Completed << answer << 0
                                                << 0 << 0 << 0 << QString() << QString() << 2;
}

void TestDifyClient::newerEventsOverHttp()
{
    QFETCH(DifySimFault, fault);
    QFETCH(ChatOutcome, outcome);
    QFETCH(QString, text);
    QFETCH(int, thoughtSignals);
    QFETCH(int, thoughts);
    QFETCH(int, files);
    QFETCH(int, replaced);
    QFETCH(QString, error);
    QFETCH(QString, workflowStatus);
    QFETCH(int, unknown);
    auto settings = simSettings(1ms);
    settings.fault = fault;
    settings.faultAfterFrames = 2;
    SimThread sim(settings);
    sim.setPage("sess-1", "/projects");
    Chat chat(sim.baseUrl());
    QSignalSpy thoughtSpy(&chat.session, &ChatSession::thoughtUpdated);
    QSignalSpy fileSpy(&chat.session, &ChatSession::fileReceived);
    QSignalSpy replacedSpy(&chat.session, &ChatSession::textReplaced);
    QSignalSpy errors(&chat.session.client(), &DifyClient::errorReceived);
    const QString question = u"How do I create a project?"_qs;
    const ChatReply reply = chat.ask(question);

    const QString expected
        = text == u"answer"_qs ? QString::fromStdString(expectedText(question.toStdString(), "/projects")) : text;
    QCOMPARE(reply.outcome, outcome);
    QCOMPARE(reply.text, expected);
    // What streamed into the bubble is the answer once (an agent's repeat is not appended).
    if (replaced == 0)
        QCOMPARE(chat.streamed.trimmed(), expected);
    QCOMPARE(thoughtSpy.size(), thoughtSignals);
    QCOMPARE(int(reply.thoughts.size()), thoughts);
    if (thoughts > 0) {
        QCOMPARE(reply.thoughts[0].tool, u"tour_catalog"_qs);
        QVERIFY(!reply.thoughts[0].observation.isEmpty());
    }
    QCOMPARE(fileSpy.size(), files);
    QCOMPARE(int(reply.files.size()), files);
    if (files > 0)
        QVERIFY(reply.files[0].url.startsWith(u"https://offline-dify.invalid/files/create-project"_qs));
    QCOMPARE(replacedSpy.size(), replaced);
    if (replaced > 0)
        QCOMPARE(replacedSpy.last().first().toString(), text);
    QCOMPARE(errors.size(), error.isEmpty() ? 0 : 1);
    if (!error.isEmpty()) {
        QVERIFY2(errors[0][0].toString().startsWith(error), qPrintable(errors[0][0].toString()));
        QCOMPARE(reply.userMessage, errors[0][0].toString());
    }
    QCOMPARE(reply.workflowStatus, workflowStatus);
    QCOMPARE(chat.exchange().counters().unknownEvents, std::uint64_t(unknown));
    QCOMPARE(chat.exchange().counters().repeatedAnswers, std::uint64_t(fault == DifySimFault::AgentApp ? 1 : 0));
    QCOMPARE(chat.exchange().counters().malformedFrames, std::uint64_t(0));
}

void TestDifyClient::httpErrorsSurfaceAsMessages_data()
{
    QTest::addColumn<DifySimFault>("fault");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QString>("message");
    QTest::newRow("bad-key-401") << DifySimFault::None << QByteArray("app-wrong-key")
                                 << u"The chat service did not accept the app key (HTTP 401). Check the Dify app key "
                                    "(DIFY_API_KEY) and the base URL."_qs;
    QTest::newRow("rate-limited-429") << DifySimFault::Http429 << QByteArray(kSimKey)
                                      << u"The chat service is rate limited right now (HTTP 429). Wait a moment, then "
                                         "send your message again."_qs;
    QTest::newRow("internal-500") << DifySimFault::Http500 << QByteArray(kSimKey)
                                  << u"The chat service had an internal error (HTTP 500). Try again in a moment."_qs;
}

void TestDifyClient::httpErrorsSurfaceAsMessages()
{
    QFETCH(DifySimFault, fault);
    QFETCH(QByteArray, key);
    QFETCH(QString, message);
    auto settings = simSettings();
    settings.fault = fault;
    SimThread sim(settings);
    Chat chat(sim.baseUrl(), key);
    const ChatReply reply = chat.ask(kPrefill);
    QCOMPARE(reply.outcome, ChatOutcome::HttpError);
    QCOMPARE(reply.userMessage, message);
    QCOMPARE(reply.text, QString());
    QCOMPARE(chat.timeline, QStringList({ u"user_sent"_qs, u"bot_response_completed"_qs, u"reply"_qs }));
    QCOMPARE(chat.exchange().log().back().type, std::string("http_error"));
    // The conversation was never started: the next message starts one again.
    QVERIFY(chat.session.conversation().startsNewConversation());
}

void TestDifyClient::conversationGoneOnTheServerStartsOver()
{
    SimThread first;
    Chat chat(first.baseUrl());
    QVERIFY(!chat.ask(kPrefill).conversationId.isEmpty());

    // Another server (a restarted sim, a wiped Dify app) does not know it.
    SimThread second;
    chat.session.client().setSettings(DifyClientSettings { second.baseUrl(), kSimKey });
    const ChatReply gone = chat.ask(u"And then?"_qs);
    QCOMPARE(gone.outcome, ChatOutcome::HttpError);
    QCOMPARE(gone.userMessage,
        u"This conversation no longer exists on the chat service (HTTP 404); your next message starts a new one."_qs);
    QVERIFY(chat.session.conversation().startsNewConversation());

    const ChatReply again = chat.ask(u"And then?"_qs);
    QCOMPARE(again.outcome, ChatOutcome::Completed);
    QCOMPARE(second.conversation(again.conversationId.toStdString())->inputs[0].second, std::string("sess-1"));
}

void TestDifyClient::stopEndsTheAnswerThroughTheServer()
{
    SimThread sim(simSettings(40ms));
    Chat chat(sim.baseUrl());
    QSignalSpy pieces(&chat.session, &ChatSession::textAppended);
    QVERIFY(chat.session.send(u"How do I change my password?"_qs));
    QVERIFY(pieces.wait(5'000));
    chat.session.stop();
    TRY_COMPARE_WITH_TIMEOUT(chat.replies.size(), std::size_t(1), 5'000);
    const ChatReply reply = chat.replies.back();
    QCOMPARE(reply.outcome, ChatOutcome::Stopped);
    QCOMPARE(reply.userMessage, u"You stopped the answer."_qs);
    QCOMPARE(reply.tourId, QString());
    QVERIFY(!reply.text.isEmpty());
    QVERIFY(reply.text.size() < int(expectedText("How do I change my password?", "").size()) / 2);

    // The server ended the stream with message_end, after the stop call.
    const ChatExchange& exchange = chat.exchange();
    QVERIFY(exchange.messageEnded());
    std::vector<std::string> types;
    for (const ChatLogEntry& entry : exchange.log())
        types.push_back(entry.type);
    const auto stop = std::find(types.begin(), types.end(), "stop");
    QVERIFY(stop != types.end());
    QVERIFY(std::find(stop, types.end(), "message_end") != types.end());
    QCOMPARE(types.back(), std::string("end_of_stream"));
    QCOMPARE(sim.conversation(reply.conversationId.toStdString())->messages[0].answer, exchange.answer());
    QCOMPARE(sim.activeStreams(), std::size_t(0));
    QCOMPARE(chat.timeline, QStringList({ u"user_sent"_qs, u"text"_qs, u"bot_response_completed"_qs, u"reply"_qs }));
    // The conversation goes on.
    QCOMPARE(chat.ask(u"How do I create a project?"_qs).conversationId, reply.conversationId);
}

void TestDifyClient::stopBeforeTheFirstFrameCutsTheConnection()
{
    SimThread sim(simSettings(2'000ms));
    Chat chat(sim.baseUrl());
    QVERIFY(chat.session.send(kPrefill));
    TRY_COMPARE_WITH_TIMEOUT(sim.activeStreams(), std::size_t(1), 5'000);
    chat.session.stop(); // no task id yet
    QCOMPARE(chat.replies.size(), std::size_t(1));
    QCOMPARE(chat.replies.back().outcome, ChatOutcome::Stopped);
    QCOMPARE(chat.timeline, QStringList({ u"user_sent"_qs, u"bot_response_completed"_qs, u"reply"_qs }));
    TRY_COMPARE_WITH_TIMEOUT(sim.activeStreams(), std::size_t(0), 5'000);
}

void TestDifyClient::resetWhileStreaming()
{
    SimThread sim(simSettings(40ms));
    Chat chat(sim.baseUrl());
    const QString first = chat.ask(u"How do I create a project?"_qs).conversationId;
    QSignalSpy pieces(&chat.session, &ChatSession::textAppended);
    QVERIFY(chat.session.send(u"How do I change my password?"_qs));
    QVERIFY(pieces.wait(5'000));
    chat.session.reset();
    QCOMPARE(chat.replies.back().outcome, ChatOutcome::Stopped);
    QCOMPARE(chat.timeline.mid(4),
        QStringList({ u"user_sent"_qs, u"text"_qs, u"bot_response_completed"_qs, u"reply"_qs, u"reset"_qs }));
    QVERIFY(chat.session.conversation().startsNewConversation());
    QVERIFY(chat.ask(kPrefill).conversationId != first);
}

void TestDifyClient::truncatedStreamKeepsThePartialAnswer()
{
    auto settings = simSettings();
    settings.fault = DifySimFault::DropConnection;
    settings.faultAfterFrames = 3;
    SimThread sim(settings);
    Chat chat(sim.baseUrl());
    const ChatReply reply = chat.ask(u"How do I create a project?"_qs);
    QCOMPARE(reply.outcome, ChatOutcome::Truncated);
    QCOMPARE(reply.text, u"**Creating a"_qs); // three frames of four characters
    QVERIFY2(
        reply.userMessage.startsWith(u"The answer was cut off: the connection ended before the answer was complete"_qs),
        qPrintable(reply.userMessage));
    QCOMPARE(reply.tourId, QString());
    QCOMPARE(chat.exchange().counters().textEvents, std::uint64_t(3));
    // QNetworkAccessManager (6.4) reports a connection closed inside a
    // chunked body as an error or, depending on timing, as a normal end:
    // the missing message_end is what tells the truncation either way.
    const std::string end = chat.exchange().log().back().type;
    QVERIFY2(end == "end_of_stream" || end == "network_error", end.c_str());
    QCOMPARE(chat.timeline, QStringList({ u"user_sent"_qs, u"text"_qs, u"bot_response_completed"_qs, u"reply"_qs }));
    // The truncated answer still created the conversation: the next message continues it.
    QCOMPARE(chat.session.conversation().conversationId(), reply.conversationId.toStdString());
}

void TestDifyClient::malformedFramesAreCountedNeverFatal()
{
    auto settings = simSettings();
    settings.fault = DifySimFault::MalformedFrames;
    settings.faultAfterFrames = 1;
    SimThread sim(settings);
    Chat chat(sim.baseUrl());
    const ChatReply reply = chat.ask(u"How do I create a project?"_qs);
    QCOMPARE(reply.outcome, ChatOutcome::Completed);
    QCOMPARE(reply.tourId, u"create-project"_qs);
    QCOMPARE(reply.text.toStdString(), expectedText("How do I create a project?", ""));
    QCOMPARE(chat.exchange().counters().malformedFrames, std::uint64_t(3));
    QCOMPARE(chat.exchange().counters().comments, std::uint64_t(1));
}

void TestDifyClient::unreachableServer()
{
    quint16 port = 0;
    {
        SimThread gone; // a port that was just free and is closed again
        port = gone.port();
    }
    Chat chat(QUrl(u"http://127.0.0.1:%1"_qs.arg(port)));
    const ChatReply reply = chat.ask(kPrefill);
    QCOMPARE(reply.outcome, ChatOutcome::NetworkError);
    QVERIFY2(reply.userMessage.startsWith(u"The chat service could not be reached"_qs), qPrintable(reply.userMessage));
    QCOMPARE(chat.timeline, QStringList({ u"user_sent"_qs, u"bot_response_completed"_qs, u"reply"_qs }));
}

void TestDifyClient::silentServerTimesOut()
{
    SimThread sim(simSettings(5'000ms));
    QNetworkAccessManager network;
    DifyClient client(network, DifyClientSettings { sim.baseUrl(), kSimKey, 300ms });
    QSignalSpy finished(&client, &DifyClient::finished);
    ChatConversation conversation("user-1", "sess-1");
    QVERIFY(client.send(conversation.request("How do I create a project?")));
    QVERIFY(finished.wait(5'000));
    QCOMPARE(finished[0][0].value<ChatOutcome>(), ChatOutcome::Truncated);
    QCOMPARE(client.exchange()->log().back().note, std::string("no data for 300 ms"));
    QCOMPARE(QString::fromStdString(client.exchange()->userMessage()),
        u"The answer was cut off: the connection ended before the answer was complete (no data for 300 ms)."_qs);
}

void TestDifyClient::framesSplitOnTheWire_data()
{
    QTest::addColumn<int>("writeBytes");
    QTest::newRow("1-byte-chunks") << 1;
    QTest::newRow("5-byte-chunks") << 5;
    QTest::newRow("64-byte-chunks") << 64;
}

void TestDifyClient::framesSplitOnTheWire()
{
    QFETCH(int, writeBytes);
    auto settings = simSettings();
    settings.writeBytes = std::size_t(writeBytes);
    SimThread sim(settings);
    sim.setPage("sess-1", "/projects/:slug/settings");
    Chat chat(sim.baseUrl());
    const ChatReply reply = chat.ask(kPrefill);
    QCOMPARE(reply.outcome, ChatOutcome::Completed);
    QCOMPARE(reply.tourId, u"project-settings"_qs);
    QCOMPARE(reply.text.toStdString(), expectedText(kPrefill.toStdString(), "/projects/:slug/settings"));
    QCOMPARE(chat.exchange().counters().malformedFrames, std::uint64_t(0));
}

void TestDifyClient::longAnswerAtFullSpeed()
{
    // One tour with 400 steps: a ~40 KB answer in 2-character frames (≈ 20k frames).
    Tour tour { "long-tour", "A very long walkthrough", "Use when the user asks for the long walkthrough.", "/long",
        {} };
    for (int i = 0; i < 400; ++i)
        tour.steps.push_back({ "#step-" + std::to_string(i), "Step " + std::to_string(i),
            "Do the thing number " + std::to_string(i) + " — carefully, with ünïcödé 🚀 and \"quotes\".",
            TourPlacement::Bottom });
    const TourCatalog catalog(std::vector<Tour> { tour });
    SimThread sim(simSettings(0ms, 2), catalog);
    Chat chat(sim.baseUrl());
    chat.session.setTourIds({ "long-tour" });
    const ChatReply reply = chat.ask(u"Show me the long walkthrough"_qs);
    QCOMPARE(reply.outcome, ChatOutcome::Completed);
    QCOMPARE(reply.tourId, u"long-tour"_qs);
    const std::string full = composeTourAnswer(catalog, "Show me the long walkthrough", "").text;
    QCOMPARE(chat.exchange().answer().size(), full.size());
    QVERIFY(chat.exchange().answer() == full);
    QVERIFY(chat.exchange().counters().textEvents > 15'000);
    QCOMPARE(chat.streamed.trimmed(), reply.text);
}

void TestDifyClient::workflowFramesAndPingsAreCounted()
{
    auto settings = simSettings(10ms, 60);
    settings.chatflow = true;
    settings.pingInterval = 4ms;
    SimThread sim(settings);
    Chat chat(sim.baseUrl());
    const ChatReply reply = chat.ask(u"How do I create a project?"_qs);
    QCOMPARE(reply.outcome, ChatOutcome::Completed);
    QCOMPARE(chat.exchange().counters().workflowEvents, std::uint64_t(8));
    QVERIFY(chat.exchange().counters().pings > 0);
    QCOMPARE(reply.tourId, u"create-project"_qs);
}

void TestDifyClient::baseUrlMayEndInV1()
{
    SimThread sim;
    QUrl base = sim.baseUrl();
    base.setPath(u"/v1/"_qs);
    Chat chat(base);
    QCOMPARE(chat.ask(kPrefill).outcome, ChatOutcome::Completed);
}

void TestDifyClient::eventLogForTheInspector()
{
    SimThread sim;
    Chat chat(sim.baseUrl());
    QSignalSpy logged(&chat.session.client(), &DifyClient::eventsLogged);
    chat.ask(u"How do I create a project?"_qs);
    const auto& log = chat.exchange().log();
    // The batches cover the log exactly, in order.
    qint64 next = 0;
    for (const QList<QVariant>& batch : logged) {
        QCOMPARE(batch[0].toLongLong(), next);
        QVERIFY(batch[1].toLongLong() > 0);
        next += batch[1].toLongLong();
    }
    QCOMPARE(std::size_t(next), log.size());
    QCOMPARE(log.front().type, std::string("message"));
    QVERIFY(log.front().bytes > 100);
    QCOMPARE(log[log.size() - 2].type, std::string("message_end"));
    QCOMPARE(log.back().type, std::string("end_of_stream"));
    for (std::size_t i = 1; i < log.size(); ++i)
        QVERIFY(log[i].at >= log[i - 1].at);
}

void TestDifyClient::burstIsReadOverSeveralTurns()
{
    // A whole 16 MiB answer in the client's buffers at once: it is read in
    // slices over several turns of the event loop, text comes as a few
    // joined pieces, in order and complete, and the FSM events keep their order.
    constexpr int kFrames = 150'000;
    BurstServer dify(difyBurst(kFrames));
    Chat chat(dify.baseUrl());
    DifyClient& client = chat.session.client();
    QSignalSpy pieces(&client, &DifyClient::textAppended);
    QSignalSpy finished(&client, &DifyClient::finished);
    QSignalSpy logged(&client, &DifyClient::eventsLogged);
    QStringList order;
    connect(&client, &DifyClient::textAppended, this, [&] {
        if (order.isEmpty() || order.back() != u"text"_qs)
            order << u"text"_qs;
    });
    connect(&client, &DifyClient::messageEnded, this, [&] { order << u"message_end"_qs; });
    connect(&client, &DifyClient::finished, this, [&] { order << u"finished"_qs; });
    int turnsWhileReading = 0;
    QTimer turns;
    turns.setInterval(0);
    connect(&turns, &QTimer::timeout, this, [&] {
        if (!pieces.isEmpty() && finished.isEmpty())
            ++turnsWhileReading;
    });

    QVERIFY(chat.session.send(u"Stream me a long answer"_qs));
    TRY_VERIFY_WITH_TIMEOUT(dify.requested(), 10'000);
    dify.send();
    turns.start();
    QVERIFY(finished.wait(30'000));

    QCOMPARE(finished[0][0].value<ChatOutcome>(), ChatOutcome::Completed);
    QCOMPARE(order, QStringList({ u"text"_qs, u"message_end"_qs, u"finished"_qs }));
    QCOMPARE(chat.timeline, QStringList({ u"user_sent"_qs, u"text"_qs, u"bot_response_completed"_qs, u"reply"_qs }));
    const QString answer = burstAnswer(kFrames);
    QVERIFY(chat.streamed == answer);
    QVERIFY(chat.replies.back().text == answer);
    QCOMPARE(client.exchange()->counters().textEvents, std::uint64_t(kFrames));
    QVERIFY2(pieces.size() < kFrames / 100, qPrintable(QString::number(pieces.size())));
    QVERIFY2(turnsWhileReading > 0, "the burst was read in one turn of the event loop");
    qint64 next = 0;
    for (const QList<QVariant>& batch : logged) {
        QCOMPARE(batch[0].toLongLong(), next);
        next += batch[1].toLongLong();
    }
    QCOMPARE(std::size_t(next), client.exchange()->log().size());
}

void TestDifyClient::cancelFromASlotDuringABurst()
{
    constexpr int kFrames = 150'000;
    BurstServer dify(difyBurst(kFrames));
    Chat chat(dify.baseUrl());
    DifyClient& client = chat.session.client();
    QSignalSpy finished(&client, &DifyClient::finished);
    int pieces = 0;
    connect(&client, &DifyClient::textAppended, this, [&] {
        if (++pieces == 2)
            client.cancel();
    });

    QVERIFY(chat.session.send(u"Stream me a long answer"_qs));
    TRY_VERIFY_WITH_TIMEOUT(dify.requested(), 10'000);
    dify.send();
    QVERIFY(finished.wait(30'000));
    proactive::testing::wait(100); // nothing of the rest of the burst is read after that
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished[0][0].value<ChatOutcome>(), ChatOutcome::Stopped);
    QCOMPARE(pieces, 2);
    QCOMPARE(chat.timeline, QStringList({ u"user_sent"_qs, u"text"_qs, u"bot_response_completed"_qs, u"reply"_qs }));
    const QString answer = QString::fromStdString(client.exchange()->answer());
    QCOMPARE(chat.streamed, answer);
    QVERIFY(!answer.isEmpty());
    QVERIFY(answer.size() < burstAnswer(kFrames).size());
    QVERIFY(burstAnswer(kFrames).startsWith(answer));
    QCOMPARE(chat.replies.back().userMessage, u"You stopped the answer."_qs);
}

void TestDifyClient::destroyingTheClientMidStream()
{
    SimThread sim(simSettings(30ms));
    QNetworkAccessManager network;
    auto client = std::make_unique<DifyClient>(network, DifyClientSettings { sim.baseUrl(), kSimKey });
    QSignalSpy finished(client.get(), &DifyClient::finished);
    QSignalSpy pieces(client.get(), &DifyClient::textAppended);
    ChatConversation conversation("user-1", "sess-1");
    QVERIFY(client->send(conversation.request("How do I change my password?")));
    QVERIFY(pieces.wait(5'000));
    client.reset();
    QCOMPARE(finished.size(), 0);
    TRY_COMPARE_WITH_TIMEOUT(sim.activeStreams(), std::size_t(0), 5'000);
}

void TestDifyClient::sendWhileBusyIsRefused()
{
    SimThread sim(simSettings(20ms));
    Chat chat(sim.baseUrl());
    QVERIFY(chat.session.send(kPrefill));
    QVERIFY(chat.session.isBusy());
    QVERIFY(!chat.session.send(u"again"_qs));
    QCOMPARE(chat.timeline, QStringList({ u"user_sent"_qs }));
    TRY_COMPARE_WITH_TIMEOUT(chat.replies.size(), std::size_t(1), 10'000);
    QVERIFY(!chat.session.isBusy());
}

QTEST_GUILESS_MAIN(TestDifyClient)
#include "tst_difyclient.moc"
