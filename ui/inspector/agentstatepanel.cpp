#include "agentstatepanel.h"

#include "presentation.h"
#include "simulation/simulation.h"

#include <QFormLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace proactive::ui {

AgentStatePanel::AgentStatePanel(Simulation& simulation, QWidget* parent)
    : QWidget(parent)
    , m_simulation(simulation)
    , m_state(new QLabel(this))
    , m_countdown(new QLabel(this))
    , m_details(new QLabel(this))
    , m_transitions(new QTreeWidget(this))
{
    m_state->setObjectName(u"stateBadge"_qs);
    m_state->setAlignment(Qt::AlignCenter);
    m_state->setMinimumHeight(34);
    m_countdown->setObjectName(u"countdown"_qs);
    m_details->setObjectName(u"details"_qs);
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // The transition itself first: in the default dock width the event and
    // its cause may scroll out of view (both are in the row's tooltip).
    m_transitions->setHeaderLabels({ tr("Time"), tr("From → to"), tr("Event"), tr("Cause") });
    m_transitions->setRootIsDecorated(false);
    m_transitions->setUniformRowHeights(true);
    m_transitions->header()->setSectionResizeMode(QHeaderView::ResizeToContents);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_state);
    layout->addWidget(m_countdown);
    layout->addWidget(m_details);
    layout->addWidget(new QLabel(tr("Transitions (newest first)"), this));
    layout->addWidget(m_transitions, 1);

    connect(&m_simulation, &Simulation::conversationChanged, this, [this] {
        refreshState();
        refreshTransitions();
    });
    connect(&m_simulation, &Simulation::sessionChanged, this, [this] {
        refreshState();
        refreshTransitions();
    });
    connect(&m_simulation, &Simulation::timeChanged, this, &AgentStatePanel::refreshState);
    refreshState();
    refreshTransitions();
}

QString AgentStatePanel::stateText() const
{
    return m_state->text();
}

void AgentStatePanel::refreshState()
{
    const ConversationRecord record = m_simulation.conversation().value_or(ConversationRecord {});
    const QColor color = stateColor(record.state);
    m_state->setText(stateName(record.state));
    m_state->setStyleSheet(u"QLabel { background: %1; color: white; border-radius: 6px; font-weight: 600;"
                           " font-size: 15px; padding: 4px; }"_qs.arg(color.name()));

    const Timestamp now = m_simulation.now();
    QString countdown;
    if (record.state == FsmState::ConservativeAssistance) {
        countdown = record.silenced
            ? tr("Silenced: no offers until the conversation is reset")
            : tr("Cooldown: offers resume in %1").arg(humanDuration(std::max(Duration(0), record.cooldownUntil - now)));
    } else if (record.state == FsmState::ProactiveAssistance && record.interactionTimeout.count() > 0) {
        const Timestamp expiry = record.lastEventAt + record.interactionTimeout;
        countdown = tr("Offer expires in %1 without an answer").arg(humanDuration(std::max(Duration(0), expiry - now)));
    }
    m_countdown->setText(countdown);
    m_countdown->setVisible(!countdown.isEmpty());

    QStringList details;
    details << tr("Conversation: %1").arg(QString::fromStdString(m_simulation.conversationId()));
    details << tr("Dismissals: %1").arg(record.dismissals);
    const QString offered = QString::fromStdString(record.activeTriggerId);
    if (record.state == FsmState::ProactiveAssistance) {
        details << tr("Offered trigger: %1").arg(offered);
    } else if (!offered.isEmpty()) {
        // Thinking after an interaction timeout: the offer a late answer still refers to.
        const auto workspace = m_simulation.workspace();
        const Product* product = workspace->product(m_simulation.productId().toStdString());
        const Duration grace = product ? product->proactive.lateAnswerGrace : ProactiveSettings {}.lateAnswerGrace;
        details << tr("Expired offer: %1 (a late answer counts until %2)")
                       .arg(offered, clockTime(record.lastEventAt + record.interactionTimeout + grace));
    }
    details << tr("In this state since %1").arg(clockTime(record.enteredAt == Timestamp {} ? now : record.enteredAt));
    m_details->setText(details.join(u'\n'));
}

void AgentStatePanel::refreshTransitions()
{
    const std::vector<TransitionRecord> transitions = m_simulation.connector().transitions(
        { m_simulation.productId().toStdString(), m_simulation.conversationId() });
    m_transitions->clear();
    for (auto it = transitions.rbegin(); it != transitions.rend(); ++it) {
        const QString event = QString::fromStdString(it->event);
        const QString cause = QString::fromStdString(it->cause);
        auto* item = new QTreeWidgetItem(
            m_transitions, { clockTime(it->at), stateName(it->from) + u" → "_qs + stateName(it->to), event, cause });
        item->setForeground(1, stateColor(it->to));
        for (int column = 0; column < m_transitions->columnCount(); ++column)
            item->setToolTip(column, tr("%1 (%2)").arg(event, cause));
    }
}

} // namespace proactive::ui
