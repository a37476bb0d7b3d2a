#include "base/clock.h"

#include <QTest>

using namespace proactive;

class TestClock final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parseIso_data();
    void parseIso();
    void formatRoundTrip();
    void virtualClockAdvances();
};

void TestClock::parseIso_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("expectedMs"); // -1: rejected

    QTest::newRow("utc-z") << u"2024-05-01T12:00:00Z"_qs << qint64(1714564800000);
    QTest::newRow("millis") << u"2024-05-01T12:00:00.123Z"_qs << qint64(1714564800123);
    QTest::newRow("micros-truncated") << u"2024-05-01T12:00:00.123999Z"_qs << qint64(1714564800123);
    QTest::newRow("offset") << u"2024-05-01T14:00:00+02:00"_qs << qint64(1714564800000);
    QTest::newRow("negative-offset") << u"2024-05-01T07:00:00-05:00"_qs << qint64(1714564800000);
    QTest::newRow("csv-space-no-zone") << u"2024-05-01 12:00:00.5"_qs << qint64(1714564800500);
    QTest::newRow("date-only") << u"2024-05-01"_qs << qint64(1714521600000);
    QTest::newRow("garbage") << u"yesterday"_qs << qint64(-1);
    QTest::newRow("bad-month") << u"2024-13-01T00:00:00Z"_qs << qint64(-1);
    QTest::newRow("bad-day") << u"2023-02-29T00:00:00Z"_qs << qint64(-1);
    QTest::newRow("trailing") << u"2024-05-01T12:00:00Zjunk"_qs << qint64(-1);
    QTest::newRow("empty") << QString() << qint64(-1);
}

void TestClock::parseIso()
{
    QFETCH(QString, text);
    QFETCH(qint64, expectedMs);
    const auto parsed = parseIsoTimestamp(text.toStdString());
    if (expectedMs < 0) {
        QVERIFY(!parsed);
        return;
    }
    QVERIFY(parsed);
    QCOMPARE(toEpochMs(*parsed), expectedMs);
}

void TestClock::formatRoundTrip()
{
    const auto t = fromEpochMs(1714564800123);
    QCOMPARE(QString::fromStdString(formatIsoTimestamp(t)), u"2024-05-01T12:00:00.123Z"_qs);
    QCOMPARE(parseIsoTimestamp(formatIsoTimestamp(t)), std::optional<Timestamp>(t));
}

void TestClock::virtualClockAdvances()
{
    VirtualClock clock(fromEpochMs(1000));
    clock.advance(std::chrono::seconds(2));
    QCOMPARE(toEpochMs(clock.now()), qint64(3000));
    clock.set(fromEpochMs(10));
    QCOMPARE(toEpochMs(clock.now()), qint64(10));
}

QTEST_GUILESS_MAIN(TestClock)
#include "tst_clock.moc"
