// The [TOUR:<id>] tag (SPEC §5): extraction at message_end and the
// streaming display filter.

#include "chat/tourtag.h"
#include "printers.h"

#include <QTest>

using namespace proactive;

Q_DECLARE_METATYPE(proactive::TourTagStatus)

namespace QTest {
template<> inline char* toString(const proactive::TourTagStatus& status)
{
    return qstrdup(std::string(proactive::nameOf(status)).c_str());
}
} // namespace QTest

namespace {

const std::vector<std::string> kCatalog { "create-project", "account-settings", "find_project2" };

} // namespace

class TestTourTag final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void extract_data();
    void extract();
    void tagSplitAcrossTokensResolvesAtMessageEnd();
    void streamFilter_data();
    void streamFilter();
};

void TestTourTag::extract_data()
{
    QTest::addColumn<QString>("answer");
    QTest::addColumn<QString>("text");
    QTest::addColumn<TourTagStatus>("status");
    QTest::addColumn<QString>("id");
    QTest::addColumn<int>("tags");

    const auto row = [](const char* name, QString answer, QString text, TourTagStatus status, QString id, int tags) {
        QTest::newRow(name) << answer << text << status << id << tags;
    };
    using S = TourTagStatus;
    row("none", u"No walkthrough for that.\n[TOUR:none]"_qs, u"No walkthrough for that."_qs, S::None, u"none"_qs, 1);
    row("known-last-line", u"Click Add Project.\n[TOUR:create-project]"_qs, u"Click Add Project."_qs, S::Known,
        u"create-project"_qs, 1);
    row("unknown-id", u"Here is how.\n[TOUR:delete-everything]"_qs, u"Here is how."_qs, S::Unknown,
        u"delete-everything"_qs, 1);
    row("id-with-dashes-and-underscores", u"Find it.\n[TOUR:find_project2]"_qs, u"Find it."_qs, S::Known,
        u"find_project2"_qs, 1);
    row("tag-mid-text", u"Click here [TOUR:create-project] to start."_qs, u"Click here to start."_qs, S::Known,
        u"create-project"_qs, 1);
    row("tag-before-punctuation", u"That is all [TOUR:create-project]."_qs, u"That is all."_qs, S::Known,
        u"create-project"_qs, 1);
    row("tag-opens-the-line", u"[TOUR:create-project] Start here."_qs, u"Start here."_qs, S::Known,
        u"create-project"_qs, 1);
    row("tag-glued-to-words", u"abc[TOUR:none]def"_qs, u"abcdef"_qs, S::None, u"none"_qs, 1);
    row("two-tags-last-decides", u"Maybe [TOUR:account-settings] helps.\n[TOUR:create-project]"_qs, u"Maybe helps."_qs,
        S::Known, u"create-project"_qs, 2);
    row("two-tags-last-is-none", u"See [TOUR:create-project].\n[TOUR:none]"_qs, u"See."_qs, S::None, u"none"_qs, 2);
    row("two-tags-last-unknown", u"[TOUR:create-project]\n[TOUR:nope]"_qs, u""_qs, S::Unknown, u"nope"_qs, 2);
    row("no-tag", u"Just text."_qs, u"Just text."_qs, S::Absent, u""_qs, 0);
    row("crlf-tag-line", u"Answer.\r\n[TOUR:none]\r\n"_qs, u"Answer."_qs, S::None, u"none"_qs, 1);
    row("tag-line-between-paragraphs", u"First.\n[TOUR:none]\nSecond."_qs, u"First.\nSecond."_qs, S::None, u"none"_qs,
        1);
    row("markdown-kept", u"**Creating**\n\n1. Step\n\n[TOUR:create-project]"_qs, u"**Creating**\n\n1. Step"_qs,
        S::Known, u"create-project"_qs, 1);
    row("only-the-tag", u"[TOUR:none]"_qs, u""_qs, S::None, u"none"_qs, 1);
    row("lowercase-tour-is-not-a-tag", u"[tour:create-project]"_qs, u"[tour:create-project]"_qs, S::Absent, u""_qs, 0);
    row("space-inside-is-not-a-tag", u"[TOUR: create-project]"_qs, u"[TOUR: create-project]"_qs, S::Absent, u""_qs, 0);
    row("empty-id-is-not-a-tag", u"[TOUR:]"_qs, u"[TOUR:]"_qs, S::Absent, u""_qs, 0);
    row("dot-in-id-is-not-a-tag", u"[TOUR:a.b]"_qs, u"[TOUR:a.b]"_qs, S::Absent, u""_qs, 0);
    row("unclosed-is-not-a-tag", u"End [TOUR:create-project"_qs, u"End [TOUR:create-project"_qs, S::Absent, u""_qs, 0);
    row("none-is-case-sensitive", u"x\n[TOUR:None]"_qs, u"x"_qs, S::Unknown, u"None"_qs, 1);
    row("nested-bracket", u"[[TOUR:none]]"_qs, u"[]"_qs, S::None, u"none"_qs, 1);
    row("html-stays-text", u"<script>alert(1)</script>\n[TOUR:none]"_qs, u"<script>alert(1)</script>"_qs, S::None,
        u"none"_qs, 1);
    // Nested tags close innermost first; the outer one closes last and decides (issue 13).
    row("nested-tag", u"[TOUR:[TOUR:x]x]"_qs, u""_qs, S::Unknown, u"x"_qs, 2);
    row("nested-outer-decides", u"Go.\n[TOUR:[TOUR:account-settings]create-project]"_qs, u"Go."_qs, S::Known,
        u"create-project"_qs, 2);
    row("nested-three-deep", u"a [TOUR:[TOUR:[TOUR:x]y]none] b"_qs, u"a b"_qs, S::None, u"none"_qs, 3);
    row("tag-inside-the-opener", u"[TO[TOUR:none]UR:create-project]"_qs, u""_qs, S::Known, u"create-project"_qs, 2);
    row("nested-then-text", u"[[TOUR[[TO[TOUR:T]UR:T]x"_qs, u"[[TOUR[x"_qs, S::Unknown, u"T"_qs, 2);
    row("unclosed-outer-stays-text", u"[TOUR:[TOUR:none]"_qs, u"[TOUR:"_qs, S::None, u"none"_qs, 1);
}

void TestTourTag::extract()
{
    QFETCH(QString, answer);
    QFETCH(QString, text);
    QFETCH(TourTagStatus, status);
    QFETCH(QString, id);
    QFETCH(int, tags);
    const TourTag tag = extractTourTag(answer.toStdString(), kCatalog);
    QCOMPARE(QString::fromStdString(tag.text), text);
    QCOMPARE(tag.status, status);
    QCOMPARE(QString::fromStdString(tag.id), id);
    QCOMPARE(tag.ids.size(), std::size_t(tags));
    QCOMPARE(tag.offersTour(), status == TourTagStatus::Known);
}

void TestTourTag::tagSplitAcrossTokensResolvesAtMessageEnd()
{
    const std::vector<std::string> tokens { "Click \"Add Project\".\n[TO", "UR:create-", "project]" };
    std::string answer;
    for (const std::string& token : tokens) {
        answer += token;
        // Before message_end the tag may be incomplete: no decision yet.
        if (&token != &tokens.back())
            QCOMPARE(extractTourTag(answer, kCatalog).status, TourTagStatus::Absent);
    }
    const TourTag tag = extractTourTag(answer, kCatalog);
    QCOMPARE(tag.status, TourTagStatus::Known);
    QCOMPARE(tag.id, std::string("create-project"));
    QCOMPARE(tag.text, std::string("Click \"Add Project\"."));
}

void TestTourTag::streamFilter_data()
{
    QTest::addColumn<QStringList>("pieces");
    QTest::addColumn<QStringList>("shown"); // what each push returns

    QTest::newRow("plain-text") << QStringList { u"Hello "_qs, u"world"_qs }
                                << QStringList { u"Hello "_qs, u"world"_qs };
    QTest::newRow("tag-split-across-pieces") << QStringList { u"Done.\n[TO"_qs, u"UR:create-"_qs, u"project]"_qs }
                                             << QStringList { u"Done.\n"_qs, u""_qs, u""_qs };
    QTest::newRow("whole-tag-in-one-piece") << QStringList { u"A [TOUR:none] B"_qs } << QStringList { u"A  B"_qs };
    QTest::newRow("bracket-that-is-not-a-tag")
        << QStringList { u"see ["_qs, u"1] and [x]"_qs } << QStringList { u"see "_qs, u"[1] and [x]"_qs };
    QTest::newRow("prefix-then-other-text")
        << QStringList { u"[TOUR"_qs, u" is a word"_qs } << QStringList { u""_qs, u"[TOUR is a word"_qs };
    QTest::newRow("id-then-invalid-char")
        << QStringList { u"[TOUR:ab"_qs, u".c]"_qs } << QStringList { u""_qs, u"[TOUR:ab.c]"_qs };
    QTest::newRow("two-tags") << QStringList { u"x[TOUR:a][TOUR:"_qs, u"b]y"_qs } << QStringList { u"x"_qs, u"y"_qs };
    QTest::newRow("nested-tag-in-one-piece") << QStringList { u"[TOUR:[TOUR:x]x]"_qs } << QStringList { u""_qs };
    QTest::newRow("nested-tag-across-pieces")
        << QStringList { u"a [TO"_qs, u"[TOUR:x"_qs, u"]UR:y] b"_qs } << QStringList { u"a "_qs, u""_qs, u" b"_qs };
    QTest::newRow("held-pieces-that-cannot-nest")
        << QStringList { u"[TO[x"_qs, u"]"_qs } << QStringList { u"[TO[x"_qs, u"]"_qs };
}

void TestTourTag::streamFilter()
{
    QFETCH(QStringList, pieces);
    QFETCH(QStringList, shown);
    TourTagStreamFilter filter;
    QStringList actual;
    for (const QString& piece : pieces)
        actual << QString::fromStdString(filter.push(piece.toStdString()));
    QCOMPARE(actual, shown);
}

QTEST_GUILESS_MAIN(TestTourTag)
#include "tst_tourtag.moc"
