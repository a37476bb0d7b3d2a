// The Debian package as a user gets it (issue 19): CPack packs this build
// tree's install rules into a .deb, which the test reads with dpkg-deb,
// checks with lintian, desktop-file-validate, appstreamcli and
// systemd-analyze, then extracts and runs: --version, validate on the
// installed demo workspace, serve answering /healthz over real HTTP, the
// generated man pages and bash completion against the binary's --help.
// scripts/package.sh builds the same package from the release preset.

#include "rawhttpclient.h"
#include "studioprocess.h"

#include <QDir>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>

using namespace proactive::testing;

namespace {

const QString kBuildDir = QStringLiteral(PROACTIVE_BINARY_DIR);
const QString kVersion = QStringLiteral(PROACTIVE_VERSION);

StudioRun runTool(const QString& program, const QStringList& arguments, int timeoutMs = 120'000,
    const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment())
{
    return runStudio(program, arguments, timeoutMs, environment);
}

} // namespace

class TestDeb : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void controlFields();
    void contents_data();
    void contents();
    void nothingButWhatUsersInstall();
    void lintianFindsNoError();
    void desktopEntryAndMetainfoValidate();
    void systemdUnitVerifies();
    void installedBinaryRuns();
    void installedDemoValidates();
    void installedServeAnswersHealthz();
    void manPagesMatchHelp();
    void bashCompletion_data();
    void bashCompletion();

private:
    QString extracted(const QString& path) const { return m_root.filePath(path); }
    QString binary() const { return extracted(u"usr/bin/proactive-studio"_qs); }
    QStringList commands();

    QTemporaryDir m_scratch;
    QString m_deb;
    QDir m_root;
    QStringList m_files; // paths in the package, "usr/bin/proactive-studio"
};

void TestDeb::initTestCase()
{
    QVERIFY(m_scratch.isValid());
    const auto pack = runTool(u"cpack"_qs,
        { u"--config"_qs, kBuildDir + u"/CPackConfig.cmake"_qs, u"-B"_qs, m_scratch.filePath(u"out"_qs) }, 600'000);
    QVERIFY2(pack.exitCode == 0, qPrintable(pack.out + pack.err));
    const QStringList debs = QDir(m_scratch.filePath(u"out"_qs)).entryList({ u"*.deb"_qs });
    QCOMPARE(debs.size(), 1);
    m_deb = m_scratch.filePath(u"out/"_qs + debs.first());

    const auto list = runTool(u"dpkg-deb"_qs, { u"--contents"_qs, m_deb });
    QCOMPARE(list.exitCode, 0);
    static const QRegularExpression path(u" \\./(\\S+)$"_qs);
    for (const QString& line : list.out.split(u'\n', Qt::SkipEmptyParts))
        if (const auto match = path.match(line); match.hasMatch() && !line.startsWith(u'd'))
            m_files.append(match.captured(1));

    m_root.setPath(m_scratch.filePath(u"root"_qs));
    const auto extract = runTool(u"dpkg-deb"_qs, { u"--extract"_qs, m_deb, m_root.path() });
    QVERIFY2(extract.exitCode == 0, qPrintable(extract.err));
}

void TestDeb::controlFields()
{
    const auto fields = runTool(u"dpkg-deb"_qs, { u"--field"_qs, m_deb });
    QCOMPARE(fields.exitCode, 0);
    QVERIFY(fields.out.contains(u"Package: proactive-studio\n"_qs));
    QVERIFY2(fields.out.contains(u"Version: "_qs + kVersion + u"-1\n"_qs), qPrintable(fields.out));
    const QString architecture = runTool(u"dpkg"_qs, { u"--print-architecture"_qs }).out.trimmed();
    QVERIFY(fields.out.contains(u"Architecture: "_qs + architecture + u'\n'));
    // Depends comes from the libraries the binary links (dpkg-shlibdeps), plus the
    // platform plugins Qt loads at run time.
    const QString depends = fields.out.section(u"Depends: "_qs, 1).section(u'\n', 0, 0);
    for (const char* package : { "libqt6core6", "libqt6webenginecore6", "libqt6httpserver6", "libsqlite3-0", "libre2-9",
             "libqt6keychain1", "qt6-qpa-plugins" })
        QVERIFY2(depends.contains(QString::fromLatin1(package)),
            qPrintable(QString::fromLatin1(package) + u" missing from: "_qs + depends));
}

void TestDeb::contents_data()
{
    QTest::addColumn<QString>("path");
    const QStringList fixed { u"usr/bin/proactive-studio"_qs,
        u"usr/share/applications/org.proactivestudio.Studio.desktop"_qs,
        u"usr/share/metainfo/org.proactivestudio.Studio.metainfo.xml"_qs,
        u"usr/share/icons/hicolor/scalable/apps/org.proactivestudio.Studio.svg"_qs,
        u"usr/share/bash-completion/completions/proactive-studio"_qs, u"usr/share/man/man1/proactive-studio.1.gz"_qs,
        u"lib/systemd/system/proactive-studio-serve@.service"_qs, u"usr/share/doc/proactive-studio/copyright"_qs,
        u"usr/share/doc/proactive-studio/changelog.Debian.gz"_qs,
        u"usr/share/proactive-studio/demo-workspace/products.json"_qs,
        u"usr/share/proactive-studio/demo-workspace/studio.json"_qs,
        u"usr/share/proactive-studio/demo-workspace/labels/generated.json"_qs,
        u"usr/share/proactive-studio/demo-product/index.html"_qs };
    for (const QString& path : fixed)
        QTest::newRow(qPrintable(path)) << path;
    for (int size : { 16, 22, 24, 32, 48, 64, 128, 256, 512 }) {
        const QString path
            = QStringLiteral("usr/share/icons/hicolor/%1x%1/apps/org.proactivestudio.Studio.png").arg(size);
        QTest::newRow(qPrintable(path)) << path;
    }
}

void TestDeb::contents()
{
    QFETCH(QString, path);
    QVERIFY2(m_files.contains(path), qPrintable(path + u" is not in the package"_qs));
}

void TestDeb::nothingButWhatUsersInstall()
{
    // No test or benchmark executables, helper tools, headers or static libraries.
    static const QRegularExpression unwanted(u"(/tst_|/bench_|proactive-helpdoc|proactive-iconrender|\\.h$|\\.a$)"_qs);
    for (const QString& path : m_files)
        QVERIFY2(!unwanted.match(path).hasMatch(), qPrintable(path));
    for (const QString& path : m_files)
        if (path.startsWith(u"usr/bin/"_qs))
            QCOMPARE(path, u"usr/bin/proactive-studio"_qs);
    // Stripped (CPACK_STRIP_FILES) and without a build-tree RUNPATH.
    const auto file = runTool(u"file"_qs, { u"-b"_qs, binary() });
    QVERIFY2(file.out.contains(u", stripped"_qs), qPrintable(file.out));
    const auto dynamic = runTool(u"readelf"_qs, { u"--dynamic"_qs, binary() });
    QVERIFY(!dynamic.out.contains(u"RUNPATH"_qs) && !dynamic.out.contains(u"RPATH"_qs));
}

void TestDeb::lintianFindsNoError()
{
    const auto lintian
        = runTool(u"lintian"_qs, { u"--fail-on"_qs, u"error"_qs, u"--tag-display-limit"_qs, u"0"_qs, m_deb }, 600'000);
    QVERIFY2(lintian.exitCode == 0, qPrintable(lintian.out + lintian.err));
    QVERIFY2(!lintian.out.contains(u"\nE: "_qs) && !lintian.out.startsWith(u"E: "_qs), qPrintable(lintian.out));
}

void TestDeb::desktopEntryAndMetainfoValidate()
{
    const auto desktop = runTool(
        u"desktop-file-validate"_qs, { extracted(u"usr/share/applications/org.proactivestudio.Studio.desktop"_qs) });
    QVERIFY2(desktop.exitCode == 0 && desktop.out.isEmpty(), qPrintable(desktop.out + desktop.err));
    const auto metainfo = runTool(u"appstreamcli"_qs,
        { u"validate"_qs, u"--no-net"_qs,
            extracted(u"usr/share/metainfo/org.proactivestudio.Studio.metainfo.xml"_qs) });
    QVERIFY2(metainfo.exitCode == 0, qPrintable(metainfo.out + metainfo.err));
    // The desktop entry names the packaged icon and binary.
    QFile entry(extracted(u"usr/share/applications/org.proactivestudio.Studio.desktop"_qs));
    QVERIFY(entry.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(entry.readAll());
    QVERIFY(text.contains(u"\nIcon=org.proactivestudio.Studio\n"_qs));
    QVERIFY(text.contains(u"\nExec=proactive-studio "_qs));
}

void TestDeb::systemdUnitVerifies()
{
    // The unit as installed, with its ExecStart pointed at the extracted binary
    // and man pages looked up in the package (its Documentation= key).
    QFile unit(extracted(u"lib/systemd/system/proactive-studio-serve@.service"_qs));
    QVERIFY(unit.open(QIODevice::ReadOnly));
    QString text = QString::fromUtf8(unit.readAll());
    for (const char* option : { "DynamicUser=yes", "ProtectSystem=strict", "StateDirectory=proactive-studio/%i",
             "EnvironmentFile=-/etc/proactive-studio/%i.env" })
        QVERIFY2(text.contains(QString::fromLatin1(option)), option);
    QVERIFY(text.contains(u"ExecStart=/usr/bin/proactive-studio serve "_qs));
    text.replace(u"/usr/bin/proactive-studio"_qs, binary());
    QFile copy(m_scratch.filePath(u"proactive-studio-serve@demo.service"_qs));
    QVERIFY(copy.open(QIODevice::WriteOnly) && copy.write(text.toUtf8()) > 0);
    copy.close();
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"MANPATH"_qs, extracted(u"usr/share/man"_qs));
    const auto verify = runTool(u"systemd-analyze"_qs, { u"verify"_qs, copy.fileName() }, 120'000, environment);
    // Unknown keys are only warned about: any message is a failure.
    QVERIFY2(verify.exitCode == 0 && verify.err.trimmed().isEmpty(), qPrintable(verify.err));
}

void TestDeb::installedBinaryRuns()
{
    const auto version = runTool(binary(), { u"--version"_qs });
    QCOMPARE(version.exitCode, 0);
    QVERIFY2(version.out.startsWith(u"proactive-studio "_qs + kVersion + u" (commit "_qs), qPrintable(version.out));
}

void TestDeb::installedDemoValidates()
{
    const auto validate
        = runTool(binary(), { u"validate"_qs, extracted(u"usr/share/proactive-studio/demo-workspace"_qs) });
    QVERIFY2(validate.exitCode == 0, qPrintable(validate.out + validate.err));
    QVERIFY2(validate.out.contains(u"OK: 2 products"_qs), qPrintable(validate.out));
}

void TestDeb::installedServeAnswersHealthz()
{
    StudioProcess serve(binary(),
        { u"serve"_qs, u"--workspace"_qs, extracted(u"usr/share/proactive-studio/demo-workspace"_qs), u"--memory"_qs,
            u"--listen"_qs, u"127.0.0.1:0"_qs });
    QVERIFY2(serve.port() != 0, qPrintable(serve.err()));
    RawHttpClient client(serve.port());
    const auto health = client.get("/healthz");
    QCOMPARE(health.status, 200);
    serve.signal(SIGTERM);
    QCOMPARE(serve.waitForExit(), 0);
}

QStringList TestDeb::commands()
{
    const auto help = runTool(binary(), { u"--help"_qs });
    QStringList names;
    static const QRegularExpression row(u"^  ([a-z-]+)  "_qs);
    for (const QString& line : help.out.split(u'\n'))
        if (const auto match = row.match(line); match.hasMatch())
            names.append(match.captured(1));
    return names;
}

void TestDeb::manPagesMatchHelp()
{
    const QStringList names = commands();
    QVERIFY(names.contains(u"serve"_qs) && names.contains(u"studio"_qs) && names.contains(u"replay"_qs));
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(u"QT_QPA_PLATFORM"_qs, u"offscreen"_qs);
    environment.insert(u"MANWIDTH"_qs, u"200"_qs);
    for (const QString& name : names) {
        const QString page = extracted(u"usr/share/man/man1/proactive-studio-"_qs + name + u".1.gz"_qs);
        QVERIFY2(m_files.contains(u"usr/share/man/man1/proactive-studio-"_qs + name + u".1.gz"_qs), qPrintable(page));
        // man renders it without a warning, and it lists every option --help lists.
        const auto rendered
            = runTool(u"man"_qs, { u"--warnings"_qs, u"-E"_qs, u"UTF-8"_qs, u"-l"_qs, page }, 60'000, environment);
        QVERIFY2(rendered.exitCode == 0 && rendered.err.isEmpty(), qPrintable(name + u": "_qs + rendered.err));
        const auto help = runTool(binary(), { name, u"--help"_qs }, 60'000, environment);
        QCOMPARE(help.exitCode, 0);
        static const QRegularExpression option(u"^  (?:-\\w, )?(--[a-z-]+)"_qs, QRegularExpression::MultilineOption);
        auto it = option.globalMatch(help.out);
        int options = 0;
        while (it.hasNext()) {
            const QString flag = it.next().captured(1);
            QVERIFY2(rendered.out.contains(flag), qPrintable(name + u": "_qs + flag + u" is not in the man page"_qs));
            ++options;
        }
        QVERIFY2(options >= 2, qPrintable(name));
    }
}

void TestDeb::bashCompletion_data()
{
    QTest::addColumn<QStringList>("words");
    QTest::addColumn<QString>("expected"); // every reply, sorted, space separated

    QTest::newRow("command") << QStringList { u"proactive-studio"_qs, u"se"_qs } << u"serve"_qs;
    QTest::newRow("commands p") << QStringList { u"proactive-studio"_qs, u"pr"_qs } << u"prompt propose-labels"_qs;
    QTest::newRow("serve option") << QStringList { u"proactive-studio"_qs, u"serve"_qs, u"--li"_qs } << u"--listen"_qs;
    QTest::newRow("replay option") << QStringList { u"proactive-studio"_qs, u"replay"_qs, u"--opt"_qs }
                                   << u"--optimise"_qs;
    QTest::newRow("no value for a port") << QStringList { u"proactive-studio"_qs, u"serve"_qs, u"--listen"_qs, u""_qs }
                                         << QString();
    QTest::newRow("folders for --workspace") << QStringList { u"proactive-studio"_qs, u"serve"_qs, u"--workspace"_qs,
        u"usr/share/proactive-studio/demo-w"_qs }
                                             << u"usr/share/proactive-studio/demo-workspace"_qs;
    QTest::newRow("files for --db") << QStringList { u"proactive-studio"_qs, u"serve"_qs, u"--db"_qs,
        u"usr/share/proactive-studio/demo-workspace/prod"_qs }
                                    << u"usr/share/proactive-studio/demo-workspace/products.json"_qs;
}

void TestDeb::bashCompletion()
{
    QFETCH(QStringList, words);
    QFETCH(QString, expected);
    // The installed script, sourced in bash as bash-completion would, run on the words
    // typed so far (the last is the one being completed), from the extracted root.
    QStringList quoted;
    for (const QString& word : words)
        quoted.append(u'\'' + word + u'\'');
    const QString script = u"source usr/share/bash-completion/completions/proactive-studio\n"
                           u"COMP_WORDS=("_qs
        + quoted.join(u' ') + u")\nCOMP_CWORD="_qs + QString::number(words.size() - 1)
        + u"\n_proactive_studio\nprintf '%s\\n' \"${COMPREPLY[@]}\" | sort | paste -sd' '\n"_qs;
    QProcess bash;
    bash.setWorkingDirectory(m_root.path());
    bash.start(u"bash"_qs, { u"-c"_qs, script });
    QVERIFY(bash.waitForFinished(30'000));
    QCOMPARE(bash.exitCode(), 0);
    QCOMPARE(QString::fromUtf8(bash.readAllStandardOutput()).trimmed(), expected);
}

QTEST_GUILESS_MAIN(TestDeb)
#include "tst_deb.moc"
