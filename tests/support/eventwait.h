#pragma once

// Waiting in tests and benchmarks without QTest's sleeps.
//
// QTest::qWait, QTest::qWaitFor and the QTRY_* macros process the pending
// events, then sleep 10 ms, in a loop. QtWebEngine loads a page through
// hundreds of short hand-offs on the GUI thread, and every one of them then
// waits out such a sleep: the demo product, painted 0.2 s after the load
// starts in the studio, took 4 s under qWaitFor. These wait in a real event
// loop instead, which wakes as soon as anything arrives.

#include <QTest>
#include <functional>

namespace proactive::testing {

constexpr int kDefaultWaitMs = 5000;

// Runs the event loop until `predicate` holds or `timeoutMs` passed; returns
// the predicate's last value. The predicate may itself wait (it is never
// re-entered).
bool waitFor(const std::function<bool()>& predicate, int timeoutMs = kDefaultWaitMs);

// Runs the event loop for `ms` milliseconds.
void wait(int ms);

} // namespace proactive::testing

// QTRY_VERIFY and QTRY_COMPARE on top of waitFor.
#define TRY_VERIFY_WITH_TIMEOUT(expr, timeoutMs)                                                                       \
    do {                                                                                                               \
        proactive::testing::waitFor([&] { return static_cast<bool>(expr); }, timeoutMs);                               \
        QVERIFY(expr);                                                                                                 \
    } while (false)
#define TRY_VERIFY(expr) TRY_VERIFY_WITH_TIMEOUT(expr, proactive::testing::kDefaultWaitMs)
#define TRY_VERIFY2_WITH_TIMEOUT(expr, message, timeoutMs)                                                             \
    do {                                                                                                               \
        proactive::testing::waitFor([&] { return static_cast<bool>(expr); }, timeoutMs);                               \
        QVERIFY2(expr, message);                                                                                       \
    } while (false)
#define TRY_COMPARE_WITH_TIMEOUT(expr, expected, timeoutMs)                                                            \
    do {                                                                                                               \
        proactive::testing::waitFor([&] { return (expr) == (expected); }, timeoutMs);                                  \
        QCOMPARE(expr, expected);                                                                                      \
    } while (false)
#define TRY_COMPARE(expr, expected) TRY_COMPARE_WITH_TIMEOUT(expr, expected, proactive::testing::kDefaultWaitMs)
