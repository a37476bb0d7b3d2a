#include "webpagetesting.h"

#include "eventwait.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <memory>
#include <optional>

namespace proactive::testing {

ConsolePage::ConsolePage(QWebEngineProfile* profile, QStringList* console)
    : QWebEnginePage(profile)
    , m_console(console)
{ }

void ConsolePage::javaScriptConsoleMessage(
    JavaScriptConsoleMessageLevel, const QString& message, int line, const QString& source)
{
    m_console->append(u"%1:%2: %3"_qs.arg(source).arg(line).arg(message));
}

QJsonValue evaluateJson(QWebEnginePage& page, const QString& expression, int timeoutMs, quint32 worldId)
{
    // Shared: a late answer after a timeout must not write to a dead frame.
    auto result = std::make_shared<std::optional<QString>>();
    page.runJavaScript(u"JSON.stringify({ value: (%1) })"_qs.arg(expression), worldId,
        [result](const QVariant& value) { *result = value.toString(); });
    if (!waitFor([&] { return result->has_value(); }, timeoutMs))
        return {};
    return QJsonDocument::fromJson((**result).toUtf8()).object()[u"value"];
}

} // namespace proactive::testing
