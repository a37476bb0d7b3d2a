// Every endpoint of the service, success and error paths, over real HTTP on
// 127.0.0.1 against a fresh in-memory connector on a virtual clock.

#include "eventwait.h"
#include "servicetestsupport.h"

#include <QRegularExpression>
#include <QTest>

using namespace proactive;
using namespace proactive::test;
using namespace std::chrono_literals;

namespace {

std::string str(const nlohmann::json& value)
{
    return value.is_string() ? value.get<std::string>() : value.dump();
}

} // namespace

class TestEndpoints final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void healthz();
    void notFoundAndMethods_data();
    void notFoundAndMethods();
    void contextAnswersAndExplains();
    void offerDismissCooldownReset();
    void lateAnswers_data();
    void lateAnswers();
    void agentStateBadBodiesChangeNothing_data();
    void agentStateBadBodiesChangeNothing();
    void pathSegmentsAreDecoded();
    void webhookSecret_data();
    void webhookSecret();
    void webhookBodies_data();
    void webhookBodies();
    void posthogJsHelpers_data();
    void posthogJsHelpers();
    void posthogJsAssets_data();
    void posthogJsAssets();
    void metricsCountRequestsFiringsSkipsTransitions();
    void accessLogLinesCarryNoSecrets();
    void accessLogEscapesAndCutsTheMethod();
};

void TestEndpoints::healthz()
{
    Harness h;
    const auto response = h.client().get("/healthz");
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("content-type"), QByteArray("application/json"));
    QCOMPARE_JSON(response.json(),
        nlohmann::json({ { "status", "ok" }, { "store", { { "kind", "memory" }, { "ok", true } } } }));
}

void TestEndpoints::notFoundAndMethods_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QByteArray>("allow");

    QTest::newRow("unknown-path") << QByteArray("GET") << QByteArray("/nope") << 404 << u"not_found"_qs << QByteArray();
    QTest::newRow("root") << QByteArray("GET") << QByteArray("/") << 404 << u"not_found"_qs << QByteArray();
    QTest::newRow("context-missing-session")
        << QByteArray("GET") << QByteArray("/context/shop") << 404 << u"not_found"_qs << QByteArray();
    QTest::newRow("context-unknown-product")
        << QByteArray("GET") << QByteArray("/context/nope/s1") << 404 << u"unknown_product"_qs << QByteArray();
    QTest::newRow("agent-state-unknown-product")
        << QByteArray("POST") << QByteArray("/agent_state/nope/c1") << 404 << u"unknown_product"_qs << QByteArray();
    QTest::newRow("webhook-unknown-product")
        << QByteArray("POST") << QByteArray("/webhook/nope") << 404 << u"unknown_product"_qs << QByteArray();
    QTest::newRow("context-by-post") << QByteArray("POST") << QByteArray("/context/shop/s1") << 405
                                     << u"method_not_allowed"_qs << QByteArray("GET, OPTIONS");
    QTest::newRow("agent-state-by-get") << QByteArray("GET") << QByteArray("/agent_state/shop/c1") << 405
                                        << u"method_not_allowed"_qs << QByteArray("POST, OPTIONS");
    QTest::newRow("healthz-by-put") << QByteArray("PUT") << QByteArray("/healthz") << 405 << u"method_not_allowed"_qs
                                    << QByteArray("GET, OPTIONS");
    QTest::newRow("capture-by-delete") << QByteArray("DELETE") << QByteArray("/e/") << 405 << u"method_not_allowed"_qs
                                       << QByteArray("POST, OPTIONS");
    QTest::newRow("retrieval-by-get") << QByteArray("GET") << QByteArray("/retrieval") << 405
                                      << u"method_not_allowed"_qs << QByteArray("POST, OPTIONS");
}

void TestEndpoints::notFoundAndMethods()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(int, status);
    QFETCH(QString, error);
    QFETCH(QByteArray, allow);
    Harness h;
    const auto response = h.client().request(method, target, method == "POST" ? QByteArray("{}") : QByteArray());
    QCOMPARE(response.status, status);
    const auto json = response.json();
    QCOMPARE(QString::fromStdString(str(json["error"])), error);
    QVERIFY(json["message"].is_string());
    QCOMPARE(response.header("allow"), allow);
}

void TestEndpoints::contextAnswersAndExplains()
{
    Harness h;
    auto client = h.client();
    const auto plain = client.get("/context/shop/s1");
    QCOMPARE(plain.status, 200);
    QCOMPARE(plain.header("cache-control"), QByteArray("no-store"));
    QCOMPARE_JSON(plain.json(),
        nlohmann::json(
            { { "proactive_trigger", nullptr }, { "proactive_skip_reason", "no_trigger" }, { "state", "thinking" } }));

    for (const char* value : { "1", "true" }) {
        const auto explained = client.get(QByteArray("/context/shop/s1?explain=") + value);
        QCOMPARE(explained.status, 200);
        const auto json = explained.json();
        QCOMPARE(json["gates"].size(), std::size_t(6));
        QCOMPARE(json["gates"][0]["gate"].get<std::string>(), std::string("product"));
        QCOMPARE(json["at"].get<std::string>(), formatIsoTimestamp(kT0));
    }
    QVERIFY(!client.get("/context/shop/s1?explain=0").json().contains("gates"));

    const auto disabled = client.get("/context/42/s1");
    QCOMPARE(disabled.status, 200);
    QCOMPARE(disabled.json()["proactive_skip_reason"].get<std::string>(), std::string("product:disabled"));
}

void TestEndpoints::offerDismissCooldownReset()
{
    Harness h;
    auto client = h.client();
    const auto ingested = client.post("/batch/", pingPongBatch("s1", kT0));
    QCOMPARE(ingested.status, 200);
    QCOMPARE(ingested.json()["accepted"].get<int>(), 3);

    const auto offer = client.get("/context/shop/s1");
    QCOMPARE(offer.status, 200);
    const auto offerJson = offer.json();
    QCOMPARE(offerJson["proactive_trigger"]["trigger_id"].get<std::string>(), std::string("ping-pong"));
    QCOMPARE_JSON(offerJson["proactive_trigger"]["reply_option_labels"], nlohmann::json({ "Show me", "No thanks" }));
    QCOMPARE(offerJson["state"].get<std::string>(), std::string("proactive_assistance"));
    QCOMPARE(client.get("/context/shop/s1").json()["proactive_skip_reason"].get<std::string>(),
        std::string("fsm:wrong_state"));

    const auto dismissed = client.post("/agent_state/shop/proactive%3As1", R"({"event":"proactive_dismissed"})");
    QCOMPARE(dismissed.status, 200);
    QCOMPARE_JSON(dismissed.json(),
        nlohmann::json(
            { { "ok", true }, { "state", "conservative_assistance" }, { "previous_state", "proactive_assistance" } }));
    QCOMPARE(client.get("/context/shop/s1").json()["proactive_skip_reason"].get<std::string>(),
        std::string("fsm:conservative_cooldown"));
    // The explicit conversation id is the same conversation.
    QCOMPARE(client.get("/context/shop/s1?conversation_id=proactive%3As1").json()["state"].get<std::string>(),
        std::string("conservative_assistance"));

    const auto invalid = client.post("/agent_state/shop/proactive%3As1", R"({"event":"tour_completed"})");
    QCOMPARE(invalid.status, 200);
    QCOMPARE_JSON(invalid.json(),
        nlohmann::json({ { "reason", "invalid_transition" }, { "state", "conservative_assistance" },
            { "message", "tour_completed is not a transition from conservative_assistance" } }));

    const auto unknown = client.post("/agent_state/shop/proactive%3As1", R"({"event":"dance"})");
    QCOMPARE(unknown.status, 400);
    QCOMPARE(unknown.json()["error"].get<std::string>(), std::string("unknown_event"));

    const auto reset = client.post("/agent_state/shop/proactive%3As1", R"({"event":"reset"})");
    QCOMPARE(reset.status, 200);
    QCOMPARE_JSON(reset.json(),
        nlohmann::json({ { "ok", true }, { "state", "thinking" }, { "previous_state", "conservative_assistance" } }));
    // Reset forgets the cooldown; the session's minimum interval still holds.
    QCOMPARE(client.get("/context/shop/s1").json()["proactive_skip_reason"].get<std::string>(),
        std::string("resilience:min_interval"));
}

void TestEndpoints::lateAnswers_data()
{
    QTest::addColumn<QByteArray>("event");
    QTest::addColumn<int>("answerAt"); // s after the offer; the shop's trigger has interaction_timeout_s 10, grace 60
    QTest::addColumn<QString>("reply"); // the answer's JSON
    QTest::addColumn<QString>("skip"); // the next poll's skip reason

    // The issue's case: the tutorial's client polls every 20 s, the user says
    // "No thanks" 12 s after the toast appeared.
    QTest::newRow("dismiss-12s") << QByteArray("proactive_dismissed") << 12
                                 << uR"({"ok":true,"previous_state":"thinking","state":"conservative_assistance"})"_qs
                                 << u"fsm:conservative_cooldown"_qs;
    QTest::newRow("accept-chat-40s") << QByteArray("proactive_accepted_chat") << 40
                                     << uR"({"ok":true,"previous_state":"thinking","state":"reactive_assistance"})"_qs
                                     << u"fsm:wrong_state"_qs;
    QTest::newRow("accept-tour-69s") << QByteArray("proactive_accepted_tour") << 69
                                     << uR"({"ok":true,"previous_state":"thinking","state":"guidance_execution"})"_qs
                                     << u"fsm:wrong_state"_qs;
    QTest::newRow("dismiss-after-grace")
        << QByteArray("proactive_dismissed") << 70
        << QString::fromStdString(nlohmann::json({ { "reason", "invalid_transition" }, { "state", "thinking" },
            { "message",
                "proactive_dismissed is not a transition from thinking: the offer of trigger \"ping-pong\" expired "
                "60 s ago, beyond late_answer_grace_s (60 s)" } })
                                       .dump())
        << u"resilience:min_interval"_qs;
}

// SPEC §8 "§2 Late answers" over HTTP: a poll in between sees the offer
// expire; the answer that follows within the grace is still its answer.
void TestEndpoints::lateAnswers()
{
    QFETCH(QByteArray, event);
    QFETCH(int, answerAt);
    QFETCH(QString, reply);
    QFETCH(QString, skip);
    Harness h;
    auto client = h.client();
    QCOMPARE(client.post("/batch/", pingPongBatch("s1", kT0)).status, 200);
    const auto offer = client.get("/context/shop/s1");
    QCOMPARE(offer.json()["proactive_trigger"]["interaction_timeout_s"].get<double>(), 10.0);

    h.clock.set(kT0 + 10s);
    QCOMPARE(client.get("/context/shop/s1").json()["state"].get<std::string>(), std::string("thinking"));
    h.clock.set(kT0 + std::chrono::seconds(answerAt));
    const auto answer = client.post("/agent_state/shop/proactive%3As1", R"({"event":")" + event + R"("})");
    QCOMPARE(answer.status, 200);
    QCOMPARE(QString::fromStdString(answer.json().dump()), reply);

    const auto log = h.service.connector().transitions({ "shop", "proactive:s1" });
    QCOMPARE(log.back().event, std::string(answer.json().contains("ok") ? event.constData() : "interaction_timeout"));
    QCOMPARE(log.back().cause, std::string(answer.json().contains("ok") ? "late_answer" : "gate"));
    h.clock.set(h.clock.now() + 1s);
    QCOMPARE(QString::fromStdString(client.get("/context/shop/s1").json()["proactive_skip_reason"].get<std::string>()),
        skip);
}

void TestEndpoints::agentStateBadBodiesChangeNothing_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");

    QTest::newRow("malformed-json") << QByteArray(R"({"event":)") << 400 << u"bad_json"_qs;
    QTest::newRow("not-an-object") << QByteArray(R"(["user_sent"])") << 400 << u"bad_json"_qs;
    QTest::newRow("empty-body") << QByteArray() << 400 << u"bad_json"_qs;
    // nlohmann's reader stops at a NUL: what follows must not be ignored.
    QTest::newRow("nul-then-junk") << QByteArray(R"({"event":"user_sent"})"
                                                 "\0junk",
        26) << 400 << u"bad_json"_qs;
    QTest::newRow("no-event") << QByteArray(R"({"evnt":"user_sent"})") << 400 << u"bad_request"_qs;
    QTest::newRow("event-not-a-string") << QByteArray(R"({"event":1})") << 400 << u"bad_request"_qs;
    QTest::newRow("unknown-event") << QByteArray(R"({"event":"user_sends"})") << 400 << u"unknown_event"_qs;
    const QByteArray valid = R"({"event":"user_sent"})";
    QTest::newRow("over-64-kib") << valid + QByteArray(64 * 1024 + 1 - valid.size(), ' ') << 413
                                 << u"payload_too_large"_qs;
    QTest::newRow("exactly-64-kib") << valid + QByteArray(64 * 1024 - valid.size(), ' ') << 200 << QString();
}

void TestEndpoints::agentStateBadBodiesChangeNothing()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, error);
    Harness h;
    const auto response = h.client().post("/agent_state/shop/c1", body);
    QCOMPARE(response.status, status);
    const auto conversation = h.service.connector().conversation({ "shop", "c1" });
    if (error.isEmpty()) {
        QCOMPARE(response.json()["state"].get<std::string>(), std::string("reactive_assistance"));
        QVERIFY(conversation && conversation->state == FsmState::ReactiveAssistance);
    } else {
        QCOMPARE(QString::fromStdString(response.json()["error"].get<std::string>()), error);
        QVERIFY(!conversation);
        QVERIFY(h.service.connector().transitions({ "shop", "c1" }).empty());
    }
}

void TestEndpoints::pathSegmentsAreDecoded()
{
    Harness h;
    auto client = h.client();
    QCOMPARE(client.post("/agent_state/shop/proactive%3Aabc", R"({"event":"user_sent"})").status, 200);
    QVERIFY(h.service.connector().conversation({ "shop", "proactive:abc" }));
    // The poll's default conversation is proactive:{session}: the same one.
    QCOMPARE(client.get("/context/shop/abc").json()["state"].get<std::string>(), std::string("reactive_assistance"));

    QCOMPARE(client.post("/agent_state/shop/a%2Fb%20c", R"({"event":"user_sent"})").status, 200);
    QVERIFY(h.service.connector().conversation({ "shop", "a/b c" }));
    QCOMPARE(client.get("/context/shop/x?conversation_id=a%2Fb%20c").json()["state"].get<std::string>(),
        std::string("reactive_assistance"));
    // Numeric product ids are strings in URLs.
    QCOMPARE(client.get("/context/42/s1").status, 200);
}

void TestEndpoints::webhookSecret_data()
{
    QTest::addColumn<QByteArray>("product");
    QTest::addColumn<HeaderList>("headers");
    QTest::addColumn<int>("status");

    const QByteArray secret = kWebhookSecret;
    QTest::newRow("right-secret") << QByteArray("shop") << HeaderList { { "X-PostHog-Secret", secret } } << 200;
    QTest::newRow("header-name-any-case") << QByteArray("shop") << HeaderList { { "x-posthog-secret", secret } } << 200;
    QTest::newRow("missing") << QByteArray("shop") << HeaderList {} << 401;
    QTest::newRow("empty") << QByteArray("shop") << HeaderList { { "x-posthog-secret", "" } } << 401;
    QTest::newRow("wrong") << QByteArray("shop") << HeaderList { { "x-posthog-secret", "nope" } } << 401;
    QTest::newRow("prefix") << QByteArray("shop") << HeaderList { { "x-posthog-secret", secret.chopped(1) } } << 401;
    QTest::newRow("longer") << QByteArray("shop") << HeaderList { { "x-posthog-secret", secret + "x" } } << 401;
    QTest::newRow("other-case") << QByteArray("shop") << HeaderList { { "x-posthog-secret", secret.toUpper() } } << 401;
    // "local" has no webhook_secret: its webhook refuses everything.
    QTest::newRow("product-without-secret")
        << QByteArray("local") << HeaderList { { "x-posthog-secret", secret } } << 401;
    QTest::newRow("product-without-secret-empty-header")
        << QByteArray("local") << HeaderList { { "x-posthog-secret", "" } } << 401;
}

void TestEndpoints::webhookSecret()
{
    QFETCH(QByteArray, product);
    QFETCH(HeaderList, headers);
    QFETCH(int, status);
    Harness h;
    const auto response = h.client().post("/webhook/" + product, readTestFile(u"intake/webhook-flat.json"_qs), headers);
    QCOMPARE(response.status, status);
    const auto session = h.service.connector().recentActivity("0191a7e2-6c1d-7b3e-9f4a-2d5c8e1b0a93", 10);
    if (status == 200) {
        QCOMPARE(response.json()["accepted"].get<int>(), 1);
        QVERIFY(session && session->actions.size() == 1);
    } else {
        QCOMPARE(response.json()["error"].get<std::string>(), std::string("unauthorized"));
        QVERIFY(!session);
    }
}

void TestEndpoints::webhookBodies_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("accepted");
    QTest::addColumn<QString>("error");

    QTest::newRow("tutorial-flat") << readTestFile(u"intake/webhook-flat.json"_qs) << 200 << 1 << QString();
    QTest::newRow("posthog-default") << readTestFile(u"intake/webhook-default.json"_qs) << 200 << 1 << QString();
    QTest::newRow("malformed-json") << QByteArray("{\"event\":") << 400 << 0 << u"bad_events"_qs;
    QTest::newRow("no-session-id") << QByteArray(R"({"event":"$pageview","timestamp":"2024-09-03T10:15:00Z",)"
                                                 R"("distinct_id":"u1","current_url":"https://a.example/x"})")
                                   << 400 << 0 << u"bad_events"_qs;
}

void TestEndpoints::webhookBodies()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(int, accepted);
    QFETCH(QString, error);
    Harness h;
    const auto response = h.client().post("/webhook/shop", body, { { "x-posthog-secret", kWebhookSecret } });
    QCOMPARE(response.status, status);
    const auto json = response.json();
    if (error.isEmpty()) {
        QCOMPARE(json["accepted"].get<int>(), accepted);
        QCOMPARE(json["rejected"].size(), std::size_t(1 - accepted));
    } else {
        QCOMPARE(QString::fromStdString(json["error"].get<std::string>()), error);
        QVERIFY(json["message"].is_string());
    }
}

void TestEndpoints::posthogJsHelpers_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("decide-v3") << QByteArray("POST") << QByteArray("/decide/?v=3&ip=1&_=1725358500000&ver=1.161.3")
                               << QByteArray("data=eyJ0b2tlbiI6InBoY194In0%3D");
    QTest::newRow("decide-get") << QByteArray("GET") << QByteArray("/decide/?v=3") << QByteArray();
    QTest::newRow("flags-v2") << QByteArray("POST") << QByteArray("/flags/?v=2&config=true")
                              << QByteArray(R"({"token":"phc_x","distinct_id":"u1"})");
    QTest::newRow("recording") << QByteArray("POST") << QByteArray("/s/?compression=gzip-js")
                               << QByteArray("\x1f\x8b not really gzip");
}

void TestEndpoints::posthogJsHelpers()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, body);
    Harness h;
    const auto response = h.client().request(method, target, body);
    QCOMPARE(response.status, 200);
    const auto json = response.json();
    QVERIFY(json.is_object());
    if (target.startsWith("/s/")) {
        QCOMPARE_JSON(json, nlohmann::json({ { "status", 1 } }));
        return;
    }
    QCOMPARE_JSON(json["featureFlags"], nlohmann::json::object());
    QCOMPARE_JSON(json["flags"], nlohmann::json::object());
    QCOMPARE_JSON(json["sessionRecording"], nlohmann::json(false));
    QCOMPARE_JSON(json["supportedCompression"], nlohmann::json({ "gzip", "gzip-js" }));
    QCOMPARE_JSON(json["errorsWhileComputingFlags"], nlohmann::json(false));
}

// What posthog-js 1.449.2 asks for besides capture and /flags/ on a page
// load (docs/service.md): answered as PostHog with everything off, with
// CORS for the page's origin (scripts load with crossorigin="anonymous").
void TestEndpoints::posthogJsAssets_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QString>("shape"); // config-json, config-script, empty, error

    const QByteArray script = "application/javascript; charset=utf-8";
    const QByteArray json = "application/json";
    QTest::newRow("config-js") << QByteArray("/array/phc_x/config.js") << 200 << script << u"config-script"_qs;
    QTest::newRow("config") << QByteArray("/array/phc_x/config") << 200 << json << u"config-json"_qs;
    // strict_script_versioning "fallback" (the default) asks for the
    // versioned path first, the unversioned one only if that fails.
    QTest::newRow("surveys-versioned") << QByteArray("/static/1.449.2/surveys.js") << 200 << script << u"empty"_qs;
    QTest::newRow("surveys") << QByteArray("/static/surveys.js?v=1.449.2") << 200 << script << u"empty"_qs;
    QTest::newRow("recorder") << QByteArray("/static/1.449.2/lazy-recorder.js") << 200 << script << u"empty"_qs;
    QTest::newRow("not-a-script") << QByteArray("/static/1.449.2/surveys.css") << 404 << json << u"error"_qs;
    // posthog-js itself is not served: an empty one would fail silently.
    QTest::newRow("posthog-js-itself") << QByteArray("/static/array.js") << 404 << json << u"error"_qs;
    QTest::newRow("posthog-js-full") << QByteArray("/static/1.449.2/array.full.js") << 404 << json << u"error"_qs;
}

void TestEndpoints::posthogJsAssets()
{
    QFETCH(QByteArray, target);
    QFETCH(int, status);
    QFETCH(QByteArray, contentType);
    QFETCH(QString, shape);
    Harness h;
    const QByteArray origin = "https://app.example.com"; // a cors_origins entry of the test workspace
    const auto response = h.client().request("GET", target, {}, { { "Origin", origin } });
    QCOMPARE(response.status, status);
    QCOMPARE(response.header("content-type"), contentType);
    QCOMPARE(response.header("access-control-allow-origin"), origin);
    QVERIFY(response.header("vary").contains("Origin"));

    const auto checkConfig = [](const nlohmann::json& config) {
        QCOMPARE(config["token"].get<std::string>(), std::string("phc_x"));
        for (const char* off : { "hasFeatureFlags", "sessionRecording", "surveys", "heatmaps", "autocaptureExceptions",
                 "captureDeadClicks", "capturePerformance", "productTours", "autocapture_opt_out" })
            QVERIFY2(config[off] == false, off);
        QCOMPARE_JSON(config["siteApps"], nlohmann::json::array());
        QCOMPARE_JSON(config["supportedCompression"], nlohmann::json({ "gzip", "gzip-js" }));
    };
    if (shape == u"config-json") {
        checkConfig(response.json());
    } else if (shape == u"config-script") {
        // posthog-js reads window._POSTHOG_REMOTE_CONFIG[token].config after
        // loading the script; the object is the JSON endpoint's answer.
        const QByteArray prefix = "(function () {\n"
                                  "  window._POSTHOG_REMOTE_CONFIG = window._POSTHOG_REMOTE_CONFIG || {};\n"
                                  "  window._POSTHOG_REMOTE_CONFIG[\"phc_x\"] = ";
        const QByteArray suffix = ";\n})();\n";
        QVERIFY2(response.body.startsWith(prefix) && response.body.endsWith(suffix), response.body.constData());
        const auto assigned = nlohmann::json::parse(
            response.body.mid(prefix.size(), response.body.size() - prefix.size() - suffix.size()).toStdString(),
            nullptr, false);
        QCOMPARE_JSON(assigned["siteApps"], nlohmann::json::array());
        checkConfig(assigned["config"]);
        QCOMPARE_JSON(assigned["config"], h.client().get("/array/phc_x/config").json());
    } else if (shape == u"empty") {
        QVERIFY(response.body.isEmpty());
    } else {
        QCOMPARE(response.json()["error"].get<std::string>(), std::string("not_found"));
    }
}

void TestEndpoints::metricsCountRequestsFiringsSkipsTransitions()
{
    Harness h;
    auto client = h.client();
    QCOMPARE(client.post("/batch/", pingPongBatch("s1", kT0)).status, 200);
    QCOMPARE(client.get("/context/shop/s1").status, 200); // fires
    QCOMPARE(client.get("/context/shop/s1").status, 200); // fsm:wrong_state
    QCOMPARE(client.post("/agent_state/shop/proactive:s1", R"({"event":"proactive_dismissed"})").status, 200);
    h.clock.advance(600s);
    // The cooldown has elapsed: the event first returns to thinking, then applies.
    QCOMPARE(client.post("/agent_state/shop/proactive:s1", R"({"event":"user_sent"})").status, 200);
    QCOMPARE(client.get("/context/nope/s1").status, 404);

    const auto response = client.get("/metrics");
    QCOMPARE(response.status, 200);
    QCOMPARE(response.header("content-type"), QByteArray("text/plain; version=0.0.4; charset=utf-8"));
    const QString text = QString::fromUtf8(response.body);
    const QStringList expected {
        uR"(proactive_http_requests_total{route="/batch/",status="200"} 1)"_qs,
        uR"(proactive_http_requests_total{route="/context/{product_id}/{session_id}",status="200"} 2)"_qs,
        uR"(proactive_http_requests_total{route="/context/{product_id}/{session_id}",status="404"} 1)"_qs,
        uR"(proactive_http_requests_total{route="/agent_state/{product_id}/{conversation_id}",status="200"} 2)"_qs,
        uR"(proactive_triggers_fired_total{product="shop",trigger="ping-pong"} 1)"_qs,
        uR"(proactive_poll_skips_total{reason="fsm:wrong_state"} 1)"_qs,
        uR"(proactive_fsm_transitions_total{event="trigger_fired"} 1)"_qs,
        uR"(proactive_fsm_transitions_total{event="proactive_dismissed"} 1)"_qs,
        uR"(proactive_fsm_transitions_total{event="cooldown_elapsed"} 1)"_qs,
        uR"(proactive_fsm_transitions_total{event="user_sent"} 1)"_qs,
        uR"(proactive_events_total{product="shop",outcome="accepted"} 3)"_qs,
    };
    const QStringList lines = text.split(u'\n', Qt::SkipEmptyParts);
    for (const QString& line : expected)
        QVERIFY2(lines.contains(line), qPrintable(line + u"\n---\n"_qs + text));
    // The exposition format: comments, or "name{labels} value".
    const QRegularExpression sample(uR"(^[a-z_]+\{([a-z_]+="[^"]*",?)+\} \d+$)"_qs);
    for (const QString& line : lines)
        QVERIFY2(line.startsWith(u"# HELP "_qs) || line.startsWith(u"# TYPE "_qs) || sample.match(line).hasMatch(),
            qPrintable(line));
    // The /metrics request itself is counted once answered.
    QCOMPARE(h.service.requests("/metrics", 200), std::uint64_t(1));
}

void TestEndpoints::accessLogLinesCarryNoSecrets()
{
    Harness h;
    auto client = h.client();
    const QByteArray session = "session-7c1f0a";
    QCOMPARE(client
                 .post("/webhook/shop", readTestFile(u"intake/webhook-flat.json"_qs),
                     { { "x-posthog-secret", kWebhookSecret } })
                 .status,
        200);
    QCOMPARE(
        client.post("/webhook/shop", "{}", { { "x-posthog-secret", QByteArray(kWebhookSecret) + "-wrong" } }).status,
        401);
    QCOMPARE(client.post("/batch/", pingPongBatch(session.toStdString(), kT0)).status, 200);
    QCOMPARE(client.get("/context/shop/" + session + "?conversation_id=private-conversation&explain=1").status, 200);
    QCOMPARE(client
                 .post("/retrieval",
                     R"({"knowledge_id":"x","query":"q","retrieval_setting":{"top_k":1,"score_threshold":0}})",
                     { { "Authorization", QByteArray("Bearer ") + kRetrievalKey } })
                 .status,
        404);
    QCOMPARE(
        client.post("/retrieval", "{}", { { "Authorization", QByteArray("Bearer ") + kRetrievalKey + "x" } }).status,
        403);

    const QStringList log = h.service.accessLog();
    QCOMPARE(log.size(), 6);
    const QStringList expected {
        u"POST /webhook/{product_id} 200"_qs,
        u"POST /webhook/{product_id} 401"_qs,
        u"POST /batch/ 200"_qs,
        u"GET /context/{product_id}/{session_id} 200"_qs,
        u"POST /retrieval 404"_qs,
        u"POST /retrieval 403"_qs,
    };
    const QRegularExpression format(uR"(^(.+) (\d+)us$)"_qs);
    for (qsizetype i = 0; i < log.size(); ++i) {
        const auto match = format.match(log[i]);
        QVERIFY2(match.hasMatch(), qPrintable(log[i]));
        QCOMPARE(match.captured(1), expected[i]);
    }
    const QString all = log.join(u'\n') + QString::fromStdString(h.service.metricsText());
    for (const QByteArray& secret : { QByteArray(kWebhookSecret), QByteArray(kRetrievalKey), QByteArray(kShopToken),
             session, QByteArray("private-conversation"), QByteArray("0191a7e2") })
        QVERIFY2(!all.contains(QString::fromUtf8(secret)), secret.constData());
}

void TestEndpoints::accessLogEscapesAndCutsTheMethod()
{
    Harness h;
    // A 60 KB method the parser does not know, and terminal escapes, which
    // the request guard refuses (400) before the parser sees them.
    HttpClient longMethod = h.client();
    QVERIFY(longMethod.send(QByteArray(60 * 1024, 'M') + " /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    QVERIFY(longMethod.readResponse().status >= 400);
    HttpClient escapes = h.client();
    QVERIFY(escapes.send("GE\x1b]0;pwned\x07T /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    QCOMPARE(escapes.readResponse().status, 400);
    TRY_COMPARE(h.service.accessLog().size(), qsizetype(2));
    for (const QString& line : h.service.accessLog()) {
        QVERIFY2(line.size() < 120, qPrintable(line));
        for (const QChar c : line)
            QVERIFY2(c.unicode() >= 0x20 && c.unicode() < 0x7F, qPrintable(line));
    }
}

QTEST_GUILESS_MAIN(TestEndpoints)
#include "tst_endpoints.moc"
