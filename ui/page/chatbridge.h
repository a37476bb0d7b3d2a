#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QTimer>

namespace proactive::ui {

// The C++ end of chat.js (registered as "chat"): the transcript the panel
// shows and the user's actions in it. The transcript lives here, so a
// reloaded document renders the conversation as it was; deltas travel as
// signals while an answer streams.
class ChatBridge final : public QObject {
    Q_OBJECT
    Q_PROPERTY(bool open READ isOpen NOTIFY openChanged)
    Q_PROPERTY(bool busy READ isBusy NOTIFY busyChanged)
    // Folded to its header, so a running tour's target is not hidden under it.
    Q_PROPERTY(bool folded READ isFolded NOTIFY foldedChanged)
    // [{role: "user", text} | {role: "assistant", text, tour_id, tour_name, error, thoughts, files}]
    // thoughts: [{id, tool, tool_input, thought, observation}] (agent_thought, shown folded);
    // files: [{type, url}] (message_file, shown as a link line, never fetched).
    Q_PROPERTY(QString transcript READ transcript NOTIFY transcriptReset)

public:
    explicit ChatBridge(QObject* parent = nullptr);

    bool isOpen() const { return m_open; }
    void setOpen(bool open);
    bool isBusy() const { return m_busy; }
    bool isFolded() const { return m_folded; }
    void setFolded(bool folded);
    QString transcript() const;

    // What the conversation did, for the page to show.
    void addUserMessage(const QString& text);
    void startAnswer();
    void appendToAnswer(const QString& piece);
    void replaceAnswer(const QString& answer);
    // An agent's thought ({id, tool, tool_input, thought, observation}; a
    // later one with the same id updates it) and a file ({type, url}) while
    // the answer streams; the finished answer carries them all again.
    void updateThought(const QJsonObject& thought);
    void addFile(const QJsonObject& file);
    // The shown text (tags stripped), the tour to offer (empty: none), the
    // problem in words (empty: none), and an agent's thoughts and files.
    void finishAnswer(const QString& text, const QString& tourId, const QString& tourName, const QString& error,
        const QJsonArray& thoughts = {}, const QJsonArray& files = {});
    void clear();
    // The whole conversation at once, in the transcript property's form, and
    // whether an answer is on its way (the visual replay's moment, which a
    // seek may move backwards). The page renders it in one go: the property
    // updates that carry it would overtake the per-message signals.
    void showConversation(const QJsonArray& transcript, bool busy);

    // The page's buttons.
    Q_INVOKABLE void send(const QString& text) { Q_EMIT sendRequested(text); }
    Q_INVOKABLE void stop() { Q_EMIT stopRequested(); }
    Q_INVOKABLE void reset() { Q_EMIT resetRequested(); }
    Q_INVOKABLE void close() { setOpen(false); }
    Q_INVOKABLE void unfold() { setFolded(false); }
    Q_INVOKABLE void showTour(const QString& tourId) { Q_EMIT tourRequested(tourId); }

Q_SIGNALS:
    void openChanged(bool open);
    void busyChanged(bool busy);
    void foldedChanged(bool folded);
    void transcriptReset(const QString& transcript);
    void userMessage(const QString& text);
    void answerStarted();
    void answerDelta(const QString& piece);
    void answerReplaced(const QString& answer);
    void answerThought(const QString& thoughtJson);
    void answerFile(const QString& fileJson);
    void answerFinished(const QString& replyJson);

    void sendRequested(const QString& text);
    void stopRequested();
    void resetRequested();
    void tourRequested(const QString& tourId);

private:
    void setBusy(bool busy);
    void flush();

    bool m_open = false;
    bool m_busy = false;
    bool m_folded = false;
    QJsonArray m_transcript;
    // Pieces are sent to the page at most once a frame: a fast stream must
    // not flood the channel with one message per token.
    QString m_pending;
    QTimer m_flushTimer;
};

} // namespace proactive::ui
