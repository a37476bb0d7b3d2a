// The whole loop in a real browser: QtWebEngine loads a page running the real
// posthog-js bundle (npm, pinned in package.json) with api_host pointed at the
// real `proactive-studio serve`, plus the tutorial's client (poll, toast,
// /agent_state). The test navigates with the history API until the built-in
// canonical_url_ping_pong trigger fires, waits for the toast, clicks an
// answer with real mouse events, and checks what /context says afterwards.
// Nothing is mocked; every wait is on a condition, never a fixed sleep.

#include "eventwait.h"
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
#include <QScopeGuard>
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

private:
    QJsonObject explainContext(const QString& sessionId);

    QHttpServer m_pages;
    QUrl m_pagesUrl;
    QProcess m_connector;
    QByteArray m_connectorOut;
    QByteArray m_connectorErr;
    QUrl m_connectorUrl;
    QNetworkAccessManager m_network;
    QStringList m_console;
};

void TestBrowser::initTestCase()
{
    QVERIFY2(QFile::exists(kPosthogBundle),
        qPrintable(kPosthogBundle + u" is missing: run `npm ci` in tests/e2e (scripts/test.sh does)"_qs));

    // The page's origin, distinct from the connector's: every call the
    // client and posthog-js make is cross-origin, as on a real product.
    const QByteArray html = "text/html; charset=utf-8";
    const QByteArray script = "text/javascript; charset=utf-8";
    for (const QString& route : { u"/projects"_qs, u"/settings"_qs })
        m_pages.route(route, [=] { return fileResponse(kPageDir + u"/index.html"_qs, html); });
    m_pages.route(
        u"/proactive-client.js"_qs, [=] { return fileResponse(kPageDir + u"/proactive-client.js"_qs, script); });
    m_pages.route(u"/posthog/array.full.js"_qs, [=] { return fileResponse(kPosthogBundle, script); });
    const quint16 pagesPort = m_pages.listen(QHostAddress::LocalHost, 0);
    QVERIFY(pagesPort != 0);
    m_pagesUrl = QUrl(u"http://127.0.0.1:%1"_qs.arg(pagesPort));

    connect(&m_connector, &QProcess::readyReadStandardOutput, this,
        [this] { m_connectorOut += m_connector.readAllStandardOutput(); });
    connect(&m_connector, &QProcess::readyReadStandardError, this,
        [this] { m_connectorErr += m_connector.readAllStandardError(); });
    m_connector.start(
        kStudio, { u"serve"_qs, u"--workspace"_qs, kWorkspace, u"--listen"_qs, u"127.0.0.1:0"_qs, u"--memory"_qs });
    QVERIFY2(m_connector.waitForStarted(), qPrintable(m_connector.errorString()));
    TRY_VERIFY2_WITH_TIMEOUT(m_connectorOut.contains('\n') || m_connector.state() == QProcess::NotRunning,
        m_connectorErr.constData(), kStartupTimeoutMs);
    const QByteArray line = m_connectorOut.left(m_connectorOut.indexOf('\n')).trimmed();
    const QByteArray prefix = "listening on ";
    QVERIFY2(line.startsWith(prefix + "http://127.0.0.1:"), (line + '\n' + m_connectorErr).constData());
    m_connectorUrl = QUrl(QString::fromUtf8(line.mid(prefix.size())));
    QVERIFY(m_connectorUrl.port() > 0);
}

void TestBrowser::cleanupTestCase()
{
    if (m_connector.state() == QProcess::NotRunning)
        return;
    m_connector.terminate();
    QVERIFY(m_connector.waitForFinished(15'000));
    QCOMPARE(m_connector.exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_connector.exitCode(), 0);
}

void TestBrowser::init()
{
    m_console.clear();
    m_connectorErr.clear();
}

void TestBrowser::cleanup()
{
    if (!QTest::currentTestFailed())
        return;
    qWarning().noquote() << u"browser console:\n  "_qs + m_console.join(u"\n  "_qs);
    qWarning().noquote() << u"connector log:\n"_qs + QString::fromUtf8(m_connectorErr);
}

QJsonObject TestBrowser::explainContext(const QString& sessionId)
{
    QUrl url = m_connectorUrl;
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

    QTest::newRow("dismiss-starts-cooldown") << u".dismiss"_qs << u"proactive_dismissed"_qs
                                             << u"conservative_assistance"_qs << u"fsm:conservative_cooldown"_qs << 1;
    // The trigger has no tour, so accepting opens the chat only (SPEC §4).
    QTest::newRow("accept-opens-chat") << u".accept"_qs << u"proactive_accepted_chat"_qs << u"reactive_assistance"_qs
                                       << u"fsm:wrong_state"_qs << 0;
}

void TestBrowser::offerThenAnswer()
{
    QFETCH(QString, button);
    QFETCH(QString, event);
    QFETCH(QString, stateAfter);
    QFETCH(QString, skipReasonAfter);
    QFETCH(int, dismissalsAfter);

    // Off the record: each row is a new visitor, so a new PostHog session.
    QWebEngineProfile profile;
    ConsolePage page(&profile, &m_console);
    QWebEngineView view;
    view.setPage(&page);
    view.resize(1024, 768);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));

    QUrl url = m_pagesUrl;
    url.setPath(u"/projects"_qs);
    QUrlQuery settings;
    settings.addQueryItem(u"connector"_qs, m_connectorUrl.toString(QUrl::StripTrailingSlash));
    settings.addQueryItem(u"product"_qs, kProduct);
    settings.addQueryItem(u"token"_qs, kToken);
    settings.addQueryItem(u"poll_ms"_qs, u"250"_qs);
    settings.addQueryItem(u"first_poll_ms"_qs, u"200"_qs);
    settings.addQueryItem(u"race_ms"_qs, u"30000"_qs);
    settings.addQueryItem(u"flush_ms"_qs, u"250"_qs);
    url.setQuery(settings);

    QSignalSpy loaded(&page, &QWebEnginePage::loadFinished);
    page.load(url);
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
    const QJsonObject context = explainContext(sessionId);
    QVERIFY2(!context.isEmpty(), m_connectorErr.constData());
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
}

// posthog-js's identify('user-x', {email}) sends the email only in the
// $identify event's $set (SPEC §8 §1 Identity): Dify's retrieval by that
// email must find the page's session. A connector of its own, since
// /retrieval needs its key in the environment `serve` starts with.
void TestBrowser::identifyThenRetrieveByEmail()
{
    const QByteArray key = "e2e-retrieval-key";
    QProcess connector;
    QByteArray connectorOut;
    QByteArray connectorErr;
    connect(&connector, &QProcess::readyReadStandardOutput, this,
        [&] { connectorOut += connector.readAllStandardOutput(); });
    connect(
        &connector, &QProcess::readyReadStandardError, this, [&] { connectorErr += connector.readAllStandardError(); });
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"E2E_RETRIEVAL_KEY"_qs, QString::fromLatin1(key));
    connector.setProcessEnvironment(environment);
    connector.start(kStudio,
        { u"serve"_qs, u"--workspace"_qs, kWorkspace, u"--listen"_qs, u"127.0.0.1:0"_qs, u"--memory"_qs,
            u"--retrieval-key-env"_qs, u"E2E_RETRIEVAL_KEY"_qs });
    QVERIFY2(connector.waitForStarted(), qPrintable(connector.errorString()));
    const auto stop = qScopeGuard([&] {
        connector.terminate();
        connector.waitForFinished(15'000);
    });
    TRY_VERIFY2_WITH_TIMEOUT(connectorOut.contains('\n') || connector.state() == QProcess::NotRunning,
        connectorErr.constData(), kStartupTimeoutMs);
    const QByteArray line = connectorOut.left(connectorOut.indexOf('\n')).trimmed();
    QVERIFY2(line.startsWith("listening on http://127.0.0.1:"), (line + '\n' + connectorErr).constData());
    const QUrl connectorUrl(QString::fromUtf8(line.mid(int(qstrlen("listening on ")))));

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
