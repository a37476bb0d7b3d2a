#pragma once

// The real `proactive-studio` executable in a QProcess, as a user runs it:
// once to the end (a command), or as a server read from its "listening on"
// line and stopped with a signal.

#include <QProcess>
#include <QString>
#include <QStringList>

namespace proactive::testing {

struct StudioRun {
    int exitCode = -1; // -1: did not finish in time
    QString out;
    QString err;
};

StudioRun runStudio(const QString& program, const QStringList& arguments, int timeoutMs,
    const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment());

// A running server command (`serve`, `dify-sim`); killed if still running
// when destroyed.
class StudioProcess final {
public:
    StudioProcess(const QString& program, const QStringList& arguments,
        const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment());
    ~StudioProcess();
    StudioProcess(const StudioProcess&) = delete;
    StudioProcess& operator=(const StudioProcess&) = delete;

    // From the "listening on http://127.0.0.1:<port>" line; 0 if none came.
    quint16 port() const { return m_port; }
    qint64 pid() const { return m_process.processId(); }
    void signal(int number);
    // Exit code once finished, -1 if it does not finish in time or crashed.
    int waitForExit(int timeoutMs = 30'000);
    // Everything written to stderr so far.
    QString err();

private:
    QProcess m_process;
    QByteArray m_out;
    QString m_err;
    quint16 m_port = 0;
};

} // namespace proactive::testing
