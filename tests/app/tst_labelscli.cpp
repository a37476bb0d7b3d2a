// Ground truth on the command line, as a team's CI runs it: the real
// executable on the demo workspace's hand-made recordings with the labels of
// tests/data/groundtruth/demo — `replay --check` exit codes and the failures
// it prints, `--optimise`, the reports' ground truth, and `validate`'s label
// problems in a workspace copy.

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
const QString kLabels = QStringLiteral(PROACTIVE_TEST_DATA "/groundtruth/demo");
const QString kDemo = QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace");

// The four hand-made recordings (the generated corpus beside them has its own labels).
QStringList demoSessions()
{
    QStringList files;
    for (const char* name :
        { "create-project-hesitation.jsonl", "ping-pong.jsonl", "project-settings-idle.jsonl", "settings-dwell.jsonl" })
        files << kDemo + u"/sessions/"_qs + QLatin1String(name);
    return files;
}

StudioRun replay(const QStringList& arguments)
{
    return runStudio(kStudio, QStringList { u"replay"_qs, kDemo } + demoSessions() + arguments, 120'000);
}

QByteArray contents(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool copyFile(const QString& from, const QString& to)
{
    QDir().mkpath(QFileInfo(to).path());
    return QFile::copy(from, to);
}

} // namespace

class TestLabelsCli final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void checkPasses();
    void checkFailsWithReasons();
    void checkRefusesBrokenLabels();
    void reportsCarryTheGroundTruth();
    void optimise();
    void optimiseErrors_data();
    void optimiseErrors();
    void diffSaysWhichExpectationsChange();
    void validateReportsLabelProblems();
};

void TestLabelsCli::checkPasses()
{
    const auto result = replay({ u"--labels"_qs, kLabels + u"/passing.json"_qs, u"--check"_qs });
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.out.contains(u"Ground truth: 2 labelled sessions of 4\n"_qs), qPrintable(result.out));
    QVERIFY2(result.out.contains(u"Expectations: 3 of 3 pass\n"_qs), qPrintable(result.out));
    QVERIFY2(result.out.contains(u"precision 1.00, recall 1.00, F1 1.00; 2 hits, 0 misses"_qs), qPrintable(result.out));
}

void TestLabelsCli::checkFailsWithReasons()
{
    const auto result = replay({ u"--labels"_qs, kLabels + u"/failing.json"_qs, u"--check"_qs });
    QCOMPARE(result.exitCode, 1);
    // The reason in words, with the trigger's own explanation of why it fired, and why it did not fire in time.
    QVERIFY2(result.out.contains(u"expected no offer; account-settings-dwell fired at +65 s: last action (pageview on "
                                 "/settings/account) matches; dwell 60.8 s ≥ 45 s"_qs),
        qPrintable(result.out));
    QVERIFY2(
        result.out.contains(u"expected account-settings-dwell within +20…+60 s; it fired at +65 s; at +60 s: last "
                            "action (pageview on /settings/account) matches; dwell 55.8 s ≥ 45 s on /settings/account "
                            "(1 action ≤ 5); the last poll in the window, at +45 s, answered no_trigger"_qs),
        qPrintable(result.out));
    QVERIFY2(result.out.contains(u"/failing.json:/sessions/0/expect/0"_qs), qPrintable(result.out));
    QVERIFY2(result.err.contains(u"check failed: 2 of 2 expectations fail"_qs), qPrintable(result.err));
    // Without --check the same replay succeeds: the failures are information.
    QCOMPARE(replay({ u"--labels"_qs, kLabels + u"/failing.json"_qs }).exitCode, 0);
}

void TestLabelsCli::checkRefusesBrokenLabels()
{
    const auto result = replay({ u"--labels"_qs, kLabels + u"/invalid.json"_qs, u"--check"_qs });
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.err.contains(
                 u"/invalid.json:/sessions/2/ranges/0/kind: \"stuck\" is not a range kind: help_wanted or no_help"_qs),
        qPrintable(result.err));
    QVERIFY2(result.err.contains(u"check failed: the labels have 1 problems"_qs), qPrintable(result.err));
    const auto missing = replay({ u"--labels"_qs, kLabels + u"/nope.json"_qs, u"--check"_qs });
    QCOMPARE(missing.exitCode, 1);
    QVERIFY2(
        missing.err.contains(u"--labels: "_qs + kLabels + u"/nope.json does not exist"_qs), qPrintable(missing.err));
}

void TestLabelsCli::reportsCarryTheGroundTruth()
{
    QTemporaryDir dir;
    const QString json = dir.filePath(u"r.json"_qs);
    const QString html = dir.filePath(u"r.html"_qs);
    QCOMPARE(
        replay({ u"--labels"_qs, kLabels + u"/passing.json"_qs, u"--json"_qs, json, u"--html"_qs, html }).exitCode, 0);
    const auto report = nlohmann::json::parse(contents(json).toStdString(), nullptr, false);
    QVERIFY(!report.is_discarded());
    const auto& truth = report["ground_truth"];
    QCOMPARE(truth["labelled_sessions"].get<int>(), 2);
    QCOMPARE(truth["overall"]["hits"].get<int>(), 2);
    QCOMPARE(truth["overall"]["precision"].get<double>(), 1.0);
    QCOMPARE(truth["expectations"]["passed"].get<int>(), 3);
    QCOMPARE(truth["labelled"].size(), std::size_t(2));
    for (const auto& session : truth["labelled"])
        if (session["session_id"] == "0193a1b2-c3d4-7e5f-8a9b-dwell0000002")
            QCOMPARE(session["ranges"][1]["lead_s"].get<double>(), 35.0); // fired at +65 s, the range from +30 s
    const QByteArray page = contents(html);
    QVERIFY(page.contains("Ground truth"));
    QVERIFY(page.contains("class=\"label help\""));
}

void TestLabelsCli::optimise()
{
    const auto result = replay({ u"--labels"_qs, kLabels + u"/passing.json"_qs, u"--sweep"_qs,
        u"user_page_dwell.threshold_s=30,60,90"_qs, u"--optimise"_qs, u"f1@precision>=0.5"_qs });
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.out.contains(u"Precision  Recall    F1"_qs), qPrintable(result.out));
    QVERIFY2(result.out.contains(u"◆ Pareto"_qs), qPrintable(result.out));
    // At 90 s the dwell fires after the labelled range: the best F1 is the first setting that answers it.
    QVERIFY2(result.out.contains(u"Best for f1@precision>=0.5: user_page_dwell.threshold_s=30 (precision 1.00, recall "
                                 "1.00, F1 1.00, fire rate 100.0 %)"_qs),
        qPrintable(result.out));
}

void TestLabelsCli::optimiseErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    const QStringList sweep { u"--labels"_qs, kLabels + u"/passing.json"_qs, u"--sweep"_qs,
        u"user_page_dwell.threshold_s=60,90"_qs };
    QTest::newRow("without sweep") << QStringList { u"--optimise"_qs, u"f1"_qs } << 2
                                   << u"--optimise chooses among the settings of a sweep: add --sweep"_qs;
    QTest::newRow("unknown metric") << sweep + QStringList { u"--optimise"_qs, u"happiness"_qs } << 2
                                    << u"--optimise: unknown metric \"happiness\"; metrics: precision, recall"_qs;
    QTest::newRow("bad constraint") << sweep + QStringList { u"--optimise"_qs, u"recall@precision=0.8"_qs } << 2
                                    << u"\"precision=0.8\" is not a constraint"_qs;
    QTest::newRow("unsatisfiable") << sweep + QStringList { u"--optimise"_qs, u"recall@precision>1"_qs } << 1
                                   << u"--optimise recall@precision>1: no setting satisfies precision>1"_qs;
}

void TestLabelsCli::optimiseErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const auto result = replay(arguments);
    QCOMPARE(result.exitCode, exitCode);
    QVERIFY2(result.err.contains(message), qPrintable(result.err));
}

void TestLabelsCli::diffSaysWhichExpectationsChange()
{
    // The other triggers: the dwell at 30 s fires inside the labelled no_help range and before +30 s.
    QTemporaryDir dir;
    auto triggers = nlohmann::json::parse(contents(kDemo + u"/triggers/demo.json"_qs).toStdString());
    for (auto& trigger : triggers)
        if (trigger["id"] == "account-settings-dwell")
            trigger["when"]["all"][1]["threshold_s"] = 20;
    const QString other = dir.filePath(u"other.json"_qs);
    QFile file(other);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray::fromStdString(triggers.dump(2)));
    file.close();
    const auto result = replay({ u"--labels"_qs, kLabels + u"/passing.json"_qs, u"--diff"_qs, other });
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(
        result.out.contains(u"Ground truth: hits 2 → 1, misses 0 → 1, false offers 0 → 1"_qs), qPrintable(result.out));
    QVERIFY2(result.out.contains(u"now fails: 0193a1b2-c3d4-7e5f-8a9b-dwell0000002"_qs), qPrintable(result.out));
    QVERIFY2(result.out.contains(u"expected no offer before +30 s; account-settings-dwell fired at +25 s"_qs),
        qPrintable(result.out));
}

void TestLabelsCli::validateReportsLabelProblems()
{
    QTemporaryDir dir;
    const QString root = dir.path();
    for (const char* name : { "products.json", "triggers/demo.json", "tours/demo.json", "sessions/ping-pong.jsonl",
             "sessions/settings-dwell.jsonl" })
        QVERIFY(copyFile(kDemo + u'/' + QLatin1String(name), root + u'/' + QLatin1String(name)));
    QVERIFY(copyFile(kLabels + u"/invalid.json"_qs, root + u"/labels/team.json"_qs));
    const auto result = runStudio(kStudio, { u"validate"_qs, root }, 60'000);
    QCOMPARE(result.exitCode, 1);
    for (const QString& problem : {
             u"labels/team.json:/sessions/2/ranges/0/kind: \"stuck\" is not a range kind"_qs,
             u"labels/team.json:/sessions/0/ranges/1: no_help overlaps the help_wanted range at /sessions/0/ranges/0 "
             "from +30 s to +40 s: a moment cannot be both"_qs,
             u"labels/team.json:/sessions/0/ranges/2/to: +20:00 (+20:00) is outside the session"_qs,
             u"labels/team.json:/sessions/0/expect/0/trigger: unknown trigger \"pingpong\""_qs,
             u"labels/team.json:/sessions/1/session_id: unknown session \"no-such-session\""_qs,
         })
        QVERIFY2(result.out.contains(problem), qPrintable(result.out));

    QVERIFY(QFile::remove(root + u"/labels/team.json"_qs));
    QVERIFY(copyFile(kLabels + u"/passing.json"_qs, root + u"/labels/team.json"_qs));
    const auto fine = runStudio(kStudio, { u"validate"_qs, root }, 60'000);
    QCOMPARE(fine.exitCode, 0);
    QVERIFY2(fine.out.contains(u", 2 labelled sessions in "_qs), qPrintable(fine.out));
}

QTEST_GUILESS_MAIN(TestLabelsCli)
#include "tst_labelscli.moc"
