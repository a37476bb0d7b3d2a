#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace proactive::chatnet {

// JSON text exactly as Dify's Python writes it (`json.dumps` defaults):
// ", " and ": " separators, keys in insertion order, non-ASCII escaped as
// \uXXXX (surrogate pairs above U+FFFF), invalid UTF-8 as U+FFFD. The
// offline server frames every event with it, so clients meet the same
// bytes as from Dify.
std::string difyJsonDump(const nlohmann::ordered_json& value);

} // namespace proactive::chatnet
