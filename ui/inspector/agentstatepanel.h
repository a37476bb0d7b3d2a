#pragma once

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace proactive::ui {

class Simulation;

// The conversation's FSM (SPEC §2) as it is now: the state, the dismissal
// count, the cooldown or offer expiry counting down, and every transition
// with its cause.
class AgentStatePanel final : public QWidget {
    Q_OBJECT

public:
    explicit AgentStatePanel(Simulation& simulation, QWidget* parent = nullptr);

    // The state badge's text, for tests and scenarios.
    QString stateText() const;

private:
    void refreshState();
    void refreshTransitions();

    Simulation& m_simulation;
    QLabel* m_state;
    QLabel* m_countdown;
    QLabel* m_details;
    QTreeWidget* m_transitions;
};

} // namespace proactive::ui
