// The studio's simulation on its own (no page): captured events are stamped
// with the simulated time and the visitor's identity and reach the same
// connector; the clock runs polls at their exact times; rotation and reset
// behave as SPEC §1/§4 say; bad captures are reported, not ingested.

#include "demoworkspace.h"
#include "eventwait.h"
#include "printers.h"
#include "simulation/simulation.h"

#include <QSignalSpy>
#include <QTest>

using namespace proactive;
using proactive::testing::demoWorkspace;
using namespace proactive::ui;
using namespace std::chrono_literals;

namespace {

QByteArray pageview(const QString& path)
{
    return uR"({"event": "$pageview", "properties": {"$current_url": "http://127.0.0.1:8765%1"}})"_qs.arg(path)
        .toUtf8();
}

} // namespace

class TestSimulation final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void capturedEventsGetIdentityAndSimulatedTime();
    void pausedTimeStandsStill();
    void pollsRunAtTheirScheduledTimes();
    void pingPongFiresAndDismissStartsTheCooldown();
    void rotationStartsANewConversation();
    void toastExpiresAtItsTimeoutOnSimulatedTime();
    void capturesSetThePageAndADroppedToastIsLogged();
    void badCapturesAreReportedAndNotIngested_data();
    void badCapturesAreReportedAndNotIngested();

private:
    std::unique_ptr<Simulation> m_simulation;
};

void TestSimulation::init()
{
    m_simulation = std::make_unique<Simulation>(demoWorkspace(), u"demo"_qs);
    m_simulation->setSpeed(0);
}

void TestSimulation::capturedEventsGetIdentityAndSimulatedTime()
{
    m_simulation->setIdentity({ u"maya"_qs, u"maya@example.com"_qs });
    QSignalSpy ingested(m_simulation.get(), &Simulation::actionsIngested);
    m_simulation->ingestCapturedEvent(pageview(u"/projects/apollo"_qs));
    QCOMPARE(ingested.size(), 1);
    const auto actions = ingested.first().first().value<std::vector<Action>>();
    QCOMPARE(actions.size(), 1u);
    QCOMPARE(actions[0].type, ActionType::Pageview);
    QCOMPARE(actions[0].distinctId, std::string("maya"));
    QCOMPARE(actions[0].email, std::string("maya@example.com"));
    QCOMPARE(actions[0].sessionId, m_simulation->sessionId().toStdString());
    QCOMPARE(actions[0].timestampStart, m_simulation->now());
    QCOMPARE(actions[0].canonicalUrl, std::string("http://127.0.0.1:8765/projects/:slug"));
}

void TestSimulation::pausedTimeStandsStill()
{
    const Timestamp before = m_simulation->now();
    proactive::testing::wait(120);
    QCOMPARE(m_simulation->now(), before);
    m_simulation->setSpeed(100);
    TRY_VERIFY(m_simulation->now() - before >= 5s);
}

void TestSimulation::pollsRunAtTheirScheduledTimes()
{
    QSignalSpy polled(m_simulation.get(), &Simulation::polled);
    const Timestamp start = m_simulation->now();
    m_simulation->stepToNextPoll();
    QCOMPARE(polled.size(), 1);
    QCOMPARE(polled.at(0).first().value<Decision>().at, start + 5s);
    // 60 s more: polls at 25, 45 and 65 s, each at its exact time.
    m_simulation->advance(60s);
    QCOMPARE(polled.size(), 4);
    QCOMPARE(polled.at(3).first().value<Decision>().at, start + 65s);
    QCOMPARE(m_simulation->now(), start + 65s);
    // The inspector gets every gate's numbers.
    QVERIFY(!polled.at(3).first().value<Decision>().gates.empty());
}

void TestSimulation::pingPongFiresAndDismissStartsTheCooldown()
{
    QSignalSpy toast(m_simulation.get(), &Simulation::toastChanged);
    for (const QString& path : { u"/projects"_qs, u"/projects/apollo"_qs, u"/projects"_qs })
        m_simulation->ingestCapturedEvent(pageview(path));
    m_simulation->stepToNextPoll();
    QCOMPARE(toast.size(), 1);
    QCOMPARE(toast.first().first().value<std::optional<Offer>>()->triggerId, std::string("ping-pong"));
    QCOMPARE(m_simulation->conversation()->state, FsmState::ProactiveAssistance);

    m_simulation->dismiss();
    QCOMPARE(toast.size(), 2);
    QVERIFY(!toast.last().first().value<std::optional<Offer>>());
    QCOMPARE(m_simulation->conversation()->state, FsmState::ConservativeAssistance);
    QCOMPARE(m_simulation->conversation()->cooldownUntil, m_simulation->now() + 600s);
}

void TestSimulation::rotationStartsANewConversation()
{
    const std::string before = m_simulation->conversationId();
    QSignalSpy changed(m_simulation.get(), &Simulation::sessionChanged);
    m_simulation->rotateSession();
    QCOMPARE(changed.size(), 1);
    QVERIFY(m_simulation->conversationId() != before);
    QCOMPARE(m_simulation->conversationId(), "proactive:" + m_simulation->sessionId().toStdString());
}

void TestSimulation::toastExpiresAtItsTimeoutOnSimulatedTime()
{
    QSignalSpy toast(m_simulation.get(), &Simulation::toastChanged);
    QSignalSpy events(m_simulation.get(), &Simulation::clientEvents);
    for (const QString& path : { u"/projects"_qs, u"/projects/apollo"_qs, u"/projects"_qs })
        m_simulation->ingestCapturedEvent(pageview(path));
    m_simulation->stepToNextPoll();
    QCOMPARE(toast.size(), 1);
    const Timestamp shownAt = m_simulation->now();
    // The demo's ping-pong: interaction_timeout_s 10, polls every 20 s. A
    // tick that jumps past the expiry hides the toast at its exact time.
    m_simulation->advance(9999ms);
    QCOMPARE(toast.size(), 1);
    m_simulation->advance(5s);
    QCOMPARE(toast.size(), 2);
    QVERIFY(!toast.last().first().value<std::optional<Offer>>());
    const auto hidden = events.last().first().value<std::vector<ClientEvent>>();
    QCOMPARE(hidden.size(), 1u);
    QCOMPARE(hidden.front().kind, ClientEvent::Kind::ToastHidden);
    QCOMPARE(hidden.front().reason, std::string("expired"));
    QCOMPARE(hidden.front().at, shownAt + 10s);
    // A click that comes too late answers nothing.
    m_simulation->dismiss();
    QCOMPARE(m_simulation->conversation()->dismissals, 0);
}

void TestSimulation::capturesSetThePageAndADroppedToastIsLogged()
{
    for (const QString& path : { u"/projects"_qs, u"/projects/apollo"_qs, u"/projects"_qs })
        m_simulation->ingestCapturedEvent(pageview(path));
    QCOMPARE(m_simulation->client().page(), std::string("http://127.0.0.1:8765/projects"));
    m_simulation->stepToNextPoll();
    QCOMPARE(m_simulation->client().toastPage(), std::string("http://127.0.0.1:8765/projects"));

    QSignalSpy toast(m_simulation.get(), &Simulation::toastChanged);
    QSignalSpy events(m_simulation.get(), &Simulation::clientEvents);
    m_simulation->dropToast();
    QCOMPARE(toast.size(), 1);
    QVERIFY(!toast.last().first().value<std::optional<Offer>>());
    const auto dropped = events.last().first().value<std::vector<ClientEvent>>();
    QCOMPARE(dropped.size(), 1u);
    QCOMPARE(dropped.front().kind, ClientEvent::Kind::OfferDropped);
    QCOMPARE(dropped.front().reason, std::string("page_changed"));
    QCOMPARE(m_simulation->conversation()->state, FsmState::ProactiveAssistance);
}

void TestSimulation::badCapturesAreReportedAndNotIngested_data()
{
    QTest::addColumn<QByteArray>("event");
    QTest::addColumn<QString>("reason");
    QTest::newRow("not-json") << QByteArray("{") << "capture: not a PostHog event object";
    QTest::newRow("no-properties") << QByteArray(R"({"event": "$pageview"})") << "capture: not a PostHog event object";
    QTest::newRow("array") << QByteArray("[]") << "capture: not a PostHog event object";
}

void TestSimulation::badCapturesAreReportedAndNotIngested()
{
    QFETCH(QByteArray, event);
    QFETCH(QString, reason);
    QSignalSpy rejected(m_simulation.get(), &Simulation::captureRejected);
    QSignalSpy ingested(m_simulation.get(), &Simulation::actionsIngested);
    m_simulation->ingestCapturedEvent(event);
    QCOMPARE(rejected.size(), 1);
    QCOMPARE(rejected.first().first().toString(), reason);
    QCOMPARE(ingested.size(), 0);
}

QTEST_GUILESS_MAIN(TestSimulation)
#include "tst_simulation.moc"
