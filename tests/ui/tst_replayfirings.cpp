// The replay panel's firings list: exactly the core's firings of a session
// (time, trigger, the FSM state they found, what the client and the
// simulated user did with them), the near misses where a gate skipped a
// matching trigger, selecting a row seeks the replay there and the replay
// moving selects its row, and a trigger edit lists the new firings.
// Screenshot: replay-firings.png.

#include "eventwait.h"
#include "printers.h"
#include "replay/firingsmodel.h"
#include "replay/replaypanel.h"
#include "replay/replaytimeline.h"
#include "replay/replayworkbench.h"
#include "replay/triggereditor.h"
#include "replaytesting.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTableView>
#include <QTemporaryDir>
#include <QToolButton>

using namespace proactive;
using namespace proactive::ui;
using namespace proactive::testing;

namespace {

using Kind = FiringsModel::Entry::Kind;

QString cellText(const FiringsModel& model, int row, int column)
{
    return model.index(row, column).data().toString();
}

std::vector<int> rowsOf(const FiringsModel& model, Kind kind)
{
    std::vector<int> rows;
    for (int row = 0; row < model.rowCount(); ++row)
        if (model.index(row, 0).data(FiringsModel::KindRole).toInt() == static_cast<int>(kind))
            rows.push_back(row);
    return rows;
}

bool hasLineStarting(const QStringList& lines, const QString& prefix)
{
    return std::any_of(lines.begin(), lines.end(), [&](const QString& line) { return line.startsWith(prefix); });
}

} // namespace

class TestReplayFirings final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void listsExactlyTheCoresFirings_data();
    void listsExactlyTheCoresFirings();
    void userColumnFollowsThePolicy_data();
    void userColumnFollowsThePolicy();
    void nearMissesShowWhereAGateSkipped();
    void selectingARowSeeks();
    void editingATriggerUpdatesTheList();
    void screenshot();

private:
    std::shared_ptr<const RecordedSession> session(const QString& id) const;
    double offset(Timestamp at) const { return toSeconds(at - m_panel->replay()->start()); }
    QRect rowRect(int row) const;

    std::shared_ptr<const Workspace> m_workspace;
    std::unique_ptr<SessionLibrary> m_library;
    std::unique_ptr<ReplayPanel> m_panel;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TestReplayFirings::initTestCase()
{
    m_workspace = replayWorkspace();
    m_library = std::make_unique<SessionLibrary>();
    m_library->setWorkspace(m_workspace);
    QVERIFY(importAndWait(*m_library, { kReplayData + u"/exports"_qs }, u"acme"_qs));
    QCOMPARE(m_library->sessionCount(), 8);
    m_panel = std::make_unique<ReplayPanel>();
    m_panel->resize(1500, 820);
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_panel->firingsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

std::shared_ptr<const RecordedSession> TestReplayFirings::session(const QString& id) const
{
    return m_library->session(m_library->rowOf(u"acme"_qs, id));
}

QRect TestReplayFirings::rowRect(int row) const
{
    QTableView* view = m_panel->firingsView();
    return view->visualRect(view->model()->index(row, FiringsModel::Trigger));
}

void TestReplayFirings::listsExactlyTheCoresFirings_data()
{
    QTest::addColumn<QString>("sessionId");
    QTest::addColumn<QString>("policy");
    // Every session of the fixtures, under a user who never answers and one who dismisses.
    for (const char* policy : { "never", "dismiss:5", "chat:10" })
        for (const char* id :
            { "s-api-1", "s-api-2", "s-csv-1", "s-csv-2", "s-hook-1", "s-hook-2", "s-hook-3", "s-query-1" })
            QTest::addRow("%s-%s", id, policy) << QString::fromLatin1(id) << QString::fromLatin1(policy);
}

void TestReplayFirings::listsExactlyTheCoresFirings()
{
    QFETCH(QString, sessionId);
    QFETCH(QString, policy);
    m_panel->setPolicy(*ResponsePolicy::parse(policy.toStdString()));
    QVERIFY(m_panel->open(m_workspace, session(sessionId)));

    // The core's own replay of the session, run here directly.
    ReplaySettings settings;
    settings.policy = *ResponsePolicy::parse(policy.toStdString());
    const auto expected = replaySession(m_workspace, *session(sessionId), settings);
    QVERIFY(expected);
    const FiringsModel& model = *m_panel->firingsModel();
    const std::vector<int> rows = rowsOf(model, Kind::Firing);
    QCOMPARE(rows.size(), expected->firings.size());
    QCOMPARE(model.firingCount(), static_cast<int>(expected->firings.size()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const ReplayFiring& firing = expected->firings[i];
        const FiringsModel::Entry& entry = *model.entry(rows[i]);
        QCOMPARE(entry.at, firing.at);
        QCOMPARE(entry.firing, std::optional<std::size_t>(i));
        QCOMPARE(cellText(model, rows[i], FiringsModel::Trigger), QString::fromStdString(firing.triggerId));
        const int seconds = static_cast<int>(offset(firing.at));
        QCOMPARE(cellText(model, rows[i], FiringsModel::Time),
            u"+%1:%2"_qs.arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0')));
        QCOMPARE(model.index(rows[i], FiringsModel::Page).data(Qt::ToolTipRole).toString(),
            QString::fromStdString(firing.page));
        QVERIFY(QString::fromStdString(firing.page).endsWith(cellText(model, rows[i], FiringsModel::Page)));
        QVERIFY(cellText(model, rows[i], FiringsModel::Page).startsWith(u'/'));
        QCOMPARE(cellText(model, rows[i], FiringsModel::Offer), firing.shown ? u"shown"_qs : u"kept"_qs);
        // Every fixture firing finds the conversation idle.
        QCOMPARE(cellText(model, rows[i], FiringsModel::State), u"thinking"_qs);
        QCOMPARE(model.index(rows[i], 0).data(FiringsModel::AtRole).toLongLong(),
            static_cast<qlonglong>(firing.at.time_since_epoch().count()));
    }
    // Rows in time order.
    for (int row = 1; row < model.rowCount(); ++row)
        QVERIFY(model.entry(row - 1)->at <= model.entry(row)->at);
}

void TestReplayFirings::userColumnFollowsThePolicy_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("detail");
    QTest::newRow("never") << u"never"_qs << u"no answer"_qs
                           << u"+1:05 proactive_assistance → thinking (interaction_timeout)"_qs;
    QTest::newRow("dismiss") << u"dismiss:5"_qs << u"dismissed 5 s later"_qs
                             << u"+0:30 dismiss: proactive_dismissed → applied (conservative_assistance)"_qs;
    QTest::newRow("dismiss-too-late") << u"dismiss:25"_qs << u"dismissed 25 s later: the toast was gone"_qs
                                      << u"+0:50 dismiss: nothing posted → no_toast"_qs;
    QTest::newRow("chat") << u"chat:10"_qs << u"accepted (chat) 2 s later · chat answered 12 s later"_qs
                          << u"+0:27 chat_sent: user_sent → invalid_transition"_qs;
    QTest::newRow("tour-complete")
        << u"tour-complete:30"_qs
        << u"accepted (tour) 2 s later · chat answered 7 s later · tour completed 32 s later"_qs
        << u"+0:57 tour_completed: tour_completed → applied (thinking)"_qs;
    QTest::newRow("tour-abandon")
        << u"tour-abandon:30"_qs
        << u"accepted (tour) 2 s later · chat answered 7 s later · tour abandoned 32 s later"_qs
        << u"+0:57 tour_abandoned: tour_abandoned → applied (conservative_assistance)"_qs;
}

void TestReplayFirings::userColumnFollowsThePolicy()
{
    QFETCH(QString, policy);
    QFETCH(QString, user);
    QFETCH(QString, detail);
    // s-api-1: ping-pong (with a tour) fires at 25 s.
    m_panel->setPolicy(*ResponsePolicy::parse(policy.toStdString()));
    QVERIFY(m_panel->open(m_workspace, session(u"s-api-1"_qs)));
    const FiringsModel& model = *m_panel->firingsModel();
    const std::vector<int> rows = rowsOf(model, Kind::Firing);
    QCOMPARE(rows.size(), std::size_t(1));
    QCOMPARE(cellText(model, rows[0], FiringsModel::Time), u"+0:25"_qs);
    QCOMPARE(cellText(model, rows[0], FiringsModel::User), user);
    const QString details = model.index(rows[0], FiringsModel::User).data(Qt::ToolTipRole).toString();
    QVERIFY2(details.contains(detail), qPrintable(details));
}

void TestReplayFirings::nearMissesShowWhereAGateSkipped()
{
    // s-api-2: ping-pong fires at 45 s; afterwards the user dwells on
    // /settings/account long enough for settings-dwell, but the resilience
    // gate's 300 s minimum interval between offers skips every poll.
    m_panel->setPolicy(*ResponsePolicy::parse("never"));
    QVERIFY(m_panel->open(m_workspace, session(u"s-api-2"_qs)));
    const FiringsModel& model = *m_panel->firingsModel();
    const std::vector<int> skipped = rowsOf(model, Kind::SkippedMatch);
    QVERIFY(!skipped.empty());
    const auto nearMiss = std::find_if(skipped.begin(), skipped.end(), [&](int row) {
        return model.entry(row)->triggerId == "settings-dwell"
            && model.entry(row)->skipReason == "resilience:min_interval";
    });
    QVERIFY(nearMiss != skipped.end());
    const FiringsModel::Entry entry = *model.entry(*nearMiss);
    QVERIFY(entry.at > m_panel->fullRecord()->firings[0].at);
    QCOMPARE(cellText(model, *nearMiss, FiringsModel::User), u"–"_qs);

    // The run's polls, checked one by one with the panel's own explanation at that moment.
    std::vector<Timestamp> polls;
    for (const ReplayPoll& poll : m_panel->fullRecord()->polls)
        if (poll.at >= entry.at && poll.at <= entry.lastAt)
            polls.push_back(poll.at);
    QCOMPARE(static_cast<int>(polls.size()), entry.polls);
    QCOMPARE(cellText(model, *nearMiss, FiringsModel::Offer),
        entry.polls > 1 ? u"skipped: resilience:min_interval (%1 polls)"_qs.arg(entry.polls)
                        : u"skipped: resilience:min_interval"_qs);
    for (const Timestamp at : polls) {
        m_panel->seek(at);
        const QStringList gates = m_panel->gateLines();
        QVERIFY2(
            hasLineStarting(gates, u"resilience | block | resilience:min_interval"_qs), qPrintable(gates.join(u'\n')));
        QVERIFY2(m_panel->triggerLines().contains(u"settings-dwell | matched"_qs),
            qPrintable(m_panel->triggerLines().join(u'\n')));
    }
    // The poll after the run: settings-dwell no longer matches (or the run would go on).
    const auto& all = m_panel->fullRecord()->polls;
    const auto next = std::find_if(all.begin(), all.end(), [&](const ReplayPoll& p) { return p.at > entry.lastAt; });
    if (next != all.end()) {
        m_panel->seek(next->at);
        QVERIFY(!m_panel->triggerLines().contains(u"settings-dwell | matched"_qs)
            || next->skipReason != "resilience:min_interval");
    }

    // The list can leave them out.
    m_panel->findChild<QCheckBox*>(u"showNearMisses"_qs)->setChecked(false);
    QVERIFY(rowsOf(model, Kind::SkippedMatch).empty());
    QCOMPARE(model.rowCount(), 1);
    m_panel->findChild<QCheckBox*>(u"showNearMisses"_qs)->setChecked(true);
    QCOMPARE(rowsOf(model, Kind::SkippedMatch).size(), skipped.size());

    // The offer still up is no near miss: no row for ping-pong while its own toast is shown.
    for (int row : skipped)
        QVERIFY(!(model.entry(row)->triggerId == "ping-pong" && model.entry(row)->skipReason == "fsm:wrong_state"));
}

void TestReplayFirings::selectingARowSeeks()
{
    m_panel->setPolicy(*ResponsePolicy::parse("never"));
    QVERIFY(m_panel->open(m_workspace, session(u"s-api-2"_qs)));
    const FiringsModel& model = *m_panel->firingsModel();
    QTableView* view = m_panel->firingsView();
    QVERIFY(model.rowCount() >= 2);
    // At the start nothing has happened: no row is current.
    QVERIFY(!view->selectionModel()->hasSelection());

    // Clicking the firing seeks to it: the timeline, the gates and the triggers show that poll.
    const int firingRow = rowsOf(model, Kind::Firing).front();
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, rowRect(firingRow).center());
    QCOMPARE(m_panel->replay()->now(), model.entry(firingRow)->at);
    QCOMPARE(offset(m_panel->replay()->now()), 45.0);
    QCOMPARE(m_panel->replay()->record().firings.size(), std::size_t(1));
    QCOMPARE(m_panel->timeline()->now(), m_panel->replay()->now());
    QVERIFY(hasLineStarting(m_panel->gateLines(), u"  ping-pong | matched | "_qs));
    QVERIFY(m_panel->statusText().contains(u"toast: ping-pong"_qs));
    QCOMPARE(view->currentIndex().row(), firingRow);

    // A near miss, chosen with the keyboard.
    const int nearMiss = rowsOf(model, Kind::SkippedMatch).back();
    view->setFocus();
    view->setCurrentIndex(model.index(nearMiss, 0));
    QCOMPARE(m_panel->replay()->now(), model.entry(nearMiss)->at);
    QVERIFY(hasLineStarting(m_panel->gateLines(),
        u"resilience | block | %1"_qs.arg(QString::fromStdString(model.entry(nearMiss)->skipReason))));

    // The replay moving selects the row of the moment; back to the start clears it.
    m_panel->findChild<QToolButton*>(u"restart"_qs)->click();
    QVERIFY(!view->selectionModel()->hasSelection());
    m_panel->nextFiring();
    QCOMPARE(view->currentIndex().row(), firingRow);
    // Rows still ahead are faded; the past ones are not.
    m_panel->seek(m_panel->replay()->start() + std::chrono::seconds(1));
    const QColor faded = model.index(firingRow, 1).data(Qt::ForegroundRole).value<QColor>();
    m_panel->seek(model.entry(firingRow)->at);
    QVERIFY(model.index(firingRow, 1).data(Qt::ForegroundRole).value<QColor>() != faded);
    // Clicking the current row again seeks back to it after the replay moved on.
    m_panel->stepPoll();
    QVERIFY(m_panel->replay()->now() > model.entry(firingRow)->at);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, rowRect(firingRow).center());
    QCOMPARE(m_panel->replay()->now(), model.entry(firingRow)->at);
}

void TestReplayFirings::editingATriggerUpdatesTheList()
{
    QTemporaryDir scratch;
    const QString root = scratch.filePath(u"inline"_qs);
    QDir().mkpath(root);
    QVERIFY(QFile::copy(kReplayData + u"/workspace/products.json"_qs, root + u"/products.json"_qs));
    ReplayWorkbench workbench;
    workbench.setWorkspace(loadWorkspace(root), u"acme"_qs);
    QVERIFY(importAndWait(workbench.library(), { kReplayData + u"/exports/webhooks.json"_qs }, u"acme"_qs));
    QVERIFY(workbench.openSession(workbench.library().rowOf(u"acme"_qs, u"s-hook-3"_qs)));
    ReplayPanel& panel = *workbench.replayPanel();
    const FiringsModel& model = *panel.firingsModel();
    QAbstractItemModelTester tester(panel.firingsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    const auto firingTimes = [&] {
        QStringList times;
        for (int row : rowsOf(model, Kind::Firing))
            times << cellText(model, row, FiringsModel::Trigger) + u' ' + cellText(model, row, FiringsModel::Time);
        return times;
    };
    QCOMPARE(firingTimes(), QStringList { u"settings-dwell +1:25"_qs });

    TriggerEditor& editor = *workbench.triggerEditor();
    editor.selectTrigger(1);
    auto* when = qobject_cast<QPlainTextEdit*>(editor.field(u"when"_qs));
    when->setPlainText(when->toPlainText().replace(u"\"threshold_s\": 60"_qs, u"\"threshold_s\": 30"_qs));
    QCOMPARE(firingTimes(), QStringList { u"settings-dwell +0:45"_qs });
    // Past the lookback the dwell can no longer fire at all.
    when->setPlainText(when->toPlainText().replace(u"\"threshold_s\": 30"_qs, u"\"threshold_s\": 150"_qs));
    QVERIFY(editor.problemTexts().isEmpty());
    QCOMPARE(firingTimes(), QStringList());
    QCOMPARE(panel.findChild<QLabel*>(u"firingsTitle"_qs)->text().left(15), u"<b>0 firing(s)<"_qs);
}

void TestReplayFirings::screenshot()
{
    m_panel->setPolicy(*ResponsePolicy::parse("dismiss:5"));
    QVERIFY(m_panel->open(m_workspace, session(u"s-api-2"_qs)));
    QTableView* view = m_panel->firingsView();
    view->setCurrentIndex(view->model()->index(0, 0));
    QVERIFY(saveScreenshot(*m_panel, u"replay-firings.png"_qs));
}

QTEST_MAIN(TestReplayFirings)
#include "tst_replayfirings.moc"
