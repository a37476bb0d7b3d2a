#pragma once

// Shared by the trigger tests: building sessions of actions the way the
// SessionBook stores them, and evaluating one condition through a real
// parsed trigger.

#include "base/clock.h"
#include "intake/actionrecord.h"
#include "triggers/trigger.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace proactive::test {

inline constexpr std::int64_t kT0 = 1'700'000'000'000;

inline Action action(std::string url, std::int64_t atMs, ActionType type = ActionType::Pageview)
{
    Action a;
    a.type = type;
    a.event = type == ActionType::Pageview ? "$pageview"
        : type == ActionType::RageClick    ? "$rageclick"
                                           : "$autocapture";
    a.rawUrl = url;
    a.canonicalUrl = std::move(url);
    a.timestampStart = fromEpochMs(kT0 + atMs);
    a.timestampEnd = a.timestampStart;
    return a;
}

// SPEC §1: an action ends where the next one starts; the latest ends at its start.
inline std::vector<Action> sealed(std::vector<Action> actions)
{
    for (std::size_t i = 0; i < actions.size(); ++i) {
        actions[i].index = static_cast<std::int64_t>(i);
        actions[i].timestampEnd = i + 1 < actions.size() ? actions[i + 1].timestampStart : actions[i].timestampStart;
    }
    return actions;
}

// The actions as the store keeps them, which is what triggers read.
inline std::vector<ActionRecord> records(const std::vector<Action>& actions)
{
    ActionInterner interner;
    std::vector<ActionRecord> out;
    for (const Action& a : actions)
        out.push_back(interner.record(a));
    return out;
}

// Pageviews of `urls` at `startsMs` (relative to kT0).
inline std::vector<Action> pageviews(const QStringList& urls, const QList<qint64>& startsMs)
{
    std::vector<Action> actions;
    for (qsizetype i = 0; i < urls.size(); ++i)
        actions.push_back(action(urls[i].toStdString(), startsMs.value(i, i * 1000)));
    return sealed(std::move(actions));
}

inline QString describe(const Diagnostics& diagnostics)
{
    QString text;
    for (const auto& d : diagnostics)
        text += QString::fromStdString(d.toString()) + u'\n';
    return text;
}

inline QStringList diagnosticLines(const Diagnostics& diagnostics)
{
    QStringList lines;
    for (const auto& d : diagnostics)
        lines << QString::fromStdString(d.toString());
    return lines;
}

// A one-trigger set around `condition`; the diagnostics say why when it is null.
inline std::shared_ptr<const TriggerSet> triggerFor(
    const nlohmann::json& condition, Diagnostics& diagnostics, nlohmann::json extra = nlohmann::json::object())
{
    nlohmann::json trigger { { "id", "t" }, { "body", "Need a hand?" }, { "when", condition } };
    trigger.update(extra);
    return parseTriggers(nlohmann::json::array({ trigger }), "triggers.json", "", diagnostics);
}

inline TriggerEvaluation evaluateCondition(
    const nlohmann::json& condition, const std::vector<Action>& actions, std::int64_t nowMs, bool explain = true)
{
    Diagnostics diagnostics;
    const auto set = triggerFor(condition, diagnostics);
    if (!diagnostics.empty() || set->triggers().size() != 1) {
        TriggerEvaluation failed;
        failed.error = "does not parse: " + describe(diagnostics).toStdString();
        return failed;
    }
    const auto stored = records(actions);
    EvaluationContext context { stored, fromEpochMs(kT0 + nowMs), {}, explain };
    return set->triggers()[0].evaluate(context);
}

// Strings as themselves, anything else as compact JSON: QCOMPARE-friendly.
inline QString text(const nlohmann::json& value)
{
    return QString::fromStdString(value.is_string() ? value.get<std::string>() : value.dump());
}

inline QString text(const std::string& value)
{
    return QString::fromStdString(value);
}

inline nlohmann::json json(const QByteArray& text)
{
    return nlohmann::json::parse(text.constData(), nullptr, false);
}

} // namespace proactive::test
