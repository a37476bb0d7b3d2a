#pragma once

#include "base/clock.h"
#include "base/result.h"
#include "client/simulatedclient.h"
#include "fsm/fsmstate.h"
#include "gates/decision.h"
#include "replay/sessionimport.h"
#include "store/store.h"
#include "workspace/workspace.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

// How the simulated user answers every offer the toast shows (SPEC §6).
struct ResponsePolicy {
    enum class Kind : std::uint8_t {
        Never, // the toast is ignored; the offer expires after its interaction timeout
        Dismiss, // "No thanks" `after` seconds after the toast appears
        AcceptChat, // accept (chat only), the prefill is sent, the bot answers `after` seconds later
        TourComplete, // accept with the tour, which the user completes `after` seconds later
        TourAbandon, // accept with the tour, which the user abandons `after` seconds later
    };
    Kind kind = Kind::Never;
    Duration after { 0 };
    // Accepting kinds: from the toast appearing to the click on accept.
    Duration reaction = std::chrono::seconds(2);
    // Tour kinds: how long the bot takes to answer the chat's prefill.
    Duration botResponse = std::chrono::seconds(5);

    // "never", "dismiss:N", "chat:N", "tour-complete:N", "tour-abandon:N"
    // (N seconds ≥ 0, fractions allowed).
    static Result<ResponsePolicy> parse(std::string_view text);
    // The parse() form of kind and after.
    std::string toString() const;
    bool operator==(const ResponsePolicy&) const = default;
};

struct ReplaySettings {
    // The client's schedule (poll every 20 s, first after 5 s, race window);
    // `explain` asks every poll for its gate report.
    ClientSettings client { .explain = true };
    ResponsePolicy policy;
    // How long the client keeps polling after the session's last recorded
    // action; a recording cannot tell when the user left, except by a
    // trailing $pageleave, which ends the session there.
    Duration tail = std::chrono::seconds(120);
    // Keep every poll in the record; batches that need only firings and
    // totals (sweeps, diffs) turn it off.
    bool keepPolls = true;
    // The offer history the session's user brings from earlier sessions
    // (frequency rules and waits are per user, SPEC §8): a batch passes on
    // ReplayRecord::userHistory of the user's previous session.
    std::vector<UserHistoryEvent> priorHistory;
};

// One poll of the replayed client and the connector's answer.
struct ReplayPoll {
    enum class Toast : std::uint8_t {
        None, // no offer and no toast shown
        Shown, // a new toast
        Kept, // the same trigger as the toast already shown
        Suppressed, // dismissed locally within the race window: not shown
        Hidden, // a null answer hid the toast that was shown
    };
    Timestamp at {};
    std::string triggerId; // the offer; empty when none
    std::string skipReason; // empty when offered
    FsmState state = FsmState::Thinking; // after the poll
    std::int64_t lastAction = -1; // the latest action the connector had (its page), -1 before the first
    Toast toast = Toast::None;
    // With ReplaySettings::client.explain: every gate's verdict and numbers,
    // and every trigger's per-condition result.
    std::vector<GateReport> gates;
    std::vector<TriggerReport> triggers;
};
std::string_view nameOf(ReplayPoll::Toast toast);

// One offer the connector made.
struct ReplayFiring {
    Timestamp at {};
    std::string triggerId;
    std::string body;
    std::string tourId;
    std::string page; // canonical URL of the latest action
    std::int64_t lastAction = -1;
    bool shown = false; // false: the client kept an identical toast or suppressed it (race window)
};

// One thing the simulated user did (or meant to do: "no_toast" when the
// toast was gone by then).
struct ReplayResponse {
    Timestamp at {};
    std::string action; // dismiss, accept_chat, accept_tour, chat_sent, chat_completed, tour_completed, tour_abandoned
    std::string triggerId;
    std::string agentEvent; // what the client posted; empty for no_toast
    std::string outcome; // applied, invalid_transition, erased, no_toast, failed:<code>
    FsmState state = FsmState::Thinking; // after it
};

// A conservative cooldown (SPEC §2) entered by a dismissal or an abandoned tour.
struct ReplayCooldown {
    Timestamp start {};
    std::optional<Timestamp> end; // none: silenced until reset
    int dismissals = 0;
    std::string cause; // proactive_dismissed, tour_abandoned
};

// Everything a replay of one session produced.
struct ReplayRecord {
    std::vector<ReplayPoll> polls; // empty unless ReplaySettings::keepPolls
    std::size_t pollCount = 0;
    std::vector<ReplayFiring> firings;
    std::vector<ReplayResponse> responses;
    std::vector<TransitionRecord> transitions; // the FSM path, in order
    std::vector<ReplayCooldown> cooldowns;
    std::map<std::string, std::size_t> skipReasons; // poll count per skip reason
    Timestamp start {};
    Timestamp end {};
    // The user's offer history as the replay left it, prior history
    // included: what the user's next session starts with.
    std::vector<UserHistoryEvent> userHistory;
};

// A toast the replayed client showed: when it appeared and when it went
// (a null answer, the user's answer, or its interaction timeout).
struct ShownToast {
    Offer offer;
    Timestamp shownAt {};
    std::optional<Timestamp> hiddenAt; // none: still shown
};

// One happening of a replay, as step() reports it.
struct ReplayEvent {
    enum class Kind : std::uint8_t {
        Action, // index into the session's actions
        Response, // index into record().responses (the first of this step)
        Poll, // index into record().polls (the poll count − 1 when polls are not kept)
    };
    Kind kind = Kind::Action;
    Timestamp at {};
    std::size_t index = 0;
    bool fired = false; // a poll whose answer was an offer
};
std::string_view nameOf(ReplayEvent::Kind kind);

// Replays one recorded session on a virtual clock through a fresh connector
// (in-memory store) and the tutorial's client (SPEC §4), with the user
// answering offers by a ResponsePolicy. Everything happens at exact virtual
// times, so a replay is deterministic: the same session, workspace and
// settings give the same record, however it is stepped.
//
// The client starts at the first action and polls on its schedule until
// end(); actions arrive at their recorded times. Happenings at the same
// millisecond run in the order action, user response, poll. A toast hides
// itself when its interaction timeout has passed (SPEC §8 "§4 Client"),
// between happenings: at that moment, not at the next poll.
//
// An object the studio steps (next event / poll / firing, seek) as well as
// what the batch runs to the end. Not thread-safe; a replay per thread.
class SessionReplay final {
public:
    // `session` must outlive the replay. Errors: the session's product is
    // not in the workspace, or the session has no actions.
    static Result<SessionReplay> create(
        std::shared_ptr<const Workspace> workspace, const RecordedSession& session, ReplaySettings settings = {});

    SessionReplay(SessionReplay&&) noexcept;
    SessionReplay& operator=(SessionReplay&&) noexcept;
    ~SessionReplay();

    const RecordedSession& session() const;
    const ReplaySettings& settings() const;
    const std::shared_ptr<const Workspace>& workspace() const;

    Timestamp start() const;
    Timestamp end() const;
    Timestamp now() const;
    bool finished() const;
    // When the next happening is due; none when finished. The studio's
    // "skip idle" jumps there.
    std::optional<Timestamp> nextAt() const;

    // Runs the next happening; none when the replay has finished.
    std::optional<ReplayEvent> step();
    // Runs up to and including the next happening of `kind`; none (and
    // finished) when there is none.
    std::optional<ReplayEvent> stepTo(ReplayEvent::Kind kind);
    // Runs up to and including the next poll that fires.
    std::optional<ReplayEvent> nextFiring();
    // Runs every happening at or before `t` and leaves the clock at `t`
    // (at most end()). Seeking backwards replays from the start.
    void seek(Timestamp t);
    void runToEnd();
    // Back to the start: nothing has happened yet.
    void reset();
    // Replays from the start with an edited workspace (triggers, settings)
    // up to the current time: the trigger editor's "re-run". On error the
    // replay is unchanged.
    Status reconfigure(std::shared_ptr<const Workspace> workspace, ReplaySettings settings);

    // Actions recorded at or before now.
    std::size_t actionsArrived() const;
    const ReplayRecord& record() const;
    ReplayRecord takeRecord() &&;
    // The session's user's offer history now, the prior history included.
    std::vector<UserHistoryEvent> userHistory() const;
    // The conversation's FSM state as the connector has it now.
    FsmState state() const;
    std::optional<ConversationRecord> conversation() const;
    const SimulatedClient& client() const;
    // Every toast the client has shown up to now, in order, with when each
    // went: what the user saw, however short it lived.
    const std::vector<ShownToast>& toasts() const;
    // Every trigger evaluated on the session now, ignoring the other gates,
    // with per-condition explanations ("dwell 41 s < 60 s").
    Result<std::vector<TriggerReport>> explainTriggers();

private:
    struct State;
    explicit SessionReplay(std::unique_ptr<State> state);
    std::unique_ptr<State> m_state;
};

// Creates a replay and runs it to the end.
Result<ReplayRecord> replaySession(
    std::shared_ptr<const Workspace> workspace, const RecordedSession& session, const ReplaySettings& settings = {});

} // namespace proactive
