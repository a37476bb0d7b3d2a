#include "commands.h"
#include "groundtruth/labelset.h"
#include "replay/sessionimport.h"
#include "tourcatalog.h"
#include "tourreferences.h"
#include "triggers/trigger.h"
#include "workspace/workspace.h"

#include <QCommandLineParser>
#include <QTextStream>
#include <nlohmann/json.hpp>

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

    // Labels are checked against the workspace's own recordings (sessions/),
    // the only sessions a workspace names.
    const LabelSet labels = LabelSet::load(root, diagnostics);
    if (!labels.empty()) {
        auto shared = std::make_shared<const Workspace>(workspace);
        const std::filesystem::path folder = root / "sessions";
        auto imported = importSessions(shared, std::span(&folder, 1));
        std::vector<std::string> tourIds;
        for (const auto& tour : tours.tours())
            tourIds.push_back(tour.id);
        const std::span<const RecordedSession> sessions
            = imported ? std::span<const RecordedSession>(imported->sessions) : std::span<const RecordedSession>();
        for (auto& d : checkLabels(labels, workspace, sessions, tourIds))
            diagnostics.push_back(std::move(d));
    }

    std::size_t triggerCount = 0;
    for (const auto& product : workspace.products())
        triggerCount += product.triggers->triggers().size();

    if (parser.isSet(jsonOption)) {
        nlohmann::json result { { "ok", diagnostics.empty() }, { "products", workspace.products().size() },
            { "triggers", triggerCount }, { "tours", tours.tours().size() },
            { "labelled_sessions", labels.sessions().size() }, { "problems", nlohmann::json::array() },
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
        << tours.tours().size() << " tours"
        << (labels.empty() ? QString() : u", %1 labelled sessions"_qs.arg(labels.sessions().size())) << " in "
        << QString::fromStdString(root.string()) << '\n';
    return 0;
}

} // namespace proactive::app
