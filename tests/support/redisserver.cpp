#include "redisserver.h"

#include <QDeadlineTimer>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <csignal>

namespace proactive::testing {

namespace {

    quint16 freePort()
    {
        QTcpServer probe;
        if (!probe.listen(QHostAddress::LocalHost, 0))
            return 0;
        return probe.serverPort();
    }

    QByteArray encode(const QStringList& arguments)
    {
        QByteArray request = "*" + QByteArray::number(arguments.size()) + "\r\n";
        for (const QString& argument : arguments) {
            const QByteArray bytes = argument.toUtf8();
            request += "$" + QByteArray::number(bytes.size()) + "\r\n" + bytes + "\r\n";
        }
        return request;
    }

} // namespace

RedisServer::RedisServer(QStringList extraArguments)
    : m_extraArguments(std::move(extraArguments))
    , m_port(freePort())
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
}

RedisServer::~RedisServer()
{
    if (m_process.state() != QProcess::NotRunning) {
        resume();
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

QString RedisServer::url(const QString& query) const
{
    return QStringLiteral("redis://127.0.0.1:%1/0%2").arg(m_port).arg(query);
}

bool RedisServer::start()
{
    const QString program = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    if (program.isEmpty()) {
        m_why = QStringLiteral("redis-server is not installed (scripts/install-deps.sh installs it)");
        return false;
    }
    if (!m_dir.isValid() || m_port == 0) {
        m_why = QStringLiteral("no temporary directory or free port");
        return false;
    }
    QStringList arguments { QStringLiteral("--port"), QString::number(m_port), QStringLiteral("--bind"),
        QStringLiteral("127.0.0.1"), QStringLiteral("--dir"), m_dir.path(), QStringLiteral("--save"), QString(),
        QStringLiteral("--daemonize"), QStringLiteral("no"), QStringLiteral("--logfile"), QString() };
    arguments += m_extraArguments;
    m_process.start(program, arguments);
    if (!m_process.waitForStarted(5000)) {
        m_why = QStringLiteral("redis-server did not start: ") + m_process.errorString();
        return false;
    }
    const QDeadlineTimer deadline(10'000);
    while (!deadline.hasExpired()) {
        if (command({ QStringLiteral("PING") }) == QLatin1String("PONG"))
            return true;
        if (m_process.state() == QProcess::NotRunning)
            break;
        QThread::msleep(20);
    }
    m_why = QStringLiteral("redis-server did not answer PING: ") + QString::fromUtf8(m_process.readAll());
    return false;
}

void RedisServer::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    m_process.waitForFinished(10'000);
}

void RedisServer::kill()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.kill();
    m_process.waitForFinished(10'000);
}

void RedisServer::pause()
{
    ::kill(static_cast<pid_t>(m_process.processId()), SIGSTOP);
}

void RedisServer::resume()
{
    ::kill(static_cast<pid_t>(m_process.processId()), SIGCONT);
}

QString RedisServer::command(const QStringList& arguments) const
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    if (!socket.waitForConnected(1000))
        return {};
    socket.write(encode(arguments));
    if (!socket.waitForBytesWritten(1000))
        return {};
    // Simple replies only: +status, -error, :integer, $bulk (one line).
    QByteArray reply;
    const QDeadlineTimer deadline(2000);
    while (!deadline.hasExpired()) {
        if (!socket.waitForReadyRead(static_cast<int>(deadline.remainingTime())))
            break;
        reply += socket.readAll();
        if (reply.startsWith('$')) {
            const int header = reply.indexOf("\r\n");
            if (header < 0)
                continue;
            const int length = reply.mid(1, header - 1).toInt();
            if (length < 0)
                return {};
            if (reply.size() >= header + 2 + length + 2)
                return QString::fromUtf8(reply.mid(header + 2, length));
        } else if (reply.endsWith("\r\n")) {
            return QString::fromUtf8(reply.mid(1, reply.size() - 3));
        }
    }
    return {};
}

} // namespace proactive::testing
