#pragma once

#include <QDir>
#include <QHttpServer>
#include <QObject>
#include <QUrl>

namespace proactive::ui {

// Serves a single-page app from a directory on 127.0.0.1, the way its real
// host would: a path naming a file inside the directory gets the file, a
// missing file (a path whose last segment has an extension) 404, and every
// other path index.html, so history-API routes survive a reload.
class StaticSiteServer final : public QObject {
    Q_OBJECT

public:
    explicit StaticSiteServer(QObject* parent = nullptr);

    // Starts serving `root` on an ephemeral port (or `port`); false when the
    // directory has no index.html or the port cannot be bound.
    bool start(const QString& root, quint16 port = 0);
    QUrl url(const QString& path = u"/"_qs) const;
    QString root() const { return m_root.path(); }

    // Documents served (index.html answers): a reload counts, an in-app
    // navigation does not.
    int documentsServed() const { return m_documentsServed; }

private:
    QHttpServer m_server;
    QDir m_root;
    quint16 m_port = 0;
    int m_documentsServed = 0;
};

} // namespace proactive::ui
