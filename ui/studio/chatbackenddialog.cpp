#include "chatbackenddialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace proactive::ui {

ChatBackendDialog::ChatBackendDialog(const ChatBackend& current, QWidget* parent)
    : QDialog(parent)
    , m_offline(new QRadioButton(tr("Offline Dify-compatible server (answers from the tour catalog)"), this))
    , m_dify(new QRadioButton(tr("A Dify app"), this))
    , m_baseUrl(new QLineEdit(current.difyBaseUrl.toString(), this))
    , m_tokenDelay(new QSpinBox(this))
    , m_chunkChars(new QSpinBox(this))
    , m_fault(new QComboBox(this))
{
    m_tokenDelay->setRange(0, 5000);
    m_tokenDelay->setSuffix(u" ms"_qs);
    m_tokenDelay->setValue(current.tokenDelayMs);
    m_chunkChars->setRange(1, 10'000);
    m_chunkChars->setValue(current.chunkChars);
    const std::pair<const char*, const char*> faults[]
        = { { "none", QT_TR_NOOP("None") }, { "error-event", QT_TR_NOOP("An error event mid-stream") },
              { "drop", QT_TR_NOOP("The connection drops mid-stream") },
              { "malformed", QT_TR_NOOP("Malformed frames in the stream") },
              { "http-429", QT_TR_NOOP("HTTP 429 (rate limited)") }, { "http-500", QT_TR_NOOP("HTTP 500") },
              { "agent", QT_TR_NOOP("An Agent app (thoughts, repeated answer, a file)") },
              { "moderation", QT_TR_NOOP("Moderation replaces the answer mid-stream") },
              { "workflow-failed", QT_TR_NOOP("A chatflow whose workflow fails mid-stream") },
              { "workflow-partial", QT_TR_NOOP("A chatflow that ends partial-succeeded") },
              { "unknown-events", QT_TR_NOOP("Event types no client knows") } };
    for (const auto& [key, label] : faults)
        m_fault->addItem(tr(label), QString::fromLatin1(key));
    m_fault->setCurrentIndex(std::max(0, m_fault->findData(current.fault)));
    setWindowTitle(tr("Chat backend"));
    m_baseUrl->setPlaceholderText(u"https://api.dify.ai/v1"_qs);
    (current.kind == ChatBackend::Kind::Dify ? m_dify : m_offline)->setChecked(true);
    const bool keySet = !qEnvironmentVariableIsEmpty(DifyKeyStore::kEnvironmentVariable);
    auto* key = new QLabel(keySet ? tr("App key: taken from DIFY_API_KEY (set), which wins over the keychain.")
                                  : tr("App key: from DIFY_API_KEY when set, else from the system keychain."),
        this);
    key->setWordWrap(true);
    m_newKey = new QLineEdit(this);
    m_newKey->setEchoMode(QLineEdit::Password);
    m_newKey->setPlaceholderText(tr("app-… (stored in the system keychain only)"));
    auto* storeKey = new QPushButton(tr("Store in keychain"), this);
    m_keyStatus = new QLabel(this);
    m_keyStatus->setWordWrap(true);
    connect(storeKey, &QPushButton::clicked, this, [this] {
        const QByteArray typed = m_newKey->text().trimmed().toUtf8();
        if (typed.isEmpty())
            return;
        m_keyStatus->setText(tr("Storing…"));
        m_keys.store(typed, [this](const QString& problem) {
            m_keyStatus->setText(problem.isEmpty() ? tr("Stored in the system keychain.") : problem);
        });
        m_newKey->clear();
    });

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    const auto validate = [this, buttons] {
        const QUrl url(m_baseUrl->text().trimmed());
        const bool ok = m_offline->isChecked() || (url.isValid() && url.scheme().startsWith(u"http"_qs));
        buttons->button(QDialogButtonBox::Ok)->setEnabled(ok);
        m_baseUrl->setEnabled(m_dify->isChecked());
        for (QWidget* field : std::initializer_list<QWidget*> { m_tokenDelay, m_chunkChars, m_fault })
            field->setEnabled(m_offline->isChecked());
    };
    connect(m_offline, &QRadioButton::toggled, this, validate);
    connect(m_baseUrl, &QLineEdit::textChanged, this, validate);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* offline = new QFormLayout;
    offline->addRow(tr("Delay per piece"), m_tokenDelay);
    offline->addRow(tr("Characters per piece"), m_chunkChars);
    offline->addRow(tr("Fault"), m_fault);
    auto* form = new QFormLayout;
    form->addRow(tr("Base URL"), m_baseUrl);
    auto* keyRow = new QHBoxLayout;
    keyRow->addWidget(m_newKey, 1);
    keyRow->addWidget(storeKey);
    form->addRow(tr("App key"), keyRow);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_offline);
    layout->addLayout(offline);
    layout->addWidget(m_dify);
    layout->addLayout(form);
    layout->addWidget(key);
    layout->addWidget(m_keyStatus);
    layout->addWidget(buttons);
    validate();
}

ChatBackend ChatBackendDialog::backend() const
{
    ChatBackend backend;
    backend.tokenDelayMs = m_tokenDelay->value();
    backend.chunkChars = m_chunkChars->value();
    backend.fault = m_fault->currentData().toString();
    if (m_dify->isChecked()) {
        backend.kind = ChatBackend::Kind::Dify;
        backend.difyBaseUrl = QUrl(m_baseUrl->text().trimmed());
    }
    return backend;
}

} // namespace proactive::ui
