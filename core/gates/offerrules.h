#pragma once

#include "store/store.h"
#include "triggers/trigger.h"
#include "workspace/product.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

// The rules of SPEC §8 "§3 Frequency and experiments" as pure functions over
// a user's offer history: the gate pipeline asks them about each trigger
// that matched, and records what an offer (or a held-out one) adds.

// The keys a user's history is kept under (see UserHistoryEvent): written
// under the session's distinct id and email, read also under its linked
// (anonymous) id, so history made before `$identify` still counts. A
// session without a distinct id is its own user.
struct UserKeys {
    std::vector<std::string> written;
    std::vector<std::string> read;
};
UserKeys userKeysOf(const SessionRecord* session, std::string_view sessionId);

// Appends the events that rebuild `history` under `userKey` in another
// store: one offer per remembered offer time, the interactions at the
// latest one. Every rule reads the same from the copy (max_per_user's N is
// at most the times remembered); only `offers` beyond them is not carried.
void appendEvents(std::vector<UserHistoryEvent>& events, const std::string& productId, const std::string& userKey,
    const TriggerHistory& history);

// A user's history under all of their keys, merged per trigger: the same
// offer recorded under two keys counts once (equal times are one offer).
class OfferHistory {
public:
    OfferHistory() = default;
    OfferHistory(const Store& store, std::string_view productId, const std::vector<std::string>& keys);

    const TriggerHistory* of(std::string_view triggerId) const;
    // The user's latest offer of any trigger, or of a trigger recorded with
    // this group.
    std::optional<Timestamp> lastOffer(const std::string* group = nullptr) const;

private:
    std::vector<TriggerHistory> m_triggers;
};

// The verdict of one rule on one trigger, with the numbers behind it.
struct RuleCheck {
    std::string_view reason; // the skip reason; empty when it passes
    nlohmann::json numbers;
    bool passes() const { return reason.empty(); }
};

// frequency: once / until_interacted / max_per_user (SPEC §8).
RuleCheck checkFrequency(const TriggerDefinition& trigger, const OfferHistory& history, Timestamp now, bool explain);
// wait_after_offer_s, for the whole product or the trigger's group.
RuleCheck checkWait(const TriggerDefinition& trigger, const ProactiveSettings& settings, const OfferHistory& history,
    Timestamp now, bool explain);

// Which arm of an experiment a user is in. bucket = FNV-1a 64 of
// "<experiment>\x1f<user id>" modulo 10000; the user is held out when
// bucket < percent × 100 (rounded to whole buckets), so 12.5 % holds out
// buckets 0–1249. The same
// ids give the same bucket on every platform, process and version.
struct HoldoutAssignment {
    static constexpr std::uint32_t kBuckets = 10000;
    std::string experiment;
    std::uint32_t bucket = 0;
    double percent = 0;
    bool heldOut = false;
    std::string_view arm() const { return heldOut ? "holdout" : "offered"; }
    nlohmann::json toJson() const;
};
HoldoutAssignment assignHoldout(std::string_view experiment, std::string_view userId, double percent);

// The holdout that applies to a trigger: its own holdout_percent, else the
// product's; none when that is 0. The experiment id is the trigger's
// `experiment` when set, else the trigger id for its own holdout, else the
// product's `experiment`, else the product id.
struct Experiment {
    std::string id;
    double percent = 0;
};
std::optional<Experiment> experimentOf(const TriggerDefinition& trigger, const Product& product);

} // namespace proactive
