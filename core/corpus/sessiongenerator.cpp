#include "corpus/sessiongenerator.h"

#include "emit/offerevent.h"
#include "gates/offerrules.h"
#include "groundtruth/labelset.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <system_error>

namespace proactive {

namespace {

    constexpr std::int64_t kHourMs = 60 * 60 * 1000;
    constexpr std::int64_t kDayMs = 24 * kHourMs;

    constexpr std::array<const char*, 12> kFirstNames { "maya", "lucas", "sofia", "omar", "lena", "tomas", "aiko",
        "ravi", "nora", "felix", "ines", "kwame" };
    constexpr std::array<const char*, 12> kLastNames { "fischer", "silva", "kowalski", "haddad", "berg", "moreno",
        "tanaka", "patel", "olsen", "dubois", "costa", "mensah" };

    std::string hex(std::uint64_t value, int digits)
    {
        static constexpr char kHex[] = "0123456789abcdef";
        std::string out(static_cast<std::size_t>(digits), '0');
        for (int i = digits - 1; i >= 0; --i, value >>= 4)
            out[static_cast<std::size_t>(i)] = kHex[value & 0xf];
        return out;
    }

    // Signed-in people carry the app's user id and their email; the others
    // posthog-js's anonymous id (a UUIDv7 of their first visit).
    VisitorIdentity makeIdentity(PortableRandom& random, const PersonaTraits& traits, std::int64_t firstVisitMs)
    {
        VisitorIdentity identity;
        static constexpr std::array<const char*, 4> kBrowsers { "Chrome", "Firefox", "Safari", "Edge" };
        static constexpr std::array<unsigned, 4> kBrowserShares { 60, 15, 15, 10 };
        static constexpr std::array<const char*, 3> kSystems { "Mac OS X", "Windows", "Linux" };
        static constexpr std::array<unsigned, 3> kSystemShares { 45, 40, 15 };
        identity.browser = kBrowsers[random.pick(kBrowserShares)];
        identity.os = identity.browser == std::string("Safari") ? "Mac OS X" : kSystems[random.pick(kSystemShares)];
        if (random.chance(traits.identifiedPerMille)) {
            identity.distinctId = "usr_" + hex(random.next(), 12);
            identity.email = std::string(kFirstNames[random.below(static_cast<std::uint32_t>(kFirstNames.size()))])
                + '.' + kLastNames[random.below(static_cast<std::uint32_t>(kLastNames.size()))] + "@example.com";
        } else {
            identity.distinctId = random.uuidV7(firstVisitMs);
        }
        return identity;
    }

    double seconds(std::int64_t ms)
    {
        return static_cast<double>(ms) / 1000.0;
    }

    nlohmann::ordered_json labelsOf(const DraftSession& session, const std::string& productId)
    {
        nlohmann::ordered_json ranges = nlohmann::ordered_json::array();
        for (const auto& range : session.ranges) {
            nlohmann::ordered_json out { { "kind", range.helpWanted ? "help_wanted" : "no_help" },
                { "from", seconds(range.fromMs - session.startMs) }, { "to", seconds(range.toMs - session.startMs) } };
            if (!range.answer.empty())
                out["answer"] = range.answer;
            out["note"] = range.note;
            out["author"] = "generator";
            ranges.push_back(std::move(out));
        }
        nlohmann::ordered_json expectations = nlohmann::ordered_json::array();
        for (const auto& expectation : session.expectations) {
            nlohmann::ordered_json out { { "expect", expectation.fires ? "fires" : "no_offer" } };
            if (!expectation.trigger.empty())
                out["trigger"] = expectation.trigger;
            if (expectation.fromMs)
                out["from"] = seconds(*expectation.fromMs - session.startMs);
            if (expectation.toMs)
                out["to"] = seconds(*expectation.toMs - session.startMs);
            expectations.push_back(std::move(out));
        }
        nlohmann::ordered_json entry { { "session_id", session.sessionId }, { "product", productId },
            { "fully_labelled", true }, { "ranges", std::move(ranges) } };
        if (!expectations.empty())
            entry["expect"] = std::move(expectations);
        return entry;
    }

    // Seeds the planted effect's draws apart from the person's own, so
    // that the sessions are the same bytes with or without it.
    constexpr std::uint64_t kEffectSalt = 0x1f5eed5;

    // From the exposure to the goal: mostly a minute or two, sometimes ten.
    constexpr std::int64_t kGoalAfterMinMs = 5'000;
    constexpr std::int64_t kGoalAfterMaxMs = 600'000;

    std::string eventLine(PortableRandom& random, std::string_view event, std::int64_t atMs,
        const DraftSession& session, const std::string& distinctId, const CaptureTarget& target,
        nlohmann::ordered_json extra)
    {
        nlohmann::ordered_json properties { { "$session_id", session.sessionId }, { "distinct_id", distinctId },
            { "token", target.token }, { "$lib", "web" } };
        for (auto& [key, value] : extra.items())
            properties[key] = std::move(value);
        const nlohmann::ordered_json line { { "uuid", random.uuidV7(atMs) }, { "event", event },
            { "properties", std::move(properties) }, { "timestamp", formatIsoTimestamp(fromEpochMs(atMs)) } };
        return line.dump() + '\n';
    }

    // Exposes the person in their first session and maybe has them reach
    // the goal (PlantedEffect). The lines are appended: the importer orders
    // a session's events by time.
    void plantEffect(const PlantedEffect& effect, const std::string& distinctId, const CaptureTarget& target,
        PortableRandom& random, DraftSession& session, GeneratedCorpus& corpus)
    {
        const HoldoutAssignment arm = assignHoldout(effect.triggerId, distinctId, effect.holdoutPercent);
        const std::int64_t exposedMs = session.startMs + (session.endMs - session.startMs) / 3;
        session.jsonLines += eventLine(random, arm.heldOut ? offerevent::Holdout : offerevent::Shown, exposedMs,
            session, distinctId, target,
            { { "trigger_id", effect.triggerId }, { "experiment", arm.experiment }, { "experiment_arm", arm.arm() },
                { "experiment_bucket", arm.bucket } });
        ++session.events;
        const double rate = std::clamp(effect.baseRate + (arm.heldOut ? 0 : effect.lift), 0.0, 1.0);
        const bool reached = random.chance(static_cast<std::uint32_t>(std::lround(rate * 1000)));
        (arm.heldOut ? corpus.heldOut : corpus.offered) += 1;
        if (!reached)
            return;
        (arm.heldOut ? corpus.heldOutReached : corpus.offeredReached) += 1;
        const std::int64_t goalMs = exposedMs + random.skewed(kGoalAfterMinMs, kGoalAfterMaxMs);
        session.jsonLines += eventLine(random, effect.goalEvent, goalMs, session, distinctId, target, {});
        ++session.events;
        session.endMs = std::max(session.endMs, goalMs);
    }

} // namespace

PersonaMix PersonaMix::defaults()
{
    PersonaMix mix;
    for (const auto& traits : personaTable())
        mix.weights[static_cast<std::size_t>(traits.persona)] = traits.defaultShare;
    return mix;
}

Result<PersonaMix> PersonaMix::parse(std::string_view text)
{
    PersonaMix mix;
    std::array<bool, kPersonaCount> seen {};
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string_view item = text.substr(start, comma - start);
        start = comma + 1;
        const std::size_t equals = item.find('=');
        const std::string_view name = item.substr(0, equals);
        const auto persona = personaFromName(name);
        if (!persona)
            return Error { "bad_personas",
                "unknown persona \"" + std::string(name)
                    + "\" (expected confident, hesitant, lost, idle or returning, as name=weight)" };
        const auto index = static_cast<std::size_t>(*persona);
        if (seen[index])
            return Error { "bad_personas", "persona \"" + std::string(name) + "\" is given twice" };
        seen[index] = true;
        const std::string_view number = equals == std::string_view::npos ? std::string_view() : item.substr(equals + 1);
        unsigned weight = 0;
        if (number.empty() || number.size() > 6
            || !std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return Error { "bad_personas",
                "\"" + std::string(item) + "\": the weight must be a whole number (name=weight)" };
        for (char c : number)
            weight = weight * 10 + static_cast<unsigned>(c - '0');
        mix.weights[index] = weight;
    }
    if (std::accumulate(mix.weights.begin(), mix.weights.end(), 0u) == 0)
        return Error { "bad_personas", "every weight is 0: no persona to generate" };
    return mix;
}

std::string PersonaMix::toString() const
{
    std::string text;
    for (const auto& traits : personaTable()) {
        if (!text.empty())
            text += ',';
        text += std::string(nameOf(traits.persona)) + '='
            + std::to_string(weights[static_cast<std::size_t>(traits.persona)]);
    }
    return text;
}

std::array<std::size_t, kPersonaCount> PersonaMix::quotas(std::size_t total) const
{
    const std::uint64_t sum = std::accumulate(weights.begin(), weights.end(), std::uint64_t(0));
    std::array<std::size_t, kPersonaCount> quotas {};
    std::array<std::uint64_t, kPersonaCount> remainders {};
    std::size_t given = 0;
    for (std::size_t i = 0; i < kPersonaCount; ++i) {
        const std::uint64_t share = std::uint64_t(total) * weights[i];
        quotas[i] = sum ? static_cast<std::size_t>(share / sum) : 0;
        remainders[i] = sum ? share % sum : 0;
        given += quotas[i];
    }
    std::array<std::size_t, kPersonaCount> order {};
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return remainders[a] > remainders[b]; });
    for (std::size_t i = 0; given < total && sum; i = (i + 1) % kPersonaCount) {
        if (weights[order[i]] == 0)
            continue;
        ++quotas[order[i]];
        ++given;
    }
    return quotas;
}

Result<PlantedEffect> PlantedEffect::parse(std::string_view text)
{
    PlantedEffect effect;
    auto number = [](std::string_view value, double min, double max) -> std::optional<double> {
        const std::string copy(value);
        char* end = nullptr;
        const double v = std::strtod(copy.c_str(), &end);
        if (copy.empty() || end != copy.c_str() + copy.size() || !std::isfinite(v) || v < min || v > max)
            return std::nullopt;
        return v;
    };
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string_view item = text.substr(start, comma - start);
        start = comma + 1;
        const std::size_t equals = item.find('=');
        const std::string_view key = item.substr(0, equals);
        const std::string_view value = equals == std::string_view::npos ? std::string_view() : item.substr(equals + 1);
        auto bad = [&](std::string_view expected) {
            return Error { "bad_effect", "\"" + std::string(item) + "\": " + std::string(expected) };
        };
        if (key == "lift") {
            const auto v = number(value, -100, 100);
            if (!v)
                return bad("lift is in points, from -100 to 100");
            effect.lift = *v / 100;
        } else if (key == "base") {
            const auto v = number(value, 0, 100);
            if (!v)
                return bad("base is a percentage from 0 to 100");
            effect.baseRate = *v / 100;
        } else if (key == "holdout") {
            const auto v = number(value, 0, kMaxHoldoutPercent);
            if (!v)
                return bad("holdout is a percentage from 0 to 50");
            effect.holdoutPercent = *v;
        } else if (key == "trigger" || key == "goal") {
            if (value.empty())
                return bad("expected a name after =");
            (key == "trigger" ? effect.triggerId : effect.goalEvent) = std::string(value);
        } else {
            return Error { "bad_effect",
                "unknown part \"" + std::string(key)
                    + "\" (expected lift, base, holdout, trigger or goal, as key=value)" };
        }
    }
    return effect;
}

std::string PlantedEffect::toString() const
{
    char numbers[96];
    std::snprintf(numbers, sizeof numbers, "lift=%g,base=%g,holdout=%g", lift * 100, baseRate * 100, holdoutPercent);
    return std::string(numbers) + ",trigger=" + triggerId + ",goal=" + goalEvent;
}

std::filesystem::path corpusSessionsFile(Persona persona)
{
    return std::filesystem::path("sessions") / ("generated-" + std::string(nameOf(persona)) + ".jsonl");
}

std::filesystem::path corpusLabelsFile()
{
    return std::filesystem::path("labels") / "generated.json";
}

GeneratedCorpus generateCorpus(const CorpusOptions& options)
{
    GeneratedCorpus corpus;
    CaptureTarget target;
    target.token = options.token;
    const auto quotas = options.mix.quotas(options.sessions);
    const std::int64_t start = toEpochMs(options.start);
    const auto days = static_cast<std::uint32_t>(std::max(options.days, 1));

    nlohmann::ordered_json labelled = nlohmann::ordered_json::array();
    for (const auto& traits : personaTable()) {
        const auto personaIndex = static_cast<std::size_t>(traits.persona);
        std::vector<DraftSession> sessions;
        for (std::uint64_t person = 0; sessions.size() < quotas[personaIndex]; ++person) {
            PortableRandom random(PortableRandom::mix(options.seed, personaIndex, person));
            const std::int64_t firstVisit
                = start + static_cast<std::int64_t>(random.below(days)) * kDayMs + random.between(0, 9 * kHourMs);
            auto identity = makeIdentity(random, traits, firstVisit);
            const std::string distinctId = identity.distinctId;
            auto visits = simulatePersona(traits.persona, random, std::move(identity), target, firstVisit);
            if (options.effect && !visits.empty()) {
                PortableRandom effectRandom(PortableRandom::mix(options.seed ^ kEffectSalt, personaIndex, person));
                plantEffect(*options.effect, distinctId, target, effectRandom, visits.front(), corpus);
            }
            for (auto& session : visits) {
                if (sessions.size() == quotas[personaIndex])
                    break; // the quota is of sessions: a returning person's last visits may be left out
                sessions.push_back(std::move(session));
            }
        }
        if (sessions.empty())
            continue;
        std::stable_sort(sessions.begin(), sessions.end(),
            [](const DraftSession& a, const DraftSession& b) { return a.startMs < b.startMs; });
        CorpusFile file { corpusSessionsFile(traits.persona), {} };
        for (const auto& session : sessions) {
            file.text += session.jsonLines;
            corpus.events += session.events;
            corpus.expectations += session.expectations.size();
            corpus.helpWanted += static_cast<std::size_t>(std::count_if(
                session.ranges.begin(), session.ranges.end(), [](const DraftRange& r) { return r.helpWanted; }));
            labelled.push_back(labelsOf(session, options.productId));
        }
        corpus.sessions[personaIndex] = sessions.size();
        corpus.files.push_back(std::move(file));
    }

    const nlohmann::ordered_json labels { { "format", kLabelsFormat }, { "version", 1 },
        { "sessions", std::move(labelled) } };
    corpus.files.push_back({ corpusLabelsFile(), labels.dump(1) + '\n' });
    return corpus;
}

Status writeCorpus(const GeneratedCorpus& corpus, const std::filesystem::path& folder)
{
    std::error_code error;
    for (const auto& traits : personaTable()) {
        if (corpus.sessions[static_cast<std::size_t>(traits.persona)] == 0)
            std::filesystem::remove(folder / corpusSessionsFile(traits.persona), error);
    }
    for (const auto& file : corpus.files) {
        const auto path = folder / file.path;
        std::filesystem::create_directories(path.parent_path(), error);
        if (error)
            return Error { "write_failed", "cannot create the folder: " + error.message(),
                path.parent_path().string() };
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(file.text.data(), static_cast<std::streamsize>(file.text.size()));
        out.close();
        if (!out)
            return Error { "write_failed", "cannot write the file", path.string() };
    }
    return Ok {};
}

} // namespace proactive
