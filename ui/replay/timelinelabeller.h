#pragma once

#include "base/clock.h"

#include <QObject>
#include <QPointer>
#include <memory>

class QMenu;

namespace proactive {
class Workspace;
struct RecordedSession;
} // namespace proactive

namespace proactive::ui {

class LabelDocument;
class ReplayTimeline;

// Labelling on the replay timeline: turns the timeline's gestures into
// LabelDocument edits and draws the document's labels of the replayed
// session back on it. A Shift+drag offers "Help wanted" / "No help here"
// for the range; the context menu at a moment offers "Should fire ▸
// <trigger>" (each trigger of the session's product) and, on a labelled
// range or an expectation's window, changing or removing it. Menus open at
// the mouse and do not block (popup), so the replay keeps running.
class TimelineLabeller final : public QObject {
    Q_OBJECT

public:
    TimelineLabeller(ReplayTimeline* timeline, LabelDocument* document, QObject* parent = nullptr);

    // The replayed session and the workspace its triggers come from; null
    // clears the timeline's labels.
    void setSession(std::shared_ptr<const Workspace> workspace, std::shared_ptr<const RecordedSession> session);
    // The menu a gesture opened, while it is open (tests pick from it).
    QMenu* openMenu() const;

private:
    void onRangeSelected(Timestamp from, Timestamp to, const QPoint& globalPosition);
    void onMenuRequested(Timestamp at, const QPoint& globalPosition);
    void refresh();
    QMenu* newMenu();
    double secondsOf(Timestamp at) const;

    ReplayTimeline* m_timeline;
    LabelDocument* m_document;
    std::shared_ptr<const Workspace> m_workspace;
    std::shared_ptr<const RecordedSession> m_session;
    QPointer<QMenu> m_menu;
};

} // namespace proactive::ui
