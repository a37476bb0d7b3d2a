#pragma once

#include "base/result.h"
#include "document/jsondocument.h"
#include "groundtruth/labelproposals.h"
#include "groundtruth/labelset.h"

#include <QString>
#include <chrono>
#include <filesystem>
#include <string>

namespace proactive::ui {

// A product's labels file (docs/labels.md) open for labelling on the replay
// timeline: a JsonDocument (the file as written, changed only through undo
// commands), read after every change with the core's label parser
// (LabelSet::add), so the timeline draws what `replay --labels` would read.
// Saving refuses to write while the parser has problems.
//
// Times are seconds from the session's start (its first recorded event),
// as the file writes them. Existing labels are addressed by their JSON
// pointer in the file (LabelRange::pointer, Expectation::pointer).
//
// changed() is the hook for whatever follows the labels (metrics, lists):
// it comes after every edit, undo, redo and open.
class LabelDocument final : public JsonDocument {
    Q_OBJECT

public:
    // The window of an expectation added at a moment: the trigger should fire
    // within this much either side of it. Offers come at polls and after
    // thresholds, so "here" on a timeline means "around here": ±15 s covers a
    // click's imprecision at a whole-session zoom and a poll or two.
    static constexpr std::chrono::seconds kFiresWindow { 15 };

    explicit LabelDocument(QObject* parent = nullptr);
    ~LabelDocument() override;

    // labels/<productId>.json of the workspace at `workspaceRoot`; a missing
    // file is an empty labels file, created on the first save. False with the
    // reason when the file is not a JSON object: the editor does not guess
    // what to keep of it.
    bool open(const std::filesystem::path& workspaceRoot, const std::string& productId, QString* error = nullptr);
    bool isOpen() const { return !m_path.isEmpty(); }
    const std::string& productId() const { return m_productId; }
    QString filePath() const { return m_path; }
    // "labels/demo.json": how problems name the file.
    QString displayName() const { return QString::fromStdString(m_file); }

    // The labels as edited; what the parser rejects is left out (problems()).
    const LabelSet& labels() const { return m_labels; }
    // The open product's labels of a session; null when it has none.
    const SessionLabels* session(const std::string& sessionId) const;
    const Diagnostics& problems() const { return m_problems; }

    // Each is one undo step.
    void addRange(
        const std::string& sessionId, LabelRange::Kind kind, double from, double to, const std::string& answer = {});
    // An accepted proposal, as proposalToLabelJson writes it (its note says
    // which heuristic proposed it and why; `author` who accepted it).
    void addProposal(const std::string& sessionId, const LabelProposal& proposal, const std::string& author);
    void removeRange(const std::string& rangePointer);
    // Changing to no_help drops the answer (an answer is help_wanted only).
    void setRangeKind(const std::string& rangePointer, LabelRange::Kind kind);
    void setRangeBounds(const std::string& rangePointer, double from, double to);
    // An empty answer removes it.
    void setRangeAnswer(const std::string& rangePointer, const std::string& answer);
    // "fires <trigger>" within kFiresWindow of `at`, kept inside
    // [0, sessionLength].
    void addFiresExpectation(const std::string& sessionId, const std::string& trigger, double at, double sessionLength);
    void removeExpectation(const std::string& expectationPointer);

    // Validates, then writes atomically; on problems or a write error the
    // file on disk is untouched, `problems` lists what the parser said and
    // `error` says why.
    bool save(Diagnostics* problems = nullptr, QString* error = nullptr);

private:
    void onContentChanged() override;
    // Appends `item` to the `arrayKey` array of the session's entry, adding
    // the array or the entry when missing (one undo step).
    void addToSession(
        const std::string& sessionId, const char* arrayKey, nlohmann::ordered_json item, const QString& text);
    // The index in "sessions" of the entry for this product's session; -1 when none.
    int sessionEntry(const std::string& sessionId) const;
    bool holdsItem(const std::string& itemPointer) const;

    QString m_path;
    std::string m_file; // relative to the workspace
    std::string m_productId;
    LabelSet m_labels;
    Diagnostics m_problems;
};

} // namespace proactive::ui
