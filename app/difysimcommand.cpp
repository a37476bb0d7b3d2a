#include "commands.h"
#include "difysimserver.h"
#include "listenaddress.h"
#include "service/signalwatcher.h"
#include "tourcatalog.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QTextStream>
#include <csignal>

namespace proactive::app {

namespace {

    // A non-negative integer option; nullopt (with a message) otherwise.
    std::optional<int> intOption(
        const QCommandLineParser& parser, const QCommandLineOption& option, int min, QTextStream& err)
    {
        bool ok = false;
        const int value = parser.value(option).toInt(&ok);
        if (!ok || value < min) {
            err << "--" << option.names().first() << ": expected an integer ≥ " << min << ", got \""
                << parser.value(option) << "\"\n";
            return std::nullopt;
        }
        return value;
    }

} // namespace

int runDifySim(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Runs the offline Dify-compatible chat server: POST /v1/chat-messages (streaming and blocking), "
        "/v1/chat-messages/{task_id}/stop, /v1/parameters, /v1/conversations, /v1/messages. Answers from the "
        "workspace's tour catalog and ends every answer with one [TOUR:<id>] line. Stops on SIGINT or SIGTERM."_qs);
    parser.addHelpOption();
    const QCommandLineOption workspaceOption(
        u"workspace"_qs, u"The workspace folder; tours are read from its tours/ folder."_qs, u"dir"_qs);
    const QCommandLineOption listenOption(u"listen"_qs,
        u"Address and port to listen on; port 0 picks a free one (default 127.0.0.1:5001, Dify's API port)."_qs,
        u"host:port"_qs, u"127.0.0.1:5001"_qs);
    const QCommandLineOption keyEnvOption(u"key-env"_qs,
        u"Environment variable holding the accepted app key (default DIFY_API_KEY); unset: any Bearer key is "
        "accepted."_qs,
        u"name"_qs, u"DIFY_API_KEY"_qs);
    const QCommandLineOption delayOption(
        u"token-delay-ms"_qs, u"Pause between two text frames (default 30; 0: all at once)."_qs, u"ms"_qs, u"30"_qs);
    const QCommandLineOption chunkOption(
        u"chunk-chars"_qs, u"Characters per text frame (default 4)."_qs, u"n"_qs, u"4"_qs);
    const QCommandLineOption writeOption(u"write-bytes"_qs,
        u"Write the event stream in pieces of this many bytes, so frames arrive split (default 0: whole frames)."_qs,
        u"n"_qs, u"0"_qs);
    const QCommandLineOption pingOption(u"ping-ms"_qs,
        u"Interval of the `event: ping` keep-alive while streaming (default 10000; 0: none)."_qs, u"ms"_qs,
        u"10000"_qs);
    const QCommandLineOption chatflowOption(
        u"chatflow"_qs, u"Also stream workflow_* and node_* frames, as a Dify chatflow app does."_qs);
    const QCommandLineOption faultOption(u"fault"_qs,
        u"Break on purpose, or stream Dify's other events: none, error-event, drop, malformed, http-429, "
        "http-500, agent, moderation, workflow-failed, workflow-partial, unknown-events (default none)."_qs,
        u"kind"_qs, u"none"_qs);
    const QCommandLineOption faultAfterOption(
        u"fault-after"_qs, u"Text frames before a mid-stream fault (default 3)."_qs, u"n"_qs, u"3"_qs);
    const QCommandLineOption pageOption(u"page"_qs,
        u"The user's current page for every session (a canonical URL or path); default: unknown."_qs, u"url"_qs);
    const QCommandLineOption quietOption(u"quiet"_qs, u"No access log on stderr."_qs);
    parser.addOptions({ workspaceOption, listenOption, keyEnvOption, delayOption, chunkOption, writeOption, pingOption,
        chatflowOption, faultOption, faultAfterOption, pageOption, quietOption });
    parser.process(arguments);

    QTextStream out(stdout);
    QTextStream err(stderr);
    if (!parser.isSet(workspaceOption) || !parser.positionalArguments().isEmpty()) {
        err << "dify-sim needs --workspace and no other arguments.\n" << parser.helpText();
        return 2;
    }
    const auto listenAddress = parseListenAddress(parser.value(listenOption));
    if (!listenAddress) {
        err << "--listen: expected HOST:PORT, got \"" << parser.value(listenOption) << "\"\n";
        return 2;
    }
    const auto fault = difysim::difySimFaultFromString(parser.value(faultOption).toStdString());
    if (!fault) {
        err << "--fault: expected none, error-event, drop, malformed, http-429, http-500, agent, moderation, "
               "workflow-failed, workflow-partial or unknown-events, got \""
            << parser.value(faultOption) << "\"\n";
        return 2;
    }
    const auto delay = intOption(parser, delayOption, 0, err);
    const auto chunk = intOption(parser, chunkOption, 1, err);
    const auto write = intOption(parser, writeOption, 0, err);
    const auto ping = intOption(parser, pingOption, 0, err);
    const auto faultAfter = intOption(parser, faultAfterOption, 0, err);
    if (!delay || !chunk || !write || !ping || !faultAfter)
        return 2;

    const QString root = parser.value(workspaceOption);
    if (!QDir(root).exists()) {
        err << "no such workspace folder: " << root << '\n';
        return 1;
    }
    Diagnostics diagnostics;
    TourCatalog catalog = loadTourCatalogDir(std::filesystem::path(root.toStdString()) / "tours", diagnostics);
    for (const auto& d : diagnostics)
        err << QString::fromStdString(d.toString()) << '\n';
    if (catalog.empty())
        err << "note: no tours in " << root << "/tours: every answer ends with [TOUR:none]\n";

    difysim::DifySimSettings settings;
    const QByteArray keyVariable = parser.value(keyEnvOption).toLocal8Bit();
    const std::string key = qgetenv(keyVariable.constData()).toStdString();
    if (key.empty())
        err << "note: " << keyVariable << " is not set: any Bearer key is accepted\n";
    else
        settings.apiKeys.push_back(key);
    settings.tokenDelay = std::chrono::milliseconds(*delay);
    settings.chunkChars = *chunk;
    settings.writeBytes = std::size_t(*write);
    settings.pingInterval = std::chrono::milliseconds(*ping);
    settings.chatflow = parser.isSet(chatflowOption);
    settings.fault = *fault;
    settings.faultAfterFrames = *faultAfter;

    difysim::DifySimServer server(std::move(catalog), std::move(settings));
    if (parser.isSet(pageOption)) {
        const std::string page = parser.value(pageOption).toStdString();
        server.setCurrentPageProvider([page](const std::string&) { return page; });
    }
    if (!parser.isSet(quietOption))
        QObject::connect(&server, &difysim::DifySimServer::requestServed, &server,
            [&err](const QString& line) { err << line << Qt::endl; });

    service::SignalWatcher watcher({ SIGINT, SIGTERM });
    if (!watcher.isActive())
        err << "warning: cannot watch SIGINT/SIGTERM\n";
    QObject::connect(
        &watcher, &service::SignalWatcher::received, QCoreApplication::instance(), &QCoreApplication::quit);

    const quint16 port = server.listen(listenAddress->host, listenAddress->port);
    if (port == 0) {
        err << "cannot listen on " << parser.value(listenOption) << ": " << server.errorString() << '\n';
        return 1;
    }
    err.flush();
    out << "listening on " << httpUrlOf(listenAddress->host, port) << Qt::endl;
    QCoreApplication::exec();
    err << "stopped\n";
    return 0;
}

} // namespace proactive::app
