#include "productpage.h"

#include "capturebridge.h"
#include "chatbridge.h"
#include "client/simulatedclient.h"
#include "pagebridge.h"
#include "sessionrecorder.h"
#include "simulation/simulation.h"
#include "widgetbridge.h"

#include <QWebEnginePage>

namespace proactive::ui {

ProductPage::ProductPage(QWebEngineProfile* profile, QObject* parent)
    : QObject(parent)
    , m_page(new QWebEnginePage(profile, this))
    , m_bridge(new PageBridge(m_page, this))
    , m_capture(new CaptureBridge(this))
    , m_widget(new WidgetBridge(this))
    , m_chat(new ChatBridge(this))
    , m_recorder(new SessionRecorder(*m_bridge, this))
{
    m_bridge->registerObject(u"capture"_qs, m_capture);
    m_bridge->registerObject(u"widget"_qs, m_widget);
    m_bridge->registerObject(u"chat"_qs, m_chat);
    m_bridge->addPageWorldScriptFile(u":/proactive/page/historyhook.js"_qs, QWebEngineScript::DocumentCreation);
    m_bridge->addScriptFile(u":/proactive/page/capture.js"_qs, QWebEngineScript::DocumentReady);
    m_bridge->addScriptFile(u":/proactive/page/widget.js"_qs, QWebEngineScript::DocumentReady);
    m_bridge->addScriptFile(u":/proactive/page/chat.js"_qs, QWebEngineScript::DocumentReady);
    connect(m_capture, &CaptureBridge::captured, this, [this](const QByteArray& eventJson) {
        if (!m_simulation)
            return;
        m_simulation->ingestCapturedEvent(eventJson);
        Q_EMIT captureCountChanged(++m_captured);
    });
}

ProductPage::~ProductPage() = default;

void ProductPage::attach(Simulation* simulation)
{
    for (const QMetaObject::Connection& connection : std::as_const(m_connections))
        disconnect(connection);
    m_connections.clear();
    m_simulation = simulation;
    showToast(std::nullopt);
    m_chat->setOpen(false);
    m_chat->clear();
    if (!simulation) {
        m_recorder->stop();
        m_recorder->setStudioClock({});
        return;
    }
    // The recording is on the simulation's clock, like the captured events.
    m_recorder->setStudioClock([simulation] { return simulation->now(); });
    startSession(simulation->sessionId());
    m_connections << connect(simulation, &Simulation::sessionChanged, this, &ProductPage::startSession);
    m_connections << connect(simulation, &Simulation::eventStamped, this,
        [this](const QByteArray& eventJson) { m_sessionEvents.push_back(eventJson.toStdString()); });
    m_connections << connect(simulation, &Simulation::toastChanged, this, &ProductPage::showToast);
    m_connections << connect(
        m_widget, &WidgetBridge::acceptClicked, simulation, [simulation] { simulation->accept(AcceptMode::Tour); });
    m_connections << connect(m_widget, &WidgetBridge::dismissClicked, simulation, &Simulation::dismiss);
    m_connections << connect(m_widget, &WidgetBridge::dropRequested, simulation, [simulation](const QString& id) {
        // Only the toast the widget was asked to show: a newer one has its own check.
        const auto& toast = simulation->client().toast();
        if (toast && toast->triggerId == id.toStdString())
            simulation->dropToast();
    });
    showToast(simulation->client().toast());
}

void ProductPage::startSession(const QString& sessionId)
{
    m_sessionEvents.clear();
    // The document on screen starts over with a full snapshot.
    m_recorder->start(sessionId);
}

void ProductPage::showToast(const std::optional<Offer>& offer)
{
    if (!offer) {
        m_widget->setToast({});
        return;
    }
    m_widget->setToast(toastJson(*offer, m_simulation ? m_simulation->client().toastPage() : std::string()));
}

} // namespace proactive::ui
