#include "elementpicker.h"

#include "pagebridge.h"
#include "scriptchannel.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QWebEnginePage>

namespace proactive::ui {

ElementPicker::ElementPicker(PageBridge* bridge, QObject* parent)
    : QObject(parent)
    , m_bridge(bridge)
    , m_channel(new ScriptChannel(this))
{
    m_bridge->registerObject(u"picker"_qs, m_channel);
    m_bridge->addScriptFile(u":/proactive/tours/picker.js"_qs, QWebEngineScript::DocumentReady, true);
    connect(m_channel, &ScriptChannel::reported, this, &ElementPicker::onReport);
    // A new document has no picking session running.
    connect(m_bridge->page(), &QWebEnginePage::loadStarted, this, [this] {
        if (m_active)
            cancel();
    });
}

void ElementPicker::start()
{
    if (!m_bridge || m_active)
        return;
    setActive(true);
    QPointer<ElementPicker> self(this);
    m_bridge->runJavaScript(u"window.proactivePicker ? proactivePicker.start() : false"_qs, [self](const QVariant& ok) {
        if (self && !ok.toBool() && self->m_active) {
            self->setActive(false);
            Q_EMIT self->cancelled();
        }
    });
}

void ElementPicker::cancel()
{
    if (!m_active)
        return;
    setActive(false);
    if (m_bridge)
        m_bridge->runJavaScript(u"window.proactivePicker && proactivePicker.cancel()"_qs);
    Q_EMIT cancelled();
}

void ElementPicker::onReport(const QString& message)
{
    const QJsonObject report = QJsonDocument::fromJson(message.toUtf8()).object();
    if (!m_active)
        return; // cancelled here already
    setActive(false);
    if (report[u"type"] == u"picked"_qs)
        Q_EMIT picked(report[u"selector"].toString(), report[u"description"].toString(), report[u"count"].toInt());
    else
        Q_EMIT cancelled();
}

void ElementPicker::setActive(bool active)
{
    if (m_active == active)
        return;
    m_active = active;
    Q_EMIT activeChanged(active);
}

} // namespace proactive::ui
