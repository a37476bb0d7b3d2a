// generate-sessions as a user runs it: the real executable in a QProcess.
// The shipped demo corpus is what docs/corpus.md's command line writes, and
// a workspace with a generated corpus validates and replays.

#include "studioprocess.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using proactive::testing::runStudio;
using proactive::testing::StudioRun;

namespace {

const QString kStudio = QStringLiteral(PROACTIVE_STUDIO_EXECUTABLE);
const QString kDemo = QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace");
const QStringList kCorpusFiles { u"sessions/generated-confident.jsonl"_qs, u"sessions/generated-hesitant.jsonl"_qs,
    u"sessions/generated-lost.jsonl"_qs, u"sessions/generated-idle.jsonl"_qs, u"sessions/generated-returning.jsonl"_qs,
    u"labels/generated.json"_qs };

StudioRun run(const QStringList& arguments)
{
    return runStudio(kStudio, arguments, 120'000);
}

QByteArray contents(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool copyFile(const QString& from, const QString& to)
{
    QDir().mkpath(QFileInfo(to).absolutePath());
    return QFile::copy(from, to);
}

} // namespace

class TestGenerateCli final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void helpListsTheOptions();
    void shippedCorpusIsReproducible();
    void generatedWorkspaceValidatesAndReplays();
    void aPersonaLeftOutLosesItsFile();
    void exitCodes_data();
    void exitCodes();
};

void TestGenerateCli::helpListsTheOptions()
{
    const auto result = run({ u"generate-sessions"_qs, u"--help"_qs });
    QCOMPARE(result.exitCode, 0);
    for (const char* option :
        { "--product", "--sessions", "--seed", "--out", "--personas", "--start", "--days", "--plant-effect" })
        QVERIFY2(result.out.contains(QLatin1String(option)), option);
    const auto usage = run({ u"--help"_qs });
    QVERIFY(usage.out.contains(u"generate-sessions"_qs));
}

void TestGenerateCli::shippedCorpusIsReproducible()
{
    // The command line of docs/corpus.md, into another folder: the same bytes as resources/demo-workspace.
    QTemporaryDir dir;
    const auto result = run({ u"generate-sessions"_qs, kDemo, u"--sessions"_qs, u"300"_qs, u"--seed"_qs, u"15"_qs,
        u"--out"_qs, dir.path() });
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.out.startsWith(u"Generated 300 sessions ("_qs), qPrintable(result.out));
    QVERIFY2(result.out.contains(u"confident 120 hesitant 60 lost 45 idle 45 returning 30"_qs), qPrintable(result.out));
    for (const QString& file : kCorpusFiles) {
        const QByteArray generated = contents(dir.filePath(file));
        QVERIFY2(!generated.isEmpty(), qPrintable(file));
        QVERIFY2(generated == contents(kDemo + u'/' + file), qPrintable(file));
    }
}

void TestGenerateCli::generatedWorkspaceValidatesAndReplays()
{
    QTemporaryDir dir;
    for (const char* file :
        { "products.json", "triggers/demo.json", "tours/demo.json" }) // a workspace without recordings
        QVERIFY(copyFile(kDemo + u'/' + QLatin1String(file), dir.filePath(QLatin1String(file))));
    const auto generated = run({ u"generate-sessions"_qs, dir.path(), u"--sessions"_qs, u"40"_qs, u"--seed"_qs, u"3"_qs,
        u"--start"_qs, u"2027-01-04T09:00:00Z"_qs, u"--days"_qs, u"5"_qs });
    QCOMPARE(generated.exitCode, 0);
    QVERIFY2(generated.out.startsWith(u"Generated 40 sessions ("_qs), qPrintable(generated.out));
    QVERIFY2(generated.out.contains(u"Labels: 40 sessions, fully labelled;"_qs), qPrintable(generated.out));
    QVERIFY(contents(dir.filePath(u"sessions/generated-idle.jsonl"_qs)).contains("\"timestamp\":\"2027-01-"));

    const auto validated = run({ u"validate"_qs, dir.path() });
    QCOMPARE(validated.exitCode, 0);
    QVERIFY2(validated.out.contains(u"40 labelled sessions"_qs), qPrintable(validated.out));

    const auto replayed = run({ u"replay"_qs, dir.path(), dir.filePath(u"sessions"_qs) });
    QCOMPARE(replayed.exitCode, 0);
    QVERIFY2(replayed.out.startsWith(u"Replayed 40 sessions ("_qs), qPrintable(replayed.out));
    QVERIFY2(replayed.out.contains(u"Ground truth: 40 labelled sessions of 40"_qs), qPrintable(replayed.out));
    QVERIFY2(replayed.err.isEmpty(), qPrintable(replayed.err)); // no import diagnostic
}

void TestGenerateCli::aPersonaLeftOutLosesItsFile()
{
    QTemporaryDir dir;
    QVERIFY(copyFile(kDemo + u"/sessions/ping-pong.jsonl"_qs, dir.filePath(u"sessions/ping-pong.jsonl"_qs)));
    QCOMPARE(run({ u"generate-sessions"_qs, kDemo, u"--sessions"_qs, u"10"_qs, u"--out"_qs, dir.path() }).exitCode, 0);
    QVERIFY(QFile::exists(dir.filePath(u"sessions/generated-confident.jsonl"_qs)));
    const auto result = run({ u"generate-sessions"_qs, kDemo, u"--sessions"_qs, u"10"_qs, u"--personas"_qs,
        u"lost=1"_qs, u"--out"_qs, dir.path() });
    QCOMPARE(result.exitCode, 0);
    QVERIFY2(result.out.contains(u"confident 0 hesitant 0 lost 10 idle 0 returning 0"_qs), qPrintable(result.out));
    QCOMPARE(QDir(dir.filePath(u"sessions"_qs)).entryList(QDir::Files, QDir::Name),
        (QStringList { u"generated-lost.jsonl"_qs, u"ping-pong.jsonl"_qs })); // other files are left alone
}

void TestGenerateCli::exitCodes_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");

    const QString command = u"generate-sessions"_qs;
    QTest::newRow("no-workspace") << QStringList { command } << 2 << u"needs exactly one workspace folder"_qs;
    QTest::newRow("zero-sessions") << QStringList { command, kDemo, u"--sessions"_qs, u"0"_qs } << 2
                                   << u"--sessions must be a whole number from 1 to 1000000, not '0'"_qs;
    QTest::newRow("bad-seed") << QStringList { command, kDemo, u"--seed"_qs, u"x"_qs } << 2
                              << u"--seed must be a whole number"_qs;
    QTest::newRow("bad-start") << QStringList { command, kDemo, u"--start"_qs, u"monday"_qs } << 2
                               << u"--start must be an ISO 8601 time"_qs;
    QTest::newRow("bad-days") << QStringList { command, kDemo, u"--days"_qs, u"0"_qs } << 2
                              << u"--days must be a whole number from 1 to 3660, not '0'"_qs;
    QTest::newRow("unknown-persona") << QStringList { command, kDemo, u"--personas"_qs, u"bored=1"_qs } << 2
                                     << u"--personas: unknown persona \"bored\""_qs;
    QTest::newRow("unknown-product") << QStringList { command, kDemo, u"--product"_qs, u"nope"_qs } << 2
                                     << u"has no product 'nope'"_qs;
    QTest::newRow("unwritable-out") << QStringList { command, kDemo, u"--out"_qs, u"/proc/nope"_qs } << 1
                                    << u"write_failed"_qs;
}

void TestGenerateCli::exitCodes()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const auto result = run(arguments);
    QCOMPARE(result.exitCode, exitCode);
    QVERIFY2(result.err.contains(message), qPrintable(result.err));
}

QTEST_GUILESS_MAIN(TestGenerateCli)
#include "tst_generatecli.moc"
