#include "routesamples.h"

#include "intake/canonicalurl.h"
#include "intake/posthogintake.h"
#include "intake/routes.h"
#include "workspace/workspace.h"

#include <algorithm>
#include <set>

namespace proactive {

std::vector<std::string> recordedPagePaths(const std::filesystem::path& sessionsDir)
{
    namespace fs = std::filesystem;
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(sessionsDir, ec), end; !ec && it != end; it.increment(ec))
        if (it->path().extension() == ".jsonl" && !it->path().filename().string().starts_with('.'))
            files.push_back(it->path());
    std::sort(files.begin(), files.end());

    std::vector<std::string> paths;
    std::set<std::string, std::less<>> seen;
    PostHogIntake intake;
    for (const auto& file : files) {
        const auto text = readTextFile(file);
        if (!text)
            continue;
        for (const auto& event : intake.parseJsonLines(*text).events) {
            if (event.action.rawUrl.empty())
                continue;
            const std::string_view path = urlPath(event.action.rawUrl);
            if (!seen.contains(path)) {
                seen.emplace(path);
                paths.emplace_back(path);
            }
        }
    }
    return paths;
}

std::optional<std::string> samplePathForRoute(std::string_view route, std::span<const std::string> paths)
{
    const std::string_view pattern = urlPath(route);
    const auto it = std::find_if(
        paths.begin(), paths.end(), [&](const std::string& path) { return matchesRoute(path, pattern); });
    if (it == paths.end())
        return std::nullopt;
    return *it;
}

} // namespace proactive
