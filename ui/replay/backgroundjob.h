#pragma once

#include <QObject>
#include <atomic>
#include <functional>
#include <stop_token>

class QThread;

namespace proactive::ui {

// Runs one piece of long work (an import, a sweep) on its own thread, so the
// GUI thread only ever sees signals. The work gets a stop token (Cancel) and
// reports progress through reportProgress(), which may be called as often
// as the core likes: the GUI gets at most one pending update at a time.
// Results travel in whatever the work function captured; read them in the
// finished() slot, after the thread has ended.
class BackgroundJob final : public QObject {
    Q_OBJECT

public:
    using Work = std::function<void(std::stop_token stop)>;

    explicit BackgroundJob(QObject* parent = nullptr);
    // Requests a stop and waits for the work to end: the work may hold
    // references to nothing but what it captured by value.
    ~BackgroundJob() override;

    // False (and nothing starts) while a previous work is still running.
    bool start(Work work);
    bool isRunning() const { return m_thread != nullptr; }
    void cancel();

    // Thread-safe; called by the work.
    void reportProgress(quint64 done, quint64 total);

Q_SIGNALS:
    void progressChanged(quint64 done, quint64 total);
    // The work returned; `cancelled` when a stop had been requested.
    void finished(bool cancelled);

private:
    void deliverProgress();

    QThread* m_thread = nullptr;
    std::stop_source m_stop;
    std::atomic<quint64> m_done = 0;
    std::atomic<quint64> m_total = 0;
    std::atomic<bool> m_progressPending = false;
};

} // namespace proactive::ui
