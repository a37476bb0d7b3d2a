#pragma once

#include "replay/replaybatch.h"

#include <QTimer>
#include <QWidget>
#include <map>
#include <memory>
#include <optional>
#include <string>

class QLabel;
class QPushButton;
class QTableWidget;

namespace proactive {
class LabelSet;
class Workspace;
} // namespace proactive

namespace proactive::ui {

class BackgroundJob;
class SessionLibrary;
class StatusLabel;
class WorkProgressBar;

// The trigger editor's live metrics (docs/studio.md, "Ground truth in the
// studio"): the product's labelled sessions in the library replayed with
// the triggers being edited (runBatch without polls or explanations) and
// judged against the labels (evaluateGroundTruth), on a worker thread. Every
// edit cancels the run under way and starts again; the numbers of the run
// before stay beside the new ones ("F1 0.71 → 0.78"), coloured by whether
// the change is for the better.
class LiveMetricsPanel final : public QWidget {
    Q_OBJECT

public:
    explicit LiveMetricsPanel(SessionLibrary& library, QWidget* parent = nullptr);
    ~LiveMetricsPanel() override;

    // The triggers to measure: the editor's, on every valid edit. Another
    // product forgets the previous numbers.
    void setWorkspace(std::shared_ptr<const Workspace> workspace, const std::string& productId);
    void setLabels(std::shared_ptr<const LabelSet> labels);

    bool isRunning() const;
    // The last finished measurement (totals and ground truth, no settings)
    // and the one before it; null before there is one.
    const SweepPoint* current() const { return m_current ? &*m_current : nullptr; }
    const SweepPoint* previous() const { return m_previous ? &*m_previous : nullptr; }
    // A metric's line as shown, by truthgoal's metric names ("f1",
    // "false_offers", ...): "F1 0.71 → 0.78".
    QString metricText(const std::string& metric) const;
    QTableWidget* triggerTable() const { return m_triggers; }
    QString statusText() const;

public Q_SLOTS:
    // Measures again soon (cancelling a run under way first).
    void refresh();
    void cancel();

Q_SIGNALS:
    // A run ended: with new numbers, or not (cancelled, failed, nothing to measure).
    void finished(bool measured);

private:
    struct Pending;
    void start();
    void showNothing(const QString& why);
    void onFinished(bool cancelled);
    void showResult();

    SessionLibrary& m_library;
    std::shared_ptr<const Workspace> m_workspace;
    std::string m_productId;
    std::shared_ptr<const LabelSet> m_labels;
    std::optional<SweepPoint> m_current;
    std::optional<SweepPoint> m_previous;
    std::size_t m_measuredSessions = 0;
    bool m_restart = false;
    // Edits in one turn of the event loop (a workspace and its labels, a paste) make one run.
    QTimer m_startSoon;
    BackgroundJob* m_job;
    std::shared_ptr<Pending> m_pending;

    QLabel* m_title;
    WorkProgressBar* m_progress;
    QPushButton* m_cancel;
    QWidget* m_numbers; // the metrics and the per-trigger table
    std::map<std::string, QLabel*, std::less<>> m_metrics;
    QTableWidget* m_triggers;
    StatusLabel* m_status;
};

} // namespace proactive::ui
