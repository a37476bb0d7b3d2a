#pragma once

#include <QObject>
#include <QString>

namespace proactive::ui {

// What one of the studio's page scripts reports to: registered on the page
// bridge under a name, the script calls `objects.<name>.report(JSON)`.
class ScriptChannel final : public QObject {
    Q_OBJECT

public:
    using QObject::QObject;

    Q_INVOKABLE void report(const QString& message) { Q_EMIT reported(message); }

Q_SIGNALS:
    void reported(const QString& message);
};

} // namespace proactive::ui
