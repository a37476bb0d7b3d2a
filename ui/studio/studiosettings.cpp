#include "studiosettings.h"

#include <QDir>
#include <QFileInfo>

namespace proactive::ui {

namespace {

    Duration msValue(const QSettings& settings, const QString& key, Duration fallback)
    {
        bool ok = false;
        const qint64 ms = settings.value(key).toLongLong(&ok);
        return ok && ms >= 0 ? Duration(ms) : fallback;
    }

} // namespace

StudioSettings::StudioSettings() = default;

StudioSettings::StudioSettings(const QString& iniFile)
    : m_settings(iniFile, QSettings::IniFormat)
{ }

QByteArray StudioSettings::windowGeometry() const
{
    return m_settings.value(u"window/geometry"_qs).toByteArray();
}

void StudioSettings::setWindowGeometry(const QByteArray& geometry)
{
    m_settings.setValue(u"window/geometry"_qs, geometry);
}

QByteArray StudioSettings::windowState() const
{
    return m_settings.value(u"window/state"_qs).toByteArray();
}

void StudioSettings::setWindowState(const QByteArray& state)
{
    m_settings.setValue(u"window/state"_qs, state);
}

QStringList StudioSettings::recentWorkspaces() const
{
    return m_settings.value(u"workspaces/recent"_qs).toStringList();
}

void StudioSettings::addRecentWorkspace(const QString& directory)
{
    const QString path = QDir(directory).absolutePath();
    QStringList recent = recentWorkspaces();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    m_settings.setValue(u"workspaces/recent"_qs, recent);
}

ClientSettings StudioSettings::clientSettings() const
{
    const ClientSettings defaults;
    ClientSettings settings;
    settings.pollInterval = msValue(m_settings, u"simulation/poll_interval_ms"_qs, defaults.pollInterval);
    settings.firstPoll = msValue(m_settings, u"simulation/first_poll_ms"_qs, defaults.firstPoll);
    settings.raceWindow = msValue(m_settings, u"simulation/race_window_ms"_qs, defaults.raceWindow);
    if (settings.pollInterval <= Duration(0))
        settings.pollInterval = defaults.pollInterval;
    return settings;
}

void StudioSettings::setClientSettings(const ClientSettings& settings)
{
    m_settings.setValue(u"simulation/poll_interval_ms"_qs, static_cast<qint64>(settings.pollInterval.count()));
    m_settings.setValue(u"simulation/first_poll_ms"_qs, static_cast<qint64>(settings.firstPoll.count()));
    m_settings.setValue(u"simulation/race_window_ms"_qs, static_cast<qint64>(settings.raceWindow.count()));
}

double StudioSettings::speed() const
{
    bool ok = false;
    const double speed = m_settings.value(u"simulation/speed"_qs, 1.0).toDouble(&ok);
    return ok && speed >= 0 ? speed : 1.0;
}

void StudioSettings::setSpeed(double speed)
{
    m_settings.setValue(u"simulation/speed"_qs, speed);
}

ChatBackend StudioSettings::chatBackend() const
{
    ChatBackend backend;
    backend.tokenDelayMs = m_settings.value(u"chat/offline_token_delay_ms"_qs, backend.tokenDelayMs).toInt();
    backend.chunkChars = m_settings.value(u"chat/offline_chunk_chars"_qs, backend.chunkChars).toInt();
    backend.fault = m_settings.value(u"chat/offline_fault"_qs, backend.fault).toString();
    const QUrl base(m_settings.value(u"chat/dify_base_url"_qs).toString());
    if (m_settings.value(u"chat/backend"_qs).toString() == u"dify"_qs && base.isValid() && !base.isEmpty()) {
        backend.kind = ChatBackend::Kind::Dify;
        backend.difyBaseUrl = base;
    }
    return backend;
}

void StudioSettings::setChatBackend(const ChatBackend& backend)
{
    m_settings.setValue(u"chat/backend"_qs, backend.kind == ChatBackend::Kind::Dify ? u"dify"_qs : u"offline"_qs);
    if (backend.kind == ChatBackend::Kind::Dify)
        m_settings.setValue(u"chat/dify_base_url"_qs, backend.difyBaseUrl.toString());
    m_settings.setValue(u"chat/offline_token_delay_ms"_qs, backend.tokenDelayMs);
    m_settings.setValue(u"chat/offline_chunk_chars"_qs, backend.chunkChars);
    m_settings.setValue(u"chat/offline_fault"_qs, backend.fault);
}

bool StudioSettings::exportsOfferEvents() const
{
    return m_settings.value(u"export/offer_events"_qs, false).toBool();
}

void StudioSettings::setExportsOfferEvents(bool on)
{
    m_settings.setValue(u"export/offer_events"_qs, on);
}

QString StudioSettings::offerOutboxFile() const
{
    return QFileInfo(m_settings.fileName()).absoluteDir().filePath(u"offer-outbox.db"_qs);
}

} // namespace proactive::ui
