#pragma once

#include "intake/action.h"

#include <string_view>
#include <vector>

namespace proactive {

// Parses PostHog's `$elements_chain` ("button.btn.primary:attr__data-tour-id=\"add\"nth-child=\"2\"text=\"Add\";div...")
// with its real grammar. Target element first, then its ancestors. Never throws;
// unparseable parts are skipped. Each Element gets its `selector` filled in.
std::vector<Element> parseElementsChain(std::string_view chain);

} // namespace proactive
