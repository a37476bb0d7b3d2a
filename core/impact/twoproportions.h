#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace proactive {

// The statistics of the impact report (docs/decisions.md, "Impact report:
// the interval and when to say too small"): plain arithmetic, no I/O.

// z for a two-sided 95 % interval.
inline constexpr double kZ95 = 1.959963984540054;

struct Interval {
    double lower = 0;
    double upper = 0;
};

// The Wilson score interval of `successes` out of `trials` (Newcombe 1998b,
// method 3, without continuity correction). No trials: [0, 1].
Interval wilsonInterval(std::size_t successes, std::size_t trials, double z = kZ95);

// The interval of p1 − p2 for two independent proportions by Newcombe's
// hybrid score method (Newcombe 1998a, method 10), from the two Wilson
// intervals:
//   lower = d − √((p1 − l1)² + (u2 − p2)²),  upper = d + √((u1 − p1)² + (p2 − l2)²).
// It stays within [−1, 1] and behaves at 0 % and 100 %, where the Wald
// interval collapses.
Interval newcombeDifference(
    std::size_t successes1, std::size_t trials1, std::size_t successes2, std::size_t trials2, double z = kZ95);

// When an arm is too small for its rate to mean anything: fewer users than
// minUsers, or fewer than minSuccesses or minFailures among them (the usual
// rule of thumb under which the normal approximation behind a score interval
// is poor and one user moves the rate by points).
struct SampleRule {
    std::size_t minUsers = 30;
    std::size_t minSuccesses = 5;
    std::size_t minFailures = 5;

    // Why an arm of `users` with `successes` is too small ("12 users < 30"),
    // none when it is large enough.
    std::optional<std::string> tooSmall(std::size_t users, std::size_t successes) const;
};

} // namespace proactive
