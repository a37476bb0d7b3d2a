#include "recording/sessionfolder.h"

#include "groundtruth/labelset.h"
#include "recording/recordingfile.h"
#include "workspace/workspace.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

namespace proactive {

namespace {

    Status writeFile(const std::filesystem::path& path, const std::string& text)
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.close();
        if (!out)
            return Error { "write_failed", "cannot write the file", path.string() };
        return Ok {};
    }

    std::string emptyLabels()
    {
        return nlohmann::json {
            { "format", kLabelsFormat }, { "version", 1 }, { "sessions", nlohmann::json::array() }
        }.dump(2);
    }

} // namespace

Status writeSessionFolder(const std::filesystem::path& folder, const SavedSession& session)
{
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    if (error)
        return Error { "write_failed", "cannot create the folder: " + error.message(), folder.string() };
    std::string events;
    for (const std::string& event : session.events)
        events += event + "\n";
    if (Status status = writeFile(folder / kSavedEventsFile, events); !status)
        return status;
    if (Status status = writeFile(
            folder / kSavedRecordingFile, writeRecording(session.recording, RecordingFileFormat::PostHog20230428));
        !status)
        return status;
    return writeFile(folder / kSavedLabelsFile, session.labelsJson.empty() ? emptyLabels() : session.labelsJson);
}

std::string sessionLabelsJson(const std::filesystem::path& workspaceRoot, const std::string& sessionId)
{
    nlohmann::json sessions = nlohmann::json::array();
    std::error_code error;
    std::vector<std::filesystem::path> files;
    for (std::filesystem::directory_iterator it(workspaceRoot / "labels", error), end; !error && it != end;
         it.increment(error))
        if (it->path().extension() == ".json")
            files.push_back(it->path());
    std::ranges::sort(files);
    for (const auto& file : files) {
        auto text = readTextFile(file);
        if (!text)
            continue;
        const nlohmann::json document = nlohmann::json::parse(*text, nullptr, false);
        if (!document.is_object() || !document.contains("sessions") || !document["sessions"].is_array())
            continue;
        for (const nlohmann::json& entry : document["sessions"])
            if (const auto id = entry.is_object() ? entry.find("session_id") : entry.end();
                id != entry.end() && id->is_string() && id->get<std::string>() == sessionId)
                sessions.push_back(entry);
    }
    return nlohmann::json { { "format", kLabelsFormat }, { "version", 1 }, { "sessions", sessions } }.dump(2);
}

Status checkSessionFolder(const std::filesystem::path& folder)
{
    for (const char* name : { kSavedEventsFile, kSavedRecordingFile }) {
        std::error_code error;
        if (!std::filesystem::is_regular_file(folder / name, error))
            return Error { "not_a_saved_session", std::string("no ") + name + " in the folder", folder.string() };
    }
    return Ok {};
}

} // namespace proactive
