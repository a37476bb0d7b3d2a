#include "gziptesting.h"
#include "intake/canonicalurl.h"
#include "intake/elementschain.h"
#include "intake/jsontape.h"
#include "intake/posthogintake.h"

#include <QTest>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>

using namespace proactive;
using proactive::testing::gzipped;

namespace {

std::string readFixture(const char* name)
{
    std::ifstream in(std::string(PROACTIVE_TEST_DATA) + "/intake/" + name, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

std::string base64(std::string_view data)
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < data.size(); i += 3) {
        const unsigned v = (unsigned char)data[i] << 16 | (unsigned char)data[i + 1] << 8 | (unsigned char)data[i + 2];
        out += alphabet[v >> 18];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (i + 1 == data.size()) {
        const unsigned v = (unsigned char)data[i] << 16;
        out += alphabet[v >> 18];
        out += alphabet[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == data.size()) {
        const unsigned v = (unsigned char)data[i] << 16 | (unsigned char)data[i + 1] << 8;
        out += alphabet[v >> 18];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

// encodeURIComponent, as posthog-js writes `data=`.
std::string uriComponent(std::string_view text)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || std::strchr("-_.!~*'()", c))
            out += ch;
        else
            (out += '%') += hex[c >> 4], out += hex[c & 15];
    }
    return out;
}

QByteArray summary(const Action& a)
{
    return QByteArray::fromStdString(std::string(nameOf(a.type)) + " " + formatIsoTimestamp(a.timestampStart) + " "
        + a.canonicalUrl + " sel=" + a.element.selector + " | " + a.title + " | " + a.description);
}

QByteArray errorList(const std::vector<Error>& errors)
{
    std::string out;
    for (const auto& e : errors)
        out += (out.empty() ? "" : ", ") + e.code + "@" + e.where;
    return QByteArray::fromStdString(out);
}

IntakeBatch parseFixture(const QString& file, IntakeOptions options)
{
    PostHogIntake intake(options);
    std::string text = readFixture(file.toUtf8().constData());
    if (file.endsWith(u".gz"_qs)) {
        auto decoded = decodeCaptureBody(text, "text/plain", "");
        if (!decoded)
            return IntakeBatch { {}, { decoded.error() } };
        text = *decoded;
    }
    auto batch = file.endsWith(u".jsonl"_qs) ? intake.parseJsonLines(text) : intake.parseBody(text);
    for (auto& e : batch.events)
        finaliseAction(e.action, {});
    return batch;
}

Action parseOne(const std::string& json, IntakeOptions options = {})
{
    PostHogIntake intake(options);
    auto batch = intake.parseBody(json);
    if (batch.events.size() != 1)
        qWarning("expected one event, got %zu (%s)", batch.events.size(), errorList(batch.errors).constData());
    return batch.events.empty() ? Action {} : batch.events.front().action;
}

nlohmann::json fromTape(JsonValue v)
{
    switch (v.type()) {
    case JsonType::Null:
        return nullptr;
    case JsonType::True:
        return true;
    case JsonType::False:
        return false;
    case JsonType::Number:
        return nlohmann::json::parse(v.raw());
    case JsonType::String:
        return v.string();
    case JsonType::Array: {
        auto out = nlohmann::json::array();
        for (auto c = v.firstChild(); c.exists(); c = c.nextSibling())
            out.push_back(fromTape(c));
        return out;
    }
    case JsonType::Object: {
        auto out = nlohmann::json::object();
        std::string scratch;
        for (auto c = v.firstChild(); c.exists(); c = c.nextSibling())
            out[std::string(c.key(scratch))] = fromTape(c);
        return out;
    }
    }
    return nullptr;
}

constexpr std::int64_t kReceivedAt = 1725358800000; // 2024-09-03T10:20:00Z

} // namespace

class TestPostHogIntake final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void shapes_data();
    void shapes();
    void batchIdentity();
    void personProperties_data();
    void personProperties();
    void identifyFixture();
    void legacyElementsArray();
    void customProperties();
    void propertyCaps();
    void transport_data();
    void transport();
    void decodeCap();
    void badInput_data();
    void badInput();
    void hugeStrings();
    void limits_data();
    void limits();
    void largeDocumentFreesItsMemory();
    void timestamps_data();
    void timestamps();
    void jsonLines();
    void finalise_data();
    void finalise();
    void jsonTape_data();
    void jsonTape();
    void jsonTapeNumbers_data();
    void jsonTapeNumbers();
    void jsonTapeAgreesWithNlohmann();
};

void TestPostHogIntake::shapes_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("events");
    QTest::addColumn<QByteArray>("errors");
    QTest::addColumn<int>("index");
    QTest::addColumn<QByteArray>("expected");

    const QString batch = u"posthog-js-batch.json"_qs;
    QTest::newRow("batch-pageview") << batch << 8 << QByteArray() << 0
                                    << QByteArray(
                                           "pageview 2024-09-03T10:15:00.000Z https://app.example.com/projects sel= "
                                           "| Viewed page | Viewed /projects");
    QTest::newRow("batch-click") << batch << 8 << QByteArray() << 1
                                 << QByteArray(
                                        "click 2024-09-03T10:15:04.200Z https://app.example.com/projects "
                                        "sel=[data-tour-id=\"new-project\"] | Clicked button | Clicked button 'New "
                                        "project' on /projects");
    QTest::newRow("batch-change") << batch << 8 << QByteArray() << 2
                                  << QByteArray("change 2024-09-03T10:15:09.800Z https://app.example.com/projects/new "
                                                "sel=#project-name | Changed input | Changed input 'project-name' on "
                                                "/projects/new");
    QTest::newRow("batch-submit") << batch << 8 << QByteArray() << 3
                                  << QByteArray(
                                         "submit 2024-09-03T10:15:12.050Z https://app.example.com/projects/new "
                                         "sel=#create-project | Submitted form | Submitted form 'create-project' on "
                                         "/projects/new");
    QTest::newRow("batch-pageview-uuid-trailing-slash")
        << batch << 8 << QByteArray() << 4
        << QByteArray(
               "pageview 2024-09-03T10:15:12.900Z https://app.example.com/projects/:id/settings sel= | Viewed page | "
               "Viewed /projects/:id/settings");
    QTest::newRow("batch-rageclick") << batch << 8 << QByteArray() << 5
                                     << QByteArray(
                                            "rageclick 2024-09-03T10:15:31.000Z "
                                            "https://app.example.com/projects/:id/settings "
                                            "sel=button.btn.btn-success.hover\\:bg-green-600 | Rage-clicked button | "
                                            "Rage-clicked button 'Save; and continue' on /projects/:id/settings");
    QTest::newRow("batch-custom") << batch << 8 << QByteArray() << 6
                                  << QByteArray(
                                         "custom 2024-09-03T10:15:12.200Z https://app.example.com/projects/new sel= "
                                         "| project_created | project_created on /projects/new");
    QTest::newRow("batch-pageleave") << batch << 8 << QByteArray() << 7
                                     << QByteArray(
                                            "pageleave 2024-09-03T10:15:45.000Z "
                                            "https://app.example.com/projects/:id/settings sel= | Left page | Left "
                                            "/projects/:id/settings");
    QTest::newRow("gzip-fixture") << u"posthog-js-batch.json.gz"_qs << 8 << QByteArray() << 1
                                  << QByteArray(
                                         "click 2024-09-03T10:15:04.200Z https://app.example.com/projects "
                                         "sel=[data-tour-id=\"new-project\"] | Clicked button | Clicked button 'New "
                                         "project' on /projects");
    QTest::newRow("legacy-offset-pageview")
        << u"posthog-js-legacy-array.json"_qs << 2 << QByteArray() << 0
        << QByteArray("pageview 2024-09-03T10:19:54.600Z "
                      "https://app.example.com/docs/getting-started sel= | Viewed page | "
                      "Viewed /docs/getting-started");
    QTest::newRow("legacy-elements-click") << u"posthog-js-legacy-array.json"_qs << 2 << QByteArray() << 1
                                           << QByteArray("click 2024-09-03T10:19:58.750Z "
                                                         "https://app.example.com/docs/getting-started sel=#nav-api | "
                                                         "Clicked link | Clicked link 'API reference' on "
                                                         "/docs/getting-started");
    QTest::newRow("webhook-flat") << u"webhook-flat.json"_qs << 1 << QByteArray() << 0
                                  << QByteArray(
                                         "click 2024-09-03T10:16:02.512Z https://app.example.com/projects/:id/settings "
                                         "sel=[data-tour-id=\"invite-member\"] | Clicked button | Clicked button "
                                         "'Invite member' on /projects/:id/settings");
    QTest::newRow("webhook-default") << u"webhook-default.json"_qs << 1 << QByteArray() << 0
                                     << QByteArray(
                                            "pageview 2024-09-03T10:16:30.000Z https://app.example.com/billing sel= | "
                                            "Viewed page | Viewed /billing");
    const QByteArray lineErrors("invalid_json@line 5, missing_session_id@line 8, bad_field@line 9[1]");
    QTest::newRow("jsonl-flat-without-chain")
        << u"events.jsonl"_qs << 5 << lineErrors << 2
        << QByteArray("click 2024-09-03T10:16:05.000Z https://app.example.com/docs "
                      "sel=a | Clicked link | Clicked link 'Read the guide' on /docs");
    QTest::newRow("jsonl-batch-line") << u"events.jsonl"_qs << 5 << lineErrors << 4
                                      << QByteArray(
                                             "click 2024-09-03T10:15:04.200Z https://app.example.com/projects "
                                             "sel=[data-tour-id=\"new-project\"] | Clicked button | Clicked button "
                                             "'New project' on /projects");
}

void TestPostHogIntake::shapes()
{
    QFETCH(QString, file);
    QFETCH(int, events);
    QFETCH(QByteArray, errors);
    QFETCH(int, index);
    QFETCH(QByteArray, expected);

    const auto batch = parseFixture(file, IntakeOptions { fromEpochMs(kReceivedAt), false });
    QCOMPARE(errorList(batch.errors), errors);
    QCOMPARE(int(batch.events.size()), events);
    const Action& action = batch.events[std::size_t(index)].action;
    QCOMPARE(summary(action), expected);
    QCOMPARE(action.index, std::int64_t(-1));
    QCOMPARE(action.timestampEnd, action.timestampStart);
}

void TestPostHogIntake::batchIdentity()
{
    const auto batch = parseFixture(u"posthog-js-batch.json"_qs, {});
    QCOMPARE(batch.events.size(), std::size_t(8));
    std::set<std::string> uuids;
    for (const auto& e : batch.events) {
        QCOMPARE(e.token, std::string("phc_Q7xk2Vb9LmN4pR8sT1uW6yZ3aC5dF0gH2jK4lM6nP8"));
        QCOMPARE(e.action.sessionId, std::string("0191a7e2-6c1d-7b3e-9f4a-2d5c8e1b0a93"));
        QCOMPARE(e.action.distinctId, std::string("user_8812"));
        uuids.insert(e.action.uuid);
    }
    QCOMPARE(uuids.size(), std::size_t(8));
    QCOMPARE(batch.events[0].action.uuid, std::string("0191a7e2-0001-7000-8000-000000000001"));
    QCOMPARE(batch.events[0].action.email, std::string("ana@example.com")); // from $set
    QCOMPARE(batch.events[1].action.email, std::string());
    QCOMPARE(batch.events[0].action.rawUrl, std::string("https://App.Example.com/projects?tab=all"));
    QCOMPARE(batch.events[1].action.elementsChain.substr(0, 23), std::string("button.btn.btn-primary:"));
    QCOMPARE(parseElementsChain(batch.events[1].action.elementsChain).size(), std::size_t(5));
    QCOMPARE(*batch.events[2].action.element.attr("placeholder"), std::string("e.g. \"Acme launch\""));
    QCOMPARE(batch.events[5].action.element.attr("aria-label") != nullptr, true);

    const auto flat = parseFixture(u"webhook-flat.json"_qs, {});
    QCOMPARE(flat.events.front().token, std::string());
    QCOMPARE(flat.events.front().action.email, std::string("ana@example.com"));
    QCOMPARE(flat.events.front().action.event, std::string("$autocapture"));

    // The person's email wins over the event's $set.
    const auto webhook = parseFixture(u"webhook-default.json"_qs, {});
    QCOMPARE(webhook.events.front().action.email, std::string("ana@example.com"));
    QCOMPARE(webhook.events.front().action.uuid, std::string("0191a7e4-1f00-7000-8000-000000000201"));
    QCOMPARE(webhook.events.front().token, std::string("phc_Q7xk2Vb9LmN4pR8sT1uW6yZ3aC5dF0gH2jK4lM6nP8"));
}

void TestPostHogIntake::personProperties_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("email");
    QTest::addColumn<QByteArray>("emailOnce");
    QTest::addColumn<QByteArray>("linked");
    QTest::addColumn<bool>("identity");

    // posthog-js's identify(id, set, setOnce): person properties beside `properties`.
    QTest::newRow("identify-top-level-set")
        << QByteArray(R"({"event":"$identify","properties":{"$session_id":"s","distinct_id":"user-x",)"
                      R"("$anon_distinct_id":"anon-1"},"$set":{"email":"x@example.com"},"$set_once":{}})")
        << QByteArray("x@example.com") << QByteArray() << QByteArray("anon-1") << true;
    QTest::newRow("identify-set-once") << QByteArray(
        R"({"event":"$identify","properties":{"$session_id":"s","distinct_id":"user-x",)"
        R"("$anon_distinct_id":"anon-1"},"$set_once":{"email":"x@example.com"}})")
                                       << QByteArray() << QByteArray("x@example.com") << QByteArray("anon-1") << true;
    // reuseAnonymousId: no anonymous id, still an identify.
    QTest::newRow("identify-without-anything")
        << QByteArray(R"({"event":"$identify","properties":{"$session_id":"s","distinct_id":"user-x"}})")
        << QByteArray() << QByteArray() << QByteArray() << true;
    // setPersonProperties(set, setOnce) sends them inside `properties`.
    QTest::newRow("set-event-in-properties")
        << QByteArray(R"({"event":"$set","properties":{"$session_id":"s","distinct_id":"u",)"
                      R"("$set":{"email":"a@x.io"},"$set_once":{"email":"b@x.io"}}})")
        << QByteArray("a@x.io") << QByteArray("b@x.io") << QByteArray() << true;
    QTest::newRow("set-on-a-pageview") << QByteArray(
        R"({"event":"$pageview","properties":{"$session_id":"s","distinct_id":"u"},)"
        R"("$set_once":{"email":"b@x.io"}})")
                                       << QByteArray() << QByteArray("b@x.io") << QByteArray() << true;
    QTest::newRow("top-level-set-before-properties-set")
        << QByteArray(R"({"event":"$set","properties":{"$session_id":"s","$set":{"email":"p@x.io"}},)"
                      R"("$set":{"email":"t@x.io"}})")
        << QByteArray("t@x.io") << QByteArray() << QByteArray() << true;
    QTest::newRow("create-alias") << QByteArray(
        R"({"event":"$create_alias","properties":{"$session_id":"s","distinct_id":"u","alias":"a"}})")
                                  << QByteArray() << QByteArray() << QByteArray("a") << true;
    QTest::newRow("merge-dangerously") << QByteArray(
        R"({"event":"$merge_dangerously","properties":{"$session_id":"s","distinct_id":"u","alias":"a"}})")
                                       << QByteArray() << QByteArray() << QByteArray("a") << true;
    QTest::newRow("alias-of-a-custom-event-is-a-property")
        << QByteArray(R"({"event":"signup","properties":{"$session_id":"s","distinct_id":"u","alias":"a"}})")
        << QByteArray() << QByteArray() << QByteArray() << false;
    QTest::newRow("anon-id-outside-identify")
        << QByteArray(R"({"event":"$pageview","properties":{"$session_id":"s","$anon_distinct_id":"a"}})")
        << QByteArray() << QByteArray() << QByteArray() << false;
    QTest::newRow("link-to-itself") << QByteArray(
        R"({"event":"$create_alias","properties":{"$session_id":"s","distinct_id":"u","alias":"u"}})")
                                    << QByteArray() << QByteArray() << QByteArray() << false;
    QTest::newRow("link-not-a-string") << QByteArray(
        R"({"event":"$create_alias","properties":{"$session_id":"s","distinct_id":"u","alias":7}})")
                                       << QByteArray() << QByteArray() << QByteArray() << false;
    QTest::newRow("link-too-long") << QByteArray(
        R"({"event":"$create_alias","properties":{"$session_id":"s","alias":")" + QByteArray(201, 'a') + R"("}})")
                                   << QByteArray() << QByteArray() << QByteArray() << false;
    QTest::newRow("email-not-a-string") << QByteArray(
        R"({"event":"$set","properties":{"$session_id":"s"},"$set":{"email":["x@y.z"]}})")
                                        << QByteArray() << QByteArray() << QByteArray() << false;
    QTest::newRow("set-once-email-too-long")
        << QByteArray(R"({"event":"$set","properties":{"$session_id":"s"},"$set_once":{"email":")"
               + QByteArray(250, 'x') + R"(@x.io"}})")
        << QByteArray() << QByteArray() << QByteArray() << false;
    QTest::newRow("web-vitals") << QByteArray(R"({"event":"$web_vitals","properties":{"$session_id":"s"}})")
                                << QByteArray() << QByteArray() << QByteArray() << false;
}

void TestPostHogIntake::personProperties()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, email);
    QFETCH(QByteArray, emailOnce);
    QFETCH(QByteArray, linked);
    QFETCH(bool, identity);
    const Action action = parseOne(body.toStdString());
    QCOMPARE(QByteArray::fromStdString(action.email), email);
    QCOMPARE(QByteArray::fromStdString(action.emailOnce), emailOnce);
    QCOMPARE(QByteArray::fromStdString(action.linkedDistinctId), linked);
    QCOMPARE(carriesIdentity(action), identity);
}

// posthog-js 1.449.2's identify('user-x', {email}): the $identify event
// carries the email only beside its properties.
void TestPostHogIntake::identifyFixture()
{
    const auto batch = parseFixture(u"posthog-js-identify.json"_qs, {});
    QCOMPARE(batch.events.size(), std::size_t(3));
    const Action& identify = batch.events[1].action;
    QCOMPARE(identify.event, std::string("$identify"));
    QVERIFY(isBookkeepingEvent(identify));
    QVERIFY(carriesIdentity(identify));
    QCOMPARE(identify.distinctId, std::string("user-x"));
    QCOMPARE(identify.email, std::string("x@example.com"));
    QCOMPARE(identify.linkedDistinctId, std::string("0191a7e2-5b00-7c3e-a111-5c9e0d2b7f10"));
    QVERIFY(!carriesIdentity(batch.events[0].action));
    QVERIFY(!carriesIdentity(batch.events[2].action));
}

void TestPostHogIntake::legacyElementsArray()
{
    const auto batch
        = parseFixture(u"posthog-js-legacy-array.json"_qs, IntakeOptions { fromEpochMs(kReceivedAt), false });
    const Action& click = batch.events.at(1).action;
    QCOMPARE(click.element.tag, std::string("a"));
    QCOMPARE(click.element.href, std::string("/docs/api"));
    QCOMPARE(click.element.classes, (std::vector<std::string> { "nav-link", "active" }));
    QCOMPARE(click.element.nthChild, std::optional<int>(3));
    // The chain is rebuilt the way posthog-js writes it, so selector matchers see the ancestors too.
    const auto chain = parseElementsChain(click.elementsChain);
    QCOMPARE(chain.size(), std::size_t(2));
    QCOMPARE(chain[0].id, std::string("nav-api"));
    QCOMPARE(chain[0].text, std::string("API reference"));
    QCOMPARE(chain[1].selector, std::string("nav.side-nav"));
}

void TestPostHogIntake::customProperties()
{
    const auto batch = parseFixture(u"posthog-js-batch.json"_qs, {});
    using Props = std::vector<std::pair<std::string, std::string>>;
    // null, objects and arrays are skipped; numbers keep their JSON text; token/distinct_id are PostHog's.
    QCOMPARE(batch.events[6].action.properties,
        (Props { { "plan", "pro" }, { "seats", "5" }, { "trial", "true" }, { "price", "12.5" } }));
    QCOMPARE(batch.events[0].action.properties, (Props { { "title", "Projects \xC2\xB7 Acme" } }));
    QCOMPARE(batch.events[1].action.properties, Props {});
}

void TestPostHogIntake::propertyCaps()
{
    nlohmann::json props = { { "$session_id", "s1" }, { "$current_url", "/x" } };
    for (int i = 0; i < 40; ++i)
        props["p" + std::to_string(100 + i)] = i;
    props["p100"] = std::string(300, 'v');
    props["p101"] = std::string(255, 'a') + "\xC3\xA9"; // 257 bytes: the cut must not split the é
    props[std::string(129, 'k')] = "long key";
    const auto action = parseOne(nlohmann::json { { "event", "x" }, { "properties", props } }.dump());
    QCOMPARE(action.properties.size(), std::size_t(32));
    QCOMPARE(action.properties.front().first, std::string("p100"));
    QCOMPARE(action.properties[0].second.size(), std::size_t(256));
    QCOMPARE(action.properties[1].second, std::string(255, 'a'));
    QCOMPARE(action.properties.back(), (std::pair<std::string, std::string> { "p131", "31" }));
    QVERIFY(!action.property(std::string(129, 'k')));
}

void TestPostHogIntake::transport_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("compression");
    QTest::addColumn<int>("events"); // -1: decoding fails
    QTest::addColumn<QByteArray>("error");

    const std::string json = readFixture("posthog-js-batch.json");
    const std::string gz = gzipped(json);
    const QByteArray form("application/x-www-form-urlencoded");
    const QByteArray plain("text/plain");
    const std::string b64 = base64(json);
    // '~' and '?' runs encode to '+' and '/', which form decoding must survive.
    const std::string symbols
        = base64("[{\"event\":\"x\",\"properties\":{\"$session_id\":\"s\",\"n\":\"~~~~~~??????\"}}]");
    QVERIFY(symbols.find('+') != std::string::npos && symbols.find('/') != std::string::npos);

    QTest::newRow("plain-json") << QByteArray::fromStdString(json) << QByteArray("application/json") << QByteArray()
                                << 8 << QByteArray();
    QTest::newRow("form-data-base64") << QByteArray::fromStdString("data=" + uriComponent(b64)) << form
                                      << QByteArray("base64") << 8 << QByteArray();
    QTest::newRow("form-data-plus-unescaped")
        << QByteArray::fromStdString("data=" + symbols + "&ver=1.161.3") << form << QByteArray() << 1 << QByteArray();
    QTest::newRow("form-data-plus-escaped") << QByteArray::fromStdString("ver=1&data=" + uriComponent(symbols)) << form
                                            << QByteArray() << 1 << QByteArray();
    QTest::newRow("form-data-json") << QByteArray::fromStdString("data=" + uriComponent(json)) << form << QByteArray()
                                    << 8 << QByteArray();
    QTest::newRow("json-labelled-as-form-curl-d")
        << QByteArray::fromStdString(json) << form << QByteArray() << 8 << QByteArray();
    QTest::newRow("form-without-content-type")
        << QByteArray::fromStdString("data=" + uriComponent(b64)) << QByteArray() << QByteArray() << 8 << QByteArray();
    QTest::newRow("bare-base64") << QByteArray::fromStdString(b64) << plain << QByteArray() << 8 << QByteArray();
    QTest::newRow("gzip-js-param") << QByteArray::fromStdString(gz) << plain << QByteArray("gzip-js") << 8
                                   << QByteArray();
    QTest::newRow("gzip-param-uppercase")
        << QByteArray::fromStdString(gz) << plain << QByteArray("GZIP-JS") << 8 << QByteArray();
    QTest::newRow("gzip-magic-no-param") << QByteArray::fromStdString(gz) << plain << QByteArray() << 8 << QByteArray();
    QTest::newRow("gzip-fixture-file") << QByteArray::fromStdString(readFixture("posthog-js-batch.json.gz")) << plain
                                       << QByteArray() << 8 << QByteArray();
    QTest::newRow("base64-of-gzip") << QByteArray::fromStdString(base64(gz)) << plain << QByteArray() << 8
                                    << QByteArray();
    QTest::newRow("two-gzip-members") << QByteArray::fromStdString(
        gzipped("[{\"event\":\"a\",") + gzipped("\"properties\":{\"$session_id\":\"s\"}}]"))
                                      << plain << QByteArray("gzip-js") << 1 << QByteArray();
    QTest::newRow("lz64") << QByteArray("N4Ig...") << form << QByteArray("lz64") << -1
                          << QByteArray("unsupported_compression");
    QTest::newRow("unknown-compression") << QByteArray::fromStdString(json) << plain << QByteArray("br") << -1
                                         << QByteArray("unsupported_compression");
    std::string corrupt = gz;
    corrupt[corrupt.size() / 2] = char(corrupt[corrupt.size() / 2] ^ 0x55);
    QTest::newRow("corrupt-gzip") << QByteArray::fromStdString(corrupt) << plain << QByteArray("gzip-js") << -1
                                  << QByteArray("bad_gzip");
    QTest::newRow("truncated-gzip") << QByteArray::fromStdString(gz.substr(0, gz.size() / 2)) << plain << QByteArray()
                                    << -1 << QByteArray("bad_gzip");
    QTest::newRow("gzip-param-but-plain-body")
        << QByteArray::fromStdString(json) << plain << QByteArray("gzip-js") << -1 << QByteArray("bad_gzip");
    QTest::newRow("zip-bomb") << QByteArray::fromStdString(gzipped(std::string(17 * 1024 * 1024, ' '))) << plain
                              << QByteArray() << -1 << QByteArray("body_too_large");
    QTest::newRow("garbage") << QByteArray("hello") << plain << QByteArray() << -1 << QByteArray("bad_body");
    QTest::newRow("form-without-data") << QByteArray("ver=1&x=2") << form << QByteArray() << -1
                                       << QByteArray("bad_body");
    QTest::newRow("empty") << QByteArray() << plain << QByteArray() << -1 << QByteArray("bad_body");
}

void TestPostHogIntake::transport()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, compression);
    QFETCH(int, events);
    QFETCH(QByteArray, error);

    const auto decoded = decodeCaptureBody(body.toStdString(), contentType.toStdString(), compression.toStdString());
    if (events < 0) {
        QVERIFY(!decoded);
        QCOMPARE(QByteArray::fromStdString(decoded.error().code), error);
        QVERIFY(!decoded.error().message.empty());
        return;
    }
    QVERIFY2(decoded, decoded ? "" : decoded.error().toString().c_str());
    PostHogIntake intake;
    const auto batch = intake.parseBody(*decoded);
    QCOMPARE(errorList(batch.errors), QByteArray());
    QCOMPARE(int(batch.events.size()), events);
}

void TestPostHogIntake::decodeCap()
{
    const std::string json = readFixture("posthog-js-batch.json");
    const std::string gz = gzipped(json);
    QVERIFY(decodeCaptureBody(gz, "", "gzip-js", json.size()));
    const auto over = decodeCaptureBody(gz, "", "gzip-js", json.size() - 1);
    QVERIFY(!over);
    QCOMPARE(over.error().code, std::string("body_too_large"));
    QVERIFY(decodeCaptureBody(json, "application/json", "", json.size()));
    QVERIFY(!decodeCaptureBody(json, "application/json", "", json.size() - 1));
}

void TestPostHogIntake::badInput_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("events");
    QTest::addColumn<QByteArray>("errors");

    const QByteArray props("\"properties\":{\"$session_id\":\"s1\",\"$current_url\":\"/a\"}");
    auto event = [&](const QByteArray& extra) { return "{\"event\":\"$pageview\"," + props + extra + "}"; };

    QTest::newRow("valid") << event("") << 1 << QByteArray();
    QTest::newRow("malformed-json") << QByteArray("{\"event\": \"$pageview\", ") << 0 << QByteArray("invalid_json@");
    QTest::newRow("invalid-utf8") << QByteArray("{\"event\":\"\xC3\x28\"}") << 0 << QByteArray("invalid_json@");
    QTest::newRow("timestamp-number") << event(",\"timestamp\":1725358500000") << 0 << QByteArray("bad_timestamp@");
    QTest::newRow("timestamp-garbage") << event(",\"timestamp\":\"yesterday\"") << 0 << QByteArray("bad_timestamp@");
    QTest::newRow("timestamp-null-is-absent") << event(",\"timestamp\":null") << 1 << QByteArray();
    QTest::newRow("offset-string") << event(",\"offset\":\"12\"") << 0 << QByteArray("bad_timestamp@");
    QTest::newRow("offset-absurd") << event(",\"offset\":1e300") << 0 << QByteArray("bad_timestamp@");
    QTest::newRow("distinct-id-huge-number")
        << event(",\"distinct_id\":" + QByteArray(300, '9')) << 0 << QByteArray("field_too_long@");
    QTest::newRow("properties-string") << QByteArray("{\"event\":\"$pageview\",\"properties\":\"oops\"}") << 0
                                       << QByteArray("bad_field@");
    QTest::newRow("missing-session-id") << QByteArray(
        "{\"event\":\"$pageview\",\"properties\":{\"$current_url\":\"/a\"}}")
                                        << 0 << QByteArray("missing_session_id@");
    QTest::newRow("empty-session-id") << QByteArray("{\"event\":\"x\",\"session_id\":\"\"}") << 0
                                      << QByteArray("missing_session_id@");
    QTest::newRow("session-id-number") << QByteArray("{\"event\":\"x\",\"session_id\":12}") << 0
                                       << QByteArray("bad_field@");
    QTest::newRow("missing-event-name") << QByteArray("{" + props + "}") << 0 << QByteArray("missing_event@");
    QTest::newRow("event-name-number") << QByteArray("{\"event\":7," + props + "}") << 0 << QByteArray("bad_field@");
    QTest::newRow("chain-number") << event(",\"elements_chain\":5") << 0 << QByteArray("bad_field@");
    QTest::newRow("distinct-id-200") << event(",\"distinct_id\":\"" + QByteArray(200, 'd') + "\"") << 1 << QByteArray();
    QTest::newRow("distinct-id-201") << event(",\"distinct_id\":\"" + QByteArray(201, 'd') + "\"") << 0
                                     << QByteArray("field_too_long@");
    QTest::newRow("distinct-id-number") << event(",\"distinct_id\":12345") << 1 << QByteArray();
    QTest::newRow("root-string") << QByteArray("\"$pageview\"") << 0 << QByteArray("bad_shape@");
    QTest::newRow("batch-not-array") << QByteArray("{\"api_key\":\"k\",\"batch\":{}}") << 0 << QByteArray("bad_shape@");
    QTest::newRow("array-with-non-object")
        << "[" + event("") + ",42," + event("") + "]" << 2 << QByteArray("bad_shape@[1]");
    QTest::newRow("one-bad-in-batch") << "{\"api_key\":\"k\",\"batch\":[" + event("") + ",{\"event\":\"x\"},"
            + event("") + "]}" << 2 << QByteArray("missing_session_id@[1]");
    QTest::newRow("empty-array") << QByteArray("[]") << 0 << QByteArray();
    QTest::newRow("empty-body") << QByteArray("") << 0 << QByteArray("invalid_json@");
}

void TestPostHogIntake::badInput()
{
    QFETCH(QByteArray, body);
    QFETCH(int, events);
    QFETCH(QByteArray, errors);
    PostHogIntake intake;
    const auto batch = intake.parseBody(body.toStdString());
    QCOMPARE(errorList(batch.errors), errors);
    QCOMPARE(int(batch.events.size()), events);
    for (const auto& e : batch.errors)
        QVERIFY(!e.message.empty());
}

void TestPostHogIntake::limits_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("maxEvents");
    QTest::addColumn<int>("maxErrors");
    QTest::addColumn<int>("maxValues");
    QTest::addColumn<QByteArray>("knownToken"); // empty: no token check
    QTest::addColumn<int>("events");
    QTest::addColumn<QByteArray>("errors"); // those kept
    QTest::addColumn<int>("errorCount");
    QTest::addColumn<QByteArray>("refusal"); // code@where, empty: none

    auto event = [](const QByteArray& token) {
        return "{\"event\":\"$pageview\",\"properties\":{\"$session_id\":\"s1\",\"token\":\"" + token + "\"}}";
    };
    auto zeros = [](int n) {
        QByteArray out("[");
        for (int i = 0; i < n; ++i)
            out += i ? ",0" : "0";
        return out + "]";
    };
    const QByteArray three = "[" + event("k") + "," + event("k") + "," + event("k") + "]";
    QTest::newRow("within-every-limit") << three << 3 << 10 << 100 << QByteArray("k") << 3 << QByteArray() << 0
                                        << QByteArray();
    QTest::newRow("one-event-too-many") << three << 2 << 10 << 100 << QByteArray() << 0 << QByteArray() << 0
                                        << QByteArray("too_many_events@");
    QTest::newRow("unreadable-items-counted-not-kept")
        << zeros(50) << 100 << 3 << 1000 << QByteArray() << 0
        << QByteArray("bad_shape@[0], bad_shape@[1], bad_shape@[2]") << 50 << QByteArray();
    // The issue's amplification: two million zeros are refused before one is read.
    QTest::newRow("millions-of-zeros") << zeros(2'000'000) << 1000 << 10 << 5'000'000 << QByteArray() << 0
                                       << QByteArray() << 0 << QByteArray("too_many_events@");
    QTest::newRow("too-many-values") << zeros(2'000) << 5000 << 10 << 1000 << QByteArray() << 0 << QByteArray() << 0
                                     << QByteArray("too_many_values@");
    QTest::newRow("batch-token-refused-first")
        << "{\"api_key\":\"nope\",\"batch\":[" + event("") + "]}" << 10 << 10 << 100 << QByteArray("k") << 0
        << QByteArray() << 0 << QByteArray("unknown_token@");
    QTest::newRow("event-token-refused") << "[" + event("k") + "," + event("nope") + "," + event("k") + "]" << 10 << 10
                                         << 100 << QByteArray("k") << 0 << QByteArray() << 0
                                         << QByteArray("unknown_token@[1]");
    QTest::newRow("missing-token-refused")
        << "[" + QByteArray("{\"event\":\"x\",\"session_id\":\"s\"}") + "]" << 10 << 10 << 100 << QByteArray("k") << 0
        << QByteArray() << 0 << QByteArray("unknown_token@[0]");
    QTest::newRow("batch-token-known") << QByteArray(
        "{\"api_key\":\"k\",\"batch\":[{\"event\":\"x\",\"properties\":{\"$session_id\":\"s\"}}]}")
                                       << 10 << 10 << 100 << QByteArray("k") << 1 << QByteArray() << 0 << QByteArray();
}

void TestPostHogIntake::limits()
{
    QFETCH(QByteArray, body);
    QFETCH(int, maxEvents);
    QFETCH(int, maxErrors);
    QFETCH(int, maxValues);
    QFETCH(QByteArray, knownToken);
    QFETCH(int, events);
    QFETCH(QByteArray, errors);
    QFETCH(int, errorCount);
    QFETCH(QByteArray, refusal);

    IntakeOptions options;
    if (!knownToken.isEmpty())
        options.tokenCheck = [known = knownToken.toStdString()](std::string_view token) { return token == known; };
    PostHogIntake intake(
        options, IntakeLimits { std::size_t(maxEvents), std::size_t(maxErrors), std::size_t(maxValues) });
    const IntakeBatch batch = intake.parseBody(body.toStdString());
    QCOMPARE(int(batch.events.size()), events);
    QCOMPARE(errorList(batch.errors), errors);
    QCOMPARE(int(batch.errorCount), errorCount);
    QCOMPARE(batch.refusal ? QByteArray::fromStdString(batch.refusal->code + "@" + batch.refusal->where) : QByteArray(),
        refusal);
    if (batch.refusal)
        QVERIFY(!batch.refusal->message.empty());
}

// One huge document must not pin its tape: the next one starts small.
void TestPostHogIntake::largeDocumentFreesItsMemory()
{
    JsonTape tape;
    std::string error;
    std::string big = "[0";
    for (int i = 0; i < 500'000; ++i)
        big += ",0";
    big += "]";
    QVERIFY(tape.parse(big, error));
    tape.trim();
    QVERIFY(!tape.root().exists());
    QVERIFY(tape.parse("[1,2]", error));
    QCOMPARE(tape.root().firstChild().raw(), std::string_view("1"));
    tape.setMaxValues(2);
    QVERIFY(!tape.parse("[1,2]", error));
    QCOMPARE(QByteArray::fromStdString(error), QByteArray("more than 2 values at byte 3"));
}

void TestPostHogIntake::hugeStrings()
{
    const std::string megabyte(1024 * 1024, 'x');
    nlohmann::json props = { { "$session_id", "s1" }, { "$event_type", "click" },
        { "$current_url", "https://a.io/p/" + std::string(20000, 'y') + "?q=1" }, { "$el_text", megabyte },
        { "$set", { { "email", std::string(300, 'e') + "@x.io" } } } };
    std::string chain;
    for (int i = 0; i < 2000; ++i)
        chain += (i ? ";" : "") + std::string("div.c") + std::to_string(i) + ":text=\"" + std::string(40, 't') + "\"";
    props["$elements_chain"] = chain;
    QVERIFY(chain.size() > 64 * 1024);
    const auto action = parseOne(nlohmann::json { { "event", "$autocapture" }, { "properties", props } }.dump());
    QCOMPARE(action.type, ActionType::Click);
    QCOMPARE(action.rawUrl.size(), std::size_t(8 * 1024));
    QCOMPARE(action.element.text.size(), std::size_t(40)); // the chain's text wins over $el_text
    QVERIFY(action.elementsChain.size() <= 64 * 1024);
    QVERIFY(action.elementsChain.size() > 60 * 1024);
    QCOMPARE(action.elementsChain, chain.substr(0, action.elementsChain.size()));
    QCOMPARE(chain[action.elementsChain.size()], ';');
    QCOMPARE(action.email, std::string());

    props.erase("$elements_chain");
    const auto noChain = parseOne(nlohmann::json { { "event", "$autocapture" }, { "properties", props } }.dump());
    QCOMPARE(noChain.element.text.size(), std::size_t(400));
}

void TestPostHogIntake::timestamps_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("skew");
    QTest::addColumn<QByteArray>("expected");

    const QByteArray p("\"properties\":{\"$session_id\":\"s\"}");
    QTest::newRow("timestamp") << "{\"event\":\"x\"," + p + ",\"timestamp\":\"2024-09-03T10:15:00.250Z\"}" << false
                               << QByteArray("2024-09-03T10:15:00.250Z");
    QTest::newRow("timestamp-with-offset-zone")
        << "{\"event\":\"x\"," + p + ",\"timestamp\":\"2024-09-03T12:15:00+02:00\"}" << false
        << QByteArray("2024-09-03T10:15:00.000Z");
    QTest::newRow("timestamp-sent-at-no-skew")
        << "{\"event\":\"x\"," + p + ",\"timestamp\":\"2024-09-03T10:15:00Z\",\"sent_at\":\"2024-09-03T10:19:00Z\"}"
        << false << QByteArray("2024-09-03T10:15:00.000Z");
    QTest::newRow("timestamp-sent-at-skew-corrected")
        << "{\"event\":\"x\"," + p + ",\"timestamp\":\"2024-09-03T10:15:00Z\",\"sent_at\":\"2024-09-03T10:19:00Z\"}"
        << true << QByteArray("2024-09-03T10:16:00.000Z");
    QTest::newRow("batch-sent-at-skew-corrected") << "{\"batch\":[{\"event\":\"x\"," + p
            + ",\"timestamp\":\"2024-09-03T10:15:00Z\"}],\"sent_at\":\"2024-09-03T10:21:00Z\"}"
                                                  << true << QByteArray("2024-09-03T10:14:00.000Z");
    QTest::newRow("offset-receive-time") << "[{\"event\":\"x\"," + p + ",\"offset\":1500}]" << false
                                         << QByteArray("2024-09-03T10:19:58.500Z");
    QTest::newRow("offset-sent-at") << "{\"batch\":[{\"event\":\"x\"," + p
            + ",\"offset\":1500}],\"sent_at\":\"2024-09-03T10:10:00Z\"}"
                                    << false << QByteArray("2024-09-03T10:09:58.500Z");
    QTest::newRow("offset-sent-at-skew") << "{\"batch\":[{\"event\":\"x\"," + p
            + ",\"offset\":1500}],\"sent_at\":\"2024-09-03T10:10:00Z\"}"
                                         << true << QByteArray("2024-09-03T10:19:58.500Z");
    QTest::newRow("offset-fraction") << "[{\"event\":\"x\"," + p + ",\"offset\":2.6}]" << false
                                     << QByteArray("2024-09-03T10:19:59.997Z");
    QTest::newRow("nothing") << "{\"event\":\"x\"," + p + "}" << false << QByteArray("2024-09-03T10:20:00.000Z");
    QTest::newRow("nothing-sent-at") << "{\"event\":\"x\"," + p + ",\"sent_at\":\"2024-09-03T10:11:00Z\"}" << false
                                     << QByteArray("2024-09-03T10:11:00.000Z");
}

void TestPostHogIntake::timestamps()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, skew);
    QFETCH(QByteArray, expected);
    const auto action = parseOne(body.toStdString(), IntakeOptions { fromEpochMs(kReceivedAt), skew });
    QCOMPARE(QByteArray::fromStdString(formatIsoTimestamp(action.timestampStart)), expected);
    QCOMPARE(action.timestampEnd, action.timestampStart);
}

void TestPostHogIntake::jsonLines()
{
    std::string text = readFixture("events.jsonl");
    PostHogIntake intake;
    const auto lf = intake.parseJsonLines(text);
    QCOMPARE(errorList(lf.errors), QByteArray("invalid_json@line 5, missing_session_id@line 8, bad_field@line 9[1]"));
    QCOMPARE(lf.events.size(), std::size_t(5));

    std::string crlf;
    for (const char c : text)
        crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    const auto windows = intake.parseJsonLines(crlf);
    QCOMPARE(errorList(windows.errors), errorList(lf.errors));
    QCOMPARE(windows.events.size(), lf.events.size());

    // No newline at the end, and nothing at all.
    QCOMPARE(intake.parseJsonLines("{\"event\":\"x\",\"session_id\":\"s\"}").events.size(), std::size_t(1));
    const auto empty = intake.parseJsonLines("\n\n  \n");
    QVERIFY(empty.events.empty() && empty.errors.empty());
}

void TestPostHogIntake::finalise_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("title");
    QTest::addColumn<QByteArray>("description");

    auto click = [](const QByteArray& chain, const QByteArray& url = "/projects") {
        return "{\"event\":\"$autocapture\",\"properties\":{\"$session_id\":\"s\",\"$event_type\":\"click\",\"$current_"
               "url\":\""
            + url + "\",\"$elements_chain\":\"" + chain + "\"}}";
    };
    auto typed = [](const QByteArray& event, const QByteArray& type, const QByteArray& chain) {
        return "{\"event\":\"" + event + "\",\"properties\":{\"$session_id\":\"s\",\"$event_type\":\"" + type
            + "\",\"$current_url\":\"https://a.io/settings/account\",\"$elements_chain\":\"" + chain + "\"}}";
    };

    QTest::newRow("button-text") << click("button:text=\\\"Add Project\\\"") << QByteArray("Clicked button")
                                 << QByteArray("Clicked button 'Add Project' on /projects");
    QTest::newRow("aria-label") << click("button:attr__aria-label=\\\"Close dialog\\\"") << QByteArray("Clicked button")
                                << QByteArray("Clicked button 'Close dialog' on /projects");
    QTest::newRow("id-last-resort") << click("div:attr_id=\\\"card-7\\\"") << QByteArray("Clicked element")
                                    << QByteArray("Clicked element 'card-7' on /projects");
    QTest::newRow("no-label") << click("div.card") << QByteArray("Clicked element")
                              << QByteArray("Clicked element on /projects");
    QTest::newRow("link") << click("a:href=\\\"/docs\\\"text=\\\"Docs\\\"") << QByteArray("Clicked link")
                          << QByteArray("Clicked link 'Docs' on /projects");
    QTest::newRow("submit-input-is-button")
        << click("input:attr__type=\\\"submit\\\"attr__name=\\\"go\\\"") << QByteArray("Clicked button")
        << QByteArray("Clicked button 'go' on /projects");
    QTest::newRow("checkbox") << click("input:attr__type=\\\"checkbox\\\"attr__name=\\\"terms\\\"")
                              << QByteArray("Clicked checkbox") << QByteArray("Clicked checkbox 'terms' on /projects");
    QTest::newRow("long-text-cut") << click(
        "button:text=\\\"Create a new project from one of the many templates below\\\"")
                                   << QByteArray("Clicked button")
                                   << QByteArray(
                                          "Clicked button 'Create a new project from one of the man\xE2\x80\xA6' on "
                                          "/projects");
    QTest::newRow("text-40-chars-kept") << click("button:text=\\\"" + QByteArray(40, 'a') + "\\\"")
                                        << QByteArray("Clicked button")
                                        << "Clicked button '" + QByteArray(40, 'a') + "' on /projects";
    QTest::newRow("text-41-chars-cut") << click("button:text=\\\"" + QByteArray(41, 'a') + "\\\"")
                                       << QByteArray("Clicked button")
                                       << "Clicked button '" + QByteArray(40, 'a') + "\xE2\x80\xA6' on /projects";
    QTest::newRow("unicode-label-cut-by-chars")
        << click("button:text=\\\"" + QByteArray("\xC3\xA9").repeated(45) + "\\\"") << QByteArray("Clicked button")
        << "Clicked button '" + QByteArray("\xC3\xA9").repeated(40) + "\xE2\x80\xA6' on /projects";
    QTest::newRow("whitespace-collapsed")
        << click("button:text=\\\"  Save \\n\\t  now \\\"") << QByteArray("Clicked button")
        << QByteArray("Clicked button 'Save now' on /projects");
    QTest::newRow("canonical-path-in-sentence")
        << click("button:text=\\\"Go\\\"", "https://a.io/p/42?x=1") << QByteArray("Clicked button")
        << QByteArray("Clicked button 'Go' on /p/:id");
    QTest::newRow("no-url") << QByteArray(
        "{\"event\":\"$autocapture\",\"properties\":{\"$session_id\":\"s\",\"$event_type\":"
        "\"click\",\"$elements_chain\":\"button:text=\\\"Go\\\"\"}}")
                            << QByteArray("Clicked button") << QByteArray("Clicked button 'Go'");
    QTest::newRow("submit-form-name") << typed(
        "$autocapture", "submit", "form:attr__name=\\\"create-project\\\"attr_id=\\\"f1\\\"")
                                      << QByteArray("Submitted form")
                                      << QByteArray("Submitted form 'create-project' on /settings/account");
    QTest::newRow("submit-form-id") << typed(
        "$autocapture", "submit", "form:attr_id=\\\"f1\\\"text=\\\"Lots of text\\\"")
                                    << QByteArray("Submitted form")
                                    << QByteArray("Submitted form 'f1' on /settings/account");
    QTest::newRow("change-input") << typed("$autocapture", "change", "input:attr__name=\\\"email\\\"")
                                  << QByteArray("Changed input")
                                  << QByteArray("Changed input 'email' on /settings/account");
    QTest::newRow("change-select") << typed("$autocapture", "change", "select:attr__name=\\\"plan\\\"")
                                   << QByteArray("Changed dropdown")
                                   << QByteArray("Changed dropdown 'plan' on /settings/account");
    QTest::newRow("rageclick") << typed("$rageclick", "click", "button:text=\\\"Save\\\"")
                               << QByteArray("Rage-clicked button")
                               << QByteArray("Rage-clicked button 'Save' on /settings/account");
    QTest::newRow("autocapture-copy-is-custom")
        << typed("$autocapture", "copy", "p:text=\\\"x\\\"") << QByteArray("$autocapture")
        << QByteArray("$autocapture on /settings/account");
    QTest::newRow("custom") << typed("project_created", "", "") << QByteArray("project_created")
                            << QByteArray("project_created on /settings/account");
    QTest::newRow("pageview") << typed("$pageview", "", "") << QByteArray("Viewed page")
                              << QByteArray("Viewed /settings/account");
    QTest::newRow("pageview-no-url") << QByteArray("{\"event\":\"$pageview\",\"properties\":{\"$session_id\":\"s\"}}")
                                     << QByteArray("Viewed page") << QByteArray("Viewed a page");
    QTest::newRow("pageleave") << typed("$pageleave", "", "") << QByteArray("Left page")
                               << QByteArray("Left /settings/account");
}

void TestPostHogIntake::finalise()
{
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, title);
    QFETCH(QByteArray, description);
    Action action = parseOne(json.toStdString());
    finaliseAction(action, {});
    QCOMPARE(QByteArray::fromStdString(action.title), title);
    QCOMPARE(QByteArray::fromStdString(action.description), description);
    QCOMPARE(action.canonicalUrl, canonicalUrl(action.rawUrl));

    const std::vector<std::string> routes { "/p/:project", "/settings/:section" };
    finaliseAction(action, routes);
    QCOMPARE(action.canonicalUrl, canonicalUrl(action.rawUrl, routes));
}

void TestPostHogIntake::jsonTape_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("valid");

    QTest::newRow("object") << QByteArray(" {\"a\": [1, -2.5e3, true, false, null, \"x\"], \"b\": {}} ") << true;
    QTest::newRow("scalar-root") << QByteArray("42") << true;
    QTest::newRow("bom") << QByteArray("\xEF\xBB\xBF{}") << true;
    QTest::newRow("escapes") << QByteArray("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude80\"") << true;
    QTest::newRow("trailing-comma") << QByteArray("[1,]") << false;
    QTest::newRow("trailing-text") << QByteArray("{} x") << false;
    QTest::newRow("two-documents") << QByteArray("{}{}") << false;
    QTest::newRow("single-quotes") << QByteArray("{'a':1}") << false;
    QTest::newRow("leading-zero") << QByteArray("01") << false;
    QTest::newRow("bare-minus") << QByteArray("-") << false;
    QTest::newRow("dot-no-digits") << QByteArray("1.") << false;
    QTest::newRow("bad-escape") << QByteArray("\"\\x\"") << false;
    QTest::newRow("control-char") << QByteArray("\"a\tb\"") << false;
    QTest::newRow("lone-high-surrogate") << QByteArray("\"\\ud83d\"") << false;
    QTest::newRow("lone-low-surrogate") << QByteArray("\"\\ude80\"") << false;
    QTest::newRow("overlong-utf8") << QByteArray("\"\xC0\xAF\"") << false;
    QTest::newRow("utf8-surrogate") << QByteArray("\"\xED\xA0\x80\"") << false;
    QTest::newRow("truncated-utf8") << QByteArray("\"\xE2\x82\"") << false;
    QTest::newRow("nan") << QByteArray("NaN") << false;
    QTest::newRow("missing-colon") << QByteArray("{\"a\" 1}") << false;
    QTest::newRow("unclosed") << QByteArray("[[[") << false;
    QTest::newRow("depth-512") << QByteArray(512, '[') + QByteArray(512, ']') << true;
    QTest::newRow("depth-513") << QByteArray(513, '[') + QByteArray(513, ']') << false;
    QTest::newRow("empty") << QByteArray() << false;
}

void TestPostHogIntake::jsonTape()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, valid);
    const std::string text = json.toStdString(); // the tape points into it
    JsonTape tape;
    std::string error;
    QCOMPARE(tape.parse(text, error), valid);
    QCOMPARE(error.empty(), valid);
    if (valid && !json.startsWith("\xEF\xBB\xBF"))
        QCOMPARE(QByteArray::fromStdString(fromTape(tape.root()).dump()),
            QByteArray::fromStdString(nlohmann::json::parse(text).dump()));
}

void TestPostHogIntake::jsonTapeNumbers_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("readable");
    QTest::addColumn<double>("value");

    QTest::newRow("integer") << QByteArray("42") << true << 42.0;
    QTest::newRow("fraction-exponent") << QByteArray("-2.5e3") << true << -2500.0;
    QTest::newRow("beyond-int64") << QByteArray("18446744073709551616") << true << 18446744073709551616.0;
    QTest::newRow("subnormal") << QByteArray("5e-324") << true << 5e-324;
    // Below double's range is zero, as nlohmann reads it (issue 13, found by fuzzing); beyond it is no value.
    QTest::newRow("below-double-range") << QByteArray("1e-400") << true << 0.0;
    QTest::newRow("below-double-range-negative") << QByteArray("-1e-400") << true << 0.0;
    QTest::newRow("below-double-range-long-mantissa") << QByteArray("0.000000123e-330") << true << 0.0;
    QTest::newRow("below-double-range-huge-exponent") << QByteArray("1e-99999999999999999999999") << true << 0.0;
    QTest::newRow("big-mantissa-small-exponent") << QByteArray("1000e-310") << true << 1e-307;
    QTest::newRow("beyond-double-range") << QByteArray("1e400") << false << 0.0;
    QTest::newRow("beyond-double-range-long-mantissa") << QByteArray("123456789e305") << false << 0.0;
    QTest::newRow("beyond-double-range-huge-exponent") << QByteArray("1e99999999999999999999999") << false << 0.0;
}

void TestPostHogIntake::jsonTapeNumbers()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, readable);
    QFETCH(double, value);
    const std::string text = json.toStdString();
    JsonTape tape;
    std::string error;
    QVERIFY2(tape.parse(text, error), error.c_str());
    const auto number = tape.root().number();
    QCOMPARE(number.has_value(), readable);
    if (readable)
        QCOMPARE(*number, value);
}

// Random damage to real documents: the tape accepts exactly what nlohmann
// accepts, and reads the same values.
void TestPostHogIntake::jsonTapeAgreesWithNlohmann()
{
    const std::string seeds[] = { readFixture("webhook-flat.json"), readFixture("posthog-js-legacy-array.json"),
        "{\"a\":\"\\u00e9\\ud83d\\ude80\\\"\",\"b\":[1e5,-0.0,{\"c\":null}]}" };
    const char alphabet[] = "{}[]\",:\\0123456789.eE+-tfnul \x80\xC3\xA9\xF0\x9F\t\n";
    std::mt19937 rng(20240903);
    JsonTape tape;
    std::string error;
    int valid = 0;
    for (int round = 0; round < 4000; ++round) {
        std::string doc = seeds[std::size_t(round) % std::size(seeds)];
        const int edits = 1 + int(rng() % 3);
        for (int e = 0; e < edits && !doc.empty(); ++e) {
            const std::size_t at = rng() % doc.size();
            const char c = alphabet[rng() % (sizeof alphabet - 1)];
            switch (rng() % 3) {
            case 0:
                doc.insert(doc.begin() + std::ptrdiff_t(at), c);
                break;
            case 1:
                doc.erase(at, 1);
                break;
            default:
                doc[at] = c;
                break;
            }
        }
        const auto reference = nlohmann::json::parse(doc, nullptr, false);
        const bool ok = tape.parse(doc, error);
        if (ok != !reference.is_discarded())
            QFAIL(qPrintable(QString::fromStdString("disagree on: " + doc)));
        if (ok) {
            ++valid;
            QCOMPARE(
                QByteArray::fromStdString(fromTape(tape.root()).dump()), QByteArray::fromStdString(reference.dump()));
        }
    }
    QVERIFY(valid > 200); // the damage leaves enough valid documents to compare values
}

QTEST_GUILESS_MAIN(TestPostHogIntake)
#include "tst_posthogintake.moc"
