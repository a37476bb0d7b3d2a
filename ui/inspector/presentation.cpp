#include "presentation.h"

#include <QDateTime>
#include <QHash>
#include <QHeaderView>
#include <QTreeWidget>

namespace proactive::ui {

QString toQString(std::string_view text)
{
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

QString clockTime(Timestamp at)
{
    return QDateTime::fromMSecsSinceEpoch(toEpochMs(at)).toString(u"HH:mm:ss"_qs);
}

QString preciseTime(Timestamp at)
{
    return QDateTime::fromMSecsSinceEpoch(toEpochMs(at)).toString(u"HH:mm:ss.zzz"_qs);
}

QString humanDuration(Duration duration)
{
    const qint64 seconds = std::chrono::duration_cast<std::chrono::seconds>(duration).count();
    if (seconds < 60)
        return u"%1 s"_qs.arg(seconds);
    if (seconds < 3600)
        return u"%1 min %2 s"_qs.arg(seconds / 60).arg(seconds % 60);
    return u"%1 h %2 min"_qs.arg(seconds / 3600).arg(seconds % 3600 / 60);
}

QString stateName(FsmState state)
{
    return toQString(nameOf(state));
}

QColor stateColor(FsmState state)
{
    switch (state) {
    case FsmState::Thinking:
        return QColor(0x64, 0x74, 0x8b);
    case FsmState::ReactiveAssistance:
        return QColor(0x0e, 0xa5, 0xe9);
    case FsmState::ProactiveAssistance:
        return QColor(0x63, 0x66, 0xf1);
    case FsmState::GuidanceExecution:
        return QColor(0x10, 0xb9, 0x81);
    case FsmState::ConservativeAssistance:
        return QColor(0xf5, 0x9e, 0x0b);
    }
    return Qt::gray;
}

QColor reasonColor(const QString& reason)
{
    // Families of skip reasons share a hue: the gate that blocked.
    static const QHash<QString, QColor> byGate {
        { u"product"_qs, QColor(0x94, 0xa3, 0xb8) },
        { u"fsm"_qs, QColor(0xf5, 0x9e, 0x0b) },
        { u"resilience"_qs, QColor(0xef, 0x44, 0x44) },
        { u"trigger"_qs, QColor(0xa8, 0x55, 0xf7) },
        { u"quota"_qs, QColor(0xec, 0x48, 0x99) },
    };
    if (reason.isEmpty())
        return firingColor();
    if (reason == u"no_trigger"_qs)
        return QColor(0xcb, 0xd5, 0xe1);
    return byGate.value(reason.section(u':', 0, 0), QColor(0x94, 0xa3, 0xb8));
}

QColor firingColor()
{
    return QColor(0x22, 0xc5, 0x5e);
}

QColor sessionStartColor()
{
    return QColor(0x7c, 0x3a, 0xed);
}

QColor activityColor(ActionType type)
{
    switch (type) {
    case ActionType::Pageview:
        return QColor(0x3b, 0x82, 0xf6);
    case ActionType::Click:
        return QColor(0x0f, 0x17, 0x2a);
    case ActionType::RageClick:
        return QColor(0xef, 0x44, 0x44);
    default:
        return QColor(0x64, 0x74, 0x8b);
    }
}

void setColumnWidths(QTreeWidget* tree, std::initializer_list<int> widths)
{
    tree->header()->setSectionResizeMode(QHeaderView::Interactive);
    tree->header()->setStretchLastSection(true);
    int column = 0;
    for (int width : widths)
        tree->setColumnWidth(column++, width);
}

QString compactJson(const nlohmann::json& value)
{
    if (value.is_null())
        return {};
    QString text = QString::fromStdString(value.dump());
    constexpr qsizetype kMaxChars = 120;
    if (text.size() > kMaxChars)
        text = text.left(kMaxChars - 1) + u'…';
    return text;
}

} // namespace proactive::ui
