#pragma once

#include <QElapsedTimer>
#include <QSet>
#include <QWidget>

class QTreeWidget;
class QTreeWidgetItem;

namespace proactive {
struct ConditionExplanation;
}

namespace proactive::ui {

class Simulation;

// Every trigger of the product evaluated on the visitor's session right now,
// whatever the other gates say, with each condition's value, threshold and
// verdict ("dwell 41 s < 60 s"). It follows the visitor: every captured
// action and every second of simulated time re-evaluates.
class TriggersPanel final : public QWidget {
    Q_OBJECT

public:
    explicit TriggersPanel(Simulation& simulation, QWidget* parent = nullptr);

    // The trigger ids that match now, for tests and scenarios.
    QStringList matchingTriggers() const;

public Q_SLOTS:
    void refresh();

private:
    void addCondition(QTreeWidgetItem* parent, const ConditionExplanation& condition);

    Simulation& m_simulation;
    QTreeWidget* m_tree;
    QSet<QString> m_collapsed;
    QElapsedTimer m_sinceRefresh;
};

} // namespace proactive::ui
