// The one UUID check (core/base/uuid.h): what Dify's uuid_value accepts,
// the nil UUID included, and its canonical form.

#include "base/uuid.h"

#include <QTest>

using namespace proactive;

class TestUuid final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void canonical_data();
    void canonical();
};

void TestUuid::canonical_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("canonical"); // empty: not a UUID

    const auto row
        = [](const char* tag, QByteArray text, QByteArray canonical) { QTest::newRow(tag) << text << canonical; };
    row("v4", "8e5f2b7a-0c1d-4e2f-9a3b-4c5d6e7f8a9b", "8e5f2b7a-0c1d-4e2f-9a3b-4c5d6e7f8a9b");
    row("v7", "0191a7e2-6c1d-7b3e-9f4a-2d5c8e1b0a93", "0191a7e2-6c1d-7b3e-9f4a-2d5c8e1b0a93");
    // Issue 14: QUuid calls it null and the offline server refused it with 400; Dify answers 404.
    row("nil", "00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000");
    row("max", "ffffffff-ffff-ffff-ffff-ffffffffffff", "ffffffff-ffff-ffff-ffff-ffffffffffff");
    row("upper-case-lowered", "8E5F2B7A-0C1D-4E2F-9A3B-4C5D6E7F8A9B", "8e5f2b7a-0c1d-4e2f-9a3b-4c5d6e7f8a9b");
    row("no-hyphens", "8e5f2b7a0c1d4e2f9a3b4c5d6e7f8a9b", "8e5f2b7a-0c1d-4e2f-9a3b-4c5d6e7f8a9b");
    row("hyphens-anywhere", "8e5f-2b7a0c1d4e2f9a3b4c5d6e7f-8a9b", "8e5f2b7a-0c1d-4e2f-9a3b-4c5d6e7f8a9b");
    row("braces", "{8e5f2b7a-0c1d-4e2f-9a3b-4c5d6e7f8a9b}", "8e5f2b7a-0c1d-4e2f-9a3b-4c5d6e7f8a9b");
    row("urn", "urn:uuid:8e5f2b7a-0c1d-4e2f-9a3b-4c5d6e7f8a9b", "8e5f2b7a-0c1d-4e2f-9a3b-4c5d6e7f8a9b");
    row("empty", "", "");
    row("word", "abc", "");
    row("31-digits", "8e5f2b7a-0c1d-4e2f-9a3b-4c5d6e7f8a9", "");
    row("33-digits", "8e5f2b7a-0c1d-4e2f-9a3b-4c5d6e7f8a9b0", "");
    row("not-hex", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "");
    row("space-inside", "8e5f2b7a 0c1d-4e2f-9a3b-4c5d6e7f8a9b", "");
    row("leading-space", " 8e5f2b7a-0c1d-4e2f-9a3b-4c5d6e7f8a9b", "");
    row("one-brace", "{8e5f2b7a-0c1d-4e2f-9a3b-4c5d6e7f8a9b", "");
    row("only-hyphens", QByteArray(40, '-'), "");
}

void TestUuid::canonical()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, canonical);
    const auto result = canonicalUuid(text.toStdString());
    QCOMPARE(QByteArray::fromStdString(result.value_or(std::string())), canonical);
    QCOMPARE(isUuid(text.toStdString()), !canonical.isEmpty());
}

QTEST_GUILESS_MAIN(TestUuid)
#include "tst_uuid.moc"
