// base/text.h: the one trim of the code base agrees with Python's
// str.strip() on every whitespace character, on UTF-8, and leaves bytes that
// are not whitespace (valid or not) alone; the code point cut never splits a
// character.

#include "base/text.h"

#include <QTest>

using namespace proactive;

namespace {

// Every code point for which Python's str.isspace() is true.
constexpr char32_t kWhitespace[]
    = { 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
          0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 };

// Look like whitespace, or neighbour it, but are not whitespace for Python.
constexpr char32_t kNotWhitespace[] = { 0x08, 0x0E, 0x1B, 0x21, 0x84, 0x86, 0x9F, 0xA1, 0x167F, 0x1681, 0x180E, 0x200B,
    0x200C, 0x200D, 0x2027, 0x202A, 0x202E, 0x2030, 0x205E, 0x2060, 0x2FFF, 0x3001, 0xFEFF };

QByteArray utf8(char32_t c)
{
    return QString::fromUcs4(&c, 1).toUtf8();
}

QByteArray name(char32_t c)
{
    return QByteArray("U+") + QByteArray::number(uint(c), 16).toUpper().rightJustified(4, '0');
}

} // namespace

class TestText final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void trim_data();
    void trim();
    void whitespaceAtEnds_data();
    void whitespaceAtEnds();
    void firstCodePoints_data();
    void firstCodePoints();
};

void TestText::trim_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("expected");

    for (const char32_t c : kWhitespace) {
        const QByteArray ws = utf8(c);
        QTest::addRow("%s-before", name(c).constData()) << ws + ws + "Need a hand?" << QByteArray("Need a hand?");
        QTest::addRow("%s-after", name(c).constData()) << "Need a hand?" + ws << QByteArray("Need a hand?");
        QTest::addRow("%s-both-inside-kept", name(c).constData())
            << ws + "Need" + ws + "a hand?" + ws + ws << "Need" + ws + "a hand?";
        QTest::addRow("%s-only", name(c).constData()) << ws + ws + ws << QByteArray();
    }
    for (const char32_t c : kNotWhitespace) {
        const QByteArray other = utf8(c);
        QTest::addRow("%s-kept", name(c).constData()) << " " + other + "x" + other + " " << other + "x" + other;
    }
    QByteArray mixed;
    for (const char32_t c : kWhitespace)
        mixed += utf8(c);
    QTest::newRow("every-whitespace-only") << mixed << QByteArray();
    QTest::newRow("every-whitespace-around") << mixed + "x" + mixed << QByteArray("x");
    QTest::newRow("empty") << QByteArray() << QByteArray();
    // Broken UTF-8 is not whitespace, even where it starts like some.
    QTest::newRow("lone-c2") << QByteArray("x\xC2") << QByteArray("x\xC2");
    QTest::newRow("truncated-em-space") << QByteArray("\xE2\x80x\xE2\x80") << QByteArray("\xE2\x80x\xE2\x80");
    QTest::newRow("continuation-before-nbsp") << QByteArray("\x80\xC2\xA0") << QByteArray("\x80");
    QTest::newRow("nbsp-bytes-reversed") << QByteArray("\xA0\xC2") << QByteArray("\xA0\xC2");
}

void TestText::trim()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, expected);
    const std::string_view input(text.constData(), std::size_t(text.size()));
    QCOMPARE(QByteArray::fromStdString(std::string(trimmed(input))), expected);
    QCOMPARE(isBlank(input), expected.isEmpty());
    // QString::trimmed() is no reference (it misses U+001C–U+001F); Python is:
    // trimming twice changes nothing more.
    QCOMPARE(trimmed(trimmed(input)), trimmed(input));
}

void TestText::whitespaceAtEnds_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("at");
    QTest::addColumn<int>("length");

    QTest::newRow("ascii") << QByteArray("a b") << 1 << 1;
    QTest::newRow("not-whitespace") << QByteArray("ab") << 1 << 0;
    QTest::newRow("nbsp") << QByteArray("a\xC2\xA0") << 1 << 2;
    QTest::newRow("ideographic") << QByteArray("\xE3\x80\x80") << 0 << 3;
    QTest::newRow("cut-short-at-the-end") << QByteArray("\xE3\x80") << 0 << 0;
    QTest::newRow("past-the-end") << QByteArray("a") << 1 << 0;
}

void TestText::whitespaceAtEnds()
{
    QFETCH(QByteArray, text);
    QFETCH(int, at);
    QFETCH(int, length);
    QCOMPARE(whitespaceAt(std::string_view(text.constData(), std::size_t(text.size())), std::size_t(at)),
        std::size_t(length));
}

void TestText::firstCodePoints_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("max");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("shorter") << QByteArray("abc") << 5 << QByteArray("abc");
    QTest::newRow("exact") << QByteArray("abc") << 3 << QByteArray("abc");
    QTest::newRow("cut") << QByteArray("abcd") << 3 << QByteArray("abc");
    QTest::newRow("zero") << QByteArray("abc") << 0 << QByteArray();
    // é (2 bytes), 😀 (4 bytes): characters, not bytes, are counted.
    QTest::newRow("multibyte-kept-whole")
        << QByteArray("\xC3\xA9\xF0\x9F\x98\x80x") << 2 << QByteArray("\xC3\xA9\xF0\x9F\x98\x80");
    QTest::newRow("multibyte-counted-once")
        << QByteArray("\xC3\xA9\xC3\xA9\xC3\xA9") << 3 << QByteArray("\xC3\xA9\xC3\xA9\xC3\xA9");
}

void TestText::firstCodePoints()
{
    QFETCH(QByteArray, text);
    QFETCH(int, max);
    QFETCH(QByteArray, expected);
    QCOMPARE(QByteArray::fromStdString(std::string(proactive::firstCodePoints(
                 std::string_view(text.constData(), std::size_t(text.size())), std::size_t(max)))),
        expected);
}

QTEST_GUILESS_MAIN(TestText)

#include "tst_text.moc"
