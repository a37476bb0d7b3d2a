#pragma once

#include "replay/sessionimport.h"

#include <QAbstractTableModel>
#include <QStringList>
#include <memory>
#include <optional>
#include <vector>

namespace proactive::ui {

class BackgroundJob;

// What the last import did, for the status line.
struct ImportOutcome {
    bool ok = false;
    bool cancelled = false;
    QString error; // why nothing was imported (a missing path, ...)
    int added = 0;
    int replaced = 0; // sessions already in the library, read again
    std::size_t events = 0;
    std::size_t rejected = 0;
    std::size_t unassigned = 0;
    std::size_t files = 0;
};

// The recorded sessions the studio has imported (the session browser's
// table: user, start, duration, actions, pages), and the importer that
// fills it on a worker thread with progress and Cancel. A session is keyed
// by product and session id: importing it again replaces it. The problems
// of every import since the workspace was set are kept for the problems list.
class SessionLibrary final : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { User, Product, Start, Length, Actions, Pages, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // numbers and times as numbers
        FilterRole, // everything a search may match: ids, email, full URLs
    };

    explicit SessionLibrary(QObject* parent = nullptr);
    ~SessionLibrary() override;

    // The workspace imports read against (products, tokens, routes). Another
    // workspace empties the library and cancels an import under way.
    void setWorkspace(std::shared_ptr<const Workspace> workspace);
    const std::shared_ptr<const Workspace>& workspace() const { return m_workspace; }

    // Reads export files and folders (recursively) on a worker thread; every
    // event goes to `productId` when given, else to the product whose project
    // token it carries (or the workspace's only product). False when an
    // import is already running or there is no workspace. An import for a
    // workspace replaced meanwhile is cancelled, and this one starts when it
    // has stopped.
    bool importPaths(const QStringList& paths, const QString& productId = {});
    void cancelImport();
    bool isImporting() const;
    const ImportOutcome& lastImport() const { return m_lastImport; }

    int sessionCount() const { return static_cast<int>(m_sessions.size()); }
    // Shared: a replay keeps its session alive when the library changes.
    std::shared_ptr<const RecordedSession> session(int row) const;
    int rowOf(const QString& productId, const QString& sessionId) const;
    std::vector<std::shared_ptr<const RecordedSession>> sessionsOf(const std::string& productId) const;
    void clear();

    const std::vector<ImportDiagnostic>& diagnostics() const { return m_diagnostics; }
    std::size_t diagnosticsLeftOut() const { return m_diagnosticsLeftOut; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void importStarted(const QStringList& paths);
    void importProgress(quint64 doneBytes, quint64 totalBytes);
    void importFinished(const proactive::ui::ImportOutcome& outcome);
    void diagnosticsChanged();

private:
    struct Pending;
    struct Request {
        QStringList paths;
        QString productId;
    };
    void start(const Request& request);
    void onImportFinished(bool cancelled);
    void merge(std::vector<RecordedSession> sessions);

    std::shared_ptr<const Workspace> m_workspace;
    std::vector<std::shared_ptr<const RecordedSession>> m_sessions;
    std::vector<ImportDiagnostic> m_diagnostics;
    std::size_t m_diagnosticsLeftOut = 0;
    BackgroundJob* m_job;
    std::shared_ptr<Pending> m_pending;
    std::optional<Request> m_queued;
    ImportOutcome m_lastImport;
};

} // namespace proactive::ui
