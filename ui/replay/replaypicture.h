#pragma once

#include "base/clock.h"
#include "recording/recording.h"

#include <QElapsedTimer>
#include <QWidget>
#include <memory>
#include <optional>

class QComboBox;
class QLabel;
class QWebEnginePage;
class QWebEngineView;

namespace proactive {
struct Offer;
struct TourStep;
} // namespace proactive

namespace proactive::ui {

class ChatBridge;
class PageBridge;
class WidgetBridge;

// The help chat the replayed user had open at a moment: one prefill per
// accepted offer (the client sends it once, SPEC §4), and how many of them
// the bot had answered by then. The replay does not run the bot, so an
// answer is drawn as a placeholder that says so.
struct ReplayedChat {
    int sent = 0;
    int answered = 0;
    bool folded = false; // a tour runs: the panel is folded to its header, as in the studio
    bool operator==(const ReplayedChat&) const = default;
};

// What the user saw (issue 16): the session's rrweb recording played by
// rrweb's Replayer (player.html) at the replay's virtual time, with the
// toast the replayed client shows drawn over it by the product's own
// widget.js, after an accept the chat panel drawn by its chat.js, and an
// accepted tour's first step ringed on the recorded
// element, or "target would have failed" when its selector finds nothing in
// the replayed page.
//
// The replay owns the time: paused or stepped, the picture is drawn at
// exactly the replay's moment; playing, the Replayer runs at the replay's
// speed on its own (so the pointer's tail and clicks animate) and is put
// back on the replay's time whenever they drift apart (a skipped idle gap,
// a seek).
class ReplayPicture final : public QWidget {
    Q_OBJECT

public:
    explicit ReplayPicture(QWidget* parent = nullptr);
    ~ReplayPicture() override;

    // The recording to play, from its main window; null: none.
    void setRecording(std::shared_ptr<const Recording> recording);
    const Recording* recording() const { return m_recording.get(); }
    // The window of the recording drawn (an index into its windows; the
    // picker above the picture offers them when there are several).
    void showWindow(int index);
    int windowIndex() const { return m_windowIndex; }
    // The player has the recording and drew its first frame.
    bool isReady() const { return m_loaded; }

    // The replay's moment; drawn as soon as the player is ready.
    void showAt(Timestamp now, bool playing, double speed);
    // The toast the replayed client shows at this moment (none: hidden).
    // While playing, a toast stays until the widget has drawn it, however
    // soon it is replaced: every toast handed over reaches the screen.
    void setToast(const std::optional<Offer>& offer);
    // The chat panel the replayed client shows at this moment (sent 0: closed).
    void setChat(const ReplayedChat& chat);
    // The step a tour started by the replayed user shows first (null: no tour).
    void setTourStep(const QString& tourId, const TourStep* step);

    // The offset into the recording (ms from its first event) the player
    // was last put at.
    std::int64_t offsetOf(Timestamp now) const;
    QWebEnginePage* page() const;
    QString statusText() const;

Q_SIGNALS:
    // The recording is loaded and its first frame drawn.
    void ready();
    // The widget has drawn the toast of `triggerId` over the picture (it is
    // in a painted frame).
    void toastDrawn(const QString& triggerId);
    // Whether the tour step's selector found its element in the replayed page.
    void tourTargetChecked(const QString& tourId, const QString& selector, bool resolves);

private:
    const RecordingWindow* shownWindow() const;
    void fillWindowPicker();
    void loadRecording();
    void apply();
    void checkTourTarget();
    void refreshStatus();
    void showWantedToast();
    void onToastDrawn(const QString& triggerId);

    QWebEngineView* m_view;
    PageBridge* m_bridge;
    WidgetBridge* m_widget;
    ChatBridge* m_chat;
    ReplayedChat m_shownChat;
    QString m_wantedToast; // the toast JSON the replay asks for; empty: none
    bool m_toastUndrawn = false; // the widget has a toast it has not reported drawn
    QLabel* m_status;
    QComboBox* m_windows;
    std::shared_ptr<const Recording> m_recording;
    int m_windowIndex = -1;
    std::int64_t m_start = 0; // the shown window's first event, ms since the epoch
    std::int64_t m_length = 0;
    bool m_pageLoaded = false;
    bool m_loaded = false;
    int m_loadGeneration = 0;

    // What the replay asked for, and what the player was last told.
    struct Moment {
        std::int64_t offset = 0;
        bool playing = false;
        double speed = 1;
    };
    std::optional<Moment> m_wanted;
    std::optional<Timestamp> m_wantedAt; // m_wanted's moment, for another window's offset
    std::optional<Moment> m_told;
    QElapsedTimer m_toldAt;

    QString m_tourId;
    QString m_stepSelector;
    std::optional<bool> m_stepResolves;
};

} // namespace proactive::ui
