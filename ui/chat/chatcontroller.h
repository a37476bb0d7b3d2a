#pragma once

#include "difykeystore.h"
#include "tourcatalog.h"

#include <QNetworkAccessManager>
#include <QObject>
#include <QUrl>
#include <memory>

namespace proactive::chatnet {
class ChatSession;
struct ChatReply;
} // namespace proactive::chatnet

namespace proactive::difysim {
class DifySimServer;
} // namespace proactive::difysim

namespace proactive::ui {

class ChatBridge;
class Simulation;

// Which Dify the chat talks to. The offline server is the default; a real
// Dify needs its base URL (a setting) and the app key, which comes from the
// environment (DIFY_API_KEY) or the system keychain, never from settings.
struct ChatBackend {
    enum class Kind { Offline, Dify };
    Kind kind = Kind::Offline;
    QUrl difyBaseUrl;
    // The offline server's pace and the fault it injects, so authors see how
    // the widget copes (SPEC §5).
    int tokenDelayMs = 30;
    int chunkChars = 4;
    QString fault = u"none"_qs; // a difySimFaultFromString name: none, error-event, drop, agent, moderation, ...
};

// The accept path's chat (SPEC §4, §5) in the studio: the panel in the page
// (ChatBridge), the conversation rules and the stream (ChatSession), the
// FSM events it reports (to the Simulation), and the backend — by default
// the offline Dify-compatible server, in-process, answering from the
// workspace's tour catalog and the visitor's current page.
class ChatController final : public QObject {
    Q_OBJECT

public:
    ChatController(Simulation& simulation, ChatBridge& bridge, TourCatalog catalog, ChatBackend backend,
        QObject* parent = nullptr);
    ~ChatController() override;

    chatnet::ChatSession& session() const { return *m_session; }
    // An edited catalog: answers offer its tours from now on.
    void setCatalog(TourCatalog catalog);
    // Null with a real Dify backend.
    difysim::DifySimServer* offlineServer() const { return m_server.get(); }
    // Why the chat cannot work (no key for a real Dify, ...); empty when it can.
    QString problem() const { return m_problem; }

Q_SIGNALS:
    // "Show me how" under an answer.
    void tourRequested(const QString& tourId);
    // A chat request went out: the inputs and the conversation it continues.
    void requestSent(const QString& query, const QString& conversationId, bool withInputs);
    void replyFinished(const proactive::chatnet::ChatReply& reply);
    // The backend can be used now (empty problem) or cannot (why).
    void backendReady(const QString& problem);

private:
    void send(const QString& text);
    void onReply(const chatnet::ChatReply& reply);

    Simulation& m_simulation;
    ChatBridge& m_bridge;
    TourCatalog m_catalog;
    QNetworkAccessManager m_network;
    DifyKeyStore m_keys;
    std::unique_ptr<difysim::DifySimServer> m_server;
    std::unique_ptr<chatnet::ChatSession> m_session;
    QString m_problem;
    bool m_discarding = false; // cutting the previous session's answer
};

} // namespace proactive::ui
