// The replay engine: a recorded session through a fresh connector and the
// simulated client on a virtual clock, the user-response policies (and what
// they do to the FSM and its cooldowns), the steppable interface and
// determinism however the replay is stepped.

#include "printers.h"
#include "replay/replayreport.h"
#include "replay/sessionreplay.h"

#include <QTest>
#include <nlohmann/json.hpp>

using namespace proactive;
using nlohmann::json;
using Kind = ReplayEvent::Kind;

Q_DECLARE_METATYPE(proactive::ResponsePolicy::Kind)

namespace {

const Timestamp kStart = *parseIsoTimestamp("2024-09-03T10:00:00Z");

Timestamp at(double seconds)
{
    return kStart + fromSeconds(seconds);
}

double offset(Timestamp t)
{
    return toSeconds(t - kStart);
}

struct ProductOptions {
    double minIntervalS = 300;
    double interactionTimeoutS = 30;
    double cooldownS = 30;
    std::string tourId = "find-project";
    double dwellThresholdS = 60;
    std::vector<std::string> routes { "/projects/:slug", "/settings/account" };
};

std::shared_ptr<const Workspace> workspace(const ProductOptions& o = {})
{
    json pingPong { { "id", "ping-pong" }, { "body", "Looking for something?" },
        { "interaction_timeout_s", o.interactionTimeoutS }, { "cooldown_s", o.cooldownS },
        { "when", { { "type", "canonical_url_ping_pong" }, { "min_cycles", 1 } } } };
    if (!o.tourId.empty())
        pingPong["tour_id"] = o.tourId;
    const json dwell { { "id", "settings-dwell" }, { "body", "Need a hand with your settings?" },
        { "interaction_timeout_s", o.interactionTimeoutS }, { "cooldown_s", o.cooldownS },
        { "when",
            { { "all",
                { { { "event", { { "route", "/settings/account" } } } },
                    { { "type", "user_page_dwell" }, { "threshold_s", o.dwellThresholdS },
                        { "max_actions", 5 } } } } } } };
    const json products = json::array({ { { "product_id", "p" }, { "routes", o.routes },
        { "proactive", { { "enabled", true }, { "min_interval_s", o.minIntervalS } } },
        { "triggers", json::array({ pingPong, dwell }) } } });
    Diagnostics diagnostics;
    auto ws = std::make_shared<const Workspace>(Workspace::fromJson(products, ".", "products.json", diagnostics));
    for (const auto& d : diagnostics)
        qWarning("workspace problem: %s", d.toString().c_str());
    return ws;
}

struct Step {
    double seconds;
    std::string path;
    ActionType type = ActionType::Pageview;
};

RecordedSession session(const Workspace& ws, const std::vector<Step>& steps, const std::string& id = "s1")
{
    std::vector<Action> actions;
    for (const Step& step : steps) {
        Action a;
        a.type = step.type;
        a.event = step.type == ActionType::Pageview ? "$pageview"
            : step.type == ActionType::Pageleave    ? "$pageleave"
                                                    : "$autocapture";
        a.sessionId = id;
        a.distinctId = "u1";
        a.rawUrl = "https://app.test" + step.path;
        a.timestampStart = at(step.seconds);
        if (step.type == ActionType::Click) {
            a.element.tag = "button";
            a.element.text = "Open";
        }
        actions.push_back(std::move(a));
    }
    return recordSession(*ws.product("p"), id, std::move(actions));
}

// /projects → /projects/apollo → /projects in the first 4 s: a ping-pong at the first poll (5 s).
std::vector<Step> pingPongThen(double lastSeconds, const std::string& lastPath = "/settings/account")
{
    return { { 0, "/projects" }, { 2, "/projects/apollo" }, { 4, "/projects" }, { lastSeconds, lastPath } };
}

ReplaySettings withPolicy(const char* policy)
{
    ReplaySettings settings;
    settings.policy = *ResponsePolicy::parse(policy);
    return settings;
}

ReplayRecord replay(std::shared_ptr<const Workspace> ws, const RecordedSession& s, const ReplaySettings& settings)
{
    auto record = replaySession(std::move(ws), s, settings);
    if (!record)
        qFatal("replay failed: %s", record.error().toString().c_str());
    return std::move(*record);
}

// "10:dismiss:proactive_dismissed:applied:conservative_assistance" per response.
QStringList responsesOf(const ReplayRecord& record)
{
    QStringList out;
    for (const auto& r : record.responses)
        out << QString::number(offset(r.at)) + u':'
                + QString::fromStdString(
                    r.action + ":" + r.agentEvent + ":" + r.outcome + ":" + std::string(nameOf(r.state)));
    return out;
}

// "5:trigger_fired:thinking>proactive_assistance" per transition.
QStringList pathOf(const ReplayRecord& record)
{
    QStringList out;
    for (const auto& t : record.transitions)
        out << QString::number(offset(t.at)) + u':' + QString::fromStdString(t.event) + u':'
                + QString::fromUtf8(nameOf(t.from).data()) + u'>' + QString::fromUtf8(nameOf(t.to).data());
    return out;
}

QStringList firingsOf(const ReplayRecord& record)
{
    QStringList out;
    for (const auto& f : record.firings)
        out << QString::number(offset(f.at)) + u':' + QString::fromStdString(f.triggerId);
    return out;
}

std::string recordJson(const RecordedSession& s, const ReplayRecord& record)
{
    return sessionJson(s, record, true).dump();
}

const ConditionExplanation* findKind(const ConditionExplanation& e, std::string_view kind)
{
    if (e.kind == kind)
        return &e;
    for (const auto& child : e.children)
        if (const auto* found = findKind(child, kind))
            return found;
    return nullptr;
}

} // namespace

class TestReplay final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void policyParse_data();
    void policyParse();
    void pollsRunOnTheClientsSchedule();
    void actionsAtAPollsTimeAreSeenByIt();
    void neverLetsTheOfferExpire();
    void dismissStartsTheConservativeCooldown();
    void thirdDismissalSilences();
    void toastIsGoneAfterOnePoll();
    void toastHidesItselfAtItsTimeout();
    void acceptPolicies_data();
    void acceptPolicies();
    void trailingPageleaveEndsTheSession();
    void explainedPollsCarryGateReports();
    void steppingIsDeterministic();
    void steppableInterface();
    void explainTriggersAtTheCurrentMoment();
    void reconfigureReplaysToNow();
    void pagesAreThoseOfTheWorkspacesRoutes();
    void createRefusesWhatCannotReplay();
};

void TestReplay::policyParse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<ResponsePolicy::Kind>("kind");
    QTest::addColumn<double>("afterS");

    using K = ResponsePolicy::Kind;
    QTest::newRow("never") << u"never"_qs << true << K::Never << 0.0;
    QTest::newRow("dismiss") << u"dismiss:5"_qs << true << K::Dismiss << 5.0;
    QTest::newRow("chat-fraction") << u"chat:2.5"_qs << true << K::AcceptChat << 2.5;
    QTest::newRow("tour-complete") << u"tour-complete:30"_qs << true << K::TourComplete << 30.0;
    QTest::newRow("tour-abandon-zero") << u"tour-abandon:0"_qs << true << K::TourAbandon << 0.0;
    QTest::newRow("missing-seconds") << u"dismiss"_qs << false << K::Never << 0.0;
    QTest::newRow("negative") << u"dismiss:-1"_qs << false << K::Never << 0.0;
    QTest::newRow("not-a-number") << u"chat:soon"_qs << false << K::Never << 0.0;
    QTest::newRow("unknown") << u"sometimes:3"_qs << false << K::Never << 0.0;
    QTest::newRow("never-with-seconds") << u"never:3"_qs << false << K::Never << 0.0;
}

void TestReplay::policyParse()
{
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(ResponsePolicy::Kind, kind);
    QFETCH(double, afterS);
    const auto policy = ResponsePolicy::parse(text.toStdString());
    QCOMPARE(policy.ok(), ok);
    if (!ok) {
        QCOMPARE(policy.error().code, std::string("bad_policy"));
        return;
    }
    QCOMPARE(policy->kind, kind);
    QCOMPARE(policy->after, fromSeconds(afterS));
    QCOMPARE(QString::fromStdString(policy->toString()), text);
}

void TestReplay::pollsRunOnTheClientsSchedule()
{
    const auto ws = workspace();
    const auto s = session(*ws, pingPongThen(100));
    const auto record = replay(ws, s, {});
    // First poll 5 s after the first action, then every 20 s up to 120 s after the last action.
    QCOMPARE(record.start, at(0));
    QCOMPARE(record.end, at(220));
    QCOMPARE(record.pollCount, std::size_t(11));
    QCOMPARE(record.polls.size(), std::size_t(11));
    for (std::size_t i = 0; i < record.polls.size(); ++i)
        QCOMPARE(offset(record.polls[i].at), 5.0 + 20.0 * static_cast<double>(i));
    QCOMPARE(firingsOf(record), QStringList { u"5:ping-pong"_qs });
    QCOMPARE(record.firings[0].page, std::string("https://app.test/projects"));
    QCOMPARE(record.firings[0].tourId, std::string("find-project"));
    QVERIFY(record.firings[0].shown);
    QCOMPARE(record.polls[0].toast, ReplayPoll::Toast::Shown);
    QCOMPARE(record.polls[0].lastAction, std::int64_t(2));
    QCOMPARE(record.polls[1].toast, ReplayPoll::Toast::Hidden);
    // 25: still waiting for an answer; from 45 (the offer expired at 35) the 300 s minimum interval.
    QCOMPARE(record.skipReasons,
        (std::map<std::string, std::size_t> { { "fsm:wrong_state", 1 }, { "resilience:min_interval", 9 } }));
}

void TestReplay::actionsAtAPollsTimeAreSeenByIt()
{
    const auto ws = workspace();
    const auto s = session(*ws, { { 0, "/projects" }, { 10, "/projects/apollo" }, { 25, "/projects" } });
    auto replay = SessionReplay::create(ws, s, {});
    QVERIFY(replay.ok());
    QStringList order;
    while (auto event = replay->step())
        if (offset(event->at) <= 25)
            order << QString::fromUtf8(nameOf(event->kind).data()) + u'@' + QString::number(offset(event->at))
                    + (event->fired ? u"!"_qs : QString());
    QCOMPARE(order, (QStringList { u"action@0"_qs, u"poll@5"_qs, u"action@10"_qs, u"action@25"_qs, u"poll@25!"_qs }));
    QCOMPARE(replay->record().firings.at(0).lastAction, std::int64_t(2));
}

void TestReplay::neverLetsTheOfferExpire()
{
    const auto ws = workspace();
    const auto record = replay(ws, session(*ws, pingPongThen(100)), withPolicy("never"));
    QCOMPARE(pathOf(record),
        (QStringList { u"5:trigger_fired:thinking>proactive_assistance"_qs,
            u"45:interaction_timeout:proactive_assistance>thinking"_qs }));
    QVERIFY(record.responses.empty());
    QVERIFY(record.cooldowns.empty());
}

void TestReplay::dismissStartsTheConservativeCooldown()
{
    const auto ws = workspace();
    const auto s = session(*ws, pingPongThen(600, "/projects/zephyr"));
    const auto record = replay(ws, s, withPolicy("dismiss:5"));
    QCOMPARE(responsesOf(record), QStringList { u"10:dismiss:proactive_dismissed:applied:conservative_assistance"_qs });
    QCOMPARE(record.cooldowns.size(), std::size_t(1));
    const ReplayCooldown& cooldown = record.cooldowns[0];
    QCOMPARE(cooldown.start, at(10));
    QVERIFY(cooldown.end.has_value());
    QCOMPARE(*cooldown.end - cooldown.start, Duration(600'000));
    QCOMPARE(cooldown.dismissals, 1);
    QCOMPARE(cooldown.cause, std::string("proactive_dismissed"));
    // Polls 25 … 605 are inside the cooldown; the one at 625 finds it over.
    QCOMPARE(record.skipReasons.at("fsm:conservative_cooldown"), std::size_t(30));
    QCOMPARE(pathOf(record),
        (QStringList { u"5:trigger_fired:thinking>proactive_assistance"_qs,
            u"10:proactive_dismissed:proactive_assistance>conservative_assistance"_qs,
            u"625:cooldown_elapsed:conservative_assistance>thinking"_qs }));
}

void TestReplay::thirdDismissalSilences()
{
    const auto ws = workspace({ .minIntervalS = 0, .cooldownS = 0 });
    // Back and forth every 10 s for 40 minutes: the ping-pong matches whenever the gates let it.
    std::vector<Step> steps;
    for (int i = 0; i <= 240; ++i)
        steps.push_back({ 10.0 * i, i % 2 ? "/projects/apollo" : "/projects" });
    const auto record = replay(ws, session(*ws, steps), withPolicy("dismiss:5"));
    // a,b,a by 20 s: offers at 25, after 600 s at 645, after 900 s at 1565.
    QCOMPARE(firingsOf(record), (QStringList { u"25:ping-pong"_qs, u"645:ping-pong"_qs, u"1565:ping-pong"_qs }));
    QCOMPARE(record.cooldowns.size(), std::size_t(3));
    QCOMPARE(*record.cooldowns[0].end - record.cooldowns[0].start, Duration(600'000));
    QCOMPARE(*record.cooldowns[1].end - record.cooldowns[1].start, Duration(900'000));
    QVERIFY(!record.cooldowns[2].end.has_value()); // silenced until reset
    QCOMPARE(record.cooldowns[2].dismissals, 3);
    QCOMPARE(record.cooldowns[2].start, at(1570));
    // Every poll after the third dismissal is blocked by the FSM.
    for (const ReplayPoll& poll : record.polls)
        if (poll.at > at(1570))
            QCOMPARE(poll.skipReason, std::string("fsm:conservative_cooldown"));
    QCOMPARE(record.responses.size(), std::size_t(3));
}

void TestReplay::toastIsGoneAfterOnePoll()
{
    // The next poll answers fsm:wrong_state (null), which hides the toast
    // (SPEC §3, §4): a dismissal planned after it finds nothing to dismiss.
    const auto ws = workspace();
    const auto record = replay(ws, session(*ws, pingPongThen(100)), withPolicy("dismiss:25"));
    QCOMPARE(responsesOf(record), QStringList { u"30:dismiss::no_toast:proactive_assistance"_qs });
    QVERIFY(record.cooldowns.empty());
}

void TestReplay::toastHidesItselfAtItsTimeout()
{
    // An interaction timeout shorter than the poll interval: the toast hides
    // itself 3 s after it appeared (SPEC §8 "§4 Client"), not at the next
    // poll, which then has no toast to hide.
    const auto ws = workspace({ .interactionTimeoutS = 3 });
    const auto s = session(*ws, pingPongThen(100));
    auto replay = SessionReplay::create(ws, s, withPolicy("never"));
    QVERIFY(replay.ok());
    replay->seek(at(7.999));
    QVERIFY(replay->client().toast().has_value());
    QCOMPARE(replay->toasts().size(), std::size_t(1));
    QVERIFY(!replay->toasts()[0].hiddenAt);
    replay->seek(at(8));
    QVERIFY(!replay->client().toast().has_value());
    QCOMPARE(replay->now(), at(8));
    const ShownToast& toast = replay->toasts().at(0);
    QCOMPARE(toast.offer.triggerId, std::string("ping-pong"));
    QCOMPARE(toast.shownAt, at(5));
    QCOMPARE(toast.hiddenAt, std::optional(at(8)));
    QCOMPARE(replay->client().log().back().reason, std::string("expired"));

    // Stepped over, the expiry happens at its moment too, before the next poll.
    auto stepped = SessionReplay::create(ws, s, withPolicy("never"));
    QVERIFY(stepped->stepTo(Kind::Poll)->fired);
    const auto next = stepped->stepTo(Kind::Poll);
    QCOMPARE(next->at, at(25));
    QCOMPARE(stepped->toasts().at(0).hiddenAt, std::optional(at(8)));
    QCOMPARE(stepped->record().polls.at(1).toast, ReplayPoll::Toast::None);
    // The same record however it is stepped.
    stepped->runToEnd();
    replay->runToEnd();
    QCOMPARE(recordJson(s, stepped->record()), recordJson(s, replay->record()));
}

void TestReplay::acceptPolicies_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<QString>("tourId");
    QTest::addColumn<QStringList>("responses");
    QTest::addColumn<int>("cooldowns");

    QTest::newRow("chat") << u"chat:10"_qs << u"find-project"_qs
                          << QStringList { u"7:accept_chat:proactive_accepted_chat:applied:reactive_assistance"_qs,
                                 u"7:chat_sent:user_sent:invalid_transition:reactive_assistance"_qs,
                                 u"17:chat_completed:bot_response_completed:applied:thinking"_qs }
                          << 0;
    QTest::newRow("tour-complete") << u"tour-complete:20"_qs << u"find-project"_qs
                                   << QStringList {
                                          u"7:accept_tour:proactive_accepted_tour:applied:guidance_execution"_qs,
                                          u"7:chat_sent:user_sent:invalid_transition:guidance_execution"_qs,
                                          u"12:chat_completed:bot_response_completed:invalid_transition:guidance_execution"_qs,
                                          u"27:tour_completed:tour_completed:applied:thinking"_qs,
                                      }
                                   << 0;
    QTest::newRow("tour-abandon") << u"tour-abandon:20"_qs << u"find-project"_qs
                                  << QStringList {
                                         u"7:accept_tour:proactive_accepted_tour:applied:guidance_execution"_qs,
                                         u"7:chat_sent:user_sent:invalid_transition:guidance_execution"_qs,
                                         u"12:chat_completed:bot_response_completed:invalid_transition:guidance_execution"_qs,
                                         u"27:tour_abandoned:tour_abandoned:applied:conservative_assistance"_qs,
                                     }
                                  << 1;
    // An offer without a tour can only be accepted as a chat; the bot answers after botResponse (5 s).
    QTest::newRow("tour-without-tour-id")
        << u"tour-complete:20"_qs << QString()
        << QStringList { u"7:accept_chat:proactive_accepted_chat:applied:reactive_assistance"_qs,
               u"7:chat_sent:user_sent:invalid_transition:reactive_assistance"_qs,
               u"12:chat_completed:bot_response_completed:applied:thinking"_qs }
        << 0;
}

void TestReplay::acceptPolicies()
{
    QFETCH(QString, policy);
    QFETCH(QString, tourId);
    QFETCH(QStringList, responses);
    QFETCH(int, cooldowns);
    const auto ws = workspace({ .tourId = tourId.toStdString() });
    const auto record = replay(ws, session(*ws, pingPongThen(100)), withPolicy(policy.toUtf8().constData()));
    QCOMPARE(responsesOf(record), responses);
    QCOMPARE(static_cast<int>(record.cooldowns.size()), cooldowns);
    if (cooldowns == 1)
        QCOMPARE(*record.cooldowns[0].end - record.cooldowns[0].start, Duration(600'000));
}

void TestReplay::trailingPageleaveEndsTheSession()
{
    const auto ws = workspace();
    const auto s = session(*ws, { { 0, "/projects" }, { 30, "/projects", ActionType::Pageleave } });
    const auto record = replay(ws, s, {});
    QCOMPARE(record.end, at(30));
    QCOMPARE(record.pollCount, std::size_t(2)); // 5 and 25
}

void TestReplay::explainedPollsCarryGateReports()
{
    const auto ws = workspace();
    const auto s = session(*ws, pingPongThen(100));
    ReplaySettings settings;
    auto record = replay(ws, s, settings);
    QStringList gates;
    for (const auto& gate : record.polls[0].gates)
        gates << QString::fromStdString(gate.gate + ":" + std::string(nameOf(gate.verdict)));
    QCOMPARE(gates,
        (QStringList { u"product:pass"_qs, u"fsm:pass"_qs, u"resilience:pass"_qs, u"triggers:pass"_qs,
            u"quotas:pass"_qs, u"bookkeeping:pass"_qs }));
    QCOMPARE(record.polls[0].triggers.size(), std::size_t(2));
    QCOMPARE(record.polls[2].gates[2].reason, std::string("resilience:min_interval"));

    settings.client.explain = false;
    record = replay(ws, s, settings);
    QVERIFY(record.polls[0].gates.empty());
    QCOMPARE(record.polls[0].triggerId, std::string("ping-pong"));
}

void TestReplay::steppingIsDeterministic()
{
    const auto ws = workspace({ .minIntervalS = 0, .cooldownS = 0 });
    std::vector<Step> steps;
    for (int i = 0; i <= 90; ++i)
        steps.push_back(
            { 7.5 * i, i % 3 ? "/projects/apollo" : "/projects", i % 5 ? ActionType::Pageview : ActionType::Click });
    const auto s = session(*ws, steps);
    const auto settings = withPolicy("dismiss:3");
    const std::string expected = recordJson(s, replay(ws, s, settings));

    auto byStep = SessionReplay::create(ws, s, settings);
    while (byStep->step()) { }
    QCOMPARE(recordJson(s, byStep->record()), expected);

    auto bySeek = SessionReplay::create(ws, s, settings);
    for (double t = 0; !bySeek->finished(); t += 13.7)
        bySeek->seek(at(t));
    QCOMPARE(recordJson(s, bySeek->record()), expected);

    auto byPoll = SessionReplay::create(ws, s, settings);
    while (byPoll->stepTo(Kind::Poll)) { }
    QCOMPARE(recordJson(s, byPoll->record()), expected);

    auto backAndForth = SessionReplay::create(ws, s, settings);
    backAndForth->seek(at(400));
    backAndForth->seek(at(100)); // backwards: replays from the start
    QCOMPARE(backAndForth->now(), at(100));
    backAndForth->runToEnd();
    QCOMPARE(recordJson(s, backAndForth->record()), expected);
}

void TestReplay::steppableInterface()
{
    const auto ws = workspace();
    const auto s = session(*ws, pingPongThen(100));
    auto replay = SessionReplay::create(ws, s, withPolicy("dismiss:5"));
    QVERIFY(replay.ok());
    QCOMPARE(replay->now(), at(0));
    QCOMPARE(*replay->nextAt(), at(0));
    QCOMPARE(replay->actionsArrived(), std::size_t(0));

    auto poll = replay->stepTo(Kind::Poll);
    QVERIFY(poll);
    QCOMPARE(poll->at, at(5));
    QVERIFY(poll->fired);
    QCOMPARE(poll->index, std::size_t(0));
    QCOMPARE(replay->actionsArrived(), std::size_t(3));
    QCOMPARE(replay->state(), FsmState::ProactiveAssistance);
    QVERIFY(replay->client().toast().has_value());
    QCOMPARE(*replay->nextAt(), at(10)); // the dismissal

    auto response = replay->step();
    QCOMPARE(response->kind, Kind::Response);
    QCOMPARE(replay->record().responses.at(response->index).action, std::string("dismiss"));
    QCOMPARE(replay->state(), FsmState::ConservativeAssistance);
    QVERIFY(!replay->client().toast().has_value());

    replay->seek(at(60));
    QCOMPARE(replay->now(), at(60));
    QCOMPARE(replay->record().pollCount, std::size_t(3)); // 5, 25, 45
    QVERIFY(!replay->nextFiring()); // silenced for 600 s, and the session ends at 220 s
    QVERIFY(replay->finished());
    QCOMPARE(replay->now(), at(220));
    QVERIFY(!replay->nextAt());
    QVERIFY(!replay->step());

    replay->reset();
    QCOMPARE(replay->now(), at(0));
    QCOMPARE(replay->record().pollCount, std::size_t(0));
    QVERIFY(!replay->finished());
}

void TestReplay::explainTriggersAtTheCurrentMoment()
{
    const auto ws = workspace();
    const auto s = session(*ws, { { 0, "/projects" }, { 4, "/settings/account" }, { 200, "/projects" } });
    auto replay = SessionReplay::create(ws, s, {});
    replay->seek(at(45));
    auto reports = replay->explainTriggers();
    QVERIFY(reports.ok());
    QCOMPARE(reports->size(), std::size_t(2));
    QCOMPARE(reports->at(1).triggerId, std::string("settings-dwell"));
    const ConditionExplanation* dwell = findKind(reports->at(1).explanation, "user_page_dwell");
    QVERIFY(dwell);
    QVERIFY(!dwell->matched);
    QCOMPARE(dwell->observed.get<double>(), 41.0);
    QVERIFY2(QString::fromStdString(dwell->summary).contains(u"41 s"_qs), dwell->summary.c_str());

    replay->seek(at(70));
    reports = replay->explainTriggers();
    dwell = findKind(reports->at(1).explanation, "user_page_dwell");
    QVERIFY(dwell->matched);
    QCOMPARE(firingsOf(replay->record()), QStringList { u"65:settings-dwell"_qs });
}

void TestReplay::reconfigureReplaysToNow()
{
    const auto s = session(*workspace(), { { 0, "/projects" }, { 4, "/settings/account" }, { 200, "/projects" } });
    auto replay = SessionReplay::create(workspace(), s, {});
    replay->seek(at(100));
    QCOMPARE(firingsOf(replay->record()), QStringList { u"65:settings-dwell"_qs });

    // The editor raises the threshold: the same moment, replayed with it.
    QVERIFY(replay->reconfigure(workspace({ .dwellThresholdS = 90 }), {}).ok());
    QCOMPARE(replay->now(), at(100));
    QVERIFY(replay->record().firings.empty());
    replay->seek(at(110));
    QCOMPARE(firingsOf(replay->record()), QStringList { u"105:settings-dwell"_qs });
}

void TestReplay::pagesAreThoseOfTheWorkspacesRoutes()
{
    // Recorded without routes, two projects are two pages: a ping-pong.
    const auto noRoutes = workspace({ .routes = {} });
    const auto projects = session(*noRoutes,
        { { 0, "/projects/apollo" }, { 2, "/projects/zeus" }, { 4, "/projects/apollo" }, { 100, "/projects" } });
    QCOMPARE(firingsOf(replay(noRoutes, projects, {})), QStringList { u"5:ping-pong"_qs });
    // Replayed under /projects/:slug they are one page, as the connector
    // would canonicalise them.
    QCOMPARE(firingsOf(replay(workspace(), projects, {})), QStringList {});

    // The page a firing reports is of the replay's routes too.
    const auto sections = workspace({ .routes = { "/settings/:section" } });
    const auto s = session(*sections, { { 0, "/projects" }, { 4, "/settings/account" }, { 200, "/projects" } });
    auto record = replay(sections, s, {});
    QCOMPARE(firingsOf(record), QStringList { u"65:settings-dwell"_qs });
    QCOMPARE(record.firings[0].page, std::string("https://app.test/settings/:section"));
    record = replay(workspace(), s, {});
    QCOMPARE(firingsOf(record), QStringList { u"65:settings-dwell"_qs });
    QCOMPARE(record.firings[0].page, std::string("https://app.test/settings/account"));
    QCOMPARE(s.actions[1].canonicalUrl.get(), std::string("https://app.test/settings/:section")); // as recorded

    // Sessions made by hand say nothing of their routes: made again too.
    RecordedSession unknown = projects;
    unknown.routes.reset();
    QCOMPARE(firingsOf(replay(noRoutes, unknown, {})), QStringList { u"5:ping-pong"_qs });
    QCOMPARE(firingsOf(replay(workspace(), unknown, {})), QStringList {});
}

void TestReplay::createRefusesWhatCannotReplay()
{
    const auto ws = workspace();
    auto s = session(*ws, pingPongThen(100));
    s.summary.productId = "other";
    auto replay = SessionReplay::create(ws, s, {});
    QVERIFY(!replay.ok());
    QCOMPARE(replay.error().code, std::string("unknown_product"));

    RecordedSession empty;
    empty.summary.productId = "p";
    empty.summary.sessionId = "s0";
    replay = SessionReplay::create(ws, empty, {});
    QVERIFY(!replay.ok());
    QCOMPARE(replay.error().code, std::string("empty_session"));
}

QTEST_GUILESS_MAIN(TestReplay)
#include "tst_replay.moc"
