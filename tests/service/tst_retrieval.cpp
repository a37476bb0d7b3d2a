// POST /retrieval, Dify's External Knowledge API: Bearer key, Dify's error
// codes, and the session's recent activity as records, newest first.

#include "service/retrieval.h"
#include "servicetestsupport.h"

#include <QFile>
#include <QTest>

using namespace proactive;
using namespace proactive::test;
using namespace std::chrono_literals;

namespace {

QByteArray retrievalBody(const std::string& knowledgeId, double topK, const nlohmann::json& threshold)
{
    return QByteArray::fromStdString(nlohmann::json {
        { "knowledge_id", knowledgeId },
        { "query", "What was I doing?" },
        { "retrieval_setting", { { "top_k", topK }, { "score_threshold", threshold } } },
    }
                                         .dump());
}

const HeaderList kAuthorized { { "Authorization", QByteArray("Bearer ") + kRetrievalKey } };

// Four pageviews of ana@example.com 0, 30, 60 and 120 s before kT0 + 120 s.
void seed(HttpClient& client, const std::string& sessionId, Timestamp end, const std::string& email)
{
    std::vector<nlohmann::json> events;
    int n = 0;
    for (const auto& [path, before] : std::vector<std::pair<std::string, Duration>> {
             { "/projects", 120s }, { "/projects/7", 60s }, { "/projects/7/settings", 30s }, { "/projects", 0s } }) {
        auto event = pageview(sessionId, path, end - before, sessionId + "-" + std::to_string(++n));
        event["properties"]["$set"] = { { "email", email } };
        events.push_back(std::move(event));
    }
    const auto response = client.post("/batch/", batchBody(events));
    QCOMPARE(response.json()["accepted"].get<int>(), 4);
}

} // namespace

class TestRetrieval final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void authorization_data();
    void authorization();
    void badBodies_data();
    void badBodies();
    void records_data();
    void records();
    void recordFields();
    void emailFindsTheLatestSession();
    void emailFromPostHogIdentify();
    void sameSessionIdInTwoProducts();
    void unknownKnowledge();
};

void TestRetrieval::authorization_data()
{
    QTest::addColumn<HeaderList>("headers");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("errorCode"); // 0: success

    const QByteArray key = kRetrievalKey;
    QTest::newRow("right-key") << kAuthorized << 200 << 0;
    QTest::newRow("scheme-any-case") << HeaderList { { "authorization", "bearer " + key } } << 200 << 0;
    QTest::newRow("missing") << HeaderList {} << 403 << 1001;
    QTest::newRow("not-bearer") << HeaderList { { "Authorization", "Basic " + key } } << 403 << 1001;
    QTest::newRow("bearer-without-key") << HeaderList { { "Authorization", "Bearer " } } << 403 << 1001;
    QTest::newRow("key-without-scheme") << HeaderList { { "Authorization", key } } << 403 << 1001;
    QTest::newRow("wrong-key") << HeaderList { { "Authorization", "Bearer nope" } } << 403 << 1002;
    QTest::newRow("key-prefix") << HeaderList { { "Authorization", "Bearer " + key.chopped(1) } } << 403 << 1002;
    QTest::newRow("key-longer") << HeaderList { { "Authorization", "Bearer " + key + "0" } } << 403 << 1002;
}

void TestRetrieval::authorization()
{
    QFETCH(HeaderList, headers);
    QFETCH(int, status);
    QFETCH(int, errorCode);
    Harness h;
    auto client = h.client();
    seed(client, "s1", kT0, "ana@example.com");
    const auto response = client.post("/retrieval", retrievalBody("s1", 2, 0.0), headers);
    QCOMPARE(response.status, status);
    const auto json = response.json();
    if (errorCode == 0) {
        QCOMPARE(json["records"].size(), std::size_t(2));
    } else {
        QCOMPARE(json["error_code"].get<int>(), errorCode);
        QVERIFY(json["error_msg"].is_string());
        QCOMPARE(json["error"].get<std::string>(),
            std::string(errorCode == 1001 ? "invalid_authorization_header" : "authorization_failed"));
    }
}

void TestRetrieval::badBodies_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("where");

    QTest::newRow("not-json") << QByteArray("knowledge_id=s1") << u"body"_qs;
    QTest::newRow("array") << QByteArray("[]") << u"body"_qs;
    QTest::newRow("nul-then-junk") << QByteArray(
        R"({"knowledge_id":"s1","query":"q","retrieval_setting":{"top_k":1,"score_threshold":0}})"
        "\0junk",
        90) << u"body"_qs;
    QTest::newRow("no-knowledge-id") << QByteArray(
        R"({"query":"q","retrieval_setting":{"top_k":1,"score_threshold":0}})")
                                     << u"knowledge_id"_qs;
    QTest::newRow("empty-knowledge-id") << QByteArray(
        R"({"knowledge_id":"","query":"q","retrieval_setting":{"top_k":1,"score_threshold":0}})")
                                        << u"knowledge_id"_qs;
    QTest::newRow("no-query") << QByteArray(
        R"({"knowledge_id":"s1","retrieval_setting":{"top_k":1,"score_threshold":0}})")
                              << u"query"_qs;
    QTest::newRow("no-setting") << QByteArray(R"({"knowledge_id":"s1","query":"q"})") << u"retrieval_setting"_qs;
    QTest::newRow("top-k-zero") << retrievalBody("s1", 0, 0.0) << u"retrieval_setting.top_k"_qs;
    QTest::newRow("threshold-above-one") << retrievalBody("s1", 1, 1.5) << u"retrieval_setting.score_threshold"_qs;
    QTest::newRow("threshold-missing") << QByteArray(
        R"({"knowledge_id":"s1","query":"q","retrieval_setting":{"top_k":1}})")
                                       << u"retrieval_setting.score_threshold"_qs;
}

void TestRetrieval::badBodies()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, where);
    Harness h;
    const auto response = h.client().post("/retrieval", body, kAuthorized);
    QCOMPARE(response.status, 400);
    QCOMPARE(response.json()["error"].get<std::string>(), std::string("bad_request"));
    QVERIFY2(QString::fromStdString(response.json()["message"].get<std::string>()).startsWith(where + u": "_qs),
        response.body.constData());
}

void TestRetrieval::records_data()
{
    QTest::addColumn<double>("topK");
    QTest::addColumn<QVariant>("threshold"); // null: JSON null
    QTest::addColumn<QStringList>("scores");

    // Ages 0, 30, 60 and 120 s: scores 1, 0.6667, 0.5, 0.3333.
    QTest::newRow("all") << 10.0 << QVariant(0.0) << QStringList { u"1"_qs, u"0.6667"_qs, u"0.5"_qs, u"0.3333"_qs };
    QTest::newRow("top-k") << 2.0 << QVariant(0.0) << QStringList { u"1"_qs, u"0.6667"_qs };
    QTest::newRow("fractional-top-k") << 2.9 << QVariant(0.0) << QStringList { u"1"_qs, u"0.6667"_qs };
    QTest::newRow("threshold-keeps-equal") << 10.0 << QVariant(0.5) << QStringList { u"1"_qs, u"0.6667"_qs, u"0.5"_qs };
    QTest::newRow("threshold-just-above") << 10.0 << QVariant(0.5001) << QStringList { u"1"_qs, u"0.6667"_qs };
    QTest::newRow("threshold-one") << 10.0 << QVariant(1.0) << QStringList { u"1"_qs };
    QTest::newRow("null-threshold-is-zero")
        << 10.0 << QVariant() << QStringList { u"1"_qs, u"0.6667"_qs, u"0.5"_qs, u"0.3333"_qs };
}

void TestRetrieval::records()
{
    QFETCH(double, topK);
    QFETCH(QVariant, threshold);
    QFETCH(QStringList, scores);
    Harness h;
    auto client = h.client();
    seed(client, "s1", kT0 + 120s, "ana@example.com");
    const nlohmann::json thresholdJson = threshold.isValid() ? nlohmann::json(threshold.toDouble()) : nlohmann::json();
    const auto response = client.post("/retrieval", retrievalBody("s1", topK, thresholdJson), kAuthorized);
    QCOMPARE(response.status, 200);
    const auto json = response.json();
    QStringList actual;
    for (const auto& record : json["records"])
        actual << QString::number(record["score"].get<double>());
    QCOMPARE(actual, scores);
}

void TestRetrieval::recordFields()
{
    Harness h;
    auto client = h.client();
    seed(client, "s1", kT0 + 120s, "ana@example.com");
    const auto response = client.post("/retrieval", retrievalBody("s1", 2, 0.0), kAuthorized);
    const auto json = response.json();
    const auto& records = json["records"];
    QCOMPARE(records.size(), std::size_t(2));
    // Newest first, as text a model can read, with an object (never null) as metadata.
    QCOMPARE(records[0]["content"].get<std::string>(), formatIsoTimestamp(kT0 + 120s) + ": Viewed /projects");
    QCOMPARE(records[0]["title"].get<std::string>(), std::string("Viewed page · https://app.example.com/projects"));
    QCOMPARE(records[1]["title"].get<std::string>(),
        std::string("Viewed page · https://app.example.com/projects/:id/settings"));
    const auto& metadata = records[1]["metadata"];
    QVERIFY(metadata.is_object());
    QCOMPARE(metadata["product_id"].get<std::string>(), std::string("shop"));
    QCOMPARE(metadata["session_id"].get<std::string>(), std::string("s1"));
    QCOMPARE(metadata["index"].get<int>(), 2);
    QCOMPARE(metadata["type"].get<std::string>(), std::string("pageview"));
    QCOMPARE(metadata["url"].get<std::string>(), std::string("https://app.example.com/projects/7/settings"));
    QCOMPARE(
        metadata["canonical_url"].get<std::string>(), std::string("https://app.example.com/projects/:id/settings"));
    QCOMPARE(metadata["timestamp"].get<std::string>(), formatIsoTimestamp(kT0 + 90s));
    // Written without a DOM, byte for byte what nlohmann's dump() gives for it.
    QCOMPARE(QByteArray::fromStdString(json.dump()), response.body);
}

void TestRetrieval::emailFindsTheLatestSession()
{
    Harness h;
    auto client = h.client();
    seed(client, "older", kT0, "ana@example.com");
    seed(client, "newer", kT0 + 600s, "Ana@Example.com");
    seed(client, "bob", kT0 + 900s, "bob@example.com");
    for (const char* email : { "ana@example.com", "ANA@EXAMPLE.COM" }) {
        const auto response = client.post("/retrieval", retrievalBody(email, 1, 0.0), kAuthorized);
        QCOMPARE(response.status, 200);
        QCOMPARE(response.json()["records"][0]["metadata"]["session_id"].get<std::string>(), std::string("newer"));
    }
    // A session id wins over an email lookup.
    const auto bySession = client.post("/retrieval", retrievalBody("older", 1, 0.0), kAuthorized);
    QCOMPARE(bySession.json()["records"][0]["metadata"]["session_id"].get<std::string>(), std::string("older"));
}

// posthog-js's identify('user-x', {email}) sends the email only in the
// $identify event's $set, beside its properties (SPEC §8 §1 Identity): the
// session learns it, and so do later sessions of the user and of the
// anonymous id identify linked.
void TestRetrieval::emailFromPostHogIdentify()
{
    Harness h;
    auto client = h.client();
    QFile fixture(QStringLiteral(PROACTIVE_TEST_DATA "/intake/posthog-js-identify.json"));
    QVERIFY(fixture.open(QIODevice::ReadOnly));
    const auto captured = client.post("/batch/", fixture.readAll());
    QCOMPARE(captured.status, 200);
    QCOMPARE(captured.json()["accepted"].get<int>(), 2); // the pageview and the click; $identify is no action

    const std::string identified = "0191a7e2-6c1d-7b3e-9f4a-2d5c8e1b0b01";
    const auto sessionOf = [&](const char* email) {
        const auto response = client.post("/retrieval", retrievalBody(email, 5, 0.0), kAuthorized);
        if (response.status != 200)
            return std::string("status ") + std::to_string(response.status);
        const auto json = response.json();
        return json["records"][0]["metadata"]["session_id"].get<std::string>() + " ("
            + std::to_string(json["records"].size()) + " records)";
    };
    QCOMPARE(sessionOf("x@example.com"), identified + " (2 records)");

    // A new session of the identified user, with no email of its own.
    QCOMPARE(client.post("/batch/", batchBody({ pageview("next", "/projects", kT0 + 60s, "n1", kShopToken, "user-x") }))
                 .json()["accepted"]
                 .get<int>(),
        1);
    QCOMPARE(sessionOf("X@Example.com"), std::string("next (1 records)"));

    // A session of the anonymous id that identify linked to user-x.
    QCOMPARE(client
                 .post("/batch/",
                     batchBody({ pageview("anon", "/projects/7", kT0 + 120s, "a1", kShopToken,
                         "0191a7e2-5b00-7c3e-a111-5c9e0d2b7f10") }))
                 .json()["accepted"]
                 .get<int>(),
        1);
    QCOMPARE(sessionOf("x@example.com"), std::string("anon (1 records)"));
    QCOMPARE(sessionOf("y@example.com"), std::string("status 404"));
}

void TestRetrieval::sameSessionIdInTwoProducts()
{
    Harness h;
    auto client = h.client();
    QCOMPARE(client.post("/batch/", pingPongBatch("dup", kT0 + 60s, "phc_local_only")).status, 200);
    QCOMPARE(client.post("/batch/", pingPongBatch("dup", kT0, kShopToken)).status, 200);
    const auto json = client.post("/retrieval", retrievalBody("dup", 1, 0.0), kAuthorized).json();
    QCOMPARE(json["records"][0]["metadata"]["product_id"].get<std::string>(), std::string("local"));
    QCOMPARE(client.post("/batch/", batchBody({ pageview("dup", "/projects", kT0 + 120s, "dup-later") }))
                 .json()["accepted"]
                 .get<int>(),
        1);
    const auto later = client.post("/retrieval", retrievalBody("dup", 1, 0.0), kAuthorized).json();
    QCOMPARE(later["records"][0]["metadata"]["product_id"].get<std::string>(), std::string("shop"));
}

void TestRetrieval::unknownKnowledge()
{
    Harness h;
    auto client = h.client();
    seed(client, "s1", kT0, "ana@example.com");
    for (const char* id : { "s2", "carol@example.com", "ana@example" }) {
        const auto response = client.post("/retrieval", retrievalBody(id, 3, 0.0), kAuthorized);
        QCOMPARE(response.status, 404);
        QCOMPARE(response.json()["error_code"].get<int>(), 2001);
        QCOMPARE(response.json()["error"].get<std::string>(), std::string("knowledge_not_found"));
    }
}

QTEST_GUILESS_MAIN(TestRetrieval)
#include "tst_retrieval.moc"
