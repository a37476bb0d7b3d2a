#include "replaypanel.h"

#include "expectationsview.h"
#include "firingsmodel.h"
#include "groundtruth/labelset.h"
#include "inspector/presentation.h"
#include "labeldocument.h"
#include "labelproposalsview.h"
#include "policyeditor.h"
#include "replayformat.h"
#include "replaypicture.h"
#include "replaytimeline.h"
#include "timelinelabeller.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSlider>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QToolButton>
#include <QTreeWidget>
#include <QUndoStack>
#include <QUrl>
#include <QVBoxLayout>
#include <algorithm>
#include <array>

namespace proactive::ui {

namespace {

    constexpr int kTickMs = 50;
    // The slider counts tenths of a second from the session's start.
    constexpr Duration::rep kSliderUnitMs = 100;
    // Skipping idle jumps to a second before the next happening.
    constexpr Duration kIdleLeadIn = std::chrono::seconds(1);
    // 2×, 4× and 8× to watch the recording's picture (PostHog's player has
    // them); the faster ones to run through the decisions.
    constexpr std::array kSpeeds { 1.0, 2.0, 4.0, 8.0, 10.0, 60.0, 100.0, 1000.0 };

    // The tour the replayed user has accepted and not yet ended by now
    // (empty: none): its first step is what they would have seen.
    std::string tourRunningAt(const ReplayRecord& record)
    {
        std::string running;
        for (const ReplayResponse& response : record.responses) {
            if (response.action == "accept_tour" && response.outcome == "applied") {
                running.clear();
                for (const ReplayFiring& firing : record.firings)
                    if (firing.triggerId == response.triggerId && firing.at <= response.at)
                        running = firing.tourId;
            } else if (response.action == "tour_completed" || response.action == "tour_abandoned") {
                running.clear();
            }
        }
        return running;
    }

    // The chat the replayed user has by now: each accept that reached a
    // shown toast opened it with the prefill (chat_sent), each answer that
    // came is a chat_completed; folded while a tour runs.
    ReplayedChat chatAt(const ReplayRecord& record, bool tourRunning)
    {
        ReplayedChat chat;
        for (const ReplayResponse& response : record.responses) {
            if (response.action == "chat_sent")
                ++chat.sent;
            else if (response.action == "chat_completed")
                chat.answered = std::min(chat.answered + 1, chat.sent);
        }
        chat.folded = chat.sent > 0 && tourRunning;
        return chat;
    }

    // The toast to draw once playing has moved the replay on from `from`:
    // the one shown now, else the latest one that appeared since `from` and
    // is gone already. A tick is 400 ms of replay at 8× (more when the GUI
    // thread is late); the moment alone would skip a toast the replayed user
    // saw for less than that.
    std::optional<Offer> toastToDraw(const SessionReplay& replay, std::optional<Timestamp> from)
    {
        if (replay.client().toast() || !from)
            return replay.client().toast();
        const std::vector<ShownToast>& toasts = replay.toasts();
        if (!toasts.empty() && toasts.back().shownAt >= *from)
            return toasts.back().offer;
        return std::nullopt;
    }

    // What skipping idle stops short of: the next happening, or the shown
    // toast hiding itself before it. A toast on screen is not idle time:
    // jumped over, it would be up for one tick at any speed.
    std::optional<Timestamp> nextChange(const SessionReplay& replay)
    {
        std::optional<Timestamp> next = replay.nextAt();
        if (const auto expires = replay.client().toastExpiresAt(); expires && (!next || *expires < *next))
            next = expires;
        return next;
    }

    QColor verdictColor(Verdict verdict)
    {
        switch (verdict) {
        case Verdict::Pass:
            return firingColor().darker(120);
        case Verdict::Block:
            return QColor(0xdc, 0x26, 0x26);
        case Verdict::NotReached:
            return QColor(0x9c, 0xa3, 0xaf);
        }
        return Qt::gray;
    }

    QColor matchColor(bool matched)
    {
        return matched ? firingColor().darker(130) : QColor(0x9c, 0xa3, 0xaf);
    }

    QToolButton* toolButton(const QString& text, const QString& tip, const QString& name, QWidget* parent)
    {
        auto* button = new QToolButton(parent);
        button->setText(text);
        button->setToolTip(tip);
        button->setObjectName(name);
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        button->setAutoRaise(true);
        return button;
    }

    void collectLines(const QTreeWidgetItem* item, int depth, QStringList& lines)
    {
        QStringList columns;
        for (int c = 0; c < item->columnCount(); ++c)
            if (!item->text(c).isEmpty())
                columns << item->text(c);
        lines << QString(depth * 2, u' ') + columns.join(u" | "_qs);
        for (int i = 0; i < item->childCount(); ++i)
            collectLines(item->child(i), depth + 1, lines);
    }

} // namespace

ReplayPanel::ReplayPanel(QWidget* parent)
    : QWidget(parent)
{
    buildUi();
    m_timer.setInterval(kTickMs);
    connect(&m_timer, &QTimer::timeout, this, &ReplayPanel::tick);
    refresh();
}

ReplayPanel::~ReplayPanel() = default;

void ReplayPanel::buildUi()
{
    m_play = toolButton(tr("Play"), tr("Play the session on its virtual clock (Space)"), u"play"_qs, this);
    m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    // Only while the panel has the focus: Space also scrolls the product's page.
    auto* playPause = new QAction(this);
    playPause->setShortcut(Qt::Key_Space);
    playPause->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(playPause);
    connect(playPause, &QAction::triggered, this, [this] { isPlaying() ? pause() : play(); });
    m_stepEvent = toolButton(
        tr("Next event"), tr("Run the next happening: an action, a response or a poll"), u"stepEvent"_qs, this);
    m_stepPoll
        = toolButton(tr("Next poll"), tr("Run up to and including the client's next poll"), u"stepPoll"_qs, this);
    m_nextFiring
        = toolButton(tr("Next firing"), tr("Run up to the next poll that offers help"), u"nextFiring"_qs, this);
    m_restart = toolButton(tr("Restart"), tr("Back to the session's start"), u"restart"_qs, this);
    m_restart->setIcon(style()->standardIcon(QStyle::SP_MediaSkipBackward));
    m_speeds = new QComboBox(this);
    m_speeds->setObjectName(u"replaySpeed"_qs);
    m_speeds->setToolTip(tr("Virtual seconds per second of wall time while playing"));
    for (double speed : kSpeeds)
        m_speeds->addItem(u"%1×"_qs.arg(speed), speed);
    m_speeds->setCurrentIndex(m_speeds->findData(m_speed));
    m_skipIdleBox = new QCheckBox(tr("Skip idle"), this);
    m_skipIdleBox->setObjectName(u"skipIdle"_qs);
    m_skipIdleBox->setToolTip(tr("While playing, jump over stretches where nothing happens"));
    m_skipIdleBox->setChecked(m_skipIdle);
    m_policyEditor = new PolicyEditor(this);
    m_policyEditor->setToolTip(tr("How the replayed user answers every offer"));
    m_follow = new QCheckBox(tr("Follow in the page"), this);
    m_follow->setObjectName(u"followNavigation"_qs);
    m_follow->setToolTip(tr("Load the recorded user's pages in the product view (sessions of the product shown)"));

    m_title = new QLabel(this);
    m_title->setObjectName(u"replayTitle"_qs);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_clock = new QLabel(this);
    m_clock->setObjectName(u"replayClock"_qs);
    QFont mono = m_clock->font();
    mono.setFamily(u"monospace"_qs);
    mono.setStyleHint(QFont::Monospace);
    m_clock->setFont(mono);
    m_status = new QLabel(this);
    m_status->setObjectName(u"replayStatus"_qs);
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setObjectName(u"replaySeek"_qs);
    m_slider->setToolTip(tr("Seek: everything up to this moment runs; going back replays from the start"));
    m_timeline = new ReplayTimeline(this);
    m_labels = new LabelDocument(this);
    m_labeller = new TimelineLabeller(m_timeline, m_labels, this);
    m_labelsStatus = new QLabel(this);
    m_labelsStatus->setObjectName(u"labelsStatus"_qs);
    m_labelsStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_undoLabels = toolButton(tr("Undo"), {}, u"undoLabels"_qs, this);
    m_redoLabels = toolButton(tr("Redo"), {}, u"redoLabels"_qs, this);
    // Only while the panel has the focus, as the trigger editor's: each
    // document of the dock undoes its own edits.
    QAction* undo = m_labels->undoStack()->createUndoAction(this, tr("Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    QAction* redo = m_labels->undoStack()->createRedoAction(this, tr("Redo"));
    redo->setShortcut(QKeySequence::Redo);
    redo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(undo);
    addAction(redo);
    m_undoLabels->setDefaultAction(undo);
    m_redoLabels->setDefaultAction(redo);
    m_saveLabels = new QPushButton(tr("Save labels"), this);
    m_saveLabels->setObjectName(u"saveLabels"_qs);
    m_saveLabels->setToolTip(tr("Write the labels to the product's labels file (only when they validate; Ctrl+S)"));
    auto* save = new QAction(this);
    save->setShortcut(QKeySequence::Save);
    save->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(save);
    connect(save, &QAction::triggered, this, &ReplayPanel::saveLabels);
    m_proposals = new LabelProposalsView(m_timeline, m_labels, this);
    m_propose = new QPushButton(tr("Propose…"), this);
    m_propose->setObjectName(u"proposeLabels"_qs);
    m_propose->setToolTip(tr("Heuristics propose help-wanted ranges of this session to accept or reject one by one"));

    m_firings = new FiringsModel(this);
    m_firingsTitle = new QLabel(this);
    m_firingsTitle->setObjectName(u"firingsTitle"_qs);
    m_showSkipped = new QCheckBox(tr("Near misses"), this);
    m_showSkipped->setObjectName(u"showNearMisses"_qs);
    m_showSkipped->setToolTip(tr("Also list the polls where a trigger matched but a gate skipped the offer"));
    m_showSkipped->setChecked(m_firings->includesSkipped());
    m_firingsView = new QTableView(this);
    m_firingsView->setObjectName(u"replayFirings"_qs);
    m_firingsView->setModel(m_firings);
    m_firingsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_firingsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_firingsView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_firingsView->setWordWrap(false);
    m_firingsView->setIconSize(QSize(12, 12));
    m_firingsView->setMinimumHeight(m_firingsView->fontMetrics().height() * 4 + 12);
    m_firingsView->verticalHeader()->hide();
    m_firingsView->verticalHeader()->setDefaultSectionSize(m_firingsView->fontMetrics().height() + 6);
    m_firingsView->horizontalHeader()->setHighlightSections(false);
    m_firingsView->horizontalHeader()->setStretchLastSection(true);
    // A session has a handful of rows: measuring them costs nothing.
    for (int column :
        { FiringsModel::Time, FiringsModel::Trigger, FiringsModel::State, FiringsModel::Offer, FiringsModel::User })
        m_firingsView->horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);

    m_gatesTitle = new QLabel(this);
    m_gates = new QTreeWidget(this);
    m_gates->setObjectName(u"replayGates"_qs);
    m_gates->setHeaderLabels({ tr("Gate"), tr("Verdict"), tr("Reason"), tr("Numbers") });
    m_gates->setRootIsDecorated(true);
    setColumnWidths(m_gates, { 140, 90, 170 });
    m_triggers = new QTreeWidget(this);
    m_triggers->setObjectName(u"replayTriggers"_qs);
    m_triggers->setHeaderLabels({ tr("Trigger / condition"), tr("Result"), tr("Seen"), tr("Threshold") });
    setColumnWidths(m_triggers, { 300, 90, 90 });

    auto* controls = new QHBoxLayout;
    controls->setSpacing(4);
    for (QWidget* widget : { static_cast<QWidget*>(m_play), static_cast<QWidget*>(m_stepEvent),
             static_cast<QWidget*>(m_stepPoll), static_cast<QWidget*>(m_nextFiring), static_cast<QWidget*>(m_restart) })
        controls->addWidget(widget);
    controls->addSpacing(12);
    controls->addWidget(new QLabel(tr("Speed"), this));
    controls->addWidget(m_speeds);
    controls->addWidget(m_skipIdleBox);
    controls->addSpacing(12);
    controls->addWidget(new QLabel(tr("User"), this));
    controls->addWidget(m_policyEditor);
    controls->addStretch(1);
    controls->addWidget(m_follow);

    auto* header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(m_status);
    auto* seekRow = new QHBoxLayout;
    seekRow->addWidget(m_slider, 1);
    seekRow->addWidget(m_clock);
    auto* labelsRow = new QHBoxLayout;
    labelsRow->setSpacing(4);
    labelsRow->addWidget(m_labelsStatus, 1);
    labelsRow->addWidget(m_undoLabels);
    labelsRow->addWidget(m_redoLabels);
    labelsRow->addWidget(m_propose);
    labelsRow->addWidget(m_saveLabels);

    auto* gatesBox = new QWidget(this);
    auto* gatesLayout = new QVBoxLayout(gatesBox);
    gatesLayout->setContentsMargins(0, 0, 0, 0);
    gatesLayout->addWidget(m_gatesTitle);
    gatesLayout->addWidget(m_gates);
    auto* triggersBox = new QWidget(this);
    auto* triggersLayout = new QVBoxLayout(triggersBox);
    triggersLayout->setContentsMargins(0, 0, 0, 0);
    triggersLayout->addWidget(new QLabel(tr("Triggers at this moment (whatever the other gates say)"), this));
    triggersLayout->addWidget(m_triggers);
    auto* details = new QSplitter(Qt::Horizontal, this);
    details->addWidget(gatesBox);
    details->addWidget(triggersBox);
    details->setStretchFactor(0, 1);
    details->setStretchFactor(1, 1);
    auto* firingsBox = new QWidget(this);
    auto* firingsLayout = new QVBoxLayout(firingsBox);
    firingsLayout->setContentsMargins(0, 0, 0, 0);
    auto* firingsHeader = new QHBoxLayout;
    firingsHeader->addWidget(m_firingsTitle, 1);
    firingsHeader->addWidget(m_showSkipped);
    firingsLayout->addLayout(firingsHeader);
    firingsLayout->addWidget(m_firingsView);
    m_expectations = new ExpectationsView(this);
    auto* firingsAndExpectations = new QSplitter(Qt::Horizontal, this);
    firingsAndExpectations->addWidget(firingsBox);
    firingsAndExpectations->addWidget(m_expectations);
    firingsAndExpectations->setStretchFactor(0, 3);
    firingsAndExpectations->setStretchFactor(1, 2);
    // The list spans the width under the timeline: its rows read across
    // (time, trigger, state, offer, the user's answer, page) like the timeline.
    auto* vertical = new QSplitter(Qt::Vertical, this);
    auto* timelineBox = new QWidget(this);
    auto* timelineLayout = new QVBoxLayout(timelineBox);
    timelineLayout->setContentsMargins(0, 0, 0, 0);
    timelineLayout->setSpacing(2);
    timelineLayout->addWidget(m_timeline, 1);
    timelineLayout->addLayout(labelsRow);
    timelineLayout->addWidget(m_proposals);
    vertical->addWidget(timelineBox);
    vertical->addWidget(firingsAndExpectations);
    vertical->addWidget(details);
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 2);
    vertical->setStretchFactor(2, 4);
    vertical->setChildrenCollapsible(false);

    // What the user saw beside the replay, when the session has a recording.
    m_picture = new ReplayPicture(this);
    m_picture->setMinimumWidth(320);
    m_picture->hide();
    m_pictureSplit = new QSplitter(Qt::Horizontal, this);
    m_pictureSplit->addWidget(vertical);
    m_pictureSplit->addWidget(m_picture);
    // The picture is what the user watches: it gets the larger share of
    // any width the window gains.
    m_pictureSplit->setStretchFactor(0, 2);
    m_pictureSplit->setStretchFactor(1, 3);
    m_pictureSplit->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addLayout(header);
    layout->addLayout(seekRow);
    layout->addWidget(m_pictureSplit, 1);

    connect(m_play, &QToolButton::clicked, this, [this] { isPlaying() ? pause() : play(); });
    connect(m_stepEvent, &QToolButton::clicked, this, &ReplayPanel::stepEvent);
    connect(m_stepPoll, &QToolButton::clicked, this, &ReplayPanel::stepPoll);
    connect(m_nextFiring, &QToolButton::clicked, this, &ReplayPanel::nextFiring);
    connect(m_restart, &QToolButton::clicked, this, &ReplayPanel::restart);
    connect(m_speeds, &QComboBox::currentIndexChanged, this, [this] {
        m_speed = m_speeds->currentData().toDouble();
        refreshPicture();
    });
    connect(m_skipIdleBox, &QCheckBox::toggled, this, [this](bool on) { m_skipIdle = on; });
    connect(m_policyEditor, &PolicyEditor::policyChanged, this, &ReplayPanel::setPolicy);
    connect(m_follow, &QCheckBox::toggled, this, [this](bool on) {
        m_followedActions = 0;
        if (on)
            followNavigation();
    });
    connect(m_slider, &QSlider::valueChanged, this, [this](int value) {
        if (!m_updating && m_replay)
            seek(m_replay->start() + Duration(value * kSliderUnitMs));
    });
    connect(m_timeline, &ReplayTimeline::seekRequested, this, &ReplayPanel::seek);
    connect(m_saveLabels, &QPushButton::clicked, this, &ReplayPanel::saveLabels);
    connect(m_propose, &QPushButton::clicked, m_proposals, &LabelProposalsView::propose);
    connect(m_labels, &LabelDocument::changed, this, [this] {
        m_labelsError.clear();
        refreshLabels();
    });
    connect(m_labels->undoStack(), &QUndoStack::cleanChanged, this, &ReplayPanel::refreshLabels);
    connect(m_expectations, &ExpectationsView::seekRequested, this, [this](Timestamp at) {
        pause();
        seek(at);
    });
    connect(m_showSkipped, &QCheckBox::toggled, this, [this](bool on) {
        m_firings->setIncludeSkipped(on);
        refresh();
    });
    // A click seeks even to the row already current (the replay may have moved on since).
    connect(
        m_firingsView, &QTableView::clicked, this, [this](const QModelIndex& index) { seekToFiringsRow(index.row()); });
    connect(m_firingsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        [this](const QModelIndex& current) { seekToFiringsRow(current.row()); });
}

bool ReplayPanel::open(
    std::shared_ptr<const Workspace> workspace, std::shared_ptr<const RecordedSession> session, QString* error)
{
    if (!workspace || !session)
        return false;
    auto replay = SessionReplay::create(workspace, *session, settings());
    if (!replay) {
        if (error)
            *error = QString::fromStdString(replay.error().toString());
        return false;
    }
    pause();
    m_workspace = std::move(workspace);
    m_session = std::move(session);
    m_replay.emplace(std::move(*replay));
    m_followedActions = 0;
    rebuildFullRecord();
    openLabels();
    m_labeller->setSession(m_workspace, m_session);
    m_proposals->setSession(m_session);
    refresh();
    return true;
}

void ReplayPanel::close()
{
    pause();
    m_replay.reset();
    m_timeline->setReplay(nullptr, nullptr);
    m_firings->setReplay(nullptr, nullptr);
    m_expectations->setReplay(nullptr, nullptr, nullptr, settings());
    m_full.reset();
    m_session.reset();
    m_labeller->setSession(nullptr, nullptr);
    m_proposals->setSession(nullptr);
    refresh();
}

Status ReplayPanel::setWorkspace(std::shared_ptr<const Workspace> workspace)
{
    if (!m_replay) {
        m_workspace = std::move(workspace);
        return Ok {};
    }
    Status status = m_replay->reconfigure(workspace, settings());
    if (!status)
        return status;
    m_workspace = std::move(workspace);
    rebuildFullRecord();
    // The edited triggers are the ones a "should fire" offers.
    m_labeller->setSession(m_workspace, m_session);
    refresh();
    return status;
}

void ReplayPanel::openLabels()
{
    const std::filesystem::path& root = m_workspace->root();
    const std::string& productId = m_session->summary.productId;
    if (root.empty() || (m_labels->isOpen() && m_labels->productId() == productId && m_labelsRoot == root))
        return; // a workspace made in memory has no folder to keep labels in
    if (m_labels->isModified()) {
        const auto answer = QMessageBox::question(this, tr("Unsaved labels"),
            tr("The labels in %1 have unsaved edits. Save them?").arg(m_labels->displayName()),
            QMessageBox::Save | QMessageBox::Discard, QMessageBox::Save);
        if (answer == QMessageBox::Save)
            saveLabels();
    }
    QString error;
    if (m_labels->open(root, productId, &error))
        m_labelsRoot = root;
    else
        m_labelsError = error;
    refreshLabels();
}

bool ReplayPanel::saveLabels()
{
    QString error;
    Diagnostics problems;
    if (!m_labels->save(&problems, &error)) {
        m_labelsError = error;
        if (!problems.empty())
            m_labelsError += u"\n"_qs + QString::fromStdString(problems.front().toString());
        refreshLabels();
        return false;
    }
    m_labelsError.clear();
    refreshLabels();
    return true;
}

void ReplayPanel::refreshLabels()
{
    m_saveLabels->setEnabled(m_labels->isOpen());
    if (!m_labelsError.isEmpty()) {
        m_labelsStatus->setStyleSheet(u"color: #b91c1c"_qs);
        m_labelsStatus->setText(m_labelsError);
        return;
    }
    m_labelsStatus->setStyleSheet({});
    if (!m_labels->isOpen()) {
        m_labelsStatus->setText(tr("Labels: open a session to label it"));
        return;
    }
    const SessionLabels* labels = m_session ? m_labels->session(m_session->summary.sessionId) : nullptr;
    const int ranges = labels ? static_cast<int>(labels->ranges.size()) : 0;
    const int expectations = labels ? static_cast<int>(labels->expectations.size()) : 0;
    QString text = tr("Labels (%1): %n range(s)", nullptr, ranges).arg(m_labels->displayName())
        + tr(", %n expectation(s) in this session", nullptr, expectations);
    if (!m_labels->problems().empty())
        text += tr(" · %n problem(s), first: %1", nullptr, static_cast<int>(m_labels->problems().size()))
                    .arg(QString::fromStdString(m_labels->problems().front().toString()));
    if (m_labels->isModified())
        text += tr(" · not saved");
    m_labelsStatus->setText(text);
}

ReplaySettings ReplayPanel::settings() const
{
    ReplaySettings settings;
    settings.policy = m_policy;
    return settings;
}

ResponsePolicy ReplayPanel::policy() const
{
    return m_policy;
}

void ReplayPanel::setPolicy(const ResponsePolicy& policy)
{
    if (policy == m_policy)
        return;
    m_policy = policy;
    if (m_policyEditor->policy() != policy)
        m_policyEditor->setPolicy(policy);
    if (!m_replay)
        return;
    // The same moment under the new policy: everything before it is re-run.
    if (m_replay->reconfigure(m_workspace, settings())) {
        rebuildFullRecord();
        refresh();
    }
}

void ReplayPanel::setSpeed(double speed)
{
    const int index = m_speeds->findData(speed);
    if (index >= 0)
        m_speeds->setCurrentIndex(index);
}

void ReplayPanel::setSkipIdle(bool skip)
{
    m_skipIdleBox->setChecked(skip);
}

const ReplayRecord* ReplayPanel::fullRecord() const
{
    return m_full ? &m_full->record : nullptr;
}

void ReplayPanel::rebuildFullRecord()
{
    auto full = replayExplained(m_workspace, *m_session, settings());
    // The previous replay lives on until the timeline has let go of it.
    std::shared_ptr<const ExplainedReplay> previous
        = std::exchange(m_full, full ? std::make_shared<const ExplainedReplay>(std::move(*full)) : nullptr);
    m_timeline->setReplay(m_session.get(), fullRecord());
    m_firings->setReplay(m_session, m_full);
    m_expectations->setReplay(m_workspace, m_session, m_full, settings());
}

void ReplayPanel::setLabels(std::shared_ptr<const LabelSet> labels)
{
    m_expectations->setLabels(std::move(labels));
}

void ReplayPanel::play()
{
    if (!m_replay)
        return;
    if (m_replay->finished())
        m_replay->reset();
    m_wall.start();
    m_timer.start();
    m_play->setText(tr("Pause"));
    m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
    refresh();
}

void ReplayPanel::pause()
{
    m_timer.stop();
    m_play->setText(tr("Play"));
    m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    refreshPicture();
}

void ReplayPanel::tick()
{
    if (!m_replay || m_replay->finished()) {
        pause();
        refresh();
        return;
    }
    m_tickFrom = m_replay->now();
    const double wallMs = static_cast<double>(m_wall.restart());
    Timestamp target = m_replay->now() + Duration(static_cast<Duration::rep>(wallMs * m_speed));
    if (m_skipIdle)
        if (const auto next = nextChange(*m_replay); next && *next - kIdleLeadIn > target)
            target = *next - kIdleLeadIn;
    m_replay->seek(std::min(target, m_replay->end()));
    if (m_replay->finished() || m_replay->now() >= m_replay->end())
        pause();
    refresh();
    m_tickFrom.reset();
}

void ReplayPanel::stepEvent()
{
    if (!m_replay)
        return;
    pause();
    m_replay->step();
    refresh();
}

void ReplayPanel::stepPoll()
{
    if (!m_replay)
        return;
    pause();
    m_replay->stepTo(ReplayEvent::Kind::Poll);
    refresh();
}

void ReplayPanel::nextFiring()
{
    if (!m_replay)
        return;
    pause();
    m_replay->nextFiring();
    refresh();
}

void ReplayPanel::seek(Timestamp at)
{
    if (!m_replay)
        return;
    m_replay->seek(std::clamp(at, m_replay->start(), m_replay->end()));
    refresh();
}

void ReplayPanel::restart()
{
    if (!m_replay)
        return;
    pause();
    m_replay->reset();
    m_followedActions = 0;
    refresh();
}

void ReplayPanel::refresh()
{
    const bool open = m_replay.has_value();
    for (QWidget* widget :
        { static_cast<QWidget*>(m_play), static_cast<QWidget*>(m_stepEvent), static_cast<QWidget*>(m_stepPoll),
            static_cast<QWidget*>(m_nextFiring), static_cast<QWidget*>(m_restart), static_cast<QWidget*>(m_slider) })
        widget->setEnabled(open);
    m_propose->setEnabled(open && m_labels->isOpen());
    if (!open) {
        m_title->setText(tr("No session: double-click one in the Sessions tab"));
        m_clock->clear();
        m_status->clear();
        m_gatesTitle->setText(tr("Gates of the latest poll"));
        m_gates->clear();
        m_triggers->clear();
        refreshFirings();
        return;
    }
    const SessionSummary& summary = m_session->summary;
    const QString user = QString::fromStdString(summary.email.empty() ? summary.distinctId : summary.email);
    m_title->setText(tr("<b>%1</b> · session %2 · %3 · %n action(s)", nullptr, static_cast<int>(summary.actionCount))
                         .arg(user.toHtmlEscaped(), QString::fromStdString(summary.sessionId).toHtmlEscaped(),
                             QString::fromStdString(summary.productId).toHtmlEscaped()));
    const Timestamp now = m_replay->now();
    m_clock->setText(u"+%1 / %2  %3"_qs.arg(
        elapsedText(now - m_replay->start()), elapsedText(m_replay->end() - m_replay->start()), clockTime(now)));
    const SimulatedClient& client = m_replay->client();
    QString toast
        = client.toast() ? tr("toast: %1").arg(QString::fromStdString(client.toast()->triggerId)) : tr("no toast");
    m_status->setText(
        tr("%1 · %2 · %3/%4 actions · %n firing(s)", nullptr, static_cast<int>(m_replay->record().firings.size()))
            .arg(stateName(m_replay->state()), toast)
            .arg(m_replay->actionsArrived())
            .arg(summary.actionCount));
    {
        m_updating = true;
        m_slider->setRange(0, static_cast<int>((m_replay->end() - m_replay->start()).count() / kSliderUnitMs));
        m_slider->setValue(static_cast<int>((now - m_replay->start()).count() / kSliderUnitMs));
        m_updating = false;
    }
    m_timeline->setNow(now);
    refreshFirings();
    refreshGates();
    refreshTriggers();
    followNavigation();
    refreshPicture();
}

void ReplayPanel::setRecording(std::shared_ptr<const Recording> recording)
{
    if (recording && !m_pictureSized) {
        // The first time the picture appears it takes most of the width
        // (the tables read well narrower); later the user's split stays.
        const int width = std::max(m_pictureSplit->width(), 1000);
        m_pictureSplit->setSizes({ width * 2 / 5, width * 3 / 5 });
        m_pictureSized = true;
    }
    m_picture->setVisible(recording != nullptr);
    m_picture->setRecording(std::move(recording));
    refreshPicture();
}

void ReplayPanel::setTourCatalog(TourCatalog catalog)
{
    m_catalog = std::move(catalog);
    refreshPicture();
}

void ReplayPanel::refreshPicture()
{
    if (!m_replay || !m_picture->recording()) {
        m_picture->setToast(std::nullopt);
        m_picture->setChat({});
        m_picture->setTourStep({}, nullptr);
        return;
    }
    m_picture->showAt(m_replay->now(), isPlaying(), m_speed);
    m_picture->setToast(toastToDraw(*m_replay, isPlaying() ? m_tickFrom : std::nullopt));
    const std::string tourId = tourRunningAt(m_replay->record());
    m_picture->setChat(chatAt(m_replay->record(), !tourId.empty()));
    const Tour* tour = tourId.empty() ? nullptr : m_catalog.find(tourId);
    m_picture->setTourStep(
        QString::fromStdString(tourId), tour && !tour->steps.empty() ? &tour->steps.front() : nullptr);
}

void ReplayPanel::refreshFirings()
{
    if (!m_replay) {
        m_firingsTitle->setText(tr("Firings"));
        return;
    }
    const int skipped = m_firings->skippedCount();
    m_firingsTitle->setText(m_firings->includesSkipped()
            ? tr("<b>%n firing(s)</b>", nullptr, m_firings->firingCount())
                + tr(" · %n near miss(es): a trigger matched, a gate skipped", nullptr, skipped)
            : tr("<b>%n firing(s)</b>", nullptr, m_firings->firingCount()));
    const Timestamp now = m_replay->now();
    m_firings->setNow(now);
    // The list follows the replay: the latest row at or before now is current.
    const int row = m_firings->lastRowAtOrBefore(now);
    const auto* target = m_firings->entry(row);
    const auto* current = m_firings->entry(m_firingsView->currentIndex().row());
    if (current && target && current->at == target->at)
        return;
    m_updating = true;
    if (target) {
        m_firingsView->setCurrentIndex(m_firings->index(row, 0));
        m_firingsView->scrollTo(m_firings->index(row, 0));
    } else {
        m_firingsView->selectionModel()->clear();
    }
    m_updating = false;
}

void ReplayPanel::seekToFiringsRow(int row)
{
    const auto* entry = m_firings->entry(row);
    if (m_updating || !entry || !m_replay)
        return;
    pause();
    seek(entry->at);
}

void ReplayPanel::refreshGates()
{
    m_gates->setUpdatesEnabled(false);
    m_gates->clear();
    const std::vector<ReplayPoll>& polls = m_replay->record().polls;
    if (polls.empty()) {
        m_gatesTitle->setText(tr("No poll yet: the first comes 5 s after the first action"));
        m_gates->setUpdatesEnabled(true);
        return;
    }
    const ReplayPoll& poll = polls.back();
    const QString answer = poll.triggerId.empty() || !poll.skipReason.empty()
        ? QString::fromStdString(poll.skipReason.empty() ? "null" : poll.skipReason)
        : tr("fired %1").arg(QString::fromStdString(poll.triggerId));
    m_gatesTitle->setText(tr("Latest poll, +%1 (%2): <b>%3</b> → %4")
                              .arg(elapsedText(poll.at - m_replay->start()), clockTime(poll.at), answer.toHtmlEscaped(),
                                  stateName(poll.state)));
    for (const GateReport& gate : poll.gates) {
        auto* item = new QTreeWidgetItem(m_gates,
            { QString::fromStdString(gate.gate), toQString(nameOf(gate.verdict)), QString::fromStdString(gate.reason),
                compactJson(gate.numbers) });
        item->setForeground(1, verdictColor(gate.verdict));
        item->setToolTip(3, QString::fromStdString(gate.numbers.dump(2)));
        if (gate.gate == "triggers") {
            for (const TriggerReport& trigger : poll.triggers) {
                auto* child = new QTreeWidgetItem(item,
                    { QString::fromStdString(trigger.triggerId), toQString(nameOf(trigger.status)),
                        QString::fromStdString(trigger.error), QString::fromStdString(trigger.explanation.summary) });
                child->setForeground(1, matchColor(trigger.status == TriggerReport::Status::Matched));
                child->setToolTip(3, QString::fromStdString(toJson(trigger.explanation).dump(2)));
            }
            item->setExpanded(true);
        }
    }
    m_gates->setUpdatesEnabled(true);
}

void ReplayPanel::refreshTriggers()
{
    m_triggers->setUpdatesEnabled(false);
    m_triggers->clear();
    const auto reports = m_replay->explainTriggers();
    if (!reports) {
        new QTreeWidgetItem(m_triggers, { QString::fromStdString(reports.error().toString()) });
    } else {
        for (const TriggerReport& report : *reports) {
            const bool matched = report.status == TriggerReport::Status::Matched;
            auto* item = new QTreeWidgetItem(m_triggers,
                { QString::fromStdString(report.triggerId), toQString(nameOf(report.status)),
                    QString::fromStdString(report.error) });
            item->setForeground(1, matchColor(matched));
            QFont bold = item->font(0);
            bold.setBold(true);
            item->setFont(0, bold);
            item->setToolTip(0, QString::fromStdString(report.explanation.summary));
            addCondition(item, report.explanation);
            item->setExpanded(true);
        }
    }
    m_triggers->setUpdatesEnabled(true);
}

void ReplayPanel::addCondition(QTreeWidgetItem* parent, const ConditionExplanation& condition)
{
    const QString label = QString::fromStdString(condition.summary.empty() ? condition.label : condition.summary);
    auto* item = new QTreeWidgetItem(parent,
        { label, condition.matched ? tr("✓ matched") : tr("✗ no"), compactJson(condition.observed),
            compactJson(condition.threshold) });
    item->setForeground(1, matchColor(condition.matched));
    item->setToolTip(0, QString::fromStdString(condition.kind + ": " + condition.label));
    if (!condition.details.is_null())
        item->setToolTip(2, QString::fromStdString(condition.details.dump(2)));
    for (const ConditionExplanation& child : condition.children)
        addCondition(item, child);
    item->setExpanded(true);
}

void ReplayPanel::followNavigation()
{
    if (!m_follow->isChecked() || !m_replay)
        return;
    const std::size_t arrived = m_replay->actionsArrived();
    if (arrived == 0 || arrived == m_followedActions)
        return;
    const auto& actions = m_session->actions;
    const std::string_view previous
        = m_followedActions > 0 ? std::string_view(actions[m_followedActions - 1].canonicalUrl) : std::string_view();
    const ActionRecord& latest = actions[arrived - 1];
    m_followedActions = arrived;
    if (latest.canonicalUrl == previous)
        return;
    Q_EMIT navigated(
        QString::fromStdString(m_session->summary.productId), QUrl(QString::fromStdString(latest.rawUrl.get())));
}

QStringList ReplayPanel::gateLines() const
{
    QStringList lines;
    for (int i = 0; i < m_gates->topLevelItemCount(); ++i)
        collectLines(m_gates->topLevelItem(i), 0, lines);
    return lines;
}

QStringList ReplayPanel::triggerLines() const
{
    QStringList lines;
    for (int i = 0; i < m_triggers->topLevelItemCount(); ++i)
        collectLines(m_triggers->topLevelItem(i), 0, lines);
    return lines;
}

QString ReplayPanel::statusText() const
{
    return m_status->text();
}

} // namespace proactive::ui
