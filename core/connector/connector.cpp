#include "connector/connector.h"

#include "emit/tourprogress.h"
#include "gates/gatepipeline.h"
#include "gates/offerrules.h"
#include "intake/canonicalurl.h"
#include "intake/posthogintake.h"

#include <algorithm>
#include <map>
#include <unordered_set>

namespace proactive {

namespace {

    // Ingest sweeps expired sessions at most this often while it keeps up.
    constexpr Duration kSweepInterval = std::chrono::seconds(1);

    // A batch's sessions and uuids, for a networked store to load in one round trip.
    ReadScope batchScope(const Product& product, const std::vector<Action>& actions)
    {
        ReadScope scope { product.id, {}, {}, {}, std::nullopt, false, {}, {} };
        for (const Action& action : actions) {
            if (action.sessionId.empty())
                continue;
            if (scope.sessions.empty() || scope.sessions.back() != action.sessionId)
                scope.sessions.push_back(action.sessionId);
            if (!action.uuid.empty())
                scope.uuids.emplace_back(action.sessionId, action.uuid);
        }
        std::sort(scope.sessions.begin(), scope.sessions.end());
        scope.sessions.erase(std::unique(scope.sessions.begin(), scope.sessions.end()), scope.sessions.end());
        return scope;
    }

} // namespace

Connector::Connector(std::shared_ptr<const Workspace> workspace, Store& store, const Clock& clock)
    : m_workspace(std::move(workspace))
    , m_store(store)
    , m_clock(clock)
{ }

std::shared_ptr<const Workspace> Connector::workspace() const
{
    std::lock_guard lock(m_mutex);
    return m_workspace;
}

void Connector::setWorkspace(std::shared_ptr<const Workspace> workspace)
{
    std::lock_guard lock(m_mutex);
    m_workspace = std::move(workspace);
}

namespace {
    constexpr std::string_view kProactiveConversationPrefix = "proactive:";
}

std::string Connector::proactiveConversationId(std::string_view sessionId)
{
    return std::string(kProactiveConversationPrefix) + std::string(sessionId);
}

std::optional<std::string_view> Connector::sessionOfConversation(std::string_view conversationId)
{
    if (!conversationId.starts_with(kProactiveConversationPrefix))
        return std::nullopt;
    return conversationId.substr(kProactiveConversationPrefix.size());
}

Result<const Product*> Connector::findProduct(const Workspace& workspace, std::string_view productId) const
{
    if (const Product* product = workspace.product(productId))
        return product;
    return Error { "unknown_product", "no product \"" + std::string(productId) + "\" in the workspace", "product_id" };
}

Status Connector::commit(const StoreWrite& write)
{
    if (write.empty())
        return Ok {};
    return m_store.commit(write);
}

template<typename Attempt> auto Connector::decide(Attempt&& attempt) const -> decltype(attempt())
{
    for (int attempts = 1;; ++attempts) {
        m_store.beginDecision();
        try {
            auto result = attempt();
            m_store.endDecision();
            if (result || result.error().code != "store.conflict")
                return result;
        } catch (const StoreUnavailable& failure) {
            m_store.endDecision();
            if (failure.error().code != "store.conflict")
                return failure.error();
        }
        if (attempts == kDecisionAttempts)
            return Error { "store_busy",
                "other connector instances changed what this call read " + std::to_string(kDecisionAttempts)
                    + " times in a row",
                "store" };
    }
}

Result<IngestResult> Connector::ingest(std::string_view productId, std::vector<Action> actions)
{
    std::lock_guard lock(m_mutex);
    auto found = findProduct(*m_workspace, productId);
    if (!found)
        return found.error();
    const Product& product = **found;
    // Batches mostly come in time order (a replay's always do): sorting them
    // anyway would move every action through a buffer for nothing.
    const auto earlier = [](const Action& a, const Action& b) { return a.timestampStart < b.timestampStart; };
    if (!std::is_sorted(actions.begin(), actions.end(), earlier))
        std::stable_sort(actions.begin(), actions.end(), earlier);

    // A decision made again starts from the batch as it was; only a store
    // that can ask for that costs a copy of the batch.
    const bool mayConflict = m_store.decisionsMayConflict();
    return decideIngest(product, [&] { return ingestOnce(product, mayConflict ? actions : std::move(actions)); });
}

template<typename Attempt> Result<IngestResult> Connector::decideIngest(const Product& product, Attempt&& attempt)
{
    // A decision made again starts from the product's new-session count as it was.
    const auto rate = m_sessionRates.find(product.id);
    const std::optional<SessionRate> rateBefore
        = rate == m_sessionRates.end() ? std::nullopt : std::optional(rate->second);
    int attempts = 0;
    return decide([&]() -> Result<IngestResult> {
        if (attempts++ > 0) {
            if (rateBefore)
                m_sessionRates.insert_or_assign(product.id, *rateBefore);
            else
                m_sessionRates.erase(product.id);
        }
        return attempt();
    });
}

// One ingest call's sessions as they will be once it is committed, and what
// opening one involves: a restart when the stored one has expired, the
// product's bounds on new sessions, the user's previous session.
class Connector::IngestBatch final {
public:
    struct Session {
        SessionKey key;
        SessionRecord record;
        bool restarted = false; // expired in the store: starts afresh, its old uuids do not count
        std::optional<Error> refused; // the new-session bounds keep it out
        bool emailSought = false; // the record's ids were looked up for an email to inherit
    };

    IngestBatch(Connector& connector, const Product& product, StoreWrite& write, IngestResult& result)
        : m_connector(connector)
        , m_product(product)
        , m_now(connector.m_clock.now())
        , m_idleBefore(m_now - sessionRetention(product))
        , m_write(write)
        , m_result(result)
    { }

    // The batch's session of this id as the store has it, or opened by its
    // first event of the batch (`event`, of `distinctId`, at `at`).
    Session& session(std::string_view sessionId, std::string_view event, std::string_view distinctId, Timestamp at)
    {
        if (const auto it = m_sessions.find(sessionId); it != m_sessions.end())
            return it->second;
        Session& session = m_sessions.emplace(std::string(sessionId), Session {}).first->second;
        session.key = { m_product.id, std::string(sessionId) };
        SessionRecord& record = session.record;
        Store& store = m_connector.m_store;
        auto stored = store.session(session.key);
        if (stored && stored->lastSeen < m_idleBefore) {
            m_write.expiredSessions.push_back(session.key);
            session.restarted = true;
            stored.reset();
        }
        if (stored) {
            record = *stored;
        } else if (session.refused = m_connector.admitSession(m_product, m_opened, event, sessionId, m_now);
                   !session.refused) {
            ++m_opened;
            record.firstSeen = at;
            record.lastSeen = at;
            if (!distinctId.empty()) {
                const auto previous = store.latestSessionOf(m_product.id, distinctId);
                if (previous && *previous != sessionId) {
                    record.previousSessionId = *previous;
                    m_result.rotations.push_back({ std::string(distinctId), *previous, std::string(sessionId) });
                }
            }
        }
        return session;
    }

    // What a session learns from an event about its user (SPEC §8 §1
    // Identity): ids, links, emails; without an email, that of the user's
    // latest session that has one, in this batch or in the store.
    void learnIdentity(Session& session, const ActionIdentity& identity)
    {
        SessionRecord& record = session.record;
        const auto adopt = [&](std::string& field, std::string_view id) {
            if (field != id) {
                field = id;
                session.emailSought = false;
            }
        };
        // An event of the anonymous id arriving after `$identify` leaves the
        // session with the identified one.
        if (!identity.distinctId.empty() && identity.distinctId != record.linkedDistinctId)
            adopt(record.distinctId, identity.distinctId);
        if (!identity.linkedDistinctId.empty() && identity.linkedDistinctId != record.distinctId)
            adopt(record.linkedDistinctId, identity.linkedDistinctId);
        if (record.email.empty() && !session.emailSought) {
            session.emailSought = true;
            record.email = inheritedEmail(record);
        }
        if (!identity.email.empty())
            record.email = identity.email;
        else if (record.email.empty())
            record.email = identity.emailOnce;
        if (!record.email.empty())
            for (const std::string* id : { &record.distinctId, &record.linkedDistinctId })
                if (!id->empty())
                    m_emails.insert_or_assign(*id, &record);
    }

    // Puts the sessions not refused into the write, with a chunk of expired
    // ones when a sweep is due.
    void finish()
    {
        for (auto& [sessionId, session] : m_sessions)
            if (!session.refused)
                m_write.sessions.emplace_back(std::move(session.key), std::move(session.record));
        Connector& connector = m_connector;
        if (connector.m_sweepBehind || m_now >= connector.m_nextSweep) {
            const std::size_t swept = connector.sweep(m_write, m_now, kSweepChunk, m_product.id,
                [&](const std::string& sessionId) { return m_sessions.contains(sessionId); });
            connector.m_sweepBehind = swept == kSweepChunk;
            connector.m_nextSweep = m_now + kSweepInterval;
        }
    }

private:
    // The email of the user's latest session with one: of this batch (events
    // come in time order, so the last to have one), else of the store.
    std::string inheritedEmail(const SessionRecord& record) const
    {
        for (const std::string* id : { &record.distinctId, &record.linkedDistinctId })
            if (const auto it = m_emails.find(*id); !id->empty() && it != m_emails.end())
                return it->second->email;
        const Store& store = m_connector.m_store;
        for (const std::string* id : { &record.distinctId, &record.linkedDistinctId }) {
            if (id->empty())
                continue;
            const auto sessionId = store.latestSessionWithEmailOf(m_product.id, *id);
            // The latest one with an email expired: so did every older one.
            if (const auto stored = sessionId ? store.session({ m_product.id, *sessionId }) : std::nullopt;
                stored && stored->lastSeen >= m_idleBefore)
                return stored->email;
        }
        return {};
    }

    Connector& m_connector;
    const Product& m_product;
    const Timestamp m_now;
    const Timestamp m_idleBefore;
    StoreWrite& m_write;
    IngestResult& m_result;
    std::map<std::string, Session, std::less<>> m_sessions;
    // Per distinct id (or linked id): the session of this batch that last
    // had an email for it.
    std::map<std::string, const SessionRecord*, std::less<>> m_emails;
    std::size_t m_opened = 0; // new sessions, for the product's bound per request
};

Result<IngestResult> Connector::ingestOnce(const Product& product, std::vector<Action> actions)
{
    IngestResult result;
    StoreWrite write;
    IngestBatch batch(*this, product, write, result);
    // (session id, uuid) of the actions accepted from this batch, viewed in
    // write.actions, which holds room for every action and so never moves them.
    struct UuidHash {
        std::size_t operator()(const std::pair<std::string_view, std::string_view>& id) const noexcept
        {
            return std::hash<std::string_view> {}(id.second) ^ std::hash<std::string_view> {}(id.first);
        }
    };
    std::unordered_set<std::pair<std::string_view, std::string_view>, UuidHash> batchUuids;

    if (m_store.prefetches())
        m_store.prefetch(batchScope(product, actions));
    write.actions.reserve(actions.size());
    batchUuids.reserve(actions.size());
    for (std::size_t i = 0; i < actions.size(); ++i) {
        Action& action = actions[i];
        const bool bookkeeping = isBookkeepingEvent(action);
        if (bookkeeping && !carriesIdentity(action)) {
            ++result.ignored;
            continue;
        }
        const auto where = [&] { return action.uuid.empty() ? "[" + std::to_string(i) + "]" : action.uuid; };
        if (action.sessionId.empty()) {
            result.rejected.push_back(
                { "missing_session_id", "event \"" + action.event + "\" has no session id", where() });
            continue;
        }
        IngestBatch::Session& session
            = batch.session(action.sessionId, action.event, action.distinctId, action.timestampStart);
        SessionRecord& record = session.record;
        if (session.refused) {
            // Every event of a refused session is reported, under its own name.
            result.rejected.push_back({ session.refused->code, session.refused->message, where() });
            ++result.limited;
            continue;
        }
        if (bookkeeping) {
            // Person properties: kept on the session, never an action.
            batch.learnIdentity(session, ActionIdentity::of(action));
            record.firstSeen = std::min(record.firstSeen, action.timestampStart);
            record.lastSeen = std::max(record.lastSeen, action.timestampStart);
            ++result.ignored;
            continue;
        }
        if (!action.uuid.empty()
            && ((!session.restarted && m_store.hasActionUuid(session.key, action.uuid))
                || batchUuids.contains({ action.sessionId, action.uuid }))) {
            ++result.duplicates;
            continue;
        }
        // Not described: no store keeps an action's wording (SqliteStore
        // writes it out for people reading the file, and it is derived again
        // wherever an action is shown).
        action.canonicalUrl = canonicalUrl(action.rawUrl, product.routes);
        action.index = record.actionCount++;
        record.firstSeen = std::min(record.firstSeen, action.timestampStart);
        record.lastSeen = std::max(record.lastSeen, action.timestampStart);
        batch.learnIdentity(session, ActionIdentity::of(action));
        const Action& kept = write.actions.emplace_back(session.key, std::move(action)).second;
        if (!kept.uuid.empty())
            batchUuids.emplace(kept.sessionId, kept.uuid);
        ++result.accepted;
    }
    batch.finish();
    if (auto status = commit(write); !status)
        return status.error();
    return result;
}

Result<IngestResult> Connector::ingestRecords(std::string_view productId, std::string_view sessionId,
    std::span<const ActionRecord> records, const ActionIdentity& identity)
{
    std::lock_guard lock(m_mutex);
    auto found = findProduct(*m_workspace, productId);
    if (!found)
        return found.error();
    const Product& product = **found;
    if (sessionId.empty())
        return Error { "missing_session_id", "records without a session id", "session_id" };
    if (records.empty())
        return IngestResult {};
    return decideIngest(product, [&] { return ingestRecordsOnce(product, sessionId, records, identity); });
}

Result<IngestResult> Connector::ingestRecordsOnce(const Product& product, std::string_view sessionId,
    std::span<const ActionRecord> records, const ActionIdentity& identity)
{
    IngestResult result;
    StoreWrite write;
    IngestBatch batch(*this, product, write, result);
    const ActionRecord& first = records.front();
    if (m_store.prefetches())
        m_store.prefetch({ product.id, { std::string(sessionId) }, {}, {}, std::nullopt, false, {}, {} });
    IngestBatch::Session& session = batch.session(sessionId, first.event, identity.distinctId, first.timestampStart);
    if (session.refused) {
        for (std::size_t i = 0; i < records.size(); ++i)
            result.rejected.push_back(
                { session.refused->code, session.refused->message, "[" + std::to_string(i) + "]" });
        result.limited = records.size();
    } else {
        SessionRecord& record = session.record;
        write.records.reserve(records.size());
        for (const ActionRecord& action : records) {
            ActionRecord& kept = write.records.emplace_back(session.key, action).second;
            kept.index = record.actionCount++;
            record.firstSeen = std::min(record.firstSeen, action.timestampStart);
            record.lastSeen = std::max(record.lastSeen, action.timestampStart);
        }
        batch.learnIdentity(session, identity);
        result.accepted = records.size();
    }
    batch.finish();
    if (auto status = commit(write); !status)
        return status.error();
    return result;
}

std::optional<Error> Connector::admitSession(
    const Product& product, std::size_t openedByCall, std::string_view event, std::string_view sessionId, Timestamp now)
{
    const SessionSettings& bounds = product.sessions;
    const std::string opening
        = "event \"" + std::string(event) + "\" would open session \"" + std::string(sessionId) + "\", ";
    if (bounds.maxNewPerRequest > 0 && openedByCall >= static_cast<std::size_t>(bounds.maxNewPerRequest))
        return Error { "too_many_sessions",
            opening + "but one request may open at most " + std::to_string(bounds.maxNewPerRequest)
                + " new sessions (max_new_sessions_per_request of product " + product.id + ")",
            {} };
    const std::int64_t second = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
    auto rate = m_sessionRates.find(product.id);
    if (rate == m_sessionRates.end())
        rate = m_sessionRates.emplace(product.id, SessionRate {}).first;
    if (rate->second.atSecond != second)
        rate->second = { second, 0 };
    if (bounds.maxNewPerSecond > 0 && rate->second.opened >= bounds.maxNewPerSecond)
        return Error { "session_rate_limited",
            opening + "but product " + product.id + " may open at most " + std::to_string(bounds.maxNewPerSecond)
                + " new sessions a second (max_new_sessions_per_second); send it again in a second",
            {} };
    ++rate->second.opened;
    return std::nullopt;
}

std::size_t Connector::sweep(StoreWrite& write, Timestamp now, std::size_t limit, std::string_view skipProduct,
    const std::function<bool(const std::string&)>& skip) const
{
    std::size_t found = 0;
    for (const Product& product : m_workspace->products()) {
        if (found == limit)
            break;
        for (std::string& sessionId :
            m_store.idleSessions(product.id, now - sessionRetention(product), limit - found)) {
            ++found;
            if (product.id != skipProduct || !skip(sessionId))
                write.expiredSessions.push_back({ product.id, std::move(sessionId) });
        }
    }
    return found;
}

Result<std::size_t> Connector::expireSessions(std::size_t limit)
{
    std::lock_guard lock(m_mutex);
    return decide([&]() -> Result<std::size_t> {
        StoreWrite write;
        const std::size_t found = sweep(write, m_clock.now(), limit, {}, [](const std::string&) { return false; });
        if (auto status = commit(write); !status)
            return status.error();
        return found;
    });
}

SessionCutoffs Connector::sessionCutoffs(const Workspace& workspace, Timestamp now)
{
    SessionCutoffs cutoffs;
    for (const Product& product : workspace.products())
        cutoffs.products.emplace_back(product.id, now - sessionRetention(product));
    cutoffs.others = now - sessionRetention(Product {});
    return cutoffs;
}

Result<Decision> Connector::context(
    std::string_view productId, std::string_view sessionId, std::string conversationId, bool explain)
{
    std::lock_guard lock(m_mutex);
    auto product = findProduct(*m_workspace, productId);
    if (!product)
        return product.error();
    if (conversationId.empty())
        conversationId = proactiveConversationId(sessionId);
    const PollRequest request { **product, SessionKey { std::string(productId), std::string(sessionId) },
        ConversationKey { std::string(productId), std::move(conversationId) }, m_clock.now(), explain };
    return decide([&]() -> Result<Decision> {
        const bool exporting = m_offerEvents && (*product)->posthogExport;
        // The offer an expiry in this poll ends: the record forgets it once a new offer is made.
        const std::string openOffer = exporting
            ? m_store.conversation(request.conversation).value_or(ConversationRecord {}).activeTriggerId
            : std::string();
        StoreWrite write;
        Decision decision = GatePipeline(m_store).run(request, write);
        if (auto status = commit(write); !status)
            return status.error();
        if (exporting) {
            std::vector<OfferEvent> events;
            const std::string& session = request.session.sessionId;
            for (const TransitionRecord& t : decision.transitions)
                if (t.event == "interaction_timeout" && !openOffer.empty())
                    events.push_back(offerEvent(**product, offerevent::Expired, session, openOffer, t.at));
            if (decision.offer)
                events.push_back(
                    offerEvent(**product, offerevent::Shown, session, decision.offer->triggerId, request.now));
            if (!decision.heldOutTrigger.empty())
                events.push_back(
                    offerEvent(**product, offerevent::Holdout, session, decision.heldOutTrigger, request.now));
            m_offerEvents->record(std::move(events));
        }
        return decision;
    });
}

void Connector::setOfferEventSink(OfferEventSink* sink)
{
    std::lock_guard lock(m_mutex);
    m_offerEvents = sink;
}

OfferEvent Connector::offerEvent(const Product& product, std::string_view event, const std::string& sessionId,
    const std::string& triggerId, Timestamp at) const
{
    OfferEvent offer { newUuid(), std::string(event), product.id, {}, sessionId, triggerId, at,
        nlohmann::json::object() };
    const auto session = m_store.session({ product.id, sessionId });
    offer.distinctId = session && !session->distinctId.empty() ? session->distinctId : sessionId;
    const Trigger* trigger = product.triggers->find(triggerId);
    if (const auto experiment = trigger ? experimentOf(trigger->definition(), product) : std::nullopt) {
        const auto assignment = assignHoldout(experiment->id, offer.distinctId, experiment->percent);
        offer.properties["experiment"] = assignment.experiment;
        offer.properties["experiment_arm"] = assignment.arm();
        offer.properties["experiment_bucket"] = assignment.bucket;
    }
    return offer;
}

std::string Connector::latestOfferedTrigger(const Product& product, const ConversationKey& conversation) const
{
    std::string latest;
    std::optional<Timestamp> at;
    for (const Trigger& trigger : product.triggers->triggers())
        if (const auto fired = m_store.lastFiring(conversation, trigger.id()); fired && (!at || *fired > *at)) {
            at = fired;
            latest = trigger.id();
        }
    return latest;
}

Result<FsmOutcome> Connector::agentState(
    std::string_view productId, std::string_view conversationId, std::string_view event)
{
    std::lock_guard lock(m_mutex);
    auto product = findProduct(*m_workspace, productId);
    if (!product)
        return product.error();
    const auto fsmEvent = fsmEventFromString(event);
    if (!fsmEvent)
        return Error { "unknown_event", "\"" + std::string(event) + "\" is not an agent-state event", "event" };

    return decide([&]() -> Result<FsmOutcome> {
        const ConversationKey key { std::string(productId), std::string(conversationId) };
        const Timestamp now = m_clock.now();
        ConversationRecord record = m_store.conversation(key).value_or(ConversationRecord {});
        StoreWrite write;
        const auto expired = fsm::expire(record, now);
        if (expired) {
            write.conversations.emplace_back(key, record);
            write.transitions.emplace_back(key, *expired);
        }
        // The offer an answer answers; after an expiry, the offer that expired (kept for late answers).
        const std::string offeredTrigger = record.activeTriggerId;
        FsmOutcome outcome = fsm::apply(record, *fsmEvent, now, (*product)->proactive);
        outcome.expiry = expired;
        switch (outcome.kind) {
        case FsmOutcome::Kind::Applied:
            write.conversations.emplace_back(key, record);
            write.transitions.emplace_back(key, *outcome.transition);
            if (isOfferAnswer(*fsmEvent) && !offeredTrigger.empty())
                recordInteraction(**product, conversationId, offeredTrigger, now, write);
            break;
        case FsmOutcome::Kind::Erased:
            write.erasedConversations.push_back(key);
            write.transitions.emplace_back(key, *outcome.transition);
            break;
        case FsmOutcome::Kind::InvalidTransition:
            break;
        }
        if (auto status = commit(write); !status)
            return status.error();
        if (m_offerEvents && (*product)->posthogExport)
            m_offerEvents->record(offerEventsOf(**product, key, *fsmEvent, outcome, offeredTrigger, now));
        return outcome;
    });
}

std::vector<OfferEvent> Connector::offerEventsOf(const Product& product, const ConversationKey& key, FsmEvent event,
    const FsmOutcome& outcome, const std::string& offeredTrigger, Timestamp now) const
{
    std::vector<OfferEvent> events;
    const auto session = sessionOfConversation(key.conversationId);
    if (!session)
        return events;
    const std::string sessionId(*session);
    if (outcome.expiry && outcome.expiry->event == "interaction_timeout" && !offeredTrigger.empty())
        events.push_back(offerEvent(product, offerevent::Expired, sessionId, offeredTrigger, outcome.expiry->at));
    if (outcome.kind != FsmOutcome::Kind::Applied)
        return events;
    switch (event) {
    case FsmEvent::ProactiveDismissed:
        events.push_back(offerEvent(product, offerevent::Dismissed, sessionId, offeredTrigger, now));
        break;
    case FsmEvent::ProactiveAcceptedChat:
    case FsmEvent::ProactiveAcceptedTour:
        events.push_back(offerEvent(product, offerevent::Accepted, sessionId, offeredTrigger, now));
        events.back().properties["channel"] = event == FsmEvent::ProactiveAcceptedTour ? "tour" : "chat";
        break;
    case FsmEvent::TourCompleted:
    case FsmEvent::TourAbandoned:
        events.push_back(offerEvent(product,
            event == FsmEvent::TourCompleted ? offerevent::TourCompleted : offerevent::TourAbandoned, sessionId,
            latestOfferedTrigger(product, key), now));
        break;
    default:
        break;
    }
    return events;
}

Result<bool> Connector::tourProgress(
    std::string_view productId, std::string_view conversationId, const TourProgress& progress)
{
    std::lock_guard lock(m_mutex);
    auto product = findProduct(*m_workspace, productId);
    if (!product)
        return product.error();
    const auto sessionId = sessionOfConversation(conversationId);
    if (!m_offerEvents || !(*product)->posthogExport || !sessionId)
        return false;
    return decide([&]() -> Result<bool> {
        const ConversationKey key { std::string(productId), std::string(conversationId) };
        OfferEvent event = offerEvent(**product, progress.exportedEvent(), std::string(*sessionId),
            latestOfferedTrigger(**product, key), m_clock.now());
        event.properties.update(progress.exportedProperties());
        m_offerEvents->record({ std::move(event) });
        return true;
    });
}

bool Connector::isOfferAnswer(FsmEvent event)
{
    return event == FsmEvent::ProactiveDismissed || event == FsmEvent::ProactiveAcceptedChat
        || event == FsmEvent::ProactiveAcceptedTour;
}

void Connector::recordInteraction(const Product& product, std::string_view conversationId, const std::string& triggerId,
    Timestamp now, StoreWrite& write) const
{
    // Another conversation than the proactive surface's names no session, hence no user.
    const auto sessionId = sessionOfConversation(conversationId);
    if (!sessionId)
        return;
    const SessionKey session { product.id, std::string(*sessionId) };
    const auto record = m_store.session(session);
    for (const std::string& userKey : userKeysOf(record ? &*record : nullptr, session.sessionId).written)
        write.userHistory.push_back({ product.id, userKey, triggerId, {}, UserHistoryEvent::Kind::Interaction, now });
}

Result<std::vector<TriggerReport>> Connector::explainTriggers(std::string_view productId, std::string_view sessionId)
{
    std::lock_guard lock(m_mutex);
    auto product = findProduct(*m_workspace, productId);
    if (!product)
        return product.error();
    return decide([&]() -> Result<std::vector<TriggerReport>> {
        return GatePipeline(m_store).explainTriggers(
            **product, SessionKey { std::string(productId), std::string(sessionId) }, m_clock.now());
    });
}

Result<SessionActivity> Connector::recentActivity(std::string_view sessionOrEmail, std::size_t limit) const
{
    std::lock_guard lock(m_mutex);
    return decide([&]() -> Result<SessionActivity> {
        const Timestamp now = m_clock.now();
        const auto latest = [&](const auto& sessionIdIn) {
            std::optional<SessionActivity> found;
            for (const Product& product : m_workspace->products()) {
                const auto sessionId = sessionIdIn(product.id);
                if (!sessionId)
                    continue;
                auto record = m_store.session({ product.id, *sessionId });
                // An expired session is gone, swept or not.
                if (!record || record->lastSeen < now - sessionRetention(product)
                    || (found && record->lastSeen <= found->session.lastSeen))
                    continue;
                found = SessionActivity { product.id, *sessionId, std::move(*record), {} };
            }
            return found;
        };
        auto found = latest([&](const std::string&) { return std::optional<std::string>(sessionOrEmail); });
        if (!found && sessionOrEmail.find('@') != std::string_view::npos)
            found = latest(
                [&](const std::string& productId) { return m_store.latestSessionOfEmail(productId, sessionOrEmail); });
        if (!found)
            return Error { "no_session",
                "no unexpired session has the id"
                    + std::string(sessionOrEmail.find('@') != std::string_view::npos ? " or its user the email" : "")
                    + " \"" + std::string(sessionOrEmail) + "\"",
                {} };
        m_store.visitActions({ found->productId, found->sessionId }, [&](std::span<const ActionRecord> actions) {
            const std::size_t count = std::min(limit, actions.size());
            found->actions.reserve(count);
            for (auto it = actions.rbegin(); it != actions.rbegin() + static_cast<std::ptrdiff_t>(count); ++it) {
                // What the store keeps per session, each action carries again.
                Action& action = found->actions.emplace_back(actionOf(*it));
                action.sessionId = found->sessionId;
                action.distinctId = found->session.distinctId;
                action.email = found->session.email;
            }
        });
        return std::move(*found);
    });
}

StoreHealth Connector::storeHealth() const
{
    std::lock_guard lock(m_mutex);
    return m_store.health();
}

std::vector<TransitionRecord> Connector::transitions(const ConversationKey& key, std::size_t limit) const
{
    std::lock_guard lock(m_mutex);
    auto log = decide([&]() -> Result<std::vector<TransitionRecord>> { return m_store.transitions(key, limit); });
    return log ? std::move(*log) : std::vector<TransitionRecord> {};
}

std::optional<ConversationRecord> Connector::conversation(const ConversationKey& key) const
{
    std::lock_guard lock(m_mutex);
    auto record = decide([&]() -> Result<std::optional<ConversationRecord>> { return m_store.conversation(key); });
    return record ? std::move(*record) : std::nullopt;
}

} // namespace proactive
