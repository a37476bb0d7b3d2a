#pragma once

#include "base/clock.h"
#include "fsm/fsmstate.h"
#include "intake/action.h"
#include "store/store.h"

#include <array>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// How the persistent stores write records as text: SqliteStore in its
// columns, RedisStore in its values. One encoding for both, so that
// `store copy` moves records without translating them.
namespace proactive::recordcodec {

// The stored names (SQLite schema version 1, Redis layout 1): they must not
// follow renames of the display names elsewhere.
inline constexpr std::array<std::string_view, kFsmStateCount> kStateCodes {
    "thinking",
    "reactive_assistance",
    "proactive_assistance",
    "guidance_execution",
    "conservative_assistance",
};
inline constexpr std::array<std::string_view, 7> kActionTypeCodes {
    "pageview",
    "click",
    "submit",
    "change",
    "rage_click",
    "pageleave",
    "custom",
};
static_assert(static_cast<std::size_t>(ActionType::Custom) + 1 == kActionTypeCodes.size());

template<typename Enum, std::size_t N> std::string_view codeOf(const std::array<std::string_view, N>& codes, Enum value)
{
    return codes[static_cast<std::size_t>(value)];
}

template<typename Enum, std::size_t N>
std::optional<Enum> fromCode(const std::array<std::string_view, N>& codes, std::string_view code)
{
    for (std::size_t i = 0; i < N; ++i)
        if (codes[i] == code)
            return static_cast<Enum>(i);
    return std::nullopt;
}

// Elements and properties as JSON values (inside an action's record) and as
// text (SQLite's columns).
nlohmann::json elementJson(const Element& element);
std::string encodeElement(const Element& element);
bool decodeElement(const nlohmann::json& object, Element& element);
bool decodeElement(const std::string& text, Element& element);
nlohmann::json pairsJson(const std::vector<std::pair<std::string, std::string>>& pairs);
std::string encodePairs(const std::vector<std::pair<std::string, std::string>>& pairs);
bool decodePairs(const nlohmann::json& array, std::vector<std::pair<std::string, std::string>>& pairs);
// A user's recent offer times: epoch milliseconds, comma-separated.
std::string encodeTimes(const std::vector<Timestamp>& times);
bool decodeTimes(const std::string& text, std::vector<Timestamp>& times);

// Whole records as compact JSON (RedisStore). Decoders return nullopt for
// text that is not such a record.
std::string encodeAction(const Action& action);
std::optional<Action> decodeAction(std::string_view text);
std::string encodeConversation(const ConversationRecord& record);
std::optional<ConversationRecord> decodeConversation(std::string_view text);
std::string encodeTransition(const TransitionRecord& record);
std::optional<TransitionRecord> decodeTransition(std::string_view text);
std::string encodeFiring(const FiringRecord& record);
std::optional<FiringRecord> decodeFiring(std::string_view text);
std::string encodeHistory(const TriggerHistory& history);
std::optional<TriggerHistory> decodeHistory(std::string_view triggerId, std::string_view text);

} // namespace proactive::recordcodec
