#pragma once

#include <QPointer>
#include <QString>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QToolButton;

namespace proactive::ui {

class ElementPicker;
class TourDocument;
class TourRunner;

// The tour editor (for the studio's dock): a workspace's tour files, their
// tours and steps, every field editable, steps reordered, added from the
// element picker, previewed in the page, and saved back to the file. Each
// edit is an undo command on the TourDocument; problems are listed live
// and a file with problems is not saved (nothing is lost: the edits stay
// and the file on disk keeps its last valid content).
class TourEditor final : public QWidget {
    Q_OBJECT

public:
    explicit TourEditor(QWidget* parent = nullptr);

    // Lists the folder's *.json files and opens the first; an empty folder
    // gets a new tours.json on the first save.
    void openFolder(const QString& toursDir);
    bool openFile(const QString& path);

    void setPicker(ElementPicker* picker);
    void setRunner(TourRunner* runner);

    TourDocument* document() const { return m_document; }
    int currentTour() const;
    int currentStep() const;
    void selectTour(int index);
    void selectStep(int index);
    // The status line: what the last save, pick or preview said.
    QString statusText() const;
    QStringList problemTexts() const;

public Q_SLOTS:
    bool save();
    void pickElement();
    void previewStep();

Q_SIGNALS:
    // The file on disk changed: the studio reloads its catalog.
    void saved(const QString& path);

private:
    void buildUi();
    void refresh();
    void refreshSteps();
    void refreshForms();
    void refreshProblems();
    void setStatus(const QString& text, bool error = false);
    void onPicked(const QString& selector, const QString& description, int matches);
    void onProblemActivated(int row);

    TourDocument* m_document;
    QPointer<ElementPicker> m_picker;
    QPointer<TourRunner> m_runner;
    QString m_folder;
    bool m_updating = false;

    QComboBox* m_files;
    QToolButton* m_undo;
    QToolButton* m_redo;
    QPushButton* m_save;
    QListWidget* m_tours;
    QPushButton* m_addTour;
    QPushButton* m_removeTour;
    QListWidget* m_steps;
    QPushButton* m_addStep;
    QPushButton* m_pick;
    QPushButton* m_removeStep;
    QToolButton* m_stepUp;
    QToolButton* m_stepDown;
    QPushButton* m_preview;
    QLineEdit* m_tourId;
    QLineEdit* m_tourName;
    QLineEdit* m_tourRoute;
    QPlainTextEdit* m_tourDescription;
    QLineEdit* m_stepTarget;
    QLineEdit* m_stepTitle;
    QPlainTextEdit* m_stepContent;
    QComboBox* m_stepPlacement;
    QListWidget* m_problems;
    QLabel* m_status;
};

} // namespace proactive::ui
