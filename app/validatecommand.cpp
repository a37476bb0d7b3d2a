#include "commands.h"

#include "tourcatalog.h"
#include "tourreferences.h"
#include "triggers/trigger.h"
#include "workspace/workspace.h"

#include <nlohmann/json.hpp>

#include <QCommandLineParser>
#include <QTextStream>

namespace proactive::app {

int runValidate(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Checks a workspace: products.json, trigger files and tour files. Prints every "
                                     "problem as file:json-pointer: reason and exits 1 if there is any."_qs);
    parser.addHelpOption();
    parser.addPositionalArgument(u"workspace"_qs, u"The workspace folder (contains products.json)."_qs);
    const QCommandLineOption jsonOption(u"json"_qs, u"Print the result as JSON."_qs);
    parser.addOption(jsonOption);
    parser.process(arguments);

    QTextStream out(stdout);
    QTextStream err(stderr);
    if (parser.positionalArguments().size() != 1) {
        err << "validate needs exactly one workspace folder.\n" << parser.helpText();
        return 2;
    }
    const std::filesystem::path root = parser.positionalArguments().first().toStdString();

    Diagnostics diagnostics;
    const Workspace workspace = Workspace::load(root, diagnostics);
    const TourCatalog tours = loadTourCatalogDir(root / "tours", diagnostics);
    for (auto& d : checkTourReferences(workspace, tours))
        diagnostics.push_back(std::move(d));

    std::size_t triggerCount = 0;
    for (const auto& product : workspace.products())
        triggerCount += product.triggers->triggers().size();

    if (parser.isSet(jsonOption)) {
        nlohmann::json result { { "ok", diagnostics.empty() }, { "products", workspace.products().size() },
            { "triggers", triggerCount }, { "tours", tours.tours().size() }, { "problems", nlohmann::json::array() },
            { "notes", workspace.notes() } };
        for (const auto& d : diagnostics)
            result["problems"].push_back({ { "file", d.file }, { "path", d.path }, { "message", d.message } });
        out << QString::fromStdString(result.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)) << '\n';
        return diagnostics.empty() ? 0 : 1;
    }

    for (const auto& d : diagnostics)
        out << QString::fromStdString(d.toString()) << '\n';
    for (const auto& note : workspace.notes())
        out << "note: " << QString::fromStdString(note) << '\n';
    if (!diagnostics.empty()) {
        out << diagnostics.size() << (diagnostics.size() == 1 ? " problem" : " problems") << " in "
            << QString::fromStdString(root.string()) << '\n';
        return 1;
    }
    out << "OK: " << workspace.products().size() << " products, " << triggerCount << " triggers, "
        << tours.tours().size() << " tours in " << QString::fromStdString(root.string()) << '\n';
    return 0;
}

} // namespace proactive::app
