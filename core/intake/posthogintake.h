#pragma once

#include "base/clock.h"
#include "base/result.h"
#include "intake/action.h"

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

class JsonTape;

// One event taken in, with the project token it was sent with.
struct IntakeEvent {
    Action action; // index -1, timestampEnd = timestampStart, not finalised yet
    std::string token; // properties.token, else the event's or the batch's api_key; may be empty
};

// What a body or a file gave: the events that could be read and one error per
// event (or document) that could not; one bad event never rejects the others.
// Error::where is "[3]" (position in an array or batch), "line 12", or
// "line 12[3]" for a batch on one line of a JSON lines file.
struct IntakeBatch {
    std::vector<IntakeEvent> events;
    std::vector<Error> errors;
};

struct IntakeOptions {
    // "Now" for events that carry only an `offset` or no time at all.
    Timestamp receivedAt {};
    // Live capture endpoints: like PostHog, move client times onto the server
    // clock by (receivedAt − sent_at) when the body has `sent_at`, and resolve
    // `offset` against receivedAt. Off for files, whose times are kept as sent.
    bool correctClockSkew = false;
};

// Reads PostHog events (SPEC §1) in every shape the connector accepts:
//  - the tutorial's flat webhook body {event, timestamp, session_id, distinct_id,
//    current_url, referrer, email, event_type, elements_chain, element_id,
//    input_field_name, link_destination, button_or_link_text};
//  - PostHog's default webhook {event:{uuid, event, distinct_id, properties,
//    timestamp, url, elements_chain}, person:{properties:{email}}};
//  - posthog-js capture bodies: one event, an array of events, or
//    {api_key, batch, sent_at}; events API export rows read the same way.
// Not thread-safe (it reuses its parse buffers); use one per thread.
class PostHogIntake final {
public:
    explicit PostHogIntake(IntakeOptions options = {});
    ~PostHogIntake();
    PostHogIntake(const PostHogIntake&) = delete;
    PostHogIntake& operator=(const PostHogIntake&) = delete;

    const IntakeOptions& options() const { return m_options; }
    void setOptions(const IntakeOptions& options) { m_options = options; }

    // One JSON document (an already decoded capture or webhook body).
    IntakeBatch parseBody(std::string_view json);
    // One document per line (any shape above, batches too); blank lines are ignored.
    IntakeBatch parseJsonLines(std::string_view text);

private:
    void parseDocument(std::string_view json, std::string_view where, IntakeBatch& out);

    IntakeOptions m_options;
    std::unique_ptr<JsonTape> m_tape;
};

inline constexpr std::size_t kMaxDecodedCaptureBytes = 16 * 1024 * 1024;

// Undoes posthog-js's transports (pure): plain JSON; `data=<urlencoded base64>`
// form bodies; bare base64; gzip when `compression=gzip-js` (or `gzip`) or when
// the body starts with the gzip magic 1f 8b (newer posthog-js does not say so).
// `compression` may be empty, `base64`, `gzip-js` or `gzip`; `lz64` and others
// are errors ("unsupported_compression"), and so is a body that decodes to
// more than `maxDecodedBytes` ("body_too_large", zip bombs included).
Result<std::string> decodeCaptureBody(std::string_view body, std::string_view contentType,
    std::string_view compressionParam, std::size_t maxDecodedBytes = kMaxDecodedCaptureBytes);

// posthog-js's own `$` events ($identify, $set, $web_vitals,
// $feature_flag_called, ...): not something the user did, and counted as
// actions they would break dwell runs and ping-pong triples.
bool isBookkeepingEvent(const Action& action);

// Fills the fields derived from the others: canonicalUrl (with the product's
// routes), title ("Clicked button", "Viewed page", "Submitted form", "Changed
// input", "Rage-clicked button", "Left page", or the custom event name) and
// description ("Clicked button 'Add Project' on /projects").
void finaliseAction(Action& action, std::span<const std::string> routes);

} // namespace proactive
