#include "replaypicture.h"

#include "chatbridge.h"
#include "client/simulatedclient.h"
#include "freedheap.h"
#include "gates/decision.h"
#include "pagebridge.h"
#include "tourcatalog.h"
#include "widgetbridge.h"

#include <QComboBox>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QVBoxLayout>
#include <QWebEnginePage>
#include <QWebEngineView>
#include <algorithm>
#include <cmath>

namespace proactive::ui {

namespace {

    // How far (ms of recording) a playing Replayer may drift from the
    // replay's time before it is put back: a few ticks at the replay's speed.
    double driftAllowed(double speed)
    {
        return std::max(300.0, 150.0 * speed);
    }

    // The events cross into the view in pieces of about this much text:
    // no script of the whole recording (7 MB for 30 minutes) to copy and
    // convert at once.
    constexpr std::size_t kChunkBytes = 1 << 20;

    // `proactivePlayer.append(…)` of events [first, last) as a JSON text
    // the page parses with JSON.parse (far cheaper in time and memory for
    // V8 than an array literal). The text goes in a String.raw template, so
    // its backslashes need no escaping; a backquote or a dollar sign can
    // only be inside a JSON string, where \u0060 and \u0024 mean the same.
    QString appendCall(const std::vector<RecordingEvent>& events, std::size_t first, std::size_t last)
    {
        QByteArray text = "proactivePlayer.append(JSON.parse(String.raw`[";
        for (std::size_t i = first; i < last; ++i) {
            if (i > first)
                text += ',';
            for (char c : events[i].json) {
                if (c == '`')
                    text += "\\u0060";
                else if (c == '$')
                    text += "\\u0024";
                else
                    text += c;
            }
        }
        text += "]`))";
        return QString::fromUtf8(text);
    }

} // namespace

ReplayPicture::ReplayPicture(QWidget* parent)
    : QWidget(parent)
    , m_view(new QWebEngineView(this))
    , m_bridge(new PageBridge(m_view->page(), this))
    , m_widget(new WidgetBridge(this))
    , m_chat(new ChatBridge(this))
    , m_status(new QLabel(this))
    , m_windows(new QComboBox(this))
{
    // The toast and the chat panel as the product's widget draws them, over
    // the whole picture.
    m_bridge->registerObject(u"widget"_qs, m_widget);
    m_bridge->registerObject(u"chat"_qs, m_chat);
    m_bridge->addScriptFile(u":/proactive/page/widget.js"_qs, QWebEngineScript::DocumentReady);
    m_bridge->addScriptFile(u":/proactive/page/chat.js"_qs, QWebEngineScript::DocumentReady);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    m_windows->setObjectName(u"recordingWindow"_qs);
    m_windows->setToolTip(tr("The recording's windows and tabs: which one the picture draws"));
    m_windows->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_windows->hide();
    layout->addWidget(m_windows, 0, Qt::AlignLeft);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_status);
    connect(m_windows, &QComboBox::activated, this, &ReplayPicture::showWindow);
    connect(m_widget, &WidgetBridge::toastDrawn, this, &ReplayPicture::onToastDrawn);
    connect(m_view->page(), &QWebEnginePage::loadFinished, this, [this](bool ok) {
        m_pageLoaded = ok;
        if (ok)
            loadRecording();
    });
    m_view->setUrl(QUrl(u"qrc:/proactive/recording/player.html"_qs));
    refreshStatus();
}

ReplayPicture::~ReplayPicture() = default;

QWebEnginePage* ReplayPicture::page() const
{
    return m_view->page();
}

void ReplayPicture::setRecording(std::shared_ptr<const Recording> recording)
{
    if (recording == m_recording)
        return;
    m_recording = std::move(recording);
    const RecordingWindow* main = m_recording ? m_recording->mainWindow() : nullptr;
    m_windowIndex = main ? int(main - m_recording->windows.data()) : -1;
    fillWindowPicker();
    setTourStep({}, nullptr);
    showWindow(m_windowIndex);
}

const RecordingWindow* ReplayPicture::shownWindow() const
{
    return m_recording && m_windowIndex >= 0 && std::size_t(m_windowIndex) < m_recording->windows.size()
        ? &m_recording->windows[std::size_t(m_windowIndex)]
        : nullptr;
}

void ReplayPicture::fillWindowPicker()
{
    m_windows->clear();
    const std::size_t count = m_recording ? m_recording->windows.size() : 0;
    for (std::size_t i = 0; i < count; ++i) {
        const RecordingWindow& window = m_recording->windows[i];
        m_windows->addItem(tr("Window %1 of %2: %3 · %n event(s)", nullptr, int(window.events.size()))
                               .arg(i + 1)
                               .arg(count)
                               .arg(QString::fromStdString(window.windowId)));
    }
    m_windows->setCurrentIndex(m_windowIndex);
    m_windows->setVisible(count > 1);
}

void ReplayPicture::showWindow(int index)
{
    if (m_recording && (index < 0 || std::size_t(index) >= m_recording->windows.size()))
        return;
    m_windowIndex = index;
    m_windows->setCurrentIndex(index);
    m_loaded = false;
    m_told.reset();
    // The replay's moment is the same in every window: each is drawn at
    // its own offset from its own first event.
    const RecordingWindow* window = shownWindow();
    m_start = window && !window->events.empty() ? window->events.front().timestamp : 0;
    m_length = window && !window->events.empty() ? window->events.back().timestamp - m_start : 0;
    if (m_wanted && m_wantedAt)
        m_wanted->offset = offsetOf(*m_wantedAt);
    if (m_pageLoaded)
        loadRecording();
    refreshStatus();
}

void ReplayPicture::loadRecording()
{
    const int generation = ++m_loadGeneration;
    const RecordingWindow* window = shownWindow();
    // In the page's main world: the player is the page's own script. The
    // view runs the scripts in order, so load() sees every piece.
    QWebEnginePage* page = m_view->page();
    page->runJavaScript(u"proactivePlayer.begin()"_qs, QWebEngineScript::MainWorld);
    const std::vector<RecordingEvent> none;
    const std::vector<RecordingEvent>& events = window ? window->events : none;
    for (std::size_t first = 0; first < events.size();) {
        std::size_t last = first;
        for (std::size_t bytes = 0; last < events.size() && bytes < kChunkBytes; ++last)
            bytes += events[last].json.size() + 1;
        page->runJavaScript(appendCall(events, first, last), QWebEngineScript::MainWorld);
        first = last;
    }
    page->runJavaScript(
        u"proactivePlayer.load()"_qs, QWebEngineScript::MainWorld, [this, generation](const QVariant& loaded) {
            if (generation != m_loadGeneration)
                return;
            m_loaded = loaded.toBool();
            m_told.reset();
            // The events' text has crossed into the page (pieces of UTF-16
            // and the view's copies of them): that heap goes back.
            releaseFreedHeap();
            refreshStatus();
            if (!m_loaded)
                return;
            apply();
            Q_EMIT ready();
        });
}

std::int64_t ReplayPicture::offsetOf(Timestamp now) const
{
    return std::clamp<std::int64_t>(now.time_since_epoch().count() - m_start, 0, m_length);
}

void ReplayPicture::showAt(Timestamp now, bool playing, double speed)
{
    m_wantedAt = now;
    m_wanted = Moment { offsetOf(now), playing, speed };
    apply();
}

void ReplayPicture::apply()
{
    if (!m_loaded || !m_wanted)
        return;
    const Moment wanted = *m_wanted;
    if (wanted.playing && wanted.offset < m_length) {
        // Leave a playing Replayer alone while it keeps up with the replay.
        if (m_told && m_told->playing && m_told->speed == wanted.speed) {
            const double expected = double(m_told->offset) + double(m_toldAt.elapsed()) * wanted.speed;
            if (std::abs(expected - double(wanted.offset)) <= driftAllowed(wanted.speed))
                return;
        }
        m_view->page()->runJavaScript(
            u"proactivePlayer.play(%1, %2)"_qs.arg(wanted.offset).arg(wanted.speed), QWebEngineScript::MainWorld);
    } else {
        if (m_told && !m_told->playing && m_told->offset == wanted.offset)
            return;
        m_view->page()->runJavaScript(u"proactivePlayer.pause(%1)"_qs.arg(wanted.offset), QWebEngineScript::MainWorld);
        // The page at this moment may have the tour's target or not.
        checkTourTarget();
    }
    m_told = Moment { wanted.offset, wanted.playing && wanted.offset < m_length, wanted.speed };
    m_toldAt.start();
}

void ReplayPicture::setToast(const std::optional<Offer>& offer)
{
    // No page: the replayed toast is shown wherever the picture is.
    m_wantedToast = offer ? toastJson(*offer, {}) : QString();
    showWantedToast();
}

void ReplayPicture::showWantedToast()
{
    // QWebChannel hands the page only the latest value of a property changed
    // within its update interval (50 ms, longer while the page is busy): at
    // 8× a toast replaced a tick later could be lost on the way. Playing, it
    // is therefore replaced only once the widget has drawn it; paused, the
    // picture is exactly the moment.
    if (m_toastUndrawn && m_wanted && m_wanted->playing)
        return;
    if (m_widget->toast() == m_wantedToast)
        return;
    m_widget->setToast(m_wantedToast);
    m_toastUndrawn = !m_wantedToast.isEmpty();
}

void ReplayPicture::onToastDrawn(const QString& triggerId)
{
    m_toastUndrawn = false;
    Q_EMIT toastDrawn(triggerId);
    showWantedToast();
}

void ReplayPicture::setChat(const ReplayedChat& chat)
{
    if (chat == m_shownChat)
        return;
    QJsonArray transcript;
    for (int i = 0; i < chat.sent; ++i) {
        transcript.append(QJsonObject { { u"role"_qs, u"user"_qs },
            { u"text"_qs, QString::fromUtf8(kAcceptPrefill.data(), qsizetype(kAcceptPrefill.size())) } });
        if (i < chat.answered)
            transcript.append(QJsonObject { { u"role"_qs, u"assistant"_qs },
                { u"text"_qs, tr("*The assistant answered here; the replay does not run the bot.*") } });
    }
    m_chat->showConversation(transcript, chat.answered < chat.sent);
    m_chat->setFolded(chat.folded);
    m_chat->setOpen(chat.sent > 0);
    m_shownChat = chat;
}

void ReplayPicture::setTourStep(const QString& tourId, const TourStep* step)
{
    const QString selector = step ? QString::fromStdString(step->target) : QString();
    if (tourId == m_tourId && selector == m_stepSelector)
        return;
    m_tourId = tourId;
    m_stepSelector = selector;
    m_stepResolves.reset();
    const QString call = step
        ? u"proactivePlayer.showStep(%1, %2, %3)"_qs.arg(jsLiteral(selector),
            jsLiteral(QString::fromStdString(step->title)), jsLiteral(QString::fromStdString(step->content)))
        : u"proactivePlayer.showStep(null)"_qs;
    if (m_pageLoaded)
        m_view->page()->runJavaScript(call, QWebEngineScript::MainWorld);
    checkTourTarget();
    refreshStatus();
}

void ReplayPicture::checkTourTarget()
{
    if (m_stepSelector.isEmpty() || !m_loaded)
        return;
    const QString tourId = m_tourId;
    const QString selector = m_stepSelector;
    m_view->page()->runJavaScript(u"proactivePlayer.resolves(%1)"_qs.arg(jsLiteral(selector)),
        QWebEngineScript::MainWorld, [this, tourId, selector](const QVariant& resolves) {
            if (tourId != m_tourId || selector != m_stepSelector)
                return;
            const bool found = resolves.toBool();
            const bool changed = m_stepResolves != found;
            m_stepResolves = found;
            refreshStatus();
            if (changed)
                Q_EMIT tourTargetChecked(tourId, selector, found);
        });
}

QString ReplayPicture::statusText() const
{
    return m_status->text();
}

void ReplayPicture::refreshStatus()
{
    QString text;
    if (!m_recording)
        text = tr("No recording for this session: import its PostHog export (File ▸ Import) to see what the user saw");
    else {
        const RecordingWindow* window = shownWindow();
        text = tr("Recording %1: %n event(s)", nullptr, window ? int(window->events.size()) : 0)
                   .arg(QString::fromStdString(m_recording->id));
        if (m_recording->windows.size() > 1)
            text += tr(" · window %1 of %2").arg(m_windowIndex + 1).arg(m_recording->windows.size());
        if (!m_loaded && m_pageLoaded)
            text += tr(" · nothing to draw (no full snapshot)");
    }
    if (!m_stepSelector.isEmpty() && m_stepResolves) {
        text += *m_stepResolves ? tr(" · tour %1: first step on %2").arg(m_tourId, m_stepSelector)
                                : tr(" · tour %1: target %2 would have failed for this user (not in the replayed page)")
                                      .arg(m_tourId, m_stepSelector);
    }
    m_status->setText(text);
}

} // namespace proactive::ui
