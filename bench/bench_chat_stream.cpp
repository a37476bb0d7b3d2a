// The studio's main thread while a chat answer streams at full speed
// (issue 6): a local server writes a 20k-token Dify stream as fast as the
// socket takes it; the studio parses it, relays it to the chat panel in the
// page and renders it. A 1 ms timer on the main thread records every gap
// between its ticks until the page shows the whole answer, and for 250 ms
// after: the longest gap is the longest stretch of main-thread work (target:
// no frame > 50 ms).
//
//   QTWEBENGINE_DISABLE_SANDBOX=1 bench_chat_stream [tokens=20000]

#include "chat/chatcontroller.h"
#include "chatbridge.h"
#include "chatnet/chatsession.h"
#include "eventwait.h"
#include "pagebridge.h"
#include "simulation/simulation.h"
#include "studio/graphicssetup.h"
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
#include <chrono>
#include <cstdio>
#include <functional>
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
    prepareGraphicsForWebEngine(); // as the studio does
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
    proactive::testing::waitFor(
        [&] { return !window.view()->url().isEmpty() && window.view()->page()->title() != u""_qs; }, 30'000);
    proactive::testing::wait(1000);

    std::vector<double> gapsMs;
    QTimer ticker;
    ticker.setInterval(1);
    // Where the longest gap began, on the steady clock (CLOCK_MONOTONIC, as
    // `perf record -k mono` stamps its samples), to profile just that stretch.
    std::chrono::steady_clock::time_point lastTick;
    std::chrono::steady_clock::time_point longestStart;
    double longestMs = 0;
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        const auto now = std::chrono::steady_clock::now();
        const double gap = std::chrono::duration<double, std::milli>(now - lastTick).count();
        if (gap > longestMs) {
            longestMs = gap;
            longestStart = lastTick;
        }
        gapsMs.push_back(gap);
        lastTick = now;
    });

    ChatBridge& chat = window.productPage().chat();
    chat.setOpen(true);
    QEventLoop finished;
    QObject::connect(
        &window.chat()->session(), &proactive::chatnet::ChatSession::replyFinished, &finished, &QEventLoop::quit);
    QElapsedTimer total;
    total.start();
    const auto sent = std::chrono::steady_clock::now();
    lastTick = sent;
    ticker.start();
    chat.send(u"Stream me a long answer"_qs);
    finished.exec();
    const double streamMs = static_cast<double>(total.nsecsElapsed()) / 1e6;
    // The page shows the whole answer: each answer asks again, so the ticker
    // measures nothing but the studio's and the page's own work.
    const int expectedChars = tokens * 5;
    QEventLoop shown;
    std::function<void()> poll = [&] {
        window.productPage().bridge().runJavaScript(
            u"window.proactiveChat.root.querySelector('.message.assistant:last-child')?.textContent.length ?? 0"_qs,
            [&](const QVariant& length) {
                if (length.toInt() >= expectedChars - 10)
                    shown.quit();
                else
                    poll();
            });
    };
    poll();
    QTimer::singleShot(60'000, &shown, &QEventLoop::quit);
    shown.exec();
    const double shownMs = static_cast<double>(total.nsecsElapsed()) / 1e6;
    // Work the answer left behind (the final render, the inspector) shows in the next quarter second.
    const double longestWhileStreaming = longestMs;
    const std::size_t streamingTicks = gapsMs.size();
    QEventLoop after;
    QTimer::singleShot(250, &after, &QEventLoop::quit);
    after.exec();
    ticker.stop();
    const double longestAfter = *std::max_element(gapsMs.begin() + std::ptrdiff_t(streamingTicks), gapsMs.end());
    gapsMs.resize(streamingTicks);

    std::sort(gapsMs.begin(), gapsMs.end());
    const auto at
        = [&](double p) { return gapsMs.at(static_cast<std::size_t>(p * static_cast<double>(gapsMs.size() - 1))); };
    std::printf("%d-token answer (%.1f MiB of SSE): stream parsed in %.0f ms, shown in the page after %.0f ms\n",
        tokens, static_cast<double>(stream.size()) / (1024.0 * 1024.0), streamMs, shownMs);
    std::printf("main-thread gaps: p50 %.1f ms, p99 %.1f ms, longest %.1f ms (%zu ticks); in the 250 ms after: "
                "longest %.1f ms\n",
        at(0.5), at(0.99), longestWhileStreaming, gapsMs.size(), longestAfter);
    std::printf("longest gap overall from %.6f s (steady clock) to %.6f s, %.0f ms after the request\n",
        std::chrono::duration<double>(longestStart.time_since_epoch()).count(),
        std::chrono::duration<double>(longestStart.time_since_epoch()).count() + longestMs / 1e3,
        std::chrono::duration<double, std::milli>(longestStart - sent).count());
    return 0;
}
