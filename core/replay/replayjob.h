#pragma once

#include "base/result.h"
#include "groundtruth/groundtruth.h"
#include "impact/impactreport.h"
#include "replay/replaybatch.h"
#include "replay/replayreport.h"
#include "replay/sessionimport.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

// A whole batch replay as `proactive-studio replay` runs it (and the
// studio's batch dialog may): import the exports, replay every session,
// then the sweep and the diff when asked for.
struct ReplayJob {
    std::shared_ptr<const Workspace> workspace;
    std::string workspaceLabel; // how the report names the workspace (the path as given)
    std::vector<std::filesystem::path> inputs; // export files or folders
    std::string productId; // empty: by the events' token, else the workspace's only product
    ReplaySettings settings;
    std::vector<SweepAxis> sweep;
    std::filesystem::path diffTriggers; // a triggers JSON file to compare with; empty: no diff
    // Ground truth: the batch, every sweep point and the diff's other
    // triggers are judged against these labels (none or empty: not judged).
    std::shared_ptr<const LabelSet> labels;
    unsigned threads = 0; // for the import and the replays; 0: every core
    // Stage ("import", "replay", "sweep", "diff"), done and total (bytes
    // for the import, replays otherwise). Called from worker threads, one
    // call at a time.
    std::function<void(std::string_view stage, double done, double total)> progress;
    std::stop_token stop;
};

struct ReplayRun {
    ImportResult import;
    BatchResult batch; // batch.records[i] replays import.sessions[i]
    std::optional<SweepResult> sweep;
    std::optional<ReplayDiff> diff;
    std::string targetProduct; // the product the sweep and the diff change
    std::shared_ptr<const LabelSet> labels; // the job's, kept alive: the judgements point into them
    std::optional<GroundTruth> truth; // the batch judged, failures explained
    std::optional<GroundTruth> diffTruth; // the other triggers' replay judged
    std::optional<ImpactReport> impact; // when a product replayed has a `goal`

    // The report over this run; it points into the run, which must outlive it.
    ReplayReport report(const ReplayJob& job) const;
};

// An input without sessions is no error: the run has no sessions, and the
// import's diagnostics say why. Error codes: those of importSessions
// (not_found, unknown_product, cancelled), "several_products" (a sweep or diff over sessions of several products
// without job.productId), bad_sweep / bad_override (a sweep point's
// settings), bad_triggers (the diff file), and the replay's own.
Result<ReplayRun> runReplayJob(const ReplayJob& job);

} // namespace proactive
