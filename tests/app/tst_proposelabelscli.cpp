// `proactive-studio propose-labels` as a user runs it: the real executable
// in a QProcess on the demo workspace's recorded sessions, its lines, its
// labels document (which the label reader takes without a problem), its
// settings file and its exit codes.

#include "groundtruth/labelset.h"
#include "studioprocess.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <nlohmann/json.hpp>

using proactive::testing::runStudio;
using proactive::testing::StudioRun;

namespace {

const QString kStudio = QStringLiteral(PROACTIVE_STUDIO_EXECUTABLE);
const QString kDemo = QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace");
const QString kSessions = kDemo + u"/sessions"_qs;
// The four hand-made recordings (the generated corpus beside them has labels of its own, docs/corpus.md).
const QStringList kHandMade { kSessions + u"/create-project-hesitation.jsonl"_qs, kSessions + u"/ping-pong.jsonl"_qs,
    kSessions + u"/project-settings-idle.jsonl"_qs, kSessions + u"/settings-dwell.jsonl"_qs };

StudioRun run(const QStringList& arguments)
{
    return runStudio(kStudio, QStringList { u"propose-labels"_qs } + arguments, 60'000);
}

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& content)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

} // namespace

class TestProposeLabelsCli final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void helpListsTheOptions();
    void linesPerSession();
    void labelsDocument();
    void settingsFile();
    void exitCodes_data();
    void exitCodes();
};

void TestProposeLabelsCli::helpListsTheOptions()
{
    const auto result = run({ u"--help"_qs });
    QCOMPARE(result.exitCode, 0);
    for (const char* option : { "--product", "--json", "--settings", "--author" })
        QVERIFY2(result.out.contains(QLatin1String(option)), option);
}

void TestProposeLabelsCli::linesPerSession()
{
    const auto result = run(QStringList { kDemo } + kHandMade);
    QCOMPARE(result.exitCode, 0);
    QCOMPARE(result.out.split(u'\n'),
        (QStringList { u"0193a1b2-c3d4-7e5f-8a9b-hesit0000003 +8 s…+44 s form_idle: 3 pauses of up to 13 s with a "
                       "dialog open (dialog.create-project) on /projects, and nothing submitted on that page "
                       "afterwards"_qs,
            u"0193a1b2-c3d4-7e5f-8a9b-ping00000001 +6.2 s…+21.3 s back_and_forth: back and forth between /projects "
            "and /projects/:slug (2 returns), then the session ended there"_qs,
            u"2 proposals in 2 of 4 sessions"_qs, QString() }));
}

void TestProposeLabelsCli::labelsDocument()
{
    const auto result
        = run(QStringList { kDemo } + kHandMade + QStringList { u"--json"_qs, u"--author"_qs, u"ana"_qs });
    QCOMPARE(result.exitCode, 0);
    const auto document = nlohmann::json::parse(result.out.toStdString(), nullptr, false);
    QVERIFY2(!document.is_discarded(), qPrintable(result.out));
    QCOMPARE(document["sessions"].size(), std::size_t(2));
    QCOMPARE(document["sessions"][0]["product"].get<std::string>(), std::string("demo"));
    QCOMPARE(document["sessions"][0]["ranges"][0]["author"].get<std::string>(), std::string("ana"));

    proactive::LabelSet labels;
    proactive::Diagnostics diagnostics;
    labels.add(document, "labels/proposed.json", diagnostics);
    QVERIFY(diagnostics.empty());
    QCOMPARE(labels.rangeCount(), std::size_t(2));
}

void TestProposeLabelsCli::settingsFile()
{
    QTemporaryDir dir;
    const QString goal = writeFile(dir, u"goal.json"_qs,
        R"({"form_idle": {"enabled": false}, "goals": [{"event": "project created", "pages": ["/projects"]}]})");
    const auto result = run(QStringList { kDemo } + kHandMade + QStringList { u"--settings"_qs, goal });
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.out.contains(u"hesit0000003 +8 s…+44 s goal_not_reached: never reached \"project created\": 4 "
                                 "actions on /projects in the 36 s before the session ended\n"_qs),
        qPrintable(result.out));
    QVERIFY2(!result.out.contains(u"form_idle"_qs), qPrintable(result.out));
}

void TestProposeLabelsCli::exitCodes_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("settings"); // written to a file given as --settings
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");

    QTest::newRow("no-sessions-argument")
        << QStringList { kDemo } << QByteArray() << 2 << u"needs a workspace folder"_qs;
    QTest::newRow("settings-unknown-field")
        << QStringList { kDemo, kSessions } << QByteArray(R"({"rage_click": {"min_click": 3}})") << 2
        << u"--settings: %1:/rage_click/min_click: unknown field"_qs;
    QTest::newRow("settings-not-json") << QStringList { kDemo, kSessions } << QByteArray("{") << 2
                                       << u"--settings: %1:"_qs;
    QTest::newRow("missing-input") << QStringList { kDemo, kSessions + u"/nope.jsonl"_qs } << QByteArray() << 1
                                   << u"nope.jsonl does not exist"_qs;
    QTest::newRow("unknown-product") << QStringList { kDemo, kSessions, u"--product"_qs, u"nope"_qs } << QByteArray()
                                     << 1 << u"nope"_qs;
    QTest::newRow("missing-workspace") << QStringList { kDemo + u"/nope"_qs, kSessions } << QByteArray() << 1
                                       << u"no usable product in"_qs;
}

void TestProposeLabelsCli::exitCodes()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, settings);
    QFETCH(int, exitCode);
    QFETCH(QString, message);

    QTemporaryDir dir;
    if (!settings.isEmpty()) {
        const QString file = writeFile(dir, u"proposals.json"_qs, settings);
        arguments << u"--settings"_qs << file;
        message = message.arg(file);
    }
    const auto result = run(arguments);
    QCOMPARE(result.exitCode, exitCode);
    QVERIFY2(result.err.contains(message), qPrintable(result.err));
}

QTEST_GUILESS_MAIN(TestProposeLabelsCli)
#include "tst_proposelabelscli.moc"
