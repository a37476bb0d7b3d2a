// The studio's timeline fed by a real simulation: every lane gets its
// entries, a rotation is marked across all lanes where it happened, and the
// drawing puts marks at their times; an expired toast and a dropped offer
// are client entries, and the agent-state panel names an expired offer.

#include "demoworkspace.h"
#include "inspector/agentstatepanel.h"
#include "inspector/presentation.h"
#include "inspector/timelinepanel.h"
#include "printers.h"
#include "simulation/simulation.h"

#include <QImage>
#include <QLabel>
#include <QTest>
#include <algorithm>

using namespace proactive;
using proactive::testing::demoWorkspace;
using namespace proactive::ui;
using namespace std::chrono_literals;

class TestTimeline final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void lanesGetTheirEntries();
    void rotationIsMarkedAcrossAllLanes();
    void aRotationStartsTheStateBandThinking();
    void expiredAndDroppedOffersAreClientEntries();
    void agentStatePanelNamesTheExpiredOffer();

private:
    std::unique_ptr<Simulation> m_simulation;
    std::unique_ptr<TimelinePanel> m_panel;
};

void TestTimeline::init()
{
    m_simulation = std::make_unique<Simulation>(demoWorkspace(), u"demo"_qs);
    m_simulation->setSpeed(0);
    m_panel = std::make_unique<TimelinePanel>(*m_simulation);
}

void TestTimeline::lanesGetTheirEntries()
{
    using Lane = TimelineEntry::Lane;
    for (const char* path : { "/projects", "/projects/apollo", "/projects", "/projects/apollo", "/projects" })
        m_simulation->ingestCapturedEvent(
            uR"({"event": "$pageview", "properties": {"$current_url": "http://127.0.0.1:8765%1"}})"_qs
                .arg(QLatin1String(path))
                .toUtf8());
    m_simulation->stepToNextPoll();

    const auto& entries = m_panel->entries();
    const auto count = [&](Lane lane) {
        return std::count_if(entries.begin(), entries.end(), [&](const TimelineEntry& e) { return e.lane == lane; });
    };
    QCOMPARE(count(Lane::Activity), 5);
    QCOMPARE(count(Lane::Polls), 1);
    // The ping-pong fired: the poll is a firing and the FSM moved.
    const auto poll = std::find_if(
        entries.begin(), entries.end(), [](const TimelineEntry& e) { return e.lane == TimelineEntry::Lane::Polls; });
    QVERIFY(poll->emphasised);
    QVERIFY2(poll->title.contains(u"ping-pong"_qs), qPrintable(poll->title));
    QVERIFY(count(Lane::State) >= 1);
    QVERIFY(count(Lane::Client) >= 1);
}

void TestTimeline::rotationIsMarkedAcrossAllLanes()
{
    m_simulation->advance(30s);
    const QString previous = m_simulation->sessionId();
    m_simulation->rotateSession();
    const QString rotated = m_simulation->sessionId();
    QVERIFY(rotated != previous);

    const auto& entries = m_panel->entries();
    const auto marker
        = std::find_if(entries.begin(), entries.end(), [](const TimelineEntry& e) { return e.startsSession; });
    QVERIFY(marker != entries.end());
    QCOMPARE(marker->detail, rotated);
    QCOMPARE(std::count_if(entries.begin(), entries.end(), [](const TimelineEntry& e) { return e.startsSession; }), 1);

    // Half the shown span (3 min) later, the dashed line is in the middle of
    // the lanes, from the first lane to the last.
    m_simulation->advance(90s);
    auto* view = m_panel->findChild<TimelineView*>(u"timelineView"_qs);
    QVERIFY(view);
    const QImage image = view->grab().toImage();
    QVERIFY(image.save(QStringLiteral(PROACTIVE_ARTIFACT_DIR "/timeline-rotation.png")));
    const QRgb marked = sessionStartColor().rgb();
    // The lanes run from x = 70 to 8 px before the right edge.
    const int middle = 70 + (image.width() - 78) / 2;
    const auto markedAround = [&](int y) {
        for (int x = middle - 2; x <= middle + 2; ++x)
            if (image.pixel(x, y) == marked)
                return true;
        return false;
    };
    int markedRows = 0;
    for (int y = 0; y < image.height() - 20; ++y)
        markedRows += markedAround(y) ? 1 : 0;
    QVERIFY2(markedRows > image.height() / 3, qPrintable(u"%1 rows marked"_qs.arg(markedRows)));
    // Nowhere else.
    for (int x = 80; x < middle - 10; x += 3)
        for (int y = 0; y < image.height(); y += 3)
            QVERIFY(image.pixel(x, y) != marked);
}

void TestTimeline::aRotationStartsTheStateBandThinking()
{
    for (const char* path : { "/projects", "/projects/apollo", "/projects" })
        m_simulation->ingestCapturedEvent(
            uR"({"event": "$pageview", "properties": {"$current_url": "http://127.0.0.1:8765%1"}})"_qs
                .arg(QLatin1String(path))
                .toUtf8());
    m_simulation->stepToNextPoll(); // ping-pong fires: proactive_assistance
    QCOMPARE(m_simulation->conversation()->state, FsmState::ProactiveAssistance);
    m_simulation->advance(5s); // within the offer's 10 s
    m_simulation->rotateSession();
    m_simulation->advance(60s);

    auto* view = m_panel->findChild<TimelineView*>(u"timelineView"_qs);
    const QImage image = view->grab().toImage();
    // The rotation is 60 s before now in a 180 s span; the band is the fourth lane.
    const double left = 70;
    const double width = image.width() - 78;
    const int rotationX = static_cast<int>(left + width * (1.0 - 60.0 / 180.0));
    const double laneHeight = (image.height() - 26) / 4.0;
    const int bandY = static_cast<int>(4 + 3.5 * laneHeight);
    QCOMPARE(QColor(image.pixel(rotationX - 6, bandY)), stateColor(FsmState::ProactiveAssistance));
    QCOMPARE(QColor(image.pixel(rotationX + 6, bandY)), stateColor(FsmState::Thinking));
}

namespace {

void pingPong(Simulation& simulation)
{
    for (const char* path : { "/projects", "/projects/apollo", "/projects" })
        simulation.ingestCapturedEvent(
            uR"({"event": "$pageview", "properties": {"$current_url": "http://127.0.0.1:8765%1"}})"_qs
                .arg(QLatin1String(path))
                .toUtf8());
}

} // namespace

void TestTimeline::expiredAndDroppedOffersAreClientEntries()
{
    const auto clientTitles = [&] {
        QStringList titles;
        for (const TimelineEntry& entry : m_panel->entries())
            if (entry.lane == TimelineEntry::Lane::Client)
                titles << entry.title;
        return titles;
    };
    pingPong(*m_simulation);
    m_simulation->stepToNextPoll();
    // The demo's ping-pong expires after 10 s; the poll after it is at 20 s.
    m_simulation->advance(10s);
    QVERIFY2(clientTitles().contains(u"toast hidden (expired)"_qs), qPrintable(clientTitles().join(u", "_qs)));

    m_simulation->rotateSession();
    pingPong(*m_simulation);
    m_simulation->stepToNextPoll();
    m_simulation->dropToast();
    QCOMPARE(clientTitles().last(), u"offer dropped: page changed"_qs);
}

void TestTimeline::agentStatePanelNamesTheExpiredOffer()
{
    AgentStatePanel panel(*m_simulation);
    const auto* details = panel.findChild<QLabel*>(u"details"_qs);
    QVERIFY(details);
    pingPong(*m_simulation);
    m_simulation->stepToNextPoll();
    const Timestamp offeredAt = m_simulation->now();
    QVERIFY2(details->text().contains(u"Offered trigger: ping-pong"_qs), qPrintable(details->text()));
    // The toast hides at +10 s; the poll at +20 s finds the offer expired.
    m_simulation->stepToNextPoll();
    QCOMPARE(m_simulation->conversation()->state, FsmState::Thinking);
    const QString expected
        = u"Expired offer: ping-pong (a late answer counts until %1)"_qs.arg(clockTime(offeredAt + 10s + 60s));
    QVERIFY2(details->text().contains(expected), qPrintable(details->text()));
}

QTEST_MAIN(TestTimeline)
#include "tst_timeline.moc"
