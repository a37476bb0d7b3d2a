#pragma once

#include "chat/chatconversation.h"
#include "chat/tourtag.h"
#include "chatnet/difyclient.h"

#include <QList>
#include <QObject>
#include <QString>
#include <string>
#include <vector>

namespace proactive::chatnet {

// How one answer ended, ready to show.
struct ChatReply {
    ChatOutcome outcome = ChatOutcome::Streaming;
    QString text; // the answer with every [TOUR:…] tag removed (what the bubble shows)
    // The tour for a "Show me how" button: set only when the answer completed
    // (message_end) and its deciding tag names a catalog tour.
    QString tourId;
    TourTagStatus tagStatus = TourTagStatus::Absent; // for the inspector: none, unknown id, no tag
    QString taggedId; // the deciding tag's id, whatever it was
    int tagCount = 0; // more than one is worth reporting
    QString userMessage; // the outcome in words; empty when Completed
    QString conversationId;
    // agent_thought (one per thought, as last updated) and message_file, for
    // the folded thoughts and attachment lines under the answer.
    QList<ChatThought> thoughts;
    QList<ChatFile> files;
    QString workflowStatus; // a chatflow's workflow_finished status; empty without one
};

// The chat as the widget drives it: ChatConversation's rules around a
// DifyClient. send() reports `user_sent`, streams, and when the stream is
// over, however it ended, adopts the conversation id, reports
// `bot_response_completed` and then replyFinished() — in that order, so a
// reply handler may send the next message at once. Text pieces are passed
// through TourTagStreamFilter, so a tag never flashes in the bubble.
class ChatSession final : public QObject {
    Q_OBJECT

public:
    // `user` is Dify's end-user id (the PostHog distinct id or email).
    ChatSession(
        QNetworkAccessManager& network, DifyClientSettings settings, const QString& user, QObject* parent = nullptr);

    // The catalog's tour ids: a tag naming one of them offers a tour.
    void setTourIds(std::vector<std::string> ids);
    // PostHog's session id; a rotation starts a new conversation (true when it did).
    bool setSessionId(const QString& sessionId);
    // Returns false, doing nothing, while an answer streams.
    bool send(const QString& query);
    void stop();
    // The reset button: cuts a streaming answer (its bot_response_completed
    // and replyFinished come first), forgets the conversation, reports `reset`.
    void reset();

    bool isBusy() const { return m_client.isBusy(); }
    const ChatConversation& conversation() const { return m_conversation; }
    // For the inspector: exchange(), eventsLogged(), settings.
    DifyClient& client() { return m_client; }
    const DifyClient& client() const { return m_client; }

Q_SIGNALS:
    // An FSM event for POST /agent_state (SPEC §2, §4): "user_sent",
    // "bot_response_completed" or "reset".
    void agentEventRequested(const QString& event);
    // Displayable text to append, tags held back.
    void textAppended(const QString& piece);
    // message_replace: the displayable answer so far.
    void textReplaced(const QString& answer);
    void thoughtUpdated(const proactive::chatnet::ChatThought& thought);
    void fileReceived(const proactive::chatnet::ChatFile& file);
    void replyFinished(const proactive::chatnet::ChatReply& reply);

private:
    void onFinished(ChatOutcome outcome);

    DifyClient m_client;
    ChatConversation m_conversation;
    TourTagStreamFilter m_filter;
    std::vector<std::string> m_tourIds;
};

} // namespace proactive::chatnet

Q_DECLARE_METATYPE(proactive::chatnet::ChatReply)
