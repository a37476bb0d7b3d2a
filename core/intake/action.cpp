#include "intake/action.h"

#include <array>

namespace proactive {

namespace {

    constexpr std::array<std::string_view, 7> kActionTypeNames {
        "pageview",
        "click",
        "submit",
        "change",
        "rageclick",
        "pageleave",
        "custom",
    };

} // namespace

std::string_view nameOf(ActionType type)
{
    const auto index = static_cast<std::size_t>(type);
    return index < kActionTypeNames.size() ? kActionTypeNames[index] : std::string_view("custom");
}

std::optional<ActionType> actionTypeFromString(std::string_view name)
{
    for (std::size_t i = 0; i < kActionTypeNames.size(); ++i)
        if (kActionTypeNames[i] == name)
            return static_cast<ActionType>(i);
    return std::nullopt;
}

} // namespace proactive
