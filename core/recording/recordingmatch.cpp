#include "recording/recordingmatch.h"

#include <algorithm>
#include <unordered_map>

namespace proactive {

RecordingMatches matchRecordings(
    std::span<const Recording> recordings, std::span<const RecordedSession> sessions, std::vector<std::string>* notes)
{
    RecordingMatches matches;
    std::unordered_multimap<std::string_view, std::size_t> sessionsById;
    for (std::size_t i = 0; i < sessions.size(); ++i)
        sessionsById.emplace(sessions[i].summary.sessionId, i);
    std::vector<bool> sessionMatched(sessions.size(), false);
    for (std::size_t r = 0; r < recordings.size(); ++r) {
        const Recording& recording = recordings[r];
        const auto [first, last] = sessionsById.equal_range(recording.id);
        if (first == last) {
            matches.recordingsWithoutEvents.push_back({ r, recording.id,
                recording.id.empty() ? "the recording has no id (name the file after PostHog's $session_id)"
                                     : "no imported event has $session_id " + recording.id });
            continue;
        }
        for (auto it = first; it != last; ++it) {
            const RecordedSession& session = sessions[it->second];
            matches.pairs.push_back({ r, it->second });
            sessionMatched[it->second] = true;
            if (notes && (recording.end() < session.summary.start || recording.start() > session.summary.end))
                notes->push_back("recording " + recording.id + " and its session of " + session.summary.productId
                    + " do not overlap in time");
        }
    }
    for (std::size_t s = 0; s < sessions.size(); ++s)
        if (!sessionMatched[s])
            matches.sessionsWithoutRecording.push_back({ s, sessions[s].summary.sessionId,
                "no recording with id " + sessions[s].summary.sessionId + " was imported" });
    // Pairs in session order, so the browser lists them as it lists sessions.
    std::ranges::sort(matches.pairs, {}, &RecordingMatches::Pair::session);
    return matches;
}

} // namespace proactive
