#include "commands.h"

#include "connector/connector.h"
#include "intake/posthogintake.h"
#include "store/memorystore.h"
#include "workspace/workspace.h"

#include <nlohmann/json.hpp>

#include <QCommandLineParser>
#include <QTextStream>

#include <algorithm>

namespace proactive::app {

namespace {

    // "+SECONDS" after `last`, or an ISO 8601 timestamp.
    std::optional<Timestamp> parseAt(const QString& text, Timestamp last)
    {
        if (text.startsWith(u'+')) {
            bool ok = false;
            const double seconds = text.mid(1).toDouble(&ok);
            if (!ok || seconds < 0)
                return std::nullopt;
            return last + fromSeconds(seconds);
        }
        return parseIsoTimestamp(text.toStdString());
    }

} // namespace

int runEval(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Feeds the events of a JSON-lines file that happened up to TIME into a fresh "
                                     "in-memory connector and prints the /context answer for one session at TIME."_qs);
    parser.addHelpOption();
    parser.addPositionalArgument(u"workspace"_qs, u"The workspace folder (contains products.json)."_qs);
    const QCommandLineOption productOption(u"product"_qs, u"Product id."_qs, u"id"_qs);
    const QCommandLineOption eventsOption(u"events"_qs, u"JSON-lines file of PostHog events."_qs, u"file"_qs);
    const QCommandLineOption sessionOption(
        u"session"_qs, u"Session to poll (default: the session of the file's last event)."_qs, u"id"_qs);
    const QCommandLineOption atOption(u"at"_qs,
        u"Poll time: ISO 8601, or +SECONDS after the session's last event (default +0)."_qs, u"time"_qs, u"+0"_qs);
    const QCommandLineOption conversationOption(
        u"conversation"_qs, u"Conversation id (default proactive:{session})."_qs, u"id"_qs);
    const QCommandLineOption briefOption(u"brief"_qs, u"Leave out the explanation (gates and triggers)."_qs);
    parser.addOptions({ productOption, eventsOption, sessionOption, atOption, conversationOption, briefOption });
    parser.process(arguments);

    QTextStream out(stdout);
    QTextStream err(stderr);
    if (parser.positionalArguments().size() != 1 || !parser.isSet(productOption) || !parser.isSet(eventsOption)) {
        err << "eval needs a workspace folder, --product and --events.\n" << parser.helpText();
        return 2;
    }
    const std::filesystem::path root = parser.positionalArguments().first().toStdString();
    const std::string productId = parser.value(productOption).toStdString();

    Diagnostics diagnostics;
    auto workspace = std::make_shared<const Workspace>(Workspace::load(root, diagnostics));
    for (const auto& d : diagnostics)
        err << QString::fromStdString(d.toString()) << '\n';
    if (!workspace->product(productId)) {
        err << "no usable product \"" << QString::fromStdString(productId) << "\" in "
            << QString::fromStdString(root.string()) << '\n';
        return 1;
    }

    const std::string eventsPath = parser.value(eventsOption).toStdString();
    auto text = readTextFile(eventsPath);
    if (!text) {
        err << QString::fromStdString(text.error().message) << '\n';
        return 1;
    }
    PostHogIntake intake;
    IntakeBatch batch = intake.parseJsonLines(*text);
    for (const auto& e : batch.errors)
        err << QString::fromStdString(eventsPath) << ": " << QString::fromStdString(e.toString()) << " (skipped)\n";
    if (batch.events.empty()) {
        err << "no events in " << QString::fromStdString(eventsPath) << '\n';
        return 1;
    }

    std::string sessionId = parser.value(sessionOption).toStdString();
    if (sessionId.empty()) {
        const auto last = std::max_element(batch.events.begin(), batch.events.end(),
            [](const IntakeEvent& a, const IntakeEvent& b) { return a.action.timestampStart < b.action.timestampStart; });
        sessionId = last->action.sessionId;
    }
    std::optional<Timestamp> sessionEnd;
    for (const auto& e : batch.events)
        if (e.action.sessionId == sessionId)
            sessionEnd = std::max(sessionEnd.value_or(e.action.timestampStart), e.action.timestampStart);
    if (!sessionEnd) {
        err << "no events of session \"" << QString::fromStdString(sessionId) << "\" in "
            << QString::fromStdString(eventsPath) << '\n';
        return 1;
    }
    const auto at = parseAt(parser.value(atOption), *sessionEnd);
    if (!at) {
        err << "--at: expected an ISO 8601 time or +SECONDS, got \"" << parser.value(atOption) << "\"\n";
        return 2;
    }

    // Only what had happened by then: the connector must not see the future.
    std::vector<Action> actions;
    for (auto& e : batch.events)
        if (e.action.timestampStart <= *at)
            actions.push_back(std::move(e.action));

    VirtualClock clock(*at);
    MemoryStore store;
    Connector connector(workspace, store, clock);
    auto ingested = connector.ingest(productId, std::move(actions));
    if (!ingested) {
        err << QString::fromStdString(ingested.error().toString()) << '\n';
        return 1;
    }
    for (const auto& e : ingested->rejected)
        err << QString::fromStdString(e.toString()) << " (skipped)\n";

    const bool explain = !parser.isSet(briefOption);
    auto decision = connector.context(productId, sessionId, parser.value(conversationOption).toStdString(), explain);
    if (!decision) {
        err << QString::fromStdString(decision.error().toString()) << '\n';
        return 1;
    }
    // The /context answer, as a document to add the evaluation's own fields to.
    nlohmann::json body = nlohmann::json::parse(contextJson(*decision, explain), nullptr, false);
    body["session_id"] = sessionId;
    body["at"] = formatIsoTimestamp(*at);
    body["actions_ingested"] = ingested->accepted;
    out << QString::fromStdString(body.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)) << '\n';
    return 0;
}

} // namespace proactive::app
