#pragma once

#include "tourcatalog.h"

#include <QList>
#include <QObject>
#include <QSize>
#include <QString>
#include <QTimer>
#include <QUrl>
#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <vector>

class QWebEngineProfile;
class QWebEngineView;

namespace proactive::ui {

class PageBridge;
class ScriptChannel;

// One step's target on its tour's page.
struct TargetCheck {
    enum class Status {
        Found, // exactly one element, visible, and a click at its centre reaches it
        NotFound,
        Multiple, // the runtime would use the first visible one: probably not the one meant
        Hidden, // display: none, zero size, visibility: hidden or opacity: 0
        Covered, // another element is on top at the target's centre
        InvalidSelector,
        NoSample, // parameterised route and no recorded page to open it with
        PageFailed, // the page did not load or did not answer
    };

    QString tourId;
    int step = 0; // 0-based
    QString selector;
    QString path; // the page checked; empty when none could be opened
    Status status = Status::NotFound;
    int matches = 0;
    QString detail; // "by div.banner", "display: none", ...

    bool isProblem() const { return status != Status::Found; }
};

// "found", "not found", "found 3 times", ...
QString describeStatus(const TargetCheck& check);

// A fixed-width table of the checks (tour, step, page, target, result) for
// the command line and logs.
QString lintTable(const QList<TargetCheck>& checks);

// Opens every tour's route in a page of its own (a fresh page load of
// base URL + route path, like a user following a link) and checks each
// step's target there (tours/runtime/target-lint.js). Parameterised routes
// are opened with the first recorded page that matches them. Later steps
// are checked on the same page as the first: a target that only appears
// after the user does something (opens a dialog) is reported as it is on
// arrival, which is what a tour started on that page would find.
class TargetLinter final : public QObject {
    Q_OBJECT

public:
    explicit TargetLinter(QObject* parent = nullptr);
    ~TargetLinter() override;

    void setViewportSize(const QSize& size);
    void setTargetTimeout(std::chrono::milliseconds timeout) { m_targetTimeout = timeout; }

    // Starts checking; finished() when every tour is done. `recordedPaths`
    // are the sample pages (recordedPagePaths() of the workspace).
    void run(const TourCatalog& catalog, const QUrl& baseUrl, std::vector<std::string> recordedPaths);
    bool isRunning() const { return m_running; }

    const QList<TargetCheck>& results() const { return m_results; }
    int problemCount() const;

Q_SIGNALS:
    void finished();

private:
    struct Current {
        Tour tour;
        QString path;
        int token = 0;
        bool checking = false;
    };

    void nextTour();
    void onLoadFinished(bool ok);
    void onReport(const QString& message);
    void finishTour(TargetCheck::Status status, const QString& detail);
    void addChecks(const Tour& tour, const QString& path, TargetCheck::Status status, const QString& detail);

    QWebEngineProfile* m_profile;
    QWebEngineView* m_view;
    PageBridge* m_bridge;
    ScriptChannel* m_channel;
    QTimer m_watchdog;
    std::chrono::milliseconds m_targetTimeout { 3000 };

    std::deque<Tour> m_queue;
    std::optional<Current> m_current;
    QUrl m_baseUrl;
    std::vector<std::string> m_recordedPaths;
    QList<TargetCheck> m_results;
    int m_nextToken = 0;
    bool m_running = false;
};

} // namespace proactive::ui
