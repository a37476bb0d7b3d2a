#include "recording/recordingfile.h"

#include "intake/posthogintake.h"
#include "replay/sessionimport.h"
#include "workspace/workspace.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace proactive {

std::string RecordingDiagnostic::toString() const
{
    return file + (where.empty() ? std::string() : ":" + where) + ": " + code + ": " + message;
}

namespace {

    using json = nlohmann::json;

    constexpr std::string_view kVersion20221202 = "2022-12-02";
    constexpr std::string_view kVersion20230428 = "2023-04-28";
    // A recording file may be large once inflated, but not without bound.
    constexpr std::size_t kMaxInflatedBytes = std::size_t(2) * 1024 * 1024 * 1024;
    constexpr std::uintmax_t kMaxRecordingFileBytes = std::uintmax_t(1) << 30;

    bool endsWith(std::string_view text, std::string_view suffix)
    {
        return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
    }

    // "export-0190a1b2.json.gz" → "0190a1b2": PostHog names its exports
    // after the recording.
    std::string idFromFileName(const std::string& name)
    {
        std::string stem = std::filesystem::path(name).filename().string();
        for (std::string_view suffix : { ".gz", ".json", ".ansi" })
            if (endsWith(stem, suffix))
                stem.resize(stem.size() - suffix.size());
        if (stem.starts_with("export-"))
            stem.erase(0, 7);
        return stem;
    }

    // "line:column" of a byte offset, for text that is no JSON.
    std::string lineAndColumn(std::string_view text, std::size_t offset)
    {
        offset = std::min(offset, text.size());
        const std::size_t line = 1 + std::size_t(std::count(text.begin(), text.begin() + std::ptrdiff_t(offset), '\n'));
        const std::size_t lineStart = text.substr(0, offset).rfind('\n');
        const std::size_t column = offset - (lineStart == std::string_view::npos ? 0 : lineStart + 1) + 1;
        return std::to_string(line) + ":" + std::to_string(column);
    }

    // Turns parsed events into a window, one diagnostic per value that is no
    // rrweb event (an object with a numeric type and timestamp).
    class WindowReader {
    public:
        WindowReader(const std::string& file, RecordingReadOptions& options, RecordingReadResult& result,
            std::size_t totalEvents)
            : m_file(file)
            , m_options(options)
            , m_result(result)
            , m_total(totalEvents)
        { }

        // False when a stop was requested.
        bool read(const json& events, const std::string& pointer, RecordingWindow& window)
        {
            if (!events.is_array()) {
                diagnose(pointer, "bad_window", "the window's events are not an array");
                return true;
            }
            window.events.reserve(window.events.size() + events.size());
            for (std::size_t i = 0; i < events.size(); ++i) {
                if (!add(events[i], pointer + "/" + std::to_string(i), window))
                    return false;
            }
            return true;
        }

        bool add(const json& event, const std::string& pointer, RecordingWindow& window)
        {
            if ((++m_done & 0x3ff) == 0) {
                if (m_options.stop.stop_requested())
                    return false;
                if (m_options.progress)
                    m_options.progress(m_done, m_total);
            }
            const auto type = event.is_object() ? event.find("type") : json::const_iterator();
            const auto timestamp = event.is_object() ? event.find("timestamp") : json::const_iterator();
            if (!event.is_object())
                diagnose(pointer, "bad_event", "not an object");
            else if (type == event.end() || !type->is_number_integer())
                diagnose(pointer, "bad_event", "no integer type");
            else if (timestamp == event.end() || !timestamp->is_number())
                diagnose(pointer, "bad_event", "no numeric timestamp");
            else
                window.events.push_back({ type->get<int>(), std::int64_t(timestamp->get<double>()), event.dump() });
            return true;
        }

        void diagnose(const std::string& where, const std::string& code, const std::string& message)
        {
            m_result.diagnostics.push_back({ m_file, where, code, message });
        }

    private:
        const std::string& m_file;
        RecordingReadOptions& m_options;
        RecordingReadResult& m_result;
        std::size_t m_total;
        std::size_t m_done = 0;
    };

    // A key as a JSON pointer token (RFC 6901: ~ and / escaped).
    std::string pointerToken(const std::string& key)
    {
        std::string token;
        for (char c : key)
            token += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
        return token;
    }

    // A member of an object, null when it has none (operator[] on a const
    // json requires the key).
    const json& member(const json& object, const char* key)
    {
        static const json null;
        const auto found = object.find(key);
        return found == object.end() ? null : *found;
    }

    std::size_t countEvents(const json& document)
    {
        if (document.is_array())
            return document.size();
        const json& data = member(document, "data");
        std::size_t count = 0;
        if (auto byWindow = data.find("snapshotsByWindowId"); byWindow != data.end() && byWindow->is_object())
            for (const json& events : *byWindow)
                count += events.is_array() ? events.size() : 0;
        if (auto snapshots = data.find("snapshots"); snapshots != data.end() && snapshots->is_array())
            for (const json& group : *snapshots)
                count += group.is_object() && group.contains("data") && group["data"].is_array() ? group["data"].size()
                                                                                                 : 1;
        return count;
    }

    RecordingWindow& windowOf(Recording& recording, const std::string& windowId)
    {
        for (RecordingWindow& window : recording.windows)
            if (window.windowId == windowId)
                return window;
        return recording.windows.emplace_back(RecordingWindow { windowId, {} });
    }

    // False when a stop was requested.
    bool readDocument(const json& document, WindowReader& reader, Recording& recording)
    {
        if (document.is_array())
            return reader.read(document, "", windowOf(recording, ""));

        const std::string version = member(document, "version").get<std::string>();
        const json& data = member(document, "data");
        if (version == kVersion20221202) {
            const json& byWindow = member(data, "snapshotsByWindowId");
            if (!byWindow.is_object()) {
                reader.diagnose("/data/snapshotsByWindowId", "bad_format", "not an object of windows");
                return true;
            }
            for (const auto& [windowId, events] : byWindow.items())
                if (!reader.read(
                        events, "/data/snapshotsByWindowId/" + pointerToken(windowId), windowOf(recording, windowId)))
                    return false;
            return true;
        }
        if (auto id = data.find("id"); id != data.end() && id->is_string() && !id->get<std::string>().empty())
            recording.id = id->get<std::string>();
        const json& snapshots = member(data, "snapshots");
        if (!snapshots.is_array()) {
            reader.diagnose("/data/snapshots", "bad_format", "not an array of snapshots");
            return true;
        }
        for (std::size_t i = 0; i < snapshots.size(); ++i) {
            const json& group = snapshots[i];
            const std::string pointer = "/data/snapshots/" + std::to_string(i);
            const auto windowId = group.is_object() ? group.find("windowId") : json::const_iterator();
            const std::string window = group.is_object() && windowId != group.end() && windowId->is_string()
                ? windowId->get<std::string>()
                : "";
            // {windowId, data: [events]}, or (newer PostHog) one event with its windowId.
            const bool isGroup = group.is_object() && group.contains("data") && group["data"].is_array();
            if (!(isGroup ? reader.read(group["data"], pointer + "/data", windowOf(recording, window))
                          : reader.add(group, pointer, windowOf(recording, window))))
                return false;
        }
        return true;
    }

    // What kind of document this is; empty when it is none of ours.
    std::string formatProblem(const json& document)
    {
        if (document.is_array())
            return {};
        if (!document.is_object())
            return "neither a PostHog export nor an array of rrweb events";
        const auto version = document.find("version");
        const auto data = document.find("data");
        if (version == document.end() || !version->is_string() || data == document.end() || !data->is_object())
            return "neither a PostHog export ({version, data}) nor an array of rrweb events";
        if (*version != kVersion20221202 && *version != kVersion20230428)
            return "PostHog export version \"" + version->get<std::string>() + "\" (read: \""
                + std::string(kVersion20221202) + "\", \"" + std::string(kVersion20230428) + "\")";
        return {};
    }

} // namespace

RecordingReadResult readRecordingText(std::string_view bytes, const std::string& name, RecordingReadOptions options)
{
    RecordingReadResult result;
    result.files.push_back(name);
    std::string inflated;
    if (bytes.size() >= 2 && std::uint8_t(bytes[0]) == 0x1f && std::uint8_t(bytes[1]) == 0x8b) {
        auto decoded = decodeCaptureBody(bytes, {}, "gzip", kMaxInflatedBytes);
        if (!decoded) {
            result.diagnostics.push_back({ name, {}, decoded.error().code, decoded.error().message });
            return result;
        }
        inflated = std::move(*decoded);
        bytes = inflated;
    }
    json document;
    try {
        document = json::parse(bytes);
    } catch (const json::parse_error& error) {
        const std::string message = error.what();
        // nlohmann's message: "[json.exception.parse_error.101] parse error at line 1, column 2: …".
        const std::size_t colon = message.find(": ");
        result.diagnostics.push_back({ name, lineAndColumn(bytes, error.byte == 0 ? 0 : error.byte - 1), "invalid_json",
            colon == std::string::npos ? message : message.substr(colon + 2) });
        return result;
    }
    if (std::string problem = formatProblem(document); !problem.empty()) {
        result.diagnostics.push_back({ name, {}, "unknown_format", problem });
        return result;
    }
    Recording recording { idFromFileName(name), {} };
    WindowReader reader(name, options, result, countEvents(document));
    if (!readDocument(document, reader, recording)) {
        result.diagnostics.push_back({ name, {}, "cancelled", "the read was cancelled" });
        result.cancelled = true;
        return result;
    }
    for (RecordingWindow& window : recording.windows)
        std::ranges::stable_sort(window.events, {}, &RecordingEvent::timestamp);
    std::erase_if(recording.windows, [](const RecordingWindow& window) { return window.events.empty(); });
    if (recording.empty())
        result.diagnostics.push_back({ name, {}, "empty_recording", "no rrweb event in the file" });
    else
        result.recordings.push_back(std::move(recording));
    return result;
}

Result<RecordingReadResult> importRecordings(std::span<const std::filesystem::path> paths, RecordingReadOptions options)
{
    auto files = listExportFiles(paths);
    if (!files)
        return files.error();
    const std::uint64_t total = totalFileSize(*files);
    RecordingReadResult result;
    std::uint64_t done = 0;
    for (const auto& file : *files) {
        if (options.stop.stop_requested())
            return Error { "cancelled", "the import was cancelled", {} };
        auto text = readTextFile(file, kMaxRecordingFileBytes);
        if (!text) {
            result.files.push_back(file.string());
            result.diagnostics.push_back({ file.string(), {}, text.error().code, text.error().message });
            continue;
        }
        RecordingReadOptions fileOptions { {}, options.stop };
        if (options.progress)
            fileOptions.progress = [&](std::uint64_t eventsDone, std::uint64_t eventsTotal) {
                options.progress(done + (eventsTotal ? text->size() * eventsDone / eventsTotal : 0), total);
            };
        RecordingReadResult read = readRecordingText(*text, file.string(), fileOptions);
        if (read.cancelled)
            return Error { "cancelled", "the import was cancelled", {} };
        std::ranges::move(read.recordings, std::back_inserter(result.recordings));
        std::ranges::move(read.diagnostics, std::back_inserter(result.diagnostics));
        std::ranges::move(read.files, std::back_inserter(result.files));
        std::error_code ec;
        done += std::filesystem::file_size(file, ec);
        if (options.progress)
            options.progress(done, total);
    }
    return result;
}

std::string writeRecording(const Recording& recording, RecordingFileFormat format)
{
    // The events' JSON is written as it is kept, not re-serialised.
    auto eventsArray = [](const RecordingWindow& window) {
        std::string out = "[";
        for (std::size_t i = 0; i < window.events.size(); ++i) {
            if (i)
                out += ',';
            out += window.events[i].json;
        }
        return out + "]";
    };
    auto quoted = [](const std::string& text) { return json(text).dump(); };
    switch (format) {
    case RecordingFileFormat::RrwebEvents: {
        const RecordingWindow* main = recording.mainWindow();
        return main ? eventsArray(*main) : "[]";
    }
    case RecordingFileFormat::PostHog20221202: {
        std::string out = R"({"version":"2022-12-02","data":{"person":null,"snapshotsByWindowId":{)";
        for (std::size_t i = 0; i < recording.windows.size(); ++i)
            out += (i ? "," : "") + quoted(recording.windows[i].windowId) + ":" + eventsArray(recording.windows[i]);
        return out + "}}}";
    }
    case RecordingFileFormat::PostHog20230428: {
        std::string out
            = R"({"version":"2023-04-28","data":{"id":)" + quoted(recording.id) + R"(,"person":null,"snapshots":[)";
        for (std::size_t i = 0; i < recording.windows.size(); ++i)
            out += std::string(i ? "," : "") + R"({"windowId":)" + quoted(recording.windows[i].windowId) + R"(,"data":)"
                + eventsArray(recording.windows[i]) + "}";
        return out + "]}}";
    }
    }
    return {};
}

} // namespace proactive
