#pragma once

#include <QObject>
#include <QString>
#include <string>

namespace proactive {
struct Offer;
}

namespace proactive::ui {

// The C++ end of widget.js (registered as "widget"): what the in-page widget
// shows, and the user's clicks on it. Properties rather than calls, so a
// reloaded document renders the current state at once.
class WidgetBridge final : public QObject {
    Q_OBJECT
    // The shown offer as JSON {trigger_id, body, accept_label, dismiss_label,
    // page}; empty: no toast. `page` is the URL (without fragment) the
    // offer's poll was sent from, for the widget's check before it shows it.
    Q_PROPERTY(QString toast READ toast NOTIFY toastChanged)
    // A scenario caption over the page; empty: none.
    Q_PROPERTY(QString caption READ caption NOTIFY captionChanged)

public:
    using QObject::QObject;

    QString toast() const { return m_toast; }
    void setToast(const QString& offerJson);
    QString caption() const { return m_caption; }
    void setCaption(const QString& text);

    Q_INVOKABLE void accept() { Q_EMIT acceptClicked(); }
    Q_INVOKABLE void dismiss() { Q_EMIT dismissClicked(); }
    // The widget did not show the offer of `triggerId`: the page changed
    // since its poll was sent (SPEC §8 "§4 Client").
    Q_INVOKABLE void drop(const QString& triggerId) { Q_EMIT dropRequested(triggerId); }
    // The widget has the offer of `triggerId` on screen: the frame it drew
    // the toast in is being painted. A toast set and cleared again before
    // that (QWebChannel hands the page only the latest value of a property
    // changed within its update interval) never reaches the screen.
    Q_INVOKABLE void drawn(const QString& triggerId) { Q_EMIT toastDrawn(triggerId); }

Q_SIGNALS:
    void toastChanged(const QString& offerJson);
    void captionChanged(const QString& text);
    void acceptClicked();
    void dismissClicked();
    void dropRequested(const QString& triggerId);
    void toastDrawn(const QString& triggerId);

private:
    QString m_toast;
    QString m_caption;
};

// The toast property's JSON for `offer`: its body and button labels as the
// client shows them (SPEC §4), `page` the URL its poll was sent from (empty:
// the widget shows it wherever the user is).
QString toastJson(const Offer& offer, const std::string& page);

} // namespace proactive::ui
