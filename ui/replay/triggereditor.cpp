#include "triggereditor.h"

#include "base/jsonreader.h"
#include "base/text.h"
#include "livemetrics.h"
#include "triggerdocument.h"
#include "workspace/workspace.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>
#include <nlohmann/json.hpp>

namespace proactive::ui {

namespace {

    const QString kLabelSeparator = u" | "_qs;

    QDoubleSpinBox* secondsBox(const QString& name, double defaultSeconds, QWidget* parent)
    {
        auto* box = new QDoubleSpinBox(parent);
        box->setObjectName(name);
        // The minimum stands for "absent": the trigger's default applies.
        box->setRange(-1, 7 * 86400);
        box->setDecimals(1);
        box->setSuffix(u" s"_qs);
        box->setSpecialValueText(QObject::tr("default (%1 s)").arg(defaultSeconds));
        return box;
    }

    QPlainTextEdit* textBox(const QString& name, int lines, bool monospace, QWidget* parent)
    {
        auto* box = new QPlainTextEdit(parent);
        box->setObjectName(name);
        box->setTabChangesFocus(!monospace);
        if (monospace) {
            QFont font(u"monospace"_qs);
            font.setStyleHint(QFont::Monospace);
            box->setFont(font);
            box->setLineWrapMode(QPlainTextEdit::NoWrap);
        }
        box->setMinimumHeight(box->fontMetrics().lineSpacing() * lines + 12);
        return box;
    }

    void setTextIfDifferent(QLineEdit* edit, const QString& text)
    {
        if (edit->text() != text)
            edit->setText(text);
    }

    void setTextIfDifferent(QPlainTextEdit* edit, const QString& text)
    {
        if (edit->toPlainText() != text)
            edit->setPlainText(text);
    }

    // The text shows the same JSON value as `json`, however it is formatted:
    // then it is left alone (the author's cursor and layout stay).
    bool sameJson(const QString& text, const nlohmann::ordered_json& json)
    {
        const auto parsed = parseJsonText<nlohmann::ordered_json>(text.toStdString());
        return !parsed.is_discarded() && parsed == json;
    }

    // The labels typed in the field, between '|', trimmed as the trigger
    // parser trims them (Unicode whitespace; QString::trimmed misses some);
    // blank ones left out.
    QStringList labelsOf(const QString& text)
    {
        QStringList labels;
        for (const QString& label : text.split(u'|')) {
            const std::string utf8 = label.toStdString();
            const std::string_view kept = trimmed(utf8);
            if (!kept.empty())
                labels << QString::fromUtf8(kept.data(), static_cast<qsizetype>(kept.size()));
        }
        return labels;
    }

} // namespace

TriggerEditor::TriggerEditor(QWidget* parent)
    : QWidget(parent)
    , m_document(new TriggerDocument(this))
{
    buildUi();
    connect(m_document, &TriggerDocument::changed, this, &TriggerEditor::onDocumentChanged);
    connect(m_document, &TriggerDocument::edited, this, [this] {
        // Undoing back to the file's triggers applies them again too.
        if (const auto workspace = m_document->editedWorkspace()) {
            m_applied = workspace;
            Q_EMIT workspaceEdited(workspace);
        }
    });
    onDocumentChanged();
}

void TriggerEditor::buildUi()
{
    m_title = new QLabel(this);
    m_title->setObjectName(u"triggerFile"_qs);
    m_undo = new QToolButton(this);
    m_undo->setObjectName(u"undoTriggers"_qs);
    m_redo = new QToolButton(this);
    m_redo->setObjectName(u"redoTriggers"_qs);
    QAction* undo = m_document->undoStack()->createUndoAction(this, tr("Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    QAction* redo = m_document->undoStack()->createRedoAction(this, tr("Redo"));
    redo->setShortcut(QKeySequence::Redo);
    redo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(undo);
    addAction(redo);
    m_undo->setDefaultAction(undo);
    m_redo->setDefaultAction(redo);
    m_save = new QPushButton(tr("Save"), this);
    m_save->setObjectName(u"saveTriggers"_qs);
    m_save->setToolTip(tr("Write the triggers back to their file (only when they validate)"));
    m_diff = new QPushButton(tr("Diff with saved"), this);
    m_diff->setObjectName(u"diffTriggers"_qs);
    m_diff->setToolTip(tr("Replay every imported session of the product with the saved triggers and with these, "
                          "and list the firings that change (the Diff tab)"));

    m_list = new QListWidget(this);
    m_list->setObjectName(u"triggerList"_qs);
    m_add = new QPushButton(tr("Add"), this);
    m_add->setObjectName(u"addTrigger"_qs);
    m_remove = new QPushButton(tr("Remove"), this);
    m_remove->setObjectName(u"removeTrigger"_qs);
    m_id = new QLineEdit(this);
    m_id->setObjectName(u"id"_qs);
    m_name = new QLineEdit(this);
    m_name->setObjectName(u"name"_qs);
    m_description = textBox(u"description"_qs, 2, false, this);
    m_body = textBox(u"body"_qs, 2, false, this);
    m_labels = new QLineEdit(this);
    m_labels->setObjectName(u"labels"_qs);
    m_labels->setPlaceholderText(tr("Show me how | No thanks"));
    m_labels->setToolTip(tr("Reply option labels, at most 4, separated by \"|\""));
    m_timeout = secondsBox(u"interaction_timeout_s"_qs, 10, this);
    m_timeout->setToolTip(tr("How long the offer waits for an answer before it expires"));
    m_cooldown = secondsBox(u"cooldown_s"_qs, 30, this);
    m_cooldown->setToolTip(tr("How long the trigger stays quiet after it fired"));
    m_tourId = new QLineEdit(this);
    m_tourId->setObjectName(u"tour_id"_qs);
    m_tourId->setPlaceholderText(tr("none: accepting opens the chat"));
    m_when = textBox(u"when"_qs, 6, true, this);
    m_when->setToolTip(tr("The condition as JSON (docs/triggers.md)"));

    auto* listButtons = new QHBoxLayout;
    listButtons->addWidget(m_add);
    listButtons->addWidget(m_remove);
    auto* listBox = new QWidget(this);
    auto* listLayout = new QVBoxLayout(listBox);
    listLayout->setContentsMargins(0, 0, 0, 0);
    listLayout->addWidget(m_list);
    listLayout->addLayout(listButtons);
    auto* formBox = new QWidget(this);
    auto* form = new QFormLayout(formBox);
    form->setContentsMargins(6, 0, 0, 0);
    form->addRow(tr("Id"), m_id);
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Description"), m_description);
    form->addRow(tr("Body"), m_body);
    form->addRow(tr("Reply labels"), m_labels);
    auto* times = new QHBoxLayout;
    times->addWidget(new QLabel(tr("Interaction timeout"), this));
    times->addWidget(m_timeout);
    times->addSpacing(12);
    times->addWidget(new QLabel(tr("Cooldown"), this));
    times->addWidget(m_cooldown);
    times->addStretch(1);
    form->addRow(tr("Timing"), times);
    form->addRow(tr("Tour id"), m_tourId);
    form->addRow(tr("Condition"), m_when);
    auto* formSplitter = new QSplitter(Qt::Horizontal, this);
    formSplitter->addWidget(listBox);
    formSplitter->addWidget(formBox);
    formSplitter->setStretchFactor(0, 1);
    formSplitter->setStretchFactor(1, 3);

    m_json = textBox(u"triggersJson"_qs, 10, true, this);
    m_views = new QTabWidget(this);
    m_views->setObjectName(u"triggerViews"_qs);
    m_views->addTab(formSplitter, tr("Form"));
    m_views->addTab(m_json, tr("JSON"));

    m_problems = new QListWidget(this);
    m_problems->setObjectName(u"triggerProblems"_qs);
    m_problems->setMaximumHeight(110);
    m_status = new QLabel(this);
    m_status->setObjectName(u"triggerStatus"_qs);
    m_status->setWordWrap(true);

    auto* top = new QHBoxLayout;
    top->addWidget(m_title, 1);
    top->addWidget(m_undo);
    top->addWidget(m_redo);
    top->addWidget(m_diff);
    top->addWidget(m_save);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_views, 1);
    layout->addWidget(m_problems);
    layout->addWidget(m_status);

    connect(m_save, &QPushButton::clicked, this, &TriggerEditor::save);
    connect(m_diff, &QPushButton::clicked, this, &TriggerEditor::diffRequested);
    connect(m_add, &QPushButton::clicked, this, [this] {
        const int index = m_document->addTrigger();
        if (index >= 0)
            selectTrigger(index);
    });
    connect(m_remove, &QPushButton::clicked, this, [this] { m_document->removeTrigger(currentTrigger()); });
    connect(m_list, &QListWidget::currentRowChanged, this, [this] {
        if (!m_updating)
            refreshForm();
    });
    const auto onText = [this](QLineEdit* edit, TriggerField field) {
        connect(edit, &QLineEdit::textEdited, this,
            [this, field](const QString& text) { m_document->setField(currentTrigger(), field, text); });
    };
    onText(m_id, TriggerField::Id);
    onText(m_name, TriggerField::Name);
    onText(m_tourId, TriggerField::TourId);
    const auto onPlain = [this](QPlainTextEdit* edit, TriggerField field) {
        connect(edit, &QPlainTextEdit::textChanged, this, [this, edit, field] {
            if (!m_updating)
                m_document->setField(currentTrigger(), field, edit->toPlainText());
        });
    };
    onPlain(m_description, TriggerField::Description);
    onPlain(m_body, TriggerField::Body);
    connect(m_labels, &QLineEdit::textEdited, this,
        [this](const QString& text) { m_document->setLabels(currentTrigger(), labelsOf(text)); });
    const auto onSeconds = [this](QDoubleSpinBox* box, TriggerSeconds field) {
        connect(box, &QDoubleSpinBox::valueChanged, this, [this, field](double value) {
            if (!m_updating)
                m_document->setSeconds(currentTrigger(), field, value < 0 ? std::nullopt : std::optional(value));
        });
    };
    onSeconds(m_timeout, TriggerSeconds::InteractionTimeout);
    onSeconds(m_cooldown, TriggerSeconds::Cooldown);
    connect(m_when, &QPlainTextEdit::textChanged, this, [this] {
        if (m_updating)
            return;
        const std::string text = m_when->toPlainText().toStdString();
        const auto when = parseJsonText<nlohmann::ordered_json>(text);
        if (when.is_discarded()) {
            Diagnostics syntax;
            parseJsonDocument(text, "when", syntax);
            m_conditionError
                = tr("Condition: %1")
                      .arg(syntax.empty() ? tr("invalid JSON") : QString::fromStdString(syntax.front().message));
            refreshProblems();
            return;
        }
        m_conditionError.clear();
        m_document->setCondition(currentTrigger(), when);
        refreshProblems();
    });
    connect(m_json, &QPlainTextEdit::textChanged, this, [this] {
        if (m_updating)
            return;
        m_typingJson = true;
        const auto syntax = m_document->setText(m_json->toPlainText());
        m_typingJson = false;
        m_jsonError = syntax ? tr("JSON: %1").arg(*syntax) : QString();
        refreshProblems();
    });
    connect(m_problems, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        const int trigger = item->data(Qt::UserRole).toInt();
        if (trigger >= 0)
            selectTrigger(trigger);
    });
}

bool TriggerEditor::openProduct(std::shared_ptr<const Workspace> workspace, const std::string& productId)
{
    if (m_document->isOpen() && m_document->isModified()) {
        // The studio hands back the workspace these edits made: nothing to reopen.
        if (m_document->productId() == productId && workspace == m_applied)
            return true;
        const auto answer = QMessageBox::question(this, tr("Unsaved triggers"),
            tr("The triggers of %1 have unsaved edits. Save them?")
                .arg(QString::fromStdString(m_document->productId())),
            QMessageBox::Save | QMessageBox::Discard, QMessageBox::Save);
        QString error;
        if (answer != QMessageBox::Save || !m_document->save(&error)) {
            if (!error.isEmpty())
                QMessageBox::warning(this, tr("Triggers not saved"), error);
            // Back to the triggers as the file has them, in the studio too; a
            // workspace opened afresh never had these edits.
            const Product* opened = m_document->savedWorkspace()->product(m_document->productId());
            if (opened && workspace && workspace == m_applied) {
                workspace = std::make_shared<const Workspace>(workspace->withProduct(*opened));
                Q_EMIT workspaceEdited(workspace);
            }
        }
    }
    QString error;
    const bool opened = m_document->open(std::move(workspace), productId, &error);
    if (!opened)
        setStatus(error, true);
    return opened;
}

void TriggerEditor::setLiveMetrics(LiveMetricsPanel* metrics)
{
    m_metrics = metrics;
    // Under the form, across the width (the per-trigger table reads across eight columns), above the problems.
    auto* box = static_cast<QVBoxLayout*>(layout());
    box->insertWidget(box->indexOf(m_views) + 1, metrics);
    measure();
}

void TriggerEditor::measure()
{
    // While there are problems the last valid triggers stay measured, as they stay applied.
    if (m_metrics && m_document->editedWorkspace())
        m_metrics->setWorkspace(m_document->editedWorkspace(), m_document->productId());
}

int TriggerEditor::currentTrigger() const
{
    return m_list->currentRow();
}

void TriggerEditor::selectTrigger(int index)
{
    m_list->setCurrentRow(index);
    m_views->setCurrentIndex(0);
}

QWidget* TriggerEditor::field(const QString& name) const
{
    return findChild<QWidget*>(name);
}

QStringList TriggerEditor::problemTexts() const
{
    QStringList texts;
    for (int i = 0; i < m_problems->count(); ++i)
        texts << m_problems->item(i)->text();
    return texts;
}

QString TriggerEditor::statusText() const
{
    return m_status->text();
}

bool TriggerEditor::save()
{
    QString error;
    if (!m_document->save(&error)) {
        setStatus(error, true);
        return false;
    }
    setStatus(tr("Saved %1").arg(m_document->displayName()));
    Q_EMIT saved(m_document->filePath());
    return true;
}

void TriggerEditor::onDocumentChanged()
{
    m_updating = true;
    refreshList();
    m_updating = false;
    refreshForm();
    refreshJson();
    refreshProblems();
    measure();
    const bool open = m_document->isOpen();
    m_title->setText(open ? tr("<b>%1</b> triggers · %2")
                                .arg(QString::fromStdString(m_document->productId()).toHtmlEscaped(),
                                    m_document->displayName().toHtmlEscaped())
                          : tr("No product"));
    m_save->setEnabled(open);
    m_diff->setEnabled(open);
    m_add->setEnabled(open && m_document->json().is_array());
    if (!open)
        return;
    if (!m_document->problems().empty()) {
        setStatus(tr("Not applied: %n problem(s). The replay and the simulation keep the last valid triggers.", nullptr,
                      static_cast<int>(m_document->problems().size())),
            true);
        return;
    }
    if (!m_document->isModified()) {
        setStatus(tr("The replay and the simulation use these triggers"));
        return;
    }
    setStatus(tr("Applied to the replay and the simulation; not saved yet"));
}

void TriggerEditor::refreshList()
{
    const int current = std::max(0, m_list->currentRow());
    m_list->clear();
    for (int i = 0; i < m_document->triggerCount(); ++i) {
        const QString id = m_document->field(i, TriggerField::Id);
        auto* item = new QListWidgetItem(id.isEmpty() ? tr("(no id)") : id, m_list);
        item->setToolTip(m_document->field(i, TriggerField::Name));
    }
    if (m_list->count() > 0)
        m_list->setCurrentRow(std::min(current, m_list->count() - 1));
}

void TriggerEditor::refreshForm()
{
    const int trigger = currentTrigger();
    const bool has = trigger >= 0;
    for (QWidget* widget : { static_cast<QWidget*>(m_id), static_cast<QWidget*>(m_name),
             static_cast<QWidget*>(m_description), static_cast<QWidget*>(m_body), static_cast<QWidget*>(m_labels),
             static_cast<QWidget*>(m_timeout), static_cast<QWidget*>(m_cooldown), static_cast<QWidget*>(m_tourId),
             static_cast<QWidget*>(m_when), static_cast<QWidget*>(m_remove) })
        widget->setEnabled(has);
    m_updating = true;
    setTextIfDifferent(m_id, m_document->field(trigger, TriggerField::Id));
    setTextIfDifferent(m_name, m_document->field(trigger, TriggerField::Name));
    setTextIfDifferent(m_description, m_document->field(trigger, TriggerField::Description));
    setTextIfDifferent(m_body, m_document->field(trigger, TriggerField::Body));
    const QStringList labels = m_document->labels(trigger);
    if (labelsOf(m_labels->text()) != labels)
        m_labels->setText(labels.join(kLabelSeparator));
    m_timeout->setValue(m_document->seconds(trigger, TriggerSeconds::InteractionTimeout).value_or(-1));
    m_cooldown->setValue(m_document->seconds(trigger, TriggerSeconds::Cooldown).value_or(-1));
    setTextIfDifferent(m_tourId, m_document->field(trigger, TriggerField::TourId));
    const auto& json = m_document->json();
    const bool hasWhen = has && json.is_array() && json[trigger].is_object() && json[trigger].contains("when");
    if (!hasWhen || !sameJson(m_when->toPlainText(), json[trigger]["when"])) {
        setTextIfDifferent(m_when, m_document->condition(trigger));
        m_conditionError.clear();
    }
    m_updating = false;
}

void TriggerEditor::refreshJson()
{
    // The author's own typing is not reformatted under the cursor.
    if (m_typingJson || sameJson(m_json->toPlainText(), m_document->json()))
        return;
    m_updating = true;
    m_json->setPlainText(m_document->text());
    m_updating = false;
    m_jsonError.clear();
}

void TriggerEditor::refreshProblems()
{
    m_problems->clear();
    const auto add = [this](const QString& text, int trigger) {
        auto* item = new QListWidgetItem(text, m_problems);
        item->setData(Qt::UserRole, trigger);
        item->setForeground(QColor(0xb9, 0x1c, 0x1c));
    };
    if (!m_jsonError.isEmpty())
        add(m_jsonError, -1);
    if (!m_conditionError.isEmpty())
        add(m_conditionError, currentTrigger());
    for (const Diagnostic& problem : m_document->problems())
        add(QString::fromStdString(problem.toString()), m_document->triggerOf(problem));
    m_problems->setVisible(m_problems->count() > 0);
}

void TriggerEditor::setStatus(const QString& text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? u"color: #b91c1c"_qs : QString());
}

} // namespace proactive::ui
