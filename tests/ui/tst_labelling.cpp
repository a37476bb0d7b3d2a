// Labelling in the studio (issue 15): a session of a copy of the demo
// workspace replayed in the Replay dock's workbench, a range labelled with a
// real Shift+drag on the timeline and "Help wanted" picked in the menu at the
// mouse, undone and redone with the keyboard, saved with Ctrl+S, and read
// again from the file by a new LabelDocument with the dragged bounds. Then
// the context menu: "Should fire ▸ <trigger>", "Change to …", "Remove
// label". And the loop the labels are for: a range dragged over the moment
// ping-pong fires is a hit in the trigger editor's live metrics at once,
// saved, and an edit of the trigger that stops it firing there turns the
// hit into a miss. Screenshot: replay-labels.png.

#include "eventwait.h"
#include "replay/labeldocument.h"
#include "replay/livemetrics.h"
#include "replay/replaypanel.h"
#include "replay/replaytimeline.h"
#include "replay/replayworkbench.h"
#include "replay/timelinelabeller.h"
#include "replaytesting.h"

#include <QContextMenuEvent>
#include <QMenu>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QWheelEvent>

using namespace proactive;
using namespace proactive::ui;
using namespace proactive::testing;

namespace {

const QString kDemoWorkspace = QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace");
const QString kPingPong = u"0193a1b2-c3d4-7e5f-8a9b-ping00000001"_qs;

// The platform's keys for a standard action (Redo is Ctrl+Y on some, Ctrl+Shift+Z on others).
void press(QWidget* widget, QKeySequence::StandardKey key)
{
    const QKeyCombination keys = QKeySequence(key)[0];
    QTest::keyClick(widget, keys.key(), keys.keyboardModifiers());
}

double seconds(Duration duration)
{
    return std::chrono::duration<double>(duration).count();
}

// What the user picks in a menu: a click on the action, where it is drawn.
void clickAction(QMenu* menu, const QString& text)
{
    QAction* chosen = nullptr;
    for (QAction* action : menu->actions())
        if (action->text() == text)
            chosen = action;
    QVERIFY2(chosen, qPrintable(text));
    QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(chosen).center());
}

} // namespace

class TestLabelling final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void dragLabelsARangeThatSavesAndReloads();
    void contextMenuExpectsChangesAndRemoves();
    void labelsAndATriggerEditMoveTheMetrics();
    void screenshot();

private:
    // The x of a moment (seconds from the session's start) on the timeline,
    // as it draws the whole session: lanes right of the 74 px names, 10 px
    // margin on the right.
    int xOf(double offsetS) const;
    double offsetAt(int x) const;
    QMenu* openMenu() const { return m_panel->labeller()->openMenu(); }

    std::unique_ptr<QTemporaryDir> m_scratch;
    std::unique_ptr<ReplayWorkbench> m_workbench;
    ReplayPanel* m_panel = nullptr;
    ReplayTimeline* m_timeline = nullptr;
};

void TestLabelling::init()
{
    m_scratch = std::make_unique<QTemporaryDir>();
    QVERIFY(copyTree(kDemoWorkspace, m_scratch->path()));
    m_workbench = std::make_unique<ReplayWorkbench>();
    QVERIFY(openDemoSession(*m_workbench, m_scratch->path(), kPingPong));
    m_panel = m_workbench->replayPanel();
    m_timeline = m_panel->timeline();
    QVERIFY(m_timeline->isVisible());
    QVERIFY(m_panel->labelDocument()->isOpen());
    QCOMPARE(m_panel->labelDocument()->displayName(), u"labels/demo.json"_qs);
    m_workbench->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_workbench.get()));
    m_timeline->setFocus();
}

void TestLabelling::cleanup()
{
    m_workbench.reset();
    m_scratch.reset();
}

int TestLabelling::xOf(double offsetS) const
{
    const ReplayRecord& full = *m_panel->fullRecord();
    const double width = m_timeline->width() - 74 - 10;
    const double startS = seconds(full.start - m_panel->session()->summary.start);
    return static_cast<int>(std::lround(74 + (offsetS - startS) / seconds(full.end - full.start) * width));
}

double TestLabelling::offsetAt(int x) const
{
    const ReplayRecord& full = *m_panel->fullRecord();
    const double width = m_timeline->width() - 74 - 10;
    return seconds(full.start - m_panel->session()->summary.start) + (x - 74) / width * seconds(full.end - full.start);
}

void TestLabelling::dragLabelsARangeThatSavesAndReloads()
{
    LabelDocument* document = m_panel->labelDocument();
    QSignalSpy labelsChanged(document, &LabelDocument::changed);
    const Timestamp before = m_panel->replay()->now();
    const double length = seconds(m_panel->session()->summary.duration);
    QVERIFY(length > 10);

    // A real drag across the User lane, Shift held: no seek, a range.
    const int y = m_timeline->height() / 2;
    const QPoint from(xOf(length * 0.25), y);
    const QPoint to(xOf(length * 0.6), y);
    QTest::mousePress(m_timeline, Qt::LeftButton, Qt::ShiftModifier, from);
    for (int x = from.x() + 10; x < to.x(); x += 10)
        QTest::mouseMove(m_timeline, QPoint(x, y));
    QTest::mouseMove(m_timeline, to);
    QTest::mouseRelease(m_timeline, Qt::LeftButton, Qt::ShiftModifier, to);
    QCOMPARE(m_panel->replay()->now(), before);
    QMenu* menu = openMenu();
    QVERIFY(menu);
    QVERIFY(QTest::qWaitForWindowExposed(menu));
    clickAction(menu, u"Help wanted"_qs);
    QVERIFY(!labelsChanged.isEmpty());

    const double tolerance = seconds(m_timeline->pixelDuration()) + 0.1;
    const auto checkRange = [&](const LabelDocument& labels) {
        const SessionLabels* session = labels.session(kPingPong.toStdString());
        QVERIFY(session);
        QCOMPARE(session->ranges.size(), std::size_t(1));
        const LabelRange& range = session->ranges[0];
        QCOMPARE(range.kind, LabelRange::Kind::HelpWanted);
        QVERIFY(range.from.offset && range.to.offset);
        const double fromS = seconds(*range.from.offset);
        const double toS = seconds(*range.to.offset);
        QVERIFY2(std::abs(fromS - offsetAt(from.x())) <= tolerance, qPrintable(QString::number(fromS)));
        QVERIFY2(std::abs(toS - offsetAt(to.x())) <= tolerance, qPrintable(QString::number(toS)));
    };
    checkRange(*document);
    QCOMPARE(m_timeline->labelBands().size(), std::size_t(1));
    QVERIFY(m_timeline->labelBands()[0].helpWanted);

    // Undo and Redo from the keyboard in the replay panel.
    press(m_timeline, QKeySequence::Undo);
    QVERIFY(!document->session(kPingPong.toStdString()));
    QVERIFY(m_timeline->labelBands().empty());
    press(m_timeline, QKeySequence::Redo);
    checkRange(*document);
    QCOMPARE(m_timeline->labelBands().size(), std::size_t(1));

    // Ctrl+S writes labels/demo.json, which did not exist.
    const QString file = m_scratch->filePath(u"labels/demo.json"_qs);
    QVERIFY(!QFile::exists(file));
    QVERIFY(document->isModified());
    press(m_timeline, QKeySequence::Save);
    QVERIFY(QFile::exists(file));
    QVERIFY(!document->isModified());

    LabelDocument reloaded;
    QVERIFY(reloaded.open(m_scratch->path().toStdString(), "demo"));
    QVERIFY(reloaded.problems().empty());
    checkRange(reloaded);
}

void TestLabelling::labelsAndATriggerEditMoveTheMetrics()
{
    constexpr int kRunMs = 60'000;
    LiveMetricsPanel& metrics = *m_workbench->triggerEditor()->liveMetrics();
    TRY_VERIFY_WITH_TIMEOUT(!metrics.isRunning() && metrics.current() && metrics.current()->truth, kRunMs);
    const TruthCounts before = metrics.current()->truth->overall;
    const std::size_t labelledBefore = metrics.current()->truth->labelledSessions;

    // Shift+drag from +10 s to +40 s: over ping-pong's offer at +25 s.
    QCOMPARE(m_panel->fullRecord()->firings.size(), std::size_t(1));
    const int y = m_timeline->height() / 2;
    const QPoint from(xOf(10), y);
    const QPoint to(xOf(40), y);
    QTest::mousePress(m_timeline, Qt::LeftButton, Qt::ShiftModifier, from);
    for (int x = from.x() + 10; x < to.x(); x += 10)
        QTest::mouseMove(m_timeline, QPoint(x, y));
    QTest::mouseRelease(m_timeline, Qt::LeftButton, Qt::ShiftModifier, to);
    QMenu* menu = openMenu();
    QVERIFY(menu);
    QVERIFY(QTest::qWaitForWindowExposed(menu));
    clickAction(menu, u"Help wanted"_qs);

    // Judged at once, before it is saved: one more labelled session, one more wanted range, answered.
    TRY_VERIFY_WITH_TIMEOUT(
        !metrics.isRunning() && metrics.current()->truth->labelledSessions == labelledBefore + 1, kRunMs);
    QCOMPARE(metrics.current()->truth->overall.wanted, before.wanted + 1);
    QCOMPARE(metrics.current()->truth->overall.hits, before.hits + 1);
    QCOMPARE(metrics.current()->truth->overall.misses(), before.misses());
    press(m_timeline, QKeySequence::Save);
    QVERIFY(!m_panel->labelDocument()->isModified());

    // Ping-pong at 9 cycles no longer fires in this session: the hit becomes a miss.
    QVERIFY(editCondition(
        *m_workbench->triggerEditor(), u"ping-pong"_qs, u"\"min_cycles\": 1"_qs, u"\"min_cycles\": 9"_qs));
    TRY_VERIFY_WITH_TIMEOUT(!metrics.isRunning() && metrics.previous()
            && metrics.current()->truth->overall.answered < metrics.previous()->truth->overall.answered,
        kRunMs);
    QVERIFY(m_panel->fullRecord()->firings.empty());
    QVERIFY(metrics.current()->truth->overall.misses() > metrics.previous()->truth->overall.misses());
    QVERIFY(metrics.metricText("misses").contains(u"→"_qs));
}

void TestLabelling::contextMenuExpectsChangesAndRemoves()
{
    LabelDocument* document = m_panel->labelDocument();
    const std::string session = kPingPong.toStdString();
    const double length = seconds(m_panel->session()->summary.duration);
    document->addRange(session, LabelRange::Kind::HelpWanted, length * 0.2, length * 0.5);
    const QPoint inside(xOf(length * 0.35), m_timeline->height() / 2);

    // "Should fire ▸ ping-pong" at a moment: a window around it.
    QContextMenuEvent request(QContextMenuEvent::Mouse, inside, m_timeline->mapToGlobal(inside));
    QApplication::sendEvent(m_timeline, &request);
    QMenu* menu = openMenu();
    QVERIFY(menu);
    QVERIFY(QTest::qWaitForWindowExposed(menu));
    auto* fire = menu->findChild<QMenu*>(u"shouldFire"_qs);
    QVERIFY(fire);
    QStringList triggers;
    for (QAction* action : fire->actions())
        triggers << action->text();
    QVERIFY2(triggers.contains(u"ping-pong"_qs), qPrintable(triggers.join(u", "_qs)));
    // Hovering opens the submenu, as it does for a person.
    QTest::mouseMove(menu, menu->actionGeometry(fire->menuAction()).center());
    QTRY_VERIFY(fire->isVisible());
    clickAction(fire, u"ping-pong"_qs);
    const SessionLabels* labels = document->session(session);
    QCOMPARE(labels->expectations.size(), std::size_t(1));
    QCOMPARE(labels->expectations[0].trigger, std::string("ping-pong"));
    const double atS = offsetAt(inside.x());
    const double window = seconds(LabelDocument::kFiresWindow);
    // Within the session: this one is shorter than the window.
    QVERIFY(std::abs(seconds(labels->expectations[0].from->offset.value()) - std::max(0.0, atS - window)) <= 0.2);
    QVERIFY(std::abs(seconds(labels->expectations[0].to->offset.value()) - std::min(length, atS + window)) <= 0.2);
    QCOMPARE(m_timeline->expectationFlags().size(), std::size_t(1));

    // On the range: "Change to No help here", then "Remove label".
    QApplication::sendEvent(m_timeline, &request);
    menu = openMenu();
    QVERIFY(QTest::qWaitForWindowExposed(menu));
    clickAction(menu, u"Change to No help here"_qs);
    QCOMPARE(document->session(session)->ranges[0].kind, LabelRange::Kind::NoHelp);
    QVERIFY(!m_timeline->labelBands()[0].helpWanted);
    QApplication::sendEvent(m_timeline, &request);
    menu = openMenu();
    QVERIFY(QTest::qWaitForWindowExposed(menu));
    clickAction(menu, u"Remove label"_qs);
    QVERIFY(document->session(session)->ranges.empty());
    QVERIFY(m_timeline->labelBands().empty());
    // The expectation is still there, and goes the same way.
    QApplication::sendEvent(m_timeline, &request);
    menu = openMenu();
    QVERIFY(QTest::qWaitForWindowExposed(menu));
    clickAction(menu, u"Remove expectation: fires ping-pong"_qs);
    QVERIFY(document->session(session)->expectations.empty());
    // Every step was one undo command.
    QCOMPARE(document->undoStack()->count(), 5);
}

void TestLabelling::screenshot()
{
    // The longest demo session, labelled every way, zoomed on the session.
    QVERIFY(
        m_workbench->openSession(m_workbench->library().rowOf(u"demo"_qs, u"0193a1b2-c3d4-7e5f-8a9b-hesit0000003"_qs)));
    LabelDocument* document = m_panel->labelDocument();
    const std::string session = m_panel->session()->summary.sessionId;
    document->addRange(session, LabelRange::Kind::NoHelp, 0, 12);
    document->addRange(session, LabelRange::Kind::HelpWanted, 18, 40, "create-project-hesitation");
    document->addFiresExpectation(session, "create-project-hesitation", 30, 44);
    m_panel->nextFiring();
    for (int i = 0; i < 4; ++i) {
        QWheelEvent zoom(QPointF(80, 40), m_timeline->mapToGlobal(QPointF(80, 40)), {}, { 0, 120 }, Qt::NoButton, {},
            Qt::NoScrollPhase, false);
        QApplication::sendEvent(m_timeline, &zoom);
    }
    QVERIFY(saveScreenshot(*m_workbench, u"replay-labels.png"_qs));
}

QTEST_MAIN(TestLabelling)
#include "tst_labelling.moc"
