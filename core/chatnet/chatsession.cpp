#include "chatnet/chatsession.h"

namespace proactive::chatnet {

ChatSession::ChatSession(
    QNetworkAccessManager& network, DifyClientSettings settings, const QString& user, QObject* parent)
    : QObject(parent)
    , m_client(network, std::move(settings))
    , m_conversation(user.toStdString())
{
    connect(&m_client, &DifyClient::textAppended, this, [this](const QString& piece) {
        const std::string shown = m_filter.push(piece.toStdString());
        if (!shown.empty())
            Q_EMIT textAppended(QString::fromStdString(shown));
    });
    connect(&m_client, &DifyClient::textReplaced, this, [this](const QString& answer) {
        m_filter.reset();
        Q_EMIT textReplaced(QString::fromStdString(m_filter.push(answer.toStdString())));
    });
    connect(&m_client, &DifyClient::thoughtUpdated, this, &ChatSession::thoughtUpdated);
    connect(&m_client, &DifyClient::fileReceived, this, &ChatSession::fileReceived);
    connect(&m_client, &DifyClient::finished, this, &ChatSession::onFinished);
}

void ChatSession::setTourIds(std::vector<std::string> ids)
{
    m_tourIds = std::move(ids);
}

bool ChatSession::setSessionId(const QString& sessionId)
{
    return m_conversation.setSessionId(sessionId.toStdString());
}

bool ChatSession::send(const QString& query)
{
    if (m_client.isBusy())
        return false;
    const ChatRequest request = m_conversation.request(query.toStdString());
    m_filter.reset();
    Q_EMIT agentEventRequested(QString::fromLatin1(ChatConversation::kUserSent));
    return m_client.send(request);
}

void ChatSession::stop()
{
    m_client.stop();
}

void ChatSession::reset()
{
    m_client.cancel();
    m_conversation.reset();
    Q_EMIT agentEventRequested(QString::fromLatin1(ChatConversation::kReset));
}

void ChatSession::onFinished(ChatOutcome outcome)
{
    const ChatExchange& exchange = *m_client.exchange();
    m_conversation.adopt(exchange);
    const TourTag tag = extractTourTag(exchange.answer(), m_tourIds);

    ChatReply reply;
    reply.outcome = outcome;
    reply.text = QString::fromStdString(tag.text);
    if (outcome == ChatOutcome::Completed && tag.offersTour())
        reply.tourId = QString::fromStdString(tag.id);
    reply.tagStatus = tag.status;
    reply.taggedId = QString::fromStdString(tag.id);
    reply.tagCount = int(tag.ids.size());
    reply.userMessage = QString::fromStdString(exchange.userMessage());
    reply.conversationId = QString::fromStdString(exchange.conversationId());
    for (const DifyAgentThought& thought : exchange.thoughts())
        reply.thoughts.append(ChatThought::from(thought));
    for (const DifyMessageFile& file : exchange.files())
        reply.files.append(ChatFile::from(file));
    reply.workflowStatus = QString::fromStdString(exchange.workflowStatus());

    Q_EMIT agentEventRequested(QString::fromLatin1(ChatConversation::kBotResponseCompleted));
    Q_EMIT replyFinished(reply);
}

} // namespace proactive::chatnet
