#include "tourreferences.h"

#include "base/jsonreader.h"
#include "triggers/trigger.h"

namespace proactive {

Diagnostics checkTourReferences(const Workspace& workspace, const TourCatalog& catalog)
{
    Diagnostics diagnostics;
    for (const Product& product : workspace.products()) {
        const auto triggers = product.triggers->triggers();
        for (std::size_t i = 0; i < triggers.size(); ++i) {
            const std::string& tourId = triggers[i].definition().tourId;
            if (tourId.empty() || catalog.find(tourId))
                continue;
            diagnostics.push_back(
                { product.triggersFile, jsonPointer(jsonPointer(product.triggersPointer, i), "tour_id"),
                    "trigger \"" + triggers[i].id() + "\" names tour \"" + tourId + "\", which is not in tours/" });
        }
    }
    return diagnostics;
}

} // namespace proactive
