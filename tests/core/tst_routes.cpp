#include "intake/routes.h"

#include <QTest>
#include <vector>

using namespace proactive;

class TestRoutes final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void matches_data();
    void matches();
    void findFirst();
};

void TestRoutes::matches_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("pattern");
    QTest::addColumn<bool>("expected");

    QTest::newRow("literal") << QByteArray("/projects") << QByteArray("/projects") << true;
    QTest::newRow("literal-differs") << QByteArray("/project") << QByteArray("/projects") << false;
    QTest::newRow("param") << QByteArray("/projects/acme") << QByteArray("/projects/:slug") << true;
    QTest::newRow("params-and-literals") << QByteArray("/projects/acme/settings")
                                         << QByteArray("/projects/:slug/settings") << true;
    QTest::newRow("param-one-segment-only") << QByteArray("/projects/a/b") << QByteArray("/projects/:slug") << false;
    QTest::newRow("param-not-empty") << QByteArray("/projects//settings") << QByteArray("/projects/:slug/settings")
                                     << false;
    QTest::newRow("missing-segment") << QByteArray("/projects") << QByteArray("/projects/:slug") << false;
    QTest::newRow("trailing-slash-path") << QByteArray("/projects/acme/") << QByteArray("/projects/:slug") << true;
    QTest::newRow("trailing-slash-pattern") << QByteArray("/projects/acme") << QByteArray("/projects/:slug/") << true;
    QTest::newRow("two-trailing-slashes") << QByteArray("/projects/acme//") << QByteArray("/projects/:slug") << false;
    QTest::newRow("regex-dot-literal") << QByteArray("/a.b/(x)") << QByteArray("/a.b/(x)") << true;
    QTest::newRow("regex-dot-not-wildcard") << QByteArray("/axb/(x)") << QByteArray("/a.b/(x)") << false;
    QTest::newRow("regex-parens-literal") << QByteArray("/a.b/x") << QByteArray("/a.b/(x)") << false;
    QTest::newRow("regex-star-literal") << QByteArray("/files/anything") << QByteArray("/files/*") << false;
    QTest::newRow("regex-star-itself") << QByteArray("/files/*") << QByteArray("/files/*") << true;
    QTest::newRow("caret-dollar") << QByteArray("/^a$/b") << QByteArray("/^a$/:x") << true;
    QTest::newRow("root") << QByteArray("/") << QByteArray("/") << true;
    QTest::newRow("root-empty-path") << QByteArray("") << QByteArray("/") << true;
    QTest::newRow("root-vs-page") << QByteArray("/a") << QByteArray("/") << false;
    QTest::newRow("page-vs-root") << QByteArray("/") << QByteArray("/:page") << false;
    QTest::newRow("empty-pattern") << QByteArray("/") << QByteArray("") << false;
    QTest::newRow("empty-segment-literal") << QByteArray("/a//b") << QByteArray("/a//b") << true;
    QTest::newRow("empty-segment-vs-single") << QByteArray("/a//b") << QByteArray("/a/b") << false;
    QTest::newRow("lone-colon-is-literal") << QByteArray("/a/x") << QByteArray("/a/:") << false;
    QTest::newRow("lone-colon-matches-itself") << QByteArray("/a/:") << QByteArray("/a/:") << true;
    QTest::newRow("colon-inside-segment-literal") << QByteArray("/a/file-42") << QByteArray("/a/file-:id") << false;
    QTest::newRow("case-sensitive") << QByteArray("/Projects") << QByteArray("/projects") << false;
    QTest::newRow("full-url-pattern") << QByteArray("/projects/acme")
                                      << QByteArray("https://app.example.com/projects/:slug") << true;
    QTest::newRow("pattern-without-leading-slash")
        << QByteArray("/projects/acme") << QByteArray("projects/:slug") << true;
    QTest::newRow("unicode-literal") << QByteArray("/caf\xC3\xA9/1") << QByteArray("/caf\xC3\xA9/:n") << true;
}

void TestRoutes::matches()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, pattern);
    QFETCH(bool, expected);
    QCOMPARE(matchesRoute(path.toStdString(), pattern.toStdString()), expected);
}

void TestRoutes::findFirst()
{
    const std::vector<std::string> routes { "/projects/new", "/projects/:slug", "/projects/:slug/settings" };
    const auto* route = findRoute("/projects/new", routes);
    QVERIFY(route);
    QCOMPARE(route, &routes[0]);
    route = findRoute("/projects/acme/", routes);
    QVERIFY(route);
    QCOMPARE(route, &routes[1]);
    QCOMPARE(findRoute("/teams", routes), nullptr);
    QCOMPARE(findRoute("/projects", std::vector<std::string> {}), nullptr);
}

QTEST_GUILESS_MAIN(TestRoutes)
#include "tst_routes.moc"
