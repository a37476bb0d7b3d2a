#pragma once

#include "base/result.h"
#include "replay/sessionreplay.h"

#include <QAbstractTableModel>
#include <QString>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace proactive::ui {

// A session replayed to its end, plus what the record cannot hold: the
// pipeline stops at the first gate that blocks, so a poll the FSM or the
// resilience gate skipped never evaluated the triggers. For those polls the
// replay is stopped right after them and asked which triggers matched then
// (SessionReplay::explainTriggers), whatever the gates said.
struct ExplainedReplay {
    ReplayRecord record; // the same as replaySession() gives
    // Poll index → the ids of the triggers that matched at a poll skipped
    // before the trigger gate. Only with polls kept and explained.
    std::map<std::size_t, std::vector<std::string>> matchedWhenSkipped;
};
Result<ExplainedReplay> replayExplained(
    std::shared_ptr<const Workspace> workspace, const RecordedSession& session, const ReplaySettings& settings);

// Every firing of one replayed session, and every poll where a trigger
// matched but a gate skipped it (near misses; a run of such polls for one
// trigger and reason is one row), in time order: when, which trigger, the
// FSM state then, what the client did with the offer, and what the
// simulated user did with the toast under the replay's response policy.
class FiringsModel final : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { Time, Trigger, State, Offer, User, Page, ColumnCount };
    enum Role {
        AtRole = Qt::UserRole + 1, // the row's moment in ms since the epoch: where selecting it seeks
        KindRole, // Entry::Kind as an int
    };

    struct Entry {
        enum class Kind { Firing, SkippedMatch };
        Kind kind = Kind::Firing;
        Timestamp at {}; // the firing, or the run's first poll
        Timestamp lastAt {}; // the run's last poll; `at` for a firing
        int polls = 1; // polls folded into the row
        std::string triggerId;
        FsmState state = FsmState::Thinking; // when the poll came: before a firing, during a skip
        std::string skipReason; // SkippedMatch: why the poll offered nothing
        std::optional<std::size_t> firing; // Firing: its index in record.firings
        QString offer; // "shown", "kept: …", "suppressed: …", "skipped: resilience:min_interval"
        QString user; // "dismissed 5 s later", "accepted (tour) 2 s later · tour completed 32 s later"
        QString details; // every response, the toast hidden, the FSM after it
        QString page; // the canonical URL; the list shows its path
    };

    explicit FiringsModel(QObject* parent = nullptr);

    // The replay (run to its end) of `session`; nulls clear.
    void setReplay(std::shared_ptr<const RecordedSession> session, std::shared_ptr<const ExplainedReplay> replay);
    // Rows after `now` are drawn faded, as the timeline fades the future.
    void setNow(Timestamp now);
    // Near misses are listed unless turned off.
    void setIncludeSkipped(bool include);
    bool includesSkipped() const { return m_includeSkipped; }

    const std::vector<Entry>& entries() const { return m_entries; }
    const Entry* entry(int row) const;
    // The last row at or before `at`; -1 when none.
    int lastRowAtOrBefore(Timestamp at) const;
    int firingCount() const;
    int skippedCount() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void rebuild();
    Entry firingEntry(std::size_t index) const;
    void addSkippedMatches(std::vector<Entry>& entries) const;
    QString offset(Timestamp at) const;

    std::shared_ptr<const RecordedSession> m_session;
    std::shared_ptr<const ExplainedReplay> m_replay;
    std::vector<Entry> m_entries;
    Timestamp m_now {};
    bool m_includeSkipped = true;
};

} // namespace proactive::ui
