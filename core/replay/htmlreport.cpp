#include "groundtruth/truthgoal.h"
#include "groundtruth/truthreport.h"
#include "intake/canonicalurl.h"
#include "replay/replayreport.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>

namespace proactive {

namespace {

    constexpr double kTimelineWidth = 960;
    constexpr double kTimelinePad = 8;

    // The length of the valid UTF-8 sequence at text[i], 0 when invalid.
    std::size_t utf8Length(std::string_view text, std::size_t i)
    {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (length == 0 || i + length > text.size())
            return 0;
        for (std::size_t k = 1; k < length; ++k)
            if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80)
                return 0;
        return length;
    }

    // HTML text, with invalid UTF-8 from the recordings replaced (U+FFFD).
    std::string escaped(std::string_view text)
    {
        std::string out;
        out.reserve(text.size());
        for (std::size_t i = 0; i < text.size(); ++i) {
            const char c = text[i];
            if (static_cast<unsigned char>(c) >= 0x80) {
                const std::size_t length = utf8Length(text, i);
                if (length == 0) {
                    out += "\xEF\xBF\xBD";
                } else {
                    out.append(text.substr(i, length));
                    i += length - 1;
                }
                continue;
            }
            switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
            }
        }
        return out;
    }

    std::string num(double value, int decimals = 1)
    {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
        return buffer;
    }

    std::string duration(double seconds)
    {
        if (seconds < 120)
            return num(seconds, 0) + " s";
        if (seconds < 7200)
            return num(seconds / 60, 1) + " min";
        return num(seconds / 3600, 1) + " h";
    }

    std::string counted(std::size_t n, const char* noun)
    {
        return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
    }

    std::string percent(double rate)
    {
        return num(rate * 100, 1) + " %";
    }

    // Colours: skip reasons and states keep theirs across every chart.
    std::string reasonColour(std::string_view reason)
    {
        if (reason.empty() || reason == "offer")
            return "#2e9e4f";
        if (reason == "no_trigger")
            return "#b8bec6";
        if (reason == "fsm:wrong_state")
            return "#f0a030";
        if (reason == "fsm:conservative_cooldown")
            return "#d9443a";
        if (reason == "resilience:min_interval")
            return "#3d7dd8";
        if (reason == "resilience:circuit_open")
            return "#333a44";
        if (reason == "trigger:cooldown")
            return "#8e5bd0";
        if (reason.starts_with("quota:"))
            return "#9a6a3a";
        if (reason == "product:disabled")
            return "#6b7280";
        return "#e0529c";
    }

    std::string stateColour(FsmState state)
    {
        switch (state) {
        case FsmState::Thinking:
            return "#e7ebf0";
        case FsmState::ReactiveAssistance:
            return "#9cc3f0";
        case FsmState::ProactiveAssistance:
            return "#8fd6a4";
        case FsmState::GuidanceExecution:
            return "#c7a8f0";
        case FsmState::ConservativeAssistance:
            break;
        }
        return "#f3a79f";
    }

    std::string actionColour(ActionType type)
    {
        switch (type) {
        case ActionType::Pageview:
            return "#1f5fbf";
        case ActionType::Click:
            return "#444c56";
        case ActionType::RageClick:
            return "#d9443a";
        case ActionType::Submit:
            return "#2e9e4f";
        case ActionType::Change:
            return "#8e5bd0";
        case ActionType::Pageleave:
            return "#9aa3ad";
        case ActionType::Custom:
            break;
        }
        return "#c98a10";
    }

    constexpr std::string_view kStyle = R"CSS(
:root { color-scheme: light; --muted: #5b6470; --line: #dde2e8; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d232b; background: #f6f7f9; }
header, section, footer { max-width: 1040px; margin: 0 auto; padding: 16px 24px; }
header { padding-top: 28px; }
h1 { font-size: 22px; margin: 0 0 6px; }
h2 { font-size: 17px; margin: 8px 0 10px; }
h3 { font-size: 14px; margin: 0; font-weight: 600; word-break: break-all; }
p.meta, .muted { color: var(--muted); margin: 2px 0; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 150px; }
.card b { display: block; font-size: 20px; }
table { border-collapse: collapse; background: #fff; width: 100%; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #eef1f4; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
svg { display: block; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
svg text { font: 11px system-ui, sans-serif; fill: #1d232b; }
svg text.small { font-size: 10px; fill: var(--muted); }
article.session { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; margin: 0 0 12px; }
article.session svg { border: none; margin-top: 6px; }
ul.firings { margin: 6px 0 0; padding-left: 18px; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 6px 0; }
.legend span { display: inline-flex; align-items: center; gap: 5px; color: var(--muted); }
.legend i { display: inline-block; width: 12px; height: 12px; border-radius: 2px; }
code { background: #eef1f4; padding: 0 4px; border-radius: 3px; }
tr.fail td { background: #fdecea; }
tr.pass td { color: var(--muted); }
table.impact td.n { white-space: nowrap; }
)CSS";

    struct Bar {
        std::string label;
        double value = 0; // 0 … max
        std::string text; // shown after the bar
        std::string colour;
        std::string title;
    };

    std::string barChart(const std::vector<Bar>& bars, double max, const std::string& cssClass)
    {
        const double labelWidth = 260;
        const double width = 900;
        const double rowHeight = 22;
        const double height = rowHeight * static_cast<double>(bars.size()) + 10;
        std::string svg = "<svg class=\"" + cssClass + "\" width=\"" + num(width, 0) + "\" height=\"" + num(height, 0)
            + "\" viewBox=\"0 0 " + num(width, 0) + " " + num(height, 0) + "\" role=\"img\">";
        const double span = width - labelWidth - 90;
        for (std::size_t i = 0; i < bars.size(); ++i) {
            const Bar& bar = bars[i];
            const double y = 5 + rowHeight * static_cast<double>(i);
            const double w = max > 0 ? std::max(0.0, bar.value / max * span) : 0;
            svg += "<g><title>" + escaped(bar.title.empty() ? bar.label + ": " + bar.text : bar.title) + "</title>";
            svg += "<text x=\"" + num(labelWidth - 8, 0) + "\" y=\"" + num(y + 15, 0) + "\" text-anchor=\"end\">"
                + escaped(bar.label) + "</text>";
            svg += "<rect x=\"" + num(labelWidth, 0) + "\" y=\"" + num(y + 3, 0) + "\" width=\"" + num(w, 1)
                + "\" height=\"16\" rx=\"2\" fill=\"" + bar.colour + "\"/>";
            svg += "<text x=\"" + num(labelWidth + w + 6, 1) + "\" y=\"" + num(y + 15, 0) + "\">" + escaped(bar.text)
                + "</text></g>";
        }
        return svg + "</svg>\n";
    }

    // A line chart of one metric over the first sweep axis, a line per
    // combination of the other axes.
    std::string sweepChart(const SweepResult& sweep, const std::string& title,
        const std::function<std::optional<double>(const BatchTotals&)>& metric, const std::string& unit)
    {
        const SweepAxis& axis = sweep.axes.front();
        const std::size_t columns = axis.values.size();
        const std::size_t series = sweep.points.size() / std::max<std::size_t>(columns, 1);
        double maxY = 0;
        for (const SweepPoint& point : sweep.points)
            if (auto v = metric(point.totals))
                maxY = std::max(maxY, *v);
        if (maxY <= 0)
            maxY = 1;
        const double minX = *std::min_element(axis.values.begin(), axis.values.end());
        const double maxX = *std::max_element(axis.values.begin(), axis.values.end());
        const double width = 460, height = 240, left = 56, right = 16, top = 26, bottom = 40;
        auto x = [&](double v) {
            return left + (maxX > minX ? (v - minX) / (maxX - minX) : 0.5) * (width - left - right);
        };
        auto y = [&](double v) { return top + (1 - v / maxY) * (height - top - bottom); };
        static const char* kSeriesColours[] = { "#1f5fbf", "#2e9e4f", "#d9443a", "#8e5bd0", "#f0a030", "#333a44" };
        std::string svg = "<svg class=\"sweep-chart\" width=\"" + num(width, 0) + "\" height=\"" + num(height, 0)
            + "\" viewBox=\"0 0 " + num(width, 0) + " " + num(height, 0) + "\" role=\"img\">";
        svg += "<text x=\"" + num(left, 0) + "\" y=\"16\">" + escaped(title) + "</text>";
        for (int i = 0; i <= 4; ++i) {
            const double v = maxY * i / 4;
            svg += "<line x1=\"" + num(left, 0) + "\" x2=\"" + num(width - right, 0) + "\" y1=\"" + num(y(v), 1)
                + "\" y2=\"" + num(y(v), 1) + "\" stroke=\"#eef1f4\"/>";
            svg += "<text class=\"small\" x=\"" + num(left - 6, 0) + "\" y=\"" + num(y(v) + 4, 1)
                + "\" text-anchor=\"end\">" + num(v, v < 10 ? 1 : 0) + unit + "</text>";
        }
        for (const double v : axis.values)
            svg += "<text class=\"small\" x=\"" + num(x(v), 1) + "\" y=\"" + num(height - bottom + 16, 0)
                + "\" text-anchor=\"middle\">" + escaped(formatSettingValue(v)) + "</text>";
        svg += "<text class=\"small\" x=\"" + num((left + width - right) / 2, 0) + "\" y=\"" + num(height - 6, 0)
            + "\" text-anchor=\"middle\">" + escaped(axis.path) + "</text>";
        for (std::size_t s = 0; s < series; ++s) {
            const std::string colour = kSeriesColours[s % 6];
            std::string path;
            std::string dots;
            for (std::size_t c = 0; c < columns; ++c) {
                const SweepPoint& point = sweep.points[c * series + s];
                const auto v = metric(point.totals);
                if (!v)
                    continue;
                path += (path.empty() ? "M" : " L") + num(x(axis.values[c]), 1) + " " + num(y(*v), 1);
                std::string label;
                for (const SettingOverride& setting : point.settings)
                    label += setting.toString() + " ";
                dots += "<circle cx=\"" + num(x(axis.values[c]), 1) + "\" cy=\"" + num(y(*v), 1)
                    + "\" r=\"3.5\" fill=\"" + colour + "\"><title>" + escaped(label + "→ " + num(*v, 1) + unit)
                    + "</title></circle>";
            }
            svg += "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"2\"/>" + dots;
        }
        return svg + "</svg>\n";
    }

    // Precision against recall, a dot per sweep point sized by its fire rate;
    // the Pareto front joined by a line.
    std::string precisionRecallChart(const SweepResult& sweep, const std::vector<bool>& front)
    {
        const double width = 460, height = 300, left = 48, right = 16, top = 26, bottom = 40;
        auto x = [&](double recall) { return left + recall * (width - left - right); };
        auto y = [&](double precision) { return top + (1 - precision) * (height - top - bottom); };
        std::string svg = "<svg class=\"pr-chart\" width=\"" + num(width, 0) + "\" height=\"" + num(height, 0)
            + "\" viewBox=\"0 0 " + num(width, 0) + " " + num(height, 0) + "\" role=\"img\">";
        svg += "<text x=\"" + num(left, 0) + "\" y=\"16\">Precision against recall (dot size: fire rate)</text>";
        for (int i = 0; i <= 4; ++i) {
            const double v = i / 4.0;
            svg += "<line x1=\"" + num(left, 0) + "\" x2=\"" + num(width - right, 0) + "\" y1=\"" + num(y(v), 1)
                + "\" y2=\"" + num(y(v), 1) + "\" stroke=\"#eef1f4\"/><text class=\"small\" x=\"" + num(left - 6, 0)
                + "\" y=\"" + num(y(v) + 4, 1) + "\" text-anchor=\"end\">" + num(v, 2)
                + "</text><text class=\"small\" x=\"" + num(x(v), 1) + "\" y=\"" + num(height - bottom + 16, 0)
                + "\" text-anchor=\"middle\">" + num(v, 2) + "</text>";
        }
        svg += "<text class=\"small\" x=\"" + num((left + width - right) / 2, 0) + "\" y=\"" + num(height - 6, 0)
            + "\" text-anchor=\"middle\">recall</text>";
        std::vector<std::pair<double, double>> frontPoints;
        std::string dots;
        for (std::size_t p = 0; p < sweep.points.size(); ++p) {
            const SweepPoint& point = sweep.points[p];
            const auto precision = metricValue(point, "precision");
            const auto recall = metricValue(point, "recall");
            if (!precision || !recall)
                continue;
            if (front[p])
                frontPoints.emplace_back(*recall, *precision);
            std::string label;
            for (const SettingOverride& setting : point.settings)
                label += setting.toString() + " ";
            dots += "<circle class=\"point\" cx=\"" + num(x(*recall), 1) + "\" cy=\"" + num(y(*precision), 1)
                + "\" r=\"" + num(3 + 9 * point.totals.reachedRate(), 1) + "\" fill=\""
                + (front[p] ? "#1f5fbf" : "#8a94a0") + "\" fill-opacity=\"0.7\"><title>"
                + escaped(label + "→ precision " + formatRatio(precision) + ", recall " + formatRatio(recall) + ", F1 "
                    + formatRatio(point.truth->overall.f1()) + ", fire rate " + percent(point.totals.reachedRate())
                    + (front[p] ? " (Pareto)" : ""))
                + "</title></circle>";
        }
        std::sort(frontPoints.begin(), frontPoints.end());
        std::string path;
        for (const auto& [recall, precision] : frontPoints)
            path += (path.empty() ? "M" : " L") + num(x(recall), 1) + " " + num(y(precision), 1);
        if (!path.empty())
            svg += "<path d=\"" + path
                + "\" fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>";
        return svg + dots + "</svg>\n";
    }

    constexpr std::string_view kOfferedColour = "#2e9e4f";
    constexpr std::string_view kHeldOutColour = "#8a94a3";
    constexpr std::string_view kTooSmallColour = "#d5dae0";

    // Goal rate per arm as a bar on 0–100 % with its Wilson interval as a
    // whisker, two rows per trigger; an arm too small to tell is pale.
    std::string impactRateChart(const ImpactReport& impact, bool manyProducts)
    {
        const double labelWidth = 260, width = 900, rowHeight = 22, gap = 10;
        const double span = width - labelWidth - 150;
        const double height = static_cast<double>(impact.triggers.size()) * (2 * rowHeight + gap) + 34;
        auto x = [&](double rate) { return labelWidth + rate * span; };
        std::string svg = "<svg class=\"chart-impact-rates\" width=\"" + num(width, 0) + "\" height=\"" + num(height, 0)
            + "\" viewBox=\"0 0 " + num(width, 0) + " " + num(height, 0) + "\" role=\"img\">";
        for (int i = 0; i <= 4; ++i) {
            const double rate = i / 4.0;
            svg += "<line x1=\"" + num(x(rate), 1) + "\" x2=\"" + num(x(rate), 1) + "\" y1=\"4\" y2=\""
                + num(height - 22, 0) + "\" stroke=\"#eef1f4\"/><text class=\"small\" x=\"" + num(x(rate), 1)
                + "\" y=\"" + num(height - 8, 0) + "\" text-anchor=\"middle\">" + num(rate * 100, 0) + " %</text>";
        }
        double y = 6;
        for (const TriggerImpact& trigger : impact.triggers) {
            const std::string name = (manyProducts ? trigger.productId + "/" : std::string()) + trigger.triggerId;
            svg += "<text x=\"" + num(labelWidth - 8, 0) + "\" y=\"" + num(y + 15, 0) + "\" text-anchor=\"end\">"
                + escaped(name) + "</text>";
            auto arm = [&](const ImpactArm& a, std::string_view armName, std::string_view colour) {
                const std::string fill(a.tooSmall ? kTooSmallColour : colour);
                const std::string text = a.users ? std::string(armName) + " " + percent(a.rate()) + " · "
                        + std::to_string(a.reached) + "/" + std::to_string(a.users)
                                                 : std::string(armName) + ": nobody";
                svg += "<g><title>"
                    + escaped(text + " (95 % CI " + percent(a.rateInterval.lower) + " – "
                        + percent(a.rateInterval.upper) + ")" + (a.tooSmall ? "; too small: " + *a.tooSmall : ""))
                    + "</title>";
                svg += "<rect x=\"" + num(labelWidth, 0) + "\" y=\"" + num(y + 3, 1) + "\" width=\""
                    + num(a.rate() * span, 1) + "\" height=\"16\" rx=\"2\" fill=\"" + fill + "\"/>";
                if (a.users) {
                    const double mid = y + 11;
                    svg += "<path d=\"M" + num(x(a.rateInterval.lower), 1) + " " + num(mid, 1) + " H"
                        + num(x(a.rateInterval.upper), 1) + " M" + num(x(a.rateInterval.lower), 1) + " "
                        + num(mid - 5, 1) + " V" + num(mid + 5, 1) + " M" + num(x(a.rateInterval.upper), 1) + " "
                        + num(mid - 5, 1) + " V" + num(mid + 5, 1)
                        + "\" stroke=\"#1d232b\" stroke-width=\"1.5\" "
                          "fill=\"none\"/>";
                }
                svg += "<text x=\"" + num(x(a.users ? std::max(a.rate(), a.rateInterval.upper) : 0) + 6, 1) + "\" y=\""
                    + num(y + 15, 0) + "\">" + escaped(text) + "</text></g>";
                y += rowHeight;
            };
            arm(trigger.offered, "offered", kOfferedColour);
            arm(trigger.heldOut, "held out", kHeldOutColour);
            y += gap;
        }
        return svg + "</svg>\n";
    }

    // Offered − held out in points, with the Newcombe interval as a
    // whisker around a dot and 0 marked: a row per trigger.
    std::string impactDifferenceChart(const ImpactReport& impact, bool manyProducts)
    {
        const double labelWidth = 260, width = 900, rowHeight = 24;
        const double height = static_cast<double>(impact.triggers.size()) * rowHeight + 34;
        double extent = 0.1;
        for (const TriggerImpact& trigger : impact.triggers)
            if (trigger.difference)
                extent = std::max({ extent, std::abs(trigger.difference->lower), std::abs(trigger.difference->upper) });
        extent = std::ceil(extent * 10) / 10;
        const double left = labelWidth, right = width - 220;
        auto x = [&](double d) { return left + (d + extent) / (2 * extent) * (right - left); };
        std::string svg = "<svg class=\"chart-impact-difference\" width=\"" + num(width, 0) + "\" height=\""
            + num(height, 0) + "\" viewBox=\"0 0 " + num(width, 0) + " " + num(height, 0) + "\" role=\"img\">";
        for (int i = -2; i <= 2; ++i) {
            const double d = extent * i / 2;
            svg += "<line x1=\"" + num(x(d), 1) + "\" x2=\"" + num(x(d), 1) + "\" y1=\"4\" y2=\"" + num(height - 22, 0)
                + "\" stroke=\"" + (i == 0 ? "#5b6470" : "#eef1f4") + "\"" + (i == 0 ? " stroke-dasharray=\"3 3\"" : "")
                + "/><text class=\"small\" x=\"" + num(x(d), 1) + "\" y=\"" + num(height - 8, 0)
                + "\" text-anchor=\"middle\">" + (d > 0 ? "+" : "") + num(d * 100, 0) + " pts</text>";
        }
        double y = 6;
        for (const TriggerImpact& trigger : impact.triggers) {
            const std::string name = (manyProducts ? trigger.productId + "/" : std::string()) + trigger.triggerId;
            const bool tooSmall = trigger.verdict() == TriggerImpact::Verdict::TooSmall;
            svg += "<g><title>" + escaped(name + ": " + verdictText(trigger)) + "</title><text x=\""
                + num(labelWidth - 8, 0) + "\" y=\"" + num(y + 15, 0) + "\" text-anchor=\"end\">" + escaped(name)
                + "</text>";
            std::string text = tooSmall ? std::string("too small to tell") : std::string();
            if (trigger.difference) {
                const Interval& ci = *trigger.difference;
                const double mid = y + 11;
                const std::string colour = tooSmall                      ? "#9aa3ad"
                    : trigger.verdict() == TriggerImpact::Verdict::Helps ? "#2e9e4f"
                    : trigger.verdict() == TriggerImpact::Verdict::Hurts ? "#d9443a"
                                                                         : "#1f5fbf";
                svg += "<path d=\"M" + num(x(ci.lower), 1) + " " + num(mid, 1) + " H" + num(x(ci.upper), 1) + " M"
                    + num(x(ci.lower), 1) + " " + num(mid - 6, 1) + " V" + num(mid + 6, 1) + " M" + num(x(ci.upper), 1)
                    + " " + num(mid - 6, 1) + " V" + num(mid + 6, 1) + "\" stroke=\"" + colour
                    + "\" stroke-width=\"2\" fill=\"none\"/><circle cx=\"" + num(x(trigger.differenceValue()), 1)
                    + "\" cy=\"" + num(mid, 1) + "\" r=\"4.5\" fill=\"" + colour + "\"/>";
                const std::string points
                    = (trigger.differenceValue() >= 0 ? "+" : "") + num(trigger.differenceValue() * 100, 1) + " pts";
                text = tooSmall ? points + " · too small to tell" : points;
            }
            svg += "<text x=\"" + num(right + 10, 0) + "\" y=\"" + num(y + 15, 0) + "\">" + escaped(text)
                + "</text></g>";
            y += rowHeight;
        }
        return svg + "</svg>\n";
    }

    std::string impactSection(const ImpactReport& impact)
    {
        std::string html = "<section id=\"impact\">\n<h2>Impact</h2>\n<p class=\"meta\">Goal: ";
        for (std::size_t i = 0; i < impact.goals.size(); ++i)
            html += (i ? "; " : "") + escaped(impact.goals.size() > 1 ? impact.goals[i].productId + ": " : "")
                + "<code>" + escaped(impact.goals[i].goal) + "</code>";
        html += ". Each user is in the arm of their first exposure to a trigger ("
            + std::string(impact.source == ExposureSource::Recorded
                    ? "the sessions' <code>proactive offer shown</code> and <code>proactive holdout</code> events"
                    : "this replay's offers and holdouts")
            + ") and reached the goal when a goal event follows it. 95 % intervals: Wilson for a rate, Newcombe's "
              "hybrid score for the difference. An arm with fewer than "
            + std::to_string(impact.rule.minUsers) + " users, or fewer than " + std::to_string(impact.rule.minSuccesses)
            + " who reached the goal or " + std::to_string(impact.rule.minFailures)
            + " who did not, is too small to tell.</p>\n";
        if (impact.triggers.empty())
            return html + "<p class=\"muted\">Nobody was offered help or held out.</p>\n</section>\n";
        const bool manyProducts = impact.goals.size() > 1;
        html += "<div class=\"legend\"><span><i style=\"background:" + std::string(kOfferedColour)
            + "\"></i>offered</span><span><i style=\"background:" + std::string(kHeldOutColour)
            + "\"></i>held out</span><span><i style=\"background:" + std::string(kTooSmallColour)
            + "\"></i>too small to tell</span><span>— 95 % interval</span></div>\n";
        html += "<h3>Goal rate per arm</h3>\n" + impactRateChart(impact, manyProducts);
        html += "<h3>Offered − held out</h3>\n" + impactDifferenceChart(impact, manyProducts);
        html += "<table class=\"impact\"><tr><th>Trigger</th><th>Arm</th><th class=\"n\">Users</th><th "
                "class=\"n\">Reached</th>"
                "<th class=\"n\">Rate</th><th class=\"n\">95 % CI</th><th class=\"n\">Time to goal p50</th>"
                "<th class=\"n\">p75</th><th>Difference (95 % CI)</th></tr>";
        auto seconds = [](const std::optional<double>& s) { return s ? duration(*s) : std::string("–"); };
        for (const TriggerImpact& trigger : impact.triggers) {
            const std::string name = (manyProducts ? trigger.productId + "/" : std::string()) + trigger.triggerId;
            std::string difference = "–";
            if (trigger.difference)
                difference = (trigger.differenceValue() >= 0 ? "+" : "") + num(trigger.differenceValue() * 100, 1)
                    + " pts (" + num(trigger.difference->lower * 100, 1) + " to "
                    + num(trigger.difference->upper * 100, 1) + ")";
            bool first = true;
            auto row = [&](std::string_view armName, const ImpactArm& a) {
                html += "<tr" + std::string(a.tooSmall ? " class=\"pass\"" : "") + ">";
                if (first)
                    html += "<td rowspan=\"2\">" + escaped(name) + "</td>";
                html += "<td>" + std::string(armName) + "</td><td class=\"n\">" + std::to_string(a.users)
                    + "</td><td class=\"n\">" + std::to_string(a.reached) + "</td><td class=\"n\">" + percent(a.rate())
                    + "</td><td class=\"n\">" + percent(a.rateInterval.lower) + " – " + percent(a.rateInterval.upper)
                    + "</td><td class=\"n\">" + seconds(medianTimeToGoalS(a)) + "</td><td class=\"n\">"
                    + seconds(p75TimeToGoalS(a)) + "</td>";
                if (first)
                    html += "<td rowspan=\"2\">" + escaped(difference) + "<br><b>" + escaped(verdictText(trigger))
                        + "</b></td>";
                html += "</tr>";
                first = false;
            };
            row("offered", trigger.offered);
            row("held out", trigger.heldOut);
        }
        return html + "</table>\n</section>\n";
    }

    std::string groundTruthSection(const GroundTruth& truth, std::span<const RecordedSession> sessions)
    {
        const TruthCounts& all = truth.overall;
        std::string html = "<section id=\"ground-truth\">\n<h2>Ground truth</h2>\n<p class=\"meta\">"
            + counted(truth.labelledSessions, "labelled session") + " of " + std::to_string(truth.sessions)
            + (truth.labelsWithoutSession
                    ? "; " + counted(truth.labelsWithoutSession, "labelled session") + " not in this replay"
                    : std::string())
            + ". An offer inside a help-wanted range it answers is a hit; in a no-help range, answering another "
              "range, or outside every range of a fully labelled session, a false offer.</p>\n<div class=\"cards\">";
        auto card = [&](const std::string& label, const std::string& value) {
            html += "<div class=\"card\"><b>" + escaped(value) + "</b>" + escaped(label) + "</div>";
        };
        card("precision", formatRatio(all.precision()));
        card("recall", formatRatio(all.recall()));
        card("F1", formatRatio(all.f1()));
        card("hits · misses · false offers",
            std::to_string(all.hits) + " · " + std::to_string(all.misses()) + " · " + std::to_string(all.falseOffers));
        card("false offers per 100 sessions", all.annoyance() ? num(*all.annoyance(), 1) : "–");
        card("lead time, median", all.leadTimesS.empty() ? "–" : duration(*quantile(all.leadTimesS, 0.5)));
        html += "</div>\n<table><tr><th>Trigger</th><th class=\"n\">Hits</th><th class=\"n\">Misses</th>"
                "<th class=\"n\">False offers</th><th class=\"n\">Unlabelled</th><th class=\"n\">Precision</th>"
                "<th class=\"n\">Recall</th><th class=\"n\">F1</th><th class=\"n\">Lead p50</th></tr>";
        for (const TriggerTruth& trigger : truth.triggers) {
            const TruthCounts& c = trigger.counts;
            html += "<tr><td>" + escaped(trigger.triggerId) + "</td><td class=\"n\">" + std::to_string(c.hits)
                + "</td><td class=\"n\">" + std::to_string(c.misses()) + "</td><td class=\"n\">"
                + std::to_string(c.falseOffers) + "</td><td class=\"n\">" + std::to_string(c.unlabelledOffers)
                + "</td><td class=\"n\">" + formatRatio(c.precision()) + "</td><td class=\"n\">"
                + formatRatio(c.recall()) + "</td><td class=\"n\">" + formatRatio(c.f1()) + "</td><td class=\"n\">"
                + (c.leadTimesS.empty() ? "–" : duration(*quantile(c.leadTimesS, 0.5))) + "</td></tr>";
        }
        html += "</table>\n";
        const std::size_t expectations = truth.expectationsPassed + truth.expectationsFailed;
        if (expectations > 0) {
            html += "<h3>Expectations: " + std::to_string(truth.expectationsPassed) + " of "
                + std::to_string(expectations)
                + " pass</h3>\n<table><tr><th>Session</th><th>Result</th>"
                  "<th>Reason</th></tr>";
            // Failures first: they are what a reader is looking for.
            for (const bool failures : { true, false })
                for (const SessionTruth& session : truth.labelled)
                    for (const ExpectationResult& result : session.expectations) {
                        if (result.passed == failures)
                            continue;
                        html += "<tr class=\"" + std::string(result.passed ? "pass" : "fail") + "\"><td>"
                            + escaped(sessions[session.session].summary.sessionId) + "</td><td>"
                            + (result.passed ? "pass" : "<b>fail</b>") + "</td><td>" + escaped(result.reason)
                            + "</td></tr>";
                    }
            html += "</table>\n";
        }
        return html + "</section>\n";
    }

    std::string legend()
    {
        std::string out = "<div class=\"legend\">";
        for (const char* reason : { "offer", "no_trigger", "fsm:wrong_state", "fsm:conservative_cooldown",
                 "resilience:min_interval", "resilience:circuit_open", "trigger:cooldown", "quota:*" })
            out += "<span><i style=\"background:" + reasonColour(reason) + "\"></i>" + escaped(reason) + "</span>";
        out += "</div><div class=\"legend\">";
        for (const FsmState state : { FsmState::Thinking, FsmState::ProactiveAssistance, FsmState::ReactiveAssistance,
                 FsmState::GuidanceExecution, FsmState::ConservativeAssistance })
            out += "<span><i style=\"background:" + stateColour(state) + "\"></i>" + std::string(nameOf(state))
                + "</span>";
        out += "<span><i style=\"background:url(#hatch) #f3a79f\"></i>cooldown</span></div><div class=\"legend\">";
        for (const ActionType type : { ActionType::Pageview, ActionType::Click, ActionType::Submit, ActionType::Change,
                 ActionType::RageClick, ActionType::Pageleave, ActionType::Custom })
            out += "<span><i style=\"background:" + actionColour(type) + "\"></i>" + std::string(nameOf(type))
                + "</span>";
        return out + "</div>\n";
    }

    // `truth`: the session's labels judged, drawn as bands behind the actions
    // (help wanted green, no help grey) with every offer's verdict.
    std::string timeline(const RecordedSession& session, const ReplayRecord& record, const SessionTruth* truth)
    {
        const Timestamp start = record.start;
        const double span = std::max(1.0, toSeconds(record.end - start));
        const double inner = kTimelineWidth - 2 * kTimelinePad;
        auto x = [&](Timestamp t) { return kTimelinePad + std::clamp(toSeconds(t - start) / span, 0.0, 1.0) * inner; };
        const double height = 104;
        std::string svg = "<svg class=\"timeline\" width=\"" + num(kTimelineWidth, 0) + "\" height=\"" + num(height, 0)
            + "\" viewBox=\"0 0 " + num(kTimelineWidth, 0) + " " + num(height, 0) + "\" role=\"img\">";

        // FSM states (top band) and cooldowns over them.
        FsmState state = FsmState::Thinking;
        Timestamp from = start;
        auto band = [&](Timestamp to) {
            if (to <= from)
                return;
            svg += "<rect class=\"state\" x=\"" + num(x(from), 1) + "\" y=\"4\" width=\"" + num(x(to) - x(from), 1)
                + "\" height=\"14\" fill=\"" + stateColour(state) + "\"><title>" + std::string(nameOf(state)) + " +"
                + duration(toSeconds(from - start)) + " – +" + duration(toSeconds(to - start)) + "</title></rect>";
        };
        for (const TransitionRecord& t : record.transitions) {
            band(t.at);
            state = t.to;
            from = t.at;
        }
        band(record.end);
        for (const ReplayCooldown& c : record.cooldowns) {
            const Timestamp to = std::min(c.end.value_or(record.end), record.end);
            svg += "<rect class=\"cooldown\" x=\"" + num(x(c.start), 1) + "\" y=\"4\" width=\""
                + num(std::max(1.0, x(to) - x(c.start)), 1) + "\" height=\"14\" fill=\"url(#hatch)\"><title>"
                + escaped(c.end ? "cooldown " + duration(toSeconds(*c.end - c.start)) + " after dismissal "
                            + std::to_string(c.dismissals)
                                : "silenced after dismissal " + std::to_string(c.dismissals))
                + "</title></rect>";
        }

        // Labelled ranges behind the actions; each offer's verdict before its trigger's name.
        if (truth) {
            const SessionLabels& labels = *truth->labels;
            for (const LabelRange& range : labels.ranges) {
                const bool help = range.kind == LabelRange::Kind::HelpWanted;
                const Timestamp rangeFrom = range.from.resolve(truth->start);
                const Timestamp rangeTo = range.to.resolve(truth->start);
                svg += "<rect class=\"label " + std::string(help ? "help" : "nohelp") + "\" x=\"" + num(x(rangeFrom), 1)
                    + "\" y=\"22\" width=\"" + num(std::max(1.0, x(rangeTo) - x(rangeFrom)), 1)
                    + "\" height=\"26\" fill=\"" + (help ? "#2e9e4f" : "#8a94a0") + "\" fill-opacity=\""
                    + (help ? "0.18" : "0.22") + "\"><title>"
                    + escaped(std::string(help ? "help wanted" : "no help") + " +"
                        + duration(toSeconds(rangeFrom - start)) + " – +" + duration(toSeconds(rangeTo - start))
                        + (range.answer.empty() ? "" : " (answer: " + range.answer + ")")
                        + (range.note.empty() ? "" : ": " + range.note))
                    + "</title></rect>";
            }
            for (const OfferVerdict& offer : truth->offers) {
                const bool hit = offer.kind == OfferVerdict::Kind::Hit;
                const bool wrong = offer.kind == OfferVerdict::Kind::FalseOffer;
                svg += "<text class=\"verdict\" x=\"" + num(x(offer.at) - 1, 1)
                    + "\" y=\"79\" text-anchor=\"end\" font-weight=\"bold\" fill=\""
                    + (hit          ? "#2e9e4f"
                            : wrong ? "#d9443a"
                                    : "#8a94a0")
                    + "\">"
                    + (hit          ? "✓"
                            : wrong ? "✗"
                                    : "?")
                    + "<title>"
                    + escaped(std::string(nameOf(offer.kind)) + " " + offer.triggerId
                        + (offer.reason.empty() ? "" : ": " + offer.reason))
                    + "</title></text>";
            }
        }

        // Actions.
        for (const ActionRecord& action : session.actions) {
            const double ax = x(action.timestampStart);
            svg += "<line class=\"action\" x1=\"" + num(ax, 1) + "\" x2=\"" + num(ax, 1)
                + "\" y1=\"26\" y2=\"44\" stroke=\"" + actionColour(action.type) + "\" stroke-width=\"2\"><title>+"
                + duration(toSeconds(action.timestampStart - start)) + " " + escaped(actionOf(action).description)
                + "</title></line>";
        }

        // Polls, coloured by their answer.
        for (const ReplayPoll& poll : record.polls) {
            const bool offered = !poll.triggerId.empty();
            svg += "<circle class=\"poll\" cx=\"" + num(x(poll.at), 1) + "\" cy=\"58\" r=\"" + (offered ? "5" : "3")
                + "\" fill=\"" + reasonColour(offered ? "offer" : poll.skipReason) + "\"><title>+"
                + duration(toSeconds(poll.at - start)) + " "
                + escaped(offered ? "offer: " + poll.triggerId : poll.skipReason) + " ("
                + std::string(nameOf(poll.state)) + ")</title></circle>";
        }

        // Firings across the bands, with their trigger.
        for (const ReplayFiring& firing : record.firings) {
            const double fx = x(firing.at);
            svg += "<g class=\"firing\"><title>+" + duration(toSeconds(firing.at - start)) + " "
                + escaped(firing.triggerId) + (firing.page.empty() ? "" : " on " + escaped(firing.page)) + ": "
                + escaped(firing.body) + "</title><line x1=\"" + num(fx, 1) + "\" x2=\"" + num(fx, 1)
                + "\" y1=\"2\" y2=\"68\" stroke=\"#2e9e4f\" stroke-dasharray=\"3 2\"/><text x=\"" + num(fx + 3, 1)
                + "\" y=\"78\" class=\"small\">" + escaped(firing.triggerId) + "</text></g>";
        }

        // Time axis.
        const double step = span <= 120 ? 15 : span <= 600 ? 60 : span <= 3600 ? 300 : span <= 4 * 3600 ? 1800 : 3600;
        svg += "<line x1=\"" + num(kTimelinePad, 0) + "\" x2=\"" + num(kTimelineWidth - kTimelinePad, 0)
            + "\" y1=\"86\" y2=\"86\" stroke=\"#c4cbd3\"/>";
        for (double t = 0; t <= span + 1e-9; t += step) {
            const double tx = kTimelinePad + t / span * inner;
            svg += "<text class=\"small\" x=\"" + num(tx, 1) + "\" y=\"99\" text-anchor=\""
                + (t == 0 ? "start" : "middle") + "\">+" + duration(t) + "</text>";
        }
        return svg + "</svg>\n";
    }

} // namespace

std::string renderHtmlReport(const ReplayReport& report, std::size_t maxTimelines)
{
    std::string html;
    html.reserve(64 * 1024);
    const std::size_t sessionCount = report.sessions.size();
    html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Replay report: "
        + std::to_string(sessionCount) + (sessionCount == 1 ? " session" : " sessions") + "</title>\n<style>"
        + std::string(kStyle) + "</style>\n</head>\n<body>\n";
    // One hatch pattern for every timeline's cooldowns.
    html
        += "<svg width=\"0\" height=\"0\" style=\"position:absolute;border:0\" aria-hidden=\"true\"><defs>"
           "<pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
           "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#f3a79f\"/>"
           "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#d9443a\" stroke-width=\"2\"/></pattern></defs></svg>\n";

    const ReplaySettings& settings = report.settings;
    html += "<header>\n<h1>Replay report</h1>\n<p class=\"meta\">Workspace <code>" + escaped(report.workspace)
        + "</code>; sessions from ";
    for (std::size_t i = 0; i < report.inputs.size(); ++i)
        html += (i ? ", " : "") + std::string("<code>") + escaped(report.inputs[i]) + "</code>";
    html += "</p>\n<p class=\"meta\">Policy <code>" + escaped(settings.policy.toString()) + "</code>; polls every "
        + duration(toSeconds(settings.client.pollInterval)) + ", the first after "
        + duration(toSeconds(settings.client.firstPoll)) + "; replayed until " + duration(toSeconds(settings.tail))
        + " after each session's last action.</p>\n</header>\n";

    if (report.batch) {
        const BatchTotals& t = report.batch->totals;
        const auto& ttfo = t.timeToFirstOfferS;
        html += "<section id=\"totals\">\n<h2>Totals</h2>\n<div class=\"cards\">";
        auto card = [&](const std::string& label, const std::string& value) {
            html += "<div class=\"card\"><b>" + escaped(value) + "</b>" + escaped(label) + "</div>";
        };
        card("sessions", std::to_string(t.sessions));
        card("sessions reached", std::to_string(t.sessionsReached) + " (" + percent(t.reachedRate()) + ")");
        card("offers", std::to_string(t.firings));
        card("polls", std::to_string(t.polls));
        card("first offer, median", ttfo.empty() ? "–" : duration(*quantile(ttfo, 0.5)));
        card("sessions silenced", std::to_string(t.silenced));
        html += "</div>\n</section>\n";

        html += "<section id=\"triggers\">\n<h2>Fire rate per trigger</h2>\n";
        std::vector<Bar> bars;
        const bool manyProducts = std::any_of(t.triggers.begin(), t.triggers.end(),
            [&](const TriggerTotals& x) { return x.productId != t.triggers.front().productId; });
        for (const TriggerTotals& trigger : t.triggers) {
            const std::string name = (manyProducts ? trigger.productId + "/" : std::string()) + trigger.triggerId;
            bars.push_back({ name, t.fireRate(trigger) * 100,
                percent(t.fireRate(trigger)) + " · " + counted(trigger.firings, "offer"), "#2e9e4f", {} });
        }
        html += barChart(bars, 100, "chart-triggers");
        html += "<table><tr><th>Trigger</th><th class=\"n\">Offers</th><th class=\"n\">Shown</th>"
                "<th class=\"n\">Sessions</th><th class=\"n\">Fire rate</th></tr>";
        for (const TriggerTotals& trigger : t.triggers)
            html += "<tr><td>" + escaped((manyProducts ? trigger.productId + "/" : std::string()) + trigger.triggerId)
                + "</td><td class=\"n\">" + std::to_string(trigger.firings) + "</td><td class=\"n\">"
                + std::to_string(trigger.shown) + "</td><td class=\"n\">" + std::to_string(trigger.sessions)
                + "</td><td class=\"n\">" + percent(t.fireRate(trigger)) + "</td></tr>";
        html += "</table>\n</section>\n";

        html += "<section id=\"time-to-first-offer\">\n<h2>Time to first offer</h2>\n";
        if (ttfo.empty()) {
            html += "<p class=\"muted\">No session was offered help.</p>\n";
        } else {
            html += "<p class=\"meta\">" + std::to_string(ttfo.size()) + " sessions: p50 "
                + duration(*quantile(ttfo, 0.5)) + ", p90 " + duration(*quantile(ttfo, 0.9)) + ", min "
                + duration(ttfo.front()) + ", max " + duration(ttfo.back()) + ".</p>\n";
            const nlohmann::json histogram = totalsJson(t)["time_to_first_offer_s"]["histogram"];
            static const char* kLabels[]
                = { "< 30 s", "30 s – 1 min", "1 – 2 min", "2 – 5 min", "5 – 10 min", "10 – 30 min", "≥ 30 min" };
            std::vector<Bar> buckets;
            double max = 0;
            for (std::size_t i = 0; i < histogram.size() && i < 7; ++i) {
                const double count = histogram[i]["sessions"].get<double>();
                max = std::max(max, count);
                buckets.push_back(
                    { kLabels[i], count, counted(static_cast<std::size_t>(count), "session"), "#3d7dd8", {} });
            }
            html += barChart(buckets, max, "chart-first-offer");
        }
        html += "</section>\n";

        html += "<section id=\"skip-reasons\">\n<h2>Why polls did not offer</h2>\n";
        std::vector<std::pair<std::string, std::size_t>> reasons(t.skipReasons.begin(), t.skipReasons.end());
        std::stable_sort(
            reasons.begin(), reasons.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
        std::vector<Bar> reasonBars;
        const double maxReason = reasons.empty() ? 1.0 : static_cast<double>(reasons.front().second);
        for (const auto& [reason, count] : reasons)
            reasonBars.push_back({ reason, static_cast<double>(count),
                counted(count, "poll") + " (" + percent(t.polls ? static_cast<double>(count) / t.polls : 0) + ")",
                reasonColour(reason), {} });
        html += reasonBars.empty() ? std::string("<p class=\"muted\">No poll was skipped.</p>\n")
                                   : barChart(reasonBars, maxReason, "chart-skip-reasons");
        html += "</section>\n";
    }

    if (report.truth)
        html += groundTruthSection(*report.truth, report.sessions);
    if (report.impact)
        html += impactSection(*report.impact);

    if (report.sweep && !report.sweep->points.empty() && !report.sweep->axes.empty()) {
        const SweepResult& sweep = *report.sweep;
        html += "<section id=\"sweep\">\n<h2>Sweep of " + escaped(sweep.productId) + "</h2>\n";
        html += sweepChart(
            sweep, "Sessions reached", [](const BatchTotals& t) { return std::optional(t.reachedRate() * 100); }, " %");
        html += sweepChart(
            sweep, "Time to first offer, median",
            [](const BatchTotals& t) { return quantile(t.timeToFirstOfferS, 0.5); }, " s");
        html += "<table><tr>";
        for (const SweepAxis& axis : sweep.axes)
            html += "<th>" + escaped(axis.path) + "</th>";
        html += "<th class=\"n\">Reached</th><th class=\"n\">Offers</th><th class=\"n\">First offer p50</th>"
                "<th class=\"n\">First offer p90</th>";
        const bool judged = sweep.points.front().truth.has_value();
        if (judged)
            html += "<th class=\"n\">Precision</th><th class=\"n\">Recall</th><th class=\"n\">F1</th>"
                    "<th>Pareto</th>";
        const auto& triggers = sweep.points.front().totals.triggers;
        for (const TriggerTotals& trigger : triggers)
            html += "<th class=\"n\">" + escaped(trigger.triggerId) + "</th>";
        html += "</tr>";
        const std::vector<bool> front = paretoFront(sweep.points);
        for (std::size_t p = 0; p < sweep.points.size(); ++p) {
            const SweepPoint& point = sweep.points[p];
            html += "<tr>";
            for (const SettingOverride& s : point.settings)
                html += "<td>" + escaped(formatSettingValue(s.value)) + "</td>";
            const auto& ttfo = point.totals.timeToFirstOfferS;
            html += "<td class=\"n\">" + percent(point.totals.reachedRate()) + "</td><td class=\"n\">"
                + std::to_string(point.totals.firings) + "</td><td class=\"n\">"
                + (ttfo.empty() ? "–" : duration(*quantile(ttfo, 0.5))) + "</td><td class=\"n\">"
                + (ttfo.empty() ? "–" : duration(*quantile(ttfo, 0.9))) + "</td>";
            if (point.truth) {
                const TruthCounts& c = point.truth->overall;
                html += "<td class=\"n\">" + formatRatio(c.precision()) + "</td><td class=\"n\">"
                    + formatRatio(c.recall()) + "</td><td class=\"n\">" + formatRatio(c.f1()) + "</td><td>"
                    + (front[p] ? "◆" : "") + "</td>";
            }
            for (const TriggerTotals& trigger : point.totals.triggers)
                html += "<td class=\"n\">" + percent(point.totals.fireRate(trigger)) + "</td>";
            html += "</tr>";
        }
        html += "</table>\n<p class=\"muted\">Trigger columns: the share of sessions each trigger fired in."
            + std::string(judged ? " ◆: on the Pareto front of precision and recall (no other setting is at least as "
                                   "good on both and better on one)."
                                 : "")
            + "</p>\n";
        if (judged)
            html += precisionRecallChart(sweep, front);
        html += "</section>\n";
    }

    if (report.diff) {
        const ReplayDiff& d = *report.diff;
        html += "<section id=\"diff\">\n<h2>Diff against <code>" + escaped(report.diffTriggers) + "</code></h2>\n";
        html += "<div class=\"cards\"><div class=\"card\"><b>" + std::to_string(d.appeared)
            + "</b>appeared</div><div class=\"card\"><b>" + std::to_string(d.disappeared)
            + "</b>disappeared</div><div class=\"card\"><b>" + std::to_string(d.moved)
            + "</b>moved</div><div class=\"card\"><b>" + std::to_string(d.unchanged) + "</b>unchanged</div></div>\n";
        if (!d.changes.empty()) {
            html += "<table><tr><th>Change</th><th>Session</th><th>Trigger</th><th>Before</th><th>After</th>"
                    "<th class=\"n\">Shift</th></tr>";
            const std::size_t shown = std::min<std::size_t>(d.changes.size(), 1000);
            for (std::size_t i = 0; i < shown; ++i) {
                const FiringChange& c = d.changes[i];
                auto at = [](const std::optional<Timestamp>& t, const std::string& page) {
                    return t ? escaped(formatIsoTimestamp(*t))
                            + (page.empty()
                                    ? ""
                                    : "<br><span class=\"muted\">" + escaped(std::string(urlPath(page))) + "</span>")
                             : std::string("–");
                };
                html += "<tr><td>" + std::string(nameOf(c.kind)) + "</td><td>" + escaped(c.sessionId) + "</td><td>"
                    + escaped(c.triggerId) + "</td><td>" + at(c.before, c.pageBefore) + "</td><td>"
                    + at(c.after, c.pageAfter) + "</td><td class=\"n\">"
                    + (c.before && c.after ? num(toSeconds(*c.after - *c.before), 0) + " s" : std::string("–"))
                    + "</td></tr>";
            }
            html += "</table>\n";
            if (d.changes.size() > shown)
                html += "<p class=\"muted\">… and " + std::to_string(d.changes.size() - shown)
                    + " more changes in the JSON report.</p>\n";
        }
        html += "</section>\n";
    }

    if (report.batch) {
        html += "<section id=\"sessions\">\n<h2>Sessions</h2>\n" + legend();
        if (report.truth)
            html += "<div class=\"legend\"><span><i style=\"background:#2e9e4f;opacity:.35\"></i>help wanted</span>"
                    "<span><i style=\"background:#8a94a0;opacity:.4\"></i>no help</span><span>✓ hit</span>"
                    "<span>✗ false offer</span><span>? unlabelled offer</span></div>\n";
        if (!report.settings.keepPolls)
            html += "<p class=\"muted\">Polls were not kept for this report; the timelines show actions, firings and "
                    "states.</p>\n";
        const std::size_t shown = std::min({ maxTimelines, sessionCount, report.batch->records.size() });
        for (std::size_t i = 0; i < shown; ++i) {
            const RecordedSession& session = report.sessions[i];
            const ReplayRecord& record = report.batch->records[i];
            const SessionSummary& s = session.summary;
            html += "<article class=\"session\" id=\"session-" + std::to_string(i) + "\">\n<h3>" + escaped(s.sessionId)
                + "</h3>\n<p class=\"meta\">" + escaped(s.productId) + " · "
                + escaped(s.email.empty() ? (s.distinctId.empty() ? std::string("anonymous") : s.distinctId) : s.email)
                + " · " + escaped(formatIsoTimestamp(s.start)) + " · " + duration(toSeconds(s.duration)) + " · "
                + counted(s.actionCount, "action") + " on " + counted(s.pages.size(), "page") + " · "
                + counted(record.pollCount, "poll") + " · " + counted(record.firings.size(), "offer") + "</p>\n";
            const auto judged = report.truth ? std::find_if(report.truth->labelled.begin(),
                                    report.truth->labelled.end(), [&](const SessionTruth& t) { return t.session == i; })
                                             : std::vector<SessionTruth>::const_iterator();
            html += timeline(
                session, record, report.truth && judged != report.truth->labelled.end() ? &*judged : nullptr);
            if (!record.firings.empty()) {
                html += "<ul class=\"firings\">";
                for (const ReplayFiring& f : record.firings)
                    html += "<li>+" + duration(toSeconds(f.at - record.start)) + " <b>" + escaped(f.triggerId) + "</b>"
                        + (f.page.empty() ? "" : " on " + escaped(std::string(urlPath(f.page)))) + ": "
                        + escaped(f.body) + (f.shown ? "" : " <span class=\"muted\">(not shown)</span>") + "</li>";
                html += "</ul>\n";
            }
            html += "</article>\n";
        }
        if (sessionCount > shown)
            html += "<p class=\"muted\">Timelines of the first " + std::to_string(shown) + " sessions; "
                + std::to_string(sessionCount - shown) + " more are in the JSON report.</p>\n";
        html += "</section>\n";
    }

    if (report.import && (!report.import->diagnostics.empty() || report.import->diagnosticsLeftOut > 0)) {
        const ImportResult& import = *report.import;
        html += "<section id=\"import\">\n<h2>Import problems</h2>\n<p class=\"meta\">"
            + std::to_string(import.rejected) + " rows or events skipped, " + std::to_string(import.unassigned)
            + " without a product.</p>\n";
        html += "<table><tr><th>File</th><th class=\"n\">Line</th><th>Problem</th></tr>";
        const std::size_t shown = std::min<std::size_t>(import.diagnostics.size(), 500);
        for (std::size_t i = 0; i < shown; ++i) {
            const ImportDiagnostic& d = import.diagnostics[i];
            html += "<tr><td>" + escaped(d.file) + "</td><td class=\"n\">" + (d.line ? std::to_string(d.line) : "–")
                + "</td><td><code>" + escaped(d.code) + "</code> " + escaped(d.message) + "</td></tr>";
        }
        html += "</table>\n";
        const std::size_t more = import.diagnostics.size() - shown + import.diagnosticsLeftOut;
        if (more > 0)
            html += "<p class=\"muted\">… and " + std::to_string(more) + " more.</p>\n";
        html += "</section>\n";
    }

    html += "<footer class=\"muted\">Generated by proactive-studio replay. Times are virtual: every poll, offer and "
            "response happened at an exact replayed time.</footer>\n</body>\n</html>\n";
    return html;
}

} // namespace proactive
