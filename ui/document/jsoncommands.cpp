#include "jsoncommands.h"

#include "jsondocument.h"

namespace proactive::ui {

namespace {

    // Sets `key` of `object`; a key not there yet goes in at `position`, so
    // that undoing a removal gives back the file as it was.
    void setAt(nlohmann::ordered_json& object, const std::string& key, const nlohmann::ordered_json& value,
        std::size_t position)
    {
        if (object.contains(key) || position >= object.size()) {
            object[key] = value;
            return;
        }
        auto rebuilt = nlohmann::ordered_json::object();
        std::size_t index = 0;
        for (auto it = object.begin(); it != object.end(); ++it, ++index) {
            if (index == position)
                rebuilt[key] = value;
            rebuilt[it.key()] = std::move(it.value());
        }
        object = std::move(rebuilt);
    }

} // namespace

JsonEditCommand::JsonEditCommand(JsonDocument* document, const QString& text)
    : QUndoCommand(text)
    , m_document(document)
{ }

nlohmann::ordered_json& JsonEditCommand::json()
{
    return m_document->mutableJson();
}

nlohmann::ordered_json& JsonEditCommand::at(const std::string& pointer)
{
    return json()[nlohmann::ordered_json::json_pointer(pointer)];
}

void JsonEditCommand::notify()
{
    m_document->notifyEdited();
}

SetFieldCommand::SetFieldCommand(JsonDocument* document, std::string objectPointer, std::string key,
    std::optional<nlohmann::ordered_json> value, const QString& text)
    : JsonEditCommand(document, text)
    , m_objectPointer(std::move(objectPointer))
    , m_key(std::move(key))
    , m_value(std::move(value))
{
    const auto& object = at(m_objectPointer);
    const auto it = object.find(m_key);
    m_position = static_cast<std::size_t>(std::distance(object.begin(), it));
    if (it != object.end())
        m_old = *it;
}

void SetFieldCommand::apply(const std::optional<nlohmann::ordered_json>& value)
{
    auto& object = at(m_objectPointer);
    if (value)
        setAt(object, m_key, *value, m_position);
    else
        object.erase(m_key);
    notify();
}

void SetFieldCommand::redo()
{
    apply(m_value);
}

void SetFieldCommand::undo()
{
    apply(m_old);
}

bool SetFieldCommand::mergeWith(const QUndoCommand* other)
{
    const auto* next = dynamic_cast<const SetFieldCommand*>(other);
    if (!next || next->m_document != m_document || next->m_objectPointer != m_objectPointer || next->m_key != m_key)
        return false;
    m_value = next->m_value;
    return true;
}

InsertItemCommand::InsertItemCommand(JsonDocument* document, std::string arrayPointer, std::size_t index,
    nlohmann::ordered_json value, const QString& text)
    : JsonEditCommand(document, text)
    , m_arrayPointer(std::move(arrayPointer))
    , m_index(index)
    , m_value(std::move(value))
{ }

void InsertItemCommand::redo()
{
    auto& array = at(m_arrayPointer);
    array.insert(array.begin() + static_cast<std::ptrdiff_t>(m_index), m_value);
    notify();
}

void InsertItemCommand::undo()
{
    at(m_arrayPointer).erase(m_index);
    notify();
}

RemoveItemCommand::RemoveItemCommand(
    JsonDocument* document, std::string arrayPointer, std::size_t index, const QString& text)
    : JsonEditCommand(document, text)
    , m_arrayPointer(std::move(arrayPointer))
    , m_index(index)
{ }

void RemoveItemCommand::redo()
{
    auto& array = at(m_arrayPointer);
    m_removed = array.at(m_index);
    array.erase(m_index);
    notify();
}

void RemoveItemCommand::undo()
{
    auto& array = at(m_arrayPointer);
    array.insert(array.begin() + static_cast<std::ptrdiff_t>(m_index), m_removed);
    notify();
}

MoveItemCommand::MoveItemCommand(
    JsonDocument* document, std::string arrayPointer, std::size_t from, std::size_t to, const QString& text)
    : JsonEditCommand(document, text)
    , m_arrayPointer(std::move(arrayPointer))
    , m_from(from)
    , m_to(to)
{ }

void MoveItemCommand::move(std::size_t from, std::size_t to)
{
    auto& array = at(m_arrayPointer);
    nlohmann::ordered_json item = std::move(array.at(from));
    array.erase(from);
    array.insert(array.begin() + static_cast<std::ptrdiff_t>(to), std::move(item));
    notify();
}

void MoveItemCommand::redo()
{
    move(m_from, m_to);
}

void MoveItemCommand::undo()
{
    move(m_to, m_from);
}

ReplaceDocumentCommand::ReplaceDocumentCommand(
    JsonDocument* document, nlohmann::ordered_json value, const QString& text)
    : JsonEditCommand(document, text)
    , m_value(std::move(value))
    , m_old(json())
{ }

void ReplaceDocumentCommand::redo()
{
    json() = m_value;
    notify();
}

void ReplaceDocumentCommand::undo()
{
    json() = m_old;
    notify();
}

bool ReplaceDocumentCommand::mergeWith(const QUndoCommand* other)
{
    const auto* next = dynamic_cast<const ReplaceDocumentCommand*>(other);
    if (!next || next->m_document != m_document)
        return false;
    m_value = next->m_value;
    return true;
}

} // namespace proactive::ui
