// Where the chat's Dify key comes from: the environment wins; without it the
// system keychain is asked, and when it cannot answer the chat says why in
// words instead of failing with a 401. The key never reaches the settings.

#include "chat/chatcontroller.h"
#include "chatbridge.h"
#include "chatnet/chatsession.h"
#include "demoworkspace.h"
#include "eventwait.h"
#include "simulation/simulation.h"
#include "studio/studiosettings.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace proactive;
using proactive::testing::demoWorkspace;
using namespace proactive::ui;

namespace {

const ChatBackend kDify { ChatBackend::Kind::Dify, QUrl(u"http://127.0.0.1:9/v1"_qs) };

} // namespace

class TestChatBackend final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void environmentKeyWins();
    void withoutAKeyTheChatSaysWhy();
    void offlineNeedsNoKey();
    void settingsNeverHoldTheKey();
};

void TestChatBackend::environmentKeyWins()
{
    qputenv("DIFY_API_KEY", "app-from-environment");
    Simulation simulation(demoWorkspace(), u"demo"_qs);
    ChatBridge bridge;
    ChatController chat(simulation, bridge, {}, kDify);
    QCOMPARE(chat.problem(), QString());
    QCOMPARE(chat.session().client().settings().apiKey, QByteArray("app-from-environment"));
    qunsetenv("DIFY_API_KEY");
}

void TestChatBackend::withoutAKeyTheChatSaysWhy()
{
    qunsetenv("DIFY_API_KEY");
    Simulation simulation(demoWorkspace(), u"demo"_qs);
    ChatBridge bridge;
    ChatController chat(simulation, bridge, {}, kDify);
    QSignalSpy ready(&chat, &ChatController::backendReady);
    // No Secret Service runs here: the keychain answers with an error.
    TRY_COMPARE_WITH_TIMEOUT(ready.size(), 1, 30'000);
    const QString problem = ready.first().first().toString();
    QVERIFY2(problem.contains(u"DIFY_API_KEY"_qs) && problem.contains(u"keychain"_qs), qPrintable(problem));

    // A message sent now gets that sentence as the answer, not a 401.
    QSignalSpy finished(&bridge, &ChatBridge::answerFinished);
    bridge.send(u"Hello"_qs);
    QCOMPARE(finished.size(), 1);
    QVERIFY(finished.first().first().toString().contains(u"DIFY_API_KEY"_qs));
}

void TestChatBackend::offlineNeedsNoKey()
{
    qunsetenv("DIFY_API_KEY");
    Simulation simulation(demoWorkspace(), u"demo"_qs);
    ChatBridge bridge;
    ChatController chat(simulation, bridge, {}, ChatBackend {});
    QCOMPARE(chat.problem(), QString());
    QVERIFY(chat.offlineServer() != nullptr);
}

void TestChatBackend::settingsNeverHoldTheKey()
{
    qputenv("DIFY_API_KEY", "app-secret-value");
    QTemporaryDir scratch;
    const QString ini = scratch.filePath(u"studio.ini"_qs);
    {
        StudioSettings settings(ini);
        settings.setChatBackend(kDify);
        Simulation simulation(demoWorkspace(), u"demo"_qs);
        ChatBridge bridge;
        ChatController chat(simulation, bridge, {}, settings.chatBackend());
        QCOMPARE(chat.problem(), QString());
    }
    QFile file(ini);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray written = file.readAll();
    QVERIFY(written.contains("dify_base_url"));
    QVERIFY(!written.contains("app-secret-value"));
    qunsetenv("DIFY_API_KEY");
}

QTEST_GUILESS_MAIN(TestChatBackend)
#include "tst_chatbackend.moc"
