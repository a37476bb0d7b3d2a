// `proactive-studio serve` as a user runs it: the real executable in a
// QProcess, real signals, the SQLite file reopened after it exits.

#include "servicetestsupport.h"
#include "store/sqlitestore.h"
#include "studioprocess.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>

using namespace proactive;
using namespace proactive::test;
using proactive::testing::runStudio;
using proactive::testing::StudioProcess;
using proactive::testing::StudioRun;

namespace {

const QString kStudio = QStringLiteral(PROACTIVE_STUDIO_EXECUTABLE);
const QString kWorkspace = QStringLiteral(PROACTIVE_TEST_DATA "/service/workspace");

// A running `serve`.
StudioProcess startServe(const QStringList& extraArguments, const QProcessEnvironment& environment = serveEnvironment())
{
    return StudioProcess(kStudio,
        QStringList { u"serve"_qs, u"--workspace"_qs, kWorkspace, u"--listen"_qs, u"127.0.0.1:0"_qs } + extraArguments,
        environment);
}

StudioRun run(const QStringList& arguments)
{
    return runStudio(kStudio, arguments, 30'000, serveEnvironment());
}

} // namespace

class TestServe final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void servesUntilTerminated();
    void signalFinishesTheRequestInFlight_data();
    void signalFinishesTheRequestInFlight();
    void secondSignalCutsConnections();
    void memoryModeWritesNoFile();
    void retrievalKeyFromTheEnvironment();
    void refusesToStart_data();
    void refusesToStart();
    void secondServeOnTheSameFileIsRefused();
};

void TestServe::servesUntilTerminated()
{
    QTemporaryDir dir;
    StudioProcess serve = startServe({ u"--db"_qs, dir.filePath(u"c.db"_qs) });
    QVERIFY(serve.port() != 0);
    HttpClient http(serve.port());
    QCOMPARE(http.get("/healthz").status, 200);
    QCOMPARE(http.post("/webhook/shop", readTestFile(u"intake/webhook-flat.json"_qs),
                     { { "x-posthog-secret", kWebhookSecret } })
                 .status,
        200);
    serve.signal(SIGTERM);
    QCOMPARE(serve.waitForExit(), 0);
    const QString err = serve.err();
    QVERIFY2(err.contains(u"GET /healthz 200 "_qs), qPrintable(err));
    QVERIFY2(err.contains(u"POST /webhook/{product_id} 200 "_qs), qPrintable(err));
    QVERIFY(err.contains(u"stopped"_qs));
    QVERIFY(!err.contains(QString::fromLatin1(kWebhookSecret)));
    QVERIFY(!err.contains(QString::fromLatin1(kRetrievalKey)));
}

void TestServe::signalFinishesTheRequestInFlight_data()
{
    QTest::addColumn<int>("signalNumber");
    QTest::newRow("SIGTERM") << int(SIGTERM);
    QTest::newRow("SIGINT") << int(SIGINT);
}

void TestServe::signalFinishesTheRequestInFlight()
{
    QFETCH(int, signalNumber);
    QTemporaryDir dir;
    const QString db = dir.filePath(u"c.db"_qs);
    StudioProcess serve = startServe({ u"--db"_qs, db });
    QVERIFY(serve.port() != 0);
    HttpClient busy(serve.port());
    const QByteArray body = pingPongBatch("s1", fromEpochMs(1'725'358'500'000));
    QVERIFY(busy.send("POST /batch/ HTTP/1.1\r\nHost: x\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\n\r\n" + body.left(body.size() / 2)));
    serve.signal(signalNumber);
    // The service now only waits for this request: no exit before it is answered.
    QCOMPARE(serve.waitForExit(300), -1);
    QVERIFY(busy.send(body.mid(body.size() / 2)));
    const auto response = busy.readResponse();
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json()["accepted"].get<int>(), 3);
    QVERIFY(response.closed);
    QCOMPARE(serve.waitForExit(), 0);

    // What was acknowledged is on disk, and the file opens cleanly.
    auto store = SqliteStore::open(db.toStdString());
    QVERIFY2(store, store ? "" : store.error().toString().c_str());
    const auto session = (*store)->session({ "shop", "s1" });
    QVERIFY(session);
    QCOMPARE(session->actionCount, std::int64_t(3));
}

void TestServe::secondSignalCutsConnections()
{
    StudioProcess serve = startServe({ u"--memory"_qs });
    QVERIFY(serve.port() != 0);
    HttpClient stalled(serve.port());
    QVERIFY(stalled.send("POST /batch/ HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"));
    serve.signal(SIGTERM);
    QCOMPARE(serve.waitForExit(300), -1);
    serve.signal(SIGTERM);
    QCOMPARE(serve.waitForExit(), 0);
    QVERIFY(stalled.waitForClose());
    QVERIFY(serve.err().contains(u"stopped (connections cut)"_qs));
}

void TestServe::memoryModeWritesNoFile()
{
    QTemporaryDir dir;
    const QString workspace = dir.filePath(u"ws"_qs);
    QVERIFY(QDir().mkpath(workspace));
    QVERIFY(QFile::copy(kWorkspace + u"/products.json"_qs, workspace + u"/products.json"_qs));
    QProcess process;
    process.setProcessEnvironment(serveEnvironment());
    process.start(kStudio,
        { u"serve"_qs, u"--workspace"_qs, workspace, u"--listen"_qs, u"127.0.0.1:0"_qs, u"--memory"_qs,
            u"--quiet"_qs });
    QVERIFY(process.waitForReadyRead(30'000));
    const QByteArray line = process.readAllStandardOutput();
    QVERIFY2(line.startsWith("listening on http://127.0.0.1:"), line.constData());
    HttpClient http(quint16(line.trimmed().split(':').last().toUInt()));
    QCOMPARE(http.post("/batch/", pingPongBatch("s1", fromEpochMs(1'725'358'500'000))).status, 200);
    process.terminate();
    QVERIFY(process.waitForFinished(30'000));
    QCOMPARE(process.exitCode(), 0);
    QCOMPARE(QDir(workspace).entryList(QDir::Files), QStringList { u"products.json"_qs });
    // --quiet: no access log.
    QVERIFY(!process.readAllStandardError().contains("POST /batch/"));
}

void TestServe::retrievalKeyFromTheEnvironment()
{
    QProcessEnvironment environment = serveEnvironment();
    environment.remove(u"PROACTIVE_RETRIEVAL_KEY"_qs);
    environment.insert(u"MY_DIFY_KEY"_qs, u"other-key"_qs);
    const QByteArray body = R"({"knowledge_id":"s1","query":"q","retrieval_setting":{"top_k":1,"score_threshold":0}})";
    {
        StudioProcess serve = startServe({ u"--memory"_qs }, environment);
        QVERIFY(serve.port() != 0);
        HttpClient http(serve.port());
        QCOMPARE(
            http.post("/retrieval", body, { { "Authorization", "Bearer other-key" } }).json()["error_code"].get<int>(),
            1002);
        serve.signal(SIGTERM);
        QCOMPARE(serve.waitForExit(), 0);
        QVERIFY(serve.err().contains(u"PROACTIVE_RETRIEVAL_KEY is not set"_qs));
    }
    StudioProcess serve = startServe({ u"--memory"_qs, u"--retrieval-key-env"_qs, u"MY_DIFY_KEY"_qs }, environment);
    QVERIFY(serve.port() != 0);
    HttpClient http(serve.port());
    const auto known = http.post("/retrieval", body, { { "Authorization", "Bearer other-key" } });
    QCOMPARE(known.status, 404); // authorised; the session is unknown
    QCOMPARE(known.json()["error_code"].get<int>(), 2001);
    QVERIFY(!serve.err().contains(u"other-key"_qs));
}

void TestServe::refusesToStart_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");

    QTest::newRow("no-workspace") << QStringList { u"serve"_qs } << 2 << u"serve needs --workspace"_qs;
    QTest::newRow("bad-listen") << QStringList { u"serve"_qs, u"--workspace"_qs, kWorkspace, u"--listen"_qs,
        u"8787"_qs } << 2 << u"--listen: expected HOST:PORT"_qs;
    QTest::newRow("bad-port") << QStringList { u"serve"_qs, u"--workspace"_qs, kWorkspace, u"--listen"_qs,
        u"127.0.0.1:99999"_qs }
                              << 2 << u"--listen: expected HOST:PORT"_qs;
    QTest::newRow("bad-max-connections") << QStringList { u"serve"_qs, u"--workspace"_qs, kWorkspace,
        u"--max-connections"_qs, u"none"_qs }
                                         << 2 << u"--max-connections: expected a positive number"_qs;
    QTest::newRow("db-and-memory") << QStringList { u"serve"_qs, u"--workspace"_qs, kWorkspace, u"--db"_qs,
        u"/tmp/x.db"_qs, u"--memory"_qs }
                                   << 2 << u"exclude each other"_qs;
    QTest::newRow("no-products") << QStringList { u"serve"_qs, u"--workspace"_qs, u"/nonexistent/ws"_qs,
        u"--memory"_qs } << 1 << u"no usable product"_qs;
    QTest::newRow("unopenable-db") << QStringList { u"serve"_qs, u"--workspace"_qs, kWorkspace, u"--db"_qs,
        u"/nonexistent/dir/c.db"_qs }
                                   << 1 << u"store.cannot_open"_qs;
}

void TestServe::refusesToStart()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const StudioRun result = run(arguments);
    QCOMPARE(result.exitCode, exitCode);
    QVERIFY2(result.err.contains(message), qPrintable(result.err));
    QVERIFY(result.out.isEmpty());
}

void TestServe::secondServeOnTheSameFileIsRefused()
{
    QTemporaryDir dir;
    const QString db = dir.filePath(u"c.db"_qs);
    StudioProcess first = startServe({ u"--db"_qs, db });
    QVERIFY(first.port() != 0);
    const StudioRun second
        = run({ u"serve"_qs, u"--workspace"_qs, kWorkspace, u"--listen"_qs, u"127.0.0.1:0"_qs, u"--db"_qs, db });
    QCOMPARE(second.exitCode, 1);
    QVERIFY2(second.err.contains(u"store.locked"_qs), qPrintable(second.err));
    // And a port in use is an error too.
    const StudioRun samePort = run({ u"serve"_qs, u"--workspace"_qs, kWorkspace, u"--listen"_qs,
        u"127.0.0.1:"_qs + QString::number(first.port()), u"--memory"_qs });
    QCOMPARE(samePort.exitCode, 1);
    QVERIFY2(samePort.err.contains(u"cannot listen on"_qs), qPrintable(samePort.err));
    first.signal(SIGTERM);
    QCOMPARE(first.waitForExit(), 0);
}

QTEST_GUILESS_MAIN(TestServe)
#include "tst_serve.moc"
