#pragma once

#include "base/clock.h"

#include <QLatin1Char>
#include <QString>
#include <chrono>

namespace proactive::ui {

// A moment of a replay as the time since the session's start: "1:05",
// "1:02:03" — how the replay panel's clock, its firings list and the diff
// view all write it.
inline QString elapsedText(Duration duration)
{
    const qint64 s = std::chrono::duration_cast<std::chrono::seconds>(duration).count();
    return s >= 3600 ? QStringLiteral("%1:%2:%3")
                           .arg(s / 3600)
                           .arg(s % 3600 / 60, 2, 10, QLatin1Char('0'))
                           .arg(s % 60, 2, 10, QLatin1Char('0'))
                     : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace proactive::ui
