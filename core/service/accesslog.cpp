#include "service/accesslog.h"

#include <cstdio>
#include <string>

namespace proactive::service {

AccessLog::AccessLog(Sink sink)
    : m_sink(std::move(sink))
{
    if (!m_sink)
        m_sink = [](std::string_view line) {
            // One fwrite per line keeps lines whole when several threads log.
            std::string withNewline(line);
            withNewline.push_back('\n');
            std::fwrite(withNewline.data(), 1, withNewline.size(), stderr);
        };
}

void AccessLog::write(
    std::string_view method, std::string_view route, int status, std::chrono::microseconds elapsed) const
{
    std::string line;
    line.reserve(method.size() + route.size() + 24);
    line.append(method).append(" ").append(route).append(" ").append(std::to_string(status)).append(" ");
    line.append(std::to_string(elapsed.count())).append("us");
    m_sink(line);
}

} // namespace proactive::service
