#pragma once

#include "gates/decision.h"
#include "store/store.h"
#include "workspace/product.h"

namespace proactive {

// One /context poll (SPEC §3).
struct PollRequest {
    const Product& product;
    SessionKey session;
    ConversationKey conversation;
    Timestamp now {};
    bool explain = false;
};

// Skip reasons, in gate order (SPEC §3).
namespace skip {
    inline constexpr std::string_view ProductDisabled = "product:disabled";
    inline constexpr std::string_view FsmConservativeCooldown = "fsm:conservative_cooldown";
    inline constexpr std::string_view FsmWrongState = "fsm:wrong_state";
    inline constexpr std::string_view CircuitOpen = "resilience:circuit_open";
    inline constexpr std::string_view MinInterval = "resilience:min_interval";
    inline constexpr std::string_view NoTrigger = "no_trigger";
    inline constexpr std::string_view TriggerCooldown = "trigger:cooldown";
    inline constexpr std::string_view FrequencyOnce = "frequency:once";
    inline constexpr std::string_view FrequencyUntilInteracted = "frequency:until_interacted";
    inline constexpr std::string_view FrequencyMaxPerUser = "frequency:max_per_user";
    inline constexpr std::string_view WaitGroup = "wait:group";
    inline constexpr std::string_view ExperimentHoldout = "experiment:holdout";
    inline constexpr std::string_view QuotaProductMinute = "quota:product_minute";
    inline constexpr std::string_view QuotaSessionHour = "quota:session_hour";
    inline constexpr std::string_view QuotaUserDay = "quota:user_day";
} // namespace skip

// The gates of SPEC §3 in order: product opt-in → FSM → resilience →
// triggers → [frequency → wait → experiment] → quotas → bookkeeping; the
// bracketed gates of SPEC §8 are reported only for a product that uses
// them (a frequency rule, a wait, a holdout). Reads the store, never writes it: every
// change the poll makes (expiry, circuit counts, the firing) goes into
// `write` so that the caller commits one poll atomically.
class GatePipeline final {
public:
    explicit GatePipeline(const Store& store)
        : m_store(store)
    { }

    Decision run(const PollRequest& request, StoreWrite& write) const;

    // Evaluates every trigger of the product against the session as it is
    // now, ignoring the other gates: what the studio's trigger panel shows.
    std::vector<TriggerReport> explainTriggers(const Product& product, const SessionKey& session, Timestamp now) const;

private:
    const Store& m_store;
};

} // namespace proactive
