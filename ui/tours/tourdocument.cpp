#include "tourdocument.h"

#include "base/jsonreader.h"
#include "document/jsoncommands.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QUndoStack>
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace proactive::ui {

namespace {

    using ordered_json = nlohmann::ordered_json;

    const char* keyOf(TourField field)
    {
        switch (field) {
        case TourField::Id:
            return "id";
        case TourField::Name:
            return "name";
        case TourField::Description:
            return "description";
        case TourField::Route:
            return "route";
        }
        return "id";
    }

    const char* keyOf(StepField field)
    {
        switch (field) {
        case StepField::Target:
            return "target";
        case StepField::Title:
            return "title";
        case StepField::Content:
            return "content";
        case StepField::Placement:
            return "placement";
        }
        return "target";
    }

    QString labelOf(const char* key)
    {
        return QString::fromLatin1(key);
    }

    std::string tourPointer(int tour)
    {
        return "/" + std::to_string(tour);
    }

    std::string stepsPointer(int tour)
    {
        return tourPointer(tour) + "/steps";
    }

    std::string stepPointer(int tour, int step)
    {
        return stepsPointer(tour) + "/" + std::to_string(step);
    }

    QString textOf(const ordered_json& object, const char* key)
    {
        if (!object.is_object())
            return {};
        const auto it = object.find(key);
        return it != object.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString();
    }

} // namespace

TourDocument::TourDocument(QObject* parent)
    : JsonDocument(ordered_json::array(), parent)
{ }

TourDocument::~TourDocument() = default;

bool TourDocument::load(const QString& path, QString* error)
{
    ordered_json content = ordered_json::array();
    QFile file(path);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly)) {
            if (error)
                *error = u"cannot read %1: %2"_qs.arg(path, file.errorString());
            return false;
        }
        content = parseJsonText<ordered_json>(file.readAll().toStdString());
        if (content.is_discarded() || !content.is_array()) {
            if (error)
                *error
                    = u"%1 is not a JSON array of tours; fix it by hand (proactive-studio validate says where)"_qs.arg(
                        path);
            return false;
        }
    }
    m_path = path;
    reset(std::move(content));
    return true;
}

QString TourDocument::displayName() const
{
    const QFileInfo info(m_path);
    return info.dir().dirName() + u'/' + info.fileName();
}

int TourDocument::tourCount() const
{
    return static_cast<int>(json().size());
}

int TourDocument::stepCount(int tour) const
{
    if (tour < 0 || tour >= tourCount() || !json()[tour].is_object())
        return 0;
    const auto& object = json()[tour];
    const auto it = object.find("steps");
    return it != object.end() && it->is_array() ? static_cast<int>(it->size()) : 0;
}

QString TourDocument::tourText(int tour, TourField field) const
{
    if (tour < 0 || tour >= tourCount())
        return {};
    return textOf(json()[tour], keyOf(field));
}

QString TourDocument::stepText(int tour, int step, StepField field) const
{
    if (step < 0 || step >= stepCount(tour))
        return {};
    return textOf(json()[tour]["steps"][step], keyOf(field));
}

Tour TourDocument::tour(int index) const
{
    Tour tour;
    tour.id = tourText(index, TourField::Id).toStdString();
    tour.name = tourText(index, TourField::Name).toStdString();
    tour.description = tourText(index, TourField::Description).toStdString();
    tour.route = tourText(index, TourField::Route).toStdString();
    for (int i = 0; i < stepCount(index); ++i) {
        TourStep step;
        step.target = stepText(index, i, StepField::Target).toStdString();
        step.title = stepText(index, i, StepField::Title).toStdString();
        step.content = stepText(index, i, StepField::Content).toStdString();
        const QString placement = stepText(index, i, StepField::Placement);
        for (auto p : { TourPlacement::Top, TourPlacement::Bottom, TourPlacement::Left, TourPlacement::Right })
            if (placement.toStdString() == nameOf(p))
                step.placement = p;
        tour.steps.push_back(std::move(step));
    }
    return tour;
}

void TourDocument::setTourText(int tour, TourField field, const QString& text)
{
    if (tour < 0 || tour >= tourCount() || !json()[tour].is_object() || tourText(tour, field) == text)
        return;
    undoStack()->push(new SetFieldCommand(
        this, tourPointer(tour), keyOf(field), text.toStdString(), tr("Edit tour %1").arg(labelOf(keyOf(field)))));
}

void TourDocument::setStepText(int tour, int step, StepField field, const QString& text)
{
    if (step < 0 || step >= stepCount(tour) || !json()[tour]["steps"][step].is_object()
        || stepText(tour, step, field) == text)
        return;
    undoStack()->push(new SetFieldCommand(this, stepPointer(tour, step), keyOf(field), text.toStdString(),
        tr("Edit step %1").arg(labelOf(keyOf(field)))));
}

int TourDocument::addTour()
{
    std::set<std::string> ids;
    for (int i = 0; i < tourCount(); ++i)
        ids.insert(tourText(i, TourField::Id).toStdString());
    std::string id = "new-tour";
    for (int n = 2; ids.contains(id); ++n)
        id = "new-tour-" + std::to_string(n);
    ordered_json tour = ordered_json::object();
    tour["id"] = id;
    tour["name"] = "New tour";
    tour["description"] = "Use when the user asks how to ...\nNOT for ...";
    tour["route"] = "/";
    tour["steps"] = ordered_json::array();
    const int index = tourCount();
    undoStack()->push(new InsertItemCommand(this, "", static_cast<std::size_t>(index), tour, tr("Add tour")));
    return index;
}

void TourDocument::removeTour(int tour)
{
    if (tour < 0 || tour >= tourCount())
        return;
    undoStack()->push(new RemoveItemCommand(this, "", static_cast<std::size_t>(tour), tr("Remove tour")));
}

void TourDocument::insertStep(int tour, int at, const TourStep& step)
{
    if (tour < 0 || tour >= tourCount() || !json()[tour].is_object())
        return;
    const auto& object = json()[tour];
    const auto steps = object.find("steps");
    if (steps != object.end() && !steps->is_array())
        return; // a broken steps field: validation names it, the editor does not overwrite it
    ordered_json value = ordered_json::object();
    value["target"] = step.target;
    value["title"] = step.title;
    value["content"] = step.content;
    value["placement"] = std::string(nameOf(step.placement));
    const int index = std::clamp(at, 0, stepCount(tour));
    undoStack()->beginMacro(tr("Add step"));
    if (steps == object.end())
        undoStack()->push(new SetFieldCommand(this, tourPointer(tour), "steps", ordered_json::array(), {}));
    undoStack()->push(
        new InsertItemCommand(this, stepsPointer(tour), static_cast<std::size_t>(index), value, tr("Add step")));
    undoStack()->endMacro();
}

void TourDocument::removeStep(int tour, int step)
{
    if (step < 0 || step >= stepCount(tour))
        return;
    undoStack()->push(
        new RemoveItemCommand(this, stepsPointer(tour), static_cast<std::size_t>(step), tr("Remove step")));
}

void TourDocument::moveStep(int tour, int from, int to)
{
    const int count = stepCount(tour);
    if (from < 0 || from >= count || to < 0 || to >= count || from == to)
        return;
    undoStack()->push(new MoveItemCommand(
        this, stepsPointer(tour), static_cast<std::size_t>(from), static_cast<std::size_t>(to), tr("Move step")));
}

Diagnostics TourDocument::problems() const
{
    const std::string file = displayName().toStdString();
    Diagnostics diagnostics;
    const TourCatalog catalog = parseTourCatalog(plainJson(), file, "", diagnostics);

    // Ids are unique across the folder, as loadTourCatalogDir reads it.
    const QFileInfo self(m_path);
    const QDir folder = self.dir();
    for (const QString& name : folder.entryList({ u"*.json"_qs }, QDir::Files, QDir::Name)) {
        if (name == self.fileName() || name.startsWith(u'.'))
            continue;
        const auto text = readTextFile(folder.filePath(name).toStdString());
        if (!text)
            continue;
        Diagnostics ignored; // that file's own problems are reported when it is open
        const TourCatalog other = parseTourCatalog(parseJsonText(*text), name.toStdString(), "", ignored);
        for (std::size_t i = 0; i < json().size(); ++i) {
            const std::string id = tourText(static_cast<int>(i), TourField::Id).toStdString();
            if (!id.empty() && other.find(id))
                diagnostics.push_back({ file, "/" + std::to_string(i) + "/id",
                    "duplicate tour id \"" + id + "\" (also defined in " + folder.dirName().toStdString() + "/"
                        + name.toStdString() + ")" });
        }
    }
    return diagnostics;
}

bool TourDocument::save(Diagnostics* problemsOut, QString* error)
{
    const Diagnostics found = problems();
    if (problemsOut)
        *problemsOut = found;
    if (!found.empty())
        return false;
    return writeFile(m_path, json(), error);
}

} // namespace proactive::ui
