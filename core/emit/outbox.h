#pragma once

#include "base/result.h"
#include "emit/offerevent.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace proactive {

// The offer events waiting to reach PostHog, in an SQLite file of their own
// so that they survive a restart and an outage of the receiver (issue 18).
// Bounded: past `capacity` the oldest events are dropped to make room for
// the new ones, and counted (the newest say most about the current
// triggers). Thread-safe: the connector records while the emitter drains.
class Outbox final : public OfferEventSink {
public:
    static constexpr std::size_t kDefaultCapacity = 100'000;

    // One queued event: its row id (the order), product and capture JSON.
    struct Entry {
        std::int64_t id = 0;
        std::string productId;
        std::string body;
    };

    // `path` ":memory:" keeps the queue in memory (serve --memory).
    static Result<std::unique_ptr<Outbox>> open(const std::string& path, std::size_t capacity = kDefaultCapacity);
    ~Outbox() override;
    Outbox(const Outbox&) = delete;
    Outbox& operator=(const Outbox&) = delete;

    // Queues the events; a database failure drops them and counts them.
    void record(std::vector<OfferEvent> events) override;
    // Up to `limit` of the oldest events, all of the oldest event's product.
    std::vector<Entry> oldest(std::size_t limit) const;
    // Forgets events that were delivered (or refused for good).
    Status remove(std::span<const std::int64_t> ids);

    std::size_t size() const;
    // Events dropped since open because the queue was full or could not be written.
    std::uint64_t dropped() const;

private:
    struct Database;
    Outbox(std::unique_ptr<Database> database, std::size_t capacity);

    mutable std::mutex m_mutex;
    std::unique_ptr<Database> m_database;
    std::size_t m_capacity;
    std::uint64_t m_dropped = 0;
};

} // namespace proactive
