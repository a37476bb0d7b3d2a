#pragma once

#include "chat/chatcontroller.h"
#include "client/simulatedclient.h"

#include <QByteArray>
#include <QSettings>
#include <QStringList>

namespace proactive::ui {

// What the studio remembers between runs (QSettings, typed): window layout,
// recent workspaces, the simulation's timings and speed. Never secrets.
class StudioSettings final {
public:
    // The platform's default location; tests pass their own file.
    StudioSettings();
    explicit StudioSettings(const QString& iniFile);

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray& geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray& state);

    // Most recent first, at most kMaxRecent, existing or not.
    QStringList recentWorkspaces() const;
    void addRecentWorkspace(const QString& directory);
    static constexpr int kMaxRecent = 8;

    ClientSettings clientSettings() const;
    void setClientSettings(const ClientSettings& settings);
    double speed() const;
    void setSpeed(double speed);
    // The offline server unless `chat/backend` is "dify" with a `chat/dify_base_url`.
    ChatBackend chatBackend() const;
    void setChatBackend(const ChatBackend& backend);

    // Simulation ▸ Send Offer Events to PostHog (issue 18); off unless turned on.
    bool exportsOfferEvents() const;
    void setExportsOfferEvents(bool on);
    // The outbox of those events: beside the settings file.
    QString offerOutboxFile() const;

private:
    QSettings m_settings;
};

} // namespace proactive::ui
