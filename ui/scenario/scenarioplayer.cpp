#include "scenarioplayer.h"

#include "inspector/presentation.h"
#include "pagebridge.h"
#include "simulation/simulation.h"
#include "studio/productpage.h"
#include "widgetbridge.h"

#include <QTimer>

namespace proactive::ui {

namespace {

    using Kind = ScenarioStep::Kind;

    // How long an audience gets to read a caption, and the pause between steps.
    constexpr int kCaptionMs = 2600;
    constexpr int kStepPauseMs = 700;
    // A simulated second while presenting an expectation or a wait.
    constexpr int kPresentedSecondMs = 60;
    // The page's reaction to a click or a navigation (wall time).
    constexpr int kPageReactionMs = 5000;

    QString js(const std::string& text)
    {
        return jsLiteral(QString::fromStdString(text));
    }

    const QString kToastProbe = u"(() => { const w = window.proactiveWidget; "
                                "const t = w && w.root.querySelector('.toast:not([hidden])'); "
                                "return t ? t.dataset.triggerId : ''; })()"_qs;

} // namespace

ScenarioPlayer::ScenarioPlayer(Simulation& simulation, ProductPage& page, Pacing pacing, QObject* parent)
    : QObject(parent)
    , m_simulation(simulation)
    , m_page(page)
    , m_pacing(pacing)
{ }

void ScenarioPlayer::play(Scenario scenario)
{
    stop();
    m_scenario = std::move(scenario);
    m_playing = true;
    m_index = -1;
    m_speedBefore = m_simulation.speed();
    m_simulation.setSpeed(0);
    next();
}

void ScenarioPlayer::stop()
{
    if (!m_playing)
        return;
    ++m_generation;
    m_playing = false;
    m_page.widget().setCaption({});
    m_simulation.setSpeed(m_speedBefore);
}

void ScenarioPlayer::later(int ms, std::function<void()> then)
{
    QTimer::singleShot(ms, this, [this, generation = m_generation, then = std::move(then)] {
        if (generation == m_generation && m_playing)
            then();
    });
}

void ScenarioPlayer::next()
{
    if (m_index >= 0)
        Q_EMIT stepPassed(m_index);
    ++m_index;
    if (m_index >= static_cast<int>(m_scenario.steps.size())) {
        stop();
        Q_EMIT finished(true, {});
        return;
    }
    const bool presenting = m_pacing == Pacing::Presentation && m_index > 0;
    later(presenting ? kStepPauseMs : 0, [this] { runStep(); });
}

void ScenarioPlayer::fail(const QString& reason)
{
    const ScenarioStep& step = m_scenario.steps.at(static_cast<std::size_t>(m_index));
    const QString failure
        = u"%1 (%2): %3"_qs.arg(QString::fromStdString(step.where), QString::fromStdString(describe(step)), reason);
    stop();
    Q_EMIT finished(false, failure);
}

void ScenarioPlayer::evaluate(const QString& expression, std::function<void(const QVariant&)> then)
{
    m_page.bridge().runJavaScript(
        expression, [this, generation = m_generation, then = std::move(then)](const QVariant& result) {
            if (generation == m_generation && m_playing)
                then(result);
        });
}

void ScenarioPlayer::advance(double seconds, std::function<void()> then)
{
    if (m_pacing == Pacing::Headless || seconds <= 0) {
        m_simulation.advance(std::chrono::milliseconds(static_cast<qint64>(seconds * 1000)));
        // Let the page render what the polls on the way changed.
        later(0, std::move(then));
        return;
    }
    const double chunk = std::min(seconds, 1.0);
    m_simulation.advance(std::chrono::milliseconds(static_cast<qint64>(chunk * 1000)));
    later(kPresentedSecondMs,
        [this, rest = seconds - chunk, then = std::move(then)]() mutable { advance(rest, std::move(then)); });
}

void ScenarioPlayer::expectWithin(const QString& probe, double seconds, const QString& failure, bool simulatedTime)
{
    evaluate(probe, [this, probe, seconds, failure, simulatedTime](const QVariant& result) {
        if (result.toBool()) {
            next();
            return;
        }
        if (seconds <= 0) {
            fail(failure);
            return;
        }
        if (simulatedTime)
            advance(1, [this, probe, seconds, failure] { expectWithin(probe, seconds - 1, failure, true); });
        else
            later(100, [this, probe, seconds, failure] { expectWithin(probe, seconds - 0.1, failure, false); });
    });
}

void ScenarioPlayer::waitFor(const QString& probe, int timeoutMs, const QString& failure, std::function<void()> then)
{
    evaluate(probe, [this, probe, timeoutMs, failure, then = std::move(then)](const QVariant& result) mutable {
        if (result.toBool()) {
            then();
            return;
        }
        if (timeoutMs <= 0) {
            fail(failure);
            return;
        }
        later(50, [this, probe, timeoutMs, failure, then = std::move(then)]() mutable {
            waitFor(probe, timeoutMs - 50, failure, std::move(then));
        });
    });
}

void ScenarioPlayer::runStep()
{
    const ScenarioStep& step = m_scenario.steps.at(static_cast<std::size_t>(m_index));
    Q_EMIT stepStarted(m_index, QString::fromStdString(describe(step)));
    switch (step.kind) {
    case Kind::Caption:
        m_page.widget().setCaption(QString::fromStdString(step.text));
        later(m_pacing == Pacing::Presentation && !step.text.empty() ? kCaptionMs : 0, [this] { next(); });
        return;
    case Kind::Navigate:
        // What most SPA routers react to: a history entry and a popstate.
        evaluate(u"history.pushState(null, '', %1); window.dispatchEvent(new PopStateEvent('popstate')); true"_qs.arg(
                     js(step.target)),
            [this, target = js(step.target)](const QVariant&) {
                waitFor(u"location.pathname === %1"_qs.arg(target), kPageReactionMs,
                    tr("the page did not reach the path"), [this] { next(); });
            });
        return;
    case Kind::Click:
        evaluate(u"(() => { const e = document.querySelector(%1); if (!e) return false; "
                 "e.scrollIntoView({block: 'center'}); e.click(); return true; })()"_qs.arg(js(step.target)),
            [this](const QVariant& clicked) {
                if (clicked.toBool())
                    next();
                else
                    fail(tr("no element matches the selector"));
            });
        return;
    case Kind::Type:
        // The native setter, so frameworks that track the value see the change.
        evaluate(u"(() => { const e = document.querySelector(%1); if (!e) return false; e.focus(); "
                 "const proto = Object.getPrototypeOf(e); "
                 "Object.getOwnPropertyDescriptor(proto, 'value').set.call(e, %2); "
                 "e.dispatchEvent(new Event('input', {bubbles: true})); "
                 "e.dispatchEvent(new Event('change', {bubbles: true})); return true; })()"_qs.arg(
                     js(step.target), js(step.text)),
            [this](const QVariant& typed) {
                if (typed.toBool())
                    next();
                else
                    fail(tr("no field matches the selector"));
            });
        return;
    case Kind::Wait:
        advance(step.seconds, [this] { next(); });
        return;
    case Kind::ExpectToast: {
        const QString probe
            = step.text.empty() ? kToastProbe + u" !== ''"_qs : kToastProbe + u" === "_qs + js(step.text);
        expectWithin(probe, step.seconds,
            tr("the toast did not show (state %1)")
                .arg(stateName(m_simulation.conversation().value_or(ConversationRecord {}).state)));
        return;
    }
    case Kind::ExpectNoToast:
        evaluate(kToastProbe, [this, seconds = step.seconds](const QVariant& shown) {
            if (!shown.toString().isEmpty()) {
                fail(tr("the toast %1 is showing").arg(shown.toString()));
                return;
            }
            if (seconds <= 0) {
                next();
                return;
            }
            ScenarioStep& current = m_scenario.steps.at(static_cast<std::size_t>(m_index));
            current.seconds = std::max(0.0, seconds - 1);
            advance(1, [this] { runStep(); });
        });
        return;
    case Kind::Accept:
    case Kind::Dismiss: {
        const QString button = step.kind == Kind::Accept ? u".accept"_qs : u".dismiss"_qs;
        evaluate(u"(() => { const w = window.proactiveWidget; "
                 "const t = w && w.root.querySelector('.toast:not([hidden])'); if (!t) return false; "
                 "t.querySelector('%1').click(); return true; })()"_qs.arg(button),
            [this](const QVariant& clicked) {
                if (!clicked.toBool()) {
                    fail(tr("no toast is showing"));
                    return;
                }
                waitFor(kToastProbe + u" === ''"_qs, kPageReactionMs, tr("the toast stayed"), [this] { next(); });
            });
        return;
    }
    case Kind::ExpectState: {
        const QString state = stateName(m_simulation.conversation().value_or(ConversationRecord {}).state);
        if (state == QString::fromStdString(step.text))
            next();
        else
            fail(tr("the state is %1").arg(state));
        return;
    }
    case Kind::ExpectChat:
        // The chat streams in wall time (it is a real HTTP exchange).
        expectWithin(u"(() => { const p = window.proactiveProbes; const t = p && p.chatText ? p.chatText() : ''; "
                     "return t.includes(%1); })()"_qs.arg(js(step.text)),
            step.seconds, tr("the chat does not show the text"), false);
        return;
    case Kind::ExpectTourStep:
        expectWithin(u"(() => { const p = window.proactiveProbes; const s = p && p.tourStep ? p.tourStep() : null; "
                     "return !!s && s.tourId === %1 && s.step === %2; })()"_qs.arg(js(step.target))
                         .arg(step.step),
            step.seconds, tr("the tour step is not showing"), false);
        return;
    }
}

} // namespace proactive::ui
