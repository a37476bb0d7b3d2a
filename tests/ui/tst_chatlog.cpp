// The chat inspector (issue 6): every SSE event of an exchange with its time
// and size, runs of one event type folded into one row, and how the exchange
// ended, whether the answer came in one burst or streamed while the rows
// were being updated.

#include "chat/chatcontroller.h"
#include "chat/chatlogpanel.h"
#include "chatbridge.h"
#include "chatnet/chatsession.h"
#include "demoworkspace.h"
#include "eventwait.h"
#include "simulation/simulation.h"
#include "tourcatalog.h"

#include <QSignalSpy>
#include <QTest>
#include <QTreeWidget>

using namespace proactive;
using proactive::testing::demoCatalog;
using proactive::testing::demoWorkspace;
using namespace proactive::ui;

namespace {

// The rows the panel must show for an exchange's log: [text, at, bytes, note].
QList<QStringList> foldedRows(const ChatExchange& exchange)
{
    struct Run {
        std::string type;
        int count;
        qint64 first, last, bytes;
        std::string note;
    };
    std::vector<Run> runs;
    for (const ChatLogEntry& entry : exchange.log()) {
        if (!runs.empty() && runs.back().type == entry.type && runs.back().note.empty() && entry.note.empty()) {
            ++runs.back().count;
            runs.back().last = entry.at.count();
            runs.back().bytes += qint64(entry.bytes);
        } else {
            runs.push_back({ entry.type, 1, entry.at.count(), entry.at.count(), qint64(entry.bytes), entry.note });
        }
    }
    QList<QStringList> rows;
    for (const Run& run : runs) {
        const QString type = QString::fromStdString(run.type);
        rows.append({ run.count == 1 ? type : u"%1 ×%2"_qs.arg(type).arg(run.count),
            run.count == 1 ? u"+%1 ms"_qs.arg(run.first) : u"+%1 – %2 ms"_qs.arg(run.first).arg(run.last),
            QString::number(run.bytes), QString::fromStdString(run.note) });
    }
    return rows;
}

QList<QStringList> shownRows(const QTreeWidgetItem& exchangeRow)
{
    QList<QStringList> rows;
    for (int i = 0; i < exchangeRow.childCount(); ++i) {
        const QTreeWidgetItem& row = *exchangeRow.child(i);
        rows.append({ row.text(0), row.text(1), row.text(2), row.text(3) });
    }
    return rows;
}

} // namespace

class TestChatLog final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<chatnet::ChatReply>(); }
    void everyEventIsShownFolded_data();
    void everyEventIsShownFolded();
    void notedEventsKeepTheirRow_data();
    void notedEventsKeepTheirRow();
    void thoughtsAndFilesReachThePanelWhileStreaming();
};

void TestChatLog::everyEventIsShownFolded_data()
{
    QTest::addColumn<int>("tokenDelayMs");
    QTest::addColumn<QString>("fault");
    QTest::addColumn<QString>("ending");
    QTest::newRow("one-burst") << 0 << u"none"_qs << u"ended: completed · tag create-project (known)"_qs;
    QTest::newRow("streamed") << 2 << u"none"_qs << u"ended: completed · tag create-project (known)"_qs;
    QTest::newRow("malformed-frames") << 0 << u"malformed"_qs << u"ended: completed · tag create-project (known)"_qs;
    QTest::newRow("dropped") << 2 << u"drop"_qs << u"ended: truncated: The answer was cut off"_qs;
}

void TestChatLog::everyEventIsShownFolded()
{
    QFETCH(int, tokenDelayMs);
    QFETCH(QString, fault);
    QFETCH(QString, ending);
    Simulation simulation(demoWorkspace(), u"demo"_qs);
    ChatBridge bridge;
    ChatBackend backend;
    backend.tokenDelayMs = tokenDelayMs;
    backend.fault = fault;
    ChatController chat(simulation, bridge, demoCatalog(), backend);
    ChatLogPanel panel(chat);
    const auto* log = panel.findChild<QTreeWidget*>(u"chatLog"_qs);
    QVERIFY(log);
    QSignalSpy replies(&chat, &ChatController::replyFinished);

    const QStringList questions { u"How do I create a project?"_qs, u"And how do I create another one?"_qs };
    for (int i = 0; i < questions.size(); ++i) {
        bridge.send(questions[i]);
        TRY_COMPARE_WITH_TIMEOUT(replies.size(), i + 1, 10'000);
        QCOMPARE(log->topLevelItemCount(), i + 1);
        const QTreeWidgetItem& exchangeRow = *log->topLevelItem(i);
        QVERIFY2(exchangeRow.text(0).startsWith(u"→ "_qs + questions[i]), qPrintable(exchangeRow.text(0)));
        QList<QStringList> rows = shownRows(exchangeRow);
        QVERIFY(rows.size() >= 3);
        const QString end = rows.takeLast().front();
        QVERIFY2(end.startsWith(ending), qPrintable(end));
        QCOMPARE(rows, foldedRows(*chat.session().client().exchange()));
        QVERIFY2(rows.front().front().startsWith(u"message ×"_qs), qPrintable(rows.front().front()));
    }
    QVERIFY(log->topLevelItem(0)->text(0).contains(u"new conversation"_qs));
    QVERIFY(log->topLevelItem(1)->text(0).contains(u"conversation "_qs));
}

// Dify's newer events (issue 14): what a frame said beyond its type (an
// agent's thought, a repeated answer, a failed workflow node, an event type
// no client knows) stays on a row of its own with its note.
void TestChatLog::notedEventsKeepTheirRow_data()
{
    QTest::addColumn<QString>("fault");
    QTest::addColumn<QStringList>("expected"); // "type: note start" of rows that must be there
    QTest::addColumn<QString>("ending");
    QTest::newRow("agent") << u"agent"_qs
                           << QStringList { u"agent_thought: tool: tour_catalog"_qs,
                                  u"agent_thought: tool: tour_catalog; thought: I should look up"_qs,
                                  u"agent_message: repeats the whole answer so far"_qs,
                                  u"message_file: image; https://offline-dify.invalid/files/"_qs }
                           << u"ended: completed"_qs;
    QTest::newRow("unknown-events") << u"unknown-events"_qs
                                    << QStringList { u"offline_future_event: ignored: an event type"_qs,
                                           u"offline_vendor_note: ignored: an event type"_qs }
                                    << u"ended: completed"_qs;
    QTest::newRow("workflow-failed") << u"workflow-failed"_qs
                                     << QStringList { u"node_finished: LLM; status: failed; error: Node LLM run"_qs,
                                            u"workflow_finished: status: failed; error: Node LLM run failed"_qs }
                                     << u"ended: error_event: The chat app's workflow failed"_qs;
}

void TestChatLog::notedEventsKeepTheirRow()
{
    QFETCH(QString, fault);
    QFETCH(QStringList, expected);
    QFETCH(QString, ending);
    Simulation simulation(demoWorkspace(), u"demo"_qs);
    ChatBridge bridge;
    ChatBackend backend;
    backend.tokenDelayMs = 0;
    backend.fault = fault;
    ChatController chat(simulation, bridge, demoCatalog(), backend);
    ChatLogPanel panel(chat);
    const auto* log = panel.findChild<QTreeWidget*>(u"chatLog"_qs);
    QSignalSpy replies(&chat, &ChatController::replyFinished);
    bridge.send(u"How do I create a project?"_qs);
    TRY_COMPARE_WITH_TIMEOUT(replies.size(), 1, 10'000);
    QList<QStringList> rows = shownRows(*log->topLevelItem(0));
    const QString end = rows.takeLast().front();
    QVERIFY2(end.startsWith(ending), qPrintable(end));
    QCOMPARE(rows, foldedRows(*chat.session().client().exchange()));
    QStringList shown;
    for (const QStringList& row : rows)
        shown.append(row[0] + u": "_qs + row[3]);
    for (const QString& want : expected)
        QVERIFY2(std::any_of(shown.begin(), shown.end(), [&](const QString& s) { return s.startsWith(want); }),
            qPrintable(want + u"\n in \n"_qs + shown.join(u'\n')));
}

// The panel gets an agent's thoughts and files as they come (a tool call
// may take long), before the answer's text ends, in stream order.
void TestChatLog::thoughtsAndFilesReachThePanelWhileStreaming()
{
    Simulation simulation(demoWorkspace(), u"demo"_qs);
    ChatBridge bridge;
    ChatBackend backend;
    backend.tokenDelayMs = 2;
    backend.fault = u"agent"_qs;
    ChatController chat(simulation, bridge, demoCatalog(), backend);
    QStringList order;
    connect(&bridge, &ChatBridge::answerThought, this, [&](const QString& json) {
        order << (json.contains(u"\"observation\":\"\""_qs) ? u"thought"_qs : u"thought+observation"_qs);
    });
    connect(&bridge, &ChatBridge::answerDelta, this, [&] {
        if (order.isEmpty() || order.back() != u"text"_qs)
            order << u"text"_qs;
    });
    connect(&bridge, &ChatBridge::answerFile, this, [&](const QString& json) {
        QVERIFY(json.contains(u"https://offline-dify.invalid/files/"_qs));
        order << u"file"_qs;
    });
    connect(&bridge, &ChatBridge::answerFinished, this, [&] { order << u"finished"_qs; });
    bridge.send(u"How do I create a project?"_qs);
    TRY_VERIFY_WITH_TIMEOUT(order.contains(u"finished"_qs), 10'000);
    QCOMPARE(order, QStringList({ u"thought"_qs, u"thought+observation"_qs, u"text"_qs, u"file"_qs, u"finished"_qs }));
}

QTEST_MAIN(TestChatLog)
#include "tst_chatlog.moc"
