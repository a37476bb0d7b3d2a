#pragma once

// Helpers for tests that drive a real QWebEnginePage.

#include <QJsonValue>
#include <QStringList>
#include <QWebEnginePage>
#include <QWebEngineScript>

namespace proactive::testing {

// A page that keeps the browser console, so a failing test can print it.
class ConsolePage final : public QWebEnginePage {
public:
    ConsolePage(QWebEngineProfile* profile, QStringList* console);

protected:
    void javaScriptConsoleMessage(
        JavaScriptConsoleMessageLevel level, const QString& message, int line, const QString& source) override;

private:
    QStringList* m_console;
};

// Evaluates a JavaScript expression in the page and returns its value
// through JSON, so objects and arrays arrive intact; null when the page did
// not answer within `timeoutMs`. `worldId` picks the JavaScript world (the
// studio's scripts run in their own).
QJsonValue evaluateJson(QWebEnginePage& page, const QString& expression, int timeoutMs = 10'000,
    quint32 worldId = QWebEngineScript::MainWorld);

} // namespace proactive::testing
