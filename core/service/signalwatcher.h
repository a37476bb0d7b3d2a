#pragma once

#include <QObject>
#include <initializer_list>
#include <vector>

class QSocketNotifier;

namespace proactive::service {

// Delivers Unix signals (SIGINT, SIGTERM) to the event loop as a Qt signal
// through a self-pipe: the handler only write()s the signal number, which is
// async-signal-safe, and a QSocketNotifier on the pipe's other end emits
// received() from the event loop. One instance at a time; the destructor
// restores the previous handlers.
class SignalWatcher final : public QObject {
    Q_OBJECT

public:
    explicit SignalWatcher(std::initializer_list<int> signalNumbers, QObject* parent = nullptr);
    ~SignalWatcher() override;

    // False when the pipe or a handler could not be set up.
    bool isActive() const { return m_notifier != nullptr; }

Q_SIGNALS:
    void received(int signalNumber);

private:
    void onReadable();

    QSocketNotifier* m_notifier = nullptr;
    std::vector<int> m_signals;
};

} // namespace proactive::service
