// The request guard that runs ahead of QtHttpServer's parser: a request is
// fed in the chunks it arrives in, and each chunk's verdict is checked.

#include "service/requestguard.h"

#include <QTest>

using namespace proactive::service;
using Verdict = RequestGuard::Verdict;

namespace {

constexpr RequestGuard::Limits kLimits { 100, 200 };

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

// Feeds the chunks as the service does: the first at a request boundary,
// the rest mid-request, peeking what the guard asks for.
QStringList feed(RequestGuard& guard, const QByteArrayList& chunks)
{
    QStringList verdicts;
    for (qsizetype i = 0; i < chunks.size(); ++i) {
        const QByteArray& chunk = chunks[i];
        if (i == 0) {
            verdicts << nameOf(guard.begin(view(chunk.left(qsizetype(guard.limits().maxHeadBytes) + 1)), chunk.size()));
        } else {
            verdicts << nameOf(guard.more(view(chunk.left(qsizetype(guard.peekLimit()))), chunk.size()));
        }
    }
    return verdicts;
}

} // namespace

class TestRequestGuard final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void verdicts_data();
    void verdicts();
    void head_data();
    void head();
    void bodyRemaining();
    void nextRequestStartsClean();
};

void TestRequestGuard::verdicts_data()
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
    // Found by fuzz_requestguard: a blank line split across reads.
    QTest::newRow("blank-line-split-from-head")
        << QByteArrayList { "\n\r", "\n\n" } << QStringList { u"wait"_qs, u"wait"_qs };
    QTest::newRow("blank-lines-then-request-in-pieces") << QByteArrayList { "\r\n", "\r", "\nGET / HTTP/1.1\r\n\r\n" }
                                                        << QStringList { u"wait"_qs, u"wait"_qs, u"proceed"_qs };
    // Found by fuzz_requestguard: blank bytes before the head count toward
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
    // Chunked bodies are counted as they arrive, framing included.
    QTest::newRow("chunked-up-to-the-limit")
        << QByteArrayList { post + "Transfer-Encoding: chunked\r\n\r\n" + QByteArray(50, 'a'), QByteArray(50, 'b') }
        << QStringList { u"proceed"_qs, u"proceed"_qs };
    QTest::newRow("chunked-one-byte-over") << QByteArrayList {
        post + "Transfer-Encoding: chunked\r\n\r\n" + QByteArray(50, 'a'), QByteArray(50, 'b'), "c"
    } << QStringList { u"proceed"_qs, u"proceed"_qs, u"413"_qs };
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

void TestRequestGuard::verdicts()
{
    QFETCH(QByteArrayList, chunks);
    QFETCH(QStringList, expected);
    RequestGuard guard(kLimits);
    QCOMPARE(feed(guard, chunks), expected);
}

void TestRequestGuard::head_data()
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
}

void TestRequestGuard::head()
{
    QFETCH(QByteArray, request);
    QFETCH(QString, method);
    QFETCH(QString, path);
    QFETCH(bool, close);
    QFETCH(QString, origin);
    RequestGuard guard(kLimits);
    QCOMPARE(nameOf(guard.begin(view(request), request.size())), u"proceed"_qs);
    QCOMPARE(QString::fromStdString(guard.head().method), method);
    const auto p = guard.head().path();
    QCOMPARE(QString::fromUtf8(p.data(), qsizetype(p.size())), path);
    QCOMPARE(guard.head().closeRequested, close);
    QCOMPARE(QString::fromStdString(guard.head().origin), origin);
}

void TestRequestGuard::bodyRemaining()
{
    RequestGuard guard({ 1000, 200 });
    const QByteArray head = "POST /e/ HTTP/1.1\r\nContent-Length: 100\r\n\r\n";
    QVERIFY(!guard.bodyRemaining());
    QCOMPARE(guard.begin(view(head.left(10)), 10), Verdict::Wait);
    QVERIFY(!guard.bodyRemaining());
    const QByteArray rest = head.mid(10) + QByteArray(30, 'x');
    QCOMPARE(guard.more(view(rest), rest.size()), Verdict::Proceed);
    QCOMPARE(guard.bodyRemaining(), std::optional<std::int64_t>(70));
    QCOMPARE(guard.peekLimit(), std::size_t(0));
    QCOMPARE(guard.more({}, 20), Verdict::Proceed);
    QCOMPARE(guard.bodyRemaining(), std::optional<std::int64_t>(50));
    QCOMPARE(guard.more({}, 80), Verdict::Proceed);
    QCOMPARE(guard.bodyRemaining(), std::optional<std::int64_t>(0));
}

void TestRequestGuard::nextRequestStartsClean()
{
    RequestGuard guard(kLimits);
    const QByteArray first = "POST /e/ HTTP/1.1\r\nContent-Length: 500\r\nOrigin: http://a\r\n\r\n";
    QCOMPARE(guard.begin(view(first), first.size()), Verdict::BodyTooLarge);
    const QByteArray second = "GET /healthz HTTP/1.1\r\n\r\n";
    QCOMPARE(guard.begin(view(second), second.size()), Verdict::Proceed);
    QVERIFY(guard.head().origin.empty());
    QVERIFY(!guard.head().contentLength);
    QCOMPARE(QString::fromStdString(guard.head().target), u"/healthz"_qs);
}

QTEST_GUILESS_MAIN(TestRequestGuard)
#include "tst_requestguard.moc"
