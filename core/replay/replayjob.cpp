#include "replay/replayjob.h"

namespace proactive {

ReplayReport ReplayRun::report(const ReplayJob& job) const
{
    ReplayReport report;
    report.workspace = job.workspaceLabel;
    for (const auto& input : job.inputs)
        report.inputs.push_back(input.string());
    report.settings = job.settings;
    report.import = &import;
    report.sessions = import.sessions;
    report.batch = &batch;
    report.sweep = sweep ? &*sweep : nullptr;
    report.diff = diff ? &*diff : nullptr;
    report.diffTriggers = job.diffTriggers.string();
    report.truth = truth ? &*truth : nullptr;
    report.diffTruth = diffTruth ? &*diffTruth : nullptr;
    report.impact = impact ? &*impact : nullptr;
    return report;
}

Result<ReplayRun> runReplayJob(const ReplayJob& job)
{
    auto stage = [&](std::string_view name) {
        return [&job, name](auto done, auto total) {
            if (job.progress)
                job.progress(name, static_cast<double>(done), static_cast<double>(total));
        };
    };

    ImportOptions importOptions;
    importOptions.productId = job.productId;
    importOptions.progress = stage("import");
    importOptions.stop = job.stop;
    importOptions.threads = job.threads;
    auto imported = importSessions(job.workspace, job.inputs, importOptions);
    if (!imported)
        return imported.error();
    ReplayRun run;
    run.import = std::move(*imported);
    const auto& sessions = run.import.sessions;
    if (sessions.empty())
        return run; // the import's diagnostics say why

    // Sweeps and diffs edit one product's triggers.
    run.targetProduct = job.productId;
    if (run.targetProduct.empty() && (!job.sweep.empty() || !job.diffTriggers.empty())) {
        run.targetProduct = sessions.front().summary.productId;
        for (const auto& session : sessions)
            if (session.summary.productId != run.targetProduct)
                return Error { "several_products",
                    "a sweep or a diff changes one product's triggers, but the sessions belong to several products; "
                    "choose one",
                    "product" };
    }

    BatchOptions options;
    options.threads = job.threads;
    options.stop = job.stop;
    options.progress = stage("replay");
    auto batch = runBatch(job.workspace, sessions, job.settings, options);
    if (!batch)
        return batch.error();
    run.batch = std::move(*batch);
    run.impact = computeImpact(*job.workspace, sessions, run.batch.records);
    const bool judged = job.labels && !job.labels->empty();
    run.labels = job.labels;
    if (judged) {
        run.truth = evaluateGroundTruth(*job.workspace, sessions, run.batch.records, *job.labels);
        if (auto explained = explainFailures(*run.truth, job.workspace, sessions, job.settings); !explained)
            return explained.error();
    }

    if (!job.sweep.empty()) {
        options.progress = stage("sweep");
        auto sweep = runSweep(job.workspace, run.targetProduct, sessions, job.settings, job.sweep, options,
            judged ? job.labels.get() : nullptr);
        if (!sweep)
            return sweep.error();
        run.sweep = std::move(*sweep);
    }

    if (!job.diffTriggers.empty()) {
        auto other = withTriggersFile(*job.workspace, run.targetProduct, job.diffTriggers);
        if (!other)
            return Error { "bad_triggers", other.error().message, job.diffTriggers.string() };
        // Only the firings are compared: no poll log, no explanations.
        ReplaySettings lean = job.settings;
        lean.client.explain = false;
        lean.keepPolls = false;
        options.progress = stage("diff");
        auto otherBatch = runBatch(*other, sessions, lean, options);
        if (!otherBatch)
            return otherBatch.error();
        run.diff = diffReplays(sessions, run.batch.records, otherBatch->records);
        if (judged) {
            run.diffTruth = evaluateGroundTruth(**other, sessions, otherBatch->records, *job.labels);
            if (auto explained = explainFailures(*run.diffTruth, *other, sessions, job.settings); !explained)
                return explained.error();
        }
    }
    return run;
}

} // namespace proactive
