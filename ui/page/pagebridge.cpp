#include "pagebridge.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QWebChannel>
#include <QWebEnginePage>
#include <QWebEngineScriptCollection>

namespace proactive::ui {

namespace {

    QString readResource(const QString& path)
    {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            qWarning("PageBridge: cannot read %s", qPrintable(path));
            return {};
        }
        return QString::fromUtf8(file.readAll());
    }

} // namespace

PageBridge::PageBridge(QWebEnginePage* page, QObject* parent)
    : QObject(parent)
    , m_page(page)
    , m_channel(new QWebChannel(this))
{
    m_page->setWebChannel(m_channel, kWorldId);
    // qwebchannel.js ships inside QtWebEngine's resources; the bootstrap
    // opens the one channel every studio script shares (a second QWebChannel
    // on the same transport would steal the first one's messages).
    const QString bootstrap
        = readResource(u":/qtwebchannel/qwebchannel.js"_qs) + u"\n"_qs + readResource(u":/proactive/page/bridge.js"_qs);
    addScript(u"proactive-bridge"_qs, bootstrap, QWebEngineScript::DocumentCreation);
}

void PageBridge::registerObject(const QString& name, QObject* object)
{
    m_channel->registerObject(name, object);
}

void PageBridge::addScript(
    const QString& name, const QString& source, QWebEngineScript::InjectionPoint injectionPoint, bool runNow)
{
    insertScript(name, source, injectionPoint, kWorldId);
    if (runNow)
        m_page->runJavaScript(source, kWorldId);
}

void PageBridge::addPageWorldScriptFile(const QString& resourcePath, QWebEngineScript::InjectionPoint injectionPoint)
{
    insertScript(resourcePath.section(u'/', -1), readResource(resourcePath), injectionPoint,
        QWebEngineScript::MainWorld);
}

void PageBridge::insertScript(
    const QString& name, const QString& source, QWebEngineScript::InjectionPoint injectionPoint, quint32 worldId)
{
    QWebEngineScript script;
    script.setName(name);
    script.setSourceCode(source);
    script.setInjectionPoint(injectionPoint);
    script.setWorldId(worldId);
    // Frames of other origins (ads, embeds) are not the product.
    script.setRunsOnSubFrames(false);
    m_page->scripts().insert(script);
}

void PageBridge::addScriptFile(
    const QString& resourcePath, QWebEngineScript::InjectionPoint injectionPoint, bool runNow)
{
    addScript(resourcePath.section(u'/', -1), readResource(resourcePath), injectionPoint, runNow);
}

void PageBridge::runJavaScript(const QString& code, const std::function<void(const QVariant&)>& resultCallback)
{
    if (!m_page)
        return;
    if (resultCallback)
        m_page->runJavaScript(code, kWorldId, resultCallback);
    else
        m_page->runJavaScript(code, kWorldId);
}

QString jsLiteral(const QString& text)
{
    const QByteArray array = QJsonDocument(QJsonArray { text }).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(array.mid(1, array.size() - 2));
}

} // namespace proactive::ui
