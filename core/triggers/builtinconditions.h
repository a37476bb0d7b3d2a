#pragma once

#include "intake/actionrecord.h"
#include "triggers/condition.h"

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

namespace proactive {

// The built-in conditions of SPEC §6, written `{"type": NAME, ...}`:
// canonical_url_ping_pong, user_page_dwell, section_playbook_match.
std::unique_ptr<const Condition> compileBuiltinCondition(
    const nlohmann::json& json, const std::string& pointer, ConditionParser& parser);

// The trailing run of actions whose canonical URL equals the last one's:
// actions[first, actions.size()). Empty actions give {0, 0}.
struct PageRun {
    std::size_t first = 0;
    std::size_t count = 0;
};
PageRun trailingPageRun(std::span<const ActionRecord> actions);

} // namespace proactive
