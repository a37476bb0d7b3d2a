#pragma once

// A real redis-server for a test: on a free port of 127.0.0.1, with its
// files in a temporary directory, started and stopped by the test (killed
// if still running when destroyed). Tests of the Redis store use it; the
// scripts install redis-server (Debian's).

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace proactive::testing {

class RedisServer final {
public:
    // `extraArguments` are redis-server options ("--appendonly", "yes", ...).
    explicit RedisServer(QStringList extraArguments = {});
    ~RedisServer();
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    // Starts it and waits until it answers PING; false (with why()) if it
    // does not. The port stays the same across restarts.
    bool start();
    void stop(); // SIGTERM, then waits (Redis writes its AOF and exits)
    void kill(); // SIGKILL: a crash
    void pause(); // SIGSTOP: a server that no longer answers
    void resume(); // SIGCONT
    bool isRunning() const { return m_process.state() == QProcess::Running; }

    quint16 port() const { return m_port; }
    // redis://127.0.0.1:<port>/0 plus `query` ("?prefix=...") when given.
    QString url(const QString& query = {}) const;
    QString why() const { return m_why; }
    // One command through redis-cli-less RESP over a socket: the reply's
    // text ("PONG", a bulk string, an integer as text), or "" on failure.
    QString command(const QStringList& arguments) const;

private:
    QTemporaryDir m_dir;
    QStringList m_extraArguments;
    QProcess m_process;
    quint16 m_port = 0;
    QString m_why;
};

} // namespace proactive::testing
