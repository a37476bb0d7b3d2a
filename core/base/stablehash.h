#pragma once

#include <cstdint>
#include <string_view>

namespace proactive {

// 64-bit FNV-1a over the bytes of `text`, continuing from `hash`: the same
// value on every platform, compiler and process (unlike std::hash), for
// anything that must agree across runs, such as holdout assignment.
constexpr std::uint64_t kFnv1a64Offset = 14695981039346656037ULL;
constexpr std::uint64_t fnv1a64(std::string_view text, std::uint64_t hash = kFnv1a64Offset)
{
    for (const char c : text) {
        hash ^= static_cast<std::uint8_t>(c);
        hash *= 1099511628211ULL;
    }
    return hash;
}

} // namespace proactive
