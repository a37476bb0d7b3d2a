#pragma once

#include <QWidget>

class QLabel;
class QTreeWidget;
class QTreeWidgetItem;

namespace proactive::ui {

class ChatController;

// Every chat exchange as it went over the wire: the query, whether it
// carried `inputs` (a new conversation) or continued one, each SSE event
// with its time since the request and its size, and how the exchange ended.
class ChatLogPanel final : public QWidget {
    Q_OBJECT

public:
    explicit ChatLogPanel(ChatController& chat, QWidget* parent = nullptr);

private:
    QLabel* m_backend;
    QTreeWidget* m_log;
    QTreeWidgetItem* m_current = nullptr;
};

} // namespace proactive::ui
