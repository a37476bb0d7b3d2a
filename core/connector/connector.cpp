#include "connector/connector.h"

#include "gates/gatepipeline.h"
#include "intake/posthogintake.h"

#include <algorithm>
#include <map>
#include <set>

namespace proactive {

Connector::Connector(std::shared_ptr<const Workspace> workspace, Store& store, const Clock& clock)
    : m_workspace(std::move(workspace))
    , m_store(store)
    , m_clock(clock)
{
}

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

std::string Connector::proactiveConversationId(std::string_view sessionId)
{
    return "proactive:" + std::string(sessionId);
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

Result<IngestResult> Connector::ingest(std::string_view productId, std::vector<Action> actions)
{
    std::lock_guard lock(m_mutex);
    auto product = findProduct(*m_workspace, productId);
    if (!product)
        return product.error();

    IngestResult result;
    StoreWrite write;
    // Per session of this batch: its record as it will be after the batch.
    std::map<std::string, SessionRecord> sessions;
    std::set<std::pair<std::string, std::string>> batchUuids; // (session id, uuid) accepted from this batch

    std::stable_sort(actions.begin(), actions.end(),
        [](const Action& a, const Action& b) { return a.timestampStart < b.timestampStart; });
    for (std::size_t i = 0; i < actions.size(); ++i) {
        Action& action = actions[i];
        if (isBookkeepingEvent(action)) {
            ++result.ignored;
            continue;
        }
        if (action.sessionId.empty()) {
            result.rejected.push_back({ "missing_session_id", "event \"" + action.event + "\" has no session id",
                action.uuid.empty() ? "[" + std::to_string(i) + "]" : action.uuid });
            continue;
        }
        const SessionKey key { std::string(productId), action.sessionId };
        auto [it, isNewInBatch] = sessions.try_emplace(action.sessionId);
        SessionRecord& record = it->second;
        if (isNewInBatch) {
            if (auto stored = m_store.session(key)) {
                record = *stored;
            } else {
                record.firstSeen = action.timestampStart;
                record.lastSeen = action.timestampStart;
                if (!action.distinctId.empty()) {
                    const auto previous = m_store.latestSessionOf(productId, action.distinctId);
                    if (previous && *previous != action.sessionId) {
                        record.previousSessionId = *previous;
                        result.rotations.push_back({ action.distinctId, *previous, action.sessionId });
                    }
                }
            }
        }
        if (!action.uuid.empty()
            && (m_store.hasActionUuid(key, action.uuid) || !batchUuids.emplace(action.sessionId, action.uuid).second)) {
            ++result.duplicates;
            continue;
        }
        finaliseAction(action, (*product)->routes);
        action.index = record.actionCount++;
        record.firstSeen = std::min(record.firstSeen, action.timestampStart);
        record.lastSeen = std::max(record.lastSeen, action.timestampStart);
        if (!action.distinctId.empty())
            record.distinctId = action.distinctId;
        if (!action.email.empty())
            record.email = action.email;
        write.actions.emplace_back(key, std::move(action));
        ++result.accepted;
    }
    for (auto& [sessionId, record] : sessions)
        write.sessions.emplace_back(SessionKey { std::string(productId), sessionId }, std::move(record));
    if (auto status = commit(write); !status)
        return status.error();
    return result;
}

Result<Decision> Connector::context(
    std::string_view productId, std::string_view sessionId, std::string_view conversationId, bool explain)
{
    std::lock_guard lock(m_mutex);
    auto product = findProduct(*m_workspace, productId);
    if (!product)
        return product.error();
    const PollRequest request { **product, SessionKey { std::string(productId), std::string(sessionId) },
        ConversationKey { std::string(productId),
            conversationId.empty() ? proactiveConversationId(sessionId) : std::string(conversationId) },
        m_clock.now(), explain };
    StoreWrite write;
    Decision decision = GatePipeline(m_store).run(request, write);
    if (auto status = commit(write); !status)
        return status.error();
    return decision;
}

Result<FsmOutcome> Connector::agentState(std::string_view productId, std::string_view conversationId, std::string_view event)
{
    std::lock_guard lock(m_mutex);
    auto product = findProduct(*m_workspace, productId);
    if (!product)
        return product.error();
    const auto fsmEvent = fsmEventFromString(event);
    if (!fsmEvent)
        return Error { "unknown_event", "\"" + std::string(event) + "\" is not an agent-state event", "event" };

    const ConversationKey key { std::string(productId), std::string(conversationId) };
    const Timestamp now = m_clock.now();
    ConversationRecord record = m_store.conversation(key).value_or(ConversationRecord {});
    StoreWrite write;
    const auto expired = fsm::expire(record, now);
    if (expired) {
        write.conversations.emplace_back(key, record);
        write.transitions.emplace_back(key, *expired);
    }
    FsmOutcome outcome = fsm::apply(record, *fsmEvent, now, (*product)->proactive);
    outcome.expiry = expired;
    switch (outcome.kind) {
    case FsmOutcome::Kind::Applied:
        write.conversations.emplace_back(key, record);
        write.transitions.emplace_back(key, *outcome.transition);
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
    return outcome;
}

Result<std::vector<TriggerReport>> Connector::explainTriggers(std::string_view productId, std::string_view sessionId)
{
    std::lock_guard lock(m_mutex);
    auto product = findProduct(*m_workspace, productId);
    if (!product)
        return product.error();
    return GatePipeline(m_store).explainTriggers(
        **product, SessionKey { std::string(productId), std::string(sessionId) }, m_clock.now());
}

std::optional<SessionActivity> Connector::recentActivity(std::string_view sessionOrEmail, std::size_t limit) const
{
    std::lock_guard lock(m_mutex);
    const auto latest = [&](const auto& sessionIdIn) {
        std::optional<SessionActivity> found;
        for (const Product& product : m_workspace->products()) {
            const auto sessionId = sessionIdIn(product.id);
            if (!sessionId)
                continue;
            auto record = m_store.session({ product.id, *sessionId });
            if (!record || (found && record->lastSeen <= found->session.lastSeen))
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
        return std::nullopt;
    m_store.visitActions({ found->productId, found->sessionId }, [&](std::span<const Action> actions) {
        const std::size_t count = std::min(limit, actions.size());
        found->actions.assign(actions.rbegin(), actions.rbegin() + static_cast<std::ptrdiff_t>(count));
    });
    return found;
}

std::vector<TransitionRecord> Connector::transitions(const ConversationKey& key, std::size_t limit) const
{
    std::lock_guard lock(m_mutex);
    return m_store.transitions(key, limit);
}

std::optional<ConversationRecord> Connector::conversation(const ConversationKey& key) const
{
    std::lock_guard lock(m_mutex);
    return m_store.conversation(key);
}

} // namespace proactive
