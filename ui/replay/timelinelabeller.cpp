#include "timelinelabeller.h"

#include "groundtruth/labelset.h"
#include "labeldocument.h"
#include "replay/sessionimport.h"
#include "replaytimeline.h"
#include "triggers/trigger.h"
#include "workspace/workspace.h"

#include <QMenu>

namespace proactive::ui {

namespace {

    QString offsetText(const LabelTime& time, Timestamp start)
    {
        return QString::fromStdString(LabelTime::formatOffset(time.resolve(start) - start));
    }

} // namespace

TimelineLabeller::TimelineLabeller(ReplayTimeline* timeline, LabelDocument* document, QObject* parent)
    : QObject(parent)
    , m_timeline(timeline)
    , m_document(document)
{
    connect(m_timeline, &ReplayTimeline::rangeSelected, this, &TimelineLabeller::onRangeSelected);
    connect(m_timeline, &ReplayTimeline::labelMenuRequested, this, &TimelineLabeller::onMenuRequested);
    connect(m_document, &LabelDocument::changed, this, &TimelineLabeller::refresh);
}

void TimelineLabeller::setSession(
    std::shared_ptr<const Workspace> workspace, std::shared_ptr<const RecordedSession> session)
{
    m_workspace = std::move(workspace);
    m_session = std::move(session);
    refresh();
}

QMenu* TimelineLabeller::openMenu() const
{
    return m_menu;
}

double TimelineLabeller::secondsOf(Timestamp at) const
{
    return std::chrono::duration<double>(at - m_session->summary.start).count();
}

void TimelineLabeller::refresh()
{
    std::vector<ReplayTimeline::LabelBand> bands;
    std::vector<ReplayTimeline::ExpectationFlag> flags;
    const SessionLabels* labels = m_session ? m_document->session(m_session->summary.sessionId) : nullptr;
    if (labels) {
        const Timestamp start = m_session->summary.start;
        for (const LabelRange& range : labels->ranges)
            bands.push_back({ .from = range.from.resolve(start),
                .to = range.to.resolve(start),
                .helpWanted = range.kind == LabelRange::Kind::HelpWanted,
                .answer = QString::fromStdString(range.answer) });
        for (const Expectation& expectation : labels->expectations) {
            if (expectation.kind != Expectation::Kind::Fires)
                continue; // no_offer windows are not drawn yet
            flags.push_back({ .from = expectation.from ? expectation.from->resolve(start) : start,
                .to = expectation.to ? expectation.to->resolve(start) : m_session->summary.end,
                .trigger
                = expectation.trigger.empty() ? tr("any trigger") : QString::fromStdString(expectation.trigger) });
        }
    }
    m_timeline->setLabels(std::move(bands), std::move(flags));
}

QMenu* TimelineLabeller::newMenu()
{
    if (m_menu)
        m_menu->close();
    m_menu = new QMenu(m_timeline);
    m_menu->setObjectName(u"labelMenu"_qs);
    m_menu->setAttribute(Qt::WA_DeleteOnClose);
    return m_menu;
}

void TimelineLabeller::onRangeSelected(Timestamp from, Timestamp to, const QPoint& globalPosition)
{
    if (!m_session || !m_document->isOpen())
        return;
    const std::string sessionId = m_session->summary.sessionId;
    const double fromS = secondsOf(from);
    const double toS = secondsOf(to);
    QMenu* menu = newMenu();
    menu->addSection(tr("Label %1 – %2")
                         .arg(QString::fromStdString(LabelTime::formatOffset(from - m_session->summary.start)),
                             QString::fromStdString(LabelTime::formatOffset(to - m_session->summary.start))));
    QAction* helpWanted = menu->addAction(tr("Help wanted"), this,
        [this, sessionId, fromS, toS] { m_document->addRange(sessionId, LabelRange::Kind::HelpWanted, fromS, toS); });
    helpWanted->setObjectName(u"labelHelpWanted"_qs);
    QAction* noHelp = menu->addAction(tr("No help here"), this,
        [this, sessionId, fromS, toS] { m_document->addRange(sessionId, LabelRange::Kind::NoHelp, fromS, toS); });
    noHelp->setObjectName(u"labelNoHelp"_qs);
    menu->popup(globalPosition);
}

void TimelineLabeller::onMenuRequested(Timestamp at, const QPoint& globalPosition)
{
    if (!m_session || !m_document->isOpen())
        return;
    const std::string sessionId = m_session->summary.sessionId;
    const Timestamp start = m_session->summary.start;
    const double atS = secondsOf(at);
    const double lengthS = secondsOf(m_session->summary.end);
    QMenu* menu = newMenu();
    menu->addSection(tr("At %1").arg(QString::fromStdString(LabelTime::formatOffset(at - start))));

    QMenu* fire = menu->addMenu(tr("Should fire"));
    fire->setObjectName(u"shouldFire"_qs);
    const Product* product = m_workspace ? m_workspace->product(m_session->summary.productId) : nullptr;
    if (product && product->triggers)
        for (const Trigger& trigger : product->triggers->triggers())
            fire->addAction(
                QString::fromStdString(trigger.id()), this, [this, sessionId, id = trigger.id(), atS, lengthS] {
                    m_document->addFiresExpectation(sessionId, id, atS, lengthS);
                });
    fire->setEnabled(!fire->isEmpty());
    fire->setToolTip(tr("Expect the trigger to offer within %1 s of this moment")
                         .arg(std::chrono::seconds(LabelDocument::kFiresWindow).count()));

    const SessionLabels* labels = m_document->session(sessionId);
    if (!labels) {
        menu->popup(globalPosition);
        return;
    }
    for (const LabelRange& range : labels->ranges) {
        if (at < range.from.resolve(start) || at > range.to.resolve(start))
            continue;
        const bool helpWanted = range.kind == LabelRange::Kind::HelpWanted;
        menu->addSection(tr("%1 %2 – %3")
                             .arg(helpWanted ? tr("Help wanted") : tr("No help"), offsetText(range.from, start),
                                 offsetText(range.to, start)));
        const std::string pointer = range.pointer;
        menu->addAction(
            helpWanted ? tr("Change to No help here") : tr("Change to Help wanted"), this, [this, pointer, helpWanted] {
                m_document->setRangeKind(pointer, helpWanted ? LabelRange::Kind::NoHelp : LabelRange::Kind::HelpWanted);
            });
        if (helpWanted && product && product->triggers) {
            QMenu* answer = menu->addMenu(tr("Answered by"));
            QAction* none = answer->addAction(
                tr("(not said)"), this, [this, pointer] { m_document->setRangeAnswer(pointer, {}); });
            none->setCheckable(true);
            none->setChecked(range.answer.empty());
            for (const Trigger& trigger : product->triggers->triggers()) {
                QAction* action = answer->addAction(QString::fromStdString(trigger.id()), this,
                    [this, pointer, id = trigger.id()] { m_document->setRangeAnswer(pointer, id); });
                action->setCheckable(true);
                action->setChecked(range.answer == trigger.id());
            }
        }
        menu->addAction(tr("Remove label"), this, [this, pointer] { m_document->removeRange(pointer); })
            ->setObjectName(u"removeLabel"_qs);
    }
    for (const Expectation& expectation : labels->expectations) {
        const Timestamp from = expectation.from ? expectation.from->resolve(start) : start;
        const Timestamp to = expectation.to ? expectation.to->resolve(start) : m_session->summary.end;
        if (at < from || at > to)
            continue;
        const std::string pointer = expectation.pointer;
        const QString trigger
            = expectation.trigger.empty() ? tr("any trigger") : QString::fromStdString(expectation.trigger);
        menu->addSeparator();
        menu->addAction(tr("Remove expectation: %1 %2")
                            .arg(QString::fromLatin1(nameOf(expectation.kind).data(),
                                     static_cast<qsizetype>(nameOf(expectation.kind).size())),
                                trigger),
            this, [this, pointer] { m_document->removeExpectation(pointer); });
    }
    menu->popup(globalPosition);
}

} // namespace proactive::ui
