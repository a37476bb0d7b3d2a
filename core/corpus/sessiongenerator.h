#pragma once

#include "base/clock.h"
#include "base/result.h"
#include "corpus/personas.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
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

// A known effect of one trigger's offer to plant in the corpus (issue 18),
// so that the impact report can be checked against it: every person is
// exposed once, a third into their first session, as a live connector with
// the trigger's holdout_percent would have (the arm is assignHoldout's,
// experiment = the trigger id), and the event it sends back to PostHog is
// recorded (`proactive offer shown` or `proactive holdout`). Then the person
// reaches the goal (a `goal_event` custom event, some seconds to minutes
// later in the same session) with probability `baseRate`, plus `lift` when
// offered.
struct PlantedEffect {
    std::string triggerId = "create-project-hesitation";
    double holdoutPercent = 20; // 0–50, as holdout_percent
    double baseRate = 0.30; // the held-out arm's goal rate, 0–1
    double lift = 0.15; // added to the offered arm's goal rate (may be negative; the sum stays within 0–1)
    std::string goalEvent = "project created";

    // "lift=15,base=30,holdout=20,trigger=ID,goal=NAME": percentages and
    // points; every part optional, in any order.
    static Result<PlantedEffect> parse(std::string_view text);
    std::string toString() const;
};

struct CorpusOptions {
    std::string productId = "demo";
    std::string token; // the product's posthog_token: events carry it as posthog-js does
    std::size_t sessions = 300; // recorded sessions ($session_id values), all personas together
    std::uint64_t seed = 1;
    PersonaMix mix = PersonaMix::defaults();
    Timestamp start = fromEpochMs(1'793'610'000'000); // 2026-11-02T08:33:20Z: visits fall on the 14 days from its date
    int days = 14;
    std::optional<PlantedEffect> effect; // none: no offer or goal events
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
    // With a planted effect: people per arm, and how many reached the goal.
    std::size_t offered = 0;
    std::size_t offeredReached = 0;
    std::size_t heldOut = 0;
    std::size_t heldOutReached = 0;
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
