#pragma once

// The demo product recorded with the real rrweb in a real QtWebEngine view
// (issue 16): the recordings the visual replay's tests read are made here,
// at test time, never written by hand.

#include "eventwait.h"
#include "pagebridge.h"
#include "recording/recording.h"
#include "sessionrecorder.h"
#include "staticsiteserver.h"
#include "webpagetesting.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <QWebEngineProfile>
#include <QWebEngineView>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

namespace proactive::testing {

inline constexpr int kRecordingWaitMs = 30'000;

// A string literal for JavaScript.
inline QString jsQuoted(const QString& text)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray { text }).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

// The events of `type` (and of an incremental snapshot's `source`, when given).
inline std::size_t countEvents(const Recording& recording, RrwebEventType type, int source = -1)
{
    std::size_t count = 0;
    for (const RecordingWindow& window : recording.windows)
        for (const RecordingEvent& event : window.events) {
            if (event.type != int(type))
                continue;
            if (source >= 0) {
                const nlohmann::json parsed = nlohmann::json::parse(event.json, nullptr, false);
                const nlohmann::json* data = parsed.is_object() && parsed.contains("data") ? &parsed["data"] : nullptr;
                if (!data || !data->is_object() || data->value("source", -1) != source)
                    continue;
            }
            ++count;
        }
    return count;
}

// The demo product in a view of its own, recorded by a SessionRecorder.
class DemoRecorder {
public:
    DemoRecorder()
        : m_profile(std::make_unique<QWebEngineProfile>())
        , m_page(std::make_unique<ConsolePage>(m_profile.get(), &m_console))
        , m_bridge(std::make_unique<ui::PageBridge>(m_page.get()))
        , m_recorder(std::make_unique<ui::SessionRecorder>(*m_bridge))
    {
        m_view.setPage(m_page.get());
        m_view.resize(1280, 800);
    }

    bool start(const QString& recordingId, bool maskInputs = true)
    {
        if (!m_server.start(QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-product")))
            return false;
        m_view.show();
        if (!QTest::qWaitForWindowExposed(&m_view))
            return false;
        m_recorder->start(recordingId, maskInputs);
        return true;
    }

    // A full page load, then the router's first render and rrweb's full snapshot of it.
    bool load(const QString& path)
    {
        const std::size_t fullSnapshots = count(RrwebEventType::FullSnapshot);
        QSignalSpy loaded(m_page.get(), &QWebEnginePage::loadFinished);
        m_page->load(m_server.url(path));
        return waitFor([&] { return !loaded.isEmpty(); }, kRecordingWaitMs) && loaded.first().first().toBool()
            && waitFor([&] { return count(RrwebEventType::FullSnapshot) > fullSnapshots; }, kRecordingWaitMs);
    }

    // A real mouse click in the middle of the element, then the recorded click.
    bool click(const QString& selector)
    {
        const QJsonObject centre = evaluateJson(*m_page, uR"((() => {
            const element = document.querySelector(%1);
            if (!element) return null;
            const r = element.getBoundingClientRect();
            return { x: Math.round(r.x + r.width / 2), y: Math.round(r.y + r.height / 2) };
        })())"_qs.arg(jsQuoted(selector)))
                                       .toObject();
        if (centre.isEmpty())
            return false;
        const std::size_t interactions = count(RrwebEventType::IncrementalSnapshot, kMouseInteraction);
        QTest::mouseClick(m_view.focusProxy(), Qt::LeftButton, {}, QPoint(centre[u"x"].toInt(), centre[u"y"].toInt()));
        return waitFor([&] { return count(RrwebEventType::IncrementalSnapshot, kMouseInteraction) > interactions; },
            kRecordingWaitMs);
    }

    // Real key presses into the focused element, then the recorded input.
    bool type(const QString& text)
    {
        const std::size_t inputs = count(RrwebEventType::IncrementalSnapshot, kInput);
        QTest::keyClicks(m_view.focusProxy(), text);
        return waitFor([&] { return count(RrwebEventType::IncrementalSnapshot, kInput) > inputs; }, kRecordingWaitMs);
    }

    // Waits until the page shows `selector` (an in-app navigation's render).
    bool waitForElement(const QString& selector)
    {
        return waitFor(
            [&] { return evaluateJson(*m_page, u"!!document.querySelector(%1)"_qs.arg(jsQuoted(selector))).toBool(); },
            kRecordingWaitMs);
    }

    // Waits for the recorder to have every event rrweb emitted so far (the
    // batches leave the page at most every 250 ms).
    bool settle()
    {
        const std::size_t before = m_recorder->recording().eventCount();
        // A mutation the page would not make itself: its record is the last event.
        evaluateJson(*m_page, u"document.body.setAttribute('data-settle', String(Date.now()))"_qs);
        return waitFor([&] { return m_recorder->recording().eventCount() > before; }, kRecordingWaitMs);
    }

    std::size_t count(RrwebEventType type, int source = -1) const
    {
        return countEvents(m_recorder->recording(), type, source);
    }

    ui::SessionRecorder& recorder() { return *m_recorder; }
    QWebEnginePage& page() { return *m_page; }
    QWebEngineView& view() { return m_view; }
    const QStringList& console() const { return m_console; }

    // rrweb's IncrementalSource values.
    static constexpr int kMutation = 0;
    static constexpr int kMouseInteraction = 2;
    static constexpr int kInput = 5;

private:
    ui::StaticSiteServer m_server;
    QStringList m_console;
    std::unique_ptr<QWebEngineProfile> m_profile;
    std::unique_ptr<ConsolePage> m_page;
    std::unique_ptr<ui::PageBridge> m_bridge;
    std::unique_ptr<ui::SessionRecorder> m_recorder;
    QWebEngineView m_view;
};

// The demo product's session every visual test replays: /projects, a search
// typed ("apo", masked), the Apollo project opened by a click (an in-app
// navigation), then the account settings loaded afresh (a second full
// snapshot). Null when any step failed (the console says why).
inline std::optional<Recording> recordDemoSession(const QString& recordingId, QStringList* console = nullptr)
{
    DemoRecorder demo;
    const bool ok = demo.start(recordingId) && demo.load(u"/projects"_qs)
        && demo.click(u"[data-tour-id=\"project-search-input\"]"_qs) && demo.type(u"apo"_qs)
        && demo.click(u"li.project a"_qs) && demo.waitForElement(u"[data-tour-id=\"invite-email-input\"]"_qs)
        && demo.settle() && demo.load(u"/settings/account"_qs) && demo.settle();
    if (console)
        *console = demo.console();
    if (!ok)
        return std::nullopt;
    demo.recorder().stop();
    return demo.recorder().recording();
}

} // namespace proactive::testing
