#pragma once

#include "base/result.h"
#include "recording/recording.h"
#include "replay/sessionreplay.h"
#include "tourcatalog.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>
#include <filesystem>
#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSlider;
class QSplitter;
class QTableView;
class QToolButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace proactive {
class LabelSet;
}

namespace proactive::ui {

class ExpectationsView;
class FiringsModel;
class LabelDocument;
class LabelProposalsView;
class PolicyEditor;
class ReplayPicture;
class ReplayTimeline;
class TimelineLabeller;
struct ExplainedReplay;

// Replays one recorded session on its virtual clock (SessionReplay): play
// at 1× to 1000×, pause, step to the next event, poll or firing, seek with
// the slider or by clicking the timeline, skip idle gaps. The user-response
// policy and edited triggers re-run the replay up to the same moment. Beside
// the timeline, the session's firings and near misses (FiringsModel):
// selecting one seeks there. Below: the gates of the moment's latest poll
// and every trigger's per-condition explanation now ("dwell 41 s < 60 s").
// The session is labelled on the timeline (TimelineLabeller) into the
// product's labels file (LabelDocument), with its own Undo / Redo (Ctrl+Z,
// Ctrl+Shift+Z while the panel has the focus) and Save labels (Ctrl+S).
class ReplayPanel final : public QWidget {
    Q_OBJECT

public:
    explicit ReplayPanel(QWidget* parent = nullptr);
    ~ReplayPanel() override;

    // Replays `session` from its start; false with the reason (the session's
    // product is not in the workspace) and the panel unchanged otherwise.
    bool open(std::shared_ptr<const Workspace> workspace, std::shared_ptr<const RecordedSession> session,
        QString* error = nullptr);
    void close();
    // The trigger editor's re-run: the same session and moment on an edited
    // workspace. On error the replay is unchanged.
    Status setWorkspace(std::shared_ptr<const Workspace> workspace);

    ResponsePolicy policy() const;
    void setPolicy(const ResponsePolicy& policy);
    double speed() const { return m_speed; }
    void setSpeed(double speed);
    void setSkipIdle(bool skip);
    bool isPlaying() const { return m_timer.isActive(); }

    // Null before open().
    const SessionReplay* replay() const { return m_replay ? &*m_replay : nullptr; }
    const RecordedSession* session() const { return m_session.get(); }
    // The same replay run to its end: what the timeline draws.
    const ReplayRecord* fullRecord() const;
    ReplayTimeline* timeline() const { return m_timeline; }
    // The firings list: the full record's firings and near misses.
    FiringsModel* firingsModel() const { return m_firings; }
    QTableView* firingsView() const { return m_firingsView; }
    // The labels file of the replayed session's product (open once a session is).
    LabelDocument* labelDocument() const { return m_labels; }
    TimelineLabeller* labeller() const { return m_labeller; }
    LabelProposalsView* proposals() const { return m_proposals; }
    // The labels' expectations of the session, judged on the full record.
    ExpectationsView* expectationsView() const { return m_expectations; }
    void setLabels(std::shared_ptr<const LabelSet> labels);
    // What the user saw (issue 16): the session's visual recording, shown
    // beside the replay at its moment (null: none, the picture is hidden),
    // and the tours whose first step an accepted offer shows on it.
    void setRecording(std::shared_ptr<const Recording> recording);
    void setTourCatalog(TourCatalog catalog);
    ReplayPicture* picture() const { return m_picture; }
    // The gates tree and the triggers tree as text lines (tests, scenarios).
    QStringList gateLines() const;
    QStringList triggerLines() const;
    QString statusText() const;

public Q_SLOTS:
    void play();
    void pause();
    void stepEvent();
    void stepPoll();
    void nextFiring();
    void seek(proactive::Timestamp at);
    void restart();
    // Writes the labels (only when they validate); false with the reason shown.
    bool saveLabels();

Q_SIGNALS:
    // With "follow in the page": the recorded user moved to another page.
    void navigated(const QString& productId, const QUrl& url);

private:
    void buildUi();
    void tick();
    ReplaySettings settings() const;
    void rebuildFullRecord();
    void refresh();
    void refreshGates();
    void refreshTriggers();
    void refreshFirings();
    void seekToFiringsRow(int row);
    void followNavigation();
    void addCondition(QTreeWidgetItem* parent, const ConditionExplanation& condition);
    void openLabels();
    void refreshLabels();
    void refreshPicture();

    std::shared_ptr<const Workspace> m_workspace;
    std::shared_ptr<const RecordedSession> m_session;
    std::optional<SessionReplay> m_replay;
    std::shared_ptr<const ExplainedReplay> m_full;
    ResponsePolicy m_policy;
    double m_speed = 10;
    bool m_skipIdle = true;
    bool m_updating = false;
    std::size_t m_followedActions = 0;
    QTimer m_timer;
    QElapsedTimer m_wall;
    std::optional<Timestamp> m_tickFrom; // during a tick's refresh: the replay's moment before the tick

    QToolButton* m_play;
    QToolButton* m_stepEvent;
    QToolButton* m_stepPoll;
    QToolButton* m_nextFiring;
    QToolButton* m_restart;
    QComboBox* m_speeds;
    QCheckBox* m_skipIdleBox;
    PolicyEditor* m_policyEditor;
    QCheckBox* m_follow;
    QLabel* m_title;
    QLabel* m_clock;
    QLabel* m_status;
    QSlider* m_slider;
    ReplayTimeline* m_timeline;
    FiringsModel* m_firings;
    QLabel* m_firingsTitle;
    QCheckBox* m_showSkipped;
    QTableView* m_firingsView;
    ExpectationsView* m_expectations;
    QLabel* m_gatesTitle;
    QTreeWidget* m_gates;
    QTreeWidget* m_triggers;
    LabelDocument* m_labels;
    TimelineLabeller* m_labeller;
    std::filesystem::path m_labelsRoot; // the workspace the labels file is in
    QLabel* m_labelsStatus;
    QString m_labelsError; // the last save's refusal, until the next edit
    QToolButton* m_undoLabels;
    QToolButton* m_redoLabels;
    QPushButton* m_saveLabels;
    QPushButton* m_propose;
    LabelProposalsView* m_proposals;
    ReplayPicture* m_picture;
    QSplitter* m_pictureSplit;
    bool m_pictureSized = false; // the picture's first appearance set the split
    TourCatalog m_catalog;
};

} // namespace proactive::ui
