#include "triggers/condition.h"

#include "base/jsonreader.h"
#include "intake/canonicalurl.h"
#include "triggers/builtinconditions.h"
#include "triggers/eventmatcher.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace proactive {

EvaluationScope::EvaluationScope(const EvaluationContext& context)
    : m_context(context)
    , m_actions(context.actions.size() > kMaxActions ? context.actions.last(kMaxActions) : context.actions)
{ }

std::string formatSeconds(Duration duration)
{
    const auto ms = duration.count();
    const auto whole = ms / 1000;
    auto fraction = ms % 1000;
    std::string text = (ms < 0 && whole == 0 ? "-" : "") + std::to_string(whole);
    if (fraction != 0) {
        fraction = fraction < 0 ? -fraction : fraction;
        char digits[8];
        std::snprintf(digits, sizeof digits, ".%03d", static_cast<int>(fraction));
        std::string_view f(digits);
        while (f.ends_with('0'))
            f.remove_suffix(1);
        text += f;
    }
    return text;
}

std::string plural(std::size_t count, std::string_view one, std::string_view many)
{
    return std::to_string(count) + ' ' + std::string(count == 1 ? one : many);
}

std::string_view displayPath(std::string_view url)
{
    return url.find("://") == std::string_view::npos ? url : urlPath(url);
}

namespace {

    constexpr std::size_t kMaxChildren = 64;
    constexpr std::size_t kMaxSteps = 16;
    constexpr double kMaxWindowSeconds = 86400;

    const char* compare(bool holds, const char* yes, const char* no)
    {
        return holds ? yes : no;
    }

    // A child's explanation lives only while its parent's is built.
    ConditionExplanation* explanationOf(std::optional<ConditionExplanation>& child)
    {
        return child ? &*child : nullptr;
    }

    class AllCondition final : public Condition {
    public:
        explicit AllCondition(std::vector<std::unique_ptr<const Condition>> children)
            : m_children(std::move(children))
        { }

        bool evaluate(EvaluationScope& scope, ConditionExplanation* out, const PlaybookSection*& section) const override
        {
            std::size_t matched = 0;
            const PlaybookSection* chosen = nullptr;
            for (const auto& child : m_children) {
                std::optional<ConditionExplanation> childOut;
                if (out)
                    childOut.emplace();
                const PlaybookSection* childSection = nullptr;
                const bool childMatched = child->evaluate(scope, explanationOf(childOut), childSection);
                if (childMatched) {
                    ++matched;
                    chosen = chosen ? chosen : childSection;
                }
                if (out)
                    out->children.push_back(std::move(*childOut));
                else if (!childMatched)
                    break;
            }
            const bool all = matched == m_children.size();
            if (all && chosen)
                section = chosen;
            if (out) {
                out->matched = all;
                out->observed = matched;
                out->threshold = m_children.size();
                out->kind = "all";
                out->label = "all of";
                out->summary = std::to_string(matched) + "/" + std::to_string(m_children.size())
                    + " conditions hold (all needed)";
            }
            return all;
        }

        bool providesBody() const override
        {
            return std::any_of(m_children.begin(), m_children.end(), [](const auto& c) { return c->providesBody(); });
        }

    private:
        std::vector<std::unique_ptr<const Condition>> m_children;
    };

    class AnyCondition final : public Condition {
    public:
        explicit AnyCondition(std::vector<std::unique_ptr<const Condition>> children)
            : m_children(std::move(children))
        { }

        bool evaluate(EvaluationScope& scope, ConditionExplanation* out, const PlaybookSection*& section) const override
        {
            std::size_t matched = 0;
            const PlaybookSection* chosen = nullptr;
            for (const auto& child : m_children) {
                std::optional<ConditionExplanation> childOut;
                if (out)
                    childOut.emplace();
                const PlaybookSection* childSection = nullptr;
                const bool childMatched = child->evaluate(scope, explanationOf(childOut), childSection);
                if (childMatched && matched++ == 0)
                    chosen = childSection;
                if (out)
                    out->children.push_back(std::move(*childOut));
                else if (childMatched)
                    break;
            }
            if (chosen)
                section = chosen;
            if (out) {
                out->matched = matched > 0;
                out->observed = matched;
                out->threshold = 1;
                out->kind = "any";
                out->label = "any of";
                out->summary = std::to_string(matched) + "/" + std::to_string(m_children.size())
                    + " conditions hold (one is enough)";
            }
            return matched > 0;
        }

        bool providesBody() const override
        {
            return std::all_of(m_children.begin(), m_children.end(), [](const auto& c) { return c->providesBody(); });
        }

    private:
        std::vector<std::unique_ptr<const Condition>> m_children;
    };

    // A negated condition never supplies a section: "not on the settings
    // page" has no settings text to offer.
    class NotCondition final : public Condition {
    public:
        explicit NotCondition(std::unique_ptr<const Condition> child)
            : m_child(std::move(child))
        { }

        bool evaluate(EvaluationScope& scope, ConditionExplanation* out, const PlaybookSection*&) const override
        {
            std::optional<ConditionExplanation> childOut;
            if (out)
                childOut.emplace();
            const PlaybookSection* ignored = nullptr;
            const bool inner = m_child->evaluate(scope, explanationOf(childOut), ignored);
            if (out) {
                out->matched = !inner;
                out->observed = inner;
                out->kind = "not";
                out->label = "not";
                out->summary
                    = inner ? "the inner condition holds, so this does not" : "the inner condition does not hold";
                out->children.push_back(std::move(*childOut));
            }
            return !inner;
        }

    private:
        std::unique_ptr<const Condition> m_child;
    };

    std::string describeAction(const ActionRecord& action)
    {
        std::string text(nameOf(action.type));
        if (action.type == ActionType::Custom && !action.event.empty())
            text += " " + action.event.get();
        if (!action.canonicalUrl.empty())
            text += " on " + std::string(displayPath(action.canonicalUrl));
        return text;
    }

    // The current activity: the last action matches.
    class EventCondition final : public Condition {
    public:
        explicit EventCondition(EventMatcher matcher)
            : m_matcher(std::move(matcher))
        { }

        bool evaluate(EvaluationScope& scope, ConditionExplanation* out, const PlaybookSection*&) const override
        {
            const auto actions = scope.actions();
            const bool matched = !actions.empty() && m_matcher.matches(scope, actions.size() - 1);
            if (out) {
                out->matched = matched;
                out->kind = "event";
                out->label = "last action is " + m_matcher.describe();
                if (actions.empty()) {
                    out->summary = "no activity";
                } else {
                    out->observed = describeAction(actions.back());
                    out->summary = "last action (" + describeAction(actions.back()) + ")"
                        + (matched ? " matches" : " does not match");
                }
            }
            return matched;
        }

    private:
        EventMatcher m_matcher;
    };

    class CountCondition final : public Condition {
    public:
        CountCondition(EventMatcher matcher, std::optional<Duration> within, std::optional<std::int64_t> atLeast,
            std::optional<std::int64_t> atMost)
            : m_matcher(std::move(matcher))
            , m_within(within)
            , m_atLeast(atLeast)
            , m_atMost(atMost)
        { }

        bool evaluate(EvaluationScope& scope, ConditionExplanation* out, const PlaybookSection*&) const override
        {
            const auto actions = scope.actions();
            std::int64_t count = 0;
            EventMatcher::Pass pass(m_matcher);
            for (const ActionRecord& action : actions) {
                if (m_within && action.timestampStart < scope.now() - *m_within)
                    continue;
                if (pass.matches(action))
                    ++count;
            }
            const bool enough = !m_atLeast || count >= *m_atLeast;
            const bool fewEnough = !m_atMost || count <= *m_atMost;
            if (out) {
                out->matched = enough && fewEnough;
                out->observed = count;
                out->threshold = m_atLeast ? *m_atLeast : *m_atMost;
                out->kind = "count";
                out->label = "count of " + m_matcher.describe()
                    + (m_within ? " in the last " + formatSeconds(*m_within) + " s" : std::string());
                std::string summary = std::to_string(count) + " " + m_matcher.noun(count != 1)
                    + (m_within ? " in " + formatSeconds(*m_within) + " s" : std::string(" in the recent activity"));
                if (m_atLeast)
                    summary += compare(enough, " ≥ ", " < ") + std::to_string(*m_atLeast);
                if (m_atMost)
                    summary += std::string(m_atLeast ? "," : "") + compare(fewEnough, " ≤ ", " > ")
                        + std::to_string(*m_atMost);
                out->summary = std::move(summary);
                out->details = nlohmann::json::object();
                if (m_atLeast)
                    out->details["at_least"] = *m_atLeast;
                if (m_atMost)
                    out->details["at_most"] = *m_atMost;
                if (m_within)
                    out->details["within_s"] = toSeconds(*m_within);
            }
            return enough && fewEnough;
        }

    private:
        EventMatcher m_matcher;
        std::optional<Duration> m_within;
        std::optional<std::int64_t> m_atLeast;
        std::optional<std::int64_t> m_atMost;
    };

    // Steps in order, other actions allowed in between. For each step the
    // latest start of a partial match is kept: for a given last step that
    // start gives the shortest span, so one pass finds whether any ordered
    // match fits the window.
    class SequenceCondition final : public Condition {
    public:
        SequenceCondition(std::vector<EventMatcher> steps, std::optional<Duration> within)
            : m_steps(std::move(steps))
            , m_within(within)
        { }

        bool evaluate(EvaluationScope& scope, ConditionExplanation* out, const PlaybookSection*&) const override
        {
            const auto actions = scope.actions();
            const std::size_t k = m_steps.size();
            std::array<std::optional<Timestamp>, kMaxSteps> latestStart {};
            std::size_t depth = 0;
            std::optional<Duration> shortest;
            for (std::size_t i = 0; i < actions.size(); ++i) {
                const Timestamp t = actions[i].timestampStart;
                for (std::size_t j = k; j-- > 0;) {
                    if (j > 0 && !latestStart[j - 1])
                        continue;
                    if (!m_steps[j].matches(scope, i))
                        continue;
                    const Timestamp start = j == 0 ? t : *latestStart[j - 1];
                    depth = std::max(depth, j + 1);
                    if (j == k - 1) {
                        const Duration span = t - start;
                        shortest = shortest ? std::min(*shortest, span) : span;
                    } else {
                        latestStart[j] = latestStart[j] ? std::max(*latestStart[j], start) : start;
                    }
                }
            }
            const bool complete = depth == k;
            const bool inTime = complete && (!m_within || *shortest <= *m_within);
            if (out) {
                out->matched = inTime;
                out->observed = depth;
                out->threshold = k;
                out->kind = "sequence";
                out->label = "in order: ";
                for (std::size_t j = 0; j < k; ++j)
                    out->label += (j ? " → " : "") + m_steps[j].describe();
                if (m_within)
                    out->label += " within " + formatSeconds(*m_within) + " s";
                std::string summary = std::to_string(depth) + "/" + std::to_string(k) + " steps in order";
                if (complete && m_within)
                    summary += ", fastest in " + formatSeconds(*shortest) + " s" + compare(inTime, " ≤ ", " > ")
                        + formatSeconds(*m_within) + " s";
                else if (complete)
                    summary += " in " + formatSeconds(*shortest) + " s";
                out->summary = std::move(summary);
                if (complete)
                    out->details = { { "span_s", toSeconds(*shortest) } };
            }
            return inTime;
        }

    private:
        std::vector<EventMatcher> m_steps;
        std::optional<Duration> m_within;
    };

    // Time on the current page: from the start of the trailing run of
    // actions on the last action's canonical URL until now.
    class DwellCondition final : public Condition {
    public:
        DwellCondition(EventMatcher page, Duration atLeast)
            : m_page(std::move(page))
            , m_atLeast(atLeast)
        { }

        bool evaluate(EvaluationScope& scope, ConditionExplanation* out, const PlaybookSection*&) const override
        {
            const auto actions = scope.actions();
            if (out) {
                out->matched = false;
                out->threshold = toSeconds(m_atLeast);
                out->kind = "dwell";
                out->label = "time on " + (m_page.empty() ? std::string("the current page") : m_page.describe());
            }
            if (actions.empty() || isBlank(actions.back().canonicalUrl)) {
                if (out)
                    out->summary = actions.empty() ? "no activity" : "the last action has no URL";
                return false;
            }
            const ActionRecord& last = actions.back();
            if (!m_page.matchesPage(last)) {
                if (out)
                    out->summary = "current page " + std::string(displayPath(last.canonicalUrl)) + " does not match";
                return false;
            }
            const PageRun run = trailingPageRun(actions);
            const Duration dwell = scope.now() - actions[run.first].timestampStart;
            const bool matched = dwell >= m_atLeast;
            if (out) {
                out->matched = matched;
                out->observed = toSeconds(dwell);
                out->summary = "on " + std::string(displayPath(last.canonicalUrl)) + " for " + formatSeconds(dwell)
                    + " s" + compare(matched, " ≥ ", " < ") + formatSeconds(m_atLeast) + " s";
            }
            return matched;
        }

    private:
        EventMatcher m_page;
        Duration m_atLeast;
    };

    class IdleCondition final : public Condition {
    public:
        explicit IdleCondition(Duration atLeast)
            : m_atLeast(atLeast)
        { }

        bool evaluate(EvaluationScope& scope, ConditionExplanation* out, const PlaybookSection*&) const override
        {
            const auto actions = scope.actions();
            if (out) {
                out->threshold = toSeconds(m_atLeast);
                out->matched = false;
                out->kind = "idle";
                out->label = "time since the last action";
            }
            if (actions.empty()) {
                if (out)
                    out->summary = "no activity";
                return false;
            }
            const Duration idle = scope.now() - actions.back().timestampStart;
            const bool matched = idle >= m_atLeast;
            if (out) {
                out->matched = matched;
                out->observed = toSeconds(idle);
                out->summary = "idle " + formatSeconds(idle) + " s" + compare(matched, " ≥ ", " < ")
                    + formatSeconds(m_atLeast) + " s";
            }
            return matched;
        }

    private:
        Duration m_atLeast;
    };

    bool sameTarget(const ActionRecord& a, const ActionRecord& b)
    {
        if (a.canonicalUrl != b.canonicalUrl)
            return false;
        if (!a.elementsChain().empty() || !b.elementsChain().empty())
            return a.elementsChain() == b.elementsChain();
        return a.element() == b.element();
    }

    // `clicks` clicks within `within` (on one element when same_element);
    // a `$rageclick` is PostHog's own verdict on such a burst and counts as
    // one by itself.
    class RageClickCondition final : public Condition {
    public:
        RageClickCondition(std::optional<EventMatcher> of, std::int64_t clicks, Duration within, bool sameElement)
            : m_of(std::move(of))
            , m_clicks(clicks)
            , m_within(within)
            , m_sameElement(sameElement)
        { }

        bool evaluate(EvaluationScope& scope, ConditionExplanation* out, const PlaybookSection*&) const override
        {
            const auto actions = scope.actions();
            std::vector<std::size_t> clicks;
            bool recorded = false;
            for (std::size_t i = 0; i < actions.size(); ++i) {
                const ActionRecord& a = actions[i];
                const bool rage = a.type == ActionType::RageClick || a.event == "$rageclick";
                if ((rage || a.type == ActionType::Click) && (!m_of || m_of->matches(scope, i))) {
                    if (rage)
                        recorded = true;
                    else
                        clicks.push_back(i);
                }
            }
            std::int64_t burst = 0;
            for (std::size_t end = 0; end < clicks.size(); ++end) {
                const ActionRecord& last = actions[clicks[end]];
                std::int64_t n = 0;
                for (std::size_t j = end + 1; j-- > 0;) {
                    const ActionRecord& a = actions[clicks[j]];
                    if (last.timestampStart - a.timestampStart > m_within)
                        break;
                    if (!m_sameElement || sameTarget(a, last))
                        ++n;
                }
                burst = std::max(burst, n);
            }
            const bool matched = recorded || burst >= m_clicks;
            if (out) {
                out->matched = matched;
                out->observed = recorded ? std::max(burst, m_clicks) : burst;
                out->threshold = m_clicks;
                out->kind = "rage_click";
                out->label = std::to_string(m_clicks) + " clicks within " + formatSeconds(m_within) + " s"
                    + (m_sameElement ? " on the same element" : "") + (m_of ? " · " + m_of->describe() : "");
                out->summary = recorded ? std::string("PostHog recorded a $rageclick")
                                        : std::to_string(burst) + (burst == 1 ? " click" : " clicks") + " within "
                        + formatSeconds(m_within) + " s" + (m_sameElement ? " on one element" : "")
                        + compare(matched, " ≥ ", " < ") + std::to_string(m_clicks);
            }
            return matched;
        }

    private:
        std::optional<EventMatcher> m_of;
        std::int64_t m_clicks;
        Duration m_within;
        bool m_sameElement;
    };

    constexpr std::array<std::string_view, 9> kConditionKeys {
        "all",
        "any",
        "not",
        "event",
        "count",
        "sequence",
        "dwell",
        "idle",
        "rage_click",
    };

    std::string conditionKeyList()
    {
        std::string list;
        for (auto key : kConditionKeys)
            list += (list.empty() ? "" : ", ") + std::string(key);
        return list;
    }

    std::optional<EventMatcher> readMatcherObject(
        const nlohmann::json& json, const std::string& pointer, ConditionParser& parser, EventMatcher::Fields fields)
    {
        auto reader = parser.reader(json, pointer);
        auto matcher = EventMatcher::read(reader, parser, fields);
        reader.finish();
        return matcher;
    }

    std::unique_ptr<const Condition> compileList(std::string_view key, const nlohmann::json& value,
        const std::string& pointer, ConditionParser& parser, int depth)
    {
        if (!value.is_array() || value.empty()) {
            parser.error(pointer,
                "expected a non-empty array of conditions, found "
                    + (value.is_array() ? std::string("an empty array") : std::string(jsonTypeName(value))));
            return nullptr;
        }
        if (value.size() > kMaxChildren) {
            parser.error(pointer,
                "too many conditions: " + std::to_string(value.size()) + ", at most " + std::to_string(kMaxChildren));
            return nullptr;
        }
        std::vector<std::unique_ptr<const Condition>> children;
        bool ok = true;
        for (std::size_t i = 0; i < value.size(); ++i) {
            auto child = compileCondition(value[i], jsonPointer(pointer, i), parser, depth + 1);
            ok = ok && child;
            children.push_back(std::move(child));
        }
        if (!ok)
            return nullptr;
        if (key == "all")
            return std::make_unique<AllCondition>(std::move(children));
        return std::make_unique<AnyCondition>(std::move(children));
    }

    std::optional<Duration> readWindow(JsonObjectReader& reader, std::string_view key, bool required = false)
    {
        return readSeconds(reader, key, 0.001, kMaxWindowSeconds, required);
    }

    std::unique_ptr<const Condition> compileCount(
        const nlohmann::json& value, const std::string& pointer, ConditionParser& parser)
    {
        const std::size_t before = parser.diagnostics.size();
        auto reader = parser.reader(value, pointer);
        std::optional<EventMatcher> of;
        if (const auto* matcher = reader.value("of"))
            of = readMatcherObject(*matcher, jsonPointer(pointer, "of"), parser, EventMatcher::Fields::Event);
        const auto within = readWindow(reader, "within_s");
        const auto atLeast = readInteger(reader, "at_least", 0, 100000);
        const auto atMost = readInteger(reader, "at_most", 0, 100000);
        if (reader.valid() && !reader.has("at_least") && !reader.has("at_most"))
            reader.error("", "needs at_least, at_most or both");
        if (atLeast && atMost && *atLeast > *atMost)
            reader.error("at_most",
                "at_most (" + std::to_string(*atMost) + ") is below at_least (" + std::to_string(*atLeast)
                    + "), so it can never hold");
        reader.finish();
        if (parser.diagnostics.size() != before)
            return nullptr;
        return std::make_unique<CountCondition>(of ? std::move(*of) : EventMatcher(), within, atLeast, atMost);
    }

    std::unique_ptr<const Condition> compileSequence(
        const nlohmann::json& value, const std::string& pointer, ConditionParser& parser)
    {
        const std::size_t before = parser.diagnostics.size();
        auto reader = parser.reader(value, pointer);
        std::vector<EventMatcher> steps;
        if (const auto* list = reader.value("steps")) {
            const std::string at = jsonPointer(pointer, "steps");
            if (!list->is_array() || list->empty()) {
                parser.error(at,
                    "expected a non-empty array of event matchers, found "
                        + (list->is_array() ? std::string("an empty array") : std::string(jsonTypeName(*list))));
            } else if (list->size() > kMaxSteps) {
                parser.error(
                    at, "too many steps: " + std::to_string(list->size()) + ", at most " + std::to_string(kMaxSteps));
            } else {
                for (std::size_t i = 0; i < list->size(); ++i)
                    if (auto step
                        = readMatcherObject((*list)[i], jsonPointer(at, i), parser, EventMatcher::Fields::Event))
                        steps.push_back(std::move(*step));
            }
        } else if (reader.valid()) {
            reader.error("steps", "missing required field (an array of event matchers)");
        }
        const auto within = readWindow(reader, "within_s");
        reader.finish();
        if (parser.diagnostics.size() != before)
            return nullptr;
        return std::make_unique<SequenceCondition>(std::move(steps), within);
    }

    std::unique_ptr<const Condition> compileDwell(
        const nlohmann::json& value, const std::string& pointer, ConditionParser& parser)
    {
        const std::size_t before = parser.diagnostics.size();
        auto reader = parser.reader(value, pointer);
        auto page = EventMatcher::read(reader, parser, EventMatcher::Fields::Page);
        const auto atLeast = readSeconds(reader, "at_least_s", 0, kMaxDurationSeconds, true);
        reader.finish();
        if (parser.diagnostics.size() != before || !page)
            return nullptr;
        return std::make_unique<DwellCondition>(std::move(*page), *atLeast);
    }

    std::unique_ptr<const Condition> compileIdle(
        const nlohmann::json& value, const std::string& pointer, ConditionParser& parser)
    {
        const std::size_t before = parser.diagnostics.size();
        auto reader = parser.reader(value, pointer);
        const auto atLeast = readSeconds(reader, "at_least_s", 0, kMaxDurationSeconds, true);
        reader.finish();
        if (parser.diagnostics.size() != before)
            return nullptr;
        return std::make_unique<IdleCondition>(*atLeast);
    }

    std::unique_ptr<const Condition> compileRageClick(
        const nlohmann::json& value, const std::string& pointer, ConditionParser& parser)
    {
        const std::size_t before = parser.diagnostics.size();
        auto reader = parser.reader(value, pointer);
        std::optional<EventMatcher> of;
        if (const auto* matcher = reader.value("of"))
            of = readMatcherObject(*matcher, jsonPointer(pointer, "of"), parser, EventMatcher::Fields::Target);
        const auto clicks
            = reader.has("clicks") ? readInteger(reader, "clicks", 2, 100) : std::optional<std::int64_t>(3);
        const auto within = reader.has("within_s") ? readSeconds(reader, "within_s", 0.001, 60)
                                                   : std::optional<Duration>(std::chrono::seconds(2));
        const auto sameElement = reader.boolean("same_element");
        reader.finish();
        if (parser.diagnostics.size() != before)
            return nullptr;
        return std::make_unique<RageClickCondition>(std::move(of), *clicks, *within, sameElement.value_or(true));
    }

} // namespace

std::unique_ptr<const Condition> compileCondition(
    const nlohmann::json& json, const std::string& pointer, ConditionParser& parser, int depth)
{
    if (depth > ConditionParser::kMaxDepth) {
        parser.error(
            pointer, "conditions nested deeper than " + std::to_string(ConditionParser::kMaxDepth) + " levels");
        return nullptr;
    }
    if (++parser.nodes == ConditionParser::kMaxNodes + 1)
        parser.error(pointer, "more than " + std::to_string(ConditionParser::kMaxNodes) + " conditions in one trigger");
    if (parser.nodes > ConditionParser::kMaxNodes)
        return nullptr;
    if (!json.is_object()) {
        parser.error(pointer, "expected a condition object, found " + std::string(jsonTypeName(json)));
        return nullptr;
    }
    if (json.contains("type"))
        return compileBuiltinCondition(json, pointer, parser);
    if (json.size() != 1) {
        std::string keys;
        for (const auto& [key, unused] : json.items())
            keys += (keys.empty() ? "" : ", ") + key;
        parser.error(pointer,
            json.empty() ? "empty condition: expected one of " + conditionKeyList() + " or a built-in {\"type\": ...}"
                         : "a condition has exactly one key (" + conditionKeyList() + "), found " + keys);
        return nullptr;
    }
    const auto entry = json.begin();
    const std::string& key = entry.key();
    const nlohmann::json& value = entry.value();
    const std::string at = jsonPointer(pointer, key);
    if (key == "all" || key == "any")
        return compileList(key, value, at, parser, depth);
    if (key == "not") {
        auto child = compileCondition(value, at, parser, depth + 1);
        if (!child)
            return nullptr;
        return std::make_unique<NotCondition>(std::move(child));
    }
    if (key == "event") {
        auto matcher = readMatcherObject(value, at, parser, EventMatcher::Fields::Event);
        if (!matcher)
            return nullptr;
        return std::make_unique<EventCondition>(std::move(*matcher));
    }
    if (key == "count")
        return compileCount(value, at, parser);
    if (key == "sequence")
        return compileSequence(value, at, parser);
    if (key == "dwell")
        return compileDwell(value, at, parser);
    if (key == "idle")
        return compileIdle(value, at, parser);
    if (key == "rage_click")
        return compileRageClick(value, at, parser);
    parser.error(at, "unknown condition (expected one of " + conditionKeyList() + " or a built-in {\"type\": ...})");
    return nullptr;
}

} // namespace proactive
