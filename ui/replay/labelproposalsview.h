#pragma once

#include "groundtruth/labelproposals.h"

#include <QWidget>
#include <memory>
#include <string>
#include <vector>

class QLabel;
class QTreeWidget;

namespace proactive {
struct RecordedSession;
} // namespace proactive

namespace proactive::ui {

class LabelDocument;
class ReplayTimeline;

// The proposed labels (docs/labels.md "Proposed labels") of the replayed
// session, for the author to accept or reject one by one: a list under the
// timeline (Accept / Reject on each row; Enter accepts the selected one,
// Delete rejects it) and dashed amber outlines on the timeline. A proposal
// is never ground truth until accepted: Accept adds it to the LabelDocument
// (one undo step) and takes it off the list; Reject only takes it off the
// list (nothing is written: proposing again brings it back). Proposals over
// a help_wanted label of the session stay listed, marked "labelled", since
// a different heuristic's reason may still be worth a range of its own.
class LabelProposalsView final : public QWidget {
    Q_OBJECT

public:
    LabelProposalsView(ReplayTimeline* timeline, LabelDocument* document, QWidget* parent = nullptr);

    // The replayed session; drops the previous session's proposals.
    void setSession(std::shared_ptr<const RecordedSession> session);
    // Runs the heuristics, with their default settings, on the session.
    void propose();
    const std::vector<LabelProposal>& proposals() const { return m_proposals; }
    bool overlapsLabel(const LabelProposal& proposal) const;
    // The selected row, -1 when none.
    int currentRow() const;
    void accept(int row);
    void reject(int row);
    QTreeWidget* list() const { return m_list; }

    // Who accepted a proposal, as the range's `author`: the OS user, or
    // "studio" when it has no name.
    static std::string author();

private:
    void refresh();
    void showOnTimeline();

    ReplayTimeline* m_timeline;
    LabelDocument* m_document;
    std::shared_ptr<const RecordedSession> m_session;
    std::vector<LabelProposal> m_proposals;
    QLabel* m_status;
    QTreeWidget* m_list;
};

} // namespace proactive::ui
