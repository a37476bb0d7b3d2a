#pragma once

#include "replay/sessionreplay.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;

namespace proactive::ui {

// How the replayed user answers offers: a kind (never, dismiss, accept chat,
// accept the tour and complete or abandon it) and its N seconds.
class PolicyEditor final : public QWidget {
    Q_OBJECT

public:
    explicit PolicyEditor(QWidget* parent = nullptr);

    ResponsePolicy policy() const;
    void setPolicy(const ResponsePolicy& policy);

Q_SIGNALS:
    void policyChanged(const proactive::ResponsePolicy& policy);

private:
    void refresh();

    QComboBox* m_kind;
    QDoubleSpinBox* m_after;
};

} // namespace proactive::ui
