// The sweep panel: settings and values checked as they are added, a sweep
// over the library's sessions on the worker thread giving the core's own
// totals in its table and chart, refusal without sessions, and Cancel of a
// long sweep. Screenshot: sweep-chart.png.

#include "eventwait.h"
#include "replay/sweeppanel.h"
#include "replaytesting.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QLineSeries>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QTemporaryDir>

using namespace proactive;
using namespace proactive::ui;
using namespace proactive::testing;

class TestReplaySweep final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void addAxisChecksPathsAndValues_data();
    void addAxisChecksPathsAndValues();
    void settingsListTheProductsNumbers();
    void sweepRunsToCompletion();
    void refusesWithoutSessions();
    void cancelStopsALongSweep();

private:
    QTemporaryDir m_scratch;
    std::shared_ptr<const Workspace> m_workspace;
};

void TestReplaySweep::initTestCase()
{
    m_workspace = replayWorkspace();
}

void TestReplaySweep::addAxisChecksPathsAndValues_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("values");
    QTest::addColumn<QString>("error"); // empty: accepted
    QTest::addColumn<int>("count");
    QTest::newRow("list") << u"user_page_dwell.threshold_s"_qs << u"30, 45,60"_qs << QString() << 3;
    QTest::newRow("range") << u"settings-dwell.cooldown_s"_qs << u"0:120:30"_qs << QString() << 5;
    QTest::newRow("gate-setting") << u"proactive.min_interval_s"_qs << u"60,300"_qs << QString() << 2;
    QTest::newRow("not-a-number") << u"user_page_dwell.threshold_s"_qs << u"30,soon"_qs
                                  << u"\"soon\" is not a number"_qs << 0;
    QTest::newRow("unknown-path") << u"no_such.setting"_qs << u"1"_qs << u"no_such.setting"_qs << 0;
    QTest::newRow("refused-value") << u"ping-pong.min_cycles"_qs << u"0"_qs << u"refused"_qs << 0;
    QTest::newRow("empty-range") << u"user_page_dwell.threshold_s"_qs << u"90:30:10"_qs << u"first ≤ last"_qs << 0;
}

void TestReplaySweep::addAxisChecksPathsAndValues()
{
    QFETCH(QString, path);
    QFETCH(QString, values);
    QFETCH(QString, error);
    QFETCH(int, count);
    SessionLibrary library;
    SweepPanel panel(library);
    panel.setProduct(m_workspace, "acme");
    const auto result = panel.addAxis(path, values);
    if (error.isEmpty()) {
        QVERIFY2(!result, qPrintable(result.value_or(QString())));
        QCOMPARE(panel.axisCount(), 1);
    } else {
        QVERIFY(result);
        QVERIFY2(result->contains(error), qPrintable(*result));
        QCOMPARE(panel.axisCount(), 0);
    }
    Q_UNUSED(count);
}

void TestReplaySweep::settingsListTheProductsNumbers()
{
    SessionLibrary library;
    SweepPanel panel(library);
    panel.setProduct(m_workspace, "acme");
    auto* settings = panel.findChild<QComboBox*>(u"sweepSetting"_qs);
    QStringList items;
    for (int i = 0; i < settings->count(); ++i)
        items << settings->itemText(i);
    QVERIFY2(items.contains(u"settings-dwell.user_page_dwell.threshold_s  (now 60)"_qs), qPrintable(items.join(u'\n')));
    QVERIFY(items.contains(u"proactive.min_interval_s  (now 300)"_qs));
    // Another product: its own settings, and the axes start over.
    QVERIFY(!panel.addAxis(u"proactive.min_interval_s"_qs, u"60"_qs));
    panel.setProduct(m_workspace, "beta");
    QCOMPARE(panel.axisCount(), 0);
    QVERIFY(settings->findText(u"beta-dwell.user_page_dwell.threshold_s  (now 30)"_qs) >= 0);
}

void TestReplaySweep::sweepRunsToCompletion()
{
    const QString path = m_scratch.filePath(u"sweep.jsonl"_qs);
    QVERIFY(writeGeneratedExport(path, 240, 14));
    SessionLibrary library;
    library.setWorkspace(m_workspace);
    QVERIFY(importAndWait(library, { kReplayData + u"/exports"_qs, path }, u"acme"_qs));
    SweepPanel panel(library);
    panel.resize(1300, 620);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.setProduct(m_workspace, "acme");
    QVERIFY(!panel.addAxis(u"user_page_dwell.threshold_s"_qs, u"20,30,45,60,90"_qs));
    QSignalSpy finished(&panel, &SweepPanel::finished);
    QVERIFY(panel.run());
    QVERIFY(panel.isRunning());
    QVERIFY(finished.wait(120'000));
    QCOMPARE(finished.first().first().toBool(), true);
    QVERIFY(panel.result());

    // The panel's numbers are the core's: the same sweep run here directly.
    const auto sessions = copies(library, "acme");
    QCOMPARE(sessions.size(), std::size_t(248));
    const std::vector<SweepAxis> axes { *SweepAxis::parse("user_page_dwell.threshold_s=20,30,45,60,90") };
    const auto expected = runSweep(m_workspace, "acme", sessions, ReplaySettings {}, axes);
    QVERIFY(expected);
    const SweepResult& result = *panel.result();
    QCOMPARE(result.points.size(), std::size_t(5));
    auto* reach = qobject_cast<QLineSeries*>(panel.chartView()->chart()->series().value(0));
    auto* median = qobject_cast<QLineSeries*>(panel.chartView()->chart()->series().value(1));
    QVERIFY(reach && median);
    QCOMPARE(reach->count(), 5);
    QCOMPARE(panel.table()->rowCount(), 5);
    for (std::size_t p = 0; p < result.points.size(); ++p) {
        const BatchTotals& got = result.points[p].totals;
        const BatchTotals& want = expected->points[p].totals;
        QCOMPARE(got.sessionsReached, want.sessionsReached);
        QCOMPARE(got.firings, want.firings);
        QCOMPARE(got.timeToFirstOfferS, want.timeToFirstOfferS);
        const int row = static_cast<int>(p);
        QCOMPARE(panel.table()->item(row, 0)->text(), QString::fromStdString(formatSettingValue(axes[0].values[p])));
        QVERIFY(panel.table()->item(row, 1)->text().startsWith(u"%1 / 248"_qs.arg(want.sessionsReached)));
        QCOMPARE(reach->at(row), QPointF(axes[0].values[p], want.reachedRate() * 100));
    }
    // A longer dwell never reaches more sessions.
    for (std::size_t p = 1; p < result.points.size(); ++p)
        QVERIFY(result.points[p].totals.sessionsReached <= result.points[p - 1].totals.sessionsReached);
    QVERIFY(result.points.front().totals.sessionsReached > result.points.back().totals.sessionsReached);
    QVERIFY(panel.statusText().startsWith(u"5 point(s) × 248 session(s)"_qs));
    QVERIFY(saveScreenshot(panel, u"sweep-chart.png"_qs));
}

void TestReplaySweep::refusesWithoutSessions()
{
    SessionLibrary library;
    library.setWorkspace(m_workspace);
    SweepPanel panel(library);
    panel.setProduct(m_workspace, "acme");
    QVERIFY(!panel.run());
    QVERIFY(panel.statusText().startsWith(u"Add a setting"_qs));
    QVERIFY(!panel.addAxis(u"user_page_dwell.threshold_s"_qs, u"30"_qs));
    QVERIFY(!panel.run());
    QVERIFY2(panel.statusText().contains(u"No sessions of acme"_qs), qPrintable(panel.statusText()));
}

void TestReplaySweep::cancelStopsALongSweep()
{
    const QString path = m_scratch.filePath(u"long.jsonl"_qs);
    QVERIFY(writeGeneratedExport(path, 2500, 40));
    SessionLibrary library;
    library.setWorkspace(m_workspace);
    QVERIFY(importAndWait(library, { path }, u"acme"_qs));
    SweepPanel panel(library);
    panel.setProduct(m_workspace, "acme");
    QVERIFY(!panel.addAxis(u"user_page_dwell.threshold_s"_qs, u"10:80:10"_qs));
    QSignalSpy finished(&panel, &SweepPanel::finished);
    QVERIFY(panel.run());
    QVERIFY(!panel.run()); // one at a time
    TRY_VERIFY_WITH_TIMEOUT(panel.findChild<QProgressBar*>(u"sweepProgress"_qs)->value() > 0, 60'000);
    panel.findChild<QPushButton*>(u"cancelSweep"_qs)->click();
    QVERIFY(finished.wait(60'000));
    QCOMPARE(finished.first().first().toBool(), false);
    QVERIFY(!panel.isRunning());
    QVERIFY(!panel.result());
    QCOMPARE(panel.statusText(), u"Sweep cancelled"_qs);
    QVERIFY(panel.findChild<QPushButton*>(u"runSweep"_qs)->isEnabled());
}

QTEST_MAIN(TestReplaySweep)
#include "tst_replaysweep.moc"
