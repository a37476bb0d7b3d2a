// The offline Dify app's answers for the bundled demo catalog, as a table:
// question × current page → tour tag and reason; plus the answer's shape.

#include "chat/tourtag.h"
#include "demoworkspace.h"
#include "touranswer.h"
#include "tourcatalog.h"

#include <QTest>

using namespace proactive;
using proactive::testing::demoCatalog;

namespace {

std::vector<std::string> idsOf(const TourCatalog& catalog)
{
    std::vector<std::string> ids;
    for (const Tour& tour : catalog.tours())
        ids.push_back(tour.id);
    return ids;
}

const QString kPrefill = u"I could use some help with what I'm currently doing."_qs;

} // namespace

class TestTourAnswer final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void demoAnswers_data();
    void demoAnswers();
    void answerText();
    void needsPageAnswerExplainsNavigation();
    void noMatchListsTheTours();
    void emptyCatalog();
    void deterministic();
};

void TestTourAnswer::demoAnswers_data()
{
    QTest::addColumn<QString>("question");
    QTest::addColumn<QString>("page");
    QTest::addColumn<QString>("tour");
    QTest::addColumn<QString>("reason");

    const auto row = [](const char* name, QString question, QString page, QString tour, QString reason) {
        QTest::newRow(name) << question << page << tour << reason;
    };
    // Rule 1: the question's words against "Use when" / "NOT for".
    row("create-anywhere", u"How do I create a new project?"_qs, u""_qs, u"create-project"_qs, u"question"_qs);
    row("create-on-projects", u"How do I create a new project?"_qs, u"/projects"_qs, u"create-project"_qs,
        u"question"_qs);
    row("set-up-project", u"How can I set up a project for my team?"_qs, u"/settings/account"_qs, u"create-project"_qs,
        u"question"_qs);
    row("cannot-find-project", u"I can't find my project anywhere"_qs, u"/projects"_qs, u"find-project"_qs,
        u"question"_qs);
    row("open-existing", u"how do I open an existing project"_qs, u""_qs, u"find-project"_qs, u"question"_qs);
    row("password", u"How do I change my password?"_qs, u""_qs, u"account-settings"_qs, u"question"_qs);
    row("email-elsewhere", u"I need to change my email address"_qs, u"/projects"_qs, u"account-settings"_qs,
        u"question"_qs);
    row("profile-name", u"Where do I update my name?"_qs, u"/projects/:slug"_qs, u"account-settings"_qs,
        u"question"_qs);
    // Rule 3: parameterised routes only on a matching page.
    row("invite-on-project-page", u"How can I invite a colleague to this project?"_qs, u"/projects/:slug"_qs,
        u"invite-teammate"_qs, u"question"_qs);
    row("invite-on-full-canonical-url", u"How do I add a teammate?"_qs,
        u"https://app.acme.test/projects/website-redesign"_qs, u"invite-teammate"_qs, u"question"_qs);
    row("invite-on-list-page", u"How can I invite a colleague to this project?"_qs, u"/projects"_qs, u"none"_qs,
        u"needs_page"_qs);
    row("invite-page-unknown", u"share the project with a teammate"_qs, u""_qs, u"none"_qs, u"needs_page"_qs);
    row("rename-on-settings", u"How do I rename my project?"_qs, u"/projects/:slug/settings"_qs, u"project-settings"_qs,
        u"question"_qs);
    row("delete-on-project-page", u"How do I delete this project?"_qs, u"/projects/:slug"_qs, u"none"_qs,
        u"needs_page"_qs);
    row("visibility-on-settings", u"Can I change the visibility?"_qs, u"/projects/:slug/settings"_qs,
        u"project-settings"_qs, u"question"_qs);
    // Rule 2: a generic request for help gets the tour of the current page.
    row("prefill-on-projects", kPrefill, u"/projects"_qs, u"create-project"_qs, u"current_page"_qs);
    row("prefill-on-project", kPrefill, u"/projects/:slug"_qs, u"invite-teammate"_qs, u"current_page"_qs);
    row("prefill-on-project-settings", kPrefill, u"https://app.acme.test/projects/:slug/settings"_qs,
        u"project-settings"_qs, u"current_page"_qs);
    row("prefill-on-account", kPrefill, u"/settings/account"_qs, u"account-settings"_qs, u"current_page"_qs);
    row("help-me-on-account", u"Can you help me?"_qs, u"/settings/account"_qs, u"account-settings"_qs,
        u"current_page"_qs);
    row("prefill-page-unknown", kPrefill, u""_qs, u"none"_qs, u"no_match"_qs);
    row("prefill-on-page-without-tour", kPrefill, u"/billing"_qs, u"none"_qs, u"no_match"_qs);
    // Nothing fits.
    row("export-report", u"How do I export a report to PDF?"_qs, u"/projects"_qs, u"none"_qs, u"no_match"_qs);
    row("other-language", u"Wie exportiere ich Berichte?"_qs, u"/projects"_qs, u"none"_qs, u"no_match"_qs);
}

void TestTourAnswer::demoAnswers()
{
    QFETCH(QString, question);
    QFETCH(QString, page);
    QFETCH(QString, tour);
    QFETCH(QString, reason);
    const TourAnswer answer = composeTourAnswer(demoCatalog(), question.toStdString(), page.toStdString());
    QCOMPARE(QString::fromStdString(answer.tourId), tour);
    QCOMPARE(QString::fromStdString(std::string(nameOf(answer.reason))), reason);

    // Rule 4: exactly one tag, alone on the last line; the client reads it back.
    const std::string& text = answer.text;
    const auto lastLine = text.substr(text.rfind('\n') + 1);
    QCOMPARE(QString::fromStdString(lastLine), u"[TOUR:%1]"_qs.arg(tour));
    const TourTag tag = extractTourTag(text, idsOf(demoCatalog()));
    QCOMPARE(tag.ids.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(tag.id), tour);
    QCOMPARE(tag.offersTour(), tour != u"none"_qs);
    // Rule 5: always an answer in words.
    QVERIFY(tag.text.size() > 40);
}

void TestTourAnswer::answerText()
{
    const TourAnswer answer = composeTourAnswer(demoCatalog(), "How do I create a new project?", "/projects");
    QCOMPARE(QString::fromStdString(answer.text),
        u"**Creating a project**: here is how.\n\n"
        "1. **Create a project**: Click \"Add Project\" (top right) to open the creation dialog, then give the "
        "project a name.\n\n"
        "Press \"Show me how\" and I will point at each step on the page.\n"
        "[TOUR:create-project]"_qs);
    QVERIFY(answer.tour);
    QCOMPARE(answer.tour->id, std::string("create-project"));

    const TourAnswer elsewhere = composeTourAnswer(demoCatalog(), "How do I change my password?", "/projects");
    QVERIFY2(
        elsewhere.text.find("This happens on /settings/account; the walkthrough takes you there.") != std::string::npos,
        elsewhere.text.c_str());
    QVERIFY(
        elsewhere.text.find("4. **Save**: Click \"Save\" to apply the name and email changes.") != std::string::npos);
}

void TestTourAnswer::needsPageAnswerExplainsNavigation()
{
    const TourAnswer answer = composeTourAnswer(demoCatalog(), "How do I invite a teammate?", "/projects");
    QCOMPARE(answer.reason, TourAnswerReason::NeedsPage);
    QVERIFY(answer.tour);
    QCOMPARE(answer.tour->id, std::string("invite-teammate"));
    QVERIFY2(answer.text.find("This happens on a page like /projects/:slug") != std::string::npos, answer.text.c_str());
    QVERIFY(answer.text.find("2. **Invite a teammate**") != std::string::npos);
    QVERIFY(answer.text.ends_with("\n[TOUR:none]"));
}

void TestTourAnswer::noMatchListsTheTours()
{
    const TourAnswer answer = composeTourAnswer(demoCatalog(), "How do I export a report?", "");
    QVERIFY(!answer.tour);
    for (const Tour& tour : demoCatalog().tours())
        QVERIFY2(answer.text.find("- " + tour.name + "\n") != std::string::npos, tour.name.c_str());
}

void TestTourAnswer::emptyCatalog()
{
    const TourAnswer answer = composeTourAnswer(TourCatalog(), "How do I create a project?", "/projects");
    QCOMPARE(answer.reason, TourAnswerReason::NoTours);
    QCOMPARE(answer.tourId, std::string("none"));
    QVERIFY(answer.text.ends_with("\n[TOUR:none]"));
}

void TestTourAnswer::deterministic()
{
    const auto first = composeTourAnswer(demoCatalog(), kPrefill.toStdString(), "/projects/:slug/settings").text;
    for (int i = 0; i < 5; ++i)
        QCOMPARE(composeTourAnswer(demoCatalog(), kPrefill.toStdString(), "/projects/:slug/settings").text, first);
}

QTEST_GUILESS_MAIN(TestTourAnswer)
#include "tst_touranswer.moc"
