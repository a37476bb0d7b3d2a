#include "groundtruth/groundtruth.h"

#include "replay/sessionimport.h"
#include "triggers/trigger.h"
#include "workspace/workspace.h"

#include <algorithm>
#include <map>

namespace proactive {

namespace {

    struct ResolvedRange {
        const LabelRange* label;
        Timestamp from;
        Timestamp to;

        bool contains(Timestamp t) const { return from <= t && t <= to; }
    };

    bool answers(const LabelRange& range, const ReplayFiring& offer)
    {
        return range.answer.empty() || range.answer == offer.triggerId
            || (!offer.tourId.empty() && range.answer == offer.tourId);
    }

    // Whether a help_wanted range is one the trigger is asked to answer: it
    // names the trigger or its tour. Ranges that name nothing count for the
    // overall recall only: no single trigger is expected to answer them.
    bool asksFor(const LabelRange& range, const Trigger& trigger)
    {
        return !range.answer.empty()
            && (range.answer == trigger.id()
                || (!trigger.definition().tourId.empty() && range.answer == trigger.definition().tourId));
    }

    std::string offset(Timestamp t, Timestamp start)
    {
        return LabelTime::formatOffset(t - start);
    }

    // "+20…+60 s" (one unit for both ends when they share it).
    std::string window(Timestamp from, Timestamp to, Timestamp start)
    {
        auto first = offset(from, start);
        const auto second = offset(to, start);
        constexpr std::string_view unit = " s";
        if (first.ends_with(unit) && second.ends_with(unit))
            first.resize(first.size() - unit.size());
        return first + "…" + second;
    }

    // "within +20…+60 s", "before +30 s", "after +1:10", "" (the whole session).
    std::string windowPhrase(const Expectation& expectation, Timestamp from, Timestamp to, Timestamp start)
    {
        if (expectation.from && expectation.to)
            return " within " + window(from, to, start);
        if (expectation.to)
            return " before " + offset(to, start);
        if (expectation.from)
            return " after " + offset(from, start);
        return "";
    }

    ExpectationResult check(const Expectation& expectation, int index, std::span<const ReplayFiring* const> offers,
        Timestamp start, Timestamp end)
    {
        ExpectationResult result;
        result.expectation = index;
        const auto from = expectation.from ? expectation.from->resolve(start) : start;
        const auto to = expectation.to ? expectation.to->resolve(start) : end;
        const auto phrase = windowPhrase(expectation, from, to, start);
        const auto concerned = [&](const ReplayFiring* offer) {
            return expectation.trigger.empty() || offer->triggerId == expectation.trigger;
        };
        const auto inWindow = std::find_if(offers.begin(), offers.end(),
            [&](const ReplayFiring* offer) { return concerned(offer) && from <= offer->at && offer->at <= to; });
        const auto fired
            = [&](const ReplayFiring* offer) { return offer->triggerId + " fired at " + offset(offer->at, start); };

        if (expectation.kind == Expectation::Kind::Fires) {
            const std::string expected = "expected "
                + (expectation.trigger.empty() ? std::string("an offer") : expectation.trigger) + phrase
                + (phrase.empty() ? " in this session" : "");
            if (inWindow != offers.end()) {
                result.passed = true;
                result.at = (*inWindow)->at;
                result.reason = expected + "; " + fired(*inWindow);
                return result;
            }
            result.at = std::min(to, end);
            std::vector<std::string> elsewhere;
            for (const ReplayFiring* offer : offers)
                if (concerned(offer))
                    elsewhere.push_back((expectation.trigger.empty() ? offer->triggerId + " fired" : "it fired")
                        + std::string(" at ") + offset(offer->at, start));
            if (elsewhere.empty()) {
                result.reason
                    = expected + "; " + (expectation.trigger.empty() ? std::string("nothing fired") : "it never fired");
            } else {
                result.reason = expected + "; ";
                for (std::size_t i = 0; i < elsewhere.size() && i < 3; ++i)
                    result.reason += (i ? ", " : "") + elsewhere[i];
                if (elsewhere.size() > 3)
                    result.reason += " and " + std::to_string(elsewhere.size() - 3) + " more times";
            }
            return result;
        }

        const std::string expected = "expected no "
            + (expectation.trigger.empty() ? std::string("offer") : expectation.trigger + " offer") + phrase;
        if (inWindow == offers.end()) {
            result.passed = true;
            result.at = std::min(to, end);
            result.reason = expected + "; none came";
            return result;
        }
        result.at = (*inWindow)->at;
        result.reason = expected + "; " + fired(*inWindow);
        return result;
    }

    void addLead(TruthCounts& counts, Timestamp from, Timestamp answer)
    {
        counts.leadTimesS.push_back(toSeconds(answer - from));
    }

    void countOffer(TruthCounts& counts, OfferVerdict::Kind kind)
    {
        ++counts.offers;
        switch (kind) {
        case OfferVerdict::Kind::Hit:
            ++counts.hits;
            break;
        case OfferVerdict::Kind::FalseOffer:
            ++counts.falseOffers;
            break;
        case OfferVerdict::Kind::Unlabelled:
            ++counts.unlabelledOffers;
            break;
        }
    }

    OfferVerdict judge(
        const ReplayFiring& offer, std::span<const ResolvedRange> ranges, bool fullyLabelled, Timestamp start)
    {
        OfferVerdict verdict { .at = offer.at, .triggerId = offer.triggerId, .tourId = offer.tourId };
        int noHelp = -1;
        int otherHelp = -1;
        for (std::size_t i = 0; i < ranges.size(); ++i) {
            const auto& range = ranges[i];
            if (!range.contains(offer.at))
                continue;
            if (range.label->kind == LabelRange::Kind::NoHelp) {
                noHelp = noHelp < 0 ? static_cast<int>(i) : noHelp;
            } else if (answers(*range.label, offer)) {
                verdict.kind = OfferVerdict::Kind::Hit;
                verdict.range = static_cast<int>(i);
                return verdict;
            } else {
                otherHelp = otherHelp < 0 ? static_cast<int>(i) : otherHelp;
            }
        }
        const auto where = [&](int i) { return window(ranges[i].from, ranges[i].to, start); };
        if (noHelp >= 0) {
            verdict.kind = OfferVerdict::Kind::FalseOffer;
            verdict.range = noHelp;
            verdict.reason = "in the no_help range " + where(noHelp);
        } else if (otherHelp >= 0) {
            verdict.kind = OfferVerdict::Kind::FalseOffer;
            verdict.range = otherHelp;
            verdict.reason
                = "the help_wanted range " + where(otherHelp) + " asks for " + ranges[otherHelp].label->answer;
        } else if (fullyLabelled) {
            verdict.kind = OfferVerdict::Kind::FalseOffer;
            verdict.reason = "outside every help_wanted range of a fully labelled session";
        }
        return verdict;
    }

    std::optional<double> ratio(std::size_t numerator, std::size_t denominator)
    {
        if (denominator == 0)
            return std::nullopt;
        return static_cast<double>(numerator) / static_cast<double>(denominator);
    }

    // The leaves that decided an explanation (see explanationSummary).
    void decidingLeaves(const ConditionExplanation& explanation, std::vector<std::string>& into)
    {
        if (explanation.children.empty()) {
            if (!explanation.summary.empty())
                into.push_back(explanation.summary);
            return;
        }
        const bool negation = explanation.kind == "not";
        bool any = false;
        for (const auto& child : explanation.children)
            if (negation || child.matched == explanation.matched) {
                decidingLeaves(child, into);
                any = true;
            }
        if (!any)
            for (const auto& child : explanation.children)
                decidingLeaves(child, into);
    }

    // What the client's last poll within an expectation's window answered:
    // "the last poll in the window, at +45 s, answered no_trigger".
    std::string lastPollIn(const ReplayRecord& record, const Expectation& expectation, Timestamp start, Timestamp end)
    {
        const Timestamp from = expectation.from ? expectation.from->resolve(start) : start;
        const auto poll = std::find_if(record.polls.rbegin(), record.polls.rend(),
            [&](const ReplayPoll& p) { return from <= p.at && p.at <= end; });
        if (poll == record.polls.rend())
            return "no poll came within the window";
        return "the last poll in the window, at " + offset(poll->at, start) + ", answered "
            + (poll->triggerId.empty() ? poll->skipReason : "with " + poll->triggerId);
    }

} // namespace

std::optional<double> TruthCounts::precision() const
{
    return ratio(hits, hits + falseOffers);
}

std::optional<double> TruthCounts::recall() const
{
    return ratio(answered, wanted);
}

std::optional<double> TruthCounts::f1() const
{
    const auto p = precision();
    const auto r = recall();
    if (!p || !r)
        return std::nullopt;
    return *p + *r > 0 ? 2 * *p * *r / (*p + *r) : 0.0;
}

std::optional<double> TruthCounts::annoyance() const
{
    if (sessions == 0)
        return std::nullopt;
    return 100.0 * static_cast<double>(falseOffers) / static_cast<double>(sessions);
}

std::string_view nameOf(OfferVerdict::Kind kind)
{
    switch (kind) {
    case OfferVerdict::Kind::Hit:
        return "hit";
    case OfferVerdict::Kind::FalseOffer:
        return "false_offer";
    case OfferVerdict::Kind::Unlabelled:
        return "unlabelled";
    }
    return "unlabelled";
}

GroundTruth evaluateGroundTruth(const Workspace& workspace, std::span<const RecordedSession> sessions,
    std::span<const ReplayRecord> records, const LabelSet& labels)
{
    GroundTruth truth;
    truth.sessions = sessions.size();

    // Every trigger of the products evaluated, as the batch totals list them.
    std::map<std::pair<std::string_view, std::string_view>, std::size_t> triggerIndex;
    std::vector<const Trigger*> triggerOf;
    std::vector<std::string_view> products;
    for (const RecordedSession& session : sessions)
        if (std::find(products.begin(), products.end(), session.summary.productId) == products.end())
            products.push_back(session.summary.productId);
    for (const Product& product : workspace.products()) {
        if (std::find(products.begin(), products.end(), product.id) == products.end())
            continue;
        for (const Trigger& trigger : product.triggers->triggers()) {
            triggerIndex[{ product.id, trigger.id() }] = truth.triggers.size();
            truth.triggers.push_back({ product.id, trigger.id() });
            triggerOf.push_back(&trigger);
        }
    }
    std::size_t labelledFound = 0;

    for (std::size_t i = 0; i < sessions.size() && i < records.size(); ++i) {
        const SessionSummary& summary = sessions[i].summary;
        const SessionLabels* labelled = labels.find(summary.productId, summary.sessionId);
        if (!labelled)
            continue;
        ++labelledFound;
        const ReplayRecord& record = records[i];
        SessionTruth session { .session = i, .labels = labelled, .start = summary.start };

        std::vector<ResolvedRange> ranges;
        ranges.reserve(labelled->ranges.size());
        for (const LabelRange& range : labelled->ranges)
            ranges.push_back({ &range, range.from.resolve(summary.start), range.to.resolve(summary.start) });
        std::vector<const ReplayFiring*> offers;
        for (const ReplayFiring& firing : record.firings)
            if (firing.shown)
                offers.push_back(&firing);

        ++truth.overall.sessions;
        for (std::size_t t = 0; t < truth.triggers.size(); ++t)
            if (truth.triggers[t].productId == summary.productId)
                ++truth.triggers[t].counts.sessions;

        for (const ReplayFiring* offer : offers) {
            auto verdict = judge(*offer, ranges, labelled->fullyLabelled, summary.start);
            countOffer(truth.overall, verdict.kind);
            if (const auto it = triggerIndex.find({ summary.productId, offer->triggerId }); it != triggerIndex.end())
                countOffer(truth.triggers[it->second].counts, verdict.kind);
            session.offers.push_back(std::move(verdict));
        }

        for (std::size_t r = 0; r < ranges.size(); ++r) {
            const ResolvedRange& range = ranges[r];
            if (range.label->kind != LabelRange::Kind::HelpWanted)
                continue;
            RangeVerdict verdict { .range = static_cast<int>(r) };
            for (const OfferVerdict& offer : session.offers)
                if (offer.kind == OfferVerdict::Kind::Hit && offer.range == static_cast<int>(r)) {
                    verdict.answered = true;
                    verdict.firstAnswer = offer.at;
                    verdict.triggerId = offer.triggerId;
                    break;
                }
            ++truth.overall.wanted;
            if (verdict.answered) {
                ++truth.overall.answered;
                addLead(truth.overall, range.from, *verdict.firstAnswer);
            }
            for (std::size_t t = 0; t < truth.triggers.size(); ++t) {
                if (truth.triggers[t].productId != summary.productId || !asksFor(*range.label, *triggerOf[t]))
                    continue;
                TruthCounts& counts = truth.triggers[t].counts;
                ++counts.wanted;
                const auto answer = std::find_if(session.offers.begin(), session.offers.end(), [&](const auto& offer) {
                    return offer.kind == OfferVerdict::Kind::Hit && offer.range == static_cast<int>(r)
                        && offer.triggerId == truth.triggers[t].triggerId;
                });
                if (answer != session.offers.end()) {
                    ++counts.answered;
                    addLead(counts, range.from, answer->at);
                }
            }
            session.ranges.push_back(std::move(verdict));
        }

        for (std::size_t e = 0; e < labelled->expectations.size(); ++e) {
            auto result = check(labelled->expectations[e], static_cast<int>(e), offers, summary.start, record.end);
            ++(result.passed ? truth.expectationsPassed : truth.expectationsFailed);
            session.expectations.push_back(std::move(result));
        }
        truth.labelled.push_back(std::move(session));
    }

    truth.labelledSessions = labelledFound;
    truth.labelsWithoutSession = labels.sessions().size() - std::min(labels.sessions().size(), labelledFound);
    std::sort(truth.overall.leadTimesS.begin(), truth.overall.leadTimesS.end());
    for (auto& trigger : truth.triggers)
        std::sort(trigger.counts.leadTimesS.begin(), trigger.counts.leadTimesS.end());
    return truth;
}

Status explainFailures(GroundTruth& truth, std::shared_ptr<const Workspace> workspace,
    std::span<const RecordedSession> sessions, const ReplaySettings& settings)
{
    ReplaySettings explained = settings;
    explained.client.explain = true;
    explained.keepPolls = true;
    for (SessionTruth& session : truth.labelled) {
        std::vector<ExpectationResult*> failures;
        for (auto& result : session.expectations)
            if (!result.passed)
                failures.push_back(&result);
        if (failures.empty())
            continue;
        std::sort(failures.begin(), failures.end(), [](const auto* a, const auto* b) { return a->at < b->at; });
        auto replay = SessionReplay::create(workspace, sessions[session.session], explained);
        if (!replay)
            return replay.error();
        for (ExpectationResult* failure : failures) {
            const Expectation& expectation = session.labels->expectations[failure->expectation];
            replay->seek(failure->at);
            if (expectation.kind == Expectation::Kind::NoOffer) {
                // The offending offer's own poll: the trigger that fired, explained as it matched.
                const auto& polls = replay->record().polls;
                for (auto poll = polls.rbegin(); poll != polls.rend() && poll->at == failure->at; ++poll) {
                    if (poll->triggerId.empty())
                        continue;
                    for (const TriggerReport& report : poll->triggers)
                        if (report.triggerId == poll->triggerId) {
                            failure->explanation.push_back(report);
                            const auto summary = explanationSummary(report.explanation);
                            if (!summary.empty())
                                failure->reason += ": " + summary;
                        }
                    break;
                }
                continue;
            }
            // Why it did not fire: the triggers concerned at the window's end, whatever the other gates said.
            auto reports = replay->explainTriggers();
            if (!reports)
                return reports.error();
            std::string why;
            bool matchesNow = false;
            for (TriggerReport& report : *reports) {
                if (!expectation.trigger.empty() && report.triggerId != expectation.trigger)
                    continue;
                matchesNow = matchesNow || report.explanation.matched;
                const auto summary = explanationSummary(report.explanation);
                if (!summary.empty())
                    why += (why.empty() ? "" : "; ") + (expectation.trigger.empty() ? report.triggerId + ": " : "")
                        + summary;
                failure->explanation.push_back(std::move(report));
            }
            if (!why.empty())
                failure->reason += "; at " + offset(failure->at, session.start) + ": " + why;
            // A trigger that matches at the window's end was kept from
            // offering by when the client polled, or by a gate: say which.
            if (matchesNow)
                failure->reason += "; " + lastPollIn(replay->record(), expectation, session.start, failure->at);
        }
    }
    return Ok {};
}

std::string explanationSummary(const ConditionExplanation& explanation)
{
    std::vector<std::string> leaves;
    decidingLeaves(explanation, leaves);
    std::string line;
    for (const auto& leaf : leaves)
        line += (line.empty() ? "" : "; ") + leaf;
    return line;
}

} // namespace proactive
