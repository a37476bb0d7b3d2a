#include "chatbridge.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace proactive::ui {

namespace {

    constexpr int kFrameMs = 16;

} // namespace

ChatBridge::ChatBridge(QObject* parent)
    : QObject(parent)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kFrameMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &ChatBridge::flush);
}

void ChatBridge::flush()
{
    m_flushTimer.stop();
    if (m_pending.isEmpty())
        return;
    Q_EMIT answerDelta(m_pending);
    m_pending.clear();
}

void ChatBridge::setOpen(bool open)
{
    if (open == m_open)
        return;
    m_open = open;
    Q_EMIT openChanged(m_open);
}

void ChatBridge::setFolded(bool folded)
{
    if (folded == m_folded)
        return;
    m_folded = folded;
    Q_EMIT foldedChanged(m_folded);
}

void ChatBridge::setBusy(bool busy)
{
    if (busy == m_busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged(m_busy);
}

QString ChatBridge::transcript() const
{
    return QString::fromUtf8(QJsonDocument(m_transcript).toJson(QJsonDocument::Compact));
}

void ChatBridge::addUserMessage(const QString& text)
{
    m_transcript.append(QJsonObject { { u"role"_qs, u"user"_qs }, { u"text"_qs, text } });
    Q_EMIT userMessage(text);
}

void ChatBridge::startAnswer()
{
    setBusy(true);
    Q_EMIT answerStarted();
}

void ChatBridge::appendToAnswer(const QString& piece)
{
    m_pending += piece;
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void ChatBridge::replaceAnswer(const QString& answer)
{
    m_pending.clear();
    m_flushTimer.stop();
    Q_EMIT answerReplaced(answer);
}

void ChatBridge::updateThought(const QJsonObject& thought)
{
    // Text that streamed before the thought goes first, in order.
    flush();
    Q_EMIT answerThought(QString::fromUtf8(QJsonDocument(thought).toJson(QJsonDocument::Compact)));
}

void ChatBridge::addFile(const QJsonObject& file)
{
    flush();
    Q_EMIT answerFile(QString::fromUtf8(QJsonDocument(file).toJson(QJsonDocument::Compact)));
}

void ChatBridge::finishAnswer(const QString& text, const QString& tourId, const QString& tourName, const QString& error,
    const QJsonArray& thoughts, const QJsonArray& files)
{
    // The final text replaces whatever streamed.
    m_pending.clear();
    m_flushTimer.stop();
    const QJsonObject reply { { u"role"_qs, u"assistant"_qs }, { u"text"_qs, text }, { u"tour_id"_qs, tourId },
        { u"tour_name"_qs, tourName }, { u"error"_qs, error }, { u"thoughts"_qs, thoughts }, { u"files"_qs, files } };
    m_transcript.append(reply);
    setBusy(false);
    Q_EMIT answerFinished(QString::fromUtf8(QJsonDocument(reply).toJson(QJsonDocument::Compact)));
}

void ChatBridge::clear()
{
    m_transcript = {};
    m_pending.clear();
    m_flushTimer.stop();
    setBusy(false);
    Q_EMIT transcriptReset(transcript());
}

void ChatBridge::showConversation(const QJsonArray& transcript, bool busy)
{
    m_transcript = transcript;
    m_pending.clear();
    m_flushTimer.stop();
    setBusy(busy);
    Q_EMIT transcriptReset(this->transcript());
}

} // namespace proactive::ui
