#pragma once

#include "base/clock.h"
#include "recording/recording.h"

#include <QObject>
#include <QString>
#include <functional>

namespace proactive::ui {

class PageBridge;
class RecordingBridge;

// Records a product page with rrweb while the studio captures its events
// (issue 16): installs rrweb and recorder.js in the page's studio world and
// keeps what they send as one Recording (one window: the product view), its
// id the session's $session_id. Input values are masked unless turned off.
//
// rrweb stamps events with the browser's wall clock; with `studioClock` set,
// each batch is moved onto the studio's time (the simulation's clock, which
// the captured events carry), so picture and events line up in the replay.
class SessionRecorder final : public QObject {
    Q_OBJECT

public:
    explicit SessionRecorder(PageBridge& bridge, QObject* parent = nullptr);
    ~SessionRecorder() override;

    // Starts a new recording (the previous one is dropped): the document
    // on screen is recorded at once, from a full snapshot, and so is every
    // document loaded afterwards.
    void start(const QString& recordingId, bool maskInputs = true);
    void stop();
    bool isRecording() const;
    bool masksInputs() const;

    void setStudioClock(std::function<Timestamp()> clock) { m_studioClock = std::move(clock); }

    const Recording& recording() const { return m_recording; }

    // The window id the product view's events are kept under.
    static constexpr const char* kWindowId = "studio-product-view";

Q_SIGNALS:
    // Events were added (count: the recording's events now).
    void recordingChanged(int count);

private:
    void append(const QByteArray& eventsJson);

    PageBridge& m_bridge;
    RecordingBridge* m_channelObject;
    Recording m_recording;
    std::function<Timestamp()> m_studioClock;
    std::int64_t m_lastTimestamp = 0;
};

} // namespace proactive::ui
