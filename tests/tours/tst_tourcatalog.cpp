#include "tourcatalog.h"
#include "workspace/workspace.h"

#include <QTest>
#include <nlohmann/json.hpp>

using namespace proactive;
using nlohmann::json;

Q_DECLARE_METATYPE(TourStartAction)

class TestTourCatalog final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void validation_data();
    void validation();
    void parsesFields();
    void notAnArray();
    void pointerPrefix();
    void loadDirectory();
    void loadDuplicateAcrossFiles();
    void loadBrokenFile();
    void loadMissingDirectory();
    void demoWorkspace();
    void planStart_data();
    void planStart();
};

namespace {

const std::string kData = PROACTIVE_TEST_DATA "/tours";

// Two valid tours; validation rows patch the first (RFC 7386 merge patch).
json baseCatalog()
{
    return json::parse(R"([
        {
            "id": "create-project",
            "name": "Creating a project",
            "description": "Use when the user asks how to create a project.\nNOT for editing one.",
            "route": "/projects",
            "steps": [
                { "target": "[data-tour-id=\"add-project-btn\"]", "title": "Create", "content": "Click Add Project.", "placement": "bottom" }
            ]
        },
        {
            "id": "second",
            "name": "Second",
            "description": "Another tour.",
            "route": "/settings/account",
            "steps": [ { "target": "#name", "title": "Name", "content": "Your name." } ]
        }
    ])");
}

QString joined(const Diagnostics& diagnostics)
{
    QStringList lines;
    for (const auto& d : diagnostics)
        lines << QString::fromStdString(d.toString());
    return lines.join(u'\n');
}

TourCatalog loadFixture(const std::string& path)
{
    auto text = readTextFile(path);
    if (!text)
        qFatal("%s", text.error().toString().c_str());
    Diagnostics diagnostics;
    auto document = parseJsonDocument(*text, path, diagnostics);
    auto catalog = parseTourCatalog(*document, path, "", diagnostics);
    if (!diagnostics.empty())
        qFatal("%s", qPrintable(joined(diagnostics)));
    return catalog;
}

} // namespace

void TestTourCatalog::validation_data()
{
    QTest::addColumn<QString>("patch"); // merge patch for tour 0
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<QString>("reason"); // empty: no diagnostic expected
    QTest::addColumn<int>("kept");

    const auto row = [](const char* name, const char* patch, const char* pointer, const char* reason, int kept) {
        QTest::newRow(name) << QString::fromUtf8(patch) << QString::fromUtf8(pointer) << QString::fromUtf8(reason)
                            << kept;
    };
    const auto step = [](const char* fields) {
        return std::string(R"({"steps": [{"target": "#x", "title": "T", "content": "C")") + fields + "}]}";
    };

    row("valid", "{}", "", "", 2);
    row("valid-full-url-route", R"({"route": "https://app.example.com/projects/:slug"})", "", "", 2);
    row("valid-http-uppercase-scheme", R"({"route": "HTTP://localhost:5173/projects"})", "", "", 2);
    row("valid-root-route", R"({"route": "/"})", "", "", 2);
    row("valid-id-underscore-digits", R"({"id": "Tour_2-b"})", "", "", 2);
    row("valid-placement-missing", step("").c_str(), "", "", 2);
    row("valid-placement-left", step(R"(, "placement": "left")").c_str(), "", "", 2);

    row("id-missing", R"({"id": null})", "/0/id", "missing required field", 1);
    row("id-number", R"({"id": 7})", "/0/id", "expected a string, found a number", 1);
    row("id-blank", R"({"id": "  "})", "/0/id", "must not be blank", 1);
    row("id-space", R"({"id": "create project"})", "/0/id", "may only contain ASCII letters, digits, _ and -", 1);
    row("id-bracket", R"({"id": "a]b"})", "/0/id", "may only contain", 1);
    row("id-non-ascii", R"({"id": "créer"})", "/0/id", "may only contain", 1);
    row("id-none-reserved", R"({"id": "none"})", "/0/id", "\"none\" is reserved", 1);
    row("id-None-reserved", R"({"id": "None"})", "/0/id", "\"None\" is reserved", 1);
    row("id-duplicate", R"({"id": "second"})", "/1/id", "duplicate tour id \"second\" (first defined at /0)", 1);

    row("name-missing", R"({"name": null})", "/0/name", "missing required field", 1);
    row("name-blank", R"({"name": "\t"})", "/0/name", "must not be blank", 1);
    row("description-blank", R"({"description": " \n "})", "/0/description", "must not be blank", 1);
    row("description-array", R"({"description": ["Use when"]})", "/0/description", "expected a string, found an array",
        1);

    row("route-missing", R"({"route": null})", "/0/route", "missing required field", 1);
    row("route-relative", R"({"route": "projects"})", "/0/route", "a path starting with /", 1);
    row("route-ftp", R"({"route": "ftp://example.com/projects"})", "/0/route", "a path starting with /", 1);
    row("route-no-host", R"({"route": "https:///projects"})", "/0/route", "needs a host", 1);
    row("route-query", R"({"route": "/projects?tab=mine"})", "/0/route", "must not have a query or fragment", 1);
    row("route-fragment", R"({"route": "/projects#top"})", "/0/route", "must not have a query or fragment", 1);
    row("route-trailing-slash", R"({"route": "/projects/"})", "/0/route", "must not end with /", 1);
    row("route-empty-segment", R"({"route": "/projects//settings"})", "/0/route", "empty segment", 1);
    row("route-protocol-relative", R"({"route": "//example.com/projects"})", "/0/route", "empty segment", 1);
    row("route-unnamed-param", R"({"route": "/projects/:/settings"})", "/0/route", "needs a name", 1);
    row("route-space", R"({"route": "/my projects"})", "/0/route", "must not contain spaces", 1);

    row("unknown-field", R"({"titel": "x"})", "/0/titel", "unknown field", 1);
    row("unknown-field-escaped", R"({"a/b~c": 1})", "/0/a~1b~0c", "unknown field", 1);

    row("steps-missing", R"({"steps": null})", "/0/steps", "missing required field", 1);
    row("steps-empty", R"({"steps": []})", "/0/steps", "at least one step", 1);
    row("steps-object", R"({"steps": {"target": "#x"}})", "/0/steps", "expected an array of steps, found an object", 1);
    row("step-not-object", R"({"steps": [42]})", "/0/steps/0", "expected an object, found a number", 1);
    row("step-target-missing", R"({"steps": [{"title": "T", "content": "C"}]})", "/0/steps/0/target",
        "missing required field", 1);
    row("step-title-blank", R"({"steps": [{"target": "#x", "title": "", "content": "C"}]})", "/0/steps/0/title",
        "must not be blank", 1);
    row("step-content-number", R"({"steps": [{"target": "#x", "title": "T", "content": 3}]})", "/0/steps/0/content",
        "expected a string", 1);
    row("step-placement-auto", step(R"(, "placement": "auto")").c_str(), "/0/steps/0/placement",
        "expected one of top, bottom, left, right; found \"auto\"", 1);
    row("step-placement-center", step(R"(, "placement": "center")").c_str(), "/0/steps/0/placement", "found \"center\"",
        1);
    row("step-placement-capitalised", step(R"(, "placement": "Top")").c_str(), "/0/steps/0/placement", "found \"Top\"",
        1);
    row("step-placement-number", step(R"(, "placement": 1)").c_str(), "/0/steps/0/placement", "expected a string", 1);
    row("step-unknown-field", step(R"(, "selector": "#y")").c_str(), "/0/steps/0/selector", "unknown field", 1);
    row("step-selector-unterminated",
        R"({"steps": [{"target": "[data-tour-id=\"add-project-btn]", "title": "T", "content": "C"}]})",
        "/0/steps/0/target", "invalid CSS selector: unterminated string at column 15", 1);
    row("step-selector-number-value", R"({"steps": [{"target": "[data-id=1]", "title": "T", "content": "C"}]})",
        "/0/steps/0/target", "invalid CSS selector: attribute value '1' must be quoted at column 10", 1);
    row("second-step-bad-selector",
        R"({"steps": [{"target": "#ok", "title": "T", "content": "C"}, {"target": "div >", "title": "T", "content": "C"}]})",
        "/0/steps/1/target", "invalid CSS selector: expected a selector but found end of selector at column 6", 1);
}

void TestTourCatalog::validation()
{
    QFETCH(QString, patch);
    QFETCH(QString, pointer);
    QFETCH(QString, reason);
    QFETCH(int, kept);

    json catalog = baseCatalog();
    catalog[0].merge_patch(json::parse(patch.toStdString()));
    Diagnostics diagnostics;
    const TourCatalog parsed = parseTourCatalog(catalog, "tours/test.json", "", diagnostics);

    if (reason.isEmpty()) {
        QVERIFY2(diagnostics.empty(), qPrintable(joined(diagnostics)));
    } else {
        QCOMPARE(diagnostics.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(diagnostics[0].file), u"tours/test.json"_qs);
        QCOMPARE(QString::fromStdString(diagnostics[0].path), pointer);
        QVERIFY2(QString::fromStdString(diagnostics[0].message).contains(reason), diagnostics[0].message.c_str());
    }
    QCOMPARE(int(parsed.tours().size()), kept);
}

void TestTourCatalog::parsesFields()
{
    Diagnostics diagnostics;
    const TourCatalog catalog = parseTourCatalog(baseCatalog(), "t.json", "", diagnostics);
    QVERIFY(diagnostics.empty());
    QCOMPARE(catalog.tours().size(), std::size_t(2));
    const Tour* tour = catalog.find("create-project");
    QVERIFY(tour);
    QCOMPARE(tour, &catalog.tours()[0]);
    QCOMPARE(tour->name, std::string("Creating a project"));
    QCOMPARE(tour->description, std::string("Use when the user asks how to create a project.\nNOT for editing one."));
    QCOMPARE(tour->route, std::string("/projects"));
    QCOMPARE(tour->steps.size(), std::size_t(1));
    QCOMPARE(tour->steps[0].target, std::string("[data-tour-id=\"add-project-btn\"]"));
    QCOMPARE(tour->steps[0].title, std::string("Create"));
    QCOMPARE(tour->steps[0].content, std::string("Click Add Project."));
    QVERIFY(tour->steps[0].placement == TourPlacement::Bottom);
    QVERIFY(catalog.tours()[1].steps[0].placement == TourPlacement::Bottom); // the default
    QVERIFY(!catalog.find("Create-Project"));
    QVERIFY(!catalog.find("none"));
}

void TestTourCatalog::notAnArray()
{
    Diagnostics diagnostics;
    const auto catalog = parseTourCatalog(json { { "tours", baseCatalog() } }, "tours/wrapped.json", "", diagnostics);
    QVERIFY(catalog.empty());
    QCOMPARE(diagnostics.size(), std::size_t(1));
    QCOMPARE(diagnostics[0].path, std::string());
    QVERIFY(diagnostics[0].message.starts_with("expected an array of tours"));
    QVERIFY(diagnostics[0].message.ends_with("found an object"));
}

void TestTourCatalog::pointerPrefix()
{
    json catalog = baseCatalog();
    catalog[1]["steps"][0]["placement"] = "middle";
    Diagnostics diagnostics;
    const auto parsed = parseTourCatalog(catalog, "products.json", "/0/tours", diagnostics);
    QCOMPARE(parsed.tours().size(), std::size_t(1));
    QCOMPARE(diagnostics.size(), std::size_t(1));
    QCOMPARE(diagnostics[0].path, std::string("/0/tours/1/steps/0/placement"));
}

void TestTourCatalog::loadDirectory()
{
    Diagnostics diagnostics;
    const auto catalog = loadTourCatalogDir(kData + "/load/ok", diagnostics);
    QVERIFY2(diagnostics.empty(), qPrintable(joined(diagnostics)));
    QCOMPARE(catalog.tours().size(), std::size_t(2));
    QCOMPARE(catalog.tours()[0].id, std::string("create-project")); // 10-projects.json sorts first
    QCOMPARE(catalog.tours()[1].id, std::string("account-settings"));
    QVERIFY(catalog.tours()[1].steps[0].placement == TourPlacement::Right);

    Diagnostics again;
    const auto trailingSlash = loadTourCatalogDir(kData + "/load/ok/", again);
    QVERIFY(again.empty());
    QCOMPARE(trailingSlash.tours().size(), std::size_t(2));
}

void TestTourCatalog::loadDuplicateAcrossFiles()
{
    Diagnostics diagnostics;
    const auto catalog = loadTourCatalogDir(kData + "/load/duplicate", diagnostics);
    QCOMPARE(diagnostics.size(), std::size_t(1));
    QCOMPARE(diagnostics[0],
        (Diagnostic {
            "duplicate/b.json", "/1/id", "duplicate tour id \"shared\" (first defined in duplicate/a.json at /0)" }));
    QCOMPARE(catalog.tours().size(), std::size_t(2));
    QCOMPARE(catalog.tours()[0].id, std::string("shared"));
    QCOMPARE(catalog.tours()[0].name, std::string("A"));
    QCOMPARE(catalog.tours()[1].id, std::string("only-in-b"));
}

void TestTourCatalog::loadBrokenFile()
{
    Diagnostics diagnostics;
    const auto catalog = loadTourCatalogDir(kData + "/load/broken", diagnostics);
    QCOMPARE(diagnostics.size(), std::size_t(1));
    QCOMPARE(diagnostics[0].file, std::string("broken/a-bad.json"));
    QCOMPARE(diagnostics[0].path, std::string());
    QVERIFY2(diagnostics[0].message.find("line 2") != std::string::npos, diagnostics[0].message.c_str());
    QCOMPARE(catalog.tours().size(), std::size_t(1));
    QCOMPARE(catalog.tours()[0].id, std::string("still-loaded"));
}

void TestTourCatalog::loadMissingDirectory()
{
    Diagnostics diagnostics;
    QVERIFY(loadTourCatalogDir(kData + "/load/does-not-exist", diagnostics).empty());
    QVERIFY(diagnostics.empty());

    const auto file = loadTourCatalogDir(kData + "/load/ok/10-projects.json", diagnostics);
    QVERIFY(file.empty());
    QCOMPARE(diagnostics.size(), std::size_t(1));
    QCOMPARE(diagnostics[0].message, std::string("expected a folder of tour files"));
}

void TestTourCatalog::demoWorkspace()
{
    Diagnostics diagnostics;
    const auto catalog = loadTourCatalogDir(PROACTIVE_SOURCE_DIR "/resources/demo-workspace/tours", diagnostics);
    QVERIFY2(diagnostics.empty(), qPrintable(joined(diagnostics)));
    QVERIFY(catalog.tours().size() >= 4);
    for (const char* id : { "create-project", "project-settings", "account-settings", "invite-teammate" })
        QVERIFY2(catalog.find(id), id);
    // Every target is a data-tour-id hook the demo SPA provides.
    for (const Tour& tour : catalog.tours())
        for (const TourStep& step : tour.steps)
            QVERIFY2(step.target.starts_with("[data-tour-id=\""), step.target.c_str());
}

void TestTourCatalog::planStart_data()
{
    QTest::addColumn<QString>("tourId");
    QTest::addColumn<QString>("currentPath");
    QTest::addColumn<TourStartAction>("action");
    QTest::addColumn<QString>("navigateTo");

    using A = TourStartAction;
    QTest::newRow("on-route") << u"create-project"_qs << u"/projects"_qs << A::StartHere << QString();
    QTest::newRow("on-route-trailing-slash") << u"create-project"_qs << u"/projects/"_qs << A::StartHere << QString();
    QTest::newRow("on-route-with-query") << u"create-project"_qs << u"/projects?tab=mine#top"_qs << A::StartHere
                                         << QString();
    QTest::newRow("on-route-full-url") << u"create-project"_qs << u"https://app.example.com/projects?x=1"_qs
                                       << A::StartHere << QString();
    QTest::newRow("param-route-here") << u"project-settings"_qs << u"/projects/acme/settings"_qs << A::StartHere
                                      << QString();
    QTest::newRow("param-route-here-trailing-slash")
        << u"project-settings"_qs << u"/projects/acme/settings/"_qs << A::StartHere << QString();
    QTest::newRow("param-route-elsewhere")
        << u"project-settings"_qs << u"/settings/account"_qs << A::StartInPlace << QString();
    QTest::newRow("param-route-parent-page")
        << u"project-settings"_qs << u"/projects/acme"_qs << A::StartInPlace << QString();
    QTest::newRow("param-route-empty-param")
        << u"project-settings"_qs << u"/projects//settings"_qs << A::StartInPlace << QString();
    QTest::newRow("concrete-elsewhere") << u"create-project"_qs << u"/settings/account"_qs << A::NavigateThenStart
                                        << u"/projects"_qs;
    QTest::newRow("concrete-below-route")
        << u"create-project"_qs << u"/projects/acme"_qs << A::NavigateThenStart << u"/projects"_qs;
    QTest::newRow("concrete-longer-name")
        << u"create-project"_qs << u"/projectsx"_qs << A::NavigateThenStart << u"/projects"_qs;
    QTest::newRow("full-url-route-here") << u"account-settings"_qs << u"/settings/account/"_qs << A::StartHere
                                         << QString();
    QTest::newRow("full-url-route-elsewhere")
        << u"account-settings"_qs << u"/projects"_qs << A::NavigateThenStart << u"/settings/account"_qs;
    QTest::newRow("root-here") << u"root"_qs << u"/"_qs << A::StartHere << QString();
    QTest::newRow("root-elsewhere") << u"root"_qs << u"/projects"_qs << A::NavigateThenStart << u"/"_qs;
    QTest::newRow("unknown-id") << u"delete-everything"_qs << u"/projects"_qs << A::UnknownTour << QString();
    QTest::newRow("none-id") << u"none"_qs << u"/projects"_qs << A::UnknownTour << QString();
    QTest::newRow("empty-id") << QString() << u"/projects"_qs << A::UnknownTour << QString();
    QTest::newRow("id-is-case-sensitive") << u"Create-Project"_qs << u"/projects"_qs << A::UnknownTour << QString();
}

void TestTourCatalog::planStart()
{
    QFETCH(QString, tourId);
    QFETCH(QString, currentPath);
    QFETCH(TourStartAction, action);
    QFETCH(QString, navigateTo);

    static const TourCatalog catalog = loadFixture(kData + "/start/catalog.json");
    const TourStartPlan plan = planTourStart(catalog, tourId.toStdString(), currentPath.toStdString());
    QCOMPARE(int(plan.action), int(action));
    QCOMPARE(QString::fromStdString(plan.navigateTo), navigateTo);
    if (action == TourStartAction::UnknownTour)
        QVERIFY(!plan.tour);
    else
        QCOMPARE(plan.tour, catalog.find(tourId.toStdString()));
}

QTEST_GUILESS_MAIN(TestTourCatalog)
#include "tst_tourcatalog.moc"
