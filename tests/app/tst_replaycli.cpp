// `proactive-studio replay` as a user runs it: the real executable in a
// QProcess on the replay test workspace and exports (tests/data/replay),
// its exit codes, the reports it writes and their determinism.

#include "studioprocess.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <nlohmann/json.hpp>

using proactive::testing::runStudio;
using proactive::testing::StudioRun;

namespace {

const QString kStudio = QStringLiteral(PROACTIVE_STUDIO_EXECUTABLE);
const QString kData = QStringLiteral(PROACTIVE_TEST_DATA "/replay");
const QString kWorkspace = kData + u"/workspace"_qs;
const QString kExports = kData + u"/exports"_qs;
const QString kDemo = QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace");

StudioRun run(const QStringList& arguments)
{
    return runStudio(kStudio, QStringList { u"replay"_qs } + arguments, 120'000);
}

QByteArray contents(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestReplayCli final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void helpListsTheOptions();
    void replaysExportsAndWritesReports();
    void reportsAreByteIdentical();
    void sweepAndDiff();
    void progressOnRequest();
    void demoWorkspace();
    void exitCodes_data();
    void exitCodes();
};

void TestReplayCli::helpListsTheOptions()
{
    const auto result = run({ u"--help"_qs });
    QCOMPARE(result.exitCode, 0);
    for (const char* option :
        { "--policy", "--poll-interval", "--json", "--html", "--sweep", "--diff", "--product", "--explain" })
        QVERIFY2(result.out.contains(QLatin1String(option)), option);
}

void TestReplayCli::replaysExportsAndWritesReports()
{
    QTemporaryDir dir;
    const QString json = dir.filePath(u"report.json"_qs);
    const QString html = dir.filePath(u"report.html"_qs);
    const auto result = run({ kWorkspace, kExports, u"--product"_qs, u"acme"_qs, u"--policy"_qs, u"dismiss:5"_qs,
        u"--json"_qs, json, u"--html"_qs, html, u"--explain"_qs });
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.out.startsWith(u"Replayed 8 sessions (28 actions, "_qs), qPrintable(result.out));
    QVERIFY2(result.out.contains(u"Policy dismiss:5; polls every 20 s"_qs), qPrintable(result.out));
    // Bad rows are reported with file and line, and skipped.
    QVERIFY2(result.err.contains(
                 kExports + u"/events.csv:8: bad_row: a quote inside an unquoted field (field 4) (skipped)"_qs),
        qPrintable(result.err));
    QVERIFY2(result.err.contains(kExports + u"/webhooks.jsonl:4: invalid_json:"_qs), qPrintable(result.err));

    const auto report = nlohmann::json::parse(contents(json).toStdString(), nullptr, false);
    QVERIFY(!report.is_discarded());
    QCOMPARE(report["format"].get<std::string>(), std::string("proactive-studio/replay-report"));
    QCOMPARE(report["sessions"].size(), std::size_t(8));
    QCOMPARE(report["settings"]["policy"].get<std::string>(), std::string("dismiss:5"));
    QVERIFY(report["sessions"][0]["poll_log"][0].contains("gates")); // --explain
    const QByteArray page = contents(html);
    QVERIFY(page.startsWith("<!DOCTYPE html>"));
    QCOMPARE(page.count("<svg class=\"timeline\""), 8);
}

void TestReplayCli::reportsAreByteIdentical()
{
    QTemporaryDir dir;
    QStringList files;
    for (const char* threads : { "1", "2", "2" }) {
        const QString json = dir.filePath(u"report-%1.json"_qs.arg(files.size()));
        const QString html = dir.filePath(u"report-%1.html"_qs.arg(files.size()));
        const auto result = run({ kWorkspace, kExports, u"--product"_qs, u"acme"_qs, u"--policy"_qs,
            u"tour-abandon:10"_qs, u"--threads"_qs, QLatin1String(threads), u"--json"_qs, json, u"--html"_qs, html });
        QCOMPARE(result.exitCode, 0);
        files << json << html;
    }
    QVERIFY(!contents(files[0]).isEmpty());
    QCOMPARE(contents(files[2]), contents(files[0]));
    QCOMPARE(contents(files[4]), contents(files[0]));
    QCOMPARE(contents(files[3]), contents(files[1]));
    QCOMPARE(contents(files[5]), contents(files[1]));
}

void TestReplayCli::sweepAndDiff()
{
    QTemporaryDir dir;
    const QString json = dir.filePath(u"report.json"_qs);
    const auto result = run({ kWorkspace, kExports + u"/events-api-page.json"_qs, kExports + u"/webhooks.json"_qs,
        u"--product"_qs, u"acme"_qs, u"--sweep"_qs, u"user_page_dwell.threshold_s=30,60,90"_qs, u"--sweep"_qs,
        u"ping-pong.min_cycles=1,2"_qs, u"--diff"_qs,
        kData + u"/golden/exports-dismiss-sweep-diff/other-triggers.json"_qs, u"--json"_qs, json });
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.out.contains(u"\nSweep of acme\n"_qs), qPrintable(result.out));
    QVERIFY2(result.out.contains(u"Diff against "_qs), qPrintable(result.out));
    const auto report = nlohmann::json::parse(contents(json).toStdString(), nullptr, false);
    QCOMPARE(report["sweep"]["points"].size(), std::size_t(6));
    QCOMPARE(report["sweep"]["points"][1]["settings"]["ping-pong.min_cycles"].get<double>(), 2.0);
    QCOMPARE(report["diff"]["disappeared"].get<int>(), 1);
    QCOMPARE(report["diff"]["moved"].get<int>(), 1);
    QVERIFY(!report["sessions"][0]["poll_log"][0].contains("gates")); // without --explain
}

void TestReplayCli::progressOnRequest()
{
    const auto quiet = run({ kWorkspace, kExports + u"/webhooks.json"_qs });
    QCOMPARE(quiet.exitCode, 0);
    QVERIFY2(!quiet.err.contains(u"replaying"_qs), qPrintable(quiet.err)); // not a terminal
    const auto result = run({ kWorkspace, kExports + u"/webhooks.json"_qs, u"--progress"_qs });
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.err.contains(u"importing 100 %"_qs), qPrintable(result.err));
    QVERIFY2(result.err.contains(u"replaying 100 %"_qs), qPrintable(result.err));
}

void TestReplayCli::demoWorkspace()
{
    const auto result = run({ kDemo, kDemo + u"/sessions"_qs, u"--policy"_qs, u"chat:10"_qs });
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.out.startsWith(u"Replayed "_qs), qPrintable(result.out));
    QVERIFY2(result.out.contains(u"of product demo\n"_qs), qPrintable(result.out));
}

void TestReplayCli::exitCodes_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");

    const QString hooks = kExports + u"/webhooks.json"_qs;
    QTest::newRow("no-sessions-argument") << QStringList { kWorkspace } << 2 << u"needs a workspace folder"_qs;
    QTest::newRow("bad-policy") << QStringList { kWorkspace, hooks, u"--policy"_qs, u"sometimes"_qs } << 2
                                << u"--policy: unknown policy \"sometimes\""_qs;
    QTest::newRow("bad-poll-interval") << QStringList { kWorkspace, hooks, u"--poll-interval"_qs, u"0"_qs } << 2
                                       << u"--poll-interval: expected a number of seconds"_qs;
    QTest::newRow("bad-sweep-syntax") << QStringList { kWorkspace, hooks, u"--sweep"_qs, u"threshold"_qs } << 2
                                      << u"--sweep: expected path=v1,v2,..."_qs;
    QTest::newRow("unknown-sweep-path") << QStringList { kWorkspace, hooks, u"--sweep"_qs, u"nothing.here=1,2"_qs } << 2
                                        << u"--sweep: nothing.here=1: unknown setting path"_qs;
    QTest::newRow("sweep-refused-value") << QStringList { kWorkspace, hooks, u"--sweep"_qs,
        u"ping-pong.min_cycles=0"_qs } << 2
                                         << u"refused for trigger ping-pong"_qs;
    QTest::newRow("sweep-over-several-products") << QStringList { kWorkspace, hooks, kExports + u"/webhooks.jsonl"_qs,
        u"--sweep"_qs, u"proactive.min_interval_s=0,60"_qs }
                                                 << 2 << u"belong to several products; choose one with --product"_qs;
    QTest::newRow("missing-input") << QStringList { kWorkspace, kExports + u"/nope.json"_qs } << 1
                                   << u"nope.json does not exist"_qs;
    QTest::newRow("unknown-product") << QStringList { kWorkspace, hooks, u"--product"_qs, u"nope"_qs } << 1
                                     << u"no usable product \"nope\""_qs;
    QTest::newRow("missing-workspace") << QStringList { kData + u"/no-workspace"_qs, hooks } << 1
                                       << u"no usable product in"_qs;
    QTest::newRow("only-bad-rows") << QStringList { kWorkspace, kExports + u"/events.csv"_qs } << 1
                                   << u"no sessions to replay in the input"_qs;
    QTest::newRow("missing-diff-file") << QStringList { kWorkspace, hooks, u"--diff"_qs, kData + u"/nope.json"_qs } << 1
                                       << u"--diff: cannot"_qs;
    QTest::newRow("bad-diff-file") << QStringList { kWorkspace, hooks, u"--diff"_qs, kWorkspace + u"/products.json"_qs }
                                   << 1 << u"--diff: "_qs;
    QTest::newRow("unwritable-report") << QStringList { kWorkspace, hooks, u"--json"_qs, u"/nonexistent/dir/r.json"_qs }
                                       << 1 << u"cannot write /nonexistent/dir/r.json"_qs;
}

void TestReplayCli::exitCodes()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const auto result = run(arguments);
    QCOMPARE(result.exitCode, exitCode);
    QVERIFY2(result.err.contains(message), qPrintable(result.err));
}

QTEST_GUILESS_MAIN(TestReplayCli)
#include "tst_replaycli.moc"
