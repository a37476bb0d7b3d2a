#include "service/posthogemitter.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrl>
#include <algorithm>
#include <nlohmann/json.hpp>

namespace proactive::service {

namespace {

    // Retry-After in seconds (PostHog and the connector send seconds; an
    // HTTP date is not honoured and the backoff applies).
    std::optional<std::chrono::milliseconds> retryAfterOf(const QNetworkReply& reply)
    {
        bool ok = false;
        const int seconds = reply.rawHeader("Retry-After").trimmed().toInt(&ok);
        if (!ok || seconds < 0)
            return std::nullopt;
        return std::chrono::milliseconds(std::int64_t(seconds) * 1000);
    }

} // namespace

PostHogEmitter::PostHogEmitter(
    Outbox& outbox, Destination destination, QNetworkAccessManager& network, EmitterSettings settings, QObject* parent)
    : QObject(parent)
    , m_outbox(outbox)
    , m_destination(std::move(destination))
    , m_network(network)
    , m_settings(settings)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &PostHogEmitter::pump);
}

PostHogEmitter::~PostHogEmitter()
{
    if (m_inFlight) {
        m_inFlight->disconnect(this);
        m_inFlight->abort();
        m_inFlight->deleteLater();
    }
}

void PostHogEmitter::start()
{
    m_timer.start(0);
}

void PostHogEmitter::pump()
{
    if (m_inFlight)
        return;
    const auto entries = m_outbox.oldest(m_settings.batchSize);
    if (entries.empty()) {
        m_timer.start(m_settings.idleInterval);
        return;
    }
    std::vector<std::int64_t> ids;
    for (const auto& entry : entries)
        ids.push_back(entry.id);
    const auto destination = m_destination(entries.front().productId);
    if (!destination) {
        m_stats.rejected += entries.size();
        (void)m_outbox.remove(ids);
        Q_EMIT rejected(0, static_cast<int>(entries.size()));
        m_timer.start(0);
        return;
    }
    // The bodies are stored as JSON text: spliced in, not parsed again.
    std::string body = R"({"api_key":)" + nlohmann::json(destination->apiKey).dump() + R"(,"batch":[)";
    for (std::size_t i = 0; i < entries.size(); ++i)
        body += (i ? "," : "") + entries[i].body;
    body += "]}";
    QString host = QString::fromStdString(destination->host);
    while (host.endsWith(u'/'))
        host.chop(1);
    QNetworkRequest request(QUrl(host + u"/batch/"_qs));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setTransferTimeout(static_cast<int>(m_settings.requestTimeout.count()));
    m_inFlight = m_network.post(request, QByteArray::fromStdString(body));
    connect(m_inFlight, &QNetworkReply::finished, this,
        [this, reply = m_inFlight, ids = std::move(ids)]() mutable { finished(reply, std::move(ids)); });
}

void PostHogEmitter::finished(QNetworkReply* reply, std::vector<std::int64_t> ids)
{
    m_inFlight = nullptr;
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    m_stats.lastStatus = status;
    if (status >= 200 && status < 300) {
        (void)m_outbox.remove(ids);
        m_stats.sent += ids.size();
        m_backoff = std::chrono::milliseconds(0);
        Q_EMIT delivered(static_cast<int>(ids.size()));
        m_timer.start(0);
        return;
    }
    if (status == 0 || status == 408 || status == 429 || status >= 500) {
        scheduleRetry(status, status ? retryAfterOf(*reply) : std::nullopt);
        return;
    }
    m_stats.rejected += ids.size();
    (void)m_outbox.remove(ids);
    Q_EMIT rejected(status, static_cast<int>(ids.size()));
    m_timer.start(0);
}

void PostHogEmitter::scheduleRetry(int status, std::optional<std::chrono::milliseconds> retryAfter)
{
    ++m_stats.failedAttempts;
    m_backoff = m_backoff.count() == 0 ? m_settings.firstBackoff : std::min(m_backoff * 2, m_settings.maxBackoff);
    const auto wait = retryAfter ? std::min(*retryAfter, m_settings.maxBackoff) : m_backoff;
    Q_EMIT retrying(status, wait);
    m_timer.start(wait);
}

} // namespace proactive::service
