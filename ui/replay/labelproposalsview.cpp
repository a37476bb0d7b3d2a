#include "labelproposalsview.h"

#include "labeldocument.h"
#include "replay/sessionimport.h"
#include "replaytimeline.h"

#include <QAction>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSignalBlocker>
#include <QToolButton>
#include <QTreeWidget>
#include <QUndoStack>
#include <QVBoxLayout>

namespace proactive::ui {

namespace {

    QString offsetText(const LabelTime& time)
    {
        return QString::fromStdString(LabelTime::formatOffset(*time.offset));
    }

} // namespace

LabelProposalsView::LabelProposalsView(ReplayTimeline* timeline, LabelDocument* document, QWidget* parent)
    : QWidget(parent)
    , m_timeline(timeline)
    , m_document(document)
{
    m_status = new QLabel(this);
    m_status->setObjectName(u"proposalsStatus"_qs);
    m_list = new QTreeWidget(this);
    m_list->setObjectName(u"proposalsList"_qs);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setHeaderLabels({ tr("Range"), tr("Heuristic"), QString(), tr("Why") });
    m_list->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_list->header()->setStretchLastSection(true);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_status);
    layout->addWidget(m_list);

    // The selected proposal from the keyboard, as the buttons do on each row.
    auto* accept = new QAction(this);
    accept->setShortcuts({ QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter) });
    accept->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(accept, &QAction::triggered, this, [this] { this->accept(currentRow()); });
    auto* reject = new QAction(this);
    reject->setShortcuts({ QKeySequence(Qt::Key_Delete), QKeySequence(Qt::Key_Backspace) });
    reject->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(reject, &QAction::triggered, this, [this] { this->reject(currentRow()); });
    m_list->addActions({ accept, reject });

    connect(m_list, &QTreeWidget::currentItemChanged, this, &LabelProposalsView::showOnTimeline);
    // An accepted proposal (or a label drawn by hand) may now cover others.
    connect(m_document, &LabelDocument::changed, this, &LabelProposalsView::refresh);
    hide();
}

void LabelProposalsView::setSession(std::shared_ptr<const RecordedSession> session)
{
    m_session = std::move(session);
    m_proposals.clear();
    hide();
    refresh();
}

void LabelProposalsView::propose()
{
    if (!m_session)
        return;
    m_proposals = proposeLabels(*m_session, ProposalSettings {});
    show();
    refresh();
    if (!m_proposals.empty()) {
        m_list->setCurrentItem(m_list->topLevelItem(0));
        m_list->setFocus();
    }
}

bool LabelProposalsView::overlapsLabel(const LabelProposal& proposal) const
{
    const SessionLabels* labels = m_session ? m_document->session(m_session->summary.sessionId) : nullptr;
    if (!labels)
        return false;
    const Timestamp start = m_session->summary.start;
    const Timestamp from = proposal.range.from.resolve(start);
    const Timestamp to = proposal.range.to.resolve(start);
    for (const LabelRange& range : labels->ranges)
        if (range.kind == LabelRange::Kind::HelpWanted && range.from.resolve(start) < to
            && from < range.to.resolve(start))
            return true;
    return false;
}

int LabelProposalsView::currentRow() const
{
    return m_list->indexOfTopLevelItem(m_list->currentItem());
}

void LabelProposalsView::accept(int row)
{
    if (!m_session || !m_document->isOpen() || row < 0 || row >= static_cast<int>(m_proposals.size()))
        return;
    const int before = m_document->undoStack()->index();
    m_document->addProposal(m_session->summary.sessionId, m_proposals[static_cast<std::size_t>(row)], author());
    if (m_document->undoStack()->index() == before)
        return; // a broken labels file takes no edit (the labels row says why): the proposal stays
    reject(row); // off the list, as it is a label now
}

void LabelProposalsView::reject(int row)
{
    if (row < 0 || row >= static_cast<int>(m_proposals.size()))
        return;
    m_proposals.erase(m_proposals.begin() + row);
    refresh();
}

std::string LabelProposalsView::author()
{
    QString name = qEnvironmentVariable("USER");
    if (name.isEmpty())
        name = qEnvironmentVariable("USERNAME");
    return name.isEmpty() ? std::string("studio") : name.toStdString();
}

void LabelProposalsView::refresh()
{
    // The rows are made again; the selection stays on the same row, or the
    // last one, so Enter and Delete go on down the list.
    const int current = currentRow();
    const QSignalBlocker quiet(m_list);
    m_list->clear();
    const bool canAccept = m_session && m_document->isOpen();
    for (const LabelProposal& proposal : m_proposals) {
        const bool labelled = overlapsLabel(proposal);
        auto* item = new QTreeWidgetItem(m_list,
            { offsetText(proposal.range.from) + u" – "_qs + offsetText(proposal.range.to),
                QString::fromStdString(proposal.heuristic) + (labelled ? tr(" (labelled)") : QString()), QString(),
                QString::fromStdString(proposal.reason) });
        item->setToolTip(3, QString::fromStdString(proposal.reason));
        if (labelled)
            item->setToolTip(1, tr("Overlaps a help_wanted label of this session"));
        auto* buttons = new QWidget(m_list);
        auto* row = new QHBoxLayout(buttons);
        row->setContentsMargins(0, 0, 0, 0);
        row->setSpacing(2);
        auto* accept = new QToolButton(buttons);
        accept->setText(tr("Accept"));
        accept->setObjectName(u"acceptProposal"_qs);
        accept->setToolTip(tr("Add it to the labels as help wanted (Enter; undo with Ctrl+Z)"));
        accept->setEnabled(canAccept);
        auto* reject = new QToolButton(buttons);
        reject->setText(tr("Reject"));
        reject->setObjectName(u"rejectProposal"_qs);
        reject->setToolTip(tr("Drop it from this list; nothing is written (Delete)"));
        row->addWidget(accept);
        row->addWidget(reject);
        m_list->setItemWidget(item, 2, buttons);
        connect(accept, &QToolButton::clicked, this, [this, item] { this->accept(m_list->indexOfTopLevelItem(item)); });
        connect(reject, &QToolButton::clicked, this, [this, item] { this->reject(m_list->indexOfTopLevelItem(item)); });
    }
    m_status->setText(m_proposals.empty()
            ? tr("No proposals left for this session (rejected ones come back with Propose…)")
            : tr("%n proposal(s): not labels until accepted; rejecting one is not remembered", nullptr,
                static_cast<int>(m_proposals.size())));
    m_list->setVisible(!m_proposals.empty());
    // A strip under the timeline, as high as its rows up to four: the
    // timeline keeps the room.
    if (!m_proposals.empty()) {
        const int rows = std::min(4, static_cast<int>(m_proposals.size()));
        m_list->setFixedHeight(
            m_list->header()->sizeHint().height() + rows * m_list->sizeHintForRow(0) + 2 * m_list->frameWidth() + 2);
    }
    if (current >= 0 && m_list->topLevelItemCount() > 0)
        m_list->setCurrentItem(m_list->topLevelItem(std::min(current, m_list->topLevelItemCount() - 1)));
    showOnTimeline();
}

void LabelProposalsView::showOnTimeline()
{
    std::vector<ReplayTimeline::ProposalBand> bands;
    if (m_session) {
        const Timestamp start = m_session->summary.start;
        const int selected = currentRow();
        for (std::size_t i = 0; i < m_proposals.size(); ++i) {
            const LabelProposal& proposal = m_proposals[i];
            bands.push_back({ .from = proposal.range.from.resolve(start),
                .to = proposal.range.to.resolve(start),
                .heuristic = QString::fromStdString(proposal.heuristic),
                .reason = QString::fromStdString(proposal.reason),
                .selected = static_cast<int>(i) == selected,
                .overlapsLabel = overlapsLabel(proposal) });
        }
    }
    m_timeline->setProposals(std::move(bands));
}

} // namespace proactive::ui
