// The bundled demo product (resources/demo-product) in a real QtWebEngine
// view, served like the studio serves it: every path that is not a file gets
// index.html, so history-API routes survive a reload. Checks that every demo
// tour's targets exist exactly once and are visible on the tour's route, that
// the recorded sessions' clicks name elements the product really has, and
// that in-app navigation never reloads the page. Every wait is on a
// condition, never a fixed sleep.

#include "eventwait.h"
#include "staticsiteserver.h"
#include "webpagetesting.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QWebEngineHistory>
#include <QWebEnginePage>
#include <QWebEngineProfile>
#include <QWebEngineView>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

using proactive::testing::ConsolePage;
using proactive::testing::evaluateJson;

namespace {

const QString kProductDir = QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-product");
const QString kToursFile = QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace/tours/demo.json");
const QString kSessionsDir = QStringLiteral(PROACTIVE_SOURCE_DIR "/resources/demo-workspace/sessions");
const QString kDemoSlug = u"apollo"_qs;

constexpr int kLoadTimeoutMs = 30'000;
constexpr int kWaitMs = 10'000;

struct DemoTour {
    QString id;
    QString route;
    QStringList targets;
};

QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

std::optional<QList<DemoTour>> loadTours()
{
    const nlohmann::json array = nlohmann::json::parse(readFile(kToursFile).toStdString(), nullptr, false);
    if (array.is_discarded() || !array.is_array())
        return std::nullopt;
    QList<DemoTour> tours;
    for (const nlohmann::json& tour : array) {
        DemoTour demo { QString::fromStdString(tour.value("id", "")), QString::fromStdString(tour.value("route", "")),
            {} };
        for (const nlohmann::json& step : tour.value("steps", nlohmann::json::array()))
            demo.targets.append(QString::fromStdString(step.value("target", "")));
        tours.append(demo);
    }
    return tours;
}

QString jsString(const QString& text)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray { text }).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

// How many elements match, and whether the only one has a box.
QString visibleOnce(const QString& selector)
{
    return uR"((() => {
        const all = document.querySelectorAll(%1);
        if (all.length !== 1) return 'matches ' + all.length;
        const box = all[0].getBoundingClientRect();
        return box.width > 0 && box.height > 0 ? 'ok' : 'zero box';
    })())"_qs.arg(jsString(selector));
}

// The element's $elements_chain as posthog-js writes it (autocapture.ts
// getPropertiesFromElement): per element up to <body>, tag and sorted
// classes, then its attributes — of inputs, selects and textareas only name,
// id, class and aria-label ("sensitive" elements) — plus href and attr_id,
// nth-child, nth-of-type and its text, sorted by key. Only links, buttons,
// forms, fields and labels have text: their own text nodes (links and
// buttons with their spans' text). Values are quoted as JSON strings:
// posthog-js escapes only quotes, the same for values without backslashes.
// (A '\\"' in this raw string would trip moc's tokenizer.)
const QString kChainOf = uR"((element) => {
    const withText = ['a', 'button', 'form', 'input', 'select', 'textarea', 'label'];
    const sensitive = (e) => (e.tagName === 'INPUT' && !['button', 'checkbox', 'submit', 'reset'].includes(e.type))
        || e.tagName === 'SELECT' || e.tagName === 'TEXTAREA';
    const ownText = (e) => [...e.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent.trim()).join('');
    const parts = [];
    for (let e = element; e && e.tagName !== 'HTML'; e = e.parentElement) {
        const tag = e.tagName.toLowerCase();
        const classes = [...e.classList].sort();
        const props = {};
        for (const attribute of e.attributes)
            if (!sensitive(e) || ['name', 'id', 'class', 'aria-label'].includes(attribute.name))
                props['attr__' + attribute.name] = attribute.value;
        if ('attr__href' in props) props.href = props.attr__href;
        if ('attr__id' in props) props.attr_id = props.attr__id;
        const siblings = [...e.parentElement.children];
        props['nth-child'] = String(siblings.indexOf(e) + 1);
        props['nth-of-type'] = String(siblings.filter((s) => s.tagName === e.tagName).indexOf(e) + 1);
        let text = withText.includes(tag) && !sensitive(e) ? ownText(e) : '';
        if (tag === 'a' || tag === 'button')
            text = [text, ...[...e.querySelectorAll('span')].map(ownText)].filter(Boolean).join(' ');
        if (text) props.text = text;
        const keys = Object.keys(props).sort();
        parts.push(tag + classes.map((c) => '.' + c).join('') + ':'
            + keys.map((k) => k + '=' + JSON.stringify(props[k])).join(''));
    }
    return parts.join(';');
})"_qs;

// A project row's place in the list depends on the search typed and the
// projects created before the click, not on the page's structure: rows are
// compared without it.
QString withoutRowPosition(QString chain)
{
    static const QRegularExpression row(uR"(;li\.project:attr__class="project"nth-child="\d+"nth-of-type="\d+")"_qs);
    return chain.replace(row, uR"(;li.project:attr__class="project")"_qs);
}

} // namespace

class TestDemoProduct final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void tourTargets_data();
    void tourTargets();
    void recordedClicks_data();
    void recordedClicks();
    void routes_data();
    void routes();
    void createDialog_data();
    void createDialog();
    void revealOnClick_data();
    void revealOnClick();
    void searchFilters();
    void linkNavigatesWithoutReload();
    void screenshots_data();
    void screenshots();

private:
    bool load(const QString& path);
    bool click(const QString& selector);
    QUrl urlOf(const QString& path) const;

    proactive::ui::StaticSiteServer m_server;
    QList<DemoTour> m_tours;
    QStringList m_console;
    std::unique_ptr<QWebEngineProfile> m_profile;
    std::unique_ptr<ConsolePage> m_page;
    std::unique_ptr<QWebEngineView> m_view;
};

void TestDemoProduct::initTestCase()
{
    const std::optional<QList<DemoTour>> tours = loadTours();
    QVERIFY2(tours && !tours->isEmpty(), qPrintable(kToursFile));
    m_tours = *tours;

    // The studio's own server: index.html for every route, so reloads keep
    // history-API paths; it counts the documents it serves.
    QVERIFY(m_server.start(kProductDir));

    m_profile = std::make_unique<QWebEngineProfile>();
    m_page = std::make_unique<ConsolePage>(m_profile.get(), &m_console);
    m_view = std::make_unique<QWebEngineView>();
    m_view->setPage(m_page.get());
    m_view->resize(1280, 800);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
}

void TestDemoProduct::init()
{
    m_console.clear();
}

void TestDemoProduct::cleanup()
{
    if (QTest::currentTestFailed())
        qWarning().noquote() << u"browser console:\n  "_qs + m_console.join(u"\n  "_qs);
}

QUrl TestDemoProduct::urlOf(const QString& path) const
{
    return m_server.url(path);
}

// A full page load of `path`, then the router's first render.
bool TestDemoProduct::load(const QString& path)
{
    QSignalSpy loaded(m_page.get(), &QWebEnginePage::loadFinished);
    m_page->load(urlOf(path));
    if (!proactive::testing::waitFor([&] { return !loaded.isEmpty(); }, kLoadTimeoutMs)
        || !loaded.first().first().toBool())
        return false;
    return proactive::testing::waitFor(
        [&] { return evaluateJson(*m_page, u"document.querySelector('main').childElementCount"_qs).toInt() > 0; },
        kWaitMs);
}

// A real mouse click in the middle of the element's box.
bool TestDemoProduct::click(const QString& selector)
{
    const QJsonObject centre = evaluateJson(*m_page, uR"((() => {
        const element = document.querySelector(%1);
        if (!element) return null;
        const r = element.getBoundingClientRect();
        return { x: Math.round(r.x + r.width / 2), y: Math.round(r.y + r.height / 2) };
    })())"_qs.arg(jsString(selector)))
                                   .toObject();
    if (centre.isEmpty())
        return false;
    QTest::mouseClick(m_view->focusProxy(), Qt::LeftButton, {}, QPoint(centre[u"x"].toInt(), centre[u"y"].toInt()));
    return true;
}

void TestDemoProduct::tourTargets_data()
{
    QTest::addColumn<QString>("route");
    QTest::addColumn<bool>("inApp");
    QTest::addColumn<QStringList>("targets");
    for (const DemoTour& tour : std::as_const(m_tours)) {
        QString route = tour.route;
        route.replace(u":slug"_qs, kDemoSlug);
        QTest::addRow("%s/page-load", qPrintable(tour.id)) << route << false << tour.targets;
        QTest::addRow("%s/in-app", qPrintable(tour.id)) << route << true << tour.targets;
    }
}

void TestDemoProduct::tourTargets()
{
    QFETCH(QString, route);
    QFETCH(bool, inApp);
    QFETCH(QStringList, targets);
    QVERIFY(!targets.isEmpty());

    if (inApp) {
        // Views mount on navigation: another route's targets are not there yet.
        QVERIFY(load(u"/projects"_qs));
        if (route != u"/projects"_qs)
            for (const QString& target : std::as_const(targets))
                QCOMPARE(evaluateJson(*m_page, visibleOnce(target)).toString(), u"matches 0"_qs);
        evaluateJson(*m_page, u"acme.navigate(%1)"_qs.arg(jsString(route)));
    } else {
        QVERIFY(load(route));
    }
    TRY_COMPARE_WITH_TIMEOUT(evaluateJson(*m_page, u"location.pathname"_qs).toString(), route, kWaitMs);
    for (const QString& target : std::as_const(targets))
        TRY_COMPARE_WITH_TIMEOUT(evaluateJson(*m_page, visibleOnce(target)).toString(), u"ok"_qs, kWaitMs);
}

void TestDemoProduct::recordedClicks_data()
{
    QTest::addColumn<QString>("pathname");
    QTest::addColumn<QString>("chain");
    QSet<QString> seen;
    const QStringList files = QDir(kSessionsDir).entryList({ u"*.jsonl"_qs }, QDir::Files, QDir::Name);
    QVERIFY(!files.isEmpty());
    for (const QString& file : files) {
        const QList<QByteArray> lines = readFile(QDir(kSessionsDir).filePath(file)).split('\n');
        for (qsizetype i = 0; i < lines.size(); ++i) {
            const QJsonObject properties = QJsonDocument::fromJson(lines[i]).object()[u"properties"].toObject();
            const QString chain = properties[u"$elements_chain"].toString();
            const QString pathname = properties[u"$pathname"].toString();
            if (chain.isEmpty() || seen.contains(pathname + chain))
                continue;
            seen.insert(pathname + chain);
            QTest::addRow("%s:%lld", qPrintable(file), i + 1) << pathname << chain;
        }
    }
}

void TestDemoProduct::recordedClicks()
{
    QFETCH(QString, pathname);
    QFETCH(QString, chain);

    QVERIFY(load(pathname));
    // What was open when the user clicked: the dialog, or a form the page shows on a button.
    const std::pair<const char16_t*, const char16_t*> opener[] = {
        { u"dialog.create-project", u"add-project-btn" },
        { u"form.invite-form", u"invite-member-btn" },
        { u"form.form-grid:attr__class=\"form-grid\"attr__novalidate", u"change-password-btn" },
    };
    for (const auto& [part, button] : opener) {
        if (!chain.contains(QStringView(part)))
            continue;
        QVERIFY(click(u"[data-tour-id=\"%1\"]"_qs.arg(QStringView(button))));
    }
    // The click opens it a moment later: the page's chains are read until one is the recorded one.
    const QString tag = chain.left(chain.indexOf(QRegularExpression(u"[.:]"_qs)));
    const QString wanted = withoutRowPosition(chain);
    QStringList candidates;
    (void)QTest::qWaitFor( // the verdict is the check below, with what the page has
        [&] {
            candidates.clear();
            const QJsonArray chains
                = evaluateJson(*m_page, u"[...document.querySelectorAll(%1)].map(%2)"_qs.arg(jsString(tag), kChainOf))
                      .toArray();
            for (const QJsonValue& candidate : chains)
                candidates.append(withoutRowPosition(candidate.toString()));
            return candidates.contains(wanted);
        },
        kWaitMs);
    QVERIFY2(candidates.contains(wanted),
        qPrintable(u"recorded:\n  %1\npage has:\n  %2"_qs.arg(chain, candidates.join(u"\n  "_qs))));
}

void TestDemoProduct::routes_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("pathnameAfter");
    QTest::addColumn<QString>("selector");

    QTest::newRow("root-redirects-to-projects") << u"/"_qs << u"/projects"_qs << u"[data-tour-id=\"project-list\"]"_qs;
    QTest::newRow("project-page") << u"/projects/zephyr"_qs << u"/projects/zephyr"_qs
                                  << u"[data-tour-id=\"project-members-panel\"]"_qs;
    QTest::newRow("account") << u"/settings/account"_qs << u"/settings/account"_qs
                             << u"[data-tour-id=\"save-account-btn\"]"_qs;
    QTest::newRow("unknown-route") << u"/billing"_qs << u"/billing"_qs << u"[data-tour-id=\"not-found\"]"_qs;
    QTest::newRow("unknown-project") << u"/projects/no-such-project"_qs << u"/projects/no-such-project"_qs
                                     << u"[data-tour-id=\"not-found\"]"_qs;
    QTest::newRow("unknown-project-settings")
        << u"/projects/no-such-project/settings"_qs << u"/projects/no-such-project/settings"_qs
        << u"[data-tour-id=\"not-found\"]"_qs;
}

void TestDemoProduct::routes()
{
    QFETCH(QString, path);
    QFETCH(QString, pathnameAfter);
    QFETCH(QString, selector);

    QVERIFY(load(path));
    TRY_COMPARE_WITH_TIMEOUT(evaluateJson(*m_page, u"location.pathname"_qs).toString(), pathnameAfter, kWaitMs);
    TRY_COMPARE_WITH_TIMEOUT(evaluateJson(*m_page, visibleOnce(selector)).toString(), u"ok"_qs, kWaitMs);
}

void TestDemoProduct::createDialog_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("button");
    QTest::addColumn<int>("projectsAfter");
    QTest::addColumn<QString>("linkAfter");

    QTest::newRow("cancel-closes") << u"Hermes"_qs << u"create-project-cancel"_qs << 4 << QString();
    QTest::newRow("create-adds-to-list") << u"Website Refresh"_qs << u"create-project-submit"_qs << 5
                                         << u"/projects/website-refresh"_qs;
    QTest::newRow("empty-name-stays-open") << QString() << u"create-project-submit"_qs << 4 << QString();
}

void TestDemoProduct::createDialog()
{
    QFETCH(QString, name);
    QFETCH(QString, button);
    QFETCH(int, projectsAfter);
    QFETCH(QString, linkAfter);

    const QString isOpen = u"document.querySelector('dialog.create-project').open"_qs;
    const QString projectCount = u"document.querySelectorAll('li.project').length"_qs;
    QVERIFY(load(u"/projects"_qs));
    QCOMPARE(evaluateJson(*m_page, projectCount).toInt(), 4);
    QVERIFY(!evaluateJson(*m_page, isOpen).toBool());

    QVERIFY(click(u"[data-tour-id=\"add-project-btn\"]"_qs));
    TRY_VERIFY_WITH_TIMEOUT(evaluateJson(*m_page, isOpen).toBool(), kWaitMs);
    TRY_COMPARE_WITH_TIMEOUT(evaluateJson(*m_page, u"document.activeElement.dataset.tourId"_qs).toString(),
        u"create-project-name-input"_qs, kWaitMs);
    if (!name.isEmpty())
        QTest::keyClicks(m_view->focusProxy(), name);
    TRY_COMPARE_WITH_TIMEOUT(evaluateJson(*m_page, u"document.activeElement.value"_qs).toString(), name, kWaitMs);

    QVERIFY(click(u"[data-tour-id=\"%1\"]"_qs.arg(button)));
    const bool staysOpen = name.isEmpty();
    if (staysOpen) {
        TRY_VERIFY_WITH_TIMEOUT(
            !evaluateJson(*m_page, u"document.querySelector('#create-project-form .field-error').hidden"_qs).toBool(),
            kWaitMs);
        QVERIFY(evaluateJson(*m_page, isOpen).toBool());
    } else {
        TRY_VERIFY_WITH_TIMEOUT(!evaluateJson(*m_page, isOpen).toBool(), kWaitMs);
    }
    TRY_COMPARE_WITH_TIMEOUT(evaluateJson(*m_page, projectCount).toInt(), projectsAfter, kWaitMs);
    if (!linkAfter.isEmpty()) {
        QCOMPARE(evaluateJson(*m_page, u"document.querySelector('li.project:last-child a.project-link').textContent"_qs)
                     .toString(),
            name);
        QCOMPARE(evaluateJson(
                     *m_page, u"document.querySelector('li.project:last-child a.project-link').getAttribute('href')"_qs)
                     .toString(),
            linkAfter);
    }
    QCOMPARE(evaluateJson(*m_page, u"location.pathname"_qs).toString(), u"/projects"_qs);
}

void TestDemoProduct::revealOnClick_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("button");
    QTest::addColumn<QString>("revealed");

    QTest::newRow("invite-form") << u"/projects/apollo"_qs << u"invite-member-btn"_qs << u"invite-email-input"_qs;
    QTest::newRow("password-form") << u"/settings/account"_qs << u"change-password-btn"_qs
                                   << u"current-password-input"_qs;
    QTest::newRow("delete-confirmation") << u"/projects/apollo/settings"_qs << u"delete-project-btn"_qs
                                         << u"confirm-delete-input"_qs;
}

// Secondary forms are in the DOM but hidden until their button is clicked.
void TestDemoProduct::revealOnClick()
{
    QFETCH(QString, path);
    QFETCH(QString, button);
    QFETCH(QString, revealed);

    const QString target = u"[data-tour-id=\"%1\"]"_qs.arg(revealed);
    QVERIFY(load(path));
    QCOMPARE(evaluateJson(*m_page, visibleOnce(target)).toString(), u"zero box"_qs);
    QVERIFY(click(u"[data-tour-id=\"%1\"]"_qs.arg(button)));
    TRY_COMPARE_WITH_TIMEOUT(evaluateJson(*m_page, visibleOnce(target)).toString(), u"ok"_qs, kWaitMs);
    TRY_COMPARE_WITH_TIMEOUT(
        evaluateJson(*m_page, u"document.activeElement.dataset.tourId"_qs).toString(), revealed, kWaitMs);
}

void TestDemoProduct::searchFilters()
{
    const QString shown = u"[...document.querySelectorAll('a.project-link')].map((a) => a.textContent)"_qs;
    QVERIFY(load(u"/projects"_qs));
    QVERIFY(click(u"[data-tour-id=\"project-search-input\"]"_qs));
    QTest::keyClicks(m_view->focusProxy(), u"O"_qs);
    TRY_COMPARE_WITH_TIMEOUT(
        evaluateJson(*m_page, shown).toArray(), (QJsonArray { u"Apollo"_qs, u"Orion"_qs }), kWaitMs);
    QTest::keyClicks(m_view->focusProxy(), u"r"_qs);
    TRY_COMPARE_WITH_TIMEOUT(evaluateJson(*m_page, shown).toArray(), QJsonArray { u"Orion"_qs }, kWaitMs);
    QTest::keyClicks(m_view->focusProxy(), u"x"_qs);
    TRY_COMPARE_WITH_TIMEOUT(evaluateJson(*m_page, shown).toArray(), QJsonArray(), kWaitMs);
    QCOMPARE(evaluateJson(*m_page, u"document.querySelector('li.empty').textContent"_qs).toString(),
        u"No projects match “Orx”."_qs);
}

void TestDemoProduct::linkNavigatesWithoutReload()
{
    // The recorded clicks before filled the session history to the browser's cap (50), where it grows no more.
    m_page->history()->clear();
    QVERIFY(load(u"/projects"_qs));
    const int documentLoads = m_server.documentsServed();
    const int historyLength = evaluateJson(*m_page, u"history.length"_qs).toInt();
    evaluateJson(*m_page, u"window.demoMarker = 'still here'"_qs);

    QVERIFY(click(u"a.project-link[href=\"/projects/apollo\"]"_qs));
    TRY_COMPARE_WITH_TIMEOUT(
        evaluateJson(*m_page, u"location.pathname"_qs).toString(), u"/projects/apollo"_qs, kWaitMs);
    TRY_COMPARE_WITH_TIMEOUT(
        evaluateJson(*m_page, visibleOnce(u"[data-tour-id=\"project-members-panel\"]"_qs)).toString(), u"ok"_qs,
        kWaitMs);
    QCOMPARE(evaluateJson(*m_page, u"window.demoMarker"_qs).toString(), u"still here"_qs);

    QVERIFY(click(u"[data-tour-id=\"project-settings-link\"]"_qs));
    TRY_COMPARE_WITH_TIMEOUT(
        evaluateJson(*m_page, u"location.pathname"_qs).toString(), u"/projects/apollo/settings"_qs, kWaitMs);
    TRY_COMPARE_WITH_TIMEOUT(
        evaluateJson(*m_page, visibleOnce(u"[data-tour-id=\"project-name-input\"]"_qs)).toString(), u"ok"_qs, kWaitMs);

    // Back through history: popstate renders the previous views in place.
    evaluateJson(*m_page, u"history.back()"_qs);
    TRY_COMPARE_WITH_TIMEOUT(
        evaluateJson(*m_page, u"location.pathname"_qs).toString(), u"/projects/apollo"_qs, kWaitMs);
    TRY_COMPARE_WITH_TIMEOUT(
        evaluateJson(*m_page, visibleOnce(u"[data-tour-id=\"invite-member-btn\"]"_qs)).toString(), u"ok"_qs, kWaitMs);
    QVERIFY(click(u"[data-tour-id=\"nav-projects\"]"_qs));
    TRY_COMPARE_WITH_TIMEOUT(evaluateJson(*m_page, u"location.pathname"_qs).toString(), u"/projects"_qs, kWaitMs);
    TRY_COMPARE_WITH_TIMEOUT(
        evaluateJson(*m_page, visibleOnce(u"[data-tour-id=\"project-list\"]"_qs)).toString(), u"ok"_qs, kWaitMs);
    // Pushed apollo and its settings, went back, pushed /projects over settings.
    QCOMPARE(evaluateJson(*m_page, u"history.length"_qs).toInt(), historyLength + 2);

    QCOMPARE(evaluateJson(*m_page, u"window.demoMarker"_qs).toString(), u"still here"_qs);
    QCOMPARE(m_server.documentsServed(), documentLoads);
}

void TestDemoProduct::screenshots_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("ready");
    QTest::addColumn<QString>("file");

    QTest::newRow("projects") << u"/projects"_qs << u"[data-tour-id=\"project-list\"]"_qs
                              << u"/tmp/demo-product-projects.png"_qs;
    QTest::newRow("project") << u"/projects/apollo"_qs << u"[data-tour-id=\"project-members-panel\"]"_qs
                             << u"/tmp/demo-product-project.png"_qs;
    QTest::newRow("project-settings") << u"/projects/apollo/settings"_qs << u"[data-tour-id=\"delete-project-btn\"]"_qs
                                      << u"/tmp/demo-product-project-settings.png"_qs;
    QTest::newRow("account") << u"/settings/account"_qs << u"[data-tour-id=\"save-account-btn\"]"_qs
                             << u"/tmp/demo-product-account.png"_qs;
}

// Artifacts to look at, dialog closed, 1280×800.
void TestDemoProduct::screenshots()
{
    QFETCH(QString, path);
    QFETCH(QString, ready);
    QFETCH(QString, file);

    QVERIFY(load(path));
    TRY_COMPARE_WITH_TIMEOUT(evaluateJson(*m_page, visibleOnce(ready)).toString(), u"ok"_qs, kWaitMs);
    QVERIFY(!evaluateJson(*m_page, u"document.querySelector('dialog.create-project').open"_qs).toBool());

    // The compositor paints after the DOM is ready: wait for a frame whose
    // sidebar (dark) and content (light) are both there.
    QImage image;
    TRY_VERIFY_WITH_TIMEOUT((image = m_view->grab().toImage(),
                                !image.isNull() && qGray(image.pixel(10, 400)) < 64
                                    && qGray(image.pixel(image.width() - 10, image.height() - 10)) > 192),
        kWaitMs);
    QCOMPARE(image.size(), QSize(1280, 800) * m_view->devicePixelRatio());
    QVERIFY2(image.save(file), qPrintable(file));
    qInfo().noquote() << u"screenshot:"_qs << file;
}

QTEST_MAIN(TestDemoProduct)
#include "tst_demoproduct.moc"
