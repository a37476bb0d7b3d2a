#pragma once

#include "client/simulatedclient.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QSpinBox;

namespace proactive::ui {

class Simulation;

// Who the simulated visitor is and how their client behaves: PostHog
// identity, session rotation, conversation reset, and the client's timings
// (SPEC §4), which are settings of the simulation.
class SessionPanel final : public QWidget {
    Q_OBJECT

public:
    explicit SessionPanel(Simulation& simulation, QWidget* parent = nullptr);

Q_SIGNALS:
    // The author changed the client's timings (to persist them).
    void clientSettingsChanged(const proactive::ClientSettings& settings);

private:
    void applyIdentity();
    void applyTimings();
    void refresh();

    Simulation& m_simulation;
    QLineEdit* m_distinctId;
    QLineEdit* m_email;
    QLabel* m_sessionId;
    QLabel* m_nextPoll;
    QSpinBox* m_pollInterval;
    QSpinBox* m_firstPoll;
    QSpinBox* m_raceWindow;
};

} // namespace proactive::ui
