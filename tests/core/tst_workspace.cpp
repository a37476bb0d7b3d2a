#include "triggers/eventmatcher.h"
#include "triggers/trigger.h"
#include "workspace/workspace.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

using namespace proactive;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

Workspace fromText(const char* text, Diagnostics& diagnostics, const std::filesystem::path& root = ".")
{
    return Workspace::fromJson(json::parse(text), root, "products.json", diagnostics);
}

QStringList toStrings(const Diagnostics& diagnostics)
{
    QStringList out;
    for (const auto& d : diagnostics)
        out << QString::fromStdString(d.toString());
    return out;
}

} // namespace

class TestWorkspace final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void defaults();
    void fullSettings();
    void numericIdIsNormalised();
    void problems_data();
    void problems();
    void sessionSettings_data();
    void sessionSettings();
    void secretFromEnvironment();
    void triggersFromFile();
    void malformedProductsFileSaysWhere();
    void missingProductsFile();
    void triggerFileThatIsADevice_data();
    void triggerFileThatIsADevice();
};

void TestWorkspace::defaults()
{
    Diagnostics diagnostics;
    const auto workspace = fromText(R"([{ "product_id": "p", "triggers": [] }])", diagnostics);
    QVERIFY2(diagnostics.empty(), qPrintable(toStrings(diagnostics).join(u'\n')));
    const Product* p = workspace.product("p");
    QVERIFY(p);
    QCOMPARE(p->proactive.enabled, false);
    QCOMPARE(p->proactive.minInterval, Duration(300s));
    QCOMPARE(p->proactive.conservativeCooldowns, (std::vector<Duration> { 600s, 900s }));
    QCOMPARE(p->proactive.circuit.failures, 5);
    QCOMPARE(p->proactive.circuit.pause, Duration(120s));
    QCOMPARE(p->proactive.quotas.productPerMinute, 0);
    QCOMPARE(p->proactive.lookback, Duration(120s));
    QCOMPARE(p->proactive.lateAnswerGrace, Duration(60s));
    QCOMPARE(p->proactive.maxActions, 50);
    QVERIFY(p->triggers && p->triggers->empty());
    QVERIFY(p->webhookSecret.empty());
}

void TestWorkspace::fullSettings()
{
    Diagnostics diagnostics;
    const auto workspace = fromText(R"([{
        "product_id": "p", "name": "Shop", "posthog_token": "phc_1", "routes": ["/a/:id"],
        "cors_origins": ["https://app.example.com"],
        "proactive": { "enabled": true, "min_interval_s": 12.5, "conservative_cooldowns_s": [1, 2, 3],
                       "circuit": { "failures": 2, "pause_s": 9 },
                       "quotas": { "product_per_minute": 1, "session_per_hour": 2, "user_per_day": 3 },
                       "lookback_s": 30, "max_actions": 7, "late_answer_grace_s": 0,
                       "wait_after_offer_s": 600, "wait_scope": "group", "holdout_percent": 20, "experiment": "q3" },
        "goal": { "event": "project created", "url_prefix": "/projects" },
        "triggers": [ { "id": "t", "body": "Hi", "when": { "idle": { "at_least_s": 5 } } } ]
    }])",
        diagnostics);
    QVERIFY2(diagnostics.empty(), qPrintable(toStrings(diagnostics).join(u'\n')));
    const Product* p = workspace.productByToken("phc_1");
    QVERIFY(p);
    QCOMPARE(p->name, std::string("Shop"));
    QCOMPARE(p->routes, std::vector<std::string> { "/a/:id" });
    QCOMPARE(p->corsOrigins, std::vector<std::string> { "https://app.example.com" });
    QCOMPARE(p->proactive.minInterval, Duration(12500ms));
    QCOMPARE(p->proactive.conservativeCooldowns, (std::vector<Duration> { 1s, 2s, 3s }));
    QCOMPARE(p->proactive.circuit.failures, 2);
    QCOMPARE(p->proactive.quotas.userPerDay, 3);
    QCOMPARE(p->proactive.maxActions, 7);
    QCOMPARE(p->proactive.lateAnswerGrace, Duration(0s));
    QCOMPARE(p->proactive.waitAfterOffer, Duration(600s));
    QCOMPARE(int(p->proactive.waitScope), int(ProactiveSettings::WaitScope::Group));
    QCOMPARE(p->proactive.holdoutPercent, 20.0);
    QCOMPARE(p->proactive.experiment, std::string("q3"));
    QVERIFY(p->goal);
    QCOMPARE(p->goal->describe(), std::string("event project created · url under /projects"));
    QCOMPARE(p->triggers->triggers().size(), std::size_t(1));
    QCOMPARE(p->triggersFile, std::string("products.json"));
    QCOMPARE(p->triggersPointer, std::string("/0/triggers"));
    QVERIFY(!workspace.productByToken(""));
}

void TestWorkspace::numericIdIsNormalised()
{
    Diagnostics diagnostics;
    const auto workspace = fromText(R"([{ "product_id": 42, "triggers": [] }])", diagnostics);
    QVERIFY(diagnostics.empty());
    QVERIFY(workspace.product("42"));
}

void TestWorkspace::problems_data()
{
    QTest::addColumn<QString>("products");
    QTest::addColumn<QStringList>("expected");

    QTest::newRow("not-an-array") << u"{}"_qs
                                  << QStringList {
                                         u"products.json:/: expected an array of products, found an object"_qs
                                     };
    QTest::newRow("row-not-object") << u"[1]"_qs
                                    << QStringList { u"products.json:/0: expected an object, found a number"_qs };
    QTest::newRow("missing-id")
        << u"[{\"triggers\": []}]"_qs
        << QStringList { u"products.json:/0/product_id: missing required field (a string or an integer)"_qs };
    QTest::newRow("fractional-id")
        << u"[{\"product_id\": 1.5, \"triggers\": []}]"_qs
        << QStringList { u"products.json:/0/product_id: expected a non-empty string or an integer, found a number"_qs };
    QTest::newRow("unknown-field") << u"[{\"product_id\": \"p\", \"triggers\": [], \"enabeld\": true}]"_qs
                                   << QStringList { u"products.json:/0/enabeld: unknown field"_qs };
    QTest::newRow("unknown-nested-field")
        << u"[{\"product_id\": \"p\", \"triggers\": [], \"proactive\": {\"quotas\": {\"per_day\": 1}}}]"_qs
        << QStringList { u"products.json:/0/proactive/quotas/per_day: unknown field"_qs };
    QTest::newRow("wrong-type")
        << u"[{\"product_id\": \"p\", \"triggers\": [], \"proactive\": {\"enabled\": \"yes\"}}]"_qs
        << QStringList { u"products.json:/0/proactive/enabled: expected true or false, found a string"_qs };
    QTest::newRow("out-of-range")
        << u"[{\"product_id\": \"p\", \"triggers\": [], \"proactive\": {\"max_actions\": 0}}]"_qs
        << QStringList { u"products.json:/0/proactive/max_actions: 0 is out of range [1, 10000]"_qs };
    QTest::newRow("export-literal-token")
        << u"[{\"product_id\": \"p\", \"triggers\": [], \"posthog_export\": {\"host\": \"https://eu.i.posthog.com\", \"api_key\": \"phc_1\"}}]"_qs
        << QStringList {
               u"products.json:/0/posthog_export/api_key: secrets must not be stored in workspace files; write \"env:NAME\" and set NAME in the environment"_qs
           };
    QTest::newRow("export-bad-host")
        << u"[{\"product_id\": \"p\", \"triggers\": [], \"posthog_export\": {\"host\": \"eu.i.posthog.com\", \"api_key\": \"env:X\"}}]"_qs
        << QStringList {
               u"products.json:/0/posthog_export/host: expected an http:// or https:// URL, e.g. \"https://eu.i.posthog.com\""_qs
           };
    QTest::newRow("holdout-over-50")
        << u"[{\"product_id\": \"p\", \"triggers\": [], \"proactive\": {\"holdout_percent\": 51}}]"_qs
        << QStringList { u"products.json:/0/proactive/holdout_percent: 51 is out of range [0, 50]"_qs };
    QTest::newRow("wait-negative")
        << u"[{\"product_id\": \"p\", \"triggers\": [], \"proactive\": {\"wait_after_offer_s\": -1}}]"_qs
        << QStringList { u"products.json:/0/proactive/wait_after_offer_s: -1 is out of range [0, 3.1536e+07]"_qs };
    QTest::newRow("wait-scope-unknown")
        << u"[{\"product_id\": \"p\", \"triggers\": [], \"proactive\": {\"wait_scope\": \"trigger\"}}]"_qs
        << QStringList {
               u"products.json:/0/proactive/wait_scope: unknown value \"trigger\" (expected \"product\" or \"group\")"_qs
           };
    QTest::newRow("experiment-empty")
        << u"[{\"product_id\": \"p\", \"triggers\": [], \"proactive\": {\"experiment\": \"\"}}]"_qs
        << QStringList { u"products.json:/0/proactive/experiment: expected 1–128 characters"_qs };
    QTest::newRow("goal-empty") << u"[{\"product_id\": \"p\", \"triggers\": [], \"goal\": {}}]"_qs
                                << QStringList { u"products.json:/0/goal: a goal needs at least one field (\"event\": "
                                                 "\"project created\"); an empty one matches every action"_qs };
    QTest::newRow("goal-not-object") << u"[{\"product_id\": \"p\", \"triggers\": [], \"goal\": \"signup\"}]"_qs
                                     << QStringList { u"products.json:/0/goal: expected an object, found a string"_qs };
    QTest::newRow("goal-unknown-field")
        << u"[{\"product_id\": \"p\", \"triggers\": [], \"goal\": {\"event\": \"x\", \"within_s\": 5}}]"_qs
        << QStringList { u"products.json:/0/goal/within_s: unknown field"_qs };
    QTest::newRow("goal-bad-selector")
        << u"[{\"product_id\": \"p\", \"triggers\": [], \"goal\": {\"selector\": \"button[\"}}]"_qs
        << QStringList {
               u"products.json:/0/goal/selector: invalid selector: expected an attribute name after '[' at column 8"_qs
           };
    QTest::newRow("bad-cooldown")
        << u"[{\"product_id\": \"p\", \"triggers\": [], \"proactive\": {\"conservative_cooldowns_s\": [600, -1]}}]"_qs
        << QStringList {
               u"products.json:/0/proactive/conservative_cooldowns_s/1: expected a number of seconds ≥ 0"_qs
           };
    QTest::newRow("literal-secret")
        << u"[{\"product_id\": \"p\", \"triggers\": [], \"webhook_secret\": \"hunter2\"}]"_qs
        << QStringList {
               u"products.json:/0/webhook_secret: secrets must not be stored in workspace files; write \"env:NAME\" and set NAME in the environment"_qs
           };
    QTest::newRow("bad-route")
        << u"[{\"product_id\": \"p\", \"triggers\": [], \"routes\": [\"projects\"]}]"_qs
        << QStringList {
               u"products.json:/0/routes/0: a route is a path starting with / (\"/projects/:slug\") or a full URL"_qs
           };
    QTest::newRow("duplicate-id")
        << u"[{\"product_id\": \"p\", \"triggers\": []}, {\"product_id\": \"p\", \"triggers\": []}]"_qs
        << QStringList { u"products.json:/1/product_id: duplicate product_id \"p\""_qs };
    QTest::newRow("numeric-and-string-id-collide")
        << u"[{\"product_id\": 7, \"triggers\": []}, {\"product_id\": \"7\", \"triggers\": []}]"_qs
        << QStringList { u"products.json:/1/product_id: duplicate product_id \"7\""_qs };
    QTest::newRow("duplicate-token")
        << u"[{\"product_id\": \"a\", \"posthog_token\": \"t\", \"triggers\": []}, {\"product_id\": \"b\", \"posthog_token\": \"t\", \"triggers\": []}]"_qs
        << QStringList { u"products.json:/1/posthog_token: posthog_token is already used by another product"_qs };
    QTest::newRow("bad-trigger-inline")
        << u"[{\"product_id\": \"p\", \"triggers\": [{\"id\": \"t\", \"body\": \"x\", \"when\": {\"idle\": {}}}]}]"_qs
        << QStringList { u"products.json:/0/triggers/0/when/idle/at_least_s: missing required field (a number)"_qs };
    QTest::newRow("missing-trigger-file")
        << u"[{\"product_id\": \"p\", \"triggers\": \"nope.json\"}]"_qs
        << QStringList { u"products.json:/0/triggers: trigger file nope.json does not exist"_qs };
    // A name the file system refuses used to throw out of Workspace::load (issue 13, found by fuzzing).
    const QString longName(300, u'x');
    QTest::newRow("trigger-file-name-too-long")
        << u"[{\"product_id\": \"p\", \"triggers\": \"%1.json\"}]"_qs.arg(longName)
        << QStringList { u"products.json:/0/triggers: cannot read trigger file %1.json: File name too long"_qs.arg(
               longName) };
}

void TestWorkspace::problems()
{
    QFETCH(QString, products);
    QFETCH(QStringList, expected);
    Diagnostics diagnostics;
    const auto workspace = Workspace::fromJson(
        json::parse(products.toStdString()), QDir::tempPath().toStdString(), "products.json", diagnostics);
    QCOMPARE(toStrings(diagnostics), expected);
}

void TestWorkspace::sessionSettings_data()
{
    QTest::addColumn<QString>("fields"); // added to the product row
    QTest::addColumn<qint64>("retentionS"); // sessionRetention(product)
    QTest::addColumn<int>("perRequest");
    QTest::addColumn<int>("perSecond");
    QTest::addColumn<QStringList>("problems"); // with problems, the product is left out

    QTest::newRow("defaults") << QString() << qint64(1800 + 120) << 100 << 1000 << QStringList();
    QTest::newRow("default-follows-lookback")
        << u"\"proactive\": {\"lookback_s\": 300}"_qs << qint64(1800 + 300) << 100 << 1000 << QStringList();
    QTest::newRow("all-set") << u"\"session_retention_s\": 3600, \"max_new_sessions_per_request\": 5, "
                                "\"max_new_sessions_per_second\": 50"_qs
                             << qint64(3600) << 5 << 50 << QStringList();
    QTest::newRow("bounds-off") << u"\"max_new_sessions_per_request\": 0, \"max_new_sessions_per_second\": 0"_qs
                                << qint64(1920) << 0 << 0 << QStringList();
    QTest::newRow("retention-equal-to-lookback")
        << u"\"session_retention_s\": 120"_qs << qint64(120) << 100 << 1000 << QStringList();
    QTest::newRow("retention-below-lookback")
        << u"\"session_retention_s\": 119.5"_qs << qint64(0) << 0 << 0
        << QStringList { u"products.json:/0/session_retention_s: must be at least proactive.lookback_s (120 s): a "
                         "session would be dropped while triggers still look at its actions"_qs };
    QTest::newRow("retention-below-its-own-lookback")
        << u"\"session_retention_s\": 200, \"proactive\": {\"lookback_s\": 300}"_qs << qint64(0) << 0 << 0
        << QStringList { u"products.json:/0/session_retention_s: must be at least proactive.lookback_s (300 s): a "
                         "session would be dropped while triggers still look at its actions"_qs };
    QTest::newRow("retention-zero") << u"\"session_retention_s\": 0"_qs << qint64(0) << 0 << 0
                                    << QStringList { u"products.json:/0/session_retention_s: 0 is out of range [1, "
                                                     "3.1536e+07]"_qs };
    QTest::newRow("retention-not-a-number")
        << u"\"session_retention_s\": \"30m\""_qs << qint64(0) << 0 << 0
        << QStringList { u"products.json:/0/session_retention_s: expected a number, found a string"_qs };
    QTest::newRow("fractional-bound")
        << u"\"max_new_sessions_per_request\": 2.5"_qs << qint64(0) << 0 << 0
        << QStringList { u"products.json:/0/max_new_sessions_per_request: expected a whole number (0: no bound)"_qs };
    QTest::newRow("negative-bound")
        << u"\"max_new_sessions_per_second\": -1"_qs << qint64(0) << 0 << 0
        << QStringList { u"products.json:/0/max_new_sessions_per_second: -1 is out of range [0, 1e+09]"_qs };
}

void TestWorkspace::sessionSettings()
{
    QFETCH(QString, fields);
    QFETCH(qint64, retentionS);
    QFETCH(int, perRequest);
    QFETCH(int, perSecond);
    QFETCH(QStringList, problems);
    const QString row
        = u"[{\"product_id\": \"p\", \"triggers\": []%1%2}]"_qs.arg(fields.isEmpty() ? QString() : u", "_qs, fields);
    Diagnostics diagnostics;
    const auto workspace = Workspace::fromJson(json::parse(row.toStdString()), ".", "products.json", diagnostics);
    QCOMPARE(toStrings(diagnostics), problems);
    const Product* p = workspace.product("p");
    QCOMPARE(p != nullptr, problems.isEmpty());
    if (!p)
        return;
    QCOMPARE(sessionRetention(*p), Duration(std::chrono::seconds(retentionS)));
    QCOMPARE(p->sessions.maxNewPerRequest, perRequest);
    QCOMPARE(p->sessions.maxNewPerSecond, perSecond);
}

void TestWorkspace::secretFromEnvironment()
{
    qputenv("PROACTIVE_TEST_SECRET", "s3cr3t");
    Diagnostics diagnostics;
    auto workspace = fromText(R"([{ "product_id": "p", "triggers": [], "webhook_secret": "env:PROACTIVE_TEST_SECRET" },
                                  { "product_id": "q", "triggers": [], "webhook_secret": "env:PROACTIVE_TEST_UNSET" }])",
        diagnostics);
    QVERIFY(diagnostics.empty());
    QCOMPARE(workspace.product("p")->webhookSecret, std::string("s3cr3t"));
    QVERIFY(workspace.product("q")->webhookSecret.empty());
    QCOMPARE(workspace.notes().size(), std::size_t(1));
    QVERIFY(workspace.notes()[0].find("PROACTIVE_TEST_UNSET is not set") != std::string::npos);
    // The secret's value never appears in what the workspace reports.
    for (const auto& note : workspace.notes())
        QVERIFY(note.find("s3cr3t") == std::string::npos);
}

void TestWorkspace::triggersFromFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::filesystem::path root = dir.path().toStdString();
    std::filesystem::create_directory(root / "triggers");
    const std::string longId(300, 'x'); // too long for a file name: reported, not thrown (issue 13)
    std::ofstream(root / "products.json")
        << R"([{ "product_id": "p" }, { "product_id": "q", "triggers": "custom/q.json" }, { "product_id": ")" + longId
            + R"(" }])";
    std::ofstream(root / "triggers" / "p.json")
        << R"([{ "id": "t", "body": "Hi", "when": { "idle": { "at_least_s": 5 } } }])";
    std::filesystem::create_directory(root / "custom");
    std::ofstream(root / "custom" / "q.json")
        << R"([{ "id": "t", "body": "Hi", "when": { "idle": { "at_least_s": "5" } } }])";
    Diagnostics diagnostics;
    const auto workspace = Workspace::load(root, diagnostics);
    QCOMPARE(toStrings(diagnostics),
        QStringList({ u"custom/q.json:/0/when/idle/at_least_s: expected a number, found a string"_qs,
            u"products.json:/2/product_id: cannot read trigger file triggers/%1.json: File name too long"_qs.arg(
                QString::fromStdString(longId)) }));
    QVERIFY(workspace.product("p"));
    QCOMPARE(workspace.product("p")->triggers->triggers().size(), std::size_t(1));
    QCOMPARE(workspace.product("p")->triggersFile, std::string("triggers/p.json"));
    QVERIFY(!workspace.product("q")); // left out, reported
}

void TestWorkspace::malformedProductsFileSaysWhere()
{
    QTemporaryDir dir;
    const std::filesystem::path root = dir.path().toStdString();
    std::ofstream(root / "products.json") << "[\n  { \"product_id\": \"p\" },\n  { \"product_id\": }\n]\n";
    Diagnostics diagnostics;
    const auto workspace = Workspace::load(root, diagnostics);
    QCOMPARE(diagnostics.size(), std::size_t(1));
    QCOMPARE(diagnostics[0].file, std::string("products.json"));
    QVERIFY2(diagnostics[0].message.starts_with("invalid JSON at line 3:"), diagnostics[0].message.c_str());
    QVERIFY(workspace.products().empty());
}

void TestWorkspace::missingProductsFile()
{
    QTemporaryDir dir;
    Diagnostics diagnostics;
    const auto workspace = Workspace::load(dir.path().toStdString(), diagnostics);
    QCOMPARE(diagnostics.size(), std::size_t(1));
    QVERIFY(diagnostics[0].message.starts_with("cannot open "));
}

void TestWorkspace::triggerFileThatIsADevice_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("dev-zero") << u"device"_qs;
    QTest::newRow("fifo") << u"fifo"_qs;
}

// /dev/zero or a FIFO named as a trigger file would be read for ever: refused
// at once, with the file's name (the link's, not /dev/zero), and the other
// products still load.
void TestWorkspace::triggerFileThatIsADevice()
{
    QFETCH(QString, kind);
    QTemporaryDir dir;
    const std::filesystem::path root = dir.path().toStdString();
    std::filesystem::create_directory(root / "triggers");
    const std::filesystem::path file = root / "triggers" / "p.json";
    if (kind == u"device")
        std::filesystem::create_symlink("/dev/zero", file);
    else
        QCOMPARE(::mkfifo(file.c_str(), 0600), 0);
    std::ofstream(root / "products.json") << R"([{ "product_id": "p" }, { "product_id": "q", "triggers": [] }])";
    Diagnostics diagnostics;
    const auto workspace = Workspace::load(root, diagnostics);
    QCOMPARE(diagnostics.size(), std::size_t(1));
    QCOMPARE(diagnostics[0].file, std::string("triggers/p.json"));
    QVERIFY2(diagnostics[0].message.find("is not a regular file") != std::string::npos, diagnostics[0].message.c_str());
    QVERIFY(workspace.product("q"));
}

QTEST_GUILESS_MAIN(TestWorkspace)
#include "tst_workspace.moc"
