#include "triggers/trigger.h"
#include "triggertestsupport.h"

#include <QTest>

using namespace proactive;
using namespace proactive::test;

class TestBuiltinTriggers final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pingPong_data();
    void pingPong();
    void pingPongExplains();
    void pingPongOverVisits_data();
    void pingPongOverVisits();
    void pingPongOverVisitsExplains();
    void pingPongSuggestsVisits_data();
    void pingPongSuggestsVisits();

    void pageDwell_data();
    void pageDwell();
    void pageDwellSingleActionWithEnd();
    void pageDwellExplains_data();
    void pageDwellExplains();

    void playbook_data();
    void playbook();
    void playbookOffer();
    void playbookMissingSection();
    void playbookInsideComposition();
};

void TestBuiltinTriggers::pingPong_data()
{
    QTest::addColumn<QStringList>("urls");
    QTest::addColumn<int>("minCycles");
    QTest::addColumn<bool>("matched");
    QTest::addColumn<int>("cycles");

    const QString a = u"https://app.example.com/a"_qs;
    const QString b = u"https://app.example.com/b"_qs;
    const QString c = u"https://app.example.com/c"_qs;

    QTest::newRow("no-actions") << QStringList() << 1 << false << 0;
    QTest::newRow("fewer-than-3-urls") << QStringList { a, b } << 1 << false << 0;
    QTest::newRow("a-b-a") << QStringList { a, b, a } << 1 << true << 1;
    QTest::newRow("a-b-b-a") << QStringList { a, b, b, a } << 1 << false << 0;
    QTest::newRow("a-a-b-a") << QStringList { a, a, b, a } << 1 << true << 1;
    QTest::newRow("a-a-a-is-no-cycle") << QStringList { a, a, a } << 1 << false << 0;
    QTest::newRow("a-b-c-a") << QStringList { a, b, c, a } << 1 << false << 0;
    QTest::newRow("min-cycles-2-with-1") << QStringList { a, b, a } << 2 << false << 1;
    QTest::newRow("min-cycles-2-with-2") << QStringList { a, b, a, b } << 2 << true << 2;
    QTest::newRow("overlapping-no-dedup") << QStringList { a, b, a, b, a } << 3 << true << 3;
    QTest::newRow("blank-urls-dropped") << QStringList { a, QString(), b, u"   "_qs, a } << 1 << true << 1;
    QTest::newRow("blanks-leave-fewer-than-3") << QStringList { a, QString(), b, QString() } << 1 << false << 0;
    QTest::newRow("blank-between-equal-urls") << QStringList { a, QString(), a, b } << 1 << false << 0;
    // The pass goes page run by page run: blanks join the runs around them.
    QTest::newRow("blank-joins-runs-of-a-page") << QStringList { a, a, QString(), a, b, a } << 1 << true << 1;
    QTest::newRow("blank-splits-nothing") << QStringList { a, b, QString(), b, a } << 1 << false << 0;
    QTest::newRow("blanks-between-pages") << QStringList { a, QString(), u" "_qs, b, a } << 1 << true << 1;
}

void TestBuiltinTriggers::pingPong()
{
    QFETCH(QStringList, urls);
    QFETCH(int, minCycles);
    QFETCH(bool, matched);
    QFETCH(int, cycles);

    const nlohmann::json condition { { "type", "canonical_url_ping_pong" }, { "min_cycles", minCycles } };
    const auto evaluation = evaluateCondition(condition, pageviews(urls, {}), 60'000, false);
    QVERIFY2(!evaluation.error, evaluation.error.value_or("").c_str());
    QCOMPARE(evaluation.matched, matched);
    // Without explain, no explanation is built.
    QVERIFY(!evaluation.explanation);
    QCOMPARE(text(evaluation.body), matched ? u"Need a hand?"_qs : QString());

    const auto explained = evaluateCondition(condition, pageviews(urls, {}), 60'000, true);
    QCOMPARE(explained.matched, matched);
    QCOMPARE(explained.explanation->observed.get<int>(), cycles);
    QCOMPARE(explained.explanation->threshold.get<int>(), minCycles);
    QCOMPARE(explained.explanation->matched, matched);
}

void TestBuiltinTriggers::pingPongExplains()
{
    const auto evaluation = evaluateCondition({ { "type", "canonical_url_ping_pong" } },
        pageviews({ u"https://app.example.com/a"_qs, u"/b"_qs, u"https://app.example.com/a"_qs }, {}), 60'000);
    QVERIFY(evaluation.matched);
    const auto json = toJson(*evaluation.explanation);
    QCOMPARE(text(json["kind"]), u"canonical_url_ping_pong"_qs);
    QCOMPARE(text(json["observed"]), u"1"_qs);
    QCOMPARE(text(json["threshold"]), u"1"_qs);
    QCOMPARE(text(json["matched"]), u"true"_qs);
    QCOMPARE(text(json["summary"]), u"1 cycle ≥ 1 in /a → /b → /a"_qs);
    QCOMPARE(text(json["details"]["urls"]), u"[\"https://app.example.com/a\",\"/b\",\"https://app.example.com/a\"]"_qs);
    QVERIFY(!json.contains("children"));

    // Clicks on one page are one step of the sequence shown, with their count.
    const auto repeated = evaluateCondition({ { "type", "canonical_url_ping_pong" } },
        pageviews({ u"/a"_qs, u"/a"_qs, u"/a"_qs, u"/b"_qs, u"/a"_qs }, {}), 60'000);
    QCOMPARE(text(repeated.explanation->summary), u"1 cycle ≥ 1 in /a ×3 → /b → /a"_qs);

    const auto few = evaluateCondition({ { "type", "canonical_url_ping_pong" } }, pageviews({ u"/a"_qs }, {}), 60'000);
    QCOMPARE(text(few.explanation->summary), u"1 page in the activity; a cycle needs 3"_qs);
}

void TestBuiltinTriggers::pingPongOverVisits_data()
{
    QTest::addColumn<QStringList>("urls");
    QTest::addColumn<int>("minCycles");
    QTest::addColumn<bool>("overActions"); // the reference rule on the same activity
    QTest::addColumn<bool>("overVisits");
    QTest::addColumn<int>("visitCycles");

    const QString a = u"https://app.example.com/a"_qs;
    const QString b = u"https://app.example.com/b"_qs;
    const QString c = u"https://app.example.com/c"_qs;

    // Autocapture: a page's pageview, then the click on the link leaving it.
    QTest::newRow("clicks-a-a-b-b-a") << QStringList { a, a, b, b, a } << 1 << false << true << 1;
    QTest::newRow("back-forward-a-b-a") << QStringList { a, b, a } << 1 << true << true << 1;
    QTest::newRow("a-b-b-a") << QStringList { a, b, b, a } << 1 << false << true << 1;
    QTest::newRow("a-a-a-is-one-visit") << QStringList { a, a, a } << 1 << false << false << 0;
    QTest::newRow("two-visits") << QStringList { a, a, b, b } << 1 << false << false << 0;
    QTest::newRow("a-b-c-a") << QStringList { a, a, b, b, c, c, a } << 1 << false << false << 0;
    QTest::newRow("clicks-twice-back") << QStringList { a, a, b, b, a, a, b } << 2 << false << true << 2;
    QTest::newRow("clicks-min-2-with-1") << QStringList { a, a, b, b, a } << 2 << false << false << 1;
    // Blanks are dropped before folding: a, blank, a is one visit.
    QTest::newRow("blank-inside-a-visit") << QStringList { a, QString(), a, b, b, a } << 1 << false << true << 1;
    QTest::newRow("blank-only") << QStringList { QString(), u" "_qs, QString() } << 1 << false << false << 0;
    QTest::newRow("blanks-inside-two-visits")
        << QStringList { a, a, QString(), a, b, QString(), b, a } << 1 << false << true << 1;
}

void TestBuiltinTriggers::pingPongOverVisits()
{
    QFETCH(QStringList, urls);
    QFETCH(int, minCycles);
    QFETCH(bool, overActions);
    QFETCH(bool, overVisits);
    QFETCH(int, visitCycles);

    const auto actions = pageviews(urls, {});
    const auto reference = evaluateCondition(
        { { "type", "canonical_url_ping_pong" }, { "min_cycles", minCycles } }, actions, 60'000, false);
    QVERIFY2(!reference.error, reference.error.value_or("").c_str());
    QCOMPARE(reference.matched, overActions);
    // "actions" written out is the default.
    const auto explicitActions = evaluateCondition(
        { { "type", "canonical_url_ping_pong" }, { "min_cycles", minCycles }, { "over", "actions" } }, actions, 60'000,
        false);
    QCOMPARE(explicitActions.matched, overActions);

    const auto visits = evaluateCondition(
        { { "type", "canonical_url_ping_pong" }, { "min_cycles", minCycles }, { "over", "visits" } }, actions, 60'000,
        true);
    QVERIFY2(!visits.error, visits.error.value_or("").c_str());
    QCOMPARE(visits.matched, overVisits);
    QCOMPARE(visits.explanation->observed.get<int>(), visitCycles);
    QCOMPARE(visits.explanation->threshold.get<int>(), minCycles);
}

void TestBuiltinTriggers::pingPongOverVisitsExplains()
{
    const nlohmann::json when = { { "type", "canonical_url_ping_pong" }, { "over", "visits" } };
    const auto fired
        = evaluateCondition(when, pageviews({ u"/a"_qs, u"/a"_qs, u"/b"_qs, u"/b"_qs, u"/a"_qs }, {}), 60'000);
    QVERIFY(fired.matched);
    const auto json = toJson(*fired.explanation);
    QCOMPARE(text(json["summary"]), u"1 cycle ≥ 1 over visits in /a ×2 → /b ×2 → /a"_qs);
    QCOMPARE(text(json["label"]), u"back and forth between pages (a → b → a, over visits)"_qs);
    QCOMPARE(text(json["details"]["over"]), u"visits"_qs);
    QCOMPARE(text(json["details"]["urls"]), u"[\"/a\",\"/a\",\"/b\",\"/b\",\"/a\"]"_qs);

    const auto few = evaluateCondition(when, pageviews({ u"/a"_qs, u"/a"_qs, u"/a"_qs, u"/b"_qs }, {}), 60'000);
    QCOMPARE(text(few.explanation->summary), u"2 visits in the activity; a cycle needs 3"_qs);
}

void TestBuiltinTriggers::pingPongSuggestsVisits_data()
{
    QTest::addColumn<QStringList>("urls");
    QTest::addColumn<int>("minCycles");
    QTest::addColumn<QString>("summary");

    const QString list = u"https://app.example.com/projects"_qs;
    const QString project = u"https://app.example.com/projects/:id"_qs; // canonical, as the intake stores it

    const QString settings = u"https://app.example.com/settings"_qs;

    QTest::newRow("clicked-back")
        << QStringList { list, list, project, project, list } << 1
        << u"0 cycles < 1 in /projects ×2 → /projects/:id ×2 → /projects; over visits (\"over\": \"visits\") it would have fired: /projects → /projects/:id → /projects"_qs;
    // The cycle shown is the last one.
    QTest::newRow("last-cycle-shown")
        << QStringList { list, list, project, project, list, list, settings, settings, list } << 1
        << u"0 cycles < 1 in /projects ×2 → /projects/:id ×2 → /projects ×2 → /settings ×2 → /projects; over visits (\"over\": \"visits\") it would have fired: /projects → /settings → /projects"_qs;
    QTest::newRow("visits-too-few-cycles") << QStringList { list, list, project, project, list } << 2
                                           << u"0 cycles < 2 in /projects ×2 → /projects/:id ×2 → /projects"_qs;
    QTest::newRow("no-cycle-either") << QStringList { list, list, settings, settings } << 1
                                     << u"0 cycles < 1 in /projects ×2 → /settings ×2"_qs;
}

void TestBuiltinTriggers::pingPongSuggestsVisits()
{
    QFETCH(QStringList, urls);
    QFETCH(int, minCycles);
    QFETCH(QString, summary);

    const auto evaluation = evaluateCondition(
        { { "type", "canonical_url_ping_pong" }, { "min_cycles", minCycles } }, pageviews(urls, {}), 60'000);
    QVERIFY(!evaluation.matched);
    QCOMPARE(text(evaluation.explanation->summary), summary);
}

void TestBuiltinTriggers::pageDwell_data()
{
    QTest::addColumn<QStringList>("urls");
    QTest::addColumn<QList<qint64>>("startsMs");
    QTest::addColumn<qint64>("nowMs");
    QTest::addColumn<QByteArray>("settings"); // extra fields of the built-in
    QTest::addColumn<bool>("matched");
    QTest::addColumn<double>("observedS"); // -1: null (disabled)

    const QString p = u"https://app.example.com/projects"_qs;
    const QString q = u"https://app.example.com/settings"_qs;

    // Duration = last end − first start; the latest action ends at its start.
    QTest::newRow("exactly-at-threshold-fires")
        << QStringList { p, p } << QList<qint64> { 0, 60'000 } << qint64(90'000) << QByteArray("{}") << true << 60.0;
    QTest::newRow("1ms-under-does-not") << QStringList { p, p } << QList<qint64> { 0, 59'999 } << qint64(90'000)
                                        << QByteArray("{}") << false << 59.999;
    QTest::newRow("5-actions-fire") << QStringList { p, p, p, p, p }
                                    << QList<qint64> { 0, 15'000, 30'000, 45'000, 60'000 } << qint64(60'000)
                                    << QByteArray("{}") << true << 60.0;
    QTest::newRow("6-actions-do-not") << QStringList { p, p, p, p, p, p }
                                      << QList<qint64> { 0, 12'000, 24'000, 36'000, 48'000, 60'000 } << qint64(60'000)
                                      << QByteArray("{}") << false << 60.0;
    QTest::newRow("max-actions-6-lets-6-fire")
        << QStringList { p, p, p, p, p, p } << QList<qint64> { 0, 12'000, 24'000, 36'000, 48'000, 60'000 }
        << qint64(60'000) << QByteArray(R"({"max_actions":6})") << true << 60.0;
    QTest::newRow("only-the-trailing-run-counts")
        << QStringList { p, p, q, p, p } << QList<qint64> { 0, 10'000, 20'000, 30'000, 80'000 } << qint64(80'000)
        << QByteArray("{}") << false << 50.0;
    QTest::newRow("earlier-pages-do-not-count-toward-max")
        << QStringList { q, q, q, q, q, p, p } << QList<qint64> { 0, 1, 2, 3, 4, 10'000, 70'000 } << qint64(70'000)
        << QByteArray("{}") << true << 60.0;
    QTest::newRow("single-action-uses-now")
        << QStringList { p } << QList<qint64> { 0 } << qint64(60'000) << QByteArray("{}") << true << 60.0;
    QTest::newRow("single-action-now-1ms-short")
        << QStringList { p } << QList<qint64> { 0 } << qint64(59'999) << QByteArray("{}") << false << 59.999;
    QTest::newRow("two-actions-ignore-now")
        << QStringList { p, p } << QList<qint64> { 0, 1'000 } << qint64(500'000) << QByteArray("{}") << false << 1.0;
    QTest::newRow("threshold-30") << QStringList { p } << QList<qint64> { 0 } << qint64(30'000)
                                  << QByteArray(R"({"threshold_s":30})") << true << 30.0;
    QTest::newRow("threshold-fractional") << QStringList { p } << QList<qint64> { 0 } << qint64(1'499)
                                          << QByteArray(R"({"threshold_s":1.5})") << false << 1.499;
    QTest::newRow("threshold-0-disabled") << QStringList { p } << QList<qint64> { 0 } << qint64(999'000)
                                          << QByteArray(R"({"threshold_s":0})") << false << -1.0;
    QTest::newRow("threshold-negative-disabled") << QStringList { p } << QList<qint64> { 0 } << qint64(999'000)
                                                 << QByteArray(R"({"threshold_s":-5})") << false << -1.0;
    QTest::newRow("no-actions") << QStringList() << QList<qint64>() << qint64(999'000) << QByteArray("{}") << false
                                << -1.0;
    QTest::newRow("blank-current-page") << QStringList { QString() } << QList<qint64> { 0 } << qint64(999'000)
                                        << QByteArray("{}") << false << -1.0;
}

void TestBuiltinTriggers::pageDwell()
{
    QFETCH(QStringList, urls);
    QFETCH(QList<qint64>, startsMs);
    QFETCH(qint64, nowMs);
    QFETCH(QByteArray, settings);
    QFETCH(bool, matched);
    QFETCH(double, observedS);

    auto condition = json(settings);
    condition["type"] = "user_page_dwell";
    const auto evaluation = evaluateCondition(condition, pageviews(urls, startsMs), nowMs, false);
    QVERIFY2(!evaluation.error, evaluation.error.value_or("").c_str());
    QCOMPARE(evaluation.matched, matched);
    QVERIFY(!evaluation.explanation);

    const auto explained = evaluateCondition(condition, pageviews(urls, startsMs), nowMs, true);
    QCOMPARE(explained.matched, matched);
    if (observedS < 0)
        QVERIFY(explained.explanation->observed.is_null());
    else
        QCOMPARE(explained.explanation->observed.get<double>(), observedS);
}

void TestBuiltinTriggers::pageDwellSingleActionWithEnd()
{
    // A single action whose end is after its start uses that end, not now.
    auto actions = pageviews({ u"/projects"_qs }, { 0 });
    actions[0].timestampEnd = fromEpochMs(kT0 + 61'000);
    const auto evaluation = evaluateCondition({ { "type", "user_page_dwell" } }, actions, 1'000);
    QVERIFY(evaluation.matched);
    QCOMPARE(evaluation.explanation->observed.get<double>(), 61.0);

    // End before start counts as "end ≤ start": now − start.
    actions[0].timestampEnd = fromEpochMs(kT0 - 5'000);
    const auto early = evaluateCondition({ { "type", "user_page_dwell" } }, actions, 1'000);
    QVERIFY(!early.matched);
    QCOMPARE(early.explanation->observed.get<double>(), 1.0);
}

void TestBuiltinTriggers::pageDwellExplains_data()
{
    QTest::addColumn<QStringList>("urls");
    QTest::addColumn<QList<qint64>>("startsMs");
    QTest::addColumn<qint64>("nowMs");
    QTest::addColumn<QByteArray>("settings");
    QTest::addColumn<QString>("summary");

    const QString p = u"https://app.example.com/projects"_qs;
    QTest::newRow("below-threshold") << QStringList { p, p, p } << QList<qint64> { 0, 20'000, 41'000 } << qint64(50'000)
                                     << QByteArray("{}") << u"dwell 41 s < 60 s on /projects (3 actions ≤ 5)"_qs;
    QTest::newRow("too-many-actions") << QStringList { p, p, p, p, p, p }
                                      << QList<qint64> { 0, 1'000, 2'000, 3'000, 4'000, 70'500 } << qint64(80'000)
                                      << QByteArray("{}") << u"dwell 70.5 s ≥ 60 s on /projects (6 actions > 5)"_qs;
    QTest::newRow("one-action") << QStringList { p } << QList<qint64> { 0 } << qint64(60'000) << QByteArray("{}")
                                << u"dwell 60 s ≥ 60 s on /projects (1 action ≤ 5)"_qs;
    QTest::newRow("disabled") << QStringList { p } << QList<qint64> { 0 } << qint64(60'000)
                              << QByteArray(R"({"threshold_s":0})") << u"disabled (threshold_s ≤ 0)"_qs;
    QTest::newRow("no-activity") << QStringList() << QList<qint64>() << qint64(60'000) << QByteArray("{}")
                                 << u"no activity"_qs;
}

void TestBuiltinTriggers::pageDwellExplains()
{
    QFETCH(QStringList, urls);
    QFETCH(QList<qint64>, startsMs);
    QFETCH(qint64, nowMs);
    QFETCH(QByteArray, settings);
    QFETCH(QString, summary);

    auto condition = json(settings);
    condition["type"] = "user_page_dwell";
    const auto evaluation = evaluateCondition(condition, pageviews(urls, startsMs), nowMs, true);
    QVERIFY2(!evaluation.error, evaluation.error.value_or("").c_str());
    QCOMPARE(QString::fromStdString(evaluation.explanation->summary), summary);
    QCOMPARE(text(evaluation.explanation->kind), u"user_page_dwell"_qs);
}

namespace {

const char* const kPlaybook = R"({
    "type": "section_playbook_match",
    "rules": [
        {"url_prefix": "/settings/billing", "section": "billing"},
        {"url_prefix": "https://app.example.com/settings", "section": "settings"},
        {"url_prefix": "/projects/:id/members", "section": "members"},
        {"url_prefix": "/docs/", "section": "docs"}
    ],
    "sections": {
        "billing": {"body": "  Questions about your plan or invoices?  ", "reply_option_labels": ["Explain billing", "Later"]},
        "settings": {"body": "Looking for a setting?"},
        "members": {"body": "Inviting your team?"},
        "docs": {"body": "Can't find it in the docs?"}
    }
})";

} // namespace

void TestBuiltinTriggers::playbook_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("section"); // empty: no match

    QTest::newRow("first-rule-wins") << u"https://app.example.com/settings/billing/invoices"_qs << u"billing"_qs;
    QTest::newRow("second-rule") << u"https://app.example.com/settings/team"_qs << u"settings"_qs;
    QTest::newRow("exact-prefix") << u"https://app.example.com/settings"_qs << u"settings"_qs;
    QTest::newRow("full-url-rule-other-host") << u"https://other.example.com/settings/team"_qs << QString();
    QTest::newRow("full-url-rule-path-only-page") << u"/settings/team"_qs << u"settings"_qs;
    QTest::newRow("segment-boundary") << u"https://app.example.com/settings-old"_qs << QString();
    QTest::newRow("param-segment") << u"https://app.example.com/projects/:id/members/invite"_qs << u"members"_qs;
    QTest::newRow("trailing-slash-prefix") << u"https://app.example.com/docs/intro"_qs << u"docs"_qs;
    QTest::newRow("trailing-slash-prefix-exact") << u"https://app.example.com/docs"_qs << u"docs"_qs;
    QTest::newRow("no-rule") << u"https://app.example.com/projects"_qs << QString();
    QTest::newRow("blank-page") << QString() << QString();
}

void TestBuiltinTriggers::playbook()
{
    QFETCH(QString, url);
    QFETCH(QString, section);

    const auto evaluation = evaluateCondition(
        nlohmann::json::parse(kPlaybook), pageviews({ u"/elsewhere"_qs, url }, { 0, 1'000 }), 2'000, true);
    QVERIFY2(!evaluation.error, evaluation.error.value_or("").c_str());
    QCOMPARE(evaluation.matched, !section.isEmpty());
    if (!section.isEmpty())
        QCOMPARE(QString::fromStdString(evaluation.explanation->observed.get<std::string>()), section);
}

void TestBuiltinTriggers::playbookOffer()
{
    const auto billing = evaluateCondition(nlohmann::json::parse(kPlaybook),
        pageviews({ u"https://app.example.com/settings/billing"_qs }, { 0 }), 1'000, false);
    QVERIFY(billing.matched);
    QCOMPARE(text(billing.body), u"Questions about your plan or invoices?"_qs);
    QCOMPARE(billing.replyOptionLabels, (std::vector<std::string> { "Explain billing", "Later" }));

    // A section without labels keeps the trigger's own.
    Diagnostics diagnostics;
    const auto set = triggerFor(
        nlohmann::json::parse(kPlaybook), diagnostics, { { "reply_option_labels", { "Show me", "No thanks" } } });
    QVERIFY2(diagnostics.empty(), qPrintable(describe(diagnostics)));
    const auto actions = pageviews({ u"https://app.example.com/settings"_qs }, { 0 });
    const auto settings = set->triggers()[0].evaluate({ records(actions), fromEpochMs(kT0 + 1'000), {}, true });
    QVERIFY(settings.matched);
    QCOMPARE(text(settings.body), u"Looking for a setting?"_qs);
    QCOMPARE(settings.replyOptionLabels, (std::vector<std::string> { "Show me", "No thanks" }));
    QCOMPARE(text(settings.explanation->summary),
        u"/settings → section \"settings\" (rule 2: https://app.example.com/settings)"_qs);

    const auto none = evaluateCondition(nlohmann::json::parse(kPlaybook), {}, 1'000, true);
    QVERIFY(!none.matched);
    QCOMPARE(text(none.explanation->summary), u"no activity"_qs);
}

void TestBuiltinTriggers::playbookMissingSection()
{
    Diagnostics diagnostics;
    const auto set = triggerFor(json(R"({"type": "section_playbook_match",
        "rules": [{"url_prefix": "/settings", "section": "settings"}, {"url_prefix": "/billing", "section": "biling"}],
        "sections": {"settings": {"body": "Settings?"}, "billing": {"body": "Billing?"}}})"),
        diagnostics);
    QCOMPARE(set->triggers().size(), std::size_t(0));
    QCOMPARE(diagnosticLines(diagnostics),
        QStringList {
            u"triggers.json:/0/when/rules/1/section: unknown section \"biling\" (sections: billing, settings)"_qs });
}

void TestBuiltinTriggers::playbookInsideComposition()
{
    // The section decides the offer even under all/any; under not it cannot.
    nlohmann::json playbook = nlohmann::json::parse(kPlaybook);
    const auto actions = pageviews({ u"https://app.example.com/settings"_qs }, { 0 });
    const auto all
        = evaluateCondition({ { "all", { { { "idle", { { "at_least_s", 5 } } } }, playbook } } }, actions, 10'000);
    QVERIFY(all.matched);
    QCOMPARE(text(all.body), u"Looking for a setting?"_qs);
    QCOMPARE(all.explanation->children.size(), std::size_t(2));

    const auto tooSoon
        = evaluateCondition({ { "all", { { { "idle", { { "at_least_s", 5 } } } }, playbook } } }, actions, 4'999);
    QVERIFY(!tooSoon.matched);
    QVERIFY(tooSoon.body.empty());

    const auto negated = evaluateCondition(
        { { "any", { { { "not", { { "event", { { "type", "click" } } } } } }, { { "not", playbook } } } } }, actions,
        1'000);
    QVERIFY(negated.matched);
    QCOMPARE(text(negated.body), u"Need a hand?"_qs);
}

QTEST_GUILESS_MAIN(TestBuiltinTriggers)
#include "tst_builtintriggers.moc"
