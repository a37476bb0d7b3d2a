#pragma once

#include "base/clock.h"
#include "base/result.h"
#include "corpus/personas.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

// How many sessions of each persona, as relative weights
// ("confident=40,hesitant=20,lost=15,idle=15,returning=10"; a persona left
// out gets none).
struct PersonaMix {
    std::array<unsigned, kPersonaCount> weights {};

    static PersonaMix defaults(); // the persona table's shares
    static Result<PersonaMix> parse(std::string_view text);
    std::string toString() const;
    // `total` sessions shared out by weight, largest remainders first (ties: table order).
    std::array<std::size_t, kPersonaCount> quotas(std::size_t total) const;
};

struct CorpusOptions {
    std::string productId = "demo";
    std::string token; // the product's posthog_token: events carry it as posthog-js does
    std::size_t sessions = 300; // recorded sessions ($session_id values), all personas together
    std::uint64_t seed = 1;
    PersonaMix mix = PersonaMix::defaults();
    Timestamp start = fromEpochMs(1'793'610'000'000); // 2026-11-02T08:33:20Z: visits fall on the 14 days from its date
    int days = 14;
};

// A file of the corpus, relative to the output folder.
struct CorpusFile {
    std::filesystem::path path; // "sessions/generated-hesitant.jsonl", "labels/generated.json"
    std::string text;
};

struct GeneratedCorpus {
    std::vector<CorpusFile> files; // one sessions file per persona that has sessions, then the labels
    std::array<std::size_t, kPersonaCount> sessions {}; // per persona
    std::size_t events = 0;
    std::size_t helpWanted = 0; // help_wanted ranges
    std::size_t expectations = 0;
};

// Simulates people on the bundled demo product (personas.h) and records
// them as posthog-js would, with labels known by construction (the format
// of docs/labels.md; docs/corpus.md). The same options give the same bytes
// on every platform. Every person has a generator of their own, seeded from
// (seed, persona, their index), so a persona's first n people are the same
// whatever the other personas' counts.
GeneratedCorpus generateCorpus(const CorpusOptions& options);

// The sessions files of every persona (the old file of a persona that now has
// none is removed) and labels/generated.json, under `folder`. Other files are
// left alone.
Status writeCorpus(const GeneratedCorpus& corpus, const std::filesystem::path& folder);

// "sessions/generated-<persona>.jsonl" and "labels/generated.json".
std::filesystem::path corpusSessionsFile(Persona persona);
std::filesystem::path corpusLabelsFile();

} // namespace proactive
