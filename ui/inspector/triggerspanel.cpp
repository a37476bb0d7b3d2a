#include "triggerspanel.h"

#include "presentation.h"
#include "simulation/simulation.h"

#include <QHeaderView>
#include <QIcon>
#include <QPainter>
#include <QPixmap>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace proactive::ui {

namespace {

    // Simulated time moves every tick; re-evaluating once a second of wall time
    // keeps dwell counters live without re-running triggers 20 times a second.
    constexpr qint64 kTimeRefreshMs = 1000;

    QColor matchColor(bool matched)
    {
        return matched ? firingColor().darker(120) : QColor(0x9c, 0xa3, 0xaf);
    }

    // The verdict at the start of the explanation: in a narrow dock the
    // columns to the right are scrolled out of view.
    QIcon verdictIcon(bool matched)
    {
        const auto dot = [](bool held) {
            QPixmap pixmap(12, 12);
            pixmap.fill(Qt::transparent);
            QPainter painter(&pixmap);
            painter.setRenderHint(QPainter::Antialiasing);
            painter.setPen(Qt::NoPen);
            painter.setBrush(matchColor(held));
            painter.drawEllipse(QRectF(2, 2, 8, 8));
            return QIcon(pixmap);
        };
        static const QIcon held = dot(true);
        static const QIcon notHeld = dot(false);
        return matched ? held : notHeld;
    }

} // namespace

TriggersPanel::TriggersPanel(Simulation& simulation, QWidget* parent)
    : QWidget(parent)
    , m_simulation(simulation)
    , m_tree(new QTreeWidget(this))
{
    m_tree->setObjectName(u"triggers"_qs);
    m_tree->setHeaderLabels({ tr("Trigger / condition"), tr("Result"), tr("Seen"), tr("Threshold") });
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->setUniformRowHeights(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tree);

    connect(m_tree, &QTreeWidget::itemCollapsed, this,
        [this](QTreeWidgetItem* item) { m_collapsed.insert(item->data(0, Qt::UserRole).toString()); });
    connect(m_tree, &QTreeWidget::itemExpanded, this,
        [this](QTreeWidgetItem* item) { m_collapsed.remove(item->data(0, Qt::UserRole).toString()); });
    connect(&m_simulation, &Simulation::actionsIngested, this, &TriggersPanel::refresh);
    connect(&m_simulation, &Simulation::sessionChanged, this, &TriggersPanel::refresh);
    connect(&m_simulation, &Simulation::conversationChanged, this, &TriggersPanel::refresh);
    connect(&m_simulation, &Simulation::timeChanged, this, [this] {
        if (m_sinceRefresh.hasExpired(kTimeRefreshMs))
            refresh();
    });
    refresh();
}

QStringList TriggersPanel::matchingTriggers() const
{
    QStringList ids;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        const QTreeWidgetItem* item = m_tree->topLevelItem(i);
        if (item->data(1, Qt::UserRole).toBool())
            ids << item->data(0, Qt::UserRole).toString();
    }
    return ids;
}

void TriggersPanel::refresh()
{
    m_sinceRefresh.start();
    const auto reports = m_simulation.connector().explainTriggers(
        m_simulation.productId().toStdString(), m_simulation.sessionId().toStdString());
    m_tree->setUpdatesEnabled(false);
    m_tree->clear();
    if (!reports) {
        new QTreeWidgetItem(m_tree, { QString::fromStdString(reports.error().toString()) });
        m_tree->setUpdatesEnabled(true);
        return;
    }
    for (const TriggerReport& report : *reports) {
        const QString id = QString::fromStdString(report.triggerId);
        const bool matched = report.status == TriggerReport::Status::Matched;
        auto* item = new QTreeWidgetItem(m_tree, { id, toQString(nameOf(report.status)) });
        item->setData(0, Qt::UserRole, id);
        item->setData(1, Qt::UserRole, matched);
        item->setForeground(1, matchColor(matched));
        item->setIcon(0, verdictIcon(matched));
        QFont bold = item->font(0);
        bold.setBold(true);
        item->setFont(0, bold);
        if (!report.error.empty())
            item->setText(2, QString::fromStdString(report.error));
        item->setToolTip(0, QString::fromStdString(report.explanation.summary));
        addCondition(item, report.explanation);
        item->setExpanded(!m_collapsed.contains(id));
    }
    m_tree->setUpdatesEnabled(true);
}

void TriggersPanel::addCondition(QTreeWidgetItem* parent, const ConditionExplanation& condition)
{
    const QString label = QString::fromStdString(condition.summary.empty() ? condition.label : condition.summary);
    auto* item = new QTreeWidgetItem(parent,
        { label, condition.matched ? tr("✓ matched") : tr("✗ no"), compactJson(condition.observed),
            compactJson(condition.threshold) });
    item->setForeground(1, matchColor(condition.matched));
    item->setIcon(0, verdictIcon(condition.matched));
    item->setToolTip(0, QString::fromStdString(condition.kind + ": " + condition.label));
    if (!condition.details.is_null())
        item->setToolTip(2, QString::fromStdString(condition.details.dump(2)));
    for (const ConditionExplanation& child : condition.children)
        addCondition(item, child);
    item->setExpanded(true);
}

} // namespace proactive::ui
