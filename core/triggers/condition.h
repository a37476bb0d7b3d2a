#pragma once

#include "base/clock.h"
#include "base/result.h"
#include "intake/actionrecord.h"
#include "triggers/trigger.h"
#include "triggers/triggerjson.h"

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

// A section of a section_playbook_match: what the offer says on that part of
// the product.
struct PlaybookSection {
    std::string name;
    std::string body; // already normalised
    std::optional<std::vector<std::string>> replyOptionLabels; // absent: the trigger's own
};

// One evaluation of one trigger: the context, cut to the actions the
// conditions may look at. Chains come parsed with the actions
// (ActionRecord::chain), so an evaluation allocates nothing of its own.
class EvaluationScope final {
public:
    // Conditions look at no more than this many of the most recent actions,
    // whatever the product's lookback allows.
    static constexpr std::size_t kMaxActions = 1000;

    explicit EvaluationScope(const EvaluationContext& context);

    std::span<const ActionRecord> actions() const { return m_actions; }
    Timestamp now() const { return m_context.now; }
    std::span<const std::string> routes() const { return m_context.routes; }

private:
    const EvaluationContext& m_context;
    std::span<const ActionRecord> m_actions;
};

// A compiled `when`. Conditions are immutable and shared between threads.
class Condition {
public:
    virtual ~Condition() = default;

    // Whether the condition holds. `explanation` is null unless the context
    // explains; then every field of it is filled. A poll that does not
    // explain builds no explanation at all (no JSON values, no strings).
    // `section` is set when a section_playbook_match decides the offer.
    virtual bool evaluate(
        EvaluationScope& scope, ConditionExplanation* explanation, const PlaybookSection*& section) const = 0;

    // Whether every match comes with a section's body (a
    // section_playbook_match on every path to a match), so the trigger may
    // leave `body` out.
    virtual bool providesBody() const { return false; }
};

// Compiles one condition written at `pointer`; nullptr when it has
// problems (all of them are in parser.diagnostics).
std::unique_ptr<const Condition> compileCondition(
    const nlohmann::json& json, const std::string& pointer, ConditionParser& parser, int depth = 0);

// Seconds with millisecond precision and no trailing zeros: "41", "59.999".
std::string formatSeconds(Duration duration);

// "1 visit", "3 visits": a count and its noun, as explanations write them.
std::string plural(std::size_t count, std::string_view one, std::string_view many);

// The canonical path shown in explanations ("/projects/:id").
std::string_view displayPath(std::string_view url);

} // namespace proactive
