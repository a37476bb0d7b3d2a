#pragma once

// Shared by the studio's replay tests: the replay fixtures' workspace, an
// import that waits for its worker, generated exports large enough to
// cancel, and screenshots.

#include "eventwait.h"
#include "replay/replayworkbench.h"
#include "replay/sessionlibrary.h"
#include "replay/triggerdocument.h"
#include "replay/triggereditor.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTest>
#include <QWidget>
#include <memory>
#include <string>
#include <vector>

namespace proactive::testing {

inline const QString kReplayData = QStringLiteral(PROACTIVE_TEST_DATA "/replay");

inline std::shared_ptr<const Workspace> loadWorkspace(const QString& directory)
{
    Diagnostics diagnostics;
    auto workspace = std::make_shared<const Workspace>(Workspace::load(directory.toStdString(), diagnostics));
    for (const Diagnostic& diagnostic : diagnostics)
        qWarning("workspace problem: %s", diagnostic.toString().c_str());
    return workspace;
}

// Copies the files under `from` (a workspace) to `to`, for a test that writes into it.
inline bool copyTree(const QString& from, const QString& to)
{
    QDirIterator it(from, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString file = it.next();
        const QString target = to + u'/' + QDir(from).relativeFilePath(file);
        if (!QDir().mkpath(QFileInfo(target).absolutePath()) || !QFile::copy(file, target))
            return false;
    }
    return true;
}

inline std::shared_ptr<const Workspace> replayWorkspace()
{
    return loadWorkspace(kReplayData + u"/workspace"_qs);
}

// The library's sessions of a product, as the core's batch functions take them.
inline std::vector<RecordedSession> copies(const ui::SessionLibrary& library, const std::string& productId)
{
    std::vector<RecordedSession> sessions;
    for (const auto& session : library.sessionsOf(productId))
        sessions.push_back(*session);
    return sessions;
}

// Imports and waits for the worker; false when it did not finish in time.
inline bool importAndWait(
    ui::SessionLibrary& library, const QStringList& paths, const QString& productId = {}, int timeoutMs = 60'000)
{
    QSignalSpy finished(&library, &ui::SessionLibrary::importFinished);
    if (!library.importPaths(paths, productId))
        return false;
    return finished.wait(timeoutMs) || !finished.isEmpty();
}

// JSON lines in the tutorial's flat webhook shape: `sessions` sessions of
// `actions` events (at least 3) each for the fixtures' product acme (import
// them for "acme": they carry no token). A session wanders over the project
// pages every 7 s (every fifth bouncing between two of them: a ping-pong),
// then stays on /settings/account for 10 to 98 s, depending on the session,
// and leaves: how long it dwells decides whether a dwell trigger reaches it.
inline bool writeGeneratedExport(const QString& path, int sessions, int actions)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    static const char* const pages[] = { "/projects", "/projects/apollo", "/projects/apollo/settings" };
    const auto line = [](int session, int seconds, const char* event, const QString& page) {
        return QStringLiteral("{\"event\":\"%1\",\"timestamp\":\"2024-09-03T%2:%3:%4.000Z\",\"session_id\":\"gen-%5\","
                              "\"distinct_id\":\"user-%6\",\"current_url\":\"https://app.acme.test%7\"}\n")
            .arg(QString::fromLatin1(event))
            .arg(10 + seconds / 3600, 2, 10, QLatin1Char('0'))
            .arg(seconds / 60 % 60, 2, 10, QLatin1Char('0'))
            .arg(seconds % 60, 2, 10, QLatin1Char('0'))
            .arg(session)
            .arg(session % 97)
            .arg(page)
            .toUtf8();
    };
    for (int s = 0; s < sessions; ++s) {
        const bool bounces = s % 5 == 0;
        int seconds = s % 7;
        QByteArray text;
        for (int a = 0; a < actions - 2; ++a, seconds += 7)
            text += line(s, seconds, "$pageview", QString::fromLatin1(pages[bounces ? a % 2 : a % 3]));
        text += line(s, seconds, "$pageview", u"/settings/account"_qs);
        seconds += 10 + s % 12 * 8;
        text += line(s, seconds, "$pageleave", u"/settings/account"_qs);
        if (file.write(text) != text.size())
            return false;
    }
    return file.flush();
}

// Saves a picture of the widget in the build's artifacts folder.
// The workbench shown on the workspace at `directory` (its sessions
// imported) with the session `sessionId` of product demo replayed.
inline bool openDemoSession(ui::ReplayWorkbench& workbench, const QString& directory, const QString& sessionId)
{
    workbench.resize(1400, 900);
    QSignalSpy imported(&workbench.library(), &ui::SessionLibrary::importFinished);
    workbench.setWorkspace(loadWorkspace(directory), QStringLiteral("demo"));
    if (!imported.wait(60'000) && imported.isEmpty())
        return false;
    workbench.show();
    return QTest::qWaitForWindowExposed(&workbench)
        && workbench.openSession(workbench.library().rowOf(QStringLiteral("demo"), sessionId));
}

// Edits a trigger's condition in the editor's JSON field as an author would
// type it: `from` replaced by `to`. False when the trigger or `from` is not
// there, or the edit does not validate.
inline bool editCondition(ui::TriggerEditor& editor, const QString& triggerId, const QString& from, const QString& to)
{
    int index = -1;
    for (int i = 0; i < editor.document()->triggerCount(); ++i)
        if (editor.document()->field(i, ui::TriggerField::Id) == triggerId)
            index = i;
    if (index < 0)
        return false;
    editor.selectTrigger(index);
    auto* when = qobject_cast<QPlainTextEdit*>(editor.field(QStringLiteral("when")));
    if (!when || !when->toPlainText().contains(from))
        return false;
    when->setPlainText(when->toPlainText().replace(from, to));
    return editor.problemTexts().isEmpty();
}

inline bool saveScreenshot(QWidget& widget, const QString& name)
{
    QDir().mkpath(QStringLiteral(PROACTIVE_ARTIFACT_DIR));
    wait(50); // pending layout requests: labels that just changed their text
    return widget.grab().save(QStringLiteral(PROACTIVE_ARTIFACT_DIR "/") + name);
}

} // namespace proactive::testing
