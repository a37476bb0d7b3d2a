#pragma once

#include "base/result.h"
#include "recording/recording.h"

#include <filesystem>
#include <string>
#include <vector>

namespace proactive {

// A session the studio saved (File ▸ Save Session…, issue 16): one folder
// with what replays it visually, each file in a format the studio imports
// anyway, so a folder can also be read piece by piece:
//   events.jsonl    the captured events, PostHog-shaped, one per line
//   recording.json  its rrweb recording, PostHog's "Export to file" 2023-04-28
//   labels.json     its labels (docs/labels.md), possibly none
struct SavedSession {
    std::string sessionId;
    std::vector<std::string> events; // each one JSON object, in capture order
    Recording recording;
    std::string labelsJson; // a labels file; empty: one without sessions
};

inline constexpr const char* kSavedEventsFile = "events.jsonl";
inline constexpr const char* kSavedRecordingFile = "recording.json";
inline constexpr const char* kSavedLabelsFile = "labels.json";

// Writes the three files into `folder` (created if missing); other files
// there are left alone.
Status writeSessionFolder(const std::filesystem::path& folder, const SavedSession& session);

// The labels of `sessionId` in the workspace's labels/*.json files, as a
// labels file of their own (the entries as written, other sessions left
// out). Files that are no JSON are skipped: `validate` reports them.
std::string sessionLabelsJson(const std::filesystem::path& workspaceRoot, const std::string& sessionId);

// A saved session's folder: an error unless it has events.jsonl and
// recording.json (labels.json is optional).
Status checkSessionFolder(const std::filesystem::path& folder);

} // namespace proactive
