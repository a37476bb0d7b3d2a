#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace proactive::service {

// The service's counters, rendered in the Prometheus text format for
// GET /metrics. Thread-safe.
class Metrics final {
public:
    void countRequest(std::string_view route, int status);
    void countFiring(std::string_view productId, std::string_view triggerId);
    void countSkip(std::string_view reason);
    void countTransition(std::string_view event);
    void countIngest(std::string_view productId, std::size_t accepted, std::size_t duplicates, std::size_t rejected);
    // A connection the service ended or refused on its own: "busy" (503 at
    // the connection limit), "evicted" (idle, to make room), "idle_timeout",
    // "request_timeout"; and "accept_error" when accepting failed.
    void countConnectionEvent(std::string_view event);

    std::uint64_t requests(std::string_view route, int status) const;
    std::uint64_t connectionEvents(std::string_view event) const;
    std::string render() const;

private:
    using Labels = std::pair<std::string, std::string>;

    mutable std::mutex m_mutex;
    // Keyed by strings compared with std::less<>: a request or a poll counts
    // without copying its label; the label is copied once, when first seen.
    std::map<std::string, std::map<int, std::uint64_t>, std::less<>> m_requests; // route, then status
    std::map<Labels, std::uint64_t> m_firings;
    std::map<std::string, std::uint64_t, std::less<>> m_skips;
    std::map<std::string, std::uint64_t, std::less<>> m_transitions;
    std::map<Labels, std::uint64_t> m_events; // (product, outcome)
    std::map<std::string, std::uint64_t, std::less<>> m_connectionEvents;
};

} // namespace proactive::service
