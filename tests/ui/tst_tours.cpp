// Tours in a real QtWebEngine page on the bundled demo product, served the
// way the studio serves it: the runner's start rules (SPEC §7), the overlay
// (placement, flipping, following the target, route changes, keyboard and
// buttons), the signals the studio turns into tour_completed and
// tour_abandoned, and the element picker. Mouse and keyboard input are real
// Qt events on the view. Every wait is on a condition.

#include "cssselector.h"
#include "elementpicker.h"
#include "eventwait.h"
#include "pagebridge.h"
#include "staticsiteserver.h"
#include "tourcatalog.h"
#include "tourdocument.h"
#include "toureditor.h"
#include "tourrunner.h"
#include "webpagetesting.h"
#include "workspace/workspace.h"

#include <QElapsedTimer>
#include <QImage>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWebEngineProfile>
#include <QWebEngineView>
#include <memory>
#include <nlohmann/json.hpp>

using namespace proactive;
using namespace proactive::ui;
using proactive::testing::ConsolePage;
using proactive::testing::evaluateJson;

namespace {

const QString kProductDir = QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-product");
const std::string kDemoTours = PROACTIVE_SOURCE_DIR "/resources/demo-workspace/tours";

constexpr int kLoadTimeoutMs = 30'000;
constexpr int kWaitMs = 10'000;

// Tours for the cases the demo catalog has no example of.
const std::string kTestTours = PROACTIVE_TEST_DATA "/tours/runner-tours.json";

TourCatalog testCatalog()
{
    Diagnostics diagnostics;
    const TourCatalog demo = loadTourCatalogDir(kDemoTours, diagnostics);
    const auto text = readTextFile(kTestTours);
    if (!text)
        qFatal("%s", text.error().message.c_str());
    const TourCatalog extra = parseTourCatalog(nlohmann::json::parse(*text), "runner-tours.json", "", diagnostics);
    std::vector<Tour> tours(demo.tours().begin(), demo.tours().end());
    tours.insert(tours.end(), extra.tours().begin(), extra.tours().end());
    if (!diagnostics.empty())
        qFatal("%s", diagnostics.front().toString().c_str());
    return TourCatalog(std::move(tours));
}

QPoint centreOf(const QJsonValue& rect)
{
    const QJsonObject r = rect.toObject();
    return QPoint(qRound(r[u"x"].toDouble() + r[u"width"].toDouble() / 2),
        qRound(r[u"y"].toDouble() + r[u"height"].toDouble() / 2));
}

QRectF rectOf(const QJsonValue& rect)
{
    const QJsonObject r = rect.toObject();
    return { r[u"x"].toDouble(), r[u"y"].toDouble(), r[u"width"].toDouble(), r[u"height"].toDouble() };
}

} // namespace

class TestTours final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void startOnRoute();
    void startAfterNavigationWaitsForLateTarget();
    void navigationWithoutReload();
    void parameterisedRouteStartsInPlace();
    void parameterisedRouteOnItsPage();
    void unknownTour();
    void missingTargetIsReported();
    void missingLaterTargetAbandons();
    void targetProblemsAreReported_data();
    void targetProblemsAreReported();
    void escapeAbandons();
    void closeButtonAbandons();
    void nextBackAndDone();
    void enterCompletes();
    void startingAnotherReplaces();
    void stopAbandons();
    void placementFlips_data();
    void placementFlips();
    void followsTargetOnResize();
    void survivesRouteChange();
    void pageReloadAbandons();
    void insideModalDialog();
    void previewShowsOneStep();
    void pickerPrefersDataTourId_data();
    void pickerPrefersDataTourId();
    void pickerUniqueSelectorElsewhere_data();
    void pickerUniqueSelectorElsewhere();
    void pickerEscapeCancels();
    void editorAddsPickedStep();
    void screenshot();

private:
    bool load(const QString& path);
    QJsonObject state();
    QJsonValue isolated(const QString& expression);
    QString pathname();
    void click(const QPoint& point);
    void key(Qt::Key key);

    StaticSiteServer m_server;
    QStringList m_console;
    std::unique_ptr<QWebEngineProfile> m_profile;
    std::unique_ptr<ConsolePage> m_page;
    std::unique_ptr<QWebEngineView> m_view;
    PageBridge* m_bridge = nullptr;
    TourRunner* m_runner = nullptr;
    ElementPicker* m_picker = nullptr;
};

void TestTours::initTestCase()
{
    QVERIFY(m_server.start(kProductDir));
    m_profile = std::make_unique<QWebEngineProfile>();
    m_page = std::make_unique<ConsolePage>(m_profile.get(), &m_console);
    // The bridge's objects reach documents loaded after they are registered.
    m_bridge = new PageBridge(m_page.get(), this);
    m_runner = new TourRunner(m_bridge, this);
    m_runner->setCatalog(testCatalog());
    m_picker = new ElementPicker(m_bridge, this);
    m_view = std::make_unique<QWebEngineView>();
    m_view->setPage(m_page.get());
    m_view->resize(1280, 800);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
}

void TestTours::init()
{
    m_console.clear();
    m_runner->setTargetTimeout(std::chrono::milliseconds(5000));
    m_view->resize(1280, 800);
}

void TestTours::cleanup()
{
    m_runner->stop();
    m_picker->cancel();
    if (QTest::currentTestFailed())
        qWarning().noquote() << u"browser console:\n  "_qs + m_console.join(u"\n  "_qs);
}

// A full page load; ready once the router rendered and the runtime is in.
bool TestTours::load(const QString& path)
{
    QSignalSpy loaded(m_page.get(), &QWebEnginePage::loadFinished);
    m_page->load(m_server.url(path));
    if (!proactive::testing::waitFor([&] { return !loaded.isEmpty(); }, kLoadTimeoutMs)
        || !loaded.first().first().toBool())
        return false;
    return proactive::testing::waitFor(
        [&] {
            return evaluateJson(*m_page, u"document.querySelector('main').childElementCount"_qs).toInt() > 0
                && isolated(u"!!window.proactiveTours && !!window.proactivePicker"_qs).toBool();
        },
        kWaitMs);
}

QJsonValue TestTours::isolated(const QString& expression)
{
    return evaluateJson(*m_page, expression, kWaitMs, PageBridge::kWorldId);
}

QJsonObject TestTours::state()
{
    return isolated(u"proactiveTours.state()"_qs).toObject();
}

QString TestTours::pathname()
{
    return evaluateJson(*m_page, u"location.pathname"_qs).toString();
}

void TestTours::click(const QPoint& point)
{
    QTest::mouseClick(m_view->focusProxy(), Qt::LeftButton, {}, point);
}

void TestTours::key(Qt::Key key)
{
    QTest::keyClick(m_view->focusProxy(), key);
}

void TestTours::startOnRoute()
{
    QVERIFY(load(u"/projects"_qs));
    const int documents = m_server.documentsServed();
    QSignalSpy started(m_runner, &TourRunner::started);
    QSignalSpy shown(m_runner, &TourRunner::stepShown);
    QSignalSpy progressed(m_runner, &TourRunner::progressed);
    m_runner->start(u"create-project"_qs);
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, kWaitMs);
    QCOMPARE(started.size(), 1);
    QCOMPARE(started.first().first().toString(), u"create-project"_qs);
    QCOMPARE(shown.first(), (QVariantList { u"create-project"_qs, 0, 1 }));
    QVERIFY(m_runner->isRunning());
    // What the connector is told (issue 18): step 1 of 1 on its one match.
    QCOMPARE(progressed.size(), 1);
    const auto progress = progressed.first().first().value<TourProgress>();
    QCOMPARE(progress.kind, TourProgress::Kind::StepShown);
    QCOMPARE(progress.tourId, std::string("create-project"));
    QCOMPARE(progress.step, 1);
    QCOMPARE(progress.steps, 1);
    QCOMPARE(progress.selector, std::string("[data-tour-id=\"add-project-btn\"]"));
    QCOMPARE(progress.matches, 1);

    const QJsonObject s = state();
    QCOMPARE(s[u"title"].toString(), u"Create a project"_qs);
    QCOMPARE(s[u"progress"].toString(), u"Step 1 of 1"_qs);
    QCOMPARE(s[u"nextLabel"].toString(), u"Done"_qs);
    QCOMPARE(s[u"backShown"].toBool(), false);
    QCOMPARE(s[u"placement"].toString(), u"bottom"_qs);
    // The highlighted element is the tour's target, and the popover is below it.
    const QRectF target = rectOf(s[u"target"]);
    const QRectF button = rectOf(evaluateJson(*m_page,
        u"(() => { const r = document.querySelector('[data-tour-id=\"add-project-btn\"]')"
        ".getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height}; })()"_qs));
    QCOMPARE(target, button);
    const QRectF popover = rectOf(s[u"popover"]);
    QVERIFY2(popover.top() >= target.bottom(),
        qPrintable(u"popover at %1, target bottom %2"_qs.arg(popover.top()).arg(target.bottom())));
    QVERIFY(QRectF(0, 0, 1280, 800).contains(popover));
    QCOMPARE(pathname(), u"/projects"_qs);
    QCOMPARE(m_server.documentsServed(), documents);
    // The scenario player's probe sees the same step, 1-based.
    const QJsonObject probe = isolated(u"proactiveProbes.tourStep()"_qs).toObject();
    QCOMPARE(probe[u"tourId"].toString(), u"create-project"_qs);
    QCOMPARE(probe[u"step"].toInt(), 1);
}

// The tutorial waits a fixed 400 ms after navigating; the runner waits for
// the target itself, which here mounts 1.2 s after the route rendered.
void TestTours::startAfterNavigationWaitsForLateTarget()
{
    QVERIFY(load(u"/settings/account"_qs));
    QSignalSpy shown(m_runner, &TourRunner::stepShown);
    QSignalSpy failed(m_runner, &TourRunner::failed);
    evaluateJson(*m_page, uR"(setTimeout(() => {
        const late = document.createElement('button');
        late.dataset.test = 'late';
        late.textContent = 'Late';
        document.querySelector('main').append(late);
    }, 1200))"_qs);
    QElapsedTimer timer;
    timer.start();
    m_runner->start(u"late-target"_qs);
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, kWaitMs);
    QVERIFY2(timer.elapsed() >= 1000, qPrintable(QString::number(timer.elapsed())));
    QVERIFY(failed.isEmpty());
    QCOMPARE(pathname(), u"/projects"_qs);
    QCOMPARE(state()[u"targetFound"].toBool(), true);
}

void TestTours::navigationWithoutReload()
{
    QVERIFY(load(u"/projects/apollo"_qs));
    const int documents = m_server.documentsServed();
    QSignalSpy shown(m_runner, &TourRunner::stepShown);
    m_runner->start(u"account-settings"_qs);
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, kWaitMs);
    QCOMPARE(pathname(), u"/settings/account"_qs);
    // The SPA rendered the route itself (history + popstate), no page load.
    QCOMPARE(m_server.documentsServed(), documents);
    QCOMPARE(evaluateJson(*m_page, u"document.title"_qs).toString(), u"Account settings · Acme Projects"_qs);
    QCOMPARE(state()[u"progress"].toString(), u"Step 1 of 4"_qs);
}

void TestTours::parameterisedRouteStartsInPlace()
{
    QVERIFY(load(u"/projects"_qs));
    QSignalSpy shown(m_runner, &TourRunner::stepShown);
    m_runner->start(u"in-place"_qs);
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, kWaitMs);
    QCOMPARE(pathname(), u"/projects"_qs); // no slug to navigate with
    QCOMPARE(state()[u"placement"].toString(), u"right"_qs);
}

void TestTours::parameterisedRouteOnItsPage()
{
    QVERIFY(load(u"/projects/zephyr/"_qs)); // trailing slash matches too
    QSignalSpy shown(m_runner, &TourRunner::stepShown);
    m_runner->start(u"invite-teammate"_qs);
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, kWaitMs);
    QCOMPARE(pathname(), u"/projects/zephyr/"_qs);
    QCOMPARE(state()[u"title"].toString(), u"Project members"_qs);
}

void TestTours::unknownTour()
{
    QVERIFY(load(u"/projects"_qs));
    QSignalSpy failed(m_runner, &TourRunner::failed);
    QSignalSpy started(m_runner, &TourRunner::started);
    m_runner->start(u"delete-everything"_qs);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.first().at(0).toString(), u"delete-everything"_qs);
    QCOMPARE(failed.first().at(1).toString(), QString());
    QVERIFY(failed.first().at(2).toString().contains(u"unknown tour \"delete-everything\""_qs));
    QVERIFY(started.isEmpty());
    QVERIFY(!m_runner->isRunning());
}

void TestTours::missingTargetIsReported()
{
    QVERIFY(load(u"/projects"_qs));
    m_runner->setTargetTimeout(std::chrono::milliseconds(800));
    QSignalSpy failed(m_runner, &TourRunner::failed);
    QSignalSpy started(m_runner, &TourRunner::started);
    QSignalSpy abandoned(m_runner, &TourRunner::abandoned);
    m_runner->start(u"missing-target"_qs);
    TRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, kWaitMs);
    QCOMPARE(failed.first().at(0).toString(), u"missing-target"_qs);
    QCOMPARE(failed.first().at(1).toString(), u"[data-tour-id=\"does-not-exist\"]"_qs);
    QCOMPARE(failed.first().at(2).toString(),
        u"step 1: no element matches [data-tour-id=\"does-not-exist\"] on /projects (waited 0.8 s)"_qs);
    // Never started, so the FSM hears nothing.
    QVERIFY(started.isEmpty());
    QVERIFY(abandoned.isEmpty());
    QVERIFY(!m_runner->isRunning());
    QCOMPARE(state()[u"running"].toBool(), false);
}

void TestTours::targetProblemsAreReported_data()
{
    QTest::addColumn<QString>("tourId");
    QTest::addColumn<bool>("shownFirst"); // the step is shown on the first match
    QTest::addColumn<QString>("problem");
    QTest::addColumn<int>("matches");
    QTest::addColumn<QString>("selector");

    QTest::newRow("not-found") << u"missing-target"_qs << false << u"not_found"_qs << 0
                               << u"[data-tour-id=\"does-not-exist\"]"_qs;
    QTest::newRow("not-visible") << u"hidden-target"_qs << false << u"not_visible"_qs << 1
                                 << u"[data-test=\"hidden\"]"_qs;
    // The demo lists four projects; the step points at the first.
    QTest::newRow("several-matches") << u"several-matches"_qs << true << u"several_matches"_qs << 4
                                     << u"[data-tour-id=\"project-list\"] li.project"_qs;
}

// Each way a step's target can fail reaches the connector with its reason
// and the selector, for "proactive tour target missing".
void TestTours::targetProblemsAreReported()
{
    QFETCH(QString, tourId);
    QFETCH(bool, shownFirst);
    QFETCH(QString, problem);
    QFETCH(int, matches);
    QFETCH(QString, selector);

    QVERIFY(load(u"/projects"_qs));
    evaluateJson(*m_page, uR"((() => {
        const hidden = document.createElement('button');
        hidden.dataset.test = 'hidden';
        hidden.style.display = 'none';
        document.body.append(hidden);
    })())"_qs);
    m_runner->setTargetTimeout(std::chrono::milliseconds(500));
    QSignalSpy progressed(m_runner, &TourRunner::progressed);
    QSignalSpy failed(m_runner, &TourRunner::failed);
    m_runner->start(tourId);
    TRY_COMPARE_WITH_TIMEOUT(progressed.size(), shownFirst ? 2 : 1, kWaitMs);
    if (shownFirst) {
        QCOMPARE(progressed.first().first().value<TourProgress>().kind, TourProgress::Kind::StepShown);
        QVERIFY(failed.isEmpty());
        QVERIFY(m_runner->isRunning());
    } else {
        QCOMPARE(failed.size(), 1);
    }
    const auto missing = progressed.last().first().value<TourProgress>();
    QCOMPARE(missing.kind, TourProgress::Kind::TargetMissing);
    QVERIFY(missing.problem);
    QCOMPARE(QString::fromStdString(std::string(nameOf(*missing.problem))), problem);
    QCOMPARE(missing.matches, matches);
    QCOMPARE(QString::fromStdString(missing.selector), selector);
    QCOMPARE(missing.tourId, tourId.toStdString());
    QCOMPARE(missing.step, 1);
    QCOMPARE(missing.steps, 1);
}

void TestTours::missingLaterTargetAbandons()
{
    QVERIFY(load(u"/projects"_qs));
    m_runner->setTargetTimeout(std::chrono::milliseconds(500));
    QSignalSpy shown(m_runner, &TourRunner::stepShown);
    QSignalSpy failed(m_runner, &TourRunner::failed);
    QSignalSpy abandoned(m_runner, &TourRunner::abandoned);
    m_runner->start(u"missing-second"_qs);
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, kWaitMs);
    key(Qt::Key_Right);
    TRY_COMPARE_WITH_TIMEOUT(abandoned.size(), 1, kWaitMs);
    QCOMPARE(failed.size(), 1);
    QVERIFY(failed.first().at(2).toString().startsWith(u"step 2: no element matches"_qs));
    QCOMPARE(abandoned.first(), (QVariantList { u"missing-second"_qs, 0, u"target-missing"_qs }));
}

void TestTours::escapeAbandons()
{
    QVERIFY(load(u"/projects"_qs));
    QSignalSpy shown(m_runner, &TourRunner::stepShown);
    QSignalSpy abandoned(m_runner, &TourRunner::abandoned);
    QSignalSpy completed(m_runner, &TourRunner::completed);
    m_runner->start(u"find-project"_qs);
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, kWaitMs);
    key(Qt::Key_Escape);
    TRY_COMPARE_WITH_TIMEOUT(abandoned.size(), 1, kWaitMs);
    QCOMPARE(abandoned.first(), (QVariantList { u"find-project"_qs, 0, u"escape"_qs }));
    QVERIFY(completed.isEmpty());
    QVERIFY(!m_runner->isRunning());
    QCOMPARE(state()[u"running"].toBool(), false);
}

void TestTours::closeButtonAbandons()
{
    QVERIFY(load(u"/projects"_qs));
    QSignalSpy shown(m_runner, &TourRunner::stepShown);
    QSignalSpy abandoned(m_runner, &TourRunner::abandoned);
    m_runner->start(u"find-project"_qs);
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, kWaitMs);
    click(centreOf(state()[u"buttons"].toObject()[u"close"]));
    TRY_COMPARE_WITH_TIMEOUT(abandoned.size(), 1, kWaitMs);
    QCOMPARE(abandoned.first(), (QVariantList { u"find-project"_qs, 0, u"close"_qs }));
}

void TestTours::nextBackAndDone()
{
    QVERIFY(load(u"/projects"_qs));
    QSignalSpy shown(m_runner, &TourRunner::stepShown);
    QSignalSpy completed(m_runner, &TourRunner::completed);
    QSignalSpy abandoned(m_runner, &TourRunner::abandoned);
    m_runner->start(u"find-project"_qs);
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, kWaitMs);
    QCOMPARE(state()[u"nextLabel"].toString(), u"Next"_qs);

    click(centreOf(state()[u"buttons"].toObject()[u"next"]));
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 2, kWaitMs);
    QCOMPARE(shown.last(), (QVariantList { u"find-project"_qs, 1, 2 }));
    QJsonObject s = state();
    QCOMPARE(s[u"progress"].toString(), u"Step 2 of 2"_qs);
    QCOMPARE(s[u"nextLabel"].toString(), u"Done"_qs);
    QCOMPARE(s[u"backShown"].toBool(), true);

    click(centreOf(s[u"buttons"].toObject()[u"back"]));
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 3, kWaitMs);
    QCOMPARE(shown.last(), (QVariantList { u"find-project"_qs, 0, 2 }));

    key(Qt::Key_Right);
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 4, kWaitMs);
    key(Qt::Key_Left);
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 5, kWaitMs);
    QCOMPARE(shown.last().at(1).toInt(), 0);
    key(Qt::Key_Right);
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 6, kWaitMs);
    // ArrowRight on the last step does not finish the tour; Done does.
    key(Qt::Key_Right);
    proactive::testing::wait(100);
    QVERIFY(completed.isEmpty());
    click(centreOf(state()[u"buttons"].toObject()[u"next"]));
    TRY_COMPARE_WITH_TIMEOUT(completed.size(), 1, kWaitMs);
    QCOMPARE(completed.first().first().toString(), u"find-project"_qs);
    QVERIFY(abandoned.isEmpty());
    QVERIFY(!m_runner->isRunning());
    QCOMPARE(state()[u"running"].toBool(), false);
}

void TestTours::enterCompletes()
{
    QVERIFY(load(u"/projects"_qs));
    QSignalSpy shown(m_runner, &TourRunner::stepShown);
    QSignalSpy completed(m_runner, &TourRunner::completed);
    m_runner->start(u"find-project"_qs);
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, kWaitMs);
    key(Qt::Key_Return);
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 2, kWaitMs);
    key(Qt::Key_Return);
    TRY_COMPARE_WITH_TIMEOUT(completed.size(), 1, kWaitMs);
}

void TestTours::startingAnotherReplaces()
{
    QVERIFY(load(u"/projects"_qs));
    QSignalSpy started(m_runner, &TourRunner::started);
    QSignalSpy shown(m_runner, &TourRunner::stepShown);
    QSignalSpy abandoned(m_runner, &TourRunner::abandoned);
    m_runner->start(u"find-project"_qs);
    // Replaced while its first step shows (started comes before the step's target is found).
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, kWaitMs);
    QCOMPARE(started.size(), 1);
    m_runner->start(u"create-project"_qs);
    QCOMPARE(abandoned.size(), 1);
    QCOMPARE(abandoned.first(), (QVariantList { u"find-project"_qs, 0, u"replaced"_qs }));
    TRY_COMPARE_WITH_TIMEOUT(started.size(), 2, kWaitMs);
    QCOMPARE(started.last().first().toString(), u"create-project"_qs);
    TRY_COMPARE_WITH_TIMEOUT(state()[u"tour"].toString(), u"create-project"_qs, kWaitMs);
    QCOMPARE(abandoned.size(), 1); // the page's own report of the replaced run is not repeated
}

void TestTours::stopAbandons()
{
    QVERIFY(load(u"/projects"_qs));
    QSignalSpy started(m_runner, &TourRunner::started);
    QSignalSpy abandoned(m_runner, &TourRunner::abandoned);
    m_runner->start(u"find-project"_qs);
    TRY_COMPARE_WITH_TIMEOUT(started.size(), 1, kWaitMs);
    m_runner->stop();
    QCOMPARE(abandoned.size(), 1);
    QCOMPARE(abandoned.first().at(2).toString(), u"stopped"_qs);
    TRY_COMPARE_WITH_TIMEOUT(state()[u"running"].toBool(), false, kWaitMs);
    QVERIFY(isolated(u"!document.querySelector('proactive-studio-tour')"_qs).toBool());
}

void TestTours::placementFlips_data()
{
    QTest::addColumn<QString>("tourId");
    QTest::addColumn<QString>("placement");
    QTest::newRow("bottom-fits") << u"create-project"_qs << u"bottom"_qs;
    QTest::newRow("bottom-flips-to-top") << u"edge-bottom"_qs << u"top"_qs;
    QTest::newRow("left-flips-to-right") << u"edge-left"_qs << u"right"_qs;
}

void TestTours::placementFlips()
{
    QFETCH(QString, tourId);
    QFETCH(QString, placement);
    QVERIFY(load(u"/projects"_qs));
    QSignalSpy shown(m_runner, &TourRunner::stepShown);
    m_runner->start(tourId);
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, kWaitMs);
    const QJsonObject s = state();
    QCOMPARE(s[u"placement"].toString(), placement);
    const QRectF popover = rectOf(s[u"popover"]);
    const QRectF target = rectOf(s[u"target"]);
    QVERIFY(QRectF(0, 0, 1280, 800).contains(popover));
    QVERIFY2(!popover.intersects(target), qPrintable(u"popover overlaps its target"_qs));
}

void TestTours::followsTargetOnResize()
{
    QVERIFY(load(u"/projects"_qs));
    QSignalSpy shown(m_runner, &TourRunner::stepShown);
    m_runner->start(u"create-project"_qs);
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, kWaitMs);
    const double before = rectOf(state()[u"popover"]).center().x();
    m_view->resize(1000, 800);
    // The button sits at the right end of the header: it moves left, and
    // the popover below it follows.
    TRY_VERIFY_WITH_TIMEOUT(rectOf(state()[u"popover"]).center().x() < before - 100, kWaitMs);
    const QJsonObject s = state();
    QVERIFY(rectOf(s[u"popover"]).top() >= rectOf(s[u"target"]).bottom());
}

void TestTours::survivesRouteChange()
{
    QVERIFY(load(u"/projects"_qs));
    QSignalSpy shown(m_runner, &TourRunner::stepShown);
    QSignalSpy abandoned(m_runner, &TourRunner::abandoned);
    m_runner->start(u"find-project"_qs);
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, kWaitMs);
    // The user leaves the route: the view (and the target) is replaced.
    evaluateJson(*m_page, u"acme.navigate('/settings/account')"_qs);
    TRY_COMPARE_WITH_TIMEOUT(state()[u"targetFound"].toBool(), false, kWaitMs);
    QCOMPARE(state()[u"running"].toBool(), true);
    QVERIFY(isolated(u"!!document.querySelector('proactive-studio-tour')"_qs).toBool());
    // Back on the route, a new element with the same selector is followed.
    evaluateJson(*m_page, u"history.back()"_qs);
    TRY_COMPARE_WITH_TIMEOUT(state()[u"targetFound"].toBool(), true, kWaitMs);
    const QRectF target = rectOf(state()[u"target"]);
    const QRectF search = rectOf(evaluateJson(*m_page,
        u"(() => { const r = document.querySelector('[data-tour-id=\"project-search-input\"]')"
        ".getBoundingClientRect(); return {x: r.x, y: r.y, width: r.width, height: r.height}; })()"_qs));
    QCOMPARE(target, search);
    QVERIFY(abandoned.isEmpty());
}

void TestTours::pageReloadAbandons()
{
    QVERIFY(load(u"/projects"_qs));
    QSignalSpy started(m_runner, &TourRunner::started);
    QSignalSpy abandoned(m_runner, &TourRunner::abandoned);
    m_runner->start(u"find-project"_qs);
    TRY_COMPARE_WITH_TIMEOUT(started.size(), 1, kWaitMs);
    QVERIFY(load(u"/projects"_qs));
    TRY_COMPARE_WITH_TIMEOUT(abandoned.size(), 1, kWaitMs);
    QCOMPARE(abandoned.first(), (QVariantList { u"find-project"_qs, 0, u"page-unloaded"_qs }));
    QVERIFY(!m_runner->isRunning());
}

// A modal <dialog> is in the top layer, above any z-index: the overlay joins
// it there, and stays usable although the rest of the page is inert.
void TestTours::insideModalDialog()
{
    QVERIFY(load(u"/projects"_qs));
    evaluateJson(*m_page, u"document.querySelector('[data-tour-id=\"add-project-btn\"]').click()"_qs);
    TRY_VERIFY_WITH_TIMEOUT(
        evaluateJson(*m_page, u"document.querySelector('dialog.create-project').open"_qs).toBool(), kWaitMs);
    QSignalSpy shown(m_runner, &TourRunner::stepShown);
    QSignalSpy completed(m_runner, &TourRunner::completed);
    m_runner->start(u"in-dialog"_qs);
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, kWaitMs);
    const QJsonObject s = state();
    QCOMPARE(s[u"hostParent"].toString(), u"dialog"_qs);
    const QPoint done = centreOf(s[u"buttons"].toObject()[u"next"]);
    // What a click there hits is the overlay, not the page behind the dialog.
    QCOMPARE(
        evaluateJson(*m_page, u"document.elementFromPoint(%1, %2).localName"_qs.arg(done.x()).arg(done.y())).toString(),
        u"proactive-studio-tour"_qs);
    click(done);
    TRY_COMPARE_WITH_TIMEOUT(completed.size(), 1, kWaitMs);
    QVERIFY(evaluateJson(*m_page, u"document.querySelector('dialog.create-project').open"_qs).toBool());
    evaluateJson(*m_page, u"document.querySelector('dialog.create-project').close()"_qs);
}

void TestTours::previewShowsOneStep()
{
    QVERIFY(load(u"/projects"_qs));
    QSignalSpy started(m_runner, &TourRunner::started);
    QSignalSpy completed(m_runner, &TourRunner::completed);
    QSignalSpy previewShown(m_runner, &TourRunner::previewShown);
    const Tour* tour = m_runner->catalog().find("find-project");
    QVERIFY(tour);
    m_runner->preview(*tour, 1);
    TRY_COMPARE_WITH_TIMEOUT(previewShown.size(), 1, kWaitMs);
    QCOMPARE(previewShown.first(), (QVariantList { u"find-project"_qs, 1 }));
    const QJsonObject s = state();
    QCOMPARE(s[u"progress"].toString(), u"Step 2 of 2 · preview"_qs);
    QCOMPARE(s[u"title"].toString(), u"Open a project"_qs);
    QCOMPARE(s[u"nextLabel"].toString(), u"Done"_qs);
    key(Qt::Key_Return);
    TRY_COMPARE_WITH_TIMEOUT(state()[u"running"].toBool(), false, kWaitMs);
    QVERIFY(started.isEmpty());
    QVERIFY(completed.isEmpty());
}

void TestTours::pickerPrefersDataTourId_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("description");
    QTest::newRow("add-project-button") << u"/projects"_qs << u"[data-tour-id=\"add-project-btn\"]"_qs
                                        << u"button \"Add Project\""_qs;
    QTest::newRow("nav-link") << u"/projects"_qs << u"[data-tour-id=\"nav-account\"]"_qs << u"a \"Account\""_qs;
    QTest::newRow("invite-button") << u"/projects/apollo"_qs << u"[data-tour-id=\"invite-member-btn\"]"_qs
                                   << u"button \"Invite\""_qs;
    QTest::newRow("delete-button") << u"/projects/apollo/settings"_qs << u"[data-tour-id=\"delete-project-btn\"]"_qs
                                   << u"button \"Delete project\""_qs;
}

void TestTours::pickerPrefersDataTourId()
{
    QFETCH(QString, path);
    QFETCH(QString, expected);
    QFETCH(QString, description);
    QVERIFY(load(path));
    const QPoint centre = centreOf(evaluateJson(*m_page,
        u"(() => { const r = document.querySelector(%1).getBoundingClientRect();"
        " return {x: r.x, y: r.y, width: r.width, height: r.height}; })()"_qs.arg(jsLiteral(expected))));
    QSignalSpy picked(m_picker, &ElementPicker::picked);
    m_picker->start();
    TRY_VERIFY_WITH_TIMEOUT(isolated(u"proactivePicker.active()"_qs).toBool(), kWaitMs);
    QTest::mouseMove(m_view->focusProxy(), centre);
    TRY_COMPARE_WITH_TIMEOUT(isolated(u"(proactivePicker.current() || {}).selector"_qs).toString(), expected, kWaitMs);
    const int documents = m_server.documentsServed();
    click(centre);
    TRY_COMPARE_WITH_TIMEOUT(picked.size(), 1, kWaitMs);
    QCOMPARE(picked.first(), (QVariantList { expected, description, 1 }));
    QVERIFY(!m_picker->isActive());
    // The page never saw the click: no dialog, no navigation, no reload.
    QCOMPARE(pathname(), path);
    QCOMPARE(m_server.documentsServed(), documents);
    QVERIFY(!evaluateJson(*m_page, u"document.querySelector('dialog.create-project').open"_qs).toBool());
    QVERIFY(isolated(u"!document.querySelector('proactive-studio-picker')"_qs).toBool());
}

void TestTours::pickerUniqueSelectorElsewhere_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("element"); // how the test finds the element to point at
    QTest::addColumn<QString>("expected"); // empty: any selector naming it alone
    QTest::newRow("heading") << u"/projects"_qs << u"document.querySelector('main h1')"_qs << u"h1"_qs;
    QTest::newRow("project-link") << u"/projects"_qs << u"document.querySelectorAll('.project-link')[1]"_qs
                                  << u"a[href=\"/projects/zephyr\"]"_qs;
    QTest::newRow("third-description") << u"/projects"_qs << u"document.querySelectorAll('.project-description')[2]"_qs
                                       << QString();
    QTest::newRow("member-email") << u"/projects/apollo"_qs << u"document.querySelectorAll('.member-email')[1]"_qs
                                  << QString();
    QTest::newRow("stat-value") << u"/projects/apollo"_qs << u"document.querySelectorAll('.stat-value')[2]"_qs
                                << QString();
    QTest::newRow("brand") << u"/projects"_qs << u"document.querySelector('.brand')"_qs << u"a.brand"_qs;
}

void TestTours::pickerUniqueSelectorElsewhere()
{
    QFETCH(QString, path);
    QFETCH(QString, element);
    QFETCH(QString, expected);
    QVERIFY(load(path));
    const QJsonValue rect = evaluateJson(*m_page,
        u"(() => { const e = %1; e.dataset.pickMe = ''; const r = e.getBoundingClientRect();"
        " return {x: r.x, y: r.y, width: r.width, height: r.height}; })()"_qs.arg(element));
    QVERIFY(rect.isObject());
    QSignalSpy picked(m_picker, &ElementPicker::picked);
    m_picker->start();
    TRY_VERIFY_WITH_TIMEOUT(isolated(u"proactivePicker.active()"_qs).toBool(), kWaitMs);
    QTest::mouseMove(m_view->focusProxy(), centreOf(rect));
    TRY_VERIFY_WITH_TIMEOUT(!isolated(u"proactivePicker.current()"_qs).isNull(), kWaitMs);
    click(centreOf(rect));
    TRY_COMPARE_WITH_TIMEOUT(picked.size(), 1, kWaitMs);
    const QString selector = picked.first().first().toString();
    if (!expected.isEmpty())
        QCOMPARE(selector, expected);
    QVERIFY2(!selector.contains(u"data-pick-me"_qs), qPrintable(selector));
    QVERIFY2(!checkCssSelector(selector.toStdString()), qPrintable(selector));
    QCOMPARE(picked.first().at(2).toInt(), 1);
    // It names that element and only it, in the page the tour will run in.
    QCOMPARE(evaluateJson(*m_page,
                 u"(() => { const all = document.querySelectorAll(%1);"
                 " return all.length === 1 && all[0].hasAttribute('data-pick-me'); })()"_qs.arg(jsLiteral(selector)))
                 .toBool(),
        true);
}

void TestTours::pickerEscapeCancels()
{
    QVERIFY(load(u"/projects"_qs));
    QSignalSpy cancelled(m_picker, &ElementPicker::cancelled);
    QSignalSpy picked(m_picker, &ElementPicker::picked);
    m_picker->start();
    TRY_VERIFY_WITH_TIMEOUT(isolated(u"proactivePicker.active()"_qs).toBool(), kWaitMs);
    QVERIFY(m_picker->isActive());
    key(Qt::Key_Escape);
    TRY_COMPARE_WITH_TIMEOUT(cancelled.size(), 1, kWaitMs);
    QVERIFY(picked.isEmpty());
    QVERIFY(!m_picker->isActive());
    QVERIFY(!isolated(u"proactivePicker.active()"_qs).toBool());
}

// The editor's "Pick element" adds a step targeting what was clicked, and the
// edited file saves valid.
void TestTours::editorAddsPickedStep()
{
    QTemporaryDir workspace;
    QVERIFY(workspace.isValid());
    QVERIFY(QDir(workspace.path()).mkdir(u"tours"_qs));
    const QString file = workspace.filePath(u"tours/demo.json"_qs);
    QVERIFY(QFile::copy(QString::fromStdString(kDemoTours + "/demo.json"), file));
    QFile::setPermissions(file, QFile::ReadOwner | QFile::WriteOwner);

    TourEditor editor;
    editor.setPicker(m_picker);
    editor.setRunner(m_runner);
    editor.openFolder(workspace.filePath(u"tours"_qs));
    editor.selectTour(0); // create-project, one step
    editor.selectStep(0);
    QCOMPARE(editor.document()->stepCount(0), 1);

    QVERIFY(load(u"/projects"_qs));
    const QPoint centre = centreOf(evaluateJson(*m_page,
        u"(() => { const r = document.querySelector('[data-tour-id=\"project-search-input\"]').getBoundingClientRect();"
        " return {x: r.x, y: r.y, width: r.width, height: r.height}; })()"_qs));
    editor.pickElement();
    TRY_VERIFY_WITH_TIMEOUT(isolated(u"proactivePicker.active()"_qs).toBool(), kWaitMs);
    QTest::mouseMove(m_view->focusProxy(), centre);
    TRY_VERIFY_WITH_TIMEOUT(!isolated(u"proactivePicker.current()"_qs).isNull(), kWaitMs);
    click(centre);
    TRY_COMPARE_WITH_TIMEOUT(editor.document()->stepCount(0), 2, kWaitMs);
    QCOMPARE(editor.currentStep(), 1);
    QCOMPARE(editor.document()->stepText(0, 1, StepField::Target), u"[data-tour-id=\"project-search-input\"]"_qs);
    QCOMPARE(editor.document()->stepText(0, 1, StepField::Title), u"Search projects"_qs);

    // Content is left for the author: saving now is refused, the file untouched.
    const QByteArray before = [&] {
        QFile f(file);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }();
    QVERIFY(!editor.save());
    QVERIFY(editor.problemTexts().join(u'\n').contains(u"tours/demo.json:/0/steps/1/content: must not be blank"_qs));
    QFile unchanged(file);
    QVERIFY(unchanged.open(QIODevice::ReadOnly));
    QCOMPARE(unchanged.readAll(), before);

    editor.document()->setStepText(0, 1, StepField::Content, u"Filter the list by name."_qs);
    QVERIFY(editor.save());
    Diagnostics diagnostics;
    const TourCatalog saved = loadTourCatalogDir(workspace.filePath(u"tours"_qs).toStdString(), diagnostics);
    QVERIFY(diagnostics.empty());
    QCOMPARE(saved.find("create-project")->steps.size(), std::size_t(2));

    // Preview the new step where the page is.
    QSignalSpy previewShown(m_runner, &TourRunner::previewShown);
    editor.previewStep();
    TRY_COMPARE_WITH_TIMEOUT(previewShown.size(), 1, kWaitMs);
    QCOMPARE(state()[u"progress"].toString(), u"Step 2 of 2 · preview"_qs);
}

// An artifact to look at: a tour step over the demo product, 1280×800.
void TestTours::screenshot()
{
    QVERIFY(load(u"/projects/apollo/settings"_qs));
    QSignalSpy shown(m_runner, &TourRunner::stepShown);
    m_runner->start(u"project-settings"_qs);
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 1, kWaitMs);
    key(Qt::Key_Right);
    TRY_COMPARE_WITH_TIMEOUT(shown.size(), 2, kWaitMs);
    const QPoint popover = rectOf(state()[u"popover"]).topLeft().toPoint() + QPoint(24, 6);
    // Wait for a frame with the backdrop (dimmed corner) and the white popover.
    QImage image;
    TRY_VERIFY_WITH_TIMEOUT((image = m_view->grab().toImage(),
                                !image.isNull() && qGray(image.pixel(image.width() - 10, image.height() - 10)) < 160
                                    && qGray(image.pixel(popover * m_view->devicePixelRatio())) > 240),
        kWaitMs);
    const QString file = u"/tmp/tour-step.png"_qs;
    QVERIFY2(image.save(file), qPrintable(file));
    qInfo().noquote() << u"screenshot:"_qs << file;
}

QTEST_MAIN(TestTours)
#include "tst_tours.moc"
