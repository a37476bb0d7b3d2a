#include "commands.h"
#include "corpus/sessiongenerator.h"
#include "workspace/workspace.h"

#include <QCommandLineParser>
#include <QTextStream>
#include <limits>
#include <numeric>

namespace proactive::app {

int runGenerateSessions(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Generates recorded sessions of simulated people on the bundled demo product (Acme Projects), as "
        "posthog-js autocapture records them, with their labels known by construction. Writes "
        "OUT/sessions/generated-<persona>.jsonl (one file per persona) and OUT/labels/generated.json; other files "
        "are left alone. The same options give the same bytes. Personas: confident, hesitant, lost, idle, "
        "returning (docs/corpus.md)."_qs);
    parser.addHelpOption();
    parser.addPositionalArgument(u"workspace"_qs, u"The workspace folder (contains products.json)."_qs);
    const QCommandLineOption productOption(u"product"_qs,
        u"The product whose PostHog token the events carry and whose labels they are (default: demo)."_qs, u"id"_qs,
        u"demo"_qs);
    const QCommandLineOption sessionsOption(u"sessions"_qs,
        u"How many recorded sessions ($session_id values), all personas together (default: 300)."_qs, u"n"_qs,
        u"300"_qs);
    const QCommandLineOption seedOption(
        u"seed"_qs, u"The random seed, a whole number (default: 1)."_qs, u"n"_qs, u"1"_qs);
    const QCommandLineOption outOption(
        u"out"_qs, u"The folder to write sessions/ and labels/ into (default: the workspace)."_qs, u"dir"_qs);
    const QCommandLineOption personasOption(u"personas"_qs,
        u"Relative weights of the personas, name=weight separated by commas; a persona left out gets no session "
        "(default: %1)."_qs.arg(QString::fromStdString(PersonaMix::defaults().toString())),
        u"mix"_qs);
    const QCommandLineOption startOption(u"start"_qs,
        u"ISO 8601 time: first visits fall on one of --days days from it, within 9 hours of its time of day "
        "(default: 2026-11-02T08:00:00Z)."_qs,
        u"time"_qs, u"2026-11-02T08:00:00Z"_qs);
    const QCommandLineOption daysOption(
        u"days"_qs, u"How many days first visits spread over (default: 14)."_qs, u"n"_qs, u"14"_qs);
    const QCommandLineOption effectOption(u"plant-effect"_qs,
        u"Plant a known effect of one trigger's offer for the impact report: every person is exposed once, "
        "offered or held out as the connector would assign them, and reaches the goal event with the base rate, "
        "plus the lift when offered. key=value separated by commas, each optional: lift (points, default 15), "
        "base (%, default 30), holdout (%, default 20), trigger (default create-project-hesitation), goal (the "
        "event, default \"project created\"); \"default\" takes them all."_qs,
        u"spec"_qs);
    parser.addOptions({ productOption, sessionsOption, seedOption, outOption, personasOption, startOption, daysOption,
        effectOption });
    parser.process(arguments);

    QTextStream out(stdout);
    QTextStream err(stderr);
    if (parser.positionalArguments().size() != 1) {
        err << "generate-sessions needs exactly one workspace folder.\n" << parser.helpText();
        return 2;
    }
    const std::filesystem::path root = parser.positionalArguments().first().toStdString();

    CorpusOptions options;
    bool ok = false;
    const qulonglong sessions = parser.value(sessionsOption).toULongLong(&ok);
    if (!ok || sessions < 1 || sessions > 1'000'000) {
        err << "--sessions must be a whole number from 1 to 1000000, not '" << parser.value(sessionsOption) << "'.\n";
        return 2;
    }
    options.sessions = sessions;
    options.seed = parser.value(seedOption).toULongLong(&ok);
    if (!ok) {
        err << "--seed must be a whole number from 0 to " << std::numeric_limits<qulonglong>::max() << ", not '"
            << parser.value(seedOption) << "'.\n";
        return 2;
    }
    options.days = parser.value(daysOption).toInt(&ok);
    if (!ok || options.days < 1 || options.days > 3660) {
        err << "--days must be a whole number from 1 to 3660, not '" << parser.value(daysOption) << "'.\n";
        return 2;
    }
    const auto start = parseIsoTimestamp(parser.value(startOption).toStdString());
    if (!start) {
        err << "--start must be an ISO 8601 time (2026-11-02T08:00:00Z), not '" << parser.value(startOption) << "'.\n";
        return 2;
    }
    options.start = *start;
    if (parser.isSet(personasOption)) {
        auto mix = PersonaMix::parse(parser.value(personasOption).toStdString());
        if (!mix) {
            err << "--personas: " << QString::fromStdString(mix.error().message) << ".\n";
            return 2;
        }
        options.mix = *mix;
    }

    if (parser.isSet(effectOption)) {
        const QString spec = parser.value(effectOption);
        auto effect = PlantedEffect::parse(spec == u"default"_qs ? std::string() : spec.toStdString());
        if (!effect) {
            err << "--plant-effect: " << QString::fromStdString(effect.error().message) << ".\n";
            return 2;
        }
        options.effect = *effect;
    }

    Diagnostics diagnostics;
    const Workspace workspace = Workspace::load(root, diagnostics);
    options.productId = parser.value(productOption).toStdString();
    const Product* product = workspace.product(options.productId);
    if (!product) {
        for (const auto& d : diagnostics)
            err << QString::fromStdString(d.toString()) << '\n';
        err << "The workspace " << QString::fromStdString(root.string()) << " has no product '"
            << parser.value(productOption) << "'.\n";
        return 2;
    }
    options.token = product->posthogToken;

    const std::filesystem::path folder
        = parser.isSet(outOption) ? std::filesystem::path(parser.value(outOption).toStdString()) : root;
    const GeneratedCorpus corpus = generateCorpus(options);
    if (const auto written = writeCorpus(corpus, folder); !written) {
        err << QString::fromStdString(written.error().toString()) << '\n';
        return 1;
    }

    std::size_t bytes = 0;
    for (const auto& file : corpus.files)
        if (file.path.parent_path() == "sessions")
            bytes += file.text.size();
    const std::size_t total = std::accumulate(corpus.sessions.begin(), corpus.sessions.end(), std::size_t(0));
    out << "Generated " << total << " sessions (" << corpus.events << " events, " << bytes / 1024 << " KiB) of product "
        << QString::fromStdString(options.productId) << " with seed " << options.seed << ':';
    for (const auto& traits : personaTable())
        out << ' ' << QString::fromStdString(std::string(nameOf(traits.persona))) << ' '
            << corpus.sessions[static_cast<std::size_t>(traits.persona)];
    out << "\nLabels: " << total << " sessions, fully labelled; " << corpus.helpWanted << " help_wanted ranges, "
        << corpus.expectations << " expectations.\n";
    if (options.effect)
        out << "Planted effect " << QString::fromStdString(options.effect->toString()) << ": offered "
            << corpus.offeredReached << '/' << corpus.offered << " reached the goal, held out " << corpus.heldOutReached
            << '/' << corpus.heldOut << ".\n";
    for (const auto& file : corpus.files)
        out << "  " << QString::fromStdString((folder / file.path).string()) << '\n';
    return 0;
}

} // namespace proactive::app
