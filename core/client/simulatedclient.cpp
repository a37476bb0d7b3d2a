#include "client/simulatedclient.h"

#include "connector/connector.h"
#include "emit/tourprogress.h"

#include <algorithm>
#include <iterator>

namespace proactive {

std::string_view nameOf(ClientEvent::Kind kind)
{
    using Kind = ClientEvent::Kind;
    switch (kind) {
    case Kind::PollSkipped:
        return "poll_skipped";
    case Kind::PollAnswered:
        return "poll_answered";
    case Kind::PollFailed:
        return "poll_failed";
    case Kind::ToastShown:
        return "toast_shown";
    case Kind::ToastKept:
        return "toast_kept";
    case Kind::ToastHidden:
        return "toast_hidden";
    case Kind::OfferDropped:
        return "offer_dropped";
    case Kind::RaceWindowSuppressed:
        return "race_window_suppressed";
    case Kind::AgentStatePosted:
        return "agent_state_posted";
    case Kind::AgentStateFailed:
        return "agent_state_failed";
    case Kind::AgentStateSkipped:
        return "agent_state_skipped";
    case Kind::ChatOpened:
        return "chat_opened";
    case Kind::TourStarted:
        return "tour_started";
    case Kind::TourProgressReported:
        return "tour_progress_reported";
    case Kind::TourProgressFailed:
        return "tour_progress_failed";
    case Kind::SessionChanged:
        return "session_changed";
    }
    return "unknown";
}

std::string pageOf(std::string_view url)
{
    return std::string(url.substr(0, url.find('#')));
}

std::string acceptLabel(const Offer& offer)
{
    return offer.replyOptionLabels.size() > 0 ? offer.replyOptionLabels[0] : "Show me how";
}

std::string dismissLabel(const Offer& offer)
{
    return offer.replyOptionLabels.size() > 1 ? offer.replyOptionLabels[1] : "No thanks";
}

SimulatedClient::SimulatedClient(Connector& connector, std::string productId, ClientSettings settings)
    : m_connector(connector)
    , m_productId(std::move(productId))
    , m_settings(settings)
    , m_nextPollAt(connector.clock().now() + settings.firstPoll)
{ }

Timestamp SimulatedClient::now() const
{
    return m_connector.clock().now();
}

ClientStep SimulatedClient::setSessionId(std::string sessionId)
{
    ClientStep step;
    if (sessionId == m_sessionId)
        return step;
    m_sessionId = std::move(sessionId);
    record(step, { .kind = ClientEvent::Kind::SessionChanged });
    return step;
}

std::string SimulatedClient::conversationId() const
{
    return m_sessionId.empty() ? std::string() : Connector::proactiveConversationId(m_sessionId);
}

std::optional<Timestamp> SimulatedClient::suppressedUntil(std::string_view triggerId) const
{
    const auto it = m_suppressedUntil.find(triggerId);
    if (it == m_suppressedUntil.end() || now() >= it->second)
        return std::nullopt;
    return it->second;
}

ClientEvent& SimulatedClient::record(ClientStep& step, ClientEvent event)
{
    event.at = now();
    event.sessionId = m_sessionId;
    event.conversationId = conversationId();
    m_log.push_back(event);
    step.events.push_back(std::move(event));
    return step.events.back();
}

void SimulatedClient::setPage(std::string_view url)
{
    m_page = pageOf(url);
}

std::optional<Timestamp> SimulatedClient::toastExpiresAt() const
{
    if (!m_toast || m_toast->interactionTimeout <= Duration(0))
        return std::nullopt;
    return m_toastShownAt + m_toast->interactionTimeout;
}

void SimulatedClient::expireToast(ClientStep& step)
{
    const auto expiresAt = toastExpiresAt();
    if (!expiresAt || now() < *expiresAt)
        return;
    // Not a dismissal: nothing is posted and the trigger is not suppressed;
    // the connector's offer has expired by the same timeout.
    ClientEvent hidden { .kind = ClientEvent::Kind::ToastHidden, .triggerId = m_toast->triggerId, .reason = "expired" };
    m_toast.reset();
    record(step, std::move(hidden));
}

ClientStep SimulatedClient::expireToast()
{
    ClientStep step;
    expireToast(step);
    return step;
}

ClientStep SimulatedClient::dropToast()
{
    ClientStep step;
    if (!m_toast)
        return step;
    ClientEvent dropped {
        .kind = ClientEvent::Kind::OfferDropped, .triggerId = m_toast->triggerId, .reason = "page_changed"
    };
    m_toast.reset();
    record(step, std::move(dropped));
    return step;
}

SimulatedClient::PendingPoll SimulatedClient::sendPoll()
{
    m_nextPollAt = now() + m_settings.pollInterval;
    PendingPoll poll { m_page, std::nullopt };
    if (!m_sessionId.empty())
        poll.answer = m_connector.context(m_productId, m_sessionId, conversationId(), m_settings.explain);
    return poll;
}

ClientStep SimulatedClient::receivePoll(PendingPoll poll)
{
    ClientStep step;
    expireToast(step);
    if (!poll.answer) {
        record(step, { .kind = ClientEvent::Kind::PollSkipped, .reason = "no_session" });
        return step;
    }
    ++step.polls;
    if (!*poll.answer) {
        record(step, { .kind = ClientEvent::Kind::PollFailed, .reason = poll.answer->error().code });
        return step;
    }
    applyAnswer(step, **poll.answer, poll.page);
    step.decisions.push_back(std::move(*poll.answer).value());
    return step;
}

void SimulatedClient::applyAnswer(ClientStep& step, const Decision& decision, const std::string& sentFrom)
{
    using Kind = ClientEvent::Kind;
    ClientEvent answered {
        .kind = Kind::PollAnswered, .reason = decision.skipReason.value_or(""), .state = decision.state
    };
    if (decision.offer)
        answered.triggerId = decision.offer->triggerId;
    record(step, std::move(answered));

    if (!decision.offer) {
        if (m_toast) {
            ClientEvent hidden { .kind = Kind::ToastHidden, .triggerId = m_toast->triggerId, .reason = "null_answer" };
            m_toast.reset();
            record(step, std::move(hidden));
        }
        return;
    }
    const Offer& incoming = *decision.offer;
    // At exactly the end of the window the trigger shows again (the tutorial's `now >= suppressedUntil`).
    if (suppressedUntil(incoming.triggerId)) {
        record(step, { .kind = Kind::RaceWindowSuppressed, .triggerId = incoming.triggerId });
        return;
    }
    if (m_toast && m_toast->triggerId == incoming.triggerId) {
        record(step, { .kind = Kind::ToastKept, .triggerId = incoming.triggerId });
        return;
    }
    // The offer was about the page the poll was sent from; the user has left it.
    if (sentFrom != m_page) {
        record(step, { .kind = Kind::OfferDropped, .triggerId = incoming.triggerId, .reason = "page_changed" });
        return;
    }
    m_toast = incoming;
    m_toastShownAt = now();
    m_toastPage = sentFrom;
    record(step, { .kind = Kind::ToastShown, .triggerId = incoming.triggerId, .text = incoming.body });
}

void SimulatedClient::postAgentState(ClientStep& step, std::string_view event)
{
    using Kind = ClientEvent::Kind;
    if (m_sessionId.empty()) {
        record(step, { .kind = Kind::AgentStateSkipped, .agentEvent = std::string(event) });
        return;
    }
    auto outcome = m_connector.agentState(m_productId, conversationId(), event);
    if (!outcome) {
        record(
            step, { .kind = Kind::AgentStateFailed, .reason = outcome.error().code, .agentEvent = std::string(event) });
        return;
    }
    if (outcome->expiry)
        step.transitions.push_back(*outcome->expiry);
    if (outcome->transition)
        step.transitions.push_back(*outcome->transition);
    record(step,
        { .kind = Kind::AgentStatePosted,
            .agentEvent = std::string(event),
            .state = outcome->state,
            .outcome = outcome->kind });
}

void SimulatedClient::hideLocally(ClientStep& step, std::string_view cause)
{
    const std::string triggerId = m_toast->triggerId;
    m_suppressedUntil[triggerId] = now() + m_settings.raceWindow;
    m_toast.reset();
    record(step, { .kind = ClientEvent::Kind::ToastHidden, .triggerId = triggerId, .reason = std::string(cause) });
}

ClientStep SimulatedClient::accept(AcceptMode mode)
{
    ClientStep step;
    expireToast(step);
    if (!m_toast)
        return step;
    // A tour can only be started when the offer names one; otherwise holding
    // guidance_execution would block offers with no tour to end it.
    const bool tour = mode == AcceptMode::Tour && !m_toast->tourId.empty();
    postAgentState(step, tour ? "proactive_accepted_tour" : "proactive_accepted_chat");
    if (tour)
        record(
            step, { .kind = ClientEvent::Kind::TourStarted, .triggerId = m_toast->triggerId, .text = m_toast->tourId });
    record(step,
        { .kind = ClientEvent::Kind::ChatOpened,
            .triggerId = m_toast->triggerId,
            .text = std::string(kAcceptPrefill) });
    hideLocally(step, "accepted");
    return step;
}

ClientStep SimulatedClient::dismiss()
{
    ClientStep step;
    expireToast(step);
    if (!m_toast)
        return step;
    postAgentState(step, "proactive_dismissed");
    hideLocally(step, "dismissed");
    return step;
}

ClientStep SimulatedClient::chatSent()
{
    ClientStep step;
    postAgentState(step, "user_sent");
    return step;
}

ClientStep SimulatedClient::chatCompleted()
{
    ClientStep step;
    postAgentState(step, "bot_response_completed");
    return step;
}

ClientStep SimulatedClient::chatReset()
{
    ClientStep step;
    postAgentState(step, "reset");
    return step;
}

ClientStep SimulatedClient::tourProgressed(const TourProgress& progress)
{
    ClientStep step;
    const std::string event(progress.name());
    if (m_sessionId.empty()) {
        record(step, { .kind = ClientEvent::Kind::AgentStateSkipped, .agentEvent = event });
        return step;
    }
    if (auto exported = m_connector.tourProgress(m_productId, conversationId(), progress); !exported) {
        record(step,
            { .kind = ClientEvent::Kind::TourProgressFailed, .reason = exported.error().code, .agentEvent = event });
        return step;
    }
    record(step,
        { .kind = ClientEvent::Kind::TourProgressReported,
            .reason = progress.problem ? std::string(nameOf(*progress.problem)) : std::string(),
            .agentEvent = event,
            .text
            = progress.tourId + " step " + std::to_string(progress.step) + " of " + std::to_string(progress.steps) });
    return step;
}

ClientStep SimulatedClient::tourCompleted()
{
    ClientStep step;
    postAgentState(step, "tour_completed");
    return step;
}

ClientStep SimulatedClient::tourAbandoned()
{
    ClientStep step;
    postAgentState(step, "tour_abandoned");
    return step;
}

ClientStep advanceClientTo(SimulatedClient& client, VirtualClock& clock, Timestamp until)
{
    ClientStep total;
    for (;;) {
        // A toast expiring at the same time as a poll hides first, as the
        // poll would (receivePoll expires it before rendering).
        const auto expiresAt = client.toastExpiresAt();
        const bool expiryFirst = expiresAt && *expiresAt <= client.nextPollAt();
        const Timestamp next = expiryFirst ? *expiresAt : client.nextPollAt();
        if (next > until)
            break;
        clock.set(expiryFirst ? std::max(clock.now(), next) : next);
        auto step = expiryFirst ? client.expireToast() : client.pollNow();
        total.polls += step.polls;
        std::move(step.events.begin(), step.events.end(), std::back_inserter(total.events));
        std::move(step.decisions.begin(), step.decisions.end(), std::back_inserter(total.decisions));
        std::move(step.transitions.begin(), step.transitions.end(), std::back_inserter(total.transitions));
    }
    clock.set(until);
    return total;
}

} // namespace proactive
