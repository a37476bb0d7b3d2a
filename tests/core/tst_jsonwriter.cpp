// JsonWriter (core/base/jsonwriter.h) against its oracle: for each document,
// the bytes it writes equal nlohmann::json's dump() of the same document
// (with error_handler_t::replace, as the service dumps answers).

#include "base/jsonwriter.h"

#include <QTest>
#include <cmath>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>

using namespace proactive;
using Json = nlohmann::json;

namespace {

std::string dumped(const Json& json)
{
    return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

} // namespace

class TestJsonWriter final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void stringsAsDump_data();
    void stringsAsDump();
    void numbersAsDump_data();
    void numbersAsDump();
    void nestedDocument();
};

void TestJsonWriter::stringsAsDump_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("empty") << QByteArray("");
    QTest::newRow("plain") << QByteArray("Viewed /projects");
    QTest::newRow("quotes and backslashes") << QByteArray(R"(say "hi" \ C:\path)");
    QTest::newRow("short escapes") << QByteArray("a\bb\fc\nd\re\tf");
    QTest::newRow("other controls") << QByteArray("\x01\x1f\x7f", 3);
    QTest::newRow("nul") << QByteArray("a\0b", 3);
    QTest::newRow("utf-8") << QByteArray("Projekt · Übersicht → 项目 😀");
    QTest::newRow("lone continuation") << QByteArray("a\x80z");
    QTest::newRow("truncated sequence then ascii") << QByteArray("a\xe2\x82z");
    QTest::newRow("truncated at the end") << QByteArray("a\xf0\x9f\x98");
    QTest::newRow("overlong") << QByteArray("\xc0\xaf");
    QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80");
    QTest::newRow("beyond U+10FFFF") << QByteArray("\xf4\x90\x80\x80");
    QTest::newRow("invalid lead") << QByteArray("\xff\xfe");
}

void TestJsonWriter::stringsAsDump()
{
    QFETCH(QByteArray, text);
    const std::string value = text.toStdString();
    std::string out;
    JsonWriter(out).value(value);
    QCOMPARE(out, dumped(Json(value)));
}

void TestJsonWriter::numbersAsDump_data()
{
    QTest::addColumn<double>("number");
    for (const double number : { 0.0, -0.0, 1.0, 0.5, 0.3333, 0.0001, 1e-05, 0.9999, 123456789.0, 1e16, 1e21, -2.5e-7,
             3.141592653589793, std::numeric_limits<double>::max(), std::numeric_limits<double>::denorm_min() })
        QTest::newRow(qPrintable(QString::number(number, 'g', 17))) << number;
    QTest::newRow("nan") << std::nan("");
    QTest::newRow("infinity") << std::numeric_limits<double>::infinity();
}

void TestJsonWriter::numbersAsDump()
{
    QFETCH(double, number);
    std::string out;
    JsonWriter(out).value(number);
    QCOMPARE(out, dumped(Json(number)));
}

void TestJsonWriter::nestedDocument()
{
    // Objects in std::map key order, arrays, empty containers, every kind of value.
    std::string out;
    JsonWriter json(out);
    json.beginObject();
    json.key("a").beginArray().value(1).value(std::int64_t(-9007199254740993)).value(true).null().endArray();
    json.key("b").beginObject().endObject();
    json.key("c").beginArray().endArray();
    json.key("d")
        .beginObject()
        .key("x")
        .value("y")
        .key("z")
        .beginArray()
        .beginObject()
        .key("k")
        .value(false)
        .endObject()
        .endArray()
        .endObject();
    json.key("e").value(0.25);
    json.endObject();
    const Json expected = { { "a", { 1, std::int64_t(-9007199254740993), true, nullptr } }, { "b", Json::object() },
        { "c", Json::array() }, { "d", { { "x", "y" }, { "z", { { { "k", false } } } } } }, { "e", 0.25 } };
    QCOMPARE(out, dumped(expected));
}

QTEST_GUILESS_MAIN(TestJsonWriter)
#include "tst_jsonwriter.moc"
