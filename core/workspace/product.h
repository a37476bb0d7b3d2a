#pragma once

#include "base/clock.h"

#include <memory>
#include <string>
#include <vector>

namespace proactive {

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

struct ProactiveSettings {
    bool enabled = false;
    Duration minInterval = std::chrono::seconds(300);
    // Cooldown after the n-th dismissal (1-based); a dismissal beyond the
    // list silences the conversation until `reset`.
    std::vector<Duration> conservativeCooldowns { std::chrono::seconds(600), std::chrono::seconds(900) };
    CircuitSettings circuit;
    QuotaSettings quotas;
    Duration lookback = std::chrono::seconds(120);
    int maxActions = 50;
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
    std::shared_ptr<const TriggerSet> triggers; // never null once loaded
    // Where the triggers were read from, for diagnostics about them:
    // the file (relative to the workspace) and the JSON pointer of the array.
    std::string triggersFile;
    std::string triggersPointer;
};

} // namespace proactive
