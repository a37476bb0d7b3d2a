#include "backgroundjob.h"

#include <QThread>

namespace proactive::ui {

BackgroundJob::BackgroundJob(QObject* parent)
    : QObject(parent)
{ }

BackgroundJob::~BackgroundJob()
{
    if (!m_thread)
        return;
    m_stop.request_stop();
    m_thread->wait();
    delete m_thread;
}

bool BackgroundJob::start(Work work)
{
    if (m_thread)
        return false;
    m_stop = std::stop_source();
    m_done = 0;
    m_total = 0;
    m_thread = QThread::create([work = std::move(work), stop = m_stop.get_token()] { work(stop); });
    connect(m_thread, &QThread::finished, this, [this] {
        deliverProgress(); // the last values, before the job stops counting as running
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
        Q_EMIT finished(m_stop.stop_requested());
    });
    m_thread->start(QThread::LowPriority);
    return true;
}

void BackgroundJob::cancel()
{
    if (m_thread)
        m_stop.request_stop();
}

void BackgroundJob::reportProgress(quint64 done, quint64 total)
{
    m_done = done;
    m_total = total;
    if (!m_progressPending.exchange(true))
        QMetaObject::invokeMethod(this, &BackgroundJob::deliverProgress, Qt::QueuedConnection);
}

void BackgroundJob::deliverProgress()
{
    m_progressPending = false;
    // A report queued just before the end arrives after finished(): stale.
    if (m_thread && m_total > 0)
        Q_EMIT progressChanged(m_done, m_total);
}

} // namespace proactive::ui
