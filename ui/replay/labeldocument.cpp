#include "labeldocument.h"

#include "base/jsonreader.h"
#include "document/jsoncommands.h"
#include "workspace/workspace.h"

#include <QFile>
#include <QUndoStack>
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace proactive::ui {

namespace {

    using ordered_json = nlohmann::ordered_json;

    // A tenth of a second: finer than any drag on a timeline, coarse enough
    // to read in the file.
    ordered_json seconds(double value)
    {
        return jsonNumber(std::round(std::max(0.0, value) * 10) / 10);
    }

    // "/sessions/3/ranges/1" → "/sessions/3/ranges" and 1.
    std::pair<std::string, std::size_t> arrayAndIndex(const std::string& itemPointer)
    {
        const auto slash = itemPointer.rfind('/');
        return { itemPointer.substr(0, slash), std::stoul(itemPointer.substr(slash + 1)) };
    }

    ordered_json emptyLabels()
    {
        ordered_json labels = ordered_json::object();
        labels["format"] = "proactive-studio/labels";
        labels["version"] = 1;
        labels["sessions"] = ordered_json::array();
        return labels;
    }

} // namespace

LabelDocument::LabelDocument(QObject* parent)
    : JsonDocument(emptyLabels(), parent)
{ }

LabelDocument::~LabelDocument() = default;

bool LabelDocument::open(const std::filesystem::path& workspaceRoot, const std::string& productId, QString* error)
{
    const std::string file = "labels/" + productId + ".json";
    const QString path = QString::fromStdString((workspaceRoot / file).string());
    ordered_json content = emptyLabels();
    if (QFile::exists(path)) {
        const auto text = readTextFile(path.toStdString());
        if (!text) {
            if (error)
                *error = QString::fromStdString(text.error().toString());
            return false;
        }
        content = parseJsonText<ordered_json>(*text);
        if (content.is_discarded() || !content.is_object()) {
            if (error)
                *error = tr("%1 is not a labels file (a JSON object); fix it by hand ('validate' says where)")
                             .arg(QString::fromStdString(file));
            return false;
        }
    }
    m_path = path;
    m_file = file;
    m_productId = productId;
    reset(std::move(content));
    return true;
}

const SessionLabels* LabelDocument::session(const std::string& sessionId) const
{
    return m_labels.find(m_productId, sessionId);
}

void LabelDocument::onContentChanged()
{
    m_problems.clear();
    m_labels = LabelSet();
    m_labels.add(plainJson(), m_file, m_problems);
}

int LabelDocument::sessionEntry(const std::string& sessionId) const
{
    const auto sessions = json().find("sessions");
    if (sessions == json().end() || !sessions->is_array())
        return -1;
    for (std::size_t i = 0; i < sessions->size(); ++i) {
        const ordered_json& entry = (*sessions)[i];
        if (!entry.is_object() || entry.value("session_id", ordered_json()) != sessionId)
            continue;
        const ordered_json product = entry.value("product", ordered_json());
        if (product.is_null() || product == m_productId)
            return static_cast<int>(i);
    }
    return -1;
}

bool LabelDocument::holdsItem(const std::string& itemPointer) const
{
    if (itemPointer.rfind('/') == std::string::npos)
        return false;
    const auto [array, index] = arrayAndIndex(itemPointer);
    const auto location = ordered_json::json_pointer(array);
    return json().contains(location) && json()[location].is_array() && index < json()[location].size();
}

void LabelDocument::addToSession(
    const std::string& sessionId, const char* arrayKey, ordered_json item, const QString& text)
{
    const auto sessions = json().find("sessions");
    if (sessions == json().end() || !sessions->is_array())
        return; // a broken file: the problems name it, an edit does not overwrite it
    const int entry = sessionEntry(sessionId);
    if (entry < 0) {
        ordered_json labelled = ordered_json::object();
        labelled["session_id"] = sessionId;
        labelled["product"] = m_productId;
        labelled[arrayKey] = ordered_json::array({ std::move(item) });
        undoStack()->push(new InsertItemCommand(this, "/sessions", sessions->size(), std::move(labelled), text));
        return;
    }
    const std::string entryPointer = "/sessions/" + std::to_string(entry);
    const ordered_json& object = (*sessions)[static_cast<std::size_t>(entry)];
    const auto items = object.find(arrayKey);
    if (items == object.end()) {
        undoStack()->push(
            new SetFieldCommand(this, entryPointer, arrayKey, ordered_json::array({ std::move(item) }), text));
        return;
    }
    if (!items->is_array())
        return;
    undoStack()->push(new InsertItemCommand(this, entryPointer + "/" + arrayKey, items->size(), std::move(item), text));
}

void LabelDocument::addRange(
    const std::string& sessionId, LabelRange::Kind kind, double from, double to, const std::string& answer)
{
    ordered_json range = ordered_json::object();
    range["kind"] = std::string(nameOf(kind));
    range["from"] = seconds(std::min(from, to));
    range["to"] = seconds(std::max(from, to));
    if (kind == LabelRange::Kind::HelpWanted && !answer.empty())
        range["answer"] = answer;
    addToSession(sessionId, "ranges", std::move(range),
        kind == LabelRange::Kind::HelpWanted ? tr("Label help wanted") : tr("Label no help"));
}

void LabelDocument::addProposal(const std::string& sessionId, const LabelProposal& proposal, const std::string& author)
{
    addToSession(sessionId, "ranges", proposalToLabelJson(proposal, author),
        tr("Accept proposal %1").arg(QString::fromStdString(proposal.heuristic)));
}

void LabelDocument::removeRange(const std::string& rangePointer)
{
    if (!holdsItem(rangePointer))
        return;
    const auto [array, index] = arrayAndIndex(rangePointer);
    undoStack()->push(new RemoveItemCommand(this, array, index, tr("Remove label")));
}

void LabelDocument::setRangeKind(const std::string& rangePointer, LabelRange::Kind kind)
{
    if (!holdsItem(rangePointer) || !json()[ordered_json::json_pointer(rangePointer)].is_object())
        return;
    const ordered_json& range = json()[ordered_json::json_pointer(rangePointer)];
    const std::string name(nameOf(kind));
    if (range.value("kind", ordered_json()) == name)
        return;
    const QString text = kind == LabelRange::Kind::HelpWanted ? tr("Change to help wanted") : tr("Change to no help");
    undoStack()->beginMacro(text);
    undoStack()->push(new SetFieldCommand(this, rangePointer, "kind", name, text));
    if (kind == LabelRange::Kind::NoHelp && range.contains("answer"))
        undoStack()->push(new SetFieldCommand(this, rangePointer, "answer", std::nullopt, text));
    undoStack()->endMacro();
}

void LabelDocument::setRangeBounds(const std::string& rangePointer, double from, double to)
{
    if (!holdsItem(rangePointer) || !json()[ordered_json::json_pointer(rangePointer)].is_object())
        return;
    const QString text = tr("Move label");
    undoStack()->beginMacro(text);
    undoStack()->push(new SetFieldCommand(this, rangePointer, "from", seconds(std::min(from, to)), text));
    undoStack()->push(new SetFieldCommand(this, rangePointer, "to", seconds(std::max(from, to)), text));
    undoStack()->endMacro();
}

void LabelDocument::setRangeAnswer(const std::string& rangePointer, const std::string& answer)
{
    if (!holdsItem(rangePointer) || !json()[ordered_json::json_pointer(rangePointer)].is_object())
        return;
    const ordered_json& range = json()[ordered_json::json_pointer(rangePointer)];
    if (answer.empty() ? !range.contains("answer") : range.value("answer", ordered_json()) == answer)
        return;
    undoStack()->push(new SetFieldCommand(this, rangePointer, "answer",
        answer.empty() ? std::nullopt : std::optional<ordered_json>(answer), tr("Change answer")));
}

void LabelDocument::addFiresExpectation(
    const std::string& sessionId, const std::string& trigger, double at, double sessionLength)
{
    const double window = std::chrono::duration<double>(kFiresWindow).count();
    ordered_json expectation = ordered_json::object();
    expectation["expect"] = "fires";
    expectation["trigger"] = trigger;
    expectation["from"] = seconds(std::clamp(at - window, 0.0, std::max(0.0, sessionLength)));
    expectation["to"] = seconds(std::clamp(at + window, 0.0, std::max(0.0, sessionLength)));
    addToSession(
        sessionId, "expect", std::move(expectation), tr("Expect %1 to fire").arg(QString::fromStdString(trigger)));
}

void LabelDocument::removeExpectation(const std::string& expectationPointer)
{
    if (!holdsItem(expectationPointer))
        return;
    const auto [array, index] = arrayAndIndex(expectationPointer);
    undoStack()->push(new RemoveItemCommand(this, array, index, tr("Remove expectation")));
}

bool LabelDocument::save(Diagnostics* problems, QString* error)
{
    onContentChanged();
    if (problems)
        *problems = m_problems;
    if (!isOpen()) {
        if (error)
            *error = tr("no labels are open");
        return false;
    }
    if (!m_problems.empty()) {
        if (error)
            *error = tr("%n problem(s): not saved; %1 keeps its last valid content", nullptr,
                static_cast<int>(m_problems.size()))
                         .arg(displayName());
        return false;
    }
    return writeFile(m_path, json(), error);
}

} // namespace proactive::ui
