// Ground truth in the studio's replay workbench, on a copy of the demo
// workspace's four hand-made recordings with the labels of
// tests/data/groundtruth/demo in its labels/: the Replay tab's expectations
// pass and fail with the reasons the command line prints and seek on a
// double-click; the trigger editor's live metrics follow an edit with the
// previous numbers beside the new ones; sweeps gain precision, recall, the
// Pareto mark and a precision-against-recall chart. Screenshots:
// replay-expectations.png, live-metrics.png, sweep-truth.png.

#include "eventwait.h"
#include "groundtruth/labelset.h"
#include "replay/expectationsview.h"
#include "replay/livemetrics.h"
#include "replay/replaypanel.h"
#include "replay/replayworkbench.h"
#include "replay/sweeppanel.h"
#include "replay/triggerdocument.h"
#include "replay/triggereditor.h"
#include "replaytesting.h"

#include <QChart>
#include <QChartView>
#include <QPlainTextEdit>
#include <QScatterSeries>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QUndoStack>

using namespace proactive;
using namespace proactive::ui;
using namespace proactive::testing;

namespace {

const QString kDemo = QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace");
const QString kLabels = QStringLiteral(PROACTIVE_TEST_DATA "/groundtruth/demo");
const QString kDwell = u"0193a1b2-c3d4-7e5f-8a9b-dwell0000002"_qs;
constexpr int kImportMs = 60'000;
constexpr int kReplayMs = 60'000;

bool copyFile(const QString& from, const QString& to)
{
    QDir().mkpath(QFileInfo(to).path());
    return QFile::copy(from, to);
}

// The demo workspace with its four hand-made recordings and one labels file.
bool makeWorkspace(const QString& root, const QString& labelsFile)
{
    for (const char* name : { "products.json", "studio.json", "triggers/demo.json", "tours/demo.json",
             "sessions/create-project-hesitation.jsonl", "sessions/ping-pong.jsonl",
             "sessions/project-settings-idle.jsonl", "sessions/settings-dwell.jsonl" })
        if (!copyFile(kDemo + u'/' + QLatin1String(name), root + u'/' + QLatin1String(name)))
            return false;
    return copyFile(kLabels + u'/' + labelsFile, root + u"/labels/"_qs + labelsFile);
}

} // namespace

class TestReplayTruth final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void expectationsFailWithTheirReasons();
    void expectationsPass();
    void doubleClickSeeksToTheDecidingMoment();
    void liveMetricsFollowATriggerEdit();
    void sweepJudgesEveryPoint();
    void sweepWithoutLabelsSaysSo();

private:
    // The workbench on a fresh copy with `labelsFile`, its sessions imported.
    bool open(const QString& labelsFile);
    bool openDwellSession();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ReplayWorkbench> m_workbench;
};

void TestReplayTruth::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_workbench = std::make_unique<ReplayWorkbench>();
    m_workbench->resize(1500, 900);
    m_workbench->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_workbench.get()));
}

void TestReplayTruth::cleanup()
{
    m_workbench.reset();
    m_dir.reset();
}

bool TestReplayTruth::open(const QString& labelsFile)
{
    if (!makeWorkspace(m_dir->path(), labelsFile))
        return false;
    QSignalSpy imported(&m_workbench->library(), &SessionLibrary::importFinished);
    m_workbench->setWorkspace(loadWorkspace(m_dir->path()), u"demo"_qs);
    if (!imported.wait(kImportMs) && imported.isEmpty())
        return false;
    return m_workbench->library().sessionCount() == 4 && !m_workbench->labels()->empty();
}

bool TestReplayTruth::openDwellSession()
{
    return m_workbench->openSession(m_workbench->library().rowOf(u"demo"_qs, kDwell));
}

void TestReplayTruth::expectationsFailWithTheirReasons()
{
    QVERIFY(open(u"failing.json"_qs));
    QVERIFY(openDwellSession());
    const ExpectationsView& view = *m_workbench->replayPanel()->expectationsView();
    QVERIFY(view.isVisible());
    QVERIFY(view.truth());
    // The command line's reasons (tst_labelscli), each with the trigger's own explanation.
    const QStringList lines = view.lines();
    QCOMPARE(lines.size(), 2);
    QVERIFY2(
        lines[0].startsWith(
            u"✗ fails | +65 s | expected no offer; account-settings-dwell fired at +65 s: last action (pageview on "
            "/settings/account) matches; dwell 60.8 s ≥ 45 s"_qs),
        qPrintable(lines[0]));
    QVERIFY2(lines[1].startsWith(
                 u"✗ fails | +60 s | expected account-settings-dwell within +20…+60 s; it fired at +65 s; at +60 s: "
                 "last action (pageview on /settings/account) matches; dwell 55.8 s ≥ 45 s on /settings/account (1 "
                 "action ≤ 5); the last poll in the window, at +45 s, answered no_trigger"_qs),
        qPrintable(lines[1]));
    QVERIFY2(view.titleText().contains(u"2 of 2 fail"_qs), qPrintable(view.titleText()));
    // The tooltip: where the expectation is written, its note, the trigger's conditions.
    const QString tooltip = view.tree()->topLevelItem(0)->toolTip(2);
    QVERIFY2(tooltip.startsWith(lines[0].section(u" | "_qs, 2) + u"\nlabels/failing.json:/sessions/0/expect/0\n"_qs),
        qPrintable(tooltip));
    QVERIFY2(tooltip.contains(u"Note: this user knew what they were doing"_qs), qPrintable(tooltip));
    QVERIFY2(tooltip.contains(u"account-settings-dwell (matched)"_qs), qPrintable(tooltip));
    QVERIFY2(tooltip.contains(u"✓ dwell 60.8 s ≥ 45 s"_qs), qPrintable(tooltip));
    QCOMPARE(view.tree()->topLevelItem(0)->foreground(0).color(), QColor(0xb9, 0x1c, 0x1c));
    QVERIFY(saveScreenshot(*m_workbench, u"replay-expectations.png"_qs));

    // A session without labels says so.
    int other = 0;
    while (m_workbench->library().session(other)->summary.sessionId == kDwell.toStdString())
        ++other;
    QVERIFY(m_workbench->openSession(other));
    QVERIFY(!view.truth());
    QVERIFY(view.lines().isEmpty());
    QCOMPARE(view.titleText(), u"Expectations: this session has no labels"_qs);
}

void TestReplayTruth::expectationsPass()
{
    QVERIFY(open(u"passing.json"_qs));
    QVERIFY(openDwellSession());
    const ExpectationsView& view = *m_workbench->replayPanel()->expectationsView();
    const QStringList lines = view.lines();
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines[0].startsWith(u"✓ passes | +30 s | expected no offer before +30 s"_qs), qPrintable(lines[0]));
    QVERIFY2(lines[1].startsWith(u"✓ passes | +65 s | expected account-settings-dwell"_qs), qPrintable(lines[1]));
    QVERIFY2(view.titleText().contains(u"all 2 pass"_qs), qPrintable(view.titleText()));
    QCOMPARE(view.tree()->topLevelItem(1)->foreground(0).color(), QColor(0x15, 0x80, 0x3d));

    // New labels (the labels document's edits arrive this way) are judged at once.
    m_workbench->setLabels(std::make_shared<const LabelSet>());
    QVERIFY(!view.truth());
    QVERIFY(!view.isVisible());
}

void TestReplayTruth::doubleClickSeeksToTheDecidingMoment()
{
    QVERIFY(open(u"failing.json"_qs));
    QVERIFY(openDwellSession());
    ReplayPanel& panel = *m_workbench->replayPanel();
    QTreeWidget* tree = panel.expectationsView()->tree();
    const auto offset = [&] { return toSeconds(panel.replay()->now() - panel.replay()->start()); };
    QCOMPARE(offset(), 0.0);
    for (const auto& [row, seconds] : { std::pair(0, 65.0), std::pair(1, 60.0) }) {
        const QRect rect = tree->visualItemRect(tree->topLevelItem(row));
        QVERIFY(rect.isValid());
        // The first press selects; the double-click activates.
        QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, rect.center());
        QTest::mouseDClick(tree->viewport(), Qt::LeftButton, {}, rect.center());
        QCOMPARE(offset(), seconds);
    }
}

void TestReplayTruth::liveMetricsFollowATriggerEdit()
{
    QVERIFY(open(u"passing.json"_qs));
    TriggerEditor& editor = *m_workbench->triggerEditor();
    LiveMetricsPanel& metrics = *editor.liveMetrics();
    TRY_VERIFY_WITH_TIMEOUT(!metrics.isRunning() && metrics.current(), kReplayMs);
    QCOMPARE(metrics.current()->truth->labelledSessions, std::size_t(2));
    QCOMPARE(metrics.current()->truth->overall.hits, std::size_t(2));
    QCOMPARE(metrics.metricText("f1"), u"F1 1.00"_qs);
    QCOMPARE(metrics.metricText("expectations_passed"), u"Expectations passed 3"_qs);
    QCOMPARE(metrics.triggerTable()->rowCount(), static_cast<int>(metrics.current()->truth->triggers.size()));

    // The dwell at 20 s fires inside the no_help range (as tst_labelscli's diff shows).
    QVERIFY(editCondition(editor, u"account-settings-dwell"_qs, u"\"threshold_s\": 45"_qs, u"\"threshold_s\": 20"_qs));
    TRY_VERIFY_WITH_TIMEOUT(!metrics.isRunning() && metrics.previous(), kReplayMs);
    QCOMPARE(metrics.current()->truth->overall.hits, std::size_t(1));
    QCOMPARE(metrics.metricText("hits"), u"Hits 2 → 1"_qs);
    QCOMPARE(metrics.metricText("misses"), u"Misses 0 → 1"_qs);
    QCOMPARE(metrics.metricText("false_offers"), u"False offers 0 → 1"_qs);
    QCOMPARE(metrics.metricText("expectations_failed"), u"Expectations failed 0 → 1"_qs);
    QCOMPARE(metrics.metricText("precision"), u"Precision 1.00 → 0.50"_qs);
    m_workbench->setCurrentWidget(&editor);
    QVERIFY(saveScreenshot(*m_workbench, u"live-metrics.png"_qs));

    // Several edits in a row: the runs under way are cancelled, the last edit's numbers stay.
    editor.document()->undoStack()->undo();
    editor.document()->undoStack()->redo();
    editor.document()->undoStack()->undo();
    TRY_VERIFY_WITH_TIMEOUT(!metrics.isRunning(), kReplayMs);
    QCOMPARE(metrics.current()->truth->overall.hits, std::size_t(2));
    QCOMPARE(metrics.metricText("hits"), u"Hits 1 → 2"_qs);
}

void TestReplayTruth::sweepJudgesEveryPoint()
{
    QVERIFY(open(u"passing.json"_qs));
    SweepPanel& sweeps = *m_workbench->sweepPanel();
    m_workbench->setCurrentWidget(&sweeps);
    QVERIFY(!sweeps.addAxis(u"user_page_dwell.threshold_s"_qs, u"20,30,60,90"_qs));
    QSignalSpy finished(&sweeps, &SweepPanel::finished);
    QVERIFY(sweeps.run());
    QVERIFY(finished.wait(kReplayMs));
    QCOMPARE(finished.first().first().toBool(), true);
    QCOMPARE(sweeps.result()->points.size(), std::size_t(4));

    QStringList headers;
    QTableWidget* table = sweeps.table();
    for (int c = 0; c < table->columnCount(); ++c)
        headers << table->horizontalHeaderItem(c)->text();
    for (const QString& column : { u"Precision"_qs, u"Recall"_qs, u"F1"_qs, u"Pareto"_qs })
        QVERIFY2(headers.contains(column), qPrintable(headers.join(u", "_qs)));
    const int precision = static_cast<int>(headers.indexOf(u"Precision"_qs));
    const int pareto = static_cast<int>(headers.indexOf(u"Pareto"_qs));
    // At 30 s the dwell answers its range and nothing else: precision and recall 1, on the front.
    QCOMPARE(table->item(1, precision)->text(), u"1.00"_qs);
    QCOMPARE(table->item(1, pareto)->text(), u"◆"_qs);
    QCOMPARE(table->item(0, pareto)->text(), QString()); // at 20 s it fires in the no_help range

    // One dot per grid point, over the fire-rate buckets; the front's marks on top.
    qsizetype dots = 0;
    for (QAbstractSeries* series : sweeps.truthChartView()->chart()->series())
        if (auto* scatter = qobject_cast<QScatterSeries*>(series); scatter && !scatter->name().isEmpty())
            dots += scatter->count();
    QCOMPARE(dots, qsizetype(4));
    QVERIFY(saveScreenshot(*m_workbench, u"sweep-truth.png"_qs));
}

void TestReplayTruth::sweepWithoutLabelsSaysSo()
{
    QVERIFY(open(u"passing.json"_qs));
    m_workbench->setLabels(nullptr);
    SweepPanel& sweeps = *m_workbench->sweepPanel();
    QVERIFY(!sweeps.addAxis(u"user_page_dwell.threshold_s"_qs, u"30,60"_qs));
    QSignalSpy finished(&sweeps, &SweepPanel::finished);
    QVERIFY(sweeps.run());
    QVERIFY(finished.wait(kReplayMs));
    QVERIFY(!sweeps.result()->points.front().truth);
    QCOMPARE(
        sweeps.truthChartView()->chart()->title(), u"No labelled sessions: add labels to see precision and recall"_qs);
    QStringList headers;
    for (int c = 0; c < sweeps.table()->columnCount(); ++c)
        headers << sweeps.table()->horizontalHeaderItem(c)->text();
    QVERIFY(!headers.contains(u"Precision"_qs));
    LiveMetricsPanel& metrics = *m_workbench->triggerEditor()->liveMetrics();
    TRY_VERIFY_WITH_TIMEOUT(!metrics.isRunning(), kReplayMs);
    QVERIFY2(metrics.statusText().startsWith(u"No labelled sessions"_qs), qPrintable(metrics.statusText()));
}

QTEST_MAIN(TestReplayTruth)
#include "tst_replaytruth.moc"
