#pragma once

#include <QObject>
#include <QPointer>
#include <optional>
#include <string>
#include <vector>

class QWebEngineProfile;
class QWebEnginePage;

namespace proactive {
struct Offer;
}

namespace proactive::ui {

class CaptureBridge;
class ChatBridge;
class PageBridge;
class SessionRecorder;
class Simulation;
class WidgetBridge;

// The product as the studio shows it: one web page whose every document gets
// live capture and the proactive widget (in the studio's isolated world),
// wired to the simulation that stands for the connector and the client.
class ProductPage final : public QObject {
    Q_OBJECT

public:
    ProductPage(QWebEngineProfile* profile, QObject* parent = nullptr);
    ~ProductPage() override;

    QWebEnginePage* page() const { return m_page; }
    PageBridge& bridge() const { return *m_bridge; }
    WidgetBridge& widget() const { return *m_widget; }
    ChatBridge& chat() const { return *m_chat; }
    // The attached simulation's session, recorded with rrweb (issue 16):
    // restarted with every new session id, inputs masked.
    SessionRecorder& recorder() const { return *m_recorder; }
    // The session's captured events as the connector got them, for Save Session.
    const std::vector<std::string>& sessionEvents() const { return m_sessionEvents; }

    // Captured events go to this simulation and its toast shows in the page;
    // nullptr detaches (the page keeps running, capture is dropped).
    void attach(Simulation* simulation);

Q_SIGNALS:
    // A captured event was ingested (or rejected), for the status bar.
    void captureCountChanged(int count);

private:
    void showToast(const std::optional<Offer>& offer);
    void startSession(const QString& sessionId);

    QWebEnginePage* m_page;
    PageBridge* m_bridge;
    CaptureBridge* m_capture;
    WidgetBridge* m_widget;
    ChatBridge* m_chat;
    SessionRecorder* m_recorder;
    std::vector<std::string> m_sessionEvents;
    QPointer<Simulation> m_simulation;
    QList<QMetaObject::Connection> m_connections;
    int m_captured = 0;
};

} // namespace proactive::ui
