// The tutorial's client (SPEC §4) driven on a VirtualClock against a real
// Connector: schedule, toast rules, race window, accept/dismiss and the chat
// and tour hooks, session rotation.

#include "client/simulatedclient.h"
#include "connector/connector.h"
#include "intake/posthogintake.h"
#include "printers.h"
#include "store/memorystore.h"

#include <QTest>
#include <algorithm>
#include <nlohmann/json.hpp>

using namespace proactive;
using nlohmann::json;
using Kind = ClientEvent::Kind;

Q_DECLARE_METATYPE(proactive::AcceptMode)
Q_DECLARE_METATYPE(proactive::FsmState)

namespace {

const Timestamp kStart = *parseIsoTimestamp("2024-05-01T12:00:00Z");

Timestamp at(double seconds)
{
    return kStart + fromSeconds(seconds);
}

struct ProductOptions {
    double interactionTimeoutS = 600;
    double minIntervalS = 0;
    std::string tourId;
};

json productsJson(const ProductOptions& options)
{
    json trigger { { "id", "ping-pong" }, { "body", "Looking for something?" },
        { "interaction_timeout_s", options.interactionTimeoutS }, { "cooldown_s", 0 },
        { "when", { { "type", "canonical_url_ping_pong" }, { "min_cycles", 1 } } } };
    if (!options.tourId.empty())
        trigger["tour_id"] = options.tourId;
    return json::array({ { { "product_id", "p" }, { "routes", { "/projects/:slug" } },
        { "proactive", { { "enabled", true }, { "min_interval_s", options.minIntervalS } } },
        { "triggers", json::array({ trigger }) } } });
}

// A connector on a VirtualClock at kStart, with session s1 having gone
// /projects → /projects/acme → /projects in its first 2 s (a ping-pong).
class Harness {
public:
    explicit Harness(const ProductOptions& options = {}, std::string productId = "p")
        : m_clock(kStart)
        , m_connector(workspace(options), m_store, m_clock)
        , client(m_connector, std::move(productId))
    { }

    bool ingestPingPong(const std::string& session = "s1")
    {
        std::vector<Action> actions;
        const char* urls[] = { "/projects", "/projects/acme", "/projects" };
        for (int i = 0; i < 3; ++i) {
            const json event { { "event", "$pageview" }, { "session_id", session }, { "distinct_id", "u1" },
                { "current_url", std::string("https://app.example.com") + urls[i] },
                { "timestamp", formatIsoTimestamp(at(i)) } };
            auto batch = m_intake.parseBody(event.dump());
            for (auto& e : batch.events)
                actions.push_back(std::move(e.action));
        }
        auto result = m_connector.ingest("p", std::move(actions));
        return result && result->accepted == 3;
    }

    ClientStep advanceTo(double seconds) { return advanceClientTo(client, m_clock, at(seconds)); }
    void setTime(double seconds) { m_clock.set(at(seconds)); }

    std::optional<FsmState> state(const std::string& session) const
    {
        const auto record = m_connector.conversation({ "p", Connector::proactiveConversationId(session) });
        return record ? std::optional(record->state) : std::nullopt;
    }

private:
    static std::shared_ptr<const Workspace> workspace(const ProductOptions& options)
    {
        Diagnostics diagnostics;
        auto ws = std::make_shared<const Workspace>(
            Workspace::fromJson(productsJson(options), PROACTIVE_TEST_DATA, "products.json", diagnostics));
        for (const auto& d : diagnostics)
            qWarning("workspace problem: %s", d.toString().c_str());
        return ws;
    }

    VirtualClock m_clock;
    MemoryStore m_store;
    PostHogIntake m_intake;
    Connector m_connector;

public:
    SimulatedClient client;
};

std::vector<ClientEvent> eventsOf(const std::vector<ClientEvent>& events, Kind kind)
{
    std::vector<ClientEvent> out;
    std::copy_if(events.begin(), events.end(), std::back_inserter(out), [&](const auto& e) { return e.kind == kind; });
    return out;
}

// "5:poll_answered" for every poll outcome, to compare schedules at a glance.
QStringList pollTimeline(const std::vector<ClientEvent>& events)
{
    QStringList out;
    for (const auto& e : events)
        if (e.kind == Kind::PollAnswered || e.kind == Kind::PollSkipped || e.kind == Kind::PollFailed)
            out << QString::number(toSeconds(e.at - kStart)) + QLatin1Char(':') + QString::fromUtf8(nameOf(e.kind));
    return out;
}

QStringList strings(std::initializer_list<const char*> items)
{
    QStringList out;
    for (const char* item : items)
        out << QString::fromUtf8(item);
    return out;
}

// Every event as "t:kind", with "(reason)" for hidden and dropped toasts and
// "(event)" for agent-state posts.
QStringList clientTimeline(const std::vector<ClientEvent>& events)
{
    QStringList out;
    for (const auto& e : events) {
        QString line = QString::number(toSeconds(e.at - kStart)) + QLatin1Char(':') + QString::fromUtf8(nameOf(e.kind));
        if (e.kind == Kind::ToastHidden || e.kind == Kind::OfferDropped)
            line += u"("_qs + QString::fromStdString(e.reason) + u")"_qs;
        else if (e.kind == Kind::AgentStatePosted)
            line += u"("_qs + QString::fromStdString(e.agentEvent) + u")"_qs;
        out << line;
    }
    return out;
}

} // namespace

class TestSimulatedClient final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void schedule_data();
    void schedule();
    void firstPollBoundary();
    void firedToastThenNullHides();
    void dismissShowsConservativeCooldown();
    void raceWindow_data();
    void raceWindow();
    void sameTriggerKeepsToast();
    void accept_data();
    void accept();
    void sessionRotation();
    void labels_data();
    void labels();
    void toastExpires_data();
    void toastExpires();
    void pageChangedWhilePollInFlight_data();
    void pageChangedWhilePollInFlight();
    void dropToastPostsNothing();
};

void TestSimulatedClient::schedule_data()
{
    QTest::addColumn<QString>("product");
    QTest::addColumn<double>("sessionAt"); // < 0: session from the start
    QTest::addColumn<QStringList>("expected");

    const QString known = QStringLiteral("p");
    const QString unknown = QStringLiteral("nope");
    QTest::newRow("session-from-start") << known << -1.0
                                        << strings({ "5:poll_answered", "25:poll_answered", "45:poll_answered",
                                               "65:poll_answered" });
    QTest::newRow("no-session-ticks-skipped-schedule-goes-on")
        << known << 30.0 << strings({ "5:poll_skipped", "25:poll_skipped", "45:poll_answered", "65:poll_answered" });
    QTest::newRow("errors-ignored-until-next-tick")
        << unknown << -1.0 << strings({ "5:poll_failed", "25:poll_failed", "45:poll_failed", "65:poll_failed" });
}

void TestSimulatedClient::schedule()
{
    QFETCH(QString, product);
    QFETCH(double, sessionAt);
    QFETCH(QStringList, expected);

    Harness h({}, product.toStdString());
    if (sessionAt >= 0)
        h.advanceTo(sessionAt);
    h.client.setSessionId("s1");
    h.advanceTo(70);

    QCOMPARE(pollTimeline(h.client.log()), expected);
    QCOMPARE(h.client.nextPollAt(), at(85));
    QVERIFY(!h.client.toast());
}

void TestSimulatedClient::firstPollBoundary()
{
    Harness h;
    h.client.setSessionId("s1");
    QCOMPARE(h.client.nextPollAt(), at(5));
    QCOMPARE(h.advanceTo(4.999).polls, 0);
    const auto step = h.advanceTo(5);
    QCOMPARE(step.polls, 1);
    QCOMPARE(step.events.front().at, at(5));
    QCOMPARE(h.client.nextPollAt(), at(25));
}

void TestSimulatedClient::firedToastThenNullHides()
{
    Harness h;
    QVERIFY(h.ingestPingPong());
    h.client.setSessionId("s1");

    auto step = h.advanceTo(5);
    QCOMPARE(step.events.size(), std::size_t(2));
    QCOMPARE(step.events[0].kind, Kind::PollAnswered);
    QCOMPARE(step.events[0].triggerId, std::string("ping-pong"));
    QCOMPARE(step.events[0].conversationId, std::string("proactive:s1"));
    QCOMPARE(step.events[1].kind, Kind::ToastShown);
    QVERIFY(h.client.toast());
    QCOMPARE(h.client.toast()->body, std::string("Looking for something?"));

    step = h.advanceTo(25);
    QCOMPARE(step.events.size(), std::size_t(2));
    QCOMPARE(step.events[0].reason, std::string("fsm:wrong_state"));
    QCOMPARE(step.events[0].state, std::optional(FsmState::ProactiveAssistance));
    QCOMPARE(step.events[1].kind, Kind::ToastHidden);
    QCOMPARE(step.events[1].reason, std::string("null_answer"));
    QVERIFY(!h.client.toast());
    // A hide by the server is no local dismissal: no race window.
    QVERIFY(!h.client.suppressedUntil("ping-pong"));
}

void TestSimulatedClient::dismissShowsConservativeCooldown()
{
    Harness h;
    QVERIFY(h.ingestPingPong());
    h.client.setSessionId("s1");
    h.advanceTo(10);
    QVERIFY(h.client.toast());

    const auto step = h.client.dismiss();
    QCOMPARE(step.events.size(), std::size_t(2));
    QCOMPARE(step.events[0].kind, Kind::AgentStatePosted);
    QCOMPARE(step.events[0].agentEvent, std::string("proactive_dismissed"));
    QCOMPARE(step.events[0].outcome, std::optional(FsmOutcome::Kind::Applied));
    QCOMPARE(step.events[0].state, std::optional(FsmState::ConservativeAssistance));
    QCOMPARE(step.events[1].kind, Kind::ToastHidden);
    QCOMPARE(step.events[1].reason, std::string("dismissed"));
    QVERIFY(!h.client.toast());
    QCOMPARE(h.client.suppressedUntil("ping-pong"), std::optional(at(40)));

    const auto next = h.advanceTo(25);
    QCOMPARE(next.events.size(), std::size_t(1));
    QCOMPARE(next.events[0].reason, std::string("fsm:conservative_cooldown"));
    // Nothing to dismiss any more: no agent-state call.
    QVERIFY(h.client.dismiss().events.empty());
}

void TestSimulatedClient::raceWindow_data()
{
    QTest::addColumn<double>("dismissAt");
    QTest::addColumn<bool>("shownAt45");

    QTest::newRow("window-ends-exactly-at-poll") << 15.0 << true;
    QTest::newRow("window-ends-1ms-after-poll") << 15.001 << false;
}

void TestSimulatedClient::raceWindow()
{
    QFETCH(double, dismissAt);
    QFETCH(bool, shownAt45);

    Harness h;
    QVERIFY(h.ingestPingPong());
    h.client.setSessionId("s1");
    h.advanceTo(dismissAt);
    QVERIFY(h.client.toast());
    h.client.dismiss();
    // Forget the server-side dismissal so the same trigger fires again.
    h.setTime(16);
    QCOMPARE(h.client.chatReset().events.at(0).outcome, std::optional(FsmOutcome::Kind::Erased));

    auto step = h.advanceTo(25);
    QCOMPARE(step.events.at(0).triggerId, std::string("ping-pong"));
    QCOMPARE(step.events.at(1).kind, Kind::RaceWindowSuppressed);
    QVERIFY(!h.client.toast());

    h.setTime(26);
    h.client.chatReset();
    step = h.advanceTo(45);
    QCOMPARE(step.events.at(0).triggerId, std::string("ping-pong"));
    QCOMPARE(step.events.at(1).kind, shownAt45 ? Kind::ToastShown : Kind::RaceWindowSuppressed);
    QCOMPARE(bool(h.client.toast()), shownAt45);
}

void TestSimulatedClient::sameTriggerKeepsToast()
{
    // The tutorial keeps a shown toast when a poll brings its trigger id
    // again. The toast now hides itself when the offer expires (SPEC §8), the
    // moment the connector forgets the offer, so a re-fired trigger is a new
    // toast; a toast is kept only while its offer is open, when polls answer
    // null instead. Offer at 5 s, expired at 15 s, fired again at 25 s.
    Harness h({ .interactionTimeoutS = 10 });
    QVERIFY(h.ingestPingPong());
    h.client.setSessionId("s1");
    h.advanceTo(30);

    QCOMPARE(eventsOf(h.client.log(), Kind::PollAnswered).size(), std::size_t(2));
    for (const auto& e : eventsOf(h.client.log(), Kind::PollAnswered))
        QCOMPARE(e.triggerId, std::string("ping-pong"));
    const auto shown = eventsOf(h.client.log(), Kind::ToastShown);
    QCOMPARE(shown.size(), std::size_t(2));
    QCOMPARE(shown.back().at, at(25));
    QVERIFY(eventsOf(h.client.log(), Kind::ToastKept).empty());
    QVERIFY(h.client.toast());
}

void TestSimulatedClient::accept_data()
{
    QTest::addColumn<AcceptMode>("mode");
    QTest::addColumn<QString>("tourId");
    QTest::addColumn<QString>("posted");
    QTest::addColumn<FsmState>("accepted");
    QTest::addColumn<QString>("followUp");
    QTest::addColumn<FsmState>("after");

    QTest::newRow("tour-completed") << AcceptMode::Tour << QStringLiteral("add-project")
                                    << QStringLiteral("proactive_accepted_tour") << FsmState::GuidanceExecution
                                    << QStringLiteral("tour_completed") << FsmState::Thinking;
    QTest::newRow("tour-abandoned") << AcceptMode::Tour << QStringLiteral("add-project")
                                    << QStringLiteral("proactive_accepted_tour") << FsmState::GuidanceExecution
                                    << QStringLiteral("tour_abandoned") << FsmState::ConservativeAssistance;
    QTest::newRow("chat-only-although-tour")
        << AcceptMode::Chat << QStringLiteral("add-project") << QStringLiteral("proactive_accepted_chat")
        << FsmState::ReactiveAssistance << QStringLiteral("bot_response_completed") << FsmState::Thinking;
    QTest::newRow("tour-asked-offer-has-none")
        << AcceptMode::Tour << QString() << QStringLiteral("proactive_accepted_chat") << FsmState::ReactiveAssistance
        << QStringLiteral("bot_response_completed") << FsmState::Thinking;
}

void TestSimulatedClient::accept()
{
    QFETCH(AcceptMode, mode);
    QFETCH(QString, tourId);
    QFETCH(QString, posted);
    QFETCH(FsmState, accepted);
    QFETCH(QString, followUp);
    QFETCH(FsmState, after);

    Harness h({ .tourId = tourId.toStdString() });
    QVERIFY(h.ingestPingPong());
    h.client.setSessionId("s1");
    h.advanceTo(10);
    QVERIFY(h.client.toast());

    const auto step = h.client.accept(mode);
    const auto agent = eventsOf(step.events, Kind::AgentStatePosted);
    QCOMPARE(agent.size(), std::size_t(1));
    QCOMPARE(agent[0].agentEvent, posted.toStdString());
    QCOMPARE(agent[0].state, std::optional(accepted));
    QCOMPARE(h.state("s1"), std::optional(accepted));

    const auto tours = eventsOf(step.events, Kind::TourStarted);
    QCOMPARE(tours.size(), std::size_t(posted == QLatin1String("proactive_accepted_tour") ? 1 : 0));
    if (!tours.empty())
        QCOMPARE(tours[0].text, tourId.toStdString());
    const auto chat = eventsOf(step.events, Kind::ChatOpened);
    QCOMPARE(chat.size(), std::size_t(1));
    QCOMPARE(chat[0].text, std::string(kAcceptPrefill)); // never the trigger body
    QCOMPARE(step.events.back().kind, Kind::ToastHidden);
    QCOMPARE(step.events.back().reason, std::string("accepted"));
    QVERIFY(!h.client.toast());
    QCOMPARE(h.client.suppressedUntil("ping-pong"), std::optional(at(40)));

    h.setTime(12);
    ClientStep done;
    if (followUp == QLatin1String("tour_completed"))
        done = h.client.tourCompleted();
    else if (followUp == QLatin1String("tour_abandoned"))
        done = h.client.tourAbandoned();
    else
        done = h.client.chatCompleted();
    QCOMPARE(done.events.at(0).agentEvent, followUp.toStdString());
    QCOMPARE(h.state("s1"), std::optional(after));
}

void TestSimulatedClient::sessionRotation()
{
    Harness h;
    // No session yet: the tutorial's emitAgentStateEvent returns early.
    auto skipped = h.client.chatSent();
    QCOMPARE(skipped.events.at(0).kind, Kind::AgentStateSkipped);
    QCOMPARE(skipped.events.at(0).agentEvent, std::string("user_sent"));

    QVERIFY(h.ingestPingPong());
    h.client.setSessionId("s1");
    h.advanceTo(10);
    QVERIFY(h.client.toast());
    QCOMPARE(h.state("s1"), std::optional(FsmState::ProactiveAssistance));

    h.client.setSessionId("s2");
    QCOMPARE(h.client.log().back().kind, Kind::SessionChanged);
    QCOMPARE(h.client.conversationId(), std::string("proactive:s2"));
    const auto sent = h.client.chatSent();
    QCOMPARE(sent.events.at(0).conversationId, std::string("proactive:s2"));
    QCOMPARE(sent.events.at(0).state, std::optional(FsmState::ReactiveAssistance));
    QCOMPARE(h.state("s2"), std::optional(FsmState::ReactiveAssistance));
    QCOMPARE(h.state("s1"), std::optional(FsmState::ProactiveAssistance));

    const auto step = h.advanceTo(25);
    QCOMPARE(step.events.at(0).conversationId, std::string("proactive:s2"));
    QCOMPARE(step.events.at(0).reason, std::string("fsm:wrong_state"));
    QCOMPARE(step.events.at(0).state, std::optional(FsmState::ReactiveAssistance));
}

void TestSimulatedClient::labels_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QString>("acceptText");
    QTest::addColumn<QString>("dismissText");

    QTest::newRow("none") << QStringList() << QStringLiteral("Show me how") << QStringLiteral("No thanks");
    QTest::newRow("accept-only") << strings({ "Show me" }) << QStringLiteral("Show me") << QStringLiteral("No thanks");
    QTest::newRow("both") << strings({ "Show me", "Not now" }) << QStringLiteral("Show me")
                          << QStringLiteral("Not now");
}

void TestSimulatedClient::labels()
{
    QFETCH(QStringList, options);
    QFETCH(QString, acceptText);
    QFETCH(QString, dismissText);

    Offer offer;
    for (const auto& option : options)
        offer.replyOptionLabels.push_back(option.toStdString());
    QCOMPARE(acceptLabel(offer), acceptText.toStdString());
    QCOMPARE(dismissLabel(offer), dismissText.toStdString());
}

void TestSimulatedClient::toastExpires_data()
{
    QTest::addColumn<double>("timeoutS"); // the trigger's interaction_timeout_s
    QTest::addColumn<QString>("answer"); // "", "dismiss" or "accept"
    QTest::addColumn<double>("answerAt"); // the clock is set there (no driver runs in between)
    QTest::addColumn<double>("until"); // then the driver runs to here
    QTest::addColumn<QStringList>("expected");

    // The toast appears with the poll at 5 s.
    QTest::newRow("hides-at-timeout") << 10.0 << QString() << 5.0 << 24.9
                                      << strings({ "5:poll_answered", "5:toast_shown", "15:toast_hidden(expired)" });
    QTest::newRow("hides-before-a-poll-at-the-same-time")
        << 20.0 << QString() << 5.0 << 25.0
        << strings({ "5:poll_answered", "5:toast_shown", "25:toast_hidden(expired)", "25:poll_answered",
               "25:toast_shown" });
    QTest::newRow("dismiss-in-time") << 10.0 << u"dismiss"_qs << 14.999 << 24.9
                                     << strings({ "5:poll_answered", "5:toast_shown",
                                            "14.999:agent_state_posted(proactive_dismissed)",
                                            "14.999:toast_hidden(dismissed)" });
    // The user never answers a dead offer: the click finds it expired.
    QTest::newRow("dismiss-after-timeout-posts-nothing")
        << 10.0 << u"dismiss"_qs << 16.0 << 24.9
        << strings({ "5:poll_answered", "5:toast_shown", "16:toast_hidden(expired)" });
    QTest::newRow("accept-after-timeout-posts-nothing")
        << 10.0 << u"accept"_qs << 15.0 << 24.9
        << strings({ "5:poll_answered", "5:toast_shown", "15:toast_hidden(expired)" });
}

void TestSimulatedClient::toastExpires()
{
    QFETCH(double, timeoutS);
    QFETCH(QString, answer);
    QFETCH(double, answerAt);
    QFETCH(double, until);
    QFETCH(QStringList, expected);

    Harness h({ .interactionTimeoutS = timeoutS });
    QVERIFY(h.ingestPingPong());
    h.client.setSessionId("s1");
    h.advanceTo(5);
    QVERIFY(h.client.toast());
    QCOMPARE(h.client.toastExpiresAt(), timeoutS > 0 ? std::optional(at(5 + timeoutS)) : std::optional<Timestamp>());
    h.setTime(answerAt);
    if (answer == u"dismiss"_qs)
        h.client.dismiss();
    else if (answer == u"accept"_qs)
        h.client.accept(AcceptMode::Chat);
    h.advanceTo(until);
    QCOMPARE(clientTimeline(h.client.log()), QStringList { u"0:session_changed"_qs } + expected);
    if (expected.last().endsWith(u"(expired)"_qs)) {
        QVERIFY(!h.client.toast());
        // Not a dismissal: the trigger is not suppressed locally.
        QVERIFY(!h.client.suppressedUntil("ping-pong"));
    }
}

void TestSimulatedClient::pageChangedWhilePollInFlight_data()
{
    QTest::addColumn<QString>("sentFrom");
    QTest::addColumn<QStringList>("inFlight"); // pages the user visits while the poll is in flight
    QTest::addColumn<bool>("shown");

    const QString projects = u"https://app.example.com/projects"_qs;
    QTest::newRow("stayed") << projects << QStringList() << true;
    QTest::newRow("spa-navigation") << projects << QStringList { u"https://app.example.com/projects/acme"_qs } << false;
    QTest::newRow("query-changed") << projects << QStringList { projects + u"?tab=archived"_qs } << false;
    QTest::newRow("fragment-only") << projects << QStringList { projects + u"#members"_qs } << true;
    QTest::newRow("there-and-back") << projects << QStringList { u"https://app.example.com/projects/acme"_qs, projects }
                                    << true;
}

void TestSimulatedClient::pageChangedWhilePollInFlight()
{
    QFETCH(QString, sentFrom);
    QFETCH(QStringList, inFlight);
    QFETCH(bool, shown);

    Harness h;
    QVERIFY(h.ingestPingPong());
    h.client.setSessionId("s1");
    h.setTime(5);
    h.client.setPage(sentFrom.toStdString());
    SimulatedClient::PendingPoll poll = h.client.sendPoll();
    for (const QString& page : inFlight)
        h.client.setPage(page.toStdString());
    const ClientStep step = h.client.receivePoll(std::move(poll));
    QCOMPARE(step.polls, 1);
    QCOMPARE(step.decisions.size(), std::size_t(1));
    QVERIFY(step.decisions.front().offer); // the connector did offer
    QCOMPARE(bool(h.client.toast()), shown);
    const auto dropped = eventsOf(step.events, Kind::OfferDropped);
    QCOMPARE(dropped.size(), std::size_t(shown ? 0 : 1));
    if (shown) {
        QCOMPARE(h.client.toastPage(), sentFrom.toStdString());
        return;
    }
    QCOMPARE(dropped.front().triggerId, std::string("ping-pong"));
    QCOMPARE(dropped.front().reason, std::string("page_changed"));
    // Nothing is posted: the next poll decides (the offer is still open on
    // the connector, so it answers null until it expires).
    QVERIFY(eventsOf(step.events, Kind::AgentStatePosted).empty());
    QCOMPARE(h.state("s1"), std::optional(FsmState::ProactiveAssistance));
    const ClientStep next = h.advanceTo(25);
    QCOMPARE(next.decisions.size(), std::size_t(1));
    QCOMPARE(next.decisions.front().skipReason, std::optional<std::string>("fsm:wrong_state"));
    QVERIFY(!h.client.toast());
}

void TestSimulatedClient::dropToastPostsNothing()
{
    Harness h;
    QVERIFY(h.ingestPingPong());
    h.client.setSessionId("s1");
    h.advanceTo(5);
    QVERIFY(h.client.toast());
    const ClientStep step = h.client.dropToast();
    QCOMPARE(clientTimeline(step.events), strings({ "5:offer_dropped(page_changed)" }));
    QVERIFY(!h.client.toast());
    QVERIFY(!h.client.suppressedUntil("ping-pong"));
    QCOMPARE(h.state("s1"), std::optional(FsmState::ProactiveAssistance));
    QVERIFY(h.client.dropToast().events.empty()); // nothing left to drop
}

QTEST_GUILESS_MAIN(TestSimulatedClient)
#include "tst_simulatedclient.moc"
