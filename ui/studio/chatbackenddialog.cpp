#include "chatbackenddialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace proactive::ui {

ChatBackendDialog::ChatBackendDialog(const ChatBackend& current, QWidget* parent)
    : QDialog(parent)
    , m_offline(new QRadioButton(tr("Offline Dify-compatible server (answers from the tour catalog)"), this))
    , m_dify(new QRadioButton(tr("A Dify app"), this))
    , m_baseUrl(new QLineEdit(current.difyBaseUrl.toString(), this))
{
    setWindowTitle(tr("Chat backend"));
    m_baseUrl->setPlaceholderText(u"https://api.dify.ai/v1"_qs);
    (current.kind == ChatBackend::Kind::Dify ? m_dify : m_offline)->setChecked(true);
    const bool keySet = !qEnvironmentVariableIsEmpty("DIFY_API_KEY");
    auto* key = new QLabel(keySet ? tr("App key: taken from DIFY_API_KEY (set).")
                                  : tr("App key: set DIFY_API_KEY in the environment before starting the studio; "
                                       "the studio never stores it."),
        this);
    key->setWordWrap(true);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    const auto validate = [this, buttons] {
        const QUrl url(m_baseUrl->text().trimmed());
        const bool ok = m_offline->isChecked() || (url.isValid() && url.scheme().startsWith(u"http"_qs));
        buttons->button(QDialogButtonBox::Ok)->setEnabled(ok);
        m_baseUrl->setEnabled(m_dify->isChecked());
    };
    connect(m_offline, &QRadioButton::toggled, this, validate);
    connect(m_baseUrl, &QLineEdit::textChanged, this, validate);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* form = new QFormLayout;
    form->addRow(tr("Base URL"), m_baseUrl);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_offline);
    layout->addWidget(m_dify);
    layout->addLayout(form);
    layout->addWidget(key);
    layout->addWidget(buttons);
    validate();
}

ChatBackend ChatBackendDialog::backend() const
{
    ChatBackend backend;
    if (m_dify->isChecked()) {
        backend.kind = ChatBackend::Kind::Dify;
        backend.difyBaseUrl = QUrl(m_baseUrl->text().trimmed());
    }
    return backend;
}

} // namespace proactive::ui
