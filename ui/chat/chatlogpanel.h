#pragma once

#include <QTimer>
#include <QWidget>
#include <string>
#include <vector>

class QLabel;
class QTreeWidget;
class QTreeWidgetItem;

namespace proactive::chatnet {
class DifyClient;
}

namespace proactive::ui {

class ChatController;

// Every chat exchange as it went over the wire: the query, whether it
// carried `inputs` (a new conversation) or continued one, each SSE event
// with its time since the request and its size, and how the exchange ended.
// A run of one event type (thousands of `message` frames) is one row with
// its count, time span and total size.
class ChatLogPanel final : public QWidget {
    Q_OBJECT

public:
    explicit ChatLogPanel(ChatController& chat, QWidget* parent = nullptr);

private:
    struct Run {
        std::string type;
        int count = 0;
        qint64 firstMs = 0;
        qint64 lastMs = 0;
        qint64 bytes = 0;
        std::string note; // an entry with a note (a thought, an ignored event, ...) is a run of its own
    };

    void addEvents(qsizetype first, qsizetype count);
    void showRuns();
    void endExchange();

    chatnet::DifyClient& m_client;
    QLabel* m_backend;
    QTreeWidget* m_log;
    QTreeWidgetItem* m_current = nullptr;
    // The current exchange's runs, child i of m_current showing run i. The
    // rows follow at most once a frame: every change of a row makes the view
    // measure its text again, which per event would cost more than the
    // whole stream.
    std::vector<Run> m_runs;
    std::size_t m_staleFrom = 0; // runs from here on are not shown as they are
    QTimer m_showTimer;
};

} // namespace proactive::ui
