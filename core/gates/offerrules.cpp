#include "gates/offerrules.h"

#include "base/stablehash.h"
#include "gates/gatepipeline.h"

#include <algorithm>
#include <cmath>

namespace proactive {

namespace {

    std::string foldedEmail(std::string_view email)
    {
        std::string folded(email);
        std::transform(folded.begin(), folded.end(), folded.begin(),
            [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
        return folded;
    }

    void merge(TriggerHistory& into, const TriggerHistory& other)
    {
        into.offers = std::max(into.offers, other.offers);
        into.interactions = std::max(into.interactions, other.interactions);
        if (!other.recentOffers.empty()
            && (into.recentOffers.empty() || other.recentOffers.back() > into.recentOffers.back()))
            into.group = other.group;
        std::vector<Timestamp> times;
        times.reserve(into.recentOffers.size() + other.recentOffers.size());
        std::set_union(into.recentOffers.begin(), into.recentOffers.end(), other.recentOffers.begin(),
            other.recentOffers.end(), std::back_inserter(times));
        into.recentOffers = std::move(times);
        // Offers recorded under different keys before the keys met are all real.
        into.offers = std::max(into.offers, static_cast<std::int64_t>(into.recentOffers.size()));
    }

} // namespace

UserKeys userKeysOf(const SessionRecord* session, std::string_view sessionId)
{
    UserKeys keys;
    if (session && !session->distinctId.empty())
        keys.written.push_back("id:" + session->distinctId);
    if (session && !session->email.empty())
        keys.written.push_back("email:" + foldedEmail(session->email));
    if (keys.written.empty())
        keys.written.push_back("session:" + std::string(sessionId));
    keys.read = keys.written;
    if (session && !session->linkedDistinctId.empty() && session->linkedDistinctId != session->distinctId)
        keys.read.push_back("id:" + session->linkedDistinctId);
    return keys;
}

void appendEvents(std::vector<UserHistoryEvent>& events, const std::string& productId, const std::string& userKey,
    const TriggerHistory& history)
{
    for (const Timestamp at : history.recentOffers)
        events.push_back({ productId, userKey, history.triggerId, history.group, UserHistoryEvent::Kind::Offer, at });
    const Timestamp latest = history.recentOffers.empty() ? Timestamp {} : history.recentOffers.back();
    for (std::int64_t i = 0; i < history.interactions; ++i)
        events.push_back({ productId, userKey, history.triggerId, {}, UserHistoryEvent::Kind::Interaction, latest });
}

OfferHistory::OfferHistory(const Store& store, std::string_view productId, const std::vector<std::string>& keys)
{
    for (const std::string& key : keys)
        for (TriggerHistory& history : store.userHistory(productId, key)) {
            const auto known = std::find_if(m_triggers.begin(), m_triggers.end(),
                [&](const TriggerHistory& h) { return h.triggerId == history.triggerId; });
            if (known == m_triggers.end())
                m_triggers.push_back(std::move(history));
            else
                merge(*known, history);
        }
}

const TriggerHistory* OfferHistory::of(std::string_view triggerId) const
{
    const auto it = std::find_if(
        m_triggers.begin(), m_triggers.end(), [&](const TriggerHistory& h) { return h.triggerId == triggerId; });
    return it == m_triggers.end() ? nullptr : &*it;
}

std::optional<Timestamp> OfferHistory::lastOffer(const std::string* group) const
{
    std::optional<Timestamp> last;
    for (const TriggerHistory& history : m_triggers)
        if (!history.recentOffers.empty() && (!group || history.group == *group))
            last = std::max(last.value_or(history.recentOffers.back()), history.recentOffers.back());
    return last;
}

RuleCheck checkFrequency(const TriggerDefinition& trigger, const OfferHistory& history, Timestamp now, bool explain)
{
    const FrequencyRule& rule = trigger.frequency;
    const TriggerHistory* seen = history.of(trigger.id);
    const std::int64_t offers = seen ? seen->offers : 0;
    const std::int64_t interactions = seen ? seen->interactions : 0;
    RuleCheck check;
    switch (rule.kind) {
    case FrequencyRule::Kind::Always:
        break;
    case FrequencyRule::Kind::Once:
        if (offers > 0)
            check.reason = skip::FrequencyOnce;
        break;
    case FrequencyRule::Kind::UntilInteracted:
        if (interactions > 0)
            check.reason = skip::FrequencyUntilInteracted;
        break;
    case FrequencyRule::Kind::MaxPerUser: {
        std::int64_t counted = offers;
        if (rule.within && seen) {
            const Timestamp from = now - *rule.within;
            counted = std::distance(
                std::lower_bound(seen->recentOffers.begin(), seen->recentOffers.end(), from), seen->recentOffers.end());
        } else if (rule.within) {
            counted = 0;
        }
        if (counted >= rule.maxPerUser)
            check.reason = skip::FrequencyMaxPerUser;
        if (explain) {
            check.numbers = { { "trigger_id", trigger.id }, { "rule", nameOf(rule.kind) }, { "offers", counted },
                { "max", rule.maxPerUser } };
            if (rule.within)
                check.numbers["within_s"] = toSeconds(*rule.within);
            check.numbers["verdict"] = check.passes() ? "pass" : "block";
        }
        return check;
    }
    }
    if (explain) {
        check.numbers = { { "trigger_id", trigger.id }, { "rule", nameOf(rule.kind) }, { "offers_ever", offers },
            { "interactions", interactions }, { "verdict", check.passes() ? "pass" : "block" } };
        if (seen && !seen->recentOffers.empty())
            check.numbers["since_last_offer_s"] = toSeconds(now - seen->recentOffers.back());
    }
    return check;
}

RuleCheck checkWait(const TriggerDefinition& trigger, const ProactiveSettings& settings, const OfferHistory& history,
    Timestamp now, bool explain)
{
    RuleCheck check;
    const bool byGroup = settings.waitScope == ProactiveSettings::WaitScope::Group;
    if (settings.waitAfterOffer <= Duration::zero() || (byGroup && trigger.group.empty())) {
        if (explain)
            check.numbers = { { "trigger_id", trigger.id }, { "wait_s", toSeconds(settings.waitAfterOffer) },
                { "scope", byGroup ? "group" : "product" }, { "verdict", "pass" } };
        return check;
    }
    const auto last = history.lastOffer(byGroup ? &trigger.group : nullptr);
    if (last && now < *last + settings.waitAfterOffer)
        check.reason = skip::WaitGroup;
    if (explain) {
        check.numbers = { { "trigger_id", trigger.id }, { "wait_s", toSeconds(settings.waitAfterOffer) },
            { "scope", byGroup ? "group" : "product" }, { "verdict", check.passes() ? "pass" : "block" } };
        if (byGroup)
            check.numbers["group"] = trigger.group;
        if (last)
            check.numbers["since_last_offer_s"] = toSeconds(now - *last);
    }
    return check;
}

nlohmann::json HoldoutAssignment::toJson() const
{
    return { { "experiment", experiment }, { "bucket", bucket }, { "buckets", kBuckets }, { "percent", percent },
        { "arm", arm() }, { "hash", "fnv1a64(experiment 0x1f user) mod 10000" } };
}

HoldoutAssignment assignHoldout(std::string_view experiment, std::string_view userId, double percent)
{
    const std::uint64_t hash = fnv1a64(userId, fnv1a64("\x1f", fnv1a64(experiment)));
    const auto bucket = static_cast<std::uint32_t>(hash % HoldoutAssignment::kBuckets);
    // In whole buckets (0.01 %), so that 4.4 % is exactly buckets 0–439.
    const auto heldOutBuckets = static_cast<std::uint32_t>(std::lround(percent * 100));
    return { std::string(experiment), bucket, percent, bucket < heldOutBuckets };
}

std::optional<Experiment> experimentOf(const TriggerDefinition& trigger, const Product& product)
{
    const bool own = trigger.holdoutPercent.has_value();
    const double percent = own ? *trigger.holdoutPercent : product.proactive.holdoutPercent;
    if (percent <= 0)
        return std::nullopt;
    if (!trigger.experiment.empty())
        return Experiment { trigger.experiment, percent };
    if (own)
        return Experiment { trigger.id, percent };
    return Experiment { product.proactive.experiment.empty() ? product.id : product.proactive.experiment, percent };
}

} // namespace proactive
