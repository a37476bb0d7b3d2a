#pragma once

#include "base/result.h"
#include "tourcatalog.h"
#include "workspace/workspace.h"

namespace proactive {

// Cross-file checks of a workspace: every trigger's `tour_id` names a tour of
// the catalog (SPEC §4: accept starts the tour chosen for the trigger).
Diagnostics checkTourReferences(const Workspace& workspace, const TourCatalog& catalog);

} // namespace proactive
