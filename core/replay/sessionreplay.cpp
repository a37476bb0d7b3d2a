#include "replay/sessionreplay.h"

#include "connector/connector.h"
#include "gates/offerrules.h"
#include "intake/canonicalurl.h"
#include "replay/overrides.h"
#include "store/memorystore.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <span>
#include <tuple>
#include <unordered_map>

namespace proactive {

namespace {

    struct PolicyName {
        ResponsePolicy::Kind kind;
        std::string_view name;
    };
    constexpr PolicyName kPolicyNames[] = {
        { ResponsePolicy::Kind::Never, "never" },
        { ResponsePolicy::Kind::Dismiss, "dismiss" },
        { ResponsePolicy::Kind::AcceptChat, "chat" },
        { ResponsePolicy::Kind::TourComplete, "tour-complete" },
        { ResponsePolicy::Kind::TourAbandon, "tour-abandon" },
    };

    std::string_view outcomeName(FsmOutcome::Kind kind)
    {
        switch (kind) {
        case FsmOutcome::Kind::Applied:
            return "applied";
        case FsmOutcome::Kind::InvalidTransition:
            return "invalid_transition";
        case FsmOutcome::Kind::Erased:
            break;
        }
        return "erased";
    }

    // What the simulated user is scheduled to do next.
    enum class Planned : std::uint8_t { Dismiss, AcceptChat, AcceptTour, ChatCompleted, TourCompleted, TourAbandoned };

    struct Scheduled {
        Timestamp at;
        std::uint64_t sequence; // ties run in the order they were planned
        Planned what;
        std::string triggerId;
    };

    // The records with their canonical URLs made with `routes`, each
    // distinct raw URL once.
    std::vector<ActionRecord> withCanonicalUrls(
        std::span<const ActionRecord> records, std::span<const std::string> routes)
    {
        std::vector<ActionRecord> made(records.begin(), records.end());
        std::unordered_map<std::string_view, Interned<std::string>> canonical;
        for (ActionRecord& record : made) {
            auto [it, isNew] = canonical.try_emplace(record.rawUrl);
            if (isNew)
                it->second = Interned<std::string>(canonicalUrl(record.rawUrl, routes));
            record.canonicalUrl = it->second;
        }
        return made;
    }

} // namespace

Result<ResponsePolicy> ResponsePolicy::parse(std::string_view text)
{
    const auto colon = text.find(':');
    const std::string_view name = text.substr(0, colon);
    const auto found = std::find_if(
        std::begin(kPolicyNames), std::end(kPolicyNames), [&](const PolicyName& p) { return p.name == name; });
    const std::string usage = "expected never, dismiss:N, chat:N, tour-complete:N or tour-abandon:N (N seconds)";
    if (found == std::end(kPolicyNames))
        return Error { "bad_policy", "unknown policy \"" + std::string(text) + "\"; " + usage, "policy" };
    ResponsePolicy policy;
    policy.kind = found->kind;
    if (policy.kind == Kind::Never) {
        if (colon != std::string_view::npos)
            return Error { "bad_policy", "\"never\" takes no seconds", "policy" };
        return policy;
    }
    if (colon == std::string_view::npos)
        return Error { "bad_policy", "\"" + std::string(name) + "\" needs seconds: " + std::string(name) + ":N",
            "policy" };
    const std::string number(text.substr(colon + 1));
    char* end = nullptr;
    const double seconds = std::strtod(number.c_str(), &end);
    if (number.empty() || end != number.c_str() + number.size() || !std::isfinite(seconds) || seconds < 0
        || seconds > 7 * 86400)
        return Error { "bad_policy", "\"" + number + "\" is not a number of seconds between 0 and 604800", "policy" };
    policy.after = fromSeconds(seconds);
    return policy;
}

std::string ResponsePolicy::toString() const
{
    const auto found = std::find_if(
        std::begin(kPolicyNames), std::end(kPolicyNames), [&](const PolicyName& p) { return p.kind == kind; });
    std::string out(found->name);
    if (kind != Kind::Never)
        out += ":" + formatSettingValue(toSeconds(after));
    return out;
}

std::string_view nameOf(ReplayPoll::Toast toast)
{
    switch (toast) {
    case ReplayPoll::Toast::None:
        return "none";
    case ReplayPoll::Toast::Shown:
        return "shown";
    case ReplayPoll::Toast::Kept:
        return "kept";
    case ReplayPoll::Toast::Suppressed:
        return "suppressed";
    case ReplayPoll::Toast::Hidden:
        break;
    }
    return "hidden";
}

std::string_view nameOf(ReplayEvent::Kind kind)
{
    switch (kind) {
    case ReplayEvent::Kind::Action:
        return "action";
    case ReplayEvent::Kind::Response:
        return "response";
    case ReplayEvent::Kind::Poll:
        break;
    }
    return "poll";
}

struct SessionReplay::State {
    State(std::shared_ptr<const Workspace> workspace_, const RecordedSession& session_, ReplaySettings settings_)
        : workspace(std::move(workspace_))
        , session(&session_)
        , settings(settings_)
        , clock(session_.actions.front().timestampStart)
        , connector(workspace, store, clock)
        , client(connector, session_.summary.productId, settings_.client)
        , conversation { session_.summary.productId, Connector::proactiveConversationId(session_.summary.sessionId) }
    {
        // Recorded under other routes (or unknown ones): its pages are those
        // of this workspace's routes, as the connector's would be.
        const std::vector<std::string>& routes = workspace->product(productId())->routes;
        if (session->routes && *session->routes == routes) {
            actions = session->actions;
        } else {
            recanonicalised = withCanonicalUrls(session->actions, routes);
            actions = recanonicalised;
        }
        start = actions.front().timestampStart;
        end = actions.back().type == ActionType::Pageleave ? actions.back().timestampStart
                                                           : actions.back().timestampStart + settings.tail;
        record.start = start;
        record.end = end;
        client.setSessionId(session->summary.sessionId);
        if (!settings.priorHistory.empty()) {
            StoreWrite prior;
            prior.userHistory = settings.priorHistory;
            (void)store.commit(prior); // events of the batch's own making: valid
        }
    }

    // The history under every key of the session's user, as events.
    std::vector<UserHistoryEvent> userHistory() const
    {
        const std::string& product = productId();
        const auto sessionRecord = store.session({ product, session->summary.sessionId });
        std::vector<UserHistoryEvent> events;
        for (const std::string& key :
            userKeysOf(sessionRecord ? &*sessionRecord : nullptr, session->summary.sessionId).read)
            for (const TriggerHistory& history : store.userHistory(product, key))
                appendEvents(events, product, key, history);
        return events;
    }

    std::shared_ptr<const Workspace> workspace;
    const RecordedSession* session;
    // What is replayed: the session's records, or their copies with the
    // canonical URLs of other routes than it was recorded with.
    std::vector<ActionRecord> recanonicalised;
    std::span<const ActionRecord> actions;
    ReplaySettings settings;
    VirtualClock clock;
    MemoryStore store;
    Connector connector;
    SimulatedClient client;
    ConversationKey conversation;
    Timestamp start {};
    Timestamp end {};
    std::size_t arrived = 0; // actions [0, arrived) have happened
    std::size_t ingested = 0; // actions [0, ingested) are in the connector
    std::vector<Scheduled> scheduled; // ordered by (at, sequence)
    std::uint64_t sequence = 0;
    bool finished = false;
    ReplayRecord record;
    std::vector<ShownToast> toasts;

    const std::string& productId() const { return session->summary.productId; }

    std::optional<std::pair<ReplayEvent::Kind, Timestamp>> next() const
    {
        std::optional<std::pair<ReplayEvent::Kind, Timestamp>> best;
        auto consider = [&](ReplayEvent::Kind kind, Timestamp at) {
            // Strictly earlier only: candidates come in tie order.
            if (at <= end && (!best || at < best->second))
                best = std::pair(kind, at);
        };
        if (arrived < actions.size())
            consider(ReplayEvent::Kind::Action, actions[arrived].timestampStart);
        if (!scheduled.empty())
            consider(ReplayEvent::Kind::Response, scheduled.front().at);
        consider(ReplayEvent::Kind::Poll, client.nextPollAt());
        return best;
    }

    void schedule(Timestamp at, Planned what, const std::string& triggerId)
    {
        Scheduled entry { at, sequence++, what, triggerId };
        const auto position
            = std::upper_bound(scheduled.begin(), scheduled.end(), entry, [](const Scheduled& a, const Scheduled& b) {
                  return std::tie(a.at, a.sequence) < std::tie(b.at, b.sequence);
              });
        scheduled.insert(position, std::move(entry));
    }

    // Hands the connector the actions that have happened: it must not see the
    // future. As the records they are, one identity at a time: the importer
    // has already canonicalised, interned and de-duplicated them.
    void flush()
    {
        while (ingested < arrived) {
            const RecordedIdentity& identity = session->identityOf(ingested);
            const RecordedIdentity* next = &identity + 1;
            const bool changes
                = next != session->identities.data() + session->identities.size() && next->from < arrived;
            const std::size_t until = changes ? next->from : arrived;
            // A replayed session's records always have a session id and a
            // known product, so ingest cannot reject them.
            (void)connector.ingestRecords(productId(), session->summary.sessionId,
                actions.subspan(ingested, until - ingested),
                { identity.distinctId, identity.linkedDistinctId, identity.email, identity.emailOnce });
            ingested = until;
        }
    }

    std::int64_t lastAction() const { return static_cast<std::int64_t>(ingested) - 1; }

    void noteTransitions(std::vector<TransitionRecord>& transitions)
    {
        for (auto& transition : transitions) {
            if (transition.to == FsmState::ConservativeAssistance && transition.from != transition.to) {
                const auto conversationRecord = connector.conversation(conversation);
                ReplayCooldown cooldown;
                cooldown.start = transition.at;
                cooldown.cause = transition.event;
                if (conversationRecord) {
                    cooldown.dismissals = conversationRecord->dismissals;
                    if (!conversationRecord->silenced)
                        cooldown.end = conversationRecord->cooldownUntil;
                }
                record.cooldowns.push_back(std::move(cooldown));
            }
            record.transitions.push_back(std::move(transition));
        }
    }

    void planResponse(const std::string& triggerId)
    {
        const Timestamp now = clock.now();
        const ResponsePolicy& policy = settings.policy;
        switch (policy.kind) {
        case ResponsePolicy::Kind::Never:
            return;
        case ResponsePolicy::Kind::Dismiss:
            schedule(now + policy.after, Planned::Dismiss, triggerId);
            return;
        case ResponsePolicy::Kind::AcceptChat:
            schedule(now + policy.reaction, Planned::AcceptChat, triggerId);
            return;
        case ResponsePolicy::Kind::TourComplete:
        case ResponsePolicy::Kind::TourAbandon:
            schedule(now + policy.reaction, Planned::AcceptTour, triggerId);
            return;
        }
    }

    // What a client call did to the toast: shown, or gone.
    void noteToasts(const ClientStep& step)
    {
        for (const ClientEvent& event : step.events) {
            if (event.kind == ClientEvent::Kind::ToastShown)
                toasts.push_back({ *client.toast(), event.at, std::nullopt });
            else if (event.kind == ClientEvent::Kind::ToastHidden && !toasts.empty() && !toasts.back().hiddenAt)
                toasts.back().hiddenAt = event.at;
        }
    }

    // The toast hides itself interaction_timeout_s after it appeared (SPEC
    // §8 "§4 Client"), as the live studio's Simulation does: at that moment
    // when it is at or before `t`. It posts nothing, so the record only
    // sees it as a toast the next poll no longer has to hide.
    void expireToastBy(Timestamp t)
    {
        const auto expiresAt = client.toastExpiresAt();
        if (!expiresAt || *expiresAt > t)
            return;
        clock.set(std::max(clock.now(), *expiresAt));
        noteToasts(client.expireToast());
    }

    ReplayEvent poll()
    {
        clock.set(client.nextPollAt());
        flush();
        ClientStep step = client.pollNow();
        noteToasts(step);
        ReplayPoll poll;
        poll.at = clock.now();
        poll.lastAction = lastAction();
        bool fired = false;
        for (const ClientEvent& event : step.events) {
            switch (event.kind) {
            case ClientEvent::Kind::PollAnswered:
                poll.triggerId = event.triggerId;
                poll.skipReason = event.reason;
                poll.state = event.state.value_or(FsmState::Thinking);
                break;
            case ClientEvent::Kind::PollFailed:
                poll.skipReason = "error:" + event.reason;
                break;
            case ClientEvent::Kind::ToastShown:
                poll.toast = ReplayPoll::Toast::Shown;
                break;
            case ClientEvent::Kind::ToastKept:
                poll.toast = ReplayPoll::Toast::Kept;
                break;
            case ClientEvent::Kind::RaceWindowSuppressed:
                poll.toast = ReplayPoll::Toast::Suppressed;
                break;
            case ClientEvent::Kind::ToastHidden:
                poll.toast = ReplayPoll::Toast::Hidden;
                break;
            default:
                break;
            }
        }
        if (!step.decisions.empty()) {
            Decision& decision = step.decisions.front();
            if (decision.offer) {
                fired = true;
                ReplayFiring firing;
                firing.at = poll.at;
                firing.triggerId = decision.offer->triggerId;
                firing.body = decision.offer->body;
                firing.tourId = decision.offer->tourId;
                firing.lastAction = poll.lastAction;
                if (poll.lastAction >= 0)
                    firing.page = actions[static_cast<std::size_t>(poll.lastAction)].canonicalUrl.get();
                firing.shown = poll.toast == ReplayPoll::Toast::Shown;
                record.firings.push_back(std::move(firing));
            }
            poll.gates = std::move(decision.gates);
            poll.triggers = std::move(decision.triggers);
            // What the poll changed: an expiry, the firing.
            noteTransitions(decision.transitions);
        }
        if (!poll.skipReason.empty())
            ++record.skipReasons[poll.skipReason];
        if (poll.toast == ReplayPoll::Toast::Shown)
            planResponse(poll.triggerId);

        ReplayEvent event { ReplayEvent::Kind::Poll, poll.at, record.pollCount, fired };
        ++record.pollCount;
        if (settings.keepPolls)
            record.polls.push_back(std::move(poll));
        return event;
    }

    // Records what one client call did: the agent-state event it posted.
    void respond(std::string action, const std::string& triggerId, ClientStep step)
    {
        noteToasts(step);
        ReplayResponse response;
        response.at = clock.now();
        response.action = std::move(action);
        response.triggerId = triggerId;
        response.outcome = "no_toast";
        response.state = state();
        for (const ClientEvent& event : step.events) {
            if (event.kind == ClientEvent::Kind::AgentStatePosted) {
                response.agentEvent = event.agentEvent;
                response.outcome = event.outcome ? outcomeName(*event.outcome) : "applied";
                response.state = event.state.value_or(response.state);
            } else if (event.kind == ClientEvent::Kind::AgentStateFailed
                || event.kind == ClientEvent::Kind::AgentStateSkipped) {
                response.agentEvent = event.agentEvent;
                response.outcome = "failed:" + (event.reason.empty() ? std::string("no_session") : event.reason);
            }
        }
        record.responses.push_back(std::move(response));
        noteTransitions(step.transitions);
    }

    bool toastFor(const std::string& triggerId) const
    {
        return client.toast() && client.toast()->triggerId == triggerId;
    }

    ReplayEvent runResponse()
    {
        Scheduled next = std::move(scheduled.front());
        scheduled.erase(scheduled.begin());
        clock.set(next.at);
        const std::size_t first = record.responses.size();
        const ResponsePolicy& policy = settings.policy;
        switch (next.what) {
        case Planned::Dismiss:
            respond("dismiss", next.triggerId, toastFor(next.triggerId) ? client.dismiss() : ClientStep {});
            break;
        case Planned::AcceptChat:
        case Planned::AcceptTour: {
            const bool tour = next.what == Planned::AcceptTour;
            if (!toastFor(next.triggerId)) {
                respond(tour ? "accept_tour" : "accept_chat", next.triggerId, {});
                break;
            }
            ClientStep accepted = client.accept(tour ? AcceptMode::Tour : AcceptMode::Chat);
            const bool tourStarted = std::any_of(accepted.events.begin(), accepted.events.end(),
                [](const ClientEvent& e) { return e.kind == ClientEvent::Kind::TourStarted; });
            // An offer without a tour can only be accepted as a chat.
            respond(tourStarted ? "accept_tour" : "accept_chat", next.triggerId, std::move(accepted));
            // The chat opens with the prefill, sent once (SPEC §4).
            respond("chat_sent", next.triggerId, client.chatSent());
            const Timestamp now = clock.now();
            schedule(now + (tour ? policy.botResponse : policy.after), Planned::ChatCompleted, next.triggerId);
            if (tourStarted)
                schedule(now + policy.after,
                    policy.kind == ResponsePolicy::Kind::TourAbandon ? Planned::TourAbandoned : Planned::TourCompleted,
                    next.triggerId);
            break;
        }
        case Planned::ChatCompleted:
            respond("chat_completed", next.triggerId, client.chatCompleted());
            break;
        case Planned::TourCompleted:
            respond("tour_completed", next.triggerId, client.tourCompleted());
            break;
        case Planned::TourAbandoned:
            respond("tour_abandoned", next.triggerId, client.tourAbandoned());
            break;
        }
        return { ReplayEvent::Kind::Response, next.at, first, false };
    }

    std::optional<ReplayEvent> step()
    {
        if (finished)
            return std::nullopt;
        const auto due = next();
        expireToastBy(due ? due->second : end);
        if (!due) {
            finished = true;
            if (clock.now() < end)
                clock.set(end);
            return std::nullopt;
        }
        switch (due->first) {
        case ReplayEvent::Kind::Action:
            clock.set(due->second);
            return ReplayEvent { ReplayEvent::Kind::Action, due->second, arrived++, false };
        case ReplayEvent::Kind::Response:
            return runResponse();
        case ReplayEvent::Kind::Poll:
            break;
        }
        return poll();
    }

    FsmState state() const
    {
        const auto conversationRecord = connector.conversation(conversation);
        return conversationRecord ? conversationRecord->state : FsmState::Thinking;
    }
};

SessionReplay::SessionReplay(std::unique_ptr<State> state)
    : m_state(std::move(state))
{ }

SessionReplay::SessionReplay(SessionReplay&&) noexcept = default;
SessionReplay& SessionReplay::operator=(SessionReplay&&) noexcept = default;
SessionReplay::~SessionReplay() = default;

Result<SessionReplay> SessionReplay::create(
    std::shared_ptr<const Workspace> workspace, const RecordedSession& session, ReplaySettings settings)
{
    if (!workspace->product(session.summary.productId))
        return Error { "unknown_product",
            "the workspace has no product \"" + session.summary.productId + "\" (session " + session.summary.sessionId
                + ")",
            session.summary.sessionId };
    if (session.actions.empty())
        return Error { "empty_session", "session " + session.summary.sessionId + " has no actions",
            session.summary.sessionId };
    return SessionReplay(std::make_unique<State>(std::move(workspace), session, settings));
}

const RecordedSession& SessionReplay::session() const
{
    return *m_state->session;
}

const ReplaySettings& SessionReplay::settings() const
{
    return m_state->settings;
}

const std::shared_ptr<const Workspace>& SessionReplay::workspace() const
{
    return m_state->workspace;
}

Timestamp SessionReplay::start() const
{
    return m_state->start;
}

Timestamp SessionReplay::end() const
{
    return m_state->end;
}

Timestamp SessionReplay::now() const
{
    return m_state->clock.now();
}

bool SessionReplay::finished() const
{
    return m_state->finished;
}

std::optional<Timestamp> SessionReplay::nextAt() const
{
    if (m_state->finished)
        return std::nullopt;
    const auto due = m_state->next();
    return due ? std::optional(due->second) : std::nullopt;
}

std::optional<ReplayEvent> SessionReplay::step()
{
    return m_state->step();
}

std::optional<ReplayEvent> SessionReplay::stepTo(ReplayEvent::Kind kind)
{
    while (auto event = m_state->step())
        if (event->kind == kind)
            return event;
    return std::nullopt;
}

std::optional<ReplayEvent> SessionReplay::nextFiring()
{
    while (auto event = m_state->step())
        if (event->fired)
            return event;
    return std::nullopt;
}

void SessionReplay::seek(Timestamp t)
{
    if (t < now())
        reset();
    while (true) {
        const auto due = nextAt();
        if (!due || *due > t)
            break;
        m_state->step();
    }
    if (t >= end()) {
        m_state->step(); // finishes: nothing is due any more
        return;
    }
    m_state->expireToastBy(t);
    if (t > now())
        m_state->clock.set(t);
}

void SessionReplay::runToEnd()
{
    while (m_state->step()) { }
}

void SessionReplay::reset()
{
    m_state = std::make_unique<State>(m_state->workspace, *m_state->session, m_state->settings);
}

Status SessionReplay::reconfigure(std::shared_ptr<const Workspace> workspace, ReplaySettings settings)
{
    auto replay = create(std::move(workspace), *m_state->session, settings);
    if (!replay)
        return replay.error();
    const Timestamp at = now();
    const bool wasFinished = finished();
    *this = std::move(*replay);
    if (wasFinished)
        runToEnd();
    else
        seek(at);
    return Ok {};
}

std::size_t SessionReplay::actionsArrived() const
{
    return m_state->arrived;
}

const ReplayRecord& SessionReplay::record() const
{
    return m_state->record;
}

std::vector<UserHistoryEvent> SessionReplay::userHistory() const
{
    return m_state->userHistory();
}

ReplayRecord SessionReplay::takeRecord() &&
{
    return std::move(m_state->record);
}

FsmState SessionReplay::state() const
{
    return m_state->state();
}

std::optional<ConversationRecord> SessionReplay::conversation() const
{
    return m_state->connector.conversation(m_state->conversation);
}

const SimulatedClient& SessionReplay::client() const
{
    return m_state->client;
}

const std::vector<ShownToast>& SessionReplay::toasts() const
{
    return m_state->toasts;
}

Result<std::vector<TriggerReport>> SessionReplay::explainTriggers()
{
    m_state->flush();
    return m_state->connector.explainTriggers(m_state->productId(), m_state->session->summary.sessionId);
}

Result<ReplayRecord> replaySession(
    std::shared_ptr<const Workspace> workspace, const RecordedSession& session, const ReplaySettings& settings)
{
    auto replay = SessionReplay::create(std::move(workspace), session, settings);
    if (!replay)
        return replay.error();
    replay->runToEnd();
    auto history = replay->userHistory();
    ReplayRecord record = std::move(*replay).takeRecord();
    record.userHistory = std::move(history);
    return record;
}

} // namespace proactive
