// Labels files (core/groundtruth/labelset.h): the JSON text read as
// LabelSet::load reads a file, checked against a recorded session and
// judged against a replay's offers. Properties: every problem names its
// file; the counts add up (every offer of a labelled session is a hit, a
// false offer or unlabelled; answered ranges never exceed wanted ones) and
// the ratios stay within [0, 1].

#include "fuzzcheck.h"
#include "groundtruth/groundtruth.h"
#include "groundtruth/labelset.h"
#include "groundtruth/truthreport.h"
#include "replay/sessionimport.h"
#include "workspace/workspace.h"

using namespace proactive;

namespace {

void checkRatio(const std::optional<double>& ratio, const char* what)
{
    if (ratio && (*ratio < 0 || *ratio > 1))
        fuzz::fail(std::string(what) + " outside [0, 1]");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const Workspace workspace = [] {
        Diagnostics diagnostics;
        return Workspace::load(PROACTIVE_SOURCE_DIR "/tests/data/groundtruth/workspace", diagnostics);
    }();
    static const std::vector<RecordedSession> sessions = [] {
        std::vector<RecordedSession> out;
        for (const char* id : { "s1", "a1", "e1" }) {
            RecordedSession session;
            session.summary.productId = "demo";
            session.summary.sessionId = id;
            session.summary.start = fromEpochMs(1'793'610'000'000);
            session.summary.end = session.summary.start + std::chrono::minutes(5);
            out.push_back(std::move(session));
        }
        return out;
    }();
    static const std::vector<ReplayRecord> records = [] {
        std::vector<ReplayRecord> out(sessions.size());
        for (std::size_t i = 0; i < sessions.size(); ++i) {
            out[i].start = sessions[i].summary.start;
            out[i].end = sessions[i].summary.end;
            int k = 0;
            for (const char* trigger : { "ping-pong", "dwell", "clicks", "ping-pong" })
                out[i].firings.push_back({ .at = out[i].start + std::chrono::seconds(20 + 40 * k++),
                    .triggerId = trigger,
                    .tourId = trigger[0] == 'p' ? "find-project" : "",
                    .shown = k != 3 });
        }
        return out;
    }();

    Diagnostics diagnostics;
    LabelSet labels;
    if (const auto json = parseJsonDocument(fuzz::bytes(data, size), "labels/fuzz.json", diagnostics))
        labels.add(*json, "labels/fuzz.json", diagnostics);
    const std::string tours[] = { "find-project", "account-settings" };
    for (const Diagnostic& problem : checkLabels(labels, workspace, sessions, tours))
        diagnostics.push_back(problem);
    for (const Diagnostic& diagnostic : diagnostics)
        if (diagnostic.file.empty())
            fuzz::fail("a problem without its file: " + diagnostic.toString());

    const GroundTruth truth = evaluateGroundTruth(workspace, sessions, records, labels);
    const TruthCounts& all = truth.overall;
    if (all.hits + all.falseOffers + all.unlabelledOffers != all.offers)
        fuzz::fail("offers do not add up");
    if (all.answered > all.wanted)
        fuzz::fail("more ranges answered than wanted");
    checkRatio(all.precision(), "precision");
    checkRatio(all.recall(), "recall");
    checkRatio(all.f1(), "F1");
    for (const TriggerTruth& trigger : truth.triggers)
        if (trigger.counts.answered > trigger.counts.wanted)
            fuzz::fail("more ranges answered than wanted for " + trigger.triggerId);
    (void)groundTruthJson(truth, sessions).dump();
    (void)groundTruthText(truth, sessions);
    return 0;
}
