#pragma once

#include "base/result.h"
#include "workspace/workspace.h"

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace proactive {

// One numeric trigger or gate setting set by path, for sweeps and what-ifs:
//
//   proactive.<setting>          a gate setting of the product: min_interval_s,
//                                lookback_s, max_actions, conservative_cooldowns_s.<i>,
//                                circuit.failures, circuit.pause_s,
//                                quotas.product_per_minute|session_per_hour|user_per_day
//   <trigger-id>.<field>         interaction_timeout_s or cooldown_s of that trigger,
//                                else every numeric parameter of that name in its
//                                conditions ("ping-pong.min_cycles")
//   <trigger-id>.<kind>.<param>  the parameter of that trigger's conditions of a kind
//                                ("account-settings-dwell.user_page_dwell.threshold_s")
//   <kind>.<param>               the parameter of every condition of that kind in
//                                every trigger of the product ("user_page_dwell.threshold_s",
//                                "idle.at_least_s", "count.within_s")
//
// "proactive" comes first, then trigger ids (the longest that matches), then
// condition kinds. The edited triggers are checked by the trigger parser, so
// a value out of range is refused with its reason.
struct SettingOverride {
    std::string path;
    double value = 0;

    // "path=value"
    static Result<SettingOverride> parse(std::string_view text);
    // "path=value" with the shortest form of the value ("45", "0.5").
    std::string toString() const;
    bool operator==(const SettingOverride&) const = default;
};

// The product with the overrides applied in order. Errors name the path:
// an unknown one lists what the product has.
Result<Product> applyOverrides(const Product& product, std::span<const SettingOverride> overrides);
// The same on a workspace's product.
Result<std::shared_ptr<const Workspace>> applyOverrides(
    const Workspace& workspace, std::string_view productId, std::span<const SettingOverride> overrides);

// Every numeric setting of the product by its most specific path, with its
// current value: what a sweep can vary (the studio's sweep picker).
std::vector<std::pair<std::string, double>> numericSettings(const Product& product);

// Formats a setting value without trailing zeros: 45, 0.5, 1e-06.
std::string formatSettingValue(double value);

} // namespace proactive
