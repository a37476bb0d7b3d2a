#include "chatlogpanel.h"

#include "chatcontroller.h"
#include "chatnet/chatsession.h"
#include "difysimserver.h"
#include "inspector/presentation.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>

namespace proactive::ui {

namespace {

    constexpr int kFrameMs = 16;

} // namespace

ChatLogPanel::ChatLogPanel(ChatController& chat, QWidget* parent)
    : QWidget(parent)
    , m_client(chat.session().client())
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
            m_backend->setText(tr("Backend: Dify at %1").arg(m_client.settings().baseUrl.toString()));
    };
    describeBackend(chat.problem());
    connect(&chat, &ChatController::backendReady, this, describeBackend);
    m_log->setObjectName(u"chatLog"_qs);
    m_log->setHeaderLabels({ tr("Exchange / event"), tr("At"), tr("Bytes"), tr("Note") });
    setColumnWidths(m_log, { 300, 140, 80 });
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_backend);
    layout->addWidget(m_log, 1);
    m_showTimer.setSingleShot(true);
    m_showTimer.setInterval(kFrameMs);
    connect(&m_showTimer, &QTimer::timeout, this, &ChatLogPanel::showRuns);

    connect(&chat, &ChatController::requestSent, this,
        [this](const QString& query, const QString& conversationId, bool withInputs) {
            // An answer cut for a new session ends without a reply.
            endExchange();
            const QString continues = withInputs ? tr("new conversation, inputs.session_id sent")
                                                 : tr("conversation %1").arg(conversationId);
            m_current = new QTreeWidgetItem(m_log, { u"→ %1  (%2)"_qs.arg(query, continues) });
            m_current->setExpanded(true);
            m_log->scrollToItem(m_current);
        });
    connect(&m_client, &chatnet::DifyClient::eventsLogged, this, &ChatLogPanel::addEvents);
    connect(&chat, &ChatController::replyFinished, this, [this](const chatnet::ChatReply& reply) {
        if (!m_current)
            return;
        showRuns();
        QString ending = toQString(nameOf(reply.outcome));
        if (!reply.userMessage.isEmpty())
            ending += u": "_qs + reply.userMessage;
        if (!reply.taggedId.isEmpty())
            ending += tr(" · tag %1 (%2)").arg(reply.taggedId, toQString(nameOf(reply.tagStatus)));
        if (!reply.workflowStatus.isEmpty())
            ending += tr(" · workflow %1").arg(reply.workflowStatus);
        auto* end = new QTreeWidgetItem(m_current, { tr("ended: %1").arg(ending) });
        end->setForeground(0, reply.outcome == ChatOutcome::Completed ? firingColor().darker(130) : Qt::red);
        m_current->setText(1, reply.conversationId);
        endExchange();
    });
}

void ChatLogPanel::addEvents(qsizetype first, qsizetype count)
{
    const ChatExchange* exchange = m_client.exchange();
    if (!m_current || !exchange)
        return;
    const auto& log = exchange->log();
    for (auto i = std::size_t(first); i < std::size_t(first + count); ++i) {
        const ChatLogEntry& entry = log[i];
        const qint64 at = entry.at.count();
        // What a frame said beyond its type (an agent's thought, a workflow
        // node's status, an ignored event type) is kept on a row of its own.
        if (!m_runs.empty() && m_runs.back().type == entry.type && m_runs.back().note.empty() && entry.note.empty()) {
            Run& run = m_runs.back();
            ++run.count;
            run.lastMs = at;
            run.bytes += qint64(entry.bytes);
            m_staleFrom = std::min(m_staleFrom, m_runs.size() - 1);
        } else {
            m_staleFrom = std::min(m_staleFrom, m_runs.size());
            m_runs.push_back({ entry.type, 1, at, at, qint64(entry.bytes), entry.note });
        }
    }
    if (!m_showTimer.isActive())
        m_showTimer.start();
}

void ChatLogPanel::showRuns()
{
    m_showTimer.stop();
    if (!m_current)
        return;
    for (std::size_t i = m_staleFrom; i < m_runs.size(); ++i) {
        const Run& run = m_runs[i];
        const QString type = QString::fromStdString(run.type);
        const QStringList texts { run.count == 1 ? type : u"%1 ×%2"_qs.arg(type).arg(run.count),
            run.count == 1 ? u"+%1 ms"_qs.arg(run.firstMs) : u"+%1 – %2 ms"_qs.arg(run.firstMs).arg(run.lastMs),
            QString::number(run.bytes), QString::fromStdString(run.note) };
        if (int(i) >= m_current->childCount()) {
            new QTreeWidgetItem(m_current, texts);
            continue;
        }
        QTreeWidgetItem* row = m_current->child(int(i));
        for (int column = 0; column < texts.size(); ++column) {
            if (row->text(column) != texts[column])
                row->setText(column, texts[column]);
        }
    }
    m_staleFrom = m_runs.size();
}

void ChatLogPanel::endExchange()
{
    showRuns();
    m_current = nullptr;
    m_runs.clear();
    m_staleFrom = 0;
}

} // namespace proactive::ui
