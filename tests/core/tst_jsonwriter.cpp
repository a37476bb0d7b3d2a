// JsonWriter (core/base/jsonwriter.h) against its oracle: for each document,
// the bytes it writes equal nlohmann::json's dump() of the same document
// (with error_handler_t::replace, as the service dumps answers). So does
// the /context answer written with it (contextJson), against its former DOM.

#include "base/jsonwriter.h"
#include "gates/decision.h"

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

// The /context answer as the DOM it was built as before contextJson wrote
// it as text (SPEC §3); dumped, the bytes contextJson must write.
Json contextDom(const Decision& decision, bool explain)
{
    const auto offerDom = [](const Offer& offer) {
        Json dom {
            { "trigger_id", offer.triggerId },
            { "body", offer.body },
            { "reply_option_labels", offer.replyOptionLabels },
            { "interaction_timeout_s", toSeconds(offer.interactionTimeout) },
            { "cooldown_s", toSeconds(offer.cooldown) },
            { "metadata", offer.metadata },
        };
        if (!offer.tourId.empty())
            dom["tour_id"] = offer.tourId;
        return dom;
    };
    Json body {
        { "proactive_trigger", decision.offer ? offerDom(*decision.offer) : Json(nullptr) },
        { "proactive_skip_reason", decision.skipReason ? Json(*decision.skipReason) : Json(nullptr) },
        { "state", nameOf(decision.state) },
    };
    if (!explain)
        return body;
    body["gates"] = gatesJson(decision.gates, decision.triggers);
    if (decision.assignment)
        body["experiment"] = decision.assignment->toJson();
    if (!decision.heldOutTrigger.empty())
        body["would_have_offered"] = decision.heldOutTrigger;
    body["at"] = formatIsoTimestamp(decision.at);
    return body;
}

Offer offerOf(std::string triggerId)
{
    Offer offer;
    offer.triggerId = std::move(triggerId);
    offer.body = "Setting up a new project?";
    offer.replyOptionLabels = { "Yes, show me", "No thanks" };
    offer.interactionTimeout = std::chrono::milliseconds(30'000);
    offer.cooldown = std::chrono::milliseconds(1'500);
    return offer;
}

// Decisions as GatePipeline makes them, each with what only some have.
std::vector<std::pair<const char*, Decision>> decisions()
{
    std::vector<std::pair<const char*, Decision>> rows;
    const Timestamp at = fromEpochMs(1'765'000'000'123);
    {
        Decision d;
        d.skipReason = "no_trigger_matched";
        d.at = at;
        rows.emplace_back("skip", d);
    }
    {
        Decision d;
        d.skipReason = "fsm_not_thinking";
        d.state = FsmState::ProactiveAssistance;
        d.at = at;
        d.gates = { { "product", Verdict::Pass, {}, { { "enabled", true } } },
            { "fsm", Verdict::Block, "fsm_not_thinking",
                { { "state", "proactive_assistance" }, { "offered_trigger", "t1" }, { "expires_in_s", 12.5 } } },
            { "resilience", Verdict::NotReached, {}, Json::object() },
            { "triggers", Verdict::NotReached, {}, Json::object() } };
        rows.emplace_back("skip blocked before the triggers", d);
    }
    {
        Decision d;
        d.offer = offerOf("create-project-hesitation");
        d.at = at;
        rows.emplace_back("offer without tour", d);
    }
    {
        Decision d;
        d.offer = offerOf("ping-pong");
        d.offer->tourId = "projects-tour";
        d.offer->replyOptionLabels.clear();
        d.offer->metadata = { { "section", { { "name", "billing" }, { "rules", { 1, 2.5, nullptr, true, -3 } } } },
            { "empty", Json::object() }, { "list", Json::array() } };
        d.state = FsmState::ProactiveAssistance;
        d.at = at;
        rows.emplace_back("offer with tour and nested metadata", d);
    }
    {
        Decision d;
        d.offer = offerOf("caf\xc3\xa9 \"quoted\"\n");
        d.offer->body = "Projekt · Übersicht → 项目 😀 \x01\t";
        d.offer->replyOptionLabels = { "ok \xff", "\xe2\x82" };
        d.offer->metadata
            = { { "ünï", "😀 → 项目" }, { "bad", "a\xff b" }, { "k\xc0y", { "\xed\xa0\x80", 1e-05 } }, { "big", 1e21 } };
        d.offer->tourId = "tour \x80";
        d.at = at;
        rows.emplace_back("unicode and invalid UTF-8", d);
    }
    {
        Decision d;
        d.skipReason = "experiment_holdout";
        d.at = at;
        d.assignment = HoldoutAssignment { "create-project", 431, 4.4, true };
        d.heldOutTrigger = "create-project-hesitation";
        d.gates = { { "product", Verdict::Pass, {}, { { "enabled", true } } },
            { "triggers", Verdict::Pass, {}, { { "evaluated", 3 }, { "failures", 1 }, { "matched", "t2" } } },
            { "experiment", Verdict::Block, "experiment_holdout", d.assignment->toJson() } };
        TriggerReport failed { "t1", TriggerReport::Status::Error, "bad selector \xff", {}, 0, {} };
        failed.explanation.kind = "event";
        failed.explanation.label = "a click";
        TriggerReport cooling { "t2", TriggerReport::Status::Cooldown, {}, {}, 41.25, {} };
        cooling.explanation = { "user_page_dwell", "dwell on the current page", 41.5, 60, false, "dwell 41 s < 60 s",
            { { "url", "/projects/\xc3" } }, {} };
        TriggerReport waiting { "t3", TriggerReport::Status::Wait, {}, "wait_after_dismissal", 0, {} };
        waiting.explanation = { "all", "all of", nullptr, nullptr, true, "2 of 2", nullptr,
            { { "count", "clicks", 2, 2, true, "2 ≥ 2", nullptr, {} } } };
        d.triggers = { failed, cooling, waiting };
        rows.emplace_back("held out, explained triggers", d);
    }
    rows.emplace_back("empty decision", Decision {});
    return rows;
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
    void nlohmannValuesAsDump_data();
    void nlohmannValuesAsDump();
    void contextAnswerAsDump_data();
    void contextAnswerAsDump();
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

void TestJsonWriter::nlohmannValuesAsDump_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::newRow("null") << QByteArray("null");
    QTest::newRow("number") << QByteArray("-0.5");
    QTest::newRow("nested") << QByteArray(R"({"b":[1,{"c":null}],"a":{"x":"\u00e9\ud83d\ude00"}})");
    QTest::newRow("empty object") << QByteArray("{}");
}

void TestJsonWriter::nlohmannValuesAsDump()
{
    QFETCH(QByteArray, document);
    const Json value = Json::parse(document.toStdString());
    std::string out;
    JsonWriter json(out);
    json.beginArray().value(1).dump(value).dump(value).endArray();
    QCOMPARE(out, dumped(Json { 1, value, value }));

    // Not UTF-8, in a string and in a key: replaced as dump() replaces it.
    const Json invalid = { { "k\xff", value }, { "v", "a\xc3" } };
    out.clear();
    JsonWriter(out).dump(invalid);
    QCOMPARE(out, dumped(invalid));
}

void TestJsonWriter::contextAnswerAsDump_data()
{
    QTest::addColumn<Decision>("decision");
    QTest::addColumn<bool>("explain");
    for (const auto& [name, decision] : decisions()) {
        QTest::newRow(name) << decision << false;
        QTest::newRow((std::string(name) + ", explained").c_str()) << decision << true;
    }
}

void TestJsonWriter::contextAnswerAsDump()
{
    QFETCH(Decision, decision);
    QFETCH(bool, explain);
    QCOMPARE(contextJson(decision, explain), dumped(contextDom(decision, explain)));
}

QTEST_GUILESS_MAIN(TestJsonWriter)
#include "tst_jsonwriter.moc"
