#pragma once

#include "chat/chatcontroller.h"
#include "chat/difykeystore.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QRadioButton;

namespace proactive::ui {

// Where the studio's chat goes: the offline Dify-compatible server (the
// default) or a real Dify app. The app key comes from DIFY_API_KEY or the
// system keychain; a key typed here goes to the keychain only, never to the
// settings, and is never shown again.
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
    QLineEdit* m_newKey;
    QLabel* m_keyStatus;
    DifyKeyStore m_keys;
};

} // namespace proactive::ui
