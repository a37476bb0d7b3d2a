#pragma once

#include "base/clock.h"
#include "base/result.h"
#include "groundtruth/labelset.h"

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

struct RecordedSession;

// Proposed labels (issue 15, docs/labels.md "Proposed labels"): heuristics
// that read a recorded session and propose help_wanted ranges where its user
// probably struggled. An author accepts or rejects each one in the studio; a
// proposal is never ground truth until accepted.

// ≥ min_clicks (at least 2) clicks on the same element (same page, same
// `$elements_chain`) within `within` from the first to the last.
struct RageClickSettings {
    bool enabled = true;
    std::size_t minClicks = 3;
    Duration within = std::chrono::seconds(2);
};

// Coming back to the page visited two visits before (a→b→a over visits, as
// canonical_url_ping_pong's "over": "visits" counts), min_returns times in a
// row, then the session ends (its last action, a trailing $pageleave
// included) within `leaveWithin` of the last return.
struct BackAndForthSettings {
    bool enabled = true;
    std::size_t minReturns = 1;
    Duration leaveWithin = std::chrono::seconds(30);
};

// No action for ≥ `idle` while a form is open — the action before the pause
// was a click or change on a form element (input, select, textarea, form, or
// inside a dialog), or the action after it is inside a dialog — and nothing is
// submitted on that page afterwards.
struct FormIdleSettings {
    bool enabled = true;
    Duration idle = std::chrono::seconds(10);
};

// An event of one of these names (exact, as captured): the user asked for
// help; the range is the `before` leading up to it.
struct SupportRequestSettings {
    bool enabled = true;
    std::vector<std::string> events { "support requested", "chat opened", "help clicked" };
    Duration before = std::chrono::seconds(60);
};

// A goal the product wants sessions to reach ("project created"). A session
// that never sends `event` but made ≥ min_actions actions (anything but
// pageviews and $pageleave) on `pages` within its last `window` is proposed
// from the first of those actions to its end.
struct GoalSettings {
    std::string event;
    std::vector<std::string> pages; // canonical URLs or routes ("/projects/:slug"), as triggers write them
    Duration window = std::chrono::minutes(5);
    std::size_t minActions = 3;
};

struct ProposalSettings {
    RageClickSettings rageClick;
    BackAndForthSettings backAndForth;
    FormIdleSettings formIdle;
    SupportRequestSettings supportRequest;
    std::vector<GoalSettings> goals; // none by default: goals are a product's own

    // A settings file (docs/labels.md): every field optional, defaults as
    // above. Read strictly: problems go to `diagnostics` as
    // `file:/pointer: reason` and leave that setting at its default.
    static ProposalSettings fromJson(const nlohmann::json& document, const std::string& file, Diagnostics& diagnostics);
    // A settings file as the command line's --settings names it; unreadable or
    // not JSON: the defaults, and the problem in `diagnostics`.
    static ProposalSettings load(const std::filesystem::path& path, Diagnostics& diagnostics);
};

// The heuristics' names, as proposals and notes carry them.
inline constexpr std::string_view kRageClick = "rage_click";
inline constexpr std::string_view kBackAndForth = "back_and_forth";
inline constexpr std::string_view kFormIdle = "form_idle";
inline constexpr std::string_view kSupportRequest = "support_request";
inline constexpr std::string_view kGoalNotReached = "goal_not_reached";

struct LabelProposal {
    // Kind HelpWanted; `from` and `to` are offsets from the session's start;
    // no heuristic knows which trigger or tour should answer, so no `answer`.
    LabelRange range;
    std::string heuristic; // kRageClick, ...
    // Why, for the author: `4 clicks on button.btn "Save" within 2.1 s (rage click) on /projects`.
    std::string reason;
};

// Every heuristic's proposals for one session, by start time, then end, then
// the heuristics in the order above. A heuristic's own proposals never
// overlap (it merges them); proposals of different heuristics may, and stay
// separate: each is its own reason to accept or reject. The session's
// actions carry canonical URLs already (its product's routes applied when it
// was recorded), so the product itself is not needed.
std::vector<LabelProposal> proposeLabels(const RecordedSession& session, const ProposalSettings& settings);

// An accepted proposal as a range of a labels document (docs/labels.md):
// kind, from, to (as "+8.2", seconds from the session's start), the note
// "proposed by <heuristic>: <reason>" and `author`, in that order (the
// studio's JSON documents keep their fields' order).
nlohmann::ordered_json proposalToLabelJson(const LabelProposal& proposal, std::string_view author);

// A labels document of proposals, one entry per session that has any (with
// its product), for a team to review and commit.
struct SessionProposals {
    const RecordedSession* session = nullptr;
    std::vector<LabelProposal> proposals;
};
nlohmann::ordered_json proposedLabelsDocument(std::span<const SessionProposals> sessions, std::string_view author);

} // namespace proactive
