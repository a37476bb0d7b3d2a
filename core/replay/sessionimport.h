#pragma once

#include "base/clock.h"
#include "base/result.h"
#include "intake/action.h"
#include "intake/actionrecord.h"
#include "workspace/workspace.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

class PostHogIntake;

// How a file is read. Json covers everything JSON: events API pages
// ({next, results:[...]}, also HogQL {columns, results:[[...]]}), several
// pages in one file (an array of pages, or pages one after the other, pretty
// printed or one per line), JSON lines of events, posthog-js capture bodies
// and webhook bodies (the tutorial's flat shape and PostHog's default
// {event, person}); each document is told apart by its shape.
enum class ExportFormat : std::uint8_t { Auto, Json, Csv };

// One problem with an input file: a row or event that was skipped, or
// something about the whole file (line 0).
struct ImportDiagnostic {
    std::string file; // as given
    std::size_t line = 0; // 1-based line where the row or event starts; 0: the whole file
    std::string code; // "invalid_json", "bad_row", "missing_session_id", "unknown_product", ...
    std::string message;

    // "sessions.csv:12: bad_row: a quote inside an unquoted field (field 3)"
    std::string toString() const;
    bool operator==(const ImportDiagnostic&) const = default;
};

// What the studio's session browser lists for one recorded session.
struct SessionSummary {
    std::string productId;
    std::string sessionId;
    std::string distinctId; // the last one seen in the session
    std::string email; // the last one seen; may be empty
    Timestamp start {}; // the first action's time
    Timestamp end {}; // the last action's time
    Duration duration { 0 }; // end − start
    std::size_t actionCount = 0;
    std::size_t pageviews = 0;
    std::vector<std::string> pages; // canonical URLs in the order they were first visited
};

// Who the session's user was from one action on: the identity an action
// carries besides what it did (SPEC §8 §1 Identity), which the connector
// learns from as the actions arrive. A session mostly has one for all its
// actions, so a recorded session keeps one per change, not one per action.
struct RecordedIdentity {
    std::size_t from = 0; // the first action (index) it applies to
    std::string distinctId;
    std::string email;
    std::string emailOnce;
    std::string linkedDistinctId;

    bool sameAs(const Action& action) const
    {
        return distinctId == action.distinctId && email == action.email && emailOnce == action.emailOnce
            && linkedDistinctId == action.linkedDistinctId;
    }
};

// One session ready to replay: its user actions (PostHog's own `$` events
// left out) finalised with the product's routes, ordered by time (ties keep
// file order), indexed from 0, each ending where the next starts. Actions
// are kept as the store keeps them, ActionRecords whose strings and details
// the sessions of one import share (those read on one of its threads); their
// identities apart, one per change; titles and descriptions are derived
// again (action()); uuids, only needed to drop duplicates while importing,
// are gone.
struct RecordedSession {
    SessionSummary summary;
    std::vector<ActionRecord> actions;
    std::vector<RecordedIdentity> identities; // by `from`, the first from 0; empty without actions
    // The product's routes the canonical URLs were made with (shared by the
    // sessions of one import): a replay under other routes makes them again.
    std::shared_ptr<const std::vector<std::string>> routes;

    // The identity action `index` was recorded with.
    const RecordedIdentity& identityOf(std::size_t index) const;
    // Action `index` whole, as the connector takes it in: the record's
    // fields, title and description, the session id and the identity; no uuid.
    Action action(std::size_t index) const;
};

// Makes a recorded session of one session's actions (as read, in any
// order): orders them by time (ties keep their order), gives them the
// session's id, finalises them with the product's routes, indexes them and
// summarises the session; their strings and details are interned with
// `interner`, shared with every other record it made. The importer does
// this; tests, benchmarks and the studio's editors may too.
RecordedSession recordSession(
    const Product& product, std::string sessionId, std::vector<Action> actions, ActionInterner& interner);
// The same with an interner of its own.
RecordedSession recordSession(const Product& product, std::string sessionId, std::vector<Action> actions);

struct ImportOptions {
    // Every event goes to this product. Empty: the product whose PostHog
    // token the event carries, else the workspace's only product.
    std::string productId;
    ExportFormat format = ExportFormat::Auto; // Auto: .csv is CSV, anything else JSON
    // Diagnostics kept per file; the rest are only counted.
    std::size_t maxDiagnosticsPerFile = 1000;
    // Bytes read so far of all the input, and the total; called often enough
    // for a progress bar (about every 64 KiB of input and at each file's end),
    // always on the thread that imports.
    std::function<void(std::uint64_t done, std::uint64_t total)> progress;
    // Threads that read a JSON lines file, the importing one among them: each
    // reads chunks of whole lines into pieces of sessions, which the
    // importing thread joins in file order, so the result does not depend on
    // their number; finish() makes the sessions whole on as many. 0: every core.
    unsigned threads = 0;
    // About how many bytes of whole lines a thread reads at a time: small
    // enough to share a file out evenly, large enough that handing a chunk
    // over costs nothing (tests make it small to put lines across chunks).
    std::size_t chunkBytes = std::size_t(4) * 1024 * 1024;
    // Requesting a stop ends the import at the next row.
    std::stop_token stop;
};

struct ImportResult {
    std::vector<RecordedSession> sessions; // by product, start time, session id
    std::vector<ImportDiagnostic> diagnostics;
    std::size_t diagnosticsLeftOut = 0; // beyond maxDiagnosticsPerFile
    std::vector<std::string> files; // every file read, in order
    std::size_t events = 0; // events read into sessions
    std::size_t rejected = 0; // rows or events that could not be read
    std::size_t ignored = 0; // PostHog's own `$` events ($identify, $set, ...)
    std::size_t duplicates = 0; // an event whose uuid the session already had (overlapping pages)
    std::size_t unassigned = 0; // events no product could be found for
    bool cancelled = false;
};

// Reads PostHog exports into recorded sessions with the connector's own
// intake (PostHogIntake, finaliseAction), keyed by (product, session). A bad
// row or event never aborts its file: it is reported with its line and
// skipped. Not thread-safe; one importer per thread (which may read a JSON
// lines file and finish on ImportOptions::threads threads of its own).
class SessionImporter final {
public:
    explicit SessionImporter(std::shared_ptr<const Workspace> workspace, ImportOptions options = {});
    ~SessionImporter();
    SessionImporter(const SessionImporter&) = delete;
    SessionImporter& operator=(const SessionImporter&) = delete;

    // The total progress reports against (importSessions sets the sum of the
    // files' sizes before reading them).
    void setTotalBytes(std::uint64_t total) { m_totalBytes = total; }

    // Reads one export already in memory; `name` labels diagnostics and, with
    // ExportFormat::Auto, chooses the format by its extension.
    void addText(std::string_view text, const std::string& name);
    // Reads one file; gzip files (.gz, or by their magic bytes) are inflated.
    // An unreadable file is an Error and a diagnostic; nothing else is.
    Status addFile(const std::filesystem::path& path);

    // The sessions read so far, finalised; the importer is empty afterwards.
    ImportResult finish();

private:
    struct State;
    std::shared_ptr<const Workspace> m_workspace;
    ImportOptions m_options;
    std::unique_ptr<State> m_state;
    std::uint64_t m_totalBytes = 0;
};

// The files to read for `paths`: files as given, directories by their
// .json, .jsonl, .ndjson, .csv files (and the same with .gz), recursively,
// in name order — a directory of events API pages reads as one export.
Result<std::vector<std::filesystem::path>> listExportFiles(std::span<const std::filesystem::path> paths);
// The files' sizes added up (an unreadable one counts 0): the total a
// progress report counts bytes against.
std::uint64_t totalFileSize(std::span<const std::filesystem::path> files);

// Lists the files, then reads them all with progress over their total size.
// Errors: a path that does not exist, an explicit product the workspace does
// not have, or a stop request ("cancelled").
Result<ImportResult> importSessions(std::shared_ptr<const Workspace> workspace,
    std::span<const std::filesystem::path> paths, ImportOptions options = {});

} // namespace proactive
