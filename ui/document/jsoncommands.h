#pragma once

#include <QUndoCommand>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace proactive::ui {

class JsonDocument;

// The edits of a JsonDocument, as undo commands (Tiled's way: one command
// class per kind of edit). Locations are JSON pointers into the document
// ("/2/steps/0"; "" is the whole document), so the same five commands serve
// triggers, tours and labels. A command is pushed only when its location
// exists: the documents check that before they make one.
class JsonEditCommand : public QUndoCommand {
public:
    JsonEditCommand(JsonDocument* document, const QString& text);

protected:
    enum MergeId { SetFieldId = 1, ReplaceDocumentId };

    nlohmann::ordered_json& json();
    nlohmann::ordered_json& at(const std::string& pointer);
    // After each redo and undo: the document revalidates and says it changed.
    void notify();

    JsonDocument* m_document;
};

// Sets a field of the object at `objectPointer`, or removes it (nullopt:
// a default applies); undo restores what was there, at its place among the
// object's keys, or removes the field again. Consecutive edits of one field
// merge (typing a word is one undo step).
class SetFieldCommand final : public JsonEditCommand {
public:
    SetFieldCommand(JsonDocument* document, std::string objectPointer, std::string key,
        std::optional<nlohmann::ordered_json> value, const QString& text);

    void redo() override;
    void undo() override;
    int id() const override { return SetFieldId; }
    bool mergeWith(const QUndoCommand* other) override;

private:
    void apply(const std::optional<nlohmann::ordered_json>& value);

    std::string m_objectPointer;
    std::string m_key;
    std::optional<nlohmann::ordered_json> m_value;
    std::optional<nlohmann::ordered_json> m_old;
    std::size_t m_position; // of the key among the object's keys (its size when absent)
};

// Inserts `value` into the array at `arrayPointer` before `index` (the
// array's size appends).
class InsertItemCommand final : public JsonEditCommand {
public:
    InsertItemCommand(JsonDocument* document, std::string arrayPointer, std::size_t index, nlohmann::ordered_json value,
        const QString& text);

    void redo() override;
    void undo() override;

private:
    std::string m_arrayPointer;
    std::size_t m_index;
    nlohmann::ordered_json m_value;
};

// Removes the item at `index` of the array at `arrayPointer`; undo puts it back.
class RemoveItemCommand final : public JsonEditCommand {
public:
    RemoveItemCommand(JsonDocument* document, std::string arrayPointer, std::size_t index, const QString& text);

    void redo() override;
    void undo() override;

private:
    std::string m_arrayPointer;
    std::size_t m_index;
    nlohmann::ordered_json m_removed;
};

// Moves the item at `from` of the array at `arrayPointer` so that it ends up
// at index `to`.
class MoveItemCommand final : public JsonEditCommand {
public:
    MoveItemCommand(
        JsonDocument* document, std::string arrayPointer, std::size_t from, std::size_t to, const QString& text);

    void redo() override;
    void undo() override;

private:
    void move(std::size_t from, std::size_t to);

    std::string m_arrayPointer;
    std::size_t m_from;
    std::size_t m_to;
};

// The whole document replaced (a JSON view's edit, once it parses).
// Consecutive replacements merge.
class ReplaceDocumentCommand final : public JsonEditCommand {
public:
    ReplaceDocumentCommand(JsonDocument* document, nlohmann::ordered_json value, const QString& text);

    void redo() override;
    void undo() override;
    int id() const override { return ReplaceDocumentId; }
    bool mergeWith(const QUndoCommand* other) override;

private:
    nlohmann::ordered_json m_value;
    nlohmann::ordered_json m_old;
};

} // namespace proactive::ui
