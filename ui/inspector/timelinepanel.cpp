#include "timelinepanel.h"

#include "presentation.h"
#include "simulation/simulation.h"

#include <QCoreApplication>
#include <QHeaderView>
#include <QHelpEvent>
#include <QPainter>
#include <QSplitter>
#include <QToolTip>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QWheelEvent>
#include <algorithm>

namespace proactive::ui {

namespace {

    constexpr int kLabelWidth = 70;
    constexpr int kAxisHeight = 18;
    constexpr std::size_t kMaxEntries = 20'000;
    const std::array kLaneNames { QT_TRANSLATE_NOOP("TimelineView", "Activity"),
        QT_TRANSLATE_NOOP("TimelineView", "Polls"), QT_TRANSLATE_NOOP("TimelineView", "Client"),
        QT_TRANSLATE_NOOP("TimelineView", "State") };

    QString clientEventTitle(const ClientEvent& event)
    {
        using Kind = ClientEvent::Kind;
        const QString trigger = QString::fromStdString(event.triggerId);
        switch (event.kind) {
        case Kind::ToastShown:
            return QObject::tr("toast shown: %1").arg(trigger);
        case Kind::ToastHidden:
            return QObject::tr("toast hidden (%1)").arg(QString::fromStdString(event.reason));
        case Kind::OfferDropped:
            // The only reason so far; SPEC §8 "§4 Client".
            return QObject::tr("offer dropped: page changed");
        case Kind::AgentStatePosted:
            return QObject::tr("agent_state %1").arg(QString::fromStdString(event.agentEvent));
        case Kind::AgentStateSkipped:
            return QObject::tr("agent_state %1 not sent (no session id)").arg(QString::fromStdString(event.agentEvent));
        case Kind::AgentStateFailed:
            return QObject::tr("agent_state %1 failed: %2")
                .arg(QString::fromStdString(event.agentEvent), QString::fromStdString(event.reason));
        case Kind::RaceWindowSuppressed:
            return QObject::tr("suppressed (race window): %1").arg(trigger);
        case Kind::ChatOpened:
            return QObject::tr("chat opened");
        case Kind::TourStarted:
            return QObject::tr("tour started: %1").arg(QString::fromStdString(event.text));
        case Kind::TourProgressReported:
            return event.reason.empty() ? QObject::tr("%1 shown").arg(QString::fromStdString(event.text))
                                        : QObject::tr("%1: target %2")
                                              .arg(QString::fromStdString(event.text),
                                                  QString::fromStdString(event.reason).replace(u'_', u' '));
        case Kind::TourProgressFailed:
            return QObject::tr("%1 not reported: %2")
                .arg(QString::fromStdString(event.agentEvent), QString::fromStdString(event.reason));
        case Kind::SessionChanged:
            return QObject::tr("new session %1").arg(QString::fromStdString(event.sessionId));
        case Kind::PollSkipped:
            return QObject::tr("poll skipped (no session id)");
        case Kind::PollFailed:
            return QObject::tr("poll failed: %1").arg(QString::fromStdString(event.reason));
        case Kind::PollAnswered:
        case Kind::ToastKept:
            return {};
        }
        return {};
    }

    QColor clientEventColor(ClientEvent::Kind kind)
    {
        if (kind == ClientEvent::Kind::ToastShown)
            return firingColor();
        if (kind == ClientEvent::Kind::SessionChanged)
            return sessionStartColor();
        return QColor(0x47, 0x55, 0x69);
    }

} // namespace

TimelineView::TimelineView(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(u"timelineView"_qs);
    setMinimumHeight(120);
    setMouseTracking(true);
}

void TimelineView::setNow(Timestamp now)
{
    m_now = now;
    update();
}

QRectF TimelineView::laneArea() const
{
    return QRectF(kLabelWidth, 4, width() - kLabelWidth - 8, height() - kAxisHeight - 8);
}

double TimelineView::xOf(Timestamp at, const QRectF& area) const
{
    const double fraction = 1.0 - static_cast<double>((m_now - at).count()) / static_cast<double>(m_span.count());
    return area.left() + fraction * area.width();
}

void TimelineView::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.fillRect(rect(), palette().base());
    const QRectF area = laneArea();
    const double laneHeight = area.height() / static_cast<double>(kLaneNames.size());

    for (std::size_t lane = 0; lane < kLaneNames.size(); ++lane) {
        const QRectF row(0, area.top() + static_cast<double>(lane) * laneHeight, width(), laneHeight);
        if (lane % 2 == 1)
            painter.fillRect(row, palette().alternateBase());
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(QRectF(6, row.top(), kLabelWidth - 8, laneHeight), Qt::AlignVCenter,
            QCoreApplication::translate("TimelineView", kLaneNames.at(lane)));
    }

    // Axis: a tick every 30 s (or every 10 s when zoomed in).
    const Duration tickEvery = m_span <= std::chrono::minutes(2) ? std::chrono::seconds(10) : std::chrono::seconds(30);
    const Timestamp first = m_now - m_span;
    Timestamp tick = Timestamp(((first.time_since_epoch() / tickEvery) + 1) * tickEvery);
    painter.setPen(palette().color(QPalette::Mid));
    for (; tick <= m_now; tick += tickEvery) {
        const double x = xOf(tick, area);
        painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()));
        painter.drawText(QRectF(x - 40, area.bottom() + 2, 80, kAxisHeight), Qt::AlignCenter, clockTime(tick));
    }

    if (!m_entries)
        return;
    // State band: each state from its entry to the next one (or now).
    const double stateTop = area.top() + 3 * laneHeight + 4;
    FsmState current = FsmState::Thinking;
    Timestamp since = first;
    auto drawBand = [&](Timestamp from, Timestamp to, FsmState state) {
        const double left = std::max(area.left(), xOf(from, area));
        const double right = std::min(area.right(), xOf(to, area));
        if (right > left)
            painter.fillRect(QRectF(left, stateTop, right - left, laneHeight - 8), stateColor(state));
    };
    for (const TimelineEntry& entry : *m_entries) {
        if (entry.lane != TimelineEntry::Lane::State && !entry.startsSession)
            continue;
        drawBand(since, entry.at, current);
        // A new session is a new conversation, which starts thinking.
        current = entry.startsSession ? FsmState::Thinking : entry.state;
        since = entry.at;
    }
    drawBand(since, m_now, current);

    // Session starts, under the marks: the activity and polls after one
    // belong to another session (and, for the FSM, another conversation).
    for (const TimelineEntry& entry : *m_entries) {
        if (!entry.startsSession || entry.at < first)
            continue;
        const double x = xOf(entry.at, area);
        const QLineF line(QPointF(x, area.top()), QPointF(x, area.bottom()));
        // A gap of the background first, so the line stands out on the state band too.
        painter.setPen(QPen(palette().base(), 4));
        painter.drawLine(line);
        painter.setPen(QPen(sessionStartColor(), 1.5, Qt::DashLine));
        painter.drawLine(line);
        painter.drawText(QRectF(x + 4, area.top(), 200, laneHeight / 2), Qt::AlignLeft | Qt::AlignTop,
            tr("session %1…").arg(entry.detail.left(8)));
    }

    for (const TimelineEntry& entry : *m_entries) {
        if (entry.lane == TimelineEntry::Lane::State || entry.at < first)
            continue;
        const double x = xOf(entry.at, area);
        const double centre = area.top() + (static_cast<double>(entry.lane) + 0.5) * laneHeight;
        painter.setPen(Qt::NoPen);
        painter.setBrush(entry.color);
        if (entry.emphasised) {
            const double r = laneHeight * 0.32;
            painter.drawPolygon(QPolygonF(
                { QPointF(x, centre - r), QPointF(x + r, centre), QPointF(x, centre + r), QPointF(x - r, centre) }));
        } else if (entry.lane == TimelineEntry::Lane::Activity) {
            painter.drawRect(QRectF(x - 1.5, centre - laneHeight * 0.3, 3, laneHeight * 0.6));
        } else {
            painter.drawEllipse(QPointF(x, centre), 4, 4);
        }
    }
    painter.setPen(QPen(palette().color(QPalette::Highlight), 1.5));
    painter.drawLine(QPointF(area.right(), area.top()), QPointF(area.right(), area.bottom()));
}

void TimelineView::wheelEvent(QWheelEvent* event)
{
    const double factor = event->angleDelta().y() > 0 ? 0.8 : 1.25;
    const auto span = Duration(static_cast<Duration::rep>(static_cast<double>(m_span.count()) * factor));
    m_span = std::clamp(span, Duration(std::chrono::seconds(20)), Duration(std::chrono::hours(2)));
    update();
}

const TimelineEntry* TimelineView::entryAt(const QPoint& position) const
{
    if (!m_entries)
        return nullptr;
    const QRectF area = laneArea();
    const double laneHeight = area.height() / static_cast<double>(kLaneNames.size());
    const TimelineEntry* nearest = nullptr;
    double best = 6;
    for (const TimelineEntry& entry : *m_entries) {
        const double centre = area.top() + (static_cast<double>(entry.lane) + 0.5) * laneHeight;
        if (std::abs(centre - position.y()) > laneHeight / 2)
            continue;
        const double distance = std::abs(xOf(entry.at, area) - position.x());
        if (distance < best) {
            best = distance;
            nearest = &entry;
        }
    }
    return nearest;
}

bool TimelineView::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(event);
        if (const TimelineEntry* entry = entryAt(help->pos()))
            QToolTip::showText(help->globalPos(),
                preciseTime(entry->at) + u"  "_qs + entry->title
                    + (entry->detail.isEmpty() ? QString() : u"\n"_qs + entry->detail));
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

TimelinePanel::TimelinePanel(Simulation& simulation, QWidget* parent)
    : QWidget(parent)
    , m_view(new TimelineView(this))
    , m_list(new QTreeWidget(this))
{
    m_view->setEntries(&m_entries);
    m_list->setObjectName(u"timelineList"_qs);
    m_list->setHeaderLabels({ tr("Time"), tr("Lane"), tr("What"), tr("Details") });
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    setColumnWidths(m_list, { 100, 70, 320 });
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_view);
    splitter->addWidget(m_list);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    using Lane = TimelineEntry::Lane;
    connect(&simulation, &Simulation::timeChanged, m_view, &TimelineView::setNow);
    connect(&simulation, &Simulation::actionsIngested, this, [this](const std::vector<Action>& actions) {
        for (const Action& action : actions)
            add({ .at = action.timestampStart,
                .lane = Lane::Activity,
                .title = QString::fromStdString(action.description),
                .detail = QString::fromStdString(action.canonicalUrl),
                .color = activityColor(action.type) });
    });
    connect(&simulation, &Simulation::polled, this, [this](const Decision& decision) {
        const QString reason = QString::fromStdString(decision.skipReason.value_or(""));
        const bool fired = decision.offer.has_value();
        add({ .at = decision.at,
            .lane = Lane::Polls,
            .title = fired ? tr("fired %1").arg(QString::fromStdString(decision.offer->triggerId))
                           : tr("poll: %1").arg(reason),
            .detail = fired ? QString::fromStdString(decision.offer->body) : QString(),
            .color = reasonColor(reason),
            .emphasised = fired });
        for (const TransitionRecord& transition : decision.transitions)
            add({ .at = transition.at,
                .lane = Lane::State,
                .title = stateName(transition.from) + u" → "_qs + stateName(transition.to),
                .detail = QString::fromStdString(transition.event + " (" + transition.cause + ")"),
                .color = stateColor(transition.to),
                .state = transition.to });
    });
    connect(&simulation, &Simulation::clientEvents, this, [this](const std::vector<ClientEvent>& events) {
        for (const ClientEvent& event : events) {
            const QString title = clientEventTitle(event);
            const bool sessionStart = event.kind == ClientEvent::Kind::SessionChanged;
            if (!title.isEmpty())
                add({ .at = event.at,
                    .lane = Lane::Client,
                    .title = title,
                    .detail = sessionStart ? QString::fromStdString(event.sessionId) : QString(),
                    .color = clientEventColor(event.kind),
                    .emphasised = event.kind == ClientEvent::Kind::ToastShown,
                    .startsSession = sessionStart });
            if (event.kind == ClientEvent::Kind::AgentStatePosted && event.outcome
                && *event.outcome != FsmOutcome::Kind::InvalidTransition && event.state)
                add({ .at = event.at,
                    .lane = Lane::State,
                    .title = tr("→ %1").arg(stateName(*event.state)),
                    .detail = QString::fromStdString(event.agentEvent),
                    .color = stateColor(*event.state),
                    .state = *event.state });
        }
    });
}

void TimelinePanel::add(TimelineEntry entry)
{
    if (m_entries.size() == kMaxEntries) {
        m_entries.erase(m_entries.begin(), m_entries.begin() + kMaxEntries / 10);
        for (int i = 0; i < static_cast<int>(kMaxEntries / 10); ++i)
            delete m_list->takeTopLevelItem(m_list->topLevelItemCount() - 1);
    }
    static const std::array laneTitles { tr("Activity"), tr("Polls"), tr("Client"), tr("State") };
    auto* item = new QTreeWidgetItem(
        { preciseTime(entry.at), laneTitles.at(static_cast<std::size_t>(entry.lane)), entry.title, entry.detail });
    item->setForeground(2, entry.color.darker(120));
    m_list->insertTopLevelItem(0, item);
    m_entries.push_back(std::move(entry));
    m_view->update();
}

} // namespace proactive::ui
