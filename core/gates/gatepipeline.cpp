#include "gates/gatepipeline.h"

#include "fsm/fsm.h"

#include <chrono>

namespace proactive {

namespace {

    using namespace std::chrono_literals;

    double seconds(Duration d)
    {
        return toSeconds(d);
    }

    // Reports one gate and, when it blocks, the skip reason. The numbers
    // come from a callable, run only when explaining: building JSON on every
    // poll would cost more than the gates themselves (batch replay).
    struct Gates {
        Decision& decision;
        bool explain;
        bool offerRules; // the SPEC §8 gates are reported

        template<typename Numbers> void pass(std::string_view gate, Numbers&& numbers)
        {
            if (explain)
                decision.gates.push_back({ std::string(gate), Verdict::Pass, {}, numbers() });
        }

        template<typename Numbers> void block(std::string_view gate, std::string_view reason, Numbers&& numbers)
        {
            decision.skipReason = std::string(reason);
            if (!explain)
                return;
            decision.gates.push_back({ std::string(gate), Verdict::Block, std::string(reason), numbers() });
            static constexpr std::string_view kOrder[] = { "product", "fsm", "resilience", "triggers", "frequency",
                "wait", "experiment", "quotas", "bookkeeping" };
            bool after = false;
            for (auto name : kOrder) {
                if (after && (offerRules || !isOfferRuleGate(name)))
                    decision.gates.push_back({ std::string(name), Verdict::NotReached, {}, nlohmann::json::object() });
                after = after || name == gate;
            }
        }

        static bool isOfferRuleGate(std::string_view name)
        {
            return name == "frequency" || name == "wait" || name == "experiment";
        }
    };

    // The product's lookback window: actions started at or after now −
    // lookback, at most max_actions of the most recent.
    std::span<const ActionRecord> lookbackWindow(
        std::span<const ActionRecord> actions, const ProactiveSettings& settings, Timestamp now)
    {
        const Timestamp from = now - settings.lookback;
        std::size_t first = actions.size();
        while (first > 0 && actions[first - 1].timestampStart >= from
            && actions.size() - first < static_cast<std::size_t>(settings.maxActions))
            --first;
        return actions.subspan(first);
    }

    Timestamp startOfUtcDay(Timestamp t)
    {
        return std::chrono::floor<std::chrono::days>(t);
    }

    // The firings each quota counts (SPEC §3 step 5).
    FiringQuery productMinute(const PollRequest& request)
    {
        return { request.product.id, std::nullopt, std::nullopt, request.now - 60s + 1ms };
    }
    FiringQuery sessionHour(const PollRequest& request)
    {
        return { request.product.id, request.session.sessionId, std::nullopt, request.now - 3600s + 1ms };
    }
    FiringQuery userDay(const PollRequest& request, const std::string& distinctId)
    {
        return { request.product.id, std::nullopt, distinctId, startOfUtcDay(request.now) };
    }

    // What a poll reads before it knows the session's user: in one round
    // trip from a networked store.
    ReadScope sessionScope(const PollRequest& request)
    {
        ReadScope scope { request.product.id, { request.session.sessionId }, { request.session.sessionId }, {},
            request.conversation.conversationId, true, {}, {} };
        const QuotaSettings& quotas = request.product.proactive.quotas;
        if (quotas.productPerMinute > 0)
            scope.firingCounts.push_back(productMinute(request));
        if (quotas.sessionPerHour > 0)
            scope.firingCounts.push_back(sessionHour(request));
        return scope;
    }

    struct TriggerGateResult {
        const Trigger* winner = nullptr;
        TriggerEvaluation winnerEvaluation;
        bool anyCooling = false;
        int failures = 0;
        Interned<std::string> lastUrl;
        // Matched and not cooling down, then passed over by the user's
        // offer history: how many, and the first one's reason.
        int candidates = 0;
        int frequencyBlocked = 0;
        std::string_view frequencyReason;
        std::string_view waitReason;
        // Explain only: null (no allocation, as json::array() makes one on
        // every poll) until the first check is pushed and makes it an array.
        nlohmann::json frequencyChecks;
        nlohmann::json waitChecks;
    };

    // The session's user and their offer history, read once a poll needs
    // them (a product without offer rules never does).
    class PollUser {
    public:
        PollUser(const Store& store, const PollRequest& request)
            : m_store(store)
            , m_request(request)
            , m_session(request.session)
        { }

        const std::optional<SessionRecord>& record()
        {
            if (!m_recordRead) {
                m_record = m_store.session(m_session);
                m_recordRead = true;
            }
            return m_record;
        }
        const UserKeys& keys()
        {
            if (!m_keys)
                m_keys = userKeysOf(record() ? &*record() : nullptr, m_session.sessionId);
            return *m_keys;
        }
        const OfferHistory& history()
        {
            if (!m_history) {
                // The user's histories and day count in one round trip.
                if (m_store.prefetches()) {
                    ReadScope scope { m_session.productId, {}, {}, {}, std::nullopt, false, {}, keys().read };
                    if (const auto& r = record();
                        m_request.product.proactive.quotas.userPerDay > 0 && r && !r->distinctId.empty())
                        scope.firingCounts.push_back(userDay(m_request, r->distinctId));
                    m_store.prefetch(scope);
                }
                m_history.emplace(m_store, m_session.productId, keys().read);
            }
            return *m_history;
        }
        // What the holdout hashes: the distinct id, else the session id.
        std::string holdoutId()
        {
            return record() && !record()->distinctId.empty() ? record()->distinctId : m_session.sessionId;
        }

    private:
        const Store& m_store;
        const PollRequest& m_request;
        const SessionKey& m_session;
        bool m_recordRead = false;
        std::optional<SessionRecord> m_record;
        std::optional<UserKeys> m_keys;
        std::optional<OfferHistory> m_history;
    };

} // namespace

std::vector<TriggerReport> GatePipeline::explainTriggers(
    const Product& product, const SessionKey& session, Timestamp now) const
{
    std::vector<TriggerReport> reports;
    m_store.visitActions(session, [&](std::span<const ActionRecord> all) {
        EvaluationContext context { lookbackWindow(all, product.proactive, now), now, product.routes, true };
        // One pass over the window for all triggers; with a problem, each
        // trigger finds and reports it itself.
        context.checked = !contextProblem(context);
        for (const Trigger& trigger : product.triggers->triggers()) {
            auto evaluation = trigger.evaluate(context);
            TriggerReport report { trigger.id(), TriggerReport::Status::NoMatch, {}, {}, 0,
                std::move(*evaluation.explanation) };
            if (evaluation.error) {
                report.status = TriggerReport::Status::Error;
                report.error = *evaluation.error;
            } else if (evaluation.matched) {
                report.status = TriggerReport::Status::Matched;
            }
            reports.push_back(std::move(report));
        }
    });
    return reports;
}

Decision GatePipeline::run(const PollRequest& request, StoreWrite& write) const
{
    const Product& product = request.product;
    const ProactiveSettings& settings = product.proactive;
    const Timestamp now = request.now;

    Decision decision;
    decision.at = now;
    const bool offerRules = product.triggers->usesOfferRules() || settings.waitAfterOffer > Duration::zero()
        || settings.holdoutPercent > 0;
    Gates gates { decision, request.explain, offerRules };
    PollUser user(m_store, request);
    if (m_store.prefetches())
        m_store.prefetch(sessionScope(request));

    ConversationRecord record = m_store.conversation(request.conversation).value_or(ConversationRecord {});
    if (auto expired = fsm::expire(record, now)) {
        decision.transitions.push_back(*expired);
        write.conversations.emplace_back(request.conversation, record);
        write.transitions.emplace_back(request.conversation, *expired);
    }
    decision.state = record.state;

    // 1. Product opt-in.
    if (!settings.enabled) {
        gates.block("product", skip::ProductDisabled, [] { return nlohmann::json { { "enabled", false } }; });
        return decision;
    }
    gates.pass("product", [] { return nlohmann::json { { "enabled", true } }; });

    // 2. FSM gate.
    if (record.state == FsmState::ConservativeAssistance) {
        gates.block("fsm", skip::FsmConservativeCooldown, [&] {
            nlohmann::json numbers { { "state", nameOf(record.state) }, { "dismissals", record.dismissals },
                { "silenced", record.silenced } };
            if (!record.silenced)
                numbers["cooldown_remaining_s"] = seconds(record.cooldownUntil - now);
            return numbers;
        });
        return decision;
    }
    if (record.state != FsmState::Thinking) {
        gates.block("fsm", skip::FsmWrongState, [&] {
            nlohmann::json numbers { { "state", nameOf(record.state) } };
            if (record.state == FsmState::ProactiveAssistance) {
                numbers["offered_trigger"] = record.activeTriggerId;
                numbers["expires_in_s"] = seconds(record.lastEventAt + record.interactionTimeout - now);
            }
            return numbers;
        });
        return decision;
    }
    gates.pass("fsm", [&] {
        return nlohmann::json { { "state", nameOf(record.state) }, { "dismissals", record.dismissals } };
    });

    // 3. Resilience: circuit breaker, then the per-session minimum interval.
    CircuitRecord circuit = m_store.circuit(product.id);
    if (now < circuit.openUntil) {
        gates.block("resilience", skip::CircuitOpen, [&] {
            return nlohmann::json { { "circuit", "open" }, { "reopens_in_s", seconds(circuit.openUntil - now) },
                { "failures_to_open", settings.circuit.failures } };
        });
        return decision;
    }
    const auto lastOffer = m_store.lastOffer(request.session);
    auto resilience = [&] {
        nlohmann::json numbers { { "circuit", "closed" }, { "consecutive_failures", circuit.consecutiveFailures },
            { "min_interval_s", seconds(settings.minInterval) } };
        if (lastOffer)
            numbers["since_last_offer_s"] = seconds(now - *lastOffer);
        return numbers;
    };
    if (lastOffer && now < *lastOffer + settings.minInterval) {
        gates.block("resilience", skip::MinInterval, resilience);
        return decision;
    }
    gates.pass("resilience", resilience);

    // 4. Triggers, in order; first match wins, triggers in their own cooldown are passed over.
    TriggerGateResult result;
    m_store.visitActions(request.session, [&](std::span<const ActionRecord> all) {
        const auto window = lookbackWindow(all, settings, now);
        if (!window.empty())
            result.lastUrl = window.back().canonicalUrl;
        EvaluationContext context { window, now, product.routes, request.explain };
        context.checked = !contextProblem(context); // once a poll, not once a trigger
        for (const Trigger& trigger : product.triggers->triggers()) {
            if (result.winner && !request.explain)
                break;
            auto evaluation = trigger.evaluate(context);
            // The report itself is built only when explaining: polls copy no id.
            auto status = TriggerReport::Status::NoMatch;
            std::string_view rule;
            double cooldownRemainingS = 0;
            if (evaluation.error) {
                ++result.failures;
                status = TriggerReport::Status::Error;
            } else if (evaluation.matched && result.winner) {
                status = TriggerReport::Status::Shadowed;
            } else if (evaluation.matched) {
                const auto last = m_store.lastFiring(request.conversation, trigger.id());
                const Duration cooldown = trigger.definition().cooldown;
                if (last && now < *last + cooldown) {
                    result.anyCooling = true;
                    status = TriggerReport::Status::Cooldown;
                    cooldownRemainingS = seconds(*last + cooldown - now);
                } else {
                    ++result.candidates;
                    status = TriggerReport::Status::Matched;
                    if (offerRules) {
                        // A trigger the user has had enough of is passed over, like one cooling down.
                        const TriggerDefinition& definition = trigger.definition();
                        auto frequency = checkFrequency(definition, user.history(), now, request.explain);
                        if (request.explain)
                            result.frequencyChecks.push_back(std::move(frequency.numbers));
                        if (!frequency.passes()) {
                            status = TriggerReport::Status::Frequency;
                            rule = frequency.reason;
                            if (result.frequencyBlocked++ == 0)
                                result.frequencyReason = frequency.reason;
                        } else if (auto wait = checkWait(definition, settings, user.history(), now, request.explain);
                                   !wait.passes()) {
                            if (request.explain)
                                result.waitChecks.push_back(std::move(wait.numbers));
                            status = TriggerReport::Status::Wait;
                            rule = wait.reason;
                            if (result.waitReason.empty())
                                result.waitReason = wait.reason;
                        } else if (request.explain) {
                            result.waitChecks.push_back(std::move(wait.numbers));
                        }
                    }
                    if (status == TriggerReport::Status::Matched)
                        result.winner = &trigger;
                }
            }
            if (request.explain)
                decision.triggers.push_back({ trigger.id(), status, evaluation.error.value_or(std::string()),
                    std::string(rule), cooldownRemainingS, *evaluation.explanation });
            if (status == TriggerReport::Status::Matched)
                result.winnerEvaluation = std::move(evaluation);
        }
    });

    // A failing trigger counts toward the breaker; a clean evaluation closes the count.
    if (result.failures > 0) {
        circuit.consecutiveFailures += result.failures;
        if (circuit.consecutiveFailures >= settings.circuit.failures) {
            circuit.openUntil = now + settings.circuit.pause;
            circuit.consecutiveFailures = 0;
        }
        write.circuits.emplace_back(product.id, circuit);
    } else if (circuit.consecutiveFailures > 0) {
        circuit.consecutiveFailures = 0;
        write.circuits.emplace_back(product.id, circuit);
    }

    auto triggerNumbers = [&] {
        nlohmann::json numbers { { "evaluated", decision.triggers.size() }, { "failures", result.failures } };
        if (result.winner)
            numbers["matched"] = result.winner->id();
        if (offerRules)
            numbers["candidates"] = result.candidates;
        return numbers;
    };
    if (result.candidates == 0) {
        gates.block("triggers", result.anyCooling ? skip::TriggerCooldown : skip::NoTrigger, triggerNumbers);
        return decision;
    }
    gates.pass("triggers", triggerNumbers);

    // 4a–c (SPEC §8): frequency and wait passed over the triggers the user
    // has had enough of; a gate blocks when it passed over every candidate
    // left to it, with the first one's reason.
    if (offerRules) {
        auto checks = [&](nlohmann::json& list) {
            return [&] {
                return nlohmann::json { { "checks", list.is_null() ? nlohmann::json::array() : std::move(list) } };
            };
        };
        if (result.frequencyBlocked == result.candidates) {
            gates.block("frequency", result.frequencyReason, checks(result.frequencyChecks));
            return decision;
        }
        gates.pass("frequency", checks(result.frequencyChecks));
        if (!result.winner) {
            gates.block("wait", result.waitReason, checks(result.waitChecks));
            return decision;
        }
        gates.pass("wait", checks(result.waitChecks));
    }
    const TriggerDefinition& definition = result.winner->definition();
    if (offerRules) {
        if (const auto experiment = experimentOf(definition, product))
            decision.assignment = assignHoldout(experiment->id, user.holdoutId(), experiment->percent);
        // A held-out user's poll goes on through the quotas, so that "would
        // have offered" means exactly that.
        const auto numbers = [&] {
            return decision.assignment ? decision.assignment->toJson()
                                       : nlohmann::json { { "trigger_id", definition.id }, { "holdout_percent", 0 } };
        };
        if (decision.assignment && decision.assignment->heldOut) {
            decision.skipReason = std::string(skip::ExperimentHoldout);
            if (request.explain)
                decision.gates.push_back(
                    { "experiment", Verdict::Block, std::string(skip::ExperimentHoldout), numbers() });
        } else {
            gates.pass("experiment", numbers);
        }
    }

    // 5. Quotas (0 = off).
    const QuotaSettings& quotas = settings.quotas;
    nlohmann::json quotaNumbers = nlohmann::json::object();
    auto overQuota = [&](std::string_view name, int limit, FiringQuery query) {
        if (limit <= 0)
            return false;
        const int used = m_store.countFirings(query);
        quotaNumbers[std::string(name)] = { { "used", used }, { "limit", limit } };
        return used >= limit;
    };
    if (overQuota("product_minute", quotas.productPerMinute, productMinute(request))) {
        gates.block("quotas", skip::QuotaProductMinute, [&] { return std::move(quotaNumbers); });
        return decision;
    }
    if (overQuota("session_hour", quotas.sessionPerHour, sessionHour(request))) {
        gates.block("quotas", skip::QuotaSessionHour, [&] { return std::move(quotaNumbers); });
        return decision;
    }
    const auto& sessionRecord = user.record();
    const std::string distinctId = sessionRecord ? sessionRecord->distinctId : std::string();
    if (quotas.userPerDay > 0 && distinctId.empty())
        quotaNumbers["user_day"] = "no distinct id: not counted";
    else if (overQuota("user_day", quotas.userPerDay, userDay(request, distinctId))) {
        gates.block("quotas", skip::QuotaUserDay, [&] { return std::move(quotaNumbers); });
        return decision;
    }
    gates.pass("quotas", [&] { return std::move(quotaNumbers); });

    // 6. Bookkeeping: record the firing, move the FSM to proactive_assistance.
    // A held-out user's "would have offered" is recorded as a firing too
    // (cooldowns, the minimum interval, quotas and the user's history pace
    // both arms alike) and in the log, but the FSM stays and nothing is offered.
    write.firings.push_back({ product.id, request.session.sessionId, request.conversation.conversationId, distinctId,
        definition.id, result.lastUrl.get(), now });
    for (const std::string& key : user.keys().written)
        write.userHistory.push_back(
            { product.id, key, definition.id, definition.group, UserHistoryEvent::Kind::Offer, now });
    if (decision.assignment && decision.assignment->heldOut) {
        const TransitionRecord heldOut { now, "held_out", record.state, record.state, "trigger:" + definition.id };
        write.transitions.emplace_back(request.conversation, heldOut);
        decision.transitions.push_back(heldOut);
        decision.heldOutTrigger = definition.id;
        gates.pass("bookkeeping", [&] {
            return nlohmann::json { { "state", nameOf(record.state) }, { "would_have_offered", definition.id } };
        });
        return decision;
    }
    const auto fired = fsm::fire(record, definition.id, definition.interactionTimeout, now);
    write.conversations.emplace_back(request.conversation, record);
    write.transitions.emplace_back(request.conversation, fired);
    decision.transitions.push_back(fired);
    decision.state = record.state;
    gates.pass("bookkeeping", [&] {
        return nlohmann::json { { "state", nameOf(record.state) }, { "trigger_id", definition.id } };
    });

    decision.offer = Offer { definition.id, std::move(result.winnerEvaluation.body),
        std::move(result.winnerEvaluation.replyOptionLabels), definition.interactionTimeout, definition.cooldown,
        definition.metadata, definition.tourId };
    return decision;
}

} // namespace proactive
