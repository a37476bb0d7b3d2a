#include "scenario.h"

#include "base/jsonreader.h"
#include "workspace/workspace.h"

#include <array>
#include <nlohmann/json.hpp>
#include <sstream>

namespace proactive::ui {

namespace {

    using Kind = ScenarioStep::Kind;

    struct StepSpec {
        const char* key;
        Kind kind;
    };

    constexpr std::array kStepKinds {
        StepSpec { "caption", Kind::Caption },
        StepSpec { "navigate", Kind::Navigate },
        StepSpec { "click", Kind::Click },
        StepSpec { "type", Kind::Type },
        StepSpec { "wait", Kind::Wait },
        StepSpec { "expect_toast", Kind::ExpectToast },
        StepSpec { "expect_no_toast", Kind::ExpectNoToast },
        StepSpec { "accept", Kind::Accept },
        StepSpec { "dismiss", Kind::Dismiss },
        StepSpec { "expect_state", Kind::ExpectState },
        StepSpec { "expect_chat", Kind::ExpectChat },
        StepSpec { "expect_tour_step", Kind::ExpectTourStep },
    };

    // How long an expectation waits when the step does not say.
    constexpr double kDefaultWithinS = 30;

    std::string number(double value)
    {
        std::ostringstream out;
        out << value;
        return out.str();
    }

    Error stepError(const std::filesystem::path& file, const std::string& where, const std::string& reason)
    {
        return { "invalid_scenario", reason, file.string() + ":" + where };
    }

    std::optional<std::string> stringField(const nlohmann::json& object, const char* key)
    {
        const auto it = object.find(key);
        if (it == object.end() || !it->is_string())
            return std::nullopt;
        return it->get<std::string>();
    }

    Result<ScenarioStep> parseStep(
        const nlohmann::json& json, const std::string& where, const std::filesystem::path& file)
    {
        if (!json.is_object() || json.size() != 1)
            return stepError(file, where, "a step is an object with exactly one key, the step kind");
        // The iterator, not items(): a binding to *items().begin() would dangle.
        const auto only = json.begin();
        const std::string& key = only.key();
        const nlohmann::json& value = only.value();
        const auto spec
            = std::find_if(kStepKinds.begin(), kStepKinds.end(), [&](const StepSpec& s) { return key == s.key; });
        if (spec == kStepKinds.end())
            return stepError(file, where + "/" + key, "unknown step kind");
        ScenarioStep step { .kind = spec->kind, .where = where };
        const std::string at = where + "/" + key;
        const auto requireString = [&](std::string& out) -> Status {
            if (!value.is_string() || (value.get<std::string>().empty() && spec->kind != Kind::Caption))
                return stepError(file, at, "expected a non-empty string");
            out = value.get<std::string>();
            return Ok {};
        };
        const auto readObject = [&](std::initializer_list<const char*> allowed) -> Status {
            if (!value.is_object())
                return stepError(file, at, "expected an object");
            for (const auto& item : value.items())
                if (std::find_if(allowed.begin(), allowed.end(), [&](const char* a) { return item.key() == a; })
                    == allowed.end())
                    return stepError(file, at + "/" + item.key(), "unknown field");
            return Ok {};
        };
        const auto within = [&]() -> Result<double> {
            const auto it = value.find("within_s");
            if (it == value.end())
                return kDefaultWithinS;
            if (!it->is_number() || it->get<double>() < 0)
                return stepError(file, at + "/within_s", "expected a number of seconds ≥ 0");
            return it->get<double>();
        };

        switch (spec->kind) {
        case Kind::Caption:
        case Kind::Navigate:
        case Kind::Click:
            if (Status s = requireString(spec->kind == Kind::Caption ? step.text : step.target); !s)
                return s.error();
            if (spec->kind == Kind::Navigate && !step.target.starts_with('/'))
                return stepError(file, at, "a path starting with '/'");
            return step;
        case Kind::ExpectState:
            if (Status s = requireString(step.text); !s)
                return s.error();
            return step;
        case Kind::Wait:
            if (!value.is_number() || value.get<double>() < 0)
                return stepError(file, at, "expected a number of seconds ≥ 0");
            step.seconds = value.get<double>();
            return step;
        case Kind::Accept:
        case Kind::Dismiss:
            if (!value.is_boolean() || !value.get<bool>())
                return stepError(file, at, "expected true");
            return step;
        case Kind::Type: {
            if (Status s = readObject({ "selector", "text" }); !s)
                return s.error();
            const auto selector = stringField(value, "selector");
            const auto text = stringField(value, "text");
            if (!selector || selector->empty() || !text)
                return stepError(file, at, "needs \"selector\" and \"text\" strings");
            step.target = *selector;
            step.text = *text;
            return step;
        }
        case Kind::ExpectToast:
        case Kind::ExpectNoToast:
        case Kind::ExpectChat: {
            const char* textKey = spec->kind == Kind::ExpectChat ? "text" : "trigger_id";
            if (Status s = readObject({ textKey, "within_s" }); !s)
                return s.error();
            if (value.contains(textKey) && !stringField(value, textKey))
                return stepError(file, at + "/" + textKey, "expected a string");
            step.text = stringField(value, textKey).value_or("");
            if (spec->kind == Kind::ExpectChat && step.text.empty())
                return stepError(file, at + "/text", "the text the chat must show");
            auto seconds = within();
            if (!seconds)
                return seconds.error();
            step.seconds = *seconds;
            return step;
        }
        case Kind::ExpectTourStep: {
            if (Status s = readObject({ "tour_id", "step", "within_s" }); !s)
                return s.error();
            const auto tour = stringField(value, "tour_id");
            const auto number = value.find("step");
            if (!tour || tour->empty() || number == value.end() || !number->is_number_integer()
                || number->get<int>() < 1)
                return stepError(file, at, "needs \"tour_id\" and a 1-based \"step\"");
            step.target = *tour;
            step.step = number->get<int>();
            auto seconds = within();
            if (!seconds)
                return seconds.error();
            step.seconds = *seconds;
            return step;
        }
        }
        return stepError(file, at, "unknown step kind");
    }

} // namespace

Result<Scenario> parseScenario(std::string_view json, const std::filesystem::path& file)
{
    const nlohmann::json document = parseJsonText(json);
    if (document.is_discarded())
        return Error { "invalid_scenario", "not valid JSON", file.string() };
    if (!document.is_object())
        return Error { "invalid_scenario", "expected an object", file.string() };
    static const std::array kFields { "name", "description", "workspace", "start_path", "steps" };
    for (const auto& item : document.items())
        if (std::find(kFields.begin(), kFields.end(), item.key()) == kFields.end())
            return stepError(file, "/" + item.key(), "unknown field");

    Scenario scenario;
    scenario.name = stringField(document, "name").value_or(file.stem().string());
    scenario.description = stringField(document, "description").value_or("");
    const std::filesystem::path directory = file.parent_path();
    const auto workspace = stringField(document, "workspace");
    scenario.workspace = std::filesystem::absolute(workspace ? directory / *workspace : directory.parent_path());
    scenario.workspace = scenario.workspace.lexically_normal();
    scenario.startPath = stringField(document, "start_path").value_or("/");
    if (!scenario.startPath.starts_with('/'))
        return stepError(file, "/start_path", "a path starting with '/'");
    const auto steps = document.find("steps");
    if (steps == document.end() || !steps->is_array() || steps->empty())
        return stepError(file, "/steps", "a non-empty array of steps");
    for (std::size_t i = 0; i < steps->size(); ++i) {
        auto step = parseStep((*steps)[i], "/steps/" + std::to_string(i), file);
        if (!step)
            return step.error();
        scenario.steps.push_back(std::move(*step));
    }
    return scenario;
}

Result<Scenario> loadScenario(const std::filesystem::path& file)
{
    auto text = readTextFile(file);
    if (!text)
        return text.error();
    return parseScenario(*text, file);
}

std::string describe(const ScenarioStep& step)
{
    switch (step.kind) {
    case Kind::Caption:
        return "caption \"" + step.text + "\"";
    case Kind::Navigate:
        return "navigate to " + step.target;
    case Kind::Click:
        return "click " + step.target;
    case Kind::Type:
        return "type \"" + step.text + "\" into " + step.target;
    case Kind::Wait:
        return "wait " + number(step.seconds) + " s";
    case Kind::ExpectToast:
        return "expect the toast" + (step.text.empty() ? std::string() : " " + step.text) + " within "
            + number(step.seconds) + " s";
    case Kind::ExpectNoToast:
        return "expect no toast for " + number(step.seconds) + " s";
    case Kind::Accept:
        return "accept the offer";
    case Kind::Dismiss:
        return "dismiss the offer";
    case Kind::ExpectState:
        return "expect the state " + step.text;
    case Kind::ExpectChat:
        return "expect the chat to show \"" + step.text + "\" within " + number(step.seconds) + " s";
    case Kind::ExpectTourStep:
        return "expect step " + std::to_string(step.step) + " of tour " + step.target + " within "
            + number(step.seconds) + " s";
    }
    return {};
}

} // namespace proactive::ui
