#include "firingsmodel.h"

#include "gates/gatepipeline.h"
#include "inspector/presentation.h"
#include "intake/canonicalurl.h"
#include "replayformat.h"

#include <QFont>
#include <QHash>
#include <QIcon>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
#include <algorithm>

namespace proactive::ui {

namespace {

    const QColor kFutureText(0x9c, 0xa3, 0xaf);
    const QColor kSkippedText(0x4b, 0x55, 0x63);

    // The timeline's marks in the list: a diamond for a firing, a ring in the
    // skip reason's colour for a near miss.
    QIcon markIcon(const QColor& color, bool diamond)
    {
        static QHash<QPair<QRgb, bool>, QIcon> cache;
        const auto key = qMakePair(color.rgb(), diamond);
        if (const auto it = cache.constFind(key); it != cache.constEnd())
            return *it;
        QPixmap pixmap(24, 24);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        if (diamond) {
            QPainterPath path;
            path.moveTo(12, 2);
            path.lineTo(22, 12);
            path.lineTo(12, 22);
            path.lineTo(2, 12);
            path.closeSubpath();
            painter.fillPath(path, color);
            painter.setPen(QPen(color.darker(140), 1.5));
            painter.drawPath(path);
        } else {
            painter.setPen(QPen(color.darker(110), 4));
            painter.drawEllipse(QRectF(5, 5, 14, 14));
        }
        painter.end();
        return cache.insert(key, QIcon(pixmap)).value();
    }

    QString actionText(const std::string& action)
    {
        if (action == "dismiss")
            return FiringsModel::tr("dismissed");
        if (action == "accept_chat")
            return FiringsModel::tr("accepted (chat)");
        if (action == "accept_tour")
            return FiringsModel::tr("accepted (tour)");
        if (action == "chat_completed")
            return FiringsModel::tr("chat answered");
        if (action == "tour_completed")
            return FiringsModel::tr("tour completed");
        if (action == "tour_abandoned")
            return FiringsModel::tr("tour abandoned");
        return QString::fromStdString(action);
    }

    // The trigger whose offer is up when the FSM gate said wrong_state.
    std::string offeredTrigger(const ReplayPoll& poll)
    {
        for (const GateReport& gate : poll.gates)
            if (gate.gate == "fsm" && gate.numbers.contains("offered_trigger")
                && gate.numbers["offered_trigger"].is_string())
                return gate.numbers["offered_trigger"].get<std::string>();
        return {};
    }

} // namespace

Result<ExplainedReplay> replayExplained(
    std::shared_ptr<const Workspace> workspace, const RecordedSession& session, const ReplaySettings& settings)
{
    auto replay = SessionReplay::create(std::move(workspace), session, settings);
    if (!replay)
        return replay.error();
    ExplainedReplay result;
    if (!settings.keepPolls || !settings.client.explain) {
        replay->runToEnd();
        result.record = std::move(*replay).takeRecord();
        return result;
    }
    while (const auto event = replay->stepTo(ReplayEvent::Kind::Poll)) {
        const ReplayPoll& poll = replay->record().polls[event->index];
        const bool triggersReached = std::any_of(poll.gates.begin(), poll.gates.end(),
            [](const GateReport& gate) { return gate.gate == "triggers" && gate.verdict != Verdict::NotReached; });
        if (poll.skipReason.empty() || triggersReached)
            continue;
        // Right after the poll the connector has exactly what the poll saw.
        const auto reports = replay->explainTriggers();
        if (!reports)
            continue;
        std::vector<std::string> matched;
        for (const TriggerReport& report : *reports)
            if (report.status == TriggerReport::Status::Matched)
                matched.push_back(report.triggerId);
        if (!matched.empty())
            result.matchedWhenSkipped.emplace(event->index, std::move(matched));
    }
    result.record = std::move(*replay).takeRecord();
    return result;
}

FiringsModel::FiringsModel(QObject* parent)
    : QAbstractTableModel(parent)
{ }

void FiringsModel::setReplay(
    std::shared_ptr<const RecordedSession> session, std::shared_ptr<const ExplainedReplay> replay)
{
    m_session = std::move(session);
    m_replay = std::move(replay);
    rebuild();
}

void FiringsModel::setNow(Timestamp now)
{
    if (now == m_now)
        return;
    const Timestamp before = m_now;
    m_now = now;
    // Only rows whose side of "now" changed are repainted.
    int first = -1;
    int last = -1;
    for (int row = 0; row < rowCount(); ++row) {
        const Timestamp at = m_entries[static_cast<std::size_t>(row)].at;
        if ((at <= before) != (at <= now)) {
            first = first < 0 ? row : first;
            last = row;
        }
    }
    if (first >= 0)
        Q_EMIT dataChanged(index(first, 0), index(last, ColumnCount - 1), { Qt::ForegroundRole });
}

void FiringsModel::setIncludeSkipped(bool include)
{
    if (include == m_includeSkipped)
        return;
    m_includeSkipped = include;
    rebuild();
}

const FiringsModel::Entry* FiringsModel::entry(int row) const
{
    return row >= 0 && row < rowCount() ? &m_entries[static_cast<std::size_t>(row)] : nullptr;
}

int FiringsModel::lastRowAtOrBefore(Timestamp at) const
{
    const auto after = std::upper_bound(
        m_entries.begin(), m_entries.end(), at, [](Timestamp t, const Entry& e) { return t < e.at; });
    return static_cast<int>(after - m_entries.begin()) - 1;
}

int FiringsModel::firingCount() const
{
    return m_replay ? static_cast<int>(m_replay->record.firings.size()) : 0;
}

int FiringsModel::skippedCount() const
{
    return static_cast<int>(std::count_if(
        m_entries.begin(), m_entries.end(), [](const Entry& e) { return e.kind == Entry::Kind::SkippedMatch; }));
}

void FiringsModel::rebuild()
{
    beginResetModel();
    m_entries.clear();
    if (m_session && m_replay) {
        for (std::size_t i = 0; i < m_replay->record.firings.size(); ++i)
            m_entries.push_back(firingEntry(i));
        if (m_includeSkipped)
            addSkippedMatches(m_entries);
        std::stable_sort(
            m_entries.begin(), m_entries.end(), [](const Entry& a, const Entry& b) { return a.at < b.at; });
    }
    endResetModel();
}

QString FiringsModel::offset(Timestamp at) const
{
    return u"+"_qs + elapsedText(at - m_replay->record.start);
}

FiringsModel::Entry FiringsModel::firingEntry(std::size_t index) const
{
    const ReplayRecord& record = m_replay->record;
    const ReplayFiring& firing = record.firings[index];
    Entry entry;
    entry.at = entry.lastAt = firing.at;
    entry.triggerId = firing.triggerId;
    entry.firing = index;
    entry.page = QString::fromStdString(firing.page);

    // The state the offer found: where the firing's transition came from.
    const std::string cause = "trigger:" + firing.triggerId;
    FsmState state = FsmState::Thinking;
    for (const TransitionRecord& transition : record.transitions) {
        if (transition.at > firing.at)
            break;
        if (transition.at == firing.at && transition.cause == cause) {
            state = transition.from;
            break;
        }
        state = transition.to;
    }
    entry.state = state;

    if (firing.shown) {
        entry.offer = tr("shown");
    } else {
        const auto poll = std::find_if(record.polls.begin(), record.polls.end(),
            [&](const ReplayPoll& p) { return p.at == firing.at && p.triggerId == firing.triggerId; });
        entry.offer = poll != record.polls.end() && poll->toast == ReplayPoll::Toast::Suppressed
            ? tr("suppressed: dismissed moments ago (race window)")
            : tr("kept: its toast was already up");
    }

    // What followed, up to the next firing.
    const auto next = std::find_if(record.firings.begin() + static_cast<std::ptrdiff_t>(index) + 1,
        record.firings.end(), [&](const ReplayFiring& f) { return f.at > firing.at; });
    const Timestamp until = next != record.firings.end() ? next->at : Timestamp::max();
    const auto before = [&](Timestamp at) { return at > firing.at && at < until; };
    QStringList details { tr("%1 fired at %2 (%3) on %4, %5 → %6")
                              .arg(QString::fromStdString(firing.triggerId), offset(firing.at), clockTime(firing.at),
                                  firing.page.empty() ? tr("no page") : entry.page, stateName(state),
                                  stateName(FsmState::ProactiveAssistance)) };
    QStringList user;
    if (firing.shown) {
        for (const ReplayResponse& response : record.responses) {
            if (response.triggerId != firing.triggerId || response.at < firing.at || response.at >= until)
                continue;
            const QString later = humanDuration(response.at - firing.at);
            // The prefill's user_sent is an invalid transition every client posts: details only.
            if (response.action != "chat_sent") {
                QString text = tr("%1 %2 later").arg(actionText(response.action), later);
                // An event the FSM has no edge for in its state (the bot's
                // answer during a tour) changes nothing and is what a real
                // client posts: details only, like the prefill.
                if (response.outcome == "no_toast")
                    text = tr("%1 %2 later: the toast was gone").arg(actionText(response.action), later);
                else if (response.outcome != "applied" && response.outcome != "invalid_transition")
                    text += u" ("_qs + QString::fromStdString(response.outcome) + u')';
                user << text;
            }
            details << tr("%1 %2: %3 → %4 (%5)")
                           .arg(offset(response.at), QString::fromStdString(response.action),
                               response.agentEvent.empty() ? tr("nothing posted")
                                                           : QString::fromStdString(response.agentEvent),
                               QString::fromStdString(response.outcome), stateName(response.state));
        }
        if (user.isEmpty())
            user << tr("no answer");
    }
    entry.user = firing.shown ? user.join(u" · "_qs) : QStringLiteral("–");
    for (const ReplayPoll& poll : record.polls)
        if (poll.toast == ReplayPoll::Toast::Hidden && before(poll.at)) {
            details << tr("%1 the toast is hidden by the next poll's empty answer").arg(offset(poll.at));
            break;
        }
    for (const TransitionRecord& transition : record.transitions)
        if (before(transition.at) && transition.cause != cause)
            details << tr("%1 %2 → %3 (%4)")
                           .arg(offset(transition.at), stateName(transition.from), stateName(transition.to),
                               QString::fromStdString(transition.event));
    entry.details = details.join(u'\n');
    return entry;
}

void FiringsModel::addSkippedMatches(std::vector<Entry>& entries) const
{
    const ReplayRecord& record = m_replay->record;
    // (trigger, reason) → the row of its current run and that run's last poll.
    std::map<std::pair<std::string, std::string>, std::pair<std::size_t, std::size_t>> runs;
    for (std::size_t p = 0; p < record.polls.size(); ++p) {
        const ReplayPoll& poll = record.polls[p];
        if (poll.skipReason.empty())
            continue;
        std::vector<std::pair<std::string, std::string>> matched;
        std::vector<double> cooldownLeft;
        if (const auto it = m_replay->matchedWhenSkipped.find(p); it != m_replay->matchedWhenSkipped.end()) {
            // A trigger still matching while its own offer is up is that offer, not a near miss.
            const std::string offered = poll.skipReason == skip::FsmWrongState ? offeredTrigger(poll) : std::string();
            for (const std::string& id : it->second)
                if (id != offered) {
                    matched.emplace_back(id, poll.skipReason);
                    cooldownLeft.push_back(0);
                }
        }
        for (const TriggerReport& report : poll.triggers) {
            if (report.status == TriggerReport::Status::Matched) {
                matched.emplace_back(report.triggerId, poll.skipReason);
                cooldownLeft.push_back(0);
            } else if (report.status == TriggerReport::Status::Cooldown) {
                matched.emplace_back(report.triggerId, std::string(skip::TriggerCooldown));
                cooldownLeft.push_back(report.cooldownRemainingS);
            }
        }
        for (std::size_t m = 0; m < matched.size(); ++m) {
            const auto key = matched[m];
            if (const auto run = runs.find(key); run != runs.end() && run->second.second + 1 == p) {
                Entry& entry = entries[run->second.first];
                entry.lastAt = poll.at;
                ++entry.polls;
                run->second.second = p;
                continue;
            }
            Entry entry;
            entry.kind = Entry::Kind::SkippedMatch;
            entry.at = entry.lastAt = poll.at;
            entry.triggerId = key.first;
            entry.skipReason = key.second;
            entry.state = poll.state;
            entry.offer = tr("skipped: %1").arg(QString::fromStdString(key.second));
            if (cooldownLeft[m] > 0)
                entry.offer += tr(" (%1 left)").arg(humanDuration(fromSeconds(cooldownLeft[m])));
            entry.user = QStringLiteral("–");
            if (poll.lastAction >= 0 && m_session)
                entry.page = QString::fromStdString(
                    m_session->actions[static_cast<std::size_t>(poll.lastAction)].canonicalUrl.get());
            entry.details = tr("%1 matched, but the poll was skipped: %2")
                                .arg(QString::fromStdString(key.first), QString::fromStdString(key.second));
            runs[key] = { entries.size(), p };
            entries.push_back(std::move(entry));
        }
    }
}

int FiringsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int FiringsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FiringsModel::data(const QModelIndex& index, int role) const
{
    const Entry* e = index.isValid() ? entry(index.row()) : nullptr;
    if (!e)
        return {};
    const bool skipped = e->kind == Entry::Kind::SkippedMatch;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time:
            return e->polls > 1 ? u"%1 – %2"_qs.arg(offset(e->at), elapsedText(e->lastAt - m_replay->record.start))
                                : offset(e->at);
        case Trigger:
            return QString::fromStdString(e->triggerId);
        case State:
            return stateName(e->state);
        case Offer:
            return e->polls > 1 ? tr("%1 (%n polls)", nullptr, e->polls).arg(e->offer) : e->offer;
        case User:
            return e->user;
        case Page:
            return e->page.isEmpty() ? QString() : toQString(urlPath(e->page.toStdString()));
        default:
            return {};
        }
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Time:
            return e->polls > 1
                ? tr("%n polls, %1 to %2", nullptr, e->polls).arg(preciseTime(e->at), preciseTime(e->lastAt))
                : preciseTime(e->at);
        case Page:
            return e->page;
        default:
            return e->details;
        }
    case Qt::DecorationRole:
        if (index.column() == Trigger)
            return markIcon(skipped ? reasonColor(QString::fromStdString(e->skipReason)) : firingColor(), !skipped);
        return {};
    case Qt::ForegroundRole:
        if (e->at > m_now)
            return kFutureText;
        if (skipped && index.column() == Offer)
            return reasonColor(QString::fromStdString(e->skipReason)).darker(165);
        return skipped ? QVariant(kSkippedText) : QVariant();
    case Qt::FontRole:
        if (!skipped && index.column() == Trigger) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case AtRole:
        return static_cast<qlonglong>(e->at.time_since_epoch().count());
    case KindRole:
        return static_cast<int>(e->kind);
    default:
        return {};
    }
}

QVariant FiringsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time");
    case Trigger:
        return tr("Trigger");
    case State:
        return tr("FSM state");
    case Offer:
        return tr("Offer");
    case User:
        return tr("User");
    case Page:
        return tr("Page");
    default:
        return {};
    }
}

} // namespace proactive::ui
