#include "replay/replaybatch.h"

#include "triggers/trigger.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

namespace proactive {

namespace {

    constexpr std::size_t kMaxSweepValues = 1000;
    constexpr std::size_t kMaxSweepPoints = 10000;

    // Runs task(i) for i in [0, count) on up to options.threads threads.
    // Which thread runs what does not matter: results go to index i. Each
    // task returns how many of the `total` items (sessions) it replayed,
    // which is what progress counts.
    template<typename Task>
    Status parallelFor(std::size_t count, std::size_t total, const BatchOptions& options, Task&& task)
    {
        unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
        threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(count, 1)));
        std::atomic<std::size_t> next { 0 };
        std::atomic<std::size_t> done { 0 };
        std::mutex progressMutex;
        const std::size_t step = std::max<std::size_t>(1, total / 200);
        auto work = [&] {
            for (std::size_t i = next++; i < count; i = next++) {
                if (options.stop.stop_requested())
                    return;
                const std::size_t items = task(i);
                const std::size_t finished = done += items;
                if (options.progress && ((finished - items) / step != finished / step || finished == total)) {
                    std::lock_guard lock(progressMutex);
                    options.progress(finished, total);
                }
            }
        };
        if (threads <= 1) {
            work();
        } else {
            std::vector<std::thread> pool;
            pool.reserve(threads);
            for (unsigned t = 0; t < threads; ++t)
                pool.emplace_back(work);
            for (auto& thread : pool)
                thread.join();
        }
        if (options.stop.stop_requested())
            return Error { "cancelled", "the replay was cancelled", {} };
        return Ok {};
    }

    // The sessions of each user — same product and distinct id — in the
    // order they started (ties: input order); a session without a distinct
    // id is a user of its own. Users in order of their first session.
    std::vector<std::vector<std::size_t>> sessionsByUser(std::span<const RecordedSession> sessions)
    {
        std::vector<std::size_t> order(sessions.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::stable_sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return sessions[a].summary.start < sessions[b].summary.start; });
        std::vector<std::vector<std::size_t>> users;
        std::map<std::pair<std::string_view, std::string_view>, std::size_t> userOf;
        for (const std::size_t i : order) {
            const SessionSummary& summary = sessions[i].summary;
            if (summary.distinctId.empty()) {
                users.push_back({ i });
                continue;
            }
            const auto [it, added] = userOf.try_emplace({ summary.productId, summary.distinctId }, users.size());
            if (added)
                users.emplace_back();
            users[it->second].push_back(i);
        }
        return users;
    }

    // Replays one user's sessions in order, each starting with the offer
    // history the previous one left (SPEC §8: frequency and waits are per
    // user); records[i] and errors[i] are session i's.
    std::size_t replayUser(const std::shared_ptr<const Workspace>& workspace, std::span<const RecordedSession> sessions,
        std::span<const std::size_t> user, const ReplaySettings& settings, std::span<ReplayRecord> records,
        std::span<std::optional<Error>> errors)
    {
        ReplaySettings carried = settings;
        for (const std::size_t i : user) {
            auto record = replaySession(workspace, sessions[i], carried);
            if (!record) {
                errors[i] = record.error();
                continue;
            }
            carried.priorHistory = record->userHistory;
            records[i] = std::move(*record);
        }
        return user.size();
    }

    // The lowest-index error, so that which one is reported does not depend on threads.
    std::optional<Error> firstError(std::vector<std::optional<Error>>& errors)
    {
        for (auto& error : errors)
            if (error)
                return std::move(*error);
        return std::nullopt;
    }

} // namespace

double BatchTotals::fireRate(const TriggerTotals& trigger) const
{
    return sessions == 0 ? 0.0 : static_cast<double>(trigger.sessions) / static_cast<double>(sessions);
}

double BatchTotals::reachedRate() const
{
    return sessions == 0 ? 0.0 : static_cast<double>(sessionsReached) / static_cast<double>(sessions);
}

std::optional<double> quantile(std::span<const double> sorted, double q)
{
    if (sorted.empty())
        return std::nullopt;
    const double rank = std::ceil(q * static_cast<double>(sorted.size()));
    const auto index = static_cast<std::size_t>(std::clamp(rank, 1.0, static_cast<double>(sorted.size()))) - 1;
    return sorted[index];
}

BatchTotals summarise(
    const Workspace& workspace, std::span<const RecordedSession> sessions, std::span<const ReplayRecord> records)
{
    BatchTotals totals;
    totals.sessions = sessions.size();
    std::map<std::pair<std::string, std::string>, std::size_t> triggerIndex;
    std::vector<std::string> productsSeen;
    for (const RecordedSession& session : sessions)
        if (std::find(productsSeen.begin(), productsSeen.end(), session.summary.productId) == productsSeen.end())
            productsSeen.push_back(session.summary.productId);
    for (const Product& product : workspace.products()) {
        if (std::find(productsSeen.begin(), productsSeen.end(), product.id) == productsSeen.end())
            continue;
        for (const Trigger& trigger : product.triggers->triggers()) {
            triggerIndex[{ product.id, trigger.id() }] = totals.triggers.size();
            totals.triggers.push_back({ product.id, trigger.id() });
        }
    }
    for (std::size_t i = 0; i < sessions.size() && i < records.size(); ++i) {
        const SessionSummary& summary = sessions[i].summary;
        const ReplayRecord& record = records[i];
        totals.actions += sessions[i].actions.size();
        totals.polls += record.pollCount;
        totals.firings += record.firings.size();
        for (const auto& [reason, count] : record.skipReasons)
            totals.skipReasons[reason] += count;
        for (const ReplayResponse& response : record.responses)
            ++totals.responses[response.action + " " + response.outcome];
        if (!record.cooldowns.empty() && !record.cooldowns.back().end)
            ++totals.silenced;
        if (record.firings.empty())
            continue;
        ++totals.sessionsReached;
        totals.timeToFirstOfferS.push_back(toSeconds(record.firings.front().at - record.start));
        std::vector<std::size_t> firedHere;
        for (const ReplayFiring& firing : record.firings) {
            auto [it, isNew]
                = triggerIndex.try_emplace({ summary.productId, firing.triggerId }, totals.triggers.size());
            if (isNew)
                totals.triggers.push_back({ summary.productId, firing.triggerId });
            TriggerTotals& trigger = totals.triggers[it->second];
            ++trigger.firings;
            trigger.shown += firing.shown ? 1 : 0;
            if (std::find(firedHere.begin(), firedHere.end(), it->second) == firedHere.end()) {
                firedHere.push_back(it->second);
                ++trigger.sessions;
            }
        }
    }
    std::sort(totals.timeToFirstOfferS.begin(), totals.timeToFirstOfferS.end());
    return totals;
}

Result<BatchResult> runBatch(std::shared_ptr<const Workspace> workspace, std::span<const RecordedSession> sessions,
    const ReplaySettings& settings, const BatchOptions& options)
{
    BatchResult result;
    result.records.resize(sessions.size());
    std::vector<std::optional<Error>> errors(sessions.size());
    const auto users = sessionsByUser(sessions);
    auto status = parallelFor(users.size(), sessions.size(), options,
        [&](std::size_t u) { return replayUser(workspace, sessions, users[u], settings, result.records, errors); });
    if (!status)
        return status.error();
    if (auto error = firstError(errors))
        return *error;
    result.totals = summarise(*workspace, sessions, result.records);
    return result;
}

Result<SweepAxis> SweepAxis::parse(std::string_view text)
{
    const auto equals = text.find('=');
    if (equals == std::string_view::npos || equals == 0 || equals + 1 == text.size())
        return Error { "bad_sweep",
            "expected path=v1,v2,... or path=first:last:step, got \"" + std::string(text) + "\"", std::string(text) };
    SweepAxis axis;
    axis.path = std::string(text.substr(0, equals));
    const std::string values(text.substr(equals + 1));
    auto number = [&](const std::string& part) -> std::optional<double> {
        char* end = nullptr;
        const double v = std::strtod(part.c_str(), &end);
        if (part.empty() || *end != '\0' || !std::isfinite(v))
            return std::nullopt;
        return v;
    };
    auto bad = [&](const std::string& part) {
        return Error { "bad_sweep", axis.path + ": \"" + part + "\" is not a number", axis.path };
    };
    if (values.find(':') != std::string::npos) {
        std::vector<std::string> parts;
        std::size_t pos = 0;
        while (pos <= values.size()) {
            const auto colon = values.find(':', pos);
            parts.push_back(values.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos));
            if (colon == std::string::npos)
                break;
            pos = colon + 1;
        }
        if (parts.size() != 3)
            return Error { "bad_sweep", axis.path + ": a range is first:last:step", axis.path };
        std::optional<double> bounds[3];
        for (int i = 0; i < 3; ++i)
            if (!(bounds[i] = number(parts[static_cast<std::size_t>(i)])))
                return bad(parts[static_cast<std::size_t>(i)]);
        const double first = *bounds[0], last = *bounds[1], step = *bounds[2];
        if (step <= 0 || last < first)
            return Error { "bad_sweep", axis.path + ": a range needs first ≤ last and a step > 0", axis.path };
        const double count = std::floor((last - first) / step + 1e-9) + 1;
        if (count > static_cast<double>(kMaxSweepValues))
            return Error { "bad_sweep", axis.path + ": more than 1000 values", axis.path };
        for (double i = 0; i < count; ++i)
            axis.values.push_back(first + i * step);
        return axis;
    }
    std::size_t pos = 0;
    while (pos <= values.size()) {
        const auto comma = values.find(',', pos);
        const std::string part = values.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        const auto v = number(part);
        if (!v)
            return bad(part);
        axis.values.push_back(*v);
        if (comma == std::string::npos)
            break;
        pos = comma + 1;
    }
    if (axis.values.size() > kMaxSweepValues)
        return Error { "bad_sweep", axis.path + ": more than 1000 values", axis.path };
    return axis;
}

Result<SweepResult> runSweep(std::shared_ptr<const Workspace> workspace, const std::string& productId,
    std::span<const RecordedSession> sessions, const ReplaySettings& settings, std::span<const SweepAxis> axes,
    const BatchOptions& options, const LabelSet* labels)
{
    SweepResult result;
    result.productId = productId;
    result.axes.assign(axes.begin(), axes.end());
    std::size_t points = 1;
    for (const SweepAxis& axis : axes) {
        if (axis.values.empty())
            return Error { "bad_sweep", axis.path + ": no values", axis.path };
        points *= axis.values.size();
        if (points > kMaxSweepPoints)
            return Error { "bad_sweep", "the sweep grid has more than 10000 points", axis.path };
    }
    // Every point's workspace first: a bad path or value stops the sweep before it runs.
    std::vector<std::shared_ptr<const Workspace>> workspaces;
    for (std::size_t p = 0; p < points; ++p) {
        SweepPoint point;
        std::size_t rest = p;
        for (std::size_t a = axes.size(); a-- > 0;) {
            const auto& values = axes[a].values;
            point.settings.insert(point.settings.begin(), { axes[a].path, values[rest % values.size()] });
            rest /= values.size();
        }
        auto edited = applyOverrides(*workspace, productId, point.settings);
        if (!edited)
            return edited.error();
        workspaces.push_back(std::move(*edited));
        result.points.push_back(std::move(point));
    }

    ReplaySettings lean = settings;
    lean.client.explain = false;
    lean.keepPolls = false;
    const std::size_t perPoint = sessions.size();
    std::vector<ReplayRecord> records(points * perPoint);
    std::vector<std::optional<Error>> errors(records.size());
    const auto users = sessionsByUser(sessions);
    auto status = parallelFor(points * users.size(), records.size(), options, [&](std::size_t task) {
        const std::size_t point = task / users.size();
        return replayUser(workspaces[point], sessions, users[task % users.size()], lean,
            std::span(records).subspan(point * perPoint, perPoint),
            std::span(errors).subspan(point * perPoint, perPoint));
    });
    if (!status)
        return status.error();
    if (auto error = firstError(errors))
        return *error;
    for (std::size_t p = 0; p < points; ++p) {
        const auto pointRecords = std::span<const ReplayRecord>(records).subspan(p * perPoint, perPoint);
        result.points[p].totals = summarise(*workspaces[p], sessions, pointRecords);
        if (labels && !labels->empty()) {
            auto truth = evaluateGroundTruth(*workspaces[p], sessions, pointRecords, *labels);
            truth.labelled.clear(); // a grid keeps the numbers, not thousands of sessions' detail
            truth.labelled.shrink_to_fit();
            result.points[p].truth = std::move(truth);
        }
    }
    return result;
}

std::string_view nameOf(FiringChange::Kind kind)
{
    switch (kind) {
    case FiringChange::Kind::Appeared:
        return "appeared";
    case FiringChange::Kind::Disappeared:
        return "disappeared";
    case FiringChange::Kind::Moved:
        break;
    }
    return "moved";
}

ReplayDiff diffReplays(std::span<const RecordedSession> sessions, std::span<const ReplayRecord> before,
    std::span<const ReplayRecord> after)
{
    ReplayDiff diff;
    const std::size_t count = std::min({ sessions.size(), before.size(), after.size() });
    for (std::size_t i = 0; i < count; ++i) {
        const SessionSummary& summary = sessions[i].summary;
        std::vector<std::string> triggerIds;
        for (const auto* record : { &before[i], &after[i] })
            for (const ReplayFiring& firing : record->firings)
                if (std::find(triggerIds.begin(), triggerIds.end(), firing.triggerId) == triggerIds.end())
                    triggerIds.push_back(firing.triggerId);
        std::vector<FiringChange> changes;
        for (const std::string& triggerId : triggerIds) {
            std::vector<const ReplayFiring*> a;
            std::vector<const ReplayFiring*> b;
            for (const ReplayFiring& firing : before[i].firings)
                if (firing.triggerId == triggerId)
                    a.push_back(&firing);
            for (const ReplayFiring& firing : after[i].firings)
                if (firing.triggerId == triggerId)
                    b.push_back(&firing);
            // Same time in both: unchanged.
            std::vector<const ReplayFiring*> onlyA;
            for (const ReplayFiring* firing : a) {
                const auto same = std::find_if(
                    b.begin(), b.end(), [&](const ReplayFiring* other) { return other && other->at == firing->at; });
                if (same != b.end()) {
                    *same = nullptr;
                    ++diff.unchanged;
                } else {
                    onlyA.push_back(firing);
                }
            }
            std::vector<const ReplayFiring*> onlyB;
            std::copy_if(b.begin(), b.end(), std::back_inserter(onlyB), [](const ReplayFiring* f) { return f; });
            const std::size_t paired = std::min(onlyA.size(), onlyB.size());
            for (std::size_t k = 0; k < std::max(onlyA.size(), onlyB.size()); ++k) {
                FiringChange change;
                change.productId = summary.productId;
                change.sessionId = summary.sessionId;
                change.triggerId = triggerId;
                if (k < onlyA.size()) {
                    change.before = onlyA[k]->at;
                    change.pageBefore = onlyA[k]->page;
                }
                if (k < onlyB.size()) {
                    change.after = onlyB[k]->at;
                    change.pageAfter = onlyB[k]->page;
                }
                change.kind = k < paired ? FiringChange::Kind::Moved
                    : k < onlyA.size()   ? FiringChange::Kind::Disappeared
                                         : FiringChange::Kind::Appeared;
                changes.push_back(std::move(change));
            }
        }
        if (changes.empty())
            continue;
        ++diff.sessionsChanged;
        std::stable_sort(changes.begin(), changes.end(), [](const FiringChange& x, const FiringChange& y) {
            return x.before.value_or(x.after.value_or(Timestamp {}))
                < y.before.value_or(y.after.value_or(Timestamp {}));
        });
        for (auto& change : changes) {
            switch (change.kind) {
            case FiringChange::Kind::Appeared:
                ++diff.appeared;
                break;
            case FiringChange::Kind::Disappeared:
                ++diff.disappeared;
                break;
            case FiringChange::Kind::Moved:
                ++diff.moved;
                break;
            }
            diff.changes.push_back(std::move(change));
        }
    }
    return diff;
}

Result<std::shared_ptr<const Workspace>> withTriggersFile(
    const Workspace& workspace, std::string_view productId, const std::filesystem::path& file)
{
    const Product* product = workspace.product(productId);
    if (!product)
        return Error { "unknown_product", "the workspace has no product \"" + std::string(productId) + "\"",
            std::string(productId) };
    auto text = readTextFile(file);
    if (!text)
        return text.error();
    Diagnostics diagnostics;
    const std::string name = file.string();
    auto json = parseJsonDocument(*text, name, diagnostics);
    std::shared_ptr<const TriggerSet> triggers;
    if (json && !json->is_array())
        diagnostics.push_back({ name, "", "expected an array of triggers, as in triggers/<product>.json" });
    else if (json)
        triggers = parseTriggers(*json, name, "", diagnostics);
    if (!diagnostics.empty()) {
        std::string message;
        for (const auto& d : diagnostics)
            message += (message.empty() ? "" : "; ") + d.toString();
        return Error { "bad_triggers", message, name };
    }
    Product edited = *product;
    edited.triggers = std::move(triggers);
    edited.triggersFile = name;
    edited.triggersPointer.clear();
    return std::make_shared<const Workspace>(workspace.withProduct(std::move(edited)));
}

} // namespace proactive
