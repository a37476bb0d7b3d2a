#pragma once

#include <QHostAddress>
#include <QString>
#include <optional>

namespace proactive::app {

struct ListenAddress {
    QHostAddress host;
    quint16 port = 0;
};

// "127.0.0.1:8787", "[::1]:8787" or "localhost:0".
std::optional<ListenAddress> parseListenAddress(const QString& text);
// "http://127.0.0.1:8787", "http://[::1]:8787".
QString httpUrlOf(const QHostAddress& host, quint16 port);

} // namespace proactive::app
