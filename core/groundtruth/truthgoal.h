#pragma once

#include "base/result.h"
#include "groundtruth/groundtruth.h"
#include "replay/replaybatch.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

// Choosing among sweep points by their ground truth (docs/labels.md,
// "Sweeps"): a metric to maximise or minimise, under constraints on others.
//
//   f1                          the best F1
//   recall@precision>=0.8       the best recall among points with precision ≥ 0.8
//   f1@annoyance<=5,recall>0.5  several constraints, all must hold
//
// Metrics: precision, recall, f1, hits, expectations_passed (higher is
// better); misses, false_offers, annoyance, fire_rate, lead_time (the median
// lead, seconds) and expectations_failed (lower is better).
struct TruthGoal {
    struct Constraint {
        enum class Op : std::uint8_t { AtLeast, Above, AtMost, Below };
        std::string metric;
        Op op = Op::AtLeast;
        double value = 0;
    };
    std::string metric;
    std::vector<Constraint> constraints;

    static Result<TruthGoal> parse(std::string_view text);
    std::string toString() const;
};

// The value of a metric at a sweep point; none when the point has no ground
// truth or the metric is undefined there (precision without offers).
std::optional<double> metricValue(const SweepPoint& point, std::string_view metric);
bool higherIsBetter(std::string_view metric);

// The points no other point beats on both precision and recall (at least as
// good on both, better on one); points without both are never on it.
std::vector<bool> paretoFront(std::span<const SweepPoint> points);

// The index of the best point for the goal (the first of equals, in grid
// order); an error saying why when no point satisfies the constraints.
Result<std::size_t> bestPoint(std::span<const SweepPoint> points, const TruthGoal& goal);

// An expectation whose outcome an edit changes (a diff's before and after
// evaluated over the same sessions and labels).
struct ExpectationChange {
    const SessionTruth* before = nullptr;
    const ExpectationResult* was = nullptr;
    const ExpectationResult* now = nullptr;
};
std::vector<ExpectationChange> changedExpectations(const GroundTruth& before, const GroundTruth& after);

} // namespace proactive
