#include "triggerdocument.h"

#include "base/jsonreader.h"
#include "document/jsoncommands.h"
#include "triggers/trigger.h"

#include <QUndoStack>
#include <nlohmann/json.hpp>
#include <set>

namespace proactive::ui {

namespace {

    using ordered_json = nlohmann::ordered_json;

    const char* keyOf(TriggerField field)
    {
        switch (field) {
        case TriggerField::Id:
            return "id";
        case TriggerField::Name:
            return "name";
        case TriggerField::Description:
            return "description";
        case TriggerField::Body:
            return "body";
        case TriggerField::TourId:
            return "tour_id";
        }
        return "id";
    }

    const char* keyOf(TriggerSeconds field)
    {
        return field == TriggerSeconds::Cooldown ? "cooldown_s" : "interaction_timeout_s";
    }

} // namespace

TriggerDocument::TriggerDocument(QObject* parent)
    : JsonDocument(ordered_json::array(), parent)
{ }

TriggerDocument::~TriggerDocument() = default;

bool TriggerDocument::open(std::shared_ptr<const Workspace> workspace, const std::string& productId, QString* error)
{
    const auto fail = [error](const QString& reason) {
        if (error)
            *error = reason;
        return false;
    };
    const Product* product = workspace ? workspace->product(productId) : nullptr;
    if (!product)
        return fail(tr("the workspace has no product \"%1\"").arg(QString::fromStdString(productId)));
    std::string file = product->triggersFile;
    std::string pointer = product->triggersPointer;
    ordered_json array = ordered_json::array();
    if (file.empty()) {
        // No triggers yet: the first save creates the file the workspace loader looks for.
        file = "triggers/" + productId + ".json";
        pointer.clear();
    } else {
        const auto text = readTextFile(workspace->root() / file);
        if (!text)
            return fail(QString::fromStdString(text.error().toString()));
        const ordered_json document = parseJsonText<ordered_json>(*text);
        const auto location = ordered_json::json_pointer(pointer);
        if (document.is_discarded() || !document.contains(location) || !document[location].is_array())
            return fail(tr("%1 no longer holds the triggers array at \"%2\"; fix it by hand ('validate' says where)")
                            .arg(QString::fromStdString(file), QString::fromStdString(pointer)));
        array = document[location];
    }
    m_workspace = std::move(workspace);
    m_edited = m_workspace;
    m_saved = m_workspace;
    m_productId = productId;
    m_file = std::move(file);
    m_pointer = std::move(pointer);
    reset(std::move(array));
    return true;
}

QString TriggerDocument::filePath() const
{
    return m_workspace ? QString::fromStdString((m_workspace->root() / m_file).string()) : QString();
}

QString TriggerDocument::displayName() const
{
    const QString file = QString::fromStdString(m_file);
    return m_pointer.empty() ? file : file + u':' + QString::fromStdString(m_pointer);
}

QString TriggerDocument::text() const
{
    return QString::fromStdString(prettyJson(json()));
}

int TriggerDocument::triggerCount() const
{
    return json().is_array() ? static_cast<int>(json().size()) : 0;
}

std::string TriggerDocument::triggerPointer(int trigger) const
{
    return "/" + std::to_string(trigger);
}

QString TriggerDocument::field(int trigger, TriggerField field) const
{
    if (trigger < 0 || trigger >= triggerCount() || !json()[trigger].is_object())
        return {};
    const auto& object = json()[trigger];
    const auto it = object.find(keyOf(field));
    return it != object.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString();
}

std::optional<double> TriggerDocument::seconds(int trigger, TriggerSeconds field) const
{
    if (trigger < 0 || trigger >= triggerCount() || !json()[trigger].is_object())
        return std::nullopt;
    const auto& object = json()[trigger];
    const auto it = object.find(keyOf(field));
    return it != object.end() && it->is_number() ? std::optional(it->get<double>()) : std::nullopt;
}

QStringList TriggerDocument::labels(int trigger) const
{
    QStringList labels;
    if (trigger < 0 || trigger >= triggerCount() || !json()[trigger].is_object())
        return labels;
    const auto& object = json()[trigger];
    const auto it = object.find("reply_option_labels");
    if (it != object.end() && it->is_array())
        for (const auto& label : *it)
            labels << (label.is_string() ? QString::fromStdString(label.get<std::string>())
                                         : QString::fromStdString(label.dump()));
    return labels;
}

QString TriggerDocument::condition(int trigger) const
{
    if (trigger < 0 || trigger >= triggerCount() || !json()[trigger].is_object())
        return {};
    const auto& object = json()[trigger];
    const auto it = object.find("when");
    return it != object.end() ? QString::fromStdString(prettyJson(*it)) : QString();
}

void TriggerDocument::setField(int trigger, TriggerField field, const QString& text)
{
    if (trigger < 0 || trigger >= triggerCount() || !json()[trigger].is_object())
        return;
    const auto& object = json()[trigger];
    const bool present = object.contains(keyOf(field));
    if (present && object[keyOf(field)].is_string() && this->field(trigger, field) == text)
        return;
    // The id is required: an emptied id stays, and the parser says so.
    std::optional<ordered_json> value;
    if (!text.isEmpty() || field == TriggerField::Id)
        value = text.toStdString();
    else if (!present)
        return;
    undoStack()->push(new SetFieldCommand(this, triggerPointer(trigger), keyOf(field), std::move(value),
        tr("Edit %1").arg(QString::fromLatin1(keyOf(field)))));
}

void TriggerDocument::setSeconds(int trigger, TriggerSeconds field, std::optional<double> value)
{
    if (trigger < 0 || trigger >= triggerCount() || !json()[trigger].is_object())
        return;
    const auto current = seconds(trigger, field);
    const bool present = json()[trigger].contains(keyOf(field));
    if ((!value && !present) || (value && current && *value == *current))
        return;
    undoStack()->push(new SetFieldCommand(this, triggerPointer(trigger), keyOf(field),
        value ? std::optional(jsonNumber(*value)) : std::nullopt,
        tr("Edit %1").arg(QString::fromLatin1(keyOf(field)))));
}

void TriggerDocument::setLabels(int trigger, const QStringList& labels)
{
    if (trigger < 0 || trigger >= triggerCount() || !json()[trigger].is_object() || this->labels(trigger) == labels)
        return;
    std::optional<ordered_json> value;
    if (!labels.isEmpty()) {
        value = ordered_json::array();
        for (const QString& label : labels)
            value->push_back(label.toStdString());
    } else if (!json()[trigger].contains("reply_option_labels")) {
        return;
    }
    undoStack()->push(new SetFieldCommand(
        this, triggerPointer(trigger), "reply_option_labels", std::move(value), tr("Edit reply_option_labels")));
}

void TriggerDocument::setCondition(int trigger, const ordered_json& when)
{
    if (trigger < 0 || trigger >= triggerCount() || !json()[trigger].is_object())
        return;
    const auto& object = json()[trigger];
    if (const auto it = object.find("when"); it != object.end() && *it == when)
        return;
    undoStack()->push(new SetFieldCommand(this, triggerPointer(trigger), "when", when, tr("Edit when")));
}

std::optional<QString> TriggerDocument::setText(const QString& text)
{
    const std::string utf8 = text.toStdString();
    ordered_json parsed = parseJsonText<ordered_json>(utf8);
    if (parsed.is_discarded()) {
        Diagnostics syntax;
        parseJsonDocument(utf8, m_file, syntax);
        return syntax.empty() ? tr("invalid JSON") : QString::fromStdString(syntax.front().message);
    }
    if (parsed != json())
        undoStack()->push(new ReplaceDocumentCommand(this, std::move(parsed), tr("Edit JSON")));
    return std::nullopt;
}

int TriggerDocument::addTrigger()
{
    if (!json().is_array())
        return -1;
    std::set<std::string> ids;
    for (int i = 0; i < triggerCount(); ++i)
        ids.insert(field(i, TriggerField::Id).toStdString());
    std::string id = "new-trigger";
    for (int n = 2; ids.contains(id); ++n)
        id = "new-trigger-" + std::to_string(n);
    ordered_json trigger = ordered_json::object();
    trigger["id"] = id;
    trigger["name"] = "New trigger";
    trigger["body"] = "Need a hand with this page?";
    trigger["reply_option_labels"] = ordered_json::array({ "Show me how", "No thanks" });
    trigger["when"] = { { "type", "user_page_dwell" }, { "threshold_s", 60 } };
    const int index = triggerCount();
    undoStack()->push(new InsertItemCommand(this, "", static_cast<std::size_t>(index), trigger, tr("Add trigger")));
    return index;
}

void TriggerDocument::removeTrigger(int trigger)
{
    if (trigger < 0 || trigger >= triggerCount())
        return;
    undoStack()->push(new RemoveItemCommand(this, "", static_cast<std::size_t>(trigger), tr("Remove trigger")));
}

int TriggerDocument::triggerOf(const Diagnostic& problem) const
{
    const std::string prefix = m_pointer + "/";
    if (!problem.path.starts_with(prefix))
        return -1;
    const std::string rest = problem.path.substr(prefix.size());
    const std::string index = rest.substr(0, rest.find('/'));
    if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos)
        return -1;
    return std::stoi(index);
}

void TriggerDocument::onContentChanged()
{
    validate();
}

void TriggerDocument::validate()
{
    m_problems.clear();
    if (!m_workspace)
        return;
    if (!json().is_array()) {
        m_problems.push_back({ m_file, m_pointer, "expected an array of triggers" });
        m_edited = nullptr;
        return;
    }
    auto triggers = parseTriggers(plainJson(), m_file, m_pointer, m_problems);
    if (!m_problems.empty()) {
        m_edited = nullptr;
        return;
    }
    Product product = *m_workspace->product(m_productId);
    product.triggers = std::move(triggers);
    product.triggersFile = m_file;
    product.triggersPointer = m_pointer;
    m_edited = std::make_shared<const Workspace>(m_workspace->withProduct(std::move(product)));
}

bool TriggerDocument::save(QString* error)
{
    const auto fail = [error](const QString& reason) {
        if (error)
            *error = reason;
        return false;
    };
    if (!m_workspace)
        return fail(tr("no triggers are open"));
    validate();
    if (!m_problems.empty())
        return fail(tr(
            "%n problem(s): not saved; %1 keeps its last valid content", nullptr, static_cast<int>(m_problems.size()))
                        .arg(displayName()));
    const QString path = filePath();
    ordered_json document = json();
    if (!m_pointer.empty()) {
        // Inline triggers: the rest of the file (other products, settings) is
        // read again now and kept as it is on disk.
        const auto text = readTextFile(path.toStdString());
        if (!text)
            return fail(QString::fromStdString(text.error().toString()));
        document = parseJsonText<ordered_json>(*text);
        const auto location = ordered_json::json_pointer(m_pointer);
        if (document.is_discarded() || !document.contains(location))
            return fail(tr("%1 changed on disk and no longer has \"%2\"; not saved")
                            .arg(QString::fromStdString(m_file), QString::fromStdString(m_pointer)));
        document[location] = json();
    }
    if (!writeFile(path, document, error))
        return false;
    m_saved = m_edited;
    return true;
}

} // namespace proactive::ui
