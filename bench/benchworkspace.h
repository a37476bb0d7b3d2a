#pragma once

// Shared by the benches: the workspace of an inline products.json, and the
// pageviews they feed it.

#include "intake/action.h"
#include "workspace/workspace.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

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

// A pageview of `path` on https://app.example.com (the store sets its end).
inline Action pageview(const std::string& session, const std::string& distinctId, const std::string& path, Timestamp at,
    std::string uuid = {})
{
    Action action;
    action.type = ActionType::Pageview;
    action.event = "$pageview";
    action.uuid = std::move(uuid);
    action.sessionId = session;
    action.distinctId = distinctId;
    action.rawUrl = "https://app.example.com" + path;
    action.timestampStart = at;
    action.timestampEnd = at;
    return action;
}

} // namespace proactive::bench
