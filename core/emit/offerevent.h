#pragma once

#include "base/clock.h"

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

// Where a product's offer events go (issue 18): a PostHog project's capture
// API. The key is the project token (phc_…), read from the environment.
struct PostHogExport {
    std::string host; // "https://eu.i.posthog.com": events are POSTed to host + "/batch/"
    std::string apiKey; // never logged
};

// The events the connector sends back to PostHog about its offers.
namespace offerevent {
    inline constexpr std::string_view Shown = "proactive offer shown";
    inline constexpr std::string_view Accepted = "proactive offer accepted"; // property channel: chat | tour
    inline constexpr std::string_view Dismissed = "proactive offer dismissed";
    inline constexpr std::string_view Expired = "proactive offer expired";
    inline constexpr std::string_view Holdout = "proactive holdout"; // a held-out user's "would have offered"
    inline constexpr std::string_view TourCompleted = "proactive tour completed";
    inline constexpr std::string_view TourAbandoned = "proactive tour abandoned";
    inline constexpr std::string_view TourStepShown = "proactive tour step shown";
    inline constexpr std::string_view TourTargetMissing = "proactive tour target missing"; // property reason
} // namespace offerevent

// One such event. The uuid is made once, when the event is: a retry sends
// the same one, and the receiver drops what it already has.
struct OfferEvent {
    std::string uuid;
    std::string event;
    std::string productId;
    std::string distinctId;
    std::string sessionId;
    std::string triggerId;
    Timestamp at {};
    // Besides trigger_id and $session_id: channel, experiment, experiment_arm, experiment_bucket.
    nlohmann::json properties = nlohmann::json::object();
};

// The event as the capture API takes it in a batch:
// {event, uuid, distinct_id, timestamp, properties: {$session_id, trigger_id, product_id, …}}.
nlohmann::json toCaptureEvent(const OfferEvent& event);

// A random (version 4) UUID in its canonical form.
std::string newUuid();

// Receives the offer events of every product that exports them, in the
// order they happened, right after the change they describe was committed.
class OfferEventSink {
public:
    virtual ~OfferEventSink() = default;
    virtual void record(std::vector<OfferEvent> events) = 0;
};

} // namespace proactive
