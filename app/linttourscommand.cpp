#include "commands.h"
#include "routesamples.h"
#include "staticsiteserver.h"
#include "studio/studioprofile.h"
#include "targetlinter.h"
#include "tourcatalog.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace proactive::app {

namespace {

    QString jsonStatus(ui::TargetCheck::Status status)
    {
        using S = ui::TargetCheck::Status;
        switch (status) {
        case S::Found:
            return u"found"_qs;
        case S::NotFound:
            return u"not_found"_qs;
        case S::Multiple:
            return u"multiple"_qs;
        case S::Hidden:
            return u"hidden"_qs;
        case S::Covered:
            return u"covered"_qs;
        case S::InvalidSelector:
            return u"invalid_selector"_qs;
        case S::NoSample:
            return u"no_sample"_qs;
        case S::PageFailed:
            return u"page_failed"_qs;
        }
        return {};
    }

} // namespace

int runLintTours(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Opens every tour's route in a headless browser and checks each step's target: found, not found, found "
        "more than once, hidden or zero-size, covered by another element. Serves the workspace's bundled product "
        "(`site` in studio.json) unless --base-url names a running one. Exits 1 on any problem."_qs);
    parser.addHelpOption();
    parser.addPositionalArgument(
        u"workspace"_qs, u"The workspace folder (tours/, and studio.json with the bundled site)."_qs);
    const QCommandLineOption baseUrlOption(
        u"base-url"_qs, u"Check the product running at URL instead of serving the workspace's site."_qs, u"URL"_qs);
    const QCommandLineOption timeoutOption(
        u"timeout"_qs, u"How long to wait for a page's targets to mount (default 3000)."_qs, u"MS"_qs, u"3000"_qs);
    const QCommandLineOption jsonOption(u"json"_qs, u"Print the result as JSON."_qs);
    parser.addOptions({ baseUrlOption, timeoutOption, jsonOption });
    parser.process(arguments);

    QTextStream out(stdout);
    QTextStream err(stderr);
    if (parser.positionalArguments().size() != 1) {
        err << "lint-tours needs exactly one workspace folder.\n" << parser.helpText();
        return 2;
    }
    bool timeoutOk = false;
    const int timeoutMs = parser.value(timeoutOption).toInt(&timeoutOk);
    if (!timeoutOk || timeoutMs < 0) {
        err << "--timeout expects a number of milliseconds.\n";
        return 2;
    }
    const std::filesystem::path root = parser.positionalArguments().first().toStdString();

    Diagnostics diagnostics;
    const TourCatalog catalog = loadTourCatalogDir(root / "tours", diagnostics);

    ui::StaticSiteServer server;
    QUrl baseUrl;
    if (parser.isSet(baseUrlOption)) {
        baseUrl = QUrl(parser.value(baseUrlOption), QUrl::StrictMode);
        if (!baseUrl.isValid() || (baseUrl.scheme() != u"http"_qs && baseUrl.scheme() != u"https"_qs)) {
            err << "--base-url expects an http(s) URL.\n";
            return 2;
        }
    } else {
        const auto profile = ui::loadStudioProfile(QString::fromStdString(root.string()));
        if (!profile) {
            err << QString::fromStdString(profile.error().toString()) << '\n';
            return 2;
        }
        if (profile->siteDirectory.isEmpty()) {
            err << "The workspace bundles no product to serve (no \"site\" in studio.json): pass --base-url.\n";
            return 2;
        }
        if (!server.start(profile->siteDirectory)) {
            err << "Cannot serve " << profile->siteDirectory << ".\n";
            return 2;
        }
        baseUrl = server.url();
    }

    ui::TargetLinter linter;
    linter.setTargetTimeout(std::chrono::milliseconds(timeoutMs));
    QObject::connect(&linter, &ui::TargetLinter::finished, QCoreApplication::instance(), &QCoreApplication::quit);
    linter.run(catalog, baseUrl, recordedPagePaths(root / "sessions"));
    if (linter.isRunning())
        QCoreApplication::exec();

    const int problems = linter.problemCount() + static_cast<int>(diagnostics.size());
    if (parser.isSet(jsonOption)) {
        QJsonArray checks;
        for (const ui::TargetCheck& check : linter.results())
            checks.append(
                QJsonObject { { u"tour"_qs, check.tourId }, { u"step"_qs, check.step + 1 }, { u"page"_qs, check.path },
                    { u"target"_qs, check.selector }, { u"status"_qs, jsonStatus(check.status) },
                    { u"matches"_qs, check.matches }, { u"detail"_qs, check.detail } });
        QJsonArray files;
        for (const auto& d : diagnostics)
            files.append(QString::fromStdString(d.toString()));
        const QJsonObject result { { u"ok"_qs, problems == 0 }, { u"base_url"_qs, baseUrl.toString() },
            { u"checks"_qs, checks }, { u"catalog_problems"_qs, files } };
        out << QJsonDocument(result).toJson(QJsonDocument::Indented);
        return problems == 0 ? 0 : 1;
    }

    for (const auto& d : diagnostics)
        out << QString::fromStdString(d.toString()) << '\n';
    out << ui::lintTable(linter.results());
    out << '\n'
        << (problems == 0 ? u"OK: "_qs
                          : QString::number(problems) + (problems == 1 ? u" problem: "_qs : u" problems: "_qs))
        << linter.results().size() << " targets of " << catalog.tours().size() << " tours checked on "
        << baseUrl.toString() << '\n';
    return problems == 0 ? 0 : 1;
}

} // namespace proactive::app
