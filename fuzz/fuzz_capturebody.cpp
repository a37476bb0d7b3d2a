// Capture bodies as the service receives them: posthog-js's transports
// (form `data=`, base64, gzip) undone by decodeCaptureBody, then every PostHog
// shape read by PostHogIntake::parseBody and, as a file would be, by
// parseJsonLines; each event is finalised against a route table.

#include "fuzzcheck.h"
#include "intake/posthogintake.h"

#include <array>
#include <string>

using namespace proactive;

namespace {

struct Transport {
    std::string_view contentType;
    std::string_view compression;
};

// What changes decodeCaptureBody's path; base64 and gzip are also detected
// from the bytes, so plain JSON covers them too.
constexpr std::array kTransports {
    Transport { "application/json", "" },
    Transport { "application/x-www-form-urlencoded", "" },
    Transport { "text/plain", "gzip-js" },
};

// Small enough that a bomb is refused quickly, large enough for every seed.
constexpr std::size_t kMaxDecodedBytes = 1024 * 1024;

const std::array<std::string, 2> kRoutes { "/projects/:id", "https://app.example.com/settings/:section" };

void finalise(IntakeBatch batch)
{
    for (IntakeEvent& event : batch.events)
        finaliseAction(event.action, kRoutes);
}

PostHogIntake& intake()
{
    static PostHogIntake instance([] {
        IntakeOptions options;
        options.receivedAt = fromEpochMs(1'700'000'000'000);
        options.correctClockSkew = true;
        return options;
    }());
    return instance;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view body = fuzz::bytes(data, size);
    finalise(intake().parseBody(body));
    finalise(intake().parseJsonLines(body));
    for (const Transport& transport : kTransports) {
        const auto decoded = decodeCaptureBody(body, transport.contentType, transport.compression, kMaxDecodedBytes);
        if (!decoded)
            continue;
        if (decoded->size() > kMaxDecodedBytes)
            fuzz::fail("decodeCaptureBody went past its limit");
        if (*decoded != body)
            finalise(intake().parseBody(*decoded));
    }
    return 0;
}
