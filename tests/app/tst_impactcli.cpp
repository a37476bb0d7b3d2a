// The impact report as a team gets it (issue 18): the real executable
// generates a corpus with a planted effect, replays it and writes the
// reports; the report must recover the effect within its interval, and say
// "too small to tell" on a small corpus. Golden folders under
// tests/data/impact/<case>/: products.json (the demo product with a goal),
// case.json (the generate-sessions arguments) and expected.json (the JSON
// report's "impact" member); PROACTIVE_UPDATE_GOLDEN=1 rewrites them.

#include "studioprocess.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <nlohmann/json.hpp>

using nlohmann::json;
using proactive::testing::runStudio;
using proactive::testing::StudioRun;

namespace {

const QString kStudio = QStringLiteral(PROACTIVE_STUDIO_EXECUTABLE);
const QString kDemo = QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace");
const QString kCases = QStringLiteral(PROACTIVE_SOURCE_DIR "/tests/data/impact");

StudioRun run(const QStringList& arguments)
{
    return runStudio(kStudio, arguments, 300'000);
}

QByteArray contents(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

json readJson(const QString& path)
{
    return json::parse(contents(path).toStdString(), nullptr, false);
}

// A workspace of the demo's triggers and tours with the given products.json.
bool makeWorkspace(const QTemporaryDir& dir, const QString& products)
{
    QDir().mkpath(dir.filePath(u"triggers"_qs));
    QDir().mkpath(dir.filePath(u"tours"_qs));
    return QFile::copy(products, dir.filePath(u"products.json"_qs))
        && QFile::copy(kDemo + u"/triggers/demo.json"_qs, dir.filePath(u"triggers/demo.json"_qs))
        && QFile::copy(kDemo + u"/tours/demo.json"_qs, dir.filePath(u"tours/demo.json"_qs));
}

// Generates, replays with --json and --html, and returns the JSON report.
json generateAndReplay(const QTemporaryDir& dir, const QStringList& generateArguments, QString* generated = nullptr,
    QString* summary = nullptr)
{
    const auto generate = run(QStringList { u"generate-sessions"_qs, dir.path() } + generateArguments);
    if (generate.exitCode != 0)
        return json();
    if (generated)
        *generated = generate.out;
    const auto replayed = run({ u"replay"_qs, dir.path(), dir.filePath(u"sessions"_qs), u"--json"_qs,
        dir.filePath(u"report.json"_qs), u"--html"_qs, dir.filePath(u"report.html"_qs), u"--list"_qs, u"0"_qs });
    if (summary)
        *summary = replayed.out;
    return replayed.exitCode == 0 ? readJson(dir.filePath(u"report.json"_qs)) : json();
}

} // namespace

class TestImpactCli final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void plantedEffectIsRecovered_data();
    void plantedEffectIsRecovered();
    void golden_data();
    void golden();
    void noGoalNoImpact();
    void badEffectIsAnError();
};

void TestImpactCli::plantedEffectIsRecovered_data()
{
    QTest::addColumn<QString>("effect");
    QTest::addColumn<double>("base");
    QTest::addColumn<double>("lift");
    QTest::addColumn<QString>("verdict");
    QTest::newRow("plus-15") << u"lift=15,base=30,holdout=20"_qs << 0.30 << 0.15 << u"helps"_qs;
    QTest::newRow("minus-10") << u"lift=-10,base=40,holdout=30"_qs << 0.40 << -0.10 << u"hurts"_qs;
    QTest::newRow("none") << u"lift=0,base=25,holdout=50"_qs << 0.25 << 0.0 << u"unclear"_qs;
}

void TestImpactCli::plantedEffectIsRecovered()
{
    QFETCH(QString, effect);
    QFETCH(double, base);
    QFETCH(double, lift);
    QFETCH(QString, verdict);
    QTemporaryDir dir;
    QVERIFY(makeWorkspace(dir, kCases + u"/too-small/products.json"_qs));
    QString generated;
    const json report = generateAndReplay(
        dir, { u"--sessions"_qs, u"2000"_qs, u"--seed"_qs, u"5"_qs, u"--plant-effect"_qs, effect }, &generated);
    QVERIFY2(report.contains("impact"), qPrintable(generated));
    const json& impact = report["impact"];
    QCOMPARE(impact["source"].get<std::string>(), std::string("recorded"));
    QCOMPARE(impact["triggers"].size(), std::size_t(1));
    const json& trigger = impact["triggers"][0];
    QCOMPARE(trigger["trigger_id"].get<std::string>(), std::string("create-project-hesitation"));

    // The arms hold exactly the people the generator exposed.
    const json& offered = trigger["offered"];
    const json& heldOut = trigger["held_out"];
    const QString counts = u"offered %1/%2 reached the goal, held out %3/%4."_qs.arg(offered["reached"].get<int>())
                               .arg(offered["users"].get<int>())
                               .arg(heldOut["reached"].get<int>())
                               .arg(heldOut["users"].get<int>());
    QVERIFY2(generated.contains(counts), qPrintable(generated + u"\nreport: "_qs + counts));
    QVERIFY(heldOut["too_small"].is_null());
    QVERIFY(offered["too_small"].is_null());

    // The planted rates and lift lie within their 95 % intervals.
    auto within = [](const json& interval, double value) {
        return interval[0].get<double>() <= value && value <= interval[1].get<double>();
    };
    QVERIFY2(within(heldOut["rate_ci95"], base), heldOut.dump().c_str());
    QVERIFY2(within(offered["rate_ci95"], base + lift), offered.dump().c_str());
    QVERIFY2(within(trigger["difference_ci95"], lift), trigger.dump().c_str());
    QCOMPARE(QString::fromStdString(trigger["verdict"].get<std::string>()), verdict);
    QVERIFY(offered["time_to_goal_s"]["median"].get<double>() > 0);
    QVERIFY(offered["time_to_goal_s"]["p75"].get<double>() >= offered["time_to_goal_s"]["median"].get<double>());

    const QByteArray html = contents(dir.filePath(u"report.html"_qs));
    QVERIFY(html.contains("<section id=\"impact\">"));
    QVERIFY(html.contains("class=\"chart-impact-rates\""));
    QVERIFY(html.contains("class=\"chart-impact-difference\""));
}

void TestImpactCli::golden_data()
{
    QTest::addColumn<QString>("name");
    for (const QString& name : QDir(kCases).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        QTest::newRow(qPrintable(name)) << name;
}

void TestImpactCli::golden()
{
    QFETCH(QString, name);
    const QString folder = kCases + u'/' + name;
    QTemporaryDir dir;
    QVERIFY(makeWorkspace(dir, folder + u"/products.json"_qs));
    QStringList arguments;
    const json spec = readJson(folder + u"/case.json"_qs);
    QVERIFY2(spec.contains("generate"), "case.json needs {\"generate\": [arguments]}");
    for (const auto& argument : spec["generate"])
        arguments << QString::fromStdString(argument.get<std::string>());
    QString summary;
    const json report = generateAndReplay(dir, arguments, nullptr, &summary);
    QVERIFY2(report.contains("impact"), qPrintable(summary));
    const json& actual = report["impact"];
    if (qEnvironmentVariableIsSet("PROACTIVE_UPDATE_GOLDEN")) {
        QFile out(folder + u"/expected.json"_qs);
        QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
        out.write(QByteArray::fromStdString(actual.dump(2) + '\n'));
        return;
    }
    const json expected = readJson(folder + u"/expected.json"_qs);
    QVERIFY2(!expected.is_discarded(), "expected.json is missing or not valid JSON");
    QVERIFY2(actual == expected, actual.dump(2).c_str());
    // What the summary says for each trigger.
    for (const auto& trigger : actual["triggers"])
        QVERIFY2(
            summary.contains(QString::fromStdString(trigger["verdict_text"].get<std::string>())), qPrintable(summary));
}

void TestImpactCli::noGoalNoImpact()
{
    // The demo's own products.json has no goal: the report is as before.
    QTemporaryDir dir;
    QVERIFY(makeWorkspace(dir, kDemo + u"/products.json"_qs));
    const json report = generateAndReplay(dir, { u"--sessions"_qs, u"20"_qs, u"--plant-effect"_qs, u"default"_qs });
    QVERIFY(report.is_object());
    QVERIFY(!report.contains("impact"));
    QVERIFY(!contents(dir.filePath(u"report.html"_qs)).contains("id=\"impact\""));
}

void TestImpactCli::badEffectIsAnError()
{
    QTemporaryDir dir;
    QVERIFY(makeWorkspace(dir, kCases + u"/too-small/products.json"_qs));
    const auto result = run({ u"generate-sessions"_qs, dir.path(), u"--plant-effect"_qs, u"lift=200"_qs });
    QCOMPARE(result.exitCode, 2);
    QCOMPARE(result.err, u"--plant-effect: \"lift=200\": lift is in points, from -100 to 100.\n"_qs);
    const auto unknown = run({ u"generate-sessions"_qs, dir.path(), u"--plant-effect"_qs, u"uplift=5"_qs });
    QCOMPARE(unknown.exitCode, 2);
    QVERIFY2(unknown.err.contains(u"unknown part \"uplift\""_qs), qPrintable(unknown.err));
}

QTEST_GUILESS_MAIN(TestImpactCli)
#include "tst_impactcli.moc"
