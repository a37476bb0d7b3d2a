// What the user saw, in the Replay tab (issue 16): a recording of the demo
// product made at test time with the real rrweb plays beside the replay on
// its virtual clock. Checked inside the Replayer's iframe: the picture at a
// moment shows that moment's page (forwards and backwards), inputs stay
// masked; the toast is drawn over it from the firing to the user's answer;
// an accepted tour's first step resolves on the recorded element, or says it
// would have failed. Every wait is on a condition.

#include "recording/recordingfile.h"
#include "recordingtesting.h"
#include "replay/recordinglibrary.h"
#include "replay/replaypanel.h"
#include "replay/replaypicture.h"
#include "replay/sessionimport.h"
#include "replaytesting.h"
#include "tourcatalog.h"

#include <QComboBox>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <fstream>

using namespace proactive;
using namespace proactive::testing;

namespace {

const QString kWorkspaceDir = QStringLiteral(PROACTIVE_TEST_DATA "/visualreplay/workspace");

std::int64_t timestampOf(const Recording& recording, RrwebEventType type, int nth)
{
    int seen = 0;
    for (const RecordingEvent& event : recording.windows.front().events)
        if (event.type == int(type) && seen++ == nth)
            return event.timestamp;
    return -1;
}

std::string isoTime(std::int64_t ms)
{
    return formatIsoTimestamp(Timestamp(Duration(ms)));
}

// A session of the recorded user as PostHog would have it: a $pageview of
// /projects at `firstMs`, then one at each recorded full snapshot.
std::string sessionJsonLines(const std::string& token, const std::string& sessionId, std::int64_t firstMs,
    const std::vector<std::pair<std::int64_t, std::string>>& pageviews)
{
    std::string lines;
    int n = 0;
    auto add = [&](std::int64_t at, const std::string& path) {
        lines += R"({"uuid":"00000000-0000-4000-8000-00000000000)" + std::to_string(n++)
            + R"(","event":"$pageview","properties":{"$current_url":"http://localhost:8765)" + path
            + R"(","$session_id":")" + sessionId + R"(","distinct_id":"ana","token":")" + token + R"("},"timestamp":")"
            + isoTime(at) + "\"}\n";
    };
    add(firstMs, "/projects");
    for (const auto& [at, path] : pageviews)
        add(at, path);
    return lines;
}

} // namespace

class TestVisualReplay final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void pictureFollowsTheReplay();
    void toastFromFiringToResponse();
    void chatPanelFromAcceptToAnswer();
    void tourStepOnTheRecordedElement();
    void tourTargetThatWouldHaveFailed();
    void playingDrivesThePicture();
    void shortToastsAreDrawnWhilePlaying();
    void otherWindowsArePickable();
    void textWithBackquotesDollarsAndBackslashes();
    void longRecordingSeeksThroughThePool();
    void poolKeepsWithinItsMemoryBudget();
    void importsOffTheGuiThreadWithProgressAndCancel();

private:
    std::shared_ptr<const RecordedSession> importSession(const std::string& token);
    bool openWithPicture(const std::string& token, const char* policy);
    QString pictureText(const QString& selector, const QString& property = u"textContent"_qs);
    bool toastShown();
    // Whether `part` of the widget or chat (`proactiveWidget` / `proactiveChat`)
    // lies inside the replayed page's picture, as on the user's screen.
    bool insidePicture(const QString& owner, const QString& part);
    // The chat panel chat.js draws over the picture: {hidden, folded, typing,
    // messages: ["user: …", "assistant: …"]}.
    QJsonObject chatPanel();

    std::optional<Recording> m_recording;
    std::int64_t m_firstFull = 0; // the /projects page's full snapshot
    std::int64_t m_secondFull = 0; // the account page's
    std::int64_t m_secondMeta = 0;
    std::int64_t m_lastInput = 0;
    std::shared_ptr<const Workspace> m_workspace;
    TourCatalog m_catalog;
    QTemporaryDir m_dir;
    std::unique_ptr<ui::ReplayPanel> m_panel;
};

void TestVisualReplay::initTestCase()
{
    QStringList console;
    m_recording = recordDemoSession(u"s-visual"_qs, &console);
    QVERIFY2(m_recording, qPrintable(console.join(u'\n')));
    m_firstFull = timestampOf(*m_recording, RrwebEventType::FullSnapshot, 0);
    m_secondFull = timestampOf(*m_recording, RrwebEventType::FullSnapshot, 1);
    m_secondMeta = timestampOf(*m_recording, RrwebEventType::Meta, 1);
    for (const RecordingEvent& event : m_recording->windows.front().events)
        if (event.type == int(RrwebEventType::IncrementalSnapshot)
            && nlohmann::json::parse(event.json)["data"].value("source", -1) == DemoRecorder::kInput)
            m_lastInput = event.timestamp;
    QVERIFY(m_firstFull > 0 && m_secondFull >= m_secondMeta && m_secondMeta > m_lastInput && m_lastInput > m_firstFull);

    m_workspace = loadWorkspace(kWorkspaceDir);
    QCOMPARE(m_workspace->products().size(), 2u);
    Diagnostics diagnostics;
    m_catalog = loadTourCatalogDir((kWorkspaceDir + u"/tours"_qs).toStdString(), diagnostics);
    QVERIFY(diagnostics.empty());
    QVERIFY(m_dir.isValid());

    m_panel = std::make_unique<ui::ReplayPanel>();
    m_panel->resize(1600, 900);
    m_panel->setTourCatalog(m_catalog);
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
}

// The user's first pageview 7 s before the recording's first full snapshot
// (+1 ms): the client's first poll fires 5 s later, and a user who accepts
// does so 2 s after that, on the recorded /projects page.
std::shared_ptr<const RecordedSession> TestVisualReplay::importSession(const std::string& token)
{
    const std::filesystem::path file = std::filesystem::path(m_dir.path().toStdString()) / (token + ".jsonl");
    std::ofstream(file) << sessionJsonLines(token, "s-visual", m_firstFull - 7000 + 1,
        { { m_firstFull, "/projects" }, { m_secondFull, "/settings/account" } });
    const std::vector<std::filesystem::path> paths { file };
    auto imported = importSessions(m_workspace, paths);
    if (!imported || imported->sessions.size() != 1)
        return nullptr;
    return std::make_shared<const RecordedSession>(std::move(imported->sessions.front()));
}

bool TestVisualReplay::openWithPicture(const std::string& token, const char* policy)
{
    const auto session = importSession(token);
    if (!session)
        return false;
    m_panel->close();
    m_panel->setPolicy(*ResponsePolicy::parse(policy));
    if (!m_panel->open(m_workspace, session))
        return false;
    QSignalSpy ready(m_panel->picture(), &ui::ReplayPicture::ready);
    m_panel->setRecording(std::make_shared<const Recording>(*m_recording));
    return m_panel->picture()->isReady() || ready.wait(kRecordingWaitMs) || !ready.isEmpty();
}

QString TestVisualReplay::pictureText(const QString& selector, const QString& property)
{
    return evaluateJson(
        *m_panel->picture()->page(), u"proactivePlayer.query(%1, %2)"_qs.arg(jsQuoted(selector), jsQuoted(property)))
        .toString();
}

bool TestVisualReplay::toastShown()
{
    return !evaluateJson(*m_panel->picture()->page(),
        u"!window.proactiveWidget || window.proactiveWidget.root.querySelector('.toast').hidden"_qs, 10'000,
        QWebEngineScript::ApplicationWorld)
                .toBool();
}

bool TestVisualReplay::insidePicture(const QString& owner, const QString& part)
{
    return evaluateJson(*m_panel->picture()->page(), uR"((() => {
        const part = window.%1.root.querySelector(%2).getBoundingClientRect();
        const shown = [...document.querySelectorAll('#stage .replayer-wrapper')].find(
            (w) => getComputedStyle(w).visibility !== 'hidden');
        if (!shown || part.width === 0) return false;
        const picture = shown.getBoundingClientRect();
        const within = (a, b) => a >= b - 0.5;
        return within(part.left, picture.left) && within(part.top, picture.top)
            && within(picture.right, part.right) && within(picture.bottom, part.bottom);
    })())"_qs.arg(owner, jsQuoted(part)),
        10'000, QWebEngineScript::ApplicationWorld)
        .toBool();
}

QJsonObject TestVisualReplay::chatPanel()
{
    return evaluateJson(*m_panel->picture()->page(), uR"((() => {
        const chat = window.proactiveChat;
        if (!chat || !chat.host.isConnected) return { hidden: true, messages: [] };
        const panel = chat.root.querySelector('.panel');
        return { hidden: panel.hidden, folded: panel.classList.contains('folded'),
            typing: !chat.root.querySelector('.typing').hidden,
            messages: [...chat.root.querySelectorAll('.message')].map(
                (m) => m.className.replace('message ', '') + ': ' + m.textContent) };
    })())"_qs,
        10'000, QWebEngineScript::ApplicationWorld)
        .toObject();
}

void TestVisualReplay::pictureFollowsTheReplay()
{
    QVERIFY(openWithPicture("phc_visual_demo", "never"));
    const auto at = [](std::int64_t ms) { return Timestamp(Duration(ms)); };
    // The list, then (after the typed search) masked input, the project,
    // the account page; and back to the list: scrubbing backwards redraws.
    m_panel->seek(at(m_firstFull));
    QVERIFY(waitFor([&] { return pictureText(u"h1"_qs) == u"Projects"_qs; }, kRecordingWaitMs));
    m_panel->seek(at(m_lastInput));
    QVERIFY(
        waitFor([&] { return pictureText(u"[data-tour-id=\"project-search-input\"]"_qs, u"value"_qs) == u"***"_qs; },
            kRecordingWaitMs));
    // Until the account page's meta event the project is shown; between
    // it and its full snapshot the browser is loading the next document.
    m_panel->seek(at(m_secondMeta - 1));
    QVERIFY(waitFor([&] { return pictureText(u"h1"_qs).contains(u"Apollo"_qs); }, kRecordingWaitMs));
    m_panel->seek(at(m_secondFull));
    QVERIFY(waitFor([&] { return pictureText(u"h1"_qs) == u"Account settings"_qs; }, kRecordingWaitMs));
    m_panel->seek(at(m_firstFull));
    QVERIFY(waitFor([&] { return pictureText(u"h1"_qs) == u"Projects"_qs; }, kRecordingWaitMs));
    QCOMPARE(m_panel->picture()->offsetOf(at(m_firstFull)), m_firstFull - m_recording->windows[0].events[0].timestamp);
    QVERIFY(m_panel->picture()->statusText().startsWith(u"Recording s-visual"_qs));
    // What the user saw is what the tab is watched for: it has most of the width.
    QVERIFY2(m_panel->picture()->width() > m_panel->width() / 2,
        qPrintable(u"picture %1 of %2 px"_qs.arg(m_panel->picture()->width()).arg(m_panel->width())));
}

void TestVisualReplay::toastFromFiringToResponse()
{
    QVERIFY(openWithPicture("phc_visual_demo", "dismiss:1"));
    const ReplayRecord* record = m_panel->fullRecord();
    QVERIFY(record && !record->firings.empty() && !record->responses.empty());
    const Timestamp firing = record->firings.front().at;
    QCOMPARE(record->responses.front().action, std::string("dismiss"));
    const Timestamp dismissed = record->responses.front().at;

    m_panel->seek(firing - Duration(1));
    QVERIFY(waitFor([&] { return !toastShown(); }, kRecordingWaitMs));
    m_panel->seek(firing);
    QVERIFY(waitFor([&] { return toastShown(); }, kRecordingWaitMs));
    // Drawn by the product's widget: the trigger's body and labels.
    const QJsonValue body = evaluateJson(*m_panel->picture()->page(),
        u"window.proactiveWidget.root.querySelector('.toast .body').textContent"_qs, 10'000,
        QWebEngineScript::ApplicationWorld);
    QCOMPARE(body.toString(), u"New here? I can show you how to find a project."_qs);
    // Where the user saw it: in their viewport's corner, not the studio view's.
    QVERIFY(insidePicture(u"proactiveWidget"_qs, u".toast"_qs));
    m_panel->seek(dismissed - Duration(1));
    QVERIFY(toastShown());
    m_panel->seek(dismissed);
    QVERIFY(waitFor([&] { return !toastShown(); }, kRecordingWaitMs));
}

void TestVisualReplay::chatPanelFromAcceptToAnswer()
{
    QVERIFY(openWithPicture("phc_visual_demo", "chat:3"));
    const ReplayRecord* record = m_panel->fullRecord();
    QVERIFY(record && !record->firings.empty());
    const auto at = [&](const char* action) {
        for (const ReplayResponse& response : record->responses)
            if (response.action == action)
                return response.at;
        return Timestamp {};
    };
    const Timestamp accepted = at("accept_chat");
    const Timestamp answered = at("chat_completed");
    QVERIFY(accepted > record->firings.front().at && answered > accepted);
    const QString prefill = u"user: "_qs + QString::fromUtf8(kAcceptPrefill.data(), qsizetype(kAcceptPrefill.size()));

    // The toast until the accept; no chat yet.
    m_panel->seek(accepted - Duration(1));
    QVERIFY(waitFor([&] { return toastShown(); }, kRecordingWaitMs));
    QCOMPARE(chatPanel()[u"hidden"].toBool(), true);
    // The accept opens the chat with the prefill; the bot is typing.
    m_panel->seek(accepted);
    QVERIFY(waitFor([&] { return !chatPanel()[u"hidden"].toBool(); }, kRecordingWaitMs));
    QVERIFY(!toastShown());
    QJsonObject chat = chatPanel();
    QCOMPARE(chat[u"messages"].toArray(), QJsonArray { prefill });
    QCOMPARE(chat[u"typing"].toBool(), true);
    QCOMPARE(chat[u"folded"].toBool(), false);
    QVERIFY(insidePicture(u"proactiveChat"_qs, u".panel"_qs));
    // Its answer comes when the policy says.
    m_panel->seek(answered);
    QVERIFY(waitFor([&] { return chatPanel()[u"messages"].toArray().size() == 2; }, kRecordingWaitMs));
    chat = chatPanel();
    QCOMPARE(chat[u"typing"].toBool(), false);
    QVERIFY2(
        chat[u"messages"][1].toString().startsWith(u"assistant: "_qs), qPrintable(chat[u"messages"][1].toString()));
    QVERIFY(saveScreenshot(*m_panel, u"visual-replay-chat.png"_qs));
    // Back before the accept: closed again, and empty.
    m_panel->seek(accepted - Duration(1));
    QVERIFY(waitFor([&] { return chatPanel()[u"hidden"].toBool(); }, kRecordingWaitMs));
    QCOMPARE(chatPanel()[u"messages"].toArray().size(), 0);
}

void TestVisualReplay::tourStepOnTheRecordedElement()
{
    QVERIFY(openWithPicture("phc_visual_demo", "tour-complete:60"));
    const ReplayRecord* record = m_panel->fullRecord();
    QVERIFY(record && !record->responses.empty());
    QCOMPARE(record->responses.front().action, std::string("accept_tour"));
    QSignalSpy checked(m_panel->picture(), &ui::ReplayPicture::tourTargetChecked);
    m_panel->seek(record->responses.front().at);
    QVERIFY(waitFor([&] { return !checked.isEmpty(); }, kRecordingWaitMs));
    QCOMPARE(checked.first().at(0).toString(), u"find-project"_qs);
    QCOMPARE(checked.first().at(2).toBool(), true);
    // The ring is drawn around the element, in the view.
    const QJsonObject ring = evaluateJson(*m_panel->picture()->page(), uR"((() => {
        const r = document.getElementById('step').getBoundingClientRect();
        return { hidden: document.getElementById('step').hidden, width: r.width };
    })())"_qs)
                                 .toObject();
    QCOMPARE(ring[u"hidden"].toBool(), false);
    QVERIFY(ring[u"width"].toDouble() > 10);
    QVERIFY2(m_panel->picture()->statusText().contains(u"tour find-project: first step on"_qs),
        qPrintable(m_panel->picture()->statusText()));
    // The chat opened with the accept, folded to its header while the tour runs (as in the studio).
    QVERIFY(waitFor([&] { return !chatPanel()[u"hidden"].toBool(); }, kRecordingWaitMs));
    QCOMPARE(chatPanel()[u"folded"].toBool(), true);
    QVERIFY(saveScreenshot(*m_panel, u"visual-replay.png"_qs));
}

void TestVisualReplay::tourTargetThatWouldHaveFailed()
{
    QVERIFY(openWithPicture("phc_visual_lost", "tour-complete:60"));
    const ReplayRecord* record = m_panel->fullRecord();
    QVERIFY(record && !record->responses.empty());
    QSignalSpy checked(m_panel->picture(), &ui::ReplayPicture::tourTargetChecked);
    m_panel->seek(record->responses.front().at);
    QVERIFY(waitFor([&] { return !checked.isEmpty(); }, kRecordingWaitMs));
    QCOMPARE(checked.first().at(0).toString(), u"archive-project"_qs);
    QCOMPARE(checked.first().at(2).toBool(), false);
    QVERIFY2(m_panel->picture()->statusText().contains(u"would have failed for this user"_qs),
        qPrintable(m_panel->picture()->statusText()));
}

void TestVisualReplay::playingDrivesThePicture()
{
    QVERIFY(openWithPicture("phc_visual_demo", "never"));
    m_panel->seek(Timestamp(Duration(m_firstFull)));
    QVERIFY(waitFor([&] { return pictureText(u"h1"_qs) == u"Projects"_qs; }, kRecordingWaitMs));
    m_panel->setSpeed(100);
    m_panel->play();
    // Played to its end (the replay pauses there), the picture has followed.
    QVERIFY(waitFor([&] { return !m_panel->isPlaying(); }, 60'000));
    QVERIFY(waitFor([&] { return pictureText(u"h1"_qs) == u"Account settings"_qs; }, kRecordingWaitMs));
}

// A toast the replayed user dismisses 0.1 s after it appeared lives far
// less than a tick of the tab (50 ms of wall time: 5 s of replay at 100×,
// 400 ms at 8×): played through, it is drawn all the same (the widget
// reports the frame), once, and gone again.
void TestVisualReplay::shortToastsAreDrawnWhilePlaying()
{
    QVERIFY(openWithPicture("phc_visual_demo", "dismiss:0.1"));
    const ReplayRecord* record = m_panel->fullRecord();
    QVERIFY(record && !record->firings.empty() && !record->responses.empty());
    const Duration life = record->responses.front().at - record->firings.front().at;
    QVERIFY2(life == Duration(100) && record->responses.front().action == "dismiss",
        qPrintable(u"%1 %2 ms after the firing"_qs.arg(QString::fromStdString(record->responses.front().action))
                       .arg(life.count())));
    const auto shown = std::count_if(
        record->firings.begin(), record->firings.end(), [](const ReplayFiring& firing) { return firing.shown; });
    QCOMPARE(shown, std::ptrdiff_t(1));
    m_panel->restart();
    QVERIFY(waitFor([&] { return !toastShown(); }, kRecordingWaitMs));
    QSignalSpy drawn(m_panel->picture(), &ui::ReplayPicture::toastDrawn);
    m_panel->setSpeed(100);
    m_panel->play();
    QVERIFY(waitFor([&] { return !m_panel->isPlaying(); }, 120'000));
    QVERIFY2(waitFor([&] { return !drawn.isEmpty(); }, kRecordingWaitMs), "the toast was never drawn");
    QCOMPARE(drawn.first().at(0).toString(), u"first-look"_qs);
    QVERIFY(waitFor([&] { return !toastShown(); }, kRecordingWaitMs));
    QCOMPARE(drawn.size(), 1);
}

// A recording of two windows (the recorded demo, and a second tab that
// opened during it): the main one is drawn first, the picker above the
// picture draws the other at the same moment of the replay.
void TestVisualReplay::otherWindowsArePickable()
{
    QVERIFY(openWithPicture("phc_visual_demo", "never"));
    Recording twoWindows = *m_recording;
    RecordingWindow tab { "w-help-tab", {} };
    tab.events = {
        makeRecordingEvent(4, m_firstFull + 10, R"({"href":"http://localhost:8765/help","width":800,"height":600})"),
        makeRecordingEvent(2, m_firstFull + 11,
            R"({"node":{"type":0,"childNodes":[{"type":2,"tagName":"html","attributes":{},"childNodes":[)"
            R"({"type":2,"tagName":"body","attributes":{},"childNodes":[{"type":2,"tagName":"h1","attributes":{},)"
            R"("childNodes":[{"type":3,"textContent":"Help centre","id":5}],"id":4}],"id":3}],"id":2}],"id":1},)"
            R"("initialOffset":{"left":0,"top":0}})"),
        makeRecordingEvent(3, m_secondFull + 20, R"({"source":1,"positions":[{"x":1,"y":1,"id":3,"timeOffset":0}]})"),
    };
    twoWindows.windows.push_back(std::move(tab));
    ui::ReplayPicture* picture = m_panel->picture();
    QSignalSpy ready(picture, &ui::ReplayPicture::ready);
    m_panel->setRecording(std::make_shared<const Recording>(std::move(twoWindows)));
    QVERIFY(ready.wait(kRecordingWaitMs) || !ready.isEmpty());
    QCOMPARE(picture->windowIndex(), 0);
    auto* windows = picture->findChild<QComboBox*>(u"recordingWindow"_qs);
    QVERIFY(windows && windows->isVisible());
    QCOMPARE(windows->count(), 2);
    m_panel->seek(Timestamp(Duration(m_secondFull)));
    QVERIFY(waitFor([&] { return pictureText(u"h1"_qs) == u"Account settings"_qs; }, kRecordingWaitMs));
    QVERIFY2(picture->statusText().contains(u"window 1 of 2"_qs), qPrintable(picture->statusText()));

    ready.clear();
    picture->showWindow(1);
    QVERIFY(ready.wait(kRecordingWaitMs) || !ready.isEmpty());
    QVERIFY(waitFor([&] { return pictureText(u"h1"_qs) == u"Help centre"_qs; }, kRecordingWaitMs));
    QCOMPARE(windows->currentIndex(), 1);
    QVERIFY2(picture->statusText().contains(u"window 2 of 2"_qs), qPrintable(picture->statusText()));
    QVERIFY(saveScreenshot(*m_panel, u"visual-replay-windows.png"_qs));
    // Back to the main window, at the same moment.
    ready.clear();
    picture->showWindow(0);
    QVERIFY(ready.wait(kRecordingWaitMs) || !ready.isEmpty());
    QVERIFY(waitFor([&] { return pictureText(u"h1"_qs) == u"Account settings"_qs; }, kRecordingWaitMs));
}

// The events cross into the view as JSON text in a String.raw template:
// the characters that could end it or be read as escapes arrive unchanged.
void TestVisualReplay::textWithBackquotesDollarsAndBackslashes()
{
    const std::string text = R"(cost `${price}` \ \n \u0041 "quoted")";
    const std::string escaped = nlohmann::json(text).dump();
    const std::int64_t start = 1'793'610'000'000;
    Recording recording { "r-escapes", { RecordingWindow { "w", {} } } };
    recording.windows[0].events = {
        makeRecordingEvent(4, start, R"({"href":"http://localhost/","width":800,"height":600})"),
        makeRecordingEvent(2, start + 1,
            R"({"node":{"type":0,"childNodes":[{"type":2,"tagName":"html","attributes":{},"childNodes":[)"
            R"({"type":2,"tagName":"body","attributes":{},"childNodes":[{"type":2,"tagName":"h1","attributes":{},)"
            R"("childNodes":[{"type":3,"textContent":)"
                + escaped + R"(,"id":5}],"id":4}],"id":3}],"id":2}],"id":1},"initialOffset":{"left":0,"top":0}})"),
        makeRecordingEvent(3, start + 2, R"({"source":1,"positions":[{"x":1,"y":1,"id":3,"timeOffset":0}]})"),
    };
    ui::ReplayPicture picture;
    QSignalSpy ready(&picture, &ui::ReplayPicture::ready);
    picture.setRecording(std::make_shared<const Recording>(std::move(recording)));
    QVERIFY(ready.wait(kRecordingWaitMs) || !ready.isEmpty());
    picture.showAt(Timestamp(Duration(start + 2)), false, 1);
    QVERIFY(waitFor(
        [&] {
            return evaluateJson(*picture.page(), u"proactivePlayer.query('h1')"_qs).toString()
                == QString::fromStdString(text);
        },
        kRecordingWaitMs));
}

namespace {

constexpr std::int64_t kLongStart = 1'793'610'000'000;
constexpr std::int64_t kLongStep = 10;

// `count` events after one full snapshot of a heading and `rows` list items:
// each event sets the heading to "step i".
std::shared_ptr<const Recording> longRecording(int count, int rows)
{
    Recording recording { "r-long", { RecordingWindow { "w", {} } } };
    auto& events = recording.windows[0].events;
    events.push_back(makeRecordingEvent(4, kLongStart, R"({"href":"http://localhost/","width":800,"height":600})"));
    std::string items;
    for (int i = 0; i < rows; ++i)
        items += R"(,{"type":2,"tagName":"li","attributes":{},"childNodes":[],"id":)" + std::to_string(10 + i) + "}";
    events.push_back(makeRecordingEvent(2, kLongStart + 1,
        R"({"node":{"type":0,"childNodes":[{"type":2,"tagName":"html","attributes":{},"childNodes":[)"
        R"({"type":2,"tagName":"body","attributes":{},"childNodes":[{"type":2,"tagName":"h1","attributes":{},)"
        R"("childNodes":[{"type":3,"textContent":"step -1","id":5}],"id":4})"
            + items + R"(],"id":3}],"id":2}],"id":1},"initialOffset":{"left":0,"top":0}})"));
    for (int i = 0; i < count; ++i)
        events.push_back(makeRecordingEvent(3, kLongStart + 2 + kLongStep * i,
            R"({"source":0,"texts":[{"id":5,"value":"step )" + std::to_string(i)
                + R"("}],"attributes":[],"removes":[],"adds":[]})"));
    return std::make_shared<const Recording>(std::move(recording));
}

bool poolSettled(QWebEnginePage& page)
{
    return waitFor([&] { return evaluateJson(page, u"proactivePlayer.settled()"_qs).toBool(); }, 120'000);
}

// Seeks forwards and backwards through a recording of longRecording(12 000):
// the picture is the recording's at each moment, whichever Replayer shows it.
void seekThroughThePool(ui::ReplayPicture& picture)
{
    for (const int step : { 11'500, 700, 6'200, 6'100, 9'999, 0, 5'000, 11'999 }) {
        picture.showAt(Timestamp(Duration(kLongStart + 2 + kLongStep * step)), false, 1);
        const QString expected = u"step %1"_qs.arg(step);
        QVERIFY2(
            waitFor(
                [&] { return evaluateJson(*picture.page(), u"proactivePlayer.query('h1')"_qs).toString() == expected; },
                kRecordingWaitMs),
            qPrintable(expected + evaluateJson(*picture.page(), u"proactivePlayer.poolState()"_qs).toString()));
        // Between some seeks the pool parks again, between others not.
        if (step % 2 == 0)
            QVERIFY(poolSettled(*picture.page()));
    }
}

} // namespace

// A long recording with one full snapshot: the player parks several
// Replayers along it (player.js) and a seek shows the one cheapest to bring
// there. Whichever is shown, forwards and backwards, the picture is the
// recording's at that moment: here the heading counts the events so far.
void TestVisualReplay::longRecordingSeeksThroughThePool()
{
    ui::ReplayPicture picture;
    picture.resize(800, 600);
    QSignalSpy ready(&picture, &ui::ReplayPicture::ready);
    picture.setRecording(longRecording(12'000, 0));
    QVERIFY(ready.wait(kRecordingWaitMs) || !ready.isEmpty());
    QVERIFY(poolSettled(*picture.page()));
    QVERIFY(evaluateJson(*picture.page(), u"proactivePlayer.poolSize()"_qs).toInt() > 2);
    seekThroughThePool(picture);
}

// The pool is bounded by memory, not by count: a Replayer costs about its
// rebuilt page, so on a heavy page (1 200 elements, ~18 MB a Replayer by
// the player's estimate) the pool keeps fewer Replayers than the events
// alone would give (homes at 0, 5 000 and 10 000 events, plus a free one),
// within its budget, and seeks still draw the right moment.
void TestVisualReplay::poolKeepsWithinItsMemoryBudget()
{
    ui::ReplayPicture picture;
    picture.resize(800, 600);
    QSignalSpy ready(&picture, &ui::ReplayPicture::ready);
    picture.setRecording(longRecording(12'000, 1'200));
    QVERIFY(ready.wait(kRecordingWaitMs) || !ready.isEmpty());
    QVERIFY(poolSettled(*picture.page()));
    const QJsonObject budget = evaluateJson(*picture.page(), u"JSON.parse(proactivePlayer.poolBudget())"_qs).toObject();
    const double budgetBytes = budget.value(u"budgetBytes"_qs).toDouble();
    const double replayerBytes = budget.value(u"replayerBytes"_qs).toDouble();
    const int homesByEvents = budget.value(u"homesByEvents"_qs).toInt();
    const int poolSize = evaluateJson(*picture.page(), u"proactivePlayer.poolSize()"_qs).toInt();
    QCOMPARE(homesByEvents, 3);
    // 1 200 items, the heading, body and html.
    QCOMPARE(replayerBytes, 1'203 * 15 * 1024.0);
    QVERIFY2(poolSize * replayerBytes <= budgetBytes, qPrintable(u"%1 Replayers"_qs.arg(poolSize)));
    QVERIFY2(poolSize > 1, qPrintable(u"%1 Replayers"_qs.arg(poolSize)));
    seekThroughThePool(picture);
}

void TestVisualReplay::importsOffTheGuiThreadWithProgressAndCancel()
{
    // The demo recording, then 50k pointer moves: a file of some megabytes.
    Recording large = *m_recording;
    std::int64_t at = large.windows[0].events.back().timestamp;
    for (int i = 0; i < 50'000; ++i)
        large.windows[0].events.push_back(makeRecordingEvent(3, ++at,
            R"({"source":1,"positions":[{"x":)" + std::to_string(i % 1280) + R"(,"y":300,"id":5,"timeOffset":0}]})"));
    const QString file = m_dir.filePath(u"export-s-large.json"_qs);
    std::ofstream(file.toStdString()) << writeRecording(large, RecordingFileFormat::PostHog20221202);

    ui::RecordingLibrary library;
    QSignalSpy progress(&library, &ui::RecordingLibrary::importProgress);
    QSignalSpy finished(&library, &ui::RecordingLibrary::importFinished);
    QVERIFY(library.importPaths({ file }));
    QVERIFY(library.isImporting());
    QVERIFY(!library.importPaths({ file })); // one at a time
    QVERIFY(waitFor([&] { return !finished.isEmpty(); }, kRecordingWaitMs));
    QVERIFY(library.lastImport().ok);
    QVERIFY(!progress.isEmpty());
    QCOMPARE(library.recordingFor("s-large")->eventCount(), large.eventCount());

    finished.clear();
    QVERIFY(library.importPaths({ file }));
    library.cancelImport();
    QVERIFY(waitFor([&] { return !finished.isEmpty(); }, kRecordingWaitMs));
    QVERIFY(library.lastImport().cancelled);
    QVERIFY(!library.lastImport().ok);
}

QTEST_MAIN(TestVisualReplay)
#include "tst_visualreplay.moc"
