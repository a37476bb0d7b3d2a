#include "groundtruth/labelset.h"

#include "base/jsonreader.h"
#include "replay/sessionimport.h"
#include "triggers/condition.h"
#include "triggers/trigger.h"
#include "workspace/workspace.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

namespace proactive {

namespace {

    constexpr double kMaxOffsetS = 366.0 * 24 * 3600;
    // A recording cannot say when its user left: the replay polls for this
    // long after the last action (ReplaySettings::tail's default), and
    // labels may reach that far.
    constexpr Duration kSessionTail = std::chrono::seconds(120);

    // "75", "75.5", "75s", "1:15", "1:02:03", "1m15s", "1h2m", "2m" (without the '+').
    std::optional<double> parseOffsetSeconds(std::string_view text)
    {
        if (text.empty())
            return std::nullopt;
        const auto number = [](std::string_view digits) -> std::optional<double> {
            if (digits.empty() || !std::isdigit(static_cast<unsigned char>(digits.front())))
                return std::nullopt;
            double value = 0;
            const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
            if (ec != std::errc() || end != digits.data() + digits.size() || !std::isfinite(value))
                return std::nullopt;
            return value;
        };
        if (text.find(':') != std::string_view::npos) { // [h:]m:ss
            double total = 0;
            int fields = 0;
            std::size_t at = 0;
            while (true) {
                const auto colon = text.find(':', at);
                const auto field = number(text.substr(at, colon == std::string_view::npos ? colon : colon - at));
                if (!field)
                    return std::nullopt;
                const bool last = colon == std::string_view::npos;
                if (!last && *field != std::floor(*field))
                    return std::nullopt;
                if (fields > 0 && *field >= 60)
                    return std::nullopt;
                total = total * 60 + *field;
                ++fields;
                if (last)
                    break;
                at = colon + 1;
            }
            return fields <= 3 ? std::optional(total) : std::nullopt;
        }
        if (std::isdigit(static_cast<unsigned char>(text.back())))
            return number(text);
        constexpr std::string_view kUnits = "hms";
        constexpr double kUnitSeconds[] = { 3600, 60, 1 };
        double total = 0;
        std::size_t at = 0;
        std::size_t nextUnit = 0; // units come in the order h, m, s, each at most once
        while (at < text.size()) {
            std::size_t end = at;
            while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.'))
                ++end;
            if (end == text.size())
                return std::nullopt;
            const auto value = number(text.substr(at, end - at));
            const auto unit = kUnits.find(text[end], nextUnit);
            if (!value || unit == std::string_view::npos)
                return std::nullopt;
            total += *value * kUnitSeconds[unit];
            nextUnit = unit + 1;
            at = end + 1;
        }
        return total;
    }

    std::optional<LabelTime> readTime(JsonObjectReader& reader, std::string_view key, bool required,
        const std::string& file, Diagnostics& diagnostics)
    {
        const auto* value = reader.value(key);
        if (!value) {
            if (required)
                reader.error(key,
                    "required; a time: seconds from the session's start (75, \"+1:15\") or an ISO "
                    "8601 time");
            return std::nullopt;
        }
        auto time = LabelTime::parse(*value);
        if (!time) {
            diagnostics.push_back({ file, jsonPointer(reader.pointer(), key), time.error().message });
            return std::nullopt;
        }
        return std::move(*time);
    }

    std::string describe(const LabelTime& time)
    {
        return time.offset ? LabelTime::formatOffset(*time.offset) : formatIsoTimestamp(*time.absolute);
    }

    // from ≤ to when both are written the same way (a mix is checked against the session).
    bool ordered(const std::optional<LabelTime>& from, const std::optional<LabelTime>& to)
    {
        if (!from || !to)
            return true;
        if (from->offset && to->offset)
            return *from->offset <= *to->offset;
        if (from->absolute && to->absolute)
            return *from->absolute <= *to->absolute;
        return true;
    }

    std::optional<LabelRange> readRange(
        const nlohmann::json& value, const std::string& file, const std::string& pointer, Diagnostics& diagnostics)
    {
        const auto before = diagnostics.size();
        JsonObjectReader reader(value, file, pointer, diagnostics);
        if (!reader.valid())
            return std::nullopt;
        LabelRange range;
        range.pointer = pointer;
        if (const auto kind = reader.string("kind", true)) {
            if (*kind == "help_wanted")
                range.kind = LabelRange::Kind::HelpWanted;
            else if (*kind == "no_help")
                range.kind = LabelRange::Kind::NoHelp;
            else
                reader.error("kind", "\"" + *kind + "\" is not a range kind: help_wanted or no_help");
        }
        auto from = readTime(reader, "from", true, file, diagnostics);
        auto to = readTime(reader, "to", true, file, diagnostics);
        if (from && to && !ordered(from, to))
            reader.error("to", "the range ends (" + describe(*to) + ") before it starts (" + describe(*from) + ")");
        if (auto answer = reader.string("answer")) {
            if (range.kind == LabelRange::Kind::NoHelp)
                reader.error("answer", "a no_help range has no answer: only help_wanted ranges name one");
            range.answer = std::move(*answer);
        }
        range.note = reader.string("note").value_or("");
        range.author = reader.string("author").value_or("");
        reader.finish();
        if (diagnostics.size() != before)
            return std::nullopt;
        range.from = std::move(*from);
        range.to = std::move(*to);
        return range;
    }

    std::optional<Expectation> readExpectation(
        const nlohmann::json& value, const std::string& file, const std::string& pointer, Diagnostics& diagnostics)
    {
        const auto before = diagnostics.size();
        JsonObjectReader reader(value, file, pointer, diagnostics);
        if (!reader.valid())
            return std::nullopt;
        Expectation expectation;
        expectation.pointer = pointer;
        if (const auto kind = reader.string("expect", true)) {
            if (*kind == "fires")
                expectation.kind = Expectation::Kind::Fires;
            else if (*kind == "no_offer")
                expectation.kind = Expectation::Kind::NoOffer;
            else
                reader.error("expect", "\"" + *kind + "\" is not an expectation: fires or no_offer");
        }
        expectation.trigger = reader.string("trigger").value_or("");
        expectation.from = readTime(reader, "from", false, file, diagnostics);
        expectation.to = readTime(reader, "to", false, file, diagnostics);
        if (!ordered(expectation.from, expectation.to))
            reader.error("to", "the window ends before it starts");
        expectation.note = reader.string("note").value_or("");
        expectation.author = reader.string("author").value_or("");
        reader.finish();
        if (diagnostics.size() != before)
            return std::nullopt;
        return expectation;
    }

    template<class T, class Read>
    void readItems(JsonObjectReader& reader, std::string_view key, std::vector<T>& into, const std::string& file,
        Diagnostics& diagnostics, Read read)
    {
        const auto* items = reader.value(key);
        if (!items)
            return;
        const auto pointer = jsonPointer(reader.pointer(), key);
        if (!items->is_array()) {
            diagnostics.push_back({ file, pointer, "expected an array, found " + std::string(jsonTypeName(*items)) });
            return;
        }
        for (std::size_t i = 0; i < items->size(); ++i)
            if (auto item = read((*items)[i], file, jsonPointer(pointer, i), diagnostics))
                into.push_back(std::move(*item));
    }

} // namespace

Result<LabelTime> LabelTime::parse(const nlohmann::json& value)
{
    const auto offset = [](double seconds) -> Result<LabelTime> {
        if (seconds < 0 || seconds > kMaxOffsetS)
            return Error { "bad_time", "seconds from the session's start must lie in [0, 31622400]" };
        return LabelTime { .offset = fromSeconds(seconds) };
    };
    if (value.is_number())
        return offset(value.get<double>());
    if (!value.is_string())
        return Error { "bad_time",
            "expected a time, found " + std::string(jsonTypeName(value))
                + ": seconds from the session's start (75, \"+1:15\") or an ISO 8601 time" };
    const auto text = value.get_ref<const std::string&>();
    if (!text.empty() && text.front() == '+') {
        if (const auto seconds = parseOffsetSeconds(std::string_view(text).substr(1)))
            return offset(*seconds);
        return Error { "bad_time",
            "\"" + text + "\" is not a time from the session's start: \"+75\", \"+75s\", \"+1:15\", \"+1m15s\"" };
    }
    if (const auto absolute = parseIsoTimestamp(text))
        return LabelTime { .absolute = *absolute };
    return Error { "bad_time",
        "\"" + text
            + "\" is neither an ISO 8601 time (\"2026-11-02T09:31:15Z\") nor a time from the session's start "
              "(\"+75\")" };
}

std::string LabelTime::formatOffset(Duration offset)
{
    // Seconds read best up to a few minutes ("+75 s", as the authors
    // write them); beyond that minutes and seconds ("+12:05").
    const bool negative = offset.count() < 0;
    const auto magnitude = negative ? -offset : offset;
    std::string sign = negative ? "-" : "+";
    if (magnitude < std::chrono::minutes(3))
        return sign + formatSeconds(magnitude) + " s";
    const auto totalS = magnitude.count() / 1000;
    const auto hours = totalS / 3600;
    const auto minutes = (totalS / 60) % 60;
    const auto secondsPart = totalS % 60;
    char buffer[32];
    if (hours > 0)
        std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", static_cast<long long>(hours),
            static_cast<long long>(minutes), static_cast<long long>(secondsPart));
    else
        std::snprintf(
            buffer, sizeof buffer, "%lld:%02lld", static_cast<long long>(minutes), static_cast<long long>(secondsPart));
    return sign + buffer;
}

std::string_view nameOf(LabelRange::Kind kind)
{
    return kind == LabelRange::Kind::HelpWanted ? "help_wanted" : "no_help";
}

std::string_view nameOf(Expectation::Kind kind)
{
    return kind == Expectation::Kind::Fires ? "fires" : "no_offer";
}

const SessionLabels* LabelSet::find(std::string_view productId, std::string_view sessionId) const
{
    const auto [first, last] = m_index.equal_range(sessionId);
    for (auto it = first; it != last; ++it) {
        const auto& labels = m_sessions[it->second];
        if (labels.productId.empty() || labels.productId == productId)
            return &labels;
    }
    return nullptr;
}

std::size_t LabelSet::rangeCount() const
{
    std::size_t count = 0;
    for (const auto& session : m_sessions)
        count += session.ranges.size();
    return count;
}

std::size_t LabelSet::expectationCount() const
{
    std::size_t count = 0;
    for (const auto& session : m_sessions)
        count += session.expectations.size();
    return count;
}

void LabelSet::add(const nlohmann::json& document, const std::string& file, Diagnostics& diagnostics)
{
    JsonObjectReader reader(document, file, "", diagnostics);
    if (!reader.valid())
        return;
    if (const auto format = reader.string("format"); format && *format != kLabelsFormat)
        reader.error(
            "format", "\"" + *format + "\" is not a labels file; expected \"" + std::string(kLabelsFormat) + "\"");
    if (const auto version = reader.number("version", 0, 1e9); version && *version != 1)
        reader.error("version", "version " + formatSeconds(fromSeconds(*version)) + " is not supported; expected 1");
    const auto* sessions = reader.value("sessions");
    if (!sessions)
        reader.error("sessions", "required: an array of labelled sessions");
    reader.finish();
    if (!sessions)
        return;
    if (!sessions->is_array()) {
        diagnostics.push_back(
            { file, "/sessions", "expected an array, found " + std::string(jsonTypeName(*sessions)) });
        return;
    }
    for (std::size_t i = 0; i < sessions->size(); ++i) {
        const auto pointer = jsonPointer("/sessions", i);
        JsonObjectReader row((*sessions)[i], file, pointer, diagnostics);
        if (!row.valid())
            continue;
        SessionLabels labels;
        labels.file = file;
        labels.pointer = pointer;
        const auto sessionId = row.string("session_id", true);
        if (sessionId && sessionId->empty())
            row.error("session_id", "must not be empty");
        labels.sessionId = sessionId.value_or("");
        labels.productId = row.string("product").value_or("");
        labels.fullyLabelled = row.boolean("fully_labelled").value_or(false);
        readItems(row, "ranges", labels.ranges, file, diagnostics, readRange);
        readItems(row, "expect", labels.expectations, file, diagnostics, readExpectation);
        row.finish();
        if (labels.sessionId.empty())
            continue;

        const auto [first, last] = m_index.equal_range(labels.sessionId);
        auto same = std::find_if(
            first, last, [&](const auto& entry) { return m_sessions[entry.second].productId == labels.productId; });
        if (same == last) {
            m_index.emplace(labels.sessionId, m_sessions.size());
            m_sessions.push_back(std::move(labels));
            continue;
        }
        auto& merged = m_sessions[same->second];
        merged.fullyLabelled = merged.fullyLabelled || labels.fullyLabelled;
        std::move(labels.ranges.begin(), labels.ranges.end(), std::back_inserter(merged.ranges));
        std::move(labels.expectations.begin(), labels.expectations.end(), std::back_inserter(merged.expectations));
    }
}

LabelSet LabelSet::load(const std::filesystem::path& workspaceRoot, Diagnostics& diagnostics)
{
    const auto folder = workspaceRoot / "labels";
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec))
        return {};
    return loadPath(folder, workspaceRoot, diagnostics);
}

LabelSet LabelSet::loadPath(
    const std::filesystem::path& path, const std::filesystem::path& workspaceRoot, Diagnostics& diagnostics)
{
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        for (const auto& entry : std::filesystem::directory_iterator(path, ec))
            if (entry.path().extension() == ".json" && entry.is_regular_file(ec))
                files.push_back(entry.path());
        std::sort(files.begin(), files.end());
    } else {
        files.push_back(path);
    }
    LabelSet set;
    for (const auto& file : files) {
        // Files inside the workspace are named as validate names every file: relative to it.
        auto relative = std::filesystem::relative(file, workspaceRoot, ec);
        const auto name
            = !ec && !relative.empty() && *relative.begin() != ".." ? relative.generic_string() : file.generic_string();
        const auto text = readTextFile(file);
        if (!text) {
            diagnostics.push_back({ name, "", text.error().message });
            continue;
        }
        if (const auto json = parseJsonDocument(*text, name, diagnostics))
            set.add(*json, name, diagnostics);
    }
    return set;
}

Diagnostics checkLabels(const LabelSet& labels, const Workspace& workspace, std::span<const RecordedSession> sessions,
    std::span<const std::string> tourIds)
{
    std::multimap<std::string_view, const RecordedSession*> byId;
    for (const auto& session : sessions)
        byId.emplace(session.summary.sessionId, &session);

    Diagnostics problems;
    for (const auto& labelled : labels.sessions()) {
        const auto problem = [&](const std::string& pointer, std::string message) {
            problems.push_back({ labelled.file, pointer, std::move(message) });
        };
        if (!labelled.productId.empty() && !workspace.product(labelled.productId)) {
            problem(
                jsonPointer(labelled.pointer, "product"), "no product \"" + labelled.productId + "\" in products.json");
            continue;
        }
        const RecordedSession* session = nullptr;
        const auto [first, last] = byId.equal_range(labelled.sessionId);
        for (auto it = first; it != last && !session; ++it)
            if (labelled.productId.empty() || it->second->summary.productId == labelled.productId)
                session = it->second;
        if (!session) {
            problem(jsonPointer(labelled.pointer, "session_id"),
                "unknown session \"" + labelled.sessionId + "\": no recorded session has this id");
            continue;
        }
        const Product* product = workspace.product(session->summary.productId);
        const auto hasTrigger
            = [&](std::string_view id) { return product && product->triggers && product->triggers->find(id); };
        const auto start = session->summary.start;
        const auto end = session->summary.end + kSessionTail;
        const auto sessionSpan = "the session lasts " + LabelTime::formatOffset(Duration(0)) + "…"
            + LabelTime::formatOffset(end - start) + " (its last action plus the replay's 120 s tail)";
        const auto checkInside = [&](const LabelTime& time, const std::string& pointer) {
            const auto at = time.resolve(start);
            if (at < start || at > end)
                problem(pointer,
                    describe(time) + " (" + LabelTime::formatOffset(at - start)
                        + ") is outside the session: " + sessionSpan);
            return at;
        };

        for (const auto& range : labelled.ranges) {
            const auto from = checkInside(range.from, jsonPointer(range.pointer, "from"));
            const auto to = checkInside(range.to, jsonPointer(range.pointer, "to"));
            if (from > to)
                problem(jsonPointer(range.pointer, "to"), "the range ends before it starts");
            if (!range.answer.empty() && !hasTrigger(range.answer)
                && std::find(tourIds.begin(), tourIds.end(), range.answer) == tourIds.end())
                problem(jsonPointer(range.pointer, "answer"),
                    "\"" + range.answer + "\" is neither a trigger of product " + session->summary.productId
                        + " nor a tour");
        }
        for (std::size_t i = 0; i < labelled.ranges.size(); ++i)
            for (std::size_t j = i + 1; j < labelled.ranges.size(); ++j) {
                const auto& a = labelled.ranges[i];
                const auto& b = labelled.ranges[j];
                if (a.kind == b.kind)
                    continue;
                const auto overlapFrom = std::max(a.from.resolve(start), b.from.resolve(start));
                const auto overlapTo = std::min(a.to.resolve(start), b.to.resolve(start));
                // Ranges that only touch ([0, 20] and [20, 80]) are adjacent, not contradictory.
                if (overlapFrom < overlapTo)
                    problem(b.pointer,
                        std::string(nameOf(b.kind)) + " overlaps the " + std::string(nameOf(a.kind)) + " range at "
                            + a.pointer + " from " + LabelTime::formatOffset(overlapFrom - start) + " to "
                            + LabelTime::formatOffset(overlapTo - start) + ": a moment cannot be both");
            }
        for (const auto& expectation : labelled.expectations) {
            if (!expectation.trigger.empty() && !hasTrigger(expectation.trigger))
                problem(jsonPointer(expectation.pointer, "trigger"),
                    "unknown trigger \"" + expectation.trigger + "\": product " + session->summary.productId
                        + " has no trigger with this id");
            if (expectation.from)
                checkInside(*expectation.from, jsonPointer(expectation.pointer, "from"));
            if (expectation.to)
                checkInside(*expectation.to, jsonPointer(expectation.pointer, "to"));
        }
    }
    return problems;
}

} // namespace proactive
