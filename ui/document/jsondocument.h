#pragma once

#include <QObject>
#include <QString>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

class QUndoStack;

namespace proactive::ui {

// How the workspace's files are written: two-space indentation, UTF-8 kept.
std::string prettyJson(const nlohmann::ordered_json& json);
// 45 rather than 45.0 in a file.
nlohmann::ordered_json jsonNumber(double value);

// A JSON file open for editing in the studio (triggers, tours, labels): the
// JSON as it was read (key order, and every field the editor does not show,
// are kept), changed only through the undo commands of jsoncommands.h, so
// every edit can be undone and saving writes back the same shape with the
// edits in it. Subclasses know what the JSON means: they read it, turn user
// edits into commands, and validate in onContentChanged().
class JsonDocument : public QObject {
    Q_OBJECT

public:
    // `initial`: the content before anything is read (an empty array, say).
    explicit JsonDocument(nlohmann::ordered_json initial, QObject* parent = nullptr);
    ~JsonDocument() override;

    const nlohmann::ordered_json& json() const { return *m_json; }
    QUndoStack* undoStack() const { return m_undoStack; }
    bool isModified() const;

    // Replaces the whole content without an undo step (a file just read):
    // the stack is cleared and clean.
    void reset(nlohmann::ordered_json json);
    // The content as the core's parsers read it (nlohmann::json: key order is
    // the document's business, not theirs).
    nlohmann::json plainJson() const;

Q_SIGNALS:
    // After every edit, undo and redo, and after reset().
    void changed();
    // After every edit, undo and redo only: the content differs from what
    // was read.
    void edited();

protected:
    // Called before changed() is emitted: where a subclass revalidates.
    virtual void onContentChanged() { }
    // Writes `file` (the document, or a file holding it) to `path`
    // atomically (QSaveFile), creating the folder; on success the document
    // is clean. False with the reason otherwise, and the file on disk is
    // untouched.
    bool writeFile(const QString& path, const nlohmann::ordered_json& file, QString* error);

private:
    friend class JsonEditCommand;

    nlohmann::ordered_json& mutableJson() { return *m_json; }
    void notifyEdited();

    std::unique_ptr<nlohmann::ordered_json> m_json;
    QUndoStack* m_undoStack;
};

} // namespace proactive::ui
