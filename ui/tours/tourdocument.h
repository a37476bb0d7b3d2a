#pragma once

#include "base/result.h"
#include "document/jsondocument.h"
#include "tourcatalog.h"

#include <QString>

namespace proactive::ui {

enum class TourField { Id, Name, Description, Route };
enum class StepField { Target, Title, Content, Placement };

// One tour file open in the editor: a JsonDocument (the file's JSON kept as
// it was read, changed only through undo commands) that knows tours and
// steps. Saving validates with the catalog parser first and refuses a file
// it would reject.
class TourDocument final : public JsonDocument {
    Q_OBJECT

public:
    explicit TourDocument(QObject* parent = nullptr);
    ~TourDocument() override;

    // Reads `path`; a missing file is an empty catalog, saved on first save.
    // False with the reason when the file is not a JSON array: the editor
    // does not guess what to keep of such a file.
    bool load(const QString& path, QString* error = nullptr);
    QString path() const { return m_path; }
    // "tours/demo.json": how diagnostics and the editor name the file.
    QString displayName() const;

    int tourCount() const;
    int stepCount(int tour) const;
    // The field's text; empty when it is missing or not a string.
    QString tourText(int tour, TourField field) const;
    QString stepText(int tour, int step, StepField field) const;
    // The tour as the runtime would show it, even when the document does not
    // validate yet (for previews while editing).
    Tour tour(int index) const;

    // Each of these is one undo command; consecutive setTourText/setStepText
    // on the same field merge into one (typing a word is one undo step).
    void setTourText(int tour, TourField field, const QString& text);
    void setStepText(int tour, int step, StepField field, const QString& text);
    // Appends a tour with a fresh id ("new-tour", "new-tour-2", ...) and no
    // steps yet; returns its index.
    int addTour();
    void removeTour(int tour);
    void insertStep(int tour, int at, const TourStep& step);
    void removeStep(int tour, int step);
    void moveStep(int tour, int from, int to);

    // What `validate` would say about the file as edited: the catalog
    // parser's diagnostics, and ids also defined in the folder's other files.
    Diagnostics problems() const;
    // Writes the file (atomically) when problems() is empty and returns
    // true; otherwise leaves the file alone, fills `problems` and returns
    // false. `error` says why a valid document could not be written.
    bool save(Diagnostics* problems = nullptr, QString* error = nullptr);

private:
    QString m_path;
};

} // namespace proactive::ui
