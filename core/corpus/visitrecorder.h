#pragma once

#include "corpus/demosite.h"
#include "corpus/portablerandom.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace proactive {

// A span of milliseconds a persona draws from (PortableRandom::skewed).
struct MsSpan {
    std::int64_t lo = 0;
    std::int64_t hi = 0;
};

// Who is browsing: the same person keeps these across visits and days.
struct VisitorIdentity {
    std::string distinctId; // posthog-js's anonymous uuid, or the app's user id once identified
    std::string email; // empty: anonymous (no $set)
    std::string browser;
    std::string os;
};

// Where the events go: the product's PostHog token and the page's origin.
struct CaptureTarget {
    std::string token;
    std::string origin = "http://localhost:8765";
    std::string host = "localhost:8765";
};

// What is known about a generated session by construction; times are ms since the epoch.
struct DraftRange {
    bool helpWanted = true;
    std::int64_t fromMs = 0;
    std::int64_t toMs = 0;
    std::string answer; // helpWanted: the trigger that should answer
    std::string note;
};
struct DraftExpectation {
    bool fires = true; // false: no_offer
    std::string trigger; // empty: any trigger
    std::optional<std::int64_t> fromMs;
    std::optional<std::int64_t> toMs;
};

// One recorded session ($session_id) as JSON lines, with its labels.
struct DraftSession {
    std::string sessionId;
    std::string jsonLines; // one event per line, in time order
    std::size_t events = 0;
    std::int64_t startMs = 0; // the first event
    std::int64_t endMs = 0; // the last event
    std::vector<DraftRange> ranges;
    std::vector<DraftExpectation> expectations;
    std::vector<std::string> story; // what the user did, for the labels' notes
};

// A browser tab on the demo product as posthog-js records it: every user
// step advances a virtual clock and appends the events autocapture sends
// ($pageview on each route change, $autocapture clicks / changes / submits
// with the element chain of demosite.h, $pageleave when the tab closes).
// Like posthog-js, an event after more than 30 minutes of inactivity starts
// a new session and window id (the page state stays: the tab is the same).
class VisitRecorder final {
public:
    VisitRecorder(PortableRandom& random, VisitorIdentity identity, CaptureTarget target, std::int64_t startMs);

    std::int64_t now() const { return m_now; }
    PortableRandom& random() { return m_random; }
    DemoPage& page() { return m_page; }
    const DemoPage& page() const { return m_page; }

    void wait(MsSpan span) { m_now += m_random.skewed(span.lo, span.hi); }
    void waitExactly(std::int64_t ms) { m_now += ms; }

    // Opens the product at `path` in a new tab: a new page state and window, a $pageview.
    void open(const std::string& path);
    // Clicks a target (a link is followed: the route's $pageview comes a moment later).
    void click(DemoTarget target, const std::string& slug = {});
    // Browser Back / Forward to `path`: a $pageview and no click.
    void history(const std::string& path);
    // Clicks into a field, types for a while, leaves it: a click, then a change on blur.
    void type(DemoTarget field, MsSpan typing);
    void change(DemoTarget field);
    void submit(DemoTarget form);
    // Escape closes the dialog: autocapture records no event.
    void pressEscape() { m_page.dialogOpen = false; }
    // The tab closes: $pageleave.
    void leave();

    // Labels of the session under way (the one the next event belongs to).
    void label(DraftRange range);
    void expect(DraftExpectation expectation);
    void tell(std::string what);

    std::vector<DraftSession> finish();

private:
    void record(const char* event, const std::vector<Element>* path, const char* eventType);
    void startSession();

    PortableRandom& m_random;
    VisitorIdentity m_identity;
    CaptureTarget m_target;
    std::int64_t m_now;
    std::optional<std::int64_t> m_lastEventMs;
    DemoPage m_page;
    std::string m_windowId;
    bool m_sendIdentity = false;
    std::vector<DraftSession> m_sessions;
};

} // namespace proactive
