#include "jsondocument.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>
#include <QUndoStack>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>

namespace proactive::ui {

std::string prettyJson(const nlohmann::ordered_json& json)
{
    return json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

nlohmann::ordered_json jsonNumber(double value)
{
    double whole = 0;
    if (std::modf(value, &whole) == 0.0 && std::abs(whole) < 1e15)
        return static_cast<std::int64_t>(whole);
    return value;
}

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

nlohmann::json JsonDocument::plainJson() const
{
    return nlohmann::json::parse(m_json->dump(), nullptr, false);
}

bool JsonDocument::writeFile(const QString& path, const nlohmann::ordered_json& file, QString* error)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile out(path);
    const std::string text = prettyJson(file) + "\n";
    if (!out.open(QIODevice::WriteOnly) || out.write(text.data(), static_cast<qint64>(text.size())) < 0
        || !out.commit()) {
        if (error)
            *error = tr("cannot write %1: %2").arg(path, out.errorString());
        return false;
    }
    m_undoStack->setClean();
    return true;
}

void JsonDocument::notifyEdited()
{
    onContentChanged();
    Q_EMIT changed();
    Q_EMIT edited();
}

} // namespace proactive::ui
