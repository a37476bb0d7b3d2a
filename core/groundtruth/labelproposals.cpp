#include "groundtruth/labelproposals.h"

#include "base/jsonreader.h"
#include "intake/canonicalurl.h"
#include "intake/elementschain.h"
#include "replay/sessionimport.h"
#include "triggers/condition.h"
#include "workspace/workspace.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>

namespace proactive {

namespace {

    // LabelSet reads documents of this format (labelset.cpp).
    constexpr double kMaxSeconds = 24 * 3600;

    // Proposals of one heuristic for one session, in the making.
    class Proposer final {
    public:
        Proposer(const RecordedSession& session, std::string_view heuristic)
            : m_start(session.summary.start)
            , m_heuristic(heuristic)
        { }

        void propose(Timestamp from, Timestamp to, std::string reason)
        {
            LabelProposal proposal;
            proposal.range.kind = LabelRange::Kind::HelpWanted;
            proposal.range.from.offset = from - m_start;
            proposal.range.to.offset = to - m_start;
            proposal.heuristic = m_heuristic;
            proposal.reason = std::move(reason);
            m_proposals.push_back(std::move(proposal));
        }

        // Overlapping proposals of this heuristic become one, their reasons joined.
        std::vector<LabelProposal> take()
        {
            std::sort(m_proposals.begin(), m_proposals.end(),
                [](const auto& a, const auto& b) { return *a.range.from.offset < *b.range.from.offset; });
            std::vector<LabelProposal> merged;
            for (auto& proposal : m_proposals) {
                if (!merged.empty() && *proposal.range.from.offset <= *merged.back().range.to.offset) {
                    auto& last = merged.back();
                    last.range.to.offset = std::max(*last.range.to.offset, *proposal.range.to.offset);
                    last.reason += "; " + proposal.reason;
                    continue;
                }
                merged.push_back(std::move(proposal));
            }
            return merged;
        }

    private:
        Timestamp m_start;
        std::string_view m_heuristic;
        std::vector<LabelProposal> m_proposals;
    };

    std::string seconds(Duration duration)
    {
        // Tenths are enough for a person reading a reason.
        return formatSeconds(Duration(duration.count() / 100 * 100)) + " s";
    }

    // `button "Save"` or `[data-tour-id="add-project-btn"] "Add Project"`.
    std::string describeElement(const Element& element)
    {
        std::string text = element.selector.empty() ? element.tag : element.selector;
        if (!element.text.empty())
            text += " \"" + element.text + '"';
        return text;
    }

    const std::string& pageOf(const ActionRecord& action)
    {
        return action.canonicalUrl;
    }

    void proposeRageClicks(const RecordedSession& session, const RageClickSettings& settings, Proposer& proposer)
    {
        // The same element: the same page and chain (the target's selector and
        // text when the event has no chain).
        std::map<std::string, std::vector<const ActionRecord*>> clicksByElement;
        for (const auto& action : session.actions) {
            if (action.type != ActionType::Click)
                continue;
            const auto element = action.elementsChain().empty()
                ? action.element().selector + '\n' + action.element().text
                : action.elementsChain();
            clicksByElement[pageOf(action) + '\n' + element].push_back(&action);
        }
        const std::size_t n = std::max<std::size_t>(settings.minClicks, 2);
        for (const auto& entry : clicksByElement) {
            // A named reference, not a structured binding: clang 14 cannot capture those in the lambda below.
            const auto& clicks = entry.second;
            // Every run of n clicks within `within` qualifies; runs that share clicks make one burst.
            std::size_t burstFirst = 0;
            std::optional<std::size_t> burstLast;
            const auto flush = [&] {
                if (!burstLast)
                    return;
                const ActionRecord& first = *clicks[burstFirst];
                const ActionRecord& last = *clicks[*burstLast];
                proposer.propose(first.timestampStart, last.timestampStart,
                    std::to_string(*burstLast - burstFirst + 1) + " clicks on " + describeElement(first.element())
                        + " within " + seconds(last.timestampStart - first.timestampStart) + " (rage click) on "
                        + std::string(displayPath(pageOf(first))));
                burstLast.reset();
            };
            for (std::size_t j = n - 1; j < clicks.size(); ++j) {
                const std::size_t i = j + 1 - n;
                if (clicks[j]->timestampStart - clicks[i]->timestampStart > settings.within)
                    continue;
                if (burstLast && i > *burstLast)
                    flush();
                if (!burstLast)
                    burstFirst = i;
                burstLast = j;
            }
            flush();
        }
    }

    // Consecutive actions on one canonical URL (pageviews and clicks alike), as
    // canonical_url_ping_pong's "over": "visits" folds them.
    struct Visit {
        const std::string* page = nullptr;
        Timestamp arrived {};
    };

    std::vector<Visit> visitsOf(const RecordedSession& session)
    {
        std::vector<Visit> visits;
        for (const auto& action : session.actions) {
            if (action.type == ActionType::Pageleave || pageOf(action).empty())
                continue;
            if (visits.empty() || *visits.back().page != pageOf(action))
                visits.push_back({ &pageOf(action), action.timestampStart });
        }
        return visits;
    }

    void proposeBackAndForth(const RecordedSession& session, const BackAndForthSettings& settings, Proposer& proposer)
    {
        if (session.actions.empty())
            return;
        const auto visits = visitsOf(session);
        const ActionRecord& lastAction = session.actions.back();
        const Timestamp end = lastAction.timestampStart;
        const std::string ending
            = lastAction.type == ActionType::Pageleave ? "the user left ($pageleave)" : "the session ended";
        // A return is visit v coming back to visit v-2's page; returns that
        // share visits (v, v+1 or v+2) are one stretch of back and forth.
        std::size_t v = 2;
        while (v < visits.size()) {
            if (*visits[v].page != *visits[v - 2].page) {
                ++v;
                continue;
            }
            const std::size_t first = v;
            std::size_t last = v;
            std::size_t returns = 1;
            for (std::size_t next = v + 1; next < visits.size() && next <= last + 2; ++next)
                if (*visits[next].page == *visits[next - 2].page) {
                    last = next;
                    ++returns;
                }
            v = last + 1;
            const Timestamp lastReturn = visits[last].arrived;
            if (returns < settings.minReturns || end - lastReturn > settings.leaveWithin)
                continue;
            std::vector<std::string_view> pages;
            for (std::size_t k = first - 2; k <= last; ++k)
                if (const auto page = displayPath(*visits[k].page);
                    std::find(pages.begin(), pages.end(), page) == pages.end())
                    pages.push_back(page);
            std::string between;
            for (std::size_t k = 0; k < pages.size(); ++k)
                between += (k == 0 ? "" : k + 1 == pages.size() ? " and " : ", ") + std::string(pages[k]);
            proposer.propose(visits[first - 1].arrived, end,
                "back and forth between " + between + " (" + plural(returns, "return", "returns") + "), then " + ending
                    + (end == lastReturn ? std::string(" there")
                                         : ' ' + seconds(end - lastReturn) + " after the last return"));
        }
    }

    bool isFormField(const Element& element)
    {
        return element.tag == "input" || element.tag == "select" || element.tag == "textarea";
    }

    bool isDialogElement(const Element& element)
    {
        const auto* role = element.attr("role");
        const auto* modal = element.attr("aria-modal");
        return element.tag == "dialog" || (role && (*role == "dialog" || *role == "alertdialog"))
            || (modal && *modal == "true");
    }

    // The dialog, or else the form, or else the field an action's target is
    // in: the widest of them names the form best for a person.
    struct FormContext {
        std::optional<Element> dialog;
        std::optional<Element> form;

        bool any() const { return dialog || form; }
        const Element& widest() const { return dialog ? *dialog : *form; }
    };

    FormContext formContextOf(const ActionRecord& action)
    {
        FormContext context;
        bool inForm = false;
        for (auto& element : parseElementsChain(action.elementsChain())) {
            if (!context.dialog && isDialogElement(element)) {
                context.dialog = std::move(element);
            } else if (!inForm && element.tag == "form") {
                context.form = std::move(element);
                inForm = true;
            } else if (!context.form && isFormField(element)) {
                context.form = std::move(element);
            }
        }
        return context;
    }

    void proposeFormIdle(const RecordedSession& session, const FormIdleSettings& settings, Proposer& proposer)
    {
        const auto& actions = session.actions;
        std::vector<FormContext> contexts;
        contexts.reserve(actions.size());
        for (const auto& action : actions)
            contexts.push_back(formContextOf(action));

        // Pauses one after the other (each ending where the next starts) are one stretch.
        struct Stretch {
            std::size_t first = 0; // the action before the first pause
            std::size_t last = 0; // the action after the last pause
            std::size_t pauses = 0;
            Duration longest { 0 };
            const Element* form = nullptr;
            bool dialog = false;
        };
        std::optional<Stretch> stretch;
        const auto flush = [&] {
            if (!stretch)
                return;
            const ActionRecord& first = actions[stretch->first];
            proposer.propose(first.timestampStart, actions[stretch->last].timestampStart,
                (stretch->pauses == 1
                        ? "no action for " + seconds(stretch->longest)
                        : std::to_string(stretch->pauses) + " pauses of up to " + seconds(stretch->longest))
                    + " with a " + (stretch->dialog ? "dialog" : "form") + " open (" + describeElement(*stretch->form)
                    + ") on " + std::string(displayPath(pageOf(first)))
                    + ", and nothing submitted on that page afterwards");
            stretch.reset();
        };
        for (std::size_t i = 0; i + 1 < actions.size(); ++i) {
            const ActionRecord& before = actions[i];
            const ActionRecord& after = actions[i + 1];
            const Duration pause = after.timestampStart - before.timestampStart;
            if (pause < settings.idle)
                continue;
            // A click or change on a form element leaves the form open; an
            // action inside a dialog shows the dialog was open before it (a
            // click that closed one cannot be told apart from one that did not).
            const bool onForm
                = (before.type == ActionType::Click || before.type == ActionType::Change) && contexts[i].any();
            if (!onForm && !contexts[i + 1].dialog)
                continue;
            // Nothing submitted on that page afterwards, until the user leaves it.
            bool submitted = false;
            for (std::size_t j = i + 1; j < actions.size() && pageOf(actions[j]) == pageOf(before)
                 && actions[j].type != ActionType::Pageleave && !submitted;
                 ++j)
                submitted = actions[j].type == ActionType::Submit;
            if (submitted)
                continue;
            if (stretch && stretch->last != i)
                flush();
            if (!stretch) {
                const auto& context = onForm ? contexts[i] : contexts[i + 1];
                stretch = Stretch { .first = i, .form = &context.widest(), .dialog = context.dialog.has_value() };
            }
            stretch->last = i + 1;
            ++stretch->pauses;
            stretch->longest = std::max(stretch->longest, pause);
        }
        flush();
    }

    void proposeSupportRequests(
        const RecordedSession& session, const SupportRequestSettings& settings, Proposer& proposer)
    {
        const Timestamp start = session.summary.start;
        for (const auto& action : session.actions) {
            if (std::find(settings.events.begin(), settings.events.end(), action.event) == settings.events.end())
                continue;
            const Timestamp at = action.timestampStart;
            proposer.propose(std::max(start, at - settings.before), at,
                "\"" + action.event.get() + "\" event on " + std::string(displayPath(pageOf(action)))
                    + ": the user asked for help");
        }
    }

    void proposeGoalNotReached(const RecordedSession& session, const GoalSettings& goal, Proposer& proposer)
    {
        if (session.actions.empty() || goal.event.empty())
            return;
        const auto reached = [&](const ActionRecord& action) { return action.event == goal.event; };
        if (std::any_of(session.actions.begin(), session.actions.end(), reached))
            return;
        const Timestamp end = session.actions.back().timestampStart;
        const auto onGoalPages = [&](const ActionRecord& action) {
            return std::any_of(goal.pages.begin(), goal.pages.end(),
                [&](const std::string& page) { return urlMatchesConfigured(pageOf(action), page); });
        };
        std::vector<const ActionRecord*> effort;
        for (const auto& action : session.actions)
            if (action.type != ActionType::Pageview && action.type != ActionType::Pageleave
                && action.timestampStart >= end - goal.window && onGoalPages(action))
                effort.push_back(&action);
        if (effort.size() < std::max<std::size_t>(goal.minActions, 1))
            return;
        const Timestamp from = effort.front()->timestampStart;
        std::vector<std::string_view> pages;
        for (const auto* action : effort)
            if (const auto page = displayPath(pageOf(*action));
                std::find(pages.begin(), pages.end(), page) == pages.end())
                pages.push_back(page);
        std::string where;
        for (std::size_t k = 0; k < pages.size(); ++k)
            where += (k == 0 ? "" : ", ") + std::string(pages[k]);
        proposer.propose(from, end,
            "never reached \"" + goal.event + "\": " + plural(effort.size(), "action", "actions") + " on " + where
                + " in the " + seconds(end - from) + " before the session ended");
    }

    // Settings files write durations in seconds.
    void readSeconds(JsonObjectReader& reader, std::string_view key, Duration& into, double min = 0)
    {
        if (const auto value = reader.number(key, min, kMaxSeconds))
            into = fromSeconds(*value);
    }

    void readCount(JsonObjectReader& reader, std::string_view key, std::size_t& into, double min = 1)
    {
        const auto value = reader.number(key, min, 1e6);
        if (!value)
            return;
        if (*value != std::floor(*value))
            reader.error(key, "expected a whole number");
        else
            into = static_cast<std::size_t>(*value);
    }

    // The object at `key`, read by `read` with its own strict reader.
    template<class Read>
    void readSection(
        JsonObjectReader& parent, std::string_view key, const std::string& file, Diagnostics& diagnostics, Read read)
    {
        const auto* value = parent.value(key);
        if (!value)
            return;
        JsonObjectReader reader(*value, file, jsonPointer(parent.pointer(), key), diagnostics);
        if (!reader.valid())
            return;
        read(reader);
        reader.finish();
    }

} // namespace

ProposalSettings ProposalSettings::fromJson(
    const nlohmann::json& document, const std::string& file, Diagnostics& diagnostics)
{
    ProposalSettings settings;
    JsonObjectReader reader(document, file, "", diagnostics);
    if (!reader.valid())
        return settings;
    readSection(reader, kRageClick, file, diagnostics, [&](JsonObjectReader& section) {
        settings.rageClick.enabled = section.boolean("enabled").value_or(true);
        readCount(section, "min_clicks", settings.rageClick.minClicks, 2); // one click, or a double click, is no rage
        readSeconds(section, "within_s", settings.rageClick.within);
    });
    readSection(reader, kBackAndForth, file, diagnostics, [&](JsonObjectReader& section) {
        settings.backAndForth.enabled = section.boolean("enabled").value_or(true);
        readCount(section, "min_returns", settings.backAndForth.minReturns);
        readSeconds(section, "leave_within_s", settings.backAndForth.leaveWithin);
    });
    readSection(reader, kFormIdle, file, diagnostics, [&](JsonObjectReader& section) {
        settings.formIdle.enabled = section.boolean("enabled").value_or(true);
        readSeconds(section, "idle_s", settings.formIdle.idle, 0.001);
    });
    readSection(reader, kSupportRequest, file, diagnostics, [&](JsonObjectReader& section) {
        settings.supportRequest.enabled = section.boolean("enabled").value_or(true);
        if (auto events = section.stringArray("events"))
            settings.supportRequest.events = std::move(*events);
        readSeconds(section, "before_s", settings.supportRequest.before);
    });
    if (const auto* goals = reader.value("goals")) {
        const std::string pointer = jsonPointer(reader.pointer(), "goals");
        if (!goals->is_array())
            diagnostics.push_back(
                { file, pointer, "expected an array of goals, found " + std::string(jsonTypeName(*goals)) });
        for (std::size_t i = 0; goals->is_array() && i < goals->size(); ++i) {
            JsonObjectReader row((*goals)[i], file, jsonPointer(pointer, i), diagnostics);
            if (!row.valid())
                continue;
            GoalSettings goal;
            goal.event = row.string("event", true).value_or("");
            if (row.has("event") && goal.event.empty())
                row.error("event", "must not be empty");
            goal.pages = row.stringArray("pages").value_or(std::vector<std::string> {});
            if (goal.pages.empty())
                row.error("pages", "required: the pages (canonical URLs or routes) where the goal is pursued");
            readSeconds(row, "window_s", goal.window, 1);
            readCount(row, "min_actions", goal.minActions);
            row.finish();
            if (!goal.event.empty() && !goal.pages.empty())
                settings.goals.push_back(std::move(goal));
        }
    }
    reader.finish();
    return settings;
}

ProposalSettings ProposalSettings::load(const std::filesystem::path& path, Diagnostics& diagnostics)
{
    const std::string name = path.generic_string();
    const auto text = readTextFile(path);
    if (!text) {
        diagnostics.push_back({ name, "", text.error().message });
        return {};
    }
    const auto document = parseJsonDocument(*text, name, diagnostics);
    return document ? fromJson(*document, name, diagnostics) : ProposalSettings {};
}

std::vector<LabelProposal> proposeLabels(const RecordedSession& session, const ProposalSettings& settings)
{
    std::vector<LabelProposal> proposals;
    const auto run = [&](std::string_view heuristic, auto&& propose) {
        Proposer proposer(session, heuristic);
        propose(proposer);
        auto found = proposer.take();
        std::move(found.begin(), found.end(), std::back_inserter(proposals));
    };
    if (settings.rageClick.enabled)
        run(kRageClick, [&](Proposer& p) { proposeRageClicks(session, settings.rageClick, p); });
    if (settings.backAndForth.enabled)
        run(kBackAndForth, [&](Proposer& p) { proposeBackAndForth(session, settings.backAndForth, p); });
    if (settings.formIdle.enabled)
        run(kFormIdle, [&](Proposer& p) { proposeFormIdle(session, settings.formIdle, p); });
    if (settings.supportRequest.enabled)
        run(kSupportRequest, [&](Proposer& p) { proposeSupportRequests(session, settings.supportRequest, p); });
    run(kGoalNotReached, [&](Proposer& p) {
        for (const auto& goal : settings.goals)
            proposeGoalNotReached(session, goal, p);
    });
    std::stable_sort(proposals.begin(), proposals.end(), [](const auto& a, const auto& b) {
        return std::tie(*a.range.from.offset, *a.range.to.offset) < std::tie(*b.range.from.offset, *b.range.to.offset);
    });
    return proposals;
}

nlohmann::ordered_json proposalToLabelJson(const LabelProposal& proposal, std::string_view author)
{
    const auto time = [](const LabelTime& t) { return "+" + formatSeconds(*t.offset); };
    nlohmann::ordered_json range { { "kind", nameOf(proposal.range.kind) }, { "from", time(proposal.range.from) },
        { "to", time(proposal.range.to) } };
    if (!proposal.range.answer.empty())
        range["answer"] = proposal.range.answer;
    range["note"] = "proposed by " + proposal.heuristic + ": " + proposal.reason;
    if (!author.empty())
        range["author"] = author;
    return range;
}

nlohmann::ordered_json proposedLabelsDocument(std::span<const SessionProposals> sessions, std::string_view author)
{
    nlohmann::ordered_json document { { "format", kLabelsFormat }, { "version", 1 },
        { "sessions", nlohmann::ordered_json::array() } };
    for (const auto& entry : sessions) {
        if (entry.proposals.empty())
            continue;
        auto ranges = nlohmann::ordered_json::array();
        for (const auto& proposal : entry.proposals)
            ranges.push_back(proposalToLabelJson(proposal, author));
        document["sessions"].push_back({ { "session_id", entry.session->summary.sessionId },
            { "product", entry.session->summary.productId }, { "ranges", std::move(ranges) } });
    }
    return document;
}

} // namespace proactive
