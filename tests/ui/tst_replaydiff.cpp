// The Diff tab: the saved triggers against the trigger editor's edit (or a
// triggers file) over every imported session, on the worker thread. A
// stricter ping-pong loses exactly the firings the core's own diff says, in
// the right sessions, with the right totals; Cancel leaves the previous
// result; double-clicking a session replays it at its first change; the
// trigger editor's button runs it; saving moves "saved" (and discarding
// goes back to it). Screenshot: replay-diff.png.

#include "eventwait.h"
#include "printers.h"
#include "replay/diffpanel.h"
#include "replay/firingsmodel.h"
#include "replay/replaypanel.h"
#include "replay/replayworkbench.h"
#include "replay/triggerdocument.h"
#include "replay/triggereditor.h"
#include "replaytesting.h"
#include "triggers/trigger.h"

#include <QComboBox>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QTreeWidget>
#include <QUndoStack>
#include <nlohmann/json.hpp>

using namespace proactive;
using namespace proactive::ui;
using namespace proactive::testing;

namespace {

// "kind session trigger +before → +after", seconds from the session's start.
QStringList describe(const ReplayDiff& diff, const std::vector<RecordedSession>& sessions)
{
    QStringList lines;
    for (const FiringChange& change : diff.changes) {
        Timestamp start {};
        for (const RecordedSession& session : sessions)
            if (session.summary.sessionId == change.sessionId)
                start = session.summary.start;
        const auto at
            = [&](const std::optional<Timestamp>& t) { return t ? u"+%1"_qs.arg(toSeconds(*t - start)) : u"-"_qs; };
        lines << u"%1 %2 %3 %4 → %5"_qs.arg(QString::fromUtf8(nameOf(change.kind)),
            QString::fromStdString(change.sessionId), QString::fromStdString(change.triggerId), at(change.before),
            at(change.after));
    }
    return lines;
}

QTreeWidgetItem* sessionItem(QTreeWidget* tree, const QString& sessionId)
{
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        if (tree->topLevelItem(i)->text(0).contains(sessionId))
            return tree->topLevelItem(i);
    return nullptr;
}

void doubleClick(QTreeWidget* tree, QTreeWidgetItem* item)
{
    tree->scrollToItem(item);
    const QPoint at = tree->visualItemRect(item).center();
    // The first press selects; the double-click activates.
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseDClick(tree->viewport(), Qt::LeftButton, {}, at);
}

const QStringList kStricterPingPong {
    u"disappeared s-api-1 ping-pong +25 → -"_qs,
    u"disappeared s-query-1 ping-pong +65 → -"_qs,
    u"disappeared s-api-2 ping-pong +45 → -"_qs,
    u"appeared s-api-2 settings-dwell - → +105"_qs,
};

} // namespace

class TestReplayDiff final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void stricterTriggerLosesItsFirings();
    void doubleClickReplaysTheSessionAtTheChange();
    void cancelKeepsThePreviousResult();
    void comparesWithATriggersFile();
    void editorButtonRunsTheDiff();
    void savingMovesTheBaseline();
    void screenshot();

private:
    // ping-pong needs two cycles instead of one: stricter.
    void makePingPongStricter();
    bool runDiff();

    std::unique_ptr<QTemporaryDir> m_scratch;
    QString m_root;
    std::unique_ptr<ReplayWorkbench> m_workbench;
    DiffPanel* m_diff = nullptr;
};

void TestReplayDiff::init()
{
    m_scratch = std::make_unique<QTemporaryDir>();
    m_root = m_scratch->filePath(u"inline"_qs);
    QDir().mkpath(m_root);
    QVERIFY(QFile::copy(kReplayData + u"/workspace/products.json"_qs, m_root + u"/products.json"_qs));
    m_workbench = std::make_unique<ReplayWorkbench>();
    m_workbench->resize(1500, 640);
    m_workbench->setWorkspace(loadWorkspace(m_root), u"acme"_qs);
    QVERIFY(importAndWait(m_workbench->library(), { kReplayData + u"/exports"_qs }, u"acme"_qs));
    QCOMPARE(m_workbench->library().sessionCount(), 8);
    m_diff = m_workbench->diffPanel();
    QVERIFY(m_diff);
}

void TestReplayDiff::cleanup()
{
    m_workbench.reset();
    m_diff = nullptr;
}

void TestReplayDiff::makePingPongStricter()
{
    TriggerEditor& editor = *m_workbench->triggerEditor();
    editor.selectTrigger(0);
    auto* when = qobject_cast<QPlainTextEdit*>(editor.field(u"when"_qs));
    QVERIFY(when->toPlainText().contains(u"\"min_cycles\": 1"_qs));
    when->setPlainText(when->toPlainText().replace(u"\"min_cycles\": 1"_qs, u"\"min_cycles\": 2"_qs));
    QVERIFY(editor.problemTexts().isEmpty());
    QVERIFY(editor.document()->isModified());
}

bool TestReplayDiff::runDiff()
{
    QSignalSpy finished(m_diff, &DiffPanel::finished);
    if (!m_diff->run())
        return false;
    if (!m_diff->isRunning())
        return false;
    return (finished.wait(60'000) || !finished.isEmpty()) && finished.first().first().toBool();
}

void TestReplayDiff::stricterTriggerLosesItsFirings()
{
    makePingPongStricter();
    m_diff->setPolicy(*ResponsePolicy::parse("never"));
    QVERIFY(runDiff());
    const TriggerSetDiff* result = m_diff->result();
    QVERIFY(result);
    QVERIFY(!m_diff->isStale());
    QCOMPARE(result->sessions.size(), std::size_t(8));
    QCOMPARE(result->other, m_workbench->workspace());
    QCOMPARE(result->saved, m_workbench->triggerEditor()->document()->savedWorkspace());

    // The core's diff of the same two sets, computed here.
    const auto sessions = copies(m_workbench->library(), "acme");
    ReplaySettings settings;
    settings.client.explain = false;
    const auto before = runBatch(result->saved, sessions, settings);
    const auto after = runBatch(m_workbench->workspace(), sessions, settings);
    QVERIFY(before && after);
    const ReplayDiff expected = diffReplays(sessions, before->records, after->records);
    // ping-pong no longer fires in three sessions; in one of them the 300 s
    // minimum interval no longer holds settings-dwell back.
    QCOMPARE(describe(expected, sessions), kStricterPingPong);
    QCOMPARE(describe(result->diff, sessions), kStricterPingPong);
    QCOMPARE(result->diff.unchanged, std::size_t(3));
    QCOMPARE(result->diff.sessionsChanged, std::size_t(3));

    // Totals: reach and every trigger's fire rate and firings, before and after.
    QTableWidget* totals = m_diff->totalsTable();
    QCOMPARE(totals->rowCount(), 3);
    const auto row = [&](int r) {
        QStringList cells;
        for (int c = 0; c < totals->columnCount(); ++c)
            cells << totals->item(r, c)->text();
        return cells.join(u" | "_qs);
    };
    QCOMPARE(row(0), u"any trigger (reach) | 75 %  (6/8) | 50 %  (4/8) | −25 pt | 6 | 4 | −2"_qs);
    QCOMPARE(row(1), u"ping-pong | 62.5 %  (5/8) | 25 %  (2/8) | −37.5 pt | 5 | 2 | −3"_qs);
    QCOMPARE(row(2), u"settings-dwell | 12.5 %  (1/8) | 25 %  (2/8) | +12.5 pt | 1 | 2 | +1"_qs);
    QCOMPARE(result->before.sessionsReached, before->totals.sessionsReached);
    QCOMPARE(result->after.sessionsReached, after->totals.sessionsReached);
    QVERIFY2(
        m_diff->summaryText().startsWith(u"<b>3 of 8 session(s) changed</b>"_qs), qPrintable(m_diff->summaryText()));

    // Per session: the changes as the core reports them, with times from the session's start.
    QTreeWidget* tree = m_diff->changesView();
    QCOMPARE(tree->topLevelItemCount(), 3);
    QTreeWidgetItem* apiTwo = sessionItem(tree, u"s-api-2"_qs);
    QVERIFY(apiTwo);
    QVERIFY2(apiTwo->text(0).endsWith(u" — 1 appeared, 1 disappeared"_qs), qPrintable(apiTwo->text(0)));
    QCOMPARE(apiTwo->childCount(), 2);
    QCOMPARE(apiTwo->child(0)->text(0), u"disappeared"_qs);
    QCOMPARE(apiTwo->child(0)->text(1), u"ping-pong"_qs);
    QCOMPARE(apiTwo->child(0)->text(2), u"+0:45"_qs);
    QCOMPARE(apiTwo->child(0)->text(3), u"–"_qs);
    QCOMPARE(apiTwo->child(1)->text(0), u"appeared"_qs);
    QCOMPARE(apiTwo->child(1)->text(3), u"+1:45"_qs);
    QCOMPARE(apiTwo->child(1)->text(4), u"/settings/account"_qs);
    QVERIFY(sessionItem(tree, u"s-api-1"_qs));
    QVERIFY(sessionItem(tree, u"s-query-1"_qs));
    QCOMPARE(m_diff->firstChange("s-api-2"), std::optional(*result->diff.changes[2].before));

    // An edit after the run makes the result stale.
    TriggerEditor& editor = *m_workbench->triggerEditor();
    editor.document()->undoStack()->undo();
    QVERIFY(m_diff->isStale());
    QVERIFY2(m_diff->statusText().contains(u"run the diff again"_qs), qPrintable(m_diff->statusText()));
}

void TestReplayDiff::doubleClickReplaysTheSessionAtTheChange()
{
    m_workbench->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_workbench.get()));
    makePingPongStricter();
    m_diff->setPolicy(*ResponsePolicy::parse("dismiss:5"));
    QVERIFY(runDiff());
    m_workbench->setCurrentWidget(m_diff);
    QTreeWidget* tree = m_diff->changesView();
    QTreeWidgetItem* apiTwo = sessionItem(tree, u"s-api-2"_qs);
    QVERIFY(apiTwo);

    // The session: its first change, where ping-pong used to fire (+45 s).
    doubleClick(tree, apiTwo);
    ReplayPanel& panel = *m_workbench->replayPanel();
    QCOMPARE(m_workbench->currentWidget(), &panel);
    QCOMPARE(panel.session()->summary.sessionId, std::string("s-api-2"));
    const Timestamp start = panel.replay()->start();
    QCOMPARE(toSeconds(panel.replay()->now() - start), 45.0);
    // Replayed with the compared triggers and the diff's user: nothing fires there now.
    QCOMPARE(panel.replay()->workspace(), m_diff->result()->other);
    QCOMPARE(QString::fromStdString(panel.policy().toString()), u"dismiss:5"_qs);
    QVERIFY(panel.replay()->record().firings.empty());
    QVERIFY(panel.triggerLines().contains(u"ping-pong | no_match"_qs));
    // Its firings list has the firing that appeared.
    const FiringsModel& firings = *panel.firingsModel();
    QCOMPARE(firings.firingCount(), 1);
    QCOMPARE(firings.index(0, FiringsModel::Trigger).data().toString(), u"settings-dwell"_qs);

    // One change: its own moment, the firing that appeared at +105 s.
    m_workbench->setCurrentWidget(m_diff);
    doubleClick(tree, apiTwo->child(1));
    QCOMPARE(m_workbench->currentWidget(), &panel);
    QCOMPARE(toSeconds(panel.replay()->now() - start), 105.0);
    QCOMPARE(panel.replay()->record().firings.size(), std::size_t(1));
    QCOMPARE(panel.replay()->record().firings[0].triggerId, std::string("settings-dwell"));
}

void TestReplayDiff::cancelKeepsThePreviousResult()
{
    makePingPongStricter();
    QVERIFY(runDiff());
    const TriggerSetDiff* first = m_diff->result();
    const QString summary = m_diff->summaryText();
    const int sessions = m_diff->changesView()->topLevelItemCount();

    // Enough sessions for the diff to be stopped halfway.
    const QString path = m_scratch->filePath(u"long.jsonl"_qs);
    QVERIFY(writeGeneratedExport(path, 5000, 40));
    QVERIFY(importAndWait(m_workbench->library(), { path }, u"acme"_qs));
    QSignalSpy finished(m_diff, &DiffPanel::finished);
    QVERIFY(m_diff->run());
    QVERIFY(!m_diff->run()); // one at a time
    QVERIFY(!m_diff->findChild<QPushButton*>(u"runDiff"_qs)->isEnabled());
    TRY_VERIFY_WITH_TIMEOUT(m_diff->findChild<QProgressBar*>(u"diffProgress"_qs)->value() > 0, 60'000);
    m_diff->findChild<QPushButton*>(u"cancelDiff"_qs)->click();
    QVERIFY(finished.wait(60'000));
    QCOMPARE(finished.first().first().toBool(), false);
    QVERIFY(!m_diff->isRunning());
    QCOMPARE(m_diff->statusText(), u"Diff cancelled; the previous result stays"_qs);
    QCOMPARE(m_diff->result(), first);
    QCOMPARE(m_diff->result()->sessions.size(), std::size_t(8));
    QCOMPARE(describe(m_diff->result()->diff, copies(m_workbench->library(), "acme")), kStricterPingPong);
    QCOMPARE(m_diff->summaryText(), summary);
    QCOMPARE(m_diff->changesView()->topLevelItemCount(), sessions);
    QVERIFY(m_diff->findChild<QPushButton*>(u"runDiff"_qs)->isEnabled());
}

void TestReplayDiff::comparesWithATriggersFile()
{
    // The saved triggers with ping-pong made stricter, as a separate file.
    const auto text = readTextFile((m_root + u"/products.json"_qs).toStdString());
    QVERIFY(text);
    const auto saved = nlohmann::json::parse(*text, nullptr, false);
    QVERIFY(saved.is_array());
    nlohmann::json triggers = saved[0]["triggers"];
    triggers[0]["when"]["min_cycles"] = 2;
    const QString file = m_scratch->filePath(u"strict.json"_qs);
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(QByteArray::fromStdString(triggers.dump(2)));
    out.close();

    m_diff->setOtherFile(file);
    QCOMPARE(m_diff->other(), DiffPanel::Other::File);
    QVERIFY(runDiff());
    const auto sessions = copies(m_workbench->library(), "acme");
    QCOMPARE(describe(m_diff->result()->diff, sessions), kStricterPingPong);
    QCOMPARE(m_diff->result()->otherFile, u"strict.json"_qs);
    QVERIFY(m_diff->statusText().startsWith(u"Saved triggers → strict.json, over 8 session(s) of acme"_qs));
    // The trigger editor's edits do not make a file's diff stale.
    makePingPongStricter();
    QVERIFY(!m_diff->isStale());

    // A file the trigger parser refuses: nothing runs, the reason has its pointer.
    triggers[0]["when"]["min_cycles"] = 0;
    QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
    out.write(QByteArray::fromStdString(triggers.dump(2)));
    out.close();
    QVERIFY(!m_diff->run());
    QVERIFY(!m_diff->isRunning());
    QVERIFY2(m_diff->statusText().contains(u"strict.json:/0/when/min_cycles"_qs), qPrintable(m_diff->statusText()));
    m_diff->setOtherFile(m_scratch->filePath(u"missing.json"_qs));
    QVERIFY(!m_diff->run());
    // The last good result stays.
    QCOMPARE(describe(m_diff->result()->diff, sessions), kStricterPingPong);
}

void TestReplayDiff::editorButtonRunsTheDiff()
{
    m_diff->setOther(DiffPanel::Other::File);
    makePingPongStricter();
    QSignalSpy finished(m_diff, &DiffPanel::finished);
    m_workbench->triggerEditor()->findChild<QPushButton*>(u"diffTriggers"_qs)->click();
    QCOMPARE(m_workbench->currentWidget(), m_diff);
    QCOMPARE(m_diff->other(), DiffPanel::Other::Edited);
    QVERIFY(m_diff->isRunning());
    QVERIFY(finished.wait(60'000));
    QCOMPARE(finished.first().first().toBool(), true);
    QCOMPARE(describe(m_diff->result()->diff, copies(m_workbench->library(), "acme")), kStricterPingPong);
}

void TestReplayDiff::savingMovesTheBaseline()
{
    makePingPongStricter();
    TriggerEditor& editor = *m_workbench->triggerEditor();
    QVERIFY(editor.save());
    // Saved: the file's triggers are the edited ones, nothing changes.
    QVERIFY(runDiff());
    QVERIFY(m_diff->result()->diff.changes.empty());
    QCOMPARE(m_diff->result()->diff.unchanged, std::size_t(4));
    QCOMPARE(m_diff->changesView()->topLevelItem(0)->text(0), u"No firing changed in any session"_qs);

    // Undone past the save: the diff goes from the saved (stricter) to the looser triggers.
    editor.document()->undoStack()->undo();
    QVERIFY(runDiff());
    QStringList reversed;
    for (const QString& line : kStricterPingPong) {
        const QStringList parts = line.split(u' ');
        const QString kind = parts[0] == u"appeared"_qs ? u"disappeared"_qs : u"appeared"_qs;
        reversed << u"%1 %2 %3 %4 → %5"_qs.arg(kind, parts[1], parts[2], parts[5], parts[3]);
    }
    QStringList got = describe(m_diff->result()->diff, copies(m_workbench->library(), "acme"));
    std::sort(got.begin(), got.end());
    std::sort(reversed.begin(), reversed.end());
    QCOMPARE(got, reversed);

    // Discarding these edits goes back to the saved triggers, not to those first opened.
    QTimer::singleShot(0, this, [] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        QVERIFY(box);
        box->button(QMessageBox::Discard)->click();
    });
    m_workbench->setWorkspace(m_workbench->workspace(), u"beta"_qs);
    const Trigger* pingPong = m_workbench->workspace()->product("acme")->triggers->find("ping-pong");
    QCOMPARE(pingPong->definition().when.dump(), std::string(R"({"min_cycles":2,"type":"canonical_url_ping_pong"})"));
}

void TestReplayDiff::screenshot()
{
    m_workbench->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_workbench.get()));
    makePingPongStricter();
    QVERIFY(runDiff());
    m_workbench->setCurrentWidget(m_diff);
    QVERIFY(saveScreenshot(*m_workbench, u"replay-diff.png"_qs));
}

QTEST_MAIN(TestReplayDiff)
#include "tst_replaydiff.moc"
