#pragma once

#include "base/clock.h"
#include "fsm/fsmstate.h"

#include <QColor>
#include <QString>
#include <QWidget>
#include <vector>

class QTreeWidget;

namespace proactive::ui {

class Simulation;

struct TimelineEntry {
    enum class Lane { Activity, Polls, Client, State };
    Timestamp at {};
    Lane lane = Lane::Activity;
    QString title;
    QString detail;
    QColor color;
    bool emphasised = false; // firings, toasts
    bool startsSession = false; // a new PostHog session (rotation): a line across all lanes
    FsmState state = FsmState::Thinking; // State lane: the state entered
};

// The lanes drawn: what the visitor did, what each poll answered, what the
// client did, and the FSM state as a coloured band; a dashed line marks where
// a new PostHog session began. The newest minutes are shown; the wheel zooms.
class TimelineView final : public QWidget {
    Q_OBJECT

public:
    explicit TimelineView(QWidget* parent = nullptr);

    void setEntries(const std::vector<TimelineEntry>* entries) { m_entries = entries; }
    void setNow(Timestamp now);
    QSize sizeHint() const override { return { 800, 150 }; }

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    bool event(QEvent* event) override;

private:
    double xOf(Timestamp at, const QRectF& area) const;
    const TimelineEntry* entryAt(const QPoint& position) const;
    QRectF laneArea() const;

    const std::vector<TimelineEntry>* m_entries = nullptr;
    Timestamp m_now {};
    Duration m_span = std::chrono::minutes(3);
};

// The timeline drawn above and as a list below, fed by the simulation.
class TimelinePanel final : public QWidget {
    Q_OBJECT

public:
    explicit TimelinePanel(Simulation& simulation, QWidget* parent = nullptr);

    const std::vector<TimelineEntry>& entries() const { return m_entries; }

private:
    void add(TimelineEntry entry);

    std::vector<TimelineEntry> m_entries;
    TimelineView* m_view;
    QTreeWidget* m_list;
};

} // namespace proactive::ui
