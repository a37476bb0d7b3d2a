#pragma once

#include "intake/actionrecord.h"
#include "triggers/selector.h"

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace re2 {
class RE2;
}

namespace proactive {

class EvaluationScope;
class JsonObjectReader;
struct ConditionParser;

// A configured URL (full or path-only, SPEC §1) split into its lowercased
// origin ("https://app.example.com", empty for a path) and its path without
// a trailing slash. `:param` segments match any one segment, as in routes.
struct ConfiguredUrl {
    std::string text; // as written, trimmed
    std::string origin;
    std::string path;

    static ConfiguredUrl from(std::string_view configured);
};

// Whether `observed` (full or path-only) lies under `prefix`, segment by
// segment: "/settings" covers "/settings" and "/settings/billing", not
// "/settings-old". A full-URL prefix also needs the same origin when the
// observed URL has one.
bool urlHasPrefix(std::string_view observed, const ConfiguredUrl& prefix);

// One string comparison of a matcher: exact (after trimming), contains
// (ASCII case-insensitive) or an RE2 regex (partial match).
class TextTest final {
public:
    enum class Kind { Exact, Contains, Regex };

    TextTest(Kind kind, std::string value, std::shared_ptr<const re2::RE2> regex = {});

    bool test(std::string_view text) const;
    Kind kind() const { return m_kind; }
    const std::string& value() const { return m_value; }

private:
    Kind m_kind;
    std::string m_value;
    std::shared_ptr<const re2::RE2> m_regex;
};

// Which facts about one action to check, PostHog-action style. Every field
// given must hold (AND); an empty matcher matches any action.
class EventMatcher final {
public:
    enum class Fields {
        Event, // everything
        Target, // everything but type and event (for `rage_click`, always clicks)
        Page, // only the URL fields (for `dwell`)
    };

    // Reads the matcher's fields from `reader`; the caller reads its own
    // fields from the same object and calls finish(). nullopt on problems.
    static std::optional<EventMatcher> read(JsonObjectReader& reader, ConditionParser& parser, Fields fields);

    bool matches(EvaluationScope& scope, std::size_t index) const;
    // Only the URL fields.
    bool matchesPage(const ActionRecord& action) const;

    // The matcher over one pass through a window (a count). The tests that
    // read only an action's details (properties, selector, text, href) are
    // answered once per details value: a session's records share a few of
    // them (the buttons it clicks), so 40 clicks cost a handful of selector
    // matches.
    class Pass final {
    public:
        explicit Pass(const EventMatcher& matcher);
        bool matches(const ActionRecord& action);

    private:
        static constexpr std::size_t kRemembered = 8;
        const EventMatcher& m_matcher;
        bool m_readsDetails;
        std::array<const ActionDetails*, kRemembered> m_details {}; // never null once set
        std::array<bool, kRemembered> m_answers {};
        std::size_t m_next = 0; // the slot to reuse next, round robin
    };

    bool empty() const;
    // For explanations: "click · selector button.primary · url /projects".
    std::string describe() const;
    // "click"/"clicks", "pageview"/"pageviews", "action"/"actions", ...
    std::string noun(bool plural) const;

private:
    // Type, event and the URL fields: what differs between records.
    bool matchesRecord(const ActionRecord& action) const;
    // Properties, selector, text and href: what the record's details decide.
    bool matchesDetails(const ActionRecord& action) const;

    std::vector<ActionType> m_types;
    std::optional<std::string> m_event;
    std::optional<ConfiguredUrl> m_url;
    std::optional<ConfiguredUrl> m_urlPrefix;
    std::optional<TextTest> m_urlContains;
    std::optional<TextTest> m_urlRegex;
    std::optional<std::string> m_route;
    std::optional<Selector> m_selector;
    std::vector<TextTest> m_text;
    std::vector<TextTest> m_href;
    std::vector<std::pair<std::string, std::string>> m_properties;
};

} // namespace proactive
