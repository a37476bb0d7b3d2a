#pragma once

#include "tourcatalog.h"
#include "workspace/workspace.h"

#include <QMainWindow>
#include <QPointer>
#include <memory>

class QActionGroup;
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QWebEngineView;

namespace proactive::ui {

class ChatController;
class ElementPicker;
class OfferExport;
class TourEditor;
class TourRunner;
class ProductPage;
class ReplayWorkbench;
class Simulation;
class StaticSiteServer;
class StudioSettings;

// The studio: the product in a web view with the proactive widget in it,
// the simulation's time controls, and the inspector docks around it.
class MainWindow final : public QMainWindow {
    Q_OBJECT

public:
    explicit MainWindow(StudioSettings& settings, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Loads the workspace, picks its first enabled product, serves the
    // workspace's bundled site if it has one and opens it. On failure the
    // current workspace stays and `error` says why.
    bool openWorkspace(const QString& directory, QString* error = nullptr);
    QString workspaceDirectory() const;

    Simulation* simulation() const { return m_simulation; }
    ChatController* chat() const { return m_chat; }
    TourRunner& tours() const { return *m_tours; }
    ProductPage& productPage() const { return *m_page; }
    QWebEngineView* view() const { return m_view; }
    // Where the product is: the bundled site's server, else the URL bar's.
    QUrl productUrl(const QString& path) const;
    ReplayWorkbench* replayWorkbench() const { return m_replay; }

    // File ▸ Save Session… / Open Session… (issue 16): the live session's
    // events, rrweb recording and labels in one folder (core/recording/
    // sessionfolder.h); opening imports them into the replay workbench.
    bool saveSessionTo(const QString& folder);
    bool openSessionFrom(const QString& folder);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createActions();
    void createDocks();
    void applyDefaultLayout();
    void selectProduct(const QString& productId);
    // A chat for the current simulation with the configured backend.
    void startChat();
    void reloadTourCatalog();
    void setSpeed(double speed);
    void refreshClock();
    void refreshRecentMenu();
    void openWorkspaceDialog();
    // Simulation ▸ Send Offer Events to PostHog: opens the outbox and the
    // sender, or closes them (what waits stays in the outbox file).
    void setExportsOfferEvents(bool on);

    StudioSettings& m_settings;
    std::shared_ptr<const Workspace> m_workspace;
    TourCatalog m_catalog;
    QPointer<Simulation> m_simulation;
    QPointer<ChatController> m_chat;
    ProductPage* m_page;
    TourRunner* m_tours;
    ElementPicker* m_picker;
    TourEditor* m_tourEditor;
    QWebEngineView* m_view;
    StaticSiteServer* m_site = nullptr;
    QLineEdit* m_urlBar;
    QComboBox* m_products;
    QLabel* m_clock;
    QLabel* m_captures;
    QLabel* m_exportStatus;
    QAction* m_exportAction = nullptr;
    std::unique_ptr<OfferExport> m_export;
    QActionGroup* m_speeds;
    QMenu* m_recentMenu = nullptr;
    QList<QDockWidget*> m_docks;
    bool m_defaultLayoutPending = true;
    // Replay (issue 8): sessions, replay, trigger editor and sweeps, in one dock.
    ReplayWorkbench* m_replay = nullptr;
};

} // namespace proactive::ui
