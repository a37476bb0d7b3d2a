// Route matching and path-segment decoding of the HTTP service.

#include "base/percentencoding.h"
#include "service/route.h"

#include <QTest>

using namespace proactive::service;

Q_DECLARE_METATYPE(Route)

class TestRouteMatch final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void match_data();
    void match();
    void percentDecode_data();
    void percentDecode();
    void methods_data();
    void methods();
};

void TestRouteMatch::match_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<Route>("route");
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QStringList>("params");

    QTest::newRow("healthz") << u"/healthz"_qs << Route::Healthz << u"/healthz"_qs << QStringList {};
    QTest::newRow("metrics") << u"/metrics"_qs << Route::Metrics << u"/metrics"_qs << QStringList {};
    QTest::newRow("context") << u"/context/demo/s1"_qs << Route::Context << u"/context/{product_id}/{session_id}"_qs
                             << QStringList { u"demo"_qs, u"s1"_qs };
    QTest::newRow("context-trailing-slash")
        << u"/context/demo/s1/"_qs << Route::Context << u"/context/{product_id}/{session_id}"_qs
        << QStringList { u"demo"_qs, u"s1"_qs };
    QTest::newRow("context-encoded-colon")
        << u"/agent_state/demo/proactive%3Aabc"_qs << Route::AgentState
        << u"/agent_state/{product_id}/{conversation_id}"_qs << QStringList { u"demo"_qs, u"proactive:abc"_qs };
    QTest::newRow("raw-colon") << u"/agent_state/demo/proactive:abc"_qs << Route::AgentState
                               << u"/agent_state/{product_id}/{conversation_id}"_qs
                               << QStringList { u"demo"_qs, u"proactive:abc"_qs };
    QTest::newRow("tour-event") << u"/tour_event/demo/proactive%3Aabc"_qs << Route::TourEvent
                                << u"/tour_event/{product_id}/{conversation_id}"_qs
                                << QStringList { u"demo"_qs, u"proactive:abc"_qs };
    QTest::newRow("encoded-slash-stays-in-segment")
        << u"/context/demo/a%2Fb"_qs << Route::Context << u"/context/{product_id}/{session_id}"_qs
        << QStringList { u"demo"_qs, u"a/b"_qs };
    QTest::newRow("utf8-and-space") << u"/context/caf%C3%A9/s%201"_qs << Route::Context
                                    << u"/context/{product_id}/{session_id}"_qs
                                    << QStringList { QStringLiteral("caf\u00e9"), u"s 1"_qs };
    QTest::newRow("webhook") << u"/webhook/42"_qs << Route::Webhook << u"/webhook/{product_id}"_qs
                             << QStringList { u"42"_qs };
    QTest::newRow("capture-e") << u"/e/"_qs << Route::Capture << u"/e/"_qs << QStringList {};
    QTest::newRow("capture-e-no-slash") << u"/e"_qs << Route::Capture << u"/e/"_qs << QStringList {};
    QTest::newRow("capture-i-v0-e") << u"/i/v0/e/"_qs << Route::Capture << u"/i/v0/e/"_qs << QStringList {};
    QTest::newRow("capture-batch") << u"/batch/"_qs << Route::Capture << u"/batch/"_qs << QStringList {};
    QTest::newRow("capture-capture") << u"/capture/"_qs << Route::Capture << u"/capture/"_qs << QStringList {};
    QTest::newRow("decide") << u"/decide/"_qs << Route::Decide << u"/decide/"_qs << QStringList {};
    QTest::newRow("flags") << u"/flags/"_qs << Route::Flags << u"/flags/"_qs << QStringList {};
    QTest::newRow("remote-config") << u"/array/phc_x/config"_qs << Route::RemoteConfig << u"/array/{token}/config"_qs
                                   << QStringList { u"phc_x"_qs };
    QTest::newRow("remote-config-script") << u"/array/phc_x/config.js"_qs << Route::RemoteConfigScript
                                          << u"/array/{token}/config.js"_qs << QStringList { u"phc_x"_qs };
    QTest::newRow("script") << u"/static/surveys.js"_qs << Route::Script << u"/static/{file}"_qs
                            << QStringList { u"surveys.js"_qs };
    QTest::newRow("versioned-script") << u"/static/1.449.2/surveys.js"_qs << Route::Script
                                      << u"/static/{version}/{file}"_qs
                                      << QStringList { u"1.449.2"_qs, u"surveys.js"_qs };
    QTest::newRow("recording") << u"/s/"_qs << Route::Recording << u"/s/"_qs << QStringList {};
    QTest::newRow("retrieval") << u"/retrieval"_qs << Route::Retrieval << u"/retrieval"_qs << QStringList {};
    QTest::newRow("root") << u"/"_qs << Route::Unmatched << u"(unmatched)"_qs << QStringList {};
    QTest::newRow("unknown") << u"/admin"_qs << Route::Unmatched << u"(unmatched)"_qs << QStringList {};
    QTest::newRow("missing-segment") << u"/context/demo"_qs << Route::Unmatched << u"(unmatched)"_qs << QStringList {};
    QTest::newRow("empty-segment") << u"/context//s1"_qs << Route::Unmatched << u"(unmatched)"_qs << QStringList {};
    QTest::newRow("extra-segment") << u"/context/demo/s1/x"_qs << Route::Unmatched << u"(unmatched)"_qs
                                   << QStringList {};
    QTest::newRow("literal-must-match") << u"/contexts/demo/s1"_qs << Route::Unmatched << u"(unmatched)"_qs
                                        << QStringList {};
    QTest::newRow("empty-last-segment") << u"/context/demo/s1//"_qs << Route::Unmatched << u"(unmatched)"_qs
                                        << QStringList {};
    QTest::newRow("empty-first-segment") << u"//healthz"_qs << Route::Unmatched << u"(unmatched)"_qs << QStringList {};
    QTest::newRow("literal-prefix-only") << u"/healthzz"_qs << Route::Unmatched << u"(unmatched)"_qs << QStringList {};
}

void TestRouteMatch::match()
{
    QFETCH(QString, path);
    QFETCH(Route, route);
    QFETCH(QString, pattern);
    QFETCH(QStringList, params);
    const RouteMatch m = matchRoute(path.toStdString());
    QCOMPARE(m.route, route);
    QCOMPARE(QString::fromUtf8(m.pattern.data(), qsizetype(m.pattern.size())), pattern);
    QStringList actual;
    for (const auto& p : m.params)
        actual.append(QString::fromStdString(p));
    QCOMPARE(actual, params);
}

void TestRouteMatch::percentDecode_data()
{
    QTest::addColumn<QString>("encoded");
    QTest::addColumn<bool>("plusIsSpace");
    QTest::addColumn<QString>("decoded");

    QTest::newRow("plain") << u"abc"_qs << false << u"abc"_qs;
    QTest::newRow("upper-hex") << u"%3A%2F"_qs << false << u":/"_qs;
    QTest::newRow("lower-hex") << u"%3a%2f"_qs << false << u":/"_qs;
    QTest::newRow("plus-is-not-space") << u"a+b"_qs << false << u"a+b"_qs;
    QTest::newRow("truncated-escape") << u"a%2"_qs << false << u"a%2"_qs;
    QTest::newRow("bad-hex") << u"%zz%"_qs << false << u"%zz%"_qs;
    QTest::newRow("escaped-percent") << u"100%25"_qs << false << u"100%"_qs;
    QTest::newRow("runs-between-escapes") << u"proactive%3Apoll-1%2Fx"_qs << false << u"proactive:poll-1/x"_qs;
    QTest::newRow("plus-as-space") << u"a+b%2B+"_qs << true << u"a b+ "_qs;
    QTest::newRow("plus-as-space-bad-hex") << u"+%z+"_qs << true << u" %z "_qs;
}

void TestRouteMatch::percentDecode()
{
    QFETCH(QString, encoded);
    QFETCH(bool, plusIsSpace);
    QFETCH(QString, decoded);
    const auto plus = plusIsSpace ? proactive::PlusSign::Space : proactive::PlusSign::Literal;
    QCOMPARE(QString::fromStdString(proactive::percentDecode(encoded.toStdString(), plus)), decoded);
}

void TestRouteMatch::methods_data()
{
    QTest::addColumn<Route>("route");
    QTest::addColumn<QString>("method");
    QTest::addColumn<bool>("allowed");

    QTest::newRow("context-get") << Route::Context << u"GET"_qs << true;
    QTest::newRow("context-post") << Route::Context << u"POST"_qs << false;
    QTest::newRow("agent-state-post") << Route::AgentState << u"POST"_qs << true;
    QTest::newRow("agent-state-get") << Route::AgentState << u"GET"_qs << false;
    QTest::newRow("tour-event-post") << Route::TourEvent << u"POST"_qs << true;
    QTest::newRow("tour-event-get") << Route::TourEvent << u"GET"_qs << false;
    QTest::newRow("decide-get") << Route::Decide << u"GET"_qs << true;
    QTest::newRow("decide-post") << Route::Decide << u"POST"_qs << true;
    QTest::newRow("prefix-of-a-method") << Route::Capture << u"POS"_qs << false;
    QTest::newRow("empty") << Route::Capture << QString() << false;
    QTest::newRow("unmatched") << Route::Unmatched << u"GET"_qs << false;
}

void TestRouteMatch::methods()
{
    QFETCH(Route, route);
    QFETCH(QString, method);
    QFETCH(bool, allowed);
    QCOMPARE(allowsMethod(route, method.toStdString()), allowed);
}

QTEST_GUILESS_MAIN(TestRouteMatch)
#include "tst_routematch.moc"
