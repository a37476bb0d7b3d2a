#include "tourrunner.h"

#include "pagebridge.h"
#include "scriptchannel.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <QWebEnginePage>

namespace proactive::ui {

namespace {

    constexpr std::chrono::milliseconds kRuntimePoll { 100 };

    QString qs(const std::string& text)
    {
        return QString::fromStdString(text);
    }

    QJsonObject stepJson(const TourStep& step)
    {
        return { { u"target"_qs, qs(step.target) }, { u"title"_qs, qs(step.title) },
            { u"content"_qs, qs(step.content) }, { u"placement"_qs, qs(std::string(nameOf(step.placement))) } };
    }

    QString seconds(qint64 ms)
    {
        return QString::number(static_cast<double>(ms) / 1000.0, 'g', 3);
    }

    // The runtime's "failed" report as a sentence naming the selector and page.
    QString failureReason(const QJsonObject& report)
    {
        const QString selector = report[u"selector"].toString();
        const QString path = report[u"path"].toString();
        const QString waited = seconds(report[u"waitedMs"].toInteger());
        const int count = report[u"count"].toInt();
        const QString problem = report[u"problem"].toString();
        QString sentence;
        if (problem == u"invalid"_qs)
            sentence = u"%1 is not a valid CSS selector (%2)"_qs.arg(selector, report[u"detail"].toString());
        else if (problem == u"hidden"_qs)
            sentence
                = u"%1 matches %2 element(s) on %3 but none is visible (waited %4 s)"_qs.arg(selector).arg(count).arg(
                    path, waited);
        else
            sentence = u"no element matches %1 on %2 (waited %3 s)"_qs.arg(selector, path, waited);
        return u"step %1: %2"_qs.arg(report[u"index"].toInt() + 1).arg(sentence);
    }

    // The runtime's "failed" problem as the connector names it.
    TargetProblem targetProblemOf(const QString& problem)
    {
        if (problem == u"invalid"_qs)
            return TargetProblem::InvalidSelector;
        if (problem == u"hidden"_qs)
            return TargetProblem::NotVisible;
        return TargetProblem::NotFound;
    }

} // namespace

TourRunner::TourRunner(PageBridge* bridge, QObject* parent)
    : QObject(parent)
    , m_bridge(bridge)
    , m_channel(new ScriptChannel(this))
{
    m_bridge->registerObject(u"tours"_qs, m_channel);
    m_bridge->addScriptFile(u":/proactive/tours/tour-runtime.js"_qs, QWebEngineScript::DocumentReady, true);
    connect(m_channel, &ScriptChannel::reported, this, &TourRunner::onReport);
    connect(m_bridge->page(), &QWebEnginePage::loadFinished, this, &TourRunner::onLoadFinished);
}

void TourRunner::setCatalog(TourCatalog catalog)
{
    m_catalog = std::move(catalog);
}

void TourRunner::start(const QString& tourId)
{
    endRun(u"replaced"_qs);
    const Tour* tour = m_catalog.find(tourId.toStdString());
    if (!tour) {
        Q_EMIT failed(
            tourId, {}, u"unknown tour \"%1\": the workspace's tour catalog has no tour with that id"_qs.arg(tourId));
        return;
    }
    begin({ ++m_nextRunId, tourId, *tour, std::nullopt });
}

void TourRunner::preview(const Tour& tour, int stepIndex)
{
    endRun(u"replaced"_qs);
    const QString tourId = qs(tour.id);
    if (stepIndex < 0 || stepIndex >= static_cast<int>(tour.steps.size())) {
        Q_EMIT previewFailed(tourId, {}, u"tour \"%1\" has no step %2"_qs.arg(tourId).arg(stepIndex + 1));
        return;
    }
    begin({ ++m_nextRunId, tourId, tour, stepIndex });
}

void TourRunner::stop()
{
    endRun(u"stopped"_qs);
}

void TourRunner::begin(Run run)
{
    const int id = run.id;
    m_run = std::move(run);
    launch(id, static_cast<int>(m_targetTimeout / kRuntimePoll) + 1);
}

// The page may still be loading (the runtime arrives with DOMContentLoaded):
// ask again until it is there or the target timeout has passed.
void TourRunner::launch(int runId, int attemptsLeft)
{
    if (!m_bridge)
        return;
    QPointer<TourRunner> self(this);
    m_bridge->runJavaScript(
        u"window.proactiveTours ? location.href : null"_qs, [self, runId, attemptsLeft](const QVariant& href) {
            if (!self || !self->m_run || self->m_run->id != runId)
                return;
            if (href.typeId() != QMetaType::QString) {
                if (attemptsLeft > 1) {
                    QTimer::singleShot(kRuntimePoll, self, [self, runId, attemptsLeft] {
                        if (self)
                            self->launch(runId, attemptsLeft - 1);
                    });
                } else {
                    self->fail({}, u"no product page with the tour runtime is open"_qs);
                }
                return;
            }
            Run& run = *self->m_run;
            QJsonObject spec { { u"run"_qs, runId }, { u"tour"_qs, run.tourId },
                { u"timeoutMs"_qs, static_cast<qint64>(self->m_targetTimeout.count()) } };
            QJsonArray steps;
            if (run.previewStep) {
                steps.append(stepJson(run.tour.steps[*run.previewStep]));
                spec[u"preview"_qs] = true;
                spec[u"firstNumber"_qs] = *run.previewStep + 1;
                spec[u"total"_qs] = static_cast<int>(run.tour.steps.size());
            } else {
                for (const TourStep& step : run.tour.steps)
                    steps.append(stepJson(step));
                const TourCatalog one({ run.tour });
                const TourStartPlan plan = planTourStart(one, run.tour.id, href.toString().toStdString());
                if (plan.action == TourStartAction::NavigateThenStart)
                    spec[u"navigateTo"_qs] = qs(plan.navigateTo);
            }
            spec[u"steps"_qs] = steps;
            run.launched = true;
            self->m_bridge->runJavaScript(u"proactiveTours.start(%1)"_qs.arg(
                QString::fromUtf8(QJsonDocument(spec).toJson(QJsonDocument::Compact))));
        });
}

void TourRunner::onReport(const QString& message)
{
    const QJsonObject report = QJsonDocument::fromJson(message.toUtf8()).object();
    if (!m_run || report[u"run"].toInt() != m_run->id)
        return; // a run already ended or replaced here
    const QString type = report[u"type"].toString();
    const QString tourId = m_run->tourId;
    const bool preview = m_run->previewStep.has_value();
    if (type == u"started"_qs) {
        m_run->started = true;
        if (!preview)
            Q_EMIT started(tourId);
    } else if (type == u"step"_qs) {
        m_run->index = report[u"index"].toInt();
        if (preview) {
            Q_EMIT previewShown(tourId, *m_run->previewStep);
            return;
        }
        const int total = report[u"total"].toInt();
        Q_EMIT stepShown(tourId, m_run->index, total);
        TourProgress progress { TourProgress::Kind::StepShown, tourId.toStdString(), m_run->index + 1, total,
            report[u"selector"].toString().toStdString(), std::nullopt, report[u"shown"].toInt() };
        Q_EMIT progressed(progress);
        if (progress.matches > 1) {
            progress.kind = TourProgress::Kind::TargetMissing;
            progress.problem = TargetProblem::SeveralMatches;
            Q_EMIT progressed(progress);
        }
    } else if (type == u"completed"_qs) {
        m_run.reset();
        if (!preview)
            Q_EMIT completed(tourId);
    } else if (type == u"abandoned"_qs) {
        const bool wasStarted = m_run->started;
        m_run.reset();
        if (!preview && wasStarted)
            Q_EMIT abandoned(tourId, report[u"index"].toInt(), report[u"reason"].toString());
    } else if (type == u"failed"_qs) {
        QJsonObject named = report;
        if (preview)
            named[u"index"_qs] = *m_run->previewStep;
        // A started tour's runtime follows up with "abandoned".
        const QString selector = report[u"selector"].toString();
        const QString reason = failureReason(named);
        const int total = static_cast<int>(m_run->tour.steps.size());
        if (!m_run->started)
            m_run.reset();
        if (preview) {
            Q_EMIT previewFailed(tourId, selector, reason);
            return;
        }
        Q_EMIT failed(tourId, selector, reason);
        Q_EMIT progressed({ TourProgress::Kind::TargetMissing, tourId.toStdString(), report[u"index"].toInt() + 1,
            total, selector.toStdString(), targetProblemOf(report[u"problem"].toString()), report[u"count"].toInt() });
    }
}

// A full page load replaces the document and the overlay with it.
void TourRunner::onLoadFinished()
{
    if (!m_run || !m_run->launched || !m_bridge)
        return;
    QPointer<TourRunner> self(this);
    const int runId = m_run->id;
    m_bridge->runJavaScript(
        u"window.proactiveTours ? proactiveTours.state().run : null"_qs, [self, runId](const QVariant& alive) {
            if (!self || !self->m_run || self->m_run->id != runId || alive.toInt() == runId)
                return;
            if (self->m_run->started)
                self->endRun(u"page-unloaded"_qs);
            else
                self->fail({}, u"the page loaded another document before the tour could start"_qs);
        });
}

void TourRunner::endRun(const QString& abandonReason)
{
    if (!m_run)
        return;
    const Run run = *m_run;
    m_run.reset();
    if (m_bridge && run.launched)
        m_bridge->runJavaScript(u"window.proactiveTours && proactiveTours.stop()"_qs);
    if (run.started && !run.previewStep)
        Q_EMIT abandoned(run.tourId, run.index, abandonReason);
}

void TourRunner::fail(const QString& selector, const QString& reason)
{
    const Run run = *m_run;
    m_run.reset();
    if (run.previewStep)
        Q_EMIT previewFailed(run.tourId, selector, reason);
    else
        Q_EMIT failed(run.tourId, selector, reason);
}

} // namespace proactive::ui
