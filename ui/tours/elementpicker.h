#pragma once

#include <QObject>
#include <QPointer>
#include <QString>

namespace proactive::ui {

class PageBridge;
class ScriptChannel;

// "Pick element" for the tour editor: while active, the element under the
// pointer in the product page is outlined with the selector the studio
// would use; a click picks it (the page does not get that click), Esc in
// the page or cancel() stops. The selector is the most stable one naming
// that element alone on the page (tours/runtime/picker.js): data-tour-id,
// then test ids, then a stable #id, then a distinctive attribute, then the
// shortest unique path of child steps.
class ElementPicker final : public QObject {
    Q_OBJECT

public:
    // Registers the `picker` object and script on the bridge; like the tour
    // runner, before the page loads the documents to pick in.
    explicit ElementPicker(PageBridge* bridge, QObject* parent = nullptr);

    bool isActive() const { return m_active; }

public Q_SLOTS:
    void start();
    void cancel();

Q_SIGNALS:
    // `description` reads like `button "Add Project"`; `matches` is how many
    // elements the selector matched when it was picked (1 unless the page
    // has no unique way to name it).
    void picked(const QString& selector, const QString& description, int matches);
    void cancelled();
    void activeChanged(bool active);

private:
    void onReport(const QString& message);
    void setActive(bool active);

    QPointer<PageBridge> m_bridge;
    ScriptChannel* m_channel;
    bool m_active = false;
};

} // namespace proactive::ui
