#include "commands.h"
#include "groundtruth/labelproposals.h"
#include "replay/sessionimport.h"
#include "workspace/workspace.h"

#include <QCommandLineParser>
#include <QTextStream>
#include <nlohmann/json.hpp>

namespace proactive::app {

int runProposeLabels(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Proposes help_wanted ranges for recorded PostHog sessions: rage clicks, back and forth then leaving, "
        "long idle on a form, support requests, goals never reached (docs/labels.md, \"Proposed labels\"). "
        "A proposal is not a label until someone accepts it: review them, then commit what is right."_qs);
    parser.addHelpOption();
    parser.addPositionalArgument(u"workspace"_qs, u"The workspace folder (contains products.json)."_qs);
    parser.addPositionalArgument(u"sessions"_qs, u"Export files or folders of them."_qs, u"SESSIONS..."_qs);
    const QCommandLineOption productOption(u"product"_qs,
        u"Product the events belong to (default: by the events' project token, or the workspace's only product)."_qs,
        u"id"_qs);
    const QCommandLineOption jsonOption(
        u"json"_qs, u"Print the proposals as a labels document (docs/labels.md) instead of one line each."_qs);
    const QCommandLineOption settingsOption(
        u"settings"_qs, u"The heuristics' settings (a JSON file; default: their defaults)."_qs, u"file"_qs);
    const QCommandLineOption authorOption(u"author"_qs,
        u"The ranges' author in the labels document (default: propose-labels)."_qs, u"name"_qs, u"propose-labels"_qs);
    parser.addOptions({ productOption, jsonOption, settingsOption, authorOption });
    parser.process(arguments);

    QTextStream out(stdout);
    QTextStream err(stderr);
    const QStringList positional = parser.positionalArguments();
    if (positional.size() < 2) {
        err << "propose-labels needs a workspace folder and at least one sessions file or folder.\n"
            << parser.helpText();
        return 2;
    }

    Diagnostics problems;
    const auto settings = parser.isSet(settingsOption)
        ? ProposalSettings::load(parser.value(settingsOption).toStdString(), problems)
        : ProposalSettings {};
    if (!problems.empty()) {
        for (const auto& d : problems)
            err << "--settings: " << QString::fromStdString(d.toString()) << '\n';
        return 2;
    }

    const std::string workspacePath = positional.first().toStdString();
    auto workspace = std::make_shared<const Workspace>(Workspace::load(workspacePath, problems));
    for (const auto& d : problems)
        err << QString::fromStdString(d.toString()) << '\n';
    if (workspace->products().empty()) {
        err << "no usable product in " << QString::fromStdString(workspacePath) << '\n';
        return 1;
    }

    std::vector<std::filesystem::path> inputs;
    for (qsizetype i = 1; i < positional.size(); ++i)
        inputs.emplace_back(positional[i].toStdString());
    ImportOptions options;
    options.productId = parser.value(productOption).toStdString();
    auto imported = importSessions(workspace, inputs, options);
    if (!imported) {
        err << QString::fromStdString(imported.error().message) << '\n';
        return 1;
    }
    for (const auto& d : imported->diagnostics)
        err << QString::fromStdString(d.toString()) << " (skipped)\n";
    if (imported->diagnosticsLeftOut > 0)
        err << "… and " << imported->diagnosticsLeftOut << " more problems with the input\n";
    if (imported->sessions.empty()) {
        err << "no sessions in the input\n";
        return 1;
    }

    std::vector<SessionProposals> proposed;
    std::size_t count = 0;
    for (const auto& session : imported->sessions) {
        proposed.push_back({ &session, proposeLabels(session, settings) });
        count += proposed.back().proposals.size();
    }

    if (parser.isSet(jsonOption)) {
        const auto document = proposedLabelsDocument(proposed, parser.value(authorOption).toStdString());
        out << QString::fromStdString(document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)) << '\n';
        return 0;
    }
    std::size_t sessionsWith = 0;
    for (const auto& [session, proposals] : proposed) {
        sessionsWith += proposals.empty() ? 0 : 1;
        for (const auto& proposal : proposals)
            out << QString::fromStdString(session->summary.sessionId + ' '
                + LabelTime::formatOffset(*proposal.range.from.offset) + "…"
                + LabelTime::formatOffset(*proposal.range.to.offset) + ' ' + proposal.heuristic + ": "
                + proposal.reason)
                << '\n';
    }
    out << count << (count == 1 ? " proposal" : " proposals") << " in " << sessionsWith << " of " << proposed.size()
        << (proposed.size() == 1 ? " session" : " sessions") << '\n';
    return 0;
}

} // namespace proactive::app
