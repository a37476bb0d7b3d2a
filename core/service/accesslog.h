#pragma once

#include <chrono>
#include <functional>
#include <string_view>

namespace proactive::service {

// One line per answered request: "GET /context/{product_id}/{session_id} 200 87us".
// Only the route template is written, never the path, query, headers or
// body, so ids, tokens and secrets stay out of logs.
class AccessLog final {
public:
    using Sink = std::function<void(std::string_view line)>;

    // Without a sink, lines go to stderr.
    explicit AccessLog(Sink sink = {});

    void write(std::string_view method, std::string_view route, int status, std::chrono::microseconds elapsed) const;

private:
    Sink m_sink;
};

} // namespace proactive::service
