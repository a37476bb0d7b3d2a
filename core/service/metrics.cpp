#include "service/metrics.h"

namespace proactive::service {

namespace {

    // Label values escape backslash, double quote and newline.
    std::string escaped(std::string_view value)
    {
        std::string result;
        result.reserve(value.size());
        for (const char c : value) {
            if (c == '\\' || c == '"')
                result.push_back('\\');
            if (c == '\n') {
                result += "\\n";
                continue;
            }
            result.push_back(c);
        }
        return result;
    }

    void header(std::string& out, std::string_view name, std::string_view help)
    {
        out.append("# HELP ").append(name).append(" ").append(help).append("\n");
        out.append("# TYPE ").append(name).append(" counter\n");
    }

    void sample(std::string& out, std::string_view name, std::string_view labels, std::uint64_t value)
    {
        out.append(name).append("{").append(labels).append("} ").append(std::to_string(value)).append("\n");
    }

    std::string label(std::string_view name, std::string_view value)
    {
        return std::string(name) + "=\"" + escaped(value) + "\"";
    }

    // The counter of `key` in `map`, created the first time the key is seen.
    template<typename Map> typename Map::mapped_type& counterOf(Map& map, std::string_view key)
    {
        auto it = map.find(key);
        if (it == map.end())
            it = map.emplace(std::string(key), typename Map::mapped_type {}).first;
        return it->second;
    }

} // namespace

void Metrics::countRequest(std::string_view route, int status)
{
    std::lock_guard lock(m_mutex);
    ++counterOf(m_requests, route)[status];
}

void Metrics::countFiring(std::string_view productId, std::string_view triggerId)
{
    std::lock_guard lock(m_mutex);
    ++m_firings[{ std::string(productId), std::string(triggerId) }];
}

void Metrics::countSkip(std::string_view reason)
{
    std::lock_guard lock(m_mutex);
    ++counterOf(m_skips, reason);
}

void Metrics::countTransition(std::string_view event)
{
    std::lock_guard lock(m_mutex);
    ++counterOf(m_transitions, event);
}

void Metrics::countIngest(
    std::string_view productId, std::size_t accepted, std::size_t duplicates, std::size_t rejected)
{
    std::lock_guard lock(m_mutex);
    const std::string product(productId);
    m_events[{ product, "accepted" }] += accepted;
    m_events[{ product, "duplicate" }] += duplicates;
    m_events[{ product, "rejected" }] += rejected;
}

void Metrics::countConnectionEvent(std::string_view event)
{
    std::lock_guard lock(m_mutex);
    ++counterOf(m_connectionEvents, event);
}

std::uint64_t Metrics::connectionEvents(std::string_view event) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_connectionEvents.find(event);
    return it == m_connectionEvents.end() ? 0 : it->second;
}

std::uint64_t Metrics::requests(std::string_view route, int status) const
{
    std::lock_guard lock(m_mutex);
    const auto byRoute = m_requests.find(route);
    if (byRoute == m_requests.end())
        return 0;
    const auto it = byRoute->second.find(status);
    return it == byRoute->second.end() ? 0 : it->second;
}

std::string Metrics::render() const
{
    std::lock_guard lock(m_mutex);
    std::string out;
    header(out, "proactive_http_requests_total", "HTTP requests answered, by route template and status.");
    for (const auto& [route, byStatus] : m_requests)
        for (const auto& [status, value] : byStatus)
            sample(out, "proactive_http_requests_total",
                label("route", route) + "," + label("status", std::to_string(status)), value);
    header(out, "proactive_triggers_fired_total", "Offers made (polls that fired a trigger), by product and trigger.");
    for (const auto& [key, value] : m_firings)
        sample(out, "proactive_triggers_fired_total", label("product", key.first) + "," + label("trigger", key.second),
            value);
    header(out, "proactive_poll_skips_total", "Polls that made no offer, by skip reason.");
    for (const auto& [reason, value] : m_skips)
        sample(out, "proactive_poll_skips_total", label("reason", reason), value);
    header(out, "proactive_fsm_transitions_total", "State machine transitions, by event.");
    for (const auto& [event, value] : m_transitions)
        sample(out, "proactive_fsm_transitions_total", label("event", event), value);
    header(out, "proactive_events_total",
        "PostHog events taken in, by product and outcome (accepted, duplicate, rejected).");
    for (const auto& [key, value] : m_events)
        sample(out, "proactive_events_total", label("product", key.first) + "," + label("outcome", key.second), value);
    header(out, "proactive_connection_events_total",
        "Connections the service refused or closed on its own, and failed accepts, by event.");
    for (const auto& [event, value] : m_connectionEvents)
        sample(out, "proactive_connection_events_total", label("event", event), value);
    return out;
}

} // namespace proactive::service
