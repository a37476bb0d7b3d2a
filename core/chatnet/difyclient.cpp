#include "chatnet/difyclient.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <nlohmann/json.hpp>

namespace proactive::chatnet {

namespace {

    std::string_view view(const QByteArray& bytes)
    {
        return { bytes.constData(), static_cast<std::size_t>(bytes.size()) };
    }

    // A whole answer may arrive in one read (2 MiB for 20k tokens). Handled
    // in one go it keeps the GUI thread from painting for as long as it and
    // its signals' slots take, so it is read in slices, and a turn of the
    // event loop takes at most half a 16 ms frame of them; a slice is about
    // 300 text frames.
    constexpr qint64 kSliceBytes = 32 * 1024;
    constexpr qint64 kTurnBudgetNs = 8'000'000;

} // namespace

ChatThought ChatThought::from(const DifyAgentThought& thought)
{
    return { QString::fromStdString(thought.id), qint64(thought.position), QString::fromStdString(thought.thought),
        QString::fromStdString(thought.tool), QString::fromStdString(thought.toolInput),
        QString::fromStdString(thought.observation) };
}

ChatFile ChatFile::from(const DifyMessageFile& file)
{
    return { QString::fromStdString(file.id), QString::fromStdString(file.type), QString::fromStdString(file.url) };
}

DifyClient::DifyClient(QNetworkAccessManager& network, DifyClientSettings settings, QObject* parent)
    : QObject(parent)
    , m_network(network)
    , m_settings(std::move(settings))
    , m_stopTimer(new QTimer(this))
    , m_pumpTimer(new QTimer(this))
    , m_slice(kSliceBytes, Qt::Uninitialized)
{
    m_stopTimer->setSingleShot(true);
    connect(m_stopTimer, &QTimer::timeout, this, &DifyClient::cancel);
    m_pumpTimer->setSingleShot(true);
    connect(m_pumpTimer, &QTimer::timeout, this, &DifyClient::pump);
}

DifyClient::~DifyClient()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void DifyClient::setSettings(DifyClientSettings settings)
{
    m_settings = std::move(settings);
}

QUrl DifyClient::endpoint(const QString& path) const
{
    QUrl url = m_settings.baseUrl;
    QString base = url.path();
    while (base.endsWith(u'/'))
        base.chop(1);
    if (!base.endsWith(u"/v1"_qs))
        base += u"/v1"_qs;
    url.setPath(base + u'/' + path);
    return url;
}

Duration DifyClient::elapsed() const
{
    return Duration(m_clock.elapsed());
}

int DifyClient::httpStatus() const
{
    return m_reply ? m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() : 0;
}

bool DifyClient::send(const ChatRequest& request)
{
    if (m_reply)
        return false;
    QNetworkRequest httpRequest(endpoint(u"chat-messages"_qs));
    httpRequest.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    httpRequest.setRawHeader("Accept", "text/event-stream");
    httpRequest.setRawHeader("Authorization", "Bearer " + m_settings.apiKey);
    httpRequest.setTransferTimeout(static_cast<int>(m_settings.transferTimeout.count()));

    m_exchange = std::make_unique<ChatExchange>(request.body);
    m_user = request.user;
    m_cancelled = false;
    m_replyFinished = false;
    m_logged = 0;
    ++m_generation;
    m_clock.start();
    m_reply = m_network.post(httpRequest, QByteArray::fromStdString(request.body));
    connect(m_reply, &QNetworkReply::readyRead, this, &DifyClient::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &DifyClient::onReplyFinished);
    return true;
}

void DifyClient::onReadyRead()
{
    // While a burst is being read, new bytes wait for its next turn: one
    // budget per turn.
    if (!m_pumpTimer->isActive())
        pump();
}

void DifyClient::pump()
{
    if (!m_reply || m_finishing)
        return;
    const int status = httpStatus();
    // An error body is read whole at the end; an aborted reply is closed.
    if (status >= 200 && status < 300 && m_reply->isOpen()) {
        const std::uint64_t generation = m_generation;
        QElapsedTimer turn;
        turn.start();
        while (m_reply->bytesAvailable() > 0) {
            if (turn.nsecsElapsed() >= kTurnBudgetNs) {
                m_pumpTimer->start(0);
                return;
            }
            const qint64 read = m_reply->read(m_slice.data(), kSliceBytes);
            if (read <= 0)
                break;
            emitEvents(m_exchange->receive({ m_slice.constData(), static_cast<std::size_t>(read) }, elapsed()));
            // A slot cancelled the exchange; after that, it may have sent the next one.
            if (!m_reply || generation != m_generation)
                return;
        }
    }
    if (m_replyFinished)
        finish();
}

void DifyClient::emitEvents(std::span<const DifyEvent> events)
{
    // A slot may cancel the exchange (which reuses the events' storage) or,
    // once it is over, start the next one: stop at once if either happened.
    const std::uint64_t generation = m_generation;
    const auto live = [&] { return m_reply && generation == m_generation; };
    // Consecutive text frames are one signal: per-frame signals would make
    // every slot's work per token.
    std::string text;
    const auto flushText = [&] {
        if (text.empty())
            return;
        Q_EMIT textAppended(QString::fromStdString(text));
        text.clear();
    };
    for (std::size_t i = 0; i < events.size() && live(); ++i) {
        const DifyEvent& event = events[i];
        if (event.late || event.repeat)
            continue;
        switch (event.kind) {
        case DifyEventKind::Message:
        case DifyEventKind::AgentMessage:
            text += event.answer;
            break;
        case DifyEventKind::MessageReplace:
            flushText();
            if (live())
                Q_EMIT textReplaced(QString::fromStdString(event.answer));
            break;
        case DifyEventKind::MessageEnd:
            flushText();
            if (live())
                Q_EMIT messageEnded();
            break;
        case DifyEventKind::Error:
            flushText();
            if (live())
                Q_EMIT errorReceived(QString::fromStdString(describeDifyError(event.error.value_or(DifyError {}))));
            break;
        case DifyEventKind::AgentThought:
            flushText();
            if (live())
                Q_EMIT thoughtUpdated(ChatThought::from(*event.thought));
            break;
        case DifyEventKind::MessageFile:
            flushText();
            if (live())
                Q_EMIT fileReceived(ChatFile::from(*event.file));
            break;
        case DifyEventKind::Workflow: {
            // The exchange turned a failed workflow into its error; later frames are late.
            const auto& error = m_exchange->error();
            const bool failed = event.name == "workflow_finished" && error
                && (error->code == "workflow_failed" || error->code == "workflow_stopped");
            flushText();
            if (failed && live())
                Q_EMIT errorReceived(QString::fromStdString(describeDifyError(*error)));
            break;
        }
        default:
            break;
        }
    }
    if (live())
        flushText();
    if (live())
        emitLog();
}

void DifyClient::emitLog()
{
    const std::size_t size = m_exchange->log().size();
    if (m_logged == size)
        return;
    const std::size_t first = m_logged;
    m_logged = size;
    Q_EMIT eventsLogged(qsizetype(first), qsizetype(size - first));
}

void DifyClient::onReplyFinished()
{
    m_replyFinished = true;
    // The server ended the stream: a stop no longer needs cutting.
    m_stopTimer->stop();
    if (!m_pumpTimer->isActive())
        pump();
}

void DifyClient::finish()
{
    // Until m_reply is cleared below, slots can neither cancel nor send.
    m_finishing = true;
    m_stopTimer->stop();
    m_pumpTimer->stop();
    QNetworkReply* reply = m_reply;
    const int status = httpStatus();
    const Duration at = elapsed();
    if (status != 0 && (status < 200 || status >= 300)) {
        // An aborted reply is closed: nothing is left to read.
        const QByteArray body = reply->isOpen() ? reply->readAll() : QByteArray();
        m_exchange->httpError(status, view(body), at);
    } else if (reply->error() == QNetworkReply::NoError) {
        emitEvents(m_exchange->endOfStream(at));
    } else {
        emitEvents(m_exchange->networkError(errorDetail(*reply), status != 0, at));
    }
    emitLog();
    reply->disconnect(this);
    reply->deleteLater();
    m_reply = nullptr;
    m_finishing = false;
    Q_EMIT finished(m_exchange->outcome());
}

std::string DifyClient::errorDetail(const QNetworkReply& reply) const
{
    if (m_cancelled)
        return "stopped by the client";
    // A transfer timeout aborts the reply like abort() does.
    if (reply.error() == QNetworkReply::OperationCanceledError)
        return "no data for " + std::to_string(m_settings.transferTimeout.count()) + " ms";
    return reply.errorString().toStdString();
}

void DifyClient::cancel()
{
    if (!m_reply || m_finishing)
        return;
    m_exchange->requestStop(elapsed());
    m_cancelled = true;
    const std::uint64_t generation = m_generation;
    // abort() finishes a running reply synchronously (and a slot of
    // finished() may have sent the next message); a reply that had finished
    // already is not, and what it buffered and was not read yet is dropped.
    m_reply->abort();
    if (m_reply && generation == m_generation)
        finish();
}

void DifyClient::stop()
{
    if (!m_reply || m_finishing || m_exchange->messageEnded() || m_exchange->stopRequested())
        return;
    const std::string& taskId = m_exchange->taskId();
    if (taskId.empty()) {
        cancel();
        return;
    }
    m_exchange->requestStop(elapsed());
    emitLog();
    QNetworkRequest request(endpoint(u"chat-messages/"_qs
        + QString::fromLatin1(QUrl::toPercentEncoding(QString::fromStdString(taskId))) + u"/stop"_qs));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Authorization", "Bearer " + m_settings.apiKey);
    const nlohmann::json body { { "user", m_user } };
    QNetworkReply* stopReply = m_network.post(request, QByteArray::fromStdString(body.dump()));
    connect(stopReply, &QNetworkReply::finished, stopReply, &QObject::deleteLater);
    m_stopTimer->start(m_settings.stopGrace);
}

} // namespace proactive::chatnet
