#include "recording/recording.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace proactive {

std::size_t RecordingWindow::count(RrwebEventType type) const
{
    return std::size_t(std::ranges::count_if(events, [type](const RecordingEvent& e) { return e.type == int(type); }));
}

bool Recording::empty() const
{
    return eventCount() == 0;
}

std::size_t Recording::eventCount() const
{
    std::size_t count = 0;
    for (const RecordingWindow& window : windows)
        count += window.events.size();
    return count;
}

Timestamp Recording::start() const
{
    std::int64_t first = 0;
    bool any = false;
    for (const RecordingWindow& window : windows)
        if (!window.events.empty() && (!any || window.events.front().timestamp < first)) {
            first = window.events.front().timestamp;
            any = true;
        }
    return Timestamp(Duration(first));
}

Timestamp Recording::end() const
{
    std::int64_t last = 0;
    for (const RecordingWindow& window : windows)
        if (!window.events.empty())
            last = std::max(last, window.events.back().timestamp);
    return Timestamp(Duration(last));
}

const RecordingWindow* Recording::mainWindow() const
{
    const RecordingWindow* main = nullptr;
    for (const RecordingWindow& window : windows)
        if (!main || window.events.size() > main->events.size())
            main = &window;
    return main;
}

RecordingEvent makeRecordingEvent(int type, std::int64_t timestamp, const std::string& dataJson)
{
    const nlohmann::json event { { "type", type }, { "data", nlohmann::json::parse(dataJson) },
        { "timestamp", timestamp } };
    return { type, timestamp, event.dump() };
}

} // namespace proactive
