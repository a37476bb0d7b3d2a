#include "routesamples.h"

#include <QTest>

using namespace proactive;

namespace {

const std::filesystem::path kDemoSessions = PROACTIVE_SOURCE_DIR "/resources/demo-workspace/sessions";
const std::filesystem::path kFixtureSessions = PROACTIVE_TEST_DATA "/workspaces/broken-tours/sessions";

} // namespace

class TestRouteSamples final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void recordedPathsInOrderOnce();
    void missingFolderHasNone();
    void sample_data();
    void sample();
};

void TestRouteSamples::recordedPathsInOrderOnce()
{
    // Query strings are not part of the path; each path once, first visit first.
    QCOMPARE(recordedPagePaths(kFixtureSessions), (std::vector<std::string> { "/home", "/items/42", "/items/7" }));
    const auto demo = recordedPagePaths(kDemoSessions);
    QVERIFY(!demo.empty());
    QCOMPARE(demo.front(), std::string("/projects"));
    QVERIFY(std::find(demo.begin(), demo.end(), "/projects/apollo/settings") != demo.end());
}

void TestRouteSamples::missingFolderHasNone()
{
    QVERIFY(recordedPagePaths(PROACTIVE_TEST_DATA "/no-such-folder").empty());
}

void TestRouteSamples::sample_data()
{
    QTest::addColumn<QString>("route");
    QTest::addColumn<QString>("expected"); // empty: none
    QTest::newRow("first-match-wins") << u"/items/:id"_qs << u"/items/42"_qs;
    QTest::newRow("concrete-route") << u"/home"_qs << u"/home"_qs;
    QTest::newRow("full-url-route") << u"https://app.example.com/items/:id"_qs << u"/items/42"_qs;
    QTest::newRow("no-visit") << u"/orders/:id"_qs << QString();
    QTest::newRow("deeper-route-no-match") << u"/items/:id/edit"_qs << QString();
}

void TestRouteSamples::sample()
{
    QFETCH(QString, route);
    QFETCH(QString, expected);
    const std::vector<std::string> paths { "/home", "/items/42", "/items/7" };
    const auto sample = samplePathForRoute(route.toStdString(), paths);
    QCOMPARE(sample.has_value(), !expected.isEmpty());
    if (sample)
        QCOMPARE(QString::fromStdString(*sample), expected);
}

QTEST_GUILESS_MAIN(TestRouteSamples)
#include "tst_routesamples.moc"
