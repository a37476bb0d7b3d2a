#include "groundtruth/truthgoal.h"

#include "base/text.h"
#include "replay/overrides.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace proactive {

namespace {

    struct MetricInfo {
        std::string_view name;
        bool higherIsBetter;
    };
    constexpr std::array kMetrics {
        MetricInfo { "precision", true },
        MetricInfo { "recall", true },
        MetricInfo { "f1", true },
        MetricInfo { "hits", true },
        MetricInfo { "expectations_passed", true },
        MetricInfo { "misses", false },
        MetricInfo { "false_offers", false },
        MetricInfo { "annoyance", false },
        MetricInfo { "fire_rate", false },
        MetricInfo { "lead_time", false },
        MetricInfo { "expectations_failed", false },
    };

    const MetricInfo* metricInfo(std::string_view name)
    {
        const auto it = std::find_if(kMetrics.begin(), kMetrics.end(), [&](const auto& m) { return m.name == name; });
        return it == kMetrics.end() ? nullptr : &*it;
    }

    std::string metricList()
    {
        std::string list;
        for (const auto& metric : kMetrics)
            list += (list.empty() ? "" : ", ") + std::string(metric.name);
        return list;
    }

    Error badGoal(std::string message)
    {
        return Error { "bad_goal", std::move(message), "optimise" };
    }

    Result<TruthGoal::Constraint> parseConstraint(std::string_view text)
    {
        using Op = TruthGoal::Constraint::Op;
        constexpr std::pair<std::string_view, Op> kOps[]
            = { { ">=", Op::AtLeast }, { "<=", Op::AtMost }, { ">", Op::Above }, { "<", Op::Below } };
        for (const auto& [symbol, op] : kOps) {
            const auto at = text.find(symbol);
            if (at == std::string_view::npos)
                continue;
            TruthGoal::Constraint constraint;
            constraint.metric = std::string(trimmed(text.substr(0, at)));
            constraint.op = op;
            const auto number = trimmed(text.substr(at + symbol.size()));
            const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), constraint.value);
            if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(constraint.value))
                return badGoal("\"" + std::string(number) + "\" in \"" + std::string(text) + "\" is not a number");
            if (!metricInfo(constraint.metric))
                return badGoal("unknown metric \"" + constraint.metric + "\" in \"" + std::string(text)
                    + "\"; metrics: " + metricList());
            return constraint;
        }
        return badGoal("\"" + std::string(text) + "\" is not a constraint: metric>=value, >, <= or <");
    }

    bool holds(const TruthGoal::Constraint& constraint, double value)
    {
        using Op = TruthGoal::Constraint::Op;
        switch (constraint.op) {
        case Op::AtLeast:
            return value >= constraint.value;
        case Op::Above:
            return value > constraint.value;
        case Op::AtMost:
            return value <= constraint.value;
        case Op::Below:
            return value < constraint.value;
        }
        return false;
    }

    std::string_view symbolOf(TruthGoal::Constraint::Op op)
    {
        using Op = TruthGoal::Constraint::Op;
        switch (op) {
        case Op::AtLeast:
            return ">=";
        case Op::Above:
            return ">";
        case Op::AtMost:
            return "<=";
        case Op::Below:
            return "<";
        }
        return ">=";
    }

} // namespace

Result<TruthGoal> TruthGoal::parse(std::string_view text)
{
    TruthGoal goal;
    const auto at = text.find('@');
    goal.metric = std::string(trimmed(text.substr(0, at)));
    if (!metricInfo(goal.metric))
        return badGoal("unknown metric \"" + goal.metric + "\"; metrics: " + metricList());
    if (at == std::string_view::npos)
        return goal;
    std::string_view rest = text.substr(at + 1);
    while (true) {
        const auto comma = rest.find(',');
        auto constraint = parseConstraint(trimmed(rest.substr(0, comma)));
        if (!constraint)
            return constraint.error();
        goal.constraints.push_back(std::move(*constraint));
        if (comma == std::string_view::npos)
            break;
        rest.remove_prefix(comma + 1);
    }
    return goal;
}

std::string TruthGoal::toString() const
{
    std::string text = metric;
    for (std::size_t i = 0; i < constraints.size(); ++i)
        text += (i ? "," : "@") + constraints[i].metric + std::string(symbolOf(constraints[i].op))
            + formatSettingValue(constraints[i].value);
    return text;
}

bool higherIsBetter(std::string_view metric)
{
    const auto* info = metricInfo(metric);
    return info && info->higherIsBetter;
}

std::optional<double> metricValue(const SweepPoint& point, std::string_view metric)
{
    if (metric == "fire_rate")
        return point.totals.reachedRate();
    if (!point.truth)
        return std::nullopt;
    const TruthCounts& counts = point.truth->overall;
    if (metric == "precision")
        return counts.precision();
    if (metric == "recall")
        return counts.recall();
    if (metric == "f1")
        return counts.f1();
    if (metric == "hits")
        return static_cast<double>(counts.hits);
    if (metric == "misses")
        return static_cast<double>(counts.misses());
    if (metric == "false_offers")
        return static_cast<double>(counts.falseOffers);
    if (metric == "annoyance")
        return counts.annoyance();
    if (metric == "lead_time")
        return counts.leadTimesS.empty() ? std::nullopt : quantile(counts.leadTimesS, 0.5);
    if (metric == "expectations_passed")
        return static_cast<double>(point.truth->expectationsPassed);
    if (metric == "expectations_failed")
        return static_cast<double>(point.truth->expectationsFailed);
    return std::nullopt;
}

std::vector<bool> paretoFront(std::span<const SweepPoint> points)
{
    std::vector<bool> front(points.size(), false);
    for (std::size_t i = 0; i < points.size(); ++i) {
        const auto p = metricValue(points[i], "precision");
        const auto r = metricValue(points[i], "recall");
        if (!p || !r)
            continue;
        front[i] = std::none_of(points.begin(), points.end(), [&](const SweepPoint& other) {
            const auto op = metricValue(other, "precision");
            const auto orr = metricValue(other, "recall");
            return op && orr && *op >= *p && *orr >= *r && (*op > *p || *orr > *r);
        });
    }
    return front;
}

Result<std::size_t> bestPoint(std::span<const SweepPoint> points, const TruthGoal& goal)
{
    const bool higher = higherIsBetter(goal.metric);
    std::optional<std::size_t> best;
    std::optional<double> bestValue;
    std::size_t allowed = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const bool ok = std::all_of(goal.constraints.begin(), goal.constraints.end(), [&](const auto& constraint) {
            const auto value = metricValue(points[i], constraint.metric);
            return value && holds(constraint, *value);
        });
        if (!ok)
            continue;
        ++allowed;
        const auto value = metricValue(points[i], goal.metric);
        if (!value)
            continue;
        if (!bestValue || (higher ? *value > *bestValue : *value < *bestValue)) {
            best = i;
            bestValue = value;
        }
    }
    if (best)
        return *best;
    if (points.empty())
        return badGoal("the sweep has no points");
    if (!points.front().truth && goal.metric != "fire_rate")
        return badGoal("no labels: " + goal.metric + " needs labelled sessions (labels/*.json or --labels)");
    if (allowed == 0)
        return badGoal("no setting satisfies " + goal.toString().substr(goal.metric.size() + 1));
    return badGoal(goal.metric + " is undefined at every setting that satisfies the constraints");
}

std::vector<ExpectationChange> changedExpectations(const GroundTruth& before, const GroundTruth& after)
{
    std::vector<ExpectationChange> changes;
    // Both evaluate the same sessions against the same labels: labelled sessions line up.
    for (std::size_t s = 0; s < before.labelled.size() && s < after.labelled.size(); ++s) {
        const SessionTruth& a = before.labelled[s];
        const SessionTruth& b = after.labelled[s];
        for (std::size_t e = 0; e < a.expectations.size() && e < b.expectations.size(); ++e)
            if (a.expectations[e].passed != b.expectations[e].passed)
                changes.push_back({ &a, &a.expectations[e], &b.expectations[e] });
    }
    return changes;
}

} // namespace proactive
