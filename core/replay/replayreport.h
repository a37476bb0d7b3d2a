#pragma once

#include "groundtruth/groundtruth.h"
#include "impact/impactreport.h"
#include "replay/replaybatch.h"
#include "replay/sessionimport.h"
#include "replay/sessionreplay.h"

#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

namespace proactive {

// What a batch replay report is made of. Nothing is owned: the parts must
// outlive the report. Optional parts are null when not run.
struct ReplayReport {
    std::string workspace; // as given
    std::vector<std::string> inputs; // as given
    ReplaySettings settings;
    const ImportResult* import = nullptr;
    std::span<const RecordedSession> sessions; // the sessions replayed, in batch order
    const BatchResult* batch = nullptr; // batch->records[i] replays sessions[i]
    const SweepResult* sweep = nullptr;
    const ReplayDiff* diff = nullptr;
    std::string diffTriggers; // the other triggers file, as given
    const GroundTruth* truth = nullptr; // the batch against the labels
    const GroundTruth* diffTruth = nullptr; // the diff's other triggers against the labels
    const ImpactReport* impact = nullptr; // offered against held out, when a product has a goal
};

// The report as JSON (docs/replay.md): settings, import, totals, every
// session's firings, responses, skip reasons, FSM path, cooldowns and polls
// (with their gate reports when explained), and the sweep and diff. The
// same input gives the same bytes: nothing depends on the wall clock, the
// machine or the number of threads.
nlohmann::json reportJson(const ReplayReport& report);
// reportJson() pretty-printed, ending in a newline; invalid UTF-8 from the
// recordings is replaced, never fatal.
std::string renderJsonReport(const ReplayReport& report);

// One replayed session as the report lists it; `polls` adds the poll log.
nlohmann::json sessionJson(const RecordedSession& session, const ReplayRecord& record, bool polls);
nlohmann::json totalsJson(const BatchTotals& totals);

// The plain-text summary the command line prints: totals, per-trigger fire
// rates, skip reasons, the first `maxSessions` sessions, the sweep table and
// the diff.
std::string renderTextSummary(const ReplayReport& report, std::size_t maxSessions = 20);

// One self-contained HTML file (inline CSS and SVG, no scripts, nothing
// fetched): totals, charts of fire rate per trigger, time to first offer and
// skip reasons, the sweep's table and charts, the diff, and a timeline per
// session (actions, polls coloured by skip reason, firings, FSM states,
// cooldowns) for the first `maxTimelines` sessions.
std::string renderHtmlReport(const ReplayReport& report, std::size_t maxTimelines = 200);

} // namespace proactive
