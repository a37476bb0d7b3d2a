#include "triggers/trigger.h"
#include "triggertestsupport.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace proactive;
using namespace proactive::test;

namespace {

QByteArray readFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QString dataPath(const QString& relative)
{
    return QStringLiteral(PROACTIVE_TEST_DATA) + u"/triggers/"_qs + relative;
}

// `[{"id":"t","body":"Need a hand?","when":WHEN}]` with WHEN substituted.
QByteArray withWhen(const QByteArray& when)
{
    return R"([{"id":"t","body":"Need a hand?","when":)" + when + "}]";
}

QByteArray nested(int depth)
{
    QByteArray when = R"({"idle":{"at_least_s":1}})";
    for (int i = 0; i < depth; ++i)
        when = R"({"not":)" + when + "}";
    return when;
}

} // namespace

class TestTriggerParse final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rejects_data();
    void rejects();
    void keepsValidTriggers();
    void definitionFields();
    void offerRuleFields();
    void defaults();
    void pointerPrefix();
    void duplicateIdKeepsFirst();
    void bodyIsNormalisedForTheOffer();
    void unicodePadding_data();
    void unicodePadding();
    void exampleFiles_data();
    void exampleFiles();
    void goldenDiagnostics_data();
    void goldenDiagnostics();
};

void TestTriggerParse::rejects_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("diagnostic"); // the first one, "file:pointer: reason"
    QTest::addColumn<int>("count"); // how many diagnostics in all

    const QString conditionKeys = u"all, any, not, event, count, sequence, dwell, idle, rage_click"_qs;
    const QString types = u"pageview, click, submit, change, rageclick, pageleave, custom"_qs;
    const QByteArray idle = R"({"idle":{"at_least_s":1}})";

    // Shapes and types of the trigger itself.
    QTest::newRow("not-an-array") << QByteArray("{}")
                                  << u"triggers.json:/: expected an array of triggers, found an object"_qs << 1;
    QTest::newRow("trigger-not-object") << QByteArray("[1]")
                                        << u"triggers.json:/0: expected an object, found a number"_qs << 1;
    QTest::newRow("missing-id") << QByteArray(R"([{"body":"x","when":)" + idle + "}]")
                                << u"triggers.json:/0/id: missing required field (a string)"_qs << 1;
    QTest::newRow("id-wrong-type") << QByteArray(R"([{"id":5,"body":"x","when":)" + idle + "}]")
                                   << u"triggers.json:/0/id: expected a string, found a number"_qs << 1;
    QTest::newRow("id-blank") << QByteArray(R"([{"id":"  ","body":"x","when":)" + idle + "}]")
                              << u"triggers.json:/0/id: must not be empty"_qs << 1;
    QTest::newRow("id-bad-characters") << QByteArray(R"([{"id":"a b","body":"x","when":)" + idle
        + "}]") << u"triggers.json:/0/id: may only contain letters, digits, '_', '-', '.' and ':'"_qs
                                       << 1;
    QTest::newRow("id-huge") << QByteArray(
        R"([{"id":")" + QByteArray(129, 'a') + R"(","body":"x","when":)" + idle + "}]")
                             << u"triggers.json:/0/id: too long: 129 bytes, at most 128"_qs << 1;
    QTest::newRow("missing-when") << QByteArray(R"([{"id":"t","body":"x"}])")
                                  << u"triggers.json:/0/when: missing required field (a condition)"_qs << 1;
    QTest::newRow("missing-body") << QByteArray(R"([{"id":"t","when":)" + idle + "}]")
                                  << u"triggers.json:/0/body: missing required field (the offer text, a string)"_qs
                                  << 1;
    QTest::newRow("body-needed-beside-playbook") << QByteArray(
        R"([{"id":"t","when":{"any":[{"type":"section_playbook_match","rules":[{"url_prefix":"/a","section":"a"}],"sections":{"a":{"body":"A"}}},)"
        + idle + "]}}]") << u"triggers.json:/0/body: missing required field (the offer text, a string)"_qs
                                                 << 1;
    QTest::newRow("playbook-in-all-supplies-body") << QByteArray(
        R"([{"id":"t","when":{"all":[{"type":"section_playbook_match","rules":[{"url_prefix":"/a","section":"a"}],"sections":{"a":{"body":"A"}}},)"
        + idle + "]}}]") << QString() << 0;
    QTest::newRow("blank-body") << QByteArray(R"([{"id":"t","body":" \n ","when":)" + idle + "}]")
                                << u"triggers.json:/0/body: must not be empty"_qs << 1;
    // Blank as Python's str.strip() sees it (SPEC §8 §5): no-break, em,
    // ideographic, next-line and separator characters are padding too.
    QTest::newRow("blank-body-unicode") << QByteArray(
        R"([{"id":"t","body":"\u00a0\u2003\u3000\u0085\u2028\u001f","when":)" + idle + "}]")
                                        << u"triggers.json:/0/body: must not be empty"_qs << 1;
    QTest::newRow("zero-width-space-is-a-body")
        << QByteArray(R"([{"id":"t","body":"\u00a0\u200b\u00a0","when":)" + idle + "}]") << QString() << 0;
    QTest::newRow("body-wrong-type") << QByteArray(R"([{"id":"t","body":["x"],"when":)" + idle + "}]")
                                     << u"triggers.json:/0/body: expected a string, found an array"_qs << 1;
    QTest::newRow("body-huge") << QByteArray(
        R"([{"id":"t","body":")" + QByteArray(4001, 'b') + R"(","when":)" + idle + "}]")
                               << u"triggers.json:/0/body: too long: 4001 bytes, at most 4000"_qs << 1;
    QTest::newRow("name-huge") << QByteArray(
        R"([{"id":"t","name":")" + QByteArray(201, 'n') + R"(","body":"x","when":)" + idle + "}]")
                               << u"triggers.json:/0/name: too long: 201 bytes, at most 200"_qs << 1;
    QTest::newRow("unknown-field") << QByteArray(R"([{"id":"t","body":"x","bodyy":"y","when":)" + idle + "}]")
                                   << u"triggers.json:/0/bodyy: unknown field"_qs << 1;
    QTest::newRow("labels-not-array") << QByteArray(R"([{"id":"t","body":"x","reply_option_labels":"Yes","when":)"
        + idle + "}]") << u"triggers.json:/0/reply_option_labels: expected an array of strings, found a string"_qs
                                      << 1;
    QTest::newRow("label-not-string") << QByteArray(R"([{"id":"t","body":"x","reply_option_labels":["Yes",2],"when":)"
        + idle + "}]") << u"triggers.json:/0/reply_option_labels/1: expected a string, found a number"_qs
                                      << 1;
    QTest::newRow("label-blank") << QByteArray(
        R"([{"id":"t","body":"x","reply_option_labels":["Yes"," "],"when":)" + idle + "}]")
                                 << u"triggers.json:/0/reply_option_labels/1: must not be empty"_qs << 1;
    QTest::newRow("label-blank-unicode") << QByteArray(
        R"([{"id":"t","body":"x","reply_option_labels":["Yes","\u00a0\u202f"],"when":)" + idle + "}]")
                                         << u"triggers.json:/0/reply_option_labels/1: must not be empty"_qs << 1;
    QTest::newRow("section-body-blank-unicode") << QByteArray(
        R"([{"id":"t","when":{"type":"section_playbook_match","rules":[{"url_prefix":"/a","section":"a"}],)"
        R"("sections":{"a":{"body":"\u3000\u1680"}}}}])")
                                                << u"triggers.json:/0/when/sections/a/body: must not be empty"_qs << 1;
    QTest::newRow("too-many-labels") << QByteArray(
        R"([{"id":"t","body":"x","reply_option_labels":["a","b","c","d","e"],"when":)" + idle + "}]")
                                     << u"triggers.json:/0/reply_option_labels: too many labels: 5, at most 4"_qs << 1;
    QTest::newRow("timeout-zero") << QByteArray(R"([{"id":"t","body":"x","interaction_timeout_s":0,"when":)" + idle
        + "}]") << u"triggers.json:/0/interaction_timeout_s: 0 is out of range [0.001, 86400]"_qs
                                  << 1;
    QTest::newRow("timeout-string") << QByteArray(R"([{"id":"t","body":"x","interaction_timeout_s":"10","when":)" + idle
        + "}]") << u"triggers.json:/0/interaction_timeout_s: expected a number, found a string"_qs
                                    << 1;
    QTest::newRow("cooldown-negative") << QByteArray(R"([{"id":"t","body":"x","cooldown_s":-1,"when":)" + idle + "}]")
                                       << u"triggers.json:/0/cooldown_s: -1 is out of range [0, 604800]"_qs << 1;
    QTest::newRow("tour-id-bad")
        << QByteArray(R"([{"id":"t","body":"x","tour_id":"tour one","when":)" + idle + "}]")
        << u"triggers.json:/0/tour_id: may only contain letters, digits, '_' and '-' (the [TOUR:<id>] tag syntax)"_qs
        << 1;
    QTest::newRow("metadata-not-object") << QByteArray(R"([{"id":"t","body":"x","metadata":[1],"when":)" + idle + "}]")
                                         << u"triggers.json:/0/metadata: expected an object, found an array"_qs << 1;
    QTest::newRow("metadata-huge") << QByteArray(
        R"([{"id":"t","body":"x","metadata":{"k":")" + QByteArray(17000, 'm') + R"("},"when":)" + idle + "}]")
                                   << u"triggers.json:/0/metadata: too large: 17008 bytes, at most 16384"_qs << 1;
    // Offer rules (SPEC §8 "§3 Frequency and experiments").
    const auto withRule = [&](const char* rule) {
        return QByteArray(R"([{"id":"t","body":"x",)") + rule + R"(,"when":)" + idle + "}]";
    };
    QTest::newRow("frequency-unknown")
        << withRule(R"("frequency":"twice")")
        << uR"(triggers.json:/0/frequency: unknown value "twice" (expected "always", "once", "until_interacted" or {"max_per_user": N, "within_s": S}))"_qs
        << 1;
    QTest::newRow("frequency-wrong-type")
        << withRule(R"("frequency":3)")
        << uR"(triggers.json:/0/frequency: expected "always", "once", "until_interacted" or {"max_per_user": N, "within_s": S}, found a number)"_qs
        << 1;
    QTest::newRow("frequency-max-negative")
        << withRule(R"("frequency":{"max_per_user":-1})")
        << u"triggers.json:/0/frequency/max_per_user: -1 is out of range [1, 100]"_qs << 1;
    QTest::newRow("frequency-max-fraction")
        << withRule(R"("frequency":{"max_per_user":1.5})")
        << u"triggers.json:/0/frequency/max_per_user: expected a whole number, found 1.5"_qs << 1;
    QTest::newRow("frequency-max-missing")
        << withRule(R"("frequency":{"within_s":60})")
        << u"triggers.json:/0/frequency/max_per_user: missing required field (a number)"_qs << 1;
    QTest::newRow("frequency-window-zero")
        << withRule(R"("frequency":{"max_per_user":2,"within_s":0})")
        << u"triggers.json:/0/frequency/within_s: 0 is out of range [1, 3.16224e+07]"_qs << 1;
    QTest::newRow("frequency-typo") << withRule(R"("frequency":{"max_per_user":2,"within":60})")
                                    << u"triggers.json:/0/frequency/within: unknown field"_qs << 1;
    QTest::newRow("holdout-over-50") << withRule(R"("holdout_percent":60)")
                                     << u"triggers.json:/0/holdout_percent: 60 is out of range [0, 50]"_qs << 1;
    QTest::newRow("holdout-negative") << withRule(R"("holdout_percent":-5)")
                                      << u"triggers.json:/0/holdout_percent: -5 is out of range [0, 50]"_qs << 1;
    QTest::newRow("group-bad") << withRule(R"("group":"two words")")
                               << u"triggers.json:/0/group: may only contain letters, digits, '_', '-', '.' and ':'"_qs
                               << 1;
    QTest::newRow("experiment-wrong-type")
        << withRule(R"("experiment":7)") << u"triggers.json:/0/experiment: expected a string, found a number"_qs << 1;
    QTest::newRow("offer-rules-valid") << withRule(
        R"("frequency":{"max_per_user":3,"within_s":86400},"group":"nudge","holdout_percent":12.5,"experiment":"q3")")
                                       << QString() << 0;
    QTest::newRow("frequency-names-valid") << QByteArray(R"([{"id":"a","body":"x","frequency":"always","when":)" + idle
        + R"(},{"id":"b","body":"x","frequency":"once","when":)" + idle
        + R"(},{"id":"c","body":"x","frequency":"until_interacted","when":)" + idle + "}]")
                                           << QString() << 0;
    QTest::newRow("every-problem-reported") << QByteArray(R"([{"body":5,"when":{"idle":{}},"extra":1}])")
                                            << u"triggers.json:/0/id: missing required field (a string)"_qs << 4;

    // Condition shapes.
    QTest::newRow("condition-not-object")
        << withWhen(R"("idle")") << u"triggers.json:/0/when: expected a condition object, found a string"_qs << 1;
    QTest::newRow("condition-empty") << withWhen("{}")
                                     << u"triggers.json:/0/when: empty condition: expected one of "_qs + conditionKeys
            + u" or a built-in {\"type\": ...}"_qs
                                     << 1;
    QTest::newRow("condition-two-keys") << withWhen(R"({"all":[)" + idle + R"(],"any":[)" + idle + "]}")
                                        << u"triggers.json:/0/when: a condition has exactly one key ("_qs
            + conditionKeys + u"), found all, any"_qs
                                        << 1;
    QTest::newRow("unknown-condition") << withWhen(R"({"alll":[]})")
                                       << u"triggers.json:/0/when/alll: unknown condition (expected one of "_qs
            + conditionKeys + u" or a built-in {\"type\": ...})"_qs
                                       << 1;
    QTest::newRow("all-empty")
        << withWhen(R"({"all":[]})")
        << u"triggers.json:/0/when/all: expected a non-empty array of conditions, found an empty array"_qs << 1;
    QTest::newRow("any-not-array")
        << withWhen(R"({"any":{"idle":{"at_least_s":1}}})")
        << u"triggers.json:/0/when/any: expected a non-empty array of conditions, found an object"_qs << 1;
    QTest::newRow("not-array") << withWhen(R"({"not":[]})")
                               << u"triggers.json:/0/when/not: expected a condition object, found an array"_qs << 1;
    QTest::newRow("too-deep") << withWhen(nested(17))
                              << u"triggers.json:/0/when"_qs + u"/not"_qs.repeated(17)
            + u": conditions nested deeper than 16 levels"_qs
                              << 1;
    QTest::newRow("deep-but-allowed") << withWhen(nested(16)) << QString() << 0;
    {
        QByteArray block = R"({"any":[)";
        for (int i = 0; i < 5; ++i)
            block += QByteArray(i ? "," : "") + R"({"event":{}})";
        block += "]}";
        QByteArray many = R"({"any":[)";
        for (int i = 0; i < 60; ++i)
            many += (i ? "," : "") + block;
        many += "]}";
        QTest::newRow("too-many-conditions")
            << withWhen(many) << u"triggers.json:/0/when/any/42/any/2: more than 256 conditions in one trigger"_qs << 1;
    }

    // Built-ins.
    QTest::newRow("typo-in-builtin") << withWhen(R"({"type":"user_page_dwell","threshhold_s":60})")
                                     << u"triggers.json:/0/when/threshhold_s: unknown field"_qs << 1;
    QTest::newRow("unknown-builtin")
        << withWhen(R"({"type":"page_dwell"})")
        << u"triggers.json:/0/when/type: unknown built-in \"page_dwell\" (expected canonical_url_ping_pong, user_page_dwell or section_playbook_match)"_qs
        << 1;
    QTest::newRow("action-type-as-builtin")
        << withWhen(R"({"type":"click"})")
        << u"triggers.json:/0/when/type: unknown built-in \"click\" (to match an action, write {\"event\": {\"type\": \"click\"}})"_qs
        << 1;
    QTest::newRow("builtin-type-not-string")
        << withWhen(R"({"type":5})") << u"triggers.json:/0/when/type: expected a string, found a number"_qs << 1;
    QTest::newRow("min-cycles-zero") << withWhen(R"({"type":"canonical_url_ping_pong","min_cycles":0})")
                                     << u"triggers.json:/0/when/min_cycles: 0 is out of range [1, 1000]"_qs << 1;
    QTest::newRow("min-cycles-fraction") << withWhen(R"({"type":"canonical_url_ping_pong","min_cycles":1.5})")
                                         << u"triggers.json:/0/when/min_cycles: expected a whole number, found 1.5"_qs
                                         << 1;
    QTest::newRow("ping-pong-over-unknown")
        << withWhen(R"({"type":"canonical_url_ping_pong","over":"pages"})")
        << u"triggers.json:/0/when/over: unknown value \"pages\" (expected \"actions\" or \"visits\")"_qs << 1;
    QTest::newRow("ping-pong-over-not-string")
        << withWhen(R"({"type":"canonical_url_ping_pong","over":true})")
        << u"triggers.json:/0/when/over: expected a string, found a boolean"_qs << 1;
    QTest::newRow("ping-pong-over-visits")
        << withWhen(R"({"type":"canonical_url_ping_pong","over":"visits"})") << QString() << 0;
    QTest::newRow("ping-pong-over-actions")
        << withWhen(R"({"type":"canonical_url_ping_pong","over":"actions"})") << QString() << 0;
    QTest::newRow("threshold-string") << withWhen(R"({"type":"user_page_dwell","threshold_s":"60"})")
                                      << u"triggers.json:/0/when/threshold_s: expected a number, found a string"_qs
                                      << 1;
    QTest::newRow("max-actions-zero") << withWhen(R"({"type":"user_page_dwell","max_actions":0})")
                                      << u"triggers.json:/0/when/max_actions: 0 is out of range [1, 1000]"_qs << 1;
    QTest::newRow("playbook-no-rules") << withWhen(R"({"type":"section_playbook_match","sections":{"a":{"body":"A"}}})")
                                       << u"triggers.json:/0/when/rules: missing required field (an array of rules)"_qs
                                       << 1;
    QTest::newRow("playbook-empty-rules")
        << withWhen(R"({"type":"section_playbook_match","rules":[],"sections":{"a":{"body":"A"}}})")
        << u"triggers.json:/0/when/rules: expected a non-empty array of rules ({\"url_prefix\": ..., \"section\": ...}), found an empty array"_qs
        << 1;
    QTest::newRow("playbook-section-without-body") << withWhen(
        R"({"type":"section_playbook_match","rules":[{"url_prefix":"/a","section":"a"}],"sections":{"a":{"text":"A"}}})")
                                                   << u"triggers.json:/0/when/sections/a/body: missing required field (a string)"_qs
                                                   << 2;
    QTest::newRow("playbook-bad-prefix")
        << withWhen(
               R"({"type":"section_playbook_match","rules":[{"url_prefix":"settings","section":"a"}],"sections":{"a":{"body":"A"}}})")
        << u"triggers.json:/0/when/rules/0/url_prefix: expected a path (\"/settings\") or a full URL (\"https://app.example.com/settings\")"_qs
        << 1;
    QTest::newRow("playbook-unknown-section") << withWhen(
        R"({"type":"section_playbook_match","rules":[{"url_prefix":"/a","section":"b"}],"sections":{"a":{"body":"A"}}})")
                                              << u"triggers.json:/0/when/rules/0/section: unknown section \"b\" (sections: a)"_qs
                                              << 1;

    // Matchers.
    QTest::newRow("invalid-regex") << withWhen(R"({"all":[{"idle":{"at_least_s":1}},{"event":{"url_regex":"(abc"}}]})")
                                   << u"triggers.json:/0/when/all/1/event/url_regex: invalid regex: missing ) (RE2)"_qs
                                   << 1;
    QTest::newRow("invalid-text-regex")
        << withWhen(R"({"event":{"text_regex":"a**"}})")
        << u"triggers.json:/0/when/event/text_regex: invalid regex: bad repetition operator (RE2)"_qs << 1;
    QTest::newRow("huge-regex") << withWhen(R"({"event":{"url_regex":")" + QByteArray(1025, 'r') + R"("}})")
                                << u"triggers.json:/0/when/event/url_regex: too long: 1025 bytes, at most 1024"_qs << 1;
    QTest::newRow("invalid-selector")
        << withWhen(R"({"event":{"selector":"button:hover"}})")
        << u"triggers.json:/0/when/event/selector: invalid selector: unsupported pseudo-class ':hover' (only :nth-child(n) and :nth-of-type(n)) at column 7"_qs
        << 1;
    QTest::newRow("huge-selector") << withWhen(R"({"event":{"selector":")" + QByteArray(1025, 'a') + R"("}})")
                                   << u"triggers.json:/0/when/event/selector: too long: 1025 bytes, at most 1024"_qs
                                   << 1;
    QTest::newRow("huge-url") << withWhen(R"({"event":{"url":"/)" + QByteArray(2048, 'u') + R"("}})")
                              << u"triggers.json:/0/when/event/url: too long: 2049 bytes, at most 2048"_qs << 1;
    QTest::newRow("url-not-a-url")
        << withWhen(R"({"event":{"url":"projects"}})")
        << u"triggers.json:/0/when/event/url: expected a path (\"/projects\") or a full URL (\"https://app.example.com/projects\")"_qs
        << 1;
    QTest::newRow("route-without-slash")
        << withWhen(R"({"event":{"route":"projects/:id"}})")
        << u"triggers.json:/0/when/event/route: expected a route pattern starting with '/' (\"/projects/:slug\")"_qs
        << 1;
    QTest::newRow("unknown-type")
        << withWhen(R"({"event":{"type":"clik"}})")
        << u"triggers.json:/0/when/event/type: unknown action type \"clik\" (expected one of "_qs + types + u")"_qs
        << 1;
    QTest::newRow("type-list-item")
        << withWhen(R"({"event":{"type":["click",3]}})")
        << u"triggers.json:/0/when/event/type/1: expected an action type (a string), found a number"_qs << 1;
    QTest::newRow("type-list-empty") << withWhen(R"({"event":{"type":[]}})")
                                     << u"triggers.json:/0/when/event/type: expected at least one action type"_qs << 1;
    QTest::newRow("unknown-matcher-field")
        << withWhen(R"({"event":{"urll":"/x"}})") << u"triggers.json:/0/when/event/urll: unknown field"_qs << 1;
    QTest::newRow("matcher-not-object") << withWhen(R"({"event":"click"})")
                                        << u"triggers.json:/0/when/event: expected an object, found a string"_qs << 1;
    QTest::newRow("text-blank") << withWhen(R"({"event":{"text":" "}})")
                                << u"triggers.json:/0/when/event/text: must not be empty"_qs << 1;
    QTest::newRow("properties-not-object")
        << withWhen(R"({"event":{"properties":["plan"]}})")
        << u"triggers.json:/0/when/event/properties: expected an object of property values, found an array"_qs << 1;
    QTest::newRow("property-nested")
        << withWhen(R"({"event":{"properties":{"a/b":{"c":1}}}})")
        << u"triggers.json:/0/when/event/properties/a~1b: expected a string, number or boolean, found an object"_qs
        << 1;

    // Composed conditions.
    QTest::newRow("count-without-bounds") << withWhen(R"({"count":{"of":{"type":"click"}}})")
                                          << u"triggers.json:/0/when/count: needs at_least, at_most or both"_qs << 1;
    QTest::newRow("count-bounds-crossed")
        << withWhen(R"({"count":{"at_least":3,"at_most":2}})")
        << u"triggers.json:/0/when/count/at_most: at_most (2) is below at_least (3), so it can never hold"_qs << 1;
    QTest::newRow("count-bad-matcher")
        << withWhen(R"({"count":{"of":{"type":"x"},"at_least":1}})")
        << u"triggers.json:/0/when/count/of/type: unknown action type \"x\" (expected one of "_qs + types + u")"_qs
        << 1;
    QTest::newRow("count-window-zero") << withWhen(R"({"count":{"within_s":0,"at_least":1}})")
                                       << u"triggers.json:/0/when/count/within_s: 0 is out of range [0.001, 86400]"_qs
                                       << 1;
    QTest::newRow("count-at-least-fraction")
        << withWhen(R"({"count":{"at_least":2.5}})")
        << u"triggers.json:/0/when/count/at_least: expected a whole number, found 2.5"_qs << 1;
    QTest::newRow("sequence-without-steps")
        << withWhen(R"({"sequence":{"within_s":30}})")
        << u"triggers.json:/0/when/sequence/steps: missing required field (an array of event matchers)"_qs << 1;
    {
        QByteArray steps = "[";
        for (int i = 0; i < 17; ++i)
            steps += i ? ",{}" : "{}";
        QTest::newRow("sequence-too-many-steps")
            << withWhen(R"({"sequence":{"steps":)" + steps + "]}}")
            << u"triggers.json:/0/when/sequence/steps: too many steps: 17, at most 16"_qs << 1;
    }
    QTest::newRow("sequence-bad-step")
        << withWhen(R"({"sequence":{"steps":[{"type":"click"},{"selector":"a >"}]}})")
        << u"triggers.json:/0/when/sequence/steps/1/selector: invalid selector: expected a selector after the combinator at column 4"_qs
        << 1;
    QTest::newRow("dwell-rejects-element-fields") << withWhen(R"({"dwell":{"selector":"a","at_least_s":5}})")
                                                  << u"triggers.json:/0/when/dwell/selector: unknown field"_qs << 1;
    QTest::newRow("dwell-without-threshold")
        << withWhen(R"({"dwell":{"url":"/a"}})")
        << u"triggers.json:/0/when/dwell/at_least_s: missing required field (a number)"_qs << 1;
    QTest::newRow("idle-negative") << withWhen(R"({"idle":{"at_least_s":-1}})")
                                   << u"triggers.json:/0/when/idle/at_least_s: -1 is out of range [0, 604800]"_qs << 1;
    QTest::newRow("rage-click-type-rejected") << withWhen(R"({"rage_click":{"of":{"type":"click"}}})")
                                              << u"triggers.json:/0/when/rage_click/of/type: unknown field"_qs << 1;
    QTest::newRow("rage-click-one-click")
        << withWhen(R"({"rage_click":{"clicks":1}})")
        << u"triggers.json:/0/when/rage_click/clicks: 1 is out of range [2, 100]"_qs << 1;
    QTest::newRow("rage-click-same-element-string")
        << withWhen(R"({"rage_click":{"same_element":"yes"}})")
        << u"triggers.json:/0/when/rage_click/same_element: expected true or false, found a string"_qs << 1;
}

void TestTriggerParse::rejects()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, diagnostic);
    QFETCH(int, count);

    const auto document = json(input);
    QVERIFY(!document.is_discarded());
    Diagnostics diagnostics;
    const auto set = parseTriggers(document, "triggers.json", "", diagnostics);
    QVERIFY(set);
    const QStringList lines = diagnosticLines(diagnostics);
    QCOMPARE(lines.size(), count);
    if (count == 0) {
        QCOMPARE(set->triggers().size(), document.size());
        return;
    }
    QCOMPARE(lines.first(), diagnostic);
    QVERIFY(set->empty());
}

void TestTriggerParse::keepsValidTriggers()
{
    Diagnostics diagnostics;
    const auto set = parseTriggers(json(R"([
        {"id":"bad","body":"x","when":{"idle":{"at_least_s":"soon"}}},
        {"id":"good","body":"x","when":{"idle":{"at_least_s":5}}}])"),
        "triggers.json", "", diagnostics);
    QCOMPARE(diagnostics.size(), std::size_t(1));
    QCOMPARE(set->triggers().size(), std::size_t(1));
    QCOMPARE(text(set->triggers()[0].id()), u"good"_qs);
    QVERIFY(set->find("good"));
    QVERIFY(!set->find("bad"));
}

void TestTriggerParse::definitionFields()
{
    const auto document = json(R"([{
        "id": "export-on-free-plan",
        "name": "Export on the free plan",
        "description": "Clicks on export while on the free plan.",
        "body": "Exports are limited on the free plan.",
        "reply_option_labels": [" See options ", "Later"],
        "interaction_timeout_s": 12.5,
        "cooldown_s": 0,
        "tour_id": "export-data",
        "metadata": {"campaign": "upgrade", "priority": 2},
        "when": {"event": {"type": "click", "selector": "[data-tour-id=\"export\"]"}}
    }])");
    Diagnostics diagnostics;
    const auto set = parseTriggers(document, "triggers.json", "", diagnostics);
    QVERIFY2(diagnostics.empty(), qPrintable(describe(diagnostics)));
    const TriggerDefinition& d = set->triggers()[0].definition();
    QCOMPARE(text(d.id), u"export-on-free-plan"_qs);
    QCOMPARE(text(d.name), u"Export on the free plan"_qs);
    QCOMPARE(text(d.description), u"Clicks on export while on the free plan."_qs);
    QCOMPARE(text(d.body), u"Exports are limited on the free plan."_qs);
    QCOMPARE(d.replyOptionLabels, (std::vector<std::string> { "See options", "Later" }));
    QCOMPARE(d.interactionTimeout.count(), 12'500);
    QCOMPARE(d.cooldown.count(), 0);
    QCOMPARE(text(d.tourId), u"export-data"_qs);
    QCOMPARE(text(d.metadata), uR"({"campaign":"upgrade","priority":2})"_qs);
    QVERIFY(d.when == document[0]["when"]);
}

void TestTriggerParse::offerRuleFields()
{
    Diagnostics diagnostics;
    const auto set = parseTriggers(json(R"([
        {"id":"a","body":"x","frequency":{"max_per_user":3,"within_s":3600},"group":"nudge","holdout_percent":12.5,
         "experiment":"q3","when":{"idle":{"at_least_s":1}}},
        {"id":"b","body":"x","frequency":"until_interacted","when":{"idle":{"at_least_s":1}}},
        {"id":"c","body":"x","when":{"idle":{"at_least_s":1}}}
    ])"),
        "triggers.json", "", diagnostics);
    QVERIFY2(diagnostics.empty(), qPrintable(describe(diagnostics)));
    const TriggerDefinition& a = set->triggers()[0].definition();
    QCOMPARE(int(a.frequency.kind), int(FrequencyRule::Kind::MaxPerUser));
    QCOMPARE(a.frequency.maxPerUser, 3);
    QCOMPARE(a.frequency.within->count(), 3'600'000);
    QCOMPARE(text(a.group), u"nudge"_qs);
    QCOMPARE(a.holdoutPercent, std::optional(12.5));
    QCOMPARE(text(a.experiment), u"q3"_qs);
    QCOMPARE(int(set->triggers()[1].definition().frequency.kind), int(FrequencyRule::Kind::UntilInteracted));
    const TriggerDefinition& c = set->triggers()[2].definition();
    QCOMPARE(int(c.frequency.kind), int(FrequencyRule::Kind::Always));
    QVERIFY(!c.holdoutPercent);
    QVERIFY(set->usesOfferRules());
    const auto plain = parseTriggers(
        json(R"([{"id":"c","body":"x","when":{"idle":{"at_least_s":1}}}])"), "triggers.json", "", diagnostics);
    QVERIFY(!plain->usesOfferRules());
}

void TestTriggerParse::defaults()
{
    Diagnostics diagnostics;
    const auto set = parseTriggers(
        json(R"([{"id":"t","body":"x","when":{"idle":{"at_least_s":5}}}])"), "triggers.json", "", diagnostics);
    QVERIFY(diagnostics.empty());
    const TriggerDefinition& d = set->triggers()[0].definition();
    QCOMPARE(d.interactionTimeout.count(), 10'000);
    QCOMPARE(d.cooldown.count(), 30'000);
    QVERIFY(d.tourId.empty());
    QVERIFY(d.replyOptionLabels.empty());
    QCOMPARE(text(d.metadata), u"{}"_qs);
}

void TestTriggerParse::pointerPrefix()
{
    Diagnostics diagnostics;
    parseTriggers(json(R"([{"id":"t","body":"x","when":{"idle":{"at_least_s":true}}}])"), "products.json",
        "/0/triggers", diagnostics);
    QCOMPARE(diagnosticLines(diagnostics),
        QStringList { u"products.json:/0/triggers/0/when/idle/at_least_s: expected a number, found a boolean"_qs });
}

void TestTriggerParse::duplicateIdKeepsFirst()
{
    Diagnostics diagnostics;
    const auto set = parseTriggers(json(R"([
        {"id":"a","body":"first","when":{"idle":{"at_least_s":5}}},
        {"id":"b","body":"x","when":{"idle":{"at_least_s":5}}},
        {"id":"a","body":"second","when":{"idle":{"at_least_s":5}}}])"),
        "triggers.json", "", diagnostics);
    QCOMPARE(
        diagnosticLines(diagnostics), QStringList { u"triggers.json:/2/id: duplicate id \"a\" (first at /0/id)"_qs });
    QCOMPARE(set->triggers().size(), std::size_t(2));
    QCOMPARE(text(set->find("a")->definition().body), u"first"_qs);
}

void TestTriggerParse::bodyIsNormalisedForTheOffer()
{
    const std::string body = "   " + std::string(200, 'x') + "  ";
    Diagnostics diagnostics;
    const auto set = triggerFor({ { "idle", { { "at_least_s", 0 } } } }, diagnostics, { { "body", body } });
    QVERIFY(diagnostics.empty());
    const auto actions = pageviews({ u"/a"_qs }, { 0 });
    const auto evaluation = set->triggers()[0].evaluate({ records(actions), fromEpochMs(kT0), {}, false });
    QVERIFY(evaluation.matched);
    QCOMPARE(evaluation.body, std::string(150, 'x'));
    // The definition keeps what was written, for editors.
    QCOMPARE(set->triggers()[0].definition().body, body);
}

void TestTriggerParse::unicodePadding_data()
{
    QTest::addColumn<QString>("body");
    QTest::addColumn<QStringList>("labels");
    QTest::addColumn<QString>("offered");
    QTest::addColumn<QStringList>("offeredLabels");

    const QString x150(150, u'x');
    for (const char16_t c : { u'\u00a0', u'\u2003', u'\u3000', u'\u0085', u'\u2028', u'\u202f', u'\u001c' }) {
        const QString ws(c);
        const QByteArray code = "U+" + QByteArray::number(uint(c), 16).toUpper().rightJustified(4, '0');
        QTest::addRow("%s-around", code.constData())
            << ws + ws + u"Need a hand?"_qs + ws << QStringList { ws + u"Yes"_qs + ws, u"No thanks"_qs + ws }
            << u"Need a hand?"_qs << QStringList { u"Yes"_qs, u"No thanks"_qs };
        // The padding does not count toward the 150 characters.
        QTest::addRow("%s-not-counted", code.constData())
            << ws.repeated(10) + x150 + u"yyy"_qs + ws.repeated(10) << QStringList() << x150 << QStringList();
        // A cut that ends in padding leaves none behind.
        QTest::addRow("%s-before-the-cut", code.constData())
            << QString(148, u'x') + ws.repeated(4) + u"zzz"_qs << QStringList() << QString(148, u'x') << QStringList();
    }
    // Characters, not bytes: 150 three-byte characters stay whole.
    QTest::newRow("multibyte-cut") << QString(160, u'\u4e2d') << QStringList() << QString(150, u'\u4e2d')
                                   << QStringList();
    QTest::newRow("zero-width-space-kept")
        << u"\u200bHi\u200b"_qs << QStringList() << u"\u200bHi\u200b"_qs << QStringList();
}

void TestTriggerParse::unicodePadding()
{
    QFETCH(QString, body);
    QFETCH(QStringList, labels);
    QFETCH(QString, offered);
    QFETCH(QStringList, offeredLabels);

    nlohmann::json fields { { "body", body.toStdString() } };
    if (!labels.isEmpty()) {
        fields["reply_option_labels"] = nlohmann::json::array();
        for (const QString& label : labels)
            fields["reply_option_labels"].push_back(label.toStdString());
    }
    Diagnostics diagnostics;
    const auto set = triggerFor({ { "idle", { { "at_least_s", 0 } } } }, diagnostics, fields);
    QVERIFY2(diagnostics.empty(), qPrintable(diagnosticLines(diagnostics).join(u'\n')));
    const auto actions = pageviews({ u"/a"_qs }, { 0 });
    const auto evaluation = set->triggers()[0].evaluate({ records(actions), fromEpochMs(kT0), {}, false });
    QVERIFY(evaluation.matched);
    QCOMPARE(QString::fromStdString(evaluation.body), offered);
    if (!offeredLabels.isEmpty()) {
        QStringList got;
        for (const std::string& label : set->triggers()[0].definition().replyOptionLabels)
            got << QString::fromStdString(label);
        QCOMPARE(got, offeredLabels);
    }
}

void TestTriggerParse::exampleFiles_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("triggers");

    QTest::newRow("defaults") << u"defaults.json"_qs << 3;
    QTest::newRow("examples") << u"examples.json"_qs << 8;
    QTest::newRow("offer-rules") << u"offer-rules.json"_qs << 4;
}

void TestTriggerParse::exampleFiles()
{
    QFETCH(QString, file);
    QFETCH(int, triggers);

    const auto document = json(readFile(dataPath(file)));
    QVERIFY(!document.is_discarded());
    Diagnostics diagnostics;
    const auto set = parseTriggers(document, file.toStdString(), "", diagnostics);
    QVERIFY2(diagnostics.empty(), qPrintable(describe(diagnostics)));
    QCOMPARE(set->triggers().size(), std::size_t(triggers));
}

void TestTriggerParse::goldenDiagnostics_data()
{
    QTest::addColumn<QString>("folder");
    const QDir root(dataPath(u"parse"_qs));
    const auto folders = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    QVERIFY(!folders.isEmpty());
    for (const QString& folder : folders)
        QTest::newRow(qPrintable(folder)) << root.filePath(folder);
}

// tests/data/triggers/parse/<case>/{input.json, expected.txt}: every
// diagnostic of the file, one per line, in order.
void TestTriggerParse::goldenDiagnostics()
{
    QFETCH(QString, folder);

    const auto document = json(readFile(folder + u"/input.json"_qs));
    QVERIFY(!document.is_discarded());
    Diagnostics diagnostics;
    parseTriggers(document, "input.json", "", diagnostics);
    const QStringList expected
        = QString::fromUtf8(readFile(folder + u"/expected.txt"_qs)).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(diagnosticLines(diagnostics), expected);
}

QTEST_GUILESS_MAIN(TestTriggerParse)
#include "tst_triggerparse.moc"
