// posthog-js capture endpoints over real HTTP: every transport posthog-js
// uses (plain JSON, data= base64 forms, gzip announced or recognised by its
// magic bytes), every body shape (event, array with offset, batch), token
// routing, de-duplication by uuid, and the error answers.

#include "servicetestsupport.h"

#include <QTest>

using namespace proactive;
using namespace proactive::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kFixtureSession = "0191a7e2-6c1d-7b3e-9f4a-2d5c8e1b0a93";

} // namespace

class TestCapture final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void transports_data();
    void transports();
    void duplicatesByUuidAcrossTransports();
    void legacyOffsetsResolveAgainstTheClock();
    void sentAtMovesTimesOntoTheServerClock();
    void tokenRoutesToItsProduct();
    void sessionRateLimitAsksToRetry();
    void refused_data();
    void refused();
};

void TestCapture::transports_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("accepted");

    const QByteArray batch = readTestFile(u"intake/posthog-js-batch.json"_qs);
    const QByteArray gzipped = readTestFile(u"intake/posthog-js-batch.json.gz"_qs);
    const QByteArray form = readTestFile(u"service/posthog-js-batch.form"_qs);
    QTest::newRow("batch-plain-json") << QByteArray("/batch/") << QByteArray("application/json") << batch << 8;
    QTest::newRow("batch-gzip-js-in-query") << QByteArray("/batch/?compression=gzip-js&_=1725358545300&ver=1.161.3")
                                            << QByteArray("text/plain") << gzipped << 8;
    QTest::newRow("i-v0-e-gzip-magic-bytes-only")
        << QByteArray("/i/v0/e/?ip=0&_=1725358545300&ver=1.200.0") << QByteArray("text/plain") << gzipped << 8;
    QTest::newRow("e-form-base64") << QByteArray("/e/?ip=1&_=1725358545300")
                                   << QByteArray("application/x-www-form-urlencoded") << form << 8;
    QTest::newRow("e-form-base64-said") << QByteArray("/e/?compression=base64")
                                        << QByteArray("application/x-www-form-urlencoded") << form << 8;
    QTest::newRow("beacon-form-as-text") << QByteArray("/e/") << QByteArray("text/plain;charset=UTF-8") << form << 8;
    QTest::newRow("capture-one-event") << QByteArray("/capture/") << QByteArray("application/json")
                                       << readTestFile(u"service/posthog-js-event.json"_qs) << 1;
    QTest::newRow("e-legacy-array-with-offset") << QByteArray("/e/") << QByteArray("application/json")
                                                << readTestFile(u"intake/posthog-js-legacy-array.json"_qs) << 2;
    QTest::newRow("empty-array") << QByteArray("/e/") << QByteArray("application/json") << QByteArray("[]") << 0;
}

void TestCapture::transports()
{
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(int, accepted);
    Harness h;
    const auto response = h.client().post(target, body, { { "Content-Type", contentType } });
    QCOMPARE(response.status, 200);
    const auto json = response.json();
    QCOMPARE(json["status"].get<int>(), 1);
    QCOMPARE(json["accepted"].get<int>(), accepted);
    QCOMPARE(json["duplicates"].get<int>(), 0);
    QCOMPARE(json["rejected"].size(), std::size_t(0));
    const auto activity = h.service.connector().recentActivity(kFixtureSession, 100);
    QCOMPARE(activity ? int(activity->actions.size()) : 0, accepted);
    if (accepted > 0)
        QCOMPARE(activity->productId, std::string("shop"));
}

void TestCapture::duplicatesByUuidAcrossTransports()
{
    Harness h;
    auto client = h.client();
    const auto first = client.post("/batch/", readTestFile(u"intake/posthog-js-batch.json"_qs));
    QCOMPARE(first.json()["accepted"].get<int>(), 8);
    // The same events again, as posthog-js would retry them: gzip, then a form.
    const auto retried
        = client.post("/batch/?compression=gzip-js", readTestFile(u"intake/posthog-js-batch.json.gz"_qs));
    QCOMPARE(retried.status, 200);
    QCOMPARE(retried.json()["accepted"].get<int>(), 0);
    QCOMPARE(retried.json()["duplicates"].get<int>(), 8);
    const auto again = client.post("/e/", readTestFile(u"service/posthog-js-batch.form"_qs),
        { { "Content-Type", "application/x-www-form-urlencoded" } });
    QCOMPARE(again.json()["duplicates"].get<int>(), 8);
    // One event of them, alone.
    const auto single = client.post("/capture/", readTestFile(u"service/posthog-js-event.json"_qs));
    QCOMPARE(single.json()["duplicates"].get<int>(), 1);
    QCOMPARE(h.service.connector().recentActivity(kFixtureSession, 100)->actions.size(), std::size_t(8));
    const std::string metrics = h.service.metricsText();
    QVERIFY(metrics.find(R"(proactive_events_total{product="shop",outcome="accepted"} 8)") != std::string::npos);
    QVERIFY(metrics.find(R"(proactive_events_total{product="shop",outcome="duplicate"} 17)") != std::string::npos);
}

void TestCapture::legacyOffsetsResolveAgainstTheClock()
{
    Harness h;
    h.clock.set(kT0 + 30s);
    const auto response = h.client().post("/e/", readTestFile(u"intake/posthog-js-legacy-array.json"_qs));
    QCOMPARE(response.json()["accepted"].get<int>(), 2);
    const auto activity = h.service.connector().recentActivity(kFixtureSession, 10);
    QVERIFY(activity);
    QCOMPARE(activity->actions.size(), std::size_t(2));
    // Newest first: offset 1250 ms, then 5400 ms before the request.
    QCOMPARE(formatIsoTimestamp(activity->actions[0].timestampStart), formatIsoTimestamp(kT0 + 30s - 1250ms));
    QCOMPARE(formatIsoTimestamp(activity->actions[1].timestampStart), formatIsoTimestamp(kT0 + 30s - 5400ms));
}

void TestCapture::sentAtMovesTimesOntoTheServerClock()
{
    Harness h;
    // The batch was sent at 10:15:45.300 by the client's clock; the server's
    // clock says 10:16:00: every time moves by 14.7 s, as PostHog does it.
    h.clock.set(*parseIsoTimestamp("2024-09-03T10:16:00Z"));
    QByteArray body = readTestFile(u"intake/posthog-js-batch.json"_qs);
    QCOMPARE(h.client().post("/batch/", body).json()["accepted"].get<int>(), 8);
    const auto activity = h.service.connector().recentActivity(kFixtureSession, 100);
    QVERIFY(activity);
    QCOMPARE(formatIsoTimestamp(activity->actions.back().timestampStart), std::string("2024-09-03T10:15:14.700Z"));
}

void TestCapture::tokenRoutesToItsProduct()
{
    Harness h;
    auto client = h.client();
    QCOMPARE(
        client.post("/batch/", pingPongBatch("local-session", kT0, "phc_local_only")).json()["accepted"].get<int>(), 3);
    const auto activity = h.service.connector().recentActivity("local-session", 10);
    QVERIFY(activity);
    QCOMPARE(activity->productId, std::string("local"));
    // And the poll of that product sees it.
    QCOMPARE(client.get("/context/local/local-session").json()["proactive_trigger"]["trigger_id"].get<std::string>(),
        std::string("ping-pong"));
    QCOMPARE(client.get("/context/shop/local-session").json()["proactive_skip_reason"].get<std::string>(),
        std::string("no_trigger"));
}

void TestCapture::sessionRateLimitAsksToRetry()
{
    Harness h;
    auto client = h.client();
    const std::string token = "phc_limited";
    auto visit = [&](const std::vector<std::string>& sessions, const std::string& uuidPrefix) {
        std::vector<nlohmann::json> events;
        for (const std::string& session : sessions)
            events.push_back(pageview(session, "/projects", h.clock.now(), uuidPrefix + session, token));
        return client.post("/batch/", batchBody(events, token));
    };
    // Two new sessions fill this second of the product.
    QCOMPARE(visit({ "a", "b" }, "1-").status, 200);
    // A third, alone: nothing can be kept, the sender is told to come back
    // (503, which posthog-js retries; it drops a 429).
    auto refused = visit({ "c" }, "1-");
    QCOMPARE(refused.status, 503);
    QCOMPARE(refused.header("Retry-After"), QByteArray("1"));
    QCOMPARE(refused.json()["error"].get<std::string>(), std::string("session_rate_limited"));
    QCOMPARE(refused.json()["accepted"].get<int>(), 0);
    QCOMPARE(refused.json()["rejected_count"].get<int>(), 1);
    // Sessions already open go on within the same second.
    QCOMPARE(visit({ "a" }, "2-").status, 200);
    // Partly kept: 200, the refused event listed.
    h.clock.set(h.clock.now() + 1s);
    auto partly = visit({ "c", "d", "e" }, "3-");
    QCOMPARE(partly.status, 200);
    QCOMPARE(partly.json()["accepted"].get<int>(), 2);
    QCOMPARE(partly.json()["rejected"][0]["error"].get<std::string>(), std::string("session_rate_limited"));
    QVERIFY(h.service.connector().recentActivity("c", 10));
    QVERIFY(!h.service.connector().recentActivity("e", 10));
}

void TestCapture::refused_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");

    QByteArray unknownToken = readTestFile(u"intake/posthog-js-batch.json"_qs);
    unknownToken.replace(kShopToken, "phc_nobody");
    QTest::newRow("unknown-token") << QByteArray("/batch/") << unknownToken << 401 << u"unknown_token"_qs;
    // One event of another (unknown) project refuses the whole request.
    QTest::newRow("one-unknown-token") << QByteArray(
        "/batch/") << batchBody({ pageview("s1", "/a", kT0, "u1"), pageview("s1", "/b", kT0, "u2", "phc_nobody") }, "")
                                       << 401 << u"unknown_token"_qs;
    QTest::newRow("no-token") << QByteArray("/e/")
                              << QByteArray(R"({"event":"$pageview","properties":{"$session_id":"s1",)"
                                            R"("$current_url":"https://a.example/"}})")
                              << 401 << u"unknown_token"_qs;
    QTest::newRow("not-json-base64-or-gzip")
        << QByteArray("/e/") << QByteArray("hello, world!") << 400 << u"bad_body"_qs;
    QTest::newRow("lz64") << QByteArray("/e/?compression=lz64") << QByteArray("N4Ig") << 400
                          << u"unsupported_compression"_qs;
    QTest::newRow("corrupt-gzip") << QByteArray("/batch/?compression=gzip-js") << QByteArray("\x1f\x8b\x08\x00garbage")
                                  << 400 << QString();
    QTest::newRow("no-readable-event") << QByteArray("/e/") << QByteArray(R"([{"event":42}])") << 400
                                       << u"bad_events"_qs;
}

void TestCapture::refused()
{
    QFETCH(QByteArray, target);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, error);
    Harness h;
    const auto response = h.client().post(target, body);
    QCOMPARE(response.status, status);
    const auto json = response.json();
    QVERIFY(json["error"].is_string());
    QVERIFY(json["message"].is_string());
    if (!error.isEmpty())
        QCOMPARE(QString::fromStdString(json["error"].get<std::string>()), error);
    QVERIFY(!h.service.connector().recentActivity("s1", 10));
    QVERIFY(!h.service.connector().recentActivity(kFixtureSession, 10));
}

QTEST_GUILESS_MAIN(TestCapture)
#include "tst_capture.moc"
