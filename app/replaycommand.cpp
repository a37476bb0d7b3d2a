#include "commands.h"
#include "groundtruth/labelset.h"
#include "groundtruth/truthgoal.h"
#include "groundtruth/truthreport.h"
#include "replay/replayjob.h"
#include "replay/replayreport.h"
#include "workspace/workspace.h"

#include <QCommandLineParser>
#include <QSaveFile>
#include <QTextStream>
#include <cstdio>
#include <filesystem>
#include <unistd.h>

namespace proactive::app {

namespace {

    // Progress on stderr: redrawn in place on a terminal, a line per tenth
    // otherwise (--progress into a log).
    class ProgressPrinter final {
    public:
        ProgressPrinter(bool enabled, bool terminal)
            : m_enabled(enabled)
            , m_terminal(terminal)
        { }

        void update(const char* what, double done, double total, const char* unit, double scale)
        {
            if (!m_enabled || total <= 0)
                return;
            const int percent = static_cast<int>(done * 100 / total);
            if (m_terminal) {
                const int decimals = scale == 1 ? 0 : 1;
                std::fprintf(stderr, "\r%s %3d %% (%.*f of %.*f %s)   ", what, percent, decimals, done / scale,
                    decimals, total / scale, unit);
            } else if (percent / 10 != m_lastTenth || m_what != what) {
                std::fprintf(stderr, "%s %d %%\n", what, percent);
            }
            m_lastTenth = percent / 10;
            m_what = what;
            std::fflush(stderr);
        }

        void finish()
        {
            if (m_enabled && m_terminal && m_what)
                std::fprintf(stderr, "\r\033[K");
            m_what = nullptr;
            m_lastTenth = -1;
        }

    private:
        bool m_enabled;
        bool m_terminal;
        int m_lastTenth = -1;
        const char* m_what = nullptr;
    };

    std::optional<double> seconds(const QString& text, double min)
    {
        bool ok = false;
        const double value = text.toDouble(&ok);
        if (!ok || value < min || value > 7 * 86400)
            return std::nullopt;
        return value;
    }

    bool writeFile(const QString& path, const std::string& content, QTextStream& err)
    {
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly)
            || file.write(content.data(), static_cast<qint64>(content.size())) != static_cast<qint64>(content.size())
            || !file.commit()) {
            err << "cannot write " << path << ": " << file.errorString() << '\n';
            return false;
        }
        return true;
    }

} // namespace

int runReplay(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Replays recorded PostHog sessions through the connector and the simulated client on a virtual clock, "
        "and reports per session when each trigger would have fired, what every poll's gates said and what the "
        "state machine did. SESSIONS are PostHog exports: events API JSON (pages, or a folder of pages), JSON "
        "lines, the events CSV export, or captured webhook bodies."_qs);
    parser.addHelpOption();
    parser.addPositionalArgument(u"workspace"_qs, u"The workspace folder (contains products.json)."_qs);
    parser.addPositionalArgument(u"sessions"_qs, u"Export files or folders of them."_qs, u"SESSIONS..."_qs);
    const QCommandLineOption productOption(u"product"_qs,
        u"Product the events belong to (default: by the events' project token, or the workspace's only product)."_qs,
        u"id"_qs);
    const QCommandLineOption policyOption(u"policy"_qs,
        u"How the user answers offers: never, dismiss:N, chat:N, tour-complete:N, tour-abandon:N (N seconds)."_qs,
        u"policy"_qs, u"never"_qs);
    const QCommandLineOption pollOption(
        u"poll-interval"_qs, u"Seconds between the client's polls (default 20)."_qs, u"seconds"_qs, u"20"_qs);
    const QCommandLineOption firstPollOption(u"first-poll"_qs,
        u"Seconds from the session's start to the first poll (default 5)."_qs, u"seconds"_qs, u"5"_qs);
    const QCommandLineOption tailOption(u"tail"_qs,
        u"Seconds the client keeps polling after a session's last action (default 120; a trailing $pageleave ends "
        "the session)."_qs,
        u"seconds"_qs, u"120"_qs);
    const QCommandLineOption jsonOption(u"json"_qs, u"Write the JSON report here."_qs, u"file"_qs);
    const QCommandLineOption htmlOption(
        u"html"_qs, u"Write the HTML report (one self-contained file) here."_qs, u"file"_qs);
    const QCommandLineOption sweepOption(u"sweep"_qs,
        u"Vary a numeric trigger or gate setting: path=v1,v2,... or path=first:last:step, e.g. "
        "user_page_dwell.threshold_s=30,45,60. Repeat for a grid."_qs,
        u"path=values"_qs);
    const QCommandLineOption diffOption(u"diff"_qs,
        u"Compare the firings with another set of triggers (a triggers JSON file)."_qs, u"triggers.json"_qs);
    const QCommandLineOption explainOption(u"explain"_qs,
        u"Add every poll's gate report (each gate's verdict and numbers, each trigger's conditions) to the JSON "
        "report. Several KB per poll: meant for a few sessions."_qs);
    const QCommandLineOption threadsOption(
        u"threads"_qs, u"Replays run in parallel (default: every core)."_qs, u"n"_qs, u"0"_qs);
    const QCommandLineOption listOption(
        u"list"_qs, u"Sessions listed in the summary on stdout (default 20)."_qs, u"n"_qs, u"20"_qs);
    const QCommandLineOption labelsOption(u"labels"_qs,
        u"Labels to judge the replay against: a labels file or a folder of them (default: the workspace's labels/ "
        "folder, when it has one). See docs/labels.md."_qs,
        u"path"_qs);
    const QCommandLineOption checkOption(u"check"_qs,
        u"Exit 1 when an expectation of the labels fails (or a labels file has problems); every failure is printed "
        "with its reason. For a team's CI."_qs);
    const QCommandLineOption optimiseOption(u"optimise"_qs,
        u"With --sweep: print the best setting for a metric, under constraints: f1, recall@precision>=0.8, "
        "f1@annoyance<=5,recall>0.5. Metrics: precision, recall, f1, hits, misses, false_offers, annoyance, "
        "fire_rate, lead_time, expectations_passed, expectations_failed."_qs,
        u"metric[@constraints]"_qs);
    const QCommandLineOption progressOption(
        u"progress"_qs, u"Report progress on stderr even when it is not a terminal."_qs);
    parser.addOptions({ productOption, policyOption, pollOption, firstPollOption, tailOption, jsonOption, htmlOption,
        sweepOption, diffOption, explainOption, threadsOption, listOption, labelsOption, checkOption, optimiseOption,
        progressOption });
    parser.process(arguments);

    QTextStream out(stdout);
    QTextStream err(stderr);
    const QStringList positional = parser.positionalArguments();
    if (positional.size() < 2) {
        err << "replay needs a workspace folder and at least one sessions file or folder.\n" << parser.helpText();
        return 2;
    }

    ReplaySettings settings;
    auto policy = ResponsePolicy::parse(parser.value(policyOption).toStdString());
    if (!policy) {
        err << "--policy: " << QString::fromStdString(policy.error().message) << '\n';
        return 2;
    }
    settings.policy = *policy;
    const auto pollInterval = seconds(parser.value(pollOption), 0.001);
    const auto firstPoll = seconds(parser.value(firstPollOption), 0);
    const auto tail = seconds(parser.value(tailOption), 0);
    if (!pollInterval || !firstPoll || !tail) {
        err << (!pollInterval ? "--poll-interval"
                : !firstPoll  ? "--first-poll"
                              : "--tail")
            << ": expected a number of seconds (--poll-interval above 0)\n";
        return 2;
    }
    settings.client.pollInterval = fromSeconds(*pollInterval);
    settings.client.firstPoll = fromSeconds(*firstPoll);
    settings.tail = fromSeconds(*tail);
    settings.client.explain = parser.isSet(explainOption);
    bool threadsOk = false, listOk = false;
    const int threads = parser.value(threadsOption).toInt(&threadsOk);
    const int list = parser.value(listOption).toInt(&listOk);
    if (!threadsOk || threads < 0 || !listOk || list < 0) {
        err << (!threadsOk || threads < 0 ? "--threads" : "--list") << ": expected a whole number ≥ 0\n";
        return 2;
    }
    std::vector<SweepAxis> axes;
    for (const QString& text : parser.values(sweepOption)) {
        auto axis = SweepAxis::parse(text.toStdString());
        if (!axis) {
            err << "--sweep: " << QString::fromStdString(axis.error().message) << '\n';
            return 2;
        }
        axes.push_back(std::move(*axis));
    }

    std::optional<TruthGoal> goal;
    if (parser.isSet(optimiseOption)) {
        if (axes.empty()) {
            err << "--optimise chooses among the settings of a sweep: add --sweep\n";
            return 2;
        }
        auto parsed = TruthGoal::parse(parser.value(optimiseOption).toStdString());
        if (!parsed) {
            err << "--optimise: " << QString::fromStdString(parsed.error().message) << '\n';
            return 2;
        }
        goal = std::move(*parsed);
    }

    const std::string workspacePath = positional.first().toStdString();
    Diagnostics diagnostics;
    auto workspace = std::make_shared<const Workspace>(Workspace::load(workspacePath, diagnostics));
    for (const auto& d : diagnostics)
        err << QString::fromStdString(d.toString()) << '\n';
    if (workspace->products().empty()) {
        err << "no usable product in " << QString::fromStdString(workspacePath) << '\n';
        return 1;
    }
    const std::string productId = parser.value(productOption).toStdString();
    if (!productId.empty() && !workspace->product(productId)) {
        err << "no usable product \"" << QString::fromStdString(productId) << "\" in "
            << QString::fromStdString(workspacePath) << '\n';
        return 1;
    }

    if (parser.isSet(labelsOption) && !std::filesystem::exists(parser.value(labelsOption).toStdString())) {
        err << "--labels: " << parser.value(labelsOption) << " does not exist\n";
        return 1;
    }
    Diagnostics labelProblems;
    const auto labels = std::make_shared<const LabelSet>(parser.isSet(labelsOption)
            ? LabelSet::loadPath(parser.value(labelsOption).toStdString(), workspacePath, labelProblems)
            : LabelSet::load(workspacePath, labelProblems));
    for (const auto& d : labelProblems)
        err << QString::fromStdString(d.toString()) << '\n';

    const bool terminal = isatty(STDERR_FILENO) != 0;
    ProgressPrinter progress(terminal || parser.isSet(progressOption), terminal);
    ReplayJob job;
    job.workspace = workspace;
    job.workspaceLabel = workspacePath;
    for (qsizetype i = 1; i < positional.size(); ++i)
        job.inputs.emplace_back(positional[i].toStdString());
    job.productId = productId;
    job.settings = settings;
    job.sweep = std::move(axes);
    job.diffTriggers = parser.value(diffOption).toStdString();
    job.threads = static_cast<unsigned>(threads);
    job.labels = labels;
    job.progress = [&](std::string_view stage, double done, double total) {
        if (stage == "import")
            progress.update("importing", done, total, "MB", 1e6);
        else if (stage == "replay")
            progress.update("replaying", done, total, "sessions", 1);
        else if (stage == "sweep")
            progress.update("sweeping", done, total, "replays", 1);
        else
            progress.update("replaying with the other triggers", done, total, "sessions", 1);
        if (done >= total)
            progress.finish();
    };
    auto run = runReplayJob(job);
    progress.finish();
    if (!run) {
        const Error& error = run.error();
        const bool sweep = error.code == "bad_sweep" || error.code == "bad_override";
        const bool products = error.code == "several_products";
        err << (sweep                          ? "--sweep: "
                : error.code == "bad_triggers" ? "--diff: "
                                               : "")
            << QString::fromStdString(error.message) << (products ? " with --product" : "") << '\n';
        return sweep || products ? 2 : 1;
    }
    const ImportResult& import = run->import;
    constexpr std::size_t kPrinted = 50;
    for (std::size_t i = 0; i < import.diagnostics.size() && i < kPrinted; ++i)
        err << QString::fromStdString(import.diagnostics[i].toString()) << " (skipped)\n";
    if (const std::size_t more
        = import.diagnostics.size() + import.diagnosticsLeftOut - std::min(import.diagnostics.size(), kPrinted);
        more > 0)
        err << "… and " << more << " more problems with the input (see the reports)\n";
    if (run->import.sessions.empty()) {
        err << "no sessions to replay in the input\n";
        return 1;
    }
    const ReplayReport report = run->report(job);

    if (parser.isSet(jsonOption) && !writeFile(parser.value(jsonOption), renderJsonReport(report), err))
        return 1;
    if (parser.isSet(htmlOption) && !writeFile(parser.value(htmlOption), renderHtmlReport(report), err))
        return 1;
    out << QString::fromStdString(renderTextSummary(report, static_cast<std::size_t>(list)));

    if (goal && run->sweep) {
        const auto best = bestPoint(run->sweep->points, *goal);
        if (!best) {
            err << "--optimise " << QString::fromStdString(goal->toString()) << ": "
                << QString::fromStdString(best.error().message) << '\n';
            return 1;
        }
        const SweepPoint& point = run->sweep->points[*best];
        std::string settingsText;
        for (const SettingOverride& setting : point.settings)
            settingsText += (settingsText.empty() ? "" : " ") + setting.toString();
        const auto value = [&](std::string_view metric) { return formatRatio(metricValue(point, metric)); };
        out << "\nBest for " << QString::fromStdString(goal->toString()) << ": " << QString::fromStdString(settingsText)
            << " (precision " << QString::fromStdString(value("precision")) << ", recall "
            << QString::fromStdString(value("recall")) << ", F1 " << QString::fromStdString(value("f1"))
            << ", fire rate " << QString::number(point.totals.reachedRate() * 100, 'f', 1) << " %"
            << ")\n";
    }
    if (parser.isSet(checkOption)) {
        out.flush();
        if (!labelProblems.empty()) {
            err << "check failed: the labels have " << labelProblems.size() << " problems\n";
            return 1;
        }
        if (!run->truth || run->truth->expectationsPassed + run->truth->expectationsFailed == 0) {
            err << "check: nothing to check: no expectation concerns the sessions replayed\n";
            return labels->empty() ? 1 : 0;
        }
        if (!run->truth->allExpectationsPass()) {
            err << "check failed: " << run->truth->expectationsFailed << " of "
                << run->truth->expectationsPassed + run->truth->expectationsFailed << " expectations fail\n";
            return 1;
        }
    }
    return 0;
}

} // namespace proactive::app
