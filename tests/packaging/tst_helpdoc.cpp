// The man page and completion writer (packaging/helpdoc) on golden folders:
// tests/data/packaging/helpdoc/<case>/help.txt (and summary.txt) →
// expected.1; program/ also gives expected.bash from the other cases'
// texts. PROACTIVE_UPDATE_GOLDEN=1 rewrites the expected files. Malformed
// help texts are errors that say where.

#include "helpdoc.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace proactive::helpdoc;

namespace {

const QDir kCases(QStringLiteral(PROACTIVE_TEST_DATA "/packaging/helpdoc"));
const ManPageInfo kInfo { u"proactive-studio 0.1.0"_qs, u"Proactive Studio"_qs };

QString readText(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

// Compares with the golden file, or rewrites it when asked to.
void compareGolden(const QString& actual, const QString& path)
{
    if (qEnvironmentVariableIsSet("PROACTIVE_UPDATE_GOLDEN")) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(actual.toUtf8());
        return;
    }
    QCOMPARE(actual, readText(path));
}

CommandHelp parsedCase(const QString& name)
{
    auto help = parseCommandHelp(readText(kCases.filePath(name + u"/help.txt"_qs)));
    if (!help)
        qFatal("%s: %s", qPrintable(name), help.error().message.c_str());
    return *help;
}

} // namespace

class TestHelpdoc : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesOptionsAndArguments();
    void commandPage_data();
    void commandPage();
    void programPageAndCompletion();
    void malformedHelp_data();
    void malformedHelp();
};

void TestHelpdoc::parsesOptionsAndArguments()
{
    const CommandHelp help = parsedCase(u"arguments"_qs);
    QCOMPARE(help.program, u"proactive-studio replay"_qs);
    QCOMPARE(help.synopsis, u"[options] workspace SESSIONS..."_qs);
    QCOMPARE(help.options.size(), 3u);
    QCOMPARE(help.options.at(0).names, (QStringList { u"-h"_qs, u"--help"_qs }));
    QCOMPARE(help.options.at(1).valueName, u"path=values"_qs);
    // A wrapped description is one sentence again.
    QCOMPARE(help.options.at(1).description,
        u"Vary a setting: path=v1,v2,... or path=first:last:step, e.g. user_page_dwell.threshold_s=30,45,60."_qs);
    QCOMPARE(help.arguments.size(), 2u);
    QCOMPARE(help.arguments.at(1).name, u"sessions"_qs);
}

void TestHelpdoc::commandPage_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("command") << u"command"_qs;
    QTest::newRow("arguments") << u"arguments"_qs;
}

void TestHelpdoc::commandPage()
{
    QFETCH(QString, name);
    const QString summary = readText(kCases.filePath(name + u"/summary.txt"_qs)).trimmed();
    compareGolden(commandManPage(parsedCase(name), summary, kInfo), kCases.filePath(name + u"/expected.1"_qs));
}

void TestHelpdoc::programPageAndCompletion()
{
    const auto program = parseProgramHelp(readText(kCases.filePath(u"program/help.txt"_qs)));
    QVERIFY2(program.ok(), program.ok() ? "" : program.error().message.c_str());
    QCOMPARE(program->usage,
        (QStringList { u"proactive-studio [--workspace DIR]"_qs, u"proactive-studio <command> [options]"_qs }));
    QCOMPARE(program->commands.size(), 2u);
    const QString extra = readText(kCases.filePath(u"program/extra.roff"_qs));
    compareGolden(programManPage(u"proactive-studio"_qs, u"Author proactive help"_qs, *program, extra, kInfo),
        kCases.filePath(u"program/expected.1"_qs));
    compareGolden(
        bashCompletion(u"proactive-studio"_qs, *program, { parsedCase(u"arguments"_qs), parsedCase(u"command"_qs) }),
        kCases.filePath(u"program/expected.bash"_qs));
}

void TestHelpdoc::malformedHelp_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("no usage") << u"Runs things.\n"_qs << u"the first line is not \"Usage: PROGRAM ...\""_qs;
    QTest::newRow("continuation first") << u"Usage: p [options]\n\nOptions:\n      wrapped text\n"_qs
                                        << u"Options: a continuation line before any entry: \"      wrapped text\""_qs;
    QTest::newRow("not an option") << u"Usage: p [options]\n\nOptions:\n  help  Displays help.\n"_qs
                                   << u"Options: not an option: \"help\""_qs;
    QTest::newRow("not indented") << u"Usage: p [options]\n\nOptions:\n -x  Something.\n"_qs
                                  << u"Options: not an indented entry: \" -x  Something.\""_qs;
}

void TestHelpdoc::malformedHelp()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    const auto help = parseCommandHelp(text);
    QVERIFY(!help.ok());
    QCOMPARE(QString::fromStdString(help.error().message), message);
}

QTEST_GUILESS_MAIN(TestHelpdoc)
#include "tst_helpdoc.moc"
