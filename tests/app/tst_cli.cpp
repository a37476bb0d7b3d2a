// The command line as a user runs it: the real executable in a QProcess,
// on the bundled demo workspace and on a deliberately broken one.

#include "studioprocess.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>
#include <nlohmann/json.hpp>

using proactive::testing::runStudio;
using proactive::testing::StudioRun;

namespace {

const QString kStudio = QStringLiteral(PROACTIVE_STUDIO_EXECUTABLE);
const QString kDemo = QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace");
const QString kBroken = QStringLiteral(PROACTIVE_TEST_DATA "/workspaces/broken");

StudioRun run(const QStringList& arguments)
{
    return runStudio(kStudio, arguments, 60'000);
}

nlohmann::json parse(const QString& text)
{
    return nlohmann::json::parse(text.toStdString(), nullptr, false);
}

} // namespace

class TestCli final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void usageOnHelp();
    void commandHelpNamesTheCommand();
    void unknownCommand();
    void versionNamesTheCommit();
    void validateDemoWorkspace();
    void validateBrokenWorkspaceListsEveryProblem();
    void validateJson();
    void validateMissingFolder();
    void evalDemoSessions_data();
    void evalDemoSessions();
    void evalExplainHasEveryGate();
    void evalBadInput_data();
    void evalBadInput();
};

void TestCli::usageOnHelp()
{
    // Without arguments the studio opens (GUI builds); --help lists the commands on stdout.
    const auto result = run({ u"--help"_qs });
    QCOMPARE(result.exitCode, 0);
    QVERIFY(result.out.contains(u"validate"_qs));
    QVERIFY(result.out.contains(u"eval"_qs));
}

void TestCli::commandHelpNamesTheCommand()
{
    // The man pages are generated from these texts: "Usage:" names the command, whatever path ran it.
    const auto result = run({ u"validate"_qs, u"--help"_qs });
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(
        result.out.startsWith(u"Usage: proactive-studio validate [options] workspace\n"_qs), qPrintable(result.out));
}

void TestCli::unknownCommand()
{
    const auto result = run({ u"frobnicate"_qs });
    QCOMPARE(result.exitCode, 2);
    QVERIFY(result.err.contains(u"Unknown command 'frobnicate'"_qs));
}

void TestCli::versionNamesTheCommit()
{
    const auto result = run({ u"--version"_qs });
    QCOMPARE(result.exitCode, 0);
    // The build's commit (12 hex digits, -dirty with uncommitted changes), or "unknown" outside a git checkout.
    static const QRegularExpression format(
        uR"(^proactive-studio \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)\n$)"_qs);
    QVERIFY2(format.match(result.out).hasMatch(), qPrintable(result.out));
}

void TestCli::validateDemoWorkspace()
{
    const auto result = run({ u"validate"_qs, kDemo });
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.out.contains(u"OK: 2 products, 5 triggers, 5 tours"_qs), qPrintable(result.out));
}

void TestCli::validateBrokenWorkspaceListsEveryProblem()
{
    const auto result = run({ u"validate"_qs, kBroken });
    QCOMPARE(result.exitCode, 1);
    QFile expectedFile(kBroken + u"/expected.txt"_qs);
    QVERIFY(expectedFile.open(QIODevice::ReadOnly));
    const QStringList expected = QString::fromUtf8(expectedFile.readAll()).split(u'\n', Qt::SkipEmptyParts);
    QStringList actual = result.out.split(u'\n', Qt::SkipEmptyParts);
    QVERIFY(!actual.isEmpty());
    const QString summary = actual.takeLast();
    QCOMPARE(summary, u"%1 problems in %2"_qs.arg(expected.size()).arg(kBroken));
    QCOMPARE(actual, expected);
}

void TestCli::validateJson()
{
    const auto result = run({ u"validate"_qs, u"--json"_qs, kBroken });
    QCOMPARE(result.exitCode, 1);
    const auto json = parse(result.out);
    QVERIFY(!json.is_discarded());
    QCOMPARE(json["ok"].get<bool>(), false);
    QCOMPARE(json["problems"].size(), std::size_t(12));
    QCOMPARE(json["problems"][0]["file"].get<std::string>(), std::string("products.json"));
    QCOMPARE(json["problems"][0]["path"].get<std::string>(), std::string("/0/webhook_secret"));
}

void TestCli::validateMissingFolder()
{
    const auto result = run({ u"validate"_qs, u"/nonexistent/workspace"_qs });
    QCOMPARE(result.exitCode, 1);
    QVERIFY2(result.out.contains(u"products.json:/: cannot open /nonexistent/workspace/products.json"_qs),
        qPrintable(result.out));
}

void TestCli::evalDemoSessions_data()
{
    QTest::addColumn<QString>("session");
    QTest::addColumn<QString>("at");
    QTest::addColumn<QString>("trigger"); // empty: no offer
    QTest::addColumn<QString>("skip");

    QTest::newRow("ping-pong") << u"ping-pong"_qs << u"+0"_qs << u"ping-pong"_qs << QString();
    QTest::newRow("hesitation") << u"create-project-hesitation"_qs << u"+0"_qs << u"create-project-hesitation"_qs
                                << QString();
    QTest::newRow("dwell-under-threshold") << u"settings-dwell"_qs << u"+44.999"_qs << QString() << u"no_trigger"_qs;
    QTest::newRow("dwell-at-threshold") << u"settings-dwell"_qs << u"+45"_qs << u"account-settings-dwell"_qs
                                        << QString();
    QTest::newRow("before-the-session") << u"ping-pong"_qs << u"2026-11-02T09:30:05Z"_qs << QString()
                                        << u"no_trigger"_qs;
}

void TestCli::evalDemoSessions()
{
    QFETCH(QString, session);
    QFETCH(QString, at);
    QFETCH(QString, trigger);
    QFETCH(QString, skip);
    const auto result = run({ u"eval"_qs, kDemo, u"--product"_qs, u"demo"_qs, u"--events"_qs,
        kDemo + u"/sessions/"_qs + session + u".jsonl"_qs, u"--at"_qs, at, u"--brief"_qs });
    QCOMPARE(result.exitCode, 0);
    const auto json = parse(result.out);
    QVERIFY2(!json.is_discarded(), qPrintable(result.out));
    QVERIFY(!json.contains("gates"));
    if (trigger.isEmpty()) {
        QVERIFY(json["proactive_trigger"].is_null());
        QCOMPARE(QString::fromStdString(json["proactive_skip_reason"].get<std::string>()), skip);
    } else {
        QCOMPARE(QString::fromStdString(json["proactive_trigger"]["trigger_id"].get<std::string>()), trigger);
        QVERIFY(json["proactive_skip_reason"].is_null());
        QCOMPARE(json["state"].get<std::string>(), std::string("proactive_assistance"));
    }
}

void TestCli::evalExplainHasEveryGate()
{
    const auto result = run({ u"eval"_qs, kDemo, u"--product"_qs, u"demo"_qs, u"--events"_qs,
        kDemo + u"/sessions/settings-dwell.jsonl"_qs, u"--at"_qs, u"+30"_qs });
    QCOMPARE(result.exitCode, 0);
    const auto json = parse(result.out);
    const std::vector<std::string> order { "product", "fsm", "resilience", "triggers", "quotas", "bookkeeping" };
    QCOMPARE(json["gates"].size(), order.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        QCOMPARE(json["gates"][i]["gate"].get<std::string>(), order[i]);
    const auto& triggers = json["gates"][3];
    QCOMPARE(triggers["verdict"].get<std::string>(), std::string("block"));
    QCOMPARE(triggers["triggers"].size(), std::size_t(4));
    // The dwell trigger explains itself: 30 s of 60 s on the account page.
    const auto& dwell = triggers["triggers"][2];
    QCOMPARE(dwell["trigger_id"].get<std::string>(), std::string("account-settings-dwell"));
    const auto text = dwell["condition"].dump();
    QVERIFY2(text.find("dwell 30 s < 45 s on /settings/account") != std::string::npos, text.c_str());
}

void TestCli::evalBadInput_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");

    const QString events = kDemo + u"/sessions/ping-pong.jsonl"_qs;
    QTest::newRow("missing-options") << QStringList { u"eval"_qs, kDemo } << 2 << u"needs a workspace folder"_qs;
    QTest::newRow("unknown-product") << QStringList { u"eval"_qs, kDemo, u"--product"_qs, u"nope"_qs, u"--events"_qs,
        events } << 1 << u"no usable product \"nope\""_qs;
    QTest::newRow("missing-events-file") << QStringList { u"eval"_qs, kDemo, u"--product"_qs, u"demo"_qs,
        u"--events"_qs, u"/nonexistent.jsonl"_qs }
                                         << 1 << u"cannot open /nonexistent.jsonl"_qs;
    QTest::newRow("unknown-session") << QStringList { u"eval"_qs, kDemo, u"--product"_qs, u"demo"_qs, u"--events"_qs,
        events, u"--session"_qs, u"nobody"_qs }
                                     << 1 << u"no events of session \"nobody\""_qs;
    QTest::newRow("bad-time") << QStringList { u"eval"_qs, kDemo, u"--product"_qs, u"demo"_qs, u"--events"_qs, events,
        u"--at"_qs, u"tomorrow"_qs }
                              << 2 << u"--at: expected an ISO 8601 time or +SECONDS"_qs;
    QTest::newRow("malformed-lines-are-skipped-not-fatal") << QStringList { u"eval"_qs, kDemo, u"--product"_qs,
        u"demo"_qs, u"--events"_qs, QStringLiteral(PROACTIVE_TEST_DATA "/workspaces/malformed-events.jsonl"),
        u"--brief"_qs } << 0 << u"line 2"_qs;
}

void TestCli::evalBadInput()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const auto result = run(arguments);
    QCOMPARE(result.exitCode, exitCode);
    QVERIFY2(result.err.contains(message), qPrintable(result.err));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
