// The impact report's statistics (core/impact/twoproportions.h) against
// Newcombe's published worked examples: the Wilson intervals of Newcombe
// (1998b) "Two-sided confidence intervals for the single proportion", table
// I (method 3), and the hybrid score intervals of Newcombe (1998a) "Interval
// estimation for the difference between independent proportions", table II
// (method 10), both in Statistics in Medicine 17, to their 4 decimals.

#include "impact/twoproportions.h"

#include <QTest>
#include <cmath>

using namespace proactive;

class TestTwoProportions final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void wilson_data();
    void wilson();
    void newcombe_data();
    void newcombe();
    void noTrials();
    void sampleRule_data();
    void sampleRule();
};

namespace {
bool near4(double actual, double expected)
{
    return std::abs(actual - expected) < 0.00005;
}
} // namespace

void TestTwoProportions::wilson_data()
{
    QTest::addColumn<int>("successes");
    QTest::addColumn<int>("trials");
    QTest::addColumn<double>("lower");
    QTest::addColumn<double>("upper");
    QTest::newRow("81/263") << 81 << 263 << 0.2553 << 0.3662;
    QTest::newRow("15/148") << 15 << 148 << 0.0624 << 0.1605;
    QTest::newRow("0/20") << 0 << 20 << 0.0 << 0.1611;
    QTest::newRow("1/29") << 1 << 29 << 0.0061 << 0.1718;
    QTest::newRow("10/10") << 10 << 10 << 0.7225 << 1.0; // the mirror of 0/10
}

void TestTwoProportions::wilson()
{
    QFETCH(int, successes);
    QFETCH(int, trials);
    QFETCH(double, lower);
    QFETCH(double, upper);
    const Interval interval = wilsonInterval(successes, trials);
    QVERIFY2(near4(interval.lower, lower), qPrintable(QString::number(interval.lower, 'f', 6)));
    QVERIFY2(near4(interval.upper, upper), qPrintable(QString::number(interval.upper, 'f', 6)));
}

void TestTwoProportions::newcombe_data()
{
    QTest::addColumn<int>("s1");
    QTest::addColumn<int>("n1");
    QTest::addColumn<int>("s2");
    QTest::addColumn<int>("n2");
    QTest::addColumn<double>("lower");
    QTest::addColumn<double>("upper");
    // Newcombe's examples (a) to (h).
    QTest::newRow("a 56/70-48/80") << 56 << 70 << 48 << 80 << 0.0524 << 0.3339;
    QTest::newRow("b 9/10-3/10") << 9 << 10 << 3 << 10 << 0.1705 << 0.8090;
    QTest::newRow("c 6/7-2/7") << 6 << 7 << 2 << 7 << 0.0582 << 0.8062;
    QTest::newRow("d 5/56-0/29") << 5 << 56 << 0 << 29 << -0.0381 << 0.1926;
    QTest::newRow("e 0/10-0/20") << 0 << 10 << 0 << 20 << -0.1611 << 0.2775;
    QTest::newRow("f 0/10-0/10") << 0 << 10 << 0 << 10 << -0.2775 << 0.2775;
    QTest::newRow("g 10/10-0/20") << 10 << 10 << 0 << 20 << 0.6791 << 1.0;
    QTest::newRow("h 10/10-0/10") << 10 << 10 << 0 << 10 << 0.6075 << 1.0;
    // Swapping the arms mirrors the interval.
    QTest::newRow("a swapped") << 48 << 80 << 56 << 70 << -0.3339 << -0.0524;
}

void TestTwoProportions::newcombe()
{
    QFETCH(int, s1);
    QFETCH(int, n1);
    QFETCH(int, s2);
    QFETCH(int, n2);
    QFETCH(double, lower);
    QFETCH(double, upper);
    const Interval interval = newcombeDifference(s1, n1, s2, n2);
    QVERIFY2(near4(interval.lower, lower), qPrintable(QString::number(interval.lower, 'f', 6)));
    QVERIFY2(near4(interval.upper, upper), qPrintable(QString::number(interval.upper, 'f', 6)));
}

void TestTwoProportions::noTrials()
{
    const Interval interval = wilsonInterval(0, 0);
    QCOMPARE(interval.lower, 0.0);
    QCOMPARE(interval.upper, 1.0);
}

void TestTwoProportions::sampleRule_data()
{
    QTest::addColumn<int>("users");
    QTest::addColumn<int>("successes");
    QTest::addColumn<QString>("tooSmall"); // empty: large enough
    QTest::newRow("no-users") << 0 << 0 << u"0 users < 30"_qs;
    QTest::newRow("one-user") << 1 << 1 << u"1 user < 30"_qs;
    QTest::newRow("29-users") << 29 << 10 << u"29 users < 30"_qs;
    QTest::newRow("30-users") << 30 << 10 << QString();
    QTest::newRow("4-successes") << 200 << 4 << u"4 reached the goal < 5"_qs;
    QTest::newRow("5-successes") << 200 << 5 << QString();
    QTest::newRow("4-failures") << 200 << 196 << u"4 did not reach the goal < 5"_qs;
    QTest::newRow("5-failures") << 200 << 195 << QString();
}

void TestTwoProportions::sampleRule()
{
    QFETCH(int, users);
    QFETCH(int, successes);
    QFETCH(QString, tooSmall);
    const auto why = SampleRule {}.tooSmall(users, successes);
    QCOMPARE(why ? QString::fromStdString(*why) : QString(), tooSmall);
}

QTEST_GUILESS_MAIN(TestTwoProportions)
#include "tst_twoproportions.moc"
