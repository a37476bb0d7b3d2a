#include "studioprocess.h"

#include <QRegularExpression>
#include <csignal>

namespace proactive::testing {

StudioRun runStudio(
    const QString& program, const QStringList& arguments, int timeoutMs, const QProcessEnvironment& environment)
{
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(program, arguments);
    if (!process.waitForFinished(timeoutMs))
        return {};
    return { process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
        QString::fromUtf8(process.readAllStandardError()) };
}

StudioProcess::StudioProcess(
    const QString& program, const QStringList& arguments, const QProcessEnvironment& environment)
{
    m_process.setProcessEnvironment(environment);
    m_process.start(program, arguments);
    const QRegularExpression listening(uR"(^listening on http://127\.0\.0\.1:(\d+)\n)"_qs);
    while (m_process.waitForReadyRead(30'000)) {
        m_out += m_process.readAllStandardOutput();
        const auto match = listening.match(QString::fromUtf8(m_out));
        if (match.hasMatch()) {
            m_port = quint16(match.captured(1).toUInt());
            break;
        }
    }
}

StudioProcess::~StudioProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished();
    }
}

void StudioProcess::signal(int number)
{
    ::kill(pid_t(m_process.processId()), number);
}

int StudioProcess::waitForExit(int timeoutMs)
{
    if (!m_process.waitForFinished(timeoutMs) || m_process.exitStatus() != QProcess::NormalExit)
        return -1;
    return m_process.exitCode();
}

QString StudioProcess::err()
{
    return m_err += QString::fromUtf8(m_process.readAllStandardError());
}

} // namespace proactive::testing
