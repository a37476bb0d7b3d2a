// Offer events back to PostHog (issue 18), end to end: a connector whose
// product exports its offer events, the on-disk outbox, the PostHogEmitter,
// and a real capture endpoint on 127.0.0.1 (the connector's own HttpService)
// behind a front that plays the outage: first nothing listens, then 503s
// with Retry-After, then an answer lost after the receiver kept the batch.
// Every event arrives exactly once (the receiver de-duplicates by uuid), the
// outbox survives a restart, and a full outbox drops its oldest, counted.

#include "base/uuid.h"
#include "emit/outbox.h"
#include "eventwait.h"
#include "service/posthogemitter.h"
#include "servicetestsupport.h"

#include <QNetworkAccessManager>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <map>

using namespace proactive;
using namespace proactive::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr const char* kTokenVariable = "PROACTIVE_TEST_EXPORT_TOKEN";

// The receiving end as the emitter sees it, in front of the real capture
// endpoint: answers 503 with Retry-After, forwards to the receiver, or
// forwards and then drops the receiver's answer.
class Front final : public QObject {
public:
    enum class Mode { Busy, Forward, LoseAnswer };

    explicit Front(quint16 receiverPort)
        : m_receiverPort(receiverPort)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = m_server.nextPendingConnection())
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
        });
    }

    bool listen(quint16 port) { return m_server.listen(QHostAddress::LocalHost, port); }
    quint16 port() const { return m_server.serverPort(); }
    void close() { m_server.close(); }

    Mode mode = Mode::Busy;
    int requests = 0;

private:
    void read(QTcpSocket* socket)
    {
        QByteArray& buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return;
        qsizetype length = 0;
        for (const QByteArray& line : buffer.left(headEnd).split('\n'))
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        if (buffer.size() < headEnd + 4 + length)
            return;
        const QByteArray body = buffer.mid(headEnd + 4, length);
        m_buffers.remove(socket);
        ++requests;
        QByteArray answer;
        if (mode == Mode::Busy) {
            answer = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: "
                     "close\r\n\r\n";
        } else {
            const auto forwarded = HttpClient(m_receiverPort).post("/batch/", body);
            if (mode == Mode::LoseAnswer) {
                mode = Mode::Forward; // once
                socket->abort();
                socket->deleteLater();
                return;
            }
            answer = "HTTP/1.1 " + QByteArray::number(forwarded.status)
                + " X\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                + QByteArray::number(forwarded.body.size()) + "\r\n\r\n" + forwarded.body;
        }
        socket->write(answer);
        socket->disconnectFromHost();
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }

    quint16 m_receiverPort;
    QTcpServer m_server;
    QHash<QTcpSocket*, QByteArray> m_buffers;
};

// Keeps what the connector records, on its way to the outbox.
class Tap final : public OfferEventSink {
public:
    explicit Tap(OfferEventSink& next)
        : m_next(next)
    { }
    void record(std::vector<OfferEvent> events) override
    {
        seen.insert(seen.end(), events.begin(), events.end());
        m_next.record(std::move(events));
    }
    std::vector<OfferEvent> seen;

private:
    OfferEventSink& m_next;
};

// A port nothing listens on (now).
quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

std::shared_ptr<const Workspace> sourceWorkspace(quint16 port)
{
    qputenv(kTokenVariable, kShopToken);
    Diagnostics diagnostics;
    const std::string products = R"([{
        "product_id": "src", "routes": ["/projects/:id"],
        "posthog_export": { "host": "http://127.0.0.1:)"
        + std::to_string(port) + R"(", "api_key": "env:PROACTIVE_TEST_EXPORT_TOKEN" },
        "proactive": { "enabled": true, "min_interval_s": 0, "holdout_percent": 50, "experiment": "exp-a" },
        "triggers": [ { "id": "ping-pong", "body": "Looking for something?", "cooldown_s": 0,
                        "interaction_timeout_s": 10, "when": { "type": "canonical_url_ping_pong" } } ] }])";
    auto workspace = std::make_shared<const Workspace>(
        Workspace::fromJson(json::parse(products), ".", "products.json", diagnostics));
    for (const auto& d : diagnostics)
        qWarning("%s", d.toString().c_str());
    return workspace;
}

std::vector<Action> pingPong(const std::string& session, const std::string& user, Timestamp end)
{
    std::vector<Action> actions;
    int i = 0;
    for (const char* path : { "/projects", "/projects/7", "/projects" }) {
        Action a;
        a.type = ActionType::Pageview;
        a.event = "$pageview";
        a.sessionId = session;
        a.distinctId = user;
        a.rawUrl = std::string("https://app.example.com") + path;
        a.timestampStart = end - std::chrono::seconds(2 - i++);
        actions.push_back(std::move(a));
    }
    return actions;
}

std::size_t actionsOf(Store& store, const std::string& session)
{
    std::size_t count = 0;
    store.visitActions({ "shop", session }, [&](std::span<const ActionRecord> actions) { count = actions.size(); });
    return count;
}

} // namespace

class TestEmitter final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void connectorRecordsTheOfferEvents();
    void outageAndRecoveryLoseNothingAndDoubleNothing();
    void fullOutboxDropsTheOldest();
    void tourEventsOverHttpReachPostHog();
    void tourEventBodiesAreChecked_data();
    void tourEventBodiesAreChecked();
};

void TestEmitter::connectorRecordsTheOfferEvents()
{
    QTemporaryDir dir;
    auto outbox = Outbox::open(dir.filePath(u"outbox.db"_qs).toStdString());
    QVERIFY(outbox);
    Tap tap(**outbox);
    VirtualClock clock(kT0);
    MemoryStore store;
    Connector connector(sourceWorkspace(freePort()), store, clock);
    connector.setOfferEventSink(&tap);
    // u2 (bucket 8628 in exp-a) is offered, u5 (417) held out.
    QVERIFY(connector.ingest("src", pingPong("s-offered", "u2", kT0)));
    QVERIFY(connector.ingest("src", pingPong("s-held", "u5", kT0)));
    QVERIFY(connector.context("src", "s-offered")->offer);
    QCOMPARE(connector.context("src", "s-held")->skipReason, std::optional<std::string>("experiment:holdout"));
    QVERIFY(connector.agentState("src", "proactive:s-offered", "proactive_accepted_tour"));
    QVERIFY(connector.agentState("src", "proactive:s-offered", "tour_completed"));
    clock.advance(60s);
    QVERIFY(connector.context("src", "s-offered")->offer);
    clock.advance(15s); // the second offer expired unanswered; the same poll offers again
    QVERIFY(connector.context("src", "s-offered")->offer);

    QStringList names;
    for (const OfferEvent& e : tap.seen) {
        names << QString::fromStdString(e.event + " " + e.sessionId + " " + e.triggerId + " "
            + e.properties.value("experiment_arm", std::string("-")) + " "
            + e.properties.value("channel", std::string("-")));
        QVERIFY(isUuid(e.uuid));
        QCOMPARE(e.distinctId, std::string(e.sessionId == "s-held" ? "u5" : "u2"));
    }
    QCOMPARE(names,
        (QStringList { u"proactive offer shown s-offered ping-pong offered -"_qs,
            u"proactive holdout s-held ping-pong holdout -"_qs,
            u"proactive offer accepted s-offered ping-pong offered tour"_qs,
            u"proactive tour completed s-offered ping-pong offered -"_qs,
            u"proactive offer shown s-offered ping-pong offered -"_qs,
            u"proactive offer expired s-offered ping-pong offered -"_qs,
            u"proactive offer shown s-offered ping-pong offered -"_qs }));
    QCOMPARE((*outbox)->size(), tap.seen.size());
}

void TestEmitter::outageAndRecoveryLoseNothingAndDoubleNothing()
{
    VirtualClock receiverClock(kT0);
    MemoryStore receiverStore;
    ServiceThread receiver(serviceWorkspace(), receiverStore, receiverClock);
    Front front(receiver.port());
    const quint16 port = freePort();

    QTemporaryDir dir;
    const std::string outboxPath = dir.filePath(u"outbox.db"_qs).toStdString();
    auto outbox = Outbox::open(outboxPath);
    QVERIFY(outbox);
    Tap tap(**outbox);
    VirtualClock clock(kT0);
    MemoryStore store;
    const auto workspace = sourceWorkspace(port);
    Connector connector(workspace, store, clock);
    connector.setOfferEventSink(&tap);
    for (int i = 0; i < 12; ++i) {
        const std::string session = "s" + std::to_string(i);
        QVERIFY(connector.ingest("src", pingPong(session, "u" + std::to_string(i), kT0)));
        const auto decision = connector.context("src", session);
        QVERIFY(decision);
        if (decision->offer)
            QVERIFY(connector.agentState(
                "src", "proactive:" + session, i % 2 ? "proactive_dismissed" : "proactive_accepted_chat"));
    }
    const std::size_t total = tap.seen.size();
    QVERIFY(total >= 12);
    QCOMPARE((*outbox)->size(), total);

    QNetworkAccessManager network;
    service::EmitterSettings settings;
    settings.batchSize = 5;
    settings.firstBackoff = 50ms;
    settings.maxBackoff = 2s;
    settings.idleInterval = 50ms;
    const auto destination = [&](const std::string& productId) { return workspace->product(productId)->posthogExport; };

    // 1. Nothing listens: the emitter keeps retrying, the outbox keeps everything.
    {
        service::PostHogEmitter emitter(**outbox, destination, network, settings);
        emitter.start();
        TRY_VERIFY(emitter.stats().failedAttempts >= 3);
        QCOMPARE(emitter.stats().sent, std::uint64_t(0));
        QCOMPARE((*outbox)->size(), total);
    }
    // 2. A restart: the outbox file still holds every event.
    outbox->reset();
    outbox = Outbox::open(outboxPath);
    QVERIFY(outbox);
    QCOMPARE((*outbox)->size(), total);

    // 3. The receiver is up but busy: 503 with Retry-After: 1 is honoured.
    QVERIFY(front.listen(port));
    service::PostHogEmitter emitter(**outbox, destination, network, settings);
    std::vector<std::chrono::milliseconds> waits;
    connect(&emitter, &service::PostHogEmitter::retrying, this, [&](int status, std::chrono::milliseconds after) {
        if (status == 503)
            waits.push_back(after);
    });
    emitter.start();
    TRY_VERIFY(front.requests >= 2);
    QCOMPARE(emitter.stats().sent, std::uint64_t(0));
    QVERIFY(!waits.empty());
    QCOMPARE(waits.front(), std::chrono::milliseconds(1000));

    // 4. It recovers, but the answer to the first batch it keeps is lost:
    // that batch comes again, and the receiver drops what it has.
    front.mode = Front::Mode::LoseAnswer;
    TRY_VERIFY_WITH_TIMEOUT((*outbox)->size() == 0, 20'000);
    QCOMPARE(emitter.stats().sent, std::uint64_t(total));
    QCOMPARE(emitter.stats().rejected, std::uint64_t(0));

    std::size_t received = 0;
    for (int i = 0; i < 12; ++i)
        received += actionsOf(receiverStore, "s" + std::to_string(i));
    QCOMPARE(received, total); // nothing lost, nothing doubled
    for (const OfferEvent& event : tap.seen)
        QVERIFY(receiverStore.hasActionUuid({ "shop", event.sessionId }, event.uuid));
}

void TestEmitter::fullOutboxDropsTheOldest()
{
    auto outbox = Outbox::open(":memory:", 3);
    QVERIFY(outbox);
    std::vector<OfferEvent> events;
    for (int i = 0; i < 5; ++i)
        events.push_back(
            { newUuid(), std::string(offerevent::Shown), "p", "u", "s", "t" + std::to_string(i), kT0, {} });
    (*outbox)->record(events);
    QCOMPARE((*outbox)->size(), std::size_t(3));
    QCOMPARE((*outbox)->dropped(), std::uint64_t(2));
    const auto kept = (*outbox)->oldest(10);
    QCOMPARE(kept.size(), std::size_t(3));
    QVERIFY(kept.front().body.find("\"t2\"") != std::string::npos);
    QVERIFY(kept.back().body.find("\"t4\"") != std::string::npos);
}

QTEST_GUILESS_MAIN(TestEmitter)
// The page's tour runtime reports steps and missing targets to the real
// `serve` over HTTP (POST /tour_event); they go out through the outbox and
// the emitter to a real capture endpoint, with the trigger of the offer the
// tour came from, the experiment arm and the step's details.
void TestEmitter::tourEventsOverHttpReachPostHog()
{
    VirtualClock receiverClock(kT0);
    MemoryStore receiverStore;
    ServiceThread receiver(serviceWorkspace(), receiverStore, receiverClock);

    auto outbox = Outbox::open(":memory:");
    QVERIFY(outbox);
    Tap tap(**outbox);
    VirtualClock clock(kT0);
    MemoryStore store;
    const auto workspace = sourceWorkspace(receiver.port());
    ServiceThread source(workspace, store, clock);
    source.connector().setOfferEventSink(&tap);
    QVERIFY(source.connector().ingest("src", pingPong("s-tour", "u2", kT0)));
    HttpClient client(source.port());
    QCOMPARE(client.get("/context/src/s-tour").status, 200);
    QCOMPARE(
        client.postJson("/agent_state/src/proactive%3As-tour", { { "event", "proactive_accepted_tour" } }).status, 200);

    const auto report = [&](const json& body) { return client.postJson("/tour_event/src/proactive%3As-tour", body); };
    auto answer = report({ { "event", "tour_step_shown" }, { "tour_id", "create-project" }, { "step", 1 },
        { "steps", 3 }, { "selector", "[data-tour-id=\"add-project-btn\"]" } });
    QCOMPARE(answer.status, 200);
    QCOMPARE_JSON(json::parse(answer.body.toStdString()),
        (json { { "ok", true }, { "event", "proactive tour step shown" }, { "exported", true } }));
    answer = report({ { "event", "tour_target_missing" }, { "tour_id", "create-project" }, { "step", 2 },
        { "steps", 3 }, { "selector", ".project-row" }, { "reason", "several_matches" }, { "matches", 4 } });
    QCOMPARE(answer.status, 200);
    // Another conversation names no session: nothing to export, and no error.
    answer = client.postJson("/tour_event/src/dify-conversation-9",
        { { "event", "tour_step_shown" }, { "tour_id", "create-project" }, { "step", 1 }, { "steps", 3 } });
    QCOMPARE(answer.status, 200);
    QCOMPARE(json::parse(answer.body.toStdString()).at("exported").get<bool>(), false);
    QCOMPARE(client.postJson("/agent_state/src/proactive%3As-tour", { { "event", "tour_abandoned" } }).status, 200);

    QStringList names;
    for (const OfferEvent& e : tap.seen)
        names << QString::fromStdString(e.event + " " + e.triggerId);
    QCOMPARE(names,
        (QStringList { u"proactive offer shown ping-pong"_qs, u"proactive offer accepted ping-pong"_qs,
            u"proactive tour step shown ping-pong"_qs, u"proactive tour target missing ping-pong"_qs,
            u"proactive tour abandoned ping-pong"_qs }));

    QNetworkAccessManager network;
    service::EmitterSettings settings;
    settings.idleInterval = 50ms;
    service::PostHogEmitter emitter(
        **outbox, [&](const std::string& productId) { return workspace->product(productId)->posthogExport; }, network,
        settings);
    emitter.start();
    TRY_VERIFY((*outbox)->size() == 0);
    QCOMPARE(emitter.stats().sent, std::uint64_t(5));

    // What PostHog keeps: the events with their properties, as the
    // receiver's intake read them (scalars as text).
    std::vector<std::map<std::string, std::string>> kept;
    receiverStore.visitActions({ "shop", "s-tour" }, [&](std::span<const ActionRecord> actions) {
        for (const ActionRecord& action : actions)
            if (action.event->starts_with("proactive tour step") || action.event->starts_with("proactive tour target"))
                kept.emplace_back(action.details->properties.begin(), action.details->properties.end());
    });
    QCOMPARE(kept.size(), std::size_t(2));
    using Properties = std::map<std::string, std::string>;
    QCOMPARE(kept[0],
        (Properties { { "experiment", "exp-a" }, { "experiment_arm", "offered" }, { "experiment_bucket", "8628" },
            { "product_id", "src" }, { "selector", "[data-tour-id=\"add-project-btn\"]" }, { "step", "1" },
            { "steps", "3" }, { "tour_id", "create-project" }, { "trigger_id", "ping-pong" } }));
    QCOMPARE(kept[1].at("reason"), std::string("several_matches"));
    QCOMPARE(kept[1].at("matches"), std::string("4"));
    QCOMPARE(kept[1].at("selector"), std::string(".project-row"));
    QCOMPARE(kept[1].at("step"), std::string("2"));
}

void TestEmitter::tourEventBodiesAreChecked_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("field");

    const QByteArray path = "/tour_event/src/proactive%3As-1";
    QTest::newRow("not-json") << path << QByteArray("{\"event\":") << 400 << u"bad_json"_qs << QString();
    QTest::newRow("array") << path << QByteArray("[1]") << 400 << u"bad_json"_qs << QString();
    QTest::newRow("no-event") << path << QByteArray(R"({"tour_id":"t","step":1,"steps":2})") << 400 << u"bad_request"_qs
                              << u"event"_qs;
    QTest::newRow("unknown-event") << path << QByteArray(R"({"event":"tour_completed","tour_id":"t"})") << 400
                                   << u"unknown_event"_qs << u"event"_qs;
    QTest::newRow("no-tour") << path << QByteArray(R"({"event":"tour_step_shown","step":1,"steps":2})") << 400
                             << u"bad_request"_qs << u"tour_id"_qs;
    QTest::newRow("step-zero") << path << QByteArray(R"({"event":"tour_step_shown","tour_id":"t","step":0,"steps":2})")
                               << 400 << u"bad_request"_qs << u"step"_qs;
    QTest::newRow("step-fraction") << path
                                   << QByteArray(R"({"event":"tour_step_shown","tour_id":"t","step":1.5,"steps":2})")
                                   << 400 << u"bad_request"_qs << u"step"_qs;
    QTest::newRow("steps-below-step") << path
                                      << QByteArray(R"({"event":"tour_step_shown","tour_id":"t","step":3,"steps":2})")
                                      << 400 << u"bad_request"_qs << u"steps"_qs;
    QTest::newRow("missing-without-selector")
        << path
        << QByteArray(R"({"event":"tour_target_missing","tour_id":"t","step":1,"steps":2,"reason":"not_found"})") << 400
        << u"bad_request"_qs << u"selector"_qs;
    QTest::newRow("missing-without-reason")
        << path << QByteArray(R"({"event":"tour_target_missing","tour_id":"t","step":1,"steps":2,"selector":"#a"})")
        << 400 << u"bad_request"_qs << u"reason"_qs;
    QTest::newRow("unknown-reason") << path
                                    << QByteArray(R"({"event":"tour_target_missing","tour_id":"t","step":1,"steps":2,)"
                                                  R"("selector":"#a","reason":"gone"})")
                                    << 400 << u"bad_request"_qs << u"reason"_qs;
    QTest::newRow("selector-too-long") << path
                                       << QByteArray(R"({"event":"tour_step_shown","tour_id":"t","step":1,"steps":2,)"
                                                     R"("selector":")"
                                              + QByteArray(2000, 'a') + "\"}")
                                       << 400 << u"bad_request"_qs << u"selector"_qs;
    QTest::newRow("huge-body") << path << QByteArray(70 * 1024, ' ') << 413 << u"payload_too_large"_qs << QString();
    QTest::newRow("unknown-product") << QByteArray("/tour_event/nope/proactive%3As-1")
                                     << QByteArray(R"({"event":"tour_step_shown","tour_id":"t","step":1,"steps":2})")
                                     << 404 << u"unknown_product"_qs << QString();
}

// Each bad body is refused with what is wrong and where, and nothing is
// recorded: the events already recorded stay as they are.
void TestEmitter::tourEventBodiesAreChecked()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, error);
    QFETCH(QString, field);

    auto outbox = Outbox::open(":memory:");
    QVERIFY(outbox);
    VirtualClock clock(kT0);
    MemoryStore store;
    ServiceThread source(sourceWorkspace(freePort()), store, clock);
    source.connector().setOfferEventSink(outbox->get());
    QVERIFY(source.connector().ingest("src", pingPong("s-1", "u2", kT0)));
    HttpClient client(source.port());
    QCOMPARE(client.get("/context/src/s-1").status, 200);
    const std::size_t before = (*outbox)->size();
    QCOMPARE(before, std::size_t(1));

    const auto answer = client.post(path, body);
    QCOMPARE(answer.status, status);
    const json reply = json::parse(answer.body.toStdString());
    QCOMPARE(QString::fromStdString(reply.value("error", "")), error);
    QVERIFY(!reply.value("message", "").empty());
    if (!field.isEmpty())
        QCOMPARE(QString::fromStdString(reply.value("field", "")), field);
    QCOMPARE((*outbox)->size(), before);
}

#include "tst_emitter.moc"
