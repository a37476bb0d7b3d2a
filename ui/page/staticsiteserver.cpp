#include "staticsiteserver.h"

#include <QFile>
#include <QFileInfo>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QMimeDatabase>

namespace proactive::ui {

StaticSiteServer::StaticSiteServer(QObject* parent)
    : QObject(parent)
{
    m_server.setMissingHandler([this](const QHttpServerRequest& request, QHttpServerResponder&& responder) {
        const QString relative = QDir::cleanPath(request.url().path()).mid(1);
        if (relative.startsWith(u".."_qs)) {
            responder.write(QHttpServerResponder::StatusCode::Forbidden);
            return;
        }
        QString path = m_root.filePath(relative);
        if (relative.isEmpty() || !QFileInfo(path).isFile()) {
            if (relative.section(u'/', -1).contains(u'.')) {
                responder.write(QHttpServerResponder::StatusCode::NotFound);
                return;
            }
            path = m_root.filePath(u"index.html"_qs);
            ++m_documentsServed;
        }
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            responder.write(QHttpServerResponder::StatusCode::NotFound);
            return;
        }
        QByteArray mime = QMimeDatabase().mimeTypeForFile(path, QMimeDatabase::MatchExtension).name().toUtf8();
        if (mime.startsWith("text/") || mime.endsWith("javascript"))
            mime += "; charset=utf-8";
        responder.write(file.readAll(), mime);
    });
}

bool StaticSiteServer::start(const QString& root, quint16 port)
{
    m_root = QDir(root);
    if (!QFileInfo(m_root.filePath(u"index.html"_qs)).isFile())
        return false;
    m_port = m_server.listen(QHostAddress::LocalHost, port);
    return m_port != 0;
}

QUrl StaticSiteServer::url(const QString& path) const
{
    QUrl url(u"http://127.0.0.1"_qs);
    url.setPort(m_port);
    url.setPath(path);
    return url;
}

} // namespace proactive::ui
