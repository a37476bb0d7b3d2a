#include "intake/canonicalurl.h"

#include <QTest>
#include <vector>

using namespace proactive;

Q_DECLARE_METATYPE(std::vector<std::string>)

class TestCanonicalUrl final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void canonical_data();
    void canonical();
    void dynamicSegment_data();
    void dynamicSegment();
    void path_data();
    void path();
    void matchesConfigured_data();
    void matchesConfigured();
};

void TestCanonicalUrl::canonical_data()
{
    QTest::addColumn<QByteArray>("url");
    QTest::addColumn<std::vector<std::string>>("routes");
    QTest::addColumn<QByteArray>("expected");

    const std::vector<std::string> none;
    const std::vector<std::string> routes { "/projects/:slug/settings", "/teams/:team/members/", "/docs/:page" };

    QTest::newRow("numeric-id") << QByteArray("https://app.example.com/projects/42") << none
                                << QByteArray("https://app.example.com/projects/:id");
    QTest::newRow("uuid") << QByteArray(
        "https://app.example.com/projects/8F14E45F-CEEA-467F-A0E6-3F7A2B9C1D20/settings")
                          << none << QByteArray("https://app.example.com/projects/:id/settings");
    QTest::newRow("uuidv7") << QByteArray("/s/0191a7e2-6c1d-7b3e-9f4a-2d5c8e1b0a93") << none << QByteArray("/s/:id");
    QTest::newRow("mongo-object-id") << QByteArray("/orders/5f3a9c1e2b4d6f8a0c2e4a6b") << none
                                     << QByteArray("/orders/:id");
    QTest::newRow("hex-12") << QByteArray("/commits/deadbeefcafe") << none << QByteArray("/commits/:id");
    QTest::newRow("hex-11-stays") << QByteArray("/commits/deadbeefcaf") << none << QByteArray("/commits/deadbeefcaf");
    QTest::newRow("stripe-like-id") << QByteArray("/customers/cus_NffrFeUfNV2Hib") << none
                                    << QByteArray("/customers/:id");
    QTest::newRow("short-random-id") << QByteArray("/watch/dQw4w9WgXcQ") << none << QByteArray("/watch/:id");
    QTest::newRow("ulid") << QByteArray("/runs/01HZX3K8J9QW4E5R6T7Y8U9V0W") << none << QByteArray("/runs/:id");
    QTest::newRow("slug-kept") << QByteArray("/projects/my-project") << none << QByteArray("/projects/my-project");
    QTest::newRow("version-kept") << QByteArray("/api/v2/users") << none << QByteArray("/api/v2/users");
    QTest::newRow("step-kept") << QByteArray("/onboarding/step1") << none << QByteArray("/onboarding/step1");
    QTest::newRow("slug-with-year-kept") << QByteArray("/blog/release-2024-notes") << none
                                         << QByteArray("/blog/release-2024-notes");
    QTest::newRow("slug-with-suffix-kept")
        << QByteArray("/guides/python3-tutorial") << none << QByteArray("/guides/python3-tutorial");
    QTest::newRow("query-and-fragment") << QByteArray("https://app.example.com/projects?tab=all#top") << none
                                        << QByteArray("https://app.example.com/projects");
    QTest::newRow("fragment-with-slash") << QByteArray("/app#/projects/42") << none << QByteArray("/app");
    QTest::newRow("trailing-slash") << QByteArray("https://app.example.com/projects/") << none
                                    << QByteArray("https://app.example.com/projects");
    QTest::newRow("root") << QByteArray("https://app.example.com/") << none << QByteArray("https://app.example.com/");
    QTest::newRow("root-without-slash") << QByteArray("https://app.example.com") << none
                                        << QByteArray("https://app.example.com/");
    QTest::newRow("root-query") << QByteArray("https://app.example.com?utm=x") << none
                                << QByteArray("https://app.example.com/");
    QTest::newRow("path-root") << QByteArray("/") << none << QByteArray("/");
    QTest::newRow("uppercase-scheme-host") << QByteArray("HTTPS://App.Example.COM/Projects/New") << none
                                           << QByteArray("https://app.example.com/Projects/New");
    QTest::newRow("default-port-dropped")
        << QByteArray("https://app.example.com:443/a") << none << QByteArray("https://app.example.com/a");
    QTest::newRow("other-port-kept") << QByteArray("http://localhost:5173/a/7") << none
                                     << QByteArray("http://localhost:5173/a/:id");
    QTest::newRow("userinfo-dropped") << QByteArray("https://ana:secret@app.example.com/a") << none
                                      << QByteArray("https://app.example.com/a");
    QTest::newRow("empty-segments") << QByteArray("/projects//42///settings") << none
                                    << QByteArray("/projects/:id/settings");
    QTest::newRow("path-only") << QByteArray("/projects/42/settings?tab=members") << none
                               << QByteArray("/projects/:id/settings");
    QTest::newRow("relative-path") << QByteArray("projects/42") << none << QByteArray("/projects/:id");
    QTest::newRow("blank") << QByteArray("") << none << QByteArray("");
    QTest::newRow("spaces-only") << QByteArray("  ") << none << QByteArray("");
    QTest::newRow("surrounding-spaces") << QByteArray(" /a/1 ") << none << QByteArray("/a/:id");
    QTest::newRow("percent-encoded-kept") << QByteArray("/search/caf%C3%A9") << none << QByteArray("/search/caf%C3%A9");
    QTest::newRow("route-wins") << QByteArray("https://app.example.com/projects/acme/settings?x=1") << routes
                                << QByteArray("https://app.example.com/projects/:slug/settings");
    QTest::newRow("route-wins-over-id") << QByteArray("/projects/42/settings/") << routes
                                        << QByteArray("/projects/:slug/settings");
    QTest::newRow("route-trailing-slash-normalised")
        << QByteArray("/teams/core/members") << routes << QByteArray("/teams/:team/members");
    QTest::newRow("route-first-match") << QByteArray("/docs/intro") << routes << QByteArray("/docs/:page");
    QTest::newRow("no-route-falls-back") << QByteArray("/projects/42/billing") << routes
                                         << QByteArray("/projects/:id/billing");
    QTest::newRow("route-on-collapsed-path")
        << QByteArray("/projects//acme/settings") << routes << QByteArray("/projects/:slug/settings");
    QTest::newRow("full-url-route") << QByteArray("/billing/7/invoices")
                                    << std::vector<std::string> { "https://app.example.com/billing/:account/invoices" }
                                    << QByteArray("/billing/:account/invoices");
    // A canonical URL is its own canonical form (issue 13, found by fuzzing).
    QTest::newRow("space-before-trailing-slash") << QByteArray("J  /") << none << QByteArray("/J");
    QTest::newRow("spaces-around-segments") << QByteArray("/a /  / b/?q") << none << QByteArray("/a/b");
    QTest::newRow("empty-port-twice") << QByteArray("//host::/x") << none << QByteArray("//host/x");
    QTest::newRow("default-port-then-empty") << QByteArray("http://host:80:/x") << none << QByteArray("http://host/x");
    QTest::newRow("route-with-spaces") << QByteArray("/a/b") << std::vector<std::string> { "/a/:x  " }
                                       << QByteArray("/a/:x");
    QTest::newRow("route-query-ignored") << QByteArray("/p/1") << std::vector<std::string> { "/p/:id?tab=x" }
                                         << QByteArray("/p/:id");
}

void TestCanonicalUrl::canonical()
{
    QFETCH(QByteArray, url);
    QFETCH(std::vector<std::string>, routes);
    QFETCH(QByteArray, expected);
    QCOMPARE(QByteArray::fromStdString(canonicalUrl(url.toStdString(), routes)), expected);
}

void TestCanonicalUrl::dynamicSegment_data()
{
    QTest::addColumn<QByteArray>("segment");
    QTest::addColumn<bool>("dynamic");

    QTest::newRow("digits") << QByteArray("42") << true;
    QTest::newRow("one-digit") << QByteArray("0") << true;
    QTest::newRow("uuid-lower") << QByteArray("8f14e45f-ceea-467f-a0e6-3f7a2b9c1d20") << true;
    QTest::newRow("uuid-shape-not-hex") << QByteArray("zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz") << false;
    QTest::newRow("misplaced-dashes-still-an-id") << QByteArray("8f14e45fc-eea-467f-a0e6-3f7a2b9c1d20") << true;
    QTest::newRow("hex-12") << QByteArray("abcdef012345") << true;
    QTest::newRow("sha1") << QByteArray("da39a3ee5e6b4b0d3255bfef95601890afd80709") << true;
    QTest::newRow("mixed-10-two-switches") << QByteArray("ab12cd34ef") << true;
    QTest::newRow("mixed-9") << QByteArray("ab12cd34e") << false;
    QTest::newRow("mixed-one-switch") << QByteArray("ubuntu2204") << false;
    QTest::newRow("words-and-numbers") << QByteArray("top-10-tips-2024") << false;
    QTest::newRow("underscored-id") << QByteArray("pi_3MtwBwLkdIwHu7ix28a3tqPa") << true;
    QTest::newRow("letters-only") << QByteArray("settings") << false;
    QTest::newRow("long-letters-only") << QByteArray("internationalization") << false;
    QTest::newRow("dots") << QByteArray("v1.2.3") << false;
    QTest::newRow("empty") << QByteArray("") << false;
    QTest::newRow("route-param") << QByteArray(":id") << false;
}

void TestCanonicalUrl::dynamicSegment()
{
    QFETCH(QByteArray, segment);
    QFETCH(bool, dynamic);
    QCOMPARE(isDynamicPathSegment(segment.toStdString()), dynamic);
}

void TestCanonicalUrl::path_data()
{
    QTest::addColumn<QByteArray>("url");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("full") << QByteArray("https://a.io/x/y?q=1#f") << QByteArray("/x/y");
    QTest::newRow("no-path") << QByteArray("https://a.io") << QByteArray("/");
    QTest::newRow("no-path-query") << QByteArray("https://a.io?x") << QByteArray("/");
    QTest::newRow("path-only") << QByteArray("/x?y") << QByteArray("/x");
    QTest::newRow("empty") << QByteArray("") << QByteArray("/");
    QTest::newRow("protocol-relative") << QByteArray("//cdn.a.io/lib.js") << QByteArray("/lib.js");
}

void TestCanonicalUrl::path()
{
    QFETCH(QByteArray, url);
    QFETCH(QByteArray, expected);
    const std::string text = url.toStdString();
    QCOMPARE(QByteArray::fromStdString(std::string(urlPath(text))), expected);
}

void TestCanonicalUrl::matchesConfigured_data()
{
    QTest::addColumn<QByteArray>("observed");
    QTest::addColumn<QByteArray>("configured");
    QTest::addColumn<bool>("matches");

    QTest::newRow("path-vs-full") << QByteArray("https://app.example.com/projects?tab=1") << QByteArray("/projects")
                                  << true;
    QTest::newRow("full-vs-full") << QByteArray("https://App.Example.com/projects/")
                                  << QByteArray("https://app.example.com/projects") << true;
    QTest::newRow("other-host") << QByteArray("https://evil.example.com/projects")
                                << QByteArray("https://app.example.com/projects") << false;
    QTest::newRow("other-scheme") << QByteArray("http://app.example.com/projects")
                                  << QByteArray("https://app.example.com/projects") << false;
    QTest::newRow("full-config-vs-path") << QByteArray("/projects") << QByteArray("https://app.example.com/projects")
                                         << false;
    QTest::newRow("param") << QByteArray("https://app.example.com/projects/42") << QByteArray("/projects/:id") << true;
    QTest::newRow("param-needs-segment") << QByteArray("/projects/") << QByteArray("/projects/:id") << false;
    QTest::newRow("literal-differs") << QByteArray("/projects/42") << QByteArray("/projects/43") << false;
    QTest::newRow("case-sensitive-path") << QByteArray("/Projects") << QByteArray("/projects") << false;
    QTest::newRow("root") << QByteArray("https://app.example.com") << QByteArray("/") << true;
    QTest::newRow("empty-config") << QByteArray("/x") << QByteArray("") << false;
    QTest::newRow("prefix-is-not-match") << QByteArray("/projects/42") << QByteArray("/projects") << false;
    QTest::newRow("default-port") << QByteArray("https://app.example.com:443/a")
                                  << QByteArray("https://app.example.com/a") << true;
}

void TestCanonicalUrl::matchesConfigured()
{
    QFETCH(QByteArray, observed);
    QFETCH(QByteArray, configured);
    QFETCH(bool, matches);
    QCOMPARE(urlMatchesConfigured(observed.toStdString(), configured.toStdString()), matches);
}

QTEST_GUILESS_MAIN(TestCanonicalUrl)
#include "tst_canonicalurl.moc"
