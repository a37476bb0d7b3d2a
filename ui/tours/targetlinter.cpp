#include "targetlinter.h"

#include "intake/canonicalurl.h"
#include "pagebridge.h"
#include "routesamples.h"
#include "scriptchannel.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QWebEnginePage>
#include <QWebEngineProfile>
#include <QWebEngineView>

namespace proactive::ui {

namespace {

    // Time for the page itself to load, on top of the wait for targets.
    constexpr std::chrono::milliseconds kLoadAllowance { 20'000 };

    QString qs(const std::string& text)
    {
        return QString::fromStdString(text);
    }

    TargetCheck::Status statusFrom(const QString& name)
    {
        using S = TargetCheck::Status;
        if (name == u"found"_qs)
            return S::Found;
        if (name == u"multiple"_qs)
            return S::Multiple;
        if (name == u"hidden"_qs)
            return S::Hidden;
        if (name == u"covered"_qs)
            return S::Covered;
        if (name == u"invalid"_qs)
            return S::InvalidSelector;
        return S::NotFound;
    }

} // namespace

QString describeStatus(const TargetCheck& check)
{
    using S = TargetCheck::Status;
    QString text;
    switch (check.status) {
    case S::Found:
        text = u"found"_qs;
        break;
    case S::NotFound:
        text = u"not found"_qs;
        break;
    case S::Multiple:
        text = u"found %1 times"_qs.arg(check.matches);
        break;
    case S::Hidden:
        text = u"hidden"_qs;
        break;
    case S::Covered:
        text = u"covered"_qs;
        break;
    case S::InvalidSelector:
        text = u"invalid selector"_qs;
        break;
    case S::NoSample:
        text = u"no sample value"_qs;
        break;
    case S::PageFailed:
        text = u"page failed"_qs;
        break;
    }
    return check.detail.isEmpty() ? text : u"%1: %2"_qs.arg(text, check.detail);
}

QString lintTable(const QList<TargetCheck>& checks)
{
    const QStringList headers { u"TOUR"_qs, u"STEP"_qs, u"PAGE"_qs, u"TARGET"_qs, u"RESULT"_qs };
    QList<QStringList> rows;
    for (const TargetCheck& check : checks)
        rows.append({ check.tourId, QString::number(check.step + 1), check.path.isEmpty() ? u"-"_qs : check.path,
            check.selector, (check.isProblem() ? u"✗ "_qs : u"✓ "_qs) + describeStatus(check) });
    QList<qsizetype> widths;
    for (qsizetype c = 0; c + 1 < headers.size(); ++c) {
        qsizetype width = headers[c].size();
        for (const QStringList& row : rows)
            width = std::max(width, row[c].size());
        widths.append(width);
    }
    QString out;
    const auto line = [&](const QStringList& cells) {
        for (qsizetype c = 0; c + 1 < cells.size(); ++c)
            out += cells[c].leftJustified(widths[c]) + u"  "_qs;
        out += cells.last() + u'\n';
    };
    line(headers);
    for (const QStringList& row : rows)
        line(row);
    return out;
}

TargetLinter::TargetLinter(QObject* parent)
    : QObject(parent)
    , m_profile(new QWebEngineProfile(this)) // off the record: lint leaves no cookies behind
    , m_view(new QWebEngineView)
    , m_channel(new ScriptChannel(this))
{
    auto* page = new QWebEnginePage(m_profile, m_view);
    m_view->setPage(page);
    m_bridge = new PageBridge(page, this);
    m_bridge->registerObject(u"lint"_qs, m_channel);
    m_bridge->addScriptFile(u":/proactive/tours/target-lint.js"_qs, QWebEngineScript::DocumentReady);
    // Layout and hit testing need a viewport; the window is never on screen.
    m_view->setAttribute(Qt::WA_DontShowOnScreen);
    m_view->resize(1280, 800);
    m_view->show();
    connect(page, &QWebEnginePage::loadFinished, this, &TargetLinter::onLoadFinished);
    connect(m_channel, &ScriptChannel::reported, this, &TargetLinter::onReport);
    m_watchdog.setSingleShot(true);
    connect(&m_watchdog, &QTimer::timeout, this,
        [this] { finishTour(TargetCheck::Status::PageFailed, u"the page did not answer in time"_qs); });
}

TargetLinter::~TargetLinter()
{
    // The page belongs to the view and uses the profile: view first.
    delete m_view;
}

void TargetLinter::setViewportSize(const QSize& size)
{
    m_view->resize(size);
}

void TargetLinter::run(const TourCatalog& catalog, const QUrl& baseUrl, std::vector<std::string> recordedPaths)
{
    m_queue.assign(catalog.tours().begin(), catalog.tours().end());
    m_baseUrl = baseUrl;
    m_recordedPaths = std::move(recordedPaths);
    m_results.clear();
    m_current.reset();
    m_running = true;
    nextTour();
}

int TargetLinter::problemCount() const
{
    return static_cast<int>(
        std::count_if(m_results.begin(), m_results.end(), [](const TargetCheck& check) { return check.isProblem(); }));
}

void TargetLinter::nextTour()
{
    while (!m_queue.empty()) {
        Tour tour = std::move(m_queue.front());
        m_queue.pop_front();
        std::optional<std::string> path;
        if (isParameterisedRoute(tour.route))
            path = samplePathForRoute(tour.route, m_recordedPaths);
        else
            path = std::string(urlPath(tour.route));
        if (!path) {
            addChecks(tour, {}, TargetCheck::Status::NoSample,
                u"no recorded session visited a page matching %1"_qs.arg(qs(std::string(urlPath(tour.route)))));
            continue;
        }
        QUrl url = m_baseUrl;
        url.setPath(qs(*path));
        m_current = Current { std::move(tour), qs(*path), ++m_nextToken, false };
        m_watchdog.start(m_targetTimeout + kLoadAllowance);
        m_view->page()->load(url);
        return;
    }
    m_running = false;
    Q_EMIT finished();
}

void TargetLinter::onLoadFinished(bool ok)
{
    if (!m_current || m_current->checking)
        return;
    if (!ok) {
        QUrl url = m_baseUrl;
        url.setPath(m_current->path);
        finishTour(TargetCheck::Status::PageFailed, u"%1 did not load"_qs.arg(url.toString()));
        return;
    }
    m_current->checking = true;
    QJsonArray selectors;
    for (const TourStep& step : m_current->tour.steps)
        selectors.append(qs(step.target));
    const QString call = u"window.proactiveLint ? proactiveLint.check(%1, %2, %3) : false"_qs.arg(m_current->token)
                             .arg(QString::fromUtf8(QJsonDocument(selectors).toJson(QJsonDocument::Compact)))
                             .arg(m_targetTimeout.count());
    const int token = m_current->token;
    m_bridge->runJavaScript(call, [this, token](const QVariant& started) {
        if (m_current && m_current->token == token && !started.toBool())
            finishTour(TargetCheck::Status::PageFailed, u"the lint script did not run in the page"_qs);
    });
}

void TargetLinter::onReport(const QString& message)
{
    const QJsonObject report = QJsonDocument::fromJson(message.toUtf8()).object();
    if (!m_current || report[u"token"].toInt() != m_current->token)
        return;
    m_watchdog.stop();
    const QJsonArray results = report[u"results"].toArray();
    const Current current = std::move(*m_current);
    m_current.reset();
    for (std::size_t i = 0; i < current.tour.steps.size(); ++i) {
        const QJsonObject result = results.at(static_cast<qsizetype>(i)).toObject();
        m_results.append({ qs(current.tour.id), static_cast<int>(i), qs(current.tour.steps[i].target),
            report[u"path"].toString(current.path), statusFrom(result[u"status"].toString()),
            result[u"matches"].toInt(), result[u"detail"].toString() });
    }
    nextTour();
}

void TargetLinter::finishTour(TargetCheck::Status status, const QString& detail)
{
    m_watchdog.stop();
    if (!m_current)
        return;
    const Current current = std::move(*m_current);
    m_current.reset();
    addChecks(current.tour, current.path, status, detail);
    // Not from inside the page's signal that got us here.
    QTimer::singleShot(0, this, &TargetLinter::nextTour);
}

void TargetLinter::addChecks(const Tour& tour, const QString& path, TargetCheck::Status status, const QString& detail)
{
    for (std::size_t i = 0; i < tour.steps.size(); ++i)
        m_results.append({ qs(tour.id), static_cast<int>(i), qs(tour.steps[i].target), path, status, 0, detail });
}

} // namespace proactive::ui
