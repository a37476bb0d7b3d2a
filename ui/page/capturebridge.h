#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

namespace proactive::ui {

// The C++ end of capture.js (registered as "capture"): one PostHog-shaped
// event per report, without identity or time, which the receiver adds.
class CaptureBridge final : public QObject {
    Q_OBJECT

public:
    using QObject::QObject;

    Q_INVOKABLE void report(const QString& eventJson) { Q_EMIT captured(eventJson.toUtf8()); }

Q_SIGNALS:
    void captured(const QByteArray& eventJson);
};

} // namespace proactive::ui
