#pragma once

#include "base/result.h"

#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

// Where a step's tooltip sits relative to its target. Only the four sides:
// every step has a target, so there is no "center", and the in-page runtime
// flips a side that does not fit, so there is no "auto" either.
enum class TourPlacement { Top, Bottom, Left, Right };

std::string_view nameOf(TourPlacement placement);

struct TourStep {
    std::string target; // CSS selector, e.g. [data-tour-id="add-project-btn"]
    std::string title;
    std::string content;
    TourPlacement placement = TourPlacement::Bottom;
};

// SPEC §7 catalog entry. `route` is kept as written: a path pattern
// ("/projects/:slug/settings") or a full URL whose path is the pattern.
struct Tour {
    std::string id; // [A-Za-z0-9_-]+, emitted by the LLM as [TOUR:<id>]
    std::string name;
    std::string description; // "Use when ... NOT for ...", may span lines
    std::string route;
    std::vector<TourStep> steps;
};

// A product's tours in catalog order (file name order, then file order).
class TourCatalog final {
public:
    TourCatalog() = default;
    explicit TourCatalog(std::vector<Tour> tours)
        : m_tours(std::move(tours))
    { }

    std::span<const Tour> tours() const { return m_tours; }
    const Tour* find(std::string_view id) const;
    bool empty() const { return m_tours.empty(); }

private:
    std::vector<Tour> m_tours;
};

// True when some segment of the route's path is a `:param`.
bool isParameterisedRoute(std::string_view route);

// Parses a JSON array of tour objects (a tour file is such an array, like
// the tutorial's `adminTours`). Every problem is appended to `diagnostics`
// with `file` and a JSON pointer below `pointer` ("/2/steps/0/target");
// tours with problems are left out, the others are kept. Duplicate ids are
// an error on the later tour.
TourCatalog parseTourCatalog(
    const nlohmann::json& array, const std::string& file, const std::string& pointer, Diagnostics& diagnostics);

// Loads every regular `*.json` file of `dir` (a workspace's tours/ folder) in
// file name order, skipping dot files; an id defined in two files is an error
// on the later one. A missing folder is an empty catalog. Diagnostics name
// files as `<folder name>/<file name>` ("tours/demo.json"), relative to the
// workspace like the rest of the workspace's diagnostics.
TourCatalog loadTourCatalogDir(const std::filesystem::path& dir, Diagnostics& diagnostics);

// SPEC §7: what starting a tour by id means for a page showing `currentPath`
// (a path or a full URL; query and fragment are ignored).
enum class TourStartAction {
    UnknownTour, // no tour with that id: report it
    StartHere, // the current page matches the tour's route
    StartInPlace, // parameterised route elsewhere: there is no concrete page to go to
    NavigateThenStart, // concrete route elsewhere: go to `navigateTo`, wait for the targets, start
};

struct TourStartPlan {
    TourStartAction action = TourStartAction::UnknownTour;
    const Tour* tour = nullptr; // into the catalog; null for UnknownTour
    std::string navigateTo; // the route's path, for NavigateThenStart
};

TourStartPlan planTourStart(const TourCatalog& catalog, std::string_view tourId, std::string_view currentPath);

} // namespace proactive
