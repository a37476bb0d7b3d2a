#include "tourcommands.h"

#include "tourdocument.h"

namespace proactive::ui {

namespace {

    nlohmann::ordered_json& at(nlohmann::ordered_json& json, const std::string& pointer)
    {
        return json[nlohmann::ordered_json::json_pointer(pointer)];
    }

} // namespace

TourEditCommand::TourEditCommand(TourDocument* document, const QString& text)
    : QUndoCommand(text)
    , m_document(document)
{ }

nlohmann::ordered_json& TourEditCommand::json()
{
    return m_document->json();
}

void TourEditCommand::notify()
{
    m_document->notifyChanged();
}

SetValueCommand::SetValueCommand(TourDocument* document, std::string objectPointer, std::string key,
    nlohmann::ordered_json value, const QString& text)
    : TourEditCommand(document, text)
    , m_objectPointer(std::move(objectPointer))
    , m_key(std::move(key))
    , m_value(std::move(value))
{
    const auto& object = at(json(), m_objectPointer);
    if (const auto it = object.find(m_key); it != object.end())
        m_old = *it;
}

void SetValueCommand::redo()
{
    at(json(), m_objectPointer)[m_key] = m_value;
    notify();
}

void SetValueCommand::undo()
{
    auto& object = at(json(), m_objectPointer);
    if (m_old)
        object[m_key] = *m_old;
    else
        object.erase(m_key);
    notify();
}

bool SetValueCommand::mergeWith(const QUndoCommand* other)
{
    const auto* next = dynamic_cast<const SetValueCommand*>(other);
    if (!next)
        return false;
    if (!next || next->m_objectPointer != m_objectPointer || next->m_key != m_key)
        return false;
    m_value = next->m_value;
    return true;
}

InsertItemCommand::InsertItemCommand(TourDocument* document, std::string arrayPointer, std::size_t index,
    nlohmann::ordered_json value, const QString& text)
    : TourEditCommand(document, text)
    , m_arrayPointer(std::move(arrayPointer))
    , m_index(index)
    , m_value(std::move(value))
{ }

void InsertItemCommand::redo()
{
    auto& array = at(json(), m_arrayPointer);
    array.insert(array.begin() + static_cast<std::ptrdiff_t>(m_index), m_value);
    notify();
}

void InsertItemCommand::undo()
{
    at(json(), m_arrayPointer).erase(m_index);
    notify();
}

RemoveItemCommand::RemoveItemCommand(
    TourDocument* document, std::string arrayPointer, std::size_t index, const QString& text)
    : TourEditCommand(document, text)
    , m_arrayPointer(std::move(arrayPointer))
    , m_index(index)
{ }

void RemoveItemCommand::redo()
{
    auto& array = at(json(), m_arrayPointer);
    m_removed = array.at(m_index);
    array.erase(m_index);
    notify();
}

void RemoveItemCommand::undo()
{
    auto& array = at(json(), m_arrayPointer);
    array.insert(array.begin() + static_cast<std::ptrdiff_t>(m_index), m_removed);
    notify();
}

MoveItemCommand::MoveItemCommand(
    TourDocument* document, std::string arrayPointer, std::size_t from, std::size_t to, const QString& text)
    : TourEditCommand(document, text)
    , m_arrayPointer(std::move(arrayPointer))
    , m_from(from)
    , m_to(to)
{ }

void MoveItemCommand::move(std::size_t from, std::size_t to)
{
    auto& array = at(json(), m_arrayPointer);
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

} // namespace proactive::ui
