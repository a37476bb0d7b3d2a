#include "triggercommands.h"

#include "triggerdocument.h"

namespace proactive::ui {

namespace {

    nlohmann::ordered_json& at(nlohmann::ordered_json& json, const std::string& pointer)
    {
        return json[nlohmann::ordered_json::json_pointer(pointer)];
    }

} // namespace

TriggerEditCommand::TriggerEditCommand(TriggerDocument* document, const QString& text)
    : QUndoCommand(text)
    , m_document(document)
{ }

nlohmann::ordered_json& TriggerEditCommand::json()
{
    return m_document->mutableJson();
}

void TriggerEditCommand::notify()
{
    m_document->notifyChanged();
}

SetFieldCommand::SetFieldCommand(TriggerDocument* document, std::string objectPointer, std::string key,
    std::optional<nlohmann::ordered_json> value, const QString& text)
    : TriggerEditCommand(document, text)
    , m_objectPointer(std::move(objectPointer))
    , m_key(std::move(key))
    , m_value(std::move(value))
{
    const auto& object = at(json(), m_objectPointer);
    if (const auto it = object.find(m_key); it != object.end())
        m_old = *it;
}

void SetFieldCommand::apply(const std::optional<nlohmann::ordered_json>& value)
{
    auto& object = at(json(), m_objectPointer);
    if (value)
        object[m_key] = *value;
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
    if (!next || next->m_objectPointer != m_objectPointer || next->m_key != m_key)
        return false;
    m_value = next->m_value;
    return true;
}

InsertTriggerCommand::InsertTriggerCommand(
    TriggerDocument* document, std::size_t index, nlohmann::ordered_json trigger, const QString& text)
    : TriggerEditCommand(document, text)
    , m_index(index)
    , m_trigger(std::move(trigger))
{ }

void InsertTriggerCommand::redo()
{
    json().insert(json().begin() + static_cast<std::ptrdiff_t>(m_index), m_trigger);
    notify();
}

void InsertTriggerCommand::undo()
{
    json().erase(m_index);
    notify();
}

RemoveTriggerCommand::RemoveTriggerCommand(TriggerDocument* document, std::size_t index, const QString& text)
    : TriggerEditCommand(document, text)
    , m_index(index)
{ }

void RemoveTriggerCommand::redo()
{
    m_removed = json().at(m_index);
    json().erase(m_index);
    notify();
}

void RemoveTriggerCommand::undo()
{
    json().insert(json().begin() + static_cast<std::ptrdiff_t>(m_index), m_removed);
    notify();
}

ReplaceTriggersCommand::ReplaceTriggersCommand(
    TriggerDocument* document, nlohmann::ordered_json triggers, const QString& text)
    : TriggerEditCommand(document, text)
    , m_triggers(std::move(triggers))
    , m_old(json())
{ }

void ReplaceTriggersCommand::redo()
{
    json() = m_triggers;
    notify();
}

void ReplaceTriggersCommand::undo()
{
    json() = m_old;
    notify();
}

bool ReplaceTriggersCommand::mergeWith(const QUndoCommand* other)
{
    const auto* next = dynamic_cast<const ReplaceTriggersCommand*>(other);
    if (!next)
        return false;
    m_triggers = next->m_triggers;
    return true;
}

} // namespace proactive::ui
