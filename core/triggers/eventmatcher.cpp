#include "triggers/eventmatcher.h"

#include "base/jsonreader.h"
#include "intake/canonicalurl.h"
#include "intake/routes.h"
#include "triggers/condition.h"
#include "triggers/triggerjson.h"

#include <algorithm>
#include <re2/re2.h>

namespace proactive {

namespace {

    constexpr std::size_t kMaxUrlBytes = 2048;
    constexpr std::size_t kMaxProperties = 32;

    char asciiLower(char c)
    {
        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }

    bool containsIgnoringCase(std::string_view haystack, std::string_view needle)
    {
        if (needle.size() > haystack.size())
            return false;
        const auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
            [](char a, char b) { return asciiLower(a) == asciiLower(b); });
        return it != haystack.end() || needle.empty();
    }

    // "https://app.example.com/settings" -> origin "https://app.example.com";
    // a path-only URL has no origin.
    std::string_view originOf(std::string_view url)
    {
        const auto scheme = url.find("://");
        if (scheme == std::string_view::npos)
            return {};
        const auto pathStart = url.find_first_of("/?#", scheme + 3);
        return url.substr(0, pathStart == std::string_view::npos ? url.size() : pathStart);
    }

    bool equalsIgnoringCase(std::string_view a, std::string_view b)
    {
        return a.size() == b.size()
            && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return asciiLower(x) == asciiLower(y); });
    }

    // The next non-empty path segment, consumed from `rest`; empty at the end.
    std::string_view nextSegment(std::string_view& rest)
    {
        while (rest.starts_with('/'))
            rest.remove_prefix(1);
        const auto end = std::min(rest.find('/'), rest.size());
        const auto segment = rest.substr(0, end);
        rest.remove_prefix(end);
        return segment;
    }

    bool isConfigurableUrl(std::string_view url)
    {
        return url.starts_with('/') || url.find("://") != std::string_view::npos;
    }

    std::optional<ConfiguredUrl> readUrl(JsonObjectReader& reader, std::string_view key)
    {
        const auto text = readText(reader, key, { .maxBytes = kMaxUrlBytes });
        if (!text)
            return std::nullopt;
        if (!isConfigurableUrl(*text)) {
            reader.error(key, "expected a path (\"/projects\") or a full URL (\"https://app.example.com/projects\")");
            return std::nullopt;
        }
        return ConfiguredUrl::from(*text);
    }

    // text, text_contains, text_regex (and the same for href).
    void readTextTests(JsonObjectReader& reader, std::string_view field, std::vector<TextTest>& out)
    {
        const std::string name(field);
        if (auto value = readText(reader, name))
            out.emplace_back(TextTest::Kind::Exact, std::string(trimmed(*value)));
        if (auto value = readText(reader, name + "_contains"))
            out.emplace_back(TextTest::Kind::Contains, std::move(*value));
        if (auto regex = readRegex(reader, name + "_regex"))
            out.emplace_back(TextTest::Kind::Regex, regex->pattern(), std::move(regex));
    }

    std::string typeList()
    {
        std::string list;
        for (int i = 0; i <= static_cast<int>(ActionType::Custom); ++i) {
            if (!list.empty())
                list += ", ";
            list += nameOf(static_cast<ActionType>(i));
        }
        return list;
    }

    bool readTypes(JsonObjectReader& reader, ConditionParser& parser, std::vector<ActionType>& out)
    {
        const auto* value = reader.value("type");
        if (!value)
            return true;
        const std::string pointer = jsonPointer(reader.pointer(), "type");
        auto one = [&](const nlohmann::json& item, const std::string& at) {
            if (!item.is_string()) {
                parser.error(at, "expected an action type (a string), found " + std::string(jsonTypeName(item)));
                return false;
            }
            const auto type = actionTypeFromString(item.get_ref<const std::string&>());
            if (!type) {
                parser.error(
                    at, "unknown action type \"" + item.get<std::string>() + "\" (expected one of " + typeList() + ")");
                return false;
            }
            if (std::find(out.begin(), out.end(), *type) == out.end())
                out.push_back(*type);
            return true;
        };
        if (!value->is_array())
            return one(*value, pointer);
        if (value->empty()) {
            parser.error(pointer, "expected at least one action type");
            return false;
        }
        bool ok = true;
        for (std::size_t i = 0; i < value->size(); ++i)
            ok = one((*value)[i], jsonPointer(pointer, i)) && ok;
        return ok;
    }

    bool readProperties(
        JsonObjectReader& reader, ConditionParser& parser, std::vector<std::pair<std::string, std::string>>& out)
    {
        const auto* value = reader.value("properties");
        if (!value)
            return true;
        const std::string pointer = jsonPointer(reader.pointer(), "properties");
        if (!value->is_object()) {
            parser.error(pointer, "expected an object of property values, found " + std::string(jsonTypeName(*value)));
            return false;
        }
        if (value->size() > kMaxProperties) {
            parser.error(pointer,
                "too many properties: " + std::to_string(value->size()) + ", at most "
                    + std::to_string(kMaxProperties));
            return false;
        }
        bool ok = true;
        for (const auto& [key, item] : value->items()) {
            // Intake stringifies scalar properties; compare in that form.
            if (item.is_string())
                out.emplace_back(key, item.get<std::string>());
            else if (item.is_boolean() || item.is_number())
                out.emplace_back(key, item.dump());
            else {
                parser.error(jsonPointer(pointer, key),
                    "expected a string, number or boolean, found " + std::string(jsonTypeName(item)));
                ok = false;
            }
        }
        return ok;
    }

    std::string_view typeNoun(ActionType type, bool plural)
    {
        switch (type) {
        case ActionType::Pageview:
            return plural ? "pageviews" : "pageview";
        case ActionType::Click:
            return plural ? "clicks" : "click";
        case ActionType::Submit:
            return plural ? "submits" : "submit";
        case ActionType::Change:
            return plural ? "changes" : "change";
        case ActionType::RageClick:
            return plural ? "rage clicks" : "rage click";
        case ActionType::Pageleave:
            return plural ? "page leaves" : "page leave";
        case ActionType::Custom:
            break;
        }
        return plural ? "custom events" : "custom event";
    }

} // namespace

ConfiguredUrl ConfiguredUrl::from(std::string_view configured)
{
    ConfiguredUrl url;
    url.text = std::string(trimmed(configured));
    for (const char c : originOf(url.text))
        url.origin += asciiLower(c);
    std::string_view path = urlPath(url.text);
    while (path.size() > 1 && path.ends_with('/'))
        path.remove_suffix(1);
    url.path = std::string(path);
    return url;
}

bool urlHasPrefix(std::string_view observed, const ConfiguredUrl& prefix)
{
    if (!prefix.origin.empty()) {
        const auto origin = originOf(observed);
        if (!origin.empty() && !equalsIgnoringCase(origin, prefix.origin))
            return false;
    }
    std::string_view have = urlPath(observed);
    std::string_view want = prefix.path;
    for (;;) {
        const auto w = nextSegment(want);
        if (w.empty())
            return true;
        const auto h = nextSegment(have);
        if (h.empty())
            return false;
        if (!(w.size() > 1 && w.front() == ':') && w != h)
            return false;
    }
}

TextTest::TextTest(Kind kind, std::string value, std::shared_ptr<const re2::RE2> regex)
    : m_kind(kind)
    , m_value(std::move(value))
    , m_regex(std::move(regex))
{ }

bool TextTest::test(std::string_view text) const
{
    switch (m_kind) {
    case Kind::Exact:
        return trimmed(text) == m_value;
    case Kind::Contains:
        return containsIgnoringCase(text, m_value);
    case Kind::Regex:
        return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *m_regex);
    }
    return false;
}

std::optional<EventMatcher> EventMatcher::read(JsonObjectReader& reader, ConditionParser& parser, Fields fields)
{
    if (!reader.valid())
        return std::nullopt;
    const std::size_t before = parser.diagnostics.size();
    EventMatcher matcher;
    if (fields == Fields::Event) {
        readTypes(reader, parser, matcher.m_types);
        matcher.m_event = readText(reader, "event", { .maxBytes = 200 });
    }
    matcher.m_url = readUrl(reader, "url");
    matcher.m_urlPrefix = readUrl(reader, "url_prefix");
    if (auto contains = readText(reader, "url_contains", { .maxBytes = kMaxUrlBytes }))
        matcher.m_urlContains.emplace(TextTest::Kind::Contains, std::move(*contains));
    if (auto regex = readRegex(reader, "url_regex"))
        matcher.m_urlRegex.emplace(TextTest::Kind::Regex, regex->pattern(), std::move(regex));
    if (auto route = readText(reader, "route", { .maxBytes = kMaxUrlBytes })) {
        if (route->starts_with('/'))
            matcher.m_route = std::move(*route);
        else
            reader.error("route", "expected a route pattern starting with '/' (\"/projects/:slug\")");
    }
    if (fields != Fields::Page) {
        if (auto text = readText(reader, "selector", { .maxBytes = Selector::kMaxLength })) {
            auto selector = Selector::parse(*text);
            if (selector)
                matcher.m_selector = std::move(*selector);
            else
                reader.error("selector", "invalid selector: " + selector.error().message);
        }
        readTextTests(reader, "text", matcher.m_text);
        readTextTests(reader, "href", matcher.m_href);
        readProperties(reader, parser, matcher.m_properties);
    }
    if (parser.diagnostics.size() != before)
        return std::nullopt;
    return matcher;
}

bool EventMatcher::matchesPage(const ActionRecord& action) const
{
    // A test passes on the raw URL or the canonical one. Most canonical URLs
    // are their raw URL, one shared value in the store (equal pointers):
    // then the raw URL's answer is the canonical one's.
    auto neither = [&](auto&& test) {
        return !test(action.rawUrl) && (action.canonicalUrl == action.rawUrl || !test(action.canonicalUrl));
    };
    if (m_url && neither([&](std::string_view url) { return urlMatchesConfigured(url, m_url->text); }))
        return false;
    if (m_urlPrefix && neither([&](std::string_view url) { return urlHasPrefix(url, *m_urlPrefix); }))
        return false;
    if (m_urlContains && neither([&](std::string_view url) { return m_urlContains->test(url); }))
        return false;
    if (m_urlRegex && neither([&](std::string_view url) { return m_urlRegex->test(url); }))
        return false;
    if (m_route && neither([&](std::string_view url) { return matchesRoute(urlPath(url), *m_route); }))
        return false;
    return true;
}

bool EventMatcher::matches(EvaluationScope& scope, std::size_t index) const
{
    const ActionRecord& action = scope.actions()[index];
    return matchesRecord(action) && matchesDetails(action);
}

EventMatcher::Pass::Pass(const EventMatcher& matcher)
    : m_matcher(matcher)
    , m_readsDetails(
          !matcher.m_properties.empty() || matcher.m_selector || !matcher.m_text.empty() || !matcher.m_href.empty())
{ }

bool EventMatcher::Pass::matches(const ActionRecord& action)
{
    if (!m_matcher.matchesRecord(action))
        return false;
    if (!m_readsDetails)
        return true;
    const ActionDetails* details = &action.details.get();
    for (std::size_t i = 0; i < kRemembered; ++i)
        if (m_details[i] == details)
            return m_answers[i];
    const bool answer = m_matcher.matchesDetails(action);
    m_details[m_next] = details;
    m_answers[m_next] = answer;
    m_next = (m_next + 1) % kRemembered;
    return answer;
}

bool EventMatcher::matchesRecord(const ActionRecord& action) const
{
    if (!m_types.empty() && std::find(m_types.begin(), m_types.end(), action.type) == m_types.end())
        return false;
    if (m_event && action.event != *m_event)
        return false;
    return matchesPage(action);
}

bool EventMatcher::matchesDetails(const ActionRecord& action) const
{
    for (const auto& [key, value] : m_properties) {
        const auto* actual = action.property(key);
        if (!actual || *actual != value)
            return false;
    }
    if (m_selector && !m_selector->matches(action.chain()))
        return false;
    // PostHog matches text and href anywhere in the chain: a click on the
    // icon inside a link still "has" the link's href.
    auto anyElement = [&](const std::vector<TextTest>& tests, std::string Element::*field) {
        auto passes = [&](const Element& element) {
            return std::all_of(tests.begin(), tests.end(), [&](const TextTest& t) { return t.test(element.*field); });
        };
        if (passes(action.element()))
            return true;
        if (action.elementsChain().empty())
            return false;
        const auto chain = action.chain();
        return std::any_of(chain.begin(), chain.end(), passes);
    };
    if (!m_text.empty() && !anyElement(m_text, &Element::text))
        return false;
    if (!m_href.empty() && !anyElement(m_href, &Element::href))
        return false;
    return true;
}

bool EventMatcher::empty() const
{
    return m_types.empty() && !m_event && !m_url && !m_urlPrefix && !m_urlContains && !m_urlRegex && !m_route
        && !m_selector && m_text.empty() && m_href.empty() && m_properties.empty();
}

std::string EventMatcher::describe() const
{
    std::string out;
    auto add = [&](std::string_view part) {
        if (!out.empty())
            out += " · ";
        out += part;
    };
    if (!m_types.empty()) {
        std::string types;
        for (const auto type : m_types) {
            if (!types.empty())
                types += '|';
            types += nameOf(type);
        }
        add(types);
    }
    if (m_event)
        add("event " + *m_event);
    if (m_url)
        add("url " + m_url->text);
    if (m_urlPrefix)
        add("url under " + m_urlPrefix->text);
    if (m_urlContains)
        add("url contains \"" + m_urlContains->value() + "\"");
    if (m_urlRegex)
        add("url ~ /" + m_urlRegex->value() + "/");
    if (m_route)
        add("route " + *m_route);
    if (m_selector)
        add("selector " + m_selector->text());
    auto addTexts = [&](std::string_view name, const std::vector<TextTest>& tests) {
        for (const auto& t : tests) {
            switch (t.kind()) {
            case TextTest::Kind::Exact:
                add(std::string(name) + " \"" + t.value() + "\"");
                break;
            case TextTest::Kind::Contains:
                add(std::string(name) + " contains \"" + t.value() + "\"");
                break;
            case TextTest::Kind::Regex:
                add(std::string(name) + " ~ /" + t.value() + "/");
                break;
            }
        }
    };
    addTexts("text", m_text);
    addTexts("href", m_href);
    for (const auto& [key, value] : m_properties)
        add(key + "=" + value);
    return out.empty() ? std::string("any action") : out;
}

std::string EventMatcher::noun(bool plural) const
{
    if (m_types.size() == 1)
        return std::string(typeNoun(m_types.front(), plural));
    if (m_event && m_types.empty())
        return *m_event + (plural ? " events" : " event");
    if (empty())
        return plural ? "actions" : "action";
    return plural ? "matching actions" : "matching action";
}

} // namespace proactive
