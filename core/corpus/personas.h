#pragma once

#include "corpus/visitrecorder.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace proactive {

// The kinds of users the corpus generator simulates on the demo product
// (docs/corpus.md says what each does and how its labels follow).
enum class Persona : std::uint8_t { Confident, Hesitant, Lost, Idle, Returning };
inline constexpr std::size_t kPersonaCount = 5;
std::string_view nameOf(Persona persona);
std::optional<Persona> personaFromName(std::string_view name);

// One row of the persona table: everything that makes the personas differ.
// Times are drawn with PortableRandom::skewed (mostly short, sometimes long).
struct PersonaTraits {
    Persona persona;
    unsigned defaultShare; // % of the sessions in the default mix
    MsSpan think; // between two steps on a page
    MsSpan read; // looking at a page that just loaded
    std::uint32_t identifiedPerMille; // signed in (distinct_id is the app's user id, $set email); else anonymous
    std::uint32_t pageleavePerMille; // the tab is closed at the end ($pageleave); else left open
    // What the persona repeats, drawn uniformly: confident — tasks; hesitant
    // — times the create-project dialog is opened and closed; lost — pages
    // bounced to and back from; idle — clicks while lingering; returning —
    // visits on different days.
    std::int64_t stepsMin;
    std::int64_t stepsMax;
    std::uint32_t giveUpPerMille; // hesitant, lost, idle: leaves without reaching the goal
    // hesitant — staring at the open dialog; lost — scanning a page before
    // going back; idle — time on the settings page before acting or leaving.
    MsSpan linger;
    std::uint32_t breakPerMille; // returning: a break of 31–120 min between two tasks (posthog-js rotates the session)
};
const std::array<PersonaTraits, kPersonaCount>& personaTable();
const PersonaTraits& traitsOf(Persona persona);

// One person's visits (a single visit for every persona but returning,
// whose visits fall on later days), recorded and labelled.
std::vector<DraftSession> simulatePersona(
    Persona persona, PortableRandom& random, VisitorIdentity identity, CaptureTarget target, std::int64_t startMs);

// The labels' trigger ids for what each persona needs (the demo's triggers/demo.json).
inline constexpr std::string_view kHesitationTrigger = "create-project-hesitation";
inline constexpr std::string_view kPingPongTrigger = "ping-pong";
inline constexpr std::string_view kAccountDwellTrigger = "account-settings-dwell";
inline constexpr std::string_view kSettingsSectionsTrigger = "settings-sections";

} // namespace proactive
