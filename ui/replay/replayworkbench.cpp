#include "replayworkbench.h"

#include "diffpanel.h"
#include "groundtruth/labelset.h"
#include "impactpanel.h"
#include "labeldocument.h"
#include "livemetrics.h"
#include "recordinglibrary.h"
#include "replayformat.h"
#include "replaypanel.h"
#include "sessionbrowser.h"
#include "sessionlibrary.h"
#include "sweeppanel.h"
#include "triggerdocument.h"
#include "triggereditor.h"
#include "workspace/workspace.h"

#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMimeData>
#include <QUrl>

namespace proactive::ui {

namespace {

    QStringList droppedFiles(const QMimeData* mime)
    {
        QStringList files;
        if (!mime || !mime->hasUrls())
            return files;
        for (const QUrl& url : mime->urls())
            if (url.isLocalFile())
                files << url.toLocalFile();
        return files;
    }

} // namespace

ReplayWorkbench::ReplayWorkbench(QWidget* parent)
    : QTabWidget(parent)
    , m_labels(std::make_shared<const LabelSet>())
    , m_library(new SessionLibrary(this))
    , m_recordings(new RecordingLibrary(this))
    , m_browser(new SessionBrowser(*m_library, this))
    , m_replay(new ReplayPanel(this))
    , m_triggers(new TriggerEditor(this))
    , m_sweeps(new SweepPanel(*m_library, this))
    , m_diff(new DiffPanel(*m_library, this))
    , m_impact(new ImpactPanel(*m_library, this))
{
    setObjectName(u"replayWorkbench"_qs);
    setDocumentMode(true);
    addTab(m_browser, tr("Sessions"));
    addTab(m_replay, tr("Replay"));
    addTab(m_triggers, tr("Trigger editor"));
    addTab(m_sweeps, tr("Sweeps"));
    addTab(m_diff, tr("Diff"));
    addTab(m_impact, tr("Impact"));

    m_triggers->setLiveMetrics(new LiveMetricsPanel(*m_library));
    connect(this, &ReplayWorkbench::labelsChanged, m_replay, &ReplayPanel::setLabels);
    connect(this, &ReplayWorkbench::labelsChanged, m_triggers->liveMetrics(), &LiveMetricsPanel::setLabels);
    connect(this, &ReplayWorkbench::labelsChanged, m_sweeps, &SweepPanel::setLabels);
    // Every label edit, undo and redo judges again at once, before it is saved.
    connect(m_replay->labelDocument(), &LabelDocument::changed, this, [this] {
        if (m_workspace)
            loadLabels();
    });

    connect(m_browser, &SessionBrowser::sessionActivated, this, &ReplayWorkbench::openSession);
    connect(m_browser, &SessionBrowser::importRequested, this, &ReplayWorkbench::importDialog);
    connect(m_library, &SessionLibrary::rowsInserted, this, &ReplayWorkbench::refreshSessionsTab);
    connect(m_library, &SessionLibrary::modelReset, this, &ReplayWorkbench::refreshSessionsTab);
    connect(m_library, &SessionLibrary::importFinished, this, [this](const ImportOutcome& outcome) {
        if (outcome.ok)
            Q_EMIT statusMessage(m_browser->statusText());
    });
    connect(m_recordings, &RecordingLibrary::importFinished, this, [this](const RecordingImportOutcome& outcome) {
        if (!outcome.ok) {
            Q_EMIT statusMessage(outcome.cancelled ? tr("Recording import cancelled")
                                                   : tr("Recordings not imported: %1").arg(outcome.error));
            return;
        }
        const QStringList unmatched = m_recordings->unmatched(m_library->sessionsOf(m_productId.toStdString()));
        QString message = tr("%n recording(s) imported", nullptr, outcome.added);
        if (outcome.problems > 0)
            message += tr(", %n problem(s): %1", nullptr, int(outcome.problems))
                           .arg(QString::fromStdString(m_recordings->diagnostics().back().toString()));
        if (!unmatched.isEmpty())
            message += tr("; %n not matched: %1", nullptr, int(unmatched.size())).arg(unmatched.join(u"; "_qs));
        Q_EMIT statusMessage(message);
    });
    // A recording imported after its session was opened shows at once.
    connect(m_recordings, &RecordingLibrary::recordingsChanged, this, [this] {
        if (const RecordedSession* session = m_replay->session())
            m_replay->setRecording(m_recordings->recordingFor(session->summary.sessionId));
    });
    connect(m_triggers, &TriggerEditor::workspaceEdited, this, &ReplayWorkbench::onWorkspaceEdited);
    connect(m_triggers, &TriggerEditor::saved, this, &ReplayWorkbench::refreshDiffTriggers);
    connect(m_triggers, &TriggerEditor::diffRequested, this, [this] {
        m_diff->setOther(DiffPanel::Other::Edited);
        reveal(m_diff);
        m_diff->run();
    });
    connect(m_replay, &ReplayPanel::navigated, this, &ReplayWorkbench::navigationRequested);
    connect(m_diff, &DiffPanel::sessionActivated, this, &ReplayWorkbench::openDiffSession);
}

ReplayWorkbench::~ReplayWorkbench() = default;

void ReplayWorkbench::setWorkspace(std::shared_ptr<const Workspace> workspace, const QString& productId)
{
    if (!workspace)
        return;
    const bool opened = workspace != m_workspace;
    m_workspace = workspace;
    m_productId = productId;
    if (opened) {
        m_replay->close();
        m_library->setWorkspace(workspace);
        const QString sessions = QString::fromStdString((workspace->root() / "sessions").string());
        if (QFileInfo(sessions).isDir())
            m_library->importPaths({ sessions });
        m_recordings->cancelImport();
        m_recordings->clear();
        const QString recordings = QString::fromStdString((workspace->root() / "recordings").string());
        if (QFileInfo(recordings).isDir())
            m_recordings->importPaths({ recordings });
        loadLabels();
    }
    m_triggers->openProduct(m_workspace, productId.toStdString());
    m_sweeps->setProduct(m_workspace, productId.toStdString());
    m_impact->setProduct(m_workspace, productId.toStdString());
    refreshDiffTriggers();
}

void ReplayWorkbench::loadLabels()
{
    // The labels as the studio has them: the replay panel's labels file as
    // edited (saved or not), the other files of labels/ as saved.
    Diagnostics diagnostics;
    const LabelDocument* document = m_replay->labelDocument();
    std::optional<LabelSet::EditedFile> edited;
    if (document->isOpen())
        edited = LabelSet::EditedFile { document->displayName().toStdString(), document->plainJson() };
    auto labels = std::make_shared<const LabelSet>(
        LabelSet::load(m_workspace->root(), diagnostics, edited ? &*edited : nullptr));
    // What is wrong is left out, the rest is used; `validate` lists every problem.
    if (!diagnostics.empty())
        Q_EMIT statusMessage(tr("Labels: %n problem(s), the first: %1", nullptr, static_cast<int>(diagnostics.size()))
                                 .arg(QString::fromStdString(diagnostics.front().toString())));
    setLabels(std::move(labels));
}

void ReplayWorkbench::setLabels(std::shared_ptr<const LabelSet> labels)
{
    m_labels = labels ? std::move(labels) : std::make_shared<const LabelSet>();
    Q_EMIT labelsChanged(m_labels);
}

void ReplayWorkbench::onWorkspaceEdited(std::shared_ptr<const Workspace> workspace)
{
    if (!workspace)
        return;
    m_workspace = workspace;
    if (const Status status = m_replay->setWorkspace(workspace); !status)
        Q_EMIT statusMessage(tr("Replay not re-run: %1").arg(QString::fromStdString(status.error().toString())));
    m_sweeps->setProduct(workspace, m_productId.toStdString());
    m_impact->setProduct(workspace, m_productId.toStdString());
    refreshDiffTriggers();
    Q_EMIT workspaceEdited(std::move(workspace));
}

bool ReplayWorkbench::importPaths(const QStringList& paths)
{
    if (!m_library->importPaths(paths, m_browser->assignedProduct())) {
        Q_EMIT statusMessage(m_library->isImporting() ? tr("An import is already running") : tr("Nothing to import"));
        return false;
    }
    reveal(m_browser);
    return true;
}

void ReplayWorkbench::importDialog()
{
    const QString start = m_workspace ? QString::fromStdString(m_workspace->root().string()) : QString();
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Import sessions"), start, tr("PostHog exports (*.json *.jsonl *.ndjson *.csv *.gz);;All files (*)"));
    if (!files.isEmpty())
        importPaths(files);
}

bool ReplayWorkbench::importRecordingPaths(const QStringList& paths)
{
    if (!m_recordings->importPaths(paths)) {
        Q_EMIT statusMessage(
            m_recordings->isImporting() ? tr("A recording import is already running") : tr("Nothing to import"));
        return false;
    }
    return true;
}

void ReplayWorkbench::importRecordingsDialog()
{
    const QString start = m_workspace ? QString::fromStdString(m_workspace->root().string()) : QString();
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Import recordings"), start,
        tr("PostHog recording exports, rrweb events (*.json *.gz);;All files (*)"));
    if (!files.isEmpty())
        importRecordingPaths(files);
}

void ReplayWorkbench::setTourCatalog(const TourCatalog& catalog)
{
    m_replay->setTourCatalog(catalog);
}

void ReplayWorkbench::acceptDropsOn(QWidget* target)
{
    target->setAcceptDrops(true);
    target->installEventFilter(this);
}

bool ReplayWorkbench::eventFilter(QObject* watched, QEvent* event)
{
    switch (event->type()) {
    case QEvent::DragEnter:
    case QEvent::DragMove: {
        auto* drag = static_cast<QDragMoveEvent*>(event);
        if (droppedFiles(drag->mimeData()).isEmpty())
            break;
        drag->acceptProposedAction();
        return true;
    }
    case QEvent::Drop: {
        auto* drop = static_cast<QDropEvent*>(event);
        const QStringList files = droppedFiles(drop->mimeData());
        if (files.isEmpty())
            break;
        drop->acceptProposedAction();
        importPaths(files);
        return true;
    }
    default:
        break;
    }
    return QTabWidget::eventFilter(watched, event);
}

bool ReplayWorkbench::openSession(int libraryRow)
{
    const auto session = m_library->session(libraryRow);
    if (!session)
        return false;
    QString error;
    if (!m_replay->open(m_workspace, session, &error)) {
        Q_EMIT statusMessage(tr("Cannot replay this session: %1").arg(error));
        return false;
    }
    m_replay->setRecording(m_recordings->recordingFor(session->summary.sessionId));
    reveal(m_replay);
    return true;
}

bool ReplayWorkbench::openDiffSession(const QString& productId, const QString& sessionId, Timestamp at)
{
    const TriggerSetDiff* diff = m_diff->result();
    if (!diff)
        return false;
    const auto session = m_library->session(m_library->rowOf(productId, sessionId));
    if (!session) {
        Q_EMIT statusMessage(tr("Session %1 is no longer imported").arg(sessionId));
        return false;
    }
    // The replay shows the compared triggers with the diff's user, so the change is where the diff says.
    m_replay->setPolicy(diff->policy);
    QString error;
    if (!m_replay->open(diff->other, session, &error)) {
        Q_EMIT statusMessage(tr("Cannot replay this session: %1").arg(error));
        return false;
    }
    m_replay->setRecording(m_recordings->recordingFor(session->summary.sessionId));
    m_replay->seek(at);
    reveal(m_replay);
    Q_EMIT statusMessage(tr("Replaying %1 with %2 at +%3")
                             .arg(sessionId, diff->otherFile.isEmpty() ? tr("the edited triggers") : diff->otherFile,
                                 elapsedText(at - session->summary.start)));
    return true;
}

void ReplayWorkbench::refreshDiffTriggers()
{
    m_diff->setTriggers(m_triggers->document()->savedWorkspace(), m_workspace, m_productId.toStdString());
}

void ReplayWorkbench::refreshSessionsTab()
{
    setTabText(indexOf(m_browser), tr("Sessions (%1)").arg(m_library->sessionCount()));
}

void ReplayWorkbench::reveal(QWidget* tab)
{
    setCurrentWidget(tab);
    for (QWidget* ancestor = parentWidget(); ancestor; ancestor = ancestor->parentWidget()) {
        if (auto* dock = qobject_cast<QDockWidget*>(ancestor)) {
            dock->show();
            dock->raise();
            return;
        }
    }
}

} // namespace proactive::ui
