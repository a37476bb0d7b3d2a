#pragma once

#include "service/accesslog.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace proactive::service {

struct ServiceSettings {
    // Any request body; a larger one is refused with 413 as soon as its
    // head announces it, before the body is read.
    std::int64_t maxBodyBytes = 1024 * 1024;
    std::int64_t maxAgentStateBodyBytes = 64 * 1024; // SPEC §2
    std::size_t maxHeadBytes = 64 * 1024; // request line and headers; beyond: 431
    // After a 413, the announced body is read and thrown away (so that the
    // client, still sending, gets to read the answer) if it is at most this
    // large; otherwise, or after rejectDrainTimeout, the connection is cut.
    std::int64_t maxDrainBytes = 16 * 1024 * 1024;
    std::chrono::milliseconds rejectDrainTimeout { 5'000 };
    // On shutdown, requests already begun get this long to arrive and be answered.
    std::chrono::milliseconds shutdownGrace { 10'000 };
    // The Bearer key of POST /retrieval (Dify External Knowledge API); empty:
    // every retrieval is refused.
    std::string retrievalKey;
    AccessLog::Sink accessLog; // null: stderr
};

} // namespace proactive::service
