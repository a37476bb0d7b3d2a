#pragma once

#include <QUndoCommand>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace proactive::ui {

class TourDocument;

// The edits of a tour file, as undo commands on its JSON (Tiled's way: one
// command class per kind of edit). Locations are JSON pointers
// ("/2/steps/0/title"), so the same commands serve tours and steps.
class TourEditCommand : public QUndoCommand {
public:
    TourEditCommand(TourDocument* document, const QString& text);

protected:
    nlohmann::ordered_json& json();
    void notify();

    TourDocument* m_document;
};

// Sets a field of an object, adding it when missing; undo restores the old
// value or removes the field again. Consecutive edits of one field merge
// (typing a word is one undo step).
class SetValueCommand final : public TourEditCommand {
public:
    SetValueCommand(TourDocument* document, std::string objectPointer, std::string key, nlohmann::ordered_json value,
        const QString& text);

    void redo() override;
    void undo() override;
    int id() const override { return 1; }
    bool mergeWith(const QUndoCommand* other) override;

private:
    std::string m_objectPointer;
    std::string m_key;
    nlohmann::ordered_json m_value;
    std::optional<nlohmann::ordered_json> m_old;
};

// Inserts `value` into the array at `arrayPointer` before `index`.
class InsertItemCommand final : public TourEditCommand {
public:
    InsertItemCommand(TourDocument* document, std::string arrayPointer, std::size_t index, nlohmann::ordered_json value,
        const QString& text);

    void redo() override;
    void undo() override;

private:
    std::string m_arrayPointer;
    std::size_t m_index;
    nlohmann::ordered_json m_value;
};

class RemoveItemCommand final : public TourEditCommand {
public:
    RemoveItemCommand(TourDocument* document, std::string arrayPointer, std::size_t index, const QString& text);

    void redo() override;
    void undo() override;

private:
    std::string m_arrayPointer;
    std::size_t m_index;
    nlohmann::ordered_json m_removed;
};

// Moves the array item at `from` so that it ends up at index `to`.
class MoveItemCommand final : public TourEditCommand {
public:
    MoveItemCommand(
        TourDocument* document, std::string arrayPointer, std::size_t from, std::size_t to, const QString& text);

    void redo() override;
    void undo() override;

private:
    void move(std::size_t from, std::size_t to);

    std::string m_arrayPointer;
    std::size_t m_from;
    std::size_t m_to;
};

} // namespace proactive::ui
