// The offline Dify server over real sockets, seen byte by byte: framing,
// authentication, validation, conversation memory, the read endpoints, stop,
// and every fault it can inject.

#include "chatnet/difyjson.h"
#include "connector/connector.h"
#include "eventwait.h"
#include "simthread.h"
#include "store/memorystore.h"
#include "touranswer.h"
#include "workspace/workspace.h"

#include <QTest>

using namespace proactive;
using namespace proactive::test;
using namespace std::chrono_literals;
using nlohmann::json;

Q_DECLARE_METATYPE(proactive::difysim::DifySimFault)

namespace {

std::string answerOf(const std::vector<json>& frames)
{
    std::string answer;
    for (const json& frame : frames)
        if (frame.is_object() && frame.value("event", "") == "message")
            answer += frame.value("answer", "");
    return answer;
}

std::vector<std::string> eventNames(const std::vector<json>& frames)
{
    std::vector<std::string> names;
    for (const json& frame : frames)
        names.push_back(frame.is_object() ? frame.value("event", "?") : "<malformed>");
    return names;
}

QString joined(const std::vector<std::string>& names)
{
    QStringList list;
    for (const auto& name : names)
        list << QString::fromStdString(name);
    return list.join(u',');
}

difysim::DifySimSettings withFault(difysim::DifySimFault fault, int after = 3)
{
    auto settings = SimThread::defaultSettings();
    settings.fault = fault;
    settings.faultAfterFrames = after;
    return settings;
}

} // namespace

class TestDifySimServer final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pythonJsonDump_data();
    void pythonJsonDump();
    void streamingFraming();
    void answerFollowsTheSessionsPage();
    void currentPageFromTheConnector();
    void pingFrames();
    void writeBytesSplitsFrames();
    void chatflowFrames();
    void blockingMode();
    void authentication_data();
    void authentication();
    void validation_data();
    void validation();
    void inputsOnlyOnTheFirstMessage();
    void conversationsAndMessages();
    void parameters();
    void routing_data();
    void routing();
    void httpFaults_data();
    void httpFaults();
    void errorEventFault();
    void newerEventFaults_data();
    void newerEventFaults();
    void dropFault();
    void malformedFault();
    void stopEndsWithMessageEnd();
    void stopByAnotherUserChangesNothing();
    void clientLeavingEndsTheStream();
    void connectionIsReusedAfterAStream();
    void accessLogNeverShowsTheKey();
};

void TestDifySimServer::pythonJsonDump_data()
{
    QTest::addColumn<QByteArray>("input"); // JSON text, parsed in order
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("object-spacing") << QByteArray(R"({"b":1,"a":[1,2,{"c":null}],"d":true})")
                                    << QByteArray(R"({"b": 1, "a": [1, 2, {"c": null}], "d": true})");
    QTest::newRow("non-ascii-escaped") << QByteArray("{\"answer\":\"caf\xC3\xA9\"}")
                                       << QByteArray(R"({"answer": "caf\u00e9"})");
    QTest::newRow("astral-surrogate-pair") << QByteArray("\"\xF0\x9F\x9A\x80\"") << QByteArray(R"("\ud83d\ude80")");
    QTest::newRow("controls") << QByteArray(R"("a\nb\t\"q\"\\ \u0001 /")") << QByteArray(R"("a\nb\t\"q\"\\ \u0001 /")");
    QTest::newRow("numbers") << QByteArray(R"([0, -3, 1.5, 1.381760165997548, 1705395332])")
                             << QByteArray(R"([0, -3, 1.5, 1.381760165997548, 1705395332])");
    QTest::newRow("empty") << QByteArray(R"({"a":{},"b":[]})") << QByteArray(R"({"a": {}, "b": []})");
}

void TestDifySimServer::pythonJsonDump()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    const auto value = nlohmann::ordered_json::parse(input.toStdString());
    QCOMPARE(QByteArray::fromStdString(chatnet::difyJsonDump(value)), expected);
}

void TestDifySimServer::streamingFraming()
{
    SimThread sim;
    sim.setPage("s1", "/projects");
    RawHttpClient http = simClient(sim.port());
    const RawHttpResponse response
        = http.postJson("/v1/chat-messages", chatBody("How do I create a project?", "u1", "s1"));
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("content-type"), QByteArray("text/event-stream; charset=utf-8"));
    QCOMPARE(response.header("transfer-encoding"), QByteArray("chunked"));
    QVERIFY(response.complete);

    // One chunk per frame, each exactly `data: {json}\n\n` with Python's spacing.
    const std::string expected = composeTourAnswer(demoCatalog(), "How do I create a project?", "/projects").text;
    std::string answer;
    for (qsizetype i = 0; i < response.chunks.size(); ++i) {
        const QByteArray& chunk = response.chunks[i];
        QVERIFY2(chunk.startsWith("data: {\"event\": \"") && chunk.endsWith("}\n\n"), chunk.constData());
        QCOMPARE(chunk.count("\n"), 2);
        const auto frame = nlohmann::ordered_json::parse(chunk.mid(6).toStdString());
        QCOMPARE(QByteArray::fromStdString(chatnet::difyJsonDump(frame)), chunk.mid(6).chopped(2));
        if (i + 1 < response.chunks.size()) {
            QCOMPARE(frame["event"].get<std::string>(), std::string("message"));
            std::vector<std::string> keys;
            for (auto it = frame.begin(); it != frame.end(); ++it)
                keys.push_back(it.key());
            QCOMPARE(joined(keys), u"event,conversation_id,message_id,created_at,task_id,id,answer"_qs);
            QVERIFY(frame["answer"].get<std::string>().size() <= 4 * 4);
            answer += frame["answer"].get<std::string>();
        }
    }
    QCOMPARE(QString::fromStdString(answer), QString::fromStdString(expected));

    const auto end = json::parse(response.chunks.back().mid(6).toStdString());
    QCOMPARE_JSON(end["event"], "message_end");
    QCOMPARE_JSON(end["metadata"]["usage"]["completion_tokens"], response.chunks.size() - 1);
    QCOMPARE_JSON(end["metadata"]["retriever_resources"][0]["content"], "Current page: /projects");
    const auto first = json::parse(response.chunks.front().mid(6).toStdString());
    for (const char* key : { "conversation_id", "message_id", "task_id" })
        QCOMPARE_JSON(end[key], first[key]);

    const auto conversation = sim.conversation(end["conversation_id"].get<std::string>());
    QVERIFY(conversation);
    QCOMPARE(conversation->messages.size(), std::size_t(1));
    QCOMPARE(conversation->messages[0].answer, expected);
    QCOMPARE(conversation->messages[0].tourId, std::string("create-project"));
}

void TestDifySimServer::answerFollowsTheSessionsPage()
{
    SimThread sim;
    sim.setPage("on-settings", "https://app.acme.test/projects/:slug/settings");
    RawHttpClient http = simClient(sim.port());
    const std::string prefill = "I could use some help with what I'm currently doing.";
    const RawHttpResponse onPage = http.postJson("/v1/chat-messages", chatBody(prefill, "u1", "on-settings"));
    QVERIFY(answerOf(dataFrames(onPage.body)).ends_with("\n[TOUR:project-settings]"));
    const RawHttpResponse unknown = http.postJson("/v1/chat-messages", chatBody(prefill, "u1", "no-activity"));
    QVERIFY(answerOf(dataFrames(unknown.body)).ends_with("\n[TOUR:none]"));
}

void TestDifySimServer::currentPageFromTheConnector()
{
    Diagnostics diagnostics;
    auto workspace = std::make_shared<const Workspace>(
        Workspace::load(PROACTIVE_SOURCE_DIR "/resources/demo-workspace", diagnostics));
    QVERIFY(diagnostics.empty());
    MemoryStore store;
    VirtualClock clock;
    Connector connector(workspace, store, clock);
    Action pageview;
    pageview.type = ActionType::Pageview;
    pageview.event = "$pageview";
    pageview.timestampStart = clock.now();
    pageview.rawUrl = "https://app.acme.test/projects/website-redesign/settings?tab=general";
    pageview.sessionId = "live-session";
    pageview.distinctId = "visitor-1";
    QVERIFY(connector.ingest("demo", { pageview }));

    const difysim::CurrentPageProvider page = difysim::connectorCurrentPage(connector);
    QCOMPARE(page("live-session"), std::string("https://app.acme.test/projects/:slug/settings"));
    QCOMPARE(page("no-such-session"), std::string());

    SimThread sim;
    sim.run([&](difysim::DifySimServer& server) { server.setCurrentPageProvider(page); });
    RawHttpClient http = simClient(sim.port());
    const RawHttpResponse response = http.postJson(
        "/v1/chat-messages", chatBody("I could use some help with what I'm currently doing.", "u1", "live-session"));
    QVERIFY(answerOf(dataFrames(response.body)).ends_with("\n[TOUR:project-settings]"));
}

void TestDifySimServer::pingFrames()
{
    auto settings = SimThread::defaultSettings();
    settings.tokenDelay = 15ms;
    settings.chunkChars = 40;
    settings.pingInterval = 10ms;
    SimThread sim(settings);
    RawHttpClient http = simClient(sim.port());
    const RawHttpResponse response = http.postJson("/v1/chat-messages", chatBody("How do I change my password?", "u1"));
    QVERIFY(response.complete);
    QVERIFY2(response.chunks.contains("event: ping\n\n"), response.body.constData());
    QCOMPARE_JSON(dataFrames(response.body).back()["event"], "message_end");
}

void TestDifySimServer::writeBytesSplitsFrames()
{
    auto settings = SimThread::defaultSettings();
    settings.writeBytes = 7;
    SimThread sim(settings);
    RawHttpClient http = simClient(sim.port());
    const RawHttpResponse response = http.postJson("/v1/chat-messages", chatBody("How do I create a project?", "u1"));
    QVERIFY(response.complete);
    QVERIFY(response.chunks.size() > 100);
    for (const QByteArray& chunk : response.chunks)
        QVERIFY(chunk.size() <= 7);
    QCOMPARE(QString::fromStdString(answerOf(dataFrames(response.body))),
        QString::fromStdString(composeTourAnswer(demoCatalog(), "How do I create a project?", "").text));
}

void TestDifySimServer::chatflowFrames()
{
    auto settings = SimThread::defaultSettings();
    settings.chatflow = true;
    settings.chunkChars = 1000;
    SimThread sim(settings);
    RawHttpClient http = simClient(sim.port());
    const RawHttpResponse response = http.postJson("/v1/chat-messages", chatBody("How do I create a project?", "u1"));
    QCOMPARE(joined(eventNames(dataFrames(response.body))),
        u"workflow_started,node_started,node_finished,node_started,message,node_finished,node_started,node_finished,"
        "workflow_finished,message_end"_qs);
}

void TestDifySimServer::blockingMode()
{
    SimThread sim;
    RawHttpClient http = simClient(sim.port());
    const RawHttpResponse response
        = http.postJson("/v1/chat-messages", chatBody("How do I change my password?", "u1", "s1", "", "blocking"));
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("content-type"), QByteArray("application/json"));
    const json body = response.json();
    QCOMPARE_JSON(body["event"], "message");
    QCOMPARE_JSON(body["mode"], "chat");
    QCOMPARE(
        body["answer"].get<std::string>(), composeTourAnswer(demoCatalog(), "How do I change my password?", "").text);
    QVERIFY(body["metadata"]["usage"]["total_tokens"].get<int>() > 0);
    const auto conversation = sim.conversation(body["conversation_id"].get<std::string>());
    QVERIFY(conversation);
    QCOMPARE(conversation->messages.back().answer, body["answer"].get<std::string>());
    // Without response_mode, Dify answers blocking.
    json noMode = chatBody("hi", "u1");
    noMode.erase("response_mode");
    QCOMPARE(http.postJson("/v1/chat-messages", noMode).header("content-type"), QByteArray("application/json"));
}

void TestDifySimServer::authentication_data()
{
    QTest::addColumn<QByteArray>("authorization"); // empty: no header
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");
    QTest::newRow("configured-key") << QByteArray("Bearer ") + kSimKey << 200 << QString();
    QTest::newRow("no-header") << QByteArray() << 401
                               << u"Authorization header must be provided and start with 'Bearer'"_qs;
    QTest::newRow("basic-scheme") << QByteArray("Basic dXNlcjpwYXNz") << 401
                                  << u"Authorization header must be provided and start with 'Bearer'"_qs;
    QTest::newRow("empty-bearer") << QByteArray("Bearer ") << 401
                                  << u"Authorization header must be provided and start with 'Bearer'"_qs;
    QTest::newRow("wrong-key") << QByteArray("Bearer app-wrong") << 401 << u"Access token is invalid"_qs;
}

void TestDifySimServer::authentication()
{
    QFETCH(QByteArray, authorization);
    QFETCH(int, status);
    QFETCH(QString, message);
    SimThread sim;
    RawHttpClient http = simClient(sim.port());
    HeaderList headers { { "Content-Type", "application/json" } };
    if (!authorization.isEmpty())
        headers.append({ "Authorization", authorization });
    for (const QByteArray& target : { QByteArray("/v1/chat-messages"), QByteArray("/v1/parameters") }) {
        const RawHttpResponse response = target.endsWith("parameters")
            ? http.get(target, headers)
            : http.postJson(target, chatBody("hi", "u1", "", "", "blocking"), headers);
        QCOMPARE(response.status, status);
        if (status == 401) {
            QCOMPARE_JSON(response.json()["code"], "unauthorized");
            QCOMPARE_JSON(response.json()["status"], 401);
            QCOMPARE(QString::fromStdString(response.json()["message"].get<std::string>()), message);
        }
    }
    QCOMPARE(sim.conversationCount(), std::size_t(status == 200 ? 1 : 0));
}

void TestDifySimServer::validation_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    const auto row = [](const char* name, const json& body, int status, QString code) {
        QTest::newRow(name) << QByteArray::fromStdString(body.dump()) << status << code;
    };
    QTest::newRow("not-json") << QByteArray("{\"query\": ") << 400 << u"bad_request"_qs;
    row("array", json::array(), 400, u"bad_request"_qs);
    json body = chatBody("hi", "u1");
    body.erase("inputs");
    row("no-inputs", body, 400, u"invalid_param"_qs);
    row("inputs-not-object", json { { "inputs", "x" }, { "query", "hi" }, { "user", "u" } }, 400, u"invalid_param"_qs);
    row("no-query", json { { "inputs", json::object() }, { "user", "u" } }, 400, u"invalid_param"_qs);
    row("empty-query", chatBody("", "u1"), 400, u"invalid_param"_qs);
    row("no-user", json { { "inputs", json::object() }, { "query", "hi" } }, 400, u"invalid_param"_qs);
    row("bad-mode", chatBody("hi", "u1", "", "", "fast"), 400, u"invalid_param"_qs);
    row("conversation-not-uuid", chatBody("hi", "u1", "", "abc"), 400, u"invalid_param"_qs);
    row("unknown-conversation", chatBody("hi", "u1", "", "8e5f2b7a-0c1d-4e2f-9a3b-4c5d6e7f8a9b"), 404, u"not_found"_qs);
    // Issue 14: the nil UUID is well-formed; Dify answers it 404, not 400.
    row("nil-conversation", chatBody("hi", "u1", "", "00000000-0000-0000-0000-000000000000"), 404, u"not_found"_qs);
    row("conversation-31-digits", chatBody("hi", "u1", "", "8e5f2b7a-0c1d-4e2f-9a3b-4c5d6e7f8a9"), 400,
        u"invalid_param"_qs);
    row("null-conversation-is-new",
        json { { "inputs", json::object() }, { "query", "hi" }, { "user", "u" }, { "conversation_id", nullptr },
            { "response_mode", "blocking" } },
        200, QString());
}

void TestDifySimServer::validation()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, code);
    SimThread sim;
    RawHttpClient http = simClient(sim.port());
    const RawHttpResponse response = http.request("POST", "/v1/chat-messages", body);
    QCOMPARE(response.status, status);
    if (!code.isEmpty()) {
        QCOMPARE(QString::fromStdString(response.json()["code"].get<std::string>()), code);
        QCOMPARE_JSON(response.json()["status"], status);
        QVERIFY(!response.json()["message"].get<std::string>().empty());
    }
    if (status == 404)
        QCOMPARE_JSON(response.json()["message"], "Conversation Not Exists.");
}

void TestDifySimServer::inputsOnlyOnTheFirstMessage()
{
    SimThread sim;
    sim.setPage("s1", "/settings/account");
    sim.setPage("s2", "/projects");
    RawHttpClient http = simClient(sim.port());
    const std::string prefill = "I could use some help with what I'm currently doing.";
    const auto first = dataFrames(http.postJson("/v1/chat-messages", chatBody(prefill, "u1", "s1")).body);
    const std::string conversationId = first.back()["conversation_id"].get<std::string>();
    QVERIFY(answerOf(first).ends_with("[TOUR:account-settings]"));

    // The follow-up names another session: Dify ignores inputs now.
    const auto second
        = dataFrames(http.postJson("/v1/chat-messages", chatBody(prefill, "u1", "s2", conversationId)).body);
    QCOMPARE(second.back()["conversation_id"].get<std::string>(), conversationId);
    QVERIFY(answerOf(second).ends_with("[TOUR:account-settings]"));

    const auto conversation = sim.conversation(conversationId);
    QVERIFY(conversation);
    QCOMPARE(conversation->inputs.size(), std::size_t(1));
    QCOMPARE(conversation->inputs[0].first, std::string("session_id"));
    QCOMPARE(conversation->inputs[0].second, std::string("s1"));
    QCOMPARE(conversation->messages.size(), std::size_t(2));

    // Another user may not continue it.
    const RawHttpResponse foreign = http.postJson("/v1/chat-messages", chatBody("hi", "u2", "", conversationId));
    QCOMPARE(foreign.status, 404);
    QCOMPARE_JSON(foreign.json()["message"], "Conversation Not Exists.");
}

void TestDifySimServer::conversationsAndMessages()
{
    SimThread sim;
    RawHttpClient http = simClient(sim.port());
    const auto start = [&](const std::string& user, const std::string& query, const std::string& conversation) {
        const json body
            = http.postJson("/v1/chat-messages", chatBody(query, user, "", conversation, "blocking")).json();
        return body["conversation_id"].get<std::string>();
    };
    const std::string a = start("u1", "How do I create a project?", "");
    start("u1", "How do I change my password?", a);
    start("u1", "And my email?", a);
    const std::string b = start("u1", "Where is my project?", "");
    start("u2", "Hello", "");

    json list = http.get("/v1/conversations?user=u1").json();
    QCOMPARE(list["data"].size(), std::size_t(2));
    QCOMPARE_JSON(list["data"][0]["id"], b); // most recently updated first
    QCOMPARE_JSON(list["data"][1]["id"], a);
    QCOMPARE_JSON(list["has_more"], false);
    QCOMPARE_JSON(list["data"][0]["status"], "normal");

    list = http.get("/v1/conversations?user=u1&limit=1").json();
    QCOMPARE(list["data"].size(), std::size_t(1));
    QCOMPARE_JSON(list["has_more"], true);
    list = http.get(QByteArray("/v1/conversations?user=u1&limit=1&last_id=") + QByteArray::fromStdString(b)).json();
    QCOMPARE_JSON(list["data"][0]["id"], a);
    QCOMPARE_JSON(list["has_more"], false);
    QCOMPARE(http.get("/v1/conversations").status, 400);

    const QByteArray messagesOfA = "/v1/messages?user=u1&conversation_id=" + QByteArray::fromStdString(a);
    json messages = http.get(messagesOfA).json();
    QCOMPARE(messages["data"].size(), std::size_t(3));
    QCOMPARE_JSON(messages["data"][0]["query"], "How do I create a project?"); // oldest first
    QCOMPARE_JSON(messages["data"][2]["query"], "And my email?");
    QVERIFY(messages["data"][0]["answer"].get<std::string>().ends_with("[TOUR:create-project]"));
    QCOMPARE_JSON(messages["has_more"], false);

    messages = http.get(messagesOfA + "&limit=2").json();
    QCOMPARE(messages["data"].size(), std::size_t(2));
    QCOMPARE_JSON(messages["data"][0]["query"], "How do I change my password?");
    QCOMPARE_JSON(messages["has_more"], true);
    const std::string oldestShown = messages["data"][0]["id"].get<std::string>();
    messages = http.get(messagesOfA + "&limit=2&first_id=" + QByteArray::fromStdString(oldestShown)).json();
    QCOMPARE(messages["data"].size(), std::size_t(1));
    QCOMPARE_JSON(messages["data"][0]["query"], "How do I create a project?");
    QCOMPARE_JSON(messages["has_more"], false);

    QCOMPARE(http.get("/v1/messages?user=u2&conversation_id=" + QByteArray::fromStdString(a)).status, 404);
    // As Dify (uuid_value): no UUID is 400, the nil UUID an unknown conversation, an
    // upper-case id the same conversation.
    QCOMPARE(http.get("/v1/messages?user=u1&conversation_id=nope").status, 400);
    QCOMPARE(http.get("/v1/messages?user=u1&conversation_id=00000000-0000-0000-0000-000000000000").status, 404);
    const std::string upperA = QString::fromStdString(a).toUpper().toStdString();
    QCOMPARE(
        http.get("/v1/messages?user=u1&conversation_id=" + QByteArray::fromStdString(upperA)).json()["data"].size(),
        std::size_t(3));
    QCOMPARE(start("u1", "One more?", upperA), a);
}

void TestDifySimServer::parameters()
{
    SimThread sim;
    RawHttpClient http = simClient(sim.port());
    const RawHttpResponse response = http.get("/v1/parameters");
    QCOMPARE(response.status, 200);
    const json body = response.json();
    QCOMPARE_JSON(body["user_input_form"][0]["text-input"]["variable"], "session_id");
    QCOMPARE(body["suggested_questions"].size(), demoCatalog().tours().size());
    QVERIFY(body.contains("opening_statement"));
}

void TestDifySimServer::routing_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");
    QTest::newRow("unknown-path") << QByteArray("GET") << QByteArray("/v1/nothing") << 404;
    QTest::newRow("no-version") << QByteArray("POST") << QByteArray("/chat-messages") << 404;
    QTest::newRow("get-chat-messages") << QByteArray("GET") << QByteArray("/v1/chat-messages") << 405;
    QTest::newRow("post-parameters") << QByteArray("POST") << QByteArray("/v1/parameters") << 405;
    QTest::newRow("preflight") << QByteArray("OPTIONS") << QByteArray("/v1/chat-messages") << 204;
    QTest::newRow("trailing-slash") << QByteArray("GET") << QByteArray("/v1/parameters/") << 200;
}

void TestDifySimServer::routing()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(int, status);
    SimThread sim;
    RawHttpClient http = simClient(sim.port());
    const RawHttpResponse response = http.request(method, target, method == "POST" ? QByteArray("{}") : QByteArray());
    QCOMPARE(response.status, status);
    QCOMPARE(response.header("access-control-allow-origin"), QByteArray("*"));
    if (status == 204)
        QVERIFY(response.header("access-control-allow-headers").contains("Authorization"));
}

void TestDifySimServer::httpFaults_data()
{
    QTest::addColumn<difysim::DifySimFault>("fault");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::newRow("http-429") << difysim::DifySimFault::Http429 << 429 << u"too_many_requests"_qs;
    QTest::newRow("http-500") << difysim::DifySimFault::Http500 << 500 << u"internal_server_error"_qs;
}

void TestDifySimServer::httpFaults()
{
    QFETCH(difysim::DifySimFault, fault);
    QFETCH(int, status);
    QFETCH(QString, code);
    SimThread sim(withFault(fault));
    RawHttpClient http = simClient(sim.port());
    const RawHttpResponse response = http.postJson("/v1/chat-messages", chatBody("hi", "u1", "s1"));
    QCOMPARE(response.status, status);
    QCOMPARE(QString::fromStdString(response.json()["code"].get<std::string>()), code);
    QCOMPARE_JSON(response.json()["status"], status);
    QCOMPARE(sim.conversationCount(), std::size_t(0));
    // The read endpoints still work.
    QCOMPARE(http.get("/v1/parameters").status, 200);
}

// Dify's newer events (issue 14) as the fault modes write them: event names
// in order, consecutive repeats folded to "name+".
void TestDifySimServer::newerEventFaults_data()
{
    QTest::addColumn<difysim::DifySimFault>("fault");
    QTest::addColumn<QString>("events");
    QTest::newRow("agent") << difysim::DifySimFault::AgentApp
                           << u"agent_thought+,agent_message+,message_file,message_end"_qs;
    QTest::newRow("moderation") << difysim::DifySimFault::Moderation << u"message+,message_replace,message_end"_qs;
    QTest::newRow("workflow-failed")
        << difysim::DifySimFault::WorkflowFailed
        << u"workflow_started,node_started,node_finished,node_started,message+,node_finished,workflow_finished,error"_qs;
    QTest::newRow("workflow-partial") << difysim::DifySimFault::WorkflowPartial
                                      << u"workflow_started,node_started,node_finished,node_started,message+,"
                                         "node_finished,node_started,node_finished,workflow_finished,message_end"_qs;
    QTest::newRow("unknown-events") << difysim::DifySimFault::UnknownEvents
                                    << u"message+,offline_future_event,message+,message_end"_qs;
}

void TestDifySimServer::newerEventFaults()
{
    QFETCH(difysim::DifySimFault, fault);
    QFETCH(QString, events);
    SimThread sim(withFault(fault, 2));
    RawHttpClient http = simClient(sim.port());
    const RawHttpResponse response = http.postJson("/v1/chat-messages", chatBody("How do I create a project?", "u1"));
    QCOMPARE(response.status, 200);
    QVERIFY(response.complete);
    const auto frames = dataFrames(response.body);
    QStringList folded;
    for (const std::string& raw : eventNames(frames)) {
        const QString name = QString::fromStdString(raw);
        if (!folded.isEmpty() && (folded.back() == name || folded.back() == name + u'+'))
            folded.back() = name + u'+';
        else
            folded.append(name);
    }
    QCOMPARE(folded.join(u','), events);
    const std::string conversationId = frames.front()["conversation_id"].get<std::string>();
    const std::string stored = sim.conversation(conversationId)->messages[0].answer;
    if (fault == difysim::DifySimFault::AgentApp) {
        // The last agent_message repeats the whole answer, as Agent apps may.
        QCOMPARE(frames[frames.size() - 3]["answer"].get<std::string>(), stored);
        QCOMPARE_JSON(frames[1]["tool"], "tour_catalog");
        QVERIFY(!frames[1]["observation"].get<std::string>().empty());
        QCOMPARE_JSON(frames[frames.size() - 2]["type"], "image");
    } else if (fault == difysim::DifySimFault::Moderation) {
        QCOMPARE(stored, frames[frames.size() - 2]["answer"].get<std::string>());
    } else if (fault == difysim::DifySimFault::WorkflowFailed) {
        QCOMPARE_JSON(frames[frames.size() - 2]["data"]["status"], "failed");
        QVERIFY(frames[frames.size() - 2]["data"]["error"].get<std::string>().starts_with("Node LLM run failed"));
    } else if (fault == difysim::DifySimFault::WorkflowPartial) {
        QCOMPARE_JSON(frames[frames.size() - 2]["data"]["status"], "partial-succeeded");
    }
}

void TestDifySimServer::errorEventFault()
{
    SimThread sim(withFault(difysim::DifySimFault::ErrorEvent, 2));
    RawHttpClient http = simClient(sim.port());
    const RawHttpResponse response = http.postJson("/v1/chat-messages", chatBody("How do I create a project?", "u1"));
    QCOMPARE(response.status, 200);
    QVERIFY(response.complete); // the stream ends properly after the error frame
    const auto frames = dataFrames(response.body);
    QCOMPARE(joined(eventNames(frames)), u"message,message,error"_qs);
    QCOMPARE_JSON(frames.back()["status"], 400);
    QCOMPARE_JSON(frames.back()["code"], "completion_request_error");
    const auto conversation = sim.conversation(frames.front()["conversation_id"].get<std::string>());
    QCOMPARE(conversation->messages[0].answer, answerOf(frames));
}

void TestDifySimServer::dropFault()
{
    SimThread sim(withFault(difysim::DifySimFault::DropConnection, 3));
    RawHttpClient http = simClient(sim.port());
    const RawHttpResponse response = http.postJson("/v1/chat-messages", chatBody("How do I create a project?", "u1"));
    QCOMPARE(response.status, 200);
    QVERIFY(!response.complete); // no terminating chunk
    QVERIFY(response.closed);
    QCOMPARE(joined(eventNames(dataFrames(response.body))), u"message,message,message"_qs);
}

void TestDifySimServer::malformedFault()
{
    SimThread sim(withFault(difysim::DifySimFault::MalformedFrames, 1));
    RawHttpClient http = simClient(sim.port());
    const RawHttpResponse response = http.postJson("/v1/chat-messages", chatBody("How do I create a project?", "u1"));
    QVERIFY(response.complete);
    QVERIFY(response.body.contains("\n\n: a comment from the offline server\n\n"));
    const auto frames = dataFrames(response.body);
    const auto names = eventNames(frames);
    QCOMPARE(std::count(names.begin(), names.end(), "<malformed>"), 2);
    QCOMPARE(std::count(names.begin(), names.end(), "?"), 1); // JSON without an event name
    QCOMPARE(names[1], std::string("<malformed>"));
    QCOMPARE(names.back(), std::string("message_end"));
    QCOMPARE(answerOf(frames), composeTourAnswer(demoCatalog(), "How do I create a project?", "").text);
}

void TestDifySimServer::stopEndsWithMessageEnd()
{
    auto settings = SimThread::defaultSettings();
    settings.tokenDelay = 40ms;
    SimThread sim(settings);
    RawHttpClient stream = simClient(sim.port());
    QVERIFY(stream.sendRequest("POST", "/v1/chat-messages",
        QByteArray::fromStdString(chatBody("How do I change my password?", "u1").dump()), authorised()));
    RawHttpResponse head = stream.readHead();
    QCOMPARE(head.status, 200);
    bool ok = false;
    const QByteArray first = stream.readChunk(ok);
    QVERIFY(ok);
    const json frame = json::parse(first.mid(6).toStdString());
    const std::string taskId = frame["task_id"].get<std::string>();

    RawHttpClient control = simClient(sim.port());
    const RawHttpResponse stopped
        = control.postJson(QByteArray("/v1/chat-messages/") + taskId.c_str() + "/stop", json { { "user", "u1" } });
    QCOMPARE(stopped.status, 200);
    QCOMPARE_JSON(stopped.json()["result"], "success");

    stream.readBody(head, 2'000);
    QVERIFY(head.complete);
    const auto frames = dataFrames(head.body);
    QCOMPARE_JSON(frames.back()["event"], "message_end");
    const std::string partial = frame["answer"].get<std::string>() + answerOf(frames);
    const std::string full = composeTourAnswer(demoCatalog(), "How do I change my password?", "").text;
    QVERIFY(partial.size() < full.size() / 2);
    QCOMPARE(sim.conversation(frame["conversation_id"].get<std::string>())->messages[0].answer, partial);
    QCOMPARE(sim.activeStreams(), std::size_t(0));
    QVERIFY(sim.accessLog().contains(
        u"POST /v1/chat-messages/%1/stop 200 task=stopped"_qs.arg(QString::fromStdString(taskId))));
    QCOMPARE(control.postJson("/v1/chat-messages/x/stop", json::object()).status, 400); // user is required
}

void TestDifySimServer::stopByAnotherUserChangesNothing()
{
    auto settings = SimThread::defaultSettings();
    settings.tokenDelay = 5ms;
    settings.chunkChars = 20;
    SimThread sim(settings);
    RawHttpClient stream = simClient(sim.port());
    QVERIFY(stream.sendRequest("POST", "/v1/chat-messages",
        QByteArray::fromStdString(chatBody("How do I change my password?", "u1").dump()), authorised()));
    RawHttpResponse head = stream.readHead();
    bool ok = false;
    const json frame = json::parse(stream.readChunk(ok).mid(6).toStdString());
    RawHttpClient control = simClient(sim.port());
    const RawHttpResponse stopped
        = control.postJson(QByteArray("/v1/chat-messages/") + frame["task_id"].get<std::string>().c_str() + "/stop",
            json { { "user", "someone-else" } });
    QCOMPARE_JSON(stopped.json()["result"], "success"); // as Dify: no information leak
    stream.readBody(head);
    const std::string full = composeTourAnswer(demoCatalog(), "How do I change my password?", "").text;
    QCOMPARE(frame["answer"].get<std::string>() + answerOf(dataFrames(head.body)), full);
}

void TestDifySimServer::clientLeavingEndsTheStream()
{
    auto settings = SimThread::defaultSettings();
    settings.tokenDelay = 20ms;
    SimThread sim(settings);
    RawHttpClient stream = simClient(sim.port());
    QVERIFY(stream.sendRequest("POST", "/v1/chat-messages",
        QByteArray::fromStdString(chatBody("How do I change my password?", "u1").dump()), authorised()));
    QCOMPARE(stream.readHead().status, 200);
    bool ok = false;
    stream.readChunk(ok);
    QVERIFY(ok);
    QCOMPARE(sim.activeStreams(), std::size_t(1));
    stream.close();
    TRY_COMPARE_WITH_TIMEOUT(sim.activeStreams(), std::size_t(0), 5'000);
}

void TestDifySimServer::connectionIsReusedAfterAStream()
{
    SimThread sim;
    RawHttpClient http = simClient(sim.port());
    for (int i = 0; i < 3; ++i) {
        const RawHttpResponse response
            = http.postJson("/v1/chat-messages", chatBody("How do I create a project?", "u1"));
        QCOMPARE(response.status, 200);
        QVERIFY(response.complete);
        QVERIFY(http.isConnected());
    }
    QCOMPARE(http.get("/v1/parameters").status, 200);
}

void TestDifySimServer::accessLogNeverShowsTheKey()
{
    SimThread sim;
    RawHttpClient http = simClient(sim.port());
    http.postJson("/v1/chat-messages", chatBody("How do I create a project?", "u1", "s1"));
    http.postJson("/v1/chat-messages", chatBody("hi", "u1"), authorised("app-wrong-key"));
    const QStringList log = sim.accessLog();
    QCOMPARE(log.size(), 2);
    QVERIFY2(log[0].startsWith(u"POST /v1/chat-messages 200 streaming conversation="_qs), qPrintable(log[0]));
    QVERIFY(log[0].endsWith(u" tour=create-project reason=question"_qs));
    QCOMPARE(log[1], u"POST /v1/chat-messages 401"_qs);
    for (const QString& line : log) {
        QVERIFY(!line.contains(QString::fromLatin1(kSimKey)));
        QVERIFY(!line.contains(u"app-wrong-key"_qs));
    }
}

QTEST_GUILESS_MAIN(TestDifySimServer)
#include "tst_server.moc"
