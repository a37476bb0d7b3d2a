#include "service/retrieval.h"

#include "base/jsonreader.h"
#include "base/jsonwriter.h"
#include "connector/connector.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace proactive::service {

namespace {

    Error badRequest(std::string message, std::string where)
    {
        return { "bad_request", std::move(message), std::move(where) };
    }

    double score(Duration age)
    {
        const double value = 1.0
            / (1.0
                + static_cast<double>(std::max(age, Duration(0)).count())
                    / static_cast<double>(kRetrievalHalfLife.count()));
        return std::round(value * 10000.0) / 10000.0;
    }

} // namespace

Result<RetrievalRequest> parseRetrievalRequest(std::string_view body)
{
    const auto json = parseJsonText(body);
    if (json.is_discarded() || !json.is_object())
        return badRequest("the body must be a JSON object", "body");
    RetrievalRequest request;
    const auto knowledgeId = json.find("knowledge_id");
    if (knowledgeId == json.end() || !knowledgeId->is_string() || knowledgeId->get_ref<const std::string&>().empty())
        return badRequest("knowledge_id must be a non-empty string (a session id or an email)", "knowledge_id");
    request.knowledgeId = knowledgeId->get<std::string>();
    const auto query = json.find("query");
    if (query == json.end() || !query->is_string())
        return badRequest("query must be a string", "query");
    request.query = query->get<std::string>();
    const auto setting = json.find("retrieval_setting");
    if (setting == json.end() || !setting->is_object())
        return badRequest("retrieval_setting must be an object with top_k and score_threshold", "retrieval_setting");
    const auto topK = setting->find("top_k");
    if (topK == setting->end() || !topK->is_number() || topK->get<double>() < 1)
        return badRequest("top_k must be a number of at least 1", "retrieval_setting.top_k");
    request.topK = static_cast<int>(std::min<double>(topK->get<double>(), kMaxRetrievalRecords));
    const auto threshold = setting->find("score_threshold");
    if (threshold == setting->end())
        return badRequest(
            "score_threshold is required (0 when Dify's threshold is off)", "retrieval_setting.score_threshold");
    if (!threshold->is_null()) {
        if (!threshold->is_number() || threshold->get<double>() < 0 || threshold->get<double>() > 1)
            return badRequest("score_threshold must be a number from 0 to 1", "retrieval_setting.score_threshold");
        request.scoreThreshold = threshold->get<double>();
    }
    return request;
}

std::string retrievalRecords(const SessionActivity& activity, const RetrievalRequest& request)
{
    std::string out;
    JsonWriter json(out);
    json.beginObject().key("records").beginArray();
    const Timestamp newest = activity.actions.empty() ? Timestamp {} : activity.actions.front().timestampStart;
    int written = 0;
    for (const Action& action : activity.actions) {
        if (written >= request.topK)
            break;
        const double value = score(newest - action.timestampStart);
        if (value < request.scoreThreshold)
            break; // scores only decrease from here
        const std::string& what = !action.description.empty() ? action.description
            : !action.title.empty()                           ? action.title
                                                              : action.event;
        const std::string title
            = action.canonicalUrl.empty() ? action.title : action.title + " · " + action.canonicalUrl;
        const std::string timestamp = formatIsoTimestamp(action.timestampStart);
        // Keys in the order nlohmann's (std::map) objects keep them.
        json.beginObject();
        json.key("content").value(timestamp + ": " + what);
        json.key("metadata").beginObject();
        json.key("canonical_url").value(action.canonicalUrl);
        json.key("distinct_id").value(action.distinctId);
        json.key("event").value(action.event);
        json.key("index").value(action.index);
        json.key("product_id").value(activity.productId);
        json.key("session_id").value(activity.sessionId);
        json.key("timestamp").value(timestamp);
        json.key("type").value(nameOf(action.type));
        json.key("url").value(action.rawUrl);
        json.endObject();
        json.key("score").value(value);
        json.key("title").value(title.empty() ? action.event : title);
        json.endObject();
        ++written;
    }
    json.endArray().endObject();
    return out;
}

} // namespace proactive::service
