#include "buildcommit.h"
#include "commands.h"

#include <QCoreApplication>
#include <QTextStream>

#ifdef PROACTIVE_HAVE_STUDIO
#include "studio/graphicssetup.h"

#include <QApplication>
#endif

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

struct Command {
    std::function<int(const QStringList&)> run;
    const char* summary;
    // Commands that show or render pages need a QApplication (QtWebEngine);
    // the others run headless on a QCoreApplication.
    bool needsGui = false;
    bool alwaysHeadless = false; // offscreen even without --headless (lint-tours)
};

const std::map<QString, Command>& commands()
{
    using namespace proactive::app;
    static const std::map<QString, Command> table {
        { u"validate"_qs, { runValidate, "check a workspace's products, triggers and tours; exit 1 on problems" } },
        { u"eval"_qs, { runEval, "feed a JSON-lines event file and print the /context answer at a given time" } },
        { u"serve"_qs,
            { runServe, "run the connector as an HTTP service (posthog-js, webhook, /context, Dify retrieval)" } },
        { u"store"_qs,
            { runStore, "copy a connector's SQLite state into another store (Redis, for several instances)" } },
        { u"dify-sim"_qs, { runDifySim, "run the offline Dify-compatible chat server on the workspace's tours" } },
        { u"prompt"_qs, { runPrompt, "print the tour catalog and selection rules for the Dify system prompt" } },
        { u"replay"_qs,
            { runReplay, "replay recorded PostHog sessions on a virtual clock; firings, gates, sweeps, diffs" } },
        { u"generate-sessions"_qs,
            { runGenerateSessions, "simulate personas on the demo product: recorded sessions with their labels" } },
        { u"propose-labels"_qs,
            { runProposeLabels, "propose help_wanted labels for recorded sessions (rage clicks, idle forms, ...)" } },
#ifdef PROACTIVE_HAVE_STUDIO
        { u"studio"_qs, { runStudio, "open the studio (the default without a command)", true } },
        { u"run-scenario"_qs,
            { runScenario, "play a demo scenario against the live page; --headless for tests", true } },
        { u"lint-tours"_qs,
            { runLintTours, "open every tour's page headless and check each step's target; exit 1 on problems", true,
                true } },
#endif
    };
    return table;
}

void printUsage(QTextStream& out)
{
    out << "Usage: proactive-studio [--workspace DIR]\n       proactive-studio <command> [options]\n\nCommands:\n";
    for (const auto& [name, command] : commands())
        out << "  " << name.leftJustified(19) << command.summary << '\n';
    out << "\nRun 'proactive-studio <command> --help' for a command's options.\n";
}

// The command name: argv[1], or the studio when there is none or the first
// argument is an option of the studio's (`--workspace DIR`).
QString commandName(int argc, char** argv)
{
    if (argc < 2)
        return u"studio"_qs;
    const QString first = QString::fromLocal8Bit(argv[1]);
    if (first.startsWith(u"--workspace"_qs))
        return u"studio"_qs;
    return first;
}

// QCommandLineParser names the program in "Usage:" with argv[0], so each
// command sees argv[0] = "proactive-studio <command>" and its own options
// after it: `serve --help` reads "Usage: proactive-studio serve [options]",
// which the man pages are generated from (packaging/).
std::vector<char*> commandArgv(int argc, char** argv, const QString& name, std::string& program)
{
    program = std::filesystem::path(argv[0]).filename().string();
    const bool named = argc > 1 && QString::fromLocal8Bit(argv[1]) == name;
    if (named)
        program += ' ' + name.toStdString();
    std::vector<char*> result { program.data() };
    result.insert(result.end(), argv + (named ? 2 : 1), argv + argc);
    result.push_back(nullptr);
    return result;
}

} // namespace

int main(int argc, char** argv)
{
    const QString name = commandName(argc, argv);
    const auto it = commands().find(name);
    std::string program;
    std::vector<char*> args = commandArgv(argc, argv, name, program);
    int count = int(args.size()) - 1;
    std::unique_ptr<QCoreApplication> app;
#ifdef PROACTIVE_HAVE_STUDIO
    if (it != commands().end() && it->second.needsGui) {
        proactive::ui::prepareGraphicsForWebEngine();
        // --headless: no window on screen, whatever display there is.
        const bool headless = it->second.alwaysHeadless
            || std::any_of(argv, argv + argc, [](const char* a) { return qstrcmp(a, "--headless") == 0; });
        if (headless && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        app = std::make_unique<QApplication>(count, args.data());
    }
#endif
    if (!app)
        app = std::make_unique<QCoreApplication>(count, args.data());
    QCoreApplication::setOrganizationName(u"ProactiveStudio"_qs);
    QCoreApplication::setApplicationName(u"proactive-studio"_qs);
    QCoreApplication::setApplicationVersion(QStringLiteral(PROACTIVE_VERSION));

    QTextStream err(stderr);
    if (name == u"--version"_qs) {
        QTextStream(stdout) << "proactive-studio " << QCoreApplication::applicationVersion() << " (commit "
                            << PROACTIVE_COMMIT << ")\n";
        return 0;
    }
    if (name == u"--help"_qs || name == u"-h"_qs) {
        QTextStream out(stdout);
        printUsage(out);
        return 0;
    }
    if (it == commands().end()) {
        err << "Unknown command '" << name << "'.\n\n";
        printUsage(err);
        return 2;
    }
    return it->second.run(QCoreApplication::arguments());
}
