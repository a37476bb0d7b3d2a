#include "jsondocument.h"

#include <QUndoStack>
#include <nlohmann/json.hpp>

namespace proactive::ui {

JsonDocument::JsonDocument(nlohmann::ordered_json initial, QObject* parent)
    : QObject(parent)
    , m_json(std::make_unique<nlohmann::ordered_json>(std::move(initial)))
    , m_undoStack(new QUndoStack(this))
{ }

JsonDocument::~JsonDocument() = default;

bool JsonDocument::isModified() const
{
    return !m_undoStack->isClean();
}

void JsonDocument::reset(nlohmann::ordered_json json)
{
    *m_json = std::move(json);
    m_undoStack->clear();
    m_undoStack->setClean();
    onContentChanged();
    Q_EMIT changed();
}

void JsonDocument::notifyEdited()
{
    onContentChanged();
    Q_EMIT changed();
    Q_EMIT edited();
}

} // namespace proactive::ui
