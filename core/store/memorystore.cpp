#include "store/memorystore.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <iterator>
#include <tuple>
#include <unordered_set>

namespace proactive {

namespace {

    void record(TriggerHistory& history, const UserHistoryEvent& event)
    {
        if (event.kind == UserHistoryEvent::Kind::Interaction) {
            ++history.interactions;
            return;
        }
        ++history.offers;
        history.group = event.group;
        auto& times = history.recentOffers;
        times.insert(std::upper_bound(times.begin(), times.end(), event.at), event.at);
        if (times.size() > TriggerHistory::kRecentOffers)
            times.erase(times.begin(), times.end() - static_cast<std::ptrdiff_t>(TriggerHistory::kRecentOffers));
    }

    constexpr std::uint64_t kNoUuid = 0;

    std::uint64_t uuidHash(std::string_view uuid)
    {
        if (uuid.empty())
            return kNoUuid;
        const std::uint64_t hash = std::hash<std::string_view> {}(uuid);
        return hash == kNoUuid ? 1 : hash;
    }

    char foldAscii(char c)
    {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    }

    bool equalFolded(std::string_view a, std::string_view b)
    {
        return a.size() == b.size()
            && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return foldAscii(x) == foldAscii(y); });
    }

    std::size_t combineHashes(std::size_t a, std::size_t b)
    {
        return a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
    }

    // The keys a session is listed under, by MemoryStore::Listing: its
    // distinct id, its linked distinct id (once only: ingest keeps the two
    // apart, but a record may repeat one), its email; empty for none.
    std::array<std::string_view, 3> listingKeysOf(const SessionRecord& r)
    {
        return { r.distinctId,
            r.linkedDistinctId == r.distinctId ? std::string_view() : std::string_view(r.linkedDistinctId), r.email };
    }

    // The idle index's buckets: whole seconds of lastSeen, rounded down.
    std::int64_t secondOf(Timestamp t)
    {
        return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
    }

    // First element of a time-sorted container at or after `since`.
    template<typename Container, typename TimeOf>
    auto firstAtOrAfter(const Container& sorted, Timestamp since, TimeOf timeOf)
    {
        return std::lower_bound(
            sorted.begin(), sorted.end(), since, [&](const auto& element, Timestamp t) { return timeOf(element) < t; });
    }

    // Inserts after every element with the same time: ties keep arrival order.
    template<typename Container, typename Value, typename TimeOf>
    void insertByTime(Container& sorted, Value value, TimeOf timeOf)
    {
        const Timestamp at = timeOf(value);
        const auto position = std::upper_bound(
            sorted.begin(), sorted.end(), at, [&](Timestamp t, const auto& element) { return t < timeOf(element); });
        sorted.insert(position, std::move(value));
    }

    template<typename Container>
    std::vector<typename Container::value_type> lastOf(const Container& items, std::size_t limit)
    {
        const auto count = static_cast<std::ptrdiff_t>(std::min(limit, items.size()));
        return { items.end() - count, items.end() };
    }

} // namespace

std::size_t MemoryStore::KeyHash::operator()(KeyView key) const noexcept
{
    return combineHashes(std::hash<std::string_view> {}(key.first), std::hash<std::string_view> {}(key.second));
}

std::size_t MemoryStore::FoldedKeyHash::operator()(KeyView key) const noexcept
{
    // FNV-1a over the folded bytes: no folded copy to hash.
    std::uint64_t folded = 14695981039346656037ULL;
    for (const char c : key.second) {
        folded ^= static_cast<unsigned char>(foldAscii(c));
        folded *= 1099511628211ULL;
    }
    return combineHashes(std::hash<std::string_view> {}(key.first), static_cast<std::size_t>(folded));
}

bool MemoryStore::FoldedKeyEqual::operator()(KeyView a, KeyView b) const noexcept
{
    return a.first == b.first && equalFolded(a.second, b.second);
}

MemoryStore::MemoryStore(StoreRetention retention)
    : m_retention(retention)
{ }

MemoryStore::~MemoryStore() = default;

std::optional<ConversationRecord> MemoryStore::conversation(const ConversationKey& key) const
{
    const auto it = m_conversations.find(keyOf(key));
    if (it == m_conversations.end())
        return std::nullopt;
    return it->second.record;
}

std::vector<TransitionRecord> MemoryStore::transitions(const ConversationKey& key, std::size_t limit) const
{
    const auto it = m_conversations.find(keyOf(key));
    if (it == m_conversations.end())
        return {};
    return lastOf(it->second.transitions, limit);
}

std::optional<Timestamp> MemoryStore::lastFiring(const ConversationKey& key, std::string_view triggerId) const
{
    const auto it = m_conversations.find(keyOf(key));
    if (it == m_conversations.end())
        return std::nullopt;
    for (const auto& [trigger, at] : it->second.lastFirings)
        if (trigger == triggerId)
            return at;
    return std::nullopt;
}

std::optional<Timestamp> MemoryStore::lastOffer(const SessionKey& key) const
{
    const auto it = m_offers.find(keyOf(key));
    if (it == m_offers.end())
        return std::nullopt;
    return it->second.lastOffer;
}

int MemoryStore::countFirings(const FiringQuery& query) const
{
    const auto count = [](auto first, auto last) { return static_cast<int>(std::distance(first, last)); };
    if (query.sessionId) {
        const auto it = m_offers.find(KeyView { query.productId, *query.sessionId });
        if (it == m_offers.end())
            return 0;
        const auto& firings = it->second.firings;
        const auto first = firstAtOrAfter(firings, query.since, [](const SessionFiring& f) { return f.at; });
        if (!query.distinctId)
            return count(first, firings.end());
        return static_cast<int>(std::count_if(
            first, firings.end(), [&](const SessionFiring& f) { return f.distinctId == *query.distinctId; }));
    }
    if (query.distinctId) {
        const auto it = m_users.find(KeyView { query.productId, *query.distinctId });
        if (it == m_users.end())
            return 0;
        const auto& firings = it->second.firings;
        return count(firstAtOrAfter(firings, query.since, [](Timestamp t) { return t; }), firings.end());
    }
    const auto it = m_firings.find(query.productId);
    if (it == m_firings.end())
        return 0;
    const auto& window = it->second.window;
    return count(firstAtOrAfter(window, query.since, [](const WindowFiring& f) { return f.at; }), window.end());
}

std::vector<FiringRecord> MemoryStore::firings(std::string_view productId, std::size_t limit) const
{
    const auto it = m_firings.find(productId);
    if (it == m_firings.end())
        return {};
    return lastOf(it->second.history, limit);
}

CircuitRecord MemoryStore::circuit(std::string_view productId) const
{
    const auto it = m_circuits.find(productId);
    return it == m_circuits.end() ? CircuitRecord {} : it->second;
}

std::optional<SessionRecord> MemoryStore::session(const SessionKey& key) const
{
    const auto it = m_sessions.find(keyOf(key));
    if (it == m_sessions.end())
        return std::nullopt;
    return it->second.record;
}

std::optional<std::string> MemoryStore::latestSessionOf(std::string_view productId, std::string_view distinctId) const
{
    const auto it = m_users.find(KeyView { productId, distinctId });
    if (it == m_users.end() || !it->second.sessions.latest)
        return std::nullopt;
    return it->second.sessions.latest->first.second;
}

std::optional<std::string> MemoryStore::latestSessionWithEmailOf(
    std::string_view productId, std::string_view distinctId) const
{
    const auto it = m_users.find(KeyView { productId, distinctId });
    if (it == m_users.end() || !it->second.sessions.latestWithEmail)
        return std::nullopt;
    return it->second.sessions.latestWithEmail->first.second;
}

std::optional<std::string> MemoryStore::latestSessionOfEmail(std::string_view productId, std::string_view email) const
{
    const auto it = m_emails.find(KeyView { productId, email });
    if (it == m_emails.end())
        return std::nullopt;
    return it->second.latest->first.second;
}

void MemoryStore::visitActions(
    const SessionKey& key, const std::function<void(std::span<const ActionRecord>)>& visit) const
{
    const auto it = m_sessions.find(keyOf(key));
    if (it == m_sessions.end()) {
        visit({});
        return;
    }
    visit(it->second.actions);
}

bool MemoryStore::hasActionUuid(const SessionKey& key, std::string_view uuid) const
{
    if (uuid.empty())
        return false;
    const auto it = m_sessions.find(keyOf(key));
    return it != m_sessions.end() && holdsUuid(it->second, uuid);
}

std::size_t MemoryStore::sessionCount() const
{
    return m_sessionRecords;
}

std::vector<std::string> MemoryStore::idleSessions(
    std::string_view productId, Timestamp idleBefore, std::size_t limit) const
{
    std::vector<std::string> idle;
    const auto index = m_idle.find(productId);
    if (index == m_idle.end())
        return idle;
    // Seconds before idleBefore's own hold only idle sessions; that second
    // holds both kinds.
    const std::int64_t last = secondOf(idleBefore);
    for (auto bucket = index->second.begin(); bucket != index->second.end() && bucket->first <= last; ++bucket)
        for (const SessionNode* node = bucket->second; node; node = node->second.idleNext) {
            if (idle.size() == limit)
                return idle;
            if (node->second.record->lastSeen < idleBefore)
                idle.push_back(node->first.second);
        }
    return idle;
}

Status MemoryStore::commit(const StoreWrite& write)
{
    auto planned = plan(write);
    if (!planned)
        return planned.error();
    apply(write, *planned);
    return Ok {};
}

Result<MemoryStore::Plan> MemoryStore::plan(const StoreWrite& write) const
{
    if (auto error = validateWrite(write))
        return *error;

    Plan plan;

    // A session expired by this write starts again from nothing: what it
    // holds counts neither for duplicates nor toward the retained actions.
    std::unordered_set<KeyView, KeyHash, KeyEqual> expired;
    for (const SessionKey& key : write.expiredSessions)
        if (m_sessions.contains(keyOf(key)) && expired.insert(keyOf(key)).second)
            plan.expiredSessions.push_back(key);

    struct TransitionTally {
        const ConversationKey* key;
        std::size_t appended = 0;
    };
    KeyMap<TransitionTally> transitionTallies;
    std::vector<const TransitionTally*> transitionOrder;
    for (const auto& [key, transition] : write.transitions) {
        auto it = transitionTallies.find(keyOf(key));
        if (it == transitionTallies.end()) {
            it = transitionTallies.emplace(Key { key.productId, key.conversationId }, TransitionTally { &key }).first;
            transitionOrder.push_back(&it->second);
        }
        ++it->second.appended;
    }
    for (const TransitionTally* tally : transitionOrder) {
        const std::size_t total = transitionCount(*tally->key) + tally->appended;
        if (total > m_retention.maxTransitionsPerConversation)
            plan.droppedTransitions.emplace_back(*tally->key, total - m_retention.maxTransitionsPerConversation);
    }

    struct FiringTally {
        std::string_view productId;
        Timestamp newest;
        std::size_t added = 0;
    };
    std::vector<FiringTally> firingTallies;
    for (const FiringRecord& firing : write.firings) {
        auto tally = std::find_if(firingTallies.begin(), firingTallies.end(),
            [&](const FiringTally& t) { return t.productId == firing.productId; });
        if (tally == firingTallies.end())
            tally = firingTallies.insert(
                firingTallies.end(), { firing.productId, newestFiring(firing.productId).value_or(firing.at) });
        tally->newest = std::max(tally->newest, firing.at);
        ++tally->added;
    }
    for (const FiringTally& tally : firingTallies)
        if (firingHistorySize(tally.productId) + tally.added > kFiringHistory)
            plan.firingCutoffs.emplace_back(std::string(tally.productId), tally.newest - kFiringWindow);

    struct ActionTally {
        const SessionKey* key;
        const SessionEntry* entry;
        std::size_t accepted = 0;
        std::unordered_set<std::string_view> uuids; // accepted in this write
    };
    KeyMap<ActionTally> actionTallies;
    std::vector<const ActionTally*> actionOrder;
    const auto tallyOf = [&](const SessionKey& key) -> ActionTally& {
        auto it = actionTallies.find(keyOf(key));
        if (it == actionTallies.end()) {
            const auto stored = expired.contains(keyOf(key)) ? m_sessions.end() : m_sessions.find(keyOf(key));
            const SessionEntry* entry = stored == m_sessions.end() ? nullptr : &stored->second;
            it = actionTallies.emplace(Key { key.productId, key.sessionId }, ActionTally { &key, entry }).first;
            actionOrder.push_back(&it->second);
        }
        return it->second;
    };
    plan.acceptedActions.reserve(write.actions.size());
    for (const auto& [key, action] : write.actions) {
        ActionTally& tally = tallyOf(key);
        const bool duplicate = !action.uuid.empty()
            && ((tally.entry && holdsUuid(*tally.entry, action.uuid)) || !tally.uuids.insert(action.uuid).second);
        plan.acceptedActions.push_back(!duplicate);
        if (!duplicate)
            ++tally.accepted;
    }
    for (const auto& [key, record] : write.records)
        ++tallyOf(key).accepted;
    for (const ActionTally* tally : actionOrder) {
        plan.acceptedActionsBySession.emplace_back(*tally->key, tally->accepted);
        const std::size_t total = (tally->entry ? tally->entry->actions.size() : 0) + tally->accepted;
        if (total > m_retention.maxActionsPerSession)
            plan.droppedActions.emplace_back(*tally->key, total - m_retention.maxActionsPerSession);
    }

    // Each touched entry as it will be, starting from what is stored.
    for (const UserHistoryEvent& event : write.userHistory) {
        auto planned = std::find_if(plan.userHistory.begin(), plan.userHistory.end(), [&](const PlannedHistory& p) {
            return p.productId == event.productId && p.userKey == event.userKey
                && p.history.triggerId == event.triggerId;
        });
        if (planned == plan.userHistory.end()) {
            PlannedHistory entry { event.productId, event.userKey, { event.triggerId, {}, 0, {}, 0 } };
            if (const auto stored = m_userHistory.find(KeyView { event.productId, event.userKey });
                stored != m_userHistory.end())
                for (const TriggerHistory& history : stored->second)
                    if (history.triggerId == event.triggerId)
                        entry.history = history;
            planned = plan.userHistory.insert(plan.userHistory.end(), std::move(entry));
        }
        record(planned->history, event);
    }
    return plan;
}

void MemoryStore::apply(const StoreWrite& write, const Plan& plan)
{
    // Expiry and retention release records; the interner purges its pools
    // once that adds up.
    std::size_t released = 0;
    for (const SessionKey& key : plan.expiredSessions)
        released += expireSession(keyOf(key));
    for (const ConversationKey& key : write.erasedConversations)
        if (const auto it = m_conversations.find(keyOf(key)); it != m_conversations.end())
            it->second.record.reset();
    for (const auto& [key, record] : write.conversations)
        conversationEntry(keyOf(key)).record = record;

    for (const auto& [key, transition] : write.transitions)
        conversationEntry(keyOf(key)).transitions.push_back(transition);
    for (const auto& [key, dropped] : plan.droppedTransitions) {
        auto& log = conversationEntry(keyOf(key)).transitions;
        log.erase(log.begin(), log.begin() + static_cast<std::ptrdiff_t>(dropped));
    }

    for (const FiringRecord& firing : write.firings) {
        insertFiring(firing);
        recordLastFiring({ firing.productId, firing.conversationId }, firing.triggerId, firing.at);
        recordLastOffer({ firing.productId, firing.sessionId }, firing.at);
    }
    for (const auto& [key, triggerId, at] : write.lastFirings)
        recordLastFiring(keyOf(key), triggerId, at);
    for (const auto& [key, at] : write.lastOffers)
        recordLastOffer(keyOf(key), at);

    for (const auto& [productId, circuit] : write.circuits)
        m_circuits.insert_or_assign(productId, circuit);

    for (const auto& [key, record] : write.sessions)
        upsertSession(sessionNode(keyOf(key)), record);

    for (const auto& [key, accepted] : plan.acceptedActionsBySession)
        reserveActions(sessionNode(keyOf(key)).second, accepted);
    for (std::size_t i = 0; i < write.actions.size(); ++i)
        if (plan.acceptedActions[i])
            insertAction(sessionNode(keyOf(write.actions[i].first)).second, write.actions[i].second);
    for (const auto& [key, record] : write.records)
        insertRecord(sessionNode(keyOf(key)).second, record, kNoUuid);
    for (const auto& [key, dropped] : plan.droppedActions) {
        dropOldestActions(sessionNode(keyOf(key)).second, dropped);
        released += dropped;
    }
    m_interner.released(released);
    refreshStaleLists();

    for (const PlannedHistory& planned : plan.userHistory)
        restoreUserHistory(planned.productId, planned.userKey, planned.history);
}

void MemoryStore::restoreUserHistory(std::string_view productId, std::string_view userKey, TriggerHistory history)
{
    auto it = m_userHistory.find(KeyView { productId, userKey });
    if (it == m_userHistory.end())
        it = m_userHistory.emplace(Key { std::string(productId), std::string(userKey) }, std::vector<TriggerHistory> {})
                 .first;
    auto& entries = it->second;
    const auto existing = std::find_if(
        entries.begin(), entries.end(), [&](const TriggerHistory& h) { return h.triggerId == history.triggerId; });
    if (existing == entries.end())
        entries.push_back(std::move(history));
    else
        *existing = std::move(history);
}

std::vector<TriggerHistory> MemoryStore::userHistory(std::string_view productId, std::string_view userKey) const
{
    const auto it = m_userHistory.find(KeyView { productId, userKey });
    return it == m_userHistory.end() ? std::vector<TriggerHistory> {} : it->second;
}

void MemoryStore::restoreConversation(const ConversationKey& key, ConversationRecord record)
{
    conversationEntry(keyOf(key)).record = std::move(record);
}

void MemoryStore::restoreTransition(const ConversationKey& key, TransitionRecord transition)
{
    auto& log = conversationEntry(keyOf(key)).transitions;
    log.push_back(std::move(transition));
    if (log.size() > m_retention.maxTransitionsPerConversation)
        log.pop_front();
}

void MemoryStore::restoreFiring(const FiringRecord& firing)
{
    insertFiring(firing);
}

void MemoryStore::restoreLastFiring(const ConversationKey& key, std::string_view triggerId, Timestamp at)
{
    recordLastFiring(keyOf(key), triggerId, at);
}

void MemoryStore::restoreLastOffer(const SessionKey& key, Timestamp at)
{
    recordLastOffer(keyOf(key), at);
}

void MemoryStore::restoreCircuit(std::string productId, CircuitRecord circuit)
{
    m_circuits.insert_or_assign(std::move(productId), circuit);
}

void MemoryStore::restoreSession(const SessionKey& key, SessionRecord record)
{
    upsertSession(sessionNode(keyOf(key)), std::move(record));
    refreshStaleLists();
}

void MemoryStore::restoreAction(const SessionKey& key, const Action& action)
{
    SessionEntry& entry = sessionNode(keyOf(key)).second;
    insertAction(entry, action);
    if (entry.actions.size() > m_retention.maxActionsPerSession)
        dropOldestActions(entry, 1);
}

std::size_t MemoryStore::transitionCount(const ConversationKey& key) const
{
    const auto it = m_conversations.find(keyOf(key));
    return it == m_conversations.end() ? 0 : it->second.transitions.size();
}

std::size_t MemoryStore::firingHistorySize(std::string_view productId) const
{
    const auto it = m_firings.find(productId);
    return it == m_firings.end() ? 0 : it->second.history.size();
}

std::optional<Timestamp> MemoryStore::newestFiring(std::string_view productId) const
{
    const auto it = m_firings.find(productId);
    if (it == m_firings.end())
        return std::nullopt;
    return it->second.newest;
}

MemoryStore::ConversationEntry& MemoryStore::conversationEntry(KeyView key)
{
    auto it = m_conversations.find(key);
    if (it == m_conversations.end())
        it = m_conversations.emplace(Key { std::string(key.first), std::string(key.second) }, ConversationEntry {})
                 .first;
    return it->second;
}

MemoryStore::SessionNode& MemoryStore::sessionNode(KeyView key)
{
    auto it = m_sessions.find(key);
    if (it == m_sessions.end())
        it = m_sessions.emplace(Key { std::string(key.first), std::string(key.second) }, SessionEntry {}).first;
    return *it;
}

MemoryStore::SessionOffers& MemoryStore::sessionOffers(KeyView key)
{
    auto it = m_offers.find(key);
    if (it == m_offers.end())
        it = m_offers.emplace(Key { std::string(key.first), std::string(key.second) }, SessionOffers {}).first;
    return it->second;
}

MemoryStore::UserEntry& MemoryStore::userEntry(KeyView key)
{
    auto it = m_users.find(key);
    if (it == m_users.end())
        it = m_users.emplace(Key { std::string(key.first), std::string(key.second) }, UserEntry {}).first;
    return it->second;
}

void MemoryStore::upsertSession(SessionNode& node, SessionRecord record)
{
    SessionEntry& entry = node.second;
    const bool moves = !entry.record || secondOf(entry.record->lastSeen) != secondOf(record.lastSeen);
    if (entry.record && moves)
        unlinkIdle(node);
    if (!entry.record)
        ++m_sessionRecords;
    // The record it had names the lists it leaves.
    const std::optional<SessionRecord> before = std::exchange(entry.record, std::move(record));
    if (moves)
        linkIdle(node);
    refileSession(node, before ? &*before : nullptr);
}

void MemoryStore::refileSession(SessionNode& node, const SessionRecord* before)
{
    const std::string_view productId = node.first.first;
    const auto was = before ? listingKeysOf(*before) : std::array<std::string_view, 3> {};
    const auto is = listingKeysOf(*node.second.record);
    const auto sameKey = [](Listing listing, std::string_view a, std::string_view b) {
        return !a.empty() && (listing == kByEmail ? equalFolded(a, b) : a == b);
    };
    // Where each listing of the new record was before, if it was.
    std::array<std::optional<Listing>, 3> keptFrom;
    for (const Listing now : { kByDistinctId, kByLinkedId, kByEmail })
        for (const Listing then : { kByDistinctId, kByLinkedId, kByEmail })
            if ((now == kByEmail) == (then == kByEmail) && sameKey(now, is[now], was[then]))
                keptFrom[now] = then;
    for (const Listing then : { kByDistinctId, kByLinkedId, kByEmail })
        if (!was[then].empty()
            && std::none_of(keptFrom.begin(), keptFrom.end(), [&](const auto& from) { return from == then; }))
            unlistSession(node, then, { productId, was[then] });
    // An id that moved between distinct and linked keeps its place.
    const auto positions = node.second.listedAt;
    for (const Listing now : { kByDistinctId, kByLinkedId, kByEmail })
        if (keptFrom[now])
            node.second.listedAt[now] = positions[*keptFrom[now]];
    for (const Listing now : { kByDistinctId, kByLinkedId, kByEmail }) {
        if (keptFrom[now])
            rerank(node, now, { productId, is[now] }, *before);
        else if (!is[now].empty())
            listSession(node, now, { productId, is[now] });
    }
}

std::size_t MemoryStore::expireSession(KeyView key)
{
    const auto it = m_sessions.find(key);
    SessionNode& node = *it;
    const std::size_t released = node.second.actions.size();
    if (const auto& record = node.second.record) {
        unlinkIdle(node);
        const auto keys = listingKeysOf(*record);
        for (const Listing listing : { kByDistinctId, kByLinkedId, kByEmail })
            if (!keys[listing].empty())
                unlistSession(node, listing, { key.first, keys[listing] });
        --m_sessionRecords;
    }
    m_sessions.erase(it);
    if (const auto offers = m_offers.find(key); offers != m_offers.end())
        dropSpentOffers(offers);
    return released;
}

MemoryStore::SessionList* MemoryStore::sessionList(Listing listing, KeyView key)
{
    if (listing == kByEmail) {
        const auto it = m_emails.find(key);
        return it == m_emails.end() ? nullptr : &it->second;
    }
    const auto it = m_users.find(key);
    return it == m_users.end() ? nullptr : &it->second.sessions;
}

void MemoryStore::listSession(SessionNode& node, Listing listing, KeyView key)
{
    SessionList& list = listing == kByEmail
        ? m_emails.try_emplace(Key { std::string(key.first), std::string(key.second) }).first->second
        : userEntry(key).sessions;
    node.second.listedAt[listing] = static_cast<std::uint32_t>(list.sessions.size());
    list.sessions.push_back(&node);
    if (!list.stale)
        offer(list, node);
}

void MemoryStore::unlistSession(SessionNode& node, Listing listing, KeyView key)
{
    SessionList* list = sessionList(listing, key);
    auto& sessions = list->sessions;
    const std::uint32_t at = node.second.listedAt[listing];
    if (SessionNode* last = sessions.back(); last != &node) {
        // The last one takes its place; in a user's list, under whichever
        // of its ids is this user's.
        sessions[at] = last;
        const Listing lastListing = listing == kByEmail     ? kByEmail
            : last->second.record->distinctId == key.second ? kByDistinctId
                                                            : kByLinkedId;
        last->second.listedAt[lastListing] = at;
    }
    sessions.pop_back();
    if (sessions.empty()) {
        *list = {};
        if (listing == kByEmail) {
            m_emails.erase(m_emails.find(key));
        } else if (const auto user = m_users.find(key); user->second.firings.empty()) {
            m_users.erase(user);
        }
    } else if (list->latest == &node || list->latestWithEmail == &node) {
        markStale(*list, listing, key);
    }
}

void MemoryStore::rerank(SessionNode& node, Listing listing, KeyView key, const SessionRecord& before)
{
    SessionList& list = *sessionList(listing, key);
    if (list.stale)
        return;
    const SessionRecord& record = *node.second.record;
    const bool dropped = std::tie(record.lastSeen, record.firstSeen) < std::tie(before.lastSeen, before.firstSeen);
    // Another session may now rank above it: which one, only a new ranking tells.
    if ((list.latest == &node && dropped) || (list.latestWithEmail == &node && (dropped || record.email.empty()))) {
        markStale(list, listing, key);
        return;
    }
    offer(list, node);
}

void MemoryStore::markStale(SessionList& list, Listing listing, KeyView key)
{
    if (list.stale)
        return;
    list.stale = true;
    m_staleLists.emplace_back(listing, Key { std::string(key.first), std::string(key.second) });
}

void MemoryStore::refreshStaleLists()
{
    for (const auto& [listing, key] : m_staleLists) {
        SessionList* list = sessionList(listing, key);
        if (!list || !list->stale)
            continue;
        list->latest = nullptr;
        list->latestWithEmail = nullptr;
        list->stale = false;
        for (const SessionNode* node : list->sessions)
            offer(*list, *node);
    }
    m_staleLists.clear();
}

void MemoryStore::offer(SessionList& list, const SessionNode& node)
{
    if (!list.latest || ranksAbove(node, *list.latest))
        list.latest = &node;
    if (!node.second.record->email.empty() && (!list.latestWithEmail || ranksAbove(node, *list.latestWithEmail)))
        list.latestWithEmail = &node;
}

bool MemoryStore::ranksAbove(const SessionNode& a, const SessionNode& b)
{
    // Ties on lastSeen go to the session that started later, then to the
    // greater id, so that the answer does not depend on insertion history.
    const auto rank = [](const SessionNode& node) {
        return std::tie(node.second.record->lastSeen, node.second.record->firstSeen, node.first.second);
    };
    return rank(a) > rank(b);
}

void MemoryStore::linkIdle(SessionNode& node)
{
    SessionNode*& first = m_idle[node.first.first][secondOf(node.second.record->lastSeen)];
    node.second.idlePrevious = nullptr;
    node.second.idleNext = first;
    if (first)
        first->second.idlePrevious = &node;
    first = &node;
}

void MemoryStore::unlinkIdle(SessionNode& node)
{
    SessionEntry& entry = node.second;
    if (entry.idleNext)
        entry.idleNext->second.idlePrevious = entry.idlePrevious;
    if (entry.idlePrevious) {
        entry.idlePrevious->second.idleNext = entry.idleNext;
    } else {
        // The first of its second: the bucket points at it.
        const auto index = m_idle.find(node.first.first);
        const auto bucket = index->second.find(secondOf(entry.record->lastSeen));
        if (entry.idleNext)
            bucket->second = entry.idleNext;
        else
            index->second.erase(bucket);
    }
    entry.idlePrevious = nullptr;
    entry.idleNext = nullptr;
}

void MemoryStore::insertFiring(const FiringRecord& firing)
{
    auto it = m_firings.find(firing.productId);
    if (it == m_firings.end())
        it = m_firings.emplace(firing.productId, ProductFirings { {}, {}, firing.at }).first;
    ProductFirings& product = it->second;

    insertByTime(product.history, firing, [](const FiringRecord& f) { return f.at; });
    if (product.history.size() > kFiringHistory)
        product.history.pop_front();

    // A firing already older than the window goes in and straight out again.
    product.newest = std::max(product.newest, firing.at);
    insertByTime(product.window, WindowFiring { firing.at, firing.sessionId, firing.distinctId },
        [](const WindowFiring& f) { return f.at; });
    insertByTime(sessionOffers({ firing.productId, firing.sessionId }).firings,
        SessionFiring { firing.at, firing.distinctId }, [](const SessionFiring& f) { return f.at; });
    insertByTime(userEntry({ firing.productId, firing.distinctId }).firings, firing.at, [](Timestamp t) { return t; });
    pruneWindow(firing.productId, product);
}

void MemoryStore::pruneWindow(std::string_view productId, ProductFirings& product)
{
    const Timestamp cutoff = product.newest - kFiringWindow;
    while (!product.window.empty() && product.window.front().at < cutoff) {
        const WindowFiring& old = product.window.front();
        if (const auto offers = m_offers.find(KeyView { productId, old.sessionId }); offers != m_offers.end()) {
            std::erase_if(offers->second.firings, [&](const SessionFiring& f) { return f.at < cutoff; });
            dropSpentOffers(offers);
        }
        if (const auto user = m_users.find(KeyView { productId, old.distinctId }); user != m_users.end()) {
            std::erase_if(user->second.firings, [&](Timestamp t) { return t < cutoff; });
            if (user->second.firings.empty() && user->second.sessions.sessions.empty())
                m_users.erase(user);
        }
        product.window.pop_front();
    }
}

void MemoryStore::dropSpentOffers(KeyMap<SessionOffers>::iterator offers)
{
    if (offers->second.firings.empty() && !m_sessions.contains(KeyView(offers->first)))
        m_offers.erase(offers);
}

void MemoryStore::dropSpentOffers()
{
    std::erase_if(m_offers, [&](const auto& offers) {
        return offers.second.firings.empty() && !m_sessions.contains(KeyView(offers.first));
    });
}

bool MemoryStore::holdsUuid(const SessionEntry& entry, std::string_view uuid)
{
    const std::uint64_t hash = uuidHash(uuid);
    return hash != kNoUuid
        && std::find(entry.uuidHashes.begin(), entry.uuidHashes.end(), hash) != entry.uuidHashes.end();
}

void MemoryStore::insertAction(SessionEntry& entry, const Action& action)
{
    insertRecord(entry, m_interner.record(action), uuidHash(action.uuid));
}

void MemoryStore::insertRecord(SessionEntry& entry, ActionRecord record, std::uint64_t hashOfUuid)
{
    auto& actions = entry.actions;
    const auto position = std::upper_bound(actions.begin(), actions.end(), record.timestampStart,
        [](Timestamp t, const ActionRecord& stored) { return t < stored.timestampStart; });
    const auto offset = position - actions.begin();
    record.timestampEnd = position == actions.end() ? record.timestampStart : position->timestampStart;
    const auto inserted = actions.insert(position, std::move(record));
    entry.uuidHashes.insert(entry.uuidHashes.begin() + offset, hashOfUuid);
    if (inserted != actions.begin())
        std::prev(inserted)->timestampEnd = inserted->timestampStart;
}

void MemoryStore::reserveActions(SessionEntry& entry, std::size_t more)
{
    const std::size_t needed = entry.actions.size() + more;
    if (needed <= entry.actions.capacity())
        return;
    const std::size_t capacity = std::max(needed, 2 * entry.actions.capacity());
    entry.actions.reserve(capacity);
    entry.uuidHashes.reserve(capacity);
}

void MemoryStore::dropOldestActions(SessionEntry& entry, std::size_t count)
{
    const auto dropped = static_cast<std::ptrdiff_t>(count);
    entry.actions.erase(entry.actions.begin(), entry.actions.begin() + dropped);
    entry.uuidHashes.erase(entry.uuidHashes.begin(), entry.uuidHashes.begin() + dropped);
}

void MemoryStore::recordLastFiring(KeyView conversation, std::string_view triggerId, Timestamp at)
{
    auto& lastFirings = conversationEntry(conversation).lastFirings;
    const auto it = std::find_if(
        lastFirings.begin(), lastFirings.end(), [&](const auto& entry) { return entry.first == triggerId; });
    if (it == lastFirings.end())
        lastFirings.emplace_back(triggerId, at);
    else
        it->second = std::max(it->second, at);
}

void MemoryStore::recordLastOffer(KeyView session, Timestamp at)
{
    auto& lastOffer = sessionOffers(session).lastOffer;
    lastOffer = std::max(lastOffer.value_or(at), at);
}

} // namespace proactive
