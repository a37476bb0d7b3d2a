#include "widgetbridge.h"

namespace proactive::ui {

void WidgetBridge::setToast(const QString& offerJson)
{
    if (offerJson == m_toast)
        return;
    m_toast = offerJson;
    Q_EMIT toastChanged(m_toast);
}

void WidgetBridge::setCaption(const QString& text)
{
    if (text == m_caption)
        return;
    m_caption = text;
    Q_EMIT captionChanged(m_caption);
}

} // namespace proactive::ui
