#pragma once

#include "recording/recordingfile.h"
#include "recording/recordingmatch.h"

#include <QObject>
#include <QStringList>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace proactive::ui {

class BackgroundJob;

// What the last recording import did, for the status line.
struct RecordingImportOutcome {
    bool ok = false;
    bool cancelled = false;
    QString error; // why nothing was imported
    int added = 0; // recordings read (a recording read again replaces the old one)
    std::size_t problems = 0; // diagnostics of this import
};

// The visual recordings the studio has (issue 16): imported from PostHog's
// exports on a worker thread with progress and Cancel, or recorded live.
// A recording is keyed by its id, the $session_id of its events.
class RecordingLibrary final : public QObject {
    Q_OBJECT

public:
    explicit RecordingLibrary(QObject* parent = nullptr);
    ~RecordingLibrary() override;

    // Reads recording files and folders on a worker thread; false while an
    // import is already running.
    bool importPaths(const QStringList& paths);
    void cancelImport();
    bool isImporting() const;
    const RecordingImportOutcome& lastImport() const { return m_lastImport; }

    void add(Recording recording);
    // Null when the session has none.
    std::shared_ptr<const Recording> recordingFor(const std::string& sessionId) const;
    std::size_t size() const { return m_recordings.size(); }
    void clear();

    const std::vector<RecordingDiagnostic>& diagnostics() const { return m_diagnostics; }
    // Recordings without events and sessions without a recording, each with
    // its reason ("recording s-1: no imported event has $session_id s-1").
    QStringList unmatched(std::span<const std::shared_ptr<const RecordedSession>> sessions) const;

Q_SIGNALS:
    void importProgress(quint64 doneBytes, quint64 totalBytes);
    void importFinished(const proactive::ui::RecordingImportOutcome& outcome);
    void recordingsChanged();

private:
    void onImportFinished(bool cancelled);

    std::map<std::string, std::shared_ptr<const Recording>> m_recordings;
    std::vector<RecordingDiagnostic> m_diagnostics;
    BackgroundJob* m_job;
    std::shared_ptr<std::optional<Result<RecordingReadResult>>> m_pending;
    RecordingImportOutcome m_lastImport;
};

} // namespace proactive::ui
