// Recording the product view with the real rrweb (issue 16): the demo
// product driven with real clicks, key presses and navigations in a real
// QtWebEngine view; the recording has full and incremental snapshots, typed
// values are masked by default, and it exports to both PostHog formats and
// reads back unchanged.

#include "gziptesting.h"
#include "recording/recordingfile.h"
#include "recordingtesting.h"

#include <QTemporaryDir>
#include <QTest>
#include <fstream>

using namespace proactive;
using namespace proactive::testing;

namespace {

// The value of every recorded input event (IncrementalSource.Input).
QStringList inputTexts(const Recording& recording)
{
    QStringList texts;
    for (const RecordingWindow& window : recording.windows)
        for (const RecordingEvent& event : window.events) {
            const QJsonObject object = QJsonDocument::fromJson(QByteArray::fromStdString(event.json)).object();
            const QJsonObject data = object[u"data"].toObject();
            if (object[u"type"].toInt() == int(RrwebEventType::IncrementalSnapshot)
                && data[u"source"].toInt() == DemoRecorder::kInput)
                texts << data[u"text"].toString();
        }
    return texts;
}

} // namespace

class TestRecording final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void recordsTheDemoProduct();
    void exportsReadBack_data();
    void exportsReadBack();
    void unmaskedWhenAsked();
    void stopsRecording();

private:
    std::optional<Recording> m_recording;
};

void TestRecording::recordsTheDemoProduct()
{
    QStringList console;
    m_recording = recordDemoSession(u"s-demo-1"_qs, &console);
    QVERIFY2(m_recording, qPrintable(console.join(u'\n')));
    const Recording& recording = *m_recording;
    QCOMPARE(recording.id, std::string("s-demo-1"));
    QCOMPARE(recording.windows.size(), 1u);
    // Two documents (the first load, the reload of the account page): a
    // meta and a full snapshot each.
    QCOMPARE(countEvents(recording, RrwebEventType::Meta), 2u);
    QCOMPARE(countEvents(recording, RrwebEventType::FullSnapshot), 2u);
    QVERIFY(countEvents(recording, RrwebEventType::IncrementalSnapshot, DemoRecorder::kMutation) > 0);
    QVERIFY(countEvents(recording, RrwebEventType::IncrementalSnapshot, DemoRecorder::kMouseInteraction) >= 2);
    // Masked: as many asterisks as characters, never the text.
    const QStringList typed = inputTexts(recording);
    QVERIFY(!typed.isEmpty());
    QCOMPARE(typed.last(), u"***"_qs);
    for (const RecordingWindow& window : recording.windows)
        for (const RecordingEvent& event : window.events)
            QVERIFY2(event.json.find("\"apo") == std::string::npos, event.json.c_str());
    // In time order, the picture of the account page last.
    const auto& events = recording.windows[0].events;
    QVERIFY(std::ranges::is_sorted(events, {}, &RecordingEvent::timestamp));
    QVERIFY(events.back().json.find("data-settle") != std::string::npos);
}

void TestRecording::exportsReadBack_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<bool>("gzip");
    QTest::newRow("2022-12-02") << int(RecordingFileFormat::PostHog20221202) << false;
    QTest::newRow("2023-04-28") << int(RecordingFileFormat::PostHog20230428) << false;
    QTest::newRow("2023-04-28-gzip") << int(RecordingFileFormat::PostHog20230428) << true;
    QTest::newRow("rrweb-array") << int(RecordingFileFormat::RrwebEvents) << false;
}

void TestRecording::exportsReadBack()
{
    QFETCH(int, format);
    QFETCH(bool, gzip);
    QVERIFY2(m_recording, "recordsTheDemoProduct did not record");
    QTemporaryDir dir;
    std::string text = writeRecording(*m_recording, RecordingFileFormat(format));
    const std::filesystem::path file
        = std::filesystem::path(dir.path().toStdString()) / ("export-s-demo-1.json" + std::string(gzip ? ".gz" : ""));
    std::ofstream(file, std::ios::binary) << (gzip ? gzipped(text) : text);
    const std::vector<std::filesystem::path> paths { file };
    auto read = importRecordings(paths);
    QVERIFY(read);
    QVERIFY(read->diagnostics.empty());
    QCOMPARE(read->recordings.size(), 1u);
    Recording expected = *m_recording;
    if (RecordingFileFormat(format) == RecordingFileFormat::RrwebEvents)
        expected.windows[0].windowId.clear(); // a plain array has no window id
    QVERIFY(read->recordings[0] == expected);
}

void TestRecording::unmaskedWhenAsked()
{
    DemoRecorder demo;
    QVERIFY(demo.start(u"s-open"_qs, /*maskInputs=*/false));
    QVERIFY(demo.load(u"/projects"_qs));
    QVERIFY(demo.click(u"[data-tour-id=\"project-search-input\"]"_qs));
    QVERIFY(demo.type(u"gem"_qs));
    QVERIFY(demo.settle());
    QCOMPARE(inputTexts(demo.recorder().recording()).last(), u"gem"_qs);
}

void TestRecording::stopsRecording()
{
    DemoRecorder demo;
    QVERIFY(demo.start(u"s-stop"_qs));
    QVERIFY(demo.load(u"/projects"_qs));
    QVERIFY(demo.settle());
    demo.recorder().stop();
    QVERIFY(!demo.recorder().isRecording());
    const std::size_t before = demo.recorder().recording().eventCount();
    // A new document is not recorded either; its load is a condition to wait for.
    QSignalSpy loaded(&demo.page(), &QWebEnginePage::loadFinished);
    demo.page().load(demo.page().url());
    QVERIFY(waitFor([&] { return !loaded.isEmpty(); }, kRecordingWaitMs));
    QVERIFY(demo.waitForElement(u"h1"_qs));
    QCOMPARE(demo.recorder().recording().eventCount(), before);
}

QTEST_MAIN(TestRecording)
#include "tst_recording.moc"
