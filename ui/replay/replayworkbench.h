#pragma once

#include "base/clock.h"
#include "tourcatalog.h"

#include <QTabWidget>
#include <memory>

namespace proactive {
class LabelSet;
class Workspace;
} // namespace proactive

namespace proactive::ui {

class DiffPanel;
class ImpactPanel;
class RecordingLibrary;
class ReplayPanel;
class SessionBrowser;
class SessionLibrary;
class SweepPanel;
class TriggerEditor;

// The studio's replay workbench (issue 8) in one dock: the imported
// sessions, the replay of one of them, the trigger editor, sweeps, and the
// diff of the saved triggers with the edited ones (or a file). It
// keeps the workspace as the trigger editor changed it and hands every
// valid edit to the studio (workspaceEdited), so the live simulation and
// the replay always run the same triggers.
class ReplayWorkbench final : public QTabWidget {
    Q_OBJECT

public:
    explicit ReplayWorkbench(QWidget* parent = nullptr);
    ~ReplayWorkbench() override;

    // The studio's workspace and product. A workspace other than the one
    // this workbench last handed out empties the library and imports the
    // workspace's sessions/ folder; the product chooses the triggers to edit
    // and the settings to sweep.
    void setWorkspace(std::shared_ptr<const Workspace> workspace, const QString& productId);
    const std::shared_ptr<const Workspace>& workspace() const { return m_workspace; }

    // The workspace's ground truth (docs/labels.md): read from its labels/
    // when a workspace is opened, replaced by the labels document on every
    // edit. Never null (no labels: an empty set). The expectations list,
    // the trigger editor's live metrics and the sweeps follow labelsChanged.
    void setLabels(std::shared_ptr<const LabelSet> labels);
    const std::shared_ptr<const LabelSet>& labels() const { return m_labels; }
    // Reads the workspace's labels/ again (a labels file was added to it).
    void loadLabels();

    // Export files or folders, imported on a worker thread.
    bool importPaths(const QStringList& paths);
    void importDialog();
    // Files dropped on `target` (the main window: its docks, toolbars and
    // status bar) are imported.
    void acceptDropsOn(QWidget* target);
    // Visual recordings (issue 16): PostHog's "Export to file" files or
    // folders of them, read on a worker thread; a session replayed shows its
    // recording beside the timeline.
    bool importRecordingPaths(const QStringList& paths);
    void importRecordingsDialog();
    // The tours an accepted offer starts in the replayed picture.
    void setTourCatalog(const TourCatalog& catalog);
    bool openSession(int libraryRow);
    // The diff's double-click: the session replayed with the triggers the
    // diff compared with (and its policy), at `at`.
    bool openDiffSession(const QString& productId, const QString& sessionId, proactive::Timestamp at);

    SessionLibrary& library() const { return *m_library; }
    RecordingLibrary& recordings() const { return *m_recordings; }
    SessionBrowser* browser() const { return m_browser; }
    ReplayPanel* replayPanel() const { return m_replay; }
    TriggerEditor* triggerEditor() const { return m_triggers; }
    SweepPanel* sweepPanel() const { return m_sweeps; }
    DiffPanel* diffPanel() const { return m_diff; }
    ImpactPanel* impactPanel() const { return m_impact; }

Q_SIGNALS:
    // The triggers as edited (valid), for the live simulation.
    void workspaceEdited(std::shared_ptr<const proactive::Workspace> workspace);
    // "Follow in the page": load this recorded page in the product view.
    void navigationRequested(const QString& productId, const QUrl& url);
    void statusMessage(const QString& message);
    void labelsChanged(std::shared_ptr<const proactive::LabelSet> labels);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void onWorkspaceEdited(std::shared_ptr<const Workspace> workspace);
    void refreshSessionsTab();
    void refreshDiffTriggers();
    void reveal(QWidget* tab);

    std::shared_ptr<const Workspace> m_workspace;
    QString m_productId;
    std::shared_ptr<const LabelSet> m_labels;
    SessionLibrary* m_library;
    RecordingLibrary* m_recordings;
    SessionBrowser* m_browser;
    ReplayPanel* m_replay;
    TriggerEditor* m_triggers;
    SweepPanel* m_sweeps;
    DiffPanel* m_diff;
    ImpactPanel* m_impact;
};

} // namespace proactive::ui
