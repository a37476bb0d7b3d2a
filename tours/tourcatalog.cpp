#include "tourcatalog.h"

#include "base/jsonreader.h"
#include "base/text.h"
#include "cssselector.h"
#include "intake/canonicalurl.h"
#include "intake/routes.h"
#include "workspace/workspace.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

namespace proactive {

namespace {

    constexpr std::string_view kReservedId = "none";

    // [\w-]+ as the tutorial's /\[TOUR:([\w-]+)\]/ reads it: ASCII only.
    bool isTourId(std::string_view id)
    {
        return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        });
    }

    bool equalsIgnoringCase(std::string_view a, std::string_view b)
    {
        const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
        return a.size() == b.size()
            && std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
    }

    std::optional<TourPlacement> placementFromString(std::string_view s)
    {
        for (auto p : { TourPlacement::Top, TourPlacement::Bottom, TourPlacement::Left, TourPlacement::Right })
            if (nameOf(p) == s)
                return p;
        return std::nullopt;
    }

    std::vector<std::string_view> pathSegments(std::string_view path)
    {
        std::vector<std::string_view> segments;
        if (path.size() <= 1)
            return segments;
        std::size_t start = 1;
        for (;;) {
            const auto slash = path.find('/', start);
            segments.push_back(
                path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
            if (slash == std::string_view::npos)
                return segments;
            start = slash + 1;
        }
    }

    // Why `route` is not a usable tour route, if it is not.
    std::optional<std::string> routeProblem(std::string_view route)
    {
        if (std::any_of(
                route.begin(), route.end(), [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7F; }))
            return "a route must not contain spaces or control characters";
        if (route.find_first_of("?#") != std::string_view::npos)
            return "a route must not have a query or fragment: only the path is matched";
        if (route.starts_with("//"))
            return "a route must not contain an empty segment (//)";
        if (route.front() != '/') {
            const auto scheme = route.find("://");
            const std::string_view name
                = scheme == std::string_view::npos ? std::string_view() : route.substr(0, scheme);
            if (!equalsIgnoringCase(name, "http") && !equalsIgnoringCase(name, "https"))
                return "a route is a path starting with / (\"/projects/:slug\") or a full http(s) URL";
            const std::size_t host = scheme + 3;
            if (host >= route.size() || route[host] == '/')
                return "a full URL route needs a host";
        }
        const std::string_view path = urlPath(route);
        const auto segments = pathSegments(path);
        for (std::size_t i = 0; i < segments.size(); ++i) {
            if (segments[i].empty())
                return i + 1 == segments.size()
                    ? "a route must not end with / (a trailing slash on the page still matches)"
                    : "a route must not contain an empty segment (//)";
            if (segments[i] == ":")
                return "a route parameter needs a name (\":slug\")";
        }
        return std::nullopt;
    }

    // Ids already in the catalog being built: id -> where it was defined.
    struct Definition {
        std::string file;
        std::string pointer;
    };
    using SeenIds = std::map<std::string, Definition, std::less<>>;

    std::optional<std::string> requiredText(JsonObjectReader& reader, std::string_view key)
    {
        auto value = reader.string(key, true);
        if (value && isBlank(*value)) {
            reader.error(key, "must not be blank");
            return std::nullopt;
        }
        return value;
    }

    std::optional<TourStep> parseStep(
        const nlohmann::json& value, const std::string& file, const std::string& pointer, Diagnostics& diagnostics)
    {
        const std::size_t before = diagnostics.size();
        JsonObjectReader reader(value, file, pointer, diagnostics);
        if (!reader.valid())
            return std::nullopt;
        TourStep step;
        if (auto target = requiredText(reader, "target")) {
            if (const auto error = checkCssSelector(*target))
                reader.error("target", "invalid CSS selector: " + error->toString());
            step.target = std::move(*target);
        }
        step.title = requiredText(reader, "title").value_or("");
        step.content = requiredText(reader, "content").value_or("");
        if (auto placement = reader.string("placement")) {
            if (auto parsed = placementFromString(*placement))
                step.placement = *parsed;
            else
                reader.error("placement", "expected one of top, bottom, left, right; found \"" + *placement + "\"");
        }
        reader.finish();
        if (diagnostics.size() != before)
            return std::nullopt;
        return step;
    }

    std::optional<Tour> parseTour(const nlohmann::json& value, const std::string& file, const std::string& pointer,
        Diagnostics& diagnostics, SeenIds& seen)
    {
        const std::size_t before = diagnostics.size();
        JsonObjectReader reader(value, file, pointer, diagnostics);
        if (!reader.valid())
            return std::nullopt;
        Tour tour;
        if (auto id = requiredText(reader, "id")) {
            if (!isTourId(*id)) {
                reader.error(
                    "id", "a tour id may only contain ASCII letters, digits, _ and - (it is emitted as [TOUR:<id>])");
            } else if (equalsIgnoringCase(*id, kReservedId)) {
                reader.error("id", "\"" + *id + "\" is reserved: [TOUR:none] means no tour");
            } else if (const auto it = seen.find(*id); it != seen.end()) {
                reader.error("id",
                    "duplicate tour id \"" + *id + "\" (first defined "
                        + (it->second.file == file ? std::string() : "in " + it->second.file + " ") + "at "
                        + (it->second.pointer.empty() ? std::string("/") : it->second.pointer) + ")");
            } else {
                seen.emplace(*id, Definition { file, pointer });
            }
            tour.id = std::move(*id);
        }
        tour.name = requiredText(reader, "name").value_or("");
        tour.description = requiredText(reader, "description").value_or("");
        if (auto route = requiredText(reader, "route")) {
            if (auto problem = routeProblem(*route))
                reader.error("route", std::move(*problem));
            tour.route = std::move(*route);
        }
        const std::string stepsPointer = jsonPointer(pointer, "steps");
        if (const auto* steps = reader.value("steps"); !steps) {
            reader.error("steps", "missing required field (a non-empty array of steps)");
        } else if (!steps->is_array()) {
            reader.error("steps", "expected an array of steps, found " + std::string(jsonTypeName(*steps)));
        } else if (steps->empty()) {
            reader.error("steps", "a tour needs at least one step");
        } else {
            for (std::size_t i = 0; i < steps->size(); ++i)
                if (auto step = parseStep((*steps)[i], file, jsonPointer(stepsPointer, i), diagnostics))
                    tour.steps.push_back(std::move(*step));
        }
        reader.finish();
        if (diagnostics.size() != before)
            return std::nullopt;
        return tour;
    }

    void parseInto(const nlohmann::json& array, const std::string& file, const std::string& pointer,
        Diagnostics& diagnostics, SeenIds& seen, std::vector<Tour>& tours)
    {
        if (!array.is_array()) {
            diagnostics.push_back({ file, pointer,
                "expected an array of tours ([{\"id\": ..., \"steps\": [...]}, ...]), found "
                    + std::string(jsonTypeName(array)) });
            return;
        }
        for (std::size_t i = 0; i < array.size(); ++i)
            if (auto tour = parseTour(array[i], file, jsonPointer(pointer, i), diagnostics, seen))
                tours.push_back(std::move(*tour));
    }

} // namespace

std::string_view nameOf(TourPlacement placement)
{
    switch (placement) {
    case TourPlacement::Top:
        return "top";
    case TourPlacement::Bottom:
        return "bottom";
    case TourPlacement::Left:
        return "left";
    case TourPlacement::Right:
        return "right";
    }
    return "bottom";
}

const Tour* TourCatalog::find(std::string_view id) const
{
    const auto it = std::find_if(m_tours.begin(), m_tours.end(), [&](const Tour& tour) { return tour.id == id; });
    return it == m_tours.end() ? nullptr : &*it;
}

bool isParameterisedRoute(std::string_view route)
{
    const auto segments = pathSegments(urlPath(route));
    return std::any_of(segments.begin(), segments.end(), [](std::string_view s) { return s.starts_with(':'); });
}

TourCatalog parseTourCatalog(
    const nlohmann::json& array, const std::string& file, const std::string& pointer, Diagnostics& diagnostics)
{
    SeenIds seen;
    std::vector<Tour> tours;
    parseInto(array, file, pointer, diagnostics, seen, tours);
    return TourCatalog(std::move(tours));
}

TourCatalog loadTourCatalogDir(const std::filesystem::path& dir, Diagnostics& diagnostics)
{
    namespace fs = std::filesystem;
    const fs::path folder = dir.filename().empty() ? dir.parent_path().filename() : dir.filename();
    std::error_code ec;
    if (!fs::exists(dir, ec))
        return {};
    if (!fs::is_directory(dir, ec)) {
        diagnostics.push_back({ folder.generic_string(), "", "expected a folder of tour files" });
        return {};
    }
    std::vector<fs::path> files;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        std::error_code typeError;
        if (!name.starts_with('.') && it->path().extension() == ".json" && it->is_regular_file(typeError))
            files.push_back(it->path());
    }
    if (ec) {
        diagnostics.push_back({ folder.generic_string(), "", "cannot list the folder: " + ec.message() });
        return {};
    }
    std::sort(
        files.begin(), files.end(), [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });

    SeenIds seen;
    std::vector<Tour> tours;
    for (const auto& path : files) {
        const std::string file = (folder / path.filename()).generic_string();
        auto text = readTextFile(path);
        if (!text) {
            diagnostics.push_back({ file, "", text.error().message });
            continue;
        }
        if (auto json = parseJsonDocument(*text, file, diagnostics))
            parseInto(*json, file, "", diagnostics, seen, tours);
    }
    return TourCatalog(std::move(tours));
}

TourStartPlan planTourStart(const TourCatalog& catalog, std::string_view tourId, std::string_view currentPath)
{
    const Tour* tour = catalog.find(tourId);
    if (!tour)
        return {};
    const std::string_view pattern = urlPath(tour->route);
    if (matchesRoute(urlPath(currentPath), pattern))
        return { TourStartAction::StartHere, tour, {} };
    if (isParameterisedRoute(tour->route))
        return { TourStartAction::StartInPlace, tour, {} };
    return { TourStartAction::NavigateThenStart, tour, std::string(pattern) };
}

} // namespace proactive
