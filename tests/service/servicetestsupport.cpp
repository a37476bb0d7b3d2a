#include "servicetestsupport.h"

#include "eventwait.h"

#include <QFile>
#include <QMetaObject>
#include <QTest>

namespace proactive::test {

std::shared_ptr<const Workspace> serviceWorkspace()
{
    qputenv("PROACTIVE_TEST_WEBHOOK_SECRET", kWebhookSecret);
    Diagnostics diagnostics;
    auto workspace
        = std::make_shared<const Workspace>(Workspace::load(PROACTIVE_TEST_DATA "/service/workspace", diagnostics));
    for (const auto& d : diagnostics)
        qWarning("%s", d.toString().c_str());
    return workspace;
}

QByteArray readTestFile(const QString& relativeToTestData)
{
    QFile file(QStringLiteral(PROACTIVE_TEST_DATA "/") + relativeToTestData);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot open test data %s", qPrintable(file.fileName()));
    return file.readAll();
}

QProcessEnvironment serveEnvironment()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"PROACTIVE_TEST_WEBHOOK_SECRET"_qs, QString::fromLatin1(kWebhookSecret));
    environment.insert(u"PROACTIVE_RETRIEVAL_KEY"_qs, QString::fromLatin1(kRetrievalKey));
    return environment;
}

service::ServiceSettings ServiceThread::defaultSettings()
{
    service::ServiceSettings settings;
    settings.retrievalKey = kRetrievalKey;
    return settings;
}

ServiceThread::ServiceThread(
    std::shared_ptr<const Workspace> workspace, Store& store, const Clock& clock, service::ServiceSettings settings)
    : m_connector(std::make_unique<Connector>(std::move(workspace), store, clock))
{
    settings.accessLog = [this](std::string_view line) {
        std::lock_guard lock(m_logMutex);
        m_log.append(QString::fromUtf8(line.data(), qsizetype(line.size())));
    };
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    m_thread.start();
    run([&] {
        m_service = std::make_unique<service::HttpService>(*m_connector, std::move(settings));
        QObject::connect(m_service.get(), &service::HttpService::stopped, m_context, [this] { m_stopped = true; });
        m_port = m_service->listen(QHostAddress::LocalHost, 0);
    });
    if (m_port == 0)
        qFatal("the service does not listen");
}

ServiceThread::~ServiceThread()
{
    run([&] {
        m_service.reset();
        delete m_context;
    });
    m_thread.quit();
    m_thread.wait();
}

void ServiceThread::run(const std::function<void()>& f)
{
    QMetaObject::invokeMethod(m_context, f, Qt::BlockingQueuedConnection);
}

QStringList ServiceThread::accessLog() const
{
    std::lock_guard lock(m_logMutex);
    return m_log;
}

std::string ServiceThread::metricsText() const
{
    return m_service->metrics().render();
}

std::uint64_t ServiceThread::requests(std::string_view route, int status) const
{
    return m_service->metrics().requests(route, status);
}

std::size_t ServiceThread::connectionCapacity()
{
    std::size_t capacity = 0;
    run([&] { capacity = m_service->connectionCapacity(); });
    return capacity;
}

std::size_t ServiceThread::requestsInProgress()
{
    std::size_t count = 0;
    run([&] { count = m_service->requestsInProgress(); });
    return count;
}

std::size_t ServiceThread::bufferedBytes()
{
    std::size_t bytes = 0;
    run([&] { bytes = m_service->bufferedBytes(); });
    return bytes;
}

void ServiceThread::beginShutdown()
{
    run([&] { m_service->shutdown(); });
}

bool ServiceThread::waitStopped(int timeoutMs)
{
    return proactive::testing::waitFor([&] { return m_stopped.load(); }, timeoutMs);
}

nlohmann::json pageview(const std::string& sessionId, const std::string& path, Timestamp at, const std::string& uuid,
    const std::string& token, const std::string& distinctId)
{
    return {
        { "uuid", uuid },
        { "event", "$pageview" },
        { "timestamp", formatIsoTimestamp(at) },
        { "properties",
            { { "$current_url", "https://app.example.com" + path }, { "$pathname", path }, { "$session_id", sessionId },
                { "distinct_id", distinctId }, { "token", token } } },
    };
}

QByteArray batchBody(const std::vector<nlohmann::json>& events, const std::string& token)
{
    return QByteArray::fromStdString(nlohmann::json { { "api_key", token }, { "batch", events } }.dump());
}

QByteArray pingPongBatch(
    const std::string& sessionId, Timestamp end, const std::string& token, const std::string& distinctId)
{
    using namespace std::chrono_literals;
    return batchBody({ pageview(sessionId, "/projects", end - 2s, sessionId + "-1", token, distinctId),
                         pageview(sessionId, "/projects/7", end - 1s, sessionId + "-2", token, distinctId),
                         pageview(sessionId, "/projects", end, sessionId + "-3", token, distinctId) },
        token);
}

} // namespace proactive::test
