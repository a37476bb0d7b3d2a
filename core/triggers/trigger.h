#pragma once

#include "base/clock.h"
#include "base/result.h"
#include "intake/actionrecord.h"

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace proactive {

// Why one condition did or did not match, with the numbers behind it
// (SPEC §6): "dwell 41 s < 60 s".
struct ConditionExplanation {
    std::string kind; // "user_page_dwell", "all", "count", "event", ...
    std::string label; // what the condition checks, for people: "dwell on the current page"
    nlohmann::json observed; // the value seen (number, string, array, null)
    nlohmann::json threshold; // what it was compared with (null when not numeric)
    bool matched = false;
    std::string summary; // one line: "dwell 41 s < 60 s"
    nlohmann::json details; // extra facts (the URL sequence of a ping-pong, ...); null when none
    std::vector<ConditionExplanation> children; // for all/any/not
};

// Keys: kind, label, observed, threshold, matched, summary; details when
// not null, children when not empty.
nlohmann::json toJson(const ConditionExplanation& explanation);

// What a trigger evaluates against: the session's recent actions (the
// product's lookback window, oldest first, already cut to max_actions) and
// the decision time.
struct EvaluationContext {
    std::span<const ActionRecord> actions;
    Timestamp now {};
    std::span<const std::string> routes; // the product's route table, for route matchers
    // Build the explanation (TriggerEvaluation::explanation). Off on the
    // hot path, which then builds none.
    bool explain = false;
    // contextProblem() found none: Trigger::evaluate skips its pass over
    // the window's timestamps, so a poll makes that pass once, not once a
    // trigger.
    bool checked = false;
};

// Why a context cannot be evaluated (a timestamp out of range), or none.
// Trigger::evaluate asks it of every context not marked `checked`.
std::optional<std::string> contextProblem(const EvaluationContext& context);

struct TriggerEvaluation {
    bool matched = false;
    // Set when evaluation failed (bad data, internal limit); a failure never
    // matches and counts toward the product's circuit breaker.
    std::optional<std::string> error;
    // What the offer says when matched: the trigger's body and labels, or a
    // section's (section_playbook_match); body trimmed and cut to 150 chars.
    std::string body;
    std::vector<std::string> replyOptionLabels;
    // Present exactly when the context explains (also when evaluation
    // failed: then as far as it got).
    std::optional<ConditionExplanation> explanation;
};

// How often one user may be offered a trigger (SPEC §8 "§3 Frequency and
// experiments"), counted over the user's history across sessions.
struct FrequencyRule {
    enum class Kind : std::uint8_t {
        Always, // today's behaviour: only cooldowns, intervals and quotas limit it
        Once, // once per user, ever
        UntilInteracted, // until the user accepted or dismissed it once
        MaxPerUser, // at most maxPerUser offers, within `within` when set
    };
    static constexpr int kMaxPerUserLimit = 100; // the store keeps this many offer times per user and trigger
    Kind kind = Kind::Always;
    int maxPerUser = 0;
    std::optional<Duration> within; // MaxPerUser: the window; none: ever
    bool operator==(const FrequencyRule&) const = default;
};
std::string_view nameOf(FrequencyRule::Kind kind);

// Holdout percentages are at most this (a holdout is a control group, not the majority).
inline constexpr double kMaxHoldoutPercent = 50;

struct TriggerDefinition {
    std::string id;
    std::string name;
    std::string description;
    std::string body;
    std::vector<std::string> replyOptionLabels;
    Duration interactionTimeout = std::chrono::seconds(10);
    Duration cooldown = std::chrono::seconds(30);
    std::string tourId; // optional: tour started on accept (SPEC §4, tours)
    nlohmann::json metadata = nlohmann::json::object();
    FrequencyRule frequency;
    // Triggers of one group share the product's wait_after_offer_s when its
    // wait_scope is "group"; empty: no group.
    std::string group;
    // Overrides the product's holdout for this trigger (0–50; 0 turns it off).
    std::optional<double> holdoutPercent;
    // The experiment the holdout assigns users in; empty: the trigger's id.
    std::string experiment;
    nlohmann::json when; // the condition as written, for editors and round-trips
};

class Condition; // compiled `when`, see condition.h

class Trigger {
public:
    Trigger(TriggerDefinition definition, std::shared_ptr<const Condition> when);

    const TriggerDefinition& definition() const { return m_definition; }
    const std::string& id() const { return m_definition.id; }

    // Never throws: failures (an exception inside a condition, a timestamp
    // out of range) come back in TriggerEvaluation::error, never matched.
    TriggerEvaluation evaluate(const EvaluationContext& context) const noexcept;

private:
    TriggerDefinition m_definition;
    std::shared_ptr<const Condition> m_when;
    std::string m_body; // normalised once
};

// A product's ordered triggers.
class TriggerSet {
public:
    TriggerSet() = default;
    explicit TriggerSet(std::vector<Trigger> triggers);

    std::span<const Trigger> triggers() const { return m_triggers; }
    const Trigger* find(std::string_view id) const;
    bool empty() const { return m_triggers.empty(); }
    // Whether some trigger limits its offers per user or has its own
    // holdout: the poll then reads the user's offer history and reports
    // the frequency and experiment gates.
    bool usesOfferRules() const { return m_usesOfferRules; }

private:
    std::vector<Trigger> m_triggers;
    bool m_usesOfferRules = false;
};

// Parses a JSON array of trigger objects. Every problem is appended to
// `diagnostics` with `file` and a JSON pointer below `pointer` (e.g.
// "/0/triggers/2/when/all/1/regex"); triggers with problems are left out of
// the result, the others are kept. Duplicate ids are an error.
std::shared_ptr<const TriggerSet> parseTriggers(
    const nlohmann::json& array, const std::string& file, const std::string& pointer, Diagnostics& diagnostics);

// Trims an offer body (Unicode whitespace, base/text.h), cuts it to 150
// code points and trims what the cut left.
std::string normaliseBody(std::string_view body);

} // namespace proactive
