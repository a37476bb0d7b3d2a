#include "toureditor.h"

#include "elementpicker.h"
#include "tourdocument.h"
#include "tourrunner.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSplitter>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

namespace proactive::ui {

namespace {

    const QStringList kPlacements { u"top"_qs, u"bottom"_qs, u"left"_qs, u"right"_qs };

    // Sets an editor's text only when it differs, so the cursor of the field
    // being typed in does not jump.
    void setText(QLineEdit* edit, const QString& text)
    {
        if (edit->text() != text)
            edit->setText(text);
    }

    void setText(QPlainTextEdit* edit, const QString& text)
    {
        if (edit->toPlainText() != text)
            edit->setPlainText(text);
    }

    // `button "Add Project"` → `Add Project`: a first title the author edits.
    QString titleFrom(const QString& description)
    {
        const QRegularExpressionMatch quoted = QRegularExpression(uR"re("(.+)")re"_qs).match(description);
        return quoted.hasMatch() ? quoted.captured(1) : description;
    }

    QWidget* row(std::initializer_list<QWidget*> widgets)
    {
        auto* widget = new QWidget;
        auto* layout = new QHBoxLayout(widget);
        layout->setContentsMargins(0, 0, 0, 0);
        for (QWidget* w : widgets)
            layout->addWidget(w);
        layout->addStretch();
        return widget;
    }

} // namespace

TourEditor::TourEditor(QWidget* parent)
    : QWidget(parent)
    , m_document(new TourDocument(this))
{
    buildUi();
    connect(m_document, &TourDocument::changed, this, &TourEditor::refresh);
    refresh();
}

void TourEditor::buildUi()
{
    m_files = new QComboBox;
    m_files->setObjectName(u"tourFiles"_qs);
    m_files->setToolTip(tr("Tour file of the workspace"));
    m_undo = new QToolButton;
    m_undo->setText(tr("Undo"));
    m_redo = new QToolButton;
    m_redo->setText(tr("Redo"));
    m_save = new QPushButton(tr("Save"));
    m_save->setObjectName(u"saveTours"_qs);

    m_tours = new QListWidget;
    m_tours->setObjectName(u"tours"_qs);
    m_addTour = new QPushButton(tr("Add tour"));
    m_removeTour = new QPushButton(tr("Remove"));
    auto* toursBox = new QGroupBox(tr("Tours"));
    auto* toursLayout = new QVBoxLayout(toursBox);
    toursLayout->addWidget(m_tours);
    toursLayout->addWidget(row({ m_addTour, m_removeTour }));

    m_steps = new QListWidget;
    m_steps->setObjectName(u"steps"_qs);
    m_addStep = new QPushButton(tr("Add step"));
    m_pick = new QPushButton(tr("Pick element"));
    m_pick->setObjectName(u"pickElement"_qs);
    m_pick->setToolTip(tr("Click an element in the product page to add a step that highlights it"));
    m_removeStep = new QPushButton(tr("Remove"));
    m_stepUp = new QToolButton;
    m_stepUp->setArrowType(Qt::UpArrow);
    m_stepUp->setToolTip(tr("Move the step up"));
    m_stepDown = new QToolButton;
    m_stepDown->setArrowType(Qt::DownArrow);
    m_stepDown->setToolTip(tr("Move the step down"));
    m_preview = new QPushButton(tr("Preview"));
    m_preview->setObjectName(u"previewStep"_qs);
    m_preview->setToolTip(tr("Show this step in the product page, where it is now"));
    auto* stepsBox = new QGroupBox(tr("Steps"));
    auto* stepsLayout = new QVBoxLayout(stepsBox);
    stepsLayout->addWidget(m_steps);
    stepsLayout->addWidget(row({ m_addStep, m_pick, m_removeStep, m_stepUp, m_stepDown }));
    stepsLayout->addWidget(row({ m_preview }));

    m_tourId = new QLineEdit;
    m_tourId->setObjectName(u"tourId"_qs);
    m_tourName = new QLineEdit;
    m_tourRoute = new QLineEdit;
    m_tourRoute->setObjectName(u"tourRoute"_qs);
    m_tourRoute->setPlaceholderText(u"/projects/:slug/settings"_qs);
    m_tourDescription = new QPlainTextEdit;
    m_tourDescription->setPlaceholderText(tr("Use when ... NOT for ... (the LLM chooses tours by this)"));
    m_tourDescription->setTabChangesFocus(true);
    auto* tourBox = new QGroupBox(tr("Tour"));
    auto* tourForm = new QFormLayout(tourBox);
    tourForm->addRow(tr("Id"), m_tourId);
    tourForm->addRow(tr("Name"), m_tourName);
    tourForm->addRow(tr("Route"), m_tourRoute);
    tourForm->addRow(tr("Description"), m_tourDescription);

    m_stepTarget = new QLineEdit;
    m_stepTarget->setObjectName(u"stepTarget"_qs);
    m_stepTarget->setPlaceholderText(u"[data-tour-id=\"...\"]"_qs);
    m_stepTitle = new QLineEdit;
    m_stepTitle->setObjectName(u"stepTitle"_qs);
    m_stepContent = new QPlainTextEdit;
    m_stepContent->setObjectName(u"stepContent"_qs);
    m_stepContent->setTabChangesFocus(true);
    m_stepPlacement = new QComboBox;
    m_stepPlacement->addItems(kPlacements);
    auto* stepBox = new QGroupBox(tr("Step"));
    auto* stepForm = new QFormLayout(stepBox);
    stepForm->addRow(tr("Target"), m_stepTarget);
    stepForm->addRow(tr("Title"), m_stepTitle);
    stepForm->addRow(tr("Content"), m_stepContent);
    stepForm->addRow(tr("Placement"), m_stepPlacement);

    auto* forms = new QWidget;
    auto* formsLayout = new QVBoxLayout(forms);
    formsLayout->setContentsMargins(0, 0, 0, 0);
    formsLayout->addWidget(tourBox);
    formsLayout->addWidget(stepBox);

    auto* splitter = new QSplitter;
    splitter->addWidget(toursBox);
    splitter->addWidget(stepsBox);
    splitter->addWidget(forms);
    splitter->setStretchFactor(2, 1);

    m_problems = new QListWidget;
    m_problems->setObjectName(u"tourProblems"_qs);
    m_problems->setMaximumHeight(110);
    m_status = new QLabel;
    m_status->setObjectName(u"tourStatus"_qs);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(row({ m_files, m_undo, m_redo, m_save }));
    layout->addWidget(splitter, 1);
    layout->addWidget(m_problems);
    layout->addWidget(m_status);

    QUndoStack* stack = m_document->undoStack();
    connect(m_undo, &QToolButton::clicked, stack, &QUndoStack::undo);
    connect(m_redo, &QToolButton::clicked, stack, &QUndoStack::redo);
    connect(stack, &QUndoStack::canUndoChanged, m_undo, &QWidget::setEnabled);
    connect(stack, &QUndoStack::canRedoChanged, m_redo, &QWidget::setEnabled);
    connect(stack, &QUndoStack::cleanChanged, this, [this] { m_save->setEnabled(m_document->isModified()); });
    connect(m_save, &QPushButton::clicked, this, &TourEditor::save);
    connect(m_files, &QComboBox::activated, this,
        [this](int index) { openFile(QDir(m_folder).filePath(m_files->itemText(index))); });

    connect(m_tours, &QListWidget::currentRowChanged, this, [this] {
        if (m_updating)
            return;
        refreshSteps();
        refreshForms();
    });
    connect(m_steps, &QListWidget::currentRowChanged, this, [this] {
        if (!m_updating)
            refreshForms();
    });
    connect(m_addTour, &QPushButton::clicked, this, [this] { selectTour(m_document->addTour()); });
    connect(m_removeTour, &QPushButton::clicked, this, [this] { m_document->removeTour(currentTour()); });
    connect(m_addStep, &QPushButton::clicked, this, [this] {
        const int at = currentStep() + 1;
        m_document->insertStep(currentTour(), at, {});
        selectStep(at);
        m_stepTarget->setFocus();
    });
    connect(
        m_removeStep, &QPushButton::clicked, this, [this] { m_document->removeStep(currentTour(), currentStep()); });
    connect(m_stepUp, &QToolButton::clicked, this, [this] {
        const int step = currentStep();
        m_document->moveStep(currentTour(), step, step - 1);
        selectStep(step - 1);
    });
    connect(m_stepDown, &QToolButton::clicked, this, [this] {
        const int step = currentStep();
        m_document->moveStep(currentTour(), step, step + 1);
        selectStep(step + 1);
    });
    connect(m_pick, &QPushButton::clicked, this, &TourEditor::pickElement);
    connect(m_preview, &QPushButton::clicked, this, &TourEditor::previewStep);
    connect(m_problems, &QListWidget::itemActivated, this,
        [this](QListWidgetItem* item) { onProblemActivated(m_problems->row(item)); });

    const auto tourField = [this](QLineEdit* edit, TourField field) {
        connect(edit, &QLineEdit::textEdited, this,
            [this, field](const QString& text) { m_document->setTourText(currentTour(), field, text); });
    };
    tourField(m_tourId, TourField::Id);
    tourField(m_tourName, TourField::Name);
    tourField(m_tourRoute, TourField::Route);
    connect(m_tourDescription, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_updating)
            m_document->setTourText(currentTour(), TourField::Description, m_tourDescription->toPlainText());
    });
    const auto stepField = [this](QLineEdit* edit, StepField field) {
        connect(edit, &QLineEdit::textEdited, this,
            [this, field](const QString& text) { m_document->setStepText(currentTour(), currentStep(), field, text); });
    };
    stepField(m_stepTarget, StepField::Target);
    stepField(m_stepTitle, StepField::Title);
    connect(m_stepContent, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_updating)
            m_document->setStepText(currentTour(), currentStep(), StepField::Content, m_stepContent->toPlainText());
    });
    connect(m_stepPlacement, &QComboBox::activated, this, [this](int index) {
        m_document->setStepText(currentTour(), currentStep(), StepField::Placement, kPlacements.value(index));
    });
}

void TourEditor::openFolder(const QString& toursDir)
{
    m_folder = toursDir;
    QStringList files = QDir(toursDir).entryList({ u"*.json"_qs }, QDir::Files, QDir::Name);
    files.erase(
        std::remove_if(files.begin(), files.end(), [](const QString& f) { return f.startsWith(u'.'); }), files.end());
    if (files.isEmpty())
        files.append(u"tours.json"_qs);
    m_files->clear();
    m_files->addItems(files);
    openFile(QDir(toursDir).filePath(files.first()));
}

bool TourEditor::openFile(const QString& path)
{
    if (m_folder.isEmpty())
        m_folder = QFileInfo(path).path();
    QString error;
    if (!m_document->load(path, &error)) {
        setStatus(error, true);
        return false;
    }
    const int index = m_files->findText(QFileInfo(path).fileName());
    if (index >= 0)
        m_files->setCurrentIndex(index);
    selectTour(0);
    setStatus(tr("Opened %1").arg(m_document->displayName()));
    return true;
}

void TourEditor::setPicker(ElementPicker* picker)
{
    if (m_picker)
        disconnect(m_picker, nullptr, this, nullptr);
    m_picker = picker;
    if (picker) {
        connect(picker, &ElementPicker::picked, this, &TourEditor::onPicked);
        connect(picker, &ElementPicker::cancelled, this, [this] { setStatus(tr("Picking cancelled")); });
        connect(picker, &ElementPicker::activeChanged, this,
            [this](bool active) { m_pick->setText(active ? tr("Picking… (Esc)") : tr("Pick element")); });
    }
    refreshForms();
}

void TourEditor::setRunner(TourRunner* runner)
{
    if (m_runner)
        disconnect(m_runner, nullptr, this, nullptr);
    m_runner = runner;
    if (runner)
        connect(runner, &TourRunner::previewFailed, this,
            [this](const QString&, const QString&, const QString& reason) { setStatus(reason, true); });
    refreshForms();
}

int TourEditor::currentTour() const
{
    return m_tours->currentRow();
}

int TourEditor::currentStep() const
{
    return m_steps->currentRow();
}

void TourEditor::selectTour(int index)
{
    m_tours->setCurrentRow(std::min(index, m_tours->count() - 1));
    refreshSteps();
    refreshForms();
}

void TourEditor::selectStep(int index)
{
    m_steps->setCurrentRow(std::min(index, m_steps->count() - 1));
    refreshForms();
}

QString TourEditor::statusText() const
{
    return m_status->text();
}

QStringList TourEditor::problemTexts() const
{
    QStringList texts;
    for (int i = 0; i < m_problems->count(); ++i)
        if (m_problems->item(i)->data(Qt::UserRole).toBool())
            texts.append(m_problems->item(i)->text());
    return texts;
}

bool TourEditor::save()
{
    Diagnostics problems;
    QString error;
    if (!m_document->save(&problems, &error)) {
        refreshProblems();
        setStatus(problems.empty() ? error
                                   : tr("Not saved: %n problem(s) listed above; the file keeps its last saved content.",
                                       nullptr, static_cast<int>(problems.size())),
            true);
        return false;
    }
    if (m_files->findText(QFileInfo(m_document->path()).fileName()) < 0)
        m_files->addItem(QFileInfo(m_document->path()).fileName());
    setStatus(tr("Saved %1").arg(m_document->displayName()));
    Q_EMIT saved(m_document->path());
    return true;
}

void TourEditor::pickElement()
{
    if (!m_picker || currentTour() < 0)
        return;
    if (m_picker->isActive()) {
        m_picker->cancel();
        return;
    }
    setStatus(tr("Click the element in the product page (Esc cancels; ArrowUp picks its parent)."));
    m_picker->start();
}

void TourEditor::previewStep()
{
    if (!m_runner || currentTour() < 0 || currentStep() < 0)
        return;
    setStatus(tr("Previewing step %1 in the page").arg(currentStep() + 1));
    m_runner->preview(m_document->tour(currentTour()), currentStep());
}

void TourEditor::onPicked(const QString& selector, const QString& description, int matches)
{
    const int tour = currentTour();
    if (tour < 0)
        return;
    const int at = currentStep() + 1;
    TourStep step;
    step.target = selector.toStdString();
    step.title = titleFrom(description).toStdString();
    m_document->insertStep(tour, at, step);
    selectStep(at);
    m_stepContent->setFocus();
    setStatus(matches == 1
            ? tr("Added a step for %1 (%2). Write what the user should do there.").arg(description, selector)
            : tr("Added a step for %1, but %2 matches %3 elements on this page: make the target unique.")
                  .arg(description, selector)
                  .arg(matches),
        matches != 1);
}

void TourEditor::onProblemActivated(int row)
{
    // "tours/demo.json:/2/steps/1/title: ..." → tour 2, step 1.
    const QRegularExpressionMatch match
        = QRegularExpression(uR"(:/(\d+)(?:/steps/(\d+))?)"_qs).match(m_problems->item(row)->text());
    if (!match.hasMatch())
        return;
    selectTour(match.captured(1).toInt());
    if (match.capturedLength(2))
        selectStep(match.captured(2).toInt());
}

void TourEditor::refresh()
{
    m_updating = true;
    const int tour = currentTour();
    m_tours->clear();
    for (int i = 0; i < m_document->tourCount(); ++i) {
        const QString id = m_document->tourText(i, TourField::Id);
        const QString name = m_document->tourText(i, TourField::Name);
        m_tours->addItem(name.isEmpty() ? id : u"%1 — %2"_qs.arg(id, name));
    }
    m_tours->setCurrentRow(std::clamp(tour, m_tours->count() ? 0 : -1, m_tours->count() - 1));
    m_updating = false;
    refreshSteps();
    refreshForms();
    refreshProblems();
    m_save->setEnabled(m_document->isModified());
    m_undo->setEnabled(m_document->undoStack()->canUndo());
    m_redo->setEnabled(m_document->undoStack()->canRedo());
}

void TourEditor::refreshSteps()
{
    m_updating = true;
    const int tour = currentTour();
    const int step = currentStep();
    m_steps->clear();
    for (int i = 0; i < m_document->stepCount(tour); ++i) {
        const QString title = m_document->stepText(tour, i, StepField::Title);
        const QString target = m_document->stepText(tour, i, StepField::Target);
        m_steps->addItem(u"%1. %2\n    %3"_qs.arg(i + 1).arg(title.isEmpty() ? tr("(no title)") : title, target));
    }
    m_steps->setCurrentRow(std::clamp(step, m_steps->count() ? 0 : -1, m_steps->count() - 1));
    m_updating = false;
}

void TourEditor::refreshForms()
{
    m_updating = true;
    const int tour = currentTour();
    const int step = currentStep();
    const bool hasTour = tour >= 0;
    const bool hasStep = hasTour && step >= 0;
    for (QWidget* w : { static_cast<QWidget*>(m_tourId), static_cast<QWidget*>(m_tourName),
             static_cast<QWidget*>(m_tourRoute), static_cast<QWidget*>(m_tourDescription),
             static_cast<QWidget*>(m_removeTour), static_cast<QWidget*>(m_addStep) })
        w->setEnabled(hasTour);
    for (QWidget* w :
        { static_cast<QWidget*>(m_stepTarget), static_cast<QWidget*>(m_stepTitle), static_cast<QWidget*>(m_stepContent),
            static_cast<QWidget*>(m_stepPlacement), static_cast<QWidget*>(m_removeStep) })
        w->setEnabled(hasStep);
    m_stepUp->setEnabled(hasStep && step > 0);
    m_stepDown->setEnabled(hasStep && step + 1 < m_document->stepCount(tour));
    m_pick->setEnabled(hasTour && m_picker);
    m_preview->setEnabled(hasStep && m_runner);

    setText(m_tourId, m_document->tourText(tour, TourField::Id));
    setText(m_tourName, m_document->tourText(tour, TourField::Name));
    setText(m_tourRoute, m_document->tourText(tour, TourField::Route));
    setText(m_tourDescription, m_document->tourText(tour, TourField::Description));
    setText(m_stepTarget, m_document->stepText(tour, step, StepField::Target));
    setText(m_stepTitle, m_document->stepText(tour, step, StepField::Title));
    setText(m_stepContent, m_document->stepText(tour, step, StepField::Content));
    const QString placement = m_document->stepText(tour, step, StepField::Placement);
    m_stepPlacement->setCurrentIndex(
        placement.isEmpty() ? kPlacements.indexOf(u"bottom"_qs) : kPlacements.indexOf(placement));
    m_updating = false;
}

void TourEditor::refreshProblems()
{
    m_problems->clear();
    for (const Diagnostic& d : m_document->problems()) {
        auto* item = new QListWidgetItem(QString::fromStdString(d.toString()));
        item->setForeground(QColor(0xb9, 0x1c, 0x1c));
        item->setData(Qt::UserRole, true);
        m_problems->addItem(item);
    }
    if (m_problems->count() == 0)
        m_problems->addItem(tr("No problems: the file is valid."));
}

void TourEditor::setStatus(const QString& text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? u"color: #b91c1c;"_qs : QString());
}

} // namespace proactive::ui
