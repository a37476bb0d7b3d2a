#pragma once

#include "chat/chatcontroller.h"

#include <QDialog>

class QComboBox;
class QLineEdit;
class QSpinBox;
class QRadioButton;

namespace proactive::ui {

// Where the studio's chat goes: the offline Dify-compatible server (the
// default) or a real Dify app. The app key is never typed here: it comes
// from DIFY_API_KEY, and the dialog only says whether it is set.
class ChatBackendDialog final : public QDialog {
    Q_OBJECT

public:
    explicit ChatBackendDialog(const ChatBackend& current, QWidget* parent = nullptr);

    ChatBackend backend() const;

private:
    QRadioButton* m_offline;
    QRadioButton* m_dify;
    QLineEdit* m_baseUrl;
    QSpinBox* m_tokenDelay;
    QSpinBox* m_chunkChars;
    QComboBox* m_fault;
};

} // namespace proactive::ui
