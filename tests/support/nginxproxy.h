#pragma once

// A real nginx (Debian's) as the load balancer in front of several `serve`
// instances, configured as docs/deploy.md says (without TLS): on a free
// port of 127.0.0.1, its files in a temporary directory, stopped when
// destroyed.

#include <QList>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>

namespace proactive::testing {

class NginxProxy final {
public:
    explicit NginxProxy(QList<quint16> upstreamPorts);
    ~NginxProxy();
    NginxProxy(const NginxProxy&) = delete;
    NginxProxy& operator=(const NginxProxy&) = delete;

    // Starts it and waits until it accepts connections; false (with why()) if not.
    bool start();
    quint16 port() const { return m_port; }
    QString why() const { return m_why; }
    QString errorLog() const;

private:
    QTemporaryDir m_dir;
    QList<quint16> m_upstreams;
    QProcess m_process;
    quint16 m_port = 0;
    QString m_why;
};

} // namespace proactive::testing
