// The SSE parser under torture: every frame split at every byte, byte by
// byte, random chunkings with fixed seeds, every line ending, comments,
// BOM, truncated streams, oversized frames and a 1 MB data line.

#include "chat/sseparser.h"
#include "printers.h"

#include <QTest>
#include <random>

using namespace proactive;

namespace {

struct Ev {
    std::string type;
    std::string data;
    std::string id;
    std::size_t bytes = 0;
    bool operator==(const Ev&) const = default;
};

using Events = std::vector<Ev>;

struct Parsed {
    Events events;
    std::size_t truncated = 0;
    SseStats stats;
    std::string lastEventId;
    std::optional<std::int64_t> retry;
};

// Feeds `stream` cut at `cuts` (sorted offsets), draining after every piece.
Parsed parseWithCuts(std::string_view stream, const std::vector<std::size_t>& cuts,
    std::size_t maxFrame = SseParser::kDefaultMaxFrameBytes)
{
    SseParser parser(maxFrame);
    Parsed out;
    const auto drain = [&] {
        while (const auto e = parser.next())
            out.events.push_back({ std::string(e->type), std::string(e->data), std::string(e->id), e->bytes });
    };
    std::size_t from = 0;
    for (const std::size_t cut : cuts) {
        parser.feed(stream.substr(from, cut - from));
        drain();
        from = cut;
    }
    parser.feed(stream.substr(from));
    drain();
    parser.finish();
    drain();
    out.truncated = parser.truncatedBytes();
    out.stats = parser.stats();
    out.lastEventId = parser.lastEventId();
    out.retry = parser.reconnectionTime();
    return out;
}

Parsed parseWhole(std::string_view stream)
{
    return parseWithCuts(stream, {});
}

QString describe(const Events& events)
{
    QStringList lines;
    for (const Ev& e : events)
        lines << QStringLiteral("[%1|%2|%3|%4]")
                     .arg(QString::fromStdString(e.type), QString::fromStdString(e.data), QString::fromStdString(e.id))
                     .arg(e.bytes);
    return lines.join(u' ');
}

// A Dify-like stream with every feature the parser must survive.
std::string tortureStream()
{
    return "\xEF\xBB\xBF"
           ": welcome\r\n"
           "data: {\"event\": \"message\", \"answer\": \"Hel\"}\n\n"
           "data: {\"event\": \"message\", \"answer\": \"lo \\u00e9\"}\r\n\r\n"
           "event: ping\r\r"
           "id: 42\n"
           "data: first line\r\n"
           "data:second line\n"
           "data\n"
           "\n"
           ": comment between frames\n\n"
           "retry: 2500\n"
           "event: custom\n"
           "data:  two leading spaces\n\n"
           "unknown: field\n"
           "data: {\"event\": \"message_end\"}\r\n"
           "\r\n"
           "data: {\"event\": \"tts_message_end\"}\r\r";
}

Events tortureExpected()
{
    return {
        { "message", "{\"event\": \"message\", \"answer\": \"Hel\"}", "", 59 }, // BOM and comment included
        { "message", "{\"event\": \"message\", \"answer\": \"lo \\u00e9\"}", "", 53 },
        { "ping", "", "", 13 },
        { "message", "first line\nsecond line\n", "42", 48 },
        { "custom", " two leading spaces", "42", 53 },
        { "message", "{\"event\": \"message_end\"}", "42", 49 },
        { "message", "{\"event\": \"tts_message_end\"}", "42", 36 },
    };
}

} // namespace

class TestSseParser final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void frames_data();
    void frames();
    void tortureWhole();
    void everySplitPoint();
    void everyPairOfSplitPoints();
    void byteByByte();
    void randomChunkings_data();
    void randomChunkings();
    void truncatedStreams_data();
    void truncatedStreams();
    void heldBackCarriageReturn();
    void viewsStayValidUntilNextCall();
    void oversizedFrameIsDropped_data();
    void oversizedFrameIsDropped();
    void oversizedFrameIsDroppedWhole_data();
    void oversizedFrameIsDroppedWhole();
    void oneMegabyteDataLine();
    void manySmallFramesInOneChunk();
};

void TestSseParser::frames_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QStringList>("expected"); // "type|data|id" per event
    QTest::addColumn<int>("comments");
    QTest::addColumn<int>("ignoredFields");

    const auto row = [](const char* name, QByteArray stream, QStringList expected, int comments = 0, int ignored = 0) {
        QTest::newRow(name) << stream << expected << comments << ignored;
    };
    row("dify-data-frame", "data: {\"event\": \"message\"}\n\n", { u"message|{\"event\": \"message\"}|"_qs });
    row("dify-ping", "event: ping\n\n", { u"ping||"_qs });
    row("crlf", "data: a\r\n\r\n", { u"message|a|"_qs });
    row("cr-only", "data: a\r\rdata: b\r\r", { u"message|a|"_qs, u"message|b|"_qs });
    row("mixed-endings", "data: a\r\n\ndata: b\n\r\ndata: c\r\r",
        { u"message|a|"_qs, u"message|b|"_qs, u"message|c|"_qs });
    row("multi-line-data", "data: a\ndata: b\ndata:\n\n", { u"message|a\nb\n|"_qs });
    row("no-space-after-colon", "data:x\n\n", { u"message|x|"_qs });
    row("only-one-space-dropped", "data:  x \n\n", { u"message| x |"_qs });
    row("field-without-colon", "data\n\n", { u"message||"_qs });
    row("colon-in-value", "data: a:b: c\n\n", { u"message|a:b: c|"_qs });
    row("comments-skipped", ": hi\ndata: x\n: mid\n\n", { u"message|x|"_qs }, 2);
    row("comment-only-block", ": keep-alive\n\n", {}, 1);
    row("event-type", "event: custom\ndata: 1\n\n", { u"custom|1|"_qs });
    row("last-event-line-wins", "event: a\nevent: b\ndata: 1\n\n", { u"b|1|"_qs });
    row("empty-event-resets-type", "event: a\nevent:\ndata: x\n\n", { u"message|x|"_qs });
    row("type-does-not-persist", "event: a\ndata: 1\n\ndata: 2\n\n", { u"a|1|"_qs, u"message|2|"_qs });
    row("id-persists", "id: 7\ndata: a\n\ndata: b\n\n", { u"message|a|7"_qs, u"message|b|7"_qs });
    row("empty-id-resets", "id: 7\ndata: a\n\nid\ndata: b\n\n", { u"message|a|7"_qs, u"message|b|"_qs });
    row("id-with-nul-ignored", QByteArray("id: 7\ndata: a\n\nid: 8\0x\ndata: b\n\n", 32),
        { u"message|a|7"_qs, u"message|b|7"_qs }, 0, 1);
    row("id-only-frame-not-dispatched", "id: 9\n\ndata: x\n\n", { u"message|x|9"_qs });
    row("retry-not-dispatched", "retry: 1500\n\n", {});
    row("retry-not-digits-ignored", "retry: 15x\n\n", {}, 0, 1);
    row("unknown-field", "foo: bar\ndata: x\n\n", { u"message|x|"_qs }, 0, 1);
    row("leading-space-is-not-a-field", " data: x\n\n", {}, 0, 1);
    row("bom-skipped",
        "\xEF\xBB\xBF"
        "data: x\n\n",
        { u"message|x|"_qs });
    row("bom-only-at-start", "data: \xEF\xBB\xBFx\n\n", { u"message|\uFEFFx|"_qs });
    row("bom-twice-second-is-data",
        "\xEF\xBB\xBF\xEF\xBB\xBF"
        "data: x\n\n",
        {}, 0, 1);
    row("blank-lines-between-frames", "\n\n\ndata: x\n\n\n\ndata: y\n\n", { u"message|x|"_qs, u"message|y|"_qs });
    row("several-frames-one-chunk", "data: 1\n\ndata: 2\n\nevent: ping\n\ndata: 3\n\n",
        { u"message|1|"_qs, u"message|2|"_qs, u"ping||"_qs, u"message|3|"_qs });
    row("no-done-sentinel-needed", "data: [DONE]\n\n", { u"message|[DONE]|"_qs });
    row("utf8-passes-through", "data: caf\xC3\xA9 \xF0\x9F\x98\x80\n\n", { u"message|caf\u00e9 \U0001F600|"_qs });
}

void TestSseParser::frames()
{
    QFETCH(QByteArray, stream);
    QFETCH(QStringList, expected);
    QFETCH(int, comments);
    QFETCH(int, ignoredFields);

    const Parsed parsed = parseWhole(std::string_view(stream.constData(), std::size_t(stream.size())));
    QStringList actual;
    for (const Ev& e : parsed.events)
        actual << QString::fromStdString(e.type + "|" + e.data + "|" + e.id);
    QCOMPARE(actual, expected);
    QCOMPARE(parsed.stats.comments, std::uint64_t(comments));
    QCOMPARE(parsed.stats.ignoredFields, std::uint64_t(ignoredFields));
    QCOMPARE(parsed.stats.events, std::uint64_t(expected.size()));
    QCOMPARE(parsed.stats.bytes, std::uint64_t(stream.size()));
    QCOMPARE(parsed.truncated, std::size_t(0));
}

void TestSseParser::tortureWhole()
{
    const std::string stream = tortureStream();
    const Parsed parsed = parseWhole(stream);
    QCOMPARE(describe(parsed.events), describe(tortureExpected()));
    QCOMPARE(parsed.truncated, std::size_t(0));
    QCOMPARE(parsed.stats.comments, std::uint64_t(2));
    QCOMPARE(parsed.stats.ignoredFields, std::uint64_t(1));

    SseParser parser;
    parser.feed(stream);
    while (parser.next()) { }
    QCOMPARE(parser.lastEventId(), std::string("42"));
    QCOMPARE(parser.reconnectionTime(), std::optional<std::int64_t>(2500));
}

void TestSseParser::everySplitPoint()
{
    const std::string stream = tortureStream();
    const Events expected = tortureExpected();
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        const Parsed parsed = parseWithCuts(stream, { cut });
        if (parsed.events != expected)
            QFAIL(qPrintable(u"split at byte %1: %2"_qs.arg(cut).arg(describe(parsed.events))));
        QCOMPARE(parsed.truncated, std::size_t(0));
    }
}

void TestSseParser::everyPairOfSplitPoints()
{
    // Two cuts: every frame boundary, CRLF and BOM can land in any piece.
    const std::string stream = tortureStream().substr(0, 160);
    const Parsed reference = parseWhole(stream);
    QVERIFY(reference.events.size() >= 3);
    for (std::size_t a = 0; a <= stream.size(); ++a)
        for (std::size_t b = a; b <= stream.size(); ++b) {
            const Parsed parsed = parseWithCuts(stream, { a, b });
            if (parsed.events != reference.events || parsed.truncated != reference.truncated)
                QFAIL(qPrintable(u"cuts %1,%2: %3"_qs.arg(a).arg(b).arg(describe(parsed.events))));
        }
}

void TestSseParser::byteByByte()
{
    const std::string stream = tortureStream();
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < stream.size(); ++i)
        cuts.push_back(i);
    QCOMPARE(describe(parseWithCuts(stream, cuts).events), describe(tortureExpected()));
}

void TestSseParser::randomChunkings_data()
{
    QTest::addColumn<unsigned>("seed");
    for (unsigned seed : { 1u, 2u, 3u, 17u, 42u, 1234u, 99991u })
        QTest::newRow(qPrintable(u"seed-%1"_qs.arg(seed))) << seed;
}

void TestSseParser::randomChunkings()
{
    QFETCH(unsigned, seed);
    std::mt19937 rng(seed);
    // 200 frames of varied shapes, line endings chosen at random.
    std::string stream;
    Events expected;
    const char* const endings[] = { "\n", "\r\n", "\r" };
    for (int i = 0; i < 200; ++i) {
        const std::string eol = endings[rng() % 3];
        const std::string answer = "tok" + std::to_string(i) + std::string(rng() % 40, 'x');
        std::string frame;
        switch (rng() % 4) {
        case 0:
            frame = "event: ping" + eol + eol;
            expected.push_back({ "ping", "", "", frame.size() });
            break;
        case 1:
            frame = ": c" + eol + "data: " + answer + eol + "data: 2nd" + eol + eol;
            expected.push_back({ "message", answer + "\n2nd", "", frame.size() });
            break;
        default:
            frame = "data: {\"event\": \"message\", \"answer\": \"" + answer + "\"}" + eol + eol;
            expected.push_back(
                { "message", "{\"event\": \"message\", \"answer\": \"" + answer + "\"}", "", frame.size() });
            break;
        }
        stream += frame;
    }
    for (int round = 0; round < 20; ++round) {
        std::vector<std::size_t> cuts;
        std::size_t at = 0;
        for (;;) {
            at += 1 + rng() % (round < 10 ? 7 : 300);
            if (at >= stream.size())
                break;
            cuts.push_back(at);
        }
        const Parsed parsed = parseWithCuts(stream, cuts);
        QCOMPARE(parsed.events.size(), expected.size());
        QVERIFY2(parsed.events == expected, qPrintable(u"round %1"_qs.arg(round)));
        QCOMPARE(parsed.truncated, std::size_t(0));
    }
}

void TestSseParser::truncatedStreams_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<int>("events");
    QTest::addColumn<int>("truncated");

    QTest::newRow("clean-end") << QByteArray("data: a\n\n") << 1 << 0;
    QTest::newRow("empty-stream") << QByteArray() << 0 << 0;
    QTest::newRow("mid-line") << QByteArray("data: a\n\ndata: {\"ev") << 1 << 10;
    QTest::newRow("line-without-blank-line") << QByteArray("data: a\n\ndata: b\n") << 1 << 8;
    QTest::newRow("crlf-line-without-blank-line") << QByteArray("data: b\r\n") << 0 << 9;
    QTest::newRow("final-cr-ends-the-line-only") << QByteArray("data: b\r") << 0 << 8;
    QTest::newRow("final-cr-ends-the-frame") << QByteArray("data: b\n\r") << 1 << 0;
    QTest::newRow("trailing-comment-is-not-a-frame") << QByteArray("data: a\n\n: bye\n") << 1 << 0;
    QTest::newRow("unterminated-comment") << QByteArray("data: a\n\n: by") << 1 << 4;
    QTest::newRow("event-line-only") << QByteArray("event: ping\n") << 0 << 12;
    QTest::newRow("partial-bom") << QByteArray("\xEF\xBB") << 0 << 2;
}

void TestSseParser::truncatedStreams()
{
    QFETCH(QByteArray, stream);
    QFETCH(int, events);
    QFETCH(int, truncated);
    const std::string_view text(stream.constData(), std::size_t(stream.size()));
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
        const Parsed parsed = parseWithCuts(text, { cut });
        QCOMPARE(parsed.events.size(), std::size_t(events));
        QCOMPARE(parsed.truncated, std::size_t(truncated));
    }
}

void TestSseParser::heldBackCarriageReturn()
{
    SseParser parser;
    parser.feed("data: a\r\n\r");
    // The blank line's CR may be the first half of a CRLF: not dispatched yet.
    QVERIFY(!parser.next());
    parser.feed("\n");
    const auto event = parser.next();
    QVERIFY(event);
    QCOMPARE(event->data, std::string_view("a"));
    QCOMPARE(event->bytes, std::size_t(11));
    QVERIFY(!parser.next());
}

void TestSseParser::viewsStayValidUntilNextCall()
{
    SseParser parser;
    parser.feed("data: one\ndata: two\n\ndata: three\n\n");
    const auto first = parser.next();
    QVERIFY(first);
    const std::string copy(first->data);
    QCOMPARE(copy, std::string("one\ntwo"));
    const auto second = parser.next();
    QVERIFY(second);
    QCOMPARE(second->data, std::string_view("three"));
}

void TestSseParser::oversizedFrameIsDropped_data()
{
    QTest::addColumn<int>("chunk");
    QTest::newRow("whole") << 0;
    QTest::newRow("byte-by-byte") << 1;
    QTest::newRow("chunks-of-7") << 7;
    QTest::newRow("chunks-of-64") << 64;
}

void TestSseParser::oversizedFrameIsDropped()
{
    QFETCH(int, chunk);
    const std::string big = "data: " + std::string(200, 'x') + "\r\ndata: more\r\n\r\n";
    const std::string stream = "data: before\n\n" + big + "data: after\n\n";
    std::vector<std::size_t> cuts;
    for (std::size_t at = std::size_t(chunk); chunk > 0 && at < stream.size(); at += std::size_t(chunk))
        cuts.push_back(at);
    const Parsed parsed = parseWithCuts(stream, cuts, 100);
    QCOMPARE(parsed.events.size(), std::size_t(2));
    QCOMPARE(parsed.events[0].data, std::string("before"));
    QCOMPARE(parsed.events[1].data, std::string("after"));
    QCOMPARE(parsed.stats.oversizedFrames, std::uint64_t(1));
    QCOMPARE(parsed.truncated, std::size_t(0));
}

void TestSseParser::oversizedFrameIsDroppedWhole_data()
{
    QTest::addColumn<QByteArray>("frame"); // between "id: 1\ndata: a\n\n" and "data: b\n\n", cap 100
    QTest::addColumn<int>("chunk");

    const QByteArray filler = "data: " + QByteArray(120, 'x') + "\n";
    // Its id used to count or not depending on whether the cap was reached before the id line was read (issue 13).
    const QList<std::pair<const char*, QByteArray>> frames {
        { "id-before-the-cap", "id: 2\n" + filler + "\n" },
        { "id-after-the-cap", filler + "id: 2\n\n" },
        { "retry-and-comment", ": c\nretry: 5\nfoo: bar\n" + filler + "\n" },
        { "fields-only", "id: 2\n:" + QByteArray(120, 'c') + "\n\n" },
    };
    for (const auto& [name, frame] : frames)
        for (const int chunk : { 0, 1, 7, 64 })
            QTest::newRow(qPrintable(u"%1-chunks-of-%2"_qs.arg(QLatin1StringView(name)).arg(chunk))) << frame << chunk;
}

void TestSseParser::oversizedFrameIsDroppedWhole()
{
    QFETCH(QByteArray, frame);
    QFETCH(int, chunk);
    const std::string stream = "id: 1\ndata: a\n\n" + frame.toStdString() + "data: b\n\n";
    std::vector<std::size_t> cuts;
    for (std::size_t at = std::size_t(chunk); chunk > 0 && at < stream.size(); at += std::size_t(chunk))
        cuts.push_back(at);
    const Parsed parsed = parseWithCuts(stream, cuts, 100);
    QCOMPARE(describe(parsed.events), describe({ { "message", "a", "1", 15 }, { "message", "b", "1", 9 } }));
    QCOMPARE(parsed.stats.oversizedFrames, std::uint64_t(1));
    QCOMPARE(parsed.stats.comments, std::uint64_t(0));
    QCOMPARE(parsed.stats.ignoredFields, std::uint64_t(0));
    QCOMPARE(parsed.stats.blankFrames, std::uint64_t(0));
    QCOMPARE(parsed.lastEventId, std::string("1"));
    QCOMPARE(parsed.retry, std::optional<std::int64_t>());
    QCOMPARE(parsed.truncated, std::size_t(0));
}

void TestSseParser::oneMegabyteDataLine()
{
    std::string answer(1024 * 1024, 'a');
    for (std::size_t i = 0; i < answer.size(); i += 97)
        answer[i] = char('a' + i % 26);
    const std::string stream = "data: " + answer + "\n\nevent: ping\n\n";
    std::vector<std::size_t> cuts;
    for (std::size_t at = 4096; at < stream.size(); at += 4096)
        cuts.push_back(at);
    const Parsed parsed = parseWithCuts(stream, cuts);
    QCOMPARE(parsed.events.size(), std::size_t(2));
    QVERIFY(parsed.events[0].data == answer);
    QCOMPARE(parsed.events[0].bytes, answer.size() + 8);
    QCOMPARE(parsed.events[1].type, std::string("ping"));
}

void TestSseParser::manySmallFramesInOneChunk()
{
    std::string stream;
    for (int i = 0; i < 10000; ++i)
        stream += "data: " + std::to_string(i) + "\n\n";
    const Parsed parsed = parseWhole(stream);
    QCOMPARE(parsed.events.size(), std::size_t(10000));
    QCOMPARE(parsed.events.back().data, std::string("9999"));
}

QTEST_GUILESS_MAIN(TestSseParser)
#include "tst_sseparser.moc"
