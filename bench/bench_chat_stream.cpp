// The studio's main thread while a chat answer streams at full speed
// (issue 6): a local server writes a 20k-token Dify stream as fast as the
// socket takes it; the studio parses it, relays it to the chat panel in the
// page and renders it. A 1 ms timer on the main thread records every gap
// between its ticks: the longest gap is the longest stretch of main-thread
// work (target: no frame > 50 ms).
//
//   QTWEBENGINE_DISABLE_SANDBOX=1 bench_chat_stream [tokens=20000]

#include "chat/chatcontroller.h"
#include "chatbridge.h"
#include "chatnet/chatsession.h"
#include "pagebridge.h"
#include "simulation/simulation.h"
#include "studio/mainwindow.h"
#include "studio/productpage.h"
#include "studio/studiosettings.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QWebEngineView>
#include <algorithm>
#include <cstdio>
#include <vector>

using namespace proactive::ui;

namespace {

QByteArray difyStream(int tokens)
{
    QByteArray body;
    body.reserve(tokens * 110);
    for (int i = 0; i < tokens; ++i)
        body += R"(data: {"event": "message", "task_id": "t1", "message_id": "m1", "conversation_id": "c1", )"
                R"("answer": "tok )"
            + QByteArray::number(i % 10) + "\"}\n\n";
    body += R"(data: {"event": "message_end", "task_id": "t1", "message_id": "m1", "conversation_id": "c1", )"
            R"("metadata": {"usage": {"total_tokens": )"
        + QByteArray::number(tokens) + "}}}\n\n";
    return body;
}

} // namespace

int main(int argc, char** argv)
{
    const int tokens = argc > 1 ? std::atoi(argv[1]) : 20'000;
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QApplication app(argc, argv);

    // A Dify that answers every chat request with the whole stream at once.
    const QByteArray stream = difyStream(tokens);
    QTcpServer dify;
    QObject::connect(&dify, &QTcpServer::newConnection, [&] {
        QTcpSocket* socket = dify.nextPendingConnection();
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket, &stream] {
            if (!socket->readAll().contains("\r\n\r\n") || socket->property("answered").toBool())
                return;
            socket->setProperty("answered", true);
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
            socket->write(stream);
            socket->disconnectFromHost();
        });
    });
    dify.listen(QHostAddress::LocalHost);
    qputenv("DIFY_API_KEY", "app-bench");

    QTemporaryDir scratch;
    StudioSettings settings(scratch.filePath(u"studio.ini"_qs));
    settings.setChatBackend({ ChatBackend::Kind::Dify, QUrl(u"http://127.0.0.1:%1/v1"_qs.arg(dify.serverPort())) });
    MainWindow window(settings);
    QString error;
    if (!window.openWorkspace(QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace"), &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    window.resize(1440, 900);
    window.show();
    QTest::qWaitFor(
        [&] { return !window.view()->url().isEmpty() && window.view()->page()->title() != u""_qs; }, 30'000);
    QTest::qWait(1000);

    std::vector<double> gapsMs;
    QElapsedTimer sinceTick;
    QTimer ticker;
    ticker.setInterval(1);
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        gapsMs.push_back(static_cast<double>(sinceTick.nsecsElapsed()) / 1e6);
        sinceTick.start();
    });

    ChatBridge& chat = window.productPage().chat();
    chat.setOpen(true);
    QEventLoop finished;
    QObject::connect(
        &window.chat()->session(), &proactive::chatnet::ChatSession::replyFinished, &finished, &QEventLoop::quit);
    QElapsedTimer total;
    total.start();
    sinceTick.start();
    ticker.start();
    chat.send(u"Stream me a long answer"_qs);
    finished.exec();
    const double streamMs = static_cast<double>(total.nsecsElapsed()) / 1e6;
    // The page shows the whole answer.
    const int expectedChars = tokens * 5;
    QTest::qWaitFor(
        [&] {
            int length = 0;
            bool done = false;
            window.productPage().bridge().runJavaScript(
                u"window.proactiveChat.root.querySelector('.message.assistant:last-child')?.textContent.length ?? 0"_qs,
                [&](const QVariant& value) {
                    length = value.toInt();
                    done = true;
                });
            QTest::qWaitFor([&] { return done; }, 10'000);
            return length >= expectedChars - 10;
        },
        60'000);
    const double shownMs = static_cast<double>(total.nsecsElapsed()) / 1e6;
    ticker.stop();

    std::sort(gapsMs.begin(), gapsMs.end());
    const auto at
        = [&](double p) { return gapsMs.at(static_cast<std::size_t>(p * static_cast<double>(gapsMs.size() - 1))); };
    std::printf("%d-token answer (%.1f MiB of SSE): stream parsed in %.0f ms, shown in the page after %.0f ms\n",
        tokens, static_cast<double>(stream.size()) / (1024.0 * 1024.0), streamMs, shownMs);
    std::printf("main-thread gaps: p50 %.1f ms, p99 %.1f ms, longest %.1f ms (%zu ticks)\n", at(0.5), at(0.99),
        gapsMs.back(), gapsMs.size());
    return 0;
}
