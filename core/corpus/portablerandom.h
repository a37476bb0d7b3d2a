#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace proactive {

// Random numbers that are the same bytes on every platform for a seed:
// std::mt19937_64's output is fixed by the standard, but the standard
// library's distributions are not, so every mapping here is integer
// arithmetic written out (no floating point, no libm).
class PortableRandom final {
public:
    explicit PortableRandom(std::uint64_t seed)
        : m_engine(seed)
    { }

    std::uint64_t next() { return m_engine(); }

    // 0 … n−1 (n ≥ 1), by the high 32 bits scaled (bias below 2⁻³² for the small n used here).
    std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(((next() >> 32) * n) >> 32); }
    // lo … hi inclusive.
    std::int64_t between(std::int64_t lo, std::int64_t hi)
    {
        return lo + static_cast<std::int64_t>(below(static_cast<std::uint32_t>(hi - lo + 1)));
    }
    // True with probability perMille / 1000.
    bool chance(std::uint32_t perMille) { return below(1000) < perMille; }
    // lo … hi, right-skewed like human think times: lo + (hi − lo)·u₁·u₂
    // with two uniform 32-bit fractions (mean a quarter of the way, mode at lo).
    std::int64_t skewed(std::int64_t lo, std::int64_t hi)
    {
        const std::uint64_t u1 = next() >> 32;
        const std::uint64_t u2 = next() >> 32;
        const std::uint64_t fraction = (u1 * u2) >> 32; // < 2³²
        return lo + static_cast<std::int64_t>((static_cast<std::uint64_t>(hi - lo) * fraction) >> 32);
    }
    // An index into weights (their sum ≥ 1), with probability weight / sum.
    template<typename Weights> std::size_t pick(const Weights& weights)
    {
        std::uint32_t total = 0;
        for (auto w : weights)
            total += w;
        std::uint32_t roll = below(total);
        std::size_t i = 0;
        for (auto w : weights) {
            if (roll < w)
                return i;
            roll -= w;
            ++i;
        }
        return i - 1;
    }

    // A UUID version 7 as posthog-js makes them for sessions, windows and
    // events: the 48-bit Unix time in ms, then random bits.
    std::string uuidV7(std::int64_t epochMs)
    {
        const std::uint64_t high = (static_cast<std::uint64_t>(epochMs) << 16) | 0x7000u | (next() & 0x0fffu);
        const std::uint64_t low = (next() & 0x3fffffffffffffffull) | 0x8000000000000000ull;
        static constexpr char kHex[] = "0123456789abcdef";
        std::string out;
        out.reserve(36);
        const auto put = [&](std::uint64_t word, int fromNibble, int toNibble) {
            for (int n = fromNibble; n < toNibble; ++n)
                out += kHex[(word >> (60 - 4 * n)) & 0xf];
        };
        put(high, 0, 8);
        out += '-';
        put(high, 8, 12);
        out += '-';
        put(high, 12, 16);
        out += '-';
        put(low, 0, 4);
        out += '-';
        put(low, 4, 16);
        return out;
    }

    // SplitMix64: one well-mixed seed from a few numbers, so each user of a
    // corpus has a generator of their own whatever the others draw.
    static std::uint64_t mix(std::uint64_t seed, std::uint64_t a, std::uint64_t b)
    {
        std::uint64_t x = seed;
        for (std::uint64_t part : { a, b }) {
            x += 0x9e3779b97f4a7c15ull + part;
            x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
            x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
            x ^= x >> 31;
        }
        return x;
    }

private:
    std::mt19937_64 m_engine;
};

} // namespace proactive
