#pragma once

// Shared by the benches: the workspace of an inline products.json.

#include "workspace/workspace.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>

namespace proactive::bench {

// A problem in the bench's own products ends it: its numbers would mean nothing.
inline std::shared_ptr<const Workspace> workspaceOf(const char* productsJson)
{
    Diagnostics diagnostics;
    auto workspace = std::make_shared<const Workspace>(
        Workspace::fromJson(nlohmann::json::parse(productsJson), ".", "bench", diagnostics));
    if (!diagnostics.empty()) {
        std::fprintf(stderr, "bench workspace: %s\n", diagnostics.front().toString().c_str());
        std::exit(1);
    }
    return workspace;
}

} // namespace proactive::bench
