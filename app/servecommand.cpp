#include "commands.h"
#include "connector/connector.h"
#include "emit/outbox.h"
#include "listenaddress.h"
#include "service/httpservice.h"
#include "service/posthogemitter.h"
#include "service/signalwatcher.h"
#include "store/openstore.h"
#include "workspace/workspace.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QTextStream>
#include <QTimer>
#include <algorithm>
#include <csignal>
#include <memory>

namespace proactive::app {

int runServe(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Runs the connector as an HTTP service: posthog-js capture endpoints, the PostHog webhook, the client's "
        "/context poll and /agent_state, Dify's /retrieval, /healthz and /metrics. Stops gracefully on SIGINT or "
        "SIGTERM."_qs);
    parser.addHelpOption();
    const QCommandLineOption workspaceOption(
        u"workspace"_qs, u"The workspace folder (contains products.json)."_qs, u"dir"_qs);
    const QCommandLineOption listenOption(u"listen"_qs,
        u"Address and port to listen on; port 0 picks a free one (default 127.0.0.1:8787)."_qs, u"host:port"_qs,
        u"127.0.0.1:8787"_qs);
    const QCommandLineOption storeOption(u"store"_qs,
        u"Where the connector's state lives: sqlite:FILE (one instance; default sqlite:WORKSPACE/connector.db), "
        "redis://HOST:PORT[/DB][?timeout_ms=N&prefix=P&ttl_s=N&history_ttl_s=N] (shared by any number of "
        "instances), or memory (lost on exit)."_qs,
        u"store"_qs);
    const QCommandLineOption dbOption(u"db"_qs, u"Same as --store sqlite:FILE."_qs, u"file"_qs);
    const QCommandLineOption memoryOption(u"memory"_qs, u"Same as --store memory."_qs);
    const QCommandLineOption retrievalKeyOption(u"retrieval-key-env"_qs,
        u"Environment variable holding the Bearer key of POST /retrieval (default PROACTIVE_RETRIEVAL_KEY); "
        "unset: /retrieval refuses every request."_qs,
        u"name"_qs, u"PROACTIVE_RETRIEVAL_KEY"_qs);
    const QCommandLineOption quietOption(u"quiet"_qs, u"No access log on stderr."_qs);
    const QCommandLineOption maxConnectionsOption(u"max-connections"_qs,
        u"Connections open at once (default 1024, never more than the descriptor limit allows)."_qs, u"n"_qs);
    const QCommandLineOption outboxOption(u"outbox"_qs,
        u"SQLite file of the offer events waiting for PostHog, for products with posthog_export (default "
        "WORKSPACE/outbox.db; in memory with --memory)."_qs,
        u"file"_qs);
    parser.addOptions({ workspaceOption, listenOption, storeOption, dbOption, memoryOption, retrievalKeyOption,
        quietOption, maxConnectionsOption, outboxOption });
    parser.process(arguments);

    QTextStream out(stdout);
    QTextStream err(stderr);
    if (!parser.isSet(workspaceOption) || !parser.positionalArguments().isEmpty()) {
        err << "serve needs --workspace and no other arguments.\n" << parser.helpText();
        return 2;
    }
    if (int(parser.isSet(storeOption)) + int(parser.isSet(dbOption)) + int(parser.isSet(memoryOption)) > 1) {
        err << "--store, --db and --memory exclude each other.\n";
        return 2;
    }
    const auto listenAddress = parseListenAddress(parser.value(listenOption));
    if (!listenAddress) {
        err << "--listen: expected HOST:PORT, got \"" << parser.value(listenOption) << "\"\n";
        return 2;
    }

    service::ServiceSettings settings;
    if (parser.isSet(maxConnectionsOption)) {
        bool ok = false;
        const uint maxConnections = parser.value(maxConnectionsOption).toUInt(&ok);
        if (!ok || maxConnections == 0) {
            err << "--max-connections: expected a positive number, got \"" << parser.value(maxConnectionsOption)
                << "\"\n";
            return 2;
        }
        settings.maxConnections = maxConnections;
    }

    const std::filesystem::path root = parser.value(workspaceOption).toStdString();
    Diagnostics diagnostics;
    auto workspace = std::make_shared<const Workspace>(Workspace::load(root, diagnostics));
    for (const auto& d : diagnostics)
        err << QString::fromStdString(d.toString()) << '\n';
    for (const auto& note : workspace->notes())
        err << "note: " << QString::fromStdString(note) << '\n';
    if (workspace->products().empty()) {
        err << "no usable product in " << QString::fromStdString(root.string()) << '\n';
        return 1;
    }

    SystemClock clock;
    const QString storeSpec = parser.isSet(storeOption) ? parser.value(storeOption)
        : parser.isSet(memoryOption)                    ? u"memory"_qs
        : parser.isSet(dbOption)                        ? u"sqlite:"_qs + parser.value(dbOption)
                                 : u"sqlite:"_qs + QString::fromStdString((root / "connector.db").string());
    const bool sharedStore = storeSpec.startsWith(u"redis://"_qs);
    // Sessions that expired while the service was down are deleted, not loaded.
    auto openedStore = openStore(storeSpec.toStdString(), Connector::sessionCutoffs(*workspace, clock.now()));
    if (!openedStore) {
        err << QString::fromStdString(openedStore.error().toString()) << '\n';
        return 1;
    }
    std::unique_ptr<Store> store = std::move(openedStore).value();
    err << "store: " << QString::fromStdString(store->health().detail) << '\n';

    // Offer events back to PostHog (issue 18): only when a product asks for them.
    std::unique_ptr<Outbox> outbox;
    const bool exporting = std::any_of(workspace->products().begin(), workspace->products().end(),
        [](const Product& product) { return product.posthogExport.has_value(); });
    if (exporting) {
        // The outbox is this instance's own file: instances sharing a store
        // must not share it (SQLite locks it to one process).
        if (sharedStore && !parser.isSet(outboxOption)) {
            err << "a product exports offer events to PostHog: with a shared store, give each instance its own "
                   "--outbox file\n";
            return 2;
        }
        const std::string path = parser.isSet(outboxOption) ? parser.value(outboxOption).toStdString()
            : storeSpec == u"memory"_qs                     ? std::string(":memory:")
                                                            : (root / "outbox.db").string();
        auto opened = Outbox::open(path);
        if (!opened) {
            err << QString::fromStdString(opened.error().toString()) << '\n';
            return 1;
        }
        outbox = std::move(opened).value();
        if (outbox->size() > 0)
            err << "note: " << outbox->size() << " offer events from before are waiting for PostHog\n";
    }
    const QByteArray keyVariable = parser.value(retrievalKeyOption).toLocal8Bit();
    settings.retrievalKey = qgetenv(keyVariable.constData()).toStdString();
    if (settings.retrievalKey.empty())
        err << "note: " << keyVariable << " is not set: POST /retrieval refuses every request\n";
    if (parser.isSet(quietOption))
        settings.accessLog = [](std::string_view) {};

    int signalCount = 0;
    {
        Connector connector(workspace, *store, clock);
        service::HttpService service(connector, std::move(settings));
        QNetworkAccessManager network;
        std::unique_ptr<service::PostHogEmitter> emitter;
        if (outbox) {
            connector.setOfferEventSink(outbox.get());
            emitter = std::make_unique<service::PostHogEmitter>(
                *outbox,
                [&](const std::string& productId) {
                    const Product* product = connector.workspace()->product(productId);
                    return product ? product->posthogExport : std::nullopt;
                },
                network);
            // What goes wrong is said once per change, never with the token or the body.
            QObject::connect(emitter.get(), &service::PostHogEmitter::retrying, &service,
                [&err, last = -1](int status, std::chrono::milliseconds after) mutable {
                    if (status != last)
                        err << "warning: PostHog export: "
                            << (status ? u"answered "_qs + QString::number(status) : u"unreachable"_qs)
                            << ", retrying in " << after.count() << " ms (events wait in the outbox)" << Qt::endl;
                    last = status;
                });
            QObject::connect(
                emitter.get(), &service::PostHogEmitter::rejected, &service, [&err](int status, int events) {
                    err << "warning: PostHog export: " << events << " events dropped (answer " << status << ")"
                        << Qt::endl;
                });
            emitter->start();
        }
        // Handlers go in before listening: a signal right after the
        // "listening" line must already stop the service gracefully.
        service::SignalWatcher watcher({ SIGINT, SIGTERM });
        if (!watcher.isActive())
            err << "warning: cannot watch SIGINT/SIGTERM; stopping will not be graceful\n";
        QObject::connect(&watcher, &service::SignalWatcher::received, &service, [&](int) {
            ++signalCount;
            service.shutdown(); // a second signal cuts the remaining connections
        });
        QObject::connect(
            &service, &service::HttpService::stopped, QCoreApplication::instance(), &QCoreApplication::quit);
        // Ingest drops expired sessions as it goes; this drops them while no
        // capture arrives, so that memory and the file come back without traffic.
        // A failing store is reported when it starts and when it ends, not every second.
        QTimer sweeper;
        sweeper.setInterval(std::chrono::seconds(1));
        QObject::connect(&sweeper, &QTimer::timeout, &service, [&, failing = false]() mutable {
            const auto swept = connector.expireSessions();
            if (!swept && !failing)
                err << "warning: " << QString::fromStdString(swept.error().toString()) << Qt::endl;
            else if (swept && failing)
                err << "note: the store answers again" << Qt::endl;
            failing = !swept;
        });
        sweeper.start();

        const quint16 port = service.listen(listenAddress->host, listenAddress->port);
        if (port == 0) {
            err << "cannot listen on " << parser.value(listenOption) << ": " << service.errorString() << '\n';
            return 1;
        }
        err.flush();
        out << "listening on " << httpUrlOf(listenAddress->host, port) << Qt::endl;
        QCoreApplication::exec();
    }
    // Service and connector are gone, so nothing writes any more: closing the store is the last step.
    store.reset();
    if (outbox && outbox->dropped() > 0)
        err << "warning: the outbox was full: " << outbox->dropped() << " offer events were dropped\n";
    err << "stopped" << (signalCount > 1 ? " (connections cut)" : "") << '\n';
    return 0;
}

} // namespace proactive::app
