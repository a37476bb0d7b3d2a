#include "intake/elementschain.h"
#include "triggers/condition.h"
#include "triggers/selector.h"
#include "triggers/trigger.h"
#include "triggertestsupport.h"

#include <QTest>
#include <algorithm>
#include <chrono>
#include <stdexcept>

using namespace proactive;
using namespace proactive::test;

namespace {

// The target is a button inside div.toolbar inside form#new-project.
const char* const kButtonChain
    = R"(button.btn.primary:attr__class="btn primary"attr__data-tour-id="add-project"attr__type="submit")"
      R"(nth-child="2"nth-of-type="1"text="Add Project";)"
      R"(div.toolbar:attr__class="toolbar"nth-child="1"nth-of-type="1";)"
      R"(form:attr__id="new-project"attr_id="new-project"nth-child="1"nth-of-type="1";)"
      R"(main:nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1")";

// An icon inside a link: text and href live on the ancestor.
const char* const kIconChain = R"(svg.icon:nth-child="1"nth-of-type="1";)"
                               R"(a.nav-link:attr__class="nav-link"attr__href="/docs/start"href="/docs/start")"
                               R"(nth-child="3"nth-of-type="1"text="Docs";nav:nth-child="1"nth-of-type="1")";

// One action from a compact description:
// {"type", "event", "raw", "canonical", "chain", "at" (ms), "properties"}.
Action actionFrom(const nlohmann::json& spec)
{
    const auto type = actionTypeFromString(spec.value("type", "click")).value_or(ActionType::Custom);
    Action a = action(spec.value("canonical", std::string()), spec.value("at", std::int64_t(0)), type);
    a.rawUrl = spec.value("raw", a.canonicalUrl);
    if (spec.contains("event"))
        a.event = spec["event"].get<std::string>();
    if (spec.contains("chain")) {
        const std::string chain = spec["chain"] == "button" ? kButtonChain
            : spec["chain"] == "icon"                       ? kIconChain
                                                            : spec["chain"].get<std::string>();
        a.elementsChain = chain;
        const auto elements = parseElementsChain(chain);
        if (!elements.empty())
            a.element = elements.front();
    }
    if (spec.contains("properties"))
        for (const auto& [key, value] : spec["properties"].items())
            a.properties.emplace_back(key, value.get<std::string>());
    return a;
}

std::vector<Action> actionsFrom(const QByteArray& specs)
{
    std::vector<Action> actions;
    for (const auto& spec : json(specs))
        actions.push_back(actionFrom(spec));
    return sealed(std::move(actions));
}

class ThrowingCondition final : public Condition {
public:
    bool evaluate(EvaluationScope&, ConditionExplanation*, const PlaybookSection*&) const override
    {
        throw std::runtime_error("boom");
    }
};

} // namespace

class TestConditions final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void eventMatcher_data();
    void eventMatcher();
    void eventUsesLastAction();

    void logic_data();
    void logic();
    void logicExplains();

    void count_data();
    void count();
    void countOverManyDistinctDetails();

    void sequence_data();
    void sequence();

    void dwell_data();
    void dwell();

    void idle_data();
    void idle();

    void rageClick_data();
    void rageClick();

    void selector_data();
    void selector();
    void hostileChainIsBounded();
    void chainMatching_data();
    void chainMatching();
    void chainParsedOncePerDistinctChain();

    void failingEvaluationReturnsError();
    void timestampOutOfRangeIsAnError();

    void normaliseBody_data();
    void normaliseBody();
    void explanationJson();
};

void TestConditions::eventMatcher_data()
{
    QTest::addColumn<QByteArray>("matcher");
    QTest::addColumn<QByteArray>("action");
    QTest::addColumn<bool>("matched");

    const QByteArray projects
        = R"({"type":"click","raw":"https://app.example.com/projects?tab=1","canonical":"https://app.example.com/projects","chain":"button"})";
    const QByteArray project42
        = R"({"type":"pageview","raw":"https://app.example.com/projects/42/","canonical":"https://app.example.com/projects/:id"})";
    const QByteArray icon
        = R"({"type":"click","raw":"https://app.example.com/home","canonical":"https://app.example.com/home","chain":"icon"})";
    const QByteArray custom
        = R"({"type":"custom","event":"signed_up","canonical":"https://app.example.com/welcome","properties":{"plan":"free","seats":"3","trial":"true"}})";

    QTest::newRow("empty-matches-anything") << QByteArray("{}") << projects << true;
    QTest::newRow("type") << QByteArray(R"({"type":"click"})") << projects << true;
    QTest::newRow("type-mismatch") << QByteArray(R"({"type":"submit"})") << projects << false;
    QTest::newRow("type-list") << QByteArray(R"({"type":["submit","click"]})") << projects << true;
    QTest::newRow("event-name") << QByteArray(R"({"event":"signed_up"})") << custom << true;
    QTest::newRow("event-name-mismatch") << QByteArray(R"({"event":"$autocapture"})") << custom << false;
    QTest::newRow("url-path-vs-full-with-query") << QByteArray(R"({"url":"/projects"})") << projects << true;
    QTest::newRow("url-trailing-slash") << QByteArray(R"({"url":"/projects/"})") << projects << true;
    QTest::newRow("url-is-not-a-prefix") << QByteArray(R"({"url":"/projects"})") << project42 << false;
    QTest::newRow("url-param-segment") << QByteArray(R"({"url":"/projects/:id"})") << project42 << true;
    QTest::newRow("url-concrete-id-raw") << QByteArray(R"({"url":"/projects/42"})") << project42 << true;
    QTest::newRow("url-other-id") << QByteArray(R"({"url":"/projects/43"})") << project42 << false;
    QTest::newRow("url-full-host-case") << QByteArray(R"({"url":"https://APP.example.com/projects"})") << projects
                                        << true;
    QTest::newRow("url-full-other-host") << QByteArray(R"({"url":"https://other.example.com/projects"})") << projects
                                         << false;
    QTest::newRow("url-prefix") << QByteArray(R"({"url_prefix":"/projects"})") << project42 << true;
    QTest::newRow("url-prefix-segment-boundary") << QByteArray(R"({"url_prefix":"/proj"})") << project42 << false;
    QTest::newRow("url-contains-ignores-case") << QByteArray(R"({"url_contains":"PROJECTS"})") << projects << true;
    QTest::newRow("url-contains-sees-raw-query") << QByteArray(R"({"url_contains":"tab=1"})") << projects << true;
    QTest::newRow("url-contains-miss") << QByteArray(R"({"url_contains":"settings"})") << projects << false;
    QTest::newRow("url-regex-raw") << QByteArray(R"({"url_regex":"/projects/\\d+/?$"})") << project42 << true;
    QTest::newRow("url-regex-canonical") << QByteArray(R"({"url_regex":"/:id$"})") << project42 << true;
    QTest::newRow("url-regex-miss") << QByteArray(R"({"url_regex":"^/settings"})") << project42 << false;
    QTest::newRow("route") << QByteArray(R"({"route":"/projects/:slug"})") << project42 << true;
    QTest::newRow("route-deeper-page") << QByteArray(R"({"route":"/projects"})") << project42 << false;
    QTest::newRow("selector-target") << QByteArray(R"({"selector":"button.primary"})") << projects << true;
    QTest::newRow("selector-ancestor-is-not-target")
        << QByteArray(R"({"selector":"div.toolbar"})") << projects << false;
    QTest::newRow("selector-descendant") << QByteArray(R"({"selector":"form#new-project button"})") << projects << true;
    QTest::newRow("selector-no-chain") << QByteArray(R"({"selector":"button"})") << project42 << false;
    QTest::newRow("text-exact") << QByteArray(R"({"text":"Add Project"})") << projects << true;
    QTest::newRow("text-exact-trims-config") << QByteArray(R"({"text":"  Add Project "})") << projects << true;
    QTest::newRow("text-exact-is-case-sensitive") << QByteArray(R"({"text":"add project"})") << projects << false;
    QTest::newRow("text-contains-ignores-case") << QByteArray(R"({"text_contains":"add proj"})") << projects << true;
    QTest::newRow("text-regex") << QByteArray(R"({"text_regex":"^Add\\s"})") << projects << true;
    QTest::newRow("text-regex-miss") << QByteArray(R"({"text_regex":"^Remove"})") << projects << false;
    QTest::newRow("text-on-ancestor") << QByteArray(R"({"text":"Docs"})") << icon << true;
    QTest::newRow("href-on-ancestor") << QByteArray(R"({"href":"/docs/start"})") << icon << true;
    QTest::newRow("href-contains") << QByteArray(R"({"href_contains":"/DOCS"})") << icon << true;
    QTest::newRow("href-regex-miss") << QByteArray(R"({"href_regex":"^https://"})") << icon << false;
    QTest::newRow("properties-string") << QByteArray(R"({"properties":{"plan":"free"}})") << custom << true;
    QTest::newRow("properties-number") << QByteArray(R"({"properties":{"seats":3}})") << custom << true;
    QTest::newRow("properties-bool") << QByteArray(R"({"properties":{"trial":true}})") << custom << true;
    QTest::newRow("properties-mismatch") << QByteArray(R"({"properties":{"plan":"pro"}})") << custom << false;
    QTest::newRow("properties-missing") << QByteArray(R"({"properties":{"company":"acme"}})") << custom << false;
    QTest::newRow("all-fields-hold") << QByteArray(
        R"({"type":"click","event":"$autocapture","url":"/projects","selector":"button","text":"Add Project"})")
                                     << projects << true;
    QTest::newRow("one-field-fails") << QByteArray(
        R"({"type":"click","url":"/projects","selector":"button","text":"Save"})")
                                     << projects << false;
}

void TestConditions::eventMatcher()
{
    QFETCH(QByteArray, matcher);
    QFETCH(QByteArray, action);
    QFETCH(bool, matched);

    const auto actions = actionsFrom("[" + action + "]");
    const auto evaluation = evaluateCondition({ { "event", json(matcher) } }, actions, 1'000);
    QVERIFY2(!evaluation.error, evaluation.error.value_or("").c_str());
    QCOMPARE(evaluation.matched, matched);
    QCOMPARE(text(evaluation.explanation->kind), u"event"_qs);
}

void TestConditions::eventUsesLastAction()
{
    const auto actions = actionsFrom(R"([{"type":"click","at":0},{"type":"pageview","at":1000}])");
    QVERIFY(!evaluateCondition({ { "event", { { "type", "click" } } } }, actions, 2'000).matched);
    QVERIFY(evaluateCondition({ { "event", { { "type", "pageview" } } } }, actions, 2'000).matched);
    QVERIFY(!evaluateCondition({ { "event", nlohmann::json::object() } }, {}, 2'000).matched);
}

void TestConditions::logic_data()
{
    QTest::addColumn<QByteArray>("condition");
    QTest::addColumn<bool>("matched");

    // The last action is a click: T holds, F does not.
    auto c = [](QByteArray text) {
        return text.replace("T", R"({"event":{"type":"click"}})").replace("F", R"({"event":{"type":"submit"}})");
    };
    QTest::newRow("all-true") << c(R"({"all":[T,T]})") << true;
    QTest::newRow("all-one-false") << c(R"({"all":[T,F]})") << false;
    QTest::newRow("all-single") << c(R"({"all":[T]})") << true;
    QTest::newRow("any-one-true") << c(R"({"any":[F,T]})") << true;
    QTest::newRow("any-none") << c(R"({"any":[F,F]})") << false;
    QTest::newRow("not-true") << c(R"({"not":T})") << false;
    QTest::newRow("not-false") << c(R"({"not":F})") << true;
    QTest::newRow("double-not") << c(R"({"not":{"not":T}})") << true;
    QTest::newRow("nested") << c(R"({"all":[{"any":[F,T]},{"not":F}]})") << true;
    QTest::newRow("nested-false") << c(R"({"any":[{"all":[T,F]},{"not":T}]})") << false;
}

void TestConditions::logic()
{
    QFETCH(QByteArray, condition);
    QFETCH(bool, matched);

    const auto actions = actionsFrom(R"([{"type":"click"}])");
    for (const bool explain : { false, true }) {
        const auto evaluation = evaluateCondition(json(condition), actions, 1'000, explain);
        QVERIFY2(!evaluation.error, evaluation.error.value_or("").c_str());
        QCOMPARE(evaluation.matched, matched);
        QCOMPARE(evaluation.explanation.has_value(), explain);
        if (explain)
            QCOMPARE(evaluation.explanation->matched, matched);
    }
}

void TestConditions::logicExplains()
{
    const auto actions = actionsFrom(R"([{"type":"click"}])");
    const auto condition = json(R"({"all":[{"event":{"type":"submit"}},{"event":{"type":"click"}}]})");

    const auto full = evaluateCondition(condition, actions, 1'000, true);
    QCOMPARE(full.explanation->children.size(), std::size_t(2));
    QCOMPARE(text(full.explanation->summary), u"1/2 conditions hold (all needed)"_qs);
    QCOMPARE(full.explanation->observed.get<int>(), 1);
    QCOMPARE(full.explanation->threshold.get<int>(), 2);
    QCOMPARE(text(full.explanation->children[0].summary), u"last action (click) does not match"_qs);
    QCOMPARE(text(full.explanation->children[0].label), u"last action is submit"_qs);

    // Without explain, no explanation is built at all.
    const auto fast = evaluateCondition(condition, actions, 1'000, false);
    QVERIFY(!fast.matched);
    QVERIFY(!fast.explanation);
}

void TestConditions::count_data()
{
    QTest::addColumn<QByteArray>("actions");
    QTest::addColumn<qint64>("nowMs");
    QTest::addColumn<QByteArray>("count");
    QTest::addColumn<bool>("matched");
    QTest::addColumn<int>("observed");
    QTest::addColumn<QString>("summary");

    const QByteArray clicks
        = R"([{"type":"click","at":0},{"type":"pageview","at":10000},{"type":"click","at":30000},{"type":"click","at":60000}])";
    QTest::newRow("window-edge-is-inside")
        << clicks << qint64(60'000) << QByteArray(R"({"of":{"type":"click"},"within_s":60,"at_least":3})") << true << 3
        << u"3 clicks in 60 s ≥ 3"_qs;
    QTest::newRow("1ms-past-the-edge") << clicks << qint64(60'001)
                                       << QByteArray(R"({"of":{"type":"click"},"within_s":60,"at_least":3})") << false
                                       << 2 << u"2 clicks in 60 s < 3"_qs;
    QTest::newRow("no-window-counts-all")
        << clicks << qint64(900'000) << QByteArray(R"({"of":{"type":"click"},"at_least":3})") << true << 3
        << u"3 clicks in the recent activity ≥ 3"_qs;
    QTest::newRow("no-matcher-counts-every-action") << clicks << qint64(60'000) << QByteArray(R"({"at_least":4})")
                                                    << true << 4 << u"4 actions in the recent activity ≥ 4"_qs;
    QTest::newRow("at-most-holds") << clicks << qint64(60'000)
                                   << QByteArray(R"({"of":{"type":"pageview"},"within_s":60,"at_most":1})") << true << 1
                                   << u"1 pageview in 60 s ≤ 1"_qs;
    QTest::newRow("at-most-exceeded") << clicks << qint64(60'000)
                                      << QByteArray(R"({"of":{"type":"click"},"within_s":60,"at_most":2})") << false
                                      << 3 << u"3 clicks in 60 s > 2"_qs;
    QTest::newRow("between") << clicks << qint64(60'000)
                             << QByteArray(R"({"of":{"type":"click"},"within_s":45,"at_least":2,"at_most":2})") << true
                             << 2 << u"2 clicks in 45 s ≥ 2, ≤ 2"_qs;
    QTest::newRow("at-least-0-with-nothing")
        << QByteArray("[]") << qint64(60'000) << QByteArray(R"({"of":{"type":"submit"},"at_least":0})") << true << 0
        << u"0 submits in the recent activity ≥ 0"_qs;
    QTest::newRow("fractional-window") << clicks << qint64(60'500)
                                       << QByteArray(R"({"of":{"type":"click"},"within_s":0.5,"at_least":1})") << true
                                       << 1 << u"1 click in 0.5 s ≥ 1"_qs;
}

void TestConditions::count()
{
    QFETCH(QByteArray, actions);
    QFETCH(qint64, nowMs);
    QFETCH(QByteArray, count);
    QFETCH(bool, matched);
    QFETCH(int, observed);
    QFETCH(QString, summary);

    const auto evaluation = evaluateCondition({ { "count", json(count) } }, actionsFrom(actions), nowMs);
    QVERIFY2(!evaluation.error, evaluation.error.value_or("").c_str());
    QCOMPARE(evaluation.matched, matched);
    QCOMPARE(evaluation.explanation->observed.get<int>(), observed);
    QCOMPARE(text(evaluation.explanation->summary), summary);
}

void TestConditions::countOverManyDistinctDetails()
{
    // A count answers a matcher's details tests once per details value it
    // remembers (a few): ten distinct property values in turn make it forget
    // and test again, and the two last clicks repeat a remembered one.
    nlohmann::json specs = nlohmann::json::array();
    for (int i = 0; i < 30; ++i)
        specs.push_back({ { "at", i * 1000 }, { "properties", { { "k", "v" + std::to_string(i % 10) } } } });
    for (int i = 30; i < 32; ++i)
        specs.push_back({ { "at", i * 1000 }, { "properties", { { "k", "v3" } } } });
    const auto actions = actionsFrom(QByteArray::fromStdString(specs.dump()));
    const auto of = json(R"({"type":"click","properties":{"k":"v3"}})");
    for (const bool explain : { false, true }) {
        const auto five
            = evaluateCondition({ { "count", { { "of", of }, { "at_least", 5 } } } }, actions, 40'000, explain);
        QVERIFY2(!five.error, five.error.value_or("").c_str());
        QVERIFY(five.matched);
        const auto six
            = evaluateCondition({ { "count", { { "of", of }, { "at_least", 6 } } } }, actions, 40'000, explain);
        QVERIFY(!six.matched);
        if (explain)
            QCOMPARE(six.explanation->observed.get<int>(), 5);
    }
}

void TestConditions::sequence_data()
{
    QTest::addColumn<QByteArray>("actions");
    QTest::addColumn<QByteArray>("sequence");
    QTest::addColumn<bool>("matched");
    QTest::addColumn<int>("observed");

    const QByteArray ab = R"({"steps":[{"type":"pageview","url":"/a"},{"type":"click","url":"/b"}]})";
    const QByteArray ab30 = R"({"steps":[{"type":"pageview","url":"/a"},{"type":"click","url":"/b"}],"within_s":30})";
    const QByteArray abc
        = R"({"steps":[{"type":"pageview","url":"/a"},{"type":"click","url":"/b"},{"type":"submit"}]})";
    const QByteArray aa = R"({"steps":[{"type":"pageview","url":"/a"},{"type":"pageview","url":"/a"}]})";

    QTest::newRow("in-order") << QByteArray(
        R"([{"type":"pageview","canonical":"/a","at":0},{"type":"click","canonical":"/b","at":1000}])")
                              << ab << true << 2;
    QTest::newRow("wrong-order") << QByteArray(
        R"([{"type":"click","canonical":"/b","at":0},{"type":"pageview","canonical":"/a","at":1000}])")
                                 << ab << false << 1;
    QTest::newRow("not-adjacent") << QByteArray(
        R"([{"type":"pageview","canonical":"/a","at":0},{"type":"pageview","canonical":"/x","at":500},{"type":"click","canonical":"/b","at":1000}])")
                                  << ab << true << 2;
    QTest::newRow("partial") << QByteArray(
        R"([{"type":"pageview","canonical":"/a","at":0},{"type":"click","canonical":"/b","at":1000}])")
                             << abc << false << 2;
    QTest::newRow("within-exactly") << QByteArray(
        R"([{"type":"pageview","canonical":"/a","at":0},{"type":"click","canonical":"/b","at":30000}])")
                                    << ab30 << true << 2;
    QTest::newRow("within-1ms-over") << QByteArray(
        R"([{"type":"pageview","canonical":"/a","at":0},{"type":"click","canonical":"/b","at":30001}])")
                                     << ab30 << false << 2;
    QTest::newRow("latest-start-is-used") << QByteArray(
        R"([{"type":"pageview","canonical":"/a","at":0},{"type":"pageview","canonical":"/a","at":50000},{"type":"click","canonical":"/b","at":60000}])")
                                          << ab30 << true << 2;
    QTest::newRow("one-action-is-one-step")
        << QByteArray(R"([{"type":"pageview","canonical":"/a","at":0}])") << aa << false << 1;
    QTest::newRow("repeated-step") << QByteArray(
        R"([{"type":"pageview","canonical":"/a","at":0},{"type":"pageview","canonical":"/a","at":1}])")
                                   << aa << true << 2;
    QTest::newRow("no-actions") << QByteArray("[]") << ab << false << 0;
}

void TestConditions::sequence()
{
    QFETCH(QByteArray, actions);
    QFETCH(QByteArray, sequence);
    QFETCH(bool, matched);
    QFETCH(int, observed);

    const auto evaluation = evaluateCondition({ { "sequence", json(sequence) } }, actionsFrom(actions), 100'000);
    QVERIFY2(!evaluation.error, evaluation.error.value_or("").c_str());
    QCOMPARE(evaluation.matched, matched);
    QCOMPARE(evaluation.explanation->observed.get<int>(), observed);
}

void TestConditions::dwell_data()
{
    QTest::addColumn<QByteArray>("actions");
    QTest::addColumn<qint64>("nowMs");
    QTest::addColumn<QByteArray>("dwell");
    QTest::addColumn<bool>("matched");
    QTest::addColumn<QString>("summary");

    const QByteArray onProjects
        = R"([{"type":"pageview","canonical":"https://app.example.com/projects","at":0},{"type":"click","canonical":"https://app.example.com/projects","at":10000}])";
    const QByteArray url45 = R"({"url":"/projects","at_least_s":45})";
    QTest::newRow("at-threshold") << onProjects << qint64(45'000) << url45 << true
                                  << u"on /projects for 45 s ≥ 45 s"_qs;
    QTest::newRow("1ms-short") << onProjects << qint64(44'999) << url45 << false
                               << u"on /projects for 44.999 s < 45 s"_qs;
    QTest::newRow("other-page") << onProjects << qint64(99'000) << QByteArray(R"({"url":"/settings","at_least_s":45})")
                                << false << u"current page /projects does not match"_qs;
    QTest::newRow("route") << onProjects << qint64(99'000) << QByteArray(R"({"route":"/:section","at_least_s":45})")
                           << true << u"on /projects for 99 s ≥ 45 s"_qs;
    QTest::newRow("any-page") << onProjects << qint64(10'000) << QByteArray(R"({"at_least_s":10})") << true
                              << u"on /projects for 10 s ≥ 10 s"_qs;
    QTest::newRow("run-restarts-after-leaving") << QByteArray(
        R"([{"type":"pageview","canonical":"/projects","at":0},{"type":"pageview","canonical":"/settings","at":10000},{"type":"pageview","canonical":"/projects","at":20000}])")
                                                << qint64(60'000) << url45 << false
                                                << u"on /projects for 40 s < 45 s"_qs;
    QTest::newRow("no-activity") << QByteArray("[]") << qint64(60'000) << url45 << false << u"no activity"_qs;
}

void TestConditions::dwell()
{
    QFETCH(QByteArray, actions);
    QFETCH(qint64, nowMs);
    QFETCH(QByteArray, dwell);
    QFETCH(bool, matched);
    QFETCH(QString, summary);

    const auto evaluation = evaluateCondition({ { "dwell", json(dwell) } }, actionsFrom(actions), nowMs);
    QVERIFY2(!evaluation.error, evaluation.error.value_or("").c_str());
    QCOMPARE(evaluation.matched, matched);
    QCOMPARE(text(evaluation.explanation->summary), summary);
}

void TestConditions::idle_data()
{
    QTest::addColumn<QByteArray>("actions");
    QTest::addColumn<qint64>("nowMs");
    QTest::addColumn<bool>("matched");

    const QByteArray two = R"([{"type":"click","at":0},{"type":"click","at":5000}])";
    QTest::newRow("at-threshold") << two << qint64(25'000) << true;
    QTest::newRow("1ms-short") << two << qint64(24'999) << false;
    QTest::newRow("no-activity") << QByteArray("[]") << qint64(99'000) << false;
}

void TestConditions::idle()
{
    QFETCH(QByteArray, actions);
    QFETCH(qint64, nowMs);
    QFETCH(bool, matched);

    const auto evaluation = evaluateCondition({ { "idle", { { "at_least_s", 20 } } } }, actionsFrom(actions), nowMs);
    QVERIFY2(!evaluation.error, evaluation.error.value_or("").c_str());
    QCOMPARE(evaluation.matched, matched);
}

void TestConditions::rageClick_data()
{
    QTest::addColumn<QByteArray>("actions");
    QTest::addColumn<QByteArray>("rage");
    QTest::addColumn<bool>("matched");
    QTest::addColumn<int>("observed");

    auto clicksAt = [](std::initializer_list<std::pair<int, const char*>> clicks) {
        QByteArray out = "[";
        for (const auto& [at, chain] : clicks) {
            if (out.size() > 1)
                out += ',';
            out += R"({"type":"click","canonical":"/p","chain":")" + QByteArray(chain) + R"(","at":)"
                + QByteArray::number(at) + "}";
        }
        return out + "]";
    };
    const char* save = "button.save:nth-child=\\\"1\\\"";
    const char* other = "button.cancel:nth-child=\\\"2\\\"";

    QTest::newRow("three-in-2s") << clicksAt({ { 0, save }, { 500, save }, { 2000, save } }) << QByteArray("{}") << true
                                 << 3;
    QTest::newRow("spread-1ms-too-far") << clicksAt({ { 0, save }, { 500, save }, { 2001, save } }) << QByteArray("{}")
                                        << false << 2;
    QTest::newRow("different-elements") << clicksAt({ { 0, save }, { 500, other }, { 1000, save } }) << QByteArray("{}")
                                        << false << 2;
    QTest::newRow("different-elements-allowed") << clicksAt({ { 0, save }, { 500, other }, { 1000, save } })
                                                << QByteArray(R"({"same_element":false})") << true << 3;
    QTest::newRow("clicks-4") << clicksAt({ { 0, save }, { 100, save }, { 200, save } })
                              << QByteArray(R"({"clicks":4})") << false << 3;
    QTest::newRow("window-1s") << clicksAt({ { 0, save }, { 600, save }, { 1200, save } })
                               << QByteArray(R"({"within_s":1})") << false << 2;
    QTest::newRow("of-filters-element") << clicksAt({ { 0, save }, { 100, save }, { 200, save } })
                                        << QByteArray(R"({"of":{"selector":"button.cancel"}})") << false << 0;
    QTest::newRow("posthog-rageclick") << QByteArray(R"([{"type":"rageclick","canonical":"/p","chain":"button.save"}])")
                                       << QByteArray("{}") << true << 3;
    QTest::newRow("nothing") << QByteArray("[]") << QByteArray("{}") << false << 0;
}

void TestConditions::rageClick()
{
    QFETCH(QByteArray, actions);
    QFETCH(QByteArray, rage);
    QFETCH(bool, matched);
    QFETCH(int, observed);

    const auto evaluation = evaluateCondition({ { "rage_click", json(rage) } }, actionsFrom(actions), 5'000);
    QVERIFY2(!evaluation.error, evaluation.error.value_or("").c_str());
    QCOMPARE(evaluation.matched, matched);
    QCOMPARE(evaluation.explanation->observed.get<int>(), observed);
}

void TestConditions::selector_data()
{
    QTest::addColumn<QString>("selector");
    QTest::addColumn<QString>("expected"); // "match", "no" or the parse error

    QTest::newRow("tag") << u"button"_qs << u"match"_qs;
    QTest::newRow("tag-any-case") << u"BUTTON"_qs << u"match"_qs;
    QTest::newRow("universal") << u"*"_qs << u"match"_qs;
    QTest::newRow("class") << u".primary"_qs << u"match"_qs;
    QTest::newRow("two-classes") << u".btn.primary"_qs << u"match"_qs;
    QTest::newRow("missing-class") << u".secondary"_qs << u"no"_qs;
    QTest::newRow("tag-and-class") << u"button.primary"_qs << u"match"_qs;
    QTest::newRow("wrong-tag") << u"a.primary"_qs << u"no"_qs;
    QTest::newRow("ancestor-id-is-not-target") << u"#new-project"_qs << u"no"_qs;
    QTest::newRow("descendant-of-id") << u"#new-project button"_qs << u"match"_qs;
    QTest::newRow("child-wrong-parent") << u"form > button"_qs << u"no"_qs;
    QTest::newRow("child") << u"div > button"_qs << u"match"_qs;
    QTest::newRow("child-no-spaces") << u"div>button"_qs << u"match"_qs;
    QTest::newRow("child-chain") << u"form > div.toolbar > button"_qs << u"match"_qs;
    QTest::newRow("descendant-chain") << u"body form button"_qs << u"match"_qs;
    QTest::newRow("child-then-descendant") << u"main > div button"_qs << u"no"_qs;
    QTest::newRow("descendant-then-child") << u"main form > div > button"_qs << u"match"_qs;
    QTest::newRow("reversed") << u"button div"_qs << u"no"_qs;
    QTest::newRow("subject-must-be-target") << u"div.toolbar"_qs << u"no"_qs;
    QTest::newRow("ancestor-beyond-chain") << u"html button"_qs << u"no"_qs;
    QTest::newRow("attr-exists") << u"[data-tour-id]"_qs << u"match"_qs;
    QTest::newRow("attr-equals") << u"[data-tour-id=\"add-project\"]"_qs << u"match"_qs;
    QTest::newRow("attr-unquoted") << u"[data-tour-id=add-project]"_qs << u"match"_qs;
    QTest::newRow("attr-single-quotes") << u"[data-tour-id='add-project']"_qs << u"match"_qs;
    QTest::newRow("attr-spaces") << u"[ data-tour-id = \"add-project\" ]"_qs << u"match"_qs;
    QTest::newRow("attr-prefix") << u"[data-tour-id^=\"add\"]"_qs << u"match"_qs;
    QTest::newRow("attr-suffix") << u"[data-tour-id$=\"project\"]"_qs << u"match"_qs;
    QTest::newRow("attr-contains") << u"[data-tour-id*=\"d-pro\"]"_qs << u"match"_qs;
    QTest::newRow("attr-empty-prefix-never") << u"[data-tour-id^=\"\"]"_qs << u"no"_qs;
    QTest::newRow("attr-mismatch") << u"[data-tour-id=\"remove\"]"_qs << u"no"_qs;
    QTest::newRow("attr-missing") << u"[data-foo]"_qs << u"no"_qs;
    QTest::newRow("attr-with-tag") << u"button[type=\"submit\"]"_qs << u"match"_qs;
    QTest::newRow("attr-class") << u"[class=\"btn primary\"]"_qs << u"match"_qs;
    QTest::newRow("attr-id-on-ancestor") << u"form[id=\"new-project\"] button"_qs << u"match"_qs;
    QTest::newRow("nth-child") << u"button:nth-child(2)"_qs << u"match"_qs;
    QTest::newRow("nth-child-other") << u"button:nth-child(1)"_qs << u"no"_qs;
    QTest::newRow("nth-of-type") << u"button:nth-of-type(1)"_qs << u"match"_qs;
    QTest::newRow("list-second") << u"a.link, button.primary"_qs << u"match"_qs;
    QTest::newRow("list-none") << u"a.link, input"_qs << u"no"_qs;
    QTest::newRow("escaped-class-parses") << u".md\\:flex"_qs << u"no"_qs;
    QTest::newRow("non-ascii-class-parses") << u".ünïcode"_qs << u"no"_qs;

    QTest::newRow("empty") << QString() << u"empty selector"_qs;
    QTest::newRow("blank") << u"   "_qs << u"empty selector"_qs;
    QTest::newRow("leading-combinator") << u"> button"_qs << u"expected a selector, found '>' at column 1"_qs;
    QTest::newRow("trailing-combinator") << u"button >"_qs
                                         << u"expected a selector after the combinator at column 9"_qs;
    QTest::newRow("double-combinator") << u"div > > button"_qs << u"expected a selector, found '>' at column 7"_qs;
    QTest::newRow("sibling-combinator") << u"div + button"_qs << u"expected a selector, found '+' at column 5"_qs;
    QTest::newRow("open-bracket") << u"["_qs << u"expected an attribute name after '[' at column 2"_qs;
    QTest::newRow("unclosed-attribute") << u"[data-x"_qs << u"expected ']' at column 8"_qs;
    QTest::newRow("attribute-no-value") << u"[data-x=]"_qs << u"expected a value at column 9"_qs;
    QTest::newRow("attribute-value-at-end") << u"[data-x="_qs << u"expected a value at column 9"_qs;
    QTest::newRow("unterminated-string") << u"[data-x=\"open]"_qs << u"unterminated string at column 15"_qs;
    QTest::newRow("unsupported-operator")
        << u"[class~=\"btn\"]"_qs << u"unsupported attribute operator '~=' at column 7"_qs;
    QTest::newRow("attribute-flag") << u"[data-x=\"a\" i]"_qs << u"expected ']' at column 13"_qs;
    QTest::newRow("double-dot") << u"a..b"_qs << u"expected a class name after '.' at column 3"_qs;
    QTest::newRow("lone-hash") << u"#"_qs << u"expected an id after '#' at column 2"_qs;
    QTest::newRow("two-ids") << u"#a#b"_qs << u"two different ids in one compound selector at column 5"_qs;
    QTest::newRow("pseudo-class")
        << u"a:hover"_qs
        << u"unsupported pseudo-class ':hover' (only :nth-child(n) and :nth-of-type(n)) at column 2"_qs;
    QTest::newRow("pseudo-element") << u"a::before"_qs << u"expected a pseudo-class name after ':' at column 3"_qs;
    QTest::newRow("nth-formula") << u"li:nth-child(2n+1)"_qs
                                 << u":nth-child() takes a positive integer (An+B is not supported) at column 15"_qs;
    QTest::newRow("nth-zero") << u"li:nth-child(0)"_qs
                              << u":nth-child() takes a positive integer (An+B is not supported) at column 15"_qs;
    QTest::newRow("nth-huge") << u"li:nth-child(99999999999999999999)"_qs
                              << u":nth-child() takes a number up to 999999 at column 20"_qs;
    QTest::newRow("nth-no-paren") << u"li:nth-child"_qs << u"expected '(' after ':nth-child' at column 13"_qs;
    QTest::newRow("trailing-comma") << u"a,"_qs << u"expected a selector after ',' at column 3"_qs;
    QTest::newRow("leading-comma") << u",a"_qs << u"expected a selector, found ',' at column 1"_qs;
    QTest::newRow("parenthesis") << u"(((a)))"_qs << u"expected a selector, found '(' at column 1"_qs;
    QTest::newRow("trailing-backslash") << u"a\\"_qs << u"nothing to escape after '\\' at column 3"_qs;
    QTest::newRow("column-counts-code-points")
        << u"ü >"_qs << u"expected a selector after the combinator at column 4"_qs;
    QTest::newRow("too-long") << QString(1025, u'a') << u"selector is 1025 bytes long, at most 1024 are allowed"_qs;
    QTest::newRow("too-many-compounds") << (u"a "_qs.repeated(32) + u"a"_qs)
                                        << u"more than 32 compound selectors at column 65"_qs;
    QTest::newRow("too-many-alternatives")
        << (u"a,"_qs.repeated(16) + u"a"_qs) << u"more than 16 selectors in the list at column 33"_qs;
}

void TestConditions::selector()
{
    QFETCH(QString, selector);
    QFETCH(QString, expected);

    const auto parsed = Selector::parse(selector.toStdString());
    if (expected != u"match"_qs && expected != u"no"_qs) {
        QVERIFY(!parsed);
        QCOMPARE(text(parsed.error().message), expected);
        return;
    }
    QVERIFY2(parsed, parsed ? "" : parsed.error().message.c_str());
    const auto chain = parseElementsChain(kButtonChain);
    QCOMPARE(chain.size(), std::size_t(5));
    QCOMPARE(parsed->matches(chain), expected == u"match"_qs);
}

// Selector, text and href matchers on chains that are easy to get wrong:
// quotes and separators inside values, a chain-less action that knows its
// element, an empty chain, one cut for length. The answers are those of the
// matchers when they parsed the chain at every evaluation.
void TestConditions::chainMatching_data()
{
    QTest::addColumn<QByteArray>("matcher");
    QTest::addColumn<QByteArray>("chain");
    QTest::addColumn<bool>("elementOnly"); // the flat webhook: the target element without its chain
    QTest::addColumn<bool>("matched");

    const QByteArray quoted = R"(button.btn:attr__data-tour-id="say \"hi\""nth-child="1"nth-of-type="1")"
                              R"(text="Say \"hi\"; then go";form:attr_id="f"nth-child="1"nth-of-type="1")";
    const QByteArray separators = R"(a.link:href="/a;b:c"nth-child="1"nth-of-type="1"text="x;y:z";)"
                                  R"(li:nth-child="2"nth-of-type="2";ul.menu:attr__class="menu")";
    const QByteArray classes = R"(button.primary.btn:attr__class="btn primary"nth-child="2"nth-of-type="1";)"
                               R"(div.toolbar:nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1")";
    QByteArray cut = "button.go:nth-child=\"1\"nth-of-type=\"1\"text=\"Go\"";
    for (int i = 0; i < 1200; ++i)
        cut += ";div.level:nth-child=\"1\"nth-of-type=\"1\"";
    cut += ";section.far:attr__href=\"/far\"href=\"/far\"text=\"Far\"";

    QTest::newRow("quoted-text-exact") << QByteArray(R"({"text":"Say \"hi\"; then go"})") << quoted << false << true;
    QTest::newRow("quoted-attribute") << QByteArray(R"({"selector":"[data-tour-id='say \"hi\"']"})") << quoted << false
                                      << true;
    // The id comes from attr_id, as posthog-js writes it: it never writes "form#f" (which, as in PostHog's
    // own parser, would read as the tag "form#f"), so an escaped quote in the target does not hide its ancestor.
    QTest::newRow("quoted-ancestor") << QByteArray(R"({"selector":"form#f > button.btn"})") << quoted << false << true;
    QTest::newRow("separators-in-href") << QByteArray(R"({"href":"/a;b:c"})") << separators << false << true;
    QTest::newRow("separators-in-text") << QByteArray(R"({"text_contains":"Y:Z"})") << separators << false << true;
    QTest::newRow("separators-ancestor") << QByteArray(R"({"selector":"ul.menu a.link"})") << separators << false
                                         << true;
    QTest::newRow("class-order") << QByteArray(R"({"selector":"div.toolbar > button.btn.primary"})") << classes << false
                                 << true;
    QTest::newRow("nth-child") << QByteArray(R"j({"selector":"button:nth-child(2)"})j") << classes << false << true;
    QTest::newRow("nth-child-miss") << QByteArray(R"j({"selector":"button:nth-child(1)"})j") << classes << false
                                    << false;
    QTest::newRow("element-only-selector") << QByteArray(R"({"selector":"button.primary"})") << classes << true << true;
    QTest::newRow("element-only-no-ancestors")
        << QByteArray(R"({"selector":"div.toolbar button"})") << classes << true << false;
    QTest::newRow("element-only-text") << QByteArray(R"({"text":"Say \"hi\"; then go"})") << quoted << true << true;
    QTest::newRow("no-chain-selector") << QByteArray(R"({"selector":"*"})") << QByteArray() << false << false;
    QTest::newRow("no-chain-text") << QByteArray(R"({"text_regex":".*"})") << QByteArray() << false << true;
    QTest::newRow("cut-chain-target") << QByteArray(R"({"selector":"div.level > button.go"})") << cut << false << true;
    QTest::newRow("cut-chain-far-ancestor")
        << QByteArray(R"({"selector":"section.far button.go"})") << cut << false << false;
    QTest::newRow("cut-chain-far-text") << QByteArray(R"({"text":"Far"})") << cut << false << false;
    QTest::newRow("cut-chain-far-href") << QByteArray(R"({"href":"/far"})") << cut << false << false;
}

void TestConditions::chainMatching()
{
    QFETCH(QByteArray, matcher);
    QFETCH(QByteArray, chain);
    QFETCH(bool, elementOnly);
    QFETCH(bool, matched);

    Action click = action("https://app.example.com/projects", 0, ActionType::Click);
    click.element = parseTargetElement(chain.toStdString());
    if (!elementOnly)
        click.elementsChain = chain.toStdString();
    for (const bool explain : { false, true }) {
        const auto evaluation = evaluateCondition({ { "event", json(matcher) } }, sealed({ click }), 1'000, explain);
        QVERIFY2(!evaluation.error, evaluation.error.value_or("").c_str());
        QCOMPARE(evaluation.matched, matched);
    }
}

void TestConditions::chainParsedOncePerDistinctChain()
{
    // Records of one chain share the elements parsed when its details were
    // interned: polls read them, they never parse again.
    std::vector<Action> clicks;
    for (const char* chain : { kButtonChain, kIconChain, kButtonChain, kButtonChain }) {
        Action click
            = action("https://app.example.com/projects", std::int64_t(clicks.size()) * 1000, ActionType::Click);
        click.elementsChain = chain;
        click.element = parseTargetElement(chain);
        clicks.push_back(std::move(click));
    }
    const auto stored = records(sealed(std::move(clicks)));
    QCOMPARE(stored[2].chain().data(), stored[0].chain().data());
    QCOMPARE(stored[3].chain().data(), stored[0].chain().data());
    QVERIFY(stored[1].chain().data() != stored[0].chain().data());
    const auto parsed = parseElementsChain(kButtonChain);
    QVERIFY(std::ranges::equal(stored[0].chain(), parsed));
    QVERIFY(std::ranges::equal(stored[1].chain(), parseElementsChain(kIconChain)));
}

void TestConditions::hostileChainIsBounded()
{
    // 200 000 nested divs and a selector with the most compounds allowed:
    // the chain is cut before parsing and matching, so this stays quick.
    std::string chain;
    for (int i = 0; i < 200'000; ++i)
        chain += R"(div.x:nth-child="1";)";
    std::string selector = "div";
    for (int i = 0; i < 31; ++i)
        selector += " div";
    Action a = action("/p", 0, ActionType::Click);
    a.elementsChain = chain;
    const std::vector<Action> actions { a };

    const auto started = std::chrono::steady_clock::now();
    const auto deep = evaluateCondition({ { "event", { { "selector", selector } } } }, actions, 1'000);
    const auto deeper = evaluateCondition({ { "event", { { "selector", "body div" } } } }, actions, 1'000);
    QVERIFY(!deep.error && !deeper.error);
    QVERIFY(deep.matched); // 32 divs fit within the first 64 elements
    QVERIFY(!deeper.matched); // the body is far beyond the cut
    QVERIFY(std::chrono::steady_clock::now() - started < std::chrono::seconds(1));
}

void TestConditions::failingEvaluationReturnsError()
{
    TriggerDefinition definition;
    definition.id = "throws";
    definition.body = "x";
    const Trigger trigger(definition, std::make_shared<ThrowingCondition>());
    const auto actions = actionsFrom(R"([{"type":"click"}])");
    const auto evaluation = trigger.evaluate({ records(actions), fromEpochMs(kT0), {}, true });
    QVERIFY(!evaluation.matched);
    QVERIFY(evaluation.error);
    QCOMPARE(text(*evaluation.error), u"evaluation failed: boom"_qs);
    QVERIFY(evaluation.body.empty());
    // Explaining, a failed evaluation still has its (empty) explanation: the
    // trigger's row in /context keeps its "condition".
    QVERIFY(evaluation.explanation);
}

void TestConditions::timestampOutOfRangeIsAnError()
{
    auto actions = actionsFrom(R"([{"type":"click","at":0},{"type":"click","at":1000}])");
    actions[1].timestampStart = Timestamp::max();
    const auto evaluation = evaluateCondition({ { "idle", { { "at_least_s", 1 } } } }, actions, 5'000);
    QVERIFY(!evaluation.matched);
    QCOMPARE(text(evaluation.error.value_or("")), u"action 1 has a timestamp out of range"_qs);

    const auto badNow = evaluateCondition({ { "idle", { { "at_least_s", 1 } } } }, {}, -kT0 - 253'402'300'800'000);
    QCOMPARE(text(badNow.error.value_or("")), u"the evaluation time is out of range"_qs);

    // The gate pipeline asks once a poll and marks the context `checked`
    // only when there is no problem; a marked context is not checked again.
    const auto stored = records(actions);
    EvaluationContext context { stored, fromEpochMs(kT0 + 5'000), {}, false };
    QCOMPARE(text(contextProblem(context).value_or("")), u"action 1 has a timestamp out of range"_qs);
    TriggerDefinition definition;
    definition.id = "throws";
    definition.body = "x";
    const Trigger trigger(definition, std::make_shared<ThrowingCondition>());
    QCOMPARE(text(trigger.evaluate(context).error.value_or("")), u"action 1 has a timestamp out of range"_qs);
    context.checked = true;
    QCOMPARE(text(trigger.evaluate(context).error.value_or("")), u"evaluation failed: boom"_qs);
}

void TestConditions::normaliseBody_data()
{
    QTest::addColumn<QString>("body");
    QTest::addColumn<QString>("expected");

    QTest::newRow("trims") << u"  \n\tNeed a hand?  \r\n"_qs << u"Need a hand?"_qs;
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("blank") << u" \t\n "_qs << QString();
    QTest::newRow("exactly-150") << QString(150, u'a') << QString(150, u'a');
    QTest::newRow("151-cut-to-150") << QString(151, u'a') << QString(150, u'a');
    QTest::newRow("two-byte-150") << QString(150, u'é') << QString(150, u'é');
    QTest::newRow("two-byte-cut") << QString(200, u'é') << QString(150, u'é');
    QTest::newRow("four-byte-cut") << u"😀"_qs.repeated(151) << u"😀"_qs.repeated(150);
    QTest::newRow("trim-before-count") << (u"   "_qs + QString(150, u'b') + u"   "_qs) << QString(150, u'b');
    QTest::newRow("cut-leaves-no-trailing-space") << (QString(149, u'a') + u" bbb"_qs) << QString(149, u'a');
}

void TestConditions::normaliseBody()
{
    QFETCH(QString, body);
    QFETCH(QString, expected);
    QCOMPARE(QString::fromStdString(proactive::normaliseBody(body.toStdString())), expected);
}

void TestConditions::explanationJson()
{
    ConditionExplanation leaf { "idle", "time since the last action", 25.0, 20.0, true, "idle 25 s ≥ 20 s", nullptr,
        {} };
    ConditionExplanation root { "not", "not", true, nullptr, false, "the inner condition holds, so this does not",
        nlohmann::json { { "note", 1 } }, { leaf } };
    const auto json = toJson(root);
    QCOMPARE(text(json),
        uR"({"children":[{"kind":"idle","label":"time since the last action","matched":true,"observed":25.0,"summary":"idle 25 s ≥ 20 s","threshold":20.0}],"details":{"note":1},"kind":"not","label":"not","matched":false,"observed":true,"summary":"the inner condition holds, so this does not","threshold":null})"_qs);
}

QTEST_GUILESS_MAIN(TestConditions)
#include "tst_conditions.moc"
