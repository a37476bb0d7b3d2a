#include "widgetbridge.h"

#include "client/simulatedclient.h"

#include <nlohmann/json.hpp>

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

QString toastJson(const Offer& offer, const std::string& page)
{
    const nlohmann::json toast { { "trigger_id", offer.triggerId }, { "body", offer.body },
        { "accept_label", acceptLabel(offer) }, { "dismiss_label", dismissLabel(offer) }, { "page", page } };
    return QString::fromStdString(toast.dump());
}

} // namespace proactive::ui
