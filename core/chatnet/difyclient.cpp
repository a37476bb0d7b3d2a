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

} // namespace

DifyClient::DifyClient(QNetworkAccessManager& network, DifyClientSettings settings, QObject* parent)
    : QObject(parent)
    , m_network(network)
    , m_settings(std::move(settings))
    , m_stopTimer(new QTimer(this))
{
    m_stopTimer->setSingleShot(true);
    connect(m_stopTimer, &QTimer::timeout, this, &DifyClient::cancel);
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
    m_logged = 0;
    ++m_generation;
    m_clock.start();
    m_reply = m_network.post(httpRequest, QByteArray::fromStdString(request.body));
    connect(m_reply, &QNetworkReply::readyRead, this, &DifyClient::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &DifyClient::onFinished);
    return true;
}

void DifyClient::onReadyRead()
{
    const int status = httpStatus();
    // An error body is read whole when the reply finishes.
    if (status < 200 || status >= 300)
        return;
    const QByteArray bytes = m_reply->readAll();
    emitEvents(m_exchange->receive(view(bytes), elapsed()));
}

void DifyClient::emitEvents(std::span<const DifyEvent> events)
{
    // A slot may cancel the exchange (which reuses the events' storage) or,
    // once it is over, start the next one: stop at once if either happened.
    const std::uint64_t generation = m_generation;
    for (std::size_t i = 0; i < events.size() && m_reply && generation == m_generation; ++i) {
        const DifyEvent& event = events[i];
        if (event.late)
            continue;
        switch (event.kind) {
        case DifyEventKind::Message:
        case DifyEventKind::AgentMessage:
            Q_EMIT textAppended(QString::fromStdString(event.answer));
            break;
        case DifyEventKind::MessageReplace:
            Q_EMIT textReplaced(QString::fromStdString(event.answer));
            break;
        case DifyEventKind::MessageEnd:
            Q_EMIT messageEnded();
            break;
        case DifyEventKind::Error:
            Q_EMIT errorReceived(QString::fromStdString(describeDifyError(event.error.value_or(DifyError {}))));
            break;
        default:
            break;
        }
    }
    if (m_reply && generation == m_generation)
        emitLog();
}

void DifyClient::emitLog()
{
    const auto& log = m_exchange->log();
    while (m_logged < log.size()) {
        const ChatLogEntry& entry = log[m_logged++];
        Q_EMIT eventLogged(QString::fromStdString(entry.type), qint64(entry.at.count()), qint64(entry.bytes));
    }
}

void DifyClient::onFinished()
{
    if (!m_reply || m_finishing)
        return;
    // Until m_reply is cleared below, slots can neither cancel nor send.
    m_finishing = true;
    m_stopTimer->stop();
    QNetworkReply* reply = m_reply;
    const int status = httpStatus();
    const Duration at = elapsed();
    // An aborted reply is closed: nothing is left to read.
    const QByteArray rest = reply->isOpen() ? reply->readAll() : QByteArray();
    if (status != 0 && (status < 200 || status >= 300)) {
        m_exchange->httpError(status, view(rest), at);
    } else {
        if (status != 0)
            emitEvents(m_exchange->receive(view(rest), at));
        if (reply->error() == QNetworkReply::NoError)
            emitEvents(m_exchange->endOfStream(at));
        else
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
    m_reply->abort();
    // abort() finishes the reply synchronously; make sure either way.
    if (m_reply)
        onFinished();
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
