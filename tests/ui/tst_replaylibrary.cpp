// The studio's session library and browser over real imports of the replay
// fixtures (tests/data/replay): the table's rows and columns, search,
// re-imports, import problems with their lines, progress and Cancel of a
// large import on the worker thread, drops on the window, and the
// workspace's own sessions/ folder.

#include "eventwait.h"
#include "replay/replayworkbench.h"
#include "replay/sessionbrowser.h"
#include "replaytesting.h"

#include <QAbstractItemModelTester>
#include <QMimeData>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QUrl>

using namespace proactive;
using namespace proactive::ui;
using namespace proactive::testing;

namespace {

// The demo workspace's recordings: four hand-made sessions and the 300 of
// the generated corpus (docs/corpus.md).
constexpr int kDemoSessions = 304;

QStringList sessionIds(const SessionLibrary& library)
{
    QStringList ids;
    for (int row = 0; row < library.sessionCount(); ++row)
        ids << QString::fromStdString(library.session(row)->summary.sessionId);
    ids.sort();
    return ids;
}

QStringList problems(const SessionLibrary& library)
{
    QStringList lines;
    for (const ImportDiagnostic& diagnostic : library.diagnostics())
        lines << QString::fromStdString(diagnostic.toString());
    return lines;
}

QString cellText(const QAbstractItemModel& model, int row, int column)
{
    return model.index(row, column).data().toString();
}

} // namespace

class TestReplayLibrary final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void importsFixtures_data();
    void importsFixtures();
    void rowsShowTheSessionSummary();
    void searchMatchesUsersIdsAndPages_data();
    void searchMatchesUsersIdsAndPages();
    void reimportReplacesSessions();
    void progressReachesTheTotal();
    void cancelStopsALargeImport();
    void anotherWorkspaceCancelsTheImportUnderWay();
    void activatingARowMapsThroughTheSort();
    void filesDroppedOnTheWindowAreImported();
    void workspaceOpenLoadsItsSessionsFolder();

private:
    QTemporaryDir m_scratch;
};

void TestReplayLibrary::importsFixtures_data()
{
    QTest::addColumn<QStringList>("paths");
    QTest::addColumn<QString>("product");
    QTest::addColumn<QStringList>("sessions");
    QTest::addColumn<QString>("problem");

    QTest::newRow("events-table-csv") << QStringList { u"exports/events.csv"_qs } << u"acme"_qs
                                      << QStringList { u"s-csv-1"_qs }
                                      << u"events.csv:8: bad_row: a quote inside an unquoted field (field 4)"_qs;
    QTest::newRow("events-api-page")
        << QStringList { u"exports/events-api-page.json"_qs } << u"acme"_qs << QStringList { u"s-api-1"_qs }
        << u"events-api-page.json:72: bad_timestamp: timestamp \"yesterday\" is not ISO 8601"_qs;
    QTest::newRow("webhooks-by-token") << QStringList { u"exports/webhooks.jsonl"_qs } << QString()
                                       << QStringList { u"s-hook-2"_qs }
                                       << u"webhooks.jsonl:1: unknown_product: 4 events carry no project token"_qs;
    QTest::newRow("webhooks-gzip") << QStringList { u"compressed/webhooks.jsonl.gz"_qs } << u"acme"_qs
                                   << QStringList { u"s-hook-1"_qs, u"s-hook-2"_qs }
                                   << u"webhooks.jsonl.gz:4: invalid_json"_qs;
    QTest::newRow("whole-folder") << QStringList { u"exports"_qs } << u"acme"_qs
                                  << QStringList { u"s-api-1"_qs, u"s-api-2"_qs, u"s-csv-1"_qs, u"s-csv-2"_qs,
                                         u"s-hook-1"_qs, u"s-hook-2"_qs, u"s-hook-3"_qs, u"s-query-1"_qs }
                                  << u"hogql-query.json:81: missing_session_id"_qs;
}

void TestReplayLibrary::importsFixtures()
{
    QFETCH(QStringList, paths);
    QFETCH(QString, product);
    QFETCH(QStringList, sessions);
    QFETCH(QString, problem);

    SessionLibrary library;
    QAbstractItemModelTester tester(&library, QAbstractItemModelTester::FailureReportingMode::QtTest);
    library.setWorkspace(replayWorkspace());
    QStringList absolute;
    for (const QString& path : paths)
        absolute << kReplayData + u'/' + path;
    QSignalSpy started(&library, &SessionLibrary::importStarted);
    QVERIFY(importAndWait(library, absolute, product));
    QCOMPARE(started.size(), 1);
    QVERIFY(library.lastImport().ok);
    QCOMPARE(sessionIds(library), sessions);
    QCOMPARE(library.rowCount(), static_cast<int>(sessions.size()));
    const QStringList lines = problems(library);
    QVERIFY2(std::any_of(lines.begin(), lines.end(), [&](const QString& line) { return line.contains(problem); }),
        qPrintable(lines.join(u'\n')));
}

void TestReplayLibrary::rowsShowTheSessionSummary()
{
    SessionLibrary library;
    library.setWorkspace(replayWorkspace());
    QVERIFY(importAndWait(library, { kReplayData + u"/exports/events.csv"_qs }, u"acme"_qs));
    const int row = library.rowOf(u"acme"_qs, u"s-csv-1"_qs);
    QVERIFY(row >= 0);
    QCOMPARE(cellText(library, row, SessionLibrary::User), u"bo@acme.test"_qs);
    QCOMPARE(cellText(library, row, SessionLibrary::Product), u"acme"_qs);
    QCOMPARE(cellText(library, row, SessionLibrary::Actions), u"4"_qs);
    QCOMPARE(cellText(library, row, SessionLibrary::Length), u"10 s"_qs);
    QVERIFY2(cellText(library, row, SessionLibrary::Pages).startsWith(u"1  /settings/account"_qs),
        qPrintable(cellText(library, row, SessionLibrary::Pages)));
    QCOMPARE(library.index(row, SessionLibrary::Length).data(SessionLibrary::SortRole).toLongLong(), 10'000);
    QVERIFY(library.index(row, SessionLibrary::User).data(Qt::ToolTipRole).toString().contains(u"user-4"_qs));
    QCOMPARE(library.headerData(SessionLibrary::Pages, Qt::Horizontal).toString(), u"Pages visited"_qs);
}

void TestReplayLibrary::searchMatchesUsersIdsAndPages_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("sessions");
    QTest::newRow("distinct-id") << u"user-7"_qs << QStringList { u"s-hook-2"_qs, u"s-hook-3"_qs };
    QTest::newRow("session-id") << u"s-query"_qs << QStringList { u"s-query-1"_qs };
    QTest::newRow("email-any-case") << u"BO@ACME"_qs << QStringList { u"s-csv-1"_qs };
    QTest::newRow("page") << u"/dashboard"_qs << QStringList { u"s-hook-2"_qs };
    QTest::newRow("nothing") << u"no-such-user"_qs << QStringList {};
}

void TestReplayLibrary::searchMatchesUsersIdsAndPages()
{
    QFETCH(QString, text);
    QFETCH(QStringList, sessions);
    SessionLibrary library;
    library.setWorkspace(replayWorkspace());
    QVERIFY(importAndWait(library, { kReplayData + u"/exports"_qs }, u"acme"_qs));
    SessionBrowser browser(library);
    QAbstractItemModelTester tester(browser.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    browser.setFilterText(text);
    QStringList shown;
    for (int row = 0; row < browser.proxy()->rowCount(); ++row)
        shown << QString::fromStdString(
            library.session(browser.proxy()->mapToSource(browser.proxy()->index(row, 0)).row())->summary.sessionId);
    shown.sort();
    QCOMPARE(shown, sessions);
}

void TestReplayLibrary::reimportReplacesSessions()
{
    SessionLibrary library;
    QAbstractItemModelTester tester(&library, QAbstractItemModelTester::FailureReportingMode::QtTest);
    library.setWorkspace(replayWorkspace());
    QVERIFY(importAndWait(library, { kReplayData + u"/exports/events.csv"_qs }, u"acme"_qs));
    QVERIFY(importAndWait(library, { kReplayData + u"/exports/webhooks.jsonl"_qs }, u"acme"_qs));
    QCOMPARE(library.sessionCount(), 3);
    QCOMPARE(library.lastImport().added, 2);
    QSignalSpy inserted(&library, &SessionLibrary::rowsInserted);
    QSignalSpy changed(&library, &SessionLibrary::dataChanged);
    QVERIFY(importAndWait(library, { kReplayData + u"/exports/events.csv"_qs }, u"acme"_qs));
    QCOMPARE(library.sessionCount(), 3);
    QCOMPARE(library.lastImport().added, 0);
    QCOMPARE(library.lastImport().replaced, 1);
    QCOMPARE(inserted.size(), 0);
    QCOMPARE(changed.size(), 1);
    // The problems of every import are kept: events.csv's twice.
    QCOMPARE(problems(library).filter(u"events.csv:8:"_qs).size(), 2);
}

void TestReplayLibrary::progressReachesTheTotal()
{
    const QString path = m_scratch.filePath(u"progress.jsonl"_qs);
    QVERIFY(writeGeneratedExport(path, 400, 50));
    SessionLibrary library;
    library.setWorkspace(replayWorkspace());
    QSignalSpy progress(&library, &SessionLibrary::importProgress);
    QVERIFY(importAndWait(library, { path }, u"acme"_qs));
    QVERIFY(library.lastImport().ok);
    QCOMPARE(library.sessionCount(), 400);
    QCOMPARE(library.lastImport().events, std::size_t(20'000));
    QVERIFY(!progress.isEmpty());
    quint64 previous = 0;
    for (const QList<QVariant>& report : std::as_const(progress)) {
        QVERIFY(report.at(0).toULongLong() >= previous);
        previous = report.at(0).toULongLong();
        QCOMPARE(report.at(1).toULongLong(), static_cast<quint64>(QFileInfo(path).size()));
    }
    QCOMPARE(previous, static_cast<quint64>(QFileInfo(path).size()));
}

void TestReplayLibrary::cancelStopsALargeImport()
{
    const QString path = m_scratch.filePath(u"large.jsonl"_qs);
    QVERIFY(writeGeneratedExport(path, 3000, 60));
    SessionLibrary library;
    library.setWorkspace(replayWorkspace());
    SessionBrowser browser(library);
    QSignalSpy progress(&library, &SessionLibrary::importProgress);
    QSignalSpy finished(&library, &SessionLibrary::importFinished);
    QVERIFY(library.importPaths({ path }, u"acme"_qs));
    QVERIFY(library.isImporting());
    QVERIFY(!library.importPaths({ path }, u"acme"_qs)); // one import at a time
    QVERIFY(progress.wait(30'000));
    QVERIFY(progress.first().at(0).toULongLong() < static_cast<quint64>(QFileInfo(path).size()));
    browser.findChild<QPushButton*>(u"cancelImport"_qs)->click();
    QVERIFY(finished.wait(30'000));
    QVERIFY(!library.isImporting());
    QVERIFY(library.lastImport().cancelled);
    QCOMPARE(library.sessionCount(), 0);
    QCOMPARE(browser.statusText(), u"Import cancelled; nothing was added"_qs);
}

void TestReplayLibrary::anotherWorkspaceCancelsTheImportUnderWay()
{
    const QString path = m_scratch.filePath(u"stale.jsonl"_qs);
    QVERIFY(writeGeneratedExport(path, 3000, 60));
    SessionLibrary library;
    library.setWorkspace(replayWorkspace());
    QSignalSpy finished(&library, &SessionLibrary::importFinished);
    QSignalSpy progress(&library, &SessionLibrary::importProgress);
    QVERIFY(library.importPaths({ path }, u"acme"_qs));
    QVERIFY(progress.wait(30'000));
    // The studio opens another workspace: its sessions/ folder waits for the stale import to stop.
    library.setWorkspace(loadWorkspace(QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace")));
    QVERIFY(library.importPaths({ QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace/sessions") }));
    TRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 30'000);
    QVERIFY(finished.at(0).at(0).value<ImportOutcome>().cancelled);
    QVERIFY(library.lastImport().ok);
    QCOMPARE(library.sessionCount(), kDemoSessions);
    QCOMPARE(library.sessionsOf("demo").size(), std::size_t(kDemoSessions));
}

void TestReplayLibrary::activatingARowMapsThroughTheSort()
{
    SessionLibrary library;
    library.setWorkspace(replayWorkspace());
    QVERIFY(importAndWait(library, { kReplayData + u"/exports"_qs }, u"acme"_qs));
    SessionBrowser browser(library);
    browser.table()->sortByColumn(SessionLibrary::Actions, Qt::DescendingOrder);
    QSignalSpy activated(&browser, &SessionBrowser::sessionActivated);
    Q_EMIT browser.table()->activated(browser.proxy()->index(0, 0));
    QCOMPARE(activated.size(), 1);
    // s-api-2 has the most actions (5).
    QCOMPARE(library.session(activated.first().first().toInt())->summary.sessionId, std::string("s-api-2"));
}

void TestReplayLibrary::filesDroppedOnTheWindowAreImported()
{
    ReplayWorkbench workbench;
    workbench.setWorkspace(replayWorkspace(), u"acme"_qs);
    workbench.browser()->setAssignedProduct(u"acme"_qs);
    QWidget window;
    workbench.acceptDropsOn(&window);
    QVERIFY(window.acceptDrops());

    QMimeData mime;
    mime.setUrls({ QUrl::fromLocalFile(kReplayData + u"/exports/events.csv"_qs),
        QUrl::fromLocalFile(kReplayData + u"/exports/events-legacy.csv"_qs) });
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QSignalSpy finished(&workbench.library(), &SessionLibrary::importFinished);
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &drop);
    QVERIFY(drop.isAccepted());
    QVERIFY(finished.wait(30'000));
    QCOMPARE(sessionIds(workbench.library()), (QStringList { u"s-csv-1"_qs, u"s-csv-2"_qs }));
    QCOMPARE(workbench.currentWidget(), workbench.browser());
    QCOMPARE(workbench.tabText(0), u"Sessions (2)"_qs);
    QVERIFY(importAndWait(workbench.library(), { kReplayData + u"/exports"_qs }, u"acme"_qs));
    workbench.resize(1100, 420);
    workbench.show();
    QVERIFY(QTest::qWaitForWindowExposed(&workbench));
    QVERIFY(saveScreenshot(workbench, u"replay-sessions.png"_qs));

    // Text is not a file: left to whoever else wants it.
    QMimeData text;
    text.setText(u"hello"_qs);
    QDragEnterEvent other(QPoint(10, 10), Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
    other.ignore();
    QApplication::sendEvent(&window, &other);
    QVERIFY(!other.isAccepted());
}

void TestReplayLibrary::workspaceOpenLoadsItsSessionsFolder()
{
    ReplayWorkbench workbench;
    QSignalSpy finished(&workbench.library(), &SessionLibrary::importFinished);
    workbench.setWorkspace(loadWorkspace(QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace")), u"demo"_qs);
    QVERIFY(finished.wait(30'000));
    QCOMPARE(workbench.library().sessionCount(), kDemoSessions);
    QVERIFY(workbench.library().diagnostics().empty());
    QCOMPARE(workbench.library().sessionsOf("demo").size(), std::size_t(kDemoSessions));
    // The same workspace handed back (after trigger edits) keeps the library.
    workbench.setWorkspace(workbench.workspace(), u"demo"_qs);
    QVERIFY(!workbench.library().isImporting());
    QCOMPARE(workbench.library().sessionCount(), kDemoSessions);
}

QTEST_MAIN(TestReplayLibrary)
#include "tst_replaylibrary.moc"
