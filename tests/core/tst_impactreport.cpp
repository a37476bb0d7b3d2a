// computeImpact's rules (core/impact/impactreport.h, docs/replay.md
// "Impact") on hand-made sessions: the arm of the first exposure, goals at
// or after it only (in later sessions too), recorded events before the
// replay's decisions, and the verdict of an interval.

#include "impact/impactreport.h"

#include <QTest>
#include <chrono>

using namespace proactive;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kStart = 1'800'000'000'000;

std::shared_ptr<const Workspace> workspace(const char* goal = R"("goal": {"event": "signup"},)")
{
    Diagnostics diagnostics;
    const std::string text = std::string(R"([{"product_id": "p", )") + goal
        + R"("triggers": [{"id": "t", "body": "Hi", "when": {"idle": {"at_least_s": 5}}},
                          {"id": "u", "body": "Ho", "when": {"idle": {"at_least_s": 9}}}]}])";
    auto loaded = std::make_shared<const Workspace>(Workspace::fromText(text, ".", diagnostics));
    for (const auto& d : diagnostics)
        qWarning("%s", d.toString().c_str());
    return loaded;
}

Action userEvent(std::int64_t atS, std::string name, std::string user, std::string trigger = {})
{
    Action action;
    action.type = ActionType::Custom;
    action.event = std::move(name);
    action.timestampStart = fromEpochMs(kStart + atS * 1000);
    action.distinctId = std::move(user);
    action.rawUrl = "https://app.example.com/projects";
    if (!trigger.empty())
        action.properties.emplace_back("trigger_id", std::move(trigger));
    return action;
}

RecordedSession session(const Workspace& w, std::string id, std::vector<Action> actions)
{
    return recordSession(*w.product("p"), std::move(id), std::move(actions));
}

const TriggerImpact* find(const ImpactReport& report, std::string_view trigger)
{
    for (const auto& impact : report.triggers)
        if (impact.triggerId == trigger)
            return &impact;
    return nullptr;
}

} // namespace

class TestImpactReport final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void armsFromRecordedEvents();
    void armsFromTheReplay();
    void noGoalNoReport();
    void verdict_data();
    void verdict();
};

void TestImpactReport::armsFromRecordedEvents()
{
    const auto w = workspace();
    const std::vector<RecordedSession> sessions {
        // a: held out first, then offered: held out; the goal before the exposure does not count, the one after does.
        session(*w, "a1",
            { userEvent(0, "signup", "a"), userEvent(10, "proactive holdout", "a", "t"),
                userEvent(20, "proactive offer shown", "a", "t"), userEvent(30, "signup", "a") }),
        // b: offered, never reaches the goal.
        session(*w, "b1", { userEvent(0, "$pageview", "b"), userEvent(5, "proactive offer shown", "b", "t") }),
        // c: offered in one session, reaches the goal in a later one.
        session(*w, "c1", { userEvent(100, "proactive offer shown", "c", "t") }),
        session(*w, "c2", { userEvent(4000, "signup", "c") }),
        // d: reached the goal only before being offered u.
        session(*w, "d1", { userEvent(0, "signup", "d"), userEvent(50, "proactive offer shown", "d", "u") }),
    };
    const auto report = computeImpact(*w, sessions, {});
    QVERIFY(report);
    QCOMPARE(report->source, ExposureSource::Recorded);
    QCOMPARE(report->goals.size(), std::size_t(1));
    QCOMPARE(report->goals.front().goal, std::string("event signup"));
    QCOMPARE(report->triggers.size(), std::size_t(2));
    QCOMPARE(report->triggers[0].triggerId, std::string("t")); // the product's order
    const TriggerImpact& t = *find(*report, "t");
    QCOMPARE(t.heldOut.users, std::size_t(1));
    QCOMPARE(t.heldOut.reached, std::size_t(1));
    QCOMPARE(t.heldOut.timeToGoalS, std::vector<double> { 20.0 });
    QCOMPARE(t.offered.users, std::size_t(2));
    QCOMPARE(t.offered.reached, std::size_t(1));
    QCOMPARE(t.offered.timeToGoalS, std::vector<double> { 3900.0 });
    QCOMPARE(*medianTimeToGoalS(t.offered), 3900.0);
    QVERIFY(t.difference);
    QCOMPARE(t.verdict(), TriggerImpact::Verdict::TooSmall);
    QCOMPARE(verdictText(t), std::string("too small to tell (offered: 2 users < 30; held out: 1 user < 30)"));
    const TriggerImpact& u = *find(*report, "u");
    QCOMPARE(u.offered.users, std::size_t(1));
    QCOMPARE(u.offered.reached, std::size_t(0));
    QCOMPARE(u.heldOut.users, std::size_t(0));
    QVERIFY(!u.difference);
    QCOMPARE(u.verdict(), TriggerImpact::Verdict::TooSmall);
}

void TestImpactReport::armsFromTheReplay()
{
    const auto w = workspace();
    const std::vector<RecordedSession> sessions {
        session(*w, "a1", { userEvent(0, "$pageview", "a"), userEvent(60, "signup", "a") }),
        session(*w, "b1", { userEvent(0, "$pageview", "b") }),
    };
    std::vector<ReplayRecord> records(2);
    records[0].firings.push_back({ .at = fromEpochMs(kStart + 15'000), .triggerId = "t" });
    records[1].transitions.push_back(
        { fromEpochMs(kStart + 15'000), "held_out", FsmState::Thinking, FsmState::Thinking, "trigger:t" });
    const auto report = computeImpact(*w, sessions, records);
    QVERIFY(report);
    QCOMPARE(report->source, ExposureSource::Replayed);
    const TriggerImpact& t = *find(*report, "t");
    QCOMPARE(t.offered.users, std::size_t(1));
    QCOMPARE(t.offered.reached, std::size_t(1));
    QCOMPARE(t.offered.timeToGoalS, std::vector<double> { 45.0 });
    QCOMPARE(t.heldOut.users, std::size_t(1));
    QCOMPARE(t.heldOut.reached, std::size_t(0));
}

void TestImpactReport::noGoalNoReport()
{
    const auto w = workspace("");
    const std::vector<RecordedSession> sessions { session(
        *w, "a1", { userEvent(0, "proactive offer shown", "a", "t") }) };
    QVERIFY(!computeImpact(*w, sessions, {}));
}

void TestImpactReport::verdict_data()
{
    QTest::addColumn<int>("offeredReached");
    QTest::addColumn<int>("heldOutReached");
    QTest::addColumn<int>("verdict");
    // 100 users in each arm.
    QTest::newRow("helps") << 60 << 40 << int(TriggerImpact::Verdict::Helps);
    QTest::newRow("hurts") << 30 << 50 << int(TriggerImpact::Verdict::Hurts);
    QTest::newRow("unclear") << 45 << 40 << int(TriggerImpact::Verdict::Unclear);
    QTest::newRow("too-few-successes") << 40 << 4 << int(TriggerImpact::Verdict::TooSmall);
    QTest::newRow("too-few-failures") << 96 << 50 << int(TriggerImpact::Verdict::TooSmall);
}

void TestImpactReport::verdict()
{
    QFETCH(int, offeredReached);
    QFETCH(int, heldOutReached);
    QFETCH(int, verdict);
    const SampleRule rule;
    TriggerImpact impact;
    impact.offered.users = impact.heldOut.users = 100;
    impact.offered.reached = offeredReached;
    impact.heldOut.reached = heldOutReached;
    impact.offered.tooSmall = rule.tooSmall(100, offeredReached);
    impact.heldOut.tooSmall = rule.tooSmall(100, heldOutReached);
    impact.difference = newcombeDifference(offeredReached, 100, heldOutReached, 100);
    QCOMPARE(int(impact.verdict()), verdict);
}

QTEST_GUILESS_MAIN(TestImpactReport)
#include "tst_impactreport.moc"
