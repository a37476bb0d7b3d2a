#include "policyeditor.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <array>

namespace proactive::ui {

namespace {

    using Kind = ResponsePolicy::Kind;

    struct KindChoice {
        Kind kind;
        const char* label;
        const char* tip;
    };
    constexpr std::array kKinds {
        KindChoice { Kind::Never, QT_TRANSLATE_NOOP("PolicyEditor", "Never responds"),
            QT_TRANSLATE_NOOP(
                "PolicyEditor", "The toast is ignored; the offer expires after its interaction timeout") },
        KindChoice { Kind::Dismiss, QT_TRANSLATE_NOOP("PolicyEditor", "Dismisses after"),
            QT_TRANSLATE_NOOP(
                "PolicyEditor", "\"No thanks\" N s after the toast appears: a conservative cooldown (600 s, 900 s)") },
        KindChoice { Kind::AcceptChat, QT_TRANSLATE_NOOP("PolicyEditor", "Accepts the chat, bot answers in"),
            QT_TRANSLATE_NOOP("PolicyEditor", "Accepts 2 s after the toast; the bot's answer ends N s later") },
        KindChoice { Kind::TourComplete, QT_TRANSLATE_NOOP("PolicyEditor", "Accepts the tour, completes it in"),
            QT_TRANSLATE_NOOP("PolicyEditor", "Accepts 2 s after the toast and completes the tour N s later") },
        KindChoice { Kind::TourAbandon, QT_TRANSLATE_NOOP("PolicyEditor", "Accepts the tour, abandons it in"),
            QT_TRANSLATE_NOOP("PolicyEditor",
                "Accepts 2 s after the toast and abandons the tour N s later (a "
                "conservative cooldown)") },
    };

} // namespace

PolicyEditor::PolicyEditor(QWidget* parent)
    : QWidget(parent)
    , m_kind(new QComboBox(this))
    , m_after(new QDoubleSpinBox(this))
{
    m_kind->setObjectName(u"policyKind"_qs);
    for (const KindChoice& choice : kKinds) {
        m_kind->addItem(tr(choice.label), static_cast<int>(choice.kind));
        m_kind->setItemData(m_kind->count() - 1, tr(choice.tip), Qt::ToolTipRole);
    }
    m_after->setObjectName(u"policyAfter"_qs);
    m_after->setRange(0, 3600);
    m_after->setDecimals(1);
    m_after->setSuffix(u" s"_qs);
    m_after->setValue(5);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_kind);
    layout->addWidget(m_after);
    refresh();

    const auto changed = [this] {
        refresh();
        Q_EMIT policyChanged(policy());
    };
    connect(m_kind, &QComboBox::currentIndexChanged, this, changed);
    connect(m_after, &QDoubleSpinBox::valueChanged, this, changed);
}

ResponsePolicy PolicyEditor::policy() const
{
    ResponsePolicy policy;
    policy.kind = static_cast<Kind>(m_kind->currentData().toInt());
    if (policy.kind != Kind::Never)
        policy.after = fromSeconds(m_after->value());
    return policy;
}

void PolicyEditor::setPolicy(const ResponsePolicy& policy)
{
    const QSignalBlocker kindBlocker(m_kind);
    const QSignalBlocker afterBlocker(m_after);
    m_kind->setCurrentIndex(m_kind->findData(static_cast<int>(policy.kind)));
    if (policy.kind != Kind::Never)
        m_after->setValue(toSeconds(policy.after));
    refresh();
    Q_EMIT policyChanged(this->policy());
}

void PolicyEditor::refresh()
{
    m_after->setVisible(static_cast<Kind>(m_kind->currentData().toInt()) != Kind::Never);
    m_kind->setToolTip(m_kind->currentData(Qt::ToolTipRole).toString());
}

} // namespace proactive::ui
