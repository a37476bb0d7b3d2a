#include "mainwindow.h"

#include "chat/chatcontroller.h"
#include "chat/chatlogpanel.h"
#include "chatbackenddialog.h"
#include "chatbridge.h"
#include "elementpicker.h"
#include "inspector/agentstatepanel.h"
#include "inspector/pollspanel.h"
#include "inspector/presentation.h"
#include "inspector/sessionpanel.h"
#include "inspector/timelinepanel.h"
#include "inspector/triggerspanel.h"
#include "offerexport.h"
#include "productpage.h"
#include "recording/sessionfolder.h"
#include "replay/labeldocument.h"
#include "replay/replaypanel.h"
#include "replay/replayworkbench.h"
#include "sessionrecorder.h"
#include "simulation/simulation.h"
#include "staticsiteserver.h"
#include "studioprofile.h"
#include "studiosettings.h"
#include "toureditor.h"
#include "tourprompt.h"
#include "tourrunner.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QScrollArea>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>
#include <QWebEngineHistory>
#include <QWebEngineProfile>
#include <QWebEngineView>

namespace proactive::ui {

namespace {

    struct SpeedChoice {
        double speed;
        const char* label;
        const char* tip;
    };
    constexpr std::array kSpeeds { SpeedChoice { 0, QT_TRANSLATE_NOOP("MainWindow", "Pause"), "Time stands still" },
        SpeedChoice { 1, "1×", "Real time: polls every 20 s as in production" },
        SpeedChoice { 10, "10×", "Ten times faster" }, SpeedChoice { 60, "60×", "A minute per second" } };

    QString describe(const Diagnostics& diagnostics)
    {
        QStringList lines;
        for (const Diagnostic& diagnostic : diagnostics)
            lines << QString::fromStdString(diagnostic.toString());
        return lines.join(u'\n');
    }

} // namespace

MainWindow::MainWindow(StudioSettings& settings, QWidget* parent)
    : QMainWindow(parent)
    , m_settings(settings)
    , m_page(new ProductPage(QWebEngineProfile::defaultProfile(), this))
    // Before the first document: it receives the bridge's objects when it opens the channel.
    , m_tours(new TourRunner(&m_page->bridge(), this))
    , m_picker(new ElementPicker(&m_page->bridge(), this))
    , m_tourEditor(new TourEditor(this))
    , m_view(new QWebEngineView(this))
    , m_urlBar(new QLineEdit(this))
    , m_products(new QComboBox(this))
    , m_clock(new QLabel(this))
    , m_captures(new QLabel(this))
    , m_exportStatus(new QLabel(this))
    , m_speeds(new QActionGroup(this))
{
    setWindowTitle(tr("Proactive Studio"));
    m_view->setPage(m_page->page());
    setCentralWidget(m_view);
    m_urlBar->setObjectName(u"urlBar"_qs);
    m_urlBar->setPlaceholderText(tr("Product URL: the bundled demo, or your staging app"));
    m_products->setObjectName(u"products"_qs);
    m_products->setToolTip(tr("The product the captured activity belongs to"));
    m_clock->setObjectName(u"clock"_qs);
    m_clock->setMinimumWidth(240);
    m_urlBar->setMinimumWidth(420);
    createActions();
    createDocks();
    statusBar()->addPermanentWidget(m_exportStatus);
    statusBar()->addPermanentWidget(m_captures);
    m_exportStatus->setObjectName(u"offerExportStatus"_qs);
    m_exportStatus->hide();
    m_exportAction->setChecked(m_settings.exportsOfferEvents());

    connect(m_view, &QWebEngineView::urlChanged, this, [this](const QUrl& url) { m_urlBar->setText(url.toString()); });
    connect(m_urlBar, &QLineEdit::returnPressed, this,
        [this] { m_view->load(QUrl::fromUserInput(m_urlBar->text().trimmed())); });
    connect(m_products, &QComboBox::activated, this,
        [this](int index) { selectProduct(m_products->itemData(index).toString()); });
    connect(m_page, &ProductPage::captureCountChanged, this,
        [this](int count) { m_captures->setText(tr("%n event(s) captured", nullptr, count)); });

    resize(1500, 900);
    restoreGeometry(m_settings.windowGeometry());
    m_defaultLayoutPending = !restoreState(m_settings.windowState());
}

void MainWindow::applyDefaultLayout()
{
    // The product stays the largest thing on screen.
    const auto dock = [this](const char* name) { return findChild<QDockWidget*>(QString::fromLatin1(name)); };
    resizeDocks({ dock("sessionDock"), dock("agentStateDock") }, { 280, 400 }, Qt::Horizontal);
    resizeDocks({ dock("agentStateDock"), dock("triggersDock") }, { 260, 440 }, Qt::Vertical);
    resizeDocks({ dock("timelineDock") }, { 200 }, Qt::Vertical);
}

MainWindow::~MainWindow()
{
    m_page->attach(nullptr);
}

void MainWindow::createActions()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open Workspace…"), this, &MainWindow::openWorkspaceDialog);
    open->setShortcut(QKeySequence::Open);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    // Replay (issue 8): recorded PostHog sessions; files dropped on the window import too.
    QAction* importSessions = file->addAction(tr("&Import Sessions…"), this, [this] { m_replay->importDialog(); });
    importSessions->setObjectName(u"importSessions"_qs);
    // Visual replay (issue 16): PostHog's recording exports, shown beside the replay.
    QAction* importRecordings
        = file->addAction(tr("Import &Recordings…"), this, [this] { m_replay->importRecordingsDialog(); });
    importRecordings->setObjectName(u"importRecordings"_qs);
    // The live session (its events, its rrweb recording, its labels) in one folder, and back.
    QAction* saveSession = file->addAction(tr("Sa&ve Session…"), this, [this] {
        const QString folder = QFileDialog::getSaveFileName(this, tr("Save session"), workspaceDirectory());
        if (!folder.isEmpty())
            saveSessionTo(folder);
    });
    saveSession->setObjectName(u"saveSession"_qs);
    QAction* openSession = file->addAction(tr("Open Sess&ion…"), this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Open session"), workspaceDirectory());
        if (!folder.isEmpty())
            openSessionFrom(folder);
    });
    openSession->setObjectName(u"openSession"_qs);
    // Labels (issue 15) are edited on the replay timeline; Ctrl+S saves them there too.
    QAction* saveLabels = file->addAction(tr("Save &Labels"), this, [this] {
        ReplayPanel* panel = m_replay->replayPanel();
        statusBar()->showMessage(panel->saveLabels() ? tr("Saved %1").arg(panel->labelDocument()->displayName())
                                                     : tr("Labels not saved: the Replay tab says why"),
            10'000);
    });
    saveLabels->setObjectName(u"saveLabels"_qs);
    // End of replay (issue 8).
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    refreshRecentMenu();

    QToolBar* browser = addToolBar(tr("Browser"));
    browser->setObjectName(u"browserToolBar"_qs);
    browser->addAction(style()->standardIcon(QStyle::SP_ArrowBack), tr("Back"), m_view, &QWebEngineView::back);
    browser->addAction(style()->standardIcon(QStyle::SP_ArrowForward), tr("Forward"), m_view, &QWebEngineView::forward);
    browser->addAction(style()->standardIcon(QStyle::SP_BrowserReload), tr("Reload"), m_view, &QWebEngineView::reload);
    browser->addWidget(m_urlBar);
    browser->addWidget(m_products);

    addToolBarBreak();
    QToolBar* time = addToolBar(tr("Simulation"));
    time->setObjectName(u"simulationToolBar"_qs);
    QMenu* simulationMenu = menuBar()->addMenu(tr("&Simulation"));
    for (const SpeedChoice& choice : kSpeeds) {
        QAction* action = m_speeds->addAction(tr(choice.label));
        action->setCheckable(true);
        action->setToolTip(tr(choice.tip));
        action->setData(choice.speed);
        action->setObjectName(u"speed%1"_qs.arg(choice.speed));
        connect(action, &QAction::triggered, this, [this, speed = choice.speed] { setSpeed(speed); });
        time->addAction(action);
        simulationMenu->addAction(action);
    }
    QAction* step = time->addAction(tr("Next poll"));
    step->setObjectName(u"stepToNextPoll"_qs);
    step->setToolTip(tr("Jump to the client's next poll and run it"));
    step->setShortcut(Qt::Key_F8);
    connect(step, &QAction::triggered, this, [this] {
        if (m_simulation)
            m_simulation->stepToNextPoll();
    });
    simulationMenu->addAction(step);
    simulationMenu->addSeparator();
    QAction* copyPrompt = simulationMenu->addAction(tr("&Copy Dify System Prompt (tour catalog)"), this, [this] {
        QGuiApplication::clipboard()->setText(QString::fromStdString(tourPromptSection(m_catalog)));
        statusBar()->showMessage(tr("The tour catalog and selection rules are on the clipboard; paste them into "
                                    "the Dify app's system prompt."),
            8000);
    });
    copyPrompt->setObjectName(u"copyPrompt"_qs);
    m_exportAction = simulationMenu->addAction(tr("Send Offer &Events to PostHog"));
    m_exportAction->setObjectName(u"exportOfferEvents"_qs);
    m_exportAction->setCheckable(true);
    m_exportAction->setToolTip(tr("Send the live session's offer events to each product's PostHog project "
                                  "(posthog_export in products.json), as serve does"));
    connect(m_exportAction, &QAction::toggled, this, &MainWindow::setExportsOfferEvents);
    simulationMenu->addAction(tr("Chat &Backend…"), this, [this] {
        ChatBackendDialog dialog(m_settings.chatBackend(), this);
        if (dialog.exec() != QDialog::Accepted)
            return;
        m_settings.setChatBackend(dialog.backend());
        // A new chat for the new backend; the visitor's session goes on.
        startChat();
    });
    time->addWidget(m_clock);
}

void MainWindow::createDocks()
{
    const auto addDock = [this](const QString& title, const QString& name, Qt::DockWidgetArea area) {
        auto* dock = new QDockWidget(title, this);
        dock->setObjectName(name);
        addDockWidget(area, dock);
        m_docks << dock;
        return dock;
    };
    QDockWidget* state = addDock(tr("Agent state"), u"agentStateDock"_qs, Qt::RightDockWidgetArea);
    QDockWidget* triggers = addDock(tr("Triggers"), u"triggersDock"_qs, Qt::RightDockWidgetArea);
    QDockWidget* polls = addDock(tr("Polls and gates"), u"pollsDock"_qs, Qt::RightDockWidgetArea);
    QDockWidget* session = addDock(tr("Session"), u"sessionDock"_qs, Qt::LeftDockWidgetArea);
    QDockWidget* timeline = addDock(tr("Timeline"), u"timelineDock"_qs, Qt::BottomDockWidgetArea);
    QDockWidget* chat = addDock(tr("Chat exchanges"), u"chatDock"_qs, Qt::RightDockWidgetArea);
    tabifyDockWidget(polls, chat);
    // The editor is wide (lists beside forms): it shares the bottom with the timeline.
    QDockWidget* tours = addDock(tr("Tours"), u"toursDock"_qs, Qt::BottomDockWidgetArea);
    tabifyDockWidget(timeline, tours);
    timeline->raise();
    // The editor outlives simulations: it edits the workspace's files.
    m_docks.removeOne(tours);
    // Scrolled, so its minimum size does not decide the window's.
    auto* toursScroll = new QScrollArea(tours);
    toursScroll->setWidgetResizable(true);
    toursScroll->setWidget(m_tourEditor);
    tours->setWidget(toursScroll);
    m_tourEditor->setPicker(m_picker);
    m_tourEditor->setRunner(m_tours);
    connect(m_tourEditor, &TourEditor::saved, this, &MainWindow::reloadTourCatalog);
    // The chat folds while a tour runs: its panel would cover the targets.
    connect(m_tours, &TourRunner::started, this, [this] { m_page->chat().setFolded(true); });
    connect(m_tours, &TourRunner::completed, this, [this] { m_page->chat().setFolded(false); });
    connect(m_tours, &TourRunner::abandoned, this, [this] { m_page->chat().setFolded(false); });
    connect(m_tours, &TourRunner::failed, this, [this] { m_page->chat().setFolded(false); });
    connect(m_tours, &TourRunner::failed, this,
        [this](const QString& tourId, const QString& selector, const QString& reason) {
            statusBar()->showMessage(selector.isEmpty() ? tr("Tour %1: %2").arg(tourId, reason)
                                                        : tr("Tour %1, target %2: %3").arg(tourId, selector, reason),
                15'000);
        });
    tabifyDockWidget(triggers, polls);
    triggers->raise();
    Q_UNUSED(state);
    Q_UNUSED(session);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : std::as_const(m_docks))
        view->addAction(dock->toggleViewAction());
    view->addAction(tours->toggleViewAction());

    // Replay (issue 8): one dock beside the timeline. It follows the workspace and the product through
    // the product box (which openWorkspace fills after setting m_workspace), and hands triggers edited in
    // it back to the workspace and the live simulation, so both run what the author sees.
    auto* replayDock = new QDockWidget(tr("Replay"), this);
    replayDock->setObjectName(u"replayDock"_qs);
    addDockWidget(Qt::BottomDockWidgetArea, replayDock);
    tabifyDockWidget(timeline, replayDock);
    timeline->raise();
    m_replay = new ReplayWorkbench(replayDock);
    // Scrolled, like the tour editor, so its minimum size does not decide the window's.
    auto* replayScroll = new QScrollArea(replayDock);
    replayScroll->setWidgetResizable(true);
    replayScroll->setWidget(m_replay);
    replayDock->setWidget(replayScroll);
    view->addAction(replayDock->toggleViewAction());
    // Not on the product view: the page keeps a browser's own drops, and a
    // filter on the view makes its scripted clicks flaky (tests/ui/tst_studio).
    m_replay->acceptDropsOn(this);
    connect(m_products, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index >= 0 && m_workspace)
            m_replay->setWorkspace(m_workspace, m_products->itemData(index).toString());
    });
    connect(m_replay, &ReplayWorkbench::workspaceEdited, this, [this](std::shared_ptr<const Workspace> workspace) {
        m_workspace = workspace;
        if (m_simulation)
            m_simulation->setWorkspace(std::move(workspace));
    });
    connect(m_replay, &ReplayWorkbench::navigationRequested, this, [this](const QString& productId, const QUrl& url) {
        if (productId != m_products->currentData().toString()) {
            statusBar()->showMessage(tr("The replayed session belongs to product %1; the studio shows %2")
                                         .arg(productId, m_products->currentData().toString()),
                10'000);
            return;
        }
        QUrl target = productUrl(url.path());
        target.setQuery(url.query());
        target.setFragment(url.fragment());
        m_view->load(target);
    });
    connect(m_replay, &ReplayWorkbench::statusMessage, this,
        [this](const QString& message) { statusBar()->showMessage(message, 10'000); });
    // End of replay (issue 8).
}

bool MainWindow::openWorkspace(const QString& directory, QString* error)
{
    const auto fail = [error](const QString& reason) {
        if (error)
            *error = reason;
        return false;
    };
    const Result<StudioProfile> profile = loadStudioProfile(directory);
    if (!profile)
        return fail(QString::fromStdString(profile.error().toString()));
    Diagnostics diagnostics;
    auto workspace = std::make_shared<const Workspace>(Workspace::load(directory.toStdString(), diagnostics));
    if (workspace->products().empty())
        return fail(tr("%1 has no usable product.\n%2").arg(directory, describe(diagnostics)));
    if (!diagnostics.empty())
        statusBar()->showMessage(tr("The workspace loaded with %n problem(s); run 'validate' for details", nullptr,
                                     static_cast<int>(diagnostics.size())),
            10'000);

    auto* site = new StaticSiteServer(this);
    if (!profile->siteDirectory.isEmpty() && !site->start(profile->siteDirectory)) {
        delete site;
        return fail(tr("Cannot serve the product site %1").arg(profile->siteDirectory));
    }
    delete m_site;
    m_site = profile->siteDirectory.isEmpty() ? (delete site, nullptr) : site;
    m_workspace = std::move(workspace);
    m_tourEditor->openFolder(QString::fromStdString((m_workspace->root() / "tours").string()));
    Diagnostics tourDiagnostics;
    m_catalog = loadTourCatalogDir(m_workspace->root() / "tours", tourDiagnostics);
    m_tours->stop();
    m_tours->setCatalog(m_catalog);
    m_replay->setTourCatalog(m_catalog);

    m_products->clear();
    QString chosen = profile->productId;
    for (const Product& product : m_workspace->products()) {
        const QString id = QString::fromStdString(product.id);
        m_products->addItem(QString::fromStdString(product.name.empty() ? product.id : product.name), id);
        if (chosen.isEmpty() && product.proactive.enabled)
            chosen = id;
    }
    if (chosen.isEmpty() || !m_workspace->product(chosen.toStdString()))
        chosen = QString::fromStdString(m_workspace->products().front().id);
    m_products->setCurrentIndex(m_products->findData(chosen));
    selectProduct(chosen);

    m_settings.addRecentWorkspace(directory);
    refreshRecentMenu();
    setWindowTitle(tr("%1 — Proactive Studio").arg(QDir(directory).dirName()));
    if (m_site)
        m_view->load(m_site->url(profile->startPath));
    return true;
}

QString MainWindow::workspaceDirectory() const
{
    return m_workspace ? QString::fromStdString(m_workspace->root().string()) : QString();
}

QUrl MainWindow::productUrl(const QString& path) const
{
    if (m_site)
        return m_site->url(path);
    QUrl url(m_urlBar->text());
    url.setPath(path);
    return url;
}

void MainWindow::selectProduct(const QString& productId)
{
    if (!m_workspace)
        return;
    m_page->attach(nullptr);
    for (QDockWidget* dock : std::as_const(m_docks))
        delete dock->widget();
    delete m_chat;
    delete m_simulation;
    m_simulation = new Simulation(m_workspace, productId, m_settings.clientSettings(), this);

    const auto dock = [this](const char* name) { return findChild<QDockWidget*>(QString::fromLatin1(name)); };
    dock("agentStateDock")->setWidget(new AgentStatePanel(*m_simulation));
    dock("triggersDock")->setWidget(new TriggersPanel(*m_simulation));
    dock("pollsDock")->setWidget(new PollsPanel(*m_simulation));
    auto* session = new SessionPanel(*m_simulation);
    connect(session, &SessionPanel::clientSettingsChanged, this,
        [this](const ClientSettings& settings) { m_settings.setClientSettings(settings); });
    dock("sessionDock")->setWidget(session);
    dock("timelineDock")->setWidget(new TimelinePanel(*m_simulation));
    startChat();

    connect(m_simulation, &Simulation::timeChanged, this, &MainWindow::refreshClock);
    // SPEC §4: accepting an offer with a tour starts it; how it ends goes back to the FSM.
    connect(m_simulation, &Simulation::tourRequested, m_tours, &TourRunner::start);
    m_simulation->setOfferEventSink(m_export.get());
    connect(m_tours, &TourRunner::progressed, m_simulation, &Simulation::tourProgressed);
    connect(m_tours, &TourRunner::completed, m_simulation, &Simulation::tourCompleted);
    connect(m_tours, &TourRunner::abandoned, m_simulation, &Simulation::tourAbandoned);
    connect(m_simulation, &Simulation::captureRejected, this,
        [this](const QString& reason) { statusBar()->showMessage(tr("Capture rejected: %1").arg(reason), 10'000); });
    m_page->attach(m_simulation);
    setSpeed(m_settings.speed());
    if (m_defaultLayoutPending) {
        m_defaultLayoutPending = false;
        applyDefaultLayout();
    }
}

void MainWindow::setExportsOfferEvents(bool on)
{
    m_settings.setExportsOfferEvents(on);
    if (m_simulation)
        m_simulation->setOfferEventSink(nullptr);
    m_export.reset();
    m_exportStatus->setVisible(on);
    if (!on)
        return;
    auto opened = OfferExport::open(m_settings.offerOutboxFile(), [this](const std::string& productId) {
        const Product* product = m_workspace ? m_workspace->product(productId) : nullptr;
        return product ? product->posthogExport : std::nullopt;
    });
    if (!opened) {
        m_exportStatus->setText(tr("offer events not sent: %1").arg(QString::fromStdString(opened.error().toString())));
        return;
    }
    m_export = std::move(*opened);
    connect(m_export.get(), &OfferExport::statusChanged, m_exportStatus, &QLabel::setText);
    m_exportStatus->setText(m_export->status());
    if (m_simulation)
        m_simulation->setOfferEventSink(m_export.get());
}

void MainWindow::startChat()
{
    auto* dock = findChild<QDockWidget*>(u"chatDock"_qs);
    delete dock->widget();
    delete m_chat;
    m_page->chat().setOpen(false);
    m_page->chat().clear();
    m_chat = new ChatController(*m_simulation, m_page->chat(), m_catalog, m_settings.chatBackend(), this);
    connect(m_chat, &ChatController::tourRequested, m_tours, &TourRunner::start);
    dock->setWidget(new ChatLogPanel(*m_chat));
}

bool MainWindow::saveSessionTo(const QString& folder)
{
    if (!m_simulation || !m_workspace) {
        statusBar()->showMessage(tr("No live session to save"), 10'000);
        return false;
    }
    const std::string sessionId = m_simulation->sessionId().toStdString();
    SavedSession saved { sessionId, m_page->sessionEvents(), m_page->recorder().recording(),
        sessionLabelsJson(m_workspace->root(), sessionId) };
    if (const Status status = writeSessionFolder(folder.toStdString(), saved); !status) {
        statusBar()->showMessage(
            tr("Session not saved: %1").arg(QString::fromStdString(status.error().toString())), 15'000);
        return false;
    }
    statusBar()->showMessage(
        tr("Saved session %1 (%n event(s), recording of %2 rrweb events) in %3", nullptr, int(saved.events.size()))
            .arg(QString::fromStdString(sessionId))
            .arg(saved.recording.eventCount())
            .arg(folder),
        15'000);
    return true;
}

bool MainWindow::openSessionFrom(const QString& folder)
{
    const std::filesystem::path path = folder.toStdString();
    if (const Status status = checkSessionFolder(path); !status) {
        statusBar()->showMessage(
            tr("Not a saved session: %1").arg(QString::fromStdString(status.error().toString())), 15'000);
        return false;
    }
    // Its labels join the workspace's, in a file of their own (kept when
    // there already is one by that name).
    const QString labels = QString::fromStdString((path / kSavedLabelsFile).string());
    if (m_workspace && QFileInfo::exists(labels)) {
        const QString target = QString::fromStdString(
            (m_workspace->root() / "labels" / ("session-" + path.filename().string() + ".json")).string());
        QDir().mkpath(QFileInfo(target).absolutePath());
        if (!QFileInfo::exists(target) && QFile::copy(labels, target))
            m_replay->loadLabels();
    }
    m_replay->importRecordingPaths({ QString::fromStdString((path / kSavedRecordingFile).string()) });
    return m_replay->importPaths({ QString::fromStdString((path / kSavedEventsFile).string()) });
}

void MainWindow::reloadTourCatalog()
{
    Diagnostics diagnostics;
    m_catalog = loadTourCatalogDir(m_workspace->root() / "tours", diagnostics);
    m_tours->setCatalog(m_catalog);
    m_replay->setTourCatalog(m_catalog);
    if (m_chat)
        m_chat->setCatalog(m_catalog);
}

void MainWindow::setSpeed(double speed)
{
    for (QAction* action : m_speeds->actions())
        action->setChecked(action->data().toDouble() == speed);
    if (!m_speeds->checkedAction()) {
        speed = 1;
        m_speeds->actions().at(1)->setChecked(true);
    }
    m_settings.setSpeed(speed);
    if (m_simulation)
        m_simulation->setSpeed(speed);
    refreshClock();
}

void MainWindow::refreshClock()
{
    if (!m_simulation)
        return;
    const double speed = m_simulation->speed();
    const QString pace = speed <= 0 ? tr("paused") : u"%1×"_qs.arg(speed);
    m_clock->setText(tr("  Simulated time %1 (%2)").arg(clockTime(m_simulation->now()), pace));
}

void MainWindow::refreshRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = m_settings.recentWorkspaces();
    for (const QString& directory : recent)
        m_recentMenu->addAction(directory, this, [this, directory] {
            QString error;
            if (!openWorkspace(directory, &error))
                QMessageBox::warning(this, tr("Open workspace"), error);
        });
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::openWorkspaceDialog()
{
    const QString directory = QFileDialog::getExistingDirectory(this, tr("Open workspace"), workspaceDirectory());
    if (directory.isEmpty())
        return;
    QString error;
    if (!openWorkspace(directory, &error))
        QMessageBox::warning(this, tr("Open workspace"), error);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    m_settings.setWindowGeometry(saveGeometry());
    m_settings.setWindowState(saveState());
    QMainWindow::closeEvent(event);
}

} // namespace proactive::ui
