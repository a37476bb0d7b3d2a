#pragma once

#include <QUndoCommand>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace proactive::ui {

class TriggerDocument;

// The edits of a product's triggers, as undo commands on the document's
// JSON array (one class per kind of edit). Locations are JSON pointers into
// the array ("/2" is the third trigger).
class TriggerEditCommand : public QUndoCommand {
public:
    TriggerEditCommand(TriggerDocument* document, const QString& text);

protected:
    nlohmann::ordered_json& json();
    void notify();

    TriggerDocument* m_document;
};

// Sets a field of a trigger, or removes it (nullopt: the default applies);
// undo restores what was there. Consecutive edits of one field merge
// (typing a word is one undo step).
class SetFieldCommand final : public TriggerEditCommand {
public:
    SetFieldCommand(TriggerDocument* document, std::string objectPointer, std::string key,
        std::optional<nlohmann::ordered_json> value, const QString& text);

    void redo() override;
    void undo() override;
    int id() const override { return 1; }
    bool mergeWith(const QUndoCommand* other) override;

private:
    void apply(const std::optional<nlohmann::ordered_json>& value);

    std::string m_objectPointer;
    std::string m_key;
    std::optional<nlohmann::ordered_json> m_value;
    std::optional<nlohmann::ordered_json> m_old;
};

// Inserts a trigger before `index`, or removes the one at `index`.
class InsertTriggerCommand final : public TriggerEditCommand {
public:
    InsertTriggerCommand(
        TriggerDocument* document, std::size_t index, nlohmann::ordered_json trigger, const QString& text);

    void redo() override;
    void undo() override;

private:
    std::size_t m_index;
    nlohmann::ordered_json m_trigger;
};

class RemoveTriggerCommand final : public TriggerEditCommand {
public:
    RemoveTriggerCommand(TriggerDocument* document, std::size_t index, const QString& text);

    void redo() override;
    void undo() override;

private:
    std::size_t m_index;
    nlohmann::ordered_json m_removed;
};

// The JSON view's edit: the whole array replaced by what the author typed
// (once it parses). Consecutive replacements merge.
class ReplaceTriggersCommand final : public TriggerEditCommand {
public:
    ReplaceTriggersCommand(TriggerDocument* document, nlohmann::ordered_json triggers, const QString& text);

    void redo() override;
    void undo() override;
    int id() const override { return 2; }
    bool mergeWith(const QUndoCommand* other) override;

private:
    nlohmann::ordered_json m_triggers;
    nlohmann::ordered_json m_old;
};

} // namespace proactive::ui
