// Golden-folder scenarios for the whole connector: every folder under
// tests/data/scenarios/ holds input.json (products, then timed steps:
// events, polls, agent-state events, product swaps, and with
// "store": "sqlite" store reopens) and expected.json (one result per step). A regression is a new folder, not new C++.
// PROACTIVE_UPDATE_GOLDEN=1 rewrites expected.json from the current output;
// review the diff before committing it.

#include "connector/connector.h"
#include "intake/posthogintake.h"
#include "store/memorystore.h"
#include "store/sqlitestore.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace proactive;
using nlohmann::json;

namespace {

const std::filesystem::path kScenarios = std::filesystem::path(PROACTIVE_TEST_DATA) / "scenarios";

json readJson(const std::filesystem::path& path)
{
    std::ifstream in(path);
    return json::parse(in, nullptr, false);
}

std::shared_ptr<const Workspace> workspaceFrom(const json& products, Diagnostics& diagnostics)
{
    return std::make_shared<const Workspace>(Workspace::fromJson(products, kScenarios, "input.json", diagnostics));
}

class ScenarioRunner {
public:
    ScenarioRunner(const json& input, Diagnostics& diagnostics)
        : m_start(*parseIsoTimestamp(input.value("start", "2024-05-01T12:00:00Z")))
        , m_clock(m_start)
        , m_sqlite(input.value("store", "memory") == "sqlite")
    {
        m_store = openStore();
        m_connector = std::make_unique<Connector>(workspaceFrom(input.at("products"), diagnostics), *m_store, m_clock);
    }

    json step(const json& step, Diagnostics& diagnostics)
    {
        m_clock.set(m_start + fromSeconds(step.at("at").get<double>()));
        if (step.contains("reopen")) {
            // Another process on the same file: the connector and its store start afresh.
            if (!m_sqlite)
                return { { "error", "reopen needs \"store\": \"sqlite\"" } };
            auto workspace = m_connector->workspace();
            m_connector.reset();
            m_store.reset();
            m_store = openStore();
            m_connector = std::make_unique<Connector>(std::move(workspace), *m_store, m_clock);
            return { { "reopened", true } };
        }
        if (step.contains("events"))
            return ingest(step);
        if (step.contains("poll"))
            return poll(step.at("poll"));
        if (step.contains("agent_state"))
            return agentState(step.at("agent_state"));
        if (step.contains("products")) {
            m_connector->setWorkspace(workspaceFrom(step.at("products"), diagnostics));
            return { { "products", "swapped" } };
        }
        return { { "error", "unknown step" } };
    }

private:
    json ingest(const json& step)
    {
        std::vector<Action> actions;
        std::string product = step.value("product", "p");
        for (json event : step.at("events")) {
            if (!event.contains("timestamp"))
                event["timestamp"]
                    = formatIsoTimestamp(m_start + fromSeconds(event.value("t", step.at("at").get<double>())));
            event.erase("t");
            auto parsed = m_intake.parseBody(event.dump());
            for (auto& e : parsed.events)
                actions.push_back(std::move(e.action));
        }
        auto result = m_connector->ingest(product, std::move(actions));
        if (!result)
            return { { "error", result.error().code } };
        json out { { "accepted", result->accepted } };
        if (result->duplicates)
            out["duplicates"] = result->duplicates;
        if (result->ignored)
            out["ignored"] = result->ignored;
        for (const auto& rotation : result->rotations)
            out["rotations"].push_back(rotation.previousSessionId + " -> " + rotation.sessionId);
        return out;
    }

    json poll(const json& poll)
    {
        auto decision = m_connector->context(
            poll.value("product", "p"), poll.at("session").get<std::string>(), poll.value("conversation", ""), true);
        if (!decision)
            return { { "error", decision.error().code } };
        json out { { "state", nameOf(decision->state) } };
        out["trigger"] = decision->offer ? json(decision->offer->triggerId) : json(nullptr);
        out["skip"] = decision->skipReason ? json(*decision->skipReason) : json(nullptr);
        if (decision->offer)
            out["body"] = decision->offer->body;
        // Skip reasons must come from the gate that blocked: report it.
        for (const auto& gate : decision->gates)
            if (gate.verdict == Verdict::Block)
                out["blocked_by"] = gate.gate;
        if (decision->assignment)
            out["experiment"] = { { "arm", decision->assignment->arm() }, { "bucket", decision->assignment->bucket } };
        if (!decision->heldOutTrigger.empty())
            out["would_have_offered"] = decision->heldOutTrigger;
        return out;
    }

    json agentState(const json& request)
    {
        const auto session = request.value("session", "");
        auto outcome = m_connector->agentState(request.value("product", "p"),
            request.value("conversation", Connector::proactiveConversationId(session)),
            request.at("event").get<std::string>());
        if (!outcome)
            return { { "error", outcome.error().code } };
        json out { { "state", nameOf(outcome->state) }, { "previous_state", nameOf(outcome->previous) } };
        if (outcome->kind == FsmOutcome::Kind::InvalidTransition)
            out["reason"] = "invalid_transition";
        return out;
    }

    std::unique_ptr<Store> openStore()
    {
        if (!m_sqlite)
            return std::make_unique<MemoryStore>();
        auto opened = SqliteStore::open((m_directory.path() + u"/connector.db"_qs).toStdString());
        if (!opened)
            qFatal("cannot open the scenario's store: %s", opened.error().message.c_str());
        return std::move(*opened);
    }

    Timestamp m_start;
    PostHogIntake m_intake;
    VirtualClock m_clock;
    bool m_sqlite = false;
    QTemporaryDir m_directory;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<Connector> m_connector;
};

} // namespace

class TestScenarios final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void scenario_data();
    void scenario();
};

void TestScenarios::scenario_data()
{
    QTest::addColumn<QString>("folder");
    const auto folders
        = QDir(QString::fromStdString(kScenarios.string())).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    QVERIFY2(!folders.isEmpty(), "no scenarios found");
    for (const auto& folder : folders)
        QTest::newRow(folder.toUtf8().constData()) << folder;
}

void TestScenarios::scenario()
{
    QFETCH(QString, folder);
    const auto dir = kScenarios / folder.toStdString();
    const json input = readJson(dir / "input.json");
    QVERIFY2(!input.is_discarded(), "input.json is not valid JSON");

    Diagnostics diagnostics;
    ScenarioRunner runner(input, diagnostics);
    json actual = json::array();
    for (const auto& step : input.at("steps"))
        actual.push_back(runner.step(step, diagnostics));
    for (const auto& d : diagnostics)
        QFAIL(("workspace problem: " + d.toString()).c_str());

    if (qEnvironmentVariableIsSet("PROACTIVE_UPDATE_GOLDEN")) {
        std::ofstream(dir / "expected.json") << actual.dump(2) << '\n';
        return;
    }
    const json expected = readJson(dir / "expected.json");
    QVERIFY2(!expected.is_discarded(), "expected.json is missing or not valid JSON");
    QCOMPARE(actual.size(), expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i) {
        const auto message = "step " + std::to_string(i) + " (" + input.at("steps")[i].dump()
            + ")\n  actual:   " + actual[i].dump() + "\n  expected: " + expected[i].dump();
        QVERIFY2(actual[i] == expected[i], message.c_str());
    }
}

QTEST_GUILESS_MAIN(TestScenarios)
#include "tst_scenarios.moc"
