#pragma once

#include "impact/twoproportions.h"
#include "replay/sessionimport.h"
#include "replay/sessionreplay.h"
#include "workspace/workspace.h"

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

// Where the impact report learns who was offered and who was held out.
enum class ExposureSource : std::uint8_t {
    Recorded, // the sessions' own `proactive offer shown` / `proactive holdout` events (sent by a live connector)
    Replayed, // the replay's firings and `held_out` transitions
};
std::string_view nameOf(ExposureSource source);

// One arm of one trigger's experiment.
struct ImpactArm {
    std::size_t users = 0; // users whose first exposure to the trigger put them in this arm
    std::size_t reached = 0; // of them, those with a goal event at or after that first exposure
    Interval rateInterval; // Wilson 95 % of reached / users
    // Seconds from the first exposure to the first goal event after it, one
    // per user who reached the goal, ascending.
    std::vector<double> timeToGoalS;
    std::optional<std::string> tooSmall; // SampleRule::tooSmall: why the arm says nothing on its own

    double rate() const { return users ? static_cast<double>(reached) / static_cast<double>(users) : 0; }
};

// Offered against held out for one trigger.
struct TriggerImpact {
    std::string productId;
    std::string triggerId;
    ImpactArm offered;
    ImpactArm heldOut;
    // Offered − held out, Newcombe hybrid score 95 %; none when an arm has no users.
    std::optional<Interval> difference;

    enum class Verdict : std::uint8_t {
        TooSmall, // an arm is too small to tell (or empty)
        Helps, // the interval lies above 0
        Hurts, // the interval lies below 0
        Unclear, // the interval covers 0
    };
    Verdict verdict() const;
    double differenceValue() const { return offered.rate() - heldOut.rate(); }
};
std::string_view nameOf(TriggerImpact::Verdict verdict);
// What the verdict says in words: "too small to tell (held out: 12 users < 30)",
// "offered users reach the goal more often", …
std::string verdictText(const TriggerImpact& impact);

struct ProductGoal {
    std::string productId;
    std::string goal; // EventMatcher::describe()
};

// Offered against held-out users' goal rates per trigger (docs/replay.md,
// "Impact").
struct ImpactReport {
    ExposureSource source = ExposureSource::Replayed;
    SampleRule rule;
    std::vector<ProductGoal> goals; // the products measured, in workspace order
    // Every trigger someone was exposed to, by product (workspace order) and
    // trigger (file order; ids the workspace does not know last, by name).
    std::vector<TriggerImpact> triggers;
};

// The impact of every trigger of the products that have a `goal`, over
// their sessions. A user is their distinct id (else the session); their
// sessions are taken together in time order. Each user is in the arm of
// their first exposure to a trigger, and reached the goal when a goal event
// comes at or after it. Exposures come from the sessions' recorded offer
// events when there are any (ExposureSource::Recorded), else from `records`
// (records[i] replays sessions[i]; may be empty). None when no product of
// the sessions has a goal.
std::optional<ImpactReport> computeImpact(const Workspace& workspace, std::span<const RecordedSession> sessions,
    std::span<const ReplayRecord> records, const SampleRule& rule = {});

// The median and the 75th percentile (nearest rank) of an arm's times to
// the goal; none when nobody in the arm reached it.
std::optional<double> medianTimeToGoalS(const ImpactArm& arm);
std::optional<double> p75TimeToGoalS(const ImpactArm& arm);

// A time to the goal as the summary and the studio write it: "41 s",
// "12.5 min", "3.2 h", "5.1 d".
std::string timeToGoalText(double seconds);

// The report as the replay report's "impact" member (docs/replay.md).
nlohmann::json impactJson(const ImpactReport& report);
// The command line's lines: a line per trigger and arm, then the verdict.
std::string impactText(const ImpactReport& report);

} // namespace proactive
