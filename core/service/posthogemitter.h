#pragma once

#include "base/clock.h"
#include "emit/offerevent.h"
#include "emit/outbox.h"

#include <QObject>
#include <QTimer>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

class QNetworkAccessManager;
class QNetworkReply;

namespace proactive::service {

struct EmitterSettings {
    std::size_t batchSize = 100; // events per POST, all of one product
    std::chrono::milliseconds firstBackoff { 1000 }; // after the first failure; doubles up to maxBackoff
    std::chrono::milliseconds maxBackoff { 300'000 };
    std::chrono::milliseconds idleInterval { 1000 }; // how often an empty outbox is looked at
    std::chrono::milliseconds requestTimeout { 30'000 };
};

// Sends the outbox's offer events to each product's PostHog project
// (issue 18): batches of up to batchSize events to `{host}/batch/` as
// `{api_key, batch}`, one request at a time, oldest first. A 2xx removes
// them from the outbox; 429, 5xx, a timeout or no connection keep them and
// retry after Retry-After (seconds) when the answer has one, else after an
// exponential backoff; any other status (the project refused the batch for
// good: bad token, bad body) drops them, counted. Delivery is at least
// once: an answer lost after the receiver kept the batch makes it send the
// batch again, with the same uuids, which PostHog (and the connector's own
// capture endpoint) de-duplicate. The token is never logged.
class PostHogEmitter final : public QObject {
    Q_OBJECT

public:
    // Where a product's events go now; none: the product no longer exports
    // (its events are dropped, counted as rejected).
    using Destination = std::function<std::optional<PostHogExport>(const std::string& productId)>;

    struct Stats {
        std::uint64_t sent = 0; // events the receiver acknowledged
        std::uint64_t failedAttempts = 0; // requests answered 429/5xx or not at all
        std::uint64_t rejected = 0; // events dropped on a 4xx or without destination
        int lastStatus = 0; // of the last answer; 0: no answer
    };

    PostHogEmitter(Outbox& outbox, Destination destination, QNetworkAccessManager& network,
        EmitterSettings settings = {}, QObject* parent = nullptr);
    ~PostHogEmitter() override;

    void start();
    Stats stats() const { return m_stats; }

Q_SIGNALS:
    // After each request: what was delivered, or why not (for the log).
    void delivered(int events);
    void retrying(int status, std::chrono::milliseconds after);
    void rejected(int status, int events);

private:
    void pump();
    void finished(QNetworkReply* reply, std::vector<std::int64_t> ids);
    void scheduleRetry(int status, std::optional<std::chrono::milliseconds> retryAfter);

    Outbox& m_outbox;
    Destination m_destination;
    QNetworkAccessManager& m_network;
    EmitterSettings m_settings;
    QTimer m_timer;
    QNetworkReply* m_inFlight = nullptr;
    std::chrono::milliseconds m_backoff { 0 };
    Stats m_stats;
};

} // namespace proactive::service
