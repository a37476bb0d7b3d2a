#pragma once

// The bundled demo workspace and its tours, loaded once per test run; a
// demo that does not load cleanly stops the test at once.

#include "tourcatalog.h"
#include "workspace/workspace.h"

#include <QtGlobal>
#include <memory>

namespace proactive::testing {

inline std::shared_ptr<const Workspace> demoWorkspace()
{
    static const auto workspace = [] {
        Diagnostics diagnostics;
        auto loaded = std::make_shared<const Workspace>(
            Workspace::load(PROACTIVE_SOURCE_DIR "/resources/demo-workspace", diagnostics));
        if (!diagnostics.empty())
            qFatal("the demo workspace does not load cleanly");
        return loaded;
    }();
    return workspace;
}

inline const TourCatalog& demoCatalog()
{
    static const TourCatalog catalog = [] {
        Diagnostics diagnostics;
        TourCatalog loaded = loadTourCatalogDir(PROACTIVE_SOURCE_DIR "/resources/demo-workspace/tours", diagnostics);
        if (!diagnostics.empty() || loaded.empty())
            qFatal("the demo tours do not load");
        return loaded;
    }();
    return catalog;
}

} // namespace proactive::testing
