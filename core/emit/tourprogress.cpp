#include "emit/tourprogress.h"

#include "emit/offerevent.h"

#include <array>
#include <cmath>
#include <utility>

namespace proactive {

namespace {

    constexpr std::array<std::pair<TargetProblem, std::string_view>, 4> kProblems { {
        { TargetProblem::NotFound, "not_found" },
        { TargetProblem::SeveralMatches, "several_matches" },
        { TargetProblem::NotVisible, "not_visible" },
        { TargetProblem::InvalidSelector, "invalid_selector" },
    } };

    constexpr std::string_view kStepShown = "tour_step_shown";
    constexpr std::string_view kTargetMissing = "tour_target_missing";
    // Ids and selectors are the tour catalog's: short. A bound keeps a
    // broken page from filling the outbox with megabytes per event.
    constexpr std::size_t kMaxText = 1024;
    constexpr double kMaxCount = 100'000;

    Error badField(std::string_view field, std::string message)
    {
        return { "bad_request", std::move(message), std::string(field) };
    }

    // A string field: present (when required), a string, not too long.
    Result<std::string> textField(const nlohmann::json& body, std::string_view field, bool required)
    {
        const auto it = body.find(field);
        if (it == body.end() || it->is_null()) {
            if (required)
                return badField(field, "\"" + std::string(field) + "\" is missing");
            return std::string();
        }
        if (!it->is_string())
            return badField(field, "\"" + std::string(field) + "\" must be a string");
        const auto& text = it->get_ref<const std::string&>();
        if (required && text.empty())
            return badField(field, "\"" + std::string(field) + "\" must not be empty");
        if (text.size() > kMaxText)
            return badField(
                field, "\"" + std::string(field) + "\" is longer than " + std::to_string(kMaxText) + " bytes");
        return text;
    }

    // A whole number of at least `minimum` (JSON numbers like 2.0 count).
    Result<int> countField(const nlohmann::json& body, std::string_view field, int minimum, bool required)
    {
        const auto it = body.find(field);
        const std::string bound = "a whole number of at least " + std::to_string(minimum);
        if (it == body.end() || it->is_null()) {
            if (required)
                return badField(field, "\"" + std::string(field) + "\" is missing: " + bound);
            return minimum;
        }
        // The range first: a cast of 1e300 would be undefined.
        const double number = it->is_number() ? it->get<double>() : -1.0;
        if (!it->is_number() || !(number >= minimum && number <= kMaxCount) || number != std::floor(number))
            return badField(field, "\"" + std::string(field) + "\" must be " + bound + " (at most 100000)");
        return static_cast<int>(number);
    }

} // namespace

std::string_view nameOf(TargetProblem problem)
{
    for (const auto& [value, name] : kProblems)
        if (value == problem)
            return name;
    return {};
}

std::optional<TargetProblem> targetProblemFromString(std::string_view name)
{
    for (const auto& [value, known] : kProblems)
        if (known == name)
            return value;
    return std::nullopt;
}

std::string_view TourProgress::name() const
{
    return kind == Kind::StepShown ? kStepShown : kTargetMissing;
}

std::string_view TourProgress::exportedEvent() const
{
    return kind == Kind::StepShown ? offerevent::TourStepShown : offerevent::TourTargetMissing;
}

nlohmann::json TourProgress::exportedProperties() const
{
    nlohmann::json properties { { "tour_id", tourId }, { "step", step }, { "steps", steps }, { "selector", selector } };
    if (kind == Kind::TargetMissing) {
        properties["reason"] = nameOf(problem.value_or(TargetProblem::NotFound));
        properties["matches"] = matches;
    }
    return properties;
}

Result<TourProgress> parseTourProgress(const nlohmann::json& body)
{
    if (!body.is_object())
        return Error { "bad_json", "the body must be a JSON object like {\"event\": \"tour_step_shown\", ...}", "" };
    TourProgress progress;
    const auto event = body.find("event");
    if (event == body.end() || !event->is_string())
        return badField("event", "the body must have a string \"event\": tour_step_shown or tour_target_missing");
    if (*event == kStepShown)
        progress.kind = TourProgress::Kind::StepShown;
    else if (*event == kTargetMissing)
        progress.kind = TourProgress::Kind::TargetMissing;
    else
        return Error { "unknown_event",
            "\"" + event->get<std::string>() + "\" is not a tour event (tour_step_shown, tour_target_missing)",
            "event" };

    auto tourId = textField(body, "tour_id", true);
    if (!tourId)
        return tourId.error();
    progress.tourId = std::move(*tourId);
    auto step = countField(body, "step", 1, true);
    if (!step)
        return step.error();
    progress.step = *step;
    auto steps = countField(body, "steps", progress.step, true);
    if (!steps)
        return Error { "bad_request",
            "\"steps\" must be a whole number of at least \"step\" (" + std::to_string(progress.step) + ")", "steps" };
    progress.steps = *steps;
    auto selector = textField(body, "selector", progress.kind == TourProgress::Kind::TargetMissing);
    if (!selector)
        return selector.error();
    progress.selector = std::move(*selector);
    if (progress.kind == TourProgress::Kind::StepShown)
        return progress;

    const auto reason = body.find("reason");
    const std::string reasons = "not_found, several_matches, not_visible or invalid_selector";
    if (reason == body.end() || !reason->is_string())
        return badField("reason", "a missing target needs a string \"reason\": " + reasons);
    progress.problem = targetProblemFromString(reason->get_ref<const std::string&>());
    if (!progress.problem)
        return badField("reason", "\"" + reason->get<std::string>() + "\" is not a reason: " + reasons);
    auto matches = countField(body, "matches", 0, false);
    if (!matches)
        return matches.error();
    progress.matches = *matches;
    return progress;
}

} // namespace proactive
