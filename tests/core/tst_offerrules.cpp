// The rules of SPEC §8 "§3 Frequency and experiments" (core/gates/offerrules.h)
// on their own: the stable hash and the holdout buckets it gives (fixed
// values, so that a change of hash — which would move users between arms of
// running experiments — fails here), the user keys, the merged history and
// each frequency and wait rule at its boundaries.

#include "base/stablehash.h"
#include "gates/offerrules.h"
#include "store/memorystore.h"

#include <QTest>

using namespace proactive;
using namespace std::chrono_literals;

namespace {

const Timestamp kT0 = fromEpochMs(1'714'564'800'000); // 2024-05-01T12:00:00Z

TriggerDefinition triggerWith(FrequencyRule rule, std::string group = {})
{
    TriggerDefinition definition;
    definition.id = "t";
    definition.frequency = rule;
    definition.group = std::move(group);
    return definition;
}

// A history of trigger "t" for user key "id:u": offers at the given seconds after kT0.
OfferHistory historyOf(
    MemoryStore& store, std::initializer_list<int> offersAt, int interactions = 0, std::string group = {})
{
    StoreWrite write;
    for (const int s : offersAt)
        write.userHistory.push_back(
            { "p", "id:u", "t", group, UserHistoryEvent::Kind::Offer, kT0 + std::chrono::seconds(s) });
    for (int i = 0; i < interactions; ++i)
        write.userHistory.push_back({ "p", "id:u", "t", {}, UserHistoryEvent::Kind::Interaction, kT0 });
    if (!write.empty())
        (void)store.commit(write);
    return OfferHistory(store, "p", { "id:u" });
}

} // namespace

class TestOfferRules final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fnv1a_data();
    void fnv1a();
    void buckets_data();
    void buckets();
    void bucketsSpreadEvenly();
    void userKeys();
    void historyMergesKeys();
    void frequency_data();
    void frequency();
    void wait_data();
    void wait();
    void experimentIds();
};

void TestOfferRules::fnv1a_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<quint64>("hash");
    // The published FNV-1a 64 test vectors.
    QTest::newRow("empty") << QByteArray("") << quint64(0xcbf29ce484222325ULL);
    QTest::newRow("a") << QByteArray("a") << quint64(0xaf63dc4c8601ec8cULL);
    QTest::newRow("foobar") << QByteArray("foobar") << quint64(0x85944171f73967e8ULL);
}

void TestOfferRules::fnv1a()
{
    QFETCH(QByteArray, text);
    QFETCH(quint64, hash);
    QCOMPARE(quint64(fnv1a64(text.toStdString())), hash);
}

void TestOfferRules::buckets_data()
{
    QTest::addColumn<QString>("experiment");
    QTest::addColumn<QString>("user");
    QTest::addColumn<uint>("bucket");
    // Fixed forever: a different bucket here moves users between arms.
    const auto row = [](const char* experiment, const char* user, uint bucket) {
        QTest::addRow("%s/%s", experiment, user) << QString::fromUtf8(experiment) << QString::fromUtf8(user) << bucket;
    };
    row("p", "u1", 7674);
    row("p", "u2", 9463);
    row("p", "u3", 1252);
    row("p", "u4", 3041);
    row("exp-a", "u1", 3261);
    row("exp-a", "u5", 417);
    row("exp-a", "bob", 206);
    row("ping-pong", "u6", 508);
    row("ping-pong", "carol", 440);
}

void TestOfferRules::buckets()
{
    QFETCH(QString, experiment);
    QFETCH(QString, user);
    QFETCH(uint, bucket);
    const auto assignment = assignHoldout(experiment.toStdString(), user.toStdString(), 10);
    QCOMPARE(uint(assignment.bucket), bucket);
    QCOMPARE(assignment.heldOut, bucket < 1000);
    // The boundary: held out exactly when bucket < percent × 100.
    QCOMPARE(assignHoldout(experiment.toStdString(), user.toStdString(), bucket / 100.0).heldOut, false);
    QCOMPARE(assignHoldout(experiment.toStdString(), user.toStdString(), (bucket + 1) / 100.0).heldOut, true);
    QCOMPARE(assignHoldout(experiment.toStdString(), user.toStdString(), 0).heldOut, false);
}

void TestOfferRules::bucketsSpreadEvenly()
{
    // 20 000 users at 25 %: the held-out share is within 1.5 points of it.
    int heldOut = 0;
    for (int i = 0; i < 20000; ++i)
        heldOut += assignHoldout("exp", "user-" + std::to_string(i), 25).heldOut ? 1 : 0;
    QVERIFY2(heldOut > 4700 && heldOut < 5300, std::to_string(heldOut).c_str());
}

void TestOfferRules::userKeys()
{
    SessionRecord session;
    session.distinctId = "u1";
    session.email = "Ann@Example.COM";
    session.linkedDistinctId = "anon-1";
    const auto keys = userKeysOf(&session, "s1");
    QCOMPARE(keys.written, (std::vector<std::string> { "id:u1", "email:ann@example.com" }));
    QCOMPARE(keys.read, (std::vector<std::string> { "id:u1", "email:ann@example.com", "id:anon-1" }));
    const auto anonymous = userKeysOf(nullptr, "s9");
    QCOMPARE(anonymous.written, (std::vector<std::string> { "session:s9" }));
    QCOMPARE(anonymous.read, anonymous.written);
}

void TestOfferRules::historyMergesKeys()
{
    MemoryStore store;
    StoreWrite write;
    // One offer written under both keys, one under each key alone.
    for (const char* key : { "id:u", "email:a@x" })
        write.userHistory.push_back({ "p", key, "t", "g", UserHistoryEvent::Kind::Offer, kT0 });
    write.userHistory.push_back({ "p", "id:u", "t", "g", UserHistoryEvent::Kind::Offer, kT0 + 10s });
    write.userHistory.push_back({ "p", "email:a@x", "t", "g2", UserHistoryEvent::Kind::Offer, kT0 + 20s });
    write.userHistory.push_back({ "p", "email:a@x", "t", {}, UserHistoryEvent::Kind::Interaction, kT0 + 21s });
    QVERIFY(store.commit(write));
    const OfferHistory history(store, "p", { "id:u", "email:a@x", "id:nobody" });
    const TriggerHistory* t = history.of("t");
    QVERIFY(t);
    QCOMPARE(t->offers, std::int64_t(3));
    QCOMPARE(t->recentOffers.size(), std::size_t(3));
    QCOMPARE(t->interactions, std::int64_t(1));
    QCOMPARE(t->group, std::string("g2")); // the latest offer's
    QCOMPARE(history.lastOffer(), std::optional(kT0 + 20s));
    const std::string g = "g";
    QVERIFY(!history.lastOffer(&g));
    QVERIFY(!history.of("other"));
}

void TestOfferRules::frequency_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("maxPerUser");
    QTest::addColumn<int>("withinS"); // 0: none
    QTest::addColumn<QList<int>>("offersAt");
    QTest::addColumn<int>("interactions");
    QTest::addColumn<int>("nowS");
    QTest::addColumn<QString>("reason");

    using K = FrequencyRule::Kind;
    const auto row = [](const char* tag, K kind, int max, int within, QList<int> offers, int interactions, int now,
                         const char* reason) {
        QTest::newRow(tag) << int(kind) << max << within << offers << interactions << now << QString::fromUtf8(reason);
    };
    row("always-many", K::Always, 0, 0, { 0, 1, 2, 3 }, 2, 10, "");
    row("once-new", K::Once, 0, 0, {}, 0, 10, "");
    row("once-offered", K::Once, 0, 0, { 0 }, 0, 100000, "frequency:once");
    row("until-interacted-offered-unanswered", K::UntilInteracted, 0, 0, { 0, 5 }, 0, 10, "");
    row("until-interacted-answered", K::UntilInteracted, 0, 0, { 0 }, 1, 10, "frequency:until_interacted");
    row("max-ever-below", K::MaxPerUser, 2, 0, { 0 }, 0, 10, "");
    row("max-ever-reached", K::MaxPerUser, 2, 0, { 0, 5 }, 0, 100000, "frequency:max_per_user");
    row("max-window-edge-inside", K::MaxPerUser, 2, 100, { 0, 50 }, 0, 100, "frequency:max_per_user");
    row("max-window-one-left", K::MaxPerUser, 2, 100, { 0, 50 }, 0, 101, "");
    row("max-window-empty-history", K::MaxPerUser, 1, 100, {}, 0, 0, "");
}

void TestOfferRules::frequency()
{
    QFETCH(int, kind);
    QFETCH(int, maxPerUser);
    QFETCH(int, withinS);
    QFETCH(QList<int>, offersAt);
    QFETCH(int, interactions);
    QFETCH(int, nowS);
    QFETCH(QString, reason);

    FrequencyRule rule { static_cast<FrequencyRule::Kind>(kind), maxPerUser, std::nullopt };
    if (withinS > 0)
        rule.within = std::chrono::seconds(withinS);
    MemoryStore store;
    StoreWrite write;
    for (const int s : offersAt)
        write.userHistory.push_back(
            { "p", "id:u", "t", {}, UserHistoryEvent::Kind::Offer, kT0 + std::chrono::seconds(s) });
    for (int i = 0; i < interactions; ++i)
        write.userHistory.push_back({ "p", "id:u", "t", {}, UserHistoryEvent::Kind::Interaction, kT0 });
    if (!write.empty())
        QVERIFY(store.commit(write));
    const OfferHistory history(store, "p", { "id:u" });
    const auto check = checkFrequency(triggerWith(rule), history, kT0 + std::chrono::seconds(nowS), true);
    QCOMPARE(QString::fromUtf8(check.reason.data(), qsizetype(check.reason.size())), reason);
    QCOMPARE(check.numbers.at("verdict").get<std::string>(), std::string(reason.isEmpty() ? "pass" : "block"));
    QCOMPARE(check.numbers.at("rule").get<std::string>(), std::string(nameOf(rule.kind)));
}

void TestOfferRules::wait_data()
{
    QTest::addColumn<QString>("scope");
    QTest::addColumn<QString>("offeredGroup");
    QTest::addColumn<QString>("triggerGroup");
    QTest::addColumn<int>("nowS");
    QTest::addColumn<QString>("reason");
    const auto row
        = [](const char* tag, const char* scope, const char* offered, const char* group, int now, const char* reason) {
              QTest::newRow(tag) << QString::fromUtf8(scope) << QString::fromUtf8(offered) << QString::fromUtf8(group)
                                 << now << QString::fromUtf8(reason);
          };
    row("product-waiting", "product", "a", "b", 299, "wait:group");
    row("product-boundary", "product", "a", "b", 300, "");
    row("group-same", "group", "a", "a", 10, "wait:group");
    row("group-other", "group", "a", "b", 10, "");
    row("group-none-never-waits", "group", "", "", 10, "");
}

void TestOfferRules::wait()
{
    QFETCH(QString, scope);
    QFETCH(QString, offeredGroup);
    QFETCH(QString, triggerGroup);
    QFETCH(int, nowS);
    QFETCH(QString, reason);
    ProactiveSettings settings;
    settings.waitAfterOffer = 300s;
    settings.waitScope
        = scope == u"group"_qs ? ProactiveSettings::WaitScope::Group : ProactiveSettings::WaitScope::Product;
    MemoryStore store;
    const auto history = historyOf(store, { 0 }, 0, offeredGroup.toStdString());
    auto trigger = triggerWith({}, triggerGroup.toStdString());
    trigger.id = "other";
    const auto check = checkWait(trigger, settings, history, kT0 + std::chrono::seconds(nowS), true);
    QCOMPARE(QString::fromUtf8(check.reason.data(), qsizetype(check.reason.size())), reason);
    QCOMPARE(check.numbers.at("wait_s").get<double>(), 300.0);
}

void TestOfferRules::experimentIds()
{
    Product product;
    product.id = "prod";
    TriggerDefinition trigger;
    trigger.id = "t";
    QVERIFY(!experimentOf(trigger, product));
    product.proactive.holdoutPercent = 10;
    QCOMPARE(experimentOf(trigger, product)->id, std::string("prod"));
    product.proactive.experiment = "q3";
    QCOMPARE(experimentOf(trigger, product)->id, std::string("q3"));
    trigger.holdoutPercent = 20;
    QCOMPARE(experimentOf(trigger, product)->id, std::string("t"));
    QCOMPARE(experimentOf(trigger, product)->percent, 20.0);
    trigger.experiment = "e";
    QCOMPARE(experimentOf(trigger, product)->id, std::string("e"));
    trigger.holdoutPercent = 0; // the trigger opts out of the product's holdout
    QVERIFY(!experimentOf(trigger, product));
}

QTEST_GUILESS_MAIN(TestOfferRules)
#include "tst_offerrules.moc"
