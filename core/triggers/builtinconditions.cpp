#include "triggers/builtinconditions.h"

#include "base/jsonreader.h"
#include "triggers/eventmatcher.h"
#include "triggers/triggerjson.h"

#include <array>
#include <map>
#include <utility>
#include <vector>

namespace proactive {

namespace {

    constexpr std::size_t kMaxRules = 256;
    constexpr std::size_t kMaxSections = 256;
    constexpr std::size_t kMaxBodyBytes = 4000;
    constexpr std::size_t kShownUrls = 8;

    // What canonical_url_ping_pong counts over: every action (the reference
    // rule), or visits, where consecutive actions on one canonical URL are
    // one visit (autocapture sends a page's pageview and the click that
    // leaves it, so a,b,a by clicking links is a,a,b,b,a).
    enum class PingPongUnit { Actions, Visits };

    // Over the canonical URLs of the actions, blanks dropped (and over
    // visits, consecutive equal ones folded), no de-duplication: i is a
    // cycle when s[i] == s[i+2] != s[i+1]. One pass, no allocation: this
    // runs on every poll. URLs are compared as Interned values: a store's
    // records share one value per URL, so equal ones are equal pointers.
    struct CycleCount {
        std::size_t steps = 0; // URLs, or visits
        std::int64_t cycles = 0;
        std::array<const Interned<std::string>*, 3> last {}; // the last cycle's a, b, a
    };

    // The pass goes a run of actions on one URL at a time (a pageview and
    // the clicks on its page): within a run it only compares each record's
    // URL with the run's, equal pointers, and a run closes no cycle after
    // its first action. Counted in locals, stored once: the result may
    // alias what the loop reads as far as the compiler knows.
    CycleCount countCycles(std::span<const ActionRecord> actions, PingPongUnit unit)
    {
        std::size_t steps = 0;
        std::int64_t cycles = 0;
        std::array<const Interned<std::string>*, 3> last {};
        const Interned<std::string>* beforePrevious = nullptr;
        const Interned<std::string>* previous = nullptr;
        // Blank URLs since `previous`: only then may a run repeat its URL
        // (without blanks, runs end where the URL changes).
        bool afterBlanks = false;
        for (std::size_t i = 0; i < actions.size();) {
            const Interned<std::string>& url = actions[i].canonicalUrl;
            std::size_t end = i + 1;
            while (end < actions.size() && actions[end].canonicalUrl == url)
                ++end;
            const Interned<std::string>& runLast = actions[end - 1].canonicalUrl;
            const std::size_t run = end - i;
            i = end;
            if (isBlank(url)) {
                afterBlanks = true;
                continue;
            }
            const bool repeat = afterBlanks && previous && url == *previous;
            afterBlanks = false;
            if (!repeat) {
                ++steps;
                if (beforePrevious && url == *beforePrevious) {
                    ++cycles;
                    last = { beforePrevious, previous, &url };
                }
                beforePrevious = previous;
                previous = &url;
            }
            // The rest of the run repeats the URL just counted: over
            // actions each is a step that closes no cycle; over visits,
            // nothing.
            const std::size_t repeats = repeat ? run : run - 1;
            if (unit == PingPongUnit::Actions && repeats > 0) {
                steps += repeats;
                beforePrevious = previous;
                previous = &runLast;
            }
        }
        return { steps, cycles, last };
    }

    class PingPongCondition final : public Condition {
    public:
        PingPongCondition(std::int64_t minCycles, PingPongUnit unit)
            : m_minCycles(minCycles)
            , m_unit(unit)
        { }

        bool evaluate(EvaluationScope& scope, ConditionExplanation* out, const PlaybookSection*&) const override
        {
            const CycleCount count = countCycles(scope.actions(), m_unit);
            const bool matched = count.steps >= 3 && count.cycles >= m_minCycles;
            if (out) {
                out->matched = matched;
                out->observed = count.cycles;
                out->threshold = m_minCycles;
                explain(scope, count.steps, count.cycles, *out);
            }
            return matched;
        }

    private:
        void explain(EvaluationScope& scope, std::size_t steps, std::int64_t cycles, ConditionExplanation& out) const
        {
            const bool visits = m_unit == PingPongUnit::Visits;
            out.kind = "canonical_url_ping_pong";
            out.label = visits ? "back and forth between pages (a → b → a, over visits)"
                               : "back and forth between pages (a → b → a)";
            nlohmann::json sequence = nlohmann::json::array();
            for (const ActionRecord& action : scope.actions())
                if (!isBlank(action.canonicalUrl))
                    sequence.push_back(action.canonicalUrl);
            out.details = { { "urls", sequence } };
            if (visits)
                out.details["over"] = "visits";
            if (steps < 3) {
                out.summary = visits ? plural(steps, "visit", "visits") + " in the activity; a cycle needs 3"
                                     : plural(steps, "page", "pages") + " in the activity; a cycle needs 3";
                return;
            }
            // Repeats of one page (clicks on it) are shown once with their
            // count: they are in the sequence, but no cycle can use them.
            std::vector<std::pair<std::string, std::size_t>> runs;
            for (const nlohmann::json& url : sequence) {
                std::string path(displayPath(url.get_ref<const std::string&>()));
                if (!runs.empty() && runs.back().first == path)
                    ++runs.back().second;
                else
                    runs.emplace_back(std::move(path), 1);
            }
            std::string shown;
            const std::size_t from = runs.size() > kShownUrls ? runs.size() - kShownUrls : 0;
            if (from > 0)
                shown = "… → ";
            for (std::size_t i = from; i < runs.size(); ++i) {
                if (i > from)
                    shown += " → ";
                shown += runs[i].first;
                if (runs[i].second > 1)
                    shown += " ×" + std::to_string(runs[i].second);
            }
            out.summary = plural(static_cast<std::size_t>(cycles), "cycle", "cycles") + (out.matched ? " ≥ " : " < ")
                + std::to_string(m_minCycles) + (visits ? " over visits in " : " in ") + shown;
            if (!out.matched && !visits)
                suggestVisits(scope, out);
        }

        // Why not: the reference rule saw no cycle, but the same activity
        // counted over visits would have fired — the usual case with
        // autocapture, so the explanation names the option and the cycle.
        void suggestVisits(EvaluationScope& scope, ConditionExplanation& out) const
        {
            const CycleCount visits = countCycles(scope.actions(), PingPongUnit::Visits);
            if (visits.cycles < m_minCycles)
                return;
            out.summary += "; over visits (\"over\": \"visits\") it would have fired: "
                + std::string(displayPath(*visits.last[0])) + " → " + std::string(displayPath(*visits.last[1])) + " → "
                + std::string(displayPath(*visits.last[2]));
        }

        std::int64_t m_minCycles;
        PingPongUnit m_unit;
    };

    class PageDwellCondition final : public Condition {
    public:
        PageDwellCondition(double thresholdSeconds, std::int64_t maxActions)
            : m_thresholdSeconds(thresholdSeconds)
            , m_threshold(fromSeconds(thresholdSeconds > 0 ? thresholdSeconds : 0))
            , m_maxActions(maxActions)
        { }

        bool evaluate(EvaluationScope& scope, ConditionExplanation* out, const PlaybookSection*&) const override
        {
            if (out) {
                out->matched = false;
                out->threshold = m_thresholdSeconds;
                out->kind = "user_page_dwell";
                out->label = "time on the current page";
            }
            if (m_thresholdSeconds <= 0) {
                if (out)
                    out->summary = "disabled (threshold_s ≤ 0)";
                return false;
            }
            const auto actions = scope.actions();
            if (actions.empty() || isBlank(actions.back().canonicalUrl)) {
                if (out)
                    out->summary = actions.empty() ? "no activity" : "the last action has no URL";
                return false;
            }
            const PageRun run = trailingPageRun(actions);
            const ActionRecord& first = actions[run.first];
            const ActionRecord& last = actions.back();
            const Duration dwell = run.count == 1 && last.timestampEnd <= last.timestampStart
                ? scope.now() - last.timestampStart
                : last.timestampEnd - first.timestampStart;
            const bool fewEnough = run.count <= static_cast<std::size_t>(m_maxActions);
            const bool longEnough = dwell >= m_threshold;
            const bool matched = fewEnough && longEnough;
            if (out) {
                out->matched = matched;
                out->observed = toSeconds(dwell);
                out->summary = "dwell " + formatSeconds(dwell) + " s " + (longEnough ? "≥ " : "< ")
                    + formatSeconds(m_threshold) + " s on " + std::string(displayPath(last.canonicalUrl)) + " ("
                    + plural(run.count, "action", "actions") + (fewEnough ? " ≤ " : " > ")
                    + std::to_string(m_maxActions) + ")";
                out->details
                    = { { "url", last.canonicalUrl }, { "actions", run.count }, { "max_actions", m_maxActions } };
            }
            return matched;
        }

    private:
        double m_thresholdSeconds;
        Duration m_threshold;
        std::int64_t m_maxActions;
    };

    class PlaybookCondition final : public Condition {
    public:
        struct Rule {
            ConfiguredUrl prefix;
            std::size_t section = 0;
        };

        PlaybookCondition(std::vector<Rule> rules, std::vector<PlaybookSection> sections)
            : m_rules(std::move(rules))
            , m_sections(std::move(sections))
        { }

        bool evaluate(EvaluationScope& scope, ConditionExplanation* out, const PlaybookSection*& section) const override
        {
            if (out) {
                out->matched = false;
                out->kind = "section_playbook_match";
                out->label = "the current page's section";
            }
            const auto actions = scope.actions();
            if (actions.empty() || isBlank(actions.back().canonicalUrl)) {
                if (out)
                    out->summary = actions.empty() ? "no activity" : "the last action has no URL";
                return false;
            }
            const std::string& url = actions.back().canonicalUrl;
            for (std::size_t i = 0; i < m_rules.size(); ++i) {
                if (!urlHasPrefix(url, m_rules[i].prefix))
                    continue;
                const PlaybookSection& chosen = m_sections[m_rules[i].section];
                section = &chosen;
                if (out) {
                    out->matched = true;
                    out->observed = chosen.name;
                    out->summary = std::string(displayPath(url)) + " → section \"" + chosen.name + "\" (rule "
                        + std::to_string(i + 1) + ": " + m_rules[i].prefix.text + ")";
                    out->details = { { "url", url }, { "rule", i + 1 }, { "section", chosen.name } };
                }
                return true;
            }
            if (out) {
                out->summary = "no rule matches " + std::string(displayPath(url));
                out->details = { { "url", url } };
            }
            return false;
        }

        bool providesBody() const override { return true; }

    private:
        std::vector<Rule> m_rules;
        std::vector<PlaybookSection> m_sections;
    };

    std::unique_ptr<const Condition> compilePingPong(JsonObjectReader& reader)
    {
        const auto minCycles
            = reader.has("min_cycles") ? readInteger(reader, "min_cycles", 1, 1000) : std::optional<std::int64_t>(1);
        std::optional<PingPongUnit> unit = PingPongUnit::Actions;
        if (reader.has("over")) {
            const auto over = reader.string("over");
            if (over == "visits")
                unit = PingPongUnit::Visits;
            else if (over != "actions") {
                unit.reset();
                if (over)
                    reader.error("over", "unknown value \"" + *over + "\" (expected \"actions\" or \"visits\")");
            }
        }
        reader.finish();
        if (!minCycles || !unit)
            return nullptr;
        return std::make_unique<PingPongCondition>(*minCycles, *unit);
    }

    std::unique_ptr<const Condition> compileDwell(JsonObjectReader& reader)
    {
        // Any value ≤ 0 is accepted: it disables the condition (SPEC §6).
        const bool hasThreshold = reader.has("threshold_s");
        const auto threshold = reader.number("threshold_s", -kMaxDurationSeconds, kMaxDurationSeconds);
        const bool hasMax = reader.has("max_actions");
        const auto maxActions = readInteger(reader, "max_actions", 1, 1000);
        reader.finish();
        if ((hasThreshold && !threshold) || (hasMax && !maxActions))
            return nullptr;
        return std::make_unique<PageDwellCondition>(threshold.value_or(60.0), maxActions.value_or(5));
    }

    std::unique_ptr<const Condition> compilePlaybook(JsonObjectReader& reader, ConditionParser& parser)
    {
        const std::size_t before = parser.diagnostics.size();
        std::vector<PlaybookSection> sections;
        std::map<std::string, std::size_t, std::less<>> sectionIndex;
        if (const auto* value = reader.value("sections")) {
            const std::string pointer = jsonPointer(reader.pointer(), "sections");
            if (!value->is_object() || value->empty()) {
                parser.error(pointer,
                    "expected an object of sections ({\"name\": {\"body\": ...}}), found "
                        + (value->is_object() ? std::string("an empty object") : std::string(jsonTypeName(*value))));
            } else if (value->size() > kMaxSections) {
                parser.error(pointer,
                    "too many sections: " + std::to_string(value->size()) + ", at most "
                        + std::to_string(kMaxSections));
            } else {
                for (const auto& [name, item] : value->items()) {
                    auto row = parser.reader(item, jsonPointer(pointer, name));
                    PlaybookSection section;
                    section.name = name;
                    if (auto body = readText(row, "body", { .required = true, .maxBytes = kMaxBodyBytes }))
                        section.body = normaliseBody(*body);
                    section.replyOptionLabels = readLabels(row, parser, "reply_option_labels");
                    row.finish();
                    sectionIndex.emplace(name, sections.size());
                    sections.push_back(std::move(section));
                }
            }
        } else {
            reader.error("sections", "missing required field (an object of sections)");
        }

        std::vector<PlaybookCondition::Rule> rules;
        if (const auto* value = reader.value("rules")) {
            const std::string pointer = jsonPointer(reader.pointer(), "rules");
            if (!value->is_array() || value->empty()) {
                parser.error(pointer,
                    "expected a non-empty array of rules ({\"url_prefix\": ..., \"section\": ...}), found "
                        + (value->is_array() ? std::string("an empty array") : std::string(jsonTypeName(*value))));
            } else if (value->size() > kMaxRules) {
                parser.error(pointer,
                    "too many rules: " + std::to_string(value->size()) + ", at most " + std::to_string(kMaxRules));
            } else {
                for (std::size_t i = 0; i < value->size(); ++i) {
                    auto row = parser.reader((*value)[i], jsonPointer(pointer, i));
                    const auto prefix = readText(row, "url_prefix", { .required = true, .maxBytes = 2048 });
                    if (prefix && !prefix->starts_with('/') && prefix->find("://") == std::string::npos)
                        row.error("url_prefix",
                            "expected a path (\"/settings\") or a full URL (\"https://app.example.com/settings\")");
                    const auto sectionName = readText(row, "section", { .required = true, .maxBytes = 200 });
                    const auto known = sectionName ? sectionIndex.find(*sectionName) : sectionIndex.end();
                    if (sectionName && known == sectionIndex.end() && !sections.empty()) {
                        std::string names;
                        for (const auto& [name, unused] : sectionIndex)
                            names += (names.empty() ? "" : ", ") + name;
                        row.error("section", "unknown section \"" + *sectionName + "\" (sections: " + names + ")");
                    }
                    row.finish();
                    if (prefix && known != sectionIndex.end())
                        rules.push_back({ ConfiguredUrl::from(*prefix), known->second });
                }
            }
        } else {
            reader.error("rules", "missing required field (an array of rules)");
        }
        reader.finish();
        if (parser.diagnostics.size() != before)
            return nullptr;
        return std::make_unique<PlaybookCondition>(std::move(rules), std::move(sections));
    }

} // namespace

PageRun trailingPageRun(std::span<const ActionRecord> actions)
{
    if (actions.empty())
        return {};
    const Interned<std::string>& url = actions.back().canonicalUrl;
    std::size_t first = actions.size() - 1;
    while (first > 0 && actions[first - 1].canonicalUrl == url)
        --first;
    return { first, actions.size() - first };
}

std::unique_ptr<const Condition> compileBuiltinCondition(
    const nlohmann::json& json, const std::string& pointer, ConditionParser& parser)
{
    auto reader = parser.reader(json, pointer);
    const std::size_t before = parser.diagnostics.size();
    const auto type = reader.string("type", true);
    if (!type)
        return nullptr;
    std::unique_ptr<const Condition> condition;
    if (*type == "canonical_url_ping_pong")
        condition = compilePingPong(reader);
    else if (*type == "user_page_dwell")
        condition = compileDwell(reader);
    else if (*type == "section_playbook_match")
        condition = compilePlaybook(reader, parser);
    else if (actionTypeFromString(*type))
        reader.error("type",
            "unknown built-in \"" + *type + "\" (to match an action, write {\"event\": {\"type\": \"" + *type
                + "\"}})");
    else
        reader.error("type",
            "unknown built-in \"" + *type
                + "\" (expected canonical_url_ping_pong, user_page_dwell or section_playbook_match)");
    if (parser.diagnostics.size() != before)
        return nullptr;
    return condition;
}

} // namespace proactive
