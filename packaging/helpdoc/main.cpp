// proactive-helpdoc: runs the built proactive-studio with --help, once for the
// program and once per command, and writes the man pages and the bash
// completion from those texts (packaging/CMakeLists.txt runs it at build time).

#include "helpdoc.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTextStream>
#include <optional>

namespace {

using namespace proactive::helpdoc;

// The binary's --help output (stdout), or nothing when it does not run or fails.
std::optional<QString> helpText(const QString& binary, const QStringList& arguments, QString* error)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"QT_QPA_PLATFORM"_qs, u"offscreen"_qs); // the GUI commands' --help needs no display
    process.setProcessEnvironment(environment);
    process.start(binary, arguments);
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        *error = binary + u' ' + arguments.join(u' ') + u": "_qs
            + (process.error() == QProcess::FailedToStart ? process.errorString()
                                                          : QString::fromLocal8Bit(process.readAllStandardError()));
        return std::nullopt;
    }
    return QString::fromUtf8(process.readAllStandardOutput());
}

bool writeFile(const QString& path, const QString& text, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text.toUtf8()) < 0 || !file.flush()) {
        *error = path + u": "_qs + file.errorString();
        return false;
    }
    return true;
}

int fail(const QString& message)
{
    QTextStream(stderr) << "proactive-helpdoc: " << message << '\n';
    return 1;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Writes man pages and bash completion from a program's --help texts."_qs);
    parser.addHelpOption();
    const QCommandLineOption binaryOption(u"binary"_qs, u"The program to run."_qs, u"file"_qs);
    const QCommandLineOption outOption(u"out"_qs, u"Output folder: man/*.1 and bash-completion/NAME."_qs, u"dir"_qs);
    const QCommandLineOption versionOption(u"version"_qs, u"Version in the pages' footer."_qs, u"version"_qs);
    const QCommandLineOption descriptionOption(
        u"description"_qs, u"One line on what the program is, for its own page."_qs, u"text"_qs);
    const QCommandLineOption extraOption(
        u"extra"_qs, u"roff fragment appended to the program's own page (FILES, ENVIRONMENT)."_qs, u"file"_qs);
    parser.addOptions({ binaryOption, outOption, versionOption, descriptionOption, extraOption });
    parser.process(app);
    if (!parser.isSet(binaryOption) || !parser.isSet(outOption))
        return fail(u"--binary and --out are required"_qs);

    const QString binary = parser.value(binaryOption);
    const QString program = QFileInfo(binary).fileName();
    const ManPageInfo info { program + u' ' + parser.value(versionOption), u"Proactive Studio"_qs };
    QString error;

    const auto topText = helpText(binary, { u"--help"_qs }, &error);
    if (!topText)
        return fail(error);
    const auto top = parseProgramHelp(*topText);
    if (!top)
        return fail(program + u" --help: "_qs + QString::fromStdString(top.error().message));

    const QDir out(parser.value(outOption));
    if (!out.mkpath(u"man"_qs) || !out.mkpath(u"bash-completion"_qs))
        return fail(u"cannot create folders in "_qs + out.path());

    std::vector<CommandHelp> commands;
    for (const CommandSummary& command : top->commands) {
        const auto text = helpText(binary, { command.name, u"--help"_qs }, &error);
        if (!text)
            return fail(error);
        auto help = parseCommandHelp(*text);
        if (!help)
            return fail(program + u' ' + command.name + u" --help: "_qs + QString::fromStdString(help.error().message));
        const QString page = out.filePath(u"man/"_qs + program + u'-' + command.name + u".1"_qs);
        if (!writeFile(page, commandManPage(*help, command.summary, info), &error))
            return fail(error);
        commands.push_back(std::move(*help));
    }

    QString extra;
    if (parser.isSet(extraOption)) {
        QFile file(parser.value(extraOption));
        if (!file.open(QIODevice::ReadOnly))
            return fail(file.fileName() + u": "_qs + file.errorString());
        extra = QString::fromUtf8(file.readAll());
    }
    const QString ownPage = programManPage(program, parser.value(descriptionOption), *top, extra, info);
    if (!writeFile(out.filePath(u"man/"_qs + program + u".1"_qs), ownPage, &error)
        || !writeFile(out.filePath(u"bash-completion/"_qs + program), bashCompletion(program, *top, commands), &error))
        return fail(error);
    return 0;
}
