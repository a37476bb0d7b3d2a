// The tour editor on a copy of the demo tours: edits through the widgets are
// undo commands, a valid file is saved with its shape kept, and an invalid
// edit is refused without touching the file or losing the edit.

#include "tourcatalog.h"
#include "tourdocument.h"
#include "toureditor.h"

#include <QFile>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace proactive;
using namespace proactive::ui;

namespace {

const QString kDemoTours = QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace/tours/demo.json");

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeAll(const QString& path, const QByteArray& data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

} // namespace

class TestTourEditor final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void savesWithTheFileShape();
    void typingIsOneUndoStep();
    void refusesInvalidEdit_data();
    void refusesInvalidEdit();
    void reorderStepsWithUndo();
    void addTourNeedsAStep();
    void removeTourAndUndo();
    void notAnArrayIsNotOpened();
    void emptyFolderSavesNewFile();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_file;
    QByteArray m_original;
};

void TestTourEditor::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QVERIFY(QDir(m_dir->path()).mkdir(u"tours"_qs));
    m_file = m_dir->filePath(u"tours/demo.json"_qs);
    m_original = readAll(kDemoTours);
    QVERIFY(!m_original.isEmpty());
    QVERIFY(writeAll(m_file, m_original));
    // Another file of the same folder: its ids are taken.
    QVERIFY(writeAll(m_dir->filePath(u"tours/other.json"_qs),
        R"([{"id": "other-tour", "name": "Other", "description": "Elsewhere.", "route": "/x",
             "steps": [{"target": "#x", "title": "X", "content": "X."}]}])"));
}

void TestTourEditor::savesWithTheFileShape()
{
    TourEditor editor;
    editor.openFolder(m_dir->filePath(u"tours"_qs));
    QCOMPARE(editor.document()->path(), m_file); // demo.json sorts before other.json
    QCOMPARE(editor.document()->tourCount(), 5);
    QVERIFY(editor.problemTexts().isEmpty());
    QVERIFY(!editor.document()->isModified());

    editor.selectTour(0);
    editor.selectStep(0);
    auto* title = editor.findChild<QLineEdit*>(u"stepTitle"_qs);
    QVERIFY(title);
    QCOMPARE(title->text(), u"Create a project"_qs);
    title->selectAll();
    QTest::keyClicks(title, u"Start a project"_qs);
    QCOMPARE(editor.document()->stepText(0, 0, StepField::Title), u"Start a project"_qs);
    QVERIFY(editor.document()->isModified());

    QVERIFY(editor.save());
    QVERIFY(!editor.document()->isModified());
    QVERIFY(editor.statusText().contains(u"Saved tours/demo.json"_qs));
    // Same bytes as before but for the edit: key order, indentation, escapes.
    QByteArray expected = m_original;
    expected.replace("\"title\": \"Create a project\"", "\"title\": \"Start a project\"");
    QCOMPARE(readAll(m_file), expected);
}

void TestTourEditor::typingIsOneUndoStep()
{
    TourEditor editor;
    editor.openFile(m_file);
    editor.selectTour(1);
    editor.selectStep(1);
    auto* content = editor.findChild<QLineEdit*>(u"stepTarget"_qs);
    QVERIFY(content);
    content->end(false);
    QTest::keyClicks(content, u" li"_qs);
    QCOMPARE(editor.document()->stepText(1, 1, StepField::Target), u"[data-tour-id=\"project-list\"] li"_qs);
    QCOMPARE(editor.document()->undoStack()->count(), 1);
    editor.document()->undoStack()->undo();
    QCOMPARE(editor.document()->stepText(1, 1, StepField::Target), u"[data-tour-id=\"project-list\"]"_qs);
    QCOMPARE(content->text(), u"[data-tour-id=\"project-list\"]"_qs);
    QVERIFY(!editor.document()->isModified());
}

void TestTourEditor::refusesInvalidEdit_data()
{
    QTest::addColumn<QString>("field"); // tour field name or step field name
    QTest::addColumn<int>("tour");
    QTest::addColumn<int>("step"); // -1: a tour field
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("problem");
    QTest::newRow("blank-title") << u"title"_qs << 0 << 0 << u"  "_qs
                                 << u"tours/demo.json:/0/steps/0/title: must not be blank"_qs;
    QTest::newRow("selector-does-not-parse") << u"target"_qs << 1 << 0 << u"[data-tour-id="_qs
                                             << u"tours/demo.json:/1/steps/0/target: invalid CSS selector"_qs;
    QTest::newRow("route-without-slash") << u"route"_qs << 2 << -1 << u"projects/:slug"_qs
                                         << u"tours/demo.json:/2/route: a route is a path starting with /"_qs;
    QTest::newRow("duplicate-id") << u"id"_qs << 1 << -1 << u"create-project"_qs
                                  << u"tours/demo.json:/1/id: duplicate tour id \"create-project\""_qs;
    QTest::newRow("id-of-another-file")
        << u"id"_qs << 0 << -1 << u"other-tour"_qs
        << u"tours/demo.json:/0/id: duplicate tour id \"other-tour\" (also defined in tours/other.json)"_qs;
    QTest::newRow("reserved-id") << u"id"_qs << 0 << -1 << u"none"_qs
                                 << u"tours/demo.json:/0/id: \"none\" is reserved"_qs;
}

void TestTourEditor::refusesInvalidEdit()
{
    QFETCH(QString, field);
    QFETCH(int, tour);
    QFETCH(int, step);
    QFETCH(QString, value);
    QFETCH(QString, problem);

    TourEditor editor;
    editor.openFile(m_file);
    TourDocument* document = editor.document();
    if (step < 0) {
        const TourField f = field == u"id"_qs ? TourField::Id : TourField::Route;
        document->setTourText(tour, f, value);
        QCOMPARE(document->tourText(tour, f), value);
    } else {
        const StepField f = field == u"title"_qs ? StepField::Title : StepField::Target;
        document->setStepText(tour, step, f, value);
        QCOMPARE(document->stepText(tour, step, f), value);
    }
    // Listed as soon as it is made...
    QVERIFY2(editor.problemTexts().join(u'\n').contains(problem), qPrintable(editor.problemTexts().join(u'\n')));
    // ...and saving is refused: the file keeps its content, the edit stays.
    QVERIFY(!editor.save());
    QVERIFY(editor.statusText().startsWith(u"Not saved"_qs));
    QCOMPARE(readAll(m_file), m_original);
    QVERIFY(document->isModified());
    QCOMPARE(document->undoStack()->count(), 1);

    document->undoStack()->undo();
    QVERIFY(editor.problemTexts().isEmpty());
    QVERIFY(editor.save());
    QCOMPARE(readAll(m_file), m_original);
}

void TestTourEditor::reorderStepsWithUndo()
{
    TourEditor editor;
    editor.openFile(m_file);
    TourDocument* document = editor.document();
    const int tour = 3; // project-settings, four steps
    const QStringList before { u"Rename the project"_qs, u"Visibility"_qs, u"Save your changes"_qs,
        u"Delete the project"_qs };
    const auto titles = [&] {
        QStringList out;
        for (int i = 0; i < document->stepCount(tour); ++i)
            out << document->stepText(tour, i, StepField::Title);
        return out;
    };
    QCOMPARE(titles(), before);
    document->moveStep(tour, 3, 0);
    QCOMPARE(titles(),
        (QStringList {
            u"Delete the project"_qs, u"Rename the project"_qs, u"Visibility"_qs, u"Save your changes"_qs }));
    document->removeStep(tour, 1);
    QCOMPARE(document->stepCount(tour), 3);
    document->undoStack()->undo();
    document->undoStack()->undo();
    QCOMPARE(titles(), before);
    document->undoStack()->redo();
    QCOMPARE(titles().first(), u"Delete the project"_qs);
    QVERIFY(editor.save());
    Diagnostics diagnostics;
    const TourCatalog saved = loadTourCatalogDir(m_dir->filePath(u"tours"_qs).toStdString(), diagnostics);
    QVERIFY(diagnostics.empty());
    QCOMPARE(saved.find("project-settings")->steps.front().title, std::string("Delete the project"));
}

void TestTourEditor::addTourNeedsAStep()
{
    TourEditor editor;
    editor.openFile(m_file);
    TourDocument* document = editor.document();
    const int index = document->addTour();
    QCOMPARE(index, 5);
    QCOMPARE(document->tourText(index, TourField::Id), u"new-tour"_qs);
    QVERIFY(editor.problemTexts().join(u'\n').contains(u"tours/demo.json:/5/steps: a tour needs at least one step"_qs));
    QVERIFY(!editor.save());

    TourStep step;
    step.target = "[data-tour-id=\"nav-projects\"]";
    step.title = "Projects";
    step.content = "All your projects.";
    document->insertStep(index, 0, step);
    document->setTourText(index, TourField::Route, u"/projects"_qs);
    QVERIFY2(editor.problemTexts().isEmpty(), qPrintable(editor.problemTexts().join(u'\n')));
    QVERIFY(editor.save());
    Diagnostics diagnostics;
    const TourCatalog saved = loadTourCatalogDir(m_dir->filePath(u"tours"_qs).toStdString(), diagnostics);
    QVERIFY(diagnostics.empty());
    QCOMPARE(saved.tours().size(), std::size_t(7)); // five + the new one + other.json's
    QCOMPARE(saved.find("new-tour")->steps.front().placement, TourPlacement::Bottom);

    QCOMPARE(document->addTour(), 6);
    QCOMPARE(document->tourText(6, TourField::Id), u"new-tour-2"_qs);
}

void TestTourEditor::removeTourAndUndo()
{
    TourEditor editor;
    editor.openFile(m_file);
    TourDocument* document = editor.document();
    editor.selectTour(4);
    document->removeTour(4);
    QCOMPARE(document->tourCount(), 4);
    QCOMPARE(editor.currentTour(), 3);
    document->undoStack()->undo();
    QCOMPARE(document->tourCount(), 5);
    QCOMPARE(document->tourText(4, TourField::Id), u"account-settings"_qs);
    QVERIFY(!document->isModified());
}

void TestTourEditor::notAnArrayIsNotOpened()
{
    QVERIFY(writeAll(m_file, R"({"id": "oops"})"));
    TourEditor editor;
    QVERIFY(!editor.openFile(m_file));
    QVERIFY(editor.statusText().contains(u"is not a JSON array of tours"_qs));
    QCOMPARE(readAll(m_file), QByteArray(R"({"id": "oops"})"));
}

void TestTourEditor::emptyFolderSavesNewFile()
{
    QTemporaryDir empty;
    QVERIFY(QDir(empty.path()).mkdir(u"tours"_qs));
    TourEditor editor;
    editor.openFolder(empty.filePath(u"tours"_qs));
    QCOMPARE(editor.document()->path(), empty.filePath(u"tours/tours.json"_qs));
    QCOMPARE(editor.document()->tourCount(), 0);
    const int index = editor.document()->addTour();
    TourStep step;
    step.target = "#app";
    step.title = "Welcome";
    step.content = "This is the app.";
    editor.document()->insertStep(index, 0, step);
    QVERIFY(editor.save());
    QVERIFY(QFile::exists(empty.filePath(u"tours/tours.json"_qs)));
    // One undo step for the tour, one for the step (steps array and step in one).
    QCOMPARE(editor.document()->undoStack()->count(), 2);
}

QTEST_MAIN(TestTourEditor)
#include "tst_toureditor.moc"
