#pragma once

#include "base/clock.h"
#include "base/result.h"
#include "groundtruth/groundtruth.h"
#include "replay/overrides.h"
#include "replay/sessionimport.h"
#include "replay/sessionreplay.h"
#include "workspace/workspace.h"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

struct BatchOptions {
    unsigned threads = 0; // 0: every core
    // Replays done and the total; called from worker threads, one call at a
    // time, about every half percent and at the end.
    std::function<void(std::size_t done, std::size_t total)> progress;
    // Requesting a stop ends the run ("cancelled") after the replays under way.
    std::stop_token stop;
};

// One trigger over a batch.
struct TriggerTotals {
    std::string productId;
    std::string triggerId;
    std::size_t firings = 0;
    std::size_t shown = 0; // firings the client showed (not kept or suppressed)
    std::size_t sessions = 0; // sessions it fired in at least once
};

struct BatchTotals {
    std::size_t sessions = 0;
    std::size_t sessionsReached = 0; // sessions with at least one offer
    std::size_t actions = 0;
    std::size_t polls = 0;
    std::size_t firings = 0;
    std::size_t silenced = 0; // sessions that ended silenced (dismissals beyond the cooldown list)
    // Every trigger of the products replayed, in product then trigger order
    // (those that never fired too).
    std::vector<TriggerTotals> triggers;
    std::map<std::string, std::size_t> skipReasons; // polls per skip reason
    std::map<std::string, std::size_t> responses; // "dismiss applied", "chat_sent invalid_transition", ...
    // Seconds from a session's start to its first offer, one per reached session, ascending.
    std::vector<double> timeToFirstOfferS;

    // Share of the sessions the trigger fired in (0 … 1).
    double fireRate(const TriggerTotals& trigger) const;
    double reachedRate() const;
};

// The q-quantile (0 … 1) of ascending values, by nearest rank; none when empty.
std::optional<double> quantile(std::span<const double> sorted, double q);

// Totals of replays, `records[i]` being the replay of `sessions[i]`.
BatchTotals summarise(
    const Workspace& workspace, std::span<const RecordedSession> sessions, std::span<const ReplayRecord> records);

struct BatchResult {
    std::vector<ReplayRecord> records; // records[i] replays sessions[i]
    BatchTotals totals;
};

// Replays every session (each on its own fresh connector) on all cores.
// The sessions of one user (product and distinct id) replay one after the
// other in the order they started, each starting with the offer history
// the previous one left (frequency rules and waits are per user, SPEC §8);
// users replay in parallel. Progress counts sessions.
// The result does not depend on the number of threads.
Result<BatchResult> runBatch(std::shared_ptr<const Workspace> workspace, std::span<const RecordedSession> sessions,
    const ReplaySettings& settings, const BatchOptions& options = {});

// One swept setting: "user_page_dwell.threshold_s=30,45,60,90", or a range
// "first:last:step" ("30:90:15").
struct SweepAxis {
    std::string path;
    std::vector<double> values;

    static Result<SweepAxis> parse(std::string_view text);
};

// One point of the grid: the settings it used and the batch's totals.
struct SweepPoint {
    std::vector<SettingOverride> settings;
    BatchTotals totals;
    // With labels: the point's ground truth, counts only (no per-session detail).
    std::optional<GroundTruth> truth;
};

struct SweepResult {
    std::string productId;
    std::vector<SweepAxis> axes;
    std::vector<SweepPoint> points; // the grid, the last axis varying fastest
};

// Every point of the grid of the axes' values is a full batch over the
// sessions with those settings on `productId`; all points run together
// across the cores. Every point's settings are checked before anything runs.
// With labels, every point is judged against them too.
Result<SweepResult> runSweep(std::shared_ptr<const Workspace> workspace, const std::string& productId,
    std::span<const RecordedSession> sessions, const ReplaySettings& settings, std::span<const SweepAxis> axes,
    const BatchOptions& options = {}, const LabelSet* labels = nullptr);

// A firing that differs between two replays of the same session.
struct FiringChange {
    enum class Kind : std::uint8_t { Appeared, Disappeared, Moved };
    Kind kind = Kind::Appeared;
    std::string productId;
    std::string sessionId;
    std::string triggerId;
    std::optional<Timestamp> before; // Disappeared, Moved
    std::optional<Timestamp> after; // Appeared, Moved
    std::string pageBefore;
    std::string pageAfter;
};
std::string_view nameOf(FiringChange::Kind kind);

struct ReplayDiff {
    std::vector<FiringChange> changes; // by session, then time
    std::size_t unchanged = 0; // same trigger at the same time in both
    std::size_t appeared = 0;
    std::size_t disappeared = 0;
    std::size_t moved = 0;
    std::size_t sessionsChanged = 0;
};

// Compares two replays of the same sessions firing by firing: per session
// and trigger, firings at the same time are unchanged, the others pair up
// in time order as moved, and what is left over appeared or disappeared.
ReplayDiff diffReplays(std::span<const RecordedSession> sessions, std::span<const ReplayRecord> before,
    std::span<const ReplayRecord> after);

// The workspace with `productId`'s triggers replaced by a triggers file (a
// JSON array of triggers, as triggers/<product>.json). Problems read
// "file:/2/when/min_cycles: reason".
Result<std::shared_ptr<const Workspace>> withTriggersFile(
    const Workspace& workspace, std::string_view productId, const std::filesystem::path& file);

} // namespace proactive
