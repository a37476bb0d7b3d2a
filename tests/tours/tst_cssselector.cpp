#include "cssselector.h"

#include <QTest>

using namespace proactive;

class TestCssSelector final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void check_data();
    void check();
    void errorText();
    void nestingLimit();
    void longInputs();
};

void TestCssSelector::check_data()
{
    QTest::addColumn<QByteArray>("selector");
    QTest::addColumn<int>("column"); // 0: valid
    QTest::addColumn<QString>("reason"); // a part of the expected reason

    const auto valid = [](const char* name, QByteArray selector) { QTest::newRow(name) << selector << 0 << QString(); };
    const auto invalid = [](const char* name, QByteArray selector, int column, const char* reason) {
        QTest::newRow(name) << selector << column << QString::fromUtf8(reason);
    };

    // Simple selectors and compounds.
    valid("type", "div");
    valid("universal", "*");
    valid("id", "#main");
    valid("classes", ".btn.primary");
    valid("full-compound", "div#id.class[attr]:hover::before");
    valid("dash-class", ".-foo");
    valid("double-dash-class", ".--bar");
    valid("double-dash-id", "#--a");
    valid("non-ascii-class", ".caf\xc3\xa9");
    valid("non-ascii-id", "#\xe6\x97\xa5\xe6\x9c\xac");
    valid("nul-is-a-name-char", QByteArray("a\0b", 3));
    valid("surrounding-whitespace", "  .x  ");
    // Escapes.
    valid("escaped-digit-id", "#\\31 23");
    valid("escaped-colon-class", ".a\\:b");
    valid("escaped-digit-class", ".\\31 0");
    valid("escaped-dot-id", "#foo\\.bar");
    // Attribute selectors.
    valid("attr-exists", "[data-tour-id]");
    valid("attr-double-quoted", "[data-tour-id=\"add-project-btn\"]");
    valid("attr-single-quoted", "[data-tour-id='add-project-btn']");
    valid("attr-unquoted-ident", "[data-tour-id=add-project-btn]");
    valid("attr-dash-ident", "[data-x=-a]");
    valid("attr-includes", "[class~=a]");
    valid("attr-dash-match", "[lang|=en]");
    valid("attr-prefix", "[href^=\"https\"]");
    valid("attr-suffix", "[href$=\".pdf\"]");
    valid("attr-substring", "[title*=hello]");
    valid("attr-flag-i", "[href$=\".PDF\" i]");
    valid("attr-flag-i-no-space", "[a=\"b\"i]");
    valid("attr-flag-uppercase", "[a=b I]");
    valid("attr-inner-whitespace", "[ data-x = \"y\" i ]");
    valid("attr-any-namespace", "[*|lang]");
    valid("attr-no-namespace", "[|lang]");
    valid("attr-escaped-quote", "[data-x=\"a\\\"b\"]");
    valid("attr-string-line-continuation", "[data-x=\"a\\\nb\"]");
    valid("attr-non-ascii-value", "[title=\"caf\xc3\xa9\"]");
    valid("attr-empty-string", "[data-x=\"\"]");
    // Pseudo-classes.
    valid("hover", "a:hover");
    valid("uppercase-pseudo", "a:HOVER");
    valid("first-child", "li:first-child");
    valid("unknown-pseudo-class", ":foo-bar");
    valid("unknown-functional-pseudo-class", ":foo(bar [baz] (qux))");
    valid("nth-2n+1", ":nth-child(2n+1)");
    valid("nth-odd", ":nth-child(odd)");
    valid("nth-even-uppercase", ":nth-child(EVEN)");
    valid("nth-minus-n-plus-3", ":nth-child(-n+3)");
    valid("nth-spaces", ":nth-child( 2n + 1 )");
    valid("nth-space-signed-b", ":nth-child(2n -1)");
    valid("nth-n", ":nth-child(n)");
    valid("nth-plus-n-minus-1", ":nth-child(+n-1)");
    valid("nth-integer", ":nth-child(5)");
    valid("nth-signed-integer", ":nth-child(+5)");
    valid("nth-ndash-dimension-space", ":nth-child(-2n- 1)");
    valid("nth-n-dash-space", ":nth-child(n- 1)");
    valid("nth-of-type", "p:nth-last-of-type(3n)");
    valid("nth-of-selector", "li:nth-child(2n+1 of .item)");
    valid("not", ":not(.hidden)");
    valid("not-list", ":not(a, b > c)");
    valid("is-then-combinator", ":is(h1, h2) + p");
    valid("where", ":where(.a)");
    valid("has-child", ":has(> img)");
    valid("has-siblings", ":has(+ .x, ~ .y)");
    valid("has-descendant", "section:has(.error)");
    valid("lang", ":lang(en, \"fr\")");
    valid("dir", ":dir(rtl)");
    valid("host", ":host(.dark)");
    valid("host-bare", ":host");
    valid("not-with-attribute", "[data-tour-id=\"add-project-btn\"] > button:not([disabled])");
    // Pseudo-elements.
    valid("pseudo-element", "p::before");
    valid("legacy-pseudo-element", "p:before");
    valid("part-then-pseudo-class", "::part(label):hover");
    valid("part-then-pseudo-element", "::part(label)::before");
    valid("vendor-pseudo-element-then-pseudo-class", "::-webkit-scrollbar:hover");
    valid("pseudo-class-then-pseudo-element", "a:hover::before");
    valid("part", "::part(label)");
    valid("placeholder", "input::placeholder");
    // Combinators and lists.
    valid("child", "ul > li");
    valid("child-no-spaces", "a>b");
    valid("next-sibling", "h1 + p");
    valid("subsequent-sibling", "h1 ~ p");
    valid("descendant", "nav a");
    valid("many-spaces", "main  >  .x");
    valid("tab-and-newline", "div\n\tspan");
    valid("list", "a, b");
    valid("list-no-space", "a,b");
    valid("comment", "div /* c */ > p");
    // Namespaces querySelector() knows.
    valid("any-namespace", "*|div");
    valid("no-namespace", "|div");
    valid("any-namespace-universal", "*|*");

    invalid("empty", "", 1, "empty selector");
    invalid("whitespace-only", "   ", 1, "empty selector");
    invalid("only-comment", "/* x */", 8, "expected a selector but found end of selector");
    // Strings and brackets left open.
    invalid("unterminated-double-quote", "[data-tour-id=\"add-project-btn]", 15, "unterminated string");
    invalid("unterminated-single-quote", "a[title='x]", 9, "unterminated string");
    invalid("line-break-in-string", "[a=\"x\ny\"]", 4, "line break before the closing quote");
    invalid("unterminated-column-counts-code-points", ".caf\xc3\xa9[a=\"x", 9, "unterminated string");
    invalid("unclosed-bracket", "[data-tour-id=\"x\"", 1, "unclosed '['");
    invalid("unclosed-bracket-after-name", "[data-tour-id", 1, "unclosed '['");
    invalid("unclosed-not", ":not(.a", 1, "unclosed ':not('");
    invalid("unclosed-nth", "li:nth-child(2n+1", 3, "unclosed ':nth-child('");
    invalid("unclosed-unknown-function", "a:hover(", 2, "unclosed ':hover('");
    invalid("unclosed-nested-in-unknown", ":foo(a(b", 6, "unclosed 'a('");
    invalid("mismatched-in-unknown", ":foo(a]", 7, "unexpected ']'");
    invalid("stray-paren", "a)", 2, "unexpected ')'");
    invalid("stray-bracket", "a]", 2, "unexpected ']'");
    invalid("unterminated-comment", "div /* x", 5, "unterminated comment");
    invalid("dangling-backslash", "div\\", 4, "dangling backslash");
    invalid("backslash-newline", "a\\\nb", 2, "unexpected '\\'");
    // Attribute selectors.
    invalid("unquoted-number", "[data-id=1]", 10, "attribute value '1' must be quoted");
    invalid("unquoted-negative-number", "[data-id=-1]", 10, "must be quoted");
    invalid("bang-equals", "[a!=b]", 3, "expected ']' or an attribute operator");
    invalid("split-operator", "[a ~ = b]", 4, "expected ']' or an attribute operator");
    invalid("missing-value", "[a=]", 4, "expected an attribute value but found ']'");
    invalid("unknown-flag", "[a=b x]", 6, "unknown attribute flag 'x'");
    invalid("s-flag", "[a=\"b\" s]", 8, "attribute flag 's' is not supported by Chromium");
    invalid("missing-name", "[=b]", 2, "expected an attribute name");
    invalid("two-values", "[a=\"b\" \"c\"]", 8, "unexpected '\"c\"'");
    invalid("attribute-namespace", "[xlink|href]", 2, "namespace prefix 'xlink' is not declared");
    // Ids, classes, types.
    invalid("id-starts-with-digit", "#1abc", 1, "'#1abc' is not a valid ID selector");
    invalid("id-dash-digit", "#-1", 1, "not a valid ID selector");
    invalid("hash-alone", "#", 1, "expected a selector but found '#'");
    invalid("class-starts-with-digit", ".1abc", 1, "a class name cannot start with a digit");
    invalid("class-missing", "div.", 4, "expected a class name after '.'");
    invalid("double-dot", "a..b", 2, "expected a class name after '.'");
    invalid("type-after-attribute", "[x]div", 4, "type selector 'div' must come first");
    invalid("universal-after-class", ".a*", 3, "type selector '*' must come first");
    invalid("type-namespace", "svg|rect", 1, "namespace prefix 'svg' is not declared");
    invalid("namespace-without-name", "*|", 2, "expected an element name or '*' after '|'");
    invalid("type-then-bar", "a|", 2, "expected an element name or '*' after '|'");
    // Combinators and lists.
    invalid("leading-combinator", "> a", 1, "expected a selector but found '>'");
    invalid("trailing-combinator", "a >", 4, "expected a selector but found end of selector");
    invalid("double-combinator", "a > > b", 5, "expected a selector but found '>'");
    invalid("column-combinator", "a || b", 3, "column combinator");
    invalid("trailing-comma", "a,", 3, "expected a selector but found end of selector");
    invalid("leading-comma", ",a", 1, "expected a selector but found ','");
    invalid("double-comma", "a,,b", 3, "expected a selector but found ','");
    invalid("minus-as-combinator", "a - b", 3, "expected a selector but found '-'");
    // Pseudo-classes and pseudo-elements.
    invalid("colon-space", "a: hover", 2, "expected a pseudo-class name after ':'");
    invalid("colon-number", "a:1", 2, "expected a pseudo-class name after ':'");
    invalid("triple-colon", "a:::before", 2, "expected a pseudo-element name after '::'");
    invalid("double-colon-alone", "::", 1, "expected a pseudo-element name after '::'");
    invalid("not-without-argument", ":not", 2, "':not' needs an argument");
    invalid("not-empty", ":not()", 2, "':not()' needs an argument");
    invalid("lang-empty", ":lang( )", 2, "':lang()' needs an argument");
    invalid("nth-missing-b", ":nth-child(2n+)", 15, "expected an unsigned integer but found ')'");
    invalid("nth-double-sign", ":nth-child(2n+-1)", 15, "expected an unsigned integer but found '-1'");
    invalid("nth-space-inside-a", ":nth-child(2 n)", 14, "unexpected 'n'");
    invalid("nth-plus-space-n", ":nth-child(+ n)", 12, "invalid An+B expression");
    invalid("nth-fraction", ":nth-child(1.5)", 12, "invalid An+B expression '1.5'");
    invalid("nth-word", ":nth-child(foo)", 12, "invalid An+B expression 'foo'");
    invalid("nth-plus-minus-n", ":nth-child(+-n)", 12, "invalid An+B expression");
    invalid("nth-of-nothing", ":nth-child(2n+1 of)", 19, "expected a selector but found ')'");
    invalid("nth-of-type-with-of", ":nth-of-type(2n of p)", 17, "unexpected 'of'");
    invalid("pseudo-element-in-not", ":not(::before)", 6, "pseudo-element is not allowed inside a selector argument");
    invalid("legacy-pseudo-element-in-is", ":is(:after)", 5, "pseudo-element is not allowed");
    invalid("descendant-of-pseudo-element", "p::before span", 11, "nothing can follow a pseudo-element");
    invalid("class-after-pseudo-element", "p::before.x", 10, "nothing can follow a pseudo-element");
    invalid("pseudo-class-after-pseudo-element", "a::after:hover", 9, "nothing can follow a pseudo-element");
    invalid("pseudo-element-after-pseudo-element", "li::before::marker", 11, "nothing can follow a pseudo-element");
    invalid(
        "pseudo-class-after-legacy-pseudo-element", "p:first-line:hover", 13, "nothing can follow a pseudo-element");
    invalid("nested-has", ":has(:has(a))", 7, "':has()' cannot be nested");
    // Hostile input.
    invalid("at-rule", "@media", 1, "expected a selector but found '@media'");
    invalid("css-block", "div { color: red }", 5, "expected a selector but found '{'");
    invalid("semicolon", "a; b", 2, "unexpected ';'");
    invalid("html-comment-open", "<!-- a", 1, "expected a selector but found '<!--'");
    invalid("script-tag", "</script><script>", 1, "expected a selector but found '<'");
    invalid("js-breakout", "'); alert(1); //", 1, "unterminated string");
    invalid("url-function", "url(x)", 1, "expected a selector but found 'url('");
    invalid("invalid-utf8", "a\xff", 2, "invalid UTF-8");
    invalid("overlong-utf8", "a\xc0\xaf", 2, "invalid UTF-8");
    invalid("utf8-surrogate", "a\xed\xa0\x80", 2, "invalid UTF-8");
    const QByteArray longString = '"' + QByteArray(32, 'a') + '"';
    const QByteArray shortened = "unexpected '\"" + QByteArray(23, 'a') + "\xe2\x80\xa6'";
    invalid("long-token-is-shortened", "[data-tour-id=\"x\" " + longString + "]", 19, shortened.constData());
}

void TestCssSelector::check()
{
    QFETCH(QByteArray, selector);
    QFETCH(int, column);
    QFETCH(QString, reason);

    const auto error = checkCssSelector(std::string_view(selector.constData(), selector.size()));
    if (column == 0) {
        QVERIFY2(!error, error ? error->toString().c_str() : "");
        return;
    }
    QVERIFY2(error, "accepted an invalid selector");
    QVERIFY2(QString::fromStdString(error->reason).contains(reason), error->toString().c_str());
    QCOMPARE(error->column, std::size_t(column));
}

void TestCssSelector::errorText()
{
    const auto error = checkCssSelector("button[data-label=\"Add");
    QVERIFY(error);
    QCOMPARE(QString::fromStdString(error->toString()), u"unterminated string at column 19"_qs);
}

void TestCssSelector::nestingLimit()
{
    const auto nested = [](int depth) {
        std::string s;
        for (int i = 0; i < depth; ++i)
            s += ":not(";
        s += 'a';
        s += std::string(depth, ')');
        return s;
    };
    QVERIFY(!checkCssSelector(nested(32)));
    const auto error = checkCssSelector(nested(33));
    QVERIFY(error);
    QCOMPARE(QString::fromStdString(error->reason), u"selector nested too deeply"_qs);
    QCOMPARE(error->column, std::size_t(32 * 5 + 2));
    QVERIFY(checkCssSelector(nested(100000)));
}

void TestCssSelector::longInputs()
{
    std::string classes;
    for (int i = 0; i < 50000; ++i)
        classes += ".a";
    QVERIFY(!checkCssSelector(classes));

    std::string descendants;
    for (int i = 0; i < 50000; ++i)
        descendants += "a ";
    descendants += '>';
    const auto error = checkCssSelector(descendants);
    QVERIFY(error);
    QCOMPARE(error->column, descendants.size() + 1);
}

QTEST_GUILESS_MAIN(TestCssSelector)
#include "tst_cssselector.moc"
