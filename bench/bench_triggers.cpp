// Trigger decisions on one 50-action session where nothing fires (issue
// #20): each built-in alone, the three built-ins first-match, the demo
// workspace's four triggers, and a whole poll (Connector::context) with
// either set. Each figure is printed with its ratio to its neighbour from
// the same run (custom triggers against the built-ins) and to the reference
// Python SDK's figures for the same inputs. A harness rather than Google
// Benchmark: the cases run interleaved, round after round, so that a busy
// machine slows them alike, and the ratios come out of one run.
//
//   bench_triggers [rounds=5] [milliseconds per case and round=200]

#include "benchworkspace.h"
#include "connector/connector.h"
#include "intake/elementschain.h"
#include "store/memorystore.h"
#include "triggers/trigger.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <malloc.h>
#include <string>
#include <vector>

using namespace proactive;
using namespace std::chrono_literals;

namespace {

// The reference SDK (autoplay-sdk) per evaluation on the same 50 actions, as
// measured in issue #20; PyPI is out of reach here, so it is not re-run.
constexpr double kSdkPingPongUs = 6.8;
constexpr double kSdkDwellUs = 2.4;
constexpr double kSdkBuiltinsUs = 16.6;
constexpr double kSdkPollUs = 127;

// The demo product's settings, with the three default built-ins.
const char* const kBuiltinsProducts = R"([{
    "product_id": "builtins",
    "routes": ["/projects", "/projects/:slug", "/projects/:slug/settings", "/settings/account"],
    "max_new_sessions_per_second": 0,
    "proactive": { "enabled": true, "min_interval_s": 300, "conservative_cooldowns_s": [600, 900],
        "quotas": { "product_per_minute": 0, "session_per_hour": 0, "user_per_day": 0 },
        "lookback_s": 120, "max_actions": 50 },
    "triggers": [
      { "id": "ping-pong", "body": "Looking for something?", "when": { "type": "canonical_url_ping_pong", "min_cycles": 1 } },
      { "id": "dwell", "body": "Need a hand?", "when": { "type": "user_page_dwell", "threshold_s": 60, "max_actions": 5 } },
      { "id": "sections", "body": "fallback", "when": { "type": "section_playbook_match",
          "rules": [ { "url_prefix": "/billing", "section": "billing" } ],
          "sections": { "billing": { "body": "Questions about billing?" } } } }
    ]
}])";

std::shared_ptr<const Workspace> demoWorkspace()
{
    Diagnostics diagnostics;
    auto workspace = std::make_shared<const Workspace>(
        Workspace::load(PROACTIVE_SOURCE_DIR "/resources/demo-workspace", diagnostics));
    if (!workspace->product("demo")) {
        std::fprintf(stderr, "demo workspace: %s\n",
            diagnostics.empty() ? "no demo product" : diagnostics.front().toString().c_str());
        std::exit(1);
    }
    return workspace;
}

// posthog-js chains of the clicks, target first: buttons, links, icons in
// links, table cells, five to eight elements deep.
const char* const kChains[] = {
    R"(button.btn.primary:attr__class="btn primary"attr__data-tour-id="add-project-btn"attr__type="button")"
    R"(nth-child="2"nth-of-type="1"text="Add Project";div.toolbar:attr__class="toolbar"nth-child="1"nth-of-type="1";)"
    R"(header.page-header:attr__class="page-header"nth-child="1"nth-of-type="1";main:nth-child="2"nth-of-type="1";)"
    R"(div#app:attr__id="app"attr_id="app"nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1")",
    R"(svg.icon.icon-search:attr__class="icon icon-search"nth-child="1"nth-of-type="1";)"
    R"(a.nav-link:attr__class="nav-link"attr__href="/docs/start"href="/docs/start"nth-child="3"nth-of-type="1")"
    R"(text="Docs";li.nav-item:attr__class="nav-item"nth-child="4"nth-of-type="4";ul.nav:attr__class="nav")"
    R"(nth-child="1"nth-of-type="1";nav.sidebar:attr__class="sidebar"nth-child="1"nth-of-type="1";)"
    R"(div#app:attr__id="app"attr_id="app"nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1")",
    R"(td.cell:attr__class="cell"nth-child="2"nth-of-type="2"text="Weekly report";tr.row:attr__class="row")"
    R"(attr__data-row="7"nth-child="7"nth-of-type="7";tbody:nth-child="2"nth-of-type="1";)"
    R"(table.reports:attr__class="reports"nth-child="1"nth-of-type="1";section.content:attr__class="content")"
    R"(nth-child="2"nth-of-type="1";main:nth-child="2"nth-of-type="1";)"
    R"(div#app:attr__id="app"attr_id="app"nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1")",
    R"(input.field:attr__class="field"attr__name="project-name"attr__type="text"nth-child="2"nth-of-type="1";)"
    R"(label.form-row:attr__class="form-row"nth-child="1"nth-of-type="1";)"
    R"(form#settings:attr__id="settings"attr_id="settings"nth-child="1"nth-of-type="1";)"
    R"(section.content:attr__class="content"nth-child="2"nth-of-type="1";main:nth-child="2"nth-of-type="1";)"
    R"(div#app:attr__id="app"attr_id="app"nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1")",
    R"(button.btn.secondary:attr__class="btn secondary"attr__type="button"nth-child="3"nth-of-type="2")"
    R"(text="Save changes";div.actions:attr__class="actions"nth-child="4"nth-of-type="2";)"
    R"(form#settings:attr__id="settings"attr_id="settings"nth-child="1"nth-of-type="1";)"
    R"(section.content:attr__class="content"nth-child="2"nth-of-type="1";main:nth-child="2"nth-of-type="1";)"
    R"(div#app:attr__id="app"attr_id="app"nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1")",
    R"(span.label:attr__class="label"nth-child="1"nth-of-type="1"text="Invite";)"
    R"(button.btn.link:attr__class="btn link"attr__data-tour-id="invite-btn"attr__type="button"nth-child="1")"
    R"(nth-of-type="1";div.card-footer:attr__class="card-footer"nth-child="3"nth-of-type="3";)"
    R"(div.card:attr__class="card"nth-child="2"nth-of-type="2";section.content:attr__class="content")"
    R"(nth-child="2"nth-of-type="1";main:nth-child="2"nth-of-type="1";)"
    R"(div#app:attr__id="app"attr_id="app"nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1")",
};

// Ten pages visited once each, a pageview and four clicks on each, one
// second apart: no page comes back (no ping-pong), the last page's run lasts
// 4 s (no dwell), no playbook rule or demo route matches the last page, and
// the add-project button is clicked once (the demo needs two and a Cancel).
std::vector<Action> session(const std::string& id, Timestamp start)
{
    const char* const pages[] = { "/projects", "/projects/alpha", "/projects/alpha/settings", "/reports/weekly",
        "/docs/start", "/team", "/integrations", "/projects/beta", "/help", "/dashboard" };
    std::vector<Action> actions;
    for (std::size_t i = 0; i < 50; ++i) {
        Action action;
        action.sessionId = id;
        action.distinctId = "user-" + id;
        action.rawUrl = std::string("https://app.example.com") + pages[i / 5];
        action.timestampStart = start + std::chrono::seconds(i);
        action.timestampEnd = action.timestampStart;
        if (i % 5 == 0) {
            action.type = ActionType::Pageview;
            action.event = "$pageview";
        } else {
            action.type = ActionType::Click;
            action.event = "$autocapture";
            action.elementsChain = kChains[(i / 5 == 0 && i % 5 == 1) ? 0 : 1 + (i * 7 + i / 5) % 5];
            action.element = parseTargetElement(action.elementsChain);
        }
        actions.push_back(std::move(action));
    }
    return actions;
}

struct Case {
    const char* name;
    std::function<bool()> run; // one evaluation; true when something fired
    double sdkUs = 0; // 0: the SDK has no such figure
    std::vector<double> us {}; // per evaluation, one figure a round
};

double perEvaluationUs(const std::function<bool()>& run, std::chrono::milliseconds budget)
{
    // Batches of evaluations until the budget is spent: the clock is read
    // once a batch, not once an evaluation.
    std::size_t done = 0, batch = 64;
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = std::chrono::steady_clock::duration::zero();
    while (elapsed < budget) {
        for (std::size_t i = 0; i < batch; ++i)
            if (run()) {
                std::fprintf(stderr, "something fired: the bench's session is wrong\n");
                std::exit(1);
            }
        done += batch;
        elapsed = std::chrono::steady_clock::now() - start;
    }
    return std::chrono::duration<double, std::micro>(elapsed).count() / static_cast<double>(done);
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
    const auto budget = std::chrono::milliseconds(argc > 2 ? std::max(1, std::atoi(argv[2])) : 200);

    VirtualClock clock(fromEpochMs(1'714'564'800'000));
    const Timestamp start = clock.now();
    MemoryStore builtinsStore, demoStore;
    Connector builtins(bench::workspaceOf(kBuiltinsProducts), builtinsStore, clock);
    Connector demo(demoWorkspace(), demoStore, clock);
    if (!builtins.ingest("builtins", session("s", start)) || !demo.ingest("demo", session("s", start))) {
        std::fprintf(stderr, "ingest failed\n");
        return 1;
    }
    clock.set(start + 50s);
    const Timestamp now = clock.now();

    // The stored records, as the gate pipeline hands them to the triggers.
    std::vector<ActionRecord> records;
    demoStore.visitActions(
        SessionKey { "demo", "s" }, [&](std::span<const ActionRecord> all) { records.assign(all.begin(), all.end()); });
    if (records.size() != 50) {
        std::fprintf(stderr, "expected 50 stored actions, found %zu\n", records.size());
        return 1;
    }
    const Product& builtinsProduct = *builtins.workspace()->product("builtins");
    const Product& demoProduct = *demo.workspace()->product("demo");
    const EvaluationContext builtinsContext { records, now, builtinsProduct.routes, false };
    const EvaluationContext demoContext { records, now, demoProduct.routes, false };
    // The gate pipeline checks the window's timestamps once a poll, not once
    // a trigger: the single evaluations get a context checked beforehand,
    // the first-match cases check theirs once a call.
    EvaluationContext checkedBuiltinsContext = builtinsContext;
    checkedBuiltinsContext.checked = !contextProblem(checkedBuiltinsContext);
    const auto triggers = builtinsProduct.triggers->triggers();
    auto firstMatch = [](const TriggerSet& set, EvaluationContext context) {
        context.checked = !contextProblem(context);
        for (const Trigger& trigger : set.triggers())
            if (trigger.evaluate(context).matched)
                return true;
        return false;
    };

    std::vector<Case> cases;
    cases.push_back({ "ping-pong alone", [&] { return triggers[0].evaluate(checkedBuiltinsContext).matched; },
        kSdkPingPongUs });
    cases.push_back(
        { "dwell alone", [&] { return triggers[1].evaluate(checkedBuiltinsContext).matched; }, kSdkDwellUs });
    cases.push_back({ "three built-ins, first match",
        [&] { return firstMatch(*builtinsProduct.triggers, builtinsContext); }, kSdkBuiltinsUs });
    cases.push_back(
        { "demo's four triggers, first match", [&] { return firstMatch(*demoProduct.triggers, demoContext); } });
    cases.push_back({ "poll (Connector::context), built-ins",
        [&] { return builtins.context("builtins", "s").value().offer.has_value(); }, kSdkPollUs });
    cases.push_back(
        { "poll (Connector::context), demo", [&] { return demo.context("demo", "s").value().offer.has_value(); } });

    for (int round = 0; round < rounds; ++round)
        for (Case& c : cases)
            c.us.push_back(perEvaluationUs(c.run, budget));

    std::printf("one 50-action session, nothing fires; %d rounds of %lld ms a case, interleaved\n", rounds,
        static_cast<long long>(budget.count()));
    std::printf("%-38s %9s %9s %9s  %-24s %s\n", "per evaluation (us)", "min", "median", "max", "vs neighbour (median)",
        "vs SDK (issue #20 figures)");
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const Case& c = cases[i];
        const auto [lo, hi] = std::minmax_element(c.us.begin(), c.us.end());
        std::string neighbour = "-";
        // The custom triggers against the built-ins before them.
        if (i == 3 || i == 5) {
            char text[64];
            std::snprintf(text, sizeof text, "%.2fx %s", median(c.us) / median(cases[i - 1].us),
                i == 3 ? "the built-ins" : "poll w/ built-ins");
            neighbour = text;
        }
        std::string sdk = "-";
        if (c.sdkUs > 0) {
            char text[80];
            std::snprintf(text, sizeof text, "%.1fx faster (SDK %.1f us, as measured in issue #20)",
                c.sdkUs / median(c.us), c.sdkUs);
            sdk = text;
        } else if (i == 5) {
            char text[80];
            std::snprintf(text, sizeof text, "%.1fx faster than the SDK's poll (%.0f us)", kSdkPollUs / median(c.us),
                kSdkPollUs);
            sdk = text;
        }
        std::printf("%-38s %9.3f %9.3f %9.3f  %-24s %s\n", c.name, *lo, median(c.us), *hi, neighbour.c_str(),
            sdk.c_str());
    }

    // What a parse held by the store costs: heap per distinct chain.
    const auto heapBefore = mallinfo2().uordblks;
    std::vector<std::vector<Element>> parsed;
    std::size_t chainBytes = 0;
    for (const char* chain : kChains) {
        parsed.push_back(parseElementsChain(chain));
        chainBytes += std::string_view(chain).size();
    }
    const auto heapAfter = mallinfo2().uordblks;
    std::printf("a parsed chain held: %.0f B of heap per distinct chain (its raw chain: %.0f B), %zu B of Element each\n",
        static_cast<double>(heapAfter - heapBefore) / std::size(kChains),
        static_cast<double>(chainBytes) / std::size(kChains), sizeof(Element));
    return 0;
}
