#include "nginxproxy.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <unistd.h>

namespace proactive::testing {

namespace {

    quint16 freePort()
    {
        QTcpServer probe;
        return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
    }

} // namespace

NginxProxy::NginxProxy(QList<quint16> upstreamPorts)
    : m_upstreams(std::move(upstreamPorts))
    , m_port(freePort())
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
}

NginxProxy::~NginxProxy()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(5000))
            m_process.kill();
        m_process.waitForFinished(5000);
    }
}

QString NginxProxy::errorLog() const
{
    QFile log(m_dir.filePath(QStringLiteral("error.log")));
    return log.open(QIODevice::ReadOnly) ? QString::fromUtf8(log.readAll()) : QString();
}

bool NginxProxy::start()
{
    QString program = QStandardPaths::findExecutable(QStringLiteral("nginx"));
    if (program.isEmpty())
        program = QStandardPaths::findExecutable(QStringLiteral("nginx"), { QStringLiteral("/usr/sbin") });
    if (program.isEmpty()) {
        m_why = QStringLiteral("nginx is not installed (scripts/install-deps.sh installs nginx-light)");
        return false;
    }
    const QString dir = m_dir.path();
    QString upstream;
    for (const quint16 port : m_upstreams)
        upstream += QStringLiteral("        server 127.0.0.1:%1 max_fails=2 fail_timeout=5s;\n").arg(port);
    // As root, nginx's workers would switch to nobody, who cannot enter
    // the test's private directory.
    const QString user = ::geteuid() == 0 ? QStringLiteral("user root;\n") : QString();
    const QString config = user
        + QStringLiteral(R"(worker_processes 1;
pid %1/nginx.pid;
error_log %1/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path %1/body;
    proxy_temp_path %1/proxy;
    fastcgi_temp_path %1/fastcgi;
    uwsgi_temp_path %1/uwsgi;
    scgi_temp_path %1/scgi;
    upstream proactive {
%2        keepalive 16;
    }
    server {
        listen 127.0.0.1:%3;
        client_max_body_size 20m;
        client_body_timeout 10s;
        client_header_timeout 10s;
        send_timeout 10s;
        location / {
            proxy_pass http://proactive;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_connect_timeout 2s;
            proxy_read_timeout 10s;
            proxy_next_upstream error timeout http_503;
            proxy_next_upstream_tries 2;
        }
    }
}
)")
              .arg(dir, upstream)
              .arg(m_port);
    QFile file(m_dir.filePath(QStringLiteral("nginx.conf")));
    if (!file.open(QIODevice::WriteOnly) || file.write(config.toUtf8()) < 0) {
        m_why = QStringLiteral("cannot write nginx.conf");
        return false;
    }
    file.close();
    m_process.start(program,
        { QStringLiteral("-p"), dir, QStringLiteral("-c"), file.fileName(), QStringLiteral("-g"),
            QStringLiteral("daemon off;") });
    if (!m_process.waitForStarted(5000)) {
        m_why = QStringLiteral("nginx did not start: ") + m_process.errorString();
        return false;
    }
    const QDeadlineTimer deadline(10'000);
    while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, m_port);
        if (probe.waitForConnected(200))
            return true;
        QThread::msleep(20);
    }
    m_why = QStringLiteral("nginx is not listening: ") + QString::fromUtf8(m_process.readAll()) + errorLog();
    return false;
}

} // namespace proactive::testing
