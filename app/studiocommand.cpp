// The studio's window and the scenario runner: the commands that need a
// QApplication and QtWebEngine.

#include "base/result.h"
#include "commands.h"
#include "scenario/scenario.h"
#include "scenario/scenarioplayer.h"
#include "simulation/simulation.h"
#include "studio/mainwindow.h"
#include "studio/studiosettings.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>
#include <QWebEngineView>
#include <filesystem>

namespace proactive::app {

namespace {

    // The bundled demo workspace. Installed (/usr/share/proactive-studio) it
    // is read-only for the user, so the studio opens a copy in the user's data
    // folder, made on first use with the demo product beside it, where edits
    // can be saved; the copy is kept across upgrades (it holds the user's
    // edits). From a build tree it is the source tree's.
    Result<QString> demoWorkspace()
    {
        const QDir installed(QDir(QCoreApplication::applicationDirPath()).filePath(u"../share/proactive-studio"_qs));
        if (!installed.exists(u"demo-workspace"_qs))
            return QStringLiteral(PROACTIVE_DEMO_WORKSPACE);
        const QString bundled = QDir::cleanPath(installed.filePath(u"demo-workspace"_qs));
        if (QFileInfo(bundled).isWritable())
            return bundled;
        const QDir userData(
            QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/proactive-studio"_qs);
        if (userData.exists(u"demo-workspace"_qs))
            return userData.filePath(u"demo-workspace"_qs);
        std::error_code error;
        for (const char* folder : { "demo-product", "demo-workspace" }) {
            const QString to = userData.filePath(QString::fromLatin1(folder));
            std::filesystem::create_directories(to.toStdString(), error);
            if (!error)
                std::filesystem::copy(installed.filePath(QString::fromLatin1(folder)).toStdString(), to.toStdString(),
                    std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing,
                    error);
            if (error)
                return Error { "demo_copy",
                    "cannot copy the demo " + std::string(folder) + " to " + to.toStdString() + ": " + error.message(),
                    {} };
        }
        return userData.filePath(u"demo-workspace"_qs);
    }

} // namespace

int runStudio(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Opens the studio on a workspace (the bundled demo by default)."_qs);
    parser.addHelpOption();
    parser.addOption(
        { u"workspace"_qs, u"The workspace directory (default: the bundled demo workspace)."_qs, u"DIR"_qs });
    parser.process(arguments);
    QString workspace = parser.value(u"workspace"_qs);
    if (workspace.isEmpty()) {
        auto demo = demoWorkspace();
        if (!demo) {
            QTextStream(stderr) << QString::fromStdString(demo.error().message) << '\n';
            return 1;
        }
        workspace = *demo;
    }

    // The desktop entry's and the icon theme's name (packaging/): the window
    // groups under the menu's entry, with the packaged icon or the built-in one.
    QGuiApplication::setDesktopFileName(u"org.proactivestudio.Studio"_qs);
    QApplication::setWindowIcon(
        QIcon::fromTheme(u"org.proactivestudio.Studio"_qs, QIcon(u":/icons/org.proactivestudio.Studio.svg"_qs)));

    ui::StudioSettings settings;
    ui::MainWindow window(settings);
    QString error;
    if (!window.openWorkspace(workspace, &error)) {
        QTextStream(stderr) << "Cannot open the workspace: " << error << '\n';
        return 1;
    }
    window.show();
    return QApplication::exec();
}

int runScenario(const QStringList& arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Plays a demo scenario in the studio. With --headless it runs without a window, as fast as it can, "
        "and exits 0 when every step passed (an end-to-end test)."_qs);
    parser.addHelpOption();
    parser.addPositionalArgument(u"file"_qs, u"The scenario (JSON)."_qs);
    parser.addOption({ u"headless"_qs, u"No window, no pacing; exit code = result."_qs });
    parser.addOption({ u"workspace"_qs, u"Overrides the scenario's workspace."_qs, u"DIR"_qs });
    parser.addOption({ u"screenshot"_qs, u"Saves the window when the scenario ends."_qs, u"PNG"_qs });
    parser.process(arguments);
    if (parser.positionalArguments().size() != 1) {
        QTextStream(stderr) << "Expected one scenario file.\n";
        return 2;
    }
    QTextStream err(stderr);
    Result<ui::Scenario> scenario = ui::loadScenario(parser.positionalArguments().constFirst().toStdString());
    if (!scenario) {
        err << scenario.error().toString().c_str() << '\n';
        return 1;
    }
    const bool headless = parser.isSet(u"headless"_qs);
    const QString workspace = parser.isSet(u"workspace"_qs) ? parser.value(u"workspace"_qs)
                                                            : QString::fromStdString(scenario->workspace.string());

    // A headless run must not read or change the author's saved layout.
    QTemporaryDir scratch;
    ui::StudioSettings settings
        = headless ? ui::StudioSettings(scratch.filePath(u"studio.ini"_qs)) : ui::StudioSettings();
    ui::MainWindow window(settings);
    QString error;
    if (!window.openWorkspace(workspace, &error)) {
        err << "Cannot open the workspace: " << error << '\n';
        return 1;
    }
    window.resize(1440, 900);
    window.show();

    ui::ScenarioPlayer player(*window.simulation(), window.productPage(),
        headless ? ui::ScenarioPlayer::Pacing::Headless : ui::ScenarioPlayer::Pacing::Presentation);
    QTextStream out(stdout);
    QObject::connect(&player, &ui::ScenarioPlayer::stepStarted, [&out](int index, const QString& description) {
        out << "step " << index + 1 << ": " << description << Qt::endl;
    });
    int exitCode = 0;
    QObject::connect(&player, &ui::ScenarioPlayer::finished, [&](bool passed, const QString& failure) {
        if (passed)
            out << "PASS " << QString::fromStdString(scenario->name) << Qt::endl;
        else
            err << "FAIL " << failure << Qt::endl;
        if (parser.isSet(u"screenshot"_qs))
            window.grab().save(parser.value(u"screenshot"_qs));
        exitCode = passed ? 0 : 1;
        if (headless)
            QCoreApplication::exit(exitCode);
    });
    // The first document must be there before the first step acts on it.
    QObject::connect(
        window.view(), &QWebEngineView::loadFinished, &player,
        [&player, &scenario](bool) {
            if (!player.isPlaying())
                player.play(*scenario);
        },
        Qt::SingleShotConnection);
    window.view()->load(window.productUrl(QString::fromStdString(scenario->startPath)));
    const int code = QApplication::exec();
    return headless ? exitCode : code;
}

} // namespace proactive::app
