// The visual replay (issue 16) on a long recording, as a harness: a
// generated 30-minute rrweb recording of a list page (one full snapshot of
// 400 rows, then an event every 30 ms: pointer moves, clicks, text and
// attribute mutations, scrolls, inputs — 60k incremental snapshots) written
// as PostHog's "Export to file" (2023-04-28), then:
//
//   import      importRecordings: file → Recording (what Import Recordings…
//               runs on its worker thread)
//   load        ReplayPicture::setRecording → ready(): the events handed to
//               rrweb's Replayer in the view and its first frame drawn
//   parked      how long after the first frame the player's pool of
//               Replayers (player.js) is made and parked, in the background
//   seek        the picture put at a random moment, paused, until the view
//               has drawn it (the next script the view runs returns),
//               forwards and backwards, p50 and max over the seeks: first
//               with the pool parked before each seek, then one seek right
//               after the other (scrubbing: the pool never parks)
//   early seek  the Replay tab's own picture, right after its first frame
//               while the pool still parks: a paused seek every second to a
//               random moment for 10 s (a person looking around right after
//               opening a session), each until the view has drawn it
//   memory      the studio process and its QtWebEngine helpers (PSS), before
//               the recording is loaded, once the pool is parked, after the
//               seeks, and 10 s after the pool parked again; then by process
//               (the studio, its renderer, the other helpers), at the first
//               frame as well, with the player page's JavaScript heap
//               (performance.memory) and the elements of its Replayers' pages
//
//   playback    the Replay tab itself (ReplayPanel and its ReplayPicture)
//               replays a session of the recorded user over the recording and
//               plays `play-minutes` of it at 1×, 4× and 8× (skip idle on as
//               the tab starts, or off): the toasts the product's widget reports
//               drawn over the picture (in a painted frame,
//               ReplayPicture::toastDrawn) against the toasts the replayed
//               client showed in the played span. The session views the
//               list every 10 s; its one trigger offers at every poll
//               (every 20 s) and the toast hides itself after
//               `toast-seconds` (interaction_timeout_s): at 8× one tick of
//               the tab (50 ms) is 400 ms of replay.
//
// Goals (issue 16): import + load ≤ 2 s, seek ≤ 300 ms, ≤ 300 MB above idle,
// playback at 8× without dropped decision overlays.
//
// With checkout-minutes > 0 the recording has a full snapshot that often as
// well (rrweb's checkoutEveryNms; the studio's recorder checks out every
// 5 minutes): a seek then rebuilds from at most that far back.
//
//   QTWEBENGINE_DISABLE_SANDBOX=1 bench_visualreplay [incrementals=60000] [seeks=20] [checkout-minutes=0]
//       [play-minutes=4] [toast-seconds=1] [skip-idle=1]
//
// The first toast drawn at 8× is photographed (artifacts/visual-replay-8x.png).

#include "eventwait.h"
#include "recording/recordingfile.h"
#include "replay/replaypanel.h"
#include "replay/replaypicture.h"
#include "studio/graphicssetup.h"
#include "treememory.h"
#include "webpagetesting.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTimer>
#include <QWebEnginePage>
#include <QWebEngineScript>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <unistd.h>

using namespace proactive;

namespace {

constexpr int kRows = 400;
constexpr std::int64_t kStart = 1'793'610'000'000;
constexpr std::int64_t kLengthMs = 30 * 60 * 1000;

// The list page as rrweb serialises it: ids 1 document, 2 doctype, 3 html,
// 4 head, 5 style, 6 its text, 7 body, 8 h1, 9 its text, 10 input, 11 ul,
// then per row an li and its text node.
std::string fullSnapshotData()
{
    std::string rows;
    for (int i = 0; i < kRows; ++i) {
        const int li = 12 + 2 * i;
        rows += (i ? "," : "") + std::string(R"({"type":2,"tagName":"li","attributes":{"class":"row"},"childNodes":[)")
            + R"({"type":3,"textContent":"Project )" + std::to_string(i) + R"(","id":)" + std::to_string(li + 1)
            + R"(}],"id":)" + std::to_string(li) + "}";
    }
    return R"({"node":{"type":0,"childNodes":[{"type":1,"name":"html","publicId":"","systemId":"","id":2},)"
           R"({"type":2,"tagName":"html","attributes":{},"childNodes":[{"type":2,"tagName":"head","attributes":{},)"
           R"("childNodes":[{"type":2,"tagName":"style","attributes":{},"childNodes":[{"type":3,"textContent":)"
           R"("li.row{padding:4px;border-bottom:1px solid #ddd}li.hot{background:#fde68a}","isStyle":true,"id":6}],"id":5}],"id":4},)"
           R"({"type":2,"tagName":"body","attributes":{},"childNodes":[{"type":2,"tagName":"h1","attributes":{},)"
           R"("childNodes":[{"type":3,"textContent":"Projects","id":9}],"id":8},{"type":2,"tagName":"input",)"
           R"("attributes":{"type":"search"},"childNodes":[],"id":10},{"type":2,"tagName":"ul","attributes":{},"childNodes":[)"
        + rows + R"(],"id":11}],"id":7}],"id":3}],"id":1},"initialOffset":{"left":0,"top":0}})";
}

Recording generateRecording(int incrementals, int checkoutMinutes)
{
    Recording recording { "bench-30min", { RecordingWindow { "w-bench", {} } } };
    auto& events = recording.windows[0].events;
    events.reserve(std::size_t(incrementals) + 2);
    events.push_back(
        makeRecordingEvent(4, kStart, R"({"href":"http://localhost/projects","width":1280,"height":800})"));
    events.push_back(makeRecordingEvent(2, kStart + 1, fullSnapshotData()));
    std::mt19937 random(16);
    const std::int64_t step = kLengthMs / incrementals;
    const std::int64_t checkoutMs = std::int64_t(checkoutMinutes) * 60'000;
    std::int64_t nextCheckout = kStart + checkoutMs;
    for (int i = 0; i < incrementals; ++i) {
        const std::int64_t at = kStart + 2 + step * i;
        if (checkoutMs > 0 && at >= nextCheckout) {
            // rrweb's checkout: a meta event and a full snapshot of the page as it is (ids unchanged).
            events.push_back(
                makeRecordingEvent(4, at, R"({"href":"http://localhost/projects","width":1280,"height":800})"));
            events.push_back(makeRecordingEvent(2, at, fullSnapshotData()));
            nextCheckout += checkoutMs;
        }
        const int row = 12 + 2 * int(random() % kRows);
        const int x = int(random() % 1200), y = int(random() % 780);
        std::string data;
        switch (i % 10) {
        case 0: // a row's text changes
            data = R"({"source":0,"texts":[{"id":)" + std::to_string(row + 1) + R"(,"value":"Project )"
                + std::to_string(i) + R"("}],"attributes":[],"removes":[],"adds":[]})";
            break;
        case 1: // a row is highlighted
            data = R"({"source":0,"texts":[],"attributes":[{"id":)" + std::to_string(row)
                + R"(,"attributes":{"class":"row hot"}}],"removes":[],"adds":[]})";
            break;
        case 2:
            data = R"({"source":2,"type":2,"id":)" + std::to_string(row) + R"(,"x":)" + std::to_string(x) + R"(,"y":)"
                + std::to_string(y) + "}";
            break;
        case 3:
            data = R"({"source":3,"id":1,"x":0,"y":)" + std::to_string(y) + "}";
            break;
        case 4:
            data = R"({"source":5,"id":10,"text":")" + std::string(std::size_t(1 + i % 7), '*')
                + R"(","isChecked":false})";
            break;
        default:
            data = R"({"source":1,"positions":[{"x":)" + std::to_string(x) + R"(,"y":)" + std::to_string(y)
                + R"(,"id":7,"timeOffset":0}]})";
        }
        events.push_back(makeRecordingEvent(3, at, data));
    }
    return recording;
}

double msSince(const QElapsedTimer& timer)
{
    return double(timer.nsecsElapsed()) / 1e6;
}

// Waits until the view has run every script queued before this one.
bool drained(QWebEnginePage& page)
{
    bool done = false;
    page.runJavaScript(
        u"proactivePlayer.currentTime()"_qs, QWebEngineScript::MainWorld, [&](const QVariant&) { done = true; });
    return proactive::testing::waitFor([&] { return done; }, 60'000);
}

// The player's pool of Replayers is complete and parked (player.js).
bool settled(QWebEnginePage& page)
{
    return proactive::testing::waitFor(
        [&] {
            std::optional<bool> answer;
            page.runJavaScript(u"proactivePlayer.settled()"_qs, QWebEngineScript::MainWorld,
                [&](const QVariant& value) { answer = value.toBool(); });
            proactive::testing::waitFor([&] { return answer.has_value(); }, 60'000);
            return answer.value_or(false);
        },
        300'000);
}

// The player page's JavaScript heap (performance.memory: precise with
// QTWEBENGINE_CHROMIUM_FLAGS=--enable-precise-memory-info, in coarse steps
// without) and the elements of each Replayer's rebuilt page.
QString pageMemory(QWebEnginePage& page)
{
    return proactive::testing::evaluateJson(page,
        u"(() => { const m = performance.memory;"
        " const nodes = [...document.querySelectorAll('#stage iframe')].map("
        "   (f) => (f.contentDocument ? f.contentDocument.getElementsByTagName('*').length : 0));"
        " return `JS heap used ${(m.usedJSHeapSize / 1048576).toFixed(1)} MB of`"
        "   + ` ${(m.totalJSHeapSize / 1048576).toFixed(1)} MB; ${nodes.length} Replayers,`"
        "   + ` ${nodes.reduce((a, b) => a + b, 0)} elements`; })()"_qs,
        60'000)
        .toString();
}

// How many Replayers the player's pool has, against its memory budget (player.js).
QString poolSummary(QWebEnginePage& page)
{
    return proactive::testing::evaluateJson(page,
        u"(() => { const b = JSON.parse(proactivePlayer.poolBudget());"
        " return `${proactivePlayer.poolSize()} Replayers, each estimated`"
        "   + ` ${(b.replayerBytes / 1048576).toFixed(1)} MB (budget ${b.budgetBytes / 1048576} MB,`"
        "   + ` ${b.homesByEvents} homes by the events)`; })()"_qs,
        60'000)
        .toString();
}

// The process tree's memory and what the player page says of its own.
struct Memory {
    TreeMemory tree;
    QString page;
};

Memory measureMemory(QWebEnginePage& page)
{
    return { treeMemory(getpid()), pageMemory(page) };
}

// The studio's, the renderers' and the other helpers' PSS above idle.
void printMemoryByProcess(const char* when, const Memory& idle, const Memory& now)
{
    const long studio = (now.tree.pssKiBOf(u"studio"_qs) - idle.tree.pssKiBOf(u"studio"_qs)) / 1024;
    const long renderer = (now.tree.pssKiBOf(u"renderer"_qs) - idle.tree.pssKiBOf(u"renderer"_qs)) / 1024;
    const long all = (now.tree.pssKiB - idle.tree.pssKiB) / 1024;
    std::printf("  %s: studio %+ld MB, renderer %+ld MB, other helpers %+ld MB; %s\n", when, studio, renderer,
        all - studio - renderer, qPrintable(now.page));
}

struct SeekTimes {
    double p50 = 0;
    double max = 0;
};

// `count` paused seeks to random moments, each until the view has drawn it;
// `beforeEach` runs before each seek, untimed.
SeekTimes timeSeeks(
    proactive::ui::ReplayPicture& picture, std::mt19937& random, int count, const std::function<void()>& beforeEach)
{
    std::vector<double> times;
    QElapsedTimer timer;
    for (int i = 0; i < count; ++i) {
        beforeEach();
        const Timestamp at(Duration(kStart + std::int64_t(random() % std::uint64_t(kLengthMs))));
        timer.start();
        picture.showAt(at, false, 1);
        drained(*picture.page());
        times.push_back(msSince(timer));
    }
    std::ranges::sort(times);
    return { times[times.size() / 2], times.back() };
}

// The recorded user's product: one trigger on the list page that offers at
// every poll (no interval, no cooldown); its toast hides itself after
// `toastSeconds`.
std::shared_ptr<const Workspace> benchWorkspace(double toastSeconds)
{
    const nlohmann::json trigger { { "id", "nudge" },
        { "body", "Looking for a project? I can filter the list for you." },
        { "reply_option_labels", { "Filter it", "No thanks" } }, { "interaction_timeout_s", toastSeconds },
        { "cooldown_s", 0 }, { "when", { { "event", { { "url_contains", "/projects" } } } } } };
    const nlohmann::json products = nlohmann::json::array({ { { "product_id", "bench" }, { "routes", { "/projects" } },
        { "proactive", { { "enabled", true }, { "min_interval_s", 0 } } },
        { "triggers", nlohmann::json::array({ trigger }) } } });
    Diagnostics diagnostics;
    auto workspace
        = std::make_shared<const Workspace>(Workspace::fromJson(products, ".", "products.json", diagnostics));
    for (const Diagnostic& diagnostic : diagnostics)
        std::fprintf(stderr, "workspace: %s\n", diagnostic.toString().c_str());
    return workspace;
}

// The recorded user's events over the recording: the list viewed every 10 s.
std::shared_ptr<const RecordedSession> benchSession(const Workspace& workspace)
{
    std::vector<Action> actions;
    for (std::int64_t at = kStart; at < kStart + kLengthMs; at += 10'000) {
        Action action;
        action.type = ActionType::Pageview;
        action.event = "$pageview";
        action.sessionId = "bench-30min";
        action.distinctId = "bench-user";
        action.rawUrl = "http://localhost/projects";
        action.timestampStart = Timestamp(Duration(at));
        actions.push_back(std::move(action));
    }
    return std::make_shared<const RecordedSession>(
        recordSession(*workspace.product("bench"), "bench-30min", std::move(actions)));
}

struct Playback {
    int expected = 0; // toasts the replayed client showed in the span
    int drawn = 0; // toasts the widget reported drawn
    std::vector<double> missed; // when the toasts not drawn were shown, s from the recording's start
    double wallMs = 0;
    double replayedS = 0;
};

// Plays the tab at `speed` from `from` for `span` of replay time; counts the
// toasts drawn while it plays (and until the view has caught up after the
// pause) against the client's shown toasts in the span.
Playback playSpan(proactive::ui::ReplayPanel& panel, double speed, Timestamp from, Duration span, const QString& photo)
{
    panel.pause();
    panel.seek(from);
    drained(*panel.picture()->page());
    proactive::testing::wait(300); // a toast drawn at `from` reports before the count starts
    Playback playback;
    std::vector<Timestamp> drawnAt; // the replay's moment when each was reported
    const auto counting
        = QObject::connect(panel.picture(), &proactive::ui::ReplayPicture::toastDrawn, [&](const QString&) {
              drawnAt.push_back(panel.replay()->now());
              if (++playback.drawn == 1 && !photo.isEmpty())
                  // After the toast's 160 ms rise (widget.js), if it is still up.
                  QTimer::singleShot(170, &panel, [&panel, photo] { panel.grab().save(photo); });
          });
    panel.setSpeed(speed);
    QElapsedTimer timer;
    timer.start();
    panel.play();
    proactive::testing::waitFor([&] { return panel.replay()->now() >= from + span || !panel.isPlaying(); }, 3'600'000);
    panel.pause();
    playback.wallMs = msSince(timer);
    const Timestamp to = panel.replay()->now();
    playback.replayedS = toSeconds(to - from);
    drained(*panel.picture()->page());
    proactive::testing::wait(300); // the last toast's frame
    QObject::disconnect(counting);
    std::vector<Timestamp> shown;
    for (const ReplayFiring& firing : panel.replay()->record().firings)
        if (firing.shown && firing.at > from && firing.at <= to)
            shown.push_back(firing.at);
    playback.expected = int(shown.size());
    // A toast is drawn when a report came before the next toast appeared.
    for (std::size_t i = 0; i < shown.size(); ++i) {
        const Timestamp until = i + 1 < shown.size() ? shown[i + 1] : Timestamp::max();
        if (std::ranges::none_of(drawnAt, [&](Timestamp at) { return at >= shown[i] && at < until; }))
            playback.missed.push_back(double(shown[i].time_since_epoch().count() - kStart) / 1000);
    }
    return playback;
}

} // namespace

int main(int argc, char** argv)
{
    const int incrementals = argc > 1 ? std::atoi(argv[1]) : 60'000;
    const int seeks = argc > 2 ? std::atoi(argv[2]) : 20;
    const int checkoutMinutes = argc > 3 ? std::atoi(argv[3]) : 0;
    const int playMinutes = argc > 4 ? std::atoi(argv[4]) : 4;
    const double toastSeconds = argc > 5 ? std::atof(argv[5]) : 1;
    const bool skipIdle = argc > 6 ? std::atoi(argv[6]) != 0 : true;
    proactive::ui::prepareGraphicsForWebEngine();
    QApplication app(argc, argv);

    QTemporaryDir dir;
    const std::filesystem::path file = std::filesystem::path(dir.path().toStdString()) / "export-bench-30min.json";
    {
        const Recording generated = generateRecording(incrementals, checkoutMinutes);
        std::ofstream(file) << writeRecording(generated, RecordingFileFormat::PostHog20230428);
    }
    std::printf("recording: %d incremental snapshots over 30 min, %s, %.1f MB as PostHog's export\n", incrementals,
        checkoutMinutes > 0 ? ("a full snapshot every " + std::to_string(checkoutMinutes) + " min").c_str()
                            : "one full snapshot",
        double(std::filesystem::file_size(file)) / 1e6);

    proactive::ui::ReplayPicture picture;
    picture.resize(1280, 800);
    picture.show();
    // The player page itself, before any recording: the idle figure.
    bool playerLoaded = false;
    QObject::connect(picture.page(), &QWebEnginePage::loadFinished, [&](bool ok) { playerLoaded = ok; });
    proactive::testing::waitFor([&] { return playerLoaded; }, 60'000);
    const Memory idle = measureMemory(*picture.page());

    QElapsedTimer timer;
    timer.start();
    const std::vector<std::filesystem::path> paths { file };
    auto read = importRecordings(paths);
    if (!read || read->recordings.size() != 1) {
        std::fprintf(stderr, "import failed\n");
        return 1;
    }
    const double importMs = msSince(timer);
    auto recording = std::make_shared<const Recording>(std::move(read->recordings.front()));

    bool ready = false;
    QObject::connect(&picture, &proactive::ui::ReplayPicture::ready, [&] { ready = true; });
    timer.restart();
    picture.setRecording(recording);
    if (!proactive::testing::waitFor([&] { return ready; }, 120'000)) {
        std::fprintf(stderr, "the player did not load the recording\n");
        return 1;
    }
    const double loadMs = msSince(timer);
    const Memory firstFrame = measureMemory(*picture.page());

    timer.restart();
    settled(*picture.page());
    const double settleMs = msSince(timer);
    const Memory loaded = measureMemory(*picture.page());

    std::mt19937 random(7);
    // With the pool parked before each seek (a person looking at the picture
    // between seeks), and one right after the other (scrubbing).
    const SeekTimes parked = timeSeeks(picture, random, seeks, [&] { settled(*picture.page()); });
    const SeekTimes scrubbing = timeSeeks(picture, random, seeks, [] {});
    const Memory afterSeeks = measureMemory(*picture.page());
    // A person who stops scrubbing: the pool parks again, the page is left
    // alone for 10 s (what the renderer's collections give back by then).
    settled(*picture.page());
    proactive::testing::wait(10'000);
    const Memory later = measureMemory(*picture.page());
    std::printf("import %.0f ms, load + first frame %.0f ms (together %.0f ms; goal 2000)\n", importMs, loadMs,
        importMs + loadMs);
    std::printf("pool of Replayers parked in the background %.0f ms after the first frame: %s\n", settleMs,
        qPrintable(poolSummary(*picture.page())));
    std::printf("seek (%d random, paused, pool parked before each): p50 %.0f ms, max %.0f ms (goal 300)\n", seeks,
        parked.p50, parked.max);
    std::printf("seek (%d random, paused, one after the other): p50 %.0f ms, max %.0f ms\n", seeks, scrubbing.p50,
        scrubbing.max);
    std::printf("memory (PSS, studio + QtWebEngine): idle %ld MB, parked %ld MB (+%ld MB), after the seeks %ld MB "
                "(+%ld MB), parked again 10 s later %ld MB (+%ld MB; goal 300)\n",
        idle.tree.pssKiB / 1024, loaded.tree.pssKiB / 1024, (loaded.tree.pssKiB - idle.tree.pssKiB) / 1024,
        afterSeeks.tree.pssKiB / 1024, (afterSeeks.tree.pssKiB - idle.tree.pssKiB) / 1024, later.tree.pssKiB / 1024,
        (later.tree.pssKiB - idle.tree.pssKiB) / 1024);
    std::printf("memory by process, above idle (PSS):\n");
    printMemoryByProcess("idle", idle, idle);
    printMemoryByProcess("first frame", idle, firstFrame);
    printMemoryByProcess("pool parked", idle, loaded);
    printMemoryByProcess("after the seeks", idle, afterSeeks);
    printMemoryByProcess("10 s later", idle, later);
    std::fflush(stdout);

    // Playback in the Replay tab.
    const auto workspace = benchWorkspace(toastSeconds);
    proactive::ui::ReplayPanel panel;
    panel.resize(1600, 900);
    panel.show();
    if (!panel.open(workspace, benchSession(*workspace))) {
        std::fprintf(stderr, "the replay did not open\n");
        return 1;
    }
    panel.setPolicy(*ResponsePolicy::parse("never"));
    panel.setSkipIdle(skipIdle);
    ready = false;
    QObject::connect(panel.picture(), &proactive::ui::ReplayPicture::ready, [&] { ready = true; });
    panel.setRecording(recording);
    if (!proactive::testing::waitFor([&] { return ready; }, 120'000)) {
        std::fprintf(stderr, "the Replay tab did not load the recording\n");
        return 1;
    }
    std::mt19937 earlyRandom(11);
    const SeekTimes early = timeSeeks(*panel.picture(), earlyRandom, 10, [] { proactive::testing::wait(1000); });
    std::printf("seek (10 random, paused, one a second right after the first frame, the pool parking): p50 %.0f ms, "
                "max %.0f ms\n",
        early.p50, early.max);
    settled(*panel.picture()->page());
    QDir().mkpath(QStringLiteral(PROACTIVE_ARTIFACT_DIR));
    const QString photo = QStringLiteral(PROACTIVE_ARTIFACT_DIR "/visual-replay-8x.png");
    // Between two polls (5 s + 20 s × n), no toast up.
    const Timestamp from(Duration(kStart + 75'000));
    const Duration span = std::chrono::minutes(playMinutes);
    std::printf("playback: %d min of replay from +75 s, a toast at every poll (20 s) living %g s, skip idle %s\n",
        playMinutes, toastSeconds, skipIdle ? "on" : "off");
    for (const double speed : { 1.0, 4.0, 8.0 }) {
        const Playback playback = playSpan(panel, speed, from, span, speed == 8.0 ? photo : QString());
        std::printf("  %g×: %d toasts shown by the client, %d drawn, dropped %d (%.0f s of replay in %.1f s)", speed,
            playback.expected, playback.drawn, playback.expected - playback.drawn, playback.replayedS,
            playback.wallMs / 1000);
        for (std::size_t i = 0; i < playback.missed.size(); ++i)
            std::printf("%s+%.1f s", i == 0 ? "; not drawn: the toast of " : ", ", playback.missed[i]);
        std::printf("\n");
        std::fflush(stdout);
    }
    std::ifstream loadavg("/proc/loadavg");
    std::string load;
    std::getline(loadavg, load);
    std::printf("load average: %s\n", load.c_str());
    return 0;
}
