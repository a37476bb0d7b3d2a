#include "listenaddress.h"

namespace proactive::app {

std::optional<ListenAddress> parseListenAddress(const QString& text)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return std::nullopt;
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535)
        return std::nullopt;
    const QHostAddress address = host == u"localhost"_qs ? QHostAddress(QHostAddress::LocalHost) : QHostAddress(host);
    if (address.isNull())
        return std::nullopt;
    return ListenAddress { address, static_cast<quint16>(port) };
}

QString httpUrlOf(const QHostAddress& host, quint16 port)
{
    const QString name
        = host.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + host.toString() + u']' : host.toString();
    return u"http://%1:%2"_qs.arg(name).arg(port);
}

} // namespace proactive::app
