#include "tourcatalog.h"
#include "tourprompt.h"
#include "workspace/workspace.h"

#include <QTest>
#include <nlohmann/json.hpp>

using namespace proactive;

namespace {

const std::string kPromptData = PROACTIVE_TEST_DATA "/tours/prompt";

std::string readFile(const std::string& path)
{
    auto text = readTextFile(path);
    if (!text)
        qFatal("%s", text.error().toString().c_str());
    return *text;
}

TourCatalog catalogFrom(std::string_view text)
{
    Diagnostics diagnostics;
    auto document = parseJsonDocument(text, "catalog.json", diagnostics);
    auto catalog = parseTourCatalog(*document, "catalog.json", "", diagnostics);
    if (!diagnostics.empty())
        qFatal("%s", diagnostics.front().toString().c_str());
    return catalog;
}

// QCOMPARE on two long strings shows neither usefully; name the first differing line.
void compareLines(const std::string& actual, const std::string& expected)
{
    const QStringList a = QString::fromStdString(actual).split(u'\n');
    const QStringList e = QString::fromStdString(expected).split(u'\n');
    for (qsizetype i = 0; i < std::min(a.size(), e.size()); ++i)
        QVERIFY2(a[i] == e[i], qPrintable(u"line %1:\n  actual:   %2\n  expected: %3"_qs.arg(i + 1).arg(a[i], e[i])));
    QCOMPARE(a.size(), e.size());
}

} // namespace

class TestTourPrompt final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void goldenFile();
    void deterministic();
    void emptyCatalog();
    void noParameterisedRoute();
};

void TestTourPrompt::goldenFile()
{
    const auto catalog = catalogFrom(readFile(kPromptData + "/catalog.json"));
    compareLines(tourPromptSection(catalog), readFile(kPromptData + "/expected.md"));
}

void TestTourPrompt::deterministic()
{
    const std::string text = readFile(kPromptData + "/catalog.json");
    QCOMPARE(tourPromptSection(catalogFrom(text)), tourPromptSection(catalogFrom(text)));
}

void TestTourPrompt::emptyCatalog()
{
    const std::string prompt = tourPromptSection(TourCatalog());
    QVERIFY(prompt.starts_with(
        "## Tour catalog\n\nNo tours are available: always emit [TOUR:none].\n\n## Tour selection rules\n"));
    QVERIFY(prompt.find("(segments like :id)") != std::string::npos);
}

void TestTourPrompt::noParameterisedRoute()
{
    const auto catalog = catalogFrom(R"([{"id": "a", "name": "A", "description": "Use when A.", "route": "/a",
        "steps": [{"target": "#a", "title": "A", "content": "A."}]}])");
    const std::string prompt = tourPromptSection(catalog);
    QVERIFY(prompt.starts_with("## Tour catalog\n\n- a  (route: /a)\n  Use when A.\n\n## Tour selection rules\n"));
    QVERIFY(prompt.find("3. For routes with URL parameters (segments like :id): only emit if the user\n")
        != std::string::npos);
    QVERIFY(prompt.ends_with("the tour is supplementary.\n"));
}

QTEST_GUILESS_MAIN(TestTourPrompt)
#include "tst_tourprompt.moc"
