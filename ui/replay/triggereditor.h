#pragma once

#include <QWidget>
#include <memory>
#include <string>

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QToolButton;

namespace proactive {
class Workspace;
}

namespace proactive::ui {

class LiveMetricsPanel;
class TriggerDocument;

// The trigger editor: one product's triggers as a form (a list of
// triggers; id, name, description, body, reply labels, timeouts, cooldown,
// tour id and the condition) and as JSON, both editing the same
// TriggerDocument through undo commands and validated as you type by the
// core's trigger parser (problems with their JSON pointers, listed below).
// Every edit that validates is applied at once: workspaceEdited carries the
// workspace with the edited triggers (the replay re-runs, the live
// simulation switches). Save writes the file only when it validates.
// Under the form, optionally, the live metrics of the triggers as edited
// against the labels (LiveMetricsPanel).
class TriggerEditor final : public QWidget {
    Q_OBJECT

public:
    explicit TriggerEditor(QWidget* parent = nullptr);

    // Opens the product's triggers. With unsaved edits of another product,
    // asks whether to save them first (discarding reverts the workspace).
    bool openProduct(std::shared_ptr<const Workspace> workspace, const std::string& productId);
    TriggerDocument* document() const { return m_document; }
    // Shows `metrics` under the form (the editor takes it) and hands it
    // the triggers as edited whenever they validate.
    void setLiveMetrics(LiveMetricsPanel* metrics);
    LiveMetricsPanel* liveMetrics() const { return m_metrics; }

    int currentTrigger() const;
    void selectTrigger(int index);
    QPlainTextEdit* jsonView() const { return m_json; }
    QStringList problemTexts() const;
    QString statusText() const;

    // Form fields by name, for tests: "id", "name", "body", "tour_id",
    // "labels", "description", "when", "interaction_timeout_s", "cooldown_s".
    QWidget* field(const QString& name) const;

public Q_SLOTS:
    bool save();

Q_SIGNALS:
    void workspaceEdited(std::shared_ptr<const proactive::Workspace> workspace);
    void saved(const QString& path);
    // "Diff with saved": compare these triggers with the file's over the imported sessions.
    void diffRequested();

private:
    void buildUi();
    void onDocumentChanged();
    void refreshList();
    void refreshForm();
    void refreshJson();
    void refreshProblems();
    void setStatus(const QString& text, bool error = false);
    void measure();

    TriggerDocument* m_document;
    LiveMetricsPanel* m_metrics = nullptr;
    // The last workspace handed out by workspaceEdited: the studio's, while
    // it has not opened another one.
    std::shared_ptr<const Workspace> m_applied;
    bool m_updating = false;
    bool m_typingJson = false;
    QString m_conditionError;
    QString m_jsonError;

    QLabel* m_title;
    QToolButton* m_undo;
    QToolButton* m_redo;
    QPushButton* m_save;
    QPushButton* m_diff;
    QTabWidget* m_views;
    QListWidget* m_list;
    QPushButton* m_add;
    QPushButton* m_remove;
    QLineEdit* m_id;
    QLineEdit* m_name;
    QPlainTextEdit* m_description;
    QPlainTextEdit* m_body;
    QLineEdit* m_labels;
    QDoubleSpinBox* m_timeout;
    QDoubleSpinBox* m_cooldown;
    QLineEdit* m_tourId;
    QPlainTextEdit* m_when;
    QPlainTextEdit* m_json;
    QListWidget* m_problems;
    QLabel* m_status;
};

} // namespace proactive::ui
