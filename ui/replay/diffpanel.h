#pragma once

#include "replay/replaybatch.h"

#include <QString>
#include <QWidget>
#include <memory>
#include <optional>
#include <string>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace proactive::ui {

class StatusLabel;
class WorkProgressBar;

class BackgroundJob;
class PolicyEditor;
class SessionLibrary;

// One finished comparison of two trigger sets over the same sessions.
struct TriggerSetDiff {
    std::string productId;
    QString otherFile; // the name of the triggers file compared with; empty: the trigger editor's triggers
    std::shared_ptr<const Workspace> saved; // before: the triggers as saved
    std::shared_ptr<const Workspace> other; // after: the editor's, or the file's
    ResponsePolicy policy;
    // The sessions replayed; the diff's changes name them by id.
    std::vector<std::shared_ptr<const RecordedSession>> sessions;
    BatchTotals before;
    BatchTotals after;
    ReplayDiff diff;
};

// Diff: the product's triggers as saved against the trigger editor's
// current (edited, unsaved) triggers, or against a triggers file, over
// every imported session of the product. Both sets are replayed on a worker
// thread (runBatch, every core) with progress and Cancel, and compared by
// the core (diffReplays). Totals per trigger (fire rate, firings, before and
// after) and, per changed session, every firing that appeared, disappeared
// or moved. Double-clicking a session (or one change) asks to replay it with
// the compared triggers at its first change (or that change).
class DiffPanel final : public QWidget {
    Q_OBJECT

public:
    enum class Other { Edited, File };

    explicit DiffPanel(SessionLibrary& library, QWidget* parent = nullptr);
    ~DiffPanel() override;

    // The product's triggers as saved and as the trigger editor has them
    // now (its last valid edit). A diff already shown is marked stale when
    // they differ from what it compared.
    void setTriggers(
        std::shared_ptr<const Workspace> saved, std::shared_ptr<const Workspace> edited, const std::string& productId);
    Other other() const;
    void setOther(Other other);
    QString otherFile() const;
    void setOtherFile(const QString& path);
    ResponsePolicy policy() const;
    void setPolicy(const ResponsePolicy& policy);

    bool isRunning() const;
    // The last finished diff; a cancelled or failed run leaves it as it was.
    const TriggerSetDiff* result() const { return m_result ? &*m_result : nullptr; }
    // The saved or the edited triggers changed since result() ran.
    bool isStale() const;
    // Where the two replays of a session first differ: the earliest time of its changes.
    std::optional<Timestamp> firstChange(const std::string& sessionId) const;

    QTableWidget* totalsTable() const { return m_totals; }
    QTreeWidget* changesView() const { return m_changes; }
    QString summaryText() const;
    QString statusText() const;

public Q_SLOTS:
    // False (with the reason in the status) when nothing can run.
    bool run();
    void cancel();

Q_SIGNALS:
    void finished(bool ok);
    // Double-click: replay the session with result()->other at `at`.
    void sessionActivated(const QString& productId, const QString& sessionId, proactive::Timestamp at);

private:
    struct Pending;
    void onFinished(bool cancelled);
    void browse();
    void refreshControls();
    void showResult();
    void showTotals();
    void showChanges();
    void refreshStatus();

    SessionLibrary& m_library;
    std::shared_ptr<const Workspace> m_saved;
    std::shared_ptr<const Workspace> m_edited;
    std::string m_productId;
    std::optional<TriggerSetDiff> m_result;
    BackgroundJob* m_job;
    std::shared_ptr<Pending> m_pending;

    QLabel* m_intro;
    QComboBox* m_otherKind;
    QLineEdit* m_file;
    QPushButton* m_browse;
    PolicyEditor* m_policy;
    QPushButton* m_run;
    QPushButton* m_cancel;
    WorkProgressBar* m_progress;
    StatusLabel* m_status;
    QLabel* m_summary;
    QTableWidget* m_totals;
    QTreeWidget* m_changes;
};

} // namespace proactive::ui
