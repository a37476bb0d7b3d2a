#include "eventwait.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QTimer>

namespace proactive::testing {

namespace {

    // Often enough that a condition is seen within a frame; each check may
    // cost a round trip to the page.
    constexpr int kPollMs = 5;

} // namespace

bool waitFor(const std::function<bool()>& predicate, int timeoutMs)
{
    if (predicate())
        return true;
    const QDeadlineTimer deadline(timeoutMs, Qt::PreciseTimer);
    bool satisfied = false;
    bool checking = false;
    QEventLoop loop;
    QTimer poll;
    poll.setTimerType(Qt::PreciseTimer);
    poll.setInterval(kPollMs);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (checking)
            return;
        checking = true;
        satisfied = predicate();
        checking = false;
        if (satisfied || deadline.hasExpired())
            loop.quit();
    });
    poll.start();
    loop.exec();
    return satisfied;
}

void wait(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, Qt::PreciseTimer, &loop, &QEventLoop::quit);
    loop.exec();
}

} // namespace proactive::testing
