#include "sessionlibrary.h"

#include "backgroundjob.h"
#include "inspector/presentation.h"

#include <QDateTime>
#include <QUrl>
#include <map>

namespace proactive::ui {

// What the worker thread hands back; shared so the job may outlive a library
// that moved on to another workspace.
struct SessionLibrary::Pending {
    std::shared_ptr<const Workspace> workspace;
    std::optional<Result<ImportResult>> result;
};

namespace {

    QString pathOf(const std::string& url)
    {
        const QUrl parsed(QString::fromStdString(url));
        return parsed.isValid() && !parsed.path().isEmpty() ? parsed.path() : QString::fromStdString(url);
    }

    QString userOf(const SessionSummary& summary)
    {
        return QString::fromStdString(summary.email.empty() ? summary.distinctId : summary.email);
    }

    QString pagesText(const SessionSummary& summary)
    {
        QStringList paths;
        for (const std::string& page : summary.pages)
            paths << pathOf(page);
        return paths.join(u" · "_qs);
    }

} // namespace

SessionLibrary::SessionLibrary(QObject* parent)
    : QAbstractTableModel(parent)
    , m_job(new BackgroundJob(this))
{
    connect(m_job, &BackgroundJob::progressChanged, this, &SessionLibrary::importProgress);
    connect(m_job, &BackgroundJob::finished, this, &SessionLibrary::onImportFinished);
}

SessionLibrary::~SessionLibrary() = default;

void SessionLibrary::setWorkspace(std::shared_ptr<const Workspace> workspace)
{
    m_job->cancel();
    m_queued.reset();
    m_workspace = std::move(workspace);
    clear();
}

void SessionLibrary::clear()
{
    beginResetModel();
    m_sessions.clear();
    endResetModel();
    m_diagnostics.clear();
    m_diagnosticsLeftOut = 0;
    Q_EMIT diagnosticsChanged();
}

bool SessionLibrary::importPaths(const QStringList& paths, const QString& productId)
{
    if (!m_workspace || paths.isEmpty())
        return false;
    if (m_job->isRunning()) {
        const bool stale = m_pending && m_pending->workspace != m_workspace;
        if (!stale)
            return false;
        m_queued = Request { paths, productId };
        return true;
    }
    start({ paths, productId });
    return true;
}

void SessionLibrary::start(const Request& request)
{
    auto pending = std::make_shared<Pending>();
    pending->workspace = m_workspace;
    m_pending = pending;
    std::vector<std::filesystem::path> files;
    for (const QString& path : request.paths)
        files.emplace_back(path.toStdString());
    BackgroundJob* job = m_job;
    m_job->start(
        [pending, files = std::move(files), job, productId = request.productId.toStdString()](std::stop_token stop) {
            ImportOptions options;
            options.productId = productId;
            options.stop = stop;
            options.progress = [job](std::uint64_t done, std::uint64_t total) { job->reportProgress(done, total); };
            pending->result = importSessions(pending->workspace, files, std::move(options));
        });
    Q_EMIT importStarted(request.paths);
}

void SessionLibrary::cancelImport()
{
    m_job->cancel();
}

bool SessionLibrary::isImporting() const
{
    return m_job->isRunning();
}

void SessionLibrary::onImportFinished(bool cancelled)
{
    const std::shared_ptr<Pending> pending = std::exchange(m_pending, nullptr);
    ImportOutcome outcome;
    outcome.cancelled = cancelled;
    if (!pending || pending->workspace != m_workspace || !pending->result) {
        outcome.cancelled = true; // the workspace changed under the import
    } else if (!*pending->result) {
        outcome.cancelled = cancelled || pending->result->error().code == "cancelled";
        outcome.error = QString::fromStdString(pending->result->error().toString());
    } else {
        ImportResult& result = pending->result->value();
        outcome.ok = true;
        outcome.events = result.events;
        outcome.rejected = result.rejected;
        outcome.unassigned = result.unassigned;
        outcome.files = result.files.size();
        const int before = sessionCount();
        const std::size_t incoming = result.sessions.size();
        merge(std::move(result.sessions));
        outcome.added = sessionCount() - before;
        outcome.replaced = static_cast<int>(incoming) - outcome.added;
        m_diagnostics.insert(m_diagnostics.end(), std::make_move_iterator(result.diagnostics.begin()),
            std::make_move_iterator(result.diagnostics.end()));
        m_diagnosticsLeftOut += result.diagnosticsLeftOut;
        Q_EMIT diagnosticsChanged();
    }
    m_lastImport = outcome;
    Q_EMIT importFinished(m_lastImport);
    if (m_queued)
        start(*std::exchange(m_queued, std::nullopt));
}

void SessionLibrary::merge(std::vector<RecordedSession> sessions)
{
    std::map<std::pair<std::string, std::string>, int> rows;
    for (int row = 0; row < sessionCount(); ++row) {
        const SessionSummary& summary = m_sessions[static_cast<std::size_t>(row)]->summary;
        rows.emplace(std::pair(summary.productId, summary.sessionId), row);
    }
    std::vector<std::shared_ptr<const RecordedSession>> added;
    for (RecordedSession& session : sessions) {
        auto shared = std::make_shared<const RecordedSession>(std::move(session));
        const auto found = rows.find({ shared->summary.productId, shared->summary.sessionId });
        if (found == rows.end()) {
            added.push_back(std::move(shared));
            continue;
        }
        m_sessions[static_cast<std::size_t>(found->second)] = std::move(shared);
        Q_EMIT dataChanged(index(found->second, 0), index(found->second, ColumnCount - 1));
    }
    if (added.empty())
        return;
    beginInsertRows({}, sessionCount(), sessionCount() + static_cast<int>(added.size()) - 1);
    m_sessions.insert(m_sessions.end(), std::make_move_iterator(added.begin()), std::make_move_iterator(added.end()));
    endInsertRows();
}

std::shared_ptr<const RecordedSession> SessionLibrary::session(int row) const
{
    if (row < 0 || row >= sessionCount())
        return nullptr;
    return m_sessions[static_cast<std::size_t>(row)];
}

int SessionLibrary::rowOf(const QString& productId, const QString& sessionId) const
{
    for (int row = 0; row < sessionCount(); ++row) {
        const SessionSummary& summary = m_sessions[static_cast<std::size_t>(row)]->summary;
        if (summary.productId == productId.toStdString() && summary.sessionId == sessionId.toStdString())
            return row;
    }
    return -1;
}

std::vector<std::shared_ptr<const RecordedSession>> SessionLibrary::sessionsOf(const std::string& productId) const
{
    std::vector<std::shared_ptr<const RecordedSession>> out;
    for (const auto& session : m_sessions)
        if (session->summary.productId == productId)
            out.push_back(session);
    return out;
}

int SessionLibrary::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : sessionCount();
}

int SessionLibrary::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SessionLibrary::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SessionSummary& s = m_sessions[static_cast<std::size_t>(index.row())]->summary;
    const auto column = static_cast<Column>(index.column());
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case User:
            return userOf(s);
        case Product:
            return QString::fromStdString(s.productId);
        case Start:
            return QDateTime::fromMSecsSinceEpoch(toEpochMs(s.start)).toString(u"yyyy-MM-dd HH:mm:ss"_qs);
        case Length:
            return humanDuration(s.duration);
        case Actions:
            return static_cast<qulonglong>(s.actionCount);
        case Pages:
            return u"%1  %2"_qs.arg(s.pages.size()).arg(pagesText(s));
        case ColumnCount:
            break;
        }
        break;
    case SortRole:
        switch (column) {
        case Start:
            return static_cast<qlonglong>(toEpochMs(s.start));
        case Length:
            return static_cast<qlonglong>(s.duration.count());
        case Actions:
            return static_cast<qulonglong>(s.actionCount);
        case Pages:
            return static_cast<qulonglong>(s.pages.size());
        default:
            return data(index, Qt::DisplayRole).toString().toCaseFolded();
        }
    case FilterRole:
        switch (column) {
        case User:
            return QString::fromStdString(s.distinctId + ' ' + s.email + ' ' + s.sessionId);
        case Pages:
            return pagesText(s) + u' ' + QString::fromStdString([&] {
                std::string urls;
                for (const std::string& page : s.pages)
                    urls += page + ' ';
                return urls;
            }());
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::ToolTipRole:
        if (column == User)
            return tr("Session %1\nDistinct id %2\nEmail %3")
                .arg(QString::fromStdString(s.sessionId), QString::fromStdString(s.distinctId),
                    s.email.empty() ? tr("(none)") : QString::fromStdString(s.email));
        if (column == Pages) {
            QStringList pages;
            for (const std::string& page : s.pages)
                pages << QString::fromStdString(page);
            return pages.join(u'\n');
        }
        if (column == Actions)
            return tr("%n pageview(s)", nullptr, static_cast<int>(s.pageviews));
        break;
    case Qt::TextAlignmentRole:
        if (column == Actions || column == Length)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    default:
        break;
    }
    return {};
}

QVariant SessionLibrary::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (static_cast<Column>(section)) {
    case User:
        return tr("User");
    case Product:
        return tr("Product");
    case Start:
        return tr("Start");
    case Length:
        return tr("Duration");
    case Actions:
        return tr("Actions");
    case Pages:
        return tr("Pages visited");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace proactive::ui
