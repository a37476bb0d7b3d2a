#pragma once

#include "groundtruth/groundtruth.h"

#include <nlohmann/json.hpp>
#include <span>
#include <string>

namespace proactive {

struct RecordedSession;

// Ground truth in the replay reports (docs/labels.md, "Reports"): the
// JSON report's "ground_truth" object and the text summary's section.

// hits, false_offers, unlabelled_offers, offers, wanted, answered, misses,
// sessions, precision, recall, f1, annoyance (null when undefined) and the
// lead time's distribution.
nlohmann::json truthCountsJson(const TruthCounts& counts);
// The whole evaluation: the counts overall and per trigger, the
// expectations' tally, and every labelled session's ranges, judged offers
// and expectations (with their explanation when explainFailures() ran).
nlohmann::json groundTruthJson(const GroundTruth& truth, std::span<const RecordedSession> sessions);
// "Ground truth: 12 labelled sessions …", the per-trigger table and every
// failed expectation with its reason.
std::string groundTruthText(const GroundTruth& truth, std::span<const RecordedSession> sessions);
// "0.83" or "–" when undefined.
std::string formatRatio(const std::optional<double>& value);

} // namespace proactive
