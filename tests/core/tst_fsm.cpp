#include "fsm/fsm.h"
#include "printers.h"

#include <QTest>

using namespace proactive;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(proactive::FsmState)
Q_DECLARE_METATYPE(proactive::FsmEvent)
Q_DECLARE_METATYPE(proactive::Duration)

namespace {

const Timestamp kT0 = fromEpochMs(1'700'000'000'000);

ConversationRecord recordIn(FsmState state)
{
    ConversationRecord record;
    record.state = state;
    record.enteredAt = kT0;
    record.lastEventAt = kT0;
    if (state == FsmState::ProactiveAssistance) {
        record.activeTriggerId = "t";
        record.interactionTimeout = 10s;
    }
    if (state == FsmState::ConservativeAssistance) {
        record.dismissals = 1;
        record.cooldownUntil = kT0 + 600s;
    }
    return record;
}

} // namespace

class TestFsm final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyPair_data();
    void everyPair();
    void namesRoundTrip();
    void escalation_data();
    void escalation();
    void cooldownBoundary();
    void silencedUntilReset();
    void interactionTimeoutBoundary();
    void zeroInteractionTimeoutNeverExpires();
    void fireRecordsTrigger();
    void lateAnswer_data();
    void lateAnswer();
    void lateAnswerForgottenByNextTransition_data();
    void lateAnswerForgottenByNextTransition();
};

void TestFsm::everyPair_data()
{
    QTest::addColumn<FsmState>("from");
    QTest::addColumn<FsmEvent>("event");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<FsmState>("to");

    using S = FsmState;
    using E = FsmEvent;
    // The SPEC §2 table; everything else is invalid (reset handled separately).
    const std::map<std::pair<S, E>, S> valid {
        { { S::Thinking, E::UserSent }, S::ReactiveAssistance },
        { { S::ReactiveAssistance, E::BotResponseCompleted }, S::Thinking },
        { { S::ProactiveAssistance, E::ProactiveDismissed }, S::ConservativeAssistance },
        { { S::ProactiveAssistance, E::ProactiveAcceptedChat }, S::ReactiveAssistance },
        { { S::ProactiveAssistance, E::ProactiveAcceptedTour }, S::GuidanceExecution },
        { { S::GuidanceExecution, E::TourCompleted }, S::Thinking },
        { { S::GuidanceExecution, E::TourAbandoned }, S::ConservativeAssistance },
    };
    for (int s = 0; s < kFsmStateCount; ++s) {
        for (int e = 0; e < kFsmEventCount; ++e) {
            const auto state = static_cast<S>(s);
            const auto event = static_cast<E>(e);
            const auto it = valid.find({ state, event });
            const bool isReset = event == E::Reset;
            const bool ok = isReset || it != valid.end();
            const S to = isReset ? S::Thinking : (ok ? it->second : state);
            const auto name = std::string(nameOf(state)) + "+" + std::string(nameOf(event));
            QTest::newRow(name.c_str()) << state << event << ok << to;
        }
    }
}

void TestFsm::everyPair()
{
    QFETCH(FsmState, from);
    QFETCH(FsmEvent, event);
    QFETCH(bool, valid);
    QFETCH(FsmState, to);

    ProactiveSettings settings;
    auto record = recordIn(from);
    const auto before = record;
    const auto outcome = fsm::apply(record, event, kT0 + 1s, settings);

    QCOMPARE(outcome.previous, from);
    QCOMPARE(outcome.state, to);
    QCOMPARE(record.state, to);
    if (!valid) {
        QCOMPARE(outcome.kind, FsmOutcome::Kind::InvalidTransition);
        QVERIFY(!outcome.transition);
        QVERIFY(record == before); // nothing changed
        return;
    }
    QVERIFY(outcome.transition);
    QCOMPARE(outcome.transition->from, from);
    QCOMPARE(outcome.transition->to, to);
    QCOMPARE(outcome.transition->at, kT0 + 1s);
    QCOMPARE(outcome.transition->event, std::string(nameOf(event)));
    if (event == FsmEvent::Reset) {
        QCOMPARE(outcome.kind, FsmOutcome::Kind::Erased);
        QCOMPARE(record.dismissals, 0);
        QVERIFY(!record.silenced);
    } else {
        QCOMPARE(outcome.kind, FsmOutcome::Kind::Applied);
    }
    if (to != FsmState::ProactiveAssistance)
        QVERIFY(record.activeTriggerId.empty());
}

void TestFsm::namesRoundTrip()
{
    for (int s = 0; s < kFsmStateCount; ++s)
        QCOMPARE(fsmStateFromString(nameOf(static_cast<FsmState>(s))), std::optional(static_cast<FsmState>(s)));
    for (int e = 0; e < kFsmEventCount; ++e)
        QCOMPARE(fsmEventFromString(nameOf(static_cast<FsmEvent>(e))), std::optional(static_cast<FsmEvent>(e)));
    QVERIFY(!fsmEventFromString("dismissed"));
    QVERIFY(!fsmStateFromString("THINKING"));
}

void TestFsm::escalation_data()
{
    QTest::addColumn<FsmEvent>("howEntered");
    QTest::newRow("by-dismiss") << FsmEvent::ProactiveDismissed;
    QTest::newRow("by-abandon") << FsmEvent::TourAbandoned;
}

void TestFsm::escalation()
{
    QFETCH(FsmEvent, howEntered);
    ProactiveSettings settings; // 600 s, 900 s, then silenced
    ConversationRecord record;
    Timestamp now = kT0;
    const Duration expected[] = { 600s, 900s };
    for (int n = 1; n <= 4; ++n) {
        const std::string triggerId = "t";
        fsm::fire(record, triggerId, 10s, now);
        if (howEntered == FsmEvent::TourAbandoned)
            QCOMPARE(
                fsm::apply(record, FsmEvent::ProactiveAcceptedTour, now, settings).kind, FsmOutcome::Kind::Applied);
        QCOMPARE(fsm::apply(record, howEntered, now, settings).state, FsmState::ConservativeAssistance);
        QCOMPARE(record.dismissals, n);
        if (n <= 2) {
            QVERIFY(!record.silenced);
            QCOMPARE(record.cooldownUntil, now + expected[n - 1]);
            now = record.cooldownUntil;
            QVERIFY(fsm::expire(record, now));
            QCOMPARE(record.state, FsmState::Thinking);
        } else {
            QVERIFY(record.silenced);
            QVERIFY(!fsm::expire(record, now + 24h * 365));
            QCOMPARE(record.state, FsmState::ConservativeAssistance);
            // Only reset brings it back; a silenced conversation can still be reset.
            record.state = FsmState::ProactiveAssistance; // simulate to keep counting escalation
        }
    }
}

void TestFsm::cooldownBoundary()
{
    ProactiveSettings settings;
    settings.conservativeCooldowns = { 600s, 900s };
    auto record = recordIn(FsmState::ProactiveAssistance);
    record.dismissals = 0;
    fsm::apply(record, FsmEvent::ProactiveDismissed, kT0, settings);
    QVERIFY(!fsm::expire(record, kT0 + 600s - 1ms));
    QCOMPARE(record.state, FsmState::ConservativeAssistance);
    const auto transition = fsm::expire(record, kT0 + 600s);
    QVERIFY(transition);
    QCOMPARE(transition->event, std::string("cooldown_elapsed"));
    QCOMPARE(transition->from, FsmState::ConservativeAssistance);
    QCOMPARE(record.state, FsmState::Thinking);
    QCOMPARE(record.dismissals, 1); // the count survives the return to thinking
}

void TestFsm::silencedUntilReset()
{
    ProactiveSettings settings;
    settings.conservativeCooldowns = {}; // silence on the first dismissal
    auto record = recordIn(FsmState::ProactiveAssistance);
    fsm::apply(record, FsmEvent::ProactiveDismissed, kT0, settings);
    QVERIFY(record.silenced);
    QVERIFY(!fsm::expire(record, kT0 + 1000h));
    const auto outcome = fsm::apply(record, FsmEvent::Reset, kT0 + 1000h, settings);
    QCOMPARE(outcome.kind, FsmOutcome::Kind::Erased);
    QCOMPARE(outcome.previous, FsmState::ConservativeAssistance);
    QCOMPARE(record.state, FsmState::Thinking);
    QCOMPARE(record.dismissals, 0);
    QVERIFY(!record.silenced);
}

void TestFsm::interactionTimeoutBoundary()
{
    ConversationRecord record;
    fsm::fire(record, "dwell", 10s, kT0);
    QCOMPARE(record.state, FsmState::ProactiveAssistance);
    QVERIFY(!fsm::expire(record, kT0 + 10s - 1ms));
    const auto transition = fsm::expire(record, kT0 + 10s);
    QVERIFY(transition);
    QCOMPARE(transition->event, std::string("interaction_timeout"));
    QCOMPARE(record.state, FsmState::Thinking);
    QCOMPARE(record.dismissals, 0); // no conservative cooldown
    // The expired offer is remembered for late answers, with when it was made.
    QCOMPARE(record.activeTriggerId, std::string("dwell"));
    QCOMPARE(record.lastEventAt, kT0);
    QCOMPARE(record.interactionTimeout, Duration(10s));
}

void TestFsm::zeroInteractionTimeoutNeverExpires()
{
    ConversationRecord record;
    fsm::fire(record, "dwell", 0s, kT0);
    QVERIFY(!fsm::expire(record, kT0 + 1000h));
    QCOMPARE(record.state, FsmState::ProactiveAssistance);
}

void TestFsm::fireRecordsTrigger()
{
    ConversationRecord record;
    const auto transition = fsm::fire(record, "ping", 15s, kT0);
    QCOMPARE(transition.event, std::string("trigger_fired"));
    QCOMPARE(transition.cause, std::string("trigger:ping"));
    QCOMPARE(record.activeTriggerId, std::string("ping"));
    QCOMPARE(record.interactionTimeout, Duration(15s));
    QCOMPARE(record.lastEventAt, kT0);
}

void TestFsm::lateAnswer_data()
{
    QTest::addColumn<FsmEvent>("event");
    QTest::addColumn<int>("priorDismissals");
    QTest::addColumn<Duration>("afterExpiry"); // when the answer arrives, after the offer expired
    QTest::addColumn<Duration>("grace");
    QTest::addColumn<bool>("counts");
    QTest::addColumn<FsmState>("to");
    QTest::addColumn<int>("dismissals");
    QTest::addColumn<Duration>("cooldown"); // from the answer; 0 = none or silenced
    QTest::addColumn<bool>("silenced");
    QTest::addColumn<QString>("message"); // part of the refusal

    using E = FsmEvent;
    using S = FsmState;
    // The case: toast at 0, timeout 10 s, "No thanks" at 12 s.
    QTest::newRow("dismiss-2s-late") << E::ProactiveDismissed << 0 << Duration(2s) << Duration(60s) << true
                                     << S::ConservativeAssistance << 1 << Duration(600s) << false << QString();
    QTest::newRow("dismiss-at-expiry") << E::ProactiveDismissed << 0 << Duration(0s) << Duration(60s) << true
                                       << S::ConservativeAssistance << 1 << Duration(600s) << false << QString();
    QTest::newRow("second-dismiss-escalates") << E::ProactiveDismissed << 1 << Duration(30s) << Duration(60s) << true
                                              << S::ConservativeAssistance << 2 << Duration(900s) << false << QString();
    QTest::newRow("third-dismiss-silences") << E::ProactiveDismissed << 2 << Duration(30s) << Duration(60s) << true
                                            << S::ConservativeAssistance << 3 << Duration(0s) << true << QString();
    QTest::newRow("dismiss-just-inside") << E::ProactiveDismissed << 0 << Duration(60s - 1ms) << Duration(60s) << true
                                         << S::ConservativeAssistance << 1 << Duration(600s) << false << QString();
    QTest::newRow("dismiss-at-grace-end")
        << E::ProactiveDismissed << 0 << Duration(60s) << Duration(60s) << false << S::Thinking << 0 << Duration(0s)
        << false << u"offer of trigger \"t\" expired 60 s ago, beyond late_answer_grace_s (60 s)"_qs;
    QTest::newRow("dismiss-after-grace") << E::ProactiveDismissed << 0 << Duration(90s) << Duration(60s) << false
                                         << S::Thinking << 0 << Duration(0s) << false << u"expired 90 s ago"_qs;
    QTest::newRow("grace-off") << E::ProactiveDismissed << 0 << Duration(1ms) << Duration(0s) << false << S::Thinking
                               << 0 << Duration(0s) << false << u"beyond late_answer_grace_s (0 s)"_qs;
    QTest::newRow("accept-chat-late") << E::ProactiveAcceptedChat << 0 << Duration(5s) << Duration(60s) << true
                                      << S::ReactiveAssistance << 0 << Duration(0s) << false << QString();
    QTest::newRow("accept-tour-late") << E::ProactiveAcceptedTour << 1 << Duration(5s) << Duration(60s) << true
                                      << S::GuidanceExecution << 1 << Duration(0s) << false << QString();
    QTest::newRow("accept-tour-after-grace")
        << E::ProactiveAcceptedTour << 0 << Duration(61s) << Duration(60s) << false << S::Thinking << 0 << Duration(0s)
        << false << u"proactive_accepted_tour is not a transition from thinking"_qs;
    // Only answers to an offer are late answers.
    QTest::newRow("tour-completed-is-no-answer")
        << E::TourCompleted << 0 << Duration(5s) << Duration(60s) << false << S::Thinking << 0 << Duration(0s) << false
        << u"tour_completed is not a transition from thinking"_qs;
}

void TestFsm::lateAnswer()
{
    QFETCH(FsmEvent, event);
    QFETCH(int, priorDismissals);
    QFETCH(Duration, afterExpiry);
    QFETCH(Duration, grace);
    QFETCH(bool, counts);
    QFETCH(FsmState, to);
    QFETCH(int, dismissals);
    QFETCH(Duration, cooldown);
    QFETCH(bool, silenced);
    QFETCH(QString, message);

    ProactiveSettings settings; // cooldowns 600 s, 900 s, then silenced
    settings.lateAnswerGrace = grace;
    ConversationRecord record;
    record.dismissals = priorDismissals;
    fsm::fire(record, "t", 10s, kT0);
    const Timestamp expiredAt = kT0 + 10s;
    const Timestamp answeredAt = expiredAt + afterExpiry;
    // Lazy expiry: nothing read the conversation between the offer and the answer.
    QVERIFY(fsm::expire(record, answeredAt));
    QCOMPARE(record.state, FsmState::Thinking);
    const ConversationRecord expired = record;

    const FsmOutcome outcome = fsm::apply(record, event, answeredAt, settings);
    QCOMPARE(outcome.state, to);
    QCOMPARE(record.dismissals, dismissals);
    if (!counts) {
        QCOMPARE(outcome.kind, FsmOutcome::Kind::InvalidTransition);
        QVERIFY(!outcome.transition);
        QVERIFY(record == expired);
        QVERIFY2(QString::fromStdString(outcome.message).contains(message), outcome.message.c_str());
        return;
    }
    QCOMPARE(outcome.kind, FsmOutcome::Kind::Applied);
    QVERIFY(outcome.message.empty());
    QVERIFY(outcome.transition);
    QCOMPARE(outcome.transition->from, FsmState::Thinking);
    QCOMPARE(outcome.transition->to, to);
    QCOMPARE(outcome.transition->event, std::string(nameOf(event)));
    QCOMPARE(outcome.transition->cause, std::string("late_answer"));
    QCOMPARE(outcome.transition->at, answeredAt);
    QCOMPARE(record.silenced, silenced);
    if (cooldown > Duration(0))
        QCOMPARE(record.cooldownUntil, answeredAt + cooldown);
    QVERIFY(record.activeTriggerId.empty()); // answered: nothing left to answer late
}

void TestFsm::lateAnswerForgottenByNextTransition_data()
{
    QTest::addColumn<QString>("between");
    QTest::newRow("user-sent") << u"user_sent"_qs;
    QTest::newRow("newer-offer-fired") << u"fire"_qs;
    QTest::newRow("reset") << u"reset"_qs;
    QTest::newRow("answered-once-already") << u"proactive_dismissed"_qs;
}

void TestFsm::lateAnswerForgottenByNextTransition()
{
    QFETCH(QString, between);
    ProactiveSettings settings;
    ConversationRecord record;
    fsm::fire(record, "old", 10s, kT0);
    QVERIFY(fsm::expire(record, kT0 + 11s));
    if (between == u"fire"_qs) {
        // A newer offer: a late answer now answers it, not the old one, and
        // while it is open the answer is simply on time.
        fsm::fire(record, "new", 10s, kT0 + 12s);
        QCOMPARE(fsm::apply(record, FsmEvent::ProactiveDismissed, kT0 + 13s, settings).transition->cause,
            std::string("agent_state"));
        return;
    }
    if (between == u"user_sent"_qs) {
        fsm::apply(record, FsmEvent::UserSent, kT0 + 12s, settings);
        fsm::apply(record, FsmEvent::BotResponseCompleted, kT0 + 13s, settings);
    } else {
        fsm::apply(record, *fsmEventFromString(between.toStdString()), kT0 + 12s, settings);
        if (record.state == FsmState::ConservativeAssistance)
            QVERIFY(fsm::expire(record, record.cooldownUntil));
    }
    QCOMPARE(record.state, FsmState::Thinking);
    QVERIFY(record.activeTriggerId.empty());
    const Timestamp at = std::max(kT0 + 14s, record.enteredAt);
    const FsmOutcome outcome = fsm::apply(record, FsmEvent::ProactiveDismissed, at, settings);
    QCOMPARE(outcome.kind, FsmOutcome::Kind::InvalidTransition);
    QVERIFY2(QString::fromStdString(outcome.message).contains(u"no offer is open"_qs), outcome.message.c_str());
}

QTEST_GUILESS_MAIN(TestFsm)
#include "tst_fsm.moc"
