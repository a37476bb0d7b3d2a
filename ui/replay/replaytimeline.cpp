#include "replaytimeline.h"

#include "inspector/presentation.h"
#include "replay/sessionreplay.h"

#include <QContextMenuEvent>
#include <QCoreApplication>
#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>
#include <QUrl>
#include <QWheelEvent>
#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace proactive::ui {

namespace {

    constexpr int kLabelWidth = 74;
    constexpr int kAxisHeight = 18;
    constexpr int kLegendHeight = 20;
    constexpr double kSnapPx = 7;
    const std::array kLaneNames { QT_TRANSLATE_NOOP("ReplayTimeline", "Activity"),
        QT_TRANSLATE_NOOP("ReplayTimeline", "Polls"), QT_TRANSLATE_NOOP("ReplayTimeline", "User"),
        QT_TRANSLATE_NOOP("ReplayTimeline", "State") };

    QString elapsedText(Duration elapsed)
    {
        const qint64 seconds = std::chrono::duration_cast<std::chrono::seconds>(elapsed).count();
        if (seconds >= 3600)
            return u"%1:%2:%3"_qs.arg(seconds / 3600)
                .arg(seconds % 3600 / 60, 2, 10, QLatin1Char('0'))
                .arg(seconds % 60, 2, 10, QLatin1Char('0'));
        return u"%1:%2"_qs.arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    }

    QColor responseColor(const ReplayResponse& response)
    {
        if (response.outcome == "no_toast")
            return QColor(0x9c, 0xa3, 0xaf);
        if (response.action == "dismiss" || response.action == "tour_abandoned")
            return stateColor(FsmState::ConservativeAssistance);
        if (response.action == "accept_tour" || response.action == "tour_completed")
            return stateColor(FsmState::GuidanceExecution);
        return stateColor(FsmState::ReactiveAssistance);
    }

    const QColor kHelpWanted(0x16, 0xa3, 0x4a);
    const QColor kNoHelp(0x6b, 0x72, 0x80);
    const QColor kExpectation(0x7c, 0x3a, 0xed);
    const QColor kProposal(0xd9, 0x77, 0x06); // amber: a suggestion, not yet ground truth
    // A press and release this close are a click, not a range.
    constexpr double kMinSelectionPx = 3;

    QColor withAlpha(QColor color, int alpha)
    {
        color.setAlpha(alpha);
        return color;
    }

    // A tick every 5 s … 1 h, whichever leaves about 90 px between labels.
    Duration tickStep(Duration span, double width)
    {
        using namespace std::chrono_literals;
        constexpr std::array<Duration, 10> steps { 5s, 10s, 15s, 30s, 60s, 120s, 300s, 600s, 1800s, 3600s };
        for (Duration step : steps)
            if (static_cast<double>(span.count()) / static_cast<double>(step.count()) * 90 <= width)
                return step;
        return steps.back();
    }

} // namespace

ReplayTimeline::ReplayTimeline(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(u"replayTimeline"_qs);
    setMouseTracking(true);
    setMinimumHeight(150);
    setCursor(Qt::PointingHandCursor);
}

void ReplayTimeline::setReplay(const RecordedSession* session, const ReplayRecord* record)
{
    m_marks.clear();
    m_bands.clear();
    m_cooldowns.clear();
    m_legend.clear();
    m_empty = !session || !record;
    if (m_empty) {
        update();
        return;
    }
    const bool sameSpan = m_start == record->start && m_end == record->end;
    m_start = record->start;
    m_end = std::max(record->end, record->start + std::chrono::seconds(1));
    if (!sameSpan) {
        m_viewFrom = m_start;
        m_viewTo = m_end;
    }

    std::string previousPage;
    for (const ActionRecord& record : session->actions) {
        const Action action = actionOf(record);
        // A page is labelled where the user arrives on it.
        const bool arrived = action.canonicalUrl != previousPage;
        previousPage = action.canonicalUrl;
        m_marks.push_back({ .at = action.timestampStart,
            .lane = Lane::Activity,
            .color = activityColor(action.type),
            .title = QString::fromStdString(action.description.empty() ? action.event : action.description),
            .detail = QString::fromStdString(action.canonicalUrl),
            .label = arrived ? QUrl(QString::fromStdString(action.canonicalUrl)).path() : QString() });
    }
    std::map<QString, QColor> reasons;
    for (const ReplayPoll& poll : record->polls) {
        const QString reason = QString::fromStdString(poll.skipReason);
        const bool fired = poll.skipReason.empty() && !poll.triggerId.empty();
        if (!fired)
            reasons.emplace(reason, reasonColor(reason));
        m_marks.push_back({ .at = poll.at,
            .lane = Lane::Polls,
            .color = reasonColor(reason),
            .emphasised = fired,
            .title = fired ? tr("fired %1").arg(QString::fromStdString(poll.triggerId)) : tr("poll: %1").arg(reason),
            .detail
            = tr("state after: %1; toast: %2").arg(stateName(poll.state), QString::fromUtf8(nameOf(poll.toast).data())),
            .label = fired ? QString::fromStdString(poll.triggerId) : QString() });
    }
    for (const ReplayResponse& response : record->responses)
        m_marks.push_back({ .at = response.at,
            .lane = Lane::User,
            .color = responseColor(response),
            .emphasised = response.action.starts_with("accept"),
            .title = QString::fromStdString(response.action),
            .detail = response.agentEvent.empty()
                ? QString::fromStdString(response.outcome)
                : tr("%1 → %2 (%3)")
                      .arg(QString::fromStdString(response.agentEvent), stateName(response.state),
                          QString::fromStdString(response.outcome)),
            .label = QString::fromStdString(response.action) });

    FsmState state = FsmState::Thinking;
    Timestamp since = m_start;
    for (const TransitionRecord& transition : record->transitions) {
        if (transition.at > since)
            m_bands.push_back({ since, transition.at, state });
        state = transition.to;
        since = transition.at;
    }
    m_bands.push_back({ since, m_end, state });
    for (const ReplayCooldown& cooldown : record->cooldowns)
        m_cooldowns.push_back({ .from = cooldown.start,
            .to = cooldown.end.value_or(m_end),
            .silenced = !cooldown.end,
            .title = cooldown.end
                ? tr("cooldown %1 (%2, dismissal %3)")
                      .arg(humanDuration(*cooldown.end - cooldown.start), QString::fromStdString(cooldown.cause))
                      .arg(cooldown.dismissals)
                : tr("silenced after %n dismissal(s)", nullptr, cooldown.dismissals) });

    m_legend.emplace_back(tr("fired"), firingColor());
    for (const auto& [reason, color] : reasons)
        m_legend.emplace_back(reason.isEmpty() ? tr("null") : reason, color);
    update();
}

void ReplayTimeline::setNow(Timestamp now)
{
    m_now = now;
    keepNowVisible();
    update();
}

void ReplayTimeline::setLabels(std::vector<LabelBand> bands, std::vector<ExpectationFlag> flags)
{
    m_labelBands = std::move(bands);
    m_flags = std::move(flags);
    update();
}

void ReplayTimeline::setProposals(std::vector<ProposalBand> proposals)
{
    m_proposals = std::move(proposals);
    update();
}

Duration ReplayTimeline::pixelDuration() const
{
    const double width = std::max(1.0, laneArea().width());
    return Duration(
        static_cast<Duration::rep>(std::ceil(static_cast<double>((m_viewTo - m_viewFrom).count()) / width)));
}

void ReplayTimeline::keepNowVisible()
{
    const Duration span = m_viewTo - m_viewFrom;
    if (m_now >= m_viewFrom && m_now <= m_viewTo)
        return;
    m_viewFrom = std::clamp(m_now - span / 4, m_start, std::max(m_start, m_end - span));
    m_viewTo = m_viewFrom + span;
}

QRectF ReplayTimeline::laneArea() const
{
    return QRectF(kLabelWidth, 6, width() - kLabelWidth - 10, height() - kAxisHeight - kLegendHeight - 10);
}

double ReplayTimeline::laneHeight() const
{
    return laneArea().height() / static_cast<double>(kLaneNames.size());
}

double ReplayTimeline::xOf(Timestamp at) const
{
    const QRectF area = laneArea();
    const auto span = static_cast<double>(std::max<Duration::rep>(1, (m_viewTo - m_viewFrom).count()));
    return area.left() + static_cast<double>((at - m_viewFrom).count()) / span * area.width();
}

Timestamp ReplayTimeline::timeAt(double x) const
{
    const QRectF area = laneArea();
    const double fraction = std::clamp((x - area.left()) / area.width(), 0.0, 1.0);
    return m_viewFrom
        + Duration(
            static_cast<Duration::rep>(std::llround(fraction * static_cast<double>((m_viewTo - m_viewFrom).count()))));
}

void ReplayTimeline::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.fillRect(rect(), palette().base());
    const QRectF area = laneArea();
    const double lane = laneHeight();
    const QColor text = palette().color(QPalette::Text);

    for (std::size_t i = 0; i < kLaneNames.size(); ++i) {
        const QRectF row(0, area.top() + static_cast<double>(i) * lane, width(), lane);
        if (i % 2 == 1)
            painter.fillRect(row, palette().alternateBase());
        painter.setPen(text);
        painter.drawText(QRectF(8, row.top(), kLabelWidth - 10, lane), Qt::AlignVCenter,
            QCoreApplication::translate("ReplayTimeline", kLaneNames.at(i)));
    }
    if (m_empty) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(area, Qt::AlignCenter, tr("Double-click a session in the Sessions tab to replay it"));
        return;
    }

    painter.save();
    painter.setClipRect(area.adjusted(-6, -6, 6, 6));
    // Axis: time since the session's start.
    const Duration step = tickStep(m_viewTo - m_viewFrom, area.width());
    const QColor grid = palette().color(QPalette::Mid);
    for (Timestamp tick = m_start + ((m_viewFrom - m_start) / step) * step; tick <= m_viewTo; tick += step) {
        if (tick < m_viewFrom)
            continue;
        const double x = xOf(tick);
        painter.setPen(QPen(grid, 0.5, Qt::DotLine));
        painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()));
    }

    // The state band, cooldowns hatched over it.
    const double bandTop = area.top() + 3 * lane + 5;
    const double bandHeight = lane - 10;
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    painter.setFont(small);
    for (const Band& band : m_bands) {
        const double left = std::max(area.left(), xOf(band.from));
        const double right = std::min(area.right(), xOf(band.to));
        if (right <= left)
            continue;
        const QRectF box(left, bandTop, right - left, bandHeight);
        painter.fillRect(box, stateColor(band.state));
        const QString name = stateName(band.state);
        if (painter.fontMetrics().horizontalAdvance(name) + 8 < box.width()) {
            painter.setPen(Qt::white);
            painter.drawText(box.adjusted(4, 0, -2, 0), Qt::AlignVCenter | Qt::AlignLeft, name);
        }
    }
    for (const Cooldown& cooldown : m_cooldowns) {
        const double left = std::max(area.left(), xOf(cooldown.from));
        const double right = std::min(area.right(), xOf(cooldown.to));
        if (right <= left)
            continue;
        const QRectF box(left, bandTop - 3, right - left, bandHeight + 6);
        painter.fillRect(box, QBrush(QColor(0x78, 0x35, 0x0f, 110), Qt::BDiagPattern));
        painter.setPen(QPen(QColor(0x78, 0x35, 0x0f), 1));
        painter.drawLine(box.topLeft(), box.bottomLeft());
        if (!cooldown.silenced)
            painter.drawLine(box.topRight(), box.bottomRight());
    }

    // Marks: activity ticks, poll dots, firings and accepts as diamonds;
    // labels where they fit before the next label of their lane.
    std::array<double, kLaneNames.size()> labelEnd {};
    labelEnd.fill(-1e9);
    const QFontMetricsF metrics(small);
    for (const Mark& mark : m_marks) {
        if (mark.at < m_viewFrom || mark.at > m_viewTo)
            continue;
        const double x = xOf(mark.at);
        const double centre = area.top() + (static_cast<double>(mark.lane) + 0.5) * lane;
        double right = x + 4;
        painter.setPen(Qt::NoPen);
        painter.setBrush(mark.color);
        if (mark.emphasised) {
            const double r = std::min(9.0, lane * 0.34);
            painter.setPen(QPen(mark.color.darker(140), 1));
            painter.drawPolygon(QPolygonF(
                { QPointF(x, centre - r), QPointF(x + r, centre), QPointF(x, centre + r), QPointF(x - r, centre) }));
            right = x + r;
        } else if (mark.lane == Lane::Activity) {
            painter.drawRoundedRect(QRectF(x - 1.5, centre - lane * 0.3, 3, lane * 0.6), 1, 1);
        } else {
            painter.drawEllipse(QPointF(x, centre), 3.5, 3.5);
        }
        if (mark.label.isEmpty())
            continue;
        auto& end = labelEnd.at(static_cast<std::size_t>(mark.lane));
        if (x - 2 < end)
            continue;
        const double labelWidth = metrics.horizontalAdvance(mark.label);
        const bool below = mark.lane == Lane::Activity;
        const QPointF origin
            = below ? QPointF(x + 4, centre + lane * 0.3 - 1) : QPointF(right + 4, centre + metrics.ascent() / 2 - 1);
        painter.setPen(
            mark.lane == Lane::Activity ? palette().color(QPalette::PlaceholderText) : mark.color.darker(170));
        painter.drawText(origin, mark.label);
        end = origin.x() + labelWidth + 8;
    }

    // The future is faded; the cursor marks the replay's current moment.
    const double nowX = std::clamp(xOf(m_now), area.left(), area.right());
    QColor fade = palette().color(QPalette::Base);
    fade.setAlpha(150);
    painter.fillRect(QRectF(nowX, area.top() - 6, area.right() + 6 - nowX, area.height() + 12), fade);
    // Labels are what a person knows of the whole session, not replay: never faded.
    paintLabels(painter, area);
    paintProposals(painter, area);
    painter.restore();

    painter.setFont(small);
    painter.setPen(palette().color(QPalette::PlaceholderText));
    for (Timestamp tick = m_start + ((m_viewFrom - m_start) / step) * step; tick <= m_viewTo; tick += step)
        if (tick >= m_viewFrom)
            painter.drawText(QRectF(xOf(tick) - 40, area.bottom() + 2, 80, kAxisHeight), Qt::AlignCenter,
                elapsedText(tick - m_start));

    const QColor cursor = palette().color(QPalette::Highlight);
    painter.setPen(QPen(cursor, 2));
    painter.drawLine(QPointF(nowX, area.top() - 4), QPointF(nowX, area.bottom() + 2));
    painter.setBrush(cursor);
    painter.drawPolygon(
        QPolygonF({ QPointF(nowX - 5, area.top() - 6), QPointF(nowX + 5, area.top() - 6), QPointF(nowX, area.top()) }));

    // Legend: what the poll colours mean in this replay.
    double x = kLabelWidth;
    const double legendY = area.bottom() + kAxisHeight + 4;
    for (const auto& [label, color] : m_legend) {
        painter.setPen(Qt::NoPen);
        painter.setBrush(color);
        painter.drawEllipse(QPointF(x + 4, legendY + kLegendHeight / 2.0 - 2), 4, 4);
        painter.setPen(text);
        const double textWidth = painter.fontMetrics().horizontalAdvance(label);
        painter.drawText(QRectF(x + 12, legendY - 2, textWidth + 2, kLegendHeight), Qt::AlignVCenter, label);
        x += textWidth + 28;
    }
    if (!m_cooldowns.empty()) {
        const QRectF swatch(x, legendY + 3, 14, kLegendHeight - 10);
        painter.fillRect(swatch, QBrush(QColor(0x78, 0x35, 0x0f, 140), Qt::BDiagPattern));
        painter.setPen(text);
        painter.drawText(
            QRectF(x + 18, legendY - 2, 200, kLegendHeight), Qt::AlignVCenter, tr("conservative cooldown"));
    }
    // How to label: the gestures are not otherwise visible.
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(QRectF(area.left(), legendY - 2, area.width(), kLegendHeight), Qt::AlignVCenter | Qt::AlignRight,
        tr("Shift+drag: label a range · right-click: expect a trigger, change a label"));
}

void ReplayTimeline::paintLabels(QPainter& painter, const QRectF& area) const
{
    const QFontMetricsF metrics(painter.font());
    const double tagHeight = metrics.height() + 2;
    // Ranges: a tint over every lane, edges, and a tag naming the kind and answer.
    for (const LabelBand& band : m_labelBands) {
        const double left = std::max(area.left(), xOf(band.from));
        const double right = std::min(area.right(), xOf(band.to));
        if (right < left)
            continue;
        const QRectF box(left, area.top(), std::max(1.0, right - left), area.height());
        const QColor color = band.helpWanted ? kHelpWanted : kNoHelp;
        if (band.helpWanted)
            painter.fillRect(box, withAlpha(color, 48));
        else
            painter.fillRect(box, QBrush(withAlpha(color, 120), Qt::FDiagPattern));
        painter.setPen(QPen(color, 1.5));
        painter.drawLine(box.topLeft(), box.bottomLeft());
        painter.drawLine(box.topRight(), box.bottomRight());
        QString tag = band.helpWanted ? tr("help wanted") : tr("no help");
        if (!band.answer.isEmpty())
            tag += u" → "_qs + band.answer;
        tag = metrics.elidedText(tag, Qt::ElideRight, box.width() - 6);
        if (tag.isEmpty())
            continue;
        const QRectF tagBox(box.left() + 1, box.top(), metrics.horizontalAdvance(tag) + 6, tagHeight);
        painter.fillRect(tagBox, color);
        painter.setPen(Qt::white);
        painter.drawText(tagBox, Qt::AlignCenter, tag);
    }
    // Expectations: the window bracketed under the tags, a flag at its middle
    // (no tint: the ranges' tints already say what the lanes are).
    const double flagY = area.top() + tagHeight + 3;
    for (const ExpectationFlag& flag : m_flags) {
        const double left = std::max(area.left(), xOf(flag.from));
        const double right = std::min(area.right(), xOf(flag.to));
        if (right < left)
            continue;
        const double middle = (left + right) / 2;
        painter.setPen(QPen(kExpectation, 1.5));
        painter.drawLine(QPointF(left, flagY), QPointF(right, flagY));
        painter.drawLine(QPointF(left, flagY - 3), QPointF(left, flagY + 3));
        painter.drawLine(QPointF(right, flagY - 3), QPointF(right, flagY + 3));
        painter.setPen(QPen(kExpectation, 1, Qt::DashLine));
        painter.drawLine(QPointF(middle, flagY), QPointF(middle, area.bottom()));
        painter.setPen(Qt::NoPen);
        painter.setBrush(kExpectation);
        painter.drawPolygon(
            QPolygonF({ QPointF(middle - 5, flagY + 1), QPointF(middle + 5, flagY + 1), QPointF(middle, flagY + 8) }));
        painter.setPen(kExpectation.darker(130));
        painter.drawText(QPointF(middle + 7, flagY + metrics.ascent() + 1), tr("fires %1").arg(flag.trigger));
    }
    // The range being selected.
    if (m_selectFrom) {
        const double a = std::clamp(xOf(*m_selectFrom), area.left(), area.right());
        const double b = std::clamp(xOf(m_selectTo), area.left(), area.right());
        const QRectF selection(std::min(a, b), area.top(), std::abs(b - a), area.height());
        const QColor highlight = palette().color(QPalette::Highlight);
        painter.fillRect(selection, withAlpha(highlight, 60));
        painter.setPen(QPen(highlight, 1));
        painter.drawRect(selection);
    }
}

void ReplayTimeline::wheelEvent(QWheelEvent* event)
{
    if (m_empty)
        return;
    const double factor = event->angleDelta().y() > 0 ? 0.8 : 1.25;
    const Timestamp pivot = timeAt(event->position().x());
    const Duration total = m_end - m_start;
    auto span = Duration(static_cast<Duration::rep>(static_cast<double>((m_viewTo - m_viewFrom).count()) * factor));
    span = std::clamp(span, Duration(std::chrono::seconds(10)), total);
    const double fraction = static_cast<double>((pivot - m_viewFrom).count())
        / static_cast<double>(std::max<Duration::rep>(1, (m_viewTo - m_viewFrom).count()));
    Timestamp from = pivot - Duration(static_cast<Duration::rep>(fraction * static_cast<double>(span.count())));
    from = std::clamp(from, m_start, m_end - span);
    m_viewFrom = from;
    m_viewTo = from + span;
    update();
    event->accept();
}

const ReplayTimeline::Mark* ReplayTimeline::markAt(const QPointF& position) const
{
    const QRectF area = laneArea();
    const double lane = laneHeight();
    const Mark* nearest = nullptr;
    double best = kSnapPx;
    for (const Mark& mark : m_marks) {
        const double centre = area.top() + (static_cast<double>(mark.lane) + 0.5) * lane;
        if (std::abs(centre - position.y()) > lane / 2)
            continue;
        const double distance = std::abs(xOf(mark.at) - position.x());
        // Firings win a tie with the polls and actions around them.
        if (distance < best || (distance <= best + 1 && mark.emphasised && nearest && !nearest->emphasised)) {
            best = distance;
            nearest = &mark;
        }
    }
    return nearest;
}

void ReplayTimeline::mousePressEvent(QMouseEvent* event)
{
    if (m_empty || event->button() != Qt::LeftButton || event->position().x() < kLabelWidth)
        return;
    if (event->modifiers() & Qt::ShiftModifier) {
        m_selectFrom = timeAt(event->position().x());
        m_selectTo = *m_selectFrom;
        update();
        return;
    }
    const Mark* mark = markAt(event->position());
    Q_EMIT seekRequested(mark ? mark->at : timeAt(event->position().x()));
}

void ReplayTimeline::mouseMoveEvent(QMouseEvent* event)
{
    if (m_empty || !(event->buttons() & Qt::LeftButton))
        return;
    if (m_selectFrom) {
        m_selectTo = timeAt(event->position().x());
        update();
    } else if (event->position().x() >= kLabelWidth) {
        Q_EMIT seekRequested(timeAt(event->position().x()));
    }
}

void ReplayTimeline::mouseReleaseEvent(QMouseEvent* event)
{
    if (!m_selectFrom || event->button() != Qt::LeftButton)
        return;
    m_selectTo = timeAt(event->position().x());
    const Timestamp from = std::min(*m_selectFrom, m_selectTo);
    const Timestamp to = std::max(*m_selectFrom, m_selectTo);
    const bool range = std::abs(xOf(to) - xOf(from)) >= kMinSelectionPx;
    m_selectFrom.reset();
    update();
    if (range)
        Q_EMIT rangeSelected(from, to, event->globalPosition().toPoint());
}

void ReplayTimeline::contextMenuEvent(QContextMenuEvent* event)
{
    if (m_empty || event->pos().x() < kLabelWidth)
        return;
    Q_EMIT labelMenuRequested(timeAt(event->pos().x()), event->globalPos());
}

void ReplayTimeline::paintProposals(QPainter& painter, const QRectF& area) const
{
    // A dashed amber outline and a tag at the bottom (the labels' tags are at
    // the top), so a proposal over a label leaves both readable.
    const QFontMetricsF metrics(painter.font());
    const double tagHeight = metrics.height() + 2;
    painter.setBrush(Qt::NoBrush);
    for (const ProposalBand& band : m_proposals) {
        const double left = std::max(area.left(), xOf(band.from));
        const double right = std::min(area.right(), xOf(band.to));
        if (right < left)
            continue;
        const QRectF box(left, area.top() + 1, std::max(1.0, right - left), area.height() - 2);
        painter.setPen(QPen(kProposal, band.selected ? 3 : 1.5, Qt::DashLine));
        painter.drawRect(box);
        QString tag = tr("proposed: %1").arg(band.heuristic);
        if (band.overlapsLabel)
            tag += tr(" (labelled)");
        tag = metrics.elidedText(tag, Qt::ElideRight, box.width() - 6);
        if (tag.isEmpty())
            continue;
        const QRectF tagBox(box.left() + 1, box.bottom() - tagHeight, metrics.horizontalAdvance(tag) + 6, tagHeight);
        painter.fillRect(tagBox, withAlpha(palette().color(QPalette::Base), 220));
        painter.setPen(kProposal.darker(band.selected ? 160 : 120));
        painter.drawText(tagBox, Qt::AlignCenter, tag);
    }
}

bool ReplayTimeline::event(QEvent* event)
{
    if (event->type() != QEvent::ToolTip)
        return QWidget::event(event);
    auto* help = static_cast<QHelpEvent*>(event);
    QString tip;
    if (const Mark* mark = markAt(help->pos())) {
        tip = u"%1  (+%2)  %3"_qs.arg(preciseTime(mark->at), elapsedText(mark->at - m_start), mark->title);
        if (!mark->detail.isEmpty())
            tip += u'\n' + mark->detail;
    } else if (!m_empty && help->pos().x() >= kLabelWidth) {
        const Timestamp at = timeAt(help->pos().x());
        QStringList labels;
        for (const LabelBand& band : m_labelBands)
            if (at >= band.from && at <= band.to)
                labels << (band.helpWanted ? tr("help wanted") : tr("no help"))
                        + u"  +%1 – +%2"_qs.arg(elapsedText(band.from - m_start), elapsedText(band.to - m_start))
                        + (band.answer.isEmpty() ? QString() : tr(", answered by %1").arg(band.answer));
        for (const ExpectationFlag& flag : m_flags)
            if (at >= flag.from && at <= flag.to)
                labels << tr("expect %1 to fire  +%2 – +%3")
                              .arg(flag.trigger, elapsedText(flag.from - m_start), elapsedText(flag.to - m_start));
        for (const ProposalBand& band : m_proposals)
            if (at >= band.from && at <= band.to)
                labels << tr("proposed (not a label): %1  +%2 – +%3\n%4")
                              .arg(band.heuristic, elapsedText(band.from - m_start), elapsedText(band.to - m_start),
                                  band.reason);
        tip = labels.join(u'\n');
        for (const Cooldown& cooldown : m_cooldowns)
            if (labels.isEmpty() && at >= cooldown.from && at <= cooldown.to)
                tip = cooldown.title;
        for (const Band& band : m_bands)
            if (tip.isEmpty() && at >= band.from && at < band.to
                && help->pos().y() > laneArea().top() + 3 * laneHeight())
                tip = tr("%1 from +%2 to +%3")
                          .arg(stateName(band.state), elapsedText(band.from - m_start), elapsedText(band.to - m_start));
    }
    if (tip.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(help->globalPos(), tip);
    return true;
}

} // namespace proactive::ui
