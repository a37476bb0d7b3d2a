// Frequency rules and holdouts (issue 18) through real HTTP: the real
// `serve` executable, events in through posthog-js's /batch/, polls with
// ?explain=1; then a second `serve` process on the same SQLite file, where
// the same distinct ids land in the same arms and the users' offer history
// still holds.

#include "servicetestsupport.h"
#include "studioprocess.h"

#include <QDateTime>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>

using namespace proactive;
using namespace proactive::test;
using nlohmann::json;
using proactive::testing::StudioProcess;

namespace {

const QString kStudio = QStringLiteral(PROACTIVE_STUDIO_EXECUTABLE);
constexpr const char* kToken = "phc_experiments_token";

// ping-pong: its own holdout of 50 % in experiment "exp-a" (u5 is in bucket
// 417: held out; u2 in 8628: offered). billing: once per user.
const char* kProducts = R"([{
    "product_id": "p", "posthog_token": "phc_experiments_token", "routes": ["/projects/:slug"],
    "proactive": { "enabled": true, "min_interval_s": 0 },
    "triggers": [ { "id": "ping-pong", "body": "Looking for something?", "cooldown_s": 0,
                    "holdout_percent": 50, "experiment": "exp-a",
                    "when": { "type": "canonical_url_ping_pong", "min_cycles": 1 } },
                  { "id": "billing", "body": "Comparing plans?", "cooldown_s": 0, "frequency": "once",
                    "when": { "event": { "url_prefix": "/settings/billing" } } } ] }])";

StudioProcess startServe(const QString& workspace, const QString& db)
{
    return StudioProcess(kStudio,
        { u"serve"_qs, u"--workspace"_qs, workspace, u"--listen"_qs, u"127.0.0.1:0"_qs, u"--db"_qs, db, u"--quiet"_qs },
        serveEnvironment());
}

// posthog-js's batch of pageviews of these paths, the last one just now.
json pageviews(const std::string& session, const std::string& user, const std::vector<const char*>& paths)
{
    json batch = json::array();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    int i = 0;
    for (const char* path : paths) {
        batch.push_back({ { "event", "$pageview" }, { "uuid", session + "-" + std::to_string(i) },
            { "timestamp", now.addSecs(i - int(paths.size())).toString(Qt::ISODateWithMs).toStdString() },
            { "properties",
                { { "$session_id", session }, { "distinct_id", user },
                    { "$current_url", std::string("https://app.example.com") + path } } } });
        ++i;
    }
    return { { "api_key", kToken }, { "batch", batch } };
}

json pingPong(const std::string& session, const std::string& user)
{
    return pageviews(session, user, { "/projects", "/projects/acme", "/projects" });
}

json billing(const std::string& session, const std::string& user)
{
    return pageviews(session, user, { "/settings/billing" });
}

json poll(HttpClient& http, const std::string& session)
{
    const auto response = http.get(QByteArray::fromStdString("/context/p/" + session + "?explain=1"));
    if (response.status != 200)
        qWarning("poll answered %d: %s", response.status, response.body.constData());
    return response.json();
}

const json* gate(const json& answer, const std::string& name)
{
    for (const json& g : answer.at("gates"))
        if (g.at("gate") == name)
            return &g;
    return nullptr;
}

} // namespace

class TestExperiments final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void armsAndHistorySurviveARestart();
};

void TestExperiments::armsAndHistorySurviveARestart()
{
    QTemporaryDir dir;
    QFile products(dir.filePath(u"products.json"_qs));
    QVERIFY(products.open(QIODevice::WriteOnly));
    products.write(kProducts);
    products.close();
    const QString db = dir.filePath(u"connector.db"_qs);

    {
        StudioProcess serve = startServe(dir.path(), db);
        QVERIFY(serve.port() != 0);
        HttpClient http(serve.port());
        QCOMPARE(http.postJson("/batch/", pingPong("s1", "u5")).status, 200);
        QCOMPARE(http.postJson("/batch/", pingPong("s2", "u2")).status, 200);

        const json heldOut = poll(http, "s1");
        QCOMPARE_JSON(heldOut.at("proactive_trigger"), nullptr);
        QCOMPARE_JSON(heldOut.at("proactive_skip_reason"), "experiment:holdout");
        QCOMPARE_JSON(heldOut.at("would_have_offered"), "ping-pong");
        QCOMPARE_JSON(heldOut.at("experiment").at("arm"), "holdout");
        QCOMPARE_JSON(heldOut.at("experiment").at("bucket"), 417);
        QCOMPARE_JSON(heldOut.at("experiment").at("experiment"), "exp-a");
        const json* experiment = gate(heldOut, "experiment");
        QVERIFY(experiment);
        QCOMPARE_JSON(experiment->at("verdict"), "block");
        QCOMPARE_JSON(experiment->at("numbers").at("percent"), 50.0);
        // Every gate ran: the quotas passed, and bookkeeping says what would have been offered.
        QCOMPARE_JSON(gate(heldOut, "quotas")->at("verdict"), "pass");
        QCOMPARE_JSON(gate(heldOut, "bookkeeping")->at("numbers").at("would_have_offered"), "ping-pong");
        QCOMPARE_JSON(gate(heldOut, "frequency")->at("numbers").at("checks").at(0).at("rule"), "always");

        const json offered = poll(http, "s2");
        QCOMPARE_JSON(offered.at("proactive_trigger").at("trigger_id"), "ping-pong");
        QCOMPARE_JSON(offered.at("experiment").at("arm"), "offered");
        QCOMPARE_JSON(offered.at("experiment").at("bucket"), 8628);

        QCOMPARE(http.postJson("/batch/", billing("s6", "u2")).status, 200);
        QCOMPARE_JSON(poll(http, "s6").at("proactive_trigger").at("trigger_id"), "billing");

        serve.signal(SIGTERM);
        QCOMPARE(serve.waitForExit(), 0);
    }
    {
        // Another process on the same file: new sessions of the same users
        // land in the same arms, and the once-rule remembers u2's offer.
        StudioProcess serve = startServe(dir.path(), db);
        QVERIFY(serve.port() != 0);
        HttpClient http(serve.port());
        QCOMPARE(http.postJson("/batch/", pingPong("s3", "u5")).status, 200);
        QCOMPARE(http.postJson("/batch/", pingPong("s4", "u2")).status, 200);
        QCOMPARE(http.postJson("/batch/", billing("s7", "u2")).status, 200);

        const json stillHeldOut = poll(http, "s3");
        QCOMPARE_JSON(stillHeldOut.at("proactive_skip_reason"), "experiment:holdout");
        QCOMPARE_JSON(stillHeldOut.at("experiment").at("bucket"), 417);
        const json stillOffered = poll(http, "s4");
        QCOMPARE_JSON(stillOffered.at("proactive_trigger").at("trigger_id"), "ping-pong");
        QCOMPARE_JSON(stillOffered.at("experiment").at("bucket"), 8628);

        const json again = poll(http, "s7");
        QCOMPARE_JSON(again.at("proactive_skip_reason"), "frequency:once");
        const json* frequency = gate(again, "frequency");
        QVERIFY(frequency);
        QCOMPARE_JSON(frequency->at("numbers").at("checks").at(0).at("offers_ever"), 1);
        QCOMPARE_JSON(frequency->at("numbers").at("checks").at(0).at("rule"), "once");
        QCOMPARE_JSON(gate(again, "experiment")->at("verdict"), "not_reached");

        serve.signal(SIGTERM);
        QCOMPARE(serve.waitForExit(), 0);
    }
}

QTEST_GUILESS_MAIN(TestExperiments)
#include "tst_experiments.moc"
