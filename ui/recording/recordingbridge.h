#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

namespace proactive::ui {

// The C++ end of recorder.js (registered as "recording"): whether rrweb
// records the page and how, and the events it recorded, in batches (a JSON
// array each). Properties, so a new document starts as the studio says.
class RecordingBridge final : public QObject {
    Q_OBJECT
    Q_PROPERTY(bool active READ active NOTIFY activeChanged)
    // rrweb's maskAllInputs: typed values leave the page as asterisks.
    Q_PROPERTY(bool maskInputs READ maskInputs NOTIFY activeChanged)

public:
    using QObject::QObject;

    bool active() const { return m_active; }
    bool maskInputs() const { return m_maskInputs; }
    void setActive(bool active, bool maskInputs)
    {
        if (active == m_active && maskInputs == m_maskInputs)
            return;
        m_active = active;
        m_maskInputs = maskInputs;
        Q_EMIT activeChanged(m_active);
    }

    Q_INVOKABLE void append(const QString& eventsJson) { Q_EMIT eventsRecorded(eventsJson.toUtf8()); }

Q_SIGNALS:
    void activeChanged(bool active);
    void eventsRecorded(const QByteArray& eventsJson);

private:
    bool m_active = false;
    bool m_maskInputs = true;
};

} // namespace proactive::ui
