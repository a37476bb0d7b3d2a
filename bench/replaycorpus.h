#pragma once

// Shared by the replay benches: a generated corpus of sessions that wander
// the demo product, and the same corpus as a PostHog JSON lines export.

#include "intake/action.h"

#include <chrono>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace proactive::bench {

// Sessions that wander the demo product: project lists and pages, project
// settings, account settings, with clicks on Add Project and Cancel; gaps of
// 1–20 s (sometimes a minute of reading), so that every trigger of the demo
// workspace gets its chance.
inline std::vector<std::vector<Action>> generateReplayCorpus(int sessions, int actionsPerSession)
{
    static const char* kPages[] = { "/projects", "/projects/apollo", "/projects/zephyr", "/projects/apollo/settings",
        "/projects/zephyr/settings", "/settings/account", "/billing", "/docs/getting-started" };
    std::mt19937 random(42);
    std::uniform_int_distribution<int> page(0, 7);
    std::uniform_int_distribution<int> percent(0, 99);
    std::uniform_int_distribution<int> gapMs(1000, 20000);
    std::vector<std::vector<Action>> corpus(static_cast<std::size_t>(sessions));
    const Timestamp day = fromEpochMs(1'793'611'800'000); // 2026-11-02T09:30:00Z
    for (int s = 0; s < sessions; ++s) {
        auto& actions = corpus[static_cast<std::size_t>(s)];
        actions.reserve(static_cast<std::size_t>(actionsPerSession));
        const std::string sessionId = "0193a1b2-c3d4-7e5f-8a9b-" + std::to_string(100000000000 + s);
        Timestamp at = day + std::chrono::minutes(s % 600);
        std::string url = kPages[0];
        for (int i = 0; i < actionsPerSession; ++i) {
            Action action;
            action.sessionId = sessionId;
            action.distinctId = "user-" + std::to_string(s % 3000);
            action.uuid = "01890000-0000-7000-8000-" + std::to_string(100000000000LL + s * 1000LL + i);
            const int roll = percent(random);
            if (roll < 45) {
                url = kPages[page(random)];
                action.type = ActionType::Pageview;
                action.event = "$pageview";
            } else {
                action.type = ActionType::Click;
                action.event = "$autocapture";
                action.element.tag = "button";
                if (roll < 60) {
                    action.element.text = "Add Project";
                    action.element.attrs = { { "data-tour-id", "add-project-btn" } };
                    action.element.selector = "[data-tour-id=\"add-project-btn\"]";
                } else if (roll < 70) {
                    action.element.text = "Cancel";
                    action.element.selector = "button";
                } else {
                    action.element.text = "Open";
                    action.element.selector = "button";
                }
            }
            action.rawUrl = "http://localhost:8765" + url;
            action.timestampStart = at;
            at += Duration(percent(random) < 3 ? 60000 : gapMs(random));
            actions.push_back(std::move(action));
        }
    }
    return corpus;
}

// One action as posthog-js would have captured it, as the events API
// exports it: one JSON line with the usual `$` properties of a browser
// (about 650 bytes, as real exports have).
inline std::string exportLine(const Action& action)
{
    const auto pathStart = action.rawUrl.find('/', action.rawUrl.find("//") + 2);
    nlohmann::json properties { { "$session_id", action.sessionId }, { "$current_url", action.rawUrl },
        { "$host", "localhost:8765" }, { "$pathname", action.rawUrl.substr(pathStart) }, { "$os", "Mac OS X" },
        { "$browser", "Chrome" }, { "$device_type", "Desktop" }, { "$browser_version", 131 },
        { "$screen_height", 982 }, { "$screen_width", 1512 }, { "$lib", "web" }, { "$lib_version", "1.194.2" },
        { "$referrer", "$direct" }, { "$insert_id", action.uuid.substr(24) }, { "plan", "team" },
        { "token", "phc_demo_acme_projects" } };
    if (action.type == ActionType::Click) {
        properties["$event_type"] = "click";
        properties["$elements_chain"] = "button:text=\"" + action.element.text + "\"nth-child=\"1\"";
    }
    const nlohmann::json event { { "uuid", action.uuid }, { "event", action.event },
        { "distinct_id", action.distinctId }, { "timestamp", formatIsoTimestamp(action.timestampStart) },
        { "properties", properties } };
    std::string line = event.dump();
    line += '\n';
    return line;
}

} // namespace proactive::bench
