// Visual recordings (issue 16) as files: PostHog's two export versions and
// plain rrweb arrays, gzip'ed or not, several windows, bad files reported
// with file, position and reason; matched to event sessions by id. The
// recordings of the real rrweb are read in tests/ui/tst_recording (recorded
// from the demo product at test time); these are small ones built here.

#include "gziptesting.h"
#include "recording/recordingfile.h"
#include "recording/recordingmatch.h"

#include <QTemporaryDir>
#include <QTest>
#include <fstream>

using namespace proactive;
using proactive::testing::gzipped;

namespace {

// Two windows, the second starting later: what a session with a pop-up records.
Recording twoWindows()
{
    Recording recording { "0190a1b2-c3d4", {} };
    recording.windows.push_back({ "w-main",
        { makeRecordingEvent(4, 1000, R"({"href":"http://localhost/","width":1280,"height":800})"),
            makeRecordingEvent(
                2, 1001, R"({"node":{"type":0,"childNodes":[],"id":1},"initialOffset":{"left":0,"top":0}})"),
            makeRecordingEvent(3, 1500, R"({"source":2,"type":2,"id":5,"x":10,"y":20})") } });
    recording.windows.push_back({ "w-popup",
        { makeRecordingEvent(4, 2000, R"({"href":"http://localhost/help","width":400,"height":300})"),
            makeRecordingEvent(3, 2200, R"({"source":1,"positions":[{"x":1,"y":2,"id":3,"timeOffset":0}]})") } });
    return recording;
}

QStringList diagnosticLines(const RecordingReadResult& result)
{
    QStringList lines;
    for (const RecordingDiagnostic& diagnostic : result.diagnostics)
        lines << QString::fromStdString(diagnostic.toString());
    return lines;
}

RecordedSession sessionWithId(
    const std::string& productId, const std::string& id, std::int64_t startMs, std::int64_t endMs)
{
    RecordedSession session;
    session.summary.productId = productId;
    session.summary.sessionId = id;
    session.summary.start = Timestamp(Duration(startMs));
    session.summary.end = Timestamp(Duration(endMs));
    return session;
}

} // namespace

class TestRecordingFile final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void plainArrayTakesItsIdFromTheFileName();
    void snapshotsOneEventPerEntry();
    void eventsSortedByTime();
    void badFiles_data();
    void badFiles();
    void badEventsAreLeftOutAlone();
    void importFolderWithProgressAndCancel();
    void matching();
};

void TestRecordingFile::roundTrip_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<bool>("gzip");
    QTest::newRow("2022-12-02") << int(RecordingFileFormat::PostHog20221202) << false;
    QTest::newRow("2022-12-02-gzip") << int(RecordingFileFormat::PostHog20221202) << true;
    QTest::newRow("2023-04-28") << int(RecordingFileFormat::PostHog20230428) << false;
    QTest::newRow("2023-04-28-gzip") << int(RecordingFileFormat::PostHog20230428) << true;
}

void TestRecordingFile::roundTrip()
{
    QFETCH(int, format);
    QFETCH(bool, gzip);
    const Recording recording = twoWindows();
    std::string text = writeRecording(recording, RecordingFileFormat(format));
    if (gzip)
        text = gzipped(text);
    // Version 2022-12-02 has no id inside: PostHog names the file after it.
    const RecordingReadResult read
        = readRecordingText(text, "export-0190a1b2-c3d4.json" + std::string(gzip ? ".gz" : ""));
    QVERIFY2(read.diagnostics.empty(), qPrintable(diagnosticLines(read).join(u'\n')));
    QCOMPARE(read.recordings.size(), 1u);
    QVERIFY(read.recordings[0] == recording);
    QCOMPARE(read.recordings[0].eventCount(), 5u);
    QCOMPARE(read.recordings[0].start(), Timestamp(Duration(1000)));
    QCOMPARE(read.recordings[0].end(), Timestamp(Duration(2200)));
    QCOMPARE(read.recordings[0].mainWindow()->windowId, std::string("w-main"));
}

void TestRecordingFile::plainArrayTakesItsIdFromTheFileName()
{
    const Recording recording = twoWindows();
    const RecordingReadResult read
        = readRecordingText(writeRecording(recording, RecordingFileFormat::RrwebEvents), "/tmp/s-42.json");
    QVERIFY(read.diagnostics.empty());
    QCOMPARE(read.recordings.size(), 1u);
    QCOMPARE(read.recordings[0].id, std::string("s-42"));
    QCOMPARE(read.recordings[0].windows.size(), 1u);
    QVERIFY(read.recordings[0].windows[0].events == recording.windows[0].events);
}

void TestRecordingFile::snapshotsOneEventPerEntry()
{
    // Newer PostHog versions write one event per entry, its windowId beside it.
    const std::string text = R"({"version":"2023-04-28","data":{"id":"s-1","snapshots":[
        {"windowId":"a","type":4,"data":{"href":"x","width":1,"height":1},"timestamp":10},
        {"windowId":"b","type":4,"data":{"href":"y","width":1,"height":1},"timestamp":11},
        {"windowId":"a","type":2,"data":{},"timestamp":12}]}})";
    const RecordingReadResult read = readRecordingText(text, "x.json");
    QVERIFY2(read.diagnostics.empty(), qPrintable(diagnosticLines(read).join(u'\n')));
    QCOMPARE(read.recordings.size(), 1u);
    QCOMPARE(read.recordings[0].id, std::string("s-1"));
    QCOMPARE(read.recordings[0].windows.size(), 2u);
    QCOMPARE(read.recordings[0].windows[0].events.size(), 2u);
    QCOMPARE(read.recordings[0].windows[0].events[1].type, 2);
}

void TestRecordingFile::eventsSortedByTime()
{
    const std::string text = R"([{"type":3,"data":{},"timestamp":30},{"type":4,"data":{},"timestamp":10},
        {"type":2,"data":{},"timestamp":10}])";
    const RecordingReadResult read = readRecordingText(text, "s.json");
    QCOMPARE(read.recordings.size(), 1u);
    const auto& events = read.recordings[0].windows[0].events;
    QCOMPARE(events[0].type, 4); // ties keep the file's order
    QCOMPARE(events[1].type, 2);
    QCOMPARE(events[2].timestamp, 30);
}

void TestRecordingFile::badFiles_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("diagnostic");
    QTest::newRow("not-json") << QByteArray("[\n  {\"type\": 4,\n  oops") << u"bad.json:3:3: invalid_json: "_qs;
    QTest::newRow("truncated-gzip") << QByteArray::fromStdString(gzipped("[{\"type\":4}]").substr(0, 12))
                                    << u"bad.json: "_qs;
    QTest::newRow("other-version") << QByteArray(R"({"version":"2030-01-01","data":{}})")
                                   << u"bad.json: unknown_format: PostHog export version \"2030-01-01\""_qs;
    QTest::newRow("other-shape") << QByteArray(R"({"results":[]})") << u"bad.json: unknown_format: neither"_qs;
    QTest::newRow("no-windows") << QByteArray(R"({"version":"2022-12-02","data":{"snapshotsByWindowId":[]}})")
                                << u"bad.json:/data/snapshotsByWindowId: bad_format"_qs;
    QTest::newRow("empty") << QByteArray("[]") << u"bad.json: empty_recording"_qs;
}

void TestRecordingFile::badFiles()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, diagnostic);
    const RecordingReadResult read = readRecordingText(text.toStdString(), "bad.json");
    QVERIFY(read.recordings.empty());
    const QStringList lines = diagnosticLines(read);
    QVERIFY2(std::ranges::any_of(lines, [&](const QString& line) { return line.startsWith(diagnostic); }),
        qPrintable(lines.join(u'\n')));
}

void TestRecordingFile::badEventsAreLeftOutAlone()
{
    const std::string text = R"({"version":"2023-04-28","data":{"id":"s-2","snapshots":[{"windowId":"w","data":[
        {"type":4,"data":{},"timestamp":1}, 7, {"type":"x","timestamp":2}, {"type":3,"data":{}},
        {"type":2,"data":{},"timestamp":3}]}]}})";
    const RecordingReadResult read = readRecordingText(text, "some.json");
    QCOMPARE(diagnosticLines(read),
        (QStringList { u"some.json:/data/snapshots/0/data/1: bad_event: not an object"_qs,
            u"some.json:/data/snapshots/0/data/2: bad_event: no integer type"_qs,
            u"some.json:/data/snapshots/0/data/3: bad_event: no numeric timestamp"_qs }));
    QCOMPARE(read.recordings.size(), 1u);
    QCOMPARE(read.recordings[0].eventCount(), 2u);
}

void TestRecordingFile::importFolderWithProgressAndCancel()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::filesystem::path root = dir.path().toStdString();
    Recording big = twoWindows();
    for (int i = 0; i < 5000; ++i)
        big.windows[0].events.push_back(makeRecordingEvent(3, 3000 + i, R"({"source":1,"positions":[]})"));
    std::ofstream(root / "export-a.json") << writeRecording(big, RecordingFileFormat::PostHog20221202);
    std::ofstream(root / "b.json.gz", std::ios::binary)
        << gzipped(writeRecording(twoWindows(), RecordingFileFormat::PostHog20230428));
    std::ofstream(root / "c.json") << "{";
    const std::vector<std::filesystem::path> paths { root };

    std::uint64_t lastDone = 0, lastTotal = 0;
    int reports = 0;
    auto read = importRecordings(paths,
        { [&](std::uint64_t done, std::uint64_t total) {
             QVERIFY(done >= lastDone);
             lastDone = done;
             lastTotal = total;
             ++reports;
         },
            {} });
    QVERIFY(read);
    QCOMPARE(read->recordings.size(), 2u);
    // In name order: b.json.gz (its id inside), c.json (no JSON), export-a.json.
    QCOMPARE(read->recordings[0].id, std::string("0190a1b2-c3d4"));
    QCOMPARE(read->recordings[1].id, std::string("a"));
    QCOMPARE(diagnosticLines(*read).size(), 1);
    QVERIFY2(diagnosticLines(*read)[0].contains(u"c.json:1:2: invalid_json: syntax error while parsing object key"_qs),
        qPrintable(diagnosticLines(*read)[0]));
    QVERIFY(reports > 3); // within the big file, not only at its end
    QCOMPARE(lastDone, lastTotal);

    std::stop_source stop;
    auto cancelled
        = importRecordings(paths, { [&](std::uint64_t, std::uint64_t) { stop.request_stop(); }, stop.get_token() });
    QVERIFY(!cancelled);
    QCOMPARE(cancelled.error().code, std::string("cancelled"));
}

void TestRecordingFile::matching()
{
    const std::vector<Recording> recordings { Recording { "s-1", { { "w", { makeRecordingEvent(4, 1000, "{}") } } } },
        Recording { "s-orphan", { { "w", { makeRecordingEvent(4, 1000, "{}") } } } },
        Recording { "s-late", { { "w", { makeRecordingEvent(4, 900'000, "{}") } } } } };
    const std::vector<RecordedSession> sessions { sessionWithId("acme", "s-1", 900, 5000),
        sessionWithId("acme", "s-no-video", 0, 10), sessionWithId("acme", "s-late", 0, 10) };
    std::vector<std::string> notes;
    const RecordingMatches matches = matchRecordings(recordings, sessions, &notes);
    QCOMPARE(matches.pairs.size(), 2u);
    QVERIFY((matches.pairs[0] == RecordingMatches::Pair { 0, 0 }));
    QVERIFY((matches.pairs[1] == RecordingMatches::Pair { 2, 2 }));
    QCOMPARE(matches.recordingsWithoutEvents.size(), 1u);
    QCOMPARE(matches.recordingsWithoutEvents[0].id, std::string("s-orphan"));
    QCOMPARE(matches.recordingsWithoutEvents[0].reason, std::string("no imported event has $session_id s-orphan"));
    QCOMPARE(matches.sessionsWithoutRecording.size(), 1u);
    QCOMPARE(matches.sessionsWithoutRecording[0].reason, std::string("no recording with id s-no-video was imported"));
    QCOMPARE(notes, std::vector<std::string> { "recording s-late and its session of acme do not overlap in time" });
}

QTEST_GUILESS_MAIN(TestRecordingFile)
#include "tst_recordingfile.moc"
