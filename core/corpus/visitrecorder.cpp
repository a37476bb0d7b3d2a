#include "corpus/visitrecorder.h"

#include "base/clock.h"
#include "intake/elementschain.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

namespace proactive {

namespace {

    // posthog-js: a session ends after 30 minutes without activity.
    constexpr std::int64_t kSessionIdleMs = 30 * 60 * 1000;
    // From a click on a link to the route's $pageview (history.pushState, render, capture).
    constexpr MsSpan kNavigationMs { 60, 400 };
    // From the blur's change to the click that caused it, and from a submit button's click to the form's submit.
    constexpr MsSpan kSameGestureMs { 2, 40 };

} // namespace

VisitRecorder::VisitRecorder(
    PortableRandom& random, VisitorIdentity identity, CaptureTarget target, std::int64_t startMs)
    : m_random(random)
    , m_identity(std::move(identity))
    , m_target(std::move(target))
    , m_now(startMs)
{ }

void VisitRecorder::startSession()
{
    DraftSession session;
    session.sessionId = m_random.uuidV7(m_now);
    m_windowId = m_random.uuidV7(m_now);
    m_sessions.push_back(std::move(session));
}

void VisitRecorder::open(const std::string& path)
{
    m_page = DemoPage();
    m_page.navigate(path);
    m_windowId = m_random.uuidV7(m_now);
    // Apps identify their signed-in user on every page load; posthog-js then sends $set with the next event.
    m_sendIdentity = !m_identity.email.empty();
    record("$pageview", nullptr, nullptr);
}

void VisitRecorder::click(DemoTarget target, const std::string& slug)
{
    const auto path = demoElementPath(target, m_page, slug);
    record("$autocapture", &path, "click");
    const std::string destination = demoLinkPath(target, m_page, slug);
    if (!destination.empty()) {
        wait(kNavigationMs);
        if (destination != m_page.path()) {
            m_page.navigate(destination);
            record("$pageview", nullptr, nullptr);
        } else {
            m_page.navigate(destination); // same URL: the router renders again, posthog-js sees no route change
        }
        return;
    }
    switch (target) {
    case DemoTarget::AddProject:
        m_page.dialogOpen = true;
        break;
    case DemoTarget::DialogCancel:
        m_page.dialogOpen = false;
        break;
    case DemoTarget::InviteButton:
        m_page.inviteFormOpen = !m_page.inviteFormOpen;
        break;
    case DemoTarget::ChangePassword:
        m_page.passwordFormOpen = !m_page.passwordFormOpen;
        break;
    default:
        break;
    }
}

void VisitRecorder::history(const std::string& path)
{
    wait(kNavigationMs);
    m_page.navigate(path);
    record("$pageview", nullptr, nullptr);
}

void VisitRecorder::type(DemoTarget field, MsSpan typing)
{
    click(field);
    wait(typing);
    change(field);
    // The change is sent on blur, when the next click starts: that click comes a moment after.
    wait(kSameGestureMs);
}

void VisitRecorder::change(DemoTarget field)
{
    const auto path = demoElementPath(field, m_page);
    record("$autocapture", &path, "change");
}

void VisitRecorder::submit(DemoTarget form)
{
    wait(kSameGestureMs);
    const auto path = demoElementPath(form, m_page);
    record("$autocapture", &path, "submit");
}

void VisitRecorder::leave()
{
    record("$pageleave", nullptr, nullptr);
}

void VisitRecorder::record(const char* event, const std::vector<Element>* path, const char* eventType)
{
    if (m_sessions.empty() || (m_lastEventMs && m_now - *m_lastEventMs > kSessionIdleMs))
        startSession();
    m_lastEventMs = m_now;
    DraftSession& session = m_sessions.back();
    if (session.events == 0)
        session.startMs = m_now;
    session.endMs = m_now;
    ++session.events;

    nlohmann::ordered_json properties {
        { "$current_url", m_target.origin + m_page.path() },
        { "$host", m_target.host },
        { "$pathname", m_page.path() },
        { "$session_id", session.sessionId },
        { "$window_id", m_windowId },
        { "distinct_id", m_identity.distinctId },
        { "token", m_target.token },
        { "$lib", "web" },
        { "$lib_version", "1.200.0" },
        { "$browser", m_identity.browser },
        { "$os", m_identity.os },
    };
    if (m_sendIdentity) {
        properties["$set"] = { { "email", m_identity.email } };
        m_sendIdentity = false;
    }
    if (path) {
        properties["$event_type"] = eventType;
        properties["$elements_chain"] = toElementsChain(*path);
        // posthog-js reads text from links and buttons (and their spans) only.
        if (!path->empty() && !path->front().text.empty())
            properties["$el_text"] = path->front().text;
    }
    const nlohmann::ordered_json line {
        { "uuid", m_random.uuidV7(m_now) },
        { "event", event },
        { "properties", std::move(properties) },
        { "timestamp", formatIsoTimestamp(fromEpochMs(m_now)) },
    };
    session.jsonLines += line.dump();
    session.jsonLines += '\n';
}

void VisitRecorder::label(DraftRange range)
{
    m_sessions.back().ranges.push_back(std::move(range));
}

void VisitRecorder::expect(DraftExpectation expectation)
{
    m_sessions.back().expectations.push_back(std::move(expectation));
}

void VisitRecorder::tell(std::string what)
{
    if (m_sessions.empty())
        startSession();
    m_sessions.back().story.push_back(std::move(what));
}

std::vector<DraftSession> VisitRecorder::finish()
{
    std::vector<DraftSession> sessions;
    for (auto& session : m_sessions) {
        if (session.events == 0)
            continue;
        // A label ends with the session's last event at the latest: labels outside their session are errors.
        const auto clamp = [&](std::int64_t t) { return std::clamp(t, session.startMs, session.endMs); };
        for (auto& range : session.ranges) {
            range.fromMs = clamp(range.fromMs);
            range.toMs = clamp(range.toMs);
        }
        for (auto& expectation : session.expectations) {
            if (expectation.fromMs)
                expectation.fromMs = clamp(*expectation.fromMs);
            if (expectation.toMs)
                expectation.toMs = clamp(*expectation.toMs);
        }
        sessions.push_back(std::move(session));
    }
    m_sessions.clear();
    return sessions;
}

} // namespace proactive
