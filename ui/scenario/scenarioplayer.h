#pragma once

#include "scenario.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <functional>

namespace proactive::ui {

class ProductPage;
class Simulation;

// Plays a scenario against the live page and the simulation: clicks and
// typing happen in the real DOM (capture sees them like a user's), the
// toast is clicked in its shadow root, expectations read the page. While it
// plays, the player owns the simulation's clock: `wait` and `within_s` are
// simulated seconds, run at once when headless and paced for an audience
// when presenting.
class ScenarioPlayer final : public QObject {
    Q_OBJECT

public:
    enum class Pacing { Presentation, Headless };

    ScenarioPlayer(Simulation& simulation, ProductPage& page, Pacing pacing, QObject* parent = nullptr);

    void play(Scenario scenario);
    void stop();
    bool isPlaying() const { return m_playing; }

Q_SIGNALS:
    void stepStarted(int index, const QString& description);
    void stepPassed(int index);
    // `failure` says which step, what was expected and what the page showed.
    void finished(bool passed, const QString& failure);

private:
    void runStep();
    void next();
    void fail(const QString& reason);
    // Evaluates `expression` in the studio's world of the page.
    void evaluate(const QString& expression, std::function<void(const QVariant&)> then);
    // Checks `probe` (a JS expression, truthy when satisfied), advancing
    // simulated time a second at a time until `seconds` have passed.
    void expectWithin(const QString& probe, double seconds, const QString& failure, bool simulatedTime = true);
    // Advances simulated time by `seconds`, paced when presenting.
    void advance(double seconds, std::function<void()> then);
    // Polls `probe` in wall time (async page reactions) up to `timeoutMs`.
    void waitFor(const QString& probe, int timeoutMs, const QString& failure, std::function<void()> then);
    void later(int ms, std::function<void()> then);

    Simulation& m_simulation;
    ProductPage& m_page;
    Pacing m_pacing;
    Scenario m_scenario;
    int m_index = -1;
    bool m_playing = false;
    double m_speedBefore = 1;
    int m_generation = 0; // stale callbacks of a stopped run are ignored
};

} // namespace proactive::ui
