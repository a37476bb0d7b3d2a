#pragma once

#include "base/clock.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace proactive {

enum class ActionType : std::uint8_t { Pageview, Click, Submit, Change, RageClick, Pageleave, Custom };

// Named nameOf rather than toString so that QTest's unqualified toString() does not find it by ADL.
std::string_view nameOf(ActionType type);
std::optional<ActionType> actionTypeFromString(std::string_view name);

// One element of a PostHog `$elements_chain`, target first.
struct Element {
    std::string tag;
    std::string text;
    std::string id; // attr_id
    std::string href;
    std::string name; // attr__name
    std::vector<std::pair<std::string, std::string>> attrs; // attr__* without the prefix, in chain order
    std::vector<std::string> classes;
    std::optional<int> nthChild;
    std::optional<int> nthOfType;

    // A CSS selector for this element alone: `[data-tour-id="x"]`, `#id`, or `tag.class`.
    std::string selector;

    const std::string* attr(std::string_view key) const
    {
        for (const auto& [k, v] : attrs)
            if (k == key)
                return &v;
        return nullptr;
    }
    bool operator==(const Element&) const = default;
};

// One normalised user event (SPEC §1).
struct Action {
    std::int64_t index = -1; // position in its session, assigned by the SessionBook
    ActionType type = ActionType::Custom;
    std::string event; // the PostHog event name ($pageview, $autocapture, custom name)
    std::string uuid; // PostHog event uuid, for de-duplication; may be empty
    std::string title; // short label: "Clicked button", "Viewed page"
    std::string description; // "Clicked button 'Add Project' on /projects"
    Timestamp timestampStart {};
    Timestamp timestampEnd {}; // next action's start, or = start for the latest
    std::string rawUrl;
    std::string canonicalUrl;
    std::string sessionId;
    std::string distinctId;
    std::string email; // person property to set: $set.email, the person's or the event's email
    // Identity only, never stored with the action (SPEC §8 §1 Identity):
    std::string emailOnce; // $set_once.email: taken only when no email is known yet
    // Another distinct id of the same person: $identify's $anon_distinct_id,
    // the alias of $create_alias / $merge_dangerously.
    std::string linkedDistinctId;
    Element element; // the target element (first of the chain), empty for pageviews
    std::string elementsChain; // the raw chain; the store parses it once (ActionDetails) for the matchers
    // Scalar event properties that are not PostHog's own `$` properties,
    // stringified (numbers as JSON would print them, booleans as true/false).
    std::vector<std::pair<std::string, std::string>> properties;

    const std::string* property(std::string_view key) const
    {
        for (const auto& [k, v] : properties)
            if (k == key)
                return &v;
        return nullptr;
    }
};

} // namespace proactive
