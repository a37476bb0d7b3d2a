#include "emit/offerevent.h"

#include <cstdio>
#include <random>

namespace proactive {

nlohmann::json toCaptureEvent(const OfferEvent& event)
{
    nlohmann::json properties = event.properties;
    properties["$session_id"] = event.sessionId;
    properties["product_id"] = event.productId;
    properties["trigger_id"] = event.triggerId;
    return { { "event", event.event }, { "uuid", event.uuid }, { "distinct_id", event.distinctId },
        { "timestamp", formatIsoTimestamp(event.at) }, { "properties", std::move(properties) } };
}

std::string newUuid()
{
    thread_local std::mt19937_64 random { std::random_device {}() };
    std::uint64_t high = random();
    std::uint64_t low = random();
    high = (high & 0xffffffffffff0fffULL) | 0x0000000000004000ULL; // version 4
    low = (low & 0x3fffffffffffffffULL) | 0x8000000000000000ULL; // RFC 4122 variant
    char text[37];
    std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(high >> 32),
        static_cast<unsigned>((high >> 16) & 0xffff), static_cast<unsigned>(high & 0xffff),
        static_cast<unsigned>(low >> 48), static_cast<unsigned long long>(low & 0xffffffffffffULL));
    return text;
}

} // namespace proactive
