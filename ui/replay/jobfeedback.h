#pragma once

#include "base/result.h"

#include <QLabel>
#include <QProgressBar>
#include <optional>

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

// The value a finished background run left, or null after the progress bar
// and the status line said why there is none: cancelled (by the job, by its
// stop token, or before it produced anything: `cancelledText`), or failed
// (the error, in red).
template<class T>
T* finishedValue(bool cancelled, std::optional<Result<T>>* result, WorkProgressBar& progress, StatusLabel& status,
    const QString& cancelledText)
{
    if (cancelled || !result || !*result || (!**result && (*result)->error().code == "cancelled")) {
        progress.setValue(0);
        status.showMessage(cancelledText);
        return nullptr;
    }
    if (!**result) {
        status.showMessage(QString::fromStdString((*result)->error().toString()), true);
        return nullptr;
    }
    return &(*result)->value();
}

} // namespace proactive::ui
