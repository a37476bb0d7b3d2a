#pragma once

#include "base/clock.h"
#include "base/result.h"
#include "intake/action.h"
#include "intake/elementschain.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

class JsonTape;
class JsonValue;

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
    std::vector<Error> errors; // the first IntakeLimits::maxErrors of them
    std::size_t errorCount = 0; // all of them, kept or not
    // The body was refused as a whole (too many events or values, a token
    // the TokenCheck refused): nothing of it is to be kept.
    std::optional<Error> refusal;
};

// Whether a project token belongs to a product; the intake stops reading at
// the first event whose token it refuses (IntakeBatch::refusal, code
// "unknown_token"), before reading the ones after it.
using TokenCheck = std::function<bool(std::string_view token)>;

struct IntakeOptions {
    // "Now" for events that carry only an `offset` or no time at all.
    Timestamp receivedAt {};
    // Live capture endpoints: like PostHog, move client times onto the server
    // clock by (receivedAt − sent_at) when the body has `sent_at`, and resolve
    // `offset` against receivedAt. Off for files, whose times are kept as sent.
    bool correctClockSkew = false;
    TokenCheck tokenCheck; // none: any token, or none, is kept
};

// Bounds on the work one document may cause (the service's untrusted
// bodies); the defaults bound nothing, for files the user chose.
struct IntakeLimits {
    std::size_t maxEvents = std::numeric_limits<std::size_t>::max(); // more items: refused ("too_many_events")
    std::size_t maxErrors = std::numeric_limits<std::size_t>::max(); // beyond: counted, not kept
    std::size_t maxJsonValues = std::numeric_limits<std::uint32_t>::max() - 1; // more: refused ("too_many_values")
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
    explicit PostHogIntake(IntakeOptions options = {}, IntakeLimits limits = {});
    ~PostHogIntake();
    PostHogIntake(const PostHogIntake&) = delete;
    PostHogIntake& operator=(const PostHogIntake&) = delete;

    const IntakeOptions& options() const { return m_options; }
    void setOptions(const IntakeOptions& options) { m_options = options; }

    // One JSON document (an already decoded capture or webhook body).
    IntakeBatch parseBody(std::string_view json);
    // One document already parsed on another tape (the importer's, which
    // looks at a document's shape first): read as parseBody reads its text.
    IntakeBatch parseValue(JsonValue root);
    // One document per line (any shape above, batches too); blank lines are ignored.
    IntakeBatch parseJsonLines(std::string_view text);

private:
    void parseDocument(std::string_view json, std::string_view where, IntakeBatch& out);
    void readDocument(JsonValue root, std::string_view where, IntakeBatch& out);
    void readItems(
        JsonValue array, std::string_view where, JsonValue batchToken, JsonValue batchSentAt, IntakeBatch& out);
    void read(JsonValue object, std::string_view where, JsonValue batchToken, JsonValue batchSentAt, IntakeBatch& out);
    void addError(IntakeBatch& out, Error error) const;

    IntakeOptions m_options;
    IntakeLimits m_limits;
    std::unique_ptr<JsonTape> m_tape;
    TargetElements m_targets;
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
// Whether the event tells something about who the user is (SPEC §8 §1
// Identity): an email to set or set once, another distinct id of the same
// person, or `$identify` (the session's distinct id becomes the identified
// one). Such a bookkeeping event updates its session but is no action.
bool carriesIdentity(const Action& action);

// Fills the fields derived from the others: canonicalUrl (with the product's
// routes), title ("Clicked button", "Viewed page", "Submitted form", "Changed
// input", "Rage-clicked button", "Left page", or the custom event name) and
// description ("Clicked button 'Add Project' on /projects").
void finaliseAction(Action& action, std::span<const std::string> routes);
// An action's title and description, from its type, target element,
// canonical URL and event name: derived when an action is shown or written
// out for people, as the store keeps neither.
struct ActionWording {
    std::string title;
    std::string description;
};
ActionWording wordingOf(const Action& action);
// Sets the action's title and description to its wordingOf().
void describeAction(Action& action);

} // namespace proactive
