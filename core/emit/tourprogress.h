#pragma once

#include "base/result.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace proactive {

// Why the page's tour runtime could not use a step's target (issue 18).
enum class TargetProblem : std::uint8_t {
    NotFound, // no element matches the selector
    SeveralMatches, // more than one shown element matches: the step may point at the wrong one
    NotVisible, // elements match, none is shown
    InvalidSelector, // the selector is not valid CSS
};
std::string_view nameOf(TargetProblem problem);
std::optional<TargetProblem> targetProblemFromString(std::string_view name);

// What the page's tour runtime tells the connector besides a tour's end
// (`POST /tour_event`, issue 18): a step on screen, or a step whose target
// it could not use. A step shown on one of several matches is reported
// both ways: it is on screen, and its selector is ambiguous.
struct TourProgress {
    enum class Kind : std::uint8_t { StepShown, TargetMissing };
    Kind kind = Kind::StepShown;
    std::string tourId;
    int step = 1; // 1-based
    int steps = 0; // the tour's length
    std::string selector;
    std::optional<TargetProblem> problem; // TargetMissing only
    int matches = 0; // elements the selector matched (shown ones, for SeveralMatches)

    // "tour_step_shown" / "tour_target_missing", as a /tour_event body names it.
    std::string_view name() const;
    // "proactive tour step shown" / "proactive tour target missing".
    std::string_view exportedEvent() const;
    // tour_id, step, steps, selector; reason and matches for a missing target.
    nlohmann::json exportedProperties() const;
};

// A `/tour_event` body: {"event": "tour_step_shown" | "tour_target_missing",
// "tour_id", "step", "steps", "selector", and for a missing target "reason"
// (not_found | several_matches | not_visible | invalid_selector) and
// "matches"}. The error names the field and what it must be.
Result<TourProgress> parseTourProgress(const nlohmann::json& body);

} // namespace proactive
