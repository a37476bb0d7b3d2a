// The batch replay's HTML report (issue 8) opened in a real QtWebEngine
// view: it loads from a file without a console error, runs no script,
// fetches nothing, and its charts and timelines — with the ground truth's
// section, label bands and precision/recall chart, and the impact section —
// are laid out with real size.
// A screenshot goes to the artifacts folder for a person to look at.

#include "eventwait.h"
#include "groundtruth/labelset.h"
#include "replay/replayjob.h"
#include "replay/replayreport.h"
#include "webpagetesting.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWebEnginePage>
#include <QWebEngineProfile>
#include <QWebEngineView>
#include <memory>
#include <nlohmann/json.hpp>

using proactive::testing::ConsolePage;
using proactive::testing::evaluateJson;
using namespace proactive;

namespace {

const QString kData = QStringLiteral(PROACTIVE_TEST_DATA "/replay");
constexpr int kLoadTimeoutMs = 30'000;

} // namespace

class TestReplayReport final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void opensWithoutErrors();
    void layout_data();
    void layout();

private:
    QTemporaryDir m_dir;
    QString m_file;
    std::size_t m_sessions = 0;
    QStringList m_console;
    std::unique_ptr<QWebEngineProfile> m_profile;
    std::unique_ptr<ConsolePage> m_page;
    std::unique_ptr<QWebEngineView> m_view;
};

void TestReplayReport::initTestCase()
{
    // Every part of the report: imports with problems, dismissals and
    // cooldowns, a sweep and a diff.
    QVERIFY(QDir::setCurrent(kData));
    Diagnostics diagnostics;
    ReplayJob job;
    // With a goal for acme (issue 18), which changes no decision: the Impact section too.
    QFile productsFile(u"workspace/products.json"_qs);
    QVERIFY(productsFile.open(QIODevice::ReadOnly));
    auto products = nlohmann::json::parse(productsFile.readAll().toStdString());
    for (auto& product : products)
        if (product["product_id"] == "acme")
            product["goal"] = { { "type", "click" }, { "url_prefix", "/projects" } };
    job.workspace
        = std::make_shared<const Workspace>(Workspace::fromJson(products, "workspace", "products.json", diagnostics));
    QVERIFY(diagnostics.empty());
    job.workspaceLabel = "workspace";
    job.inputs = { "exports" };
    job.productId = "acme";
    job.settings.policy = *ResponsePolicy::parse("dismiss:5");
    job.sweep = { *SweepAxis::parse("user_page_dwell.threshold_s=30,60,90") };
    job.diffTriggers = "golden/exports-dismiss-sweep-diff/other-triggers.json";
    // Ground truth: a hit, a false offer, a miss, an expectation that passes and one that fails.
    auto labels = std::make_shared<LabelSet>();
    labels->add(nlohmann::json::parse(R"({"sessions": [
        {"session_id": "s-api-1", "ranges": [{"kind": "help_wanted", "from": 10, "to": 40, "answer": "ping-pong"}],
         "expect": [{"expect": "fires", "trigger": "ping-pong", "to": 30}]},
        {"session_id": "s-hook-3", "fully_labelled": true, "ranges": [{"kind": "no_help", "from": 0, "to": 100}],
         "expect": [{"expect": "no_offer"}]},
        {"session_id": "s-csv-1", "ranges": [{"kind": "help_wanted", "from": 0, "to": 10}]}]})"),
        "labels/report.json", diagnostics);
    QVERIFY(diagnostics.empty());
    job.labels = labels;
    auto run = runReplayJob(job);
    QVERIFY2(run.ok(), run.ok() ? "" : run.error().toString().c_str());
    m_sessions = run->import.sessions.size();
    QVERIFY(m_sessions > 0);
    const std::string html = renderHtmlReport(run->report(job));
    m_file = m_dir.filePath(u"report.html"_qs);
    QFile file(m_file);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(html.data(), static_cast<qint64>(html.size()));
    file.close();

    m_profile = std::make_unique<QWebEngineProfile>();
    m_page = std::make_unique<ConsolePage>(m_profile.get(), &m_console);
    m_view = std::make_unique<QWebEngineView>();
    m_view->setPage(m_page.get());
    m_view->resize(1200, 900);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    QSignalSpy loaded(m_page.get(), &QWebEnginePage::loadFinished);
    m_page->load(QUrl::fromLocalFile(m_file));
    QVERIFY(proactive::testing::waitFor([&] { return !loaded.isEmpty(); }, kLoadTimeoutMs));
    QVERIFY(loaded.first().first().toBool());
}

void TestReplayReport::cleanup()
{
    if (QTest::currentTestFailed())
        qWarning().noquote() << u"browser console:\n  "_qs + m_console.join(u"\n  "_qs);
}

void TestReplayReport::opensWithoutErrors()
{
    QVERIFY2(m_console.isEmpty(), qPrintable(m_console.join(u'\n')));
    QCOMPARE(evaluateJson(*m_page, u"document.scripts.length"_qs).toInt(), 0);
    // Nothing was fetched: no image, stylesheet, font or frame.
    QCOMPARE(evaluateJson(*m_page, u"performance.getEntriesByType('resource').length"_qs).toInt(), 0);
    QCOMPARE(evaluateJson(*m_page, u"document.querySelectorAll('svg.timeline').length"_qs).toInt(),
        static_cast<int>(m_sessions));
    QCOMPARE(evaluateJson(*m_page, u"document.title"_qs).toString(), u"Replay report: %1 sessions"_qs.arg(m_sessions));
    // The cooldowns' hatch pattern, defined once, resolves from every timeline.
    QVERIFY(evaluateJson(*m_page, u"document.querySelectorAll('rect.cooldown').length > 0"_qs).toBool());
    QVERIFY(evaluateJson(*m_page, u"!!document.getElementById('hatch')"_qs).toBool());
    // Each offer of a labelled session marked with its verdict: the hit in s-api-1, the false offer in s-hook-3.
    QCOMPARE(evaluateJson(*m_page,
                 u"[...document.querySelectorAll('svg.timeline text.verdict')].map(e => "
                 "e.firstChild.nodeValue).join('')"_qs)
                 .toString(),
        u"✓✗"_qs);

#ifdef PROACTIVE_ARTIFACT_DIR
    const QString shot = QStringLiteral(PROACTIVE_ARTIFACT_DIR "/replay-report.png");
    if (m_view->grab().save(shot))
        qInfo("screenshot: %s", qPrintable(shot));
    // And the timelines.
    evaluateJson(*m_page, u"document.getElementById('sessions').scrollIntoView(), window.scrollY"_qs);
    QVERIFY(
        proactive::testing::waitFor([&] { return evaluateJson(*m_page, u"window.scrollY"_qs).toDouble() > 0; }, 5'000));
    // Only the picture waits for the compositor to draw the scrolled page; no assertion depends on it.
    QTest::qWait(300);
    const QString timelines = QStringLiteral(PROACTIVE_ARTIFACT_DIR "/replay-report-timelines.png");
    if (m_view->grab().save(timelines))
        qInfo("screenshot: %s", qPrintable(timelines));
    evaluateJson(*m_page, u"document.getElementById('ground-truth').scrollIntoView(), window.scrollY"_qs);
    QTest::qWait(300);
    const QString truth = QStringLiteral(PROACTIVE_ARTIFACT_DIR "/replay-report-ground-truth.png");
    if (m_view->grab().save(truth))
        qInfo("screenshot: %s", qPrintable(truth));
    evaluateJson(*m_page, u"document.getElementById('impact').scrollIntoView(), window.scrollY"_qs);
    QTest::qWait(300);
    const QString impact = QStringLiteral(PROACTIVE_ARTIFACT_DIR "/replay-report-impact.png");
    if (m_view->grab().save(impact))
        qInfo("screenshot: %s", qPrintable(impact));
#endif
}

void TestReplayReport::layout_data()
{
    QTest::addColumn<QString>("selector");
    QTest::addColumn<int>("count");

    QTest::newRow("totals-cards") << u"#totals .card"_qs << 6;
    QTest::newRow("trigger-chart") << u"svg.chart-triggers"_qs << 1;
    QTest::newRow("first-offer-chart") << u"svg.chart-first-offer"_qs << 1;
    QTest::newRow("skip-reason-chart") << u"svg.chart-skip-reasons"_qs << 1;
    QTest::newRow("sweep-charts") << u"svg.sweep-chart"_qs << 2;
    QTest::newRow("diff-table") << u"#diff table"_qs << 1;
    QTest::newRow("ground-truth-cards") << u"#ground-truth .card"_qs << 6;
    QTest::newRow("ground-truth-tables") << u"#ground-truth table"_qs << 2; // per trigger, expectations
    QTest::newRow("failed-expectation") << u"#ground-truth tr.fail"_qs << 1;
    QTest::newRow("label-bands") << u"svg.timeline rect.label"_qs << 3;
    QTest::newRow("precision-recall-chart") << u"svg.pr-chart"_qs << 1;
    QTest::newRow("import-problems") << u"#import table"_qs << 1;
    QTest::newRow("impact-rates-chart") << u"#impact svg.chart-impact-rates"_qs << 1;
    QTest::newRow("impact-difference-chart") << u"#impact svg.chart-impact-difference"_qs << 1;
    QTest::newRow("impact-table") << u"#impact table"_qs << 1;
}

void TestReplayReport::layout()
{
    QFETCH(QString, selector);
    QFETCH(int, count);
    const QJsonArray boxes = evaluateJson(*m_page,
        uR"([...document.querySelectorAll('%1')].map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; }))"_qs
            .arg(selector))
                                 .toArray();
    QCOMPARE(boxes.size(), count);
    for (const auto& box : boxes) {
        QVERIFY2(box.toArray().at(0).toDouble() > 10, qPrintable(selector));
        QVERIFY2(box.toArray().at(1).toDouble() > 10, qPrintable(selector));
    }
}

QTEST_MAIN(TestReplayReport)
#include "tst_replayreport.moc"
