#include "commands.h"
#include "tourcatalog.h"
#include "tourprompt.h"

#include <QCommandLineParser>
#include <QDir>
#include <QTextStream>

namespace proactive::app {

int runPrompt(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Prints the \"Tour catalog\" and \"Tour selection rules\" sections of the Dify system prompt, generated "
        "from the workspace's tours, to paste into Dify Studio → Orchestrate. Exits 1, printing only the problems, "
        "when a tour file has any: a prompt without those tours would silently never offer them."_qs);
    parser.addHelpOption();
    parser.addPositionalArgument(u"workspace"_qs, u"The workspace folder (tours are read from its tours/ folder)."_qs);
    parser.process(arguments);

    QTextStream out(stdout);
    QTextStream err(stderr);
    if (parser.positionalArguments().size() != 1) {
        err << "prompt needs exactly one workspace folder.\n" << parser.helpText();
        return 2;
    }
    const QString root = parser.positionalArguments().first();
    if (!QDir(root).exists()) {
        err << "no such workspace folder: " << root << '\n';
        return 1;
    }
    Diagnostics diagnostics;
    const TourCatalog catalog = loadTourCatalogDir(std::filesystem::path(root.toStdString()) / "tours", diagnostics);
    if (!diagnostics.empty()) {
        for (const auto& d : diagnostics)
            err << QString::fromStdString(d.toString()) << '\n';
        err << diagnostics.size() << (diagnostics.size() == 1 ? " problem" : " problems") << " in the tours of " << root
            << '\n';
        return 1;
    }
    out << QString::fromStdString(tourPromptSection(catalog));
    return 0;
}

} // namespace proactive::app
