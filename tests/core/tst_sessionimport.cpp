// Importing PostHog exports for replay: the RFC 4180 reader, every export
// layout on real-format fixtures (tests/data/replay/exports, written by
// make_fixtures.py), malformed rows reported with their lines, progress and
// cancellation.

#include "printers.h"
#include "replay/csvreader.h"
#include "replay/sessionimport.h"

#include <QTemporaryDir>
#include <QTest>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stop_token>

using namespace proactive;

namespace {

const std::filesystem::path kData = PROACTIVE_TEST_DATA "/replay";
const std::filesystem::path kExports = kData / "exports";

std::shared_ptr<const Workspace> testWorkspace()
{
    Diagnostics diagnostics;
    auto workspace = std::make_shared<const Workspace>(Workspace::load(kData / "workspace", diagnostics));
    for (const auto& d : diagnostics)
        qWarning("workspace problem: %s", d.toString().c_str());
    return workspace;
}

// "line:field|field" per record, "line!reason" per malformed record.
QStringList readAll(const std::string& text)
{
    QStringList out;
    CsvReader reader(text);
    CsvRecord record;
    std::string error;
    for (;;) {
        const auto status = reader.next(record, error);
        if (status == CsvReader::Status::End)
            break;
        if (status == CsvReader::Status::Malformed) {
            out << QString::number(record.line) + u'!' + QString::fromStdString(error);
            continue;
        }
        QStringList fields;
        for (const auto& f : record.fields)
            fields << QString::fromStdString(f);
        out << QString::number(record.line) + u':' + fields.join(u'|');
    }
    return out;
}

// "s-api-1:4" per session.
QStringList sessionsOf(const ImportResult& result)
{
    QStringList out;
    for (const auto& session : result.sessions)
        out << QString::fromStdString(session.summary.productId + "/" + session.summary.sessionId) + u':'
                + QString::number(session.actions.size());
    return out;
}

// "file-name:line:code" per diagnostic.
QStringList diagnosticsOf(const ImportResult& result)
{
    QStringList out;
    for (const auto& d : result.diagnostics)
        out << QString::fromStdString(std::filesystem::path(d.file).filename().string()) + u':'
                + QString::number(d.line) + u':' + QString::fromStdString(d.code);
    return out;
}

const RecordedSession* findSession(const ImportResult& result, std::string_view id)
{
    for (const auto& session : result.sessions)
        if (session.summary.sessionId == id)
            return &session;
    return nullptr;
}

// `text` as the file x.jsonl in `dir`.
std::filesystem::path jsonLinesFile(const QTemporaryDir& dir, const QByteArray& text)
{
    const std::filesystem::path path = dir.filePath(u"x.jsonl"_qs).toStdString();
    std::ofstream(path, std::ios::binary) << text.toStdString();
    return path;
}

} // namespace

class TestSessionImport final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void csvReader_data();
    void csvReader();
    void exports_data();
    void exports();
    void eventsApiPageIsOrderedAndSummarised();
    void csvFieldsReachTheActions();
    void explicitProductTakesEveryEvent();
    void directoriesListExportFilesOnly();
    void jsonLinesWithABrokenFirstLine();
    void jsonLinesReadInChunks_data();
    void jsonLinesReadInChunks();
    void duplicatesAreDroppedInFileOrder_data();
    void duplicatesAreDroppedInFileOrder();
    void csvWithInvalidUtf8IsRead();
    void diagnosticsAreCappedPerFile();
    void progressReachesTheTotal();
    void stopRequestCancels();
    void missingPathOrProductIsAnError();
    void recordSessionOrdersFinalisesAndSummarises();
};

void TestSessionImport::csvReader_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("lf") << u"a,b\n1,2\n"_qs << QStringList { u"1:a|b"_qs, u"2:1|2"_qs };
    QTest::newRow("crlf-no-final-newline") << u"a,b\r\n1,2"_qs << QStringList { u"1:a|b"_qs, u"2:1|2"_qs };
    QTest::newRow("empty-fields") << u",x,\n"_qs << QStringList { u"1:|x|"_qs };
    QTest::newRow("quoted-comma") << u"\"a,b\",c\n"_qs << QStringList { u"1:a,b|c"_qs };
    QTest::newRow("doubled-quotes") << u"\"say \"\"hi\"\"\",\"\"\"\"\n"_qs << QStringList { u"1:say \"hi\"|\""_qs };
    QTest::newRow("quoted-newline-counts-lines")
        << u"\"one\ntwo\",x\r\nnext,y\r\n"_qs << QStringList { u"1:one\ntwo|x"_qs, u"3:next|y"_qs };
    QTest::newRow("quoted-crlf-kept") << u"\"a\r\nb\"\r\n"_qs << QStringList { u"1:a\r\nb"_qs };
    QTest::newRow("blank-lines-skipped") << u"a\n\n\r\nb\n"_qs << QStringList { u"1:a"_qs, u"4:b"_qs };
    QTest::newRow("byte-order-mark") << u"\uFEFFevent,timestamp\n"_qs << QStringList { u"1:event|timestamp"_qs };
    QTest::newRow("stray-quote-then-recovers")
        << u"ok,1\nbro\"ken,2\nok,3\n"_qs
        << QStringList { u"1:ok|1"_qs, u"2!a quote inside an unquoted field (field 1)"_qs, u"3:ok|3"_qs };
    QTest::newRow("text-after-closing-quote")
        << u"\"a\"b,c\nd,e\n"_qs << QStringList { u"1!text after a closing quote (field 1)"_qs, u"2:d|e"_qs };
    QTest::newRow("unterminated-quote") << u"a,b\n\"open,\nnever closed\n"_qs
                                        << QStringList { u"1:a|b"_qs,
                                               u"2!the quoted field opened on line 2 never ends"_qs };
}

void TestSessionImport::csvReader()
{
    QFETCH(QString, text);
    QFETCH(QStringList, expected);
    QCOMPARE(readAll(text.toStdString()), expected);
}

void TestSessionImport::exports_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("product");
    QTest::addColumn<QStringList>("sessions");
    QTest::addColumn<QStringList>("diagnostics");
    QTest::addColumn<int>("rejected");
    QTest::addColumn<int>("ignored");
    QTest::addColumn<int>("duplicates");
    QTest::addColumn<int>("unassigned");

    // An events API page (newest first): one event has no session id, one a
    // timestamp that is not ISO 8601; $identify is PostHog's, not the user's.
    QTest::newRow("events-api-page") << u"events-api-page.json"_qs << u"acme"_qs << QStringList { u"acme/s-api-1:4"_qs }
                                     << QStringList { u"events-api-page.json:39:missing_session_id"_qs,
                                            u"events-api-page.json:72:bad_timestamp"_qs }
                                     << 2 << 1 << 0 << 0;
    // Two pretty-printed pages one after the other, overlapping by one event.
    QTest::newRow("events-api-pages-concatenated")
        << u"events-api-pages.json"_qs << u"acme"_qs << QStringList { u"acme/s-api-2:5"_qs } << QStringList {} << 0 << 0
        << 1 << 0;
    QTest::newRow("events-api-page-array")
        << u"events-api-page-array.json"_qs << u"acme"_qs << QStringList { u"acme/s-api-2:5"_qs } << QStringList {} << 0
        << 0 << 1 << 0;
    QTest::newRow("events-api-page-folder")
        << u"events-api-pages"_qs << u"acme"_qs << QStringList { u"acme/s-api-2:5"_qs } << QStringList {} << 0 << 0 << 1
        << 0;
    // HogQL rows: the `*` column is the event; a row whose `*` is not an
    // object has no session id.
    QTest::newRow("hogql-query") << u"hogql-query.json"_qs << u"acme"_qs << QStringList { u"acme/s-query-1:3"_qs }
                                 << QStringList { u"hogql-query.json:81:missing_session_id"_qs } << 1 << 0 << 0 << 0;
    // The CSV export: a quoted field spans lines 4–5, so the malformed rows
    // are on lines 7–10; the last row (line 11) is read again.
    QTest::newRow("events-csv") << u"events.csv"_qs << u"acme"_qs << QStringList { u"acme/s-csv-1:4"_qs }
                                << QStringList { u"events.csv:7:bad_timestamp"_qs, u"events.csv:8:bad_row"_qs,
                                       u"events.csv:9:bad_row"_qs, u"events.csv:10:bad_row"_qs }
                                << 4 << 1 << 0 << 0;
    QTest::newRow("events-legacy-csv") << u"events-legacy.csv"_qs << u"acme"_qs << QStringList { u"acme/s-csv-2:4"_qs }
                                       << QStringList { u"events-legacy.csv:6:bad_row"_qs } << 1 << 0 << 0 << 0;
    // Webhook bodies: the flat ones carry no token (and the workspace has
    // two products), the default ones the beta product's token.
    QTest::newRow("webhooks-by-token") << u"webhooks.jsonl"_qs << QString() << QStringList { u"beta/s-hook-2:2"_qs }
                                       << QStringList { u"webhooks.jsonl:4:invalid_json"_qs,
                                              u"webhooks.jsonl:8:bad_shape"_qs, u"webhooks.jsonl:1:unknown_product"_qs }
                                       << 2 << 0 << 0 << 4;
    QTest::newRow("webhooks-gzipped") << u"../compressed/webhooks.jsonl.gz"_qs << QString()
                                      << QStringList { u"beta/s-hook-2:2"_qs }
                                      << QStringList { u"webhooks.jsonl.gz:4:invalid_json"_qs,
                                             u"webhooks.jsonl.gz:8:bad_shape"_qs,
                                             u"webhooks.jsonl.gz:1:unknown_product"_qs }
                                      << 2 << 0 << 0 << 4;
    QTest::newRow("webhooks-array") << u"webhooks.json"_qs << QString() << QStringList { u"acme/s-hook-3:2"_qs }
                                    << QStringList {} << 0 << 0 << 0 << 0;
}

void TestSessionImport::exports()
{
    QFETCH(QString, file);
    QFETCH(QString, product);
    QFETCH(QStringList, sessions);
    QFETCH(QStringList, diagnostics);
    QFETCH(int, rejected);
    QFETCH(int, ignored);
    QFETCH(int, duplicates);
    QFETCH(int, unassigned);

    ImportOptions options;
    options.productId = product.toStdString();
    const std::vector<std::filesystem::path> paths { kExports / file.toStdString() };
    auto result = importSessions(testWorkspace(), paths, options);
    QVERIFY2(result.ok(), result.ok() ? "" : result.error().toString().c_str());
    QCOMPARE(sessionsOf(*result), sessions);
    QCOMPARE(diagnosticsOf(*result), diagnostics);
    QCOMPARE(static_cast<int>(result->rejected), rejected);
    QCOMPARE(static_cast<int>(result->ignored), ignored);
    QCOMPARE(static_cast<int>(result->duplicates), duplicates);
    QCOMPARE(static_cast<int>(result->unassigned), unassigned);
    QVERIFY(!result->cancelled);
}

void TestSessionImport::eventsApiPageIsOrderedAndSummarised()
{
    const std::vector<std::filesystem::path> paths { kExports / "events-api-page.json" };
    auto result = importSessions(testWorkspace(), paths, { .productId = "acme" });
    QVERIFY(result.ok());
    const RecordedSession* session = findSession(*result, "s-api-1");
    QVERIFY(session);
    const auto& actions = session->actions;
    QCOMPARE(actions.size(), std::size_t(4));
    // The page lists newest first; a session is oldest first, indexed, each action ending where the next starts.
    const char* expected[] = { "2024-09-03T10:00:00.000Z", "2024-09-03T10:00:08.000Z", "2024-09-03T10:00:16.000Z",
        "2024-09-03T10:00:20.000Z" };
    for (std::size_t i = 0; i < actions.size(); ++i) {
        QCOMPARE(formatIsoTimestamp(actions[i].timestampStart), std::string(expected[i]));
        QCOMPARE(actions[i].index, static_cast<std::int64_t>(i));
        QCOMPARE(actions[i].timestampEnd,
            i + 1 < actions.size() ? actions[i + 1].timestampStart : actions[i].timestampStart);
    }
    QCOMPARE(actions[1].canonicalUrl, std::string("https://app.acme.test/projects/:slug"));
    QCOMPARE(actions[3].type, ActionType::Click);
    QCOMPARE(session->action(3).description, std::string("Clicked button 'Open' on /projects"));

    const SessionSummary& s = session->summary;
    QCOMPARE(s.productId, std::string("acme"));
    QCOMPARE(s.distinctId, std::string("user-1"));
    QCOMPARE(s.email, std::string("ana@acme.test"));
    QCOMPARE(s.actionCount, std::size_t(4));
    QCOMPARE(s.pageviews, std::size_t(3));
    QCOMPARE(s.duration, Duration(20'000));
    QCOMPARE(s.pages,
        (std::vector<std::string> { "https://app.acme.test/projects", "https://app.acme.test/projects/:slug" }));
}

void TestSessionImport::csvFieldsReachTheActions()
{
    const std::vector<std::filesystem::path> paths { kExports / "events.csv" };
    auto result = importSessions(testWorkspace(), paths, { .productId = "acme" });
    QVERIFY(result.ok());
    const RecordedSession* session = findSession(*result, "s-csv-1");
    QVERIFY(session);
    const auto& a = session->actions;
    QCOMPARE(a.size(), std::size_t(4));
    // Both timestamp forms of the export: "2024-09-03 10:00:00.000000" and ISO with an offset.
    QCOMPARE(formatIsoTimestamp(a[0].timestampStart), std::string("2024-09-03T10:00:00.000Z"));
    QCOMPARE(formatIsoTimestamp(a[1].timestampStart), std::string("2024-09-03T10:00:04.500Z"));
    // A quoted field with a comma, and an elements chain with doubled quotes.
    QCOMPARE(a[1].element().text, std::string("Save, and continue"));
    QCOMPARE(a[1].element().tag, std::string("button"));
    QCOMPARE(session->action(1).description, std::string("Clicked button 'Save, and continue' on /settings/account"));
    // A field spanning two lines.
    QCOMPARE(a[2].element().text, std::string("Line one Line two"));
    QCOMPARE(session->action(0).email, std::string("bo@acme.test"));
    QCOMPARE(a[0].canonicalUrl, std::string("https://app.acme.test/settings/account"));
    QCOMPARE(formatIsoTimestamp(a[3].timestampStart), std::string("2024-09-03T10:00:10.000Z"));

    const std::vector<std::filesystem::path> legacy { kExports / "events-legacy.csv" };
    result = importSessions(testWorkspace(), legacy, { .productId = "acme" });
    QVERIFY(result.ok());
    session = findSession(*result, "s-csv-2");
    QVERIFY(session);
    // The properties column is JSON: custom properties come through.
    QVERIFY(session->actions[0].property("plan"));
    QCOMPARE(*session->actions[0].property("plan"), std::string("pro, annual"));
}

void TestSessionImport::explicitProductTakesEveryEvent()
{
    const std::vector<std::filesystem::path> paths { kExports / "webhooks.jsonl" };
    auto result = importSessions(testWorkspace(), paths, { .productId = "acme" });
    QVERIFY(result.ok());
    QCOMPARE(sessionsOf(*result), (QStringList { u"acme/s-hook-1:4"_qs, u"acme/s-hook-2:2"_qs }));
    QCOMPARE(result->unassigned, std::size_t(0));
    const RecordedSession* flat = findSession(*result, "s-hook-1");
    QCOMPARE(flat->summary.email, std::string("dee@acme.test"));
    QCOMPARE(flat->actions.back().element().text, std::string("Open"));
    const RecordedSession* byDefault = findSession(*result, "s-hook-2");
    QCOMPARE(byDefault->summary.email, std::string("eve@beta.test"));
}

void TestSessionImport::directoriesListExportFilesOnly()
{
    const std::vector<std::filesystem::path> paths { kExports / "events-api-pages" };
    auto files = listExportFiles(paths);
    QVERIFY(files.ok());
    QCOMPARE(files->size(), std::size_t(2)); // notes.txt is not an export
    QCOMPARE(files->at(0).filename().string(), std::string("page-001.json"));
    QCOMPARE(files->at(1).filename().string(), std::string("page-002.json"));
}

void TestSessionImport::jsonLinesWithABrokenFirstLine()
{
    // Lines, not one document spread over lines: the broken first line must
    // not swallow the ones after it.
    const std::string text
        = "{\"event\": \"$pageview\", \"properties\": {\"$sess\n"
          "{\"event\": \"$pageview\", \"session_id\": \"s\", \"timestamp\": \"2024-09-03T10:00:00Z\"}\n"
          "{\"event\": \"$pageview\", \"session_id\": \"s\", \"timestamp\": \"2024-09-03T10:00:05Z\"}\n";
    SessionImporter importer(testWorkspace(), { .productId = "acme" });
    importer.addText(text, "broken.jsonl");
    const auto result = importer.finish();
    QCOMPARE(sessionsOf(result), QStringList { u"acme/s:2"_qs });
    QCOMPARE(diagnosticsOf(result), QStringList { u"broken.jsonl:1:invalid_json"_qs });
}

namespace {

// An event line of session `session` at second `second`; `uuid` may be empty.
std::string eventLine(const std::string& session, int second, const std::string& uuid = {})
{
    nlohmann::json event { { "event", second % 2 ? "$autocapture" : "$pageview" }, { "session_id", session },
        { "distinct_id", "u-" + session }, { "token", "phc_replay_acme" },
        { "current_url", "https://app.acme.test/projects/" + std::to_string(second % 3) },
        { "timestamp", formatIsoTimestamp(fromEpochMs(1'725'357'600'000 + 1000LL * second)) } };
    if (second % 2)
        event["event_type"] = "click";
    if (second % 2)
        event["elements_chain"] = "button:text=\"Add " + std::to_string(second) + "\"nth-child=\"1\"";
    if (!uuid.empty())
        event["uuid"] = uuid;
    return event.dump();
}

// Everything an import gave, to compare imports line by line: sessions with
// their actions, every diagnostic in full, and the counts.
QStringList everythingOf(const ImportResult& result)
{
    QStringList out;
    for (const auto& session : result.sessions) {
        out << QString::fromStdString(session.summary.productId + "/" + session.summary.sessionId + " "
            + session.summary.distinctId);
        for (std::size_t i = 0; i < session.actions.size(); ++i) {
            const Action action = session.action(i);
            out << QString::fromStdString("  " + std::to_string(action.index) + " " + action.event + " "
                + formatIsoTimestamp(action.timestampStart) + " " + action.canonicalUrl + " " + action.element.text
                + " " + action.distinctId + " " + action.email);
        }
    }
    for (const auto& d : result.diagnostics)
        out << QString::fromStdString(d.toString());
    out << u"events %1 rejected %2 ignored %3 duplicates %4 unassigned %5 left out %6"_qs.arg(result.events)
               .arg(result.rejected)
               .arg(result.ignored)
               .arg(result.duplicates)
               .arg(result.unassigned)
               .arg(result.diagnosticsLeftOut);
    return out;
}

} // namespace

void TestSessionImport::jsonLinesReadInChunks_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("diagnostics"); // "file:line:code", as one thread reads them
    QTest::addColumn<int>("events");
    QTest::addColumn<int>("maxDiagnostics");

    std::string lines;
    for (int i = 0; i < 12; ++i)
        lines += eventLine("s" + std::to_string(i % 3), i) + '\n';
    QTest::newRow("lines across chunk boundaries") << QByteArray::fromStdString(lines) << QStringList {} << 12 << 1000;

    std::string crlf;
    for (int i = 0; i < 9; ++i)
        crlf += eventLine("s" + std::to_string(i % 2), i) + "\r\n";
    QTest::newRow("CRLF line ends") << QByteArray::fromStdString(crlf) << QStringList {} << 9 << 1000;

    std::string unterminated;
    for (int i = 0; i < 7; ++i)
        unterminated += (i ? "\n" : "") + eventLine("s", i);
    QTest::newRow("last line without a newline")
        << QByteArray::fromStdString(unterminated) << QStringList {} << 7 << 1000;

    std::string blank = eventLine("s", 0) + "\n\n   \n\t\r\n";
    for (int i = 1; i < 6; ++i)
        blank += eventLine("s", i) + "\n\n";
    blank += "\n \n";
    QTest::newRow("empty and blank lines") << QByteArray::fromStdString(blank) << QStringList {} << 6 << 1000;

    // Errors on lines 3, 5, 6, 9 and 11; a duplicate on line 10 (the first
    // of its uuid, line 4, is kept); events of another product's token from
    // line 7 are reported after the file's other problems.
    const std::string errors = eventLine("s1", 0, "u-0") + "\n" // 1
        + eventLine("s1", 1, "u-1") + "\n" // 2
        + "{\"event\": \"$pageview\", \"session_id\": \n" // 3: invalid_json
        + eventLine("s2", 2, "u-2") + "\n" // 4
        + "[1, 2]\n" // 5: bad_shape (×2)
        + "{\"event\": \"$pageview\", \"timestamp\": \"2024-09-03T10:00:00Z\"}\n" // 6: missing_session_id
        + "{\"event\": \"$pageview\", \"session_id\": \"s9\", \"timestamp\": \"2024-09-03T10:00:00Z\", "
          "\"properties\": {\"token\": \"phc_nobody\"}}\n" // 7: unassigned
        + "\n" // 8
        + "nonsense\n" // 9: invalid_json
        + eventLine("s2", 2, "u-2") + "\n" // 10: duplicate
        + "{\"event\": \"$pageview\", \"session_id\": \"s3\", \"timestamp\": \"yesterday\"}\n" // 11: bad_timestamp
        + eventLine("s3", 3, "u-3"); // 12
    QTest::newRow("error lines")
        << QByteArray::fromStdString(errors)
        << QStringList { u"x.jsonl:3:invalid_json"_qs, u"x.jsonl:5:bad_shape"_qs, u"x.jsonl:5:bad_shape"_qs,
               u"x.jsonl:6:missing_session_id"_qs, u"x.jsonl:9:invalid_json"_qs, u"x.jsonl:11:bad_timestamp"_qs,
               u"x.jsonl:7:unknown_product"_qs }
        << 4 << 1000;
    // The cap on diagnostics keeps the earliest ones, however the file is cut.
    QTest::newRow("error lines, capped")
        << QByteArray::fromStdString(errors)
        << QStringList { u"x.jsonl:3:invalid_json"_qs, u"x.jsonl:5:bad_shape"_qs, u"x.jsonl:5:bad_shape"_qs } << 4
        << 3;
}

// A JSON lines file read on several threads in chunks of whole lines gives
// exactly what one thread gives, for chunks from one byte (every line its
// own chunk) to larger than the file.
void TestSessionImport::jsonLinesReadInChunks()
{
    QFETCH(QByteArray, text);
    QFETCH(QStringList, diagnostics);
    QFETCH(int, events);
    QFETCH(int, maxDiagnostics);

    QTemporaryDir dir;
    const std::vector<std::filesystem::path> paths { jsonLinesFile(dir, text) };
    auto import = [&](unsigned threads, std::size_t chunkBytes) {
        ImportOptions options { .productId = {},
            .maxDiagnosticsPerFile = static_cast<std::size_t>(maxDiagnostics),
            .threads = threads,
            .chunkBytes = chunkBytes };
        auto result = importSessions(testWorkspace(), paths, options);
        if (!result)
            qFatal("%s", result.error().toString().c_str());
        return std::move(*result);
    };
    const ImportResult serial = import(1, std::size_t(1) << 30);
    QCOMPARE(diagnosticsOf(serial), diagnostics);
    QCOMPARE(static_cast<int>(serial.events), events);
    const QStringList expected = everythingOf(serial);
    for (const unsigned threads : { 2u, 3u, 4u })
        for (const std::size_t chunkBytes : { 1, 7, 100, 150, 400, 1000, 100000 }) {
            const QStringList got = everythingOf(import(threads, chunkBytes));
            if (got != expected)
                qWarning("%u threads, chunks of %zu bytes", threads, chunkBytes);
            QCOMPARE(got, expected);
        }
}

namespace {

constexpr std::int64_t kDuplicatesEpochMs = 1'725'357'600'000;

// A pageview of `session` at `second` by `user`; `uuid` may be empty.
std::string pageviewLine(const std::string& session, int second, const std::string& uuid, const std::string& user)
{
    nlohmann::json event { { "event", "$pageview" }, { "session_id", session }, { "distinct_id", user },
        { "token", "phc_replay_acme" }, { "current_url", "https://app.acme.test/projects/1" },
        { "timestamp", formatIsoTimestamp(fromEpochMs(kDuplicatesEpochMs + 1000LL * second)) } };
    if (!uuid.empty())
        event["uuid"] = uuid;
    return event.dump() + "\n";
}

// "s1: 0 1 3; a@0 b@2" per session: the seconds of its actions in order,
// then each identity's distinct id and first action.
QStringList keptOf(const ImportResult& result)
{
    QStringList out;
    for (const auto& session : result.sessions) {
        QString line = QString::fromStdString(session.summary.sessionId) + u':';
        for (const auto& record : session.actions)
            line += u' ' + QString::number((toEpochMs(record.timestampStart) - kDuplicatesEpochMs) / 1000);
        line += u';';
        for (const auto& identity : session.identities)
            line += u' ' + QString::fromStdString(identity.distinctId) + u'@' + QString::number(identity.from);
        out << line;
    }
    return out;
}

} // namespace

void TestSessionImport::duplicatesAreDroppedInFileOrder_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QStringList>("kept");
    QTest::addColumn<int>("duplicates");

    const std::string u1 = "01890000-0000-7000-8000-000000000001";
    const std::string u2 = "01890000-0000-7000-8000-000000000002";
    const std::string u3 = "01890000-0000-7000-8000-00000000000a";
    const auto rows = [](std::initializer_list<std::string> lines) {
        std::string text;
        for (const auto& line : lines)
            text += line;
        return QByteArray::fromStdString(text);
    };
    QTest::newRow("a uuid again later")
        << rows({ pageviewLine("s1", 0, u1, "a"), pageviewLine("s1", 1, u2, "a"), pageviewLine("s1", 2, u1, "a"),
               pageviewLine("s1", 3, u3, "a") })
        << QStringList { u"s1: 0 1 3; a@0"_qs } << 1;
    QTest::newRow("one uuid in two sessions")
        << rows({ pageviewLine("s1", 0, u1, "a"), pageviewLine("s2", 1, u1, "b") })
        << QStringList { u"s1: 0; a@0"_qs, u"s2: 1; b@0"_qs } << 0;
    QTest::newRow("interleaved sessions")
        << rows({ pageviewLine("s1", 0, u1, "a"), pageviewLine("s2", 1, u2, "b"), pageviewLine("s1", 2, u2, "a"),
               pageviewLine("s2", 3, u1, "b"), pageviewLine("s1", 4, u1, "a"), pageviewLine("s2", 5, u2, "b") })
        << QStringList { u"s1: 0 2; a@0"_qs, u"s2: 1 3; b@0"_qs } << 2;
    QTest::newRow("a duplicate's identity is dropped with it")
        << rows({ pageviewLine("s1", 0, u1, "a"), pageviewLine("s1", 1, u1, "b"), pageviewLine("s1", 2, u2, "a") })
        << QStringList { u"s1: 0 2; a@0"_qs } << 1;
    QTest::newRow("identities around a duplicate")
        << rows({ pageviewLine("s1", 0, u1, "a"), pageviewLine("s1", 1, u2, "b"), pageviewLine("s1", 2, u2, "b"),
               pageviewLine("s1", 3, u3, "a") })
        << QStringList { u"s1: 0 1 3; a@0 b@1 a@2"_qs } << 1;
    QTest::newRow("the first in the file is kept, not the earliest")
        << rows({ pageviewLine("s1", 5, u1, "a"), pageviewLine("s1", 3, u2, "b"), pageviewLine("s1", 4, u1, "c") })
        << QStringList { u"s1: 3 5; b@0 a@1"_qs } << 1;
    // Uuids are compared as written: another case or form is another uuid.
    QTest::newRow("uuids as written")
        << rows({ pageviewLine("s1", 0, u3, "a"), pageviewLine("s1", 1, "01890000-0000-7000-8000-00000000000A", "a"),
               pageviewLine("s1", 2, "{" + u3 + "}", "a"),
               pageviewLine("s1", 3, "0189000000007000800000000000000a", "a"),
               pageviewLine("s1", 4, "not-a-uuid", "a"), pageviewLine("s1", 5, "not-a-uuid", "a"),
               pageviewLine("s1", 6, "{" + u3 + "}", "a") })
        << QStringList { u"s1: 0 1 2 3 4; a@0"_qs } << 2;
    QTest::newRow("events without a uuid are all kept")
        << rows({ pageviewLine("s1", 0, "", "a"), pageviewLine("s1", 1, "", "a"), pageviewLine("s1", 2, u1, "a") })
        << QStringList { u"s1: 0 1 2; a@0"_qs } << 0;
}

// A session's events whose uuid an earlier event of the session had are
// dropped, the first in the file kept, wherever the chunks cut the file
// and whichever thread read them.
void TestSessionImport::duplicatesAreDroppedInFileOrder()
{
    QFETCH(QByteArray, text);
    QFETCH(QStringList, kept);
    QFETCH(int, duplicates);

    QTemporaryDir dir;
    const std::vector<std::filesystem::path> paths { jsonLinesFile(dir, text) };
    for (const unsigned threads : { 1u, 2u, 3u, 4u })
        for (const std::size_t chunkBytes : { 1, 100, 300, 1000, 1 << 30 }) {
            auto result = importSessions(testWorkspace(), paths, { .threads = threads, .chunkBytes = chunkBytes });
            QVERIFY(result);
            if (keptOf(*result) != kept)
                qWarning("%u threads, chunks of %zu bytes", threads, chunkBytes);
            QCOMPARE(keptOf(*result), kept);
            QCOMPARE(static_cast<int>(result->duplicates), duplicates);
            QCOMPARE(static_cast<int>(result->events), text.count('\n') - duplicates);
        }
}

void TestSessionImport::csvWithInvalidUtf8IsRead()
{
    // A CSV field is bytes, not checked UTF-8: a stray byte is replaced, never fatal.
    const std::string text = "event,timestamp,$session_id,properties.$current_url\r\n"
                             "$pageview,2024-09-03T10:00:00Z,s1,https://app.acme.test/caf\xE9\r\n";
    SessionImporter importer(testWorkspace(), { .productId = "acme" });
    importer.addText(text, "latin1.csv");
    const auto result = importer.finish();
    QCOMPARE(sessionsOf(result), QStringList { u"acme/s1:1"_qs });
    QCOMPARE(result.sessions[0].actions[0].rawUrl.get(), std::string("https://app.acme.test/caf\xEF\xBF\xBD"));
}

void TestSessionImport::diagnosticsAreCappedPerFile()
{
    std::string text;
    for (int i = 0; i < 5; ++i)
        text += "not json\n";
    text += "{\"event\": \"$pageview\", \"session_id\": \"s\", \"timestamp\": \"2024-09-03T10:00:00Z\"}\n";
    SessionImporter importer(testWorkspace(), { .productId = "acme", .maxDiagnosticsPerFile = 2 });
    importer.addText(text, "a.jsonl");
    importer.addText(text, "b.jsonl");
    const auto result = importer.finish();
    QCOMPARE(diagnosticsOf(result),
        (QStringList { u"a.jsonl:1:invalid_json"_qs, u"a.jsonl:2:invalid_json"_qs, u"b.jsonl:1:invalid_json"_qs,
            u"b.jsonl:2:invalid_json"_qs }));
    QCOMPARE(result.diagnosticsLeftOut, std::size_t(6));
    QCOMPARE(result.rejected, std::size_t(10));
    QCOMPARE(result.events, std::size_t(2)); // without uuids, the same event in two files is two events
}

namespace {

// A JSON lines export of `sessions` sessions of 10 pageviews each.
std::filesystem::path writeLargeExport(const QTemporaryDir& dir, int sessions)
{
    const std::filesystem::path path = dir.filePath(u"large.jsonl"_qs).toStdString();
    std::ofstream out(path);
    for (int s = 0; s < sessions; ++s)
        for (int i = 0; i < 10; ++i)
            out << nlohmann::json { { "event", "$pageview" }, { "session_id", "s" + std::to_string(s) },
                { "distinct_id", "u" }, { "current_url", "https://app.acme.test/projects/" + std::to_string(i % 3) },
                { "timestamp", formatIsoTimestamp(fromEpochMs(1'725'357'600'000 + 1000LL * i)) } }
                       .dump()
                << '\n';
    return path;
}

} // namespace

void TestSessionImport::progressReachesTheTotal()
{
    QTemporaryDir dir;
    const auto path = writeLargeExport(dir, 500);
    const auto size = std::filesystem::file_size(path);
    // One thread, and three in chunks of 16 KiB.
    for (const unsigned threads : { 1u, 3u }) {
        std::vector<std::pair<std::uint64_t, std::uint64_t>> calls;
        ImportOptions options { .productId = "acme", .threads = threads, .chunkBytes = 16 * 1024 };
        options.progress = [&](std::uint64_t done, std::uint64_t total) { calls.emplace_back(done, total); };
        const std::vector<std::filesystem::path> paths { path };
        auto result = importSessions(testWorkspace(), paths, options);
        QVERIFY(result.ok());
        QCOMPARE(result->sessions.size(), std::size_t(500));
        QVERIFY2(calls.size() > 5, "a large file reports progress while it is read");
        for (std::size_t i = 0; i < calls.size(); ++i) {
            QCOMPARE(calls[i].second, size);
            QVERIFY(calls[i].first <= size);
            if (i > 0)
                QVERIFY(calls[i].first >= calls[i - 1].first);
        }
        QCOMPARE(calls.back().first, size);
    }
}

void TestSessionImport::stopRequestCancels()
{
    QTemporaryDir dir;
    const auto path = writeLargeExport(dir, 500);
    for (const unsigned threads : { 1u, 3u }) {
        std::stop_source stop;
        std::uint64_t lastDone = 0;
        ImportOptions options { .productId = "acme", .threads = threads, .chunkBytes = 16 * 1024 };
        options.stop = stop.get_token();
        options.progress = [&](std::uint64_t done, std::uint64_t) {
            lastDone = done;
            stop.request_stop(); // the user presses Cancel on the first report
        };
        const std::vector<std::filesystem::path> paths { path };
        auto result = importSessions(testWorkspace(), paths, options);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, std::string("cancelled"));
        QVERIFY(lastDone < std::filesystem::file_size(path));
    }
}

void TestSessionImport::missingPathOrProductIsAnError()
{
    const std::vector<std::filesystem::path> missing { kExports / "no-such-file.json" };
    auto result = importSessions(testWorkspace(), missing);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, std::string("not_found"));

    const std::vector<std::filesystem::path> paths { kExports / "webhooks.json" };
    result = importSessions(testWorkspace(), paths, { .productId = "nope" });
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, std::string("unknown_product"));
}

void TestSessionImport::recordSessionOrdersFinalisesAndSummarises()
{
    const auto workspace = testWorkspace();
    std::vector<Action> actions(3);
    const char* paths[] = { "/settings/account", "/projects/apollo", "/projects" };
    const int seconds[] = { 30, 10, 10 }; // out of order, with a tie
    for (int i = 0; i < 3; ++i) {
        actions[static_cast<std::size_t>(i)].type = ActionType::Pageview;
        actions[static_cast<std::size_t>(i)].event = "$pageview";
        actions[static_cast<std::size_t>(i)].rawUrl = std::string("https://app.acme.test") + paths[i];
        actions[static_cast<std::size_t>(i)].timestampStart = fromEpochMs(1'725'357'600'000 + 1000LL * seconds[i]);
        actions[static_cast<std::size_t>(i)].distinctId = i == 0 ? "identified" : "anonymous";
    }
    const auto session = recordSession(*workspace->product("acme"), "s", actions);
    // A tie keeps its order.
    QCOMPARE(session.actions[0].canonicalUrl.get(), std::string("https://app.acme.test/projects/:slug"));
    QCOMPARE(session.actions[1].canonicalUrl.get(), std::string("https://app.acme.test/projects"));
    QCOMPARE(session.actions[2].canonicalUrl.get(), std::string("https://app.acme.test/settings/account"));
    // Identities are kept per change, and move with their actions.
    QCOMPARE(session.identities.size(), std::size_t(2));
    QCOMPARE(session.action(0).distinctId, std::string("anonymous"));
    QCOMPARE(session.action(1).distinctId, std::string("anonymous"));
    QCOMPARE(session.action(2).distinctId, std::string("identified"));
    QCOMPARE(session.action(2).sessionId, std::string("s"));
    QCOMPARE(session.summary.distinctId, std::string("identified"));
    QCOMPARE(session.actions[1].timestampEnd, session.actions[2].timestampStart);
    QCOMPARE(session.action(0).title, std::string("Viewed page"));
    QCOMPARE(session.summary.duration, Duration(20'000));
    QCOMPARE(session.summary.pages.size(), std::size_t(3));
}

QTEST_GUILESS_MAIN(TestSessionImport)
#include "tst_sessionimport.moc"
