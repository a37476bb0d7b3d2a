#pragma once

#include "chat/chatconversation.h"
#include "chat/chatexchange.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QNetworkReply>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>

class QNetworkAccessManager;
class QTimer;

Q_DECLARE_METATYPE(proactive::ChatOutcome)

namespace proactive::chatnet {

// An agent_thought as a client shows it (folded under the answer).
struct ChatThought {
    QString id;
    qint64 position = 0;
    QString thought;
    QString tool;
    QString toolInput;
    QString observation;

    static ChatThought from(const DifyAgentThought& thought);
};

// A message_file: shown as a link line, never fetched by the client.
struct ChatFile {
    QString id;
    QString type; // "image"
    QString url;

    static ChatFile from(const DifyMessageFile& file);
};

struct DifyClientSettings {
    // Dify's API base: "https://api.dify.ai" or, as Dify's console shows it,
    // "https://api.dify.ai/v1" (a trailing /v1 is not doubled); the offline
    // server's baseUrl().
    QUrl baseUrl;
    // The app key, sent as "Authorization: Bearer …" and nowhere else: never
    // logged, never part of a signal or of the exchange's request body.
    QByteArray apiKey;
    // A stream with no byte for this long is cut (Dify pings every 10 s).
    std::chrono::milliseconds transferTimeout { 60'000 };
    // After the stop call, how long the server may take to end the stream
    // before the client cuts it.
    std::chrono::milliseconds stopGrace { 5'000 };
};

// One streaming exchange at a time with Dify's POST /v1/chat-messages
// (SPEC §5) over QNetworkAccessManager: the body goes to a ChatExchange (the
// pure parser and accumulator) and what it decodes becomes signals. Lives in
// the thread of the network manager, usually the GUI thread, so a burst (a
// whole answer arriving at once) is handled in slices within a time budget
// per event-loop turn, and one slice gives one signal per kind of change,
// never one per frame.
class DifyClient final : public QObject {
    Q_OBJECT

public:
    DifyClient(QNetworkAccessManager& network, DifyClientSettings settings, QObject* parent = nullptr);
    // Cuts a running exchange without emitting anything.
    ~DifyClient() override;

    const DifyClientSettings& settings() const { return m_settings; }
    // Takes effect at the next send().
    void setSettings(DifyClientSettings settings);

    // Starts an exchange with a body built by ChatConversation::request().
    // Returns false, doing nothing, while another exchange is running.
    bool send(const ChatRequest& request);
    // The stop button: POST /v1/chat-messages/{task_id}/stop, then keep
    // reading until the server ends the stream (Dify sends message_end), at
    // most stopGrace. Before the task id is known the connection is cut.
    // The outcome is Stopped unless message_end had already arrived.
    void stop();
    // Cuts the connection now (outcome Stopped); finished() is emitted before it returns.
    void cancel();
    bool isBusy() const { return m_reply != nullptr; }
    // The running or last exchange; null before the first send().
    const ChatExchange* exchange() const { return m_exchange.get(); }

Q_SIGNALS:
    // Text to append to the answer: the pieces of consecutive message /
    // agent_message frames, joined.
    void textAppended(const QString& piece);
    // message_replace: the whole answer so far is now `answer`.
    void textReplaced(const QString& answer);
    // message_end arrived; frames may still follow (tts) until finished().
    void messageEnded();
    // An error frame, or a chatflow's failed workflow_finished, arrived;
    // `message` is the sentence for the person chatting. The answer so far stays.
    void errorReceived(const QString& message);
    // agent_thought: a new thought, or a later frame of one already signalled (same id).
    void thoughtUpdated(const proactive::chatnet::ChatThought& thought);
    // message_file: a file the app attached to the answer.
    void fileReceived(const proactive::chatnet::ChatFile& file);
    // For the inspector's raw event log: entries [first, first + count) of
    // exchange()->log() (one per SSE frame and end marker) are new. Read them
    // in the slot: a later send() replaces the exchange.
    void eventsLogged(qsizetype first, qsizetype count);
    // The exchange is over; exchange() has the answer, ids, counters and log.
    void finished(proactive::ChatOutcome outcome);

private:
    // Feeds the exchange what has arrived, until the turn's budget is spent;
    // finishes the exchange once the reply has finished and all is read.
    void pump();
    void onReadyRead();
    void onReplyFinished();
    void finish();
    void emitEvents(std::span<const DifyEvent> events);
    void emitLog();
    Duration elapsed() const;
    QUrl endpoint(const QString& path) const;
    int httpStatus() const;
    std::string errorDetail(const QNetworkReply& reply) const;

    QNetworkAccessManager& m_network;
    DifyClientSettings m_settings;
    QPointer<QNetworkReply> m_reply;
    std::unique_ptr<ChatExchange> m_exchange;
    std::string m_user;
    QElapsedTimer m_clock;
    QTimer* m_stopTimer = nullptr;
    QTimer* m_pumpTimer = nullptr; // the next turn of a burst
    QByteArray m_slice; // reused read buffer
    std::size_t m_logged = 0; // log entries already signalled
    std::uint64_t m_generation = 0; // one per send()
    bool m_cancelled = false;
    bool m_replyFinished = false; // what is left to do is reading what it buffered
    bool m_finishing = false;
};

} // namespace proactive::chatnet

Q_DECLARE_METATYPE(proactive::chatnet::ChatThought)
Q_DECLARE_METATYPE(proactive::chatnet::ChatFile)
