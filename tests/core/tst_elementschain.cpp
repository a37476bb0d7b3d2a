#include "intake/elementschain.h"

#include <QTest>
#include <random>

using namespace proactive;

namespace {

// One line per element, every field, so a table row states the whole result.
QByteArray describe(const Element& e)
{
    std::string out = "tag=" + e.tag + " classes=";
    for (std::size_t i = 0; i < e.classes.size(); ++i)
        out += (i ? "," : "") + e.classes[i];
    out += " text=" + e.text + " id=" + e.id + " href=" + e.href + " name=" + e.name;
    out += " nth=" + (e.nthChild ? std::to_string(*e.nthChild) : std::string("-")) + "/"
        + (e.nthOfType ? std::to_string(*e.nthOfType) : std::string("-"));
    out += " attrs=";
    for (std::size_t i = 0; i < e.attrs.size(); ++i)
        out += (i ? "," : "") + e.attrs[i].first + "=" + e.attrs[i].second;
    out += " selector=" + e.selector;
    return QByteArray::fromStdString(out);
}

std::string longChain(int elements)
{
    std::string chain;
    for (int i = 0; i < elements; ++i) {
        if (i)
            chain += ';';
        chain += "div.level-" + std::to_string(i) + ":attr__class=\"level-" + std::to_string(i) + "\"nth-child=\""
            + std::to_string(i + 1) + "\"nth-of-type=\"1\"text=\"a; b \\\"" + std::to_string(i) + "\\\"\"";
    }
    return chain;
}

} // namespace

class TestElementsChain final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parse_data();
    void parse();
    void targetMatchesFirst_data();
    void targetMatchesFirst();
    void cachedTargetsAreParsedTargets_data();
    void cachedTargetsAreParsedTargets();
    void targetCacheStaysWithinItsBudget();
    void roundTrip_data();
    void roundTrip();
    void writtenChainIsStable_data();
    void writtenChainIsStable();
    void truncate_data();
    void truncate();
    void cssEscape_data();
    void cssEscape();
    void randomBytesAreHarmless();
};

void TestElementsChain::parse_data()
{
    QTest::addColumn<QByteArray>("chain");
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("index");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("posthog-js-button") << QByteArray(
        "button.btn.btn-primary:attr__class=\"btn btn-primary\"attr__data-tour-id=\"new-project\""
        "attr__type=\"button\"nth-child=\"2\"nth-of-type=\"1\"text=\"New project\";div.page-header__actions:"
        "attr__class=\"page-header__actions\"nth-child=\"2\"nth-of-type=\"2\";body:nth-child=\"2\"nth-of-type=\"1\"")
                                       << 3 << 0
                                       << QByteArray("tag=button classes=btn,btn-primary text=New project id= href= "
                                                     "name= nth=2/1 "
                                                     "attrs=class=btn btn-primary,data-tour-id=new-project,type=button "
                                                     "selector=[data-tour-id=\"new-project\"]");
    QTest::newRow("ancestor") << QByteArray(
        "button:text=\"x\";div.page-header__actions:nth-child=\"2\"nth-of-type=\"2\"")
                              << 2 << 1
                              << QByteArray("tag=div classes=page-header__actions text= id= href= name= nth=2/2 attrs= "
                                            "selector=div.page-header__actions");
    QTest::newRow("link-href-and-id")
        << QByteArray("a.nav-link:attr__href=\"/projects?tab=all\"attr__id=\"nav-projects\"attr_id=\"nav-projects\""
                      "href=\"/projects?tab=all\"nth-child=\"1\"nth-of-type=\"1\"text=\"Projects\"")
        << 1 << 0
        << QByteArray("tag=a classes=nav-link text=Projects id=nav-projects href=/projects?tab=all name= nth=1/1 "
                      "attrs=href=/projects?tab=all,id=nav-projects selector=#nav-projects");
    QTest::newRow("id-from-attr__id-only")
        << QByteArray("div:attr__id=\"main\"nth-child=\"1\"") << 1 << 0
        << QByteArray("tag=div classes= text= id=main href= name= nth=1/- attrs=id=main "
                      "selector=#main");
    QTest::newRow("name-attribute") << QByteArray("input:attr__name=\"email\"attr__type=\"email\"") << 1 << 0
                                    << QByteArray("tag=input classes= text= id= href= name=email nth=-/- "
                                                  "attrs=name=email,type=email selector=input");
    QTest::newRow("escaped-quotes-in-text") << QByteArray("button:nth-child=\"1\"text=\"Say \\\"hi\\\"\"") << 1 << 0
                                            << QByteArray("tag=button classes= text=Say \"hi\" id= href= name= nth=1/- "
                                                          "attrs= selector=button");
    QTest::newRow("semicolon-in-text") << QByteArray("span:text=\"a; b\"nth-child=\"1\";div:nth-child=\"2\"") << 2 << 0
                                       << QByteArray("tag=span classes= text=a; b id= href= name= nth=1/- attrs= "
                                                     "selector=span");
    QTest::newRow("colon-in-values") << QByteArray("a:href=\"https://x.io/a:b\"text=\"x:y\"") << 1 << 0
                                     << QByteArray("tag=a classes= text=x:y id= href=https://x.io/a:b name= nth=-/- "
                                                   "attrs= selector=a");
    QTest::newRow("tailwind-colon-class")
        << QByteArray("button.hover:bg-blue-500.px-4:nth-child=\"1\"text=\"Go\"") << 1 << 0
        << QByteArray("tag=button classes=hover:bg-blue-500,px-4 text=Go id= href= "
                      "name= nth=1/- attrs= selector=button.hover\\:bg-blue-500.px-4");
    QTest::newRow("tour-id-with-quote")
        << QByteArray("button:attr__data-tour-id=\"say \\\"x\\\"\"") << 1 << 0
        << QByteArray("tag=button classes= text= id= href= name= nth=-/- "
                      "attrs=data-tour-id=say \"x\" selector=[data-tour-id=\"say \\\"x\\\"\"]");
    QTest::newRow("tour-id-beats-id") << QByteArray("button:attr__data-tour-id=\"t\"attr_id=\"b\"") << 1 << 0
                                      << QByteArray("tag=button classes= text= id=b href= name= nth=-/- "
                                                    "attrs=data-tour-id=t selector=[data-tour-id=\"t\"]");
    QTest::newRow("id-needs-escaping") << QByteArray("div:attr_id=\"1st:item\"") << 1 << 0
                                       << QByteArray("tag=div classes= text= id=1st:item href= name= nth=-/- attrs= "
                                                     "selector=#\\31 st\\:item");
    QTest::newRow("backslash-is-literal") << QByteArray("a:href=\"C:\\\\temp\\\\x\"") << 1 << 0
                                          << QByteArray("tag=a classes= text= id= href=C:\\\\temp\\\\x name= nth=-/- "
                                                        "attrs= selector=a");
    QTest::newRow("unicode") << QByteArray("button.btn:text=\"A\xC3\xB1"
                                           "adir proyecto \xF0\x9F\x9A\x80\"nth-child=\"1\"")
                             << 1 << 0
                             << QByteArray("tag=button classes=btn text=A\xC3\xB1"
                                           "adir proyecto \xF0\x9F\x9A\x80 id= "
                                           "href= name= nth=1/- attrs= selector=button.btn");
    QTest::newRow("no-attributes") << QByteArray("svg.icon.icon-plus") << 1 << 0
                                   << QByteArray("tag=svg classes=icon,icon-plus text= id= href= name= nth=-/- attrs= "
                                                 "selector=svg.icon.icon-plus");
    QTest::newRow("classes-from-attr__class") << QByteArray(":attr__class=\"card  selected\"nth-child=\"1\"") << 1 << 0
                                              << QByteArray("tag= classes=card,selected text= id= href= name= nth=1/- "
                                                            "attrs=class=card  selected selector=.card.selected");
    QTest::newRow("nth-not-a-number") << QByteArray("li:nth-child=\"x\"nth-of-type=\" 3 \"") << 1 << 0
                                      << QByteArray("tag=li classes= text= id= href= name= nth=-/3 attrs= selector=li");
    QTest::newRow("duplicate-key-last-wins") << QByteArray("a:attr__x=\"1\"attr__x=\"2\"text=\"a\"text=\"b\"") << 1 << 0
                                             << QByteArray("tag=a classes= text=b id= href= name= nth=-/- attrs=x=2 "
                                                           "selector=a");
    QTest::newRow("unknown-keys-dropped")
        << QByteArray("a:prop=\"1\"attr__=\"2\"") << 1 << 0
        << QByteArray("tag=a classes= text= id= href= name= nth=-/- attrs= selector=a");
    QTest::newRow("empty") << QByteArray() << 0 << -1 << QByteArray();
    QTest::newRow("separators-only") << QByteArray(" ;; \t;") << 0 << -1 << QByteArray();
    // PostHog's split regex cannot match an unbalanced quote, so it separates.
    QTest::newRow("unbalanced-quote") << QByteArray("button:text=\"oops;div:nth-child=1") << 3 << 2
                                      << QByteArray("tag=div classes= text= id= href= name= nth=-/- attrs= "
                                                    "selector=div");
    QTest::newRow("unterminated-value") << QByteArray("button:nth-child=\"2\"text=\"a\\\"") << 1 << 0
                                        << QByteArray("tag=button classes= text= id= href= name= nth=2/- attrs= "
                                                      "selector=button");
    QTest::newRow("whitespace-separates") << QByteArray("div.a b") << 2 << 1
                                          << QByteArray("tag=b classes= text= id= href= name= nth=-/- attrs= "
                                                        "selector=b");
    QTest::newRow("garbage") << QByteArray(":::;;;\"\"\"") << 2 << 0
                             << QByteArray("tag=::: classes= text= id= href= name= nth=-/- attrs= "
                                           "selector=\\:\\:\\:");
    QTest::newRow("very-long-chain-first") << QByteArray::fromStdString(longChain(3000)) << 3000 << 0
                                           << QByteArray("tag=div classes=level-0 text=a; b \"0\" id= href= name= "
                                                         "nth=1/1 attrs=class=level-0 selector=div.level-0");
    QTest::newRow("very-long-chain-last")
        << QByteArray::fromStdString(longChain(3000)) << 3000 << 2999
        << QByteArray("tag=div classes=level-2999 text=a; b \"2999\" id= href= "
                      "name= nth=3000/1 attrs=class=level-2999 selector=div.level-2999");
}

void TestElementsChain::parse()
{
    QFETCH(QByteArray, chain);
    QFETCH(int, count);
    QFETCH(int, index);
    QFETCH(QByteArray, expected);

    const auto elements = parseElementsChain(chain.toStdString());
    QCOMPARE(int(elements.size()), count);
    if (index >= 0)
        QCOMPARE(describe(elements[std::size_t(index)]), expected);
}

void TestElementsChain::targetMatchesFirst_data()
{
    parse_data();
}

void TestElementsChain::targetMatchesFirst()
{
    QFETCH(QByteArray, chain);
    const auto elements = parseElementsChain(chain.toStdString());
    const auto target = parseTargetElement(chain.toStdString());
    QCOMPARE(describe(target), elements.empty() ? describe(Element {}) : describe(elements.front()));
}

void TestElementsChain::cachedTargetsAreParsedTargets_data()
{
    parse_data();
}

// The intake's cache of targets gives what parsing gives, whether the chain
// is met first or again, after the table's other chains, in caches large
// enough for all of them and small enough to start over on the way.
void TestElementsChain::cachedTargetsAreParsedTargets()
{
    QFETCH(QByteArray, chain);
    static TargetElements roomy;
    static TargetElements cramped(64);
    const std::string text = chain.toStdString();
    const QByteArray parsed = describe(parseTargetElement(text));
    for (TargetElements* cache : { &roomy, &cramped })
        for (int time = 0; time < 2; ++time)
            QCOMPARE(describe(cache->of(text)), parsed);
}

// A cache holds at most its budget of key bytes, however many chains pass.
void TestElementsChain::targetCacheStaysWithinItsBudget()
{
    TargetElements cache(64);
    for (int i = 0; i < 1000; ++i) {
        const std::string chain = "a.c" + std::to_string(i) + ";body";
        QCOMPARE(cache.of(chain).classes, std::vector<std::string> { "c" + std::to_string(i) });
        QVERIFY(cache.size() <= 64 / 4);
    }
}

void TestElementsChain::roundTrip_data()
{
    parse_data();
}

// Written the way posthog-js writes chains, a parsed chain parses back the same.
void TestElementsChain::roundTrip()
{
    QFETCH(QByteArray, chain);
    auto elements = parseElementsChain(chain.toStdString());
    for (auto& e : elements) {
        std::sort(e.classes.begin(), e.classes.end());
        e.nthChild = e.nthChild.value_or(0);
        e.nthOfType = e.nthOfType.value_or(0);
        e.selector = cssSelectorFor(e);
    }
    const auto written = toElementsChain(elements);
    const auto reparsed = parseElementsChain(written);
    QCOMPARE(reparsed.size(), elements.size());
    for (std::size_t i = 0; i < elements.size(); ++i) {
        auto expected = elements[i];
        // posthog-js cannot keep a quote in a tag or class name.
        std::erase(expected.tag, '"');
        for (auto& c : expected.classes)
            std::erase(c, '"');
        expected.selector = cssSelectorFor(expected);
        auto actual = reparsed[i];
        std::sort(actual.attrs.begin(), actual.attrs.end());
        std::sort(expected.attrs.begin(), expected.attrs.end());
        QCOMPARE(describe(actual), describe(expected));
    }
}

// What the writer makes of odd parsed elements reads back to the same
// chain (issue 13, found by fuzzing: each of these used to change or split).
void TestElementsChain::writtenChainIsStable_data()
{
    QTest::addColumn<QByteArray>("chain");
    QTest::addColumn<QByteArray>("written");

    const QByteArray nth = "nth-child=\"0\"nth-of-type=\"0\"";
    QTest::newRow("class-of-quotes-only") << QByteArray(".\"\"") << ":" + nth;
    QTest::newRow("dotted-class-from-attr-class")
        << QByteArray("div:attr__class=\"a.z b\"") << "div.a.b.z:attr__class=\"a.z b\"" + nth;
    QTest::newRow("quote-in-attribute-name") << QByteArray(":attr__=\\\"=\"\"\"\n\xff") << ":" + nth + ";\xff:" + nth;
    QTest::newRow("nul-in-attribute-name") << QByteArray(":=\"\"attr__\0=\"\"", 14) << ":" + nth;
    // Was quadratic: 64 KB took seconds (a legacy $elements tag_name is not capped).
    QTest::newRow("colons-in-a-long-tag")
        << "x" + QByteArray(":a\"=").repeated(16000) << "xa=" + QByteArray("a=").repeated(15999) + ":" + nth;
    QTest::newRow("backslashes-before-a-quote")
        << QByteArray("a:text=\"\\\\\\\"\"") << "a:" + nth + "text=\"\\\\\\\"\"";
    QTest::newRow("escaped-quote-as-posthog-js-writes-it")
        << QByteArray("a:text=\"say \\\"hi\\\"\"") << "a:" + nth + "text=\"say \\\"hi\\\"\"";
}

void TestElementsChain::writtenChainIsStable()
{
    QFETCH(QByteArray, chain);
    QFETCH(QByteArray, written);
    const auto elements = parseElementsChain(chain.toStdString());
    QCOMPARE(QByteArray::fromStdString(toElementsChain(elements)), written);
    const auto reread = parseElementsChain(written.toStdString());
    QCOMPARE(reread.size(), elements.size());
    QCOMPARE(QByteArray::fromStdString(toElementsChain(reread)), written);
}

void TestElementsChain::truncate_data()
{
    QTest::addColumn<QByteArray>("chain");
    QTest::addColumn<int>("maxBytes");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("fits") << QByteArray("a:text=\"x\";b") << 100 << QByteArray("a:text=\"x\";b");
    QTest::newRow("cut-before-second") << QByteArray("a:text=\"x\";b:text=\"y\"") << 12 << QByteArray("a:text=\"x\"");
    QTest::newRow("semicolon-in-quotes-not-a-boundary") << QByteArray("a:text=\"x;y\";b") << 9 << QByteArray();
    QTest::newRow("exact-boundary") << QByteArray("a:text=\"x\";b") << 10 << QByteArray("a:text=\"x\"");
}

void TestElementsChain::truncate()
{
    QFETCH(QByteArray, chain);
    QFETCH(int, maxBytes);
    QFETCH(QByteArray, expected);
    const std::string text = chain.toStdString();
    QCOMPARE(QByteArray::fromStdString(std::string(truncateElementsChain(text, std::size_t(maxBytes)))), expected);
}

void TestElementsChain::cssEscape_data()
{
    QTest::addColumn<QByteArray>("identifier");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("plain") << QByteArray("new-project_2") << QByteArray("new-project_2");
    QTest::newRow("leading-digit") << QByteArray("1a") << QByteArray("\\31 a");
    QTest::newRow("dash-digit") << QByteArray("-1") << QByteArray("-\\31 ");
    QTest::newRow("lone-dash") << QByteArray("-") << QByteArray("\\-");
    QTest::newRow("punctuation") << QByteArray("a.b:c[d]") << QByteArray("a\\.b\\:c\\[d\\]");
    QTest::newRow("control") << QByteArray("a\nb") << QByteArray("a\\a b");
    QTest::newRow("non-ascii-kept") << QByteArray("caf\xC3\xA9") << QByteArray("caf\xC3\xA9");
}

void TestElementsChain::cssEscape()
{
    QFETCH(QByteArray, identifier);
    QFETCH(QByteArray, expected);
    QCOMPARE(QByteArray::fromStdString(cssEscapeIdentifier(identifier.toStdString())), expected);
}

// Arbitrary bytes never crash the parser, and whatever it reads is written
// back and re-read identically (the writer's output is always well formed).
void TestElementsChain::randomBytesAreHarmless()
{
    std::mt19937 rng(7);
    const char pieces[] = "abc.:;\"\\= \t\n_-1\xC3\xA9";
    for (int round = 0; round < 20000; ++round) {
        std::string chain;
        const int length = int(rng() % 60);
        for (int i = 0; i < length; ++i)
            chain += pieces[rng() % (sizeof pieces - 1)];
        const auto elements = parseElementsChain(chain);
        QCOMPARE(
            describe(parseTargetElement(chain)), elements.empty() ? describe(Element {}) : describe(elements.front()));
        const auto again = parseElementsChain(toElementsChain(parseElementsChain(toElementsChain(elements))));
        const auto once = parseElementsChain(toElementsChain(elements));
        QCOMPARE(again.size(), once.size());
        for (std::size_t i = 0; i < once.size(); ++i)
            QCOMPARE(describe(again[i]), describe(once[i]));
    }
}

QTEST_GUILESS_MAIN(TestElementsChain)
#include "tst_elementschain.moc"
