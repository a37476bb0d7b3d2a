#pragma once

#include "impact/impactreport.h"

#include <QString>
#include <QWidget>
#include <memory>
#include <optional>
#include <string>

class QLabel;
class QPushButton;
class QTableWidget;

namespace proactive::ui {

class BackgroundJob;
class SessionLibrary;
class StatusLabel;
class WorkProgressBar;

// Draws an impact report as the HTML report does: per trigger, the goal
// rate of each arm as a bar with its 95 % interval as a whisker, and the
// difference (offered − held out) as a dot with its interval around 0. An
// arm too small to tell is pale and says so.
class ImpactChart final : public QWidget {
    Q_OBJECT

public:
    explicit ImpactChart(QWidget* parent = nullptr);
    // Null: nothing to draw.
    void setReport(const ImpactReport* report);
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    const ImpactReport* m_report = nullptr;
};

// Impact: the product's sessions in the library replayed with the
// workspace as the studio has it, the trigger editor's edits included
// (runBatch, every core, no poll log), on a worker thread, and the
// goal rate of offered against held-out users per trigger computed by the
// core (computeImpact): from the sessions' recorded offer events when they
// have them, else from the replay's own offers and holdouts. The chart and
// a table of counts, rates, intervals and time to goal.
class ImpactPanel final : public QWidget {
    Q_OBJECT

public:
    explicit ImpactPanel(SessionLibrary& library, QWidget* parent = nullptr);
    ~ImpactPanel() override;

    void setProduct(std::shared_ptr<const Workspace> workspace, const std::string& productId);

    bool isRunning() const;
    // The last finished report; none before, or when the product has no goal.
    const ImpactReport* result() const { return m_result ? &*m_result : nullptr; }
    QTableWidget* table() const { return m_table; }
    ImpactChart* chart() const { return m_chart; }
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
    void refreshControls();
    void showResult();

    SessionLibrary& m_library;
    std::shared_ptr<const Workspace> m_workspace;
    std::string m_productId;
    std::optional<ImpactReport> m_result;
    BackgroundJob* m_job;
    std::shared_ptr<Pending> m_pending;

    QLabel* m_goal;
    QPushButton* m_run;
    QPushButton* m_cancel;
    WorkProgressBar* m_progress;
    StatusLabel* m_status;
    ImpactChart* m_chart;
    QTableWidget* m_table;
};

} // namespace proactive::ui
