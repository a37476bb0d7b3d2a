// The studio's replay panel on sessions imported from the replay fixtures:
// stepping to the next firing lands on the firing's time, seeking by the
// slider and by clicking the timeline, the user-response policy (a dismissal
// shows the 600 s conservative cooldown), playing to the end at 1000×, and
// following the recorded navigation. Screenshot: replay-panel.png.

#include "eventwait.h"
#include "printers.h"
#include "replay/policyeditor.h"
#include "replay/replaypanel.h"
#include "replay/replaytimeline.h"
#include "replaytesting.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QSlider>
#include <QToolButton>
#include <QUrl>

using namespace proactive;
using namespace proactive::ui;
using namespace proactive::testing;

namespace {

bool hasLineStarting(const QStringList& lines, const QString& prefix)
{
    return std::any_of(lines.begin(), lines.end(), [&](const QString& line) { return line.startsWith(prefix); });
}

} // namespace

class TestReplayPanel final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void nextFiringLandsOnTheFiringTime_data();
    void nextFiringLandsOnTheFiringTime();
    void seekAndStep();
    void clickingTheTimelineSeeksToAMark();
    void dismissPolicyShowsTheCooldown();
    void playRunsToTheEndAtSpeed();
    void skipIdleStopsBeforeAToastHidesItself();
    void followsTheRecordedNavigation();
    void openRefusesAnUnknownProduct();
    void screenshot();

private:
    std::shared_ptr<const RecordedSession> session(const char* id) const;
    double offset(Timestamp at) const { return toSeconds(at - m_panel->replay()->start()); }

    std::shared_ptr<const Workspace> m_workspace;
    std::unique_ptr<SessionLibrary> m_library;
    std::unique_ptr<ReplayPanel> m_panel;
};

void TestReplayPanel::initTestCase()
{
    m_workspace = replayWorkspace();
    m_library = std::make_unique<SessionLibrary>();
    m_library->setWorkspace(m_workspace);
    QVERIFY(importAndWait(*m_library, { kReplayData + u"/exports"_qs }, u"acme"_qs));
    QCOMPARE(m_library->sessionCount(), 8);
    m_panel = std::make_unique<ReplayPanel>();
    m_panel->resize(1400, 820);
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
}

std::shared_ptr<const RecordedSession> TestReplayPanel::session(const char* id) const
{
    return m_library->session(m_library->rowOf(u"acme"_qs, QString::fromLatin1(id)));
}

void TestReplayPanel::nextFiringLandsOnTheFiringTime_data()
{
    QTest::addColumn<QByteArray>("sessionId");
    QTest::addColumn<double>("firingS");
    QTest::addColumn<QString>("trigger");
    QTest::newRow("ping-pong-first-poll-after") << QByteArray("s-api-1") << 25.0 << u"ping-pong"_qs;
    QTest::newRow("ping-pong-late") << QByteArray("s-query-1") << 65.0 << u"ping-pong"_qs;
    QTest::newRow("dwell") << QByteArray("s-hook-3") << 85.0 << u"settings-dwell"_qs;
}

void TestReplayPanel::nextFiringLandsOnTheFiringTime()
{
    QFETCH(QByteArray, sessionId);
    QFETCH(double, firingS);
    QFETCH(QString, trigger);
    m_panel->setPolicy(*ResponsePolicy::parse("never"));
    QVERIFY(m_panel->open(m_workspace, session(sessionId.constData())));
    QCOMPARE(m_panel->replay()->now(), m_panel->replay()->start());
    QVERIFY(m_panel->fullRecord());
    QCOMPARE(m_panel->fullRecord()->firings.size(), std::size_t(1));
    QCOMPARE(offset(m_panel->fullRecord()->firings[0].at), firingS);

    m_panel->findChild<QToolButton*>(u"nextFiring"_qs)->click();
    QCOMPARE(offset(m_panel->replay()->now()), firingS);
    QCOMPARE(m_panel->replay()->record().firings.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(m_panel->replay()->record().firings[0].triggerId), trigger);
    QCOMPARE(m_panel->replay()->state(), FsmState::ProactiveAssistance);
    // The moment's gate report: every gate passed, the trigger matched.
    const QStringList gates = m_panel->gateLines();
    QVERIFY2(hasLineStarting(gates, u"triggers | pass | "_qs), qPrintable(gates.join(u'\n')));
    QVERIFY2(hasLineStarting(gates, u"  %1 | matched | "_qs.arg(trigger)), qPrintable(gates.join(u'\n')));
    // And every trigger explained now, per condition.
    const QStringList triggers = m_panel->triggerLines();
    QVERIFY2(triggers.contains(u"%1 | matched"_qs.arg(trigger)), qPrintable(triggers.join(u'\n')));
    QVERIFY(m_panel->statusText().contains(u"toast: %1"_qs.arg(trigger)));
    // The timeline has the firing as a diamond at its time.
    const auto& marks = m_panel->timeline()->marks();
    QVERIFY(std::any_of(marks.begin(), marks.end(), [&](const ReplayTimeline::Mark& mark) {
        return mark.lane == ReplayTimeline::Lane::Polls && mark.emphasised && offset(mark.at) == firingS;
    }));
    QCOMPARE(m_panel->timeline()->now(), m_panel->replay()->now());
}

void TestReplayPanel::seekAndStep()
{
    m_panel->setPolicy(*ResponsePolicy::parse("never"));
    const auto recorded = session("s-api-2");
    QVERIFY(m_panel->open(m_workspace, recorded));
    const Timestamp start = m_panel->replay()->start();
    const auto arrivedBy = [&](double seconds) {
        return static_cast<std::size_t>(std::count_if(recorded->actions.begin(), recorded->actions.end(),
            [&](const ActionRecord& action) { return action.timestampStart <= start + fromSeconds(seconds); }));
    };

    m_panel->seek(start + std::chrono::seconds(12));
    QCOMPARE(offset(m_panel->replay()->now()), 12.0);
    QCOMPARE(m_panel->replay()->actionsArrived(), arrivedBy(12));
    QCOMPARE(m_panel->replay()->record().pollCount, std::size_t(1)); // at 5 s
    auto* slider = m_panel->findChild<QSlider*>(u"replaySeek"_qs);
    QCOMPARE(slider->value(), 120);

    m_panel->findChild<QToolButton*>(u"stepPoll"_qs)->click();
    QCOMPARE(offset(m_panel->replay()->now()), 25.0);
    QCOMPARE(m_panel->replay()->record().pollCount, std::size_t(2));

    // The slider seeks, backwards too (the replay runs again from the start).
    slider->setValue(30);
    QCOMPARE(offset(m_panel->replay()->now()), 3.0);
    QCOMPARE(m_panel->replay()->record().pollCount, std::size_t(0));
    QCOMPARE(m_panel->replay()->actionsArrived(), arrivedBy(3));

    // Next event: whichever comes first of the next action and the 5 s poll.
    double next = 5;
    for (const ActionRecord& action : recorded->actions)
        if (action.timestampStart > start + std::chrono::seconds(3))
            next = std::min(next, toSeconds(action.timestampStart - start));
    m_panel->findChild<QToolButton*>(u"stepEvent"_qs)->click();
    QCOMPARE(offset(m_panel->replay()->now()), next);

    m_panel->findChild<QToolButton*>(u"restart"_qs)->click();
    QCOMPARE(m_panel->replay()->now(), start);
    QCOMPARE(m_panel->replay()->actionsArrived(), std::size_t(0));
    QCOMPARE(slider->value(), 0);
}

void TestReplayPanel::clickingTheTimelineSeeksToAMark()
{
    m_panel->setPolicy(*ResponsePolicy::parse("never"));
    QVERIFY(m_panel->open(m_workspace, session("s-query-1")));
    ReplayTimeline* timeline = m_panel->timeline();
    const ReplayRecord& full = *m_panel->fullRecord();
    // The timeline's geometry: lanes right of the 74 px labels, the whole
    // session across, four lanes above the axis and the legend.
    const double left = 74;
    const double width = timeline->width() - 74 - 10;
    const double laneHeight = (timeline->height() - 18 - 20 - 10) / 4.0;
    const double fraction = toSeconds(full.firings[0].at - full.start) / toSeconds(full.end - full.start);
    // A little off the diamond: the click snaps to it.
    const QPoint at(static_cast<int>(left + fraction * width) + 3, static_cast<int>(6 + 1.5 * laneHeight));
    QTest::mouseClick(timeline, Qt::LeftButton, {}, at);
    QCOMPARE(m_panel->replay()->now(), full.firings[0].at);
    QCOMPARE(m_panel->replay()->record().firings.size(), std::size_t(1));
}

void TestReplayPanel::dismissPolicyShowsTheCooldown()
{
    m_panel->setPolicy(*ResponsePolicy::parse("never"));
    QVERIFY(m_panel->open(m_workspace, session("s-api-1")));
    QVERIFY(m_panel->fullRecord()->cooldowns.empty());
    const Timestamp start = m_panel->replay()->start();
    m_panel->seek(start + std::chrono::seconds(50));

    // The author picks "dismisses after 5 s" in the panel: the replay re-runs to the same moment.
    auto* kind = m_panel->findChild<QComboBox*>(u"policyKind"_qs);
    auto* after = m_panel->findChild<QDoubleSpinBox*>(u"policyAfter"_qs);
    after->setValue(5);
    kind->setCurrentIndex(kind->findData(static_cast<int>(ResponsePolicy::Kind::Dismiss)));
    QCOMPARE(QString::fromStdString(m_panel->policy().toString()), u"dismiss:5"_qs);
    QCOMPARE(offset(m_panel->replay()->now()), 50.0);

    const ReplayRecord& full = *m_panel->fullRecord();
    QCOMPARE(full.cooldowns.size(), std::size_t(1));
    QCOMPARE(offset(full.cooldowns[0].start), 30.0); // fired at 25 s, dismissed 5 s later
    QCOMPARE(*full.cooldowns[0].end - full.cooldowns[0].start, Duration(std::chrono::seconds(600)));
    const auto& cooldowns = m_panel->timeline()->cooldowns();
    QCOMPARE(cooldowns.size(), std::size_t(1));
    QCOMPARE(cooldowns[0].to - cooldowns[0].from, Duration(std::chrono::seconds(600)));
    QVERIFY2(cooldowns[0].title.startsWith(u"cooldown 10 min 0 s"_qs), qPrintable(cooldowns[0].title));
    const auto& bands = m_panel->timeline()->bands();
    QVERIFY(std::any_of(bands.begin(), bands.end(), [&](const ReplayTimeline::Band& band) {
        return band.state == FsmState::ConservativeAssistance && offset(band.from) == 30.0;
    }));

    // At 50 s the user has dismissed: conservative, and the 45 s poll was blocked by the cooldown.
    QCOMPARE(m_panel->replay()->state(), FsmState::ConservativeAssistance);
    QVERIFY(m_panel->statusText().startsWith(u"conservative_assistance"_qs));
    const QStringList gates = m_panel->gateLines();
    QVERIFY2(hasLineStarting(gates, u"fsm | block | fsm:conservative_cooldown | {\"cooldown_remaining_s\":585.0"_qs),
        qPrintable(gates.join(u'\n')));
}

void TestReplayPanel::playRunsToTheEndAtSpeed()
{
    m_panel->setPolicy(*ResponsePolicy::parse("dismiss:5"));
    QVERIFY(m_panel->open(m_workspace, session("s-api-2")));
    m_panel->setSpeed(1000);
    m_panel->setSkipIdle(true);
    m_panel->play();
    QVERIFY(m_panel->isPlaying());
    TRY_VERIFY_WITH_TIMEOUT(!m_panel->isPlaying(), 20'000);
    QVERIFY(m_panel->replay()->finished());
    QCOMPARE(m_panel->replay()->now(), m_panel->replay()->end());
    // Played or run at once, the same record.
    const ReplayRecord& played = m_panel->replay()->record();
    const ReplayRecord& full = *m_panel->fullRecord();
    QCOMPARE(played.pollCount, full.pollCount);
    QCOMPARE(played.firings.size(), full.firings.size());
    for (std::size_t i = 0; i < full.firings.size(); ++i)
        QCOMPARE(played.firings[i].at, full.firings[i].at);
    QCOMPARE(played.cooldowns.size(), full.cooldowns.size());
}

// Skipping idle does not jump over a toast that hides itself (an
// interaction timeout of 3 s here): it stops a second before the expiry, as
// before a happening, so at 8× the toast is up for several ticks instead of
// one.
void TestReplayPanel::skipIdleStopsBeforeAToastHidesItself()
{
    QFile file(kReplayData + u"/workspace/products.json"_qs);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QString text = QString::fromUtf8(file.readAll());
    QVERIFY(text.contains(u"\"interaction_timeout_s\": 30"_qs));
    text.replace(u"\"interaction_timeout_s\": 30"_qs, u"\"interaction_timeout_s\": 3"_qs);
    Diagnostics diagnostics;
    const auto workspace = std::make_shared<const Workspace>(
        Workspace::fromText(text.toStdString(), (kReplayData + u"/workspace"_qs).toStdString(), diagnostics));
    QVERIFY(diagnostics.empty());
    m_panel->setPolicy(*ResponsePolicy::parse("never"));
    QVERIFY(m_panel->open(workspace, session("s-api-2")));
    QVERIFY(!m_panel->fullRecord()->firings.empty());
    m_panel->setSpeed(8);
    m_panel->setSkipIdle(true);
    m_panel->play();
    // How long after it appeared the first toast is still seen up.
    Duration seenUp { 0 };
    const SessionReplay* replay = m_panel->replay();
    QVERIFY(waitFor(
        [&] {
            if (replay->client().toast() && replay->toasts().size() == 1)
                seenUp = std::max(seenUp, replay->now() - replay->toasts().front().shownAt);
            return !replay->toasts().empty() && replay->toasts().front().hiddenAt;
        },
        60'000));
    m_panel->pause();
    QCOMPARE(*replay->toasts().front().hiddenAt - replay->toasts().front().shownAt, Duration(3000));
    QVERIFY2(seenUp >= Duration(2000), qPrintable(u"seen up %1 ms after it appeared"_qs.arg(seenUp.count())));
}

void TestReplayPanel::followsTheRecordedNavigation()
{
    m_panel->setPolicy(*ResponsePolicy::parse("never"));
    const auto recorded = session("s-api-2");
    QVERIFY(m_panel->open(m_workspace, recorded));
    QSignalSpy navigated(m_panel.get(), &ReplayPanel::navigated);
    m_panel->findChild<QCheckBox*>(u"followNavigation"_qs)->setChecked(true);
    while (!m_panel->replay()->finished())
        m_panel->stepEvent();
    QStringList expected;
    std::string previous;
    for (const ActionRecord& action : recorded->actions) {
        if (action.canonicalUrl != previous)
            expected << QString::fromStdString(action.rawUrl.get());
        previous = action.canonicalUrl.get();
    }
    QStringList urls;
    for (const QList<QVariant>& arguments : std::as_const(navigated)) {
        QCOMPARE(arguments.at(0).toString(), u"acme"_qs);
        urls << arguments.at(1).toUrl().toString();
    }
    QCOMPARE(urls, expected);
    m_panel->findChild<QCheckBox*>(u"followNavigation"_qs)->setChecked(false);
}

void TestReplayPanel::openRefusesAnUnknownProduct()
{
    QVERIFY(m_panel->open(m_workspace, session("s-api-1")));
    auto stranger = std::make_shared<RecordedSession>(*session("s-api-1"));
    stranger->summary.productId = "nope";
    QString error;
    QVERIFY(!m_panel->open(m_workspace, stranger, &error));
    QVERIFY2(error.contains(u"unknown_product"_qs), qPrintable(error));
    // The replay open before stays.
    QCOMPARE(m_panel->session()->summary.sessionId, std::string("s-api-1"));
}

void TestReplayPanel::screenshot()
{
    m_panel->setPolicy(*ResponsePolicy::parse("dismiss:5"));
    QVERIFY(m_panel->open(m_workspace, session("s-api-2")));
    m_panel->seek(m_panel->replay()->start() + std::chrono::seconds(47));
    QVERIFY(saveScreenshot(*m_panel, u"replay-panel.png"_qs));
}

QTEST_MAIN(TestReplayPanel)
#include "tst_replaypanel.moc"
