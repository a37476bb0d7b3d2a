#pragma once

#include "base/clock.h"
#include "groundtruth/groundtruth.h"
#include "replay/sessionreplay.h"

#include <QWidget>
#include <memory>
#include <optional>

class QLabel;
class QTreeWidget;

namespace proactive::ui {

struct ExplainedReplay;

// The Replay tab's expectations (docs/labels.md): the labels' checks on the
// session replayed, judged on the replay run to its end as the timeline
// draws it (evaluateGroundTruth on that one session), each passing or
// failing with its reason in words; a failure's per-condition explanation
// (explainFailures) is in its tooltip. Double-clicking one asks to seek to
// the moment that decided it.
class ExpectationsView final : public QWidget {
    Q_OBJECT

public:
    explicit ExpectationsView(QWidget* parent = nullptr);
    ~ExpectationsView() override;

    // The session and its replay to the end (null: none), with the settings
    // it ran with (a failure is replayed again with them to explain it).
    void setReplay(std::shared_ptr<const Workspace> workspace, std::shared_ptr<const RecordedSession> session,
        std::shared_ptr<const ExplainedReplay> replay, const ReplaySettings& settings);
    void setLabels(std::shared_ptr<const LabelSet> labels);

    // The session's judgement; null without labels for it.
    const SessionTruth* truth() const;
    QTreeWidget* tree() const { return m_tree; }
    // "✓ passes | +35 s | expected ping-pong …", one per expectation.
    QStringList lines() const;
    QString titleText() const;

Q_SIGNALS:
    void seekRequested(proactive::Timestamp at);

private:
    void evaluate();
    void refreshRows();

    std::shared_ptr<const Workspace> m_workspace;
    std::shared_ptr<const RecordedSession> m_session;
    std::shared_ptr<const ExplainedReplay> m_replay;
    ReplaySettings m_settings;
    std::shared_ptr<const LabelSet> m_labels;
    std::optional<GroundTruth> m_truth;
    QString m_error;

    QLabel* m_title;
    QTreeWidget* m_tree;
};

} // namespace proactive::ui
