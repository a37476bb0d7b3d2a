// Ground truth: label times and files read strictly (every problem as
// file:/pointer: reason), labels checked against sessions and triggers, and
// the metrics — golden folders in tests/data/groundtruth/metrics/<case>/
// (labels.json, the replay's offers in offers.json, expected.json;
// PROACTIVE_UPDATE_GOLDEN=1 rewrites expected.json) with offers exactly on
// and just beside every boundary.

#include "groundtruth/groundtruth.h"
#include "groundtruth/labelset.h"
#include "groundtruth/truthreport.h"
#include "printers.h"
#include "replay/sessionimport.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QTest>
#include <nlohmann/json.hpp>

using namespace proactive;
using nlohmann::json;

namespace {

const QString kData = QStringLiteral(PROACTIVE_TEST_DATA "/groundtruth");

std::string readAll(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll().toStdString();
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

// A recorded session without actions (the metrics read only its summary)
// and a record with the offers of offers.json.
struct ReplayedSessions {
    std::vector<RecordedSession> sessions;
    std::vector<ReplayRecord> records;
};

ReplayedSessions replayedSessions(const json& offers)
{
    ReplayedSessions out;
    for (const auto& item : offers.at("sessions")) {
        RecordedSession session;
        session.summary.productId = "demo";
        session.summary.sessionId = item.at("session_id").get<std::string>();
        session.summary.start = *parseIsoTimestamp(item.at("start").get<std::string>());
        session.summary.end = *parseIsoTimestamp(item.at("end").get<std::string>());
        ReplayRecord record;
        record.start = session.summary.start;
        record.end = session.summary.end;
        for (const auto& offer : item.at("offers")) {
            ReplayFiring firing;
            firing.at = session.summary.start + fromSeconds(offer.at("t_s").get<double>());
            firing.triggerId = offer.at("trigger").get<std::string>();
            firing.tourId = offer.value("tour", "");
            firing.shown = offer.value("shown", true);
            record.firings.push_back(std::move(firing));
        }
        std::stable_sort(
            record.firings.begin(), record.firings.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
        out.sessions.push_back(std::move(session));
        out.records.push_back(std::move(record));
    }
    return out;
}

std::string problemsOf(const char* document)
{
    Diagnostics diagnostics;
    LabelSet labels;
    labels.add(json::parse(document), "labels/x.json", diagnostics);
    std::string out;
    for (const auto& d : diagnostics)
        out += d.toString() + "\n";
    return out;
}

} // namespace

class TestGroundTruth : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void labelTimes_data();
    void labelTimes();
    void formatOffsets();
    void labelFileProblems_data();
    void labelFileProblems();
    void labelsMergeAcrossFiles();
    void checkAgainstSessions_data();
    void checkAgainstSessions();
    void metricsGolden_data();
    void metricsGolden();
    void ratiosUndefinedWithoutData();
    void explanationSummaryKeepsTheDecidingLeaves();
};

void TestGroundTruth::labelTimes_data()
{
    QTest::addColumn<QString>("written");
    QTest::addColumn<qint64>("offsetMs"); // -1: absolute, -2: refused
    QTest::newRow("seconds") << u"75"_qs << qint64(75000);
    QTest::newRow("fraction") << u"75.5"_qs << qint64(75500);
    QTest::newRow("zero") << u"0"_qs << qint64(0);
    QTest::newRow("plus") << u"\"+75\""_qs << qint64(75000);
    QTest::newRow("plus s") << u"\"+75s\""_qs << qint64(75000);
    QTest::newRow("m:ss") << u"\"+1:15\""_qs << qint64(75000);
    QTest::newRow("h:mm:ss") << u"\"+1:02:03.5\""_qs << qint64(3723500);
    QTest::newRow("units") << u"\"+1m15s\""_qs << qint64(75000);
    QTest::newRow("hours") << u"\"+1h2m\""_qs << qint64(3720000);
    QTest::newRow("iso") << u"\"2026-11-02T09:31:15Z\""_qs << qint64(-1);
    QTest::newRow("iso offset") << u"\"2026-11-02T10:31:15+01:00\""_qs << qint64(-1);
    QTest::newRow("negative") << u"-5"_qs << qint64(-2);
    QTest::newRow("bare text") << u"\"75\""_qs << qint64(-2);
    QTest::newRow("seconds >= 60 in m:ss") << u"\"+1:75\""_qs << qint64(-2);
    QTest::newRow("units out of order") << u"\"+15s1m\""_qs << qint64(-2);
    QTest::newRow("empty plus") << u"\"+\""_qs << qint64(-2);
    QTest::newRow("boolean") << u"true"_qs << qint64(-2);
}

void TestGroundTruth::labelTimes()
{
    QFETCH(QString, written);
    QFETCH(qint64, offsetMs);
    const auto time = LabelTime::parse(json::parse(written.toStdString()));
    if (offsetMs == -2) {
        QVERIFY2(!time, written.toUtf8().constData());
        QCOMPARE(time.error().code, std::string("bad_time"));
        return;
    }
    QVERIFY2(time.ok(), time.ok() ? "" : time.error().message.c_str());
    if (offsetMs == -1) {
        QVERIFY(time->absolute);
        QCOMPARE(formatIsoTimestamp(*time->absolute), std::string("2026-11-02T09:31:15.000Z"));
    } else {
        QVERIFY(time->offset);
        QCOMPARE(time->offset->count(), offsetMs);
    }
}

void TestGroundTruth::formatOffsets()
{
    QCOMPARE(LabelTime::formatOffset(fromSeconds(75)), std::string("+75 s"));
    QCOMPARE(LabelTime::formatOffset(fromSeconds(0.5)), std::string("+0.5 s"));
    QCOMPARE(LabelTime::formatOffset(fromSeconds(179.999)), std::string("+179.999 s"));
    QCOMPARE(LabelTime::formatOffset(fromSeconds(180)), std::string("+3:00"));
    QCOMPARE(LabelTime::formatOffset(fromSeconds(3725)), std::string("+1:02:05"));
    QCOMPARE(LabelTime::formatOffset(fromSeconds(-12)), std::string("-12 s"));
}

void TestGroundTruth::labelFileProblems_data()
{
    QTest::addColumn<QString>("document");
    QTest::addColumn<QString>("expected");
    QTest::newRow("valid") << uR"({"format": "proactive-studio/labels", "version": 1, "sessions": [
        {"session_id": "s", "fully_labelled": true, "ranges": [{"kind": "help_wanted", "from": 1, "to": 2, "answer": "t",
         "note": "n", "author": "a"}], "expect": [{"expect": "fires", "trigger": "t", "from": 1, "to": "+2"}]}]})"_qs
                           << QString();
    QTest::newRow("not an object") << u"[]"_qs << u"labels/x.json:/: expected an object, found an array\n"_qs;
    QTest::newRow("no sessions") << u"{}"_qs
                                 << u"labels/x.json:/sessions: required: an array of labelled sessions\n"_qs;
    QTest::newRow("wrong format")
        << uR"({"format": "x", "sessions": []})"_qs
        << uR"(labels/x.json:/format: "x" is not a labels file; expected "proactive-studio/labels")"_qs + u"\n"_qs;
    QTest::newRow("wrong version") << uR"({"version": 2, "sessions": []})"_qs
                                   << u"labels/x.json:/version: version 2 is not supported; expected 1\n"_qs;
    QTest::newRow("unknown field") << uR"({"sessions": [{"session_id": "s", "range": []}]})"_qs
                                   << u"labels/x.json:/sessions/0/range: unknown field"_qs;
    QTest::newRow("missing id") << uR"({"sessions": [{"ranges": []}]})"_qs << u"/sessions/0/session_id"_qs;
    QTest::newRow("bad kind")
        << uR"({"sessions": [{"session_id": "s", "ranges": [{"kind": "stuck", "from": 0, "to": 1}]}]})"_qs
        << uR"(labels/x.json:/sessions/0/ranges/0/kind: "stuck" is not a range kind: help_wanted or no_help)"_qs
            + u"\n"_qs;
    QTest::newRow("missing to")
        << uR"({"sessions": [{"session_id": "s", "ranges": [{"kind": "no_help", "from": 0}]}]})"_qs
        << u"labels/x.json:/sessions/0/ranges/0/to: required; a time"_qs;
    QTest::newRow("ends first")
        << uR"({"sessions": [{"session_id": "s", "ranges": [{"kind": "no_help", "from": "+1:00", "to": 30}]}]})"_qs
        << u"labels/x.json:/sessions/0/ranges/0/to: the range ends (+30 s) before it starts (+60 s)\n"_qs;
    QTest::newRow("answer on no_help")
        << uR"({"sessions": [{"session_id": "s", "ranges": [{"kind": "no_help", "from": 0, "to": 1, "answer": "t"}]}]})"_qs
        << u"labels/x.json:/sessions/0/ranges/0/answer: a no_help range has no answer: only help_wanted ranges name one\n"_qs;
    QTest::newRow("bad time")
        << uR"({"sessions": [{"session_id": "s", "ranges": [{"kind": "no_help", "from": "soon", "to": 1}]}]})"_qs
        << uR"(labels/x.json:/sessions/0/ranges/0/from: "soon" is neither an ISO 8601 time)"_qs;
    QTest::newRow("bad expectation")
        << uR"({"sessions": [{"session_id": "s", "expect": [{"expect": "fire"}]}]})"_qs
        << uR"(labels/x.json:/sessions/0/expect/0/expect: "fire" is not an expectation: fires or no_offer)"_qs
            + u"\n"_qs;
    QTest::newRow("window backwards")
        << uR"({"sessions": [{"session_id": "s", "expect": [{"expect": "no_offer", "from": 9, "to": 3}]}]})"_qs
        << u"labels/x.json:/sessions/0/expect/0/to: the window ends before it starts\n"_qs;
}

void TestGroundTruth::labelFileProblems()
{
    QFETCH(QString, document);
    QFETCH(QString, expected);
    const QString problems = QString::fromStdString(problemsOf(document.toUtf8().constData()));
    if (expected.isEmpty())
        QCOMPARE(problems, QString());
    else
        QVERIFY2(problems.startsWith(expected) || (!expected.endsWith(u'\n') && problems.contains(expected)),
            qPrintable(problems));
}

void TestGroundTruth::labelsMergeAcrossFiles()
{
    Diagnostics diagnostics;
    LabelSet labels;
    labels.add(json::parse(R"({"sessions": [{"session_id": "s", "ranges": [{"kind": "no_help", "from": 0, "to": 5}],
        "expect": [{"expect": "fires"}]}, {"session_id": "bad", "ranges": [{"kind": "x", "from": 0, "to": 1}]}]})"),
        "labels/a.json", diagnostics);
    labels.add(json::parse(R"({"sessions": [{"session_id": "s", "fully_labelled": true,
        "ranges": [{"kind": "help_wanted", "from": 6, "to": 9}]}, {"session_id": "s", "product": "other"}]})"),
        "labels/b.json", diagnostics);
    QCOMPARE(diagnostics.size(), std::size_t(1)); // the bad range is left out, its session kept
    QCOMPARE(labels.sessions().size(), std::size_t(3));
    const SessionLabels* s = labels.find("demo", "s");
    QVERIFY(s);
    QCOMPARE(s->ranges.size(), std::size_t(2));
    QCOMPARE(s->expectations.size(), std::size_t(1));
    QVERIFY(s->fullyLabelled);
    QCOMPARE(s->file, std::string("labels/a.json"));
    QCOMPARE(labels.find("other", "s")->productId, std::string(""));
    QVERIFY(labels.find("demo", "bad"));
    QVERIFY(!labels.find("demo", "nobody"));
    QCOMPARE(labels.rangeCount(), std::size_t(2));
}

void TestGroundTruth::checkAgainstSessions_data()
{
    QTest::addColumn<QString>("session");
    QTest::addColumn<QString>("expected"); // empty: no problem
    QTest::newRow("fine") << uR"({"session_id": "s1", "ranges": [{"kind": "help_wanted", "from": 0, "to": 400,
        "answer": "find-project"}, {"kind": "no_help", "from": 400, "to": 420}], "expect": [{"expect": "fires",
        "trigger": "dwell", "from": "2026-11-02T09:00:10Z"}]})"_qs
                          << QString();
    QTest::newRow("unknown session")
        << uR"({"session_id": "nobody"})"_qs
        << uR"(labels/x.json:/sessions/0/session_id: unknown session "nobody": no recorded session has this id)"_qs;
    QTest::newRow("unknown product") << uR"({"session_id": "s1", "product": "shop"})"_qs
                                     << uR"(labels/x.json:/sessions/0/product: no product "shop" in products.json)"_qs;
    QTest::newRow("after the tail")
        << uR"({"session_id": "s1", "ranges": [{"kind": "no_help", "from": 0, "to": 420.001}]})"_qs
        << u"labels/x.json:/sessions/0/ranges/0/to: +7:00 (+7:00) is outside the session: the session lasts +0 s…+7:00 (its last action plus the replay's 120 s tail)"_qs;
    QTest::newRow("before the start")
        << uR"({"session_id": "s1", "ranges": [{"kind": "no_help", "from": "2026-11-02T08:59:59Z", "to": 1}]})"_qs
        << u"labels/x.json:/sessions/0/ranges/0/from: 2026-11-02T08:59:59.000Z (-1 s) is outside the session"_qs;
    QTest::newRow("unknown answer")
        << uR"({"session_id": "s1", "ranges": [{"kind": "help_wanted", "from": 0, "to": 1, "answer": "nope"}]})"_qs
        << uR"(labels/x.json:/sessions/0/ranges/0/answer: "nope" is neither a trigger of product demo nor a tour)"_qs;
    QTest::newRow("unknown trigger")
        << uR"({"session_id": "s1", "expect": [{"expect": "fires", "trigger": "nope"}]})"_qs
        << uR"(labels/x.json:/sessions/0/expect/0/trigger: unknown trigger "nope": product demo has no trigger with this id)"_qs;
    QTest::newRow("overlap")
        << uR"({"session_id": "s1", "ranges": [{"kind": "help_wanted", "from": 10, "to": 30},
        {"kind": "no_help", "from": 29, "to": 50}]})"_qs
        << u"labels/x.json:/sessions/0/ranges/1: no_help overlaps the help_wanted range at /sessions/0/ranges/0 from +29 s to +30 s: a moment cannot be both"_qs;
    QTest::newRow("touching is fine")
        << uR"({"session_id": "s1", "ranges": [{"kind": "help_wanted", "from": 10, "to": 30},
        {"kind": "no_help", "from": 30, "to": 50}, {"kind": "help_wanted", "from": 20, "to": 40}]})"_qs
        << u"labels/x.json:/sessions/0/ranges/2: help_wanted overlaps the no_help range at /sessions/0/ranges/1 from +30 s to +40 s"_qs;
}

void TestGroundTruth::checkAgainstSessions()
{
    QFETCH(QString, session);
    QFETCH(QString, expected);
    const auto workspace = testWorkspace();
    RecordedSession recorded;
    recorded.summary.productId = "demo";
    recorded.summary.sessionId = "s1";
    recorded.summary.start = *parseIsoTimestamp("2026-11-02T09:00:00Z");
    recorded.summary.end = recorded.summary.start + std::chrono::minutes(5);
    Diagnostics diagnostics;
    LabelSet labels;
    labels.add(json::parse(u"{\"sessions\": [%1]}"_qs.arg(session).toStdString()), "labels/x.json", diagnostics);
    QCOMPARE(diagnostics.size(), std::size_t(0));
    const std::string tours[] = { "find-project", "account-settings" };
    const Diagnostics problems = checkLabels(labels, *workspace, std::span(&recorded, 1), tours);
    if (expected.isEmpty()) {
        QVERIFY2(problems.empty(), problems.empty() ? "" : problems.front().toString().c_str());
        return;
    }
    QVERIFY(!problems.empty());
    QVERIFY2(
        QString::fromStdString(problems.front().toString()).startsWith(expected), problems.front().toString().c_str());
}

void TestGroundTruth::metricsGolden_data()
{
    QTest::addColumn<QString>("folder");
    const QDir cases(kData + u"/metrics"_qs);
    for (const QString& name : cases.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        QTest::newRow(name.toUtf8().constData()) << cases.filePath(name);
}

void TestGroundTruth::metricsGolden()
{
    QFETCH(QString, folder);
    const auto workspace = testWorkspace();
    const auto replayed = replayedSessions(json::parse(readAll(folder + u"/offers.json"_qs)));
    Diagnostics diagnostics;
    const LabelSet labels = LabelSet::loadPath(
        (folder + u"/labels.json"_qs).toStdString(), (kData + u"/metrics"_qs).toStdString(), diagnostics);
    QVERIFY2(diagnostics.empty(), diagnostics.empty() ? "" : diagnostics.front().toString().c_str());
    const GroundTruth truth = evaluateGroundTruth(*workspace, replayed.sessions, replayed.records, labels);
    const std::string actual
        = groundTruthJson(truth, replayed.sessions).dump(2) + "\n" + groundTruthText(truth, replayed.sessions);

    const QString expectedPath = folder + u"/expected.txt"_qs;
    if (qEnvironmentVariableIsSet("PROACTIVE_UPDATE_GOLDEN")) {
        QFile file(expectedPath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(actual.data(), static_cast<qint64>(actual.size()));
        return;
    }
    QCOMPARE(QString::fromStdString(actual), QString::fromStdString(readAll(expectedPath)));
}

void TestGroundTruth::ratiosUndefinedWithoutData()
{
    TruthCounts counts;
    QVERIFY(!counts.precision());
    QVERIFY(!counts.recall());
    QVERIFY(!counts.f1());
    QVERIFY(!counts.annoyance());
    counts.sessions = 4;
    counts.falseOffers = 1;
    counts.wanted = 2;
    QCOMPARE(*counts.precision(), 0.0);
    QCOMPARE(*counts.recall(), 0.0);
    QCOMPARE(*counts.f1(), 0.0);
    QCOMPARE(*counts.annoyance(), 25.0);
    counts.hits = 3;
    counts.answered = 1;
    QCOMPARE(*counts.precision(), 0.75);
    QCOMPARE(*counts.recall(), 0.5);
    QCOMPARE(*counts.f1(), 0.6);
    QCOMPARE(counts.misses(), std::size_t(1));
}

void TestGroundTruth::explanationSummaryKeepsTheDecidingLeaves()
{
    ConditionExplanation route { .kind = "event", .matched = true, .summary = "route /settings/account" };
    ConditionExplanation dwell { .kind = "user_page_dwell", .matched = false, .summary = "dwell 41 s < 60 s" };
    ConditionExplanation all { .kind = "all", .matched = false, .summary = "1 of 2", .children = { route, dwell } };
    QCOMPARE(explanationSummary(all), std::string("dwell 41 s < 60 s"));
    all.matched = true;
    all.children[1].matched = true;
    all.children[1].summary = "dwell 61 s ≥ 60 s";
    QCOMPARE(explanationSummary(all), std::string("route /settings/account; dwell 61 s ≥ 60 s"));
    ConditionExplanation negation { .kind = "not", .matched = true, .children = { dwell } };
    QCOMPARE(explanationSummary(negation), std::string("dwell 41 s < 60 s"));
}

QTEST_GUILESS_MAIN(TestGroundTruth)
#include "tst_groundtruth.moc"
