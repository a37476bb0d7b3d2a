#include "pollspanel.h"

#include "presentation.h"
#include "simulation/simulation.h"

#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace proactive::ui {

namespace {

    // The studio keeps a working day of polls at the default 20 s interval.
    constexpr std::size_t kMaxPolls = 5000;

    QString answerText(const Decision& decision)
    {
        if (decision.offer)
            return u"▶ "_qs + QString::fromStdString(decision.offer->triggerId);
        return QString::fromStdString(decision.skipReason.value_or("null"));
    }

    QColor verdictColor(Verdict verdict)
    {
        switch (verdict) {
        case Verdict::Pass:
            return firingColor();
        case Verdict::Block:
            return QColor(0xef, 0x44, 0x44);
        case Verdict::NotReached:
            return Qt::gray;
        }
        return Qt::gray;
    }

} // namespace

PollsPanel::PollsPanel(Simulation& simulation, QWidget* parent)
    : QWidget(parent)
    , m_list(new QTreeWidget(this))
    , m_gates(new QTreeWidget(this))
{
    m_list->setObjectName(u"polls"_qs);
    m_list->setHeaderLabels({ tr("Time"), tr("Answer"), tr("State") });
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    setColumnWidths(m_list, { 80, 220 });
    m_gates->setObjectName(u"gates"_qs);
    m_gates->setHeaderLabels({ tr("Gate"), tr("Verdict"), tr("Reason"), tr("Numbers") });
    m_gates->header()->setSectionResizeMode(QHeaderView::ResizeToContents);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_list);
    splitter->addWidget(m_gates);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    connect(&simulation, &Simulation::polled, this, &PollsPanel::addPoll);
    connect(m_list, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        if (item)
            showGates(item->data(0, Qt::UserRole).toInt());
    });
}

void PollsPanel::addPoll(const Decision& decision)
{
    if (m_polls.size() == kMaxPolls) {
        m_polls.erase(m_polls.begin());
        delete m_list->takeTopLevelItem(m_list->topLevelItemCount() - 1);
        for (int i = 0; i < m_list->topLevelItemCount(); ++i) {
            QTreeWidgetItem* item = m_list->topLevelItem(i);
            item->setData(0, Qt::UserRole, item->data(0, Qt::UserRole).toInt() - 1);
        }
    }
    m_polls.push_back(decision);
    const int index = static_cast<int>(m_polls.size()) - 1;
    auto* item = new QTreeWidgetItem({ clockTime(decision.at), answerText(decision), stateName(decision.state) });
    item->setData(0, Qt::UserRole, index);
    item->setForeground(1, reasonColor(QString::fromStdString(decision.skipReason.value_or(""))).darker(130));
    m_list->insertTopLevelItem(0, item);
    // Follow the newest poll unless the author is looking at an older one.
    if (!m_list->currentItem() || m_list->indexOfTopLevelItem(m_list->currentItem()) == 1)
        m_list->setCurrentItem(item);
}

void PollsPanel::showGates(int index)
{
    m_gates->clear();
    if (index < 0 || index >= pollCount())
        return;
    const Decision& decision = poll(index);
    for (const GateReport& gate : decision.gates) {
        auto* item = new QTreeWidgetItem(m_gates,
            { QString::fromStdString(gate.gate), toQString(nameOf(gate.verdict)), QString::fromStdString(gate.reason),
                compactJson(gate.numbers) });
        item->setForeground(1, verdictColor(gate.verdict));
        item->setToolTip(3, QString::fromStdString(gate.numbers.dump(2)));
        if (gate.gate != "triggers")
            continue;
        for (const TriggerReport& trigger : decision.triggers) {
            auto* child = new QTreeWidgetItem(item,
                { QString::fromStdString(trigger.triggerId), toQString(nameOf(trigger.status)),
                    QString::fromStdString(trigger.error), QString::fromStdString(trigger.explanation.summary) });
            child->setToolTip(3, QString::fromStdString(toJson(trigger.explanation).dump(2)));
        }
        item->setExpanded(true);
    }
}

} // namespace proactive::ui
