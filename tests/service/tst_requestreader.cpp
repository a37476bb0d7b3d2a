// The service's request reader: requests are fed in the chunks they arrive
// in; each chunk's verdict, the heads and the complete requests are checked.

#include "service/requestreader.h"

#include <QTest>

using namespace proactive::service;
using Verdict = RequestReader::Verdict;

namespace {

constexpr RequestReader::Limits kLimits { 100, 200 };

QString nameOf(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Wait:
        return u"wait"_qs;
    case Verdict::Proceed:
        return u"proceed"_qs;
    case Verdict::SendContinue:
        return u"continue"_qs;
    case Verdict::BodyTooLarge:
        return u"413"_qs;
    case Verdict::HeadTooLarge:
        return u"431"_qs;
    case Verdict::Malformed:
        break;
    }
    return u"400"_qs;
}

std::string_view view(const QByteArray& bytes)
{
    return { bytes.constData(), std::size_t(bytes.size()) };
}

// Feeds the chunks as they arrive, one verdict each.
QStringList feed(RequestReader& reader, const QByteArrayList& chunks)
{
    QStringList verdicts;
    for (const QByteArray& chunk : chunks)
        verdicts << nameOf(reader.feed(view(chunk)));
    return verdicts;
}

QString text(std::string_view bytes)
{
    return QString::fromUtf8(bytes.data(), qsizetype(bytes.size()));
}

// Every request the chunks complete, as "METHOD path body", read as the
// service reads them: all complete requests after each chunk.
QStringList readAll(RequestReader& reader, const QByteArrayList& chunks)
{
    QStringList read;
    for (const QByteArray& chunk : chunks) {
        Verdict verdict = reader.feed(view(chunk));
        while (verdict == Verdict::Proceed && reader.requestComplete()) {
            const HttpRequest request = reader.request();
            read << text(request.method()) + u' ' + text(request.path()) + u' ' + text(request.body());
            verdict = reader.next();
        }
        if (verdict != Verdict::Proceed && verdict != Verdict::Wait && verdict != Verdict::SendContinue) {
            read << nameOf(verdict);
            break;
        }
    }
    return read;
}

} // namespace

class TestRequestReader final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void verdicts_data();
    void verdicts();
    void head_data();
    void head();
    void bodyRemaining();
    void nextRequestStartsClean();
    void requests_data();
    void requests();
    void headerLookup();
    void queryValues();
};

void TestRequestReader::verdicts_data()
{
    QTest::addColumn<QByteArrayList>("chunks");
    QTest::addColumn<QStringList>("expected");

    const QByteArray post = "POST /e/ HTTP/1.1\r\nHost: x\r\n";
    QTest::newRow("get-complete") << QByteArrayList { "GET / HTTP/1.1\r\nHost: x\r\n\r\n" }
                                  << QStringList { u"proceed"_qs };
    QTest::newRow("head-in-three-chunks") << QByteArrayList { "GET / HT", "TP/1.1\r\nHost:", " x\r\n\r\n" }
                                          << QStringList { u"wait"_qs, u"wait"_qs, u"proceed"_qs };
    QTest::newRow("blank-line-split") << QByteArrayList { "GET / HTTP/1.1\r\n\r", "\n" }
                                      << QStringList { u"wait"_qs, u"proceed"_qs };
    QTest::newRow("bare-lf") << QByteArrayList { "GET / HTTP/1.1\nHost: x\n\n" } << QStringList { u"proceed"_qs };
    // Found by fuzzing: a blank line split across reads.
    QTest::newRow("blank-line-split-from-head")
        << QByteArrayList { "\n\r", "\n\n" } << QStringList { u"wait"_qs, u"wait"_qs };
    QTest::newRow("blank-lines-then-request-in-pieces") << QByteArrayList { "\r\n", "\r", "\nGET / HTTP/1.1\r\n\r\n" }
                                                        << QStringList { u"wait"_qs, u"wait"_qs, u"proceed"_qs };
    // Found by fuzzing: blank bytes before the head count toward
    // its limit, whether they come with it or apart.
    QTest::newRow("blank-lines-count-toward-the-head-limit")
        << QByteArrayList { "\r\n\r\nGET / HTTP/1.1\r\nX: " + QByteArray(180, 'a') } << QStringList { u"431"_qs };
    QTest::newRow("blank-lines-apart-count-toward-the-head-limit") << QByteArrayList { "\r\n\r\n",
        "GET / HTTP/1.1\r\nX: " + QByteArray(180, 'a') } << QStringList { u"wait"_qs, u"431"_qs };
    QTest::newRow("leading-blank-lines") << QByteArrayList { "\r\n\r\nGET / HTTP/1.1\r\n\r\n" }
                                         << QStringList { u"proceed"_qs };
    QTest::newRow("body-at-limit") << QByteArrayList { post + "Content-Length: 100\r\n\r\n" }
                                   << QStringList { u"proceed"_qs };
    QTest::newRow("body-over-limit") << QByteArrayList { post + "Content-Length: 101\r\n\r\n" }
                                     << QStringList { u"413"_qs };
    QTest::newRow("over-limit-head-split")
        << QByteArrayList { post + "Content-Len", "gth: 5000\r\n\r\n" } << QStringList { u"wait"_qs, u"413"_qs };
    QTest::newRow("length-beyond-int64") << QByteArrayList { post + "Content-Length: 99999999999999999999999\r\n\r\n" }
                                         << QStringList { u"413"_qs };
    QTest::newRow("length-not-a-number") << QByteArrayList { post + "Content-Length: 12abc\r\n\r\n" }
                                         << QStringList { u"400"_qs };
    QTest::newRow("negative-length") << QByteArrayList { post + "Content-Length: -5\r\n\r\n" }
                                     << QStringList { u"400"_qs };
    QTest::newRow("conflicting-lengths") << QByteArrayList { post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n" }
                                         << QStringList { u"400"_qs };
    QTest::newRow("same-length-twice") << QByteArrayList { post + "Content-Length: 5\r\ncontent-length: 5\r\n\r\n" }
                                       << QStringList { u"proceed"_qs };
    QTest::newRow("chunked-and-length") << QByteArrayList {
        post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
    } << QStringList { u"400"_qs };
    QTest::newRow("unknown-transfer-coding")
        << QByteArrayList { post + "Transfer-Encoding: gzip\r\n\r\n" } << QStringList { u"400"_qs };
    QTest::newRow("chunked-then-gzip") << QByteArrayList { post + "Transfer-Encoding: chunked, gzip\r\n\r\n" }
                                       << QStringList { u"400"_qs };
    QTest::newRow("gzip-then-chunked") << QByteArrayList { post + "Transfer-Encoding: gzip, chunked\r\n\r\n" }
                                       << QStringList { u"400"_qs };
    QTest::newRow("chunked-in-two-fields")
        << QByteArrayList { post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n" }
        << QStringList { u"400"_qs };
    QTest::newRow("identity-then-chunked")
        << QByteArrayList { post + "Transfer-Encoding: identity, chunked\r\n\r\n" } << QStringList { u"proceed"_qs };
    // Control characters inside a field value or the request line.
    QTest::newRow("bare-cr-in-origin") << QByteArrayList { post + "Origin: http://localhost\rX-Evil: 1\r\n\r\n" }
                                       << QStringList { u"400"_qs };
    QTest::newRow("nul-in-header") << QByteArrayList {
        post + QByteArray("Access-Control-Request-Headers: a\0b\r\n\r\n", 39)
    } << QStringList { u"400"_qs };
    QTest::newRow("escape-in-method") << QByteArrayList { "G\x1b[31mET / HTTP/1.1\r\n\r\n" }
                                      << QStringList { u"400"_qs };
    QTest::newRow("tab-in-value") << QByteArrayList { post + "X-Note: a\tb\r\n\r\n" } << QStringList { u"proceed"_qs };
    // Chunked bodies are counted as they arrive, framing included: 48 + 47 + 5 bytes.
    const QByteArray chunked = post + "Transfer-Encoding: chunked\r\n\r\n";
    const QByteArray first = "2a\r\n" + QByteArray(42, 'a') + "\r\n";
    const QByteArray second = "29\r\n" + QByteArray(41, 'b') + "\r\n";
    QTest::newRow("chunked-up-to-the-limit") << QByteArrayList { chunked + first, second, "0\r\n\r\n" }
                                             << QStringList { u"proceed"_qs, u"proceed"_qs, u"proceed"_qs };
    QTest::newRow("chunked-over-the-limit-in-a-trailer") << QByteArrayList { chunked + first, second,
        "0\r\nX: 1\r\n\r\n" } << QStringList { u"proceed"_qs, u"proceed"_qs, u"413"_qs };
    QTest::newRow("chunk-announcing-more-than-the-limit")
        << QByteArrayList { chunked + "10\r\n" + QByteArray(16, 'x') + "\r\n", "55\r\n" }
        << QStringList { u"proceed"_qs, u"413"_qs };
    QTest::newRow("chunk-size-not-hex") << QByteArrayList { chunked + "zz\r\n" } << QStringList { u"400"_qs };
    QTest::newRow("chunk-size-empty") << QByteArrayList { chunked + "\r\n" } << QStringList { u"400"_qs };
    QTest::newRow("chunk-size-overflows")
        << QByteArrayList { chunked + "1000000000000000000\r\n" } << QStringList { u"400"_qs };
    QTest::newRow("chunk-without-its-line-end") << QByteArrayList { chunked + "2\r\nokX" } << QStringList { u"400"_qs };
    QTest::newRow("chunk-line-end-split")
        << QByteArrayList { chunked + "2\r\nok\r", "\n0\r\n\r\n" } << QStringList { u"proceed"_qs, u"proceed"_qs };
    QTest::newRow("expect-continue") << QByteArrayList { post + "Content-Length: 50\r\nExpect: 100-continue\r\n\r\n" }
                                     << QStringList { u"continue"_qs };
    QTest::newRow("expect-continue-body-already-sent")
        << QByteArrayList { post + "Content-Length: 2\r\nExpect: 100-continue\r\n\r\nok" }
        << QStringList { u"proceed"_qs };
    QTest::newRow("expect-continue-too-large")
        << QByteArrayList { post + "Content-Length: 500\r\nExpect: 100-continue\r\n\r\n" } << QStringList { u"413"_qs };
    QTest::newRow("head-too-large") << QByteArrayList { "GET / HTTP/1.1\r\nX: " + QByteArray(250, 'a') }
                                    << QStringList { u"431"_qs };
    QTest::newRow("head-too-large-in-pieces") << QByteArrayList { "GET / HTTP/1.1\r\nX: " + QByteArray(150, 'a'),
        QByteArray(150, 'a') } << QStringList { u"wait"_qs, u"431"_qs };
    const QByteArray exact = "GET / HTTP/1.1\r\nX: ";
    QTest::newRow("head-exactly-at-limit")
        << QByteArrayList { exact + QByteArray(200 - exact.size() - 4, 'a') + "\r\n\r\n" }
        << QStringList { u"proceed"_qs };
    QTest::newRow("head-one-over-limit") << QByteArrayList { exact + QByteArray(201 - exact.size() - 4, 'a')
        + "\r\n\r\n" } << QStringList { u"431"_qs };
    QTest::newRow("no-version") << QByteArrayList { "GET /\r\n\r\n" } << QStringList { u"400"_qs };
    QTest::newRow("nothing-yet") << QByteArrayList { "" } << QStringList { u"wait"_qs };
}

void TestRequestReader::verdicts()
{
    QFETCH(QByteArrayList, chunks);
    QFETCH(QStringList, expected);
    RequestReader reader(kLimits);
    QCOMPARE(feed(reader, chunks), expected);
}

void TestRequestReader::head_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("close");
    QTest::addColumn<QString>("origin");

    QTest::newRow("http-1.1-keeps-alive") << QByteArray("GET /context/a/b?explain=1 HTTP/1.1\r\n\r\n") << u"GET"_qs
                                          << u"/context/a/b"_qs << false << QString();
    QTest::newRow("connection-close") << QByteArray("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n") << u"GET"_qs
                                      << u"/"_qs << true << QString();
    QTest::newRow("http-1.0-closes") << QByteArray("GET / HTTP/1.0\r\n\r\n") << u"GET"_qs << u"/"_qs << true
                                     << QString();
    QTest::newRow("http-1.0-keep-alive") << QByteArray("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") << u"GET"_qs
                                         << u"/"_qs << false << QString();
    QTest::newRow("origin") << QByteArray("OPTIONS /e/ HTTP/1.1\r\nOrigin:  https://app.example.com \r\n\r\n")
                            << u"OPTIONS"_qs << u"/e/"_qs << false << u"https://app.example.com"_qs;
    QTest::newRow("absolute-form") << QByteArray("GET http://127.0.0.1:8000/healthz?x=1 HTTP/1.1\r\n\r\n") << u"GET"_qs
                                   << u"/healthz"_qs << false << QString();
    QTest::newRow("absolute-form-without-path")
        << QByteArray("GET http://127.0.0.1:8000 HTTP/1.1\r\n\r\n") << u"GET"_qs << QString() << false << QString();
}

void TestRequestReader::head()
{
    QFETCH(QByteArray, request);
    QFETCH(QString, method);
    QFETCH(QString, path);
    QFETCH(bool, close);
    QFETCH(QString, origin);
    RequestReader reader(kLimits);
    QCOMPARE(nameOf(reader.feed(view(request))), u"proceed"_qs);
    QCOMPARE(QString::fromStdString(reader.head().method), method);
    QCOMPARE(text(reader.head().path()), path);
    QCOMPARE(reader.head().closeRequested, close);
    QCOMPARE(QString::fromStdString(reader.head().origin), origin);
}

void TestRequestReader::bodyRemaining()
{
    RequestReader reader({ 1000, 200 });
    const QByteArray head = "POST /e/ HTTP/1.1\r\nContent-Length: 100\r\n\r\n";
    QVERIFY(!reader.bodyRemaining());
    QCOMPARE(reader.feed(view(head.left(10))), Verdict::Wait);
    QVERIFY(!reader.bodyRemaining());
    QCOMPARE(reader.feed(view(head.mid(10) + QByteArray(30, 'x'))), Verdict::Proceed);
    QCOMPARE(reader.bodyRemaining(), std::optional<std::int64_t>(70));
    QVERIFY(!reader.requestComplete());
    QCOMPARE(reader.feed(view(QByteArray(20, 'x'))), Verdict::Proceed);
    QCOMPARE(reader.bodyRemaining(), std::optional<std::int64_t>(50));
    QCOMPARE(reader.feed(view(QByteArray(50, 'x') + "GET")), Verdict::Proceed);
    QCOMPARE(reader.bodyRemaining(), std::optional<std::int64_t>(0));
    QVERIFY(reader.requestComplete());
    QCOMPARE(reader.request().body().size(), std::size_t(100));
    // The bytes after the body begin the next request.
    QCOMPARE(reader.next(), Verdict::Wait);
    QVERIFY(reader.holdsBytes());
}

void TestRequestReader::nextRequestStartsClean()
{
    RequestReader reader(kLimits);
    const QByteArray first = "POST /e/ HTTP/1.1\r\nContent-Length: 500\r\nOrigin: http://a\r\n\r\n";
    QCOMPARE(reader.feed(view(first)), Verdict::BodyTooLarge);
    // What is left to drain is the announced body, not the part within the limit.
    QCOMPARE(reader.bodyRemaining(), std::optional<std::int64_t>(500));
    QCOMPARE(reader.feed("more"), Verdict::BodyTooLarge);
    QCOMPARE(reader.bodyRemaining(), std::optional<std::int64_t>(496));
    reader.discard();
    QVERIFY(!reader.holdsBytes());
    const QByteArray second = "GET /healthz HTTP/1.1\r\n\r\n";
    QCOMPARE(reader.feed(view(second)), Verdict::Proceed);
    QVERIFY(reader.head().origin.empty());
    QVERIFY(!reader.head().contentLength);
    QCOMPARE(QString::fromStdString(reader.head().target), u"/healthz"_qs);
}

void TestRequestReader::requests_data()
{
    QTest::addColumn<QByteArrayList>("chunks");
    QTest::addColumn<QStringList>("expected");

    const QByteArray post = "POST /batch/ HTTP/1.1\r\n";
    QTest::newRow("get") << QByteArrayList { "GET /healthz HTTP/1.1\r\n\r\n" } << QStringList { u"GET /healthz "_qs };
    QTest::newRow("length-body-in-pieces") << QByteArrayList { post + "Content-Length: 11\r\n\r\nhello", " ", "world" }
                                           << QStringList { u"POST /batch/ hello world"_qs };
    QTest::newRow("zero-length") << QByteArrayList { post + "Content-Length: 0\r\n\r\n" }
                                 << QStringList { u"POST /batch/ "_qs };
    QTest::newRow("pipelined-in-one-read")
        << QByteArrayList { post + "Content-Length: 2\r\n\r\nokGET /a HTTP/1.1\r\n\r\n\r\nGET /b?x HTTP/1.1\r\n\r\n" }
        << QStringList { u"POST /batch/ ok"_qs, u"GET /a "_qs, u"GET /b "_qs };
    QTest::newRow("pipelined-split-inside-the-second") << QByteArrayList { "GET /a HTTP/1.1\r\n\r\nGET /b HT",
        "TP/1.1\r\n\r\n" } << QStringList { u"GET /a "_qs, u"GET /b "_qs };
    QTest::newRow("chunked-with-extension-and-trailer") << QByteArrayList {
        post + "Transfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: 1\r\n\r\n"
    } << QStringList { u"POST /batch/ hello world"_qs };
    QTest::newRow("chunked-byte-by-byte") << [&] {
        QByteArrayList bytes;
        for (const char c : post + "Transfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n")
            bytes << QByteArray(1, c);
        return bytes;
    }() << QStringList { u"POST /batch/ 0123456789"_qs };
    QTest::newRow("chunked-bare-lf") << QByteArrayList { post + "Transfer-Encoding: chunked\n\n2\nok\n0\n\n" }
                                     << QStringList { u"POST /batch/ ok"_qs };
    QTest::newRow("chunked-then-pipelined")
        << QByteArrayList { post + "Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\nGET /next HTTP/1.1\r\n\r\n" }
        << QStringList { u"POST /batch/ ok"_qs, u"GET /next "_qs };
    QTest::newRow("bad-request-after-a-good-one")
        << QByteArrayList { "GET /a HTTP/1.1\r\n\r\nGET /b\r\n\r\n" } << QStringList { u"GET /a "_qs, u"400"_qs };
}

void TestRequestReader::requests()
{
    QFETCH(QByteArrayList, chunks);
    QFETCH(QStringList, expected);
    RequestReader reader(kLimits);
    QCOMPARE(readAll(reader, chunks), expected);
}

void TestRequestReader::headerLookup()
{
    RequestReader reader(kLimits);
    const QByteArray head = "GET / HTTP/1.1\r\nContent-Type:  text/plain \r\nX-A: 1\r\nx-a: 2\r\nBroken line\r\n\r\n";
    QCOMPARE(reader.feed(view(head)), Verdict::Proceed);
    QVERIFY(reader.requestComplete());
    const HttpRequest request = reader.request();
    QCOMPARE(text(request.header("content-type")), u"text/plain"_qs);
    QCOMPARE(text(request.header("CONTENT-TYPE")), u"text/plain"_qs);
    QCOMPARE(text(request.header("x-a")), u"2"_qs); // the last one, as QtHttpServer answered
    QVERIFY(request.header("origin").empty());
    QVERIFY(request.header("broken line").empty());
}

void TestRequestReader::queryValues()
{
    RequestReader reader(kLimits);
    const QByteArray head = "GET /context/p/s?explain=1&conversation_id=a%20b+c&conversation_id=second&flag&"
                            "compress%69on=gzip-js HTTP/1.1\r\n\r\n";
    QCOMPARE(reader.feed(view(head)), Verdict::Proceed);
    const HttpRequest request = reader.request();
    QCOMPARE(QString::fromStdString(request.queryValue("conversation_id")), u"a b+c"_qs);
    QCOMPARE(QString::fromStdString(request.queryValue("explain")), u"1"_qs);
    QCOMPARE(QString::fromStdString(request.queryValue("compression")), u"gzip-js"_qs);
    QVERIFY(request.queryValue("flag").empty());
    QVERIFY(request.queryValue("missing").empty());
    QCOMPARE(text(request.path()), u"/context/p/s"_qs);
}

QTEST_GUILESS_MAIN(TestRequestReader)
#include "tst_requestreader.moc"
