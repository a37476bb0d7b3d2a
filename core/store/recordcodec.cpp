#include "store/recordcodec.h"

#include <charconv>
#include <nlohmann/json.hpp>

namespace proactive::recordcodec {

using nlohmann::json;

namespace {

    std::string dump(const json& value)
    {
        // Strings come from parsed JSON and are valid UTF-8; replacing keeps
        // a stray invalid byte from becoming an exception.
        return value.dump(-1, ' ', false, json::error_handler_t::replace);
    }

} // namespace

json elementJson(const Element& element)
{
    json object = json::object();
    const auto put = [&](const char* key, const std::string& value) {
        if (!value.empty())
            object[key] = value;
    };
    put("tag", element.tag);
    put("text", element.text);
    put("id", element.id);
    put("href", element.href);
    put("name", element.name);
    put("selector", element.selector);
    if (!element.attrs.empty()) {
        json attrs = json::array();
        for (const auto& [key, value] : element.attrs)
            attrs.push_back(json::array({ key, value }));
        object["attrs"] = std::move(attrs);
    }
    if (!element.classes.empty())
        object["classes"] = element.classes;
    if (element.nthChild)
        object["nth_child"] = *element.nthChild;
    if (element.nthOfType)
        object["nth_of_type"] = *element.nthOfType;
    return object;
}

std::string encodeElement(const Element& element)
{
    return dump(elementJson(element));
}

json pairsJson(const std::vector<std::pair<std::string, std::string>>& pairs)
{
    json array = json::array();
    for (const auto& [key, value] : pairs)
        array.push_back(json::array({ key, value }));
    return array;
}

std::string encodePairs(const std::vector<std::pair<std::string, std::string>>& pairs)
{
    return dump(pairsJson(pairs));
}

bool decodePairs(const json& array, std::vector<std::pair<std::string, std::string>>& pairs)
{
    if (!array.is_array())
        return false;
    for (const json& pair : array) {
        if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
            return false;
        pairs.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
    }
    return true;
}

std::string encodeTimes(const std::vector<Timestamp>& times)
{
    std::string text;
    for (const Timestamp t : times) {
        if (!text.empty())
            text += ',';
        text += std::to_string(toEpochMs(t));
    }
    return text;
}

bool decodeTimes(const std::string& text, std::vector<Timestamp>& times)
{
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t end = std::min(text.find(',', at), text.size());
        std::int64_t ms = 0;
        const auto [next, error] = std::from_chars(text.data() + at, text.data() + end, ms);
        if (error != std::errc() || next != text.data() + end)
            return false;
        times.push_back(fromEpochMs(ms));
        at = end + 1;
    }
    return true;
}

bool decodeElement(const std::string& text, Element& element)
{
    const json object = json::parse(text, nullptr, false);
    return !object.is_discarded() && decodeElement(object, element);
}

bool decodeElement(const json& object, Element& element)
{
    if (!object.is_object())
        return false;
    const auto getString = [&](const char* key, std::string& out) {
        const auto it = object.find(key);
        if (it == object.end())
            return true;
        if (!it->is_string())
            return false;
        out = it->get<std::string>();
        return true;
    };
    const auto getInt = [&](const char* key, std::optional<int>& out) {
        const auto it = object.find(key);
        if (it == object.end())
            return true;
        if (!it->is_number_integer())
            return false;
        out = it->get<int>();
        return true;
    };
    if (!getString("tag", element.tag) || !getString("text", element.text) || !getString("id", element.id)
        || !getString("href", element.href) || !getString("name", element.name)
        || !getString("selector", element.selector) || !getInt("nth_child", element.nthChild)
        || !getInt("nth_of_type", element.nthOfType))
        return false;
    if (const auto attrs = object.find("attrs"); attrs != object.end() && !decodePairs(*attrs, element.attrs))
        return false;
    if (const auto classes = object.find("classes"); classes != object.end()) {
        if (!classes->is_array())
            return false;
        for (const json& name : *classes) {
            if (!name.is_string())
                return false;
            element.classes.push_back(name.get<std::string>());
        }
    }
    return true;
}

namespace {

    // Record parsers read what a store wrote; anything else (a foreign
    // value under one of our keys, a truncated one) is not a record.
    std::optional<json> parseArray(std::string_view text, std::size_t size)
    {
        json value = json::parse(text, nullptr, false);
        if (value.is_discarded() || !value.is_array() || value.size() != size)
            return std::nullopt;
        return value;
    }

    bool getTime(const json& value, Timestamp& out)
    {
        if (!value.is_number_integer())
            return false;
        out = fromEpochMs(value.get<std::int64_t>());
        return true;
    }

    bool getString(const json& value, std::string& out)
    {
        if (!value.is_string())
            return false;
        out = value.get<std::string>();
        return true;
    }

} // namespace

std::string encodeAction(const Action& action)
{
    // An object, for RedisStore's commit script reads the uuid of the
    // actions it drops beyond retention.
    json object { { "i", action.index }, { "y", codeOf(kActionTypeCodes, action.type) }, { "e", action.event },
        { "u", action.uuid }, { "t", toEpochMs(action.timestampStart) }, { "r", action.rawUrl },
        { "c", action.canonicalUrl } };
    if (!(action.element == Element {}))
        object["el"] = elementJson(action.element);
    if (!action.elementsChain.empty())
        object["ch"] = action.elementsChain;
    if (!action.properties.empty())
        object["p"] = pairsJson(action.properties);
    return dump(object);
}

std::optional<Action> decodeAction(std::string_view text)
{
    const json object = json::parse(text, nullptr, false);
    if (object.is_discarded() || !object.is_object())
        return std::nullopt;
    Action action;
    const auto field = [&](const char* key) -> const json& {
        static const json kNull;
        const auto it = object.find(key);
        return it == object.end() ? kNull : *it;
    };
    std::string type;
    if (!field("i").is_number_integer() || !getString(field("y"), type) || !getString(field("e"), action.event)
        || !getString(field("u"), action.uuid) || !getTime(field("t"), action.timestampStart)
        || !getString(field("r"), action.rawUrl) || !getString(field("c"), action.canonicalUrl))
        return std::nullopt;
    action.index = field("i").get<std::int64_t>();
    const auto decodedType = fromCode<ActionType>(kActionTypeCodes, type);
    if (!decodedType)
        return std::nullopt;
    action.type = *decodedType;
    action.timestampEnd = action.timestampStart;
    if (const json& element = field("el"); !element.is_null() && !decodeElement(element, action.element))
        return std::nullopt;
    if (const json& chain = field("ch"); !chain.is_null() && !getString(chain, action.elementsChain))
        return std::nullopt;
    if (const json& properties = field("p"); !properties.is_null() && !decodePairs(properties, action.properties))
        return std::nullopt;
    return action;
}

std::string encodeConversation(const ConversationRecord& record)
{
    return dump(json::array({ codeOf(kStateCodes, record.state), toEpochMs(record.enteredAt),
        toEpochMs(record.lastEventAt), record.dismissals, toEpochMs(record.cooldownUntil), record.silenced,
        record.activeTriggerId, record.interactionTimeout.count() }));
}

std::optional<ConversationRecord> decodeConversation(std::string_view text)
{
    const auto array = parseArray(text, 8);
    if (!array)
        return std::nullopt;
    const json& a = *array;
    ConversationRecord record;
    std::string state;
    if (!getString(a[0], state) || !getTime(a[1], record.enteredAt) || !getTime(a[2], record.lastEventAt)
        || !a[3].is_number_integer() || !getTime(a[4], record.cooldownUntil) || !a[5].is_boolean()
        || !getString(a[6], record.activeTriggerId) || !a[7].is_number_integer())
        return std::nullopt;
    const auto decodedState = fromCode<FsmState>(kStateCodes, state);
    if (!decodedState)
        return std::nullopt;
    record.state = *decodedState;
    record.dismissals = a[3].get<int>();
    record.silenced = a[5].get<bool>();
    record.interactionTimeout = Duration(a[7].get<std::int64_t>());
    return record;
}

std::string encodeTransition(const TransitionRecord& record)
{
    return dump(json::array({ toEpochMs(record.at), record.event, codeOf(kStateCodes, record.from),
        codeOf(kStateCodes, record.to), record.cause }));
}

std::optional<TransitionRecord> decodeTransition(std::string_view text)
{
    const auto array = parseArray(text, 5);
    if (!array)
        return std::nullopt;
    const json& a = *array;
    TransitionRecord record;
    std::string from;
    std::string to;
    if (!getTime(a[0], record.at) || !getString(a[1], record.event) || !getString(a[2], from) || !getString(a[3], to)
        || !getString(a[4], record.cause))
        return std::nullopt;
    const auto decodedFrom = fromCode<FsmState>(kStateCodes, from);
    const auto decodedTo = fromCode<FsmState>(kStateCodes, to);
    if (!decodedFrom || !decodedTo)
        return std::nullopt;
    record.from = *decodedFrom;
    record.to = *decodedTo;
    return record;
}

std::string encodeFiring(const FiringRecord& record)
{
    return dump(json::array({ record.productId, record.sessionId, record.conversationId, record.distinctId,
        record.triggerId, record.canonicalUrl, toEpochMs(record.at) }));
}

std::optional<FiringRecord> decodeFiring(std::string_view text)
{
    const auto array = parseArray(text, 7);
    if (!array)
        return std::nullopt;
    const json& a = *array;
    FiringRecord record;
    if (!getString(a[0], record.productId) || !getString(a[1], record.sessionId)
        || !getString(a[2], record.conversationId) || !getString(a[3], record.distinctId)
        || !getString(a[4], record.triggerId) || !getString(a[5], record.canonicalUrl) || !getTime(a[6], record.at))
        return std::nullopt;
    return record;
}

std::string encodeHistory(const TriggerHistory& history)
{
    json times = json::array();
    for (const Timestamp t : history.recentOffers)
        times.push_back(toEpochMs(t));
    return dump(json::array({ history.group, history.offers, std::move(times), history.interactions }));
}

std::optional<TriggerHistory> decodeHistory(std::string_view triggerId, std::string_view text)
{
    const auto array = parseArray(text, 4);
    if (!array)
        return std::nullopt;
    const json& a = *array;
    TriggerHistory history;
    history.triggerId = std::string(triggerId);
    if (!getString(a[0], history.group) || !a[1].is_number_integer() || !a[2].is_array() || !a[3].is_number_integer())
        return std::nullopt;
    history.offers = a[1].get<std::int64_t>();
    history.interactions = a[3].get<std::int64_t>();
    for (const json& t : a[2]) {
        Timestamp at;
        if (!getTime(t, at))
            return std::nullopt;
        history.recentOffers.push_back(at);
    }
    return history;
}

} // namespace proactive::recordcodec
