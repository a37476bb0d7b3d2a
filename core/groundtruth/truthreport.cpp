#include "groundtruth/truthreport.h"

#include "base/text.h"
#include "replay/replaybatch.h"
#include "replay/sessionimport.h"
#include "triggers/condition.h"
#include "triggers/trigger.h"

#include <cstdio>
#include <numeric>

namespace proactive {

namespace {

    using nlohmann::json;

    json optionalJson(const std::optional<double>& value)
    {
        return value ? json(*value) : json(nullptr);
    }

    json timeJson(const LabelTime& time, Timestamp start)
    {
        return toSeconds(time.resolve(start) - start);
    }

    json leadJson(const std::vector<double>& sorted)
    {
        if (sorted.empty())
            return { { "count", 0 }, { "min", nullptr }, { "p50", nullptr }, { "p90", nullptr }, { "max", nullptr },
                { "mean", nullptr } };
        return { { "count", sorted.size() }, { "min", sorted.front() }, { "p50", *quantile(sorted, 0.5) },
            { "p90", *quantile(sorted, 0.9) }, { "max", sorted.back() },
            { "mean", std::accumulate(sorted.begin(), sorted.end(), 0.0) / static_cast<double>(sorted.size()) } };
    }

    json sessionTruthJson(const SessionTruth& truth, const RecordedSession& session)
    {
        const SessionLabels& labels = *truth.labels;
        const Timestamp start = truth.start;
        json ranges = json::array();
        for (std::size_t r = 0; r < labels.ranges.size(); ++r) {
            const LabelRange& range = labels.ranges[r];
            json item { { "kind", nameOf(range.kind) }, { "from_s", timeJson(range.from, start) },
                { "to_s", timeJson(range.to, start) },
                { "answer", range.answer.empty() ? json(nullptr) : json(range.answer) }, { "note", range.note },
                { "author", range.author }, { "source", labels.file + ":" + range.pointer } };
            for (const RangeVerdict& verdict : truth.ranges)
                if (verdict.range == static_cast<int>(r)) {
                    item["answered"] = verdict.answered;
                    item["answered_by"] = verdict.answered ? json(verdict.triggerId) : json(nullptr);
                    item["lead_s"] = verdict.answered
                        ? json(toSeconds(*verdict.firstAnswer - range.from.resolve(start)))
                        : json(nullptr);
                }
            ranges.push_back(std::move(item));
        }
        json offers = json::array();
        for (const OfferVerdict& offer : truth.offers)
            offers.push_back({ { "t_s", toSeconds(offer.at - start) }, { "trigger", offer.triggerId },
                { "verdict", nameOf(offer.kind) }, { "range", offer.range < 0 ? json(nullptr) : json(offer.range) },
                { "reason", offer.reason } });
        json expectations = json::array();
        for (const ExpectationResult& result : truth.expectations) {
            const Expectation& expectation = labels.expectations[static_cast<std::size_t>(result.expectation)];
            json explanation = json::array();
            for (const TriggerReport& report : result.explanation)
                explanation.push_back({ { "trigger", report.triggerId }, { "status", nameOf(report.status) },
                    { "conditions", toJson(report.explanation) } });
            expectations.push_back({ { "expect", nameOf(expectation.kind) },
                { "trigger", expectation.trigger.empty() ? json(nullptr) : json(expectation.trigger) },
                { "from_s", expectation.from ? timeJson(*expectation.from, start) : json(nullptr) },
                { "to_s", expectation.to ? timeJson(*expectation.to, start) : json(nullptr) },
                { "passed", result.passed }, { "reason", result.reason }, { "t_s", toSeconds(result.at - start) },
                { "explanation", std::move(explanation) }, { "source", labels.file + ":" + expectation.pointer } });
        }
        return { { "session_id", session.summary.sessionId }, { "product", session.summary.productId },
            { "fully_labelled", labels.fullyLabelled }, { "ranges", std::move(ranges) },
            { "offers", std::move(offers) }, { "expectations", std::move(expectations) } };
    }

} // namespace

std::string formatRatio(const std::optional<double>& value)
{
    if (!value)
        return "–";
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%.2f", *value);
    return buffer;
}

json truthCountsJson(const TruthCounts& counts)
{
    return { { "sessions", counts.sessions }, { "offers", counts.offers }, { "hits", counts.hits },
        { "false_offers", counts.falseOffers }, { "unlabelled_offers", counts.unlabelledOffers },
        { "wanted", counts.wanted }, { "answered", counts.answered }, { "misses", counts.misses() },
        { "precision", optionalJson(counts.precision()) }, { "recall", optionalJson(counts.recall()) },
        { "f1", optionalJson(counts.f1()) }, { "annoyance", optionalJson(counts.annoyance()) },
        { "lead_time_s", leadJson(counts.leadTimesS) } };
}

json groundTruthJson(const GroundTruth& truth, std::span<const RecordedSession> sessions)
{
    json triggers = json::array();
    for (const TriggerTruth& trigger : truth.triggers) {
        json item = truthCountsJson(trigger.counts);
        item["product"] = trigger.productId;
        item["trigger"] = trigger.triggerId;
        triggers.push_back(std::move(item));
    }
    json labelled = json::array();
    for (const SessionTruth& session : truth.labelled)
        labelled.push_back(sessionTruthJson(session, sessions[session.session]));
    return { { "sessions", truth.sessions }, { "labelled_sessions", truth.labelledSessions },
        { "labels_without_session", truth.labelsWithoutSession }, { "overall", truthCountsJson(truth.overall) },
        { "triggers", std::move(triggers) },
        { "expectations", { { "passed", truth.expectationsPassed }, { "failed", truth.expectationsFailed } } },
        { "labelled", std::move(labelled) } };
}

std::string groundTruthText(const GroundTruth& truth, std::span<const RecordedSession> sessions)
{
    const TruthCounts& all = truth.overall;
    std::string out = "Ground truth: " + plural(truth.labelledSessions, "labelled session", "labelled sessions")
        + " of " + std::to_string(truth.sessions);
    if (truth.labelsWithoutSession > 0)
        out += " (" + plural(truth.labelsWithoutSession, "labelled session", "labelled sessions") + " not replayed)";
    out += "\n  precision " + formatRatio(all.precision()) + ", recall " + formatRatio(all.recall()) + ", F1 "
        + formatRatio(all.f1()) + "; " + plural(all.hits, "hit", "hits") + ", " + plural(all.misses(), "miss", "misses")
        + ", " + plural(all.falseOffers, "false offer", "false offers") + ", "
        + plural(all.unlabelledOffers, "unlabelled offer", "unlabelled offers");
    if (const auto annoyance = all.annoyance()) {
        char buffer[48];
        std::snprintf(buffer, sizeof buffer, "; %.1f false offers per 100 sessions", *annoyance);
        out += buffer;
    }
    if (!all.leadTimesS.empty()) {
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "; lead time median %.0f s", *quantile(all.leadTimesS, 0.5));
        out += buffer;
    }
    out += "\n";
    if (!truth.triggers.empty()) {
        out += "  " + padded("trigger", 28) + padded("hits", 6) + padded("misses", 8) + padded("false", 7)
            + padded("precision", 11) + padded("recall", 8) + "F1\n";
        for (const TriggerTruth& trigger : truth.triggers) {
            const TruthCounts& c = trigger.counts;
            out += "  " + padded(trigger.triggerId, 28) + padded(std::to_string(c.hits), 6)
                + padded(std::to_string(c.misses()), 8) + padded(std::to_string(c.falseOffers), 7)
                + padded(formatRatio(c.precision()), 11) + padded(formatRatio(c.recall()), 8) + formatRatio(c.f1())
                + "\n";
        }
    }
    const std::size_t expectations = truth.expectationsPassed + truth.expectationsFailed;
    if (expectations > 0) {
        out += "Expectations: " + std::to_string(truth.expectationsPassed) + " of " + std::to_string(expectations)
            + " pass";
        out += truth.expectationsFailed > 0 ? ", " + std::to_string(truth.expectationsFailed) + " fail:\n" : "\n";
        for (const SessionTruth& session : truth.labelled)
            for (const ExpectationResult& result : session.expectations)
                if (!result.passed) {
                    const auto& expectation
                        = session.labels->expectations[static_cast<std::size_t>(result.expectation)];
                    out += "  FAIL " + sessions[session.session].summary.sessionId + " (" + session.labels->file + ":"
                        + expectation.pointer + "): " + result.reason + "\n";
                }
    }
    return out;
}

} // namespace proactive
