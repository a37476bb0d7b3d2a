// The trigger editor: validation as you type with the parser's messages and
// JSON pointers, form edits as undo commands, a valid edit re-running the
// replayed session at once, saving back to inline (products.json) and
// separate trigger files without losing the rest, never saving a bad edit,
// and the studio applying edits to its live simulation.

#include "eventwait.h"
#include "pagebridge.h"
#include "replay/replaypanel.h"
#include "replay/replayworkbench.h"
#include "replay/triggerdocument.h"
#include "replay/triggereditor.h"
#include "replaytesting.h"
#include "simulation/simulation.h"
#include "studio/mainwindow.h"
#include "studio/studiosettings.h"
#include "triggers/trigger.h"
#include "webpagetesting.h"

#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTimer>
#include <QUndoStack>
#include <QWebEngineView>
#include <nlohmann/json.hpp>

using namespace proactive;
using namespace proactive::ui;
using namespace proactive::testing;
using nlohmann::ordered_json;

namespace {

// The demo workspace's recordings: four hand-made sessions and the 300 of
// the generated corpus (docs/corpus.md).
constexpr int kDemoSessions = 304;

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool copyFile(const QString& from, const QString& to)
{
    QDir().mkpath(QFileInfo(to).absolutePath());
    return QFile::copy(from, to);
}

// The JSON view's text with one value changed.
QString patched(const TriggerDocument& document, const std::string& pointer, const std::string& value)
{
    ordered_json json = document.json();
    json[ordered_json::json_pointer(pointer)] = ordered_json::parse(value);
    return QString::fromStdString(json.dump(2));
}

const Trigger* trigger(const Workspace& workspace, const char* product, const char* id)
{
    return workspace.product(product)->triggers->find(id);
}

} // namespace

class TestReplayEditor final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void badEditsAreExplained_data();
    void badEditsAreExplained();
    void syntaxErrorsNameTheLine();
    void formEditsAreUndoCommands();
    void validEditReRunsTheReplay();
    void saveKeepsTheRestOfProductsJson();
    void saveWritesASeparateTriggersFile();
    void badEditIsNeverSaved();
    void productWithoutTriggersGetsItsFile();
    void switchingProductWithUnsavedEditsAsks();
    void studioAppliesEditsToTheSimulation();

private:
    // A writable copy of the replay fixtures' workspace (inline triggers).
    QString m_inline;
    std::unique_ptr<QTemporaryDir> m_scratch;
};

void TestReplayEditor::init()
{
    m_scratch = std::make_unique<QTemporaryDir>();
    m_inline = m_scratch->filePath(u"inline"_qs);
    QVERIFY(copyFile(kReplayData + u"/workspace/products.json"_qs, m_inline + u"/products.json"_qs));
}

void TestReplayEditor::badEditsAreExplained_data()
{
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("problem");
    QTest::newRow("negative-cooldown") << u"/1/cooldown_s"_qs << u"-5"_qs
                                       << u"products.json:/0/triggers/1/cooldown_s: "_qs;
    QTest::newRow("zero-cycles") << u"/0/when/min_cycles"_qs << u"0"_qs
                                 << u"products.json:/0/triggers/0/when/min_cycles: "_qs;
    QTest::newRow("id-with-space") << u"/1/id"_qs << u"\"settings dwell\""_qs
                                   << u"products.json:/0/triggers/1/id: may only contain letters, digits"_qs;
    QTest::newRow("duplicate-id") << u"/1/id"_qs << u"\"ping-pong\""_qs << u"duplicate"_qs;
    QTest::newRow("unknown-condition") << u"/0/when"_qs << u"{\"type\": \"no_such_kind\"}"_qs
                                       << u"products.json:/0/triggers/0/when"_qs;
    QTest::newRow("unknown-field") << u"/0/colour"_qs << u"\"red\""_qs << u"products.json:/0/triggers/0/colour: "_qs;
    QTest::newRow("tour-id-with-space") << u"/0/tour_id"_qs << u"\"find project\""_qs
                                        << u"products.json:/0/triggers/0/tour_id: may only contain"_qs;
    QTest::newRow("timeout-zero") << u"/1/interaction_timeout_s"_qs << u"0"_qs
                                  << u"products.json:/0/triggers/1/interaction_timeout_s: "_qs;
}

void TestReplayEditor::badEditsAreExplained()
{
    QFETCH(QString, pointer);
    QFETCH(QString, value);
    QFETCH(QString, problem);
    TriggerEditor editor;
    QVERIFY(editor.openProduct(loadWorkspace(m_inline), "acme"));
    QVERIFY(editor.problemTexts().isEmpty());
    QSignalSpy edited(&editor, &TriggerEditor::workspaceEdited);
    editor.jsonView()->setPlainText(patched(*editor.document(), pointer.toStdString(), value.toStdString()));
    const QStringList problems = editor.problemTexts();
    QVERIFY2(!problems.filter(problem).isEmpty(), qPrintable(problems.join(u'\n')));
    QVERIFY(editor.statusText().startsWith(u"Not applied"_qs));
    QVERIFY(!editor.document()->editedWorkspace());
    QCOMPARE(edited.size(), 0);
    // Undo goes back to the valid triggers, which apply again.
    editor.document()->undoStack()->undo();
    QVERIFY(editor.problemTexts().isEmpty());
    QVERIFY(editor.document()->editedWorkspace());
}

void TestReplayEditor::syntaxErrorsNameTheLine()
{
    TriggerEditor editor;
    QVERIFY(editor.openProduct(loadWorkspace(m_inline), "acme"));
    const QString before = editor.document()->text();
    editor.jsonView()->setPlainText(u"[\n  {\"id\": \"a\",\n  }\n]"_qs);
    QVERIFY2(editor.problemTexts().value(0).startsWith(u"JSON: invalid JSON at line 3: "_qs),
        qPrintable(editor.problemTexts().join(u'\n')));
    // Nothing changed: the document keeps the last text that parsed.
    QCOMPARE(editor.document()->text(), before);
    QCOMPARE(editor.document()->undoStack()->count(), 0);

    // The same for the form's condition.
    editor.selectTrigger(1);
    qobject_cast<QPlainTextEdit*>(editor.field(u"when"_qs))->setPlainText(u"{\"type\": "_qs);
    QVERIFY(!editor.problemTexts().filter(u"Condition: invalid JSON at line 1"_qs).isEmpty());
}

void TestReplayEditor::formEditsAreUndoCommands()
{
    TriggerEditor editor;
    editor.resize(900, 600);
    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));
    QVERIFY(editor.openProduct(loadWorkspace(m_inline), "acme"));
    TriggerDocument& document = *editor.document();
    editor.selectTrigger(1);
    auto* id = qobject_cast<QLineEdit*>(editor.field(u"id"_qs));
    QCOMPARE(id->text(), u"settings-dwell"_qs);
    id->setFocus();
    id->end(false);
    QTest::keyClicks(id, u"-2"_qs);
    QCOMPARE(document.field(1, TriggerField::Id), u"settings-dwell-2"_qs);
    QCOMPARE(editor.findChild<QListWidget*>(u"triggerList"_qs)->item(1)->text(), u"settings-dwell-2"_qs);
    QCOMPARE(document.undoStack()->count(), 1); // typing merged into one step

    auto* cooldown = qobject_cast<QDoubleSpinBox*>(editor.field(u"cooldown_s"_qs));
    cooldown->setValue(45);
    QCOMPARE(document.json()[1]["cooldown_s"].dump(), std::string("45"));
    cooldown->setValue(cooldown->minimum()); // "default": the field goes away
    QVERIFY(!document.json()[1].contains("cooldown_s"));

    auto* labels = qobject_cast<QLineEdit*>(editor.field(u"labels"_qs));
    labels->setFocus();
    labels->selectAll();
    QTest::keyClicks(labels, u"Yes please | Later"_qs);
    QCOMPARE(document.labels(1), (QStringList { u"Yes please"_qs, u"Later"_qs }));
    // Trimmed as the trigger parser trims (a no-break space, U+001F, which
    // QString::trimmed keeps): a label of padding only is no label. Pasted,
    // since a key cannot type U+001F.
    labels->selectAll();
    labels->insert(u"\u00a0Show me\u001f|\u2003"_qs);
    QCOMPARE(document.labels(1), (QStringList { u"Show me"_qs }));

    auto* tour = qobject_cast<QLineEdit*>(editor.field(u"tour_id"_qs));
    tour->setFocus();
    QTest::keyClicks(tour, u"account-settings"_qs);
    QCOMPARE(document.json()[1]["tour_id"].get<std::string>(), std::string("account-settings"));
    QVERIFY(editor.problemTexts().isEmpty());
    QVERIFY(editor.jsonView()->toPlainText().contains(u"\"tour_id\": \"account-settings\""_qs));

    while (document.undoStack()->canUndo())
        document.undoStack()->undo();
    QCOMPARE(id->text(), u"settings-dwell"_qs);
    QCOMPARE(document.json()[1]["cooldown_s"].dump(), std::string("30"));
    QVERIFY(!document.json()[1].contains("tour_id"));
    QVERIFY(!document.isModified());

    const int added = document.triggerCount();
    editor.findChild<QPushButton*>(u"addTrigger"_qs)->click();
    QCOMPARE(document.triggerCount(), added + 1);
    QCOMPARE(editor.currentTrigger(), added);
    QCOMPARE(document.field(added, TriggerField::Id), u"new-trigger"_qs);
    QVERIFY(editor.problemTexts().isEmpty()); // a new trigger is valid at once
    editor.findChild<QPushButton*>(u"removeTrigger"_qs)->click();
    QCOMPARE(document.triggerCount(), added);

    editor.selectTrigger(1);
    editor.jsonView()->setPlainText(patched(document, "/1/cooldown_s", "-5"));
    editor.selectTrigger(1);
    QVERIFY(saveScreenshot(editor, u"trigger-editor.png"_qs));
}

void TestReplayEditor::validEditReRunsTheReplay()
{
    ReplayWorkbench workbench;
    workbench.setWorkspace(loadWorkspace(m_inline), u"acme"_qs);
    QVERIFY(importAndWait(workbench.library(), { kReplayData + u"/exports/webhooks.json"_qs }, u"acme"_qs));
    QVERIFY(workbench.openSession(workbench.library().rowOf(u"acme"_qs, u"s-hook-3"_qs)));
    ReplayPanel& panel = *workbench.replayPanel();
    const auto firingAt = [&] {
        return panel.fullRecord()->firings.empty()
            ? -1.0
            : toSeconds(panel.fullRecord()->firings[0].at - panel.replay()->start());
    };
    QCOMPARE(firingAt(), 85.0);
    panel.seek(panel.replay()->start() + std::chrono::seconds(50));
    const QString dwell = u"    dwell 40 s < 60 s on /settings/account (1 action ≤ 5) | ✗ no | 40.0 | 60.0"_qs;
    QVERIFY2(panel.triggerLines().contains(dwell), qPrintable(panel.triggerLines().join(u'\n')));

    TriggerEditor& editor = *workbench.triggerEditor();
    QSignalSpy edited(&workbench, &ReplayWorkbench::workspaceEdited);
    editor.selectTrigger(1);
    auto* when = qobject_cast<QPlainTextEdit*>(editor.field(u"when"_qs));
    when->setPlainText(when->toPlainText().replace(u"\"threshold_s\": 60"_qs, u"\"threshold_s\": 30"_qs));
    QVERIFY(editor.problemTexts().isEmpty());
    QCOMPARE(edited.size(), 1);
    // Re-run at once, to the same moment; the explanation follows the new threshold.
    QCOMPARE(firingAt(), 45.0);
    QCOMPARE(toSeconds(panel.replay()->now() - panel.replay()->start()), 50.0);
    QCOMPARE(panel.replay()->record().firings.size(), std::size_t(1));
    QVERIFY2(panel.triggerLines().contains(
                 u"    dwell 40 s ≥ 30 s on /settings/account (1 action ≤ 5) | ✓ matched | 40.0 | 30.0"_qs),
        qPrintable(panel.triggerLines().join(u'\n')));
    const auto workspace = edited.first().first().value<std::shared_ptr<const Workspace>>();
    QCOMPARE(workspace, workbench.workspace());
    QCOMPARE(trigger(*workspace, "acme", "settings-dwell")->definition().when.dump(),
        std::string(
            R"({"all":[{"event":{"route":"/settings/account"}},{"max_actions":5,"threshold_s":30,"type":"user_page_dwell"}]})"));

    // A bad edit leaves the replay as it was; undo brings the original back.
    editor.jsonView()->setPlainText(patched(*editor.document(), "/1/cooldown_s", "-1"));
    QCOMPARE(edited.size(), 1);
    QCOMPARE(firingAt(), 45.0);
    editor.document()->undoStack()->undo();
    QCOMPARE(edited.size(), 2);
    QCOMPARE(firingAt(), 45.0);
    editor.document()->undoStack()->undo();
    QCOMPARE(edited.size(), 3);
    QCOMPARE(firingAt(), 85.0);
    QVERIFY(!editor.document()->isModified());
}

void TestReplayEditor::saveKeepsTheRestOfProductsJson()
{
    TriggerEditor editor;
    QVERIFY(editor.openProduct(loadWorkspace(m_inline), "acme"));
    QCOMPARE(editor.document()->displayName(), u"products.json:/0/triggers"_qs);
    editor.selectTrigger(0);
    qobject_cast<QDoubleSpinBox*>(editor.field(u"cooldown_s"_qs))->setValue(45);
    QVERIFY(editor.document()->isModified());
    QSignalSpy saved(&editor, &TriggerEditor::saved);
    QVERIFY(editor.save());
    QCOMPARE(saved.size(), 1);
    QVERIFY(!editor.document()->isModified());

    Diagnostics diagnostics;
    const Workspace reloaded = Workspace::load(m_inline.toStdString(), diagnostics);
    QVERIFY(diagnostics.empty());
    QCOMPARE(reloaded.products().size(), std::size_t(2));
    QCOMPARE(trigger(reloaded, "acme", "ping-pong")->definition().cooldown, Duration(std::chrono::seconds(45)));
    QCOMPARE(trigger(reloaded, "acme", "settings-dwell")->definition().cooldown, Duration(std::chrono::seconds(30)));
    QVERIFY(trigger(reloaded, "beta", "beta-dwell"));
    QCOMPARE(reloaded.product("acme")->routes.size(), std::size_t(3));
    QCOMPARE(reloaded.product("acme")->posthogToken, std::string("phc_replay_acme"));
    // Key order as written.
    const QByteArray text = readAll(m_inline + u"/products.json"_qs);
    QVERIFY(text.indexOf("\"product_id\": \"acme\"") < text.indexOf("\"name\": \"Acme (replay tests)\""));
    QVERIFY(text.indexOf("\"id\": \"ping-pong\"") < text.indexOf("\"body\": \"Looking for something?"));
}

void TestReplayEditor::saveWritesASeparateTriggersFile()
{
    const QString root = m_scratch->filePath(u"demo"_qs);
    const QString demo = QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace");
    QVERIFY(copyFile(demo + u"/products.json"_qs, root + u"/products.json"_qs));
    QVERIFY(copyFile(demo + u"/triggers/demo.json"_qs, root + u"/triggers/demo.json"_qs));
    const QByteArray products = readAll(root + u"/products.json"_qs);

    TriggerEditor editor;
    QVERIFY(editor.openProduct(loadWorkspace(root), "demo"));
    QCOMPARE(editor.document()->displayName(), u"triggers/demo.json"_qs);
    QCOMPARE(editor.document()->triggerCount(), 4);
    editor.selectTrigger(1);
    auto* body = qobject_cast<QPlainTextEdit*>(editor.field(u"body"_qs));
    body->setPlainText(u"Lost? I can show you around."_qs);
    QVERIFY(editor.save());

    QCOMPARE(readAll(root + u"/products.json"_qs), products);
    Diagnostics diagnostics;
    const Workspace reloaded = Workspace::load(root.toStdString(), diagnostics);
    QVERIFY(diagnostics.empty());
    QCOMPARE(reloaded.product("demo")->triggers->triggers().size(), std::size_t(4));
    QCOMPARE(trigger(reloaded, "demo", "ping-pong")->definition().body, std::string("Lost? I can show you around."));
    QVERIFY(trigger(reloaded, "42", "dashboard-dwell"));
}

void TestReplayEditor::badEditIsNeverSaved()
{
    const QString file = m_inline + u"/products.json"_qs;
    const QByteArray before = readAll(file);
    TriggerEditor editor;
    QVERIFY(editor.openProduct(loadWorkspace(m_inline), "acme"));
    editor.jsonView()->setPlainText(patched(*editor.document(), "/1/cooldown_s", "-5"));
    QVERIFY(!editor.save());
    QVERIFY2(editor.statusText().contains(u"not saved"_qs), qPrintable(editor.statusText()));
    QCOMPARE(readAll(file), before);
    QVERIFY(editor.document()->isModified()); // the edit stays, to be fixed

    // A file that changed on disk under the editor is not overwritten blindly either.
    editor.document()->undoStack()->undo();
    editor.jsonView()->setPlainText(patched(*editor.document(), "/1/cooldown_s", "40"));
    QFile broken(file);
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("{ \"not\": \"products\" }");
    broken.close();
    QVERIFY(!editor.save());
    QVERIFY2(editor.statusText().contains(u"no longer has \"/0/triggers\""_qs), qPrintable(editor.statusText()));
    QCOMPARE(readAll(file), QByteArray("{ \"not\": \"products\" }"));
}

void TestReplayEditor::productWithoutTriggersGetsItsFile()
{
    const QString root = m_scratch->filePath(u"bare"_qs);
    QDir().mkpath(root);
    QFile products(root + u"/products.json"_qs);
    QVERIFY(products.open(QIODevice::WriteOnly));
    products.write(R"([{ "product_id": "bare", "routes": ["/a"], "proactive": { "enabled": true } }])");
    products.close();
    TriggerEditor editor;
    QVERIFY(editor.openProduct(loadWorkspace(root), "bare"));
    QCOMPARE(editor.document()->triggerCount(), 0);
    QCOMPARE(editor.document()->displayName(), u"triggers/bare.json"_qs);
    editor.findChild<QPushButton*>(u"addTrigger"_qs)->click();
    QVERIFY(editor.save());
    Diagnostics diagnostics;
    const Workspace reloaded = Workspace::load(root.toStdString(), diagnostics);
    QVERIFY(diagnostics.empty());
    QVERIFY(trigger(reloaded, "bare", "new-trigger"));
}

void TestReplayEditor::switchingProductWithUnsavedEditsAsks()
{
    ReplayWorkbench workbench;
    workbench.setWorkspace(loadWorkspace(m_inline), u"acme"_qs);
    TriggerEditor& editor = *workbench.triggerEditor();
    editor.selectTrigger(0);
    qobject_cast<QDoubleSpinBox*>(editor.field(u"cooldown_s"_qs))->setValue(45);
    QCOMPARE(trigger(*workbench.workspace(), "acme", "ping-pong")->definition().cooldown,
        Duration(std::chrono::seconds(45)));
    const QByteArray file = readAll(m_inline + u"/products.json"_qs);

    // The studio switches to product beta; the author discards the edits.
    bool asked = false;
    QTimer::singleShot(0, this, [&] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        QVERIFY(box);
        asked = true;
        box->button(QMessageBox::Discard)->click();
    });
    workbench.setWorkspace(workbench.workspace(), u"beta"_qs);
    QVERIFY(asked);
    QCOMPARE(editor.document()->productId(), std::string("beta"));
    QCOMPARE(trigger(*workbench.workspace(), "acme", "ping-pong")->definition().cooldown,
        Duration(std::chrono::seconds(30)));
    QCOMPARE(readAll(m_inline + u"/products.json"_qs), file);

    // Edits of beta, saved this time.
    editor.selectTrigger(0);
    qobject_cast<QDoubleSpinBox*>(editor.field(u"cooldown_s"_qs))->setValue(50);
    QTimer::singleShot(0, this, [&] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        QVERIFY(box);
        box->button(QMessageBox::Save)->click();
    });
    workbench.setWorkspace(workbench.workspace(), u"acme"_qs);
    QCOMPARE(editor.document()->productId(), std::string("acme"));
    Diagnostics diagnostics;
    const Workspace reloaded = Workspace::load(m_inline.toStdString(), diagnostics);
    QCOMPARE(trigger(reloaded, "beta", "beta-dwell")->definition().cooldown, Duration(std::chrono::seconds(50)));
    QCOMPARE(trigger(reloaded, "acme", "ping-pong")->definition().cooldown, Duration(std::chrono::seconds(30)));
}

void TestReplayEditor::studioAppliesEditsToTheSimulation()
{
    StudioSettings settings(m_scratch->filePath(u"studio.ini"_qs));
    MainWindow window(settings);
    QString error;
    QVERIFY2(window.openWorkspace(QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace"), &error),
        qPrintable(error));
    auto* workbench = window.findChild<ReplayWorkbench*>();
    QVERIFY(workbench);
    QVERIFY(window.findChild<QAction*>(u"importSessions"_qs));
    TRY_COMPARE_WITH_TIMEOUT(workbench->library().sessionCount(), kDemoSessions, 30'000);
    TriggerEditor& editor = *workbench->triggerEditor();
    QCOMPARE(QString::fromStdString(editor.document()->productId()), u"demo"_qs);

    editor.selectTrigger(1);
    qobject_cast<QDoubleSpinBox*>(editor.field(u"cooldown_s"_qs))->setValue(75);
    const auto live = window.simulation()->workspace();
    QCOMPARE(trigger(*live, "demo", "ping-pong")->definition().cooldown, Duration(std::chrono::seconds(75)));
    QCOMPARE(live, workbench->workspace());
    // Undone: the live simulation is back on the file's triggers. Nothing is written.
    editor.document()->undoStack()->undo();
    QCOMPARE(trigger(*window.simulation()->workspace(), "demo", "ping-pong")->definition().cooldown,
        Duration(std::chrono::seconds(30)));
    QVERIFY(!editor.document()->isModified());

    // The studio with the replay dock up, a session replayed to its firing.
    window.resize(1600, 1000);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(workbench->openSession(workbench->library().rowOf(u"demo"_qs, u"0193a1b2-c3d4-7e5f-8a9b-hesit0000003"_qs)));
    auto* dock = window.findChild<QDockWidget*>(u"replayDock"_qs);
    QVERIFY(dock && dock->isVisible());
    window.resizeDocks({ dock }, { 520 }, Qt::Vertical);
    workbench->replayPanel()->nextFiring();
    // The product page too: rendered, and a frame drawn since the window showed.
    TRY_VERIFY_WITH_TIMEOUT(evaluateJson(*window.view()->page(),
                                u"(() => { if (!document.querySelector('main')?.childElementCount) return false; "
                                "if (!window.__shown) requestAnimationFrame(() => requestAnimationFrame(() => "
                                "window.__shown = true)); return !!window.__shown; })()"_qs,
                                5'000, PageBridge::kWorldId)
                                .toBool(),
        30'000);
    QVERIFY(saveScreenshot(window, u"studio-replay.png"_qs));
}

QTEST_MAIN(TestReplayEditor)
#include "tst_replayeditor.moc"
