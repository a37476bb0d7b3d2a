// The labels file as the replay timeline edits it: ranges and expectations
// as undoable edits, read back with the core's parser after each, saved
// atomically only when that parser has nothing to say, and read again the
// same.

#include "replay/labeldocument.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>
#include <nlohmann/json.hpp>

using namespace proactive;
using namespace proactive::ui;
using namespace std::chrono_literals;
using nlohmann::ordered_json;

namespace {

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void writeFile(const QString& path, const QByteArray& content)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
}

double offsetSeconds(const LabelTime& time)
{
    return std::chrono::duration<double>(time.offset.value_or(Duration {})).count();
}

} // namespace

class TestLabelDocument final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void firstSaveCreatesTheFile();
    void editsAreUndoable();
    void noHelpDropsTheAnswer();
    void firesWindow_data();
    void firesWindow();
    void keepsWhatItDoesNotEdit();
    void refusesToSaveProblems();
};

void TestLabelDocument::firstSaveCreatesTheFile()
{
    QTemporaryDir root;
    LabelDocument document;
    QVERIFY(document.open(root.path().toStdString(), "demo"));
    QCOMPARE(document.displayName(), u"labels/demo.json"_qs);
    QVERIFY(document.labels().empty());
    QVERIFY(document.problems().empty());
    QSignalSpy changed(&document, &LabelDocument::changed);

    document.addRange("s1", LabelRange::Kind::HelpWanted, 80.04, 20.01, "ping-pong");
    QCOMPARE(changed.count(), 1);
    const SessionLabels* labels = document.session("s1");
    QVERIFY(labels);
    QCOMPARE(labels->ranges.size(), 1u);
    QCOMPARE(offsetSeconds(labels->ranges[0].from), 20.0);
    QCOMPARE(offsetSeconds(labels->ranges[0].to), 80.0);
    QCOMPARE(labels->ranges[0].answer, std::string("ping-pong"));
    QVERIFY(!QFile::exists(document.filePath()));

    QString error;
    QVERIFY2(document.save(nullptr, &error), qPrintable(error));
    QVERIFY(!document.isModified());
    const QByteArray written = readAll(root.filePath(u"labels/demo.json"_qs));
    QVERIFY(written.endsWith("}\n"));

    LabelDocument reread;
    QVERIFY(reread.open(root.path().toStdString(), "demo"));
    QVERIFY(reread.json() == document.json());
    QVERIFY(reread.session("s1"));
    QCOMPARE(reread.session("s1")->ranges[0].pointer, std::string("/sessions/0/ranges/0"));
    QVERIFY(!reread.session("s2"));
}

void TestLabelDocument::editsAreUndoable()
{
    QTemporaryDir root;
    LabelDocument document;
    QVERIFY(document.open(root.path().toStdString(), "demo"));
    document.addRange("s1", LabelRange::Kind::NoHelp, 0, 10);
    document.addRange("s1", LabelRange::Kind::HelpWanted, 10, 30);
    document.addFiresExpectation("s1", "ping-pong", 20, 60);
    QCOMPARE(document.undoStack()->count(), 3);
    QCOMPARE(document.session("s1")->ranges.size(), 2u);
    QCOMPARE(document.session("s1")->expectations.size(), 1u);
    // One session entry, its arrays added as needed.
    QCOMPARE(document.json()["sessions"].size(), 1u);

    document.setRangeBounds("/sessions/0/ranges/1", 12, 40);
    QCOMPARE(offsetSeconds(document.session("s1")->ranges[1].to), 40.0);
    document.removeRange("/sessions/0/ranges/0");
    QCOMPARE(document.session("s1")->ranges.size(), 1u);
    document.removeExpectation("/sessions/0/expect/0");
    QVERIFY(document.session("s1")->expectations.empty());

    for (int i = 0; i < 3; ++i)
        document.undoStack()->undo();
    QCOMPARE(document.session("s1")->ranges.size(), 2u);
    QCOMPARE(offsetSeconds(document.session("s1")->ranges[1].from), 10.0);
    QCOMPARE(document.session("s1")->expectations.size(), 1u);
    while (document.undoStack()->canUndo())
        document.undoStack()->undo();
    QVERIFY(!document.session("s1"));
    QVERIFY(!document.isModified());
    // Pointers that are not there change nothing (the redo history stays).
    document.removeRange("/sessions/4/ranges/0");
    document.setRangeKind("/sessions/0/ranges/0", LabelRange::Kind::NoHelp);
    QCOMPARE(document.undoStack()->count(), 6);
    QCOMPARE(document.undoStack()->index(), 0);
}

void TestLabelDocument::noHelpDropsTheAnswer()
{
    QTemporaryDir root;
    LabelDocument document;
    QVERIFY(document.open(root.path().toStdString(), "demo"));
    document.addRange("s1", LabelRange::Kind::HelpWanted, 5, 25, "ping-pong");
    document.setRangeKind("/sessions/0/ranges/0", LabelRange::Kind::NoHelp);
    QVERIFY(document.problems().empty());
    QCOMPARE(document.session("s1")->ranges[0].kind, LabelRange::Kind::NoHelp);
    QVERIFY(document.session("s1")->ranges[0].answer.empty());
    document.undoStack()->undo();
    QCOMPARE(document.session("s1")->ranges[0].answer, std::string("ping-pong"));
    QCOMPARE(QByteArray::fromStdString(document.json()["sessions"][0]["ranges"][0].dump()),
        QByteArray(R"({"kind":"help_wanted","from":5,"to":25,"answer":"ping-pong"})"));
    document.setRangeAnswer("/sessions/0/ranges/0", "");
    QVERIFY(document.session("s1")->ranges[0].answer.empty());
}

void TestLabelDocument::firesWindow_data()
{
    QTest::addColumn<double>("at");
    QTest::addColumn<double>("from");
    QTest::addColumn<double>("to");
    QTest::newRow("inside") << 50.0 << 35.0 << 65.0;
    QTest::newRow("near-the-start") << 5.0 << 0.0 << 20.0;
    QTest::newRow("near-the-end") << 95.0 << 80.0 << 100.0;
    QTest::newRow("tenths") << 50.04 << 35.0 << 65.0;
}

void TestLabelDocument::firesWindow()
{
    QFETCH(double, at);
    QFETCH(double, from);
    QFETCH(double, to);
    QTemporaryDir root;
    LabelDocument document;
    QVERIFY(document.open(root.path().toStdString(), "demo"));
    document.addFiresExpectation("s1", "ping-pong", at, 100);
    const auto& expectation = document.session("s1")->expectations.at(0);
    QCOMPARE(expectation.kind, Expectation::Kind::Fires);
    QCOMPARE(expectation.trigger, std::string("ping-pong"));
    QCOMPARE(offsetSeconds(*expectation.from), from);
    QCOMPARE(offsetSeconds(*expectation.to), to);
}

void TestLabelDocument::keepsWhatItDoesNotEdit()
{
    QTemporaryDir root;
    QVERIFY(QDir(root.path()).mkpath(u"labels"_qs));
    const QString path = root.filePath(u"labels/demo.json"_qs);
    writeFile(path, R"({
  "sessions": [
    {
      "product": "demo",
      "session_id": "s1",
      "ranges": [
        { "kind": "no_help", "from": "+0", "to": "+20", "note": "browsing", "author": "ana" }
      ]
    },
    { "session_id": "s9", "fully_labelled": true, "ranges": [] }
  ],
  "format": "proactive-studio/labels"
}
)");
    LabelDocument document;
    QVERIFY(document.open(root.path().toStdString(), "demo"));
    QVERIFY(document.problems().empty());
    document.addRange("s1", LabelRange::Kind::HelpWanted, 20, 30);
    document.addRange("s9", LabelRange::Kind::HelpWanted, 1, 2);
    QVERIFY(document.save());

    const auto written = ordered_json::parse(readAll(path).toStdString());
    QCOMPARE(written.begin().key(), std::string("sessions"));
    QVERIFY(written["sessions"][0]["ranges"][0]["note"] == ordered_json("browsing"));
    QVERIFY(written["sessions"][0]["ranges"][0]["from"] == ordered_json("+0"));
    QCOMPARE(written["sessions"][0]["ranges"].size(), std::size_t(2));
    // An entry without a product is this product's too.
    QCOMPARE(written["sessions"].size(), 2u);
    QCOMPARE(written["sessions"][1]["ranges"].size(), 1u);
    QVERIFY(written["sessions"][1]["fully_labelled"] == ordered_json(true));
}

void TestLabelDocument::refusesToSaveProblems()
{
    QTemporaryDir root;
    QVERIFY(QDir(root.path()).mkpath(u"labels"_qs));
    const QString path = root.filePath(u"labels/demo.json"_qs);
    const QByteArray broken = R"({"sessions": [{"session_id": "s1", "ranges": [
        {"kind": "help_wanted", "from": 1, "to": 2, "colour": "red"},
        {"kind": "no_help", "from": 3, "to": 4}]}]}
)";
    writeFile(path, broken);
    LabelDocument document;
    QVERIFY(document.open(root.path().toStdString(), "demo"));
    QCOMPARE(document.problems().size(), 1u);
    QCOMPARE(document.problems()[0].path, std::string("/sessions/0/ranges/0/colour"));
    // The rest is read.
    QCOMPARE(document.session("s1")->ranges.size(), 1u);

    document.addRange("s1", LabelRange::Kind::HelpWanted, 10, 20);
    Diagnostics problems;
    QString error;
    QVERIFY(!document.save(&problems, &error));
    QCOMPARE(problems.size(), 1u);
    QVERIFY2(error.contains(u"labels/demo.json"_qs), qPrintable(error));
    QCOMPARE(readAll(path), broken);
    QVERIFY(document.isModified());

    document.removeRange("/sessions/0/ranges/0");
    QVERIFY(document.save(&problems, &error));
    QVERIFY(problems.empty());
    QCOMPARE(ordered_json::parse(readAll(path).toStdString())["sessions"][0]["ranges"].size(), 2u);
}

QTEST_GUILESS_MAIN(TestLabelDocument)
#include "tst_labeldocument.moc"
