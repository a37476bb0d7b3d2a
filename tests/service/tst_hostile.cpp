// `serve` under hostile traffic (issue 13), as the real executable: small
// bodies that expand to millions of items, idle connections beyond the
// descriptor limit, a signal with clients attached, kill -9 in the middle of
// acknowledged writes. Work and memory are asserted, not time.

#include "servicetestsupport.h"
#include "store/sqlitestore.h"
#include "studioprocess.h"

#include <QDateTime>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>
#include <list>
#include <zlib.h>

using namespace proactive;
using namespace proactive::test;
using proactive::testing::StudioProcess;

namespace {

const QString kStudio = QStringLiteral(PROACTIVE_STUDIO_EXECUTABLE);
const QString kWorkspace = QStringLiteral(PROACTIVE_TEST_DATA "/service/workspace");

QStringList serveArguments(const QStringList& extra)
{
    return QStringList { u"serve"_qs, u"--workspace"_qs, kWorkspace, u"--listen"_qs, u"127.0.0.1:0"_qs, u"--quiet"_qs }
    + extra;
}

// A field of /proc/<pid>/status in KiB ("VmHWM", "VmRSS").
qint64 statusKiB(qint64 pid, const QByteArray& field)
{
    QFile status(u"/proc/%1/status"_qs.arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith(field + ':'))
            return line.mid(field.size() + 1).trimmed().split(' ').first().toLongLong();
    return -1;
}

// User + system CPU time of a process, in clock ticks.
qint64 cpuTicks(qint64 pid)
{
    QFile stat(u"/proc/%1/stat"_qs.arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray text = stat.readAll();
    // Fields after the command name, which is in parentheses and may hold spaces.
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    return fields.value(11).toLongLong() + fields.value(12).toLongLong(); // utime, stime
}

QByteArray gzipped(const QByteArray& data)
{
    z_stream zs {};
    deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
    QByteArray out(qsizetype(deflateBound(&zs, uLong(data.size())) + 32), '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.constData()));
    zs.avail_in = uInt(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = uInt(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(qsizetype(zs.total_out));
    deflateEnd(&zs);
    return out;
}

QByteArray zeros(qsizetype count)
{
    QByteArray out;
    out.reserve(count * 2 + 1);
    out += '[';
    for (qsizetype i = 0; i < count; ++i)
        out += i ? ",0" : "0";
    return out + ']';
}

} // namespace

class TestHostile final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void amplificationIsRefusedCheaply_data();
    void amplificationIsRefusedCheaply();
    void idleConnectionsBeyondTheDescriptorLimit();
    void terminateWithIdleClientsAttached();
    void killNineLosesNothingAcknowledged();
};

void TestHostile::amplificationIsRefusedCheaply_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("error");
    QTest::addColumn<int>("errorsListed");
    QTest::addColumn<int>("errorCount");

    // The issue's findings: 4 KB of gzip that unpacks to two million
    // unreadable items, 16 KB that unpacked to more than the decoded cap,
    // and a plain 1 MiB body of zeros.
    QTest::newRow("gzip-two-million-zeros")
        << gzipped(zeros(2'000'000)) << 413 << QByteArray("too_many_values") << 0 << 0;
    QTest::newRow("gzip-eight-million-zeros")
        << gzipped(zeros(8'000'000)) << 413 << QByteArray("body_too_large") << 0 << 0;
    QTest::newRow("plain-mebibyte-of-zeros") << zeros(512 * 1024 - 1) << 413 << QByteArray("too_many_values") << 0 << 0;
    QTest::newRow("a-thousand-and-one-items") << zeros(1001) << 413 << QByteArray("too_many_events") << 0 << 0;
    // Few events, each a mountain of values.
    const QByteArray mountain = R"({"event":"x","properties":{"$session_id":"s","token":")" + QByteArray(kShopToken)
        + R"(","pile":)" + zeros(600'000) + "}}";
    QTest::newRow("values-in-one-event") << gzipped(mountain) << 413 << QByteArray("too_many_values") << 0 << 0;
    // Under the caps: every item is unreadable, the answer lists a few.
    QTest::newRow("unreadable-under-the-cap") << zeros(999) << 400 << QByteArray("bad_events") << 10 << 999;
    // An unknown token is refused before the events after it are read.
    QTest::newRow("unknown-token") << batchBody({ pageview("s1", "/a", kT0, "u1", "phc_nobody") }, "phc_nobody") << 401
                                   << QByteArray("unknown_token") << 0 << 0;
}

void TestHostile::amplificationIsRefusedCheaply()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QByteArray, error);
    QFETCH(int, errorsListed);
    QFETCH(int, errorCount);

    StudioProcess serve(kStudio, serveArguments({ u"--memory"_qs }), serveEnvironment());
    QVERIFY(serve.port() != 0);
    HttpClient http(serve.port());
    QCOMPARE(http.post("/batch/", batchBody({ pageview("kept", "/a", kT0, "k1") })).status, 200);
    const qint64 peakBefore = statusKiB(serve.pid(), "VmHWM");
    QVERIFY(peakBefore > 0);

    const auto response = http.post("/batch/", body);
    QCOMPARE(response.status, status);
    QCOMPARE(QByteArray::fromStdString(response.json()["error"].get<std::string>()), error);
    // The answer is small whatever came in.
    QVERIFY2(response.body.size() < 4096, QByteArray::number(response.body.size()).constData());
    if (errorCount > 0) {
        QCOMPARE(int(response.json()["errors"].size()), errorsListed);
        QCOMPARE(response.json()["error_count"].get<int>(), errorCount);
    }
    // The work was bounded: the peak grew by tens of MiB at most (it grew by
    // 2 GB before the bounds), and the service answers the next client.
    // (AddressSanitizer keeps freed memory in quarantine: no peak to read there.)
#if !defined(__SANITIZE_ADDRESS__)
    const qint64 grownKiB = statusKiB(serve.pid(), "VmHWM") - peakBefore;
    QVERIFY2(grownKiB < 64 * 1024, QByteArray::number(grownKiB).constData());
#endif
    HttpClient other(serve.port());
    QCOMPARE(other.get("/healthz").status, 200);
    // Nothing stored was lost, nothing of the refused body was kept.
    const std::string metrics = other.get("/metrics").body.toStdString();
    QVERIFY2(metrics.find("proactive_events_total{product=\"shop\",outcome=\"accepted\"} 1\n") != std::string::npos,
        metrics.c_str());
}

void TestHostile::idleConnectionsBeyondTheDescriptorLimit()
{
    // 200 idle connections against a 128-descriptor limit: the service keeps
    // answering (the longest-idle connections make room) and does not spin.
    const QString prlimit = QStandardPaths::findExecutable(u"prlimit"_qs);
    if (prlimit.isEmpty())
        QSKIP("prlimit (util-linux) is not installed");
    StudioProcess serve(prlimit, QStringList { u"--nofile=128:128"_qs, kStudio } + serveArguments({ u"--memory"_qs }),
        serveEnvironment());
    QVERIFY(serve.port() != 0);
    std::list<HttpClient> idle;
    for (int i = 0; i < 200; ++i)
        idle.emplace_back(serve.port());
    HttpClient newcomer(serve.port());
    QCOMPARE(newcomer.get("/healthz").status, 200);

    const qint64 ticksBefore = cpuTicks(serve.pid());
    QTest::qSleep(1000); // measures the server's idle CPU: nothing to wait for
    const qint64 ticksSpent = cpuTicks(serve.pid()) - ticksBefore;
    // A spinning accept loop burns the whole second (100 ticks); idle is ~0.
    QVERIFY2(ticksSpent < 25, QByteArray::number(ticksSpent).constData());

    const std::string metrics = newcomer.get("/metrics").body.toStdString();
    QVERIFY2(
        metrics.find("proactive_connection_events_total{event=\"evicted\"}") != std::string::npos, metrics.c_str());
    idle.clear();
    QCOMPARE(HttpClient(serve.port()).get("/healthz").status, 200);
    serve.signal(SIGTERM);
    QCOMPARE(serve.waitForExit(), 0);
}

void TestHostile::terminateWithIdleClientsAttached()
{
    StudioProcess serve(kStudio, serveArguments({ u"--memory"_qs }), serveEnvironment());
    QVERIFY(serve.port() != 0);
    std::list<HttpClient> idle;
    for (int i = 0; i < 50; ++i) {
        idle.emplace_back(serve.port());
        if (i % 2)
            QCOMPARE(idle.back().get("/healthz").status, 200); // keep-alive, between requests
    }
    HttpClient busy(serve.port());
    const QByteArray body = pingPongBatch("s1", kT0);
    QVERIFY(busy.send("POST /batch/ HTTP/1.1\r\nHost: x\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\n\r\n" + body.left(10)));
    serve.signal(SIGTERM);
    // Idle connections are closed at once; the request begun is finished.
    for (HttpClient& client : idle)
        QVERIFY(client.waitForClose(5'000));
    QVERIFY(busy.send(body.mid(10)));
    const auto response = busy.readResponse();
    QCOMPARE(response.status, 200);
    QVERIFY(response.closed);
    QCOMPARE(serve.waitForExit(), 0);
}

void TestHostile::killNineLosesNothingAcknowledged()
{
    // The issue's 25-round durability loop, shortened: every event the
    // service acknowledged is in the file after kill -9, round after round.
    QTemporaryDir dir;
    const QString db = dir.filePath(u"c.db"_qs);
    std::vector<std::string> acknowledged;
    int next = 0;
    // Events of now: serve drops sessions idle beyond their retention.
    const Timestamp start = fromEpochMs(QDateTime::currentMSecsSinceEpoch()) - std::chrono::minutes(1);
    for (int round = 0; round < 4; ++round) {
        StudioProcess serve(kStudio, serveArguments({ u"--db"_qs, db }), serveEnvironment());
        QVERIFY(serve.port() != 0);
        HttpClient http(serve.port());
        // 4 rounds of at most 50 events: all within the 200 actions a session keeps.
        for (int request = 0; request < 10; ++request) {
            std::vector<nlohmann::json> events;
            std::vector<std::string> uuids;
            for (int i = 0; i < 5; ++i, ++next) {
                uuids.push_back("uuid-" + std::to_string(next));
                events.push_back(pageview(
                    "durable", "/p/" + std::to_string(next), start + std::chrono::milliseconds(next), uuids.back()));
            }
            if (request == 9) {
                // The last request is cut by the kill: it may or may not be kept, never half.
                QVERIFY(http.send("POST /batch/ HTTP/1.1\r\nHost: x\r\nContent-Length: "
                    + QByteArray::number(batchBody(events).size()) + "\r\n\r\n" + batchBody(events)));
                break;
            }
            const auto response = http.post("/batch/", batchBody(events));
            QCOMPARE(response.status, 200);
            acknowledged.insert(acknowledged.end(), uuids.begin(), uuids.end());
        }
        serve.signal(SIGKILL);
        serve.waitForExit();
    }
    auto store = SqliteStore::open(db.toStdString());
    QVERIFY2(store, store ? "" : store.error().toString().c_str());
    const SessionKey key { "shop", "durable" };
    for (const std::string& uuid : acknowledged)
        QVERIFY2((*store)->hasActionUuid(key, uuid), uuid.c_str());
    const auto session = (*store)->session(key);
    QVERIFY(session);
    const auto kept = std::size_t(session->actionCount);
    QVERIFY(kept >= acknowledged.size());
    QVERIFY((kept - acknowledged.size()) % 5 == 0); // a cut request is kept whole or not at all
}

QTEST_GUILESS_MAIN(TestHostile)
#include "tst_hostile.moc"
