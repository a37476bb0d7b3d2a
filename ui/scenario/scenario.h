#pragma once

#include "base/result.h"

#include <filesystem>
#include <string>
#include <vector>

namespace proactive::ui {

// One step of a demo scenario. Times are simulated seconds: the player owns
// the simulation's clock while it plays.
struct ScenarioStep {
    enum class Kind {
        Caption, // text over the page until the next caption ("" clears)
        Navigate, // an in-app navigation to `target` (a path), as the SPA's router does
        Click, // a click on the element `target` (a CSS selector)
        Type, // `text` into the field `target`, then a change event
        Wait, // `seconds` of simulated time pass (polls run on the way)
        ExpectToast, // the toast shows `text` (a trigger id, or any when empty) within `seconds`
        ExpectNoToast, // no toast for `seconds`
        Accept, // the user clicks the toast's accept button
        Dismiss, // the user clicks the toast's dismiss button
        ExpectState, // the conversation's FSM state is `text`
        ExpectChat, // the chat shows `text` within `seconds`
        ExpectTourStep, // the tour `target` shows step `step` (1-based) within `seconds`
    };
    Kind kind = Kind::Caption;
    std::string target;
    std::string text;
    double seconds = 0;
    int step = 0;
    std::string where; // "steps/3", for error messages
};

struct Scenario {
    std::string name;
    std::string description;
    std::filesystem::path workspace; // absolute
    std::string startPath = "/";
    std::vector<ScenarioStep> steps;
};

// Reads a scenario file. `workspace` is relative to the file; without it,
// the file's directory's parent (scenarios live in <workspace>/scenarios/).
// Unknown fields and step kinds are errors naming the step and the field.
Result<Scenario> loadScenario(const std::filesystem::path& file);
Result<Scenario> parseScenario(std::string_view json, const std::filesystem::path& file);

std::string describe(const ScenarioStep& step);

} // namespace proactive::ui
