#pragma once

#include "base/clock.h"
#include "base/result.h"
#include "fsm/fsm.h"
#include "gates/decision.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

class Connector;
struct TourProgress;

// The tutorial's timings (SPEC §4), settings of the simulation.
struct ClientSettings {
    Duration pollInterval = std::chrono::seconds(20);
    Duration firstPoll = std::chrono::seconds(5);
    Duration raceWindow = std::chrono::seconds(30);
    // Polls ask for `explain` (every gate's numbers), for the studio's
    // inspector and replay reports; a real client does not.
    bool explain = false;
};

enum class AcceptMode : std::uint8_t {
    Tour, // the tour when the offer names one, with the chat
    Chat, // chat only, no tour
};

// One thing the client did or saw, for the studio's timeline and for replay.
struct ClientEvent {
    enum class Kind : std::uint8_t {
        PollSkipped, // no session id: the tick is skipped, the schedule goes on
        PollAnswered, // triggerId or reason (the skip reason), state
        PollFailed, // reason = error code; ignored until the next tick
        ToastShown,
        ToastKept, // the same trigger id as the shown toast: no re-render
        ToastHidden, // reason: "null_answer", "accepted", "dismissed", "expired" (interaction_timeout_s passed)
        OfferDropped, // reason "page_changed": the page changed while the poll was in flight; not shown
        RaceWindowSuppressed, // dismissed locally within the race window
        AgentStatePosted, // agentEvent, outcome, state
        AgentStateFailed, // agentEvent, reason = error code
        AgentStateSkipped, // agentEvent; no session id, as the tutorial does
        ChatOpened, // text = the prefill, sent once
        TourStarted, // text = tour id
        TourProgressReported, // agentEvent = tour_step_shown | tour_target_missing, text = "tour step i of n", reason =
                              // the target problem
        TourProgressFailed, // agentEvent as above, reason = error code
        SessionChanged, // sessionId = the new id
    };
    Kind kind = Kind::PollSkipped;
    Timestamp at {};
    std::string sessionId;
    std::string conversationId;
    std::string triggerId;
    std::string reason;
    std::string agentEvent;
    std::string text;
    std::optional<FsmState> state;
    std::optional<FsmOutcome::Kind> outcome;
};
std::string_view nameOf(ClientEvent::Kind kind);

// "The page changed" (SPEC §8 "§4 Client"): the page is the URL without its
// fragment, so an SPA navigation (pushState, replaceState, Back) to another
// path or query is a change and an in-page anchor is not.
std::string pageOf(std::string_view url);

// The events one call appended to the log, and how many polls it ran.
struct ClientStep {
    int polls = 0;
    std::vector<ClientEvent> events;
    // The connector's answers to the step's polls, in order.
    std::vector<Decision> decisions;
    // FSM changes the step's agent-state posts caused (expiries included).
    std::vector<TransitionRecord> transitions;
};

// The tutorial's client (SPEC §4: useProactiveTriggers, the toast handlers,
// the chat and tour hooks) over a Connector, with no timers: time is the
// Connector's clock, which the driver owns. A driver runs
//     while (client.nextPollAt() <= target) { set clock to nextPollAt(); client.pollNow(); }
// (advanceClientTo does that on a VirtualClock); a live driver calls
// pollNow() when its wall or accelerated timer reaches nextPollAt().
// Not thread-safe: one driver calls it.
class SimulatedClient final {
public:
    // The first poll is due firstPoll after the connector clock's now.
    SimulatedClient(Connector& connector, std::string productId, ClientSettings settings = {});

    const std::string& productId() const { return m_productId; }
    const ClientSettings& settings() const { return m_settings; }

    // PostHog's session id; empty until PostHog has one. A new id is a session
    // rotation: polls and agent-state events use proactive:{new id}. The step
    // has the SessionChanged event, none when the id is the same.
    ClientStep setSessionId(std::string sessionId);
    const std::string& sessionId() const { return m_sessionId; }
    std::string conversationId() const;

    // The page the user is on (any URL; compared as pageOf()). A poll
    // remembers the page it was sent from; an offer that comes back after
    // the page changed is dropped (OfferDropped), not shown.
    void setPage(std::string_view url);
    const std::string& page() const { return m_page; }

    Timestamp nextPollAt() const { return m_nextPollAt; }
    // A poll on its way: sent from `page`, the connector's answer not yet
    // rendered by the client.
    struct PendingPoll {
        std::string page;
        std::optional<Result<Decision>> answer; // none: the tick was skipped (no session id)
    };
    // Sends one poll at the clock's now and schedules the next one a poll
    // interval later (the tutorial re-arms its timeout after each poll).
    // The connector answers at once; receivePoll() renders the answer, so a
    // driver can change the page while the poll is in flight.
    PendingPoll sendPoll();
    ClientStep receivePoll(PendingPoll poll);
    ClientStep pollNow() { return receivePoll(sendPoll()); }

    const std::optional<Offer>& toast() const { return m_toast; }
    // The page the poll that showed the toast was sent from.
    const std::string& toastPage() const { return m_toastPage; }
    // When the shown toast hides itself: interaction_timeout_s after it was
    // shown (SPEC §8 "§4 Client"); none without a toast or with a timeout of 0.
    std::optional<Timestamp> toastExpiresAt() const;
    // Hides the toast (ToastHidden "expired") if its time has come. Polls,
    // accept and dismiss do it first, so the user never answers a dead
    // offer; drivers call it at toastExpiresAt() to hide it on time.
    ClientStep expireToast();
    // The renderer found the page changed since the toast's poll was sent
    // (the studio's in-page widget checks it asynchronously): the toast is
    // dropped with OfferDropped "page_changed" and nothing is posted; the
    // next poll decides.
    ClientStep dropToast();
    // When the trigger id stops being suppressed locally, if it is.
    std::optional<Timestamp> suppressedUntil(std::string_view triggerId) const;

    // Toast buttons. Without a shown toast they do nothing (empty step).
    ClientStep accept(AcceptMode mode);
    ClientStep dismiss();

    // Chat hooks: before sending, after the stream ends however it ends, reset.
    ClientStep chatSent();
    ClientStep chatCompleted();
    ClientStep chatReset();
    // Tour library callbacks.
    // The page's tour runtime showed a step or could not use its target
    // (issue 18): told to the connector, which exports it.
    ClientStep tourProgressed(const TourProgress& progress);
    ClientStep tourCompleted();
    ClientStep tourAbandoned();

    const std::vector<ClientEvent>& log() const { return m_log; }

private:
    Timestamp now() const;
    ClientEvent& record(ClientStep& step, ClientEvent event);
    void postAgentState(ClientStep& step, std::string_view event);
    // The tutorial's dismiss(): hide the toast and suppress its trigger id
    // for the race window.
    void hideLocally(ClientStep& step, std::string_view cause);
    void applyAnswer(ClientStep& step, const Decision& decision, const std::string& sentFrom);
    void expireToast(ClientStep& step);

    Connector& m_connector;
    std::string m_productId;
    ClientSettings m_settings;
    std::string m_sessionId;
    Timestamp m_nextPollAt;
    std::string m_page; // pageOf() the last setPage()
    std::optional<Offer> m_toast;
    Timestamp m_toastShownAt {};
    std::string m_toastPage;
    std::map<std::string, Timestamp, std::less<>> m_suppressedUntil;
    std::vector<ClientEvent> m_log;
};

// Toast labels: reply_option_labels[0] or "Show me how", [1] or "No thanks".
std::string acceptLabel(const Offer& offer);
std::string dismissLabel(const Offer& offer);
// What the chat sends on accept; never the trigger body (the bot's prompt).
inline constexpr std::string_view kAcceptPrefill = "I could use some help with what I'm currently doing.";

// Runs every poll and toast expiry due up to `until`, each with the clock
// set to its exact scheduled time, then leaves the clock at `until`. `clock`
// must be the connector's clock.
ClientStep advanceClientTo(SimulatedClient& client, VirtualClock& clock, Timestamp until);

} // namespace proactive
