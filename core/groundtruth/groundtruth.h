#pragma once

#include "base/clock.h"
#include "gates/decision.h"
#include "groundtruth/labelset.h"
#include "replay/sessionreplay.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace proactive {

class Workspace;
struct RecordedSession;

// Replays measured against labels (docs/labels.md): which offers came at a
// moment the user wanted help, which disturbed them, which wanted moments
// got nothing, and whether each expectation holds. Every driver — the
// command line, the reports, the studio's panels, sweeps and diffs — uses
// this one evaluation.
//
// An *offer* is a toast the replayed client showed (ReplayFiring::shown): a
// firing that kept the toast already up is the same offer.

// Hits, misses and false offers over a set of sessions.
struct TruthCounts {
    std::size_t offers = 0; // every offer in labelled sessions
    std::size_t hits = 0; // offers inside a help_wanted range they answer
    std::size_t falseOffers
        = 0; // in a no_help range, answering another range, or outside every range of a fully labelled session
    std::size_t unlabelledOffers = 0; // outside every range of a session not fully labelled: neither
    std::size_t wanted = 0; // help_wanted ranges (for a trigger: those it answers)
    std::size_t answered = 0; // of them, ranges with at least one offer that answers them
    std::size_t sessions = 0; // labelled sessions these counts rest on
    // Seconds from a range's start to the first offer answering it, one per answered range, ascending.
    std::vector<double> leadTimesS;

    std::size_t misses() const { return wanted - answered; }
    // None when there is nothing to divide by (no judged offer, no wanted range).
    std::optional<double> precision() const;
    std::optional<double> recall() const;
    std::optional<double> f1() const;
    // False offers per 100 labelled sessions.
    std::optional<double> annoyance() const;
};

struct TriggerTruth {
    std::string productId;
    std::string triggerId;
    TruthCounts counts;
};

// One offer of a labelled session, judged.
struct OfferVerdict {
    enum class Kind : std::uint8_t { Hit, FalseOffer, Unlabelled };
    Kind kind = Kind::Unlabelled;
    Timestamp at {};
    std::string triggerId;
    std::string tourId;
    int range = -1; // the range it fell in (SessionLabels::ranges), -1 outside every range
    std::string reason; // why a false offer is one: "in a no_help range", ...
};
std::string_view nameOf(OfferVerdict::Kind kind);

// One help_wanted range and what answered it.
struct RangeVerdict {
    int range = -1; // index in SessionLabels::ranges
    bool answered = false;
    std::optional<Timestamp> firstAnswer; // the first offer answering it
    std::string triggerId; // of that offer
};

// One expectation checked against the replay.
struct ExpectationResult {
    int expectation = -1; // index in SessionLabels::expectations
    bool passed = false;
    // For people, whether it passed or not: "expected ping-pong within
    // +20…+60 s; it fired at +75 s", "expected no offer; account-settings-dwell
    // fired at +65 s: dwell 61 s ≥ 60 s".
    std::string reason;
    // The moment that decided it: the offending offer, the first offer in the
    // window, or the window's end (the studio seeks there).
    Timestamp at {};
    // A failure's explanation, filled by explainFailures(): the offending
    // trigger at its offer, or — for "fires" — every trigger concerned at the
    // window's end (why it did not fire), per condition.
    std::vector<TriggerReport> explanation;
};

struct SessionTruth {
    std::size_t session = 0; // index into the sessions evaluated
    const SessionLabels* labels = nullptr;
    Timestamp start {};
    std::vector<OfferVerdict> offers;
    std::vector<RangeVerdict> ranges; // help_wanted ranges only
    std::vector<ExpectationResult> expectations;
};

struct GroundTruth {
    std::size_t sessions = 0; // sessions evaluated
    std::size_t labelledSessions = 0; // of them, with labels
    std::size_t labelsWithoutSession = 0; // labelled sessions that were not among those evaluated
    TruthCounts overall;
    std::vector<TriggerTruth> triggers; // every trigger of the products evaluated, in product then trigger order
    std::vector<SessionTruth> labelled; // the labelled sessions, in session order
    std::size_t expectationsPassed = 0;
    std::size_t expectationsFailed = 0;

    bool allExpectationsPass() const { return expectationsFailed == 0; }
};

// Judges replays against the labels; `records[i]` replays `sessions[i]`.
// Expectation failures carry their reason; their per-condition explanation
// comes from explainFailures().
GroundTruth evaluateGroundTruth(const Workspace& workspace, std::span<const RecordedSession> sessions,
    std::span<const ReplayRecord> records, const LabelSet& labels);

// Adds the trigger explanations to every failed expectation: the failing
// sessions are replayed again with explanations on (the same settings, so
// the same offers) up to the moment that decided each failure. Only
// failures cost a replay.
Status explainFailures(GroundTruth& truth, std::shared_ptr<const Workspace> workspace,
    std::span<const RecordedSession> sessions, const ReplaySettings& settings);

// The leaf conditions of an explanation that decided it, as one line:
// "dwell 61 s ≥ 60 s; route /settings/account" (matched ones when it
// matched, the unmatched ones when it did not).
std::string explanationSummary(const ConditionExplanation& explanation);

} // namespace proactive
