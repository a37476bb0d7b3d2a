#pragma once

#include "recording/recording.h"
#include "replay/sessionimport.h"

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace proactive {

// Which imported recordings belong to which event sessions: PostHog's
// recording id is the events' $session_id. A session id is unique per
// product, and a recording knows no product, so a recording goes with every
// session of its id (normally one).
struct RecordingMatches {
    struct Pair {
        std::size_t recording; // index into the recordings
        std::size_t session; // index into the sessions
        bool operator==(const Pair&) const = default;
    };
    struct Unmatched {
        std::size_t index;
        std::string id;
        std::string reason; // a sentence for the session browser
        bool operator==(const Unmatched&) const = default;
    };
    std::vector<Pair> pairs;
    std::vector<Unmatched> recordingsWithoutEvents;
    std::vector<Unmatched> sessionsWithoutRecording;
};

// Also pairs a recording whose time does not overlap its session's (a
// clock moved, a reused id), but says so in `notes`.
RecordingMatches matchRecordings(std::span<const Recording> recordings, std::span<const RecordedSession> sessions,
    std::vector<std::string>* notes = nullptr);

} // namespace proactive
