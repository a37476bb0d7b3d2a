#include "replay/replayreport.h"

#include "base/text.h"
#include "gates/decision.h"
#include "groundtruth/truthgoal.h"
#include "groundtruth/truthreport.h"
#include "intake/canonicalurl.h"

#include <algorithm>
#include <cstdio>
#include <numeric>

namespace proactive {

namespace {

    using nlohmann::json;

    constexpr std::string_view kFormat = "proactive-studio/replay-report";
    constexpr int kFormatVersion = 1;

    double offsetS(Timestamp at, Timestamp start)
    {
        return toSeconds(at - start);
    }

    json settingsJson(const ReplaySettings& settings)
    {
        return { { "policy", settings.policy.toString() },
            { "poll_interval_s", toSeconds(settings.client.pollInterval) },
            { "first_poll_s", toSeconds(settings.client.firstPoll) },
            { "race_window_s", toSeconds(settings.client.raceWindow) },
            { "reaction_s", toSeconds(settings.policy.reaction) },
            { "bot_response_s", toSeconds(settings.policy.botResponse) }, { "tail_s", toSeconds(settings.tail) },
            { "explain", settings.client.explain } };
    }

    json importJson(const ImportResult& import)
    {
        json diagnostics = json::array();
        for (const ImportDiagnostic& d : import.diagnostics)
            diagnostics.push_back(
                { { "file", d.file }, { "line", d.line }, { "code", d.code }, { "message", d.message } });
        return { { "files", import.files }, { "sessions", import.sessions.size() }, { "events", import.events },
            { "rejected", import.rejected }, { "ignored", import.ignored }, { "duplicates", import.duplicates },
            { "unassigned", import.unassigned }, { "diagnostics", std::move(diagnostics) },
            { "diagnostics_left_out", import.diagnosticsLeftOut } };
    }

    struct Bucket {
        double from;
        double to; // exclusive; 0 = open-ended
        const char* label;
    };
    constexpr Bucket kOfferBuckets[] = {
        { 0, 30, "< 30 s" },
        { 30, 60, "30 s – 1 min" },
        { 60, 120, "1 – 2 min" },
        { 120, 300, "2 – 5 min" },
        { 300, 600, "5 – 10 min" },
        { 600, 1800, "10 – 30 min" },
        { 1800, 0, "≥ 30 min" },
    };

    json distributionJson(const std::vector<double>& sorted)
    {
        json out { { "count", sorted.size() } };
        if (sorted.empty()) {
            for (const char* key : { "min", "p50", "p90", "max", "mean" })
                out[key] = nullptr;
        } else {
            out["min"] = sorted.front();
            out["p50"] = *quantile(sorted, 0.5);
            out["p90"] = *quantile(sorted, 0.9);
            out["max"] = sorted.back();
            out["mean"] = std::accumulate(sorted.begin(), sorted.end(), 0.0) / static_cast<double>(sorted.size());
        }
        json histogram = json::array();
        for (const Bucket& bucket : kOfferBuckets) {
            const auto count = std::count_if(sorted.begin(), sorted.end(),
                [&](double v) { return v >= bucket.from && (bucket.to == 0 || v < bucket.to); });
            histogram.push_back({ { "from_s", bucket.from },
                { "to_s", bucket.to == 0 ? json(nullptr) : json(bucket.to) }, { "sessions", count } });
        }
        out["histogram"] = std::move(histogram);
        return out;
    }

    json pollJson(const ReplayPoll& poll, const RecordedSession& session, Timestamp start)
    {
        json out { { "at", formatIsoTimestamp(poll.at) }, { "t_s", offsetS(poll.at, start) },
            { "offer", poll.triggerId.empty() ? json(nullptr) : json(poll.triggerId) },
            { "skip_reason", poll.skipReason.empty() ? json(nullptr) : json(poll.skipReason) },
            { "state", nameOf(poll.state) }, { "toast", nameOf(poll.toast) },
            { "page",
                poll.lastAction >= 0
                    ? json(session.actions[static_cast<std::size_t>(poll.lastAction)].canonicalUrl.get())
                    : json(nullptr) } };
        if (!poll.gates.empty())
            out["gates"] = gatesJson(poll.gates, poll.triggers); // as GET /context?explain=1 reports them
        return out;
    }

    std::string secondsLabel(double seconds)
    {
        char buffer[32];
        if (seconds < 120)
            std::snprintf(buffer, sizeof buffer, "%.0f s", seconds);
        else if (seconds < 7200)
            std::snprintf(buffer, sizeof buffer, "%.1f min", seconds / 60);
        else
            std::snprintf(buffer, sizeof buffer, "%.1f h", seconds / 3600);
        return buffer;
    }

    std::string percentLabel(double rate)
    {
        char buffer[16];
        std::snprintf(buffer, sizeof buffer, "%.1f %%", rate * 100);
        return buffer;
    }

} // namespace

json totalsJson(const BatchTotals& totals)
{
    json triggers = json::array();
    for (const TriggerTotals& t : totals.triggers)
        triggers.push_back({ { "product_id", t.productId }, { "trigger_id", t.triggerId }, { "firings", t.firings },
            { "shown", t.shown }, { "sessions", t.sessions }, { "fire_rate", totals.fireRate(t) } });
    return { { "sessions", totals.sessions }, { "sessions_reached", totals.sessionsReached },
        { "reached_rate", totals.reachedRate() }, { "actions", totals.actions }, { "polls", totals.polls },
        { "firings", totals.firings }, { "silenced_sessions", totals.silenced }, { "triggers", std::move(triggers) },
        { "skip_reasons", totals.skipReasons }, { "responses", totals.responses },
        { "time_to_first_offer_s", distributionJson(totals.timeToFirstOfferS) } };
}

json sessionJson(const RecordedSession& session, const ReplayRecord& record, bool polls)
{
    const SessionSummary& s = session.summary;
    const Timestamp start = record.start;
    json out { { "product_id", s.productId }, { "session_id", s.sessionId }, { "distinct_id", s.distinctId },
        { "email", s.email }, { "start", formatIsoTimestamp(s.start) }, { "end", formatIsoTimestamp(s.end) },
        { "duration_s", toSeconds(s.duration) }, { "actions", s.actionCount }, { "pageviews", s.pageviews },
        { "pages", s.pages }, { "replay_end", formatIsoTimestamp(record.end) }, { "polls", record.pollCount },
        { "skip_reasons", record.skipReasons } };
    json firings = json::array();
    for (const ReplayFiring& f : record.firings) {
        json firing { { "at", formatIsoTimestamp(f.at) }, { "t_s", offsetS(f.at, start) },
            { "trigger_id", f.triggerId }, { "page", f.page }, { "body", f.body }, { "shown", f.shown } };
        if (!f.tourId.empty())
            firing["tour_id"] = f.tourId;
        firings.push_back(std::move(firing));
    }
    out["firings"] = std::move(firings);
    json responses = json::array();
    for (const ReplayResponse& r : record.responses)
        responses.push_back({ { "at", formatIsoTimestamp(r.at) }, { "t_s", offsetS(r.at, start) },
            { "action", r.action }, { "trigger_id", r.triggerId }, { "agent_event", r.agentEvent },
            { "outcome", r.outcome }, { "state", nameOf(r.state) } });
    out["responses"] = std::move(responses);
    json path = json::array();
    for (const TransitionRecord& t : record.transitions)
        path.push_back({ { "at", formatIsoTimestamp(t.at) }, { "t_s", offsetS(t.at, start) }, { "event", t.event },
            { "from", nameOf(t.from) }, { "to", nameOf(t.to) }, { "cause", t.cause } });
    out["fsm_path"] = std::move(path);
    json cooldowns = json::array();
    for (const ReplayCooldown& c : record.cooldowns)
        cooldowns.push_back({ { "start", formatIsoTimestamp(c.start) }, { "t_s", offsetS(c.start, start) },
            { "end", c.end ? json(formatIsoTimestamp(*c.end)) : json(nullptr) },
            { "duration_s", c.end ? json(toSeconds(*c.end - c.start)) : json(nullptr) },
            { "silenced", !c.end.has_value() }, { "dismissals", c.dismissals }, { "cause", c.cause } });
    out["cooldowns"] = std::move(cooldowns);
    if (polls) {
        json log = json::array();
        for (const ReplayPoll& poll : record.polls)
            log.push_back(pollJson(poll, session, start));
        out["poll_log"] = std::move(log);
    }
    return out;
}

json reportJson(const ReplayReport& report)
{
    json out { { "format", kFormat }, { "version", kFormatVersion }, { "workspace", report.workspace },
        { "inputs", report.inputs }, { "settings", settingsJson(report.settings) } };
    if (report.import)
        out["import"] = importJson(*report.import);
    if (report.batch) {
        out["totals"] = totalsJson(report.batch->totals);
        json sessions = json::array();
        for (std::size_t i = 0; i < report.sessions.size() && i < report.batch->records.size(); ++i)
            sessions.push_back(sessionJson(report.sessions[i], report.batch->records[i], report.settings.keepPolls));
        out["sessions"] = std::move(sessions);
    }
    if (report.truth)
        out["ground_truth"] = groundTruthJson(*report.truth, report.sessions);
    if (report.impact)
        out["impact"] = impactJson(*report.impact);
    if (report.sweep) {
        json axes = json::array();
        for (const SweepAxis& axis : report.sweep->axes)
            axes.push_back({ { "path", axis.path }, { "values", axis.values } });
        json points = json::array();
        const std::vector<bool> front = paretoFront(report.sweep->points);
        for (std::size_t p = 0; p < report.sweep->points.size(); ++p) {
            const SweepPoint& point = report.sweep->points[p];
            json settings = json::object();
            for (const SettingOverride& s : point.settings)
                settings[s.path] = s.value;
            json item { { "settings", std::move(settings) }, { "totals", totalsJson(point.totals) } };
            if (point.truth) {
                item["ground_truth"] = truthCountsJson(point.truth->overall);
                item["ground_truth"]["expectations"]
                    = { { "passed", point.truth->expectationsPassed }, { "failed", point.truth->expectationsFailed } };
                item["pareto"] = static_cast<bool>(front[p]);
            }
            points.push_back(std::move(item));
        }
        out["sweep"] = { { "product_id", report.sweep->productId }, { "axes", std::move(axes) },
            { "points", std::move(points) } };
    }
    if (report.diff) {
        const ReplayDiff& d = *report.diff;
        json changes = json::array();
        for (const FiringChange& c : d.changes) {
            json change { { "kind", nameOf(c.kind) }, { "product_id", c.productId }, { "session_id", c.sessionId },
                { "trigger_id", c.triggerId },
                { "before", c.before ? json(formatIsoTimestamp(*c.before)) : json(nullptr) },
                { "after", c.after ? json(formatIsoTimestamp(*c.after)) : json(nullptr) },
                { "page_before", c.pageBefore }, { "page_after", c.pageAfter } };
            if (c.before && c.after)
                change["shift_s"] = toSeconds(*c.after - *c.before);
            changes.push_back(std::move(change));
        }
        out["diff"] = { { "other_triggers", report.diffTriggers }, { "unchanged", d.unchanged },
            { "appeared", d.appeared }, { "disappeared", d.disappeared }, { "moved", d.moved },
            { "sessions_changed", d.sessionsChanged }, { "changes", std::move(changes) } };
        if (report.truth && report.diffTruth) {
            json changed = json::array();
            for (const ExpectationChange& change : changedExpectations(*report.truth, *report.diffTruth)) {
                const SessionLabels& labels = *change.before->labels;
                const Expectation& expectation = labels.expectations[static_cast<std::size_t>(change.was->expectation)];
                changed.push_back({ { "session_id", report.sessions[change.before->session].summary.sessionId },
                    { "source", labels.file + ":" + expectation.pointer },
                    { "before", change.was->passed ? "pass" : "fail" },
                    { "after", change.now->passed ? "pass" : "fail" }, { "reason_before", change.was->reason },
                    { "reason_after", change.now->reason } });
            }
            out["diff"]["ground_truth"] = { { "before", truthCountsJson(report.truth->overall) },
                { "after", truthCountsJson(report.diffTruth->overall) },
                { "expectations_changed", std::move(changed) } };
        }
    }
    return out;
}

std::string renderJsonReport(const ReplayReport& report)
{
    return reportJson(report).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string renderTextSummary(const ReplayReport& report, std::size_t maxSessions)
{
    std::string out;
    const ReplaySettings& settings = report.settings;
    std::vector<std::string> products;
    for (const RecordedSession& session : report.sessions)
        if (std::find(products.begin(), products.end(), session.summary.productId) == products.end())
            products.push_back(session.summary.productId);
    std::string productList;
    for (const auto& p : products)
        productList += (productList.empty() ? "" : ", ") + p;

    if (report.batch) {
        const BatchTotals& t = report.batch->totals;
        out += "Replayed " + std::to_string(t.sessions) + (t.sessions == 1 ? " session" : " sessions") + " ("
            + std::to_string(t.actions) + " actions, " + std::to_string(t.polls) + " polls) of "
            + (products.size() == 1 ? "product " : "products ") + productList + "\n";
        out += "Policy " + settings.policy.toString() + "; polls every "
            + secondsLabel(toSeconds(settings.client.pollInterval)) + ", the first after "
            + secondsLabel(toSeconds(settings.client.firstPoll)) + ", until " + secondsLabel(toSeconds(settings.tail))
            + " after the last action\n";
        out += "Offers: " + std::to_string(t.firings) + " in " + std::to_string(t.sessionsReached) + " sessions ("
            + percentLabel(t.reachedRate()) + " reached)";
        if (t.silenced > 0)
            out += "; " + std::to_string(t.silenced) + " sessions ended silenced";
        out += "\n";
        if (!t.timeToFirstOfferS.empty())
            out += "Time to first offer: p50 " + secondsLabel(*quantile(t.timeToFirstOfferS, 0.5)) + ", p90 "
                + secondsLabel(*quantile(t.timeToFirstOfferS, 0.9)) + " (min "
                + secondsLabel(t.timeToFirstOfferS.front()) + ", max " + secondsLabel(t.timeToFirstOfferS.back())
                + ")\n";
        out += "\n" + padded("Trigger", 32) + padded("Firings", 9, true) + padded("Sessions", 10, true)
            + padded("Fire rate", 11, true) + "\n";
        for (const TriggerTotals& trigger : t.triggers)
            out += padded((products.size() > 1 ? trigger.productId + "/" : std::string()) + trigger.triggerId, 32)
                + padded(std::to_string(trigger.firings), 9, true) + padded(std::to_string(trigger.sessions), 10, true)
                + padded(percentLabel(t.fireRate(trigger)), 11, true) + "\n";
        if (!t.skipReasons.empty()) {
            std::vector<std::pair<std::string, std::size_t>> reasons(t.skipReasons.begin(), t.skipReasons.end());
            std::stable_sort(
                reasons.begin(), reasons.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
            out += "\nSkip reasons:";
            for (const auto& [reason, count] : reasons)
                out += " " + reason + " " + std::to_string(count) + ";";
            out.back() = '\n';
        }
        out += "\nSessions\n";
        const std::size_t shown = std::min(maxSessions, report.sessions.size());
        for (std::size_t i = 0; i < shown && i < report.batch->records.size(); ++i) {
            const SessionSummary& s = report.sessions[i].summary;
            const ReplayRecord& record = report.batch->records[i];
            std::string line = "  " + s.sessionId + "  " + (s.distinctId.empty() ? "-" : s.distinctId) + "  "
                + std::to_string(s.actionCount) + " actions, " + secondsLabel(toSeconds(s.duration)) + "  ";
            if (record.firings.empty())
                line += "no offer";
            for (std::size_t f = 0; f < record.firings.size(); ++f) {
                const ReplayFiring& firing = record.firings[f];
                line += (f ? ", " : "") + firing.triggerId + " at +" + secondsLabel(offsetS(firing.at, record.start))
                    + (firing.page.empty() ? std::string() : " on " + std::string(urlPath(firing.page)));
            }
            out += line + "\n";
        }
        if (report.sessions.size() > shown)
            out += "  … and " + std::to_string(report.sessions.size() - shown)
                + " more (see the JSON or HTML report)\n";
    }
    if (report.truth)
        out += "\n" + groundTruthText(*report.truth, report.sessions);
    if (report.impact)
        out += "\n" + impactText(*report.impact);

    if (report.sweep && !report.sweep->points.empty()) {
        out += "\nSweep of " + report.sweep->productId + "\n";
        std::string header;
        for (const SweepAxis& axis : report.sweep->axes)
            header += padded(axis.path, std::max<std::size_t>(axis.path.size() + 2, 12));
        const bool judged = !report.sweep->points.empty() && report.sweep->points.front().truth;
        const std::vector<bool> front = paretoFront(report.sweep->points);
        out += header + padded("Reached", 10, true) + padded("Offers", 8, true) + padded("p50 first", 11, true)
            + padded("p90 first", 11, true)
            + (judged ? padded("Precision", 11, true) + padded("Recall", 8, true) + padded("F1", 6, true) : "") + "\n";
        for (std::size_t p = 0; p < report.sweep->points.size(); ++p) {
            const SweepPoint& point = report.sweep->points[p];
            std::string line;
            for (std::size_t a = 0; a < point.settings.size(); ++a)
                line += padded(formatSettingValue(point.settings[a].value),
                    std::max<std::size_t>(report.sweep->axes[a].path.size() + 2, 12));
            const auto& ttfo = point.totals.timeToFirstOfferS;
            line += padded(percentLabel(point.totals.reachedRate()), 10, true)
                + padded(std::to_string(point.totals.firings), 8, true)
                + padded(ttfo.empty() ? "-" : secondsLabel(*quantile(ttfo, 0.5)), 11, true)
                + padded(ttfo.empty() ? "-" : secondsLabel(*quantile(ttfo, 0.9)), 11, true);
            if (point.truth) {
                const TruthCounts& c = point.truth->overall;
                line += padded(formatRatio(c.precision()), 11, true) + padded(formatRatio(c.recall()), 8, true)
                    + padded(formatRatio(c.f1()), 6, true) + (front[p] ? "  ◆ Pareto" : "");
            }
            out += line + "\n";
        }
        if (judged)
            out += "◆ Pareto: no other setting has both a higher or equal precision and recall (and one higher)\n";
    }

    if (report.diff) {
        const ReplayDiff& d = *report.diff;
        out += "\nDiff against " + report.diffTriggers + ": " + std::to_string(d.appeared) + " appeared, "
            + std::to_string(d.disappeared) + " disappeared, " + std::to_string(d.moved) + " moved, "
            + std::to_string(d.unchanged) + " unchanged (" + std::to_string(d.sessionsChanged) + " sessions changed)\n";
        const std::size_t shown = std::min<std::size_t>(d.changes.size(), 40);
        for (std::size_t i = 0; i < shown; ++i) {
            const FiringChange& c = d.changes[i];
            std::string line = "  " + padded(std::string(nameOf(c.kind)), 12) + c.sessionId + "  " + c.triggerId;
            // Times relative to the session's start, as everywhere else in the summary.
            Timestamp start {};
            for (const RecordedSession& s : report.sessions)
                if (s.summary.sessionId == c.sessionId && s.summary.productId == c.productId)
                    start = s.summary.start;
            const auto at = [&](const std::optional<Timestamp>& t) {
                return t ? "+" + secondsLabel(offsetS(*t, start)) : std::string("-");
            };
            line += "  " + at(c.before) + " → " + at(c.after);
            out += line + "\n";
        }
        if (d.changes.size() > shown)
            out += "  … and " + std::to_string(d.changes.size() - shown) + " more\n";
        if (report.truth && report.diffTruth) {
            const TruthCounts& a = report.truth->overall;
            const TruthCounts& b = report.diffTruth->overall;
            const auto change
                = [](std::size_t x, std::size_t y) { return std::to_string(x) + " → " + std::to_string(y); };
            out += "Ground truth: hits " + change(a.hits, b.hits) + ", misses " + change(a.misses(), b.misses())
                + ", false offers " + change(a.falseOffers, b.falseOffers) + "; precision " + formatRatio(a.precision())
                + " → " + formatRatio(b.precision()) + ", recall " + formatRatio(a.recall()) + " → "
                + formatRatio(b.recall()) + ", F1 " + formatRatio(a.f1()) + " → " + formatRatio(b.f1()) + "\n";
            for (const ExpectationChange& c : changedExpectations(*report.truth, *report.diffTruth)) {
                const auto& expectation = c.before->labels->expectations[static_cast<std::size_t>(c.was->expectation)];
                out += std::string(c.now->passed ? "  now passes: " : "  now fails: ")
                    + report.sessions[c.before->session].summary.sessionId + " (" + c.before->labels->file + ":"
                    + expectation.pointer + "): " + c.now->reason + "\n";
            }
        }
    }
    return out;
}

} // namespace proactive
