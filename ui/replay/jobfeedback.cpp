#include "jobfeedback.h"

namespace proactive::ui {

namespace {

    // QProgressBar counts in int; work counts in 64 bits.
    constexpr int kSteps = 1000;

} // namespace

WorkProgressBar::WorkProgressBar(QWidget* parent)
    : QProgressBar(parent)
{
    setRange(0, kSteps);
    setValue(0);
}

void WorkProgressBar::showProgress(quint64 done, quint64 total)
{
    setValue(total == 0 ? 0 : static_cast<int>(static_cast<double>(done) / static_cast<double>(total) * kSteps));
}

StatusLabel::StatusLabel(QWidget* parent)
    : QLabel(parent)
{
    setWordWrap(true);
}

void StatusLabel::showMessage(const QString& text, bool error)
{
    setText(text);
    setStyleSheet(error ? u"color: #b91c1c"_qs : QString());
}

} // namespace proactive::ui
