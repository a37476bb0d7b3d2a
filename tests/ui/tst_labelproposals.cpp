// Proposed labels in the studio (issue 15): the hesitation session of a
// copy of the demo workspace replayed in the Replay dock's workbench, its
// proposals asked for with a real click on "Propose…", listed and drawn on
// the timeline without touching the labels document; one rejected (the
// document unchanged), proposed again and accepted from the keyboard and
// with the row's button: the range with its note in the document, Ctrl+Z
// undoing it, and Ctrl+S writing it for a new LabelDocument to read.
// Screenshot: replay-proposals.png.

#include "eventwait.h"
#include "replay/labeldocument.h"
#include "replay/labelproposalsview.h"
#include "replay/replaypanel.h"
#include "replay/replaytimeline.h"
#include "replay/replayworkbench.h"
#include "replaytesting.h"

#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTreeWidget>
#include <QUndoStack>

using namespace proactive;
using namespace proactive::ui;
using namespace proactive::testing;

namespace {

const QString kDemoWorkspace = QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace");
const std::string kHesitation = "0193a1b2-c3d4-7e5f-8a9b-hesit0000003";

void press(QWidget* widget, QKeySequence::StandardKey key)
{
    const QKeyCombination keys = QKeySequence(key)[0];
    QTest::keyClick(widget, keys.key(), keys.keyboardModifiers());
}

double seconds(Duration duration)
{
    return std::chrono::duration<double>(duration).count();
}

// The row of the view's proposal by `heuristic`; -1 when none.
int rowOf(const LabelProposalsView& view, std::string_view heuristic)
{
    for (std::size_t i = 0; i < view.proposals().size(); ++i)
        if (view.proposals()[i].heuristic == heuristic)
            return static_cast<int>(i);
    return -1;
}

// A row's Accept or Reject button, as drawn in the list.
QToolButton* rowButton(const LabelProposalsView& view, int row, const QString& name)
{
    QWidget* buttons = view.list()->itemWidget(view.list()->topLevelItem(row), 2);
    return buttons ? buttons->findChild<QToolButton*>(name) : nullptr;
}

} // namespace

class TestLabelProposals final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void rejectLeavesTheDocumentAcceptLabels();
    void acceptFromTheKeyboardMarksOverlaps();
    void screenshot();

private:
    void clickPropose();

    std::unique_ptr<QTemporaryDir> m_scratch;
    std::unique_ptr<ReplayWorkbench> m_workbench;
    ReplayPanel* m_panel = nullptr;
    LabelProposalsView* m_view = nullptr;
    LabelDocument* m_document = nullptr;
};

void TestLabelProposals::init()
{
    m_scratch = std::make_unique<QTemporaryDir>();
    QVERIFY(copyTree(kDemoWorkspace, m_scratch->path()));
    m_workbench = std::make_unique<ReplayWorkbench>();
    QVERIFY(openDemoSession(*m_workbench, m_scratch->path(), QString::fromStdString(kHesitation)));
    m_panel = m_workbench->replayPanel();
    m_view = m_panel->proposals();
    m_document = m_panel->labelDocument();
    QVERIFY(m_document->isOpen());
    QVERIFY(!m_document->session(kHesitation));
    QVERIFY(!m_view->isVisible());
    m_workbench->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_workbench.get()));
}

void TestLabelProposals::cleanup()
{
    m_workbench.reset();
    m_scratch.reset();
}

void TestLabelProposals::clickPropose()
{
    auto* propose = m_panel->findChild<QPushButton*>(u"proposeLabels"_qs);
    QVERIFY(propose && propose->isVisible() && propose->isEnabled());
    QTest::mouseClick(propose, Qt::LeftButton);
    QVERIFY(m_view->isVisible());
}

void TestLabelProposals::rejectLeavesTheDocumentAcceptLabels()
{
    const std::string before = m_document->json().dump();
    clickPropose();

    // form_idle +8…+44 s (the proposals' own tests): listed and drawn, not a label.
    const int formIdle = rowOf(*m_view, kFormIdle);
    QVERIFY(formIdle >= 0);
    const LabelProposal proposal = m_view->proposals()[static_cast<std::size_t>(formIdle)];
    QCOMPARE(seconds(*proposal.range.from.offset), 8.0);
    QCOMPARE(seconds(*proposal.range.to.offset), 44.0);
    QCOMPARE(m_view->list()->topLevelItemCount(), static_cast<int>(m_view->proposals().size()));
    QVERIFY(m_view->list()->topLevelItem(formIdle)->text(1).startsWith(u"form_idle"_qs));
    const auto& bands = m_panel->timeline()->proposalBands();
    QCOMPARE(bands.size(), m_view->proposals().size());
    QCOMPARE(bands[static_cast<std::size_t>(formIdle)].heuristic, u"form_idle"_qs);
    QCOMPARE(bands[static_cast<std::size_t>(formIdle)].reason, QString::fromStdString(proposal.reason));
    QVERIFY(m_panel->timeline()->labelBands().empty());
    QVERIFY(!m_document->session(kHesitation));

    // Reject: off the list and the timeline, the document as it was.
    const std::size_t proposed = m_view->proposals().size();
    QToolButton* reject = rowButton(*m_view, formIdle, u"rejectProposal"_qs);
    QVERIFY(reject && reject->isVisible());
    QTest::mouseClick(reject, Qt::LeftButton);
    QCOMPARE(m_view->proposals().size(), proposed - 1);
    QCOMPARE(rowOf(*m_view, kFormIdle), -1);
    QCOMPARE(m_panel->timeline()->proposalBands().size(), proposed - 1);
    QCOMPARE(m_document->json().dump(), before);
    QVERIFY(!m_document->isModified());

    // Propose again: it is back (a rejection is not remembered); Accept it.
    clickPropose();
    QCOMPARE(m_view->proposals().size(), proposed);
    const int again = rowOf(*m_view, kFormIdle);
    QToolButton* accept = rowButton(*m_view, again, u"acceptProposal"_qs);
    QVERIFY(accept && accept->isEnabled());
    QTest::mouseClick(accept, Qt::LeftButton);
    QCOMPARE(rowOf(*m_view, kFormIdle), -1);
    QCOMPARE(m_view->proposals().size(), proposed - 1);

    const auto checkAccepted = [&](const LabelDocument& labels) {
        const SessionLabels* session = labels.session(kHesitation);
        QVERIFY(session);
        QCOMPARE(session->ranges.size(), std::size_t(1));
        const LabelRange& range = session->ranges[0];
        QCOMPARE(range.kind, LabelRange::Kind::HelpWanted);
        QCOMPARE(seconds(*range.from.offset), 8.0);
        QCOMPARE(seconds(*range.to.offset), 44.0);
        QCOMPARE(range.note, "proposed by form_idle: " + proposal.reason);
        QCOMPARE(range.author, LabelProposalsView::author());
        QVERIFY(!range.author.empty());
    };
    checkAccepted(*m_document);
    QCOMPARE(m_panel->timeline()->labelBands().size(), std::size_t(1));
    QVERIFY(m_document->problems().empty());

    // One undo step: Ctrl+Z takes the label away (the proposal stays off the
    // list: proposing again brings it back), Ctrl+Shift+Z puts it back.
    m_panel->timeline()->setFocus();
    press(m_panel->timeline(), QKeySequence::Undo);
    QVERIFY(!m_document->session(kHesitation));
    QVERIFY(m_panel->timeline()->labelBands().empty());
    press(m_panel->timeline(), QKeySequence::Redo);
    checkAccepted(*m_document);

    press(m_panel->timeline(), QKeySequence::Save);
    QVERIFY(!m_document->isModified());
    LabelDocument reloaded;
    QVERIFY(reloaded.open(m_scratch->path().toStdString(), "demo"));
    QVERIFY(reloaded.problems().empty());
    checkAccepted(reloaded);
}

void TestLabelProposals::acceptFromTheKeyboardMarksOverlaps()
{
    clickPropose();
    // goal_not_reached needs a goal (none by default): form_idle is the one.
    QVERIFY(!m_view->proposals().empty());
    const int formIdle = rowOf(*m_view, kFormIdle);
    QVERIFY(formIdle >= 0);
    const std::size_t proposed = m_view->proposals().size();

    // A help_wanted label by hand over +20 … +30: the proposal says so.
    QVERIFY(!m_view->overlapsLabel(m_view->proposals()[static_cast<std::size_t>(formIdle)]));
    m_document->addRange(kHesitation, LabelRange::Kind::HelpWanted, 20, 30);
    QVERIFY(m_view->overlapsLabel(m_view->proposals()[static_cast<std::size_t>(formIdle)]));
    QVERIFY(m_view->list()->topLevelItem(formIdle)->text(1).contains(u"labelled"_qs));
    QVERIFY(m_panel->timeline()->proposalBands()[static_cast<std::size_t>(formIdle)].overlapsLabel);

    // Delete rejects the selected one: the document untouched.
    const int steps = m_document->undoStack()->count();
    m_view->list()->setFocus();
    m_view->list()->setCurrentItem(m_view->list()->topLevelItem(formIdle));
    QVERIFY(m_panel->timeline()->proposalBands()[static_cast<std::size_t>(formIdle)].selected);
    QTest::keyClick(m_view->list(), Qt::Key_Delete);
    QCOMPARE(m_view->proposals().size(), proposed - 1);
    QCOMPARE(m_document->undoStack()->count(), steps);

    // Proposed again, Enter accepts the selected one: one undo step.
    clickPropose();
    QCOMPARE(m_view->proposals().size(), proposed);
    QVERIFY(m_view->list()->hasFocus());
    m_view->list()->setCurrentItem(m_view->list()->topLevelItem(rowOf(*m_view, kFormIdle)));
    QTest::keyClick(m_view->list(), Qt::Key_Return);
    QCOMPARE(m_document->undoStack()->count(), steps + 1);
    QCOMPARE(m_view->proposals().size(), proposed - 1);
    QCOMPARE(m_document->session(kHesitation)->ranges.size(), std::size_t(2));
    QCOMPARE(m_document->session(kHesitation)->ranges[1].note.rfind("proposed by form_idle: ", 0), std::size_t(0));

    // Another session: its own proposals, none until asked.
    QVERIFY(
        m_workbench->openSession(m_workbench->library().rowOf(u"demo"_qs, u"0193a1b2-c3d4-7e5f-8a9b-ping00000001"_qs)));
    QVERIFY(m_view->proposals().empty());
    QVERIFY(m_panel->timeline()->proposalBands().empty());
    QVERIFY(!m_view->isVisible());
}

void TestLabelProposals::screenshot()
{
    m_document->addRange(kHesitation, LabelRange::Kind::NoHelp, 0, 6);
    clickPropose();
    m_panel->nextFiring();
    QVERIFY(saveScreenshot(*m_workbench, u"replay-proposals.png"_qs));
}

QTEST_MAIN(TestLabelProposals)
#include "tst_labelproposals.moc"
