#include "sessionrecorder.h"

#include "pagebridge.h"
#include "recordingbridge.h"

#include <QDateTime>
#include <nlohmann/json.hpp>

namespace proactive::ui {

SessionRecorder::SessionRecorder(PageBridge& bridge, QObject* parent)
    : QObject(parent)
    , m_bridge(bridge)
    , m_channelObject(new RecordingBridge(this))
{
    m_bridge.registerObject(u"recording"_qs, m_channelObject);
    // rrweb first: recorder.js finds it as a global of the same world.
    m_bridge.addScriptFile(u":/proactive/rrweb/rrweb.min.js"_qs, QWebEngineScript::DocumentReady);
    m_bridge.addScriptFile(u":/proactive/recording/recorder.js"_qs, QWebEngineScript::DocumentReady);
    connect(m_channelObject, &RecordingBridge::eventsRecorded, this, &SessionRecorder::append);
}

SessionRecorder::~SessionRecorder() = default;

void SessionRecorder::start(const QString& recordingId, bool maskInputs)
{
    m_recording = Recording { recordingId.toStdString(), { RecordingWindow { kWindowId, {} } } };
    m_lastTimestamp = 0;
    // Off and on again, so a document already recording starts over with
    // a full snapshot under the new id.
    m_channelObject->setActive(false, maskInputs);
    m_channelObject->setActive(true, maskInputs);
    Q_EMIT recordingChanged(0);
}

void SessionRecorder::stop()
{
    m_channelObject->setActive(false, m_channelObject->maskInputs());
}

bool SessionRecorder::isRecording() const
{
    return m_channelObject->active();
}

bool SessionRecorder::masksInputs() const
{
    return m_channelObject->maskInputs();
}

void SessionRecorder::append(const QByteArray& eventsJson)
{
    if (!isRecording())
        return;
    nlohmann::json events = nlohmann::json::parse(eventsJson.constData(), nullptr, false);
    if (!events.is_array())
        return;
    const std::int64_t shift
        = m_studioClock ? m_studioClock().time_since_epoch().count() - QDateTime::currentMSecsSinceEpoch() : 0;
    std::vector<RecordingEvent>& kept = m_recording.windows.front().events;
    for (nlohmann::json& event : events) {
        if (!event.is_object() || !event["type"].is_number_integer() || !event["timestamp"].is_number())
            continue;
        // Never back in time: a paused or slowed studio clock would otherwise
        // put later events before earlier ones.
        const std::int64_t at = std::max(m_lastTimestamp, event["timestamp"].get<std::int64_t>() + shift);
        event["timestamp"] = at;
        m_lastTimestamp = at;
        kept.push_back({ event["type"].get<int>(), at, event.dump() });
    }
    Q_EMIT recordingChanged(int(kept.size()));
}

} // namespace proactive::ui
