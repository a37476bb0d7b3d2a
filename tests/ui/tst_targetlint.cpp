// Target lint on real pages: the demo workspace is clean, and a workspace
// built to have every problem (tests/data/workspaces/broken-tours: its own
// little app with a cookie banner, duplicates, hidden and late elements) gets
// each one reported. Then the same through `proactive-studio lint-tours`.

#include "eventwait.h"
#include "routesamples.h"
#include "staticsiteserver.h"
#include "targetlinter.h"
#include "tourcatalog.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

using namespace proactive;
using namespace proactive::ui;
using LintStatus = TargetCheck::Status;

namespace {

const std::string kDemo = PROACTIVE_SOURCE_DIR "/resources/demo-workspace";
const std::string kBroken = PROACTIVE_TEST_DATA "/workspaces/broken-tours";
const QString kStudio = QStringLiteral(PROACTIVE_STUDIO_EXECUTABLE);

constexpr int kLintTimeoutMs = 120'000;

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

Run studio(const QStringList& arguments)
{
    QProcess process;
    process.start(kStudio, arguments);
    if (!process.waitForFinished(kLintTimeoutMs))
        return {};
    return { process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
        QString::fromUtf8(process.readAllStandardError()) };
}

TourCatalog catalogOf(const std::string& workspace)
{
    Diagnostics diagnostics;
    TourCatalog catalog = loadTourCatalogDir(workspace + "/tours", diagnostics);
    if (!diagnostics.empty())
        qFatal("%s", diagnostics.front().toString().c_str());
    return catalog;
}

QList<TargetCheck> lint(const std::string& workspace, const QString& siteDir)
{
    StaticSiteServer server;
    if (!server.start(siteDir))
        return {};
    TargetLinter linter;
    QSignalSpy finished(&linter, &TargetLinter::finished);
    linter.run(catalogOf(workspace), server.url(), recordedPagePaths(workspace + "/sessions"));
    if (!finished.wait(kLintTimeoutMs))
        return {};
    return linter.results();
}

} // namespace

class TestTargetLint final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void demoWorkspaceIsClean();
    void brokenWorkspace_data();
    void brokenWorkspace();
    void table();
    void cliDemoPasses();
    void cliBrokenFails();
    void cliJson();
    void cliBaseUrl();
    void cliWithoutProduct();

private:
    QList<TargetCheck> m_broken;
};

void TestTargetLint::initTestCase()
{
    m_broken = lint(kBroken, QString::fromStdString(kBroken + "/app"));
    QVERIFY(!m_broken.isEmpty());
}

void TestTargetLint::demoWorkspaceIsClean()
{
    const QList<TargetCheck> checks = lint(kDemo, QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-product"));
    QCOMPARE(checks.size(), 13); // every step of the five demo tours
    for (const TargetCheck& check : checks)
        QVERIFY2(!check.isProblem(),
            qPrintable(u"%1 step %2 (%3 on %4): %5"_qs.arg(check.tourId)
                           .arg(check.step + 1)
                           .arg(check.selector, check.path, describeStatus(check))));
    // The parameterised routes were opened with recorded pages.
    const auto invite = std::find_if(
        checks.begin(), checks.end(), [](const TargetCheck& c) { return c.tourId == u"invite-teammate"_qs; });
    QVERIFY(invite != checks.end());
    QVERIFY2(invite->path.startsWith(u"/projects/"_qs), qPrintable(invite->path));
}

void TestTargetLint::brokenWorkspace_data()
{
    QTest::addColumn<QString>("tour");
    QTest::addColumn<int>("step");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("described");
    QTest::newRow("found") << u"good"_qs << 0 << u"/home"_qs << static_cast<int>(LintStatus::Found) << u"found"_qs;
    QTest::newRow("found-after-waiting") << u"good"_qs << 1 << u"/home"_qs << static_cast<int>(LintStatus::Found)
                                         << u"found"_qs;
    QTest::newRow("not-found") << u"broken"_qs << 0 << u"/home"_qs << static_cast<int>(LintStatus::NotFound)
                               << u"not found"_qs;
    QTest::newRow("found-twice") << u"broken"_qs << 1 << u"/home"_qs << static_cast<int>(LintStatus::Multiple)
                                 << u"found 2 times: span.dup, span.dup"_qs;
    QTest::newRow("display-none") << u"broken"_qs << 2 << u"/home"_qs << static_cast<int>(LintStatus::Hidden)
                                  << u"hidden: display: none"_qs;
    QTest::newRow("zero-size") << u"broken"_qs << 3 << u"/home"_qs << static_cast<int>(LintStatus::Hidden)
                               << u"hidden: zero size (0×0)"_qs;
    QTest::newRow("covered") << u"broken"_qs << 4 << u"/home"_qs << static_cast<int>(LintStatus::Covered)
                             << u"covered: by div.banner"_qs;
    QTest::newRow("sample-from-sessions")
        << u"item"_qs << 0 << u"/items/42"_qs << static_cast<int>(LintStatus::Found) << u"found"_qs;
    QTest::newRow("no-sample") << u"order"_qs << 0 << QString() << static_cast<int>(LintStatus::NoSample)
                               << u"no sample value: no recorded session visited a page matching /orders/:id"_qs;
}

void TestTargetLint::brokenWorkspace()
{
    QFETCH(QString, tour);
    QFETCH(int, step);
    QFETCH(QString, path);
    QFETCH(int, status);
    QFETCH(QString, described);
    const auto it = std::find_if(m_broken.begin(), m_broken.end(),
        [&](const TargetCheck& check) { return check.tourId == tour && check.step == step; });
    QVERIFY(it != m_broken.end());
    QCOMPARE(it->path, path);
    QCOMPARE(static_cast<int>(it->status), status);
    QCOMPARE(describeStatus(*it), described);
}

void TestTargetLint::table()
{
    const QStringList lines = lintTable(m_broken).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1 + 9);
    QVERIFY(lines[0].startsWith(u"TOUR"_qs));
    QVERIFY(lines[0].contains(u"RESULT"_qs));
    // Columns line up: every row has its PAGE where the header has it.
    const qsizetype page = lines[0].indexOf(u"PAGE"_qs);
    QCOMPARE(lines[1].mid(page, 5), u"/home"_qs);
    QVERIFY(lines.last().contains(u"✗ no sample value"_qs));
}

void TestTargetLint::cliDemoPasses()
{
    const Run run = studio({ u"lint-tours"_qs, QString::fromStdString(kDemo) });
    QVERIFY2(run.exitCode == 0, qPrintable(run.out + run.err));
    QVERIFY2(run.out.contains(u"OK: 13 targets of 5 tours checked on http://127.0.0.1:"_qs), qPrintable(run.out));
}

void TestTargetLint::cliBrokenFails()
{
    const Run run = studio({ u"lint-tours"_qs, QString::fromStdString(kBroken) });
    QVERIFY2(run.exitCode == 1, qPrintable(run.out + run.err));
    QVERIFY(run.out.contains(u"covered: by div.banner"_qs));
    QVERIFY(run.out.contains(u"found 2 times"_qs));
    QVERIFY2(run.out.contains(u"6 problems: 9 targets of 4 tours checked on"_qs), qPrintable(run.out));
}

void TestTargetLint::cliJson()
{
    const Run run = studio({ u"lint-tours"_qs, QString::fromStdString(kBroken), u"--json"_qs });
    QCOMPARE(run.exitCode, 1);
    const QJsonObject result = QJsonDocument::fromJson(run.out.toUtf8()).object();
    QCOMPARE(result[u"ok"].toBool(true), false);
    const QJsonArray checks = result[u"checks"].toArray();
    QCOMPARE(checks.size(), 9);
    QCOMPARE(checks[6].toObject()[u"status"].toString(), u"covered"_qs);
    QCOMPARE(checks[6].toObject()[u"tour"].toString(), u"broken"_qs);
    QCOMPARE(checks[6].toObject()[u"step"].toInt(), 5);
}

void TestTargetLint::cliBaseUrl()
{
    StaticSiteServer server;
    QVERIFY(server.start(QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-product")));
    // The test's event loop must keep serving while the child process lints.
    QProcess process;
    process.start(
        kStudio, { u"lint-tours"_qs, QString::fromStdString(kDemo), u"--base-url"_qs, server.url().toString() });
    TRY_COMPARE_WITH_TIMEOUT(process.state(), QProcess::NotRunning, kLintTimeoutMs);
    const QString out = QString::fromUtf8(process.readAllStandardOutput());
    QVERIFY2(process.exitCode() == 0, qPrintable(out + QString::fromUtf8(process.readAllStandardError())));
    QVERIFY(out.contains(u"checked on "_qs + server.url().toString()));
    QVERIFY(server.documentsServed() >= 5);
}

void TestTargetLint::cliWithoutProduct()
{
    const Run missing = studio({ u"lint-tours"_qs, QStringLiteral(PROACTIVE_TEST_DATA "/workspaces/broken") });
    QCOMPARE(missing.exitCode, 2);
    QVERIFY2(missing.err.contains(u"no \"site\" in studio.json"_qs), qPrintable(missing.err));
    const Run usage = studio({ u"lint-tours"_qs });
    QCOMPARE(usage.exitCode, 2);
    const Run badUrl = studio({ u"lint-tours"_qs, QString::fromStdString(kDemo), u"--base-url"_qs, u"ftp://x"_qs });
    QCOMPARE(badUrl.exitCode, 2);
}

QTEST_MAIN(TestTargetLint)
#include "tst_targetlint.moc"
