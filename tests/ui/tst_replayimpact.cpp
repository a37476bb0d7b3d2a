// The studio's Impact tab (issue 18): a generated corpus with a planted
// effect imported into the library, measured on a worker thread; the panel
// shows what the core computes (the same numbers as computeImpact over the
// same replay) and draws it; a product without a goal cannot run.

#include "corpus/sessiongenerator.h"
#include "replay/impactpanel.h"
#include "replaytesting.h"

#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>

using namespace proactive;
using namespace proactive::testing;
using proactive::ui::ImpactPanel;
using proactive::ui::ReplayWorkbench;

namespace {
const QString kDemo = QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace");
const QString kImpactData = QStringLiteral(PROACTIVE_TEST_DATA "/impact");
} // namespace

class TestReplayImpact final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void measuresThePlantedEffect();
    void withoutAGoalNothingRuns();
    void screenshot();

private:
    bool makeWorkspace(const QString& products, std::size_t sessions);
    bool measure();

    std::unique_ptr<QTemporaryDir> m_scratch;
    std::unique_ptr<ReplayWorkbench> m_workbench;
    ImpactPanel* m_impact = nullptr;
};

void TestReplayImpact::init()
{
    m_scratch = std::make_unique<QTemporaryDir>();
    m_workbench = std::make_unique<ReplayWorkbench>();
    m_workbench->resize(1500, 760);
    m_impact = m_workbench->impactPanel();
    QVERIFY(m_impact);
}

void TestReplayImpact::cleanup()
{
    m_workbench.reset();
    m_impact = nullptr;
}

bool TestReplayImpact::makeWorkspace(const QString& products, std::size_t sessions)
{
    const QString root = m_scratch->path();
    if (!QDir().mkpath(root + u"/triggers"_qs) || !QFile::copy(products, root + u"/products.json"_qs)
        || !QFile::copy(kDemo + u"/triggers/demo.json"_qs, root + u"/triggers/demo.json"_qs))
        return false;
    CorpusOptions options;
    options.token = "phc_demo_acme_projects";
    options.sessions = sessions;
    options.seed = 5;
    options.effect = PlantedEffect {};
    if (!writeCorpus(generateCorpus(options), (root + u"/generated"_qs).toStdString()))
        return false;
    m_workbench->setWorkspace(loadWorkspace(root), u"demo"_qs);
    return importAndWait(m_workbench->library(), { root + u"/generated/sessions"_qs });
}

bool TestReplayImpact::measure()
{
    QSignalSpy finished(m_impact, &ImpactPanel::finished);
    if (!m_impact->run())
        return false;
    return finished.wait(120'000) && finished.first().first().toBool();
}

void TestReplayImpact::measuresThePlantedEffect()
{
    QVERIFY(makeWorkspace(kImpactData + u"/too-small/products.json"_qs, 1000));
    QVERIFY(m_impact->findChild<QPushButton*>(u"runImpact"_qs)->isEnabled());
    QVERIFY(measure());
    const ImpactReport* report = m_impact->result();
    QVERIFY(report);
    QCOMPARE(report->source, ExposureSource::Recorded);
    QCOMPARE(report->triggers.size(), std::size_t(1));
    const TriggerImpact& trigger = report->triggers.front();

    // The same numbers as the core over the library's sessions (recorded exposures need no replay).
    const auto sessions = copies(m_workbench->library(), "demo");
    const auto expected = computeImpact(*loadWorkspace(m_scratch->path()), sessions, {});
    QVERIFY(expected);
    QCOMPARE(trigger.offered.users, expected->triggers.front().offered.users);
    QCOMPARE(trigger.offered.reached, expected->triggers.front().offered.reached);
    QCOMPARE(trigger.heldOut.users, expected->triggers.front().heldOut.users);
    QCOMPARE(trigger.heldOut.reached, expected->triggers.front().heldOut.reached);
    QVERIFY(trigger.difference);
    QVERIFY(trigger.difference->lower <= 0.15 && 0.15 <= trigger.difference->upper);

    QTableWidget* table = m_impact->table();
    QCOMPARE(table->rowCount(), 2);
    QCOMPARE(table->item(0, 0)->text(), u"create-project-hesitation"_qs);
    QCOMPARE(table->item(0, 1)->text(), u"offered"_qs);
    QCOMPARE(table->item(0, 2)->text(), QString::number(trigger.offered.users));
    QCOMPARE(table->item(1, 1)->text(), u"held out"_qs);
    QCOMPARE(table->item(1, 3)->text(), QString::number(trigger.heldOut.reached));
    QVERIFY(table->item(0, 8)->text().contains(QString::fromStdString(verdictText(trigger))));
    QVERIFY(m_impact->chart()->sizeHint().height() > 60);
}

void TestReplayImpact::withoutAGoalNothingRuns()
{
    QVERIFY(makeWorkspace(kDemo + u"/products.json"_qs, 20));
    QVERIFY(!m_impact->findChild<QPushButton*>(u"runImpact"_qs)->isEnabled());
    QVERIFY(!m_impact->run());
    QVERIFY(m_impact->statusText().contains(u"no goal"_qs));
    QVERIFY(!m_impact->result());
}

void TestReplayImpact::screenshot()
{
    QVERIFY(makeWorkspace(kImpactData + u"/too-small/products.json"_qs, 400));
    m_workbench->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_workbench.get()));
    m_workbench->setCurrentWidget(m_impact);
    QVERIFY(measure());
    QVERIFY(saveScreenshot(*m_workbench, u"replay-impact.png"_qs));
}

QTEST_MAIN(TestReplayImpact)
#include "tst_replayimpact.moc"
