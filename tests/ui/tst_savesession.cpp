// File ▸ Save Session… / Open Session… (issue 16): the studio records its
// product view with rrweb while it captures events; the live session is
// saved to one folder (events, recording, labels) and opened again into
// the Replay tab, where its picture plays beside the replay. Real clicks
// and key presses in a real QtWebEngine view; every wait is on a condition.

#include "eventwait.h"
#include "recording/recordingfile.h"
#include "recording/sessionfolder.h"
#include "recordingtesting.h"
#include "replay/recordinglibrary.h"
#include "replay/replaypanel.h"
#include "replay/replaypicture.h"
#include "replay/replayworkbench.h"
#include "replay/sessionlibrary.h"
#include "replaytesting.h"
#include "sessionrecorder.h"
#include "simulation/simulation.h"
#include "studio/mainwindow.h"
#include "studio/productpage.h"
#include "studio/studiosettings.h"

#include <QTemporaryDir>
#include <QTest>
#include <QWebEngineView>

using namespace proactive;
using namespace proactive::testing;
using namespace proactive::ui;

class TestSaveSession final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void recordsTheLiveSession();
    void savesAndOpensTheSession();
    void refusesAFolderThatIsNoSession();

private:
    bool click(const QString& selector);
    QJsonValue inPage(const QString& expression);

    QTemporaryDir m_scratch;
    QString m_workspace;
    std::unique_ptr<StudioSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;
};

void TestSaveSession::initTestCase()
{
    QVERIFY(m_scratch.isValid());
    // Opening a session adds its labels to the workspace: a copy of the demo.
    m_workspace = m_scratch.filePath(u"workspace"_qs);
    QVERIFY(copyTree(QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace"), m_workspace));
    // Its studio.json serves the product beside it.
    QVERIFY(copyTree(
        QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-product"), m_scratch.filePath(u"demo-product"_qs)));
    m_settings = std::make_unique<StudioSettings>(m_scratch.filePath(u"studio.ini"_qs));
    m_window = std::make_unique<MainWindow>(*m_settings);
    QString error;
    QVERIFY2(m_window->openWorkspace(m_workspace, &error), qPrintable(error));
    m_window->resize(1440, 900);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

QJsonValue TestSaveSession::inPage(const QString& expression)
{
    return evaluateJson(*m_window->view()->page(), expression);
}

bool TestSaveSession::click(const QString& selector)
{
    const QJsonObject centre = inPage(uR"((() => {
        const element = document.querySelector(%1);
        if (!element) return null;
        const r = element.getBoundingClientRect();
        return { x: Math.round(r.x + r.width / 2), y: Math.round(r.y + r.height / 2) };
    })())"_qs.arg(jsQuoted(selector)))
                                   .toObject();
    if (centre.isEmpty())
        return false;
    QTest::mouseClick(
        m_window->view()->focusProxy(), Qt::LeftButton, {}, QPoint(centre[u"x"].toInt(), centre[u"y"].toInt()));
    return true;
}

void TestSaveSession::recordsTheLiveSession()
{
    const SessionRecorder& recorder = m_window->productPage().recorder();
    QSignalSpy loaded(m_window->view(), &QWebEngineView::loadFinished);
    m_window->view()->load(m_window->productUrl(u"/projects"_qs));
    QVERIFY(waitFor([&] { return !loaded.isEmpty(); }, kRecordingWaitMs));
    QVERIFY(
        waitFor([&] { return countEvents(recorder.recording(), RrwebEventType::FullSnapshot) > 0; }, kRecordingWaitMs));
    QVERIFY(recorder.isRecording());
    QVERIFY(recorder.masksInputs());
    QCOMPARE(QString::fromStdString(recorder.recording().id), m_window->simulation()->sessionId());

    QVERIFY(click(u"[data-tour-id=\"project-search-input\"]"_qs));
    QTest::keyClicks(m_window->view()->focusProxy(), u"apo"_qs);
    QVERIFY(click(u"li.project a"_qs));
    QVERIFY(waitFor(
        [&] { return inPage(u"!!document.querySelector('[data-tour-id=\"invite-email-input\"]')"_qs).toBool(); },
        kRecordingWaitMs));
    // The captured click on the project and the recorded page it led to.
    QVERIFY(waitFor(
        [&] {
            const auto& events = m_window->productPage().sessionEvents();
            return std::ranges::any_of(events, [](const std::string& e) {
                return e.find("/projects/apollo") != std::string::npos;
            }) && recorder.recording().windows.front().events.back().json.find("Apollo") != std::string::npos;
        },
        kRecordingWaitMs));
}

void TestSaveSession::savesAndOpensTheSession()
{
    const std::string sessionId = m_window->simulation()->sessionId().toStdString();
    const Recording recorded = m_window->productPage().recorder().recording();
    const std::size_t events = m_window->productPage().sessionEvents().size();
    QVERIFY(events >= 3);

    const QString folder = m_scratch.filePath(u"saved"_qs);
    QVERIFY(m_window->saveSessionTo(folder));
    QVERIFY(checkSessionFolder(folder.toStdString()));
    QFile lines(folder + u"/events.jsonl"_qs);
    QVERIFY(lines.open(QIODevice::ReadOnly));
    QCOMPARE(std::size_t(lines.readAll().count('\n')), events);
    const std::vector<std::filesystem::path> recordingFile { (folder + u"/recording.json"_qs).toStdString() };
    auto read = importRecordings(recordingFile);
    QVERIFY(read && read->recordings.size() == 1);
    QVERIFY(read->recordings[0] == recorded);

    // Opened again: the session and its recording in the workbench, its labels in the workspace.
    ReplayWorkbench& workbench = *m_window->replayWorkbench();
    QSignalSpy sessionsImported(&workbench.library(), &SessionLibrary::importFinished);
    QSignalSpy recordingsImported(&workbench.recordings(), &RecordingLibrary::importFinished);
    QVERIFY(m_window->openSessionFrom(folder));
    QVERIFY(waitFor([&] { return !sessionsImported.isEmpty() && !recordingsImported.isEmpty(); }, kRecordingWaitMs));
    QVERIFY(QFileInfo::exists(m_workspace + u"/labels/session-saved.json"_qs));
    const RecordingImportOutcome& outcome = workbench.recordings().lastImport();
    QVERIFY2(outcome.ok && outcome.added == 1, qPrintable(outcome.error));
    const auto reopened = workbench.recordings().recordingFor(sessionId);
    QVERIFY(reopened);
    QCOMPARE(reopened->eventCount(), recorded.eventCount());
    const int row = workbench.library().rowOf(u"demo"_qs, QString::fromStdString(sessionId));
    QVERIFY(row >= 0);
    QVERIFY(workbench.openSession(row));

    ReplayPanel& panel = *workbench.replayPanel();
    QVERIFY(panel.picture()->isVisible());
    QVERIFY(waitFor([&] { return panel.picture()->isReady(); }, kRecordingWaitMs));
    panel.seek(panel.replay()->end());
    QVERIFY(waitFor(
        [&] {
            return evaluateJson(*panel.picture()->page(), u"proactivePlayer.query('h1')"_qs)
                .toString()
                .contains(u"Apollo"_qs);
        },
        kRecordingWaitMs));
}

void TestSaveSession::refusesAFolderThatIsNoSession()
{
    QVERIFY(!m_window->openSessionFrom(m_scratch.filePath(u"workspace/tours"_qs)));
}

QTEST_MAIN(TestSaveSession)
#include "tst_savesession.moc"
