#include "commands.h"

#include <QCoreApplication>
#include <QTextStream>

#include <functional>
#include <map>

namespace {

struct Command {
    std::function<int(const QStringList&)> run;
    const char* summary;
};

const std::map<QString, Command>& commands()
{
    using namespace proactive::app;
    static const std::map<QString, Command> table {
        { u"validate"_qs, { runValidate, "check a workspace's products, triggers and tours; exit 1 on problems" } },
        { u"eval"_qs, { runEval, "feed a JSON-lines event file and print the /context answer at a given time" } },
        { u"serve"_qs,
            { runServe, "run the connector as an HTTP service (posthog-js, webhook, /context, Dify retrieval)" } },
    };
    return table;
}

int usage(QTextStream& out)
{
    out << "Usage: proactive-studio <command> [options]\n\nCommands:\n";
    for (const auto& [name, command] : commands())
        out << "  " << name.leftJustified(10) << command.summary << '\n';
    out << "\nRun 'proactive-studio <command> --help' for a command's options.\n";
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"proactive-studio"_qs);
    QCoreApplication::setApplicationVersion(QStringLiteral(PROACTIVE_VERSION));

    QStringList arguments = QCoreApplication::arguments();
    QTextStream err(stderr);
    if (arguments.size() < 2) {
        return usage(err);
    }
    const QString name = arguments.at(1);
    if (name == u"--version"_qs) {
        QTextStream(stdout) << "proactive-studio " << QCoreApplication::applicationVersion() << '\n';
        return 0;
    }
    const auto it = commands().find(name);
    if (it == commands().end()) {
        if (name != u"--help"_qs && name != u"-h"_qs)
            err << "Unknown command '" << name << "'.\n\n";
        return usage(err);
    }
    arguments.removeAt(1);
    arguments[0] = arguments[0] + u' ' + name; // "proactive-studio validate" in --help output
    return it->second.run(arguments);
}
