#pragma once

#include "emit/tourprogress.h"
#include "tourcatalog.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <chrono>
#include <optional>

namespace proactive::ui {

class PageBridge;
class ScriptChannel;

// Starts tours of the catalog in the product page (SPEC §7) and tells the
// studio how they end. The overlay is tours/runtime/tour-runtime.js in the
// bridge's isolated world; this class decides where a tour starts:
//  - unknown id: failed(), nothing is shown;
//  - the page is on the tour's route (`:param` segments, optional trailing
//    slash): start at once;
//  - a parameterised route elsewhere: start in place (there is no concrete
//    page to go to);
//  - a concrete route elsewhere: navigate in the single-page app (history
//    pushState + popstate, which routers render on), then start.
// Every start waits for the first step's target on the DOM (a
// MutationObserver) up to targetTimeout(); a target that does not show up
// is failed() naming the selector, and so is a later step's.
//
// started() comes once the first step is on screen, and abandoned() only
// for a tour that had started: the studio sends `tour_completed` and
// `tour_abandoned` from completed() and abandoned(), and the connector's
// tour events (issue 18) from progressed(). Previews (the editor's "show
// this step") never emit those; they have their own signals.
class TourRunner final : public QObject {
    Q_OBJECT

public:
    // Registers the `tours` object and the runtime on the bridge. The page
    // must load the document tours run in afterwards: a document receives
    // the bridge's objects when it opens the channel.
    explicit TourRunner(PageBridge* bridge, QObject* parent = nullptr);

    void setCatalog(TourCatalog catalog);
    const TourCatalog& catalog() const { return m_catalog; }

    void setTargetTimeout(std::chrono::milliseconds timeout) { m_targetTimeout = timeout; }
    std::chrono::milliseconds targetTimeout() const { return m_targetTimeout; }

    // A tour (or preview) is starting or on screen.
    bool isRunning() const { return m_run.has_value(); }
    QString currentTourId() const { return m_run ? m_run->tourId : QString(); }

    // Shows one step of `tour` (which need not be in the catalog: it is the
    // editor's copy) where the page is, as "Step i of n · preview".
    void preview(const Tour& tour, int stepIndex);

public Q_SLOTS:
    // A tour already running is abandoned ("replaced") first.
    void start(const QString& tourId);
    // Removes the overlay; a started tour is abandoned ("stopped").
    void stop();

Q_SIGNALS:
    void started(const QString& tourId);
    void stepShown(const QString& tourId, int index, int count);
    void completed(const QString& tourId);
    // `reason`: close (its × button), escape, replaced, stopped,
    // target-missing (a later step's target never showed up) or
    // page-unloaded (a full page load removed the overlay).
    void abandoned(const QString& tourId, int index, const QString& reason);
    // The tour could not start or go on; `selector` is empty for an unknown
    // tour. `reason` is a sentence for the author.
    void failed(const QString& tourId, const QString& selector, const QString& reason);
    // A step on screen, or a step whose target could not be used: not
    // found, not visible, not a valid selector — or found several times
    // (reported besides the step being shown on the first).
    void progressed(const proactive::TourProgress& progress);
    void previewShown(const QString& tourId, int index);
    void previewFailed(const QString& tourId, const QString& selector, const QString& reason);

private:
    struct Run {
        int id = 0;
        QString tourId;
        Tour tour; // a copy: the catalog may be replaced while the tour runs
        std::optional<int> previewStep;
        bool launched = false; // handed to the page's runtime
        bool started = false;
        int index = -1;
    };

    void begin(Run run);
    void launch(int runId, int attemptsLeft);
    void onReport(const QString& message);
    void onLoadFinished();
    void endRun(const QString& abandonReason);
    void fail(const QString& selector, const QString& reason);

    QPointer<PageBridge> m_bridge;
    ScriptChannel* m_channel;
    TourCatalog m_catalog;
    std::chrono::milliseconds m_targetTimeout { 5000 };
    std::optional<Run> m_run;
    int m_nextRunId = 0;
};

} // namespace proactive::ui
