// Batch replay: setting overrides by path, sweeps (a grid; monotonic on a
// crafted corpus), diffs of two trigger sets, totals, and the reports —
// golden JSON in tests/data/replay/golden/<case>/ (PROACTIVE_UPDATE_GOLDEN=1
// rewrites expected.json), byte-identical across runs and thread counts.

#include "printers.h"
#include "replay/overrides.h"
#include "replay/replaybatch.h"
#include "replay/replayjob.h"
#include "replay/replayreport.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace proactive;
using nlohmann::json;

namespace {

const QString kData = QStringLiteral(PROACTIVE_TEST_DATA "/replay");
const Timestamp kStart = *parseIsoTimestamp("2024-09-03T10:00:00Z");

Timestamp at(double seconds)
{
    return kStart + fromSeconds(seconds);
}

std::shared_ptr<const Workspace> testWorkspace()
{
    Diagnostics diagnostics;
    auto workspace
        = std::make_shared<const Workspace>(Workspace::load((kData + u"/workspace"_qs).toStdString(), diagnostics));
    for (const auto& d : diagnostics)
        qWarning("workspace problem: %s", d.toString().c_str());
    return workspace;
}

std::optional<double> setting(const Product& product, const std::string& path)
{
    for (const auto& [name, value] : numericSettings(product))
        if (name == path)
            return value;
    return std::nullopt;
}

// Sessions that go to account settings and read there for a while before
// moving on to a project (no a,b,a: no ping-pong): the settings-dwell
// trigger fires only when its threshold fits in the reading time.
std::vector<RecordedSession> readingCorpus(const Workspace& ws)
{
    std::vector<RecordedSession> sessions;
    const double readings[] = { 20, 40, 50, 70, 100, 130, 200 };
    for (std::size_t k = 0; k < std::size(readings); ++k) {
        std::vector<Action> actions;
        const std::pair<double, const char*> steps[]
            = { { 0, "/projects" }, { 5, "/settings/account" }, { 5 + readings[k], "/projects/zephyr" } };
        for (const auto& [seconds, path] : steps) {
            Action a;
            a.type = ActionType::Pageview;
            a.event = "$pageview";
            a.sessionId = "read-" + std::to_string(k);
            a.distinctId = "u" + std::to_string(k);
            a.rawUrl = std::string("https://app.acme.test") + path;
            a.timestampStart = at(seconds);
            actions.push_back(std::move(a));
        }
        sessions.push_back(recordSession(*ws.product("acme"), "read-" + std::to_string(k), std::move(actions)));
    }
    return sessions;
}

// "read-3:settings-dwell:+65>+45" per change, times from the session start.
QStringList changesOf(const ReplayDiff& diff)
{
    QStringList out;
    auto t = [](const std::optional<Timestamp>& x) {
        return x ? u"+"_qs + QString::number(toSeconds(*x - kStart)) : u"-"_qs;
    };
    for (const auto& c : diff.changes)
        out << QString::fromStdString(c.sessionId + ":" + std::string(nameOf(c.kind)) + ":" + c.triggerId) + u':'
                + t(c.before) + u'>' + t(c.after);
    return out;
}

std::string readAll(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll().toStdString();
}

} // namespace

class TestReplayBatch final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void overrides_data();
    void overrides();
    void overrideErrors_data();
    void overrideErrors();
    void sweepAxisParse_data();
    void sweepAxisParse();
    void sweepIsMonotonicInTheDwellThreshold();
    void sweepGridOrderAndValidation();
    void diffFindsAppearedDisappearedAndMoved();
    void diffOfTheSameTriggersIsEmpty();
    void totals();
    void batchDoesNotDependOnThreads();
    void userHistoryCarriesAcrossSessions();
    void goldenReports_data();
    void goldenReports();
    void htmlReportIsSelfContained();
    void textSummary();
};

void TestReplayBatch::initTestCase()
{
    // Golden reports name their inputs as given: relative to the data folder.
    QVERIFY(QDir::setCurrent(kData));
}

void TestReplayBatch::overrides_data()
{
    QTest::addColumn<QString>("override");
    QTest::addColumn<QString>("path");
    QTest::addColumn<double>("value");

    QTest::newRow("gate-min-interval") << u"proactive.min_interval_s=60"_qs << u"proactive.min_interval_s"_qs << 60.0;
    QTest::newRow("gate-cooldown-list") << u"proactive.conservative_cooldowns_s.1=1200"_qs
                                        << u"proactive.conservative_cooldowns_s.1"_qs << 1200.0;
    QTest::newRow("gate-quota") << u"proactive.quotas.user_per_day=3"_qs << u"proactive.quotas.user_per_day"_qs << 3.0;
    QTest::newRow("gate-late-answer-grace")
        << u"proactive.late_answer_grace_s=0"_qs << u"proactive.late_answer_grace_s"_qs << 0.0;
    QTest::newRow("gate-circuit") << u"proactive.circuit.pause_s=30"_qs << u"proactive.circuit.pause_s"_qs << 30.0;
    QTest::newRow("trigger-field") << u"ping-pong.cooldown_s=0"_qs << u"ping-pong.cooldown_s"_qs << 0.0;
    QTest::newRow("trigger-parameter") << u"ping-pong.min_cycles=2"_qs
                                       << u"ping-pong.canonical_url_ping_pong.min_cycles"_qs << 2.0;
    QTest::newRow("trigger-parameter-nested")
        << u"settings-dwell.threshold_s=45"_qs << u"settings-dwell.user_page_dwell.threshold_s"_qs << 45.0;
    QTest::newRow("trigger-kind-parameter") << u"settings-dwell.user_page_dwell.max_actions=3"_qs
                                            << u"settings-dwell.user_page_dwell.max_actions"_qs << 3.0;
    QTest::newRow("kind-everywhere") << u"user_page_dwell.threshold_s=90.5"_qs
                                     << u"settings-dwell.user_page_dwell.threshold_s"_qs << 90.5;
}

void TestReplayBatch::overrides()
{
    QFETCH(QString, override);
    QFETCH(QString, path);
    QFETCH(double, value);
    const auto ws = testWorkspace();
    const auto parsed = SettingOverride::parse(override.toStdString());
    QVERIFY(parsed.ok());
    auto edited = applyOverrides(*ws, "acme", std::span(&*parsed, 1));
    QVERIFY2(edited.ok(), edited.ok() ? "" : edited.error().toString().c_str());
    const Product* product = (*edited)->product("acme");
    const auto seen = setting(*product, path.toStdString());
    QVERIFY2(seen.has_value(), qPrintable(path));
    QCOMPARE(*seen, value);
    // The original is untouched, and the other product too.
    QVERIFY(setting(*ws->product("acme"), path.toStdString()) != value);
    QCOMPARE((*edited)->product("beta")->triggers, ws->product("beta")->triggers);
}

void TestReplayBatch::overrideErrors_data()
{
    QTest::addColumn<QString>("override");
    QTest::addColumn<QString>("message");

    QTest::newRow("not-path-value") << u"threshold"_qs << u"expected path=value"_qs;
    QTest::newRow("not-a-number") << u"ping-pong.min_cycles=two"_qs << u"\"two\" is not a number"_qs;
    QTest::newRow("unknown-root") << u"nothing.here=1"_qs
                                  << u"\"nothing\" is neither \"proactive\", a trigger of product acme (ping-pong, "
                                     "settings-dwell) nor a condition kind its triggers use (canonical_url_ping_pong, "
                                     "event, user_page_dwell)"_qs;
    QTest::newRow("unknown-gate-setting") << u"proactive.nope=1"_qs << u"unknown gate setting"_qs;
    QTest::newRow("gate-whole-number") << u"proactive.max_actions=1.5"_qs << u"must be a whole number"_qs;
    QTest::newRow("gate-range") << u"proactive.lookback_s=0"_qs << u"must be between 1 and"_qs;
    QTest::newRow("gate-cooldown-index") << u"proactive.conservative_cooldowns_s.2=5"_qs
                                         << u"the product has 2 conservative cooldowns"_qs;
    QTest::newRow("trigger-parser-refuses")
        << u"ping-pong.min_cycles=0"_qs
        << u"ping-pong.min_cycles=0: refused for trigger ping-pong (/0/when/min_cycles)"_qs;
    QTest::newRow("trigger-field-out-of-range")
        << u"settings-dwell.cooldown_s=-5"_qs << u"refused for trigger settings-dwell (/1/cooldown_s)"_qs;
    QTest::newRow("trigger-missing-kind") << u"settings-dwell.idle.at_least_s=30"_qs
                                          << u"trigger settings-dwell has no idle condition; its conditions: event, "
                                             "user_page_dwell"_qs;
    QTest::newRow("trigger-unknown-parameter") << u"ping-pong.nope=3"_qs << u"unknown field"_qs;
}

void TestReplayBatch::overrideErrors()
{
    QFETCH(QString, override);
    QFETCH(QString, message);
    const auto ws = testWorkspace();
    const auto parsed = SettingOverride::parse(override.toStdString());
    std::string error;
    if (!parsed) {
        error = parsed.error().message;
    } else {
        auto edited = applyOverrides(*ws, "acme", std::span(&*parsed, 1));
        QVERIFY(!edited.ok());
        QCOMPARE(edited.error().code, std::string("bad_override"));
        error = edited.error().message;
    }
    QVERIFY2(QString::fromStdString(error).contains(message), error.c_str());
}

void TestReplayBatch::sweepAxisParse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QList<double>>("values");

    QTest::newRow("list") << u"user_page_dwell.threshold_s=30,45,60,90"_qs << u"user_page_dwell.threshold_s"_qs
                          << QList<double> { 30, 45, 60, 90 };
    QTest::newRow("range") << u"p=30:90:15"_qs << u"p"_qs << QList<double> { 30, 45, 60, 75, 90 };
    QTest::newRow("fractions") << u"p=0.5,1.25"_qs << u"p"_qs << QList<double> { 0.5, 1.25 };
    QTest::newRow("no-values") << u"p="_qs << QString() << QList<double> {};
    QTest::newRow("no-path") << u"=1,2"_qs << QString() << QList<double> {};
    QTest::newRow("bad-value") << u"p=1,x"_qs << QString() << QList<double> {};
    QTest::newRow("bad-range") << u"p=90:30:15"_qs << QString() << QList<double> {};
    QTest::newRow("zero-step") << u"p=1:2:0"_qs << QString() << QList<double> {};
}

void TestReplayBatch::sweepAxisParse()
{
    QFETCH(QString, text);
    QFETCH(QString, path);
    QFETCH(QList<double>, values);
    const auto axis = SweepAxis::parse(text.toStdString());
    QCOMPARE(axis.ok(), !path.isEmpty());
    if (!axis) {
        QCOMPARE(axis.error().code, std::string("bad_sweep"));
        return;
    }
    QCOMPARE(QString::fromStdString(axis->path), path);
    QCOMPARE(QList<double>(axis->values.begin(), axis->values.end()), values);
}

void TestReplayBatch::sweepIsMonotonicInTheDwellThreshold()
{
    const auto ws = testWorkspace();
    const auto sessions = readingCorpus(*ws);
    const auto axis = SweepAxis::parse("settings-dwell.threshold_s=15:150:15");
    QVERIFY(axis.ok());
    auto sweep = runSweep(ws, "acme", sessions, ReplaySettings {}, std::span(&*axis, 1), BatchOptions {});
    QVERIFY2(sweep.ok(), sweep.ok() ? "" : sweep.error().toString().c_str());
    QCOMPARE(sweep->points.size(), std::size_t(10));
    std::size_t previousReached = sessions.size() + 1;
    double previousMedian = 0;
    for (const SweepPoint& point : sweep->points) {
        const auto& t = point.totals;
        QVERIFY2(t.sessionsReached <= previousReached, "a higher threshold never reaches more sessions");
        previousReached = t.sessionsReached;
        if (const auto median = quantile(t.timeToFirstOfferS, 0.5)) {
            QVERIFY2(*median >= previousMedian, "nor offers sooner");
            previousMedian = *median;
        }
    }
    // And the sweep is not flat. A threshold fires at the first poll at least
    // that long after the arrival (5 s) that comes before the user leaves:
    // 15 s → the poll at 25 s, for every reading longer than 20 s; 60 s →
    // 65 s, for 70 s and more; 120 s → 125 s, for 130 and 200 s. From 135 s
    // nothing fires: the arrival has left the product's 120 s lookback.
    QCOMPARE(sweep->points.front().totals.sessionsReached, std::size_t(6));
    QCOMPARE(sweep->points[7].totals.sessionsReached, std::size_t(2));
    QCOMPARE(sweep->points[8].totals.sessionsReached, std::size_t(0));
    QCOMPARE(sweep->points.back().totals.sessionsReached, std::size_t(0));
    QCOMPARE(sweep->points[3].settings.front().toString(), std::string("settings-dwell.threshold_s=60"));
    QCOMPARE(sweep->points[3].totals.sessionsReached, std::size_t(4));
    QCOMPARE(sweep->points[3].totals.timeToFirstOfferS, (std::vector<double> { 65, 65, 65, 65 }));
}

void TestReplayBatch::sweepGridOrderAndValidation()
{
    const auto ws = testWorkspace();
    const auto sessions = readingCorpus(*ws);
    std::vector<SweepAxis> axes { *SweepAxis::parse("proactive.min_interval_s=0,300"),
        *SweepAxis::parse("user_page_dwell.threshold_s=30,60,90") };
    auto sweep = runSweep(ws, "acme", sessions, ReplaySettings {}, axes, BatchOptions { .threads = 2 });
    QVERIFY(sweep.ok());
    QStringList grid;
    for (const auto& point : sweep->points) {
        QStringList values;
        for (const auto& s : point.settings)
            values << QString::fromStdString(formatSettingValue(s.value));
        grid << values.join(u',');
    }
    QCOMPARE(grid, (QStringList { u"0,30"_qs, u"0,60"_qs, u"0,90"_qs, u"300,30"_qs, u"300,60"_qs, u"300,90"_qs }));

    // One bad point stops the sweep before anything runs.
    axes.push_back(*SweepAxis::parse("ping-pong.min_cycles=1,0"));
    sweep = runSweep(ws, "acme", sessions, ReplaySettings {}, axes, BatchOptions {});
    QVERIFY(!sweep.ok());
    QCOMPARE(sweep.error().code, std::string("bad_override"));
}

void TestReplayBatch::diffFindsAppearedDisappearedAndMoved()
{
    const auto ws = testWorkspace();
    auto sessions = readingCorpus(*ws);
    // And one session with a ping-pong, which the other trigger set drops.
    std::vector<Action> actions;
    for (const auto& [seconds, path] : std::vector<std::pair<double, std::string>> {
             { 0, "/projects" }, { 2, "/projects/apollo" }, { 4, "/projects" } }) {
        Action a;
        a.type = ActionType::Pageview;
        a.event = "$pageview";
        a.rawUrl = "https://app.acme.test" + path;
        a.timestampStart = at(seconds);
        actions.push_back(std::move(a));
    }
    sessions.push_back(recordSession(*ws->product("acme"), "pong", std::move(actions)));

    QTemporaryDir dir;
    const std::string otherFile = dir.filePath(u"other.json"_qs).toStdString();
    std::ofstream(otherFile) << R"([{ "id": "settings-dwell", "body": "Need a hand with your settings?",
        "interaction_timeout_s": 30, "cooldown_s": 30,
        "when": { "all": [ { "event": { "route": "/settings/account" } },
                           { "type": "user_page_dwell", "threshold_s": 30, "max_actions": 5 } ] } }])";
    auto other = withTriggersFile(*ws, "acme", otherFile);
    QVERIFY2(other.ok(), other.ok() ? "" : other.error().toString().c_str());

    ReplaySettings settings;
    settings.keepPolls = false;
    const auto before = runBatch(ws, sessions, settings);
    const auto after = runBatch(*other, sessions, settings);
    QVERIFY(before.ok() && after.ok());
    const auto diff = diffReplays(sessions, before->records, after->records);
    // Threshold 60 → 30: the 50 s reading now fires (at the 45 s poll); the
    // longer ones fire 20 s sooner; the 40 s reading still does not (it
    // ends at the 45 s poll); ping-pong is gone.
    QCOMPARE(changesOf(diff),
        (QStringList { u"read-2:appeared:settings-dwell:->+45"_qs, u"read-3:moved:settings-dwell:+65>+45"_qs,
            u"read-4:moved:settings-dwell:+65>+45"_qs, u"read-5:moved:settings-dwell:+65>+45"_qs,
            u"read-6:moved:settings-dwell:+65>+45"_qs, u"pong:disappeared:ping-pong:+5>-"_qs }));
    QCOMPARE(diff.appeared, std::size_t(1));
    QCOMPARE(diff.moved, std::size_t(4));
    QCOMPARE(diff.disappeared, std::size_t(1));
    QCOMPARE(diff.unchanged, std::size_t(0));
    QCOMPARE(diff.sessionsChanged, std::size_t(6));

    // A broken triggers file is refused with file, pointer and reason.
    std::ofstream(otherFile)
        << R"([{ "id": "x", "body": "b", "when": { "type": "canonical_url_ping_pong", "min_cycles": 0 } }])";
    other = withTriggersFile(*ws, "acme", otherFile);
    QVERIFY(!other.ok());
    QVERIFY2(QString::fromStdString(other.error().message).contains(u"other.json:/0/when/min_cycles"_qs),
        other.error().message.c_str());
}

void TestReplayBatch::diffOfTheSameTriggersIsEmpty()
{
    const auto ws = testWorkspace();
    const auto sessions = readingCorpus(*ws);
    const auto a = runBatch(ws, sessions, {});
    const auto b = runBatch(ws, sessions, { .keepPolls = false });
    const auto diff = diffReplays(sessions, a->records, b->records);
    QVERIFY(diff.changes.empty());
    QCOMPARE(diff.unchanged, std::size_t(4));
    QCOMPARE(diff.sessionsChanged, std::size_t(0));
}

void TestReplayBatch::totals()
{
    const auto ws = testWorkspace();
    const auto sessions = readingCorpus(*ws);
    ReplaySettings settings;
    settings.policy = *ResponsePolicy::parse("dismiss:5");
    const auto batch = runBatch(ws, sessions, settings);
    QVERIFY(batch.ok());
    const BatchTotals& t = batch->totals;
    QCOMPARE(t.sessions, std::size_t(7));
    QCOMPARE(t.sessionsReached, std::size_t(4));
    QCOMPARE(t.firings, std::size_t(4));
    QCOMPARE(t.actions, std::size_t(21));
    QCOMPARE(t.triggers.size(), std::size_t(2)); // both, the one that never fired too
    QCOMPARE(t.triggers[0].triggerId, std::string("ping-pong"));
    QCOMPARE(t.triggers[0].firings, std::size_t(0));
    QCOMPARE(t.triggers[1].triggerId, std::string("settings-dwell"));
    QCOMPARE(t.triggers[1].sessions, std::size_t(4));
    QCOMPARE(t.fireRate(t.triggers[1]), 4.0 / 7.0);
    QCOMPARE(t.timeToFirstOfferS, (std::vector<double> { 65, 65, 65, 65 }));
    QCOMPARE(t.responses, (std::map<std::string, std::size_t> { { "dismiss applied", 4 } }));
    std::size_t polls = 0;
    for (const auto& [reason, count] : t.skipReasons)
        polls += count;
    QCOMPARE(polls + t.firings, t.polls);
    QCOMPARE(*quantile(std::vector<double> { 1, 2, 3, 4 }, 0.5), 2.0);
    QCOMPARE(*quantile(std::vector<double> { 1, 2, 3, 4 }, 0.9), 4.0);
    QVERIFY(!quantile({}, 0.5));
}

void TestReplayBatch::batchDoesNotDependOnThreads()
{
    const auto ws = testWorkspace();
    ReplayJob job;
    job.workspace = ws;
    job.workspaceLabel = "workspace";
    job.inputs = { "exports" };
    job.productId = "acme";
    job.settings.policy = *ResponsePolicy::parse("dismiss:5");
    job.threads = 1;
    const auto one = runReplayJob(job);
    job.threads = 4;
    const auto four = runReplayJob(job);
    QVERIFY(one.ok() && four.ok());
    const std::string a = renderJsonReport(one->report(job));
    QCOMPARE(renderJsonReport(four->report(job)), a);
    QCOMPARE(renderHtmlReport(four->report(job)), renderHtmlReport(one->report(job)));
    QVERIFY(a.size() > 1000);
}

void TestReplayBatch::userHistoryCarriesAcrossSessions()
{
    // A "once" trigger fires in a user's first session only, also when the
    // corpus lists the sessions out of order; another user is unaffected.
    Diagnostics diagnostics;
    const auto ws = std::make_shared<const Workspace>(Workspace::fromJson(json::parse(R"([{
        "product_id": "acme", "routes": ["/settings/account"],
        "proactive": { "enabled": true },
        "triggers": [ { "id": "settings-once", "body": "Settings?", "frequency": "once",
                        "when": { "type": "user_page_dwell", "threshold_s": 30 } } ] }])"),
        ".", "products.json", diagnostics));
    QVERIFY(diagnostics.empty());
    const auto session = [&](const std::string& id, const std::string& user, double startS) {
        std::vector<Action> actions;
        for (const auto& [seconds, path] : { std::pair(0.0, "/settings/account"), std::pair(100.0, "/projects") }) {
            Action a;
            a.type = ActionType::Pageview;
            a.event = "$pageview";
            a.sessionId = id;
            a.distinctId = user;
            a.rawUrl = std::string("https://app.acme.test") + path;
            a.timestampStart = at(startS + seconds);
            actions.push_back(std::move(a));
        }
        return recordSession(*ws->product("acme"), id, std::move(actions));
    };
    const std::vector<RecordedSession> sessions { session("second", "u1", 3600), session("other", "u2", 1800),
        session("first", "u1", 0) };
    for (const unsigned threads : { 1u, 4u }) {
        BatchOptions options;
        options.threads = threads;
        std::size_t lastProgress = 0;
        options.progress = [&](std::size_t done, std::size_t) { lastProgress = done; };
        const auto batch = runBatch(ws, sessions, ReplaySettings {}, options);
        QVERIFY(batch.ok());
        QCOMPARE(lastProgress, sessions.size());
        QCOMPARE(batch->records[2].firings.size(), std::size_t(1)); // first
        QCOMPARE(batch->records[1].firings.size(), std::size_t(1)); // other user
        QCOMPARE(batch->records[0].firings.size(), std::size_t(0)); // second
        QVERIFY(batch->records[0].skipReasons.count("frequency:once") > 0);
        QCOMPARE(batch->totals.skipReasons.count("frequency:once"), std::size_t(1));
    }
    // One session replayed alone starts with no history.
    const auto alone = replaySession(ws, sessions[0]);
    QVERIFY(alone.ok());
    QCOMPARE(alone->firings.size(), std::size_t(1));
    QCOMPARE(alone->userHistory.size(), std::size_t(1));
}

void TestReplayBatch::goldenReports_data()
{
    QTest::addColumn<QString>("folder");
    const QDir golden(kData + u"/golden"_qs);
    for (const QString& name : golden.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        QTest::newRow(name.toUtf8().constData()) << golden.filePath(name);
}

void TestReplayBatch::goldenReports()
{
    QFETCH(QString, folder);
    const json spec = json::parse(readAll(folder + u"/case.json"_qs), nullptr, false);
    QVERIFY2(spec.is_object(), "case.json");
    Diagnostics diagnostics;
    ReplayJob job;
    job.workspaceLabel = spec.at("workspace").get<std::string>();
    job.workspace = std::make_shared<const Workspace>(Workspace::load(job.workspaceLabel, diagnostics));
    QVERIFY(diagnostics.empty());
    for (const auto& input : spec.at("inputs"))
        job.inputs.emplace_back(input.get<std::string>());
    job.productId = spec.value("product", "");
    job.settings.policy = *ResponsePolicy::parse(spec.value("policy", "never"));
    job.settings.client.explain = spec.value("explain", false);
    for (const auto& axis : spec.value("sweep", json::array()))
        job.sweep.push_back(*SweepAxis::parse(axis.get<std::string>()));
    job.diffTriggers = spec.value("diff", "");
    auto run = runReplayJob(job);
    QVERIFY2(run.ok(), run.ok() ? "" : run.error().toString().c_str());
    const std::string actual = renderJsonReport(run->report(job));

    const QString expectedPath = folder + u"/expected.json"_qs;
    if (qEnvironmentVariableIsSet("PROACTIVE_UPDATE_GOLDEN")) {
        QFile file(expectedPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(actual.data(), static_cast<qint64>(actual.size()));
        return;
    }
    const std::string expected = readAll(expectedPath);
    if (actual != expected) {
        // Point at the first difference rather than dumping two large documents.
        std::size_t i = 0;
        while (i < actual.size() && i < expected.size() && actual[i] == expected[i])
            ++i;
        const auto line = std::count(actual.begin(), actual.begin() + static_cast<std::ptrdiff_t>(i), '\n') + 1;
        QFAIL(qPrintable(u"report differs from expected.json at line %1: got \"%2\", expected \"%3\""_qs.arg(line).arg(
            QString::fromStdString(actual.substr(i > 40 ? i - 40 : 0, 100)),
            QString::fromStdString(expected.substr(i > 40 ? i - 40 : 0, 100)))));
    }
}

void TestReplayBatch::htmlReportIsSelfContained()
{
    ReplayJob job;
    job.workspace = testWorkspace();
    job.workspaceLabel = "workspace";
    job.inputs = { "exports" };
    job.productId = "acme";
    job.settings.policy = *ResponsePolicy::parse("dismiss:5");
    job.sweep = { *SweepAxis::parse("user_page_dwell.threshold_s=30,60") };
    auto run = runReplayJob(job);
    QVERIFY(run.ok());
    const QString html = QString::fromStdString(renderHtmlReport(run->report(job)));
    QVERIFY(html.startsWith(u"<!DOCTYPE html>"_qs));
    QVERIFY(html.endsWith(u"</html>\n"_qs));
    // Nothing runs and nothing is fetched: no scripts, no external resources.
    QVERIFY(!html.contains(u"<script"_qs, Qt::CaseInsensitive));
    QVERIFY(!html.contains(u" src="_qs));
    QVERIFY(!html.contains(u"<link"_qs));
    QVERIFY(!html.contains(u"href="_qs));
    QVERIFY(!html.contains(u"@import"_qs));
    QCOMPARE(html.count(u"<svg class=\"timeline\""_qs), static_cast<qsizetype>(run->import.sessions.size()));
    for (const char* section :
        { "totals", "triggers", "time-to-first-offer", "skip-reasons", "sweep", "sessions", "import" })
        QVERIFY2(html.contains(u"<section id=\""_qs + QLatin1String(section) + u'"'), section);
    QCOMPARE(html.count(u"<svg class=\"sweep-chart\""_qs), 2);
    // The recordings' text is escaped.
    QVERIFY(!html.contains(u"<Save"_qs));
    QCOMPARE(html.count(u"<article"_qs), html.count(u"</article>"_qs));
    QCOMPARE(html.count(u"<svg"_qs), html.count(u"</svg>"_qs));

    // A cap on timelines keeps a large batch's report small.
    const QString capped = QString::fromStdString(renderHtmlReport(run->report(job), 2));
    QCOMPARE(capped.count(u"<svg class=\"timeline\""_qs), 2);
    QVERIFY(capped.contains(u"more are in the JSON report"_qs));
}

void TestReplayBatch::textSummary()
{
    ReplayJob job;
    job.workspace = testWorkspace();
    job.workspaceLabel = "workspace";
    job.inputs = { "exports/webhooks.json", "exports/events-api-page.json" };
    job.productId = "acme";
    job.diffTriggers = kData.toStdString() + "/golden/exports-dismiss-sweep-diff/other-triggers.json";
    auto run = runReplayJob(job);
    QVERIFY(run.ok());
    const QString text = QString::fromStdString(renderTextSummary(run->report(job)));
    QVERIFY2(text.startsWith(u"Replayed 2 sessions (6 actions, "_qs), qPrintable(text));
    QVERIFY2(text.contains(u"Offers: 2 in 2 sessions (100.0 % reached)\n"_qs), qPrintable(text));
    QVERIFY2(text.contains(u"ping-pong                               1         1     50.0 %\n"_qs), qPrintable(text));
    QVERIFY2(
        text.contains(u"  s-api-1  user-1  4 actions, 20 s  ping-pong at +25 s on /projects\n"_qs), qPrintable(text));
    QVERIFY2(text.contains(u"Diff against "_qs), qPrintable(text));
}

QTEST_GUILESS_MAIN(TestReplayBatch)
#include "tst_replaybatch.moc"
