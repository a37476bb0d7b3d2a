#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace proactive {

// All core times are milliseconds since the Unix epoch (UTC).
using Duration = std::chrono::milliseconds;
using Timestamp = std::chrono::sys_time<Duration>;

constexpr Timestamp fromEpochMs(std::int64_t ms)
{
    return Timestamp(Duration(ms));
}
constexpr std::int64_t toEpochMs(Timestamp t)
{
    return t.time_since_epoch().count();
}
constexpr double toSeconds(Duration d)
{
    return static_cast<double>(d.count()) / 1000.0;
}
constexpr Duration fromSeconds(double s)
{
    return Duration(static_cast<std::int64_t>(s * 1000.0 + (s >= 0 ? 0.5 : -0.5)));
}

// ISO 8601 / RFC 3339 as PostHog writes it: "2024-05-01T12:00:00Z",
// "2024-05-01T12:00:00.123+02:00", "2024-05-01 12:00:00.123456" (CSV export,
// UTC assumed). Fractions beyond milliseconds are truncated.
std::optional<Timestamp> parseIsoTimestamp(std::string_view text);
// "2024-05-01T12:00:00.123Z"
std::string formatIsoTimestamp(Timestamp t);

// The only source of "now" in the core. Production uses SystemClock; tests
// and replay use VirtualClock so that every boundary is exact.
class Clock {
public:
    virtual ~Clock() = default;
    virtual Timestamp now() const = 0;
};

class SystemClock final : public Clock {
public:
    Timestamp now() const override;
};

class VirtualClock final : public Clock {
public:
    explicit VirtualClock(Timestamp start = fromEpochMs(1'700'000'000'000))
        : m_now(toEpochMs(start))
    { }

    Timestamp now() const override { return fromEpochMs(m_now.load(std::memory_order_relaxed)); }
    void set(Timestamp t) { m_now.store(toEpochMs(t), std::memory_order_relaxed); }
    void advance(Duration d) { m_now.fetch_add(d.count(), std::memory_order_relaxed); }

private:
    std::atomic<std::int64_t> m_now;
};

} // namespace proactive
