#include "service/accesslog.h"

#include <cstdio>
#include <string>

namespace proactive::service {

namespace {

    // A method is whatever the client sent: bytes outside printable ASCII
    // (terminal escapes, CR) are written as \xHH, and the whole is cut, so
    // that a log line is one short, harmless line.
    constexpr std::size_t kMaxMethodBytes = 24;

    void appendMethod(std::string& line, std::string_view method)
    {
        static constexpr char kHex[] = "0123456789ABCDEF";
        std::size_t written = 0;
        for (const char c : method) {
            if (written >= kMaxMethodBytes) {
                line.append("...");
                return;
            }
            const auto byte = static_cast<unsigned char>(c);
            if (byte > 0x20 && byte < 0x7F && c != '\\') {
                line.push_back(c);
                ++written;
            } else {
                line.append("\\x").push_back(kHex[byte >> 4]);
                line.push_back(kHex[byte & 0xF]);
                written += 4;
            }
        }
    }

} // namespace

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
    line.reserve(kMaxMethodBytes + route.size() + 32);
    appendMethod(line, method);
    line.append(" ").append(route).append(" ").append(std::to_string(status)).append(" ");
    line.append(std::to_string(elapsed.count())).append("us");
    m_sink(line);
}

} // namespace proactive::service
