#include "chatlogpanel.h"

#include "chatcontroller.h"
#include "chatnet/chatsession.h"
#include "chatnet/difysimserver.h"
#include "inspector/presentation.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace proactive::ui {

ChatLogPanel::ChatLogPanel(ChatController& chat, QWidget* parent)
    : QWidget(parent)
    , m_backend(new QLabel(this))
    , m_log(new QTreeWidget(this))
{
    m_backend->setWordWrap(true);
    const auto describeBackend = [this, &chat](const QString& problem) {
        if (!problem.isEmpty())
            m_backend->setText(problem);
        else if (chat.offlineServer())
            m_backend->setText(
                tr("Backend: the offline Dify server at %1").arg(chat.offlineServer()->baseUrl().toString()));
        else
            m_backend->setText(tr("Backend: Dify at %1").arg(chat.session().client().settings().baseUrl.toString()));
    };
    describeBackend(chat.problem());
    connect(&chat, &ChatController::backendReady, this, describeBackend);
    m_log->setObjectName(u"chatLog"_qs);
    m_log->setHeaderLabels({ tr("Exchange / event"), tr("At"), tr("Bytes") });
    setColumnWidths(m_log, { 300, 140 });
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_backend);
    layout->addWidget(m_log, 1);

    connect(&chat, &ChatController::requestSent, this,
        [this](const QString& query, const QString& conversationId, bool withInputs) {
            const QString continues = withInputs ? tr("new conversation, inputs.session_id sent")
                                                 : tr("conversation %1").arg(conversationId);
            m_current = new QTreeWidgetItem(m_log, { u"→ %1  (%2)"_qs.arg(query, continues) });
            m_current->setExpanded(true);
            m_log->scrollToItem(m_current);
        });
    connect(&chat.session().client(), &chatnet::DifyClient::eventLogged, this,
        [this](const QString& type, qint64 msSinceSend, qint64 bytes) {
            if (!m_current)
                return;
            // A run of the same event (thousands of `message` frames) is one
            // row with its count, time span and total size.
            QTreeWidgetItem* last
                = m_current->childCount() > 0 ? m_current->child(m_current->childCount() - 1) : nullptr;
            if (last && last->data(0, Qt::UserRole).toString() == type) {
                const int count = last->data(0, Qt::UserRole + 1).toInt() + 1;
                const qint64 total = last->data(2, Qt::UserRole).toLongLong() + bytes;
                last->setData(0, Qt::UserRole + 1, count);
                last->setData(2, Qt::UserRole, total);
                last->setText(0, u"%1 ×%2"_qs.arg(type).arg(count));
                last->setText(1, last->data(1, Qt::UserRole).toString() + u" – %1 ms"_qs.arg(msSinceSend));
                last->setText(2, QString::number(total));
                return;
            }
            auto* item
                = new QTreeWidgetItem(m_current, { type, u"+%1 ms"_qs.arg(msSinceSend), QString::number(bytes) });
            item->setData(0, Qt::UserRole, type);
            item->setData(0, Qt::UserRole + 1, 1);
            item->setData(1, Qt::UserRole, u"+%1"_qs.arg(msSinceSend));
            item->setData(2, Qt::UserRole, bytes);
        });
    connect(&chat, &ChatController::replyFinished, this, [this](const chatnet::ChatReply& reply) {
        if (!m_current)
            return;
        QString ending = toQString(nameOf(reply.outcome));
        if (!reply.userMessage.isEmpty())
            ending += u": "_qs + reply.userMessage;
        if (!reply.taggedId.isEmpty())
            ending += tr(" · tag %1 (%2)").arg(reply.taggedId, toQString(nameOf(reply.tagStatus)));
        auto* end = new QTreeWidgetItem(m_current, { tr("ended: %1").arg(ending) });
        end->setForeground(0, reply.outcome == ChatOutcome::Completed ? firingColor().darker(130) : Qt::red);
        m_current->setText(1, reply.conversationId);
        m_current = nullptr;
    });
}

} // namespace proactive::ui
