#include "store/redisstore.h"

#include "store/memorystore.h"
#include "store/recordcodec.h"
#include "store/redisscripts.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <set>

namespace proactive {

namespace {

    using nlohmann::json;

    // Retries a commit makes on its own when the server lost its scripts
    // (a restart, SCRIPT FLUSH): load them again, then run once more.
    constexpr std::string_view kNoScript = "NOSCRIPT";

    std::string escapeId(std::string_view id)
    {
        std::string escaped;
        escaped.reserve(id.size());
        for (const char c : id) {
            if (c == '%')
                escaped += "%25";
            else if (c == ':')
                escaped += "%3A";
            else
                escaped += c;
        }
        return escaped;
    }

    std::string msText(Timestamp t)
    {
        return std::to_string(toEpochMs(t));
    }

    template<typename Number> std::optional<Number> numberOf(std::string_view text)
    {
        Number value {};
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (error != std::errc() || end != text.data() + text.size())
            return std::nullopt;
        return value;
    }

    // A score as ZRANGE ... WITHSCORES prints it: our scores are whole
    // milliseconds, printed without a fraction.
    std::optional<std::int64_t> scoreOf(std::string_view text)
    {
        if (const auto whole = numberOf<std::int64_t>(text))
            return whole;
        if (const auto real = numberOf<double>(text))
            return static_cast<std::int64_t>(*real);
        return std::nullopt;
    }

    std::string textOf(const RedisCommand& command)
    {
        std::string text;
        for (const std::string& part : command) {
            text += part;
            text += '\x1f';
        }
        return text;
    }

    // Members of the sorted sets that need unique members start with a
    // zero-padded arrival number (lua/commit.lua).
    constexpr std::size_t kSequenceDigits = 16;

    // Windowed keys outlive the count window by an hour.
    const std::chrono::seconds kWindowTtl
        = std::chrono::duration_cast<std::chrono::seconds>(MemoryStore::kFiringWindow) + std::chrono::hours(1);

} // namespace

RedisStore::RedisStore(RedisEndpoint endpoint, StoreRetention retention)
    : m_client(std::move(endpoint))
    , m_retention(retention)
{ }

RedisStore::~RedisStore() = default;

Result<std::unique_ptr<RedisStore>> RedisStore::open(std::string_view url, StoreRetention retention)
{
    auto endpoint = RedisEndpoint::parse(url);
    if (!endpoint)
        return endpoint.error();
    std::unique_ptr<RedisStore> store(new RedisStore(std::move(*endpoint), retention));
    if (auto loaded = store->loadScripts(); !loaded)
        return loaded.error();
    return store;
}

Status RedisStore::loadScripts() const
{
    const std::vector<RedisCommand> commands { { "SCRIPT", "LOAD", redisscripts::kCommit },
        { "SCRIPT", "LOAD", redisscripts::kLatest } };
    auto replies = m_client.pipeline(commands);
    if (!replies)
        return replies.error();
    for (const RedisReply& reply : *replies)
        if (reply.type != RedisReply::Type::String)
            return Error { "store.not_redis",
                m_client.endpoint().url() + " did not load the store's scripts as Redis 6.2 or newer does: "
                    + (reply.isError() ? reply.text : std::string("unexpected answer")),
                "store" };
    m_commitSha = (*replies)[0].text;
    m_latestSha = (*replies)[1].text;
    return Ok {};
}

std::string RedisStore::key(std::string_view productId, std::string_view kind, std::string_view id) const
{
    std::string name = productKey(productId, kind);
    name += ':';
    name += escapeId(id);
    return name;
}

std::string RedisStore::productKey(std::string_view productId, std::string_view kind) const
{
    return m_client.endpoint().prefix + ":" + escapeId(productId) + ":" + std::string(kind);
}

std::string RedisStore::productsKey() const
{
    return m_client.endpoint().prefix + ":products";
}

void RedisStore::beginDecision() const
{
    m_inDecision = true;
    m_cache.clear();
}

void RedisStore::endDecision() const
{
    m_inDecision = false;
    m_cache.clear();
    // What this decision WATCHed (it did not commit) must not fail the next one.
    m_staleWatch = m_watching;
}

StoreHealth RedisStore::health() const
{
    StoreHealth health { "redis", true, m_client.endpoint().url() };
    auto reply = m_client.command({ "PING" }, true);
    if (!reply) {
        m_watching = m_staleWatch = false;
        health.ok = false;
        health.detail = reply.error().message;
    } else if (reply->text != "PONG") {
        health.ok = false;
        health.detail += ": PING answered " + reply->text;
    }
    return health;
}

[[noreturn]] void RedisStore::corrupt(const std::string& key, std::string_view what) const
{
    throw StoreUnavailable(Error { "store_unavailable",
        "Redis at " + m_client.endpoint().url() + ": key " + key + " does not hold " + std::string(what)
            + " (another program wrote under this store's prefix?)",
        "store" });
}

std::vector<RedisReply> RedisStore::run(std::vector<RedisCommand> commands) const
{
    const bool unwatch = m_staleWatch;
    if (unwatch)
        commands.insert(commands.begin(), { "UNWATCH" });
    // Reads change nothing; but once this decision watches keys, a new
    // connection would not watch them, and the decision must start again.
    const bool decisionWatches = m_watching && !m_staleWatch;
    auto replies = m_client.pipeline(commands, !decisionWatches);
    if (!replies) {
        // The connection is gone, and with it whatever it watched.
        m_watching = m_staleWatch = false;
        if (decisionWatches)
            throw StoreUnavailable(Error { "store.conflict",
                "the connection to Redis was lost during the decision (" + replies.error().message + "); decide again",
                "store" });
        throw StoreUnavailable(replies.error());
    }
    if (unwatch) {
        replies->erase(replies->begin());
        m_staleWatch = m_watching = false;
    }
    return std::move(*replies);
}

std::vector<RedisReply> RedisStore::read(const std::vector<Query>& queries) const
{
    std::vector<RedisReply> replies(queries.size());
    std::vector<std::size_t> missing;
    for (std::size_t i = 0; i < queries.size(); ++i) {
        if (m_inDecision)
            if (const auto cached = m_cache.find(textOf(queries[i].command)); cached != m_cache.end()) {
                replies[i] = cached->second;
                continue;
            }
        missing.push_back(i);
    }
    if (missing.empty())
        return replies;

    std::vector<RedisCommand> commands;
    if (m_inDecision) {
        // WATCH before reading: a change after this point fails the commit.
        RedisCommand watch { "WATCH" };
        std::set<std::string_view> watched;
        for (const std::size_t i : missing)
            if (watched.insert(queries[i].watched).second)
                watch.push_back(queries[i].watched);
        commands.push_back(std::move(watch));
    }
    for (const std::size_t i : missing)
        commands.push_back(queries[i].command);
    auto answers = run(std::move(commands));
    const std::size_t first = m_inDecision ? 1 : 0;
    if (m_inDecision)
        m_watching = true;
    for (std::size_t j = 0; j < missing.size(); ++j) {
        const Query& query = queries[missing[j]];
        RedisReply& answer = answers[first + j];
        if (answer.isError())
            corrupt(query.watched, "what the store wrote there (" + answer.text + ")");
        if (m_inDecision)
            m_cache.insert_or_assign(textOf(query.command), answer);
        replies[missing[j]] = std::move(answer);
    }
    return replies;
}

RedisReply RedisStore::read(const Query& query) const
{
    return std::move(read(std::vector<Query> { query }).front());
}

RedisStore::Query RedisStore::conversationQuery(const ConversationKey& key) const
{
    std::string name = this->key(key.productId, "c", key.conversationId);
    return { { "GET", name }, name };
}

RedisStore::Query RedisStore::lastFiringsQuery(const ConversationKey& key) const
{
    std::string name = this->key(key.productId, "lf", key.conversationId);
    return { { "HGETALL", name }, name };
}

RedisStore::Query RedisStore::lastOfferQuery(const SessionKey& key) const
{
    std::string name = this->key(key.productId, "lo", key.sessionId);
    return { { "GET", name }, name };
}

RedisStore::Query RedisStore::sessionQuery(const SessionKey& key) const
{
    std::string name = this->key(key.productId, "s", key.sessionId);
    return { { "HGETALL", name }, name };
}

RedisStore::Query RedisStore::actionsQuery(const SessionKey& key) const
{
    std::string name = this->key(key.productId, "a", key.sessionId);
    return { { "ZRANGE", name, "0", "-1" }, name };
}

RedisStore::Query RedisStore::uuidQuery(const SessionKey& key, std::string_view uuid) const
{
    // A change of the session's actions is what changes its uuids.
    return { { "SISMEMBER", this->key(key.productId, "u", key.sessionId), std::string(uuid) },
        this->key(key.productId, "a", key.sessionId) };
}

RedisStore::Query RedisStore::circuitQuery(std::string_view productId) const
{
    std::string name = productKey(productId, "ci");
    return { { "GET", name }, name };
}

RedisStore::Query RedisStore::historyQuery(std::string_view productId, std::string_view userKey) const
{
    std::string name = key(productId, "h", userKey);
    return { { "HGETALL", name }, name };
}

std::vector<RedisStore::Query> RedisStore::countQueries(const FiringQuery& query) const
{
    const std::string window = productKey(query.productId, "fw");
    if (!query.sessionId && !query.distinctId)
        return { { { "ZCOUNT", window, msText(query.since), "+inf" }, window } };
    const std::string counted = query.sessionId ? key(query.productId, "fs", *query.sessionId)
                                                : key(query.productId, "fu", *query.distinctId);
    return { { { "ZREVRANGE", window, "0", "0", "WITHSCORES" }, window },
        { { "ZRANGEBYSCORE", counted, msText(query.since), "+inf", "WITHSCORES" }, counted } };
}

void RedisStore::prefetch(const ReadScope& scope) const
{
    if (!m_inDecision)
        return;
    std::vector<Query> queries;
    for (const std::string& sessionId : scope.sessions)
        queries.push_back(sessionQuery({ scope.productId, sessionId }));
    for (const std::string& sessionId : scope.sessionActivity) {
        const SessionKey session { scope.productId, sessionId };
        queries.push_back(actionsQuery(session));
        queries.push_back(lastOfferQuery(session));
    }
    for (const auto& [sessionId, uuid] : scope.uuids)
        queries.push_back(uuidQuery({ scope.productId, sessionId }, uuid));
    if (scope.conversationId) {
        const ConversationKey conversation { scope.productId, *scope.conversationId };
        queries.push_back(conversationQuery(conversation));
        queries.push_back(lastFiringsQuery(conversation));
    }
    if (scope.circuit)
        queries.push_back(circuitQuery(scope.productId));
    for (const FiringQuery& count : scope.firingCounts)
        for (Query& query : countQueries(count))
            queries.push_back(std::move(query));
    for (const std::string& userKey : scope.userKeys)
        queries.push_back(historyQuery(scope.productId, userKey));
    read(queries);
}

std::optional<ConversationRecord> RedisStore::conversation(const ConversationKey& key) const
{
    const Query query = conversationQuery(key);
    const RedisReply reply = read(query);
    if (reply.isNil())
        return std::nullopt;
    auto record = recordcodec::decodeConversation(reply.text);
    if (!record)
        corrupt(query.watched, "a conversation");
    return record;
}

std::vector<TransitionRecord> RedisStore::transitions(const ConversationKey& key, std::size_t limit) const
{
    std::vector<TransitionRecord> log;
    if (limit == 0)
        return log;
    std::string name = this->key(key.productId, "t", key.conversationId);
    const RedisReply reply = read(Query { { "LRANGE", name, "-" + std::to_string(limit), "-1" }, name });
    for (const RedisReply& entry : reply.elements) {
        auto transition = recordcodec::decodeTransition(entry.text);
        if (!transition)
            corrupt(name, "a transition log");
        log.push_back(std::move(*transition));
    }
    return log;
}

std::optional<Timestamp> RedisStore::lastFiring(const ConversationKey& key, std::string_view triggerId) const
{
    const Query query = lastFiringsQuery(key);
    const RedisReply reply = read(query);
    for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2)
        if (reply.elements[i].text == triggerId) {
            const auto ms = numberOf<std::int64_t>(reply.elements[i + 1].text);
            if (!ms)
                corrupt(query.watched, "firing times");
            return fromEpochMs(*ms);
        }
    return std::nullopt;
}

std::optional<Timestamp> RedisStore::lastOffer(const SessionKey& key) const
{
    const Query query = lastOfferQuery(key);
    const RedisReply reply = read(query);
    if (reply.isNil())
        return std::nullopt;
    const auto ms = numberOf<std::int64_t>(reply.text);
    if (!ms)
        corrupt(query.watched, "an offer time");
    return fromEpochMs(*ms);
}

int RedisStore::countFirings(const FiringQuery& query) const
{
    const auto queries = countQueries(query);
    const auto replies = read(queries);
    if (queries.size() == 1)
        return static_cast<int>(replies[0].integer);
    // Firings that left the product's window no longer count (MemoryStore
    // keeps the same window).
    const auto& newest = replies[0].elements;
    if (newest.size() < 2)
        return 0;
    const auto newestMs = scoreOf(newest[1].text);
    if (!newestMs)
        corrupt(queries[0].watched, "firing times");
    const std::int64_t cutoff = *newestMs - MemoryStore::kFiringWindow.count();
    int count = 0;
    const auto& listed = replies[1].elements;
    for (std::size_t i = 0; i + 1 < listed.size(); i += 2) {
        const auto at = scoreOf(listed[i + 1].text);
        if (!at)
            corrupt(queries[1].watched, "firing times");
        if (*at < cutoff)
            continue;
        if (query.sessionId && query.distinctId) {
            const std::string& member = listed[i].text;
            if (member.size() <= kSequenceDigits
                || member.compare(kSequenceDigits + 1, std::string::npos, *query.distinctId) != 0)
                continue;
        }
        ++count;
    }
    return count;
}

std::vector<FiringRecord> RedisStore::firings(std::string_view productId, std::size_t limit) const
{
    std::vector<FiringRecord> list;
    if (limit == 0)
        return list;
    std::string name = productKey(productId, "fh");
    const RedisReply reply = read(Query { { "ZRANGE", name, "-" + std::to_string(limit), "-1" }, name });
    for (const RedisReply& member : reply.elements) {
        auto firing = member.text.size() > kSequenceDigits
            ? recordcodec::decodeFiring(std::string_view(member.text).substr(kSequenceDigits))
            : std::nullopt;
        if (!firing)
            corrupt(name, "a firing history");
        list.push_back(std::move(*firing));
    }
    return list;
}

CircuitRecord RedisStore::circuit(std::string_view productId) const
{
    const Query query = circuitQuery(productId);
    const RedisReply reply = read(query);
    if (reply.isNil())
        return {};
    const std::string_view text = reply.text;
    const auto comma = text.find(',');
    const auto failures = numberOf<int>(text.substr(0, comma));
    const auto openUntil
        = comma == std::string_view::npos ? std::nullopt : numberOf<std::int64_t>(text.substr(comma + 1));
    if (!failures || !openUntil)
        corrupt(query.watched, "a circuit");
    return { *failures, fromEpochMs(*openUntil) };
}

std::optional<SessionRecord> RedisStore::session(const SessionKey& key) const
{
    const Query query = sessionQuery(key);
    const RedisReply reply = read(query);
    if (reply.elements.empty())
        return std::nullopt;
    SessionRecord record;
    bool complete = true;
    int fields = 0;
    for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
        const std::string& name = reply.elements[i].text;
        const std::string& value = reply.elements[i + 1].text;
        const auto time = [&](Timestamp& out) {
            const auto ms = numberOf<std::int64_t>(value);
            complete = complete && ms;
            out = fromEpochMs(ms.value_or(0));
        };
        ++fields;
        if (name == "d") {
            record.distinctId = value;
        } else if (name == "e") {
            record.email = value;
        } else if (name == "f") {
            time(record.firstSeen);
        } else if (name == "l") {
            time(record.lastSeen);
        } else if (name == "n") {
            const auto count = numberOf<std::int64_t>(value);
            complete = complete && count;
            record.actionCount = count.value_or(0);
        } else if (name == "p") {
            record.previousSessionId = value;
        } else if (name == "k") {
            record.linkedDistinctId = value;
        } else {
            --fields;
        }
    }
    if (!complete || fields != 7)
        corrupt(query.watched, "a session");
    return record;
}

std::optional<std::string> RedisStore::latest(
    std::string_view productId, std::string_view index, std::string_view id, std::string_view mode) const
{
    const auto call = [&](const std::string& sha) {
        return run({ { "EVALSHA", sha, "0", m_client.endpoint().prefix, std::string(productId), std::string(index),
                       std::string(id), std::string(mode) } })
            .front();
    };
    RedisReply reply = call(m_latestSha);
    if (reply.isError() && reply.text.starts_with(kNoScript)) {
        if (auto loaded = loadScripts(); !loaded)
            throw StoreUnavailable(loaded.error());
        reply = call(m_latestSha);
    }
    if (reply.isError())
        corrupt(key(productId, index, id), "a session index (" + reply.text + ")");
    if (reply.isNil())
        return std::nullopt;
    return reply.text;
}

std::optional<std::string> RedisStore::latestSessionOf(std::string_view productId, std::string_view distinctId) const
{
    return latest(productId, "du", distinctId, "any");
}

std::optional<std::string> RedisStore::latestSessionWithEmailOf(
    std::string_view productId, std::string_view distinctId) const
{
    return latest(productId, "du", distinctId, "email");
}

std::optional<std::string> RedisStore::latestSessionOfEmail(std::string_view productId, std::string_view email) const
{
    std::string folded(email);
    std::transform(folded.begin(), folded.end(), folded.begin(),
        [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    return latest(productId, "em", folded, "any");
}

void RedisStore::visitActions(
    const SessionKey& key, const std::function<void(std::span<const ActionRecord>)>& visit) const
{
    const Query query = actionsQuery(key);
    const RedisReply reply = read(query);
    std::vector<ActionRecord> records;
    records.reserve(reply.elements.size());
    for (const RedisReply& member : reply.elements) {
        auto action = member.text.size() > kSequenceDigits
            ? recordcodec::decodeAction(std::string_view(member.text).substr(kSequenceDigits))
            : std::nullopt;
        if (!action)
            corrupt(query.watched, "a session's actions");
        records.push_back(m_interner.record(*action));
    }
    // Each action ends where the next one starts (Store::commit).
    for (std::size_t i = 0; i + 1 < records.size(); ++i)
        records[i].timestampEnd = records[i + 1].timestampStart;
    visit(records);
    const std::size_t released = records.size();
    records.clear();
    m_interner.released(released);
}

bool RedisStore::hasActionUuid(const SessionKey& key, std::string_view uuid) const
{
    if (uuid.empty())
        return false;
    return read(uuidQuery(key, uuid)).integer == 1;
}

std::size_t RedisStore::sessionCount() const
{
    const RedisReply products = run({ { "SMEMBERS", productsKey() } }).front();
    if (products.elements.empty())
        return 0;
    std::vector<RedisCommand> counts;
    for (const RedisReply& product : products.elements)
        counts.push_back({ "ZCARD", productKey(product.text, "seen") });
    std::size_t total = 0;
    for (const RedisReply& count : run(std::move(counts)))
        total += static_cast<std::size_t>(std::max(0LL, count.integer));
    return total;
}

std::vector<std::string> RedisStore::idleSessions(
    std::string_view productId, Timestamp idleBefore, std::size_t limit) const
{
    std::vector<std::string> idle;
    if (limit == 0)
        return idle;
    const RedisReply listed = run(
        { { "ZRANGEBYSCORE", productKey(productId, "seen"), "-inf", "(" + msText(idleBefore), "LIMIT", "0",
            std::to_string(
                limit) } }).front();
    for (const RedisReply& session : listed.elements)
        idle.push_back(session.text);
    if (!m_inDecision || idle.empty())
        return idle;
    // The sweep expires these in the decision's commit: WATCH them, and
    // keep only those still idle now that they are watched.
    std::vector<Query> queries;
    for (const std::string& sessionId : idle) {
        std::string name = key(productId, "s", sessionId);
        queries.push_back({ { "HGET", name, "l" }, name });
    }
    const auto lastSeen = read(queries);
    std::vector<std::string> still;
    for (std::size_t i = 0; i < idle.size(); ++i) {
        const auto ms = lastSeen[i].isNil() ? std::nullopt : numberOf<std::int64_t>(lastSeen[i].text);
        if (!ms || fromEpochMs(*ms) < idleBefore)
            still.push_back(std::move(idle[i]));
    }
    return still;
}

std::vector<TriggerHistory> RedisStore::userHistory(std::string_view productId, std::string_view userKey) const
{
    const Query query = historyQuery(productId, userKey);
    const RedisReply reply = read(query);
    std::vector<TriggerHistory> history;
    for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
        auto entry = recordcodec::decodeHistory(reply.elements[i].text, reply.elements[i + 1].text);
        if (!entry)
            corrupt(query.watched, "an offer history");
        history.push_back(std::move(*entry));
    }
    return history;
}

std::string RedisStore::encodeWrite(const StoreWrite& write) const
{
    const RedisEndpoint& endpoint = m_client.endpoint();
    json document { { "ttl", std::to_string(endpoint.ttl.count()) },
        { "history_ttl", std::to_string(endpoint.historyTtl.count()) },
        { "window_ms", std::to_string(MemoryStore::kFiringWindow.count()) },
        { "window_ttl", std::to_string(kWindowTtl.count()) },
        { "max_actions", std::to_string(m_retention.maxActionsPerSession) },
        { "max_transitions", std::to_string(m_retention.maxTransitionsPerConversation) },
        { "firing_history", std::to_string(MemoryStore::kFiringHistory) },
        { "recent_offers", std::to_string(TriggerHistory::kRecentOffers) } };
    // cjson turns an empty array into an empty object; the script iterates
    // either the same way.
    json& expired = document["expired"] = json::array();
    for (const SessionKey& key : write.expiredSessions)
        expired.push_back({ key.productId, key.sessionId });
    json& erased = document["erased"] = json::array();
    for (const ConversationKey& key : write.erasedConversations)
        erased.push_back({ key.productId, key.conversationId });
    json& conversations = document["conversations"] = json::array();
    for (const auto& [key, record] : write.conversations)
        conversations.push_back({ key.productId, key.conversationId, recordcodec::encodeConversation(record) });
    json& transitions = document["transitions"] = json::array();
    for (const auto& [key, record] : write.transitions)
        transitions.push_back({ key.productId, key.conversationId, recordcodec::encodeTransition(record) });
    json& firings = document["firings"] = json::array();
    for (const FiringRecord& firing : write.firings)
        firings.push_back({ firing.productId, firing.sessionId, firing.conversationId, firing.distinctId,
            firing.triggerId, msText(firing.at), recordcodec::encodeFiring(firing) });
    json& circuits = document["circuits"] = json::array();
    for (const auto& [productId, circuit] : write.circuits)
        circuits.push_back(
            { productId, std::to_string(circuit.consecutiveFailures) + "," + msText(circuit.openUntil) });
    json& sessions = document["sessions"] = json::array();
    for (const auto& [key, record] : write.sessions)
        sessions.push_back({ key.productId, key.sessionId, record.distinctId, record.email, msText(record.firstSeen),
            msText(record.lastSeen), std::to_string(record.actionCount), record.previousSessionId,
            record.linkedDistinctId });
    json& actions = document["actions"] = json::array();
    for (const auto& [key, action] : write.actions)
        actions.push_back({ key.productId, key.sessionId, msText(action.timestampStart), action.uuid,
            recordcodec::encodeAction(action) });
    json& history = document["history"] = json::array();
    for (const UserHistoryEvent& event : write.userHistory)
        history.push_back({ event.productId, event.userKey, event.triggerId, event.group,
            event.kind == UserHistoryEvent::Kind::Offer ? "offer" : "interaction", msText(event.at) });
    json& lastFirings = document["last_firings"] = json::array();
    for (const auto& [key, triggerId, at] : write.lastFirings)
        lastFirings.push_back({ key.productId, key.conversationId, triggerId, msText(at) });
    json& lastOffers = document["last_offers"] = json::array();
    for (const auto& [key, at] : write.lastOffers)
        lastOffers.push_back({ key.productId, key.sessionId, msText(at) });
    return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

Status RedisStore::commit(const StoreWrite& write)
{
    if (auto error = validateWrite(write))
        return *error;
    // Redis holds actions; records are sent as the ones they stand for.
    if (!write.records.empty())
        return commit(recordsAsActions(write));
    if (write.empty())
        return Ok {};
    const std::string payload = encodeWrite(write);
    for (int attempt = 0;; ++attempt) {
        std::vector<RedisCommand> commands { { "MULTI" },
            { "EVALSHA", m_commitSha, "0", m_client.endpoint().prefix, payload }, { "EXEC" } };
        if (m_staleWatch)
            commands.insert(commands.begin(), { "UNWATCH" });
        auto replies = m_client.pipeline(commands);
        const bool wasWatching = m_watching && !m_staleWatch;
        // EXEC ends every WATCH, and a failed call drops the connection.
        m_watching = m_staleWatch = false;
        m_cache.clear();
        if (!replies)
            return replies.error();
        const RedisReply& exec = replies->back();
        if (exec.isNil())
            return Error { "store.conflict", "another connector instance changed what this decision read; decide again",
                "store" };
        const RedisReply& result = exec.elements.empty() ? exec : exec.elements.front();
        if (result.isError() && result.text.starts_with(kNoScript)) {
            if (auto loaded = loadScripts(); !loaded)
                return loaded.error();
            // Its reads are no longer watched: a decision reads again.
            if (wasWatching)
                return Error { "store.conflict", "Redis lost the store's scripts (restarted?); decide again", "store" };
            if (attempt == 0)
                continue;
        }
        if (exec.type != RedisReply::Type::Array || result.isError())
            return Error { "store.io_error",
                "Redis at " + m_client.endpoint().url()
                    + " refused the write: " + (result.isError() ? result.text : std::string("unexpected answer")),
                "store" };
        return Ok {};
    }
}

} // namespace proactive
