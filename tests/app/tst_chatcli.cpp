// `proactive-studio dify-sim` and `proactive-studio prompt` as a user runs
// them: the real executable in a QProcess, real HTTP to the simulator.

#include "studioprocess.h"

#include <QRegularExpression>
#include <QTcpSocket>
#include <QTest>
#include <csignal>
#include <nlohmann/json.hpp>

using proactive::testing::runStudio;
using proactive::testing::StudioProcess;
using proactive::testing::StudioRun;

namespace {

const QString kStudio = QStringLiteral(PROACTIVE_STUDIO_EXECUTABLE);
const QString kDemo = QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace");
const QString kBrokenTours = QStringLiteral(PROACTIVE_TEST_DATA "/workspaces/broken");
constexpr const char* kKey = "app-cli-test-key";

StudioRun run(const QStringList& arguments)
{
    return runStudio(kStudio, arguments, 60'000);
}

// A running `dify-sim`.
StudioProcess startDifySim(const QStringList& extraArguments)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"DIFY_API_KEY"_qs, QString::fromLatin1(kKey));
    return StudioProcess(kStudio,
        QStringList { u"dify-sim"_qs, u"--workspace"_qs, kDemo, u"--listen"_qs, u"127.0.0.1:0"_qs } + extraArguments,
        environment);
}

// One request with Connection: close; the whole answer (head and body) as bytes.
QByteArray exchange(quint16 port, const QByteArray& method, const QByteArray& target, const QByteArray& body,
    const QByteArray& key = kKey)
{
    QTcpSocket socket;
    socket.connectToHost(u"127.0.0.1"_qs, port);
    if (!socket.waitForConnected(5'000))
        return {};
    socket.write(method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer "
        + key + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n"
        + body);
    QByteArray answer;
    // A streamed answer ends with the terminating chunk; others once Content-Length is read.
    while (socket.waitForReadyRead(10'000)) {
        answer += socket.readAll();
        const qsizetype headEnd = answer.indexOf("\r\n\r\n");
        if (headEnd < 0)
            continue;
        if (answer.endsWith("\r\n0\r\n\r\n"))
            break;
        const QRegularExpression length(uR"(Content-Length: (\d+))"_qs);
        const auto match = length.match(QString::fromLatin1(answer.left(headEnd)));
        if (match.hasMatch() && answer.size() - headEnd - 4 >= match.captured(1).toLongLong())
            break;
    }
    return answer;
}

std::string answerIn(const QByteArray& stream)
{
    std::string answer;
    for (const QByteArray& line : stream.split('\n')) {
        if (!line.startsWith("data: "))
            continue;
        const auto frame = nlohmann::json::parse(line.mid(6).toStdString(), nullptr, false);
        if (frame.is_object() && frame.value("event", "") == "message")
            answer += frame.value("answer", "");
    }
    return answer;
}

QByteArray chatBody(const std::string& query)
{
    const nlohmann::json body { { "inputs", { { "session_id", "cli-session" } } }, { "query", query },
        { "response_mode", "streaming" }, { "conversation_id", "" }, { "user", "cli-user" } };
    return QByteArray::fromStdString(body.dump());
}

} // namespace

class TestChatCli final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void promptPrintsTheTourSection();
    void promptRefusesBrokenTours();
    void promptBadArguments_data();
    void promptBadArguments();
    void difySimAnswersFromTheWorkspace();
    void difySimFault();
    void difySimRefusesToStart_data();
    void difySimRefusesToStart();
};

void TestChatCli::promptPrintsTheTourSection()
{
    const StudioRun result = run({ u"prompt"_qs, kDemo });
    QCOMPARE(result.exitCode, 0);
    QVERIFY(result.out.startsWith(u"## Tour catalog\n\n- create-project  (route: /projects)\n"_qs));
    QVERIFY(result.out.contains(u"- invite-teammate  (route: /projects/:slug)\n"_qs));
    QVERIFY(result.out.contains(u"## Tour selection rules\n"_qs));
    QVERIFY(result.out.contains(u"3. For routes with URL parameters (/projects/:slug): only emit if the user\n"_qs));
    QVERIFY(result.out.contains(u"4. Emit exactly ONE [TOUR:<id>] tag per response"_qs));
    QCOMPARE(result.err, QString());
}

void TestChatCli::promptRefusesBrokenTours()
{
    const StudioRun result = run({ u"prompt"_qs, kBrokenTours });
    QCOMPARE(result.exitCode, 1);
    QCOMPARE(result.out, QString());
    QVERIFY2(result.err.contains(u"tours/"_qs), qPrintable(result.err));
    QVERIFY(result.err.contains(u"in the tours of"_qs));
}

void TestChatCli::promptBadArguments_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::newRow("no-workspace") << QStringList { u"prompt"_qs } << 2;
    QTest::newRow("two-workspaces") << QStringList { u"prompt"_qs, kDemo, kDemo } << 2;
    QTest::newRow("missing-folder") << QStringList { u"prompt"_qs, u"/nonexistent/workspace"_qs } << 1;
}

void TestChatCli::promptBadArguments()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    const StudioRun result = run(arguments);
    QCOMPARE(result.exitCode, exitCode);
    QCOMPARE(result.out, QString());
}

void TestChatCli::difySimAnswersFromTheWorkspace()
{
    StudioProcess sim = startDifySim({ u"--token-delay-ms"_qs, u"0"_qs, u"--page"_qs, u"/projects/:slug/settings"_qs });
    QVERIFY(sim.port() != 0);
    const QByteArray stream = exchange(
        sim.port(), "POST", "/v1/chat-messages", chatBody("I could use some help with what I'm currently doing."));
    QVERIFY2(stream.startsWith("HTTP/1.1 200 OK\r\n"), stream.left(200).constData());
    QVERIFY(stream.contains("Content-Type: text/event-stream; charset=utf-8\r\n"));
    const std::string answer = answerIn(stream);
    QVERIFY2(answer.ends_with("\n[TOUR:project-settings]"), answer.c_str());
    QVERIFY(stream.contains("data: {\"event\": \"message_end\", "));

    const QByteArray refused = exchange(sim.port(), "GET", "/v1/parameters", {}, "app-wrong");
    QVERIFY(refused.startsWith("HTTP/1.1 401 Unauthorized\r\n"));

    sim.signal(SIGTERM);
    QCOMPARE(sim.waitForExit(), 0);
    const QString err = sim.err();
    QVERIFY2(err.contains(u"POST /v1/chat-messages 200 streaming conversation="_qs), qPrintable(err));
    QVERIFY(err.contains(u"tour=project-settings reason=current_page"_qs));
    QVERIFY(err.contains(u"GET /v1/parameters 401"_qs));
    QVERIFY(err.contains(u"stopped"_qs));
    QVERIFY(!err.contains(QString::fromLatin1(kKey)));
    QVERIFY(!err.contains(u"app-wrong"_qs));
}

void TestChatCli::difySimFault()
{
    StudioProcess sim = startDifySim({ u"--token-delay-ms"_qs, u"0"_qs, u"--fault"_qs, u"http-429"_qs, u"--quiet"_qs });
    const QByteArray answer = exchange(sim.port(), "POST", "/v1/chat-messages", chatBody("How do I create a project?"));
    QVERIFY2(answer.startsWith("HTTP/1.1 429 Too Many Requests\r\n"), answer.left(200).constData());
    QVERIFY(answer.contains("{\"code\": \"too_many_requests\", "));
    sim.signal(SIGTERM);
    QCOMPARE(sim.waitForExit(), 0);
    QVERIFY(!sim.err().contains(u"POST /v1/chat-messages"_qs)); // --quiet
}

void TestChatCli::difySimRefusesToStart_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    QTest::newRow("no-workspace") << QStringList { u"dify-sim"_qs } << 2 << u"needs --workspace"_qs;
    QTest::newRow("unknown-fault") << QStringList { u"dify-sim"_qs, u"--workspace"_qs, kDemo, u"--fault"_qs,
        u"meltdown"_qs } << 2 << u"--fault: expected none, error-event"_qs;
    QTest::newRow("zero-chunk") << QStringList { u"dify-sim"_qs, u"--workspace"_qs, kDemo, u"--chunk-chars"_qs,
        u"0"_qs } << 2 << u"--chunk-chars: expected an integer"_qs;
    QTest::newRow("negative-delay") << QStringList { u"dify-sim"_qs, u"--workspace"_qs, kDemo, u"--token-delay-ms"_qs,
        u"-5"_qs } << 2 << u"--token-delay-ms: expected an integer"_qs;
    QTest::newRow("bad-listen") << QStringList { u"dify-sim"_qs, u"--workspace"_qs, kDemo, u"--listen"_qs,
        u"nowhere"_qs } << 2 << u"--listen: expected HOST:PORT"_qs;
    QTest::newRow("missing-folder") << QStringList { u"dify-sim"_qs, u"--workspace"_qs, u"/nonexistent/ws"_qs } << 1
                                    << u"no such workspace folder"_qs;
}

void TestChatCli::difySimRefusesToStart()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const StudioRun result = run(arguments);
    QCOMPARE(result.exitCode, exitCode);
    QVERIFY2(result.err.contains(message), qPrintable(result.err));
    QCOMPARE(result.out, QString());
}

QTEST_GUILESS_MAIN(TestChatCli)
#include "tst_chatcli.moc"
