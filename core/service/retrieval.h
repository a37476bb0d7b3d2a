#pragma once

#include "base/clock.h"
#include "base/result.h"

#include <chrono>
#include <string>
#include <string_view>

namespace proactive {
struct SessionActivity;
}

namespace proactive::service {

// The body Dify sends to an External Knowledge API: POST {endpoint}/retrieval.
struct RetrievalRequest {
    std::string knowledgeId; // a session id or an email (SPEC §5)
    std::string query;
    int topK = 0;
    double scoreThreshold = 0;
};

// Records are scored by recency: the newest action scores 1 and an action
// this long before it 0.5 (score = 1 / (1 + age / half-life)), so Dify's
// score threshold keeps "the last minute or so" of activity.
inline constexpr Duration kRetrievalHalfLife = std::chrono::seconds(60);
// top_k beyond this is cut to it; a session keeps 200 actions by default.
inline constexpr int kMaxRetrievalRecords = 200;

// Requires knowledge_id (non-empty string), query (string) and
// retrieval_setting {top_k (number ≥ 1), score_threshold (number in [0, 1],
// null read as 0)}; metadata_condition is accepted and ignored. Errors have
// code "bad_request" and name the field.
Result<RetrievalRequest> parseRetrievalRequest(std::string_view body);

// {"records": [{content, metadata, score, title}]}: the session's actions as
// text, newest first, at most top_k, only those scoring at least the
// threshold. The answer's JSON text, written without a DOM (JsonWriter).
std::string retrievalRecords(const SessionActivity& activity, const RetrievalRequest& request);

} // namespace proactive::service
