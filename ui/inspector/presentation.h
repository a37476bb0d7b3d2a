#pragma once

#include "base/clock.h"
#include "fsm/fsmstate.h"
#include "intake/action.h"

#include <QColor>
#include <QString>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string_view>

class QTreeWidget;

// How the inspector shows core values: one place for times, durations,
// state and verdict colours, so every panel and the timeline agree.
namespace proactive::ui {

QString toQString(std::string_view text);
// "14:03:27" in local time.
QString clockTime(Timestamp at);
// "14:03:27.412", for the timeline's details.
QString preciseTime(Timestamp at);
// "41 s", "9 min 59 s", "1 h 2 min".
QString humanDuration(Duration duration);
QString stateName(FsmState state);
QColor stateColor(FsmState state);
// A skip reason's colour, the same in the polls panel and on the timeline.
QColor reasonColor(const QString& reason);
QColor firingColor();
// Where a new PostHog session (a rotation) begins.
QColor sessionStartColor();
// A recorded or captured action's colour by type (the replay timeline's activity lane).
QColor activityColor(ActionType type);
// Fixed starting widths for a list that grows long: ResizeToContents would
// measure every row on every change.
void setColumnWidths(QTreeWidget* tree, std::initializer_list<int> widths);
// A JSON value on one line for a table cell ("41", "\"/projects\"", "{…}").
QString compactJson(const nlohmann::json& value);

} // namespace proactive::ui
