#pragma once

#include <QObject>
#include <QPointer>
#include <QString>
#include <QWebEnginePage>
#include <QWebEngineScript>
#include <functional>

class QWebChannel;

namespace proactive::ui {

// The studio's side of a product page: its scripts (capture, the widget, the
// tour runtime) run in their own JavaScript world, so the page's scripts can
// neither see nor break them, and talk to C++ objects over one QWebChannel.
//
// In that world every script finds `proactiveStudio.objects`, a promise of
// the registered objects by name:
//     proactiveStudio.objects.then(({capture}) => capture.report(...));
// Scripts are re-injected on every document load; objects stay registered.
class PageBridge final : public QObject {
    Q_OBJECT

public:
    static constexpr quint32 kWorldId = QWebEngineScript::ApplicationWorld;

    explicit PageBridge(QWebEnginePage* page, QObject* parent = nullptr);

    QWebEnginePage* page() const { return m_page; }

    // Before the page loads a document that should see it.
    void registerObject(const QString& name, QObject* object);
    // Also runs it at once in the current document when `runNow`.
    void addScript(const QString& name, const QString& source,
        QWebEngineScript::InjectionPoint injectionPoint = QWebEngineScript::DocumentReady, bool runNow = false);
    // Reads a script from a resource path (":/...").
    void addScriptFile(const QString& resourcePath,
        QWebEngineScript::InjectionPoint injectionPoint = QWebEngineScript::DocumentReady, bool runNow = false);

    // A script in the page's own world, for a hook that must see the page's
    // globals (historyhook.js); it can reach nothing of the studio.
    void addPageWorldScriptFile(const QString& resourcePath, QWebEngineScript::InjectionPoint injectionPoint);

    // Runs in the studio's world, never in the page's.
    void runJavaScript(const QString& code, const std::function<void(const QVariant&)>& resultCallback = {});

private:
    void insertScript(const QString& name, const QString& source, QWebEngineScript::InjectionPoint injectionPoint,
        quint32 worldId);

    QPointer<QWebEnginePage> m_page;
    QWebChannel* m_channel;
};

// A string literal for JavaScript source (quotes and escapes included).
QString jsLiteral(const QString& text);

} // namespace proactive::ui
