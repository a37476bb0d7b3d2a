#pragma once

#include "base/result.h"
#include "document/jsondocument.h"
#include "workspace/workspace.h"

#include <QString>
#include <QStringList>
#include <memory>
#include <optional>

namespace proactive::ui {

enum class TriggerField { Id, Name, Description, Body, TourId };
enum class TriggerSeconds { InteractionTimeout, Cooldown };

// One product's triggers open in the trigger editor: a JsonDocument holding
// the array as written (key order and every field the form does not show
// are kept), changed only through the undo commands of
// document/jsoncommands.h, validated after every change by the core's
// trigger parser. Saving validates first and writes the array back where it
// was read from — its own file, or inline in products.json, whose other
// content is kept — atomically.
class TriggerDocument final : public JsonDocument {
    Q_OBJECT

public:
    explicit TriggerDocument(QObject* parent = nullptr);
    ~TriggerDocument() override;

    // The product's triggers as `workspace` has them: its trigger file
    // (Product::triggersFile at Product::triggersPointer), or a new
    // triggers/<id>.json when the product has none yet. False with the reason
    // when the product does not exist or the file no longer holds an array.
    bool open(std::shared_ptr<const Workspace> workspace, const std::string& productId, QString* error = nullptr);
    bool isOpen() const { return m_workspace != nullptr; }
    const std::string& productId() const { return m_productId; }
    QString filePath() const;
    // "triggers/demo.json", or "products.json:/0/triggers" for inline triggers.
    QString displayName() const;

    // json(): the array being edited (anything the JSON view made of it).
    // The array pretty-printed, as the JSON view and the file show it.
    QString text() const;
    int triggerCount() const;
    QString field(int trigger, TriggerField field) const;
    // None when the field is absent (the trigger's default applies) or not a number.
    std::optional<double> seconds(int trigger, TriggerSeconds field) const;
    QStringList labels(int trigger) const;
    // The trigger's `when` pretty-printed; empty when absent.
    QString condition(int trigger) const;

    // Each is one undo command; consecutive edits of one field merge. An
    // empty optional field (name, description, tour id) or an empty label
    // list is removed rather than written empty.
    void setField(int trigger, TriggerField field, const QString& text);
    void setSeconds(int trigger, TriggerSeconds field, std::optional<double> seconds);
    void setLabels(int trigger, const QStringList& labels);
    void setCondition(int trigger, const nlohmann::ordered_json& when);
    // The JSON view's text, once it parses; a syntax error comes back (line
    // and reason) and changes nothing.
    std::optional<QString> setText(const QString& text);
    int addTrigger();
    void removeTrigger(int trigger);

    // What the trigger parser says about the array as edited, with JSON
    // pointers into the file ("products.json:/0/triggers/1/cooldown_s: …").
    const Diagnostics& problems() const { return m_problems; }
    // The index of the trigger a problem is about; -1 for the whole array.
    int triggerOf(const Diagnostic& problem) const;
    // The workspace with the product's triggers as edited; null while there
    // are problems.
    std::shared_ptr<const Workspace> editedWorkspace() const { return m_edited; }
    // The workspace with the product's triggers as the file has them: as
    // opened, then as last saved (what "discard" goes back to, and the diff
    // view's "before").
    const std::shared_ptr<const Workspace>& savedWorkspace() const { return m_saved; }

    // Validates, then writes; on problems or a write error the file on disk
    // is untouched and `error` says why.
    bool save(QString* error = nullptr);

    // changed(): after every edit, undo and redo, and after open();
    // edited(): after every edit, undo and redo only (the triggers to apply
    // changed).

private:
    void onContentChanged() override;
    void validate();
    std::string triggerPointer(int trigger) const;

    std::shared_ptr<const Workspace> m_workspace;
    std::shared_ptr<const Workspace> m_edited;
    std::shared_ptr<const Workspace> m_saved;
    std::string m_productId;
    std::string m_file; // relative to the workspace
    std::string m_pointer; // of the array in the file; "" for the whole file
    Diagnostics m_problems;
};

} // namespace proactive::ui
