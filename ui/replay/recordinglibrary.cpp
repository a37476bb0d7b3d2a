#include "recordinglibrary.h"

#include "backgroundjob.h"
#include "freedheap.h"

namespace proactive::ui {

RecordingLibrary::RecordingLibrary(QObject* parent)
    : QObject(parent)
    , m_job(new BackgroundJob(this))
{
    connect(m_job, &BackgroundJob::progressChanged, this, &RecordingLibrary::importProgress);
    connect(m_job, &BackgroundJob::finished, this, &RecordingLibrary::onImportFinished);
}

RecordingLibrary::~RecordingLibrary() = default;

bool RecordingLibrary::importPaths(const QStringList& paths)
{
    if (m_job->isRunning() || paths.isEmpty())
        return false;
    auto pending = std::make_shared<std::optional<Result<RecordingReadResult>>>();
    m_pending = pending;
    std::vector<std::filesystem::path> files;
    for (const QString& path : paths)
        files.emplace_back(path.toStdString());
    BackgroundJob* job = m_job;
    return m_job->start([pending, files = std::move(files), job](std::stop_token stop) {
        RecordingReadOptions options;
        options.stop = stop;
        options.progress = [job](std::uint64_t done, std::uint64_t total) { job->reportProgress(done, total); };
        *pending = importRecordings(files, std::move(options));
    });
}

void RecordingLibrary::cancelImport()
{
    m_job->cancel();
}

bool RecordingLibrary::isImporting() const
{
    return m_job->isRunning();
}

void RecordingLibrary::onImportFinished(bool cancelled)
{
    const auto pending = std::exchange(m_pending, nullptr);
    RecordingImportOutcome outcome;
    outcome.cancelled = cancelled;
    if (!pending || !*pending) {
        outcome.cancelled = true;
    } else if (!**pending) {
        outcome.cancelled = cancelled || (*pending)->error().code == "cancelled";
        outcome.error = QString::fromStdString((*pending)->error().toString());
    } else if (!cancelled) {
        RecordingReadResult& result = (*pending)->value();
        outcome.ok = true;
        outcome.problems = result.diagnostics.size();
        outcome.added = int(result.recordings.size());
        std::ranges::move(result.diagnostics, std::back_inserter(m_diagnostics));
        for (Recording& recording : result.recordings) {
            // The key first: the right side of `=` is evaluated before the left.
            std::string id = recording.id;
            m_recordings[id] = std::make_shared<const Recording>(std::move(recording));
        }
    }
    m_lastImport = outcome;
    // The worker's parse of the files is over: its heap goes back.
    releaseFreedHeap();
    if (outcome.added > 0)
        Q_EMIT recordingsChanged();
    Q_EMIT importFinished(outcome);
}

void RecordingLibrary::add(Recording recording)
{
    std::string id = recording.id;
    m_recordings[id] = std::make_shared<const Recording>(std::move(recording));
    Q_EMIT recordingsChanged();
}

std::shared_ptr<const Recording> RecordingLibrary::recordingFor(const std::string& sessionId) const
{
    const auto found = m_recordings.find(sessionId);
    return found == m_recordings.end() ? nullptr : found->second;
}

void RecordingLibrary::clear()
{
    m_recordings.clear();
    m_diagnostics.clear();
    Q_EMIT recordingsChanged();
}

QStringList RecordingLibrary::unmatched(std::span<const std::shared_ptr<const RecordedSession>> sessions) const
{
    // The core matches values; the library holds them shared.
    std::vector<Recording> recordings;
    for (const auto& [id, recording] : m_recordings)
        recordings.push_back(Recording { id, {} });
    std::vector<RecordedSession> summaries;
    for (const auto& session : sessions)
        summaries.push_back(RecordedSession { session->summary, {} });
    const RecordingMatches matches = matchRecordings(recordings, summaries);
    QStringList lines;
    for (const auto& recording : matches.recordingsWithoutEvents)
        lines << tr("recording %1: %2")
                     .arg(QString::fromStdString(recording.id), QString::fromStdString(recording.reason));
    for (const auto& session : matches.sessionsWithoutRecording)
        lines << tr("session %1: %2").arg(QString::fromStdString(session.id), QString::fromStdString(session.reason));
    return lines;
}

} // namespace proactive::ui
