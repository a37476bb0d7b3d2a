#pragma once

#include "base/clock.h"
#include "base/result.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

class Workspace;
struct RecordedSession;

// Ground truth for replays: what a person (or the corpus generator) knows
// about recorded sessions. A workspace keeps it in labels/*.json; the
// format is docs/labels.md.

// The "format" a labels document may declare (docs/labels.md).
inline constexpr std::string_view kLabelsFormat = "proactive-studio/labels";

// A moment of a session as a label file writes it: seconds from the
// session's start (a number, or "+75", "+75s", "+1:15", "+1m15s"), or an
// absolute ISO 8601 time.
struct LabelTime {
    std::optional<Duration> offset; // relative to the session's start
    std::optional<Timestamp> absolute;

    static Result<LabelTime> parse(const nlohmann::json& value);
    // The moment in a session that starts at `start`.
    Timestamp resolve(Timestamp start) const { return absolute ? *absolute : start + *offset; }
    // "+75 s" / "+1:15" as reports and failure reasons write relative times.
    static std::string formatOffset(Duration offset);
};

// A labelled time range: the user wanted help there, or must not be disturbed.
struct LabelRange {
    enum class Kind : std::uint8_t { HelpWanted, NoHelp };
    Kind kind = Kind::HelpWanted;
    LabelTime from;
    LabelTime to;
    // HelpWanted only, optional: the trigger id or tour id that should answer.
    std::string answer;
    std::string note;
    std::string author;
    std::string pointer; // where it is in its file ("/sessions/3/ranges/1")
};
std::string_view nameOf(LabelRange::Kind kind);

// A check on the replay of one session. `Fires`: the trigger (any trigger
// when empty) offers at least once within [from, to] (the whole session
// when a bound is absent). `NoOffer`: the trigger (any when empty) offers
// nothing within [from, to]: "no offer before t" is `to` = t, "never fires
// in this session" has no bounds.
struct Expectation {
    enum class Kind : std::uint8_t { Fires, NoOffer };
    Kind kind = Kind::Fires;
    std::string trigger;
    std::optional<LabelTime> from;
    std::optional<LabelTime> to;
    std::string note;
    std::string author;
    std::string pointer;
};
std::string_view nameOf(Expectation::Kind kind);

// Everything known about one recorded session.
struct SessionLabels {
    std::string sessionId;
    std::string productId; // empty: the session's product, whichever it is
    // Every moment outside the help_wanted ranges is "no help wanted": an
    // offer there is a false offer. Otherwise such offers are unlabelled.
    bool fullyLabelled = false;
    std::vector<LabelRange> ranges;
    std::vector<Expectation> expectations;
    std::string file; // relative to the workspace ("labels/demo.json")
    std::string pointer; // "/sessions/3"
};

// The labels of a workspace: every session's, from every file (a session
// labelled in several files gets the union of its ranges and expectations).
class LabelSet final {
public:
    LabelSet() = default;

    const std::vector<SessionLabels>& sessions() const { return m_sessions; }
    // The labels of a session; null when it is unlabelled.
    const SessionLabels* find(std::string_view productId, std::string_view sessionId) const;
    std::size_t rangeCount() const;
    std::size_t expectationCount() const;
    bool empty() const { return m_sessions.empty(); }

    // Adds one file's labels (a parsed labels document). Problems of form
    // (types, unknown fields, bad times, from after to) are appended to
    // `diagnostics` as `file:/pointer: reason`; what is wrong is left out,
    // the rest is kept.
    void add(const nlohmann::json& document, const std::string& file, Diagnostics& diagnostics);

    // labels/*.json of a workspace, in file-name order; no folder: no labels.
    static LabelSet load(const std::filesystem::path& workspaceRoot, Diagnostics& diagnostics);
    // One file or a folder of files (the command line's --labels).
    static LabelSet loadPath(
        const std::filesystem::path& path, const std::filesystem::path& workspaceRoot, Diagnostics& diagnostics);

private:
    std::vector<SessionLabels> m_sessions;
    std::multimap<std::string, std::size_t, std::less<>> m_index; // session id → m_sessions
};

// What the labels say against what they label: a session id no recorded
// session has, a range or expectation outside its session, an unknown
// trigger (or tour, for an answer), help_wanted and no_help ranges that
// overlap. `file:/pointer: reason`, like every workspace problem.
Diagnostics checkLabels(const LabelSet& labels, const Workspace& workspace, std::span<const RecordedSession> sessions,
    std::span<const std::string> tourIds);

} // namespace proactive
