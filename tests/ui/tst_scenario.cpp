// The scenario file format: what it accepts and, for every kind of mistake,
// an error naming the file, the step and the field.

#include "scenario/scenario.h"

#include <QTest>

using namespace proactive;
using namespace proactive::ui;

class TestScenario final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void demoScenarioLoads();
    void steps_data();
    void steps();
    void errors_data();
    void errors();
    void workspaceDefaultsToTheParentOfTheScenariosFolder();
};

void TestScenario::demoScenarioLoads()
{
    const auto scenario
        = loadScenario(PROACTIVE_SOURCE_DIR "/resources/demo-workspace/scenarios/hesitation-to-tour.json");
    QVERIFY2(scenario.ok(), scenario.ok() ? "" : scenario.error().toString().c_str());
    QCOMPARE(scenario->startPath, std::string("/projects"));
    QVERIFY(scenario->steps.size() > 10);
    QCOMPARE(scenario->workspace, std::filesystem::path(PROACTIVE_SOURCE_DIR "/resources/demo-workspace"));
}

void TestScenario::steps_data()
{
    QTest::addColumn<QString>("step");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("text");
    QTest::addColumn<double>("seconds");
    QTest::addColumn<QString>("description");
    using Kind = ScenarioStep::Kind;
    QTest::newRow("caption") << R"({"caption": "Hello"})" << int(Kind::Caption) << ""
                             << "Hello" << 0.0 << R"(caption "Hello")";
    QTest::newRow("caption-clear") << R"({"caption": ""})" << int(Kind::Caption) << ""
                                   << "" << 0.0 << R"(caption "")";
    QTest::newRow("navigate") << R"({"navigate": "/projects/apollo"})" << int(Kind::Navigate) << "/projects/apollo"
                              << "" << 0.0 << "navigate to /projects/apollo";
    QTest::newRow("click") << R"({"click": "#add"})" << int(Kind::Click) << "#add"
                           << "" << 0.0 << "click #add";
    QTest::newRow("type") << R"({"type": {"selector": "#name", "text": "Apollo"}})" << int(Kind::Type) << "#name"
                          << "Apollo" << 0.0 << R"(type "Apollo" into #name)";
    QTest::newRow("wait") << R"({"wait": 2.5})" << int(Kind::Wait) << ""
                          << "" << 2.5 << "wait 2.5 s";
    QTest::newRow("expect-toast-any") << R"({"expect_toast": {}})" << int(Kind::ExpectToast) << ""
                                      << "" << 30.0 << "expect the toast within 30 s";
    QTest::newRow("expect-toast-id") << R"({"expect_toast": {"trigger_id": "ping-pong", "within_s": 40}})"
                                     << int(Kind::ExpectToast) << ""
                                     << "ping-pong" << 40.0 << "expect the toast ping-pong within 40 s";
    QTest::newRow("expect-no-toast") << R"({"expect_no_toast": {"within_s": 20}})" << int(Kind::ExpectNoToast) << ""
                                     << "" << 20.0 << "expect no toast for 20 s";
    QTest::newRow("accept") << R"({"accept": true})" << int(Kind::Accept) << ""
                            << "" << 0.0 << "accept the offer";
    QTest::newRow("dismiss") << R"({"dismiss": true})" << int(Kind::Dismiss) << ""
                             << "" << 0.0 << "dismiss the offer";
    QTest::newRow("state") << R"({"expect_state": "thinking"})" << int(Kind::ExpectState) << ""
                           << "thinking" << 0.0 << "expect the state thinking";
    QTest::newRow("chat") << R"({"expect_chat": {"text": "project", "within_s": 5}})" << int(Kind::ExpectChat) << ""
                          << "project" << 5.0 << R"(expect the chat to show "project" within 5 s)";
    QTest::newRow("tour-step") << R"({"expect_tour_step": {"tour_id": "create-project", "step": 2}})"
                               << int(Kind::ExpectTourStep) << "create-project"
                               << "" << 30.0 << "expect step 2 of tour create-project within 30 s";
}

void TestScenario::steps()
{
    QFETCH(QString, step);
    QFETCH(int, kind);
    QFETCH(QString, target);
    QFETCH(QString, text);
    QFETCH(double, seconds);
    QFETCH(QString, description);
    const std::string json = R"({"steps": [)" + step.toStdString() + "]}";
    const auto scenario = parseScenario(json, "/w/scenarios/s.json");
    QVERIFY2(scenario.ok(), scenario.ok() ? "" : scenario.error().toString().c_str());
    const ScenarioStep& parsed = scenario->steps.at(0);
    QCOMPARE(int(parsed.kind), kind);
    QCOMPARE(QString::fromStdString(parsed.target), target);
    QCOMPARE(QString::fromStdString(parsed.text), text);
    QCOMPARE(parsed.seconds, seconds);
    QCOMPARE(QString::fromStdString(describe(parsed)), description);
    QCOMPARE(parsed.where, std::string("/steps/0"));
}

void TestScenario::errors_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("error");
    QTest::newRow("not-json") << "{"
                              << "/w/scenarios/s.json: invalid_scenario: not valid JSON";
    QTest::newRow("not-object") << "[]"
                                << "/w/scenarios/s.json: invalid_scenario: expected an object";
    QTest::newRow("unknown-field") << R"({"stepz": []})"
                                   << "/w/scenarios/s.json:/stepz: invalid_scenario: unknown field";
    QTest::newRow("no-steps") << R"({"name": "x"})"
                              << "/w/scenarios/s.json:/steps: invalid_scenario: a non-empty array of steps";
    QTest::newRow("unknown-step") << R"({"steps": [{"caption": "a"}, {"hover": "#x"}]})"
                                  << "/w/scenarios/s.json:/steps/1/hover: invalid_scenario: unknown step kind";
    QTest::newRow("two-kinds") << R"({"steps": [{"click": "#a", "wait": 1}]})"
                               << "/w/scenarios/s.json:/steps/0: invalid_scenario: a step is an object with exactly "
                                  "one key, the step kind";
    QTest::newRow("empty-click") << R"({"steps": [{"click": ""}]})"
                                 << "/w/scenarios/s.json:/steps/0/click: invalid_scenario: expected a non-empty string";
    QTest::newRow("relative-navigate") << R"({"steps": [{"navigate": "projects"}]})"
                                       << "/w/scenarios/s.json:/steps/0/navigate: invalid_scenario: a path starting "
                                          "with '/'";
    QTest::newRow("negative-wait") << R"({"steps": [{"wait": -1}]})"
                                   << "/w/scenarios/s.json:/steps/0/wait: invalid_scenario: expected a number of "
                                      "seconds ≥ 0";
    QTest::newRow("accept-false") << R"({"steps": [{"accept": false}]})"
                                  << "/w/scenarios/s.json:/steps/0/accept: invalid_scenario: expected true";
    QTest::newRow("type-missing-text") << R"({"steps": [{"type": {"selector": "#a"}}]})"
                                       << "/w/scenarios/s.json:/steps/0/type: invalid_scenario: needs \"selector\" "
                                          "and \"text\" strings";
    QTest::newRow("toast-typo") << R"({"steps": [{"expect_toast": {"trigger": "x"}}]})"
                                << "/w/scenarios/s.json:/steps/0/expect_toast/trigger: invalid_scenario: unknown field";
    QTest::newRow("toast-bad-within") << R"({"steps": [{"expect_toast": {"within_s": "10"}}]})"
                                      << "/w/scenarios/s.json:/steps/0/expect_toast/within_s: invalid_scenario: "
                                         "expected a number of seconds ≥ 0";
    QTest::newRow("tour-step-zero") << R"({"steps": [{"expect_tour_step": {"tour_id": "t", "step": 0}}]})"
                                    << "/w/scenarios/s.json:/steps/0/expect_tour_step: invalid_scenario: needs "
                                       "\"tour_id\" and a 1-based \"step\"";
    QTest::newRow("chat-without-text") << R"({"steps": [{"expect_chat": {}}]})"
                                       << "/w/scenarios/s.json:/steps/0/expect_chat/text: invalid_scenario: the text "
                                          "the chat must show";
    QTest::newRow("bad-start-path") << R"({"start_path": "projects", "steps": [{"wait": 1}]})"
                                    << "/w/scenarios/s.json:/start_path: invalid_scenario: a path starting with '/'";
}

void TestScenario::errors()
{
    QFETCH(QString, json);
    QFETCH(QString, error);
    const auto scenario = parseScenario(json.toStdString(), "/w/scenarios/s.json");
    QVERIFY(!scenario.ok());
    QCOMPARE(QString::fromStdString(scenario.error().toString()), error);
}

void TestScenario::workspaceDefaultsToTheParentOfTheScenariosFolder()
{
    const auto implicit = parseScenario(R"({"steps": [{"wait": 1}]})", "/w/scenarios/s.json");
    QCOMPARE(implicit->workspace, std::filesystem::path("/w"));
    const auto explicitly
        = parseScenario(R"({"workspace": "../other", "steps": [{"wait": 1}]})", "/w/scenarios/s.json");
    QCOMPARE(explicitly->workspace, std::filesystem::path("/w/other"));
}

QTEST_GUILESS_MAIN(TestScenario)
#include "tst_scenario.moc"
