#pragma once

#include "base/clock.h"
#include "fsm/fsmstate.h"

#include <QColor>
#include <QString>
#include <QWidget>
#include <optional>
#include <vector>

namespace proactive {
struct RecordedSession;
struct ReplayRecord;
} // namespace proactive

namespace proactive::ui {

// One recorded session's replay drawn whole, in the studio timeline's
// style: lanes for the user's actions, the polls (coloured by skip reason,
// firings as diamonds with their trigger), the simulated user's responses,
// and the FSM state as a band with conservative cooldowns hatched over it.
// What lies after the replay's current moment is faded. A click seeks
// (snapping to the mark under the mouse); the wheel zooms around the mouse.
// Ground truth is drawn over the lanes: labelled ranges as bands (help
// wanted green, no help grey hatched, the answer named) and expectations
// as flags over their window. Labelling gestures are only reported (the
// TimelineLabeller turns them into edits): Shift+drag selects a range,
// because a plain drag already scrubs; the context menu (right click, the
// menu key) asks about a moment.
class ReplayTimeline final : public QWidget {
    Q_OBJECT

public:
    enum class Lane { Activity, Polls, User, State };
    struct Mark {
        Timestamp at {};
        Lane lane = Lane::Activity;
        QColor color;
        bool emphasised = false; // firings and accepted offers
        QString title;
        QString detail;
        QString label; // drawn beside the mark when there is room: a page, a trigger, a response
    };
    struct Band {
        Timestamp from {};
        Timestamp to {};
        FsmState state = FsmState::Thinking;
    };
    struct Cooldown {
        Timestamp from {};
        Timestamp to {};
        bool silenced = false;
        QString title;
    };

    struct LabelBand {
        Timestamp from {};
        Timestamp to {};
        bool helpWanted = true;
        QString answer;
    };
    struct ExpectationFlag {
        Timestamp from {};
        Timestamp to {};
        QString trigger;
    };
    // A proposed label (LabelProposalsView): not ground truth, so drawn as
    // an outline only, never tinted like a label.
    struct ProposalBand {
        Timestamp from {};
        Timestamp to {};
        QString heuristic;
        QString reason;
        bool selected = false;
        bool overlapsLabel = false;
    };

    explicit ReplayTimeline(QWidget* parent = nullptr);

    // The whole replay (run to its end) of `session`; null clears.
    void setReplay(const RecordedSession* session, const ReplayRecord* record);
    void setNow(Timestamp now);
    Timestamp now() const { return m_now; }

    const std::vector<Mark>& marks() const { return m_marks; }
    const std::vector<Band>& bands() const { return m_bands; }
    const std::vector<Cooldown>& cooldowns() const { return m_cooldowns; }

    // The session's labels, as the labeller reads them from the labels file.
    void setLabels(std::vector<LabelBand> bands, std::vector<ExpectationFlag> flags);
    const std::vector<LabelBand>& labelBands() const { return m_labelBands; }
    const std::vector<ExpectationFlag>& expectationFlags() const { return m_flags; }
    void setProposals(std::vector<ProposalBand> proposals);
    const std::vector<ProposalBand>& proposalBands() const { return m_proposals; }
    // How much time one pixel of the lanes covers now (the precision of a drag).
    Duration pixelDuration() const;

    QSize sizeHint() const override { return { 900, 190 }; }
    QSize minimumSizeHint() const override { return { 300, 150 }; }

Q_SIGNALS:
    void seekRequested(proactive::Timestamp at);
    // Shift+drag released: the range from the press to the release.
    void rangeSelected(proactive::Timestamp from, proactive::Timestamp to, const QPoint& globalPosition);
    // The context menu at a moment of the session.
    void labelMenuRequested(proactive::Timestamp at, const QPoint& globalPosition);

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    bool event(QEvent* event) override;

private:
    QRectF laneArea() const;
    double laneHeight() const;
    double xOf(Timestamp at) const;
    Timestamp timeAt(double x) const;
    const Mark* markAt(const QPointF& position) const;
    void keepNowVisible();
    void paintLabels(QPainter& painter, const QRectF& area) const;
    void paintProposals(QPainter& painter, const QRectF& area) const;

    std::vector<Mark> m_marks;
    std::vector<Band> m_bands;
    std::vector<Cooldown> m_cooldowns;
    std::vector<std::pair<QString, QColor>> m_legend;
    std::vector<LabelBand> m_labelBands;
    std::vector<ExpectationFlag> m_flags;
    std::vector<ProposalBand> m_proposals;
    // A Shift+drag in progress: where it started and where the mouse is.
    std::optional<Timestamp> m_selectFrom;
    Timestamp m_selectTo {};
    Timestamp m_start {};
    Timestamp m_end {};
    Timestamp m_now {};
    // The visible span; the whole session until the wheel zooms in.
    Timestamp m_viewFrom {};
    Timestamp m_viewTo {};
    bool m_empty = true;
};

} // namespace proactive::ui
