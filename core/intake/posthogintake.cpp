#include "intake/posthogintake.h"

#include "base/percentencoding.h"
#include "base/text.h"
#include "intake/canonicalurl.h"
#include "intake/elementschain.h"
#include "intake/jsontape.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <zlib.h>

namespace proactive {

namespace {

    // Limits on what one event may carry. Identifiers follow PostHog's own
    // 200-character limit on distinct ids; longer ones are junk, not data.
    constexpr std::size_t kMaxIdBytes = 200;
    constexpr std::size_t kMaxEmailBytes = 254;
    constexpr std::size_t kMaxUrlBytes = 8 * 1024;
    constexpr std::size_t kMaxChainBytes = 64 * 1024;
    constexpr std::size_t kMaxElementTextBytes = 400; // as PostHog cuts $el_text
    constexpr std::size_t kMaxProperties = 32;
    constexpr std::size_t kMaxPropertyKeyBytes = 128;
    constexpr std::size_t kMaxPropertyValueBytes = 256;
    constexpr std::size_t kMaxLabelChars = 40;
    constexpr double kMaxOffsetMs = 10.0 * 366 * 24 * 3600 * 1000;

    // Cuts `text` to at most `maxBytes` without splitting a UTF-8 sequence.
    void cutUtf8(std::string& text, std::size_t maxBytes)
    {
        if (text.size() <= maxBytes)
            return;
        std::size_t end = maxBytes;
        while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
            --end;
        text.resize(end);
    }

    // The fields of one event, gathered from whichever shape it came in.
    struct EventFields {
        JsonValue name;
        JsonValue eventObject; // default webhook: {event:{...}}
        JsonValue person;
        JsonValue uuid;
        JsonValue id; // events API export rows call the uuid `id`
        JsonValue distinctId;
        JsonValue timestamp;
        JsonValue offset;
        JsonValue sentAt;
        JsonValue token;
        JsonValue properties;
        // Top-level forms (flat webhook, default webhook, export rows).
        JsonValue sessionId;
        JsonValue url;
        JsonValue email;
        JsonValue eventType;
        JsonValue chain;
        JsonValue elements;
        JsonValue elementId;
        JsonValue inputFieldName;
        JsonValue linkDestination;
        JsonValue buttonText;
        // posthog-js puts identify's person properties beside `properties`.
        JsonValue setEmail;
        JsonValue setOnceEmail;
        // From properties.
        JsonValue propSessionId;
        JsonValue propUrl;
        JsonValue propEventType;
        JsonValue propChain;
        JsonValue propElements;
        JsonValue propElText;
        JsonValue propSetEmail;
        JsonValue propSetOnceEmail;
        JsonValue propAnonDistinctId;
        JsonValue propAlias;
        JsonValue propEmail;
        JsonValue propToken;
        JsonValue propDistinctId;
    };

    void gatherMembers(JsonValue object, EventFields& f, std::string& scratch)
    {
        for (JsonValue m = object.firstChild(); m.exists(); m = m.nextSibling()) {
            const auto key = m.key(scratch);
            if (key == "event")
                (m.isObject() ? f.eventObject : f.name) = m;
            else if (key == "properties")
                f.properties = m;
            else if (key == "timestamp")
                f.timestamp = m;
            else if (key == "uuid")
                f.uuid = m;
            else if (key == "id")
                f.id = m;
            else if (key == "distinct_id")
                f.distinctId = m;
            else if (key == "offset")
                f.offset = m;
            else if (key == "sent_at")
                f.sentAt = m;
            else if (key == "api_key" || key == "token")
                f.token = m;
            else if (key == "session_id" || key == "$session_id")
                f.sessionId = m;
            else if (key == "current_url" || key == "url")
                f.url = m;
            else if (key == "elements_chain")
                f.chain = m;
            else if (key == "elements")
                f.elements = m;
            else if (key == "email")
                f.email = m;
            else if (key == "event_type")
                f.eventType = m;
            else if (key == "element_id")
                f.elementId = m;
            else if (key == "input_field_name")
                f.inputFieldName = m;
            else if (key == "link_destination")
                f.linkDestination = m;
            else if (key == "button_or_link_text")
                f.buttonText = m;
            else if (key == "person")
                f.person = m;
            else if (key == "$set" && m.isObject())
                f.setEmail = m.get("email");
            else if (key == "$set_once" && m.isObject())
                f.setOnceEmail = m.get("email");
        }
    }

    // One pass over `properties`: PostHog's own `$` keys we need, and the
    // scalar custom properties (stringified, capped).
    void gatherProperties(JsonValue properties, EventFields& f, Action& action, std::string& scratch)
    {
        for (JsonValue m = properties.firstChild(); m.exists(); m = m.nextSibling()) {
            const auto key = m.key(scratch);
            if (key.starts_with('$')) {
                if (key == "$session_id")
                    f.propSessionId = m;
                else if (key == "$current_url")
                    f.propUrl = m;
                else if (key == "$event_type")
                    f.propEventType = m;
                else if (key == "$elements_chain")
                    f.propChain = m;
                else if (key == "$elements")
                    f.propElements = m;
                else if (key == "$el_text")
                    f.propElText = m;
                else if (key == "$set" && m.isObject())
                    f.propSetEmail = m.get("email");
                else if (key == "$set_once" && m.isObject())
                    f.propSetOnceEmail = m.get("email");
                else if (key == "$anon_distinct_id")
                    f.propAnonDistinctId = m;
                continue;
            }
            if (key == "token") {
                f.propToken = m;
                continue;
            }
            if (key == "distinct_id") {
                f.propDistinctId = m;
                continue;
            }
            if (key == "email")
                f.propEmail = m;
            else if (key == "alias")
                f.propAlias = m;
            if (!m.isScalar() || m.isNull() || key.empty() || key.size() > kMaxPropertyKeyBytes)
                continue;
            std::string value;
            if (m.isString())
                m.appendString(value);
            else
                value = m.raw();
            cutUtf8(value, kMaxPropertyValueBytes);
            auto existing = std::find_if(
                action.properties.begin(), action.properties.end(), [&](const auto& p) { return p.first == key; });
            if (existing != action.properties.end())
                existing->second = std::move(value);
            else if (action.properties.size() < kMaxProperties)
                action.properties.emplace_back(std::string(key), std::move(value));
        }
    }

    JsonValue firstOf(std::initializer_list<JsonValue> values)
    {
        for (const auto& v : values)
            if (v.exists() && !v.isNull())
                return v;
        return {};
    }

    struct EventContext {
        std::string_view where;
        JsonValue batchToken;
        JsonValue batchSentAt;
        const IntakeOptions& options;
        TargetElements& targets;
    };

    Error eventError(const EventContext& ctx, std::string code, std::string message)
    {
        return Error { std::move(code), std::move(message), std::string(ctx.where) };
    }

    // Reads an optional string field; a value of another type is an error.
    bool readString(const EventContext& ctx, JsonValue value, std::string_view field, std::size_t maxBytes,
        std::string& out, std::optional<Error>& error)
    {
        if (!value.exists() || value.isNull())
            return true;
        if (!value.isString()) {
            error = eventError(
                ctx, "bad_field", std::string(field) + " must be a string, not " + std::string(value.typeName()));
            return false;
        }
        value.appendString(out);
        if (out.size() > maxBytes) {
            error = eventError(ctx, "field_too_long",
                std::string(field) + " is " + std::to_string(out.size()) + " bytes, more than "
                    + std::to_string(maxBytes));
            return false;
        }
        return true;
    }

    std::optional<Timestamp> readTime(JsonValue value)
    {
        if (!value.isString())
            return std::nullopt;
        if (value.raw().find('\\') == std::string_view::npos)
            return parseIsoTimestamp(value.raw());
        return parseIsoTimestamp(value.string());
    }

    std::optional<int> smallInt(JsonValue value)
    {
        const auto number = value.number();
        if (!number || !(std::fabs(*number) < 1e9))
            return std::nullopt;
        return static_cast<int>(*number);
    }

    Element elementFromObject(JsonValue object, std::string& scratch)
    {
        Element element;
        std::string classes;
        auto text = [](JsonValue v) {
            if (v.isString())
                return v.string();
            return v.isNumber() ? std::string(v.raw()) : std::string();
        };
        for (JsonValue m = object.firstChild(); m.exists(); m = m.nextSibling()) {
            const auto key = m.key(scratch);
            if (key == "tag_name")
                element.tag = text(m);
            else if (key == "$el_text" || key == "text")
                element.text = text(m);
            else if (key == "nth_child")
                element.nthChild = smallInt(m);
            else if (key == "nth_of_type")
                element.nthOfType = smallInt(m);
            else if (key == "attr_id" && element.id.empty())
                element.id = text(m);
            else if (key == "href" && element.href.empty())
                element.href = text(m);
            else if ((key == "classes" || key == "attr_class") && m.isArray()) {
                for (JsonValue c = m.firstChild(); c.exists(); c = c.nextSibling())
                    if (c.isString())
                        element.classes.push_back(c.string());
            } else if (key == "attributes" && m.isObject()) {
                // Server-side element rows keep their attr__* in a map.
                for (JsonValue a = m.firstChild(); a.exists(); a = a.nextSibling()) {
                    std::string attrScratch;
                    const auto attrKey = a.key(attrScratch);
                    if (attrKey.starts_with("attr__") && attrKey.size() > 6)
                        element.attrs.emplace_back(std::string(attrKey.substr(6)), text(a));
                }
            } else if (key.starts_with("attr__") && key.size() > 6) {
                element.attrs.emplace_back(std::string(key.substr(6)), text(m));
            }
        }
        for (const auto& [k, v] : element.attrs) {
            if (k == "id" && element.id.empty())
                element.id = v;
            else if (k == "href" && element.href.empty())
                element.href = v;
            else if (k == "name")
                element.name = v;
            else if (k == "class")
                classes = v;
        }
        if (element.classes.empty() && !classes.empty()) {
            std::size_t i = 0;
            while (i < classes.size()) {
                while (i < classes.size() && classes[i] == ' ')
                    ++i;
                const auto start = i;
                while (i < classes.size() && classes[i] != ' ')
                    ++i;
                if (i > start)
                    element.classes.push_back(classes.substr(start, i - start));
            }
        }
        element.selector = cssSelectorFor(element);
        return element;
    }

    ActionType actionTypeFor(std::string_view event, std::string_view eventType)
    {
        if (event == "$pageview")
            return ActionType::Pageview;
        if (event == "$pageleave")
            return ActionType::Pageleave;
        if (event == "$rageclick")
            return ActionType::RageClick;
        if (event == "$autocapture") {
            if (eventType == "click")
                return ActionType::Click;
            if (eventType == "submit")
                return ActionType::Submit;
            if (eventType == "change")
                return ActionType::Change;
        }
        return ActionType::Custom;
    }

    // Fills `out` in place (it is the batch's next slot, so nothing is moved);
    // an error means `out` is to be dropped.
    std::optional<Error> readEvent(JsonValue object, const EventContext& ctx, std::string& scratch, IntakeEvent& out)
    {
        EventFields f;
        Action& action = out.action;
        gatherMembers(object, f, scratch);
        if (f.eventObject.exists()) {
            // PostHog's default webhook: the event is nested, the person beside it.
            gatherMembers(f.eventObject, f, scratch);
        }
        if (f.properties.exists() && !f.properties.isNull()) {
            if (!f.properties.isObject())
                return eventError(
                    ctx, "bad_field", "properties must be an object, not " + std::string(f.properties.typeName()));
            gatherProperties(f.properties, f, action, scratch);
        }

        std::optional<Error> error;
        if (!f.name.exists())
            return eventError(ctx, "missing_event", "the event has no name (\"event\")");
        if (!readString(ctx, f.name, "event", kMaxIdBytes, action.event, error))
            return *error;
        if (action.event.empty())
            return eventError(ctx, "missing_event", "the event name is empty");

        std::string eventType;
        const JsonValue distinctId = firstOf({ f.distinctId, f.propDistinctId });
        if (!readString(
                ctx, firstOf({ f.propSessionId, f.sessionId }), "session id", kMaxIdBytes, action.sessionId, error)
            || !readString(ctx, firstOf({ f.uuid, f.id }), "uuid", kMaxIdBytes, action.uuid, error)
            || (!distinctId.isNumber()
                && !readString(ctx, distinctId, "distinct_id", kMaxIdBytes, action.distinctId, error))
            || !readString(ctx, firstOf({ f.propEventType, f.eventType }), "event type", kMaxIdBytes, eventType, error))
            return *error;
        if (distinctId.isNumber()) {
            // Server-side SDKs send numeric user ids; their JSON text is the id.
            if (distinctId.raw().size() > kMaxIdBytes)
                return eventError(ctx, "field_too_long", "distinct_id is a number of more than 200 digits");
            action.distinctId = distinctId.raw();
        }
        if (action.sessionId.empty())
            return eventError(ctx, "missing_session_id",
                "event \"" + action.event + "\" has no $session_id; sessions are keyed by it");

        // Time, as PostHog resolves it: timestamp, else offset, else arrival.
        const JsonValue sentAtValue = firstOf({ f.sentAt, ctx.batchSentAt });
        const std::optional<Timestamp> sentAt = readTime(sentAtValue);
        if (f.timestamp.exists() && !f.timestamp.isNull()) {
            const auto timestamp = readTime(f.timestamp);
            if (!timestamp)
                return eventError(ctx, "bad_timestamp",
                    f.timestamp.isString()
                        ? "timestamp \"" + f.timestamp.string() + "\" is not ISO 8601"
                        : "timestamp must be an ISO 8601 string, not " + std::string(f.timestamp.typeName()));
            action.timestampStart = *timestamp;
            if (ctx.options.correctClockSkew && sentAt)
                action.timestampStart += ctx.options.receivedAt - *sentAt;
        } else if (f.offset.exists() && !f.offset.isNull()) {
            const auto offset = f.offset.number();
            if (!offset || !(std::fabs(*offset) <= kMaxOffsetMs))
                return eventError(ctx, "bad_timestamp", "offset must be a number of milliseconds (at most ten years)");
            const Timestamp base = ctx.options.correctClockSkew || !sentAt ? ctx.options.receivedAt : *sentAt;
            action.timestampStart = base - Duration(static_cast<std::int64_t>(std::llround(std::fabs(*offset))));
        } else {
            action.timestampStart = sentAt && !ctx.options.correctClockSkew ? *sentAt : ctx.options.receivedAt;
        }
        action.timestampEnd = action.timestampStart;

        const JsonValue url = firstOf({ f.propUrl, f.url });
        if (!readString(ctx, url, "current url", std::numeric_limits<std::size_t>::max(), action.rawUrl, error))
            return *error;
        cutUtf8(action.rawUrl, kMaxUrlBytes);

        if (const JsonValue person = f.person; person.isObject()) {
            if (const auto personProperties = person.get("properties"); personProperties.isObject())
                if (const auto email = personProperties.get("email"); email.isString())
                    email.appendString(action.email);
        }
        if (action.email.empty()) {
            const JsonValue email = firstOf({ f.setEmail, f.propSetEmail, f.propEmail, f.email });
            if (email.isString())
                email.appendString(action.email);
        }
        if (const JsonValue emailOnce = firstOf({ f.setOnceEmail, f.propSetOnceEmail }); emailOnce.isString())
            emailOnce.appendString(action.emailOnce);
        for (std::string* email : { &action.email, &action.emailOnce })
            if (email->size() > kMaxEmailBytes)
                email->clear();
        // Person properties are not validated like the event's own fields: a
        // link that is not a usable id is left out, the event is kept.
        const JsonValue link = action.event == "$identify"                            ? f.propAnonDistinctId
            : action.event == "$create_alias" || action.event == "$merge_dangerously" ? f.propAlias
                                                                                      : JsonValue {};
        if (link.isString()) {
            link.appendString(action.linkedDistinctId);
            if (action.linkedDistinctId.size() > kMaxIdBytes || action.linkedDistinctId == action.distinctId)
                action.linkedDistinctId.clear();
        }

        // The target element: the chain, else the older $elements array.
        const JsonValue chain = firstOf({ f.propChain, f.chain });
        const JsonValue elements = firstOf({ f.propElements, f.elements });
        if (chain.isString() && !chain.raw().empty()) {
            chain.appendString(action.elementsChain);
            if (action.elementsChain.size() > kMaxChainBytes)
                action.elementsChain = std::string(truncateElementsChain(action.elementsChain, kMaxChainBytes));
            action.element = ctx.targets.of(action.elementsChain);
        } else if (chain.exists() && !chain.isNull() && !chain.isString()) {
            return eventError(
                ctx, "bad_field", "elements_chain must be a string, not " + std::string(chain.typeName()));
        } else if (elements.isArray()) {
            std::vector<Element> list;
            for (JsonValue e = elements.firstChild(); e.exists(); e = e.nextSibling())
                if (e.isObject())
                    list.push_back(elementFromObject(e, scratch));
            action.elementsChain = toElementsChain(list);
            if (action.elementsChain.size() > kMaxChainBytes)
                action.elementsChain = std::string(truncateElementsChain(action.elementsChain, kMaxChainBytes));
            if (!list.empty())
                action.element = std::move(list.front());
        }
        // The tutorial's flat body names the target's fields directly.
        Element& element = action.element;
        bool flatFields = false;
        auto fill = [&](JsonValue value, std::string& field) {
            if (field.empty() && value.isString() && !value.raw().empty()) {
                value.appendString(field);
                flatFields = true;
            }
        };
        fill(f.elementId, element.id);
        fill(f.inputFieldName, element.name);
        fill(f.linkDestination, element.href);
        fill(f.buttonText, element.text);
        fill(f.propElText, element.text);
        if (flatFields && element.tag.empty())
            element.tag = !element.href.empty() ? "a" : !element.name.empty() ? "input" : "";
        cutUtf8(element.text, kMaxElementTextBytes);
        if (flatFields)
            element.selector = cssSelectorFor(element);

        action.type = actionTypeFor(action.event, eventType);

        const JsonValue token = firstOf({ f.propToken, f.token, ctx.batchToken });
        if (token.isString())
            token.appendString(out.token);
        return std::nullopt;
    }

} // namespace

PostHogIntake::PostHogIntake(IntakeOptions options, IntakeLimits limits)
    : m_options(std::move(options))
    , m_limits(limits)
    , m_tape(std::make_unique<JsonTape>())
{
    m_tape->setMaxValues(m_limits.maxJsonValues);
}

PostHogIntake::~PostHogIntake() = default;

namespace {

    // A refused body keeps nothing of what was read before the refusal.
    IntakeBatch finished(IntakeBatch batch)
    {
        if (batch.refusal) {
            batch.events.clear();
            batch.errors.clear();
            batch.errorCount = 0;
        }
        return batch;
    }

} // namespace

IntakeBatch PostHogIntake::parseBody(std::string_view json)
{
    IntakeBatch out;
    parseDocument(json, {}, out);
    m_tape->trim();
    return finished(std::move(out));
}

IntakeBatch PostHogIntake::parseValue(JsonValue root)
{
    IntakeBatch out;
    readDocument(root, {}, out);
    return finished(std::move(out));
}

IntakeBatch PostHogIntake::parseJsonLines(std::string_view text)
{
    IntakeBatch out;
    std::size_t lineNumber = 0;
    std::size_t pos = 0;
    std::string where;
    while (pos < text.size() && !out.refusal) {
        ++lineNumber;
        auto end = text.find('\n', pos);
        if (end == std::string_view::npos)
            end = text.size();
        auto line = text.substr(pos, end - pos);
        pos = end + 1;
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string_view::npos)
            continue;
        where = "line " + std::to_string(lineNumber);
        parseDocument(line, where, out);
        if (out.events.size() == 1 && out.events.capacity() == 1)
            out.events.reserve(text.size() / std::max<std::size_t>(pos, 1) * 5 / 4 + 1); // lines are alike in size
    }
    m_tape->trim();
    return finished(std::move(out));
}

void PostHogIntake::addError(IntakeBatch& out, Error error) const
{
    ++out.errorCount;
    if (out.errors.size() < m_limits.maxErrors)
        out.errors.push_back(std::move(error));
}

void PostHogIntake::parseDocument(std::string_view json, std::string_view where, IntakeBatch& out)
{
    std::string message;
    if (!m_tape->parse(json, message)) {
        if (m_tape->exceededMaxValues())
            out.refusal = Error { "too_many_values",
                "a body has at most " + std::to_string(m_limits.maxJsonValues) + " JSON values (" + message + ")",
                std::string(where) };
        else
            addError(out, { "invalid_json", message, std::string(where) });
        return;
    }
    readDocument(m_tape->root(), where, out);
}

void PostHogIntake::readDocument(JsonValue root, std::string_view where, IntakeBatch& out)
{
    if (root.isArray()) {
        readItems(root, where, {}, {}, out);
        return;
    }
    if (!root.isObject()) {
        addError(out,
            { "bad_shape",
                "expected an event object, an array of events or {api_key, batch}, not " + std::string(root.typeName()),
                std::string(where) });
        return;
    }
    if (const JsonValue batch = root.get("batch"); batch.exists()) {
        if (!batch.isArray()) {
            addError(out,
                { "bad_shape", "batch must be an array, not " + std::string(batch.typeName()), std::string(where) });
            return;
        }
        readItems(batch, where, firstOf({ root.get("api_key"), root.get("token") }), root.get("sent_at"), out);
        return;
    }
    read(root, where, {}, {}, out);
}

void PostHogIntake::readItems(
    JsonValue array, std::string_view where, JsonValue batchToken, JsonValue batchSentAt, IntakeBatch& out)
{
    // Counted before any is read, so that a refused body costs one pass.
    std::size_t count = 0;
    for (JsonValue item = array.firstChild(); item.exists() && count <= m_limits.maxEvents; item = item.nextSibling())
        ++count;
    if (count > m_limits.maxEvents) {
        out.refusal = Error { "too_many_events",
            "a body carries at most " + std::to_string(m_limits.maxEvents) + " events", std::string(where) };
        return;
    }
    // The batch's own token is refused before any event is read.
    if (m_options.tokenCheck && batchToken.isString() && !m_options.tokenCheck(batchToken.string())) {
        out.refusal
            = Error { "unknown_token", "the project token matches no product of the workspace", std::string(where) };
        return;
    }
    // Room for every event up front: an Action is large, and growing the
    // vector would move all of those read before.
    out.events.reserve(out.events.size() + count);
    std::string itemWhere;
    std::size_t index = 0;
    for (JsonValue item = array.firstChild(); item.exists() && !out.refusal; item = item.nextSibling(), ++index) {
        itemWhere.assign(where);
        itemWhere += '[';
        itemWhere += std::to_string(index);
        itemWhere += ']';
        if (!item.isObject()) {
            addError(
                out, { "bad_shape", "an event must be an object, not " + std::string(item.typeName()), itemWhere });
            continue;
        }
        read(item, itemWhere, batchToken, batchSentAt, out);
    }
}

void PostHogIntake::read(
    JsonValue object, std::string_view where, JsonValue batchToken, JsonValue batchSentAt, IntakeBatch& out)
{
    const EventContext ctx { where, batchToken, batchSentAt, m_options, m_targets };
    std::string scratch;
    auto& slot = out.events.emplace_back();
    if (auto error = readEvent(object, ctx, scratch, slot)) {
        out.events.pop_back();
        addError(out, std::move(*error));
        return;
    }
    if (m_options.tokenCheck && !m_options.tokenCheck(slot.token)) {
        out.refusal = Error { "unknown_token",
            slot.token.empty() ? "the event has no project token (properties.token or api_key)"
                               : "the project token matches no product of the workspace",
            std::string(where) };
    }
}

// ---- Transport decoding -------------------------------------------------------------------------

namespace {

    std::string lowerTrimmed(std::string_view text)
    {
        std::string out(trimmed(text));
        for (char& c : out)
            if (c >= 'A' && c <= 'Z')
                c = static_cast<char>(c - 'A' + 'a');
        return out;
    }

    bool isGzip(std::string_view data)
    {
        return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f
            && static_cast<unsigned char>(data[1]) == 0x8b;
    }

    Error tooLarge(std::size_t maxBytes)
    {
        return Error { "body_too_large", "the decoded body is larger than " + std::to_string(maxBytes) + " bytes",
            "body" };
    }

    Result<std::string> gunzip(std::string_view data, std::size_t maxBytes)
    {
        z_stream zs {};
        // 32 + MAX_WBITS: gzip or zlib, detected from the header.
        if (inflateInit2(&zs, 32 + MAX_WBITS) != Z_OK)
            return Error { "bad_gzip", "cannot initialise zlib", "body" };
        std::string out;
        std::array<char, 64 * 1024> chunk;
        zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
        zs.avail_in = static_cast<uInt>(data.size());
        int rc = Z_OK;
        for (;;) {
            zs.next_out = reinterpret_cast<Bytef*>(chunk.data());
            zs.avail_out = static_cast<uInt>(chunk.size());
            rc = inflate(&zs, Z_NO_FLUSH);
            const std::size_t produced = chunk.size() - zs.avail_out;
            if (out.size() + produced > maxBytes) {
                inflateEnd(&zs);
                return tooLarge(maxBytes);
            }
            out.append(chunk.data(), produced);
            if (rc == Z_STREAM_END) {
                // Concatenated gzip members decode as one body.
                const std::string_view rest(reinterpret_cast<const char*>(zs.next_in), zs.avail_in);
                if (!isGzip(rest))
                    break;
                inflateReset(&zs);
                continue;
            }
            if (rc != Z_OK && !(rc == Z_BUF_ERROR && zs.avail_in > 0)) {
                break;
            }
            if (zs.avail_in == 0 && produced == 0) {
                rc = Z_DATA_ERROR; // input ended inside the stream
                break;
            }
        }
        inflateEnd(&zs);
        if (rc != Z_STREAM_END)
            return Error { "bad_gzip", "the gzip body is truncated or corrupt", "body" };
        return out;
    }

    int base64Value(char c)
    {
        if (c >= 'A' && c <= 'Z')
            return c - 'A';
        if (c >= 'a' && c <= 'z')
            return c - 'a' + 26;
        if (c >= '0' && c <= '9')
            return c - '0' + 52;
        if (c == '+' || c == '-' || c == ' ') // form decoding turns an unescaped '+' into ' '
            return 62;
        if (c == '/' || c == '_')
            return 63;
        return -1;
    }

    std::optional<std::string> base64Decode(std::string_view text)
    {
        std::string out;
        out.reserve(text.size() / 4 * 3 + 3);
        std::uint32_t buffer = 0;
        int bits = 0;
        bool padding = false;
        for (const char c : text) {
            if (c == '\n' || c == '\r' || c == '\t')
                continue;
            if (c == '=') {
                padding = true;
                continue;
            }
            const int v = base64Value(c);
            if (v < 0 || padding)
                return std::nullopt;
            buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out += static_cast<char>((buffer >> bits) & 0xFF);
            }
        }
        if (bits >= 6)
            return std::nullopt; // a lone trailing character carries no byte
        return out;
    }

    std::optional<std::string_view> formField(std::string_view body, std::string_view name)
    {
        std::size_t pos = 0;
        while (pos <= body.size()) {
            auto end = body.find('&', pos);
            if (end == std::string_view::npos)
                end = body.size();
            const auto pair = body.substr(pos, end - pos);
            const auto eq = pair.find('=');
            if (pair.substr(0, eq) == name)
                return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
            pos = end + 1;
        }
        return std::nullopt;
    }

    bool looksLikeJson(std::string_view text)
    {
        text = trimmed(text);
        return !text.empty() && (text.front() == '{' || text.front() == '[');
    }

} // namespace

Result<std::string> decodeCaptureBody(
    std::string_view body, std::string_view contentType, std::string_view compressionParam, std::size_t maxDecodedBytes)
{
    const std::string compression = lowerTrimmed(compressionParam);
    if (compression == "lz64" || compression == "lz-string")
        return Error { "unsupported_compression",
            "compression \"" + compression + "\" is not supported; use gzip-js or no compression", "compression" };
    const bool gzipSaid = compression == "gzip-js" || compression == "gzip";
    if (!compression.empty() && !gzipSaid && compression != "base64")
        return Error { "unsupported_compression", "unknown compression \"" + compression + "\"", "compression" };

    if (gzipSaid || isGzip(body))
        return gunzip(body, maxDecodedBytes);

    std::string holder;
    std::string_view payload = body;
    const std::string type = lowerTrimmed(contentType.substr(0, contentType.find(';')));
    // `curl -d '{...}'` labels a JSON body as a form; posthog-js's forms always carry `data=`.
    const bool jsonLabelledAsForm = type == "application/x-www-form-urlencoded" && looksLikeJson(body);
    if (!jsonLabelledAsForm && (type == "application/x-www-form-urlencoded" || body.starts_with("data="))) {
        const auto data = formField(body, "data");
        if (!data)
            return Error { "bad_body", "a form body must carry the events in its data field", "body" };
        holder = percentDecode(*data, PlusSign::Space);
        payload = holder;
    }
    if (looksLikeJson(payload)) {
        if (payload.size() > maxDecodedBytes)
            return tooLarge(maxDecodedBytes);
        return std::string(payload);
    }
    auto decoded = base64Decode(trimmed(payload));
    if (!decoded || decoded->empty())
        return Error { "bad_body", "the body is neither JSON, base64 nor gzip", "body" };
    if (isGzip(*decoded))
        return gunzip(*decoded, maxDecodedBytes);
    if (decoded->size() > maxDecodedBytes)
        return tooLarge(maxDecodedBytes);
    return std::move(*decoded);
}

// ---- Finalising ----------------------------------------------------------------------------------

namespace {

    bool equalsIgnoreCase(std::string_view a, std::string_view b)
    {
        return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
            auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
            return lower(x) == lower(y);
        });
    }

    std::string_view elementNoun(const Element& element, ActionType type)
    {
        const std::string_view tag = element.tag;
        if (equalsIgnoreCase(tag, "a"))
            return "link";
        if (equalsIgnoreCase(tag, "button"))
            return "button";
        if (equalsIgnoreCase(tag, "input")) {
            const auto* inputType = element.attr("type");
            const std::string_view t = inputType ? std::string_view(*inputType) : std::string_view();
            if (equalsIgnoreCase(t, "submit") || equalsIgnoreCase(t, "button") || equalsIgnoreCase(t, "reset"))
                return "button";
            if (equalsIgnoreCase(t, "checkbox"))
                return "checkbox";
            if (equalsIgnoreCase(t, "radio"))
                return "radio button";
            return "input";
        }
        if (equalsIgnoreCase(tag, "select"))
            return "dropdown";
        if (equalsIgnoreCase(tag, "textarea"))
            return "text area";
        if (equalsIgnoreCase(tag, "form"))
            return "form";
        if (equalsIgnoreCase(tag, "img"))
            return "image";
        if (equalsIgnoreCase(tag, "svg") || equalsIgnoreCase(tag, "path"))
            return "icon";
        if (equalsIgnoreCase(tag, "label"))
            return "label";
        return type == ActionType::Change ? "input" : "element";
    }

    // Whitespace collapsed, trimmed, cut to kMaxLabelChars code points with an ellipsis.
    std::string shortLabel(std::string_view text)
    {
        std::string out;
        std::size_t chars = 0;
        bool space = false;
        for (std::size_t i = 0; i < text.size(); ++i) {
            const auto c = static_cast<unsigned char>(text[i]);
            if (const std::size_t length = whitespaceAt(text, i)) {
                space = !out.empty();
                i += length - 1;
                continue;
            }
            if ((c & 0xC0) == 0x80) {
                out += static_cast<char>(c);
                continue;
            }
            if (chars + (space ? 1 : 0) >= kMaxLabelChars) {
                while (!out.empty() && out.back() == ' ')
                    out.pop_back();
                out += "\xE2\x80\xA6";
                return out;
            }
            if (space) {
                out += ' ';
                ++chars;
                space = false;
            }
            out += static_cast<char>(c);
            ++chars;
        }
        return out;
    }

    std::string elementLabel(const Element& element, ActionType type)
    {
        const auto* aria = element.attr("aria-label");
        const std::string_view candidates[] = {
            type == ActionType::Submit ? std::string_view(element.name) : std::string_view(element.text),
            type == ActionType::Submit ? std::string_view(element.id) : std::string_view(),
            aria ? std::string_view(*aria) : std::string_view(),
            element.name,
            element.id,
            element.text,
        };
        for (const auto candidate : candidates) {
            auto label = shortLabel(candidate);
            if (!label.empty())
                return label;
        }
        return {};
    }

} // namespace

bool isBookkeepingEvent(const Action& action)
{
    return action.type == ActionType::Custom && action.event.starts_with('$');
}

bool carriesIdentity(const Action& action)
{
    return action.event == "$identify" || !action.email.empty() || !action.emailOnce.empty()
        || !action.linkedDistinctId.empty();
}

void finaliseAction(Action& action, std::span<const std::string> routes)
{
    action.canonicalUrl = canonicalUrl(action.rawUrl, routes);
    describeAction(action);
}

ActionWording wordingOf(const Action& action)
{
    // The canonical form has no query, fragment or doubled slash: its path
    // starts at the first '/' after the authority.
    std::string_view path = action.canonicalUrl;
    if (const auto authority = path.find("//"); authority != std::string_view::npos) {
        const auto slash = path.find('/', authority + 2);
        path = slash == std::string_view::npos ? std::string_view("/") : path.substr(slash);
    }
    // One buffer per sentence.
    auto sentence = [&](std::initializer_list<std::string_view> parts, bool onPath) {
        std::string out;
        out.reserve(96);
        for (const auto part : parts)
            out += part;
        if (onPath && !path.empty()) {
            out += " on ";
            out += path;
        }
        return out;
    };
    switch (action.type) {
    case ActionType::Pageview:
        return { "Viewed page", path.empty() ? std::string("Viewed a page") : sentence({ "Viewed ", path }, false) };
    case ActionType::Pageleave:
        return { "Left page", path.empty() ? std::string("Left a page") : sentence({ "Left ", path }, false) };
    case ActionType::Custom: {
        std::string title = action.event.empty() ? std::string("Custom event") : action.event;
        std::string description = sentence({ title }, true);
        return { std::move(title), std::move(description) };
    }
    case ActionType::Click:
    case ActionType::RageClick:
    case ActionType::Submit:
    case ActionType::Change:
        break;
    }
    const std::string_view verb = action.type == ActionType::Click ? "Clicked"
        : action.type == ActionType::RageClick                     ? "Rage-clicked"
        : action.type == ActionType::Submit                        ? "Submitted"
                                                                   : "Changed";
    const std::string_view noun
        = action.type == ActionType::Submit ? std::string_view("form") : elementNoun(action.element, action.type);
    std::string title = sentence({ verb, " ", noun }, false);
    const auto label = elementLabel(action.element, action.type);
    std::string description = label.empty() ? sentence({ title }, true) : sentence({ title, " '", label, "'" }, true);
    return { std::move(title), std::move(description) };
}

void describeAction(Action& action)
{
    auto [title, description] = wordingOf(action);
    action.title = std::move(title);
    action.description = std::move(description);
}

} // namespace proactive
