#pragma once

// Shared by the fuzz targets: a property that does not hold prints why and
// aborts, so that libFuzzer keeps the input as a crash; and chunkings of an
// input drawn from the input itself, so that every corpus file stays a plain
// sample of the format (seeds from tests/data work as they are).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string_view>
#include <vector>

namespace proactive::fuzz {

[[noreturn]] inline void fail(std::string_view what)
{
    std::fputs("fuzz property violated: ", stderr);
    std::fwrite(what.data(), 1, what.size(), stderr);
    std::fputs("\n", stderr);
    std::abort();
}

inline std::string_view bytes(const std::uint8_t* data, std::size_t size)
{
    return { reinterpret_cast<const char*>(data), size };
}

// Sorted cut offsets inside `input` (pieces of 1 to maxPiece bytes), the
// same for the same input: seeded with its FNV-1a hash.
inline std::vector<std::size_t> cutsFor(std::string_view input, std::size_t maxPiece)
{
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const char c : input)
        hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    std::mt19937_64 random(hash);
    std::vector<std::size_t> cuts;
    for (std::size_t at = 1 + random() % maxPiece; at < input.size(); at += 1 + random() % maxPiece)
        cuts.push_back(at);
    return cuts;
}

} // namespace proactive::fuzz
