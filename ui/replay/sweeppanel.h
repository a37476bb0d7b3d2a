#pragma once

#include "replay/replaybatch.h"

#include <QWidget>
#include <memory>
#include <optional>
#include <vector>

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTableWidget;

namespace proactive {
class LabelSet;
}

namespace proactive::ui {

class StatusLabel;
class WorkProgressBar;

class BackgroundJob;
class PolicyEditor;
class SessionLibrary;

// Sweeps: the author picks numeric trigger or gate settings
// (numericSettings of the product) and the values to try, and runs every
// point of the grid over the library's sessions of the product on a worker
// thread (runSweep, every core) with progress and Cancel. The result is a
// table and a chart of reach (sessions with an offer) and median time to
// first offer per value. With labels every point is also judged against
// them: precision, recall, F1 and the Pareto front in the table, and a
// second chart of precision against recall, one dot per point.
class SweepPanel final : public QWidget {
    Q_OBJECT

public:
    explicit SweepPanel(SessionLibrary& library, QWidget* parent = nullptr);
    ~SweepPanel() override;

    // The workspace (with the editor's triggers) and the product swept.
    void setProduct(std::shared_ptr<const Workspace> workspace, const std::string& productId);
    // The ground truth the next sweep is judged against (none: an empty set).
    void setLabels(std::shared_ptr<const LabelSet> labels);

    // "path" and "30,45,60" or "30:90:15"; the reason when it does not parse.
    std::optional<QString> addAxis(const QString& path, const QString& values);
    void clearAxes();
    int axisCount() const { return static_cast<int>(m_axes.size()); }

    bool isRunning() const;
    // The last finished sweep; null before one, after a failure or a cancel.
    const SweepResult* result() const { return m_result ? &*m_result : nullptr; }
    QTableWidget* table() const { return m_table; }
    QChartView* chartView() const { return m_chartView; }
    // Precision against recall, one dot per point (a series per fire-rate bucket).
    QChartView* truthChartView() const { return m_truthChartView; }
    QString statusText() const;

public Q_SLOTS:
    // False (with the reason in the status) when nothing can run.
    bool run();
    void cancel();

Q_SIGNALS:
    void finished(bool ok);

private:
    struct Pending;
    void onFinished(bool cancelled);
    void refreshSettings();
    void refreshAxes();
    void showResult();
    void showTruthChart();

    SessionLibrary& m_library;
    std::shared_ptr<const Workspace> m_workspace;
    std::string m_productId;
    std::shared_ptr<const LabelSet> m_labels;
    std::vector<SweepAxis> m_axes;
    std::optional<SweepResult> m_result;
    std::size_t m_resultSessions = 0;
    BackgroundJob* m_job;
    std::shared_ptr<Pending> m_pending;

    QComboBox* m_setting;
    QLineEdit* m_values;
    QPushButton* m_addAxis;
    QListWidget* m_axisList;
    QPushButton* m_removeAxis;
    PolicyEditor* m_policy;
    QPushButton* m_run;
    QPushButton* m_cancel;
    WorkProgressBar* m_progress;
    StatusLabel* m_status;
    QTableWidget* m_table;
    QChartView* m_chartView;
    QChartView* m_truthChartView;
};

} // namespace proactive::ui
