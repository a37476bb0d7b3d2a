#include "impact/twoproportions.h"

#include <algorithm>
#include <cmath>

namespace proactive {

Interval wilsonInterval(std::size_t successes, std::size_t trials, double z)
{
    if (trials == 0)
        return { 0, 1 };
    const double n = static_cast<double>(trials);
    const double p = static_cast<double>(successes) / n;
    const double z2 = z * z;
    const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    const double half = z / (1 + z2 / n) * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    // At 0 and 1 the bound is exact in theory; keep rounding from leaving [0, 1].
    return { successes == 0 ? 0.0 : std::max(0.0, centre - half),
        successes == trials ? 1.0 : std::min(1.0, centre + half) };
}

Interval newcombeDifference(
    std::size_t successes1, std::size_t trials1, std::size_t successes2, std::size_t trials2, double z)
{
    const double p1 = trials1 ? static_cast<double>(successes1) / static_cast<double>(trials1) : 0;
    const double p2 = trials2 ? static_cast<double>(successes2) / static_cast<double>(trials2) : 0;
    const Interval a = wilsonInterval(successes1, trials1, z);
    const Interval b = wilsonInterval(successes2, trials2, z);
    const double d = p1 - p2;
    return { d - std::hypot(p1 - a.lower, b.upper - p2), d + std::hypot(a.upper - p1, p2 - b.lower) };
}

std::optional<std::string> SampleRule::tooSmall(std::size_t users, std::size_t successes) const
{
    if (users < minUsers)
        return std::to_string(users) + (users == 1 ? " user" : " users") + " < " + std::to_string(minUsers);
    if (successes < minSuccesses)
        return std::to_string(successes) + " reached the goal < " + std::to_string(minSuccesses);
    const std::size_t failures = users - successes;
    if (failures < minFailures)
        return std::to_string(failures) + " did not reach the goal < " + std::to_string(minFailures);
    return std::nullopt;
}

} // namespace proactive
