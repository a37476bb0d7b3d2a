#pragma once

#include "base/result.h"
#include "recording/recording.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

// The files a recording comes in (docs/replay.md "Visual replay").
enum class RecordingFileFormat : std::uint8_t {
    // PostHog's "Export to file", version "2022-12-02":
    // {version, data: {person, snapshotsByWindowId: {windowId: [events]}}}.
    PostHog20221202,
    // PostHog's "Export to file", version "2023-04-28":
    // {version, data: {id, person, snapshots: [{windowId, data: [events]}]}}.
    PostHog20230428,
    // A plain array of rrweb events (rrweb's own record(), one window).
    RrwebEvents,
};

// One problem with a recording file: where it is (a line and column for
// text that is no JSON, a JSON pointer for a value that is no rrweb event)
// and why. An event with a problem is left out; its neighbours are kept.
struct RecordingDiagnostic {
    std::string file;
    std::string where; // "3:17" or "/data/snapshots/0/data/12"; empty: the whole file
    std::string code; // "invalid_json", "unknown_format", "bad_event", "cancelled", ...
    std::string message;

    // "export.json:/data/snapshots/0/data/12: bad_event: no numeric timestamp"
    std::string toString() const;
    bool operator==(const RecordingDiagnostic&) const = default;
};

struct RecordingReadOptions {
    // Events converted so far of the file's total, now and then, on the
    // reading thread.
    std::function<void(std::uint64_t done, std::uint64_t total)> progress;
    // A stop request ends the read at the next event (diagnostic "cancelled").
    std::stop_token stop;
};

struct RecordingReadResult {
    std::vector<Recording> recordings; // one per file (a file holds one recording)
    std::vector<RecordingDiagnostic> diagnostics;
    std::vector<std::string> files; // every file read, in order
    bool cancelled = false;
};

// Reads one recording file already in memory (gzip'ed or not), in any of
// the formats, told apart by shape. The recording's id is the export's
// `data.id` when it has one (2023-04-28), else the file name's stem without
// PostHog's "export-" prefix and its extensions. `name` labels diagnostics.
RecordingReadResult readRecordingText(
    std::string_view bytes, const std::string& name, RecordingReadOptions options = {});

// The files of `paths` (files as given, folders by their .json and .json.gz
// files, in name order), each read as one recording. Progress is in bytes of
// the files. Errors: a path that does not exist or cannot be read, a stop
// request ("cancelled").
Result<RecordingReadResult> importRecordings(
    std::span<const std::filesystem::path> paths, RecordingReadOptions options = {});

// The recording as PostHog's "Export to file" writes it, or as a plain event
// array (its main window). Read back by readRecordingText to an equal
// recording (for a plain array, of that one window, its id taken from the
// file name).
std::string writeRecording(const Recording& recording, RecordingFileFormat format);

} // namespace proactive
