#pragma once

#include "gates/decision.h"

#include <QWidget>
#include <vector>

class QTreeWidget;

namespace proactive::ui {

class Simulation;

// Every poll the simulated client made and the connector's answer; the
// selected poll's gates below, each with its verdict and the numbers behind
// it, and, under the trigger gate, every trigger's result.
class PollsPanel final : public QWidget {
    Q_OBJECT

public:
    explicit PollsPanel(Simulation& simulation, QWidget* parent = nullptr);

    int pollCount() const { return static_cast<int>(m_polls.size()); }
    const Decision& poll(int index) const { return m_polls.at(static_cast<std::size_t>(index)); }

private:
    void addPoll(const Decision& decision);
    void showGates(int index);

    std::vector<Decision> m_polls;
    QTreeWidget* m_list;
    QTreeWidget* m_gates;
};

} // namespace proactive::ui
