#pragma once

#include "base/clock.h"
#include "emit/offerevent.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace proactive {

class EventMatcher;
class TriggerSet;

struct CircuitSettings {
    int failures = 5; // consecutive evaluation failures that open the breaker
    Duration pause = std::chrono::seconds(120);
};

// 0 means "no quota" for each.
struct QuotaSettings {
    int productPerMinute = 0;
    int sessionPerHour = 0;
    int userPerDay = 0;
};

// How long the connector keeps a session and how fast it lets new ones in
// (SPEC §8 retention; issue 13). A bound of 0 means no bound.
struct SessionSettings {
    // A session with no activity for this long is dropped with its actions.
    // Unset: kPostHogSessionTimeout + the product's lookback.
    std::optional<Duration> retention;
    int maxNewPerRequest = 100; // new sessions one ingest (one HTTP request) may open
    int maxNewPerSecond = 1000; // new sessions the product may open within one second of the clock
};

// posthog-js starts a new session after 30 minutes without activity.
inline constexpr Duration kPostHogSessionTimeout = std::chrono::minutes(30);

struct ProactiveSettings {
    bool enabled = false;
    Duration minInterval = std::chrono::seconds(300);
    // Cooldown after the n-th dismissal (1-based); a dismissal beyond the
    // list silences the conversation until `reset`.
    std::vector<Duration> conservativeCooldowns { std::chrono::seconds(600), std::chrono::seconds(900) };
    // An answer to an offer this long after its interaction timeout expired
    // it still counts as the answer to it (SPEC §8 "§2 Late answers").
    Duration lateAnswerGrace = std::chrono::seconds(60);
    CircuitSettings circuit;
    QuotaSettings quotas;
    Duration lookback = std::chrono::seconds(120);
    int maxActions = 50;
    // SPEC §8 "§3 Frequency and experiments". After an offer to a user, no
    // other offer to that user for this long (0: off): any offer of the
    // product, or with WaitScope::Group only offers of triggers of the same
    // `group` (triggers without a group then do not wait).
    enum class WaitScope : std::uint8_t { Product, Group };
    Duration waitAfterOffer { 0 };
    WaitScope waitScope = WaitScope::Product;
    // Share of users (0–50 %) held out of every trigger without its own
    // holdout_percent, in the experiment `experiment` (empty: the product id).
    double holdoutPercent = 0;
    std::string experiment;
};

// One row of products.json.
struct Product {
    std::string id; // numeric ids are normalised to their decimal string
    std::string name;
    std::string webhookSecret; // resolved secret; never logged
    std::string posthogToken;
    std::vector<std::string> routes; // "/projects/:slug/settings"
    std::vector<std::string> corsOrigins; // empty: any origin on localhost
    ProactiveSettings proactive;
    SessionSettings sessions;
    // Offer events back to PostHog (issue 18); none: off (the default, or
    // the token's variable is unset).
    std::optional<PostHogExport> posthogExport;
    // What counts as reaching the goal the impact report measures offers
    // against (`"goal": {"event": "project created"}`, the trigger matchers'
    // fields, docs/triggers.md); null: no goal, no impact report.
    std::shared_ptr<const EventMatcher> goal;
    std::shared_ptr<const TriggerSet> triggers; // never null once loaded
    // Where the triggers were read from, for diagnostics about them:
    // the file (relative to the workspace) and the JSON pointer of the array.
    std::string triggersFile;
    std::string triggersPointer;
};

// The product's session_retention_s, its default resolved.
inline Duration sessionRetention(const Product& product)
{
    return product.sessions.retention.value_or(kPostHogSessionTimeout + product.proactive.lookback);
}

} // namespace proactive
