#include "impact/impactreport.h"

#include "emit/offerevent.h"
#include "intake/actionrecord.h"
#include "replay/replaybatch.h"
#include "triggers/condition.h"
#include "triggers/eventmatcher.h"
#include "triggers/trigger.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <utility>

namespace proactive {

namespace {

    // One user shown (or kept from) a trigger's offer.
    struct Exposure {
        Timestamp at {};
        std::string triggerId;
        bool heldOut = false;
    };

    constexpr std::string_view kHeldOutTransition = "held_out";
    constexpr std::string_view kTriggerCause = "trigger:";

    bool isRecordedExposure(const ActionRecord& action)
    {
        return action.event == offerevent::Shown || action.event == offerevent::Holdout;
    }

    void recordedExposures(const RecordedSession& session, std::vector<Exposure>& out)
    {
        for (const ActionRecord& action : session.actions) {
            if (!isRecordedExposure(action))
                continue;
            const std::string* trigger = action.property("trigger_id");
            if (trigger && !trigger->empty())
                out.push_back({ action.timestampStart, *trigger, action.event == offerevent::Holdout });
        }
    }

    void replayedExposures(const ReplayRecord& record, std::vector<Exposure>& out)
    {
        for (const ReplayFiring& firing : record.firings)
            out.push_back({ firing.at, firing.triggerId, false });
        for (const TransitionRecord& transition : record.transitions)
            if (transition.event == kHeldOutTransition && transition.cause.starts_with(kTriggerCause))
                out.push_back({ transition.at, transition.cause.substr(kTriggerCause.size()), true });
    }

    // The times of the session's goal events, ascending (actions are in time order).
    void goalTimes(const Product& product, const RecordedSession& session, std::vector<Timestamp>& out)
    {
        for (const ActionRecord& record : session.actions) {
            const EvaluationContext context { std::span(&record, 1), record.timestampStart, product.routes, false };
            EvaluationScope scope(context);
            if (product.goal->matches(scope, 0))
                out.push_back(record.timestampStart);
        }
    }

    // Where a trigger goes in the report: the product's order, then unknown ids by name.
    std::pair<std::size_t, std::string> triggerOrder(const Product& product, const std::string& triggerId)
    {
        const auto triggers = product.triggers->triggers();
        const auto it
            = std::find_if(triggers.begin(), triggers.end(), [&](const Trigger& t) { return t.id() == triggerId; });
        return { static_cast<std::size_t>(it - triggers.begin()), triggerId };
    }

    void finishArm(ImpactArm& arm, const SampleRule& rule)
    {
        arm.rateInterval = wilsonInterval(arm.reached, arm.users);
        std::sort(arm.timeToGoalS.begin(), arm.timeToGoalS.end());
        arm.tooSmall = rule.tooSmall(arm.users, arm.reached);
    }

} // namespace

std::string_view nameOf(ExposureSource source)
{
    return source == ExposureSource::Recorded ? "recorded" : "replayed";
}

TriggerImpact::Verdict TriggerImpact::verdict() const
{
    if (!difference || offered.tooSmall || heldOut.tooSmall)
        return Verdict::TooSmall;
    if (difference->lower > 0)
        return Verdict::Helps;
    if (difference->upper < 0)
        return Verdict::Hurts;
    return Verdict::Unclear;
}

std::string_view nameOf(TriggerImpact::Verdict verdict)
{
    switch (verdict) {
    case TriggerImpact::Verdict::TooSmall:
        return "too_small";
    case TriggerImpact::Verdict::Helps:
        return "helps";
    case TriggerImpact::Verdict::Hurts:
        return "hurts";
    case TriggerImpact::Verdict::Unclear:
        break;
    }
    return "unclear";
}

std::string verdictText(const TriggerImpact& impact)
{
    switch (impact.verdict()) {
    case TriggerImpact::Verdict::TooSmall: {
        std::string why;
        auto add = [&](std::string_view arm, const ImpactArm& a) {
            if (!a.tooSmall)
                return;
            why += (why.empty() ? "" : "; ") + std::string(arm) + ": " + *a.tooSmall;
        };
        add("offered", impact.offered);
        add("held out", impact.heldOut);
        return "too small to tell (" + why + ")";
    }
    case TriggerImpact::Verdict::Helps:
        return "offered users reach the goal more often";
    case TriggerImpact::Verdict::Hurts:
        return "offered users reach the goal less often";
    case TriggerImpact::Verdict::Unclear:
        break;
    }
    return "no clear difference: the interval covers 0";
}

std::optional<ImpactReport> computeImpact(const Workspace& workspace, std::span<const RecordedSession> sessions,
    std::span<const ReplayRecord> records, const SampleRule& rule)
{
    ImpactReport report;
    report.rule = rule;
    for (const Product& product : workspace.products())
        if (product.goal)
            report.goals.push_back({ product.id, product.goal->describe() });
    auto measured = [&](const std::string& productId) {
        const Product* product = workspace.product(productId);
        return product && product->goal ? product : nullptr;
    };
    // A user's sessions, in the order the importer gives them (by start time).
    std::map<std::pair<std::string, std::string>, std::vector<std::size_t>> users;
    bool recorded = false;
    for (std::size_t i = 0; i < sessions.size(); ++i) {
        const SessionSummary& summary = sessions[i].summary;
        if (!measured(summary.productId))
            continue;
        const std::string& user = summary.distinctId.empty() ? summary.sessionId : summary.distinctId;
        users[{ summary.productId, user }].push_back(i);
        recorded = recorded || std::any_of(sessions[i].actions.begin(), sessions[i].actions.end(), isRecordedExposure);
    }
    if (report.goals.empty() || users.empty())
        return report.goals.empty() ? std::nullopt : std::optional(std::move(report));
    report.source = recorded || records.size() != sessions.size() ? ExposureSource::Recorded : ExposureSource::Replayed;

    // (product, trigger order) → the trigger's arms.
    std::map<std::pair<std::string, std::pair<std::size_t, std::string>>, TriggerImpact> impacts;
    for (const auto& [key, indices] : users) {
        const Product& product = *measured(key.first);
        std::vector<Exposure> exposures;
        std::vector<Timestamp> goals;
        for (const std::size_t i : indices) {
            if (report.source == ExposureSource::Recorded)
                recordedExposures(sessions[i], exposures);
            else
                replayedExposures(records[i], exposures);
            goalTimes(product, sessions[i], goals);
        }
        std::stable_sort(
            exposures.begin(), exposures.end(), [](const Exposure& a, const Exposure& b) { return a.at < b.at; });
        std::sort(goals.begin(), goals.end());
        std::map<std::string, const Exposure*> first;
        for (const Exposure& exposure : exposures)
            first.try_emplace(exposure.triggerId, &exposure);
        for (const auto& [triggerId, exposure] : first) {
            TriggerImpact& impact = impacts[{ product.id, triggerOrder(product, triggerId) }];
            impact.productId = product.id;
            impact.triggerId = triggerId;
            ImpactArm& arm = exposure->heldOut ? impact.heldOut : impact.offered;
            ++arm.users;
            const auto goal = std::lower_bound(goals.begin(), goals.end(), exposure->at);
            if (goal != goals.end()) {
                ++arm.reached;
                arm.timeToGoalS.push_back(toSeconds(*goal - exposure->at));
            }
        }
    }
    for (auto& [key, impact] : impacts) {
        finishArm(impact.offered, rule);
        finishArm(impact.heldOut, rule);
        if (impact.offered.users && impact.heldOut.users)
            impact.difference = newcombeDifference(
                impact.offered.reached, impact.offered.users, impact.heldOut.reached, impact.heldOut.users);
        report.triggers.push_back(std::move(impact));
    }
    // Products in workspace order.
    std::stable_sort(report.triggers.begin(), report.triggers.end(), [&](const auto& a, const auto& b) {
        auto index = [&](const std::string& id) {
            const auto& products = workspace.products();
            return std::find_if(products.begin(), products.end(), [&](const Product& p) { return p.id == id; })
                - products.begin();
        };
        return index(a.productId) < index(b.productId);
    });
    return report;
}

std::optional<double> medianTimeToGoalS(const ImpactArm& arm)
{
    return quantile(arm.timeToGoalS, 0.5);
}

std::optional<double> p75TimeToGoalS(const ImpactArm& arm)
{
    return quantile(arm.timeToGoalS, 0.75);
}

namespace {

    // Six decimals: the same bytes on every platform, more than any reader needs.
    double rounded(double value)
    {
        return std::round(value * 1e6) / 1e6;
    }

    nlohmann::json intervalJson(const Interval& interval)
    {
        return nlohmann::json::array({ rounded(interval.lower), rounded(interval.upper) });
    }

    nlohmann::json optionalJson(const std::optional<double>& value)
    {
        return value ? nlohmann::json(rounded(*value)) : nlohmann::json();
    }

    nlohmann::json armJson(const ImpactArm& arm)
    {
        return { { "users", arm.users }, { "reached", arm.reached }, { "rate", rounded(arm.rate()) },
            { "rate_ci95", intervalJson(arm.rateInterval) },
            { "time_to_goal_s",
                { { "median", optionalJson(medianTimeToGoalS(arm)) }, { "p75", optionalJson(p75TimeToGoalS(arm)) } } },
            { "too_small", arm.tooSmall ? nlohmann::json(*arm.tooSmall) : nlohmann::json() } };
    }

    std::string percentText(double rate)
    {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.1f %%", rate * 100);
        return buffer;
    }

    std::string pointsText(double difference)
    {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%+.1f", difference * 100);
        return buffer;
    }

    std::string secondsText(const std::optional<double>& seconds)
    {
        return seconds ? timeToGoalText(*seconds) : std::string("–");
    }

} // namespace

std::string timeToGoalText(double seconds)
{
    char buffer[32];
    if (seconds < 120)
        std::snprintf(buffer, sizeof buffer, "%.0f s", seconds);
    else if (seconds < 7200)
        std::snprintf(buffer, sizeof buffer, "%.1f min", seconds / 60);
    else if (seconds < 172800)
        std::snprintf(buffer, sizeof buffer, "%.1f h", seconds / 3600);
    else
        std::snprintf(buffer, sizeof buffer, "%.1f d", seconds / 86400);
    return buffer;
}

nlohmann::json impactJson(const ImpactReport& report)
{
    nlohmann::json goals = nlohmann::json::array();
    for (const ProductGoal& goal : report.goals)
        goals.push_back({ { "product_id", goal.productId }, { "goal", goal.goal } });
    nlohmann::json triggers = nlohmann::json::array();
    for (const TriggerImpact& impact : report.triggers)
        triggers.push_back({ { "product_id", impact.productId }, { "trigger_id", impact.triggerId },
            { "offered", armJson(impact.offered) }, { "held_out", armJson(impact.heldOut) },
            { "difference", impact.difference ? nlohmann::json(rounded(impact.differenceValue())) : nlohmann::json() },
            { "difference_ci95", impact.difference ? intervalJson(*impact.difference) : nlohmann::json() },
            { "verdict", nameOf(impact.verdict()) }, { "verdict_text", verdictText(impact) } });
    return { { "source", nameOf(report.source) }, { "method", "newcombe-hybrid-score" },
        { "too_small_when",
            { { "users_below", report.rule.minUsers }, { "reached_below", report.rule.minSuccesses },
                { "not_reached_below", report.rule.minFailures } } },
        { "goals", std::move(goals) }, { "triggers", std::move(triggers) } };
}

std::string impactText(const ImpactReport& report)
{
    std::string out = "Impact (exposures " + std::string(nameOf(report.source)) + "; goal";
    for (const ProductGoal& goal : report.goals)
        out += (report.goals.size() > 1 ? " " + goal.productId + ":" : "") + " " + goal.goal;
    out += ")\n";
    if (report.triggers.empty())
        out += "  nobody was offered help or held out\n";
    for (const TriggerImpact& impact : report.triggers) {
        out += "  " + (report.goals.size() > 1 ? impact.productId + "/" : std::string()) + impact.triggerId + "\n";
        auto arm = [&](std::string_view name, const ImpactArm& a) {
            out += "    " + std::string(name) + ": " + std::to_string(a.reached) + "/" + std::to_string(a.users)
                + " reached the goal (" + percentText(a.rate()) + ", 95 % CI " + percentText(a.rateInterval.lower)
                + " – " + percentText(a.rateInterval.upper) + "), time to goal median "
                + secondsText(medianTimeToGoalS(a)) + ", p75 " + secondsText(p75TimeToGoalS(a)) + "\n";
        };
        arm("offered ", impact.offered);
        arm("held out", impact.heldOut);
        if (impact.difference)
            out += "    difference " + pointsText(impact.differenceValue()) + " points, 95 % CI "
                + pointsText(impact.difference->lower) + " to " + pointsText(impact.difference->upper) + "\n";
        out += "    " + verdictText(impact) + "\n";
    }
    return out;
}

} // namespace proactive
