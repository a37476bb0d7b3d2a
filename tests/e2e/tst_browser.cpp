// The whole loop in a real browser: QtWebEngine loads a page running the real
// posthog-js bundle (npm, pinned in package.json) with api_host pointed at the
// real `proactive-studio serve`, plus the tutorial's client (poll, toast,
// /agent_state). The test navigates with the history API until the built-in
// canonical_url_ping_pong trigger fires, waits for the toast, clicks an
// answer with real mouse events, and checks what /context says afterwards.
// Nothing is mocked; every wait is on a condition, never a fixed sleep.

#include "eventwait.h"
#include "nginxproxy.h"
#include "redisserver.h"
#include "webpagetesting.h"

#include <QFile>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QUrlQuery>
#include <QWebEnginePage>
#include <QWebEngineProfile>
#include <QWebEngineView>
#include <memory>
#include <optional>

using proactive::testing::ConsolePage;
using proactive::testing::evaluateJson;

namespace {

const QString kStudio = QStringLiteral(PROACTIVE_STUDIO_EXECUTABLE);
const QString kWorkspace = QStringLiteral(PROACTIVE_TEST_DATA "/e2e/workspace");
const QString kPageDir = QStringLiteral(PROACTIVE_TEST_DATA "/e2e/page");
const QString kPosthogBundle
    = QStringLiteral(PROACTIVE_SOURCE_DIR "/tests/e2e/node_modules/posthog-js/dist/array.full.js");
const QString kProduct = u"e2e"_qs;
const QString kToken = u"phc_e2e_browser_test"_qs;
const QString kTriggerBody = u"Looking for something? I can show you where it is."_qs;

constexpr int kStartupTimeoutMs = 30'000;
constexpr int kFlowTimeoutMs = 15'000;

QJsonArray jsonArray(QWebEnginePage& page, const QString& expression)
{
    return evaluateJson(page, expression).toArray();
}

QJsonObject jsonObject(QWebEnginePage& page, const QString& expression)
{
    return evaluateJson(page, expression).toObject();
}

QJsonObject toast(QWebEnginePage& page)
{
    return jsonObject(page, uR"((() => {
        const toast = document.getElementById('proactive-toast');
        if (!toast) return { shown: false };
        return { shown: true, triggerId: toast.dataset.triggerId,
                 body: toast.querySelector('.body').textContent,
                 dismiss: toast.querySelector('.dismiss').textContent,
                 accept: toast.querySelector('.accept').textContent };
    })())"_qs);
}

int pageviewsOf(QWebEnginePage& page, const QString& path)
{
    int count = 0;
    for (const QJsonValue& event : jsonArray(page, u"window.e2eCaptured || []"_qs))
        if (event[u"event"].toString() == u"$pageview" && event[u"path"].toString() == path)
            ++count;
    return count;
}

bool anyPoll(QWebEnginePage& page, const QString& field, const QString& value, qsizetype from = 0)
{
    const QJsonArray polls = jsonArray(page, u"window.proactiveClient ? proactiveClient.polls : []"_qs);
    for (qsizetype i = from; i < polls.size(); ++i)
        if (polls[i][field].toString() == value)
            return true;
    return false;
}

qsizetype pollCount(QWebEnginePage& page)
{
    return jsonArray(page, u"window.proactiveClient ? proactiveClient.polls : []"_qs).size();
}

QHttpServerResponse fileResponse(const QString& path, const QByteArray& mimeType)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QHttpServerResponse(QHttpServerResponse::StatusCode::NotFound);
    return QHttpServerResponse(mimeType, file.readAll());
}

// Issue 14's tests: a `serve` and a page server of their own, so that their
// workspace (two ping-pong triggers) and request counts are theirs alone.
const QString kVisitsWorkspace = QStringLiteral(PROACTIVE_TEST_DATA "/e2e/visits/workspace");
const QString kVisitsProduct = u"e2e-visits"_qs;
const QString kVisitsToken = u"phc_e2e_visits_test"_qs;

class OwnServe final {
public:
    // `serve --workspace workspace` on a free port, in memory unless
    // `arguments` name a --store, with `arguments` after those and
    // `environment` added to this process's.
    explicit OwnServe(const QString& workspace, const QStringList& arguments = {},
        const QList<std::pair<QString, QString>>& environment = {})
    {
        QObject::connect(
            &m_process, &QProcess::readyReadStandardOutput, [this] { m_out += m_process.readAllStandardOutput(); });
        QObject::connect(
            &m_process, &QProcess::readyReadStandardError, [this] { m_err += m_process.readAllStandardError(); });
        QProcessEnvironment processEnvironment = QProcessEnvironment::systemEnvironment();
        for (const auto& [name, value] : environment)
            processEnvironment.insert(name, value);
        m_process.setProcessEnvironment(processEnvironment);
        const QStringList store = arguments.contains(u"--store"_qs) ? QStringList() : QStringList { u"--memory"_qs };
        m_process.start(kStudio,
            QStringList { u"serve"_qs, u"--workspace"_qs, workspace, u"--listen"_qs, u"127.0.0.1:0"_qs } + store
                + arguments);
    }
    ~OwnServe() { stop(); }
    OwnServe(const OwnServe&) = delete;
    OwnServe& operator=(const OwnServe&) = delete;

    // The URL from the one line `serve` prints when it listens; empty when
    // it did not (the log says why).
    QUrl waitListening()
    {
        proactive::testing::waitFor(
            [&] { return m_out.contains('\n') || m_process.state() == QProcess::NotRunning; }, kStartupTimeoutMs);
        const QByteArray prefix = "listening on ";
        const QByteArray line = m_out.left(m_out.indexOf('\n')).trimmed();
        return line.startsWith(prefix) ? QUrl(QString::fromUtf8(line.mid(prefix.size()))) : QUrl();
    }
    const QByteArray& log() const { return m_err; }
    void clearLog() { m_err.clear(); }
    // SIGTERM; whether `serve` then stopped on its own with exit code 0.
    bool stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return false;
        m_process.terminate();
        return m_process.waitForFinished(15'000) && m_process.exitStatus() == QProcess::NormalExit
            && m_process.exitCode() == 0;
    }

private:
    QProcess m_process;
    QByteArray m_out;
    QByteArray m_err;
};

// The e2e client page at /projects, served from `pages`, talking to
// `connector` for `product` (whose posthog token is `token`).
QUrl clientPageUrl(
    QUrl pages, const QUrl& connector, const QString& product, const QString& token, int pollMs, int firstPollMs)
{
    pages.setPath(u"/projects"_qs);
    QUrlQuery settings;
    settings.addQueryItem(u"connector"_qs, connector.toString(QUrl::StripTrailingSlash));
    settings.addQueryItem(u"product"_qs, product);
    settings.addQueryItem(u"token"_qs, token);
    settings.addQueryItem(u"poll_ms"_qs, QString::number(pollMs));
    settings.addQueryItem(u"first_poll_ms"_qs, QString::number(firstPollMs));
    settings.addQueryItem(u"race_ms"_qs, u"30000"_qs);
    settings.addQueryItem(u"flush_ms"_qs, u"250"_qs);
    pages.setQuery(settings);
    return pages;
}

// The test pages, the tutorial's client and the posthog-js bundle on an
// origin of their own (every call to the connector is cross-origin).
// `bundle` is the posthog-js build defaults.html loads (dist/array.full.js
// has every extension inside, dist/array.js loads them from api_host).
quint16 servePages(QHttpServer& pages, const QString& bundle = kPosthogBundle)
{
    const QByteArray html = "text/html; charset=utf-8";
    const QByteArray script = "text/javascript; charset=utf-8";
    for (const QString& route : { u"/projects"_qs, u"/settings"_qs })
        pages.route(route, [=] { return fileResponse(kPageDir + u"/index.html"_qs, html); });
    pages.route(u"/defaults/projects"_qs, [=] { return fileResponse(kPageDir + u"/defaults.html"_qs, html); });
    pages.route(
        u"/proactive-client.js"_qs, [=] { return fileResponse(kPageDir + u"/proactive-client.js"_qs, script); });
    pages.route(u"/posthog/array.full.js"_qs, [=] { return fileResponse(kPosthogBundle, script); });
    pages.route(u"/posthog/bundle.js"_qs, [=] { return fileResponse(bundle, script); });
    return pages.listen(QHostAddress::LocalHost, 0);
}

QByteArray httpGet(QNetworkAccessManager& network, const QUrl& url)
{
    std::unique_ptr<QNetworkReply> reply(network.get(QNetworkRequest(url)));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    if (!finished.wait(10'000) || reply->error() != QNetworkReply::NoError)
        return {};
    return reply->readAll();
}

// proactive_http_requests_total and proactive_events_total of /metrics as
// "route status" → count and "events <outcome>" → count.
QMap<QString, int> serveMetrics(QNetworkAccessManager& network, QUrl url)
{
    url.setPath(u"/metrics"_qs);
    QMap<QString, int> counts;
    static const QRegularExpression requests(
        u"^proactive_http_requests_total\\{route=\"([^\"]*)\",status=\"(\\d+)\"\\} (\\d+)$"_qs);
    static const QRegularExpression events(
        u"^proactive_events_total\\{product=\"[^\"]*\",outcome=\"([^\"]*)\"\\} (\\d+)$"_qs);
    for (const QString& line : QString::fromUtf8(httpGet(network, url)).split(u'\n')) {
        if (const auto m = requests.match(line); m.hasMatch())
            counts[m.captured(1) + u' ' + m.captured(2)] += m.captured(3).toInt();
        else if (const auto e = events.match(line); e.hasMatch())
            counts[u"events "_qs + e.captured(1)] += e.captured(2).toInt();
    }
    return counts;
}

// A real left click in the middle of the element `selector`.
bool clickElement(QWebEngineView& view, QWebEnginePage& page, const QString& selector)
{
    const QJsonObject centre = jsonObject(page,
        uR"((() => {
        const e = document.querySelector(%1);
        if (!e) return {};
        const r = e.getBoundingClientRect();
        return { x: Math.round(r.x + r.width / 2), y: Math.round(r.y + r.height / 2) };
    })())"_qs.arg(QString::fromUtf8(QJsonDocument(QJsonArray { selector }).toJson(QJsonDocument::Compact))
                      .mid(1)
                      .chopped(1)));
    if (centre.isEmpty())
        return false;
    QTest::mouseClick(view.focusProxy(), Qt::LeftButton, {}, QPoint(centre[u"x"].toInt(), centre[u"y"].toInt()));
    return true;
}

int capturedCount(QWebEnginePage& page, const QString& event)
{
    int count = 0;
    for (const QJsonValue& captured : jsonArray(page, u"window.e2eCaptured || []"_qs))
        count += captured[u"event"].toString() == event ? 1 : 0;
    return count;
}

} // namespace

class TestBrowser final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();
    void offerThenAnswer_data();
    void offerThenAnswer();
    void identifyThenRetrieveByEmail();
    // Issue 14: each starts its own `serve` on tests/data/e2e/visits.
    void pingPongOverVisitsByClicks();
    void otherPosthogRequests_data();
    void otherPosthogRequests();
    void toastHidesItselfAfterTheInteractionTimeout();
    void offerForAPageLeftWhilePollingIsDropped();

private:
    QJsonObject explainContext(const QUrl& connector, const QString& sessionId);
    // Redis, two `serve` instances on it and nginx in front (docs/deploy.md),
    // started by the first test that needs them.
    void startScaledOut();

    QHttpServer m_pages;
    QUrl m_pagesUrl;
    std::unique_ptr<OwnServe> m_connector;
    QUrl m_connectorUrl;
    std::unique_ptr<proactive::testing::RedisServer> m_redis;
    std::vector<std::pair<std::unique_ptr<OwnServe>, QUrl>> m_instances;
    std::unique_ptr<proactive::testing::NginxProxy> m_nginx;
    QUrl m_nginxUrl;
    QNetworkAccessManager m_network;
    QStringList m_console;
};

void TestBrowser::initTestCase()
{
    QVERIFY2(QFile::exists(kPosthogBundle),
        qPrintable(kPosthogBundle + u" is missing: run `npm ci` in tests/e2e (scripts/test.sh does)"_qs));

    // The page's origin, distinct from the connector's: every call the
    // client and posthog-js make is cross-origin, as on a real product.
    const quint16 pagesPort = servePages(m_pages);
    QVERIFY(pagesPort != 0);
    m_pagesUrl = QUrl(u"http://127.0.0.1:%1"_qs.arg(pagesPort));

    m_connector = std::make_unique<OwnServe>(kWorkspace);
    m_connectorUrl = m_connector->waitListening();
    QVERIFY2(m_connectorUrl.port() > 0, m_connector->log().constData());
}

void TestBrowser::cleanupTestCase()
{
    if (m_connector)
        QVERIFY2(m_connector->stop(), m_connector->log().constData());
    m_nginx.reset();
    for (auto& [instance, url] : m_instances)
        QVERIFY2(instance->stop(), instance->log().constData());
}

void TestBrowser::init()
{
    m_console.clear();
    if (m_connector)
        m_connector->clearLog();
}

void TestBrowser::cleanup()
{
    if (!QTest::currentTestFailed())
        return;
    qWarning().noquote() << u"browser console:\n  "_qs + m_console.join(u"\n  "_qs);
    if (m_connector)
        qWarning().noquote() << u"connector log:\n"_qs + QString::fromUtf8(m_connector->log());
}

void TestBrowser::startScaledOut()
{
    if (m_nginx)
        return;
    m_redis = std::make_unique<proactive::testing::RedisServer>();
    QVERIFY2(m_redis->start(), qPrintable(m_redis->why()));
    QList<quint16> ports;
    for (int i = 0; i < 2; ++i) {
        auto instance = std::make_unique<OwnServe>(kWorkspace, QStringList { u"--store"_qs, m_redis->url() });
        const QUrl url = instance->waitListening();
        QVERIFY2(url.port() > 0, instance->log().constData());
        ports << quint16(url.port());
        m_instances.emplace_back(std::move(instance), url);
    }
    m_nginx = std::make_unique<proactive::testing::NginxProxy>(ports);
    QVERIFY2(m_nginx->start(), qPrintable(m_nginx->why()));
    m_nginxUrl = QUrl(u"http://127.0.0.1:%1"_qs.arg(m_nginx->port()));
}

QJsonObject TestBrowser::explainContext(const QUrl& connector, const QString& sessionId)
{
    QUrl url = connector;
    url.setPath(u"/context/%1/%2"_qs.arg(kProduct, sessionId));
    QUrlQuery query;
    query.addQueryItem(u"conversation_id"_qs, u"proactive:"_qs + sessionId);
    query.addQueryItem(u"explain"_qs, u"1"_qs);
    url.setQuery(query);
    std::unique_ptr<QNetworkReply> reply(m_network.get(QNetworkRequest(url)));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    if (!finished.wait(10'000) || reply->error() != QNetworkReply::NoError)
        return {};
    return QJsonDocument::fromJson(reply->readAll()).object();
}

void TestBrowser::offerThenAnswer_data()
{
    QTest::addColumn<QString>("button");
    QTest::addColumn<QString>("event");
    QTest::addColumn<QString>("stateAfter");
    QTest::addColumn<QString>("skipReasonAfter");
    QTest::addColumn<int>("dismissalsAfter");
    QTest::addColumn<bool>("scaledOut"); // through nginx to two instances on Redis (issue 17)

    QTest::newRow("dismiss-starts-cooldown")
        << u".dismiss"_qs << u"proactive_dismissed"_qs << u"conservative_assistance"_qs
        << u"fsm:conservative_cooldown"_qs << 1 << false;
    // The trigger has no tour, so accepting opens the chat only (SPEC §4).
    QTest::newRow("accept-opens-chat") << u".accept"_qs << u"proactive_accepted_chat"_qs << u"reactive_assistance"_qs
                                       << u"fsm:wrong_state"_qs << 0 << false;
    QTest::newRow("nginx-two-instances-on-redis")
        << u".dismiss"_qs << u"proactive_dismissed"_qs << u"conservative_assistance"_qs
        << u"fsm:conservative_cooldown"_qs << 1 << true;
}

void TestBrowser::offerThenAnswer()
{
    QFETCH(QString, button);
    QFETCH(QString, event);
    QFETCH(QString, stateAfter);
    QFETCH(QString, skipReasonAfter);
    QFETCH(int, dismissalsAfter);
    QFETCH(bool, scaledOut);
    if (scaledOut)
        startScaledOut();
    const QUrl connectorUrl = scaledOut ? m_nginxUrl : m_connectorUrl;
    const auto instanceRequests = [&] {
        QList<int> counts;
        for (const auto& instance : m_instances) {
            int total = 0;
            for (const int count : serveMetrics(m_network, instance.second))
                total += count;
            counts << total;
        }
        return counts;
    };
    const QList<int> requestsBefore = scaledOut ? instanceRequests() : QList<int>();

    // Off the record: each row is a new visitor, so a new PostHog session.
    QWebEngineProfile profile;
    ConsolePage page(&profile, &m_console);
    QWebEngineView view;
    view.setPage(&page);
    view.resize(1024, 768);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    QSignalSpy loaded(&page, &QWebEnginePage::loadFinished);
    page.load(clientPageUrl(m_pagesUrl, connectorUrl, kProduct, kToken, 250, 200));
    TRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, kStartupTimeoutMs);
    QVERIFY(loaded.first().first().toBool());

    const QString sessionId = jsonObject(page, u"{ id: posthog.get_session_id() }"_qs)[u"id"].toString();
    QVERIFY2(!sessionId.isEmpty(), qPrintable(m_console.join(u'\n')));

    // Before any back and forth: the client polls and nothing is offered.
    TRY_VERIFY_WITH_TIMEOUT(pageviewsOf(page, u"/projects"_qs) == 1, kFlowTimeoutMs);
    TRY_VERIFY_WITH_TIMEOUT(anyPoll(page, u"skipReason"_qs, u"no_trigger"_qs), kFlowTimeoutMs);
    QVERIFY(!toast(page)[u"shown"].toBool());

    // /projects → /settings → /projects through the history API: a → b → a.
    evaluateJson(page, u"e2eApp.navigate('/settings')"_qs);
    TRY_VERIFY_WITH_TIMEOUT(pageviewsOf(page, u"/settings"_qs) == 1, kFlowTimeoutMs);
    evaluateJson(page, u"e2eApp.navigate('/projects')"_qs);
    TRY_VERIFY_WITH_TIMEOUT(pageviewsOf(page, u"/projects"_qs) == 2, kFlowTimeoutMs);

    TRY_VERIFY_WITH_TIMEOUT(toast(page)[u"shown"].toBool(), kFlowTimeoutMs);
    const QJsonObject shown = toast(page);
    QCOMPARE(shown[u"triggerId"].toString(), u"ping-pong"_qs);
    QCOMPARE(shown[u"body"].toString(), kTriggerBody);
    QCOMPARE(shown[u"accept"].toString(), u"Show me"_qs);
    QCOMPARE(shown[u"dismiss"].toString(), u"Not now"_qs);
    QVERIFY(anyPoll(page, u"triggerId"_qs, u"ping-pong"_qs));

    // A real click: posthog-js autocaptures it like any user's.
    const QJsonObject centre = jsonObject(page, uR"((() => {
        const r = document.querySelector('#proactive-toast %1').getBoundingClientRect();
        return { x: Math.round(r.x + r.width / 2), y: Math.round(r.y + r.height / 2) };
    })())"_qs.arg(button));
    QVERIFY(!centre.isEmpty());
    const qsizetype pollsBeforeAnswer = pollCount(page);
    QTest::mouseClick(view.focusProxy(), Qt::LeftButton, {}, QPoint(centre[u"x"].toInt(), centre[u"y"].toInt()));

    TRY_VERIFY_WITH_TIMEOUT(!jsonArray(page, u"proactiveClient.agentStates"_qs).isEmpty(), kFlowTimeoutMs);
    const QJsonArray answers = jsonArray(page, u"proactiveClient.agentStates"_qs);
    QCOMPARE(answers.size(), 1);
    QCOMPARE(answers[0][u"event"].toString(), event);
    QCOMPARE(answers[0][u"status"].toInt(), 200);
    QCOMPARE(answers[0][u"body"][u"ok"].toBool(), true);
    QCOMPARE(answers[0][u"body"][u"previous_state"].toString(), u"proactive_assistance"_qs);
    QCOMPARE(answers[0][u"body"][u"state"].toString(), stateAfter);
    QVERIFY(!toast(page)[u"shown"].toBool());
    TRY_VERIFY_WITH_TIMEOUT(pageviewsOf(page, u"/projects"_qs) == 2
            && !jsonArray(page, u"e2eCaptured.filter(e => e.event === '$autocapture')"_qs).isEmpty(),
        kFlowTimeoutMs);

    // The connector's own account of the next poll, with every gate's verdict.
    const QJsonObject context = explainContext(connectorUrl, sessionId);
    QVERIFY2(!context.isEmpty(), m_connector->log().constData());
    QVERIFY(context[u"proactive_trigger"].isNull());
    QCOMPARE(context[u"proactive_skip_reason"].toString(), skipReasonAfter);
    QCOMPARE(context[u"state"].toString(), stateAfter);
    QJsonObject fsmGate;
    for (const QJsonValue& gate : context[u"gates"].toArray())
        if (gate[u"gate"].toString() == u"fsm")
            fsmGate = gate.toObject();
    QCOMPARE(fsmGate[u"verdict"].toString(), u"block"_qs);
    QCOMPARE(fsmGate[u"numbers"][u"dismissals"].toInt(), dismissalsAfter);

    // The client sees the same on its own polls, and the toast stays hidden.
    TRY_VERIFY_WITH_TIMEOUT(anyPoll(page, u"skipReason"_qs, skipReasonAfter, pollsBeforeAnswer), kFlowTimeoutMs);
    QVERIFY(!toast(page)[u"shown"].toBool());

    if (scaledOut) {
        // nginx spread the page's captures and polls over both instances:
        // each decided on state the other wrote.
        const QList<int> requestsAfter = instanceRequests();
        for (qsizetype i = 0; i < requestsAfter.size(); ++i)
            QVERIFY2(requestsAfter[i] > requestsBefore[i] + 2, qPrintable(u"instance %1"_qs.arg(i)));
    }
}

// SPEC §8 "§6 Ping-pong over visits": /projects → /settings → /projects by
// clicking links, with autocapture on, is a pageview and a click per page.
// The reference rule sees no a,b,a; over visits it does.
void TestBrowser::pingPongOverVisitsByClicks()
{
    OwnServe serve(kVisitsWorkspace);
    const QUrl connector = serve.waitListening();
    QVERIFY2(connector.port() > 0, serve.log().constData());
    QHttpServer pages;
    const quint16 pagesPort = servePages(pages);
    QVERIFY(pagesPort != 0);

    QWebEngineProfile profile;
    ConsolePage page(&profile, &m_console);
    QWebEngineView view;
    view.setPage(&page);
    view.resize(1024, 768);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    // The tutorial's client stays quiet (its first poll is minutes away):
    // the test's own explained poll is the first, so it shows both triggers.
    QUrl url(u"http://127.0.0.1:%1/projects"_qs.arg(pagesPort));
    QUrlQuery settings;
    settings.addQueryItem(u"connector"_qs, connector.toString(QUrl::StripTrailingSlash));
    settings.addQueryItem(u"product"_qs, kVisitsProduct);
    settings.addQueryItem(u"token"_qs, kVisitsToken);
    settings.addQueryItem(u"poll_ms"_qs, u"600000"_qs);
    settings.addQueryItem(u"first_poll_ms"_qs, u"600000"_qs);
    settings.addQueryItem(u"flush_ms"_qs, u"250"_qs);
    url.setQuery(settings);
    QSignalSpy loaded(&page, &QWebEnginePage::loadFinished);
    page.load(url);
    TRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, kStartupTimeoutMs);
    QVERIFY(loaded.first().first().toBool());
    TRY_VERIFY_WITH_TIMEOUT(pageviewsOf(page, u"/projects"_qs) == 1, kFlowTimeoutMs);

    QVERIFY(clickElement(view, page, u"nav a[data-route=\"/settings\"]"_qs));
    TRY_VERIFY_WITH_TIMEOUT(pageviewsOf(page, u"/settings"_qs) == 1, kFlowTimeoutMs);
    QVERIFY(clickElement(view, page, u"nav a[data-route=\"/projects\"]"_qs));
    TRY_VERIFY_WITH_TIMEOUT(pageviewsOf(page, u"/projects"_qs) == 2, kFlowTimeoutMs);
    QCOMPARE(capturedCount(page, u"$autocapture"_qs), 2);

    // Five actions: the connector has them all once it accepted five events.
    TRY_VERIFY_WITH_TIMEOUT(serveMetrics(m_network, connector).value(u"events accepted"_qs) >= 5, kFlowTimeoutMs);
    const QString sessionId = jsonObject(page, u"{ id: posthog.get_session_id() }"_qs)[u"id"].toString();
    QVERIFY(!sessionId.isEmpty());
    QUrl contextUrl = connector;
    contextUrl.setPath(u"/context/%1/%2"_qs.arg(kVisitsProduct, sessionId));
    contextUrl.setQuery(u"conversation_id=proactive:%1&explain=1"_qs.arg(sessionId));
    const QJsonObject context = QJsonDocument::fromJson(httpGet(m_network, contextUrl)).object();
    QVERIFY2(!context.isEmpty(), serve.log().constData());
    QCOMPARE(context[u"proactive_trigger"][u"trigger_id"].toString(), u"ping-pong-visits"_qs);

    QJsonObject byActions;
    QJsonObject byVisits;
    for (const QJsonValue& gate : context[u"gates"].toArray())
        for (const QJsonValue& trigger : gate[u"triggers"].toArray())
            (trigger[u"trigger_id"].toString() == u"ping-pong-actions" ? byActions : byVisits) = trigger.toObject();
    QCOMPARE(byActions[u"status"].toString(), u"no_match"_qs);
    QCOMPARE(byVisits[u"status"].toString(), u"matched"_qs);
    // The why-not names the option and the cycle it would have seen.
    const QString summary = byActions[u"condition"][u"summary"].toString();
    QVERIFY2(summary.endsWith(
                 u"; over visits (\"over\": \"visits\") it would have fired: /projects → /settings → /projects"_qs),
        qPrintable(summary));
}

// SPEC §8 "§1 posthog-js's other requests": whatever posthog-js asks the
// connector for on load is answered (no CORS or load error in the console)
// and asked once (no retry loop), with its defaults and with the test page's
// options (everything remote turned off).
void TestBrowser::otherPosthogRequests_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("bundle"); // the posthog-js build defaults.html loads
    QTest::addColumn<QStringList>("loadedOnce"); // connector paths (query left out) asked exactly once
    QTest::addColumn<QStringList>("never"); // connector paths never asked

    const QString version = u"1.449.2"_qs; // tests/e2e/package.json
    const QString dist = QStringLiteral(PROACTIVE_SOURCE_DIR "/tests/e2e/node_modules/posthog-js/dist/");
    const QString config = u"/array/"_qs + kVisitsToken + u"/config"_qs;
    const QStringList noFallbacks { config, u"/static/surveys.js"_qs, u"/flags/"_qs, u"/decide/"_qs };
    // Defaults: the remote config comes from config.js (so no JSON
    // fallback) and says no flags (so no /flags/).
    QTest::newRow("defaults-full-bundle")
        << u"/defaults/projects"_qs << dist + u"array.full.js"_qs << QStringList { config + u".js"_qs } << noFallbacks;
    // The lean bundle (what PostHog's snippet loads) fetches its extensions
    // from api_host: surveys.js even with surveys off, versioned first
    // (strict_script_versioning "fallback").
    QTest::newRow("defaults-lean-bundle")
        << u"/defaults/projects"_qs << dist + u"array.js"_qs
        << QStringList { config + u".js"_qs, u"/static/"_qs + version + u"/surveys.js"_qs } << noFallbacks;
    // The test page turns remote config off: nothing but capture.
    QTest::newRow("test-page") << u"/projects"_qs << kPosthogBundle << QStringList {}
                               << QStringList { config + u".js"_qs, config, u"/flags/"_qs, u"/decide/"_qs };
}

void TestBrowser::otherPosthogRequests()
{
    QFETCH(QString, path);
    QFETCH(QString, bundle);
    QFETCH(QStringList, loadedOnce);
    QFETCH(QStringList, never);

    OwnServe serve(kVisitsWorkspace);
    const QUrl connector = serve.waitListening();
    QVERIFY2(connector.port() > 0, serve.log().constData());
    QHttpServer pages;
    const quint16 pagesPort = servePages(pages, bundle);
    QVERIFY(pagesPort != 0);

    QWebEngineProfile profile;
    ConsolePage page(&profile, &m_console);
    QWebEngineView view;
    view.setPage(&page);
    view.resize(1024, 768);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    QUrl url(u"http://127.0.0.1:%1%2"_qs.arg(pagesPort).arg(path));
    QUrlQuery settings;
    settings.addQueryItem(u"connector"_qs, connector.toString(QUrl::StripTrailingSlash));
    settings.addQueryItem(u"product"_qs, kVisitsProduct);
    settings.addQueryItem(u"token"_qs, kVisitsToken);
    settings.addQueryItem(u"poll_ms"_qs, u"600000"_qs);
    settings.addQueryItem(u"first_poll_ms"_qs, u"600000"_qs);
    url.setQuery(settings);
    QSignalSpy loaded(&page, &QWebEnginePage::loadFinished);
    page.load(url);
    TRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, kStartupTimeoutMs);
    QVERIFY(loaded.first().first().toBool());

    // A few events over a few flushes (posthog-js's default is every 3 s):
    // a retry loop would show in the counts by the time they are in.
    TRY_VERIFY_WITH_TIMEOUT(capturedCount(page, u"$pageview"_qs) >= 1, kFlowTimeoutMs);
    for (const QString& route : { u"/settings"_qs, u"/projects"_qs, u"/settings"_qs }) {
        const int clicks = capturedCount(page, u"$autocapture"_qs);
        QVERIFY(clickElement(view, page, u"nav a[data-route=\"%1\"]"_qs.arg(route)));
        TRY_VERIFY_WITH_TIMEOUT(capturedCount(page, u"$autocapture"_qs) == clicks + 1, kFlowTimeoutMs);
    }
    // Only these are actions; posthog-js's own bookkeeping events are not counted as accepted.
    const int captured = capturedCount(page, u"$pageview"_qs) + capturedCount(page, u"$autocapture"_qs);
    QVERIFY(captured >= 4);
    TRY_VERIFY_WITH_TIMEOUT(
        serveMetrics(m_network, connector).value(u"events accepted"_qs) >= captured, 2 * kFlowTimeoutMs);

    // Every request the page made to the connector, by path.
    const QJsonArray requested = jsonArray(page,
        uR"(performance.getEntriesByType('resource')
        .map(e => new URL(e.name)).filter(u => u.origin === %1).map(u => u.pathname))"_qs.arg(
            u"'"_qs + connector.toString(QUrl::StripTrailingSlash) + u"'"_qs));
    QMap<QString, int> perPath;
    for (const QJsonValue& p : requested)
        ++perPath[p.toString()];
    const auto counts = [&] {
        QStringList lines;
        for (auto it = perPath.cbegin(); it != perPath.cend(); ++it)
            lines << it.key() + u" ×"_qs + QString::number(it.value());
        return lines.join(u", "_qs);
    };
    qInfo().noquote() << u"requests to the connector:"_qs << counts();
    for (const QString& once : loadedOnce)
        QVERIFY2(perPath.value(once) == 1, qPrintable(once + u": "_qs + counts()));
    for (const QString& absent : never)
        QVERIFY2(!perPath.contains(absent), qPrintable(absent + u": "_qs + counts()));
    // Besides capture (one request per flush), nothing is asked twice.
    for (auto it = perPath.cbegin(); it != perPath.cend(); ++it)
        if (it.key() != u"/e/" && it.key() != u"/i/v0/e/" && it.key() != u"/batch/")
            QVERIFY2(it.value() == 1, qPrintable(counts()));

    // The connector answered every one of them with a success.
    const auto metrics = serveMetrics(m_network, connector);
    for (auto it = metrics.cbegin(); it != metrics.cend(); ++it)
        QVERIFY2(
            !it.key().contains(u"(unmatched)"_qs) && !QRegularExpression(u" [45]\\d\\d$"_qs).match(it.key()).hasMatch(),
            qPrintable(it.key()));

    // And the browser logged no failed load, CORS refusal or posthog-js
    // error (posthog-js logs errors only in debug mode; the browser's own
    // messages come regardless).
    for (const QString& line : m_console)
        QVERIFY2(!line.contains(u"CORS"_qs, Qt::CaseInsensitive) && !line.contains(u"Failed to load"_qs)
                && !line.contains(u"ERR_"_qs) && !line.contains(u"[PostHog.js]"_qs),
            qPrintable(m_console.join(u'\n')));
}

namespace {

// Holds every answer of /context in the page until the test releases it,
// so that the user can navigate while a poll is in flight. The request
// itself goes out at once: the connector decides (and fires) as usual.
const QString kHoldPolls = uR"((() => {
    const original = window.fetch;
    window.heldPolls = [];
    window.fetch = (input, init) => {
        const response = original(input, init);
        if (!String(input).includes('/context/')) return response;
        return new Promise((resolve) => {
            const held = { answered: false, triggerId: null, released: false,
                           release() { this.released = true; resolve(response); } };
            response.then((r) => r.clone().json()).then((json) => {
                held.triggerId = json?.proactive_trigger?.trigger_id ?? null;
                held.answered = true;
            });
            window.heldPolls.push(held);
        });
    };
    // Lets every answered poll without an offer through; true once one with an offer is held.
    window.releaseEmptyPolls = () => {
        for (const held of window.heldPolls)
            if (held.answered && !held.triggerId && !held.released) held.release();
        return window.heldPolls.some((held) => held.triggerId && !held.released);
    };
    window.toastEverShown = false;
    new MutationObserver(() => {
        if (document.getElementById('proactive-toast')) window.toastEverShown = true;
    }).observe(document.getElementById('toast-root'), { childList: true });
    return true;
})())"_qs;

} // namespace

// SPEC §8 "§4 Client": the client page hides the toast when the offer's
// interaction_timeout_s (1 s for this product) has passed since it appeared,
// on its own timer, before the next poll (every 3 s) would.
void TestBrowser::toastHidesItselfAfterTheInteractionTimeout()
{
    QWebEngineProfile profile;
    ConsolePage page(&profile, &m_console);
    QWebEngineView view;
    view.setPage(&page);
    view.resize(1024, 768);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy loaded(&page, &QWebEnginePage::loadFinished);
    page.load(clientPageUrl(m_pagesUrl, m_connectorUrl, u"e2e-short-offer"_qs, u"phc_e2e_short_offer"_qs, 3000, 200));
    TRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, kStartupTimeoutMs);
    QVERIFY(loaded.first().first().toBool());

    TRY_VERIFY_WITH_TIMEOUT(pageviewsOf(page, u"/projects"_qs) == 1, kFlowTimeoutMs);
    evaluateJson(page, u"e2eApp.navigate('/settings')"_qs);
    TRY_VERIFY_WITH_TIMEOUT(pageviewsOf(page, u"/settings"_qs) == 1, kFlowTimeoutMs);
    evaluateJson(page, u"e2eApp.navigate('/projects')"_qs);
    TRY_VERIFY_WITH_TIMEOUT(pageviewsOf(page, u"/projects"_qs) == 2, kFlowTimeoutMs);

    TRY_VERIFY_WITH_TIMEOUT(toast(page)[u"shown"].toBool(), kFlowTimeoutMs);
    const qsizetype pollsWhenShown = pollCount(page);
    QVERIFY(anyPoll(page, u"triggerId"_qs, u"ping-pong"_qs));
    TRY_VERIFY_WITH_TIMEOUT(!toast(page)[u"shown"].toBool(), kFlowTimeoutMs);
    // Its own timer hid it, not a poll's null answer; nothing was answered.
    QCOMPARE(pollCount(page), pollsWhenShown);
    const QJsonArray expired = jsonArray(page, u"proactiveClient.expired"_qs);
    QCOMPARE(expired.size(), 1);
    QCOMPARE(expired[0][u"triggerId"].toString(), u"ping-pong"_qs);
    QVERIFY(jsonArray(page, u"proactiveClient.agentStates"_qs).isEmpty());
}

// SPEC §8 "§4 Client": the poll that brings the offer is in flight while
// the SPA navigates (history.pushState); the client drops the offer unseen
// and posts nothing, and the next polls decide.
void TestBrowser::offerForAPageLeftWhilePollingIsDropped()
{
    QWebEngineProfile profile;
    ConsolePage page(&profile, &m_console);
    QWebEngineView view;
    view.setPage(&page);
    view.resize(1024, 768);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy loaded(&page, &QWebEnginePage::loadFinished);
    page.load(clientPageUrl(m_pagesUrl, m_connectorUrl, kProduct, kToken, 250, 1000));
    TRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, kStartupTimeoutMs);
    QVERIFY(loaded.first().first().toBool());
    QVERIFY(evaluateJson(page, kHoldPolls).toBool());

    TRY_VERIFY_WITH_TIMEOUT(pageviewsOf(page, u"/projects"_qs) == 1, kFlowTimeoutMs);
    evaluateJson(page, u"e2eApp.navigate('/settings')"_qs);
    TRY_VERIFY_WITH_TIMEOUT(pageviewsOf(page, u"/settings"_qs) == 1, kFlowTimeoutMs);
    evaluateJson(page, u"e2eApp.navigate('/projects')"_qs);
    TRY_VERIFY_WITH_TIMEOUT(pageviewsOf(page, u"/projects"_qs) == 2, kFlowTimeoutMs);
    // The connector offers; its answer is held in flight.
    TRY_VERIFY_WITH_TIMEOUT(evaluateJson(page, u"releaseEmptyPolls()"_qs).toBool(), kFlowTimeoutMs);

    evaluateJson(page, u"e2eApp.navigate('/settings')"_qs);
    evaluateJson(page, u"heldPolls.find((held) => held.triggerId && !held.released).release()"_qs);
    TRY_COMPARE_WITH_TIMEOUT(jsonArray(page, u"proactiveClient.dropped"_qs).size(), 1, kFlowTimeoutMs);
    const QJsonObject dropped = jsonArray(page, u"proactiveClient.dropped"_qs)[0].toObject();
    QCOMPARE(dropped[u"triggerId"].toString(), u"ping-pong"_qs);
    QCOMPARE(QUrl(dropped[u"sentFrom"].toString()).path(), u"/projects"_qs);
    QCOMPARE(QUrl(dropped[u"page"].toString()).path(), u"/settings"_qs);
    QVERIFY(!toast(page)[u"shown"].toBool());

    // The offer is still open on the connector: the next polls answer null.
    const qsizetype pollsAfterDrop = pollCount(page);
    TRY_VERIFY_WITH_TIMEOUT(
        evaluateJson(page, u"releaseEmptyPolls(), proactiveClient.polls.length"_qs).toInt() > pollsAfterDrop,
        kFlowTimeoutMs);
    QVERIFY(anyPoll(page, u"skipReason"_qs, u"fsm:wrong_state"_qs, pollsAfterDrop));
    QCOMPARE(evaluateJson(page, u"window.toastEverShown"_qs).toBool(), false);
    QVERIFY(jsonArray(page, u"proactiveClient.agentStates"_qs).isEmpty());
}

// posthog-js's identify('user-x', {email}) sends the email only in the
// $identify event's $set (SPEC §8 §1 Identity): Dify's retrieval by that
// email must find the page's session. A connector of its own, since
// /retrieval needs its key in the environment `serve` starts with.
void TestBrowser::identifyThenRetrieveByEmail()
{
    const QByteArray key = "e2e-retrieval-key";
    OwnServe connector(kWorkspace, { u"--retrieval-key-env"_qs, u"E2E_RETRIEVAL_KEY"_qs },
        { { u"E2E_RETRIEVAL_KEY"_qs, QString::fromLatin1(key) } });
    const QUrl connectorUrl = connector.waitListening();
    QVERIFY2(connectorUrl.port() > 0, connector.log().constData());

    QWebEngineProfile profile;
    ConsolePage page(&profile, &m_console);
    // A page nobody shows is throttled by Chromium: show it, as a visitor would.
    QWebEngineView view;
    view.setPage(&page);
    view.resize(1024, 768);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QUrl url = m_pagesUrl;
    url.setPath(u"/projects"_qs);
    QUrlQuery settings;
    settings.addQueryItem(u"connector"_qs, connectorUrl.toString(QUrl::StripTrailingSlash));
    settings.addQueryItem(u"product"_qs, kProduct);
    settings.addQueryItem(u"token"_qs, kToken);
    settings.addQueryItem(u"flush_ms"_qs, u"250"_qs);
    url.setQuery(settings);
    QSignalSpy loaded(&page, &QWebEnginePage::loadFinished);
    page.load(url);
    TRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, kStartupTimeoutMs);
    QVERIFY(loaded.first().first().toBool());
    const QString sessionId = jsonObject(page, u"{ id: posthog.get_session_id() }"_qs)[u"id"].toString();
    QVERIFY2(!sessionId.isEmpty(), qPrintable(m_console.join(u'\n')));

    // What Dify would ask: the knowledge of the user with this email.
    const auto retrieve = [&](const QString& email) {
        QUrl retrieval = connectorUrl;
        retrieval.setPath(u"/retrieval"_qs);
        QNetworkRequest request(retrieval);
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_qs);
        request.setRawHeader("Authorization", "Bearer " + key);
        const QJsonObject body { { u"knowledge_id"_qs, email }, { u"query"_qs, u"What was I doing?"_qs },
            { u"retrieval_setting"_qs, QJsonObject { { u"top_k"_qs, 5 }, { u"score_threshold"_qs, 0.0 } } } };
        std::unique_ptr<QNetworkReply> reply(m_network.post(request, QJsonDocument(body).toJson()));
        QSignalSpy finished(reply.get(), &QNetworkReply::finished);
        finished.wait(10'000);
        return std::pair { reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
            QJsonDocument::fromJson(reply->readAll()).object() };
    };
    TRY_VERIFY_WITH_TIMEOUT(pageviewsOf(page, u"/projects"_qs) == 1, kFlowTimeoutMs);
    QCOMPARE(retrieve(u"x@example.com"_qs).first, 404);

    evaluateJson(page, u"posthog.identify('user-x', { email: 'x@example.com' }), true"_qs);
    TRY_VERIFY_WITH_TIMEOUT(
        !jsonArray(page, u"e2eCaptured.filter(e => e.event === '$identify')"_qs).isEmpty(), kFlowTimeoutMs);
    // Sent within a flush interval; wait on the answer, not on a clock.
    TRY_VERIFY_WITH_TIMEOUT(retrieve(u"x@example.com"_qs).first == 200, kFlowTimeoutMs);
    const QJsonObject knowledge = retrieve(u"X@Example.com"_qs).second;
    const QJsonArray records = knowledge[u"records"].toArray();
    QVERIFY(!records.isEmpty());
    QCOMPARE(records[0][u"metadata"][u"session_id"].toString(), sessionId);
    QCOMPARE(records[0][u"metadata"][u"distinct_id"].toString(), u"user-x"_qs);
    // $identify itself is no action: the pageview is the session's knowledge.
    for (const QJsonValue& record : records)
        QVERIFY(record[u"metadata"][u"event"].toString() != u"$identify");
}

QTEST_MAIN(TestBrowser)
#include "tst_browser.moc"
