// The studio's one family of JSON edit commands (ui/document/): each
// command's redo and undo on a document, which commands merge into one undo
// step, and the document's signals around them.

#include "document/jsoncommands.h"
#include "document/jsondocument.h"

#include <QSignalSpy>
#include <QTest>
#include <QUndoStack>
#include <functional>
#include <nlohmann/json.hpp>

using namespace proactive::ui;
using nlohmann::ordered_json;

using MakeCommand = std::function<QUndoCommand*(JsonDocument*)>;
Q_DECLARE_METATYPE(MakeCommand)

namespace {

ordered_json parsed(const char* text)
{
    return ordered_json::parse(text);
}

// Dumped, so that key order counts: the documents keep it.
QByteArray dumped(const ordered_json& json)
{
    return QByteArray::fromStdString(json.dump());
}

MakeCommand setField(const char* object, const char* key, const char* value)
{
    return [=](JsonDocument* document) { return new SetFieldCommand(document, object, key, parsed(value), u"Set"_qs); };
}

MakeCommand removeField(const char* object, const char* key)
{
    return
        [=](JsonDocument* document) { return new SetFieldCommand(document, object, key, std::nullopt, u"Remove"_qs); };
}

MakeCommand insertItem(const char* array, std::size_t index, const char* value)
{
    return [=](JsonDocument* document) {
        return new InsertItemCommand(document, array, index, parsed(value), u"Insert"_qs);
    };
}

MakeCommand removeItem(const char* array, std::size_t index)
{
    return [=](JsonDocument* document) { return new RemoveItemCommand(document, array, index, u"Remove"_qs); };
}

MakeCommand moveItem(const char* array, std::size_t from, std::size_t to)
{
    return [=](JsonDocument* document) { return new MoveItemCommand(document, array, from, to, u"Move"_qs); };
}

MakeCommand replaceDocument(const char* value)
{
    return [=](JsonDocument* document) { return new ReplaceDocumentCommand(document, parsed(value), u"Replace"_qs); };
}

} // namespace

class TestJsonCommands final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void redoAndUndo_data();
    void redoAndUndo();
    void merging_data();
    void merging();
    void resetIsNoEdit();
};

void TestJsonCommands::redoAndUndo_data()
{
    QTest::addColumn<QByteArray>("initial");
    QTest::addColumn<MakeCommand>("command");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("set-field-adds-at-the-end")
        << QByteArray(R"({"b":1,"a":2})") << setField("", "c", "3") << QByteArray(R"({"b":1,"a":2,"c":3})");
    QTest::newRow("set-field-replaces-in-place")
        << QByteArray(R"([{"id":"x","name":"n"}])") << setField("/0", "id", R"("y")")
        << QByteArray(R"([{"id":"y","name":"n"}])");
    QTest::newRow("set-field-nested") << QByteArray(R"({"s":[{"r":[{"k":"a"}]}]})")
                                      << setField("/s/0/r/0", "k", R"({"x":[1]})")
                                      << QByteArray(R"({"s":[{"r":[{"k":{"x":[1]}}]}]})");
    QTest::newRow("remove-field") << QByteArray(R"({"a":1,"b":2,"c":3})") << removeField("", "b")
                                  << QByteArray(R"({"a":1,"c":3})");
    QTest::newRow("insert-item-middle") << QByteArray("[1,3]") << insertItem("", 1, "2") << QByteArray("[1,2,3]");
    QTest::newRow("insert-item-first") << QByteArray("[1,3]") << insertItem("", 0, "0") << QByteArray("[0,1,3]");
    QTest::newRow("insert-item-appends") << QByteArray(R"({"s":[{"a":1}]})") << insertItem("/s", 1, R"({"b":2})")
                                         << QByteArray(R"({"s":[{"a":1},{"b":2}]})");
    QTest::newRow("insert-item-into-empty")
        << QByteArray(R"({"s":[]})") << insertItem("/s", 0, "true") << QByteArray(R"({"s":[true]})");
    QTest::newRow("remove-item-middle") << QByteArray("[1,2,3]") << removeItem("", 1) << QByteArray("[1,3]");
    QTest::newRow("remove-item-last-nested")
        << QByteArray(R"({"s":[{"a":1},{"b":2}]})") << removeItem("/s", 1) << QByteArray(R"({"s":[{"a":1}]})");
    QTest::newRow("move-item-down") << QByteArray("[1,2,3]") << moveItem("", 0, 2) << QByteArray("[2,3,1]");
    QTest::newRow("move-item-up") << QByteArray("[1,2,3]") << moveItem("", 2, 0) << QByteArray("[3,1,2]");
    QTest::newRow("move-item-neighbours")
        << QByteArray(R"({"s":["a","b"]})") << moveItem("/s", 0, 1) << QByteArray(R"({"s":["b","a"]})");
    QTest::newRow("replace-document") << QByteArray("[1]") << replaceDocument(R"({"x":true})")
                                      << QByteArray(R"({"x":true})");
}

void TestJsonCommands::redoAndUndo()
{
    QFETCH(QByteArray, initial);
    QFETCH(MakeCommand, command);
    QFETCH(QByteArray, expected);

    JsonDocument document(ordered_json::array());
    document.reset(ordered_json::parse(initial.toStdString()));
    QVERIFY(!document.isModified());
    QSignalSpy changed(&document, &JsonDocument::changed);
    QSignalSpy edited(&document, &JsonDocument::edited);

    document.undoStack()->push(command(&document));
    QCOMPARE(dumped(document.json()), expected);
    QVERIFY(document.isModified());
    QCOMPARE(changed.count(), 1);
    QCOMPARE(edited.count(), 1);

    document.undoStack()->undo();
    QCOMPARE(dumped(document.json()), initial);
    QVERIFY(!document.isModified());
    QCOMPARE(edited.count(), 2);

    document.undoStack()->redo();
    QCOMPARE(dumped(document.json()), expected);
    QCOMPARE(changed.count(), 3);
    QCOMPARE(edited.count(), 3);
}

void TestJsonCommands::merging_data()
{
    QTest::addColumn<QByteArray>("initial");
    QTest::addColumn<MakeCommand>("first");
    QTest::addColumn<MakeCommand>("second");
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<bool>("merged");

    QTest::newRow("same-field-merges") << QByteArray(R"({"a":"x"})") << setField("", "a", R"("xy")")
                                       << setField("", "a", R"("xyz")") << QByteArray(R"({"a":"xyz"})") << true;
    QTest::newRow("set-then-remove-one-field-merges")
        << QByteArray(R"({"a":1})") << setField("", "a", "2") << removeField("", "a") << QByteArray("{}") << true;
    QTest::newRow("added-field-merges-and-undo-removes-it")
        << QByteArray("{}") << setField("", "a", "1") << setField("", "a", "2") << QByteArray(R"({"a":2})") << true;
    QTest::newRow("other-field-does-not") << QByteArray(R"({"a":1,"b":1})") << setField("", "a", "2")
                                          << setField("", "b", "2") << QByteArray(R"({"a":2,"b":2})") << false;
    QTest::newRow("same-key-of-another-object-does-not")
        << QByteArray(R"([{"a":1},{"a":1}])") << setField("/0", "a", "2") << setField("/1", "a", "2")
        << QByteArray(R"([{"a":2},{"a":2}])") << false;
    QTest::newRow("replacements-merge") << QByteArray("[]") << replaceDocument("[1]") << replaceDocument("[1,2]")
                                        << QByteArray("[1,2]") << true;
    QTest::newRow("inserts-do-not") << QByteArray("[]") << insertItem("", 0, "1") << insertItem("", 1, "2")
                                    << QByteArray("[1,2]") << false;
    QTest::newRow("set-field-then-replace-does-not")
        << QByteArray(R"({"a":1})") << setField("", "a", "2") << replaceDocument(R"({"a":3})")
        << QByteArray(R"({"a":3})") << false;
}

void TestJsonCommands::merging()
{
    QFETCH(QByteArray, initial);
    QFETCH(MakeCommand, first);
    QFETCH(MakeCommand, second);
    QFETCH(QByteArray, expected);
    QFETCH(bool, merged);

    JsonDocument document(ordered_json::parse(initial.toStdString()));
    document.undoStack()->push(first(&document));
    document.undoStack()->push(second(&document));
    QCOMPARE(dumped(document.json()), expected);
    QCOMPARE(document.undoStack()->count(), merged ? 1 : 2);

    // Undoing everything gives back the start, merged or not.
    while (document.undoStack()->canUndo())
        document.undoStack()->undo();
    QCOMPARE(dumped(document.json()), initial);
    while (document.undoStack()->canRedo())
        document.undoStack()->redo();
    QCOMPARE(dumped(document.json()), expected);
}

void TestJsonCommands::resetIsNoEdit()
{
    JsonDocument document(ordered_json::array());
    document.undoStack()->push(insertItem("", 0, "1")(&document));
    QSignalSpy changed(&document, &JsonDocument::changed);
    QSignalSpy edited(&document, &JsonDocument::edited);

    document.reset(parsed(R"({"fresh":true})"));
    QCOMPARE(dumped(document.json()), QByteArray(R"({"fresh":true})"));
    QCOMPARE(document.undoStack()->count(), 0);
    QVERIFY(!document.isModified());
    QCOMPARE(changed.count(), 1);
    QCOMPARE(edited.count(), 0);
}

QTEST_GUILESS_MAIN(TestJsonCommands)
#include "tst_jsoncommands.moc"
