#pragma once

#include "base/clock.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace proactive {

// rrweb's event types (@rrweb/types EventType): what a recording is made of.
enum class RrwebEventType : int {
    DomContentLoaded = 0,
    Load = 1,
    FullSnapshot = 2,
    IncrementalSnapshot = 3,
    Meta = 4,
    Custom = 5,
    Plugin = 6,
};

// One rrweb event. Only its type and time are read; the rest is kept as the
// compact JSON text (as nlohmann writes it: keys sorted), which is what the Replayer is handed and what
// an export writes, so nothing a newer rrweb adds is lost on the way.
struct RecordingEvent {
    int type = 0;
    std::int64_t timestamp = 0; // ms since the epoch, as rrweb writes it
    std::string json;

    bool operator==(const RecordingEvent&) const = default;
};

// The events of one browser window (PostHog's $window_id), ordered by time.
struct RecordingWindow {
    std::string windowId;
    std::vector<RecordingEvent> events;

    std::size_t count(RrwebEventType type) const;
    bool operator==(const RecordingWindow&) const = default;
};

// A visual recording of one session: PostHog's session recording, whose id
// is the events' $session_id. Windows in the order they were first seen.
struct Recording {
    std::string id;
    std::vector<RecordingWindow> windows;

    bool empty() const;
    std::size_t eventCount() const;
    // The earliest and latest event of any window; the epoch when empty.
    Timestamp start() const;
    Timestamp end() const;
    // The window the Replayer shows: the one with the most events (a
    // recording of several windows is mostly one window and a few pop-ups).
    // Null when there is none.
    const RecordingWindow* mainWindow() const;

    bool operator==(const Recording&) const = default;
};

// An event of `type` at `timestamp` with `dataJson` (valid JSON) as its data,
// its text written as a read event's is (nlohmann's compact dump).
RecordingEvent makeRecordingEvent(int type, std::int64_t timestamp, const std::string& dataJson);

} // namespace proactive
