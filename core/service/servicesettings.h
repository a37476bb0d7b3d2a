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
    // All connections' request bytes held at once (bodies on their way,
    // pipelined requests). Beyond it the requests holding the most are
    // answered 503 server_busy, largest first, so that 1024 clients each
    // trickling a 1 MiB body cannot make the service hold 1 GiB.
    std::size_t maxBufferedBytes = 64 * 1024 * 1024;
    // What one capture or webhook body may make the intake do (docs/service.md,
    // "Bounded work"): decoded size (gzip, base64), events, JSON values, and
    // the errors listed in an answer (the rest are counted).
    std::size_t maxDecodedBodyBytes = 8 * 1024 * 1024;
    std::size_t maxEventsPerRequest = 1000;
    std::size_t maxJsonValuesPerRequest = 500'000;
    std::size_t maxErrorsListed = 10;
    // After a 413, the announced body is read and thrown away (so that the
    // client, still sending, gets to read the answer) if it is at most this
    // large; otherwise, or after rejectDrainTimeout, the connection is cut.
    std::int64_t maxDrainBytes = 16 * 1024 * 1024;
    std::chrono::milliseconds rejectDrainTimeout { 5'000 };
    // Connections (docs/service.md, "Connections"). At most maxConnections
    // at once, fewer when the process's descriptor limit (RLIMIT_NOFILE)
    // leaves less room; at the limit the longest-idle keep-alive connection
    // makes room for a new one, and when none is idle the new one gets 503.
    std::size_t maxConnections = 1024;
    // A connection with no request in progress is closed after idleTimeout;
    // a request whose head has not arrived within headTimeout of its first
    // byte, or that is not complete within requestTimeout, gets 408 and the
    // connection is closed.
    std::chrono::milliseconds idleTimeout { 30'000 };
    std::chrono::milliseconds headTimeout { 10'000 };
    std::chrono::milliseconds requestTimeout { 30'000 };
    // On shutdown, requests already begun get this long to arrive and be answered.
    std::chrono::milliseconds shutdownGrace { 10'000 };
    // The Bearer key of POST /retrieval (Dify External Knowledge API); empty:
    // every retrieval is refused.
    std::string retrievalKey;
    AccessLog::Sink accessLog; // null: stderr
};

} // namespace proactive::service
