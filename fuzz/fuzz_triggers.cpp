// Trigger files (core/triggers): the JSON text parsed as the workspace
// parses a trigger file, then every trigger that compiled evaluated on a
// small session, with and without explanations, and its offer rules
// (frequency, wait, holdout; issue 18) asked about a short history.
// Evaluation is noexcept and reports failures as values; only crashes and
// sanitizer reports count.

#include "fuzzcheck.h"
#include "gates/offerrules.h"
#include "intake/actionrecord.h"
#include "intake/posthogintake.h"
#include "store/memorystore.h"
#include "triggers/trigger.h"
#include "workspace/workspace.h"

#include <array>
#include <string>

using namespace proactive;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;

Action action(ActionType type, std::string event, std::string url, std::int64_t atMs, std::string chain = {})
{
    Action a;
    a.type = type;
    a.event = std::move(event);
    a.rawUrl = std::move(url);
    a.timestampStart = fromEpochMs(kT0 + atMs);
    a.elementsChain = std::move(chain);
    a.sessionId = "s1";
    a.distinctId = "u1";
    a.properties = { { "plan", "pro" }, { "count", "3" } };
    return a;
}

const std::array<std::string, 2> kRoutes { "/projects/:id", "/settings/:section" };

// Pageviews, clicks (a rage click among them), a submit and a change, over
// two minutes: enough for every kind of condition to have something to see.
std::vector<ActionRecord> session()
{
    const std::string button = "button.btn.primary:attr__data-tour-id=\"add\"nth-child=\"2\"text=\"Add\";form.search";
    std::vector<Action> actions {
        action(ActionType::Pageview, "$pageview", "https://app.example.com/projects", 0),
        action(ActionType::Click, "$autocapture", "https://app.example.com/projects", 5'000, button),
        action(ActionType::Click, "$autocapture", "https://app.example.com/projects", 5'400, button),
        action(ActionType::RageClick, "$rageclick", "https://app.example.com/projects", 5'800, button),
        action(ActionType::Pageview, "$pageview", "https://app.example.com/projects/42", 20'000),
        action(ActionType::Change, "$autocapture", "https://app.example.com/projects/42", 30'000,
            "input:attr__name=\"title\""),
        action(ActionType::Submit, "$autocapture", "https://app.example.com/projects/42", 31'000, "form.search"),
        action(ActionType::Custom, "plan_viewed", "https://app.example.com/settings/billing", 60'000),
        action(ActionType::Pageview, "$pageview", "https://app.example.com/settings/billing", 61'000),
    };
    ActionInterner interner;
    std::vector<ActionRecord> records;
    for (std::size_t i = 0; i < actions.size(); ++i) {
        finaliseAction(actions[i], kRoutes);
        actions[i].index = static_cast<std::int64_t>(i);
        actions[i].timestampEnd = i + 1 < actions.size() ? actions[i + 1].timestampStart : actions[i].timestampStart;
        records.push_back(interner.record(actions[i]));
    }
    return records;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::vector<ActionRecord> actions = session();
    Diagnostics diagnostics;
    const auto json = parseJsonDocument(fuzz::bytes(data, size), "triggers.json", diagnostics);
    if (!json)
        return 0;
    const auto triggers = parseTriggers(*json, "triggers.json", "", diagnostics);
    for (const Diagnostic& diagnostic : diagnostics)
        diagnostic.toString();
    for (const Trigger& trigger : triggers->triggers())
        for (const bool explain : { false, true }) {
            const EvaluationContext context { actions, fromEpochMs(kT0 + 90'000), kRoutes, explain };
            if (const auto explanation = trigger.evaluate(context).explanation)
                toJson(*explanation).dump();
        }
    // Every trigger offered twice and answered once, then every rule asked.
    MemoryStore store;
    StoreWrite write;
    for (const Trigger& trigger : triggers->triggers()) {
        const TriggerDefinition& d = trigger.definition();
        for (const std::int64_t at : { 0, 60'000 })
            write.userHistory.push_back(
                { "p", "id:u1", d.id, d.group, UserHistoryEvent::Kind::Offer, fromEpochMs(kT0 + at) });
        write.userHistory.push_back({ "p", "id:u1", d.id, {}, UserHistoryEvent::Kind::Interaction, fromEpochMs(kT0) });
    }
    (void)store.commit(write);
    const OfferHistory history(store, "p", { "id:u1" });
    Product product;
    product.id = "p";
    product.proactive.waitAfterOffer = std::chrono::seconds(60);
    product.proactive.waitScope = ProactiveSettings::WaitScope::Group;
    product.proactive.holdoutPercent = 10;
    for (const Trigger& trigger : triggers->triggers()) {
        const TriggerDefinition& d = trigger.definition();
        checkFrequency(d, history, fromEpochMs(kT0 + 90'000), true).numbers.dump();
        checkWait(d, product.proactive, history, fromEpochMs(kT0 + 90'000), true).numbers.dump();
        if (const auto experiment = experimentOf(d, product))
            assignHoldout(experiment->id, "u1", experiment->percent).toJson().dump();
    }
    return 0;
}
