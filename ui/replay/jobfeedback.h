#pragma once

#include <QLabel>
#include <QProgressBar>

namespace proactive::ui {

// What a panel shows about its background work (an import, a sweep, a diff).

// Progress of work that counts in any unit, up to billions of events.
class WorkProgressBar final : public QProgressBar {
    Q_OBJECT

public:
    explicit WorkProgressBar(QWidget* parent = nullptr);

    // `done` of `total`; nothing is done while the total is unknown (0).
    void showProgress(quint64 done, quint64 total);
};

// One line saying what the work is doing or why it cannot; errors in red.
class StatusLabel final : public QLabel {
    Q_OBJECT

public:
    explicit StatusLabel(QWidget* parent = nullptr);

    void showMessage(const QString& text, bool error = false);
};

} // namespace proactive::ui
