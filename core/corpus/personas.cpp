#include "corpus/personas.h"

#include <algorithm>
#include <string>
#include <utility>

namespace proactive {

namespace {

    constexpr std::int64_t kSecond = 1000;
    constexpr std::int64_t kMinute = 60 * kSecond;
    constexpr std::int64_t kDay = 24 * 60 * kMinute;

    // clang-format off
    constexpr std::array<PersonaTraits, kPersonaCount> kTable {{
        // persona              share think            read              ident. leave steps  give up linger              break
        { Persona::Confident,   40, { 800, 6'000 },   { 1'500, 9'000 },  700, 500, 1, 2,     0, { 0, 0 },              0 },
        { Persona::Hesitant,    20, { 2'000, 12'000 }, { 3'000, 15'000 }, 600, 600, 1, 3,   450, { 4'000, 20'000 },     0 },
        { Persona::Lost,        15, { 1'500, 8'000 },  { 2'000, 10'000 }, 600, 600, 2, 5,   500, { 3'000, 12'000 },     0 },
        { Persona::Idle,        15, { 3'000, 20'000 }, { 3'000, 12'000 }, 700, 600, 0, 3,   500, { 45'000, 240'000 },   0 },
        { Persona::Returning,   10, { 800, 6'000 },   { 1'500, 9'000 }, 1000, 400, 2, 4,     0, { 0, 0 },            350 },
    }};
    // clang-format on

    constexpr MsSpan kTyping { 1'500, 9'000 };
    constexpr MsSpan kGlance { 300, 1'500 };
    // Help becomes visible on a settings page when someone who knew what to do would have done it.
    constexpr std::int64_t kStuckAfterMs = 15 * kSecond;
    // Per mille of the sessions with help wanted that carry an expectation (half that for the others):
    // enough for `replay --check` to have something to fail, without every session being a test.
    constexpr std::uint32_t kExpectationPerMille = 400;

    constexpr std::array<const char*, 10> kNewProjectNames { "Website redesign", "Q3 roadmap", "Onboarding emails",
        "Mobile app", "Data warehouse", "Hiring plan", "Brand refresh", "Support portal", "Pricing page",
        "Customer survey" };

    std::string projectName(const VisitRecorder& v, const std::string& slug)
    {
        const DemoProject* project = v.page().project(slug);
        return project ? project->name : slug;
    }

    // A project the list shows now (the search may hide some), other than `avoid` when it can.
    // Never one created in this visit: its page exists only in the visit's memory, and every
    // recorded chain is checked on a freshly loaded page (tests/ui/tst_demoproduct.cpp).
    std::string listedSlug(VisitRecorder& v, const std::string& avoid = {})
    {
        auto shown = v.page().listed();
        std::erase_if(shown, [](const DemoProject* p) { return p->created; });
        if (shown.size() > 1)
            std::erase_if(shown, [&](const DemoProject* p) { return p->slug == avoid; });
        if (shown.empty()) {
            // Nothing matches the search: the user empties it.
            v.click(DemoTarget::SearchInput);
            v.wait(kGlance);
            v.page().query.clear();
            v.change(DemoTarget::SearchInput);
            shown = v.page().listed();
            std::erase_if(shown, [](const DemoProject* p) { return p->created; });
        }
        return shown[v.random().below(static_cast<std::uint32_t>(shown.size()))]->slug;
    }

    // Back to the list by whatever the page offers, as people do.
    void goToList(VisitRecorder& v, const PersonaTraits& t)
    {
        if (v.page().path() == "/projects")
            return;
        const bool breadcrumbs = v.page().currentProject() != nullptr;
        const auto roll = v.random().below(10);
        if (breadcrumbs && roll < 4)
            v.click(DemoTarget::BreadcrumbProjects);
        else if (roll < 9)
            v.click(DemoTarget::NavProjects);
        else
            v.click(DemoTarget::Brand);
        v.wait(t.read);
    }

    // On a project's page: from the list by its link, else through the list.
    std::string goToProject(VisitRecorder& v, const PersonaTraits& t)
    {
        const DemoProject* current = v.page().currentProject();
        if (current && !v.page().path().ends_with("/settings"))
            return current->slug;
        if (current && v.random().chance(500)) {
            const std::string slug = current->slug;
            v.click(DemoTarget::BreadcrumbProject);
            v.wait(t.read);
            return slug;
        }
        goToList(v, t);
        const std::string slug = listedSlug(v);
        v.click(DemoTarget::ProjectLink, slug);
        v.wait(t.read);
        return slug;
    }

    void createProject(VisitRecorder& v, const PersonaTraits& t, const std::string& name)
    {
        v.type(DemoTarget::DialogName, kTyping);
        if (v.random().chance(300)) {
            v.wait(kGlance);
            v.click(DemoTarget::DialogVisibility);
            v.wait(kGlance);
            v.change(DemoTarget::DialogVisibility);
        }
        v.wait(t.think);
        v.click(DemoTarget::DialogCreate);
        v.submit(DemoTarget::DialogForm);
        // app.js: the dialog closes, the list renders with the new row marked, the search is emptied.
        DemoProject created = v.page().newProject(name);
        v.page().dialogOpen = false;
        v.page().query.clear();
        v.page().projects().push_back(std::move(created));
    }

    // ---- Tasks of people who know the product (confident, returning) -----

    // ReviewAccount is the idle persona's look-alike: a minute or more on
    // account settings with few clicks, by someone who needs no help.
    enum class Task : std::uint8_t { Invite, Rename, Create, AccountName, Browse, ReviewAccount };
    constexpr std::array<unsigned, 6> kTaskWeights { 28, 18, 18, 12, 14, 10 };
    constexpr MsSpan kCloseReading { 20'000, 100'000 };

    void doTask(VisitRecorder& v, const PersonaTraits& t, Task task)
    {
        switch (task) {
        case Task::Invite: {
            const std::string slug = goToProject(v, t);
            v.click(DemoTarget::InviteButton);
            v.wait(kGlance);
            v.type(DemoTarget::InviteEmail, kTyping);
            if (v.random().chance(400)) {
                v.click(DemoTarget::InviteRole);
                v.wait(kGlance);
                v.change(DemoTarget::InviteRole);
            }
            v.wait(t.think);
            v.click(DemoTarget::SendInvite);
            v.submit(DemoTarget::InviteForm);
            v.page().inviteFormOpen = false;
            v.tell("invites a teammate to " + projectName(v, slug));
            break;
        }
        case Task::Rename: {
            const std::string slug = goToProject(v, t);
            const std::string name = projectName(v, slug);
            v.click(DemoTarget::SettingsLink);
            v.wait(t.read);
            v.type(DemoTarget::ProjectName, kTyping);
            if (v.random().chance(400)) {
                v.click(DemoTarget::ProjectVisibility);
                v.wait(kGlance);
                v.change(DemoTarget::ProjectVisibility);
            }
            v.wait(t.think);
            v.click(DemoTarget::SaveProjectSettings);
            v.submit(DemoTarget::ProjectSettingsForm);
            v.tell("renames " + name + " in its settings");
            break;
        }
        case Task::Create: {
            goToList(v, t);
            v.click(DemoTarget::AddProject);
            v.wait(kGlance);
            const std::string name
                = kNewProjectNames[v.random().below(static_cast<std::uint32_t>(kNewProjectNames.size()))];
            createProject(v, t, name);
            v.tell("creates the project \"" + name + "\"");
            break;
        }
        case Task::AccountName:
            if (v.page().path() != "/settings/account") {
                v.click(DemoTarget::NavAccount);
                v.wait(t.read);
            }
            v.type(DemoTarget::AccountName, kTyping);
            v.wait(t.think);
            v.click(DemoTarget::SaveAccount);
            v.submit(DemoTarget::AccountForm);
            v.tell("changes their name in account settings");
            break;
        case Task::ReviewAccount:
            if (v.page().path() != "/settings/account") {
                v.click(DemoTarget::NavAccount);
                v.wait(t.read);
            }
            v.wait(kCloseReading);
            v.type(DemoTarget::AccountEmail, kTyping);
            v.wait(t.think);
            v.click(DemoTarget::SaveAccount);
            v.submit(DemoTarget::AccountForm);
            v.tell("reads their account settings closely and changes their email");
            break;
        case Task::Browse: {
            goToList(v, t);
            const std::string first = listedSlug(v);
            v.click(DemoTarget::ProjectLink, first);
            v.wait(t.read);
            v.wait(t.read);
            if (v.random().chance(500))
                v.history("/projects");
            else
                v.click(DemoTarget::BreadcrumbProjects);
            v.wait(kGlance);
            const std::string second = listedSlug(v, first);
            v.click(DemoTarget::ProjectLink, second);
            v.wait(t.read);
            v.tell("looks at " + projectName(v, first) + ", then " + projectName(v, second));
            break;
        }
        }
    }

    void doTasks(VisitRecorder& v, const PersonaTraits& t, std::int64_t count, std::uint32_t breakPerMille)
    {
        Task previous = Task::Browse;
        for (std::int64_t i = 0; i < count; ++i) {
            std::int64_t breakMinutes = 0;
            if (i > 0 && v.random().chance(breakPerMille)) {
                breakMinutes = v.random().between(31, 120);
                v.waitExactly(breakMinutes * kMinute);
            }
            auto task = static_cast<Task>(v.random().pick(kTaskWeights));
            if (i > 0 && task == previous) // the same task twice in a row reads like a glitch
                task = static_cast<Task>((static_cast<std::size_t>(task) + 1) % kTaskWeights.size());
            doTask(v, t, task);
            previous = task;
            if (breakMinutes > 0) // told after the task's first event: it belongs to the new session
                v.tell("comes back after a " + std::to_string(breakMinutes)
                    + "-minute break (posthog-js rotated the session)");
            v.wait(t.think);
        }
    }

    void openProduct(VisitRecorder& v, const PersonaTraits& t, std::uint32_t deepLinkPerMille)
    {
        if (v.random().chance(deepLinkPerMille)) {
            const DemoPage fresh;
            const auto& projects = fresh.projects();
            v.open("/projects/" + projects[v.random().below(static_cast<std::uint32_t>(projects.size()))].slug);
        } else {
            v.open("/projects");
        }
        v.wait(t.read);
    }

    void maybeLeave(VisitRecorder& v, const PersonaTraits& t)
    {
        if (v.random().chance(t.pageleavePerMille))
            v.leave();
    }

    // The note of a session's no_help range: what the person did, in order.
    std::string joined(const std::vector<std::string>& story)
    {
        std::string text;
        for (const auto& part : story)
            text += (text.empty() ? "" : "; ") + part;
        return text;
    }

    // ---- The personas -----------------------------------------------------

    void confident(VisitRecorder& v, const PersonaTraits& t)
    {
        openProduct(v, t, 200);
        doTasks(v, t, v.random().between(t.stepsMin, t.stepsMax), 0);
        maybeLeave(v, t);
        if (v.random().chance(kExpectationPerMille / 2))
            v.expect({ false, {}, {}, {} });
    }

    void hesitant(VisitRecorder& v, const PersonaTraits& t)
    {
        openProduct(v, t, 0);
        if (v.random().chance(300))
            doTask(v, t, Task::Browse);
        goToList(v, t);
        const std::int64_t attempts = v.random().between(t.stepsMin, t.stepsMax);
        std::vector<std::int64_t> closes;
        int escapes = 0;
        for (std::int64_t i = 0; i < attempts; ++i) {
            v.click(DemoTarget::AddProject);
            v.wait(t.linger);
            bool typed = false;
            if (v.random().chance(500)) {
                v.type(DemoTarget::DialogName, kTyping);
                typed = true;
            }
            if (!typed && v.random().chance(150)) {
                // Create with no name: the dialog stays and says so.
                v.click(DemoTarget::DialogCreate);
                v.submit(DemoTarget::DialogForm);
                v.wait(t.think);
            }
            if (v.random().chance(200)) {
                v.wait(kGlance);
                v.pressEscape();
                ++escapes;
            } else {
                v.click(DemoTarget::DialogCancel);
            }
            closes.push_back(v.now());
            v.wait(t.linger); // wondering what to do now
            if (v.random().chance(250)) {
                v.click(DemoTarget::SearchInput);
                v.wait(t.think);
            }
        }

        const bool givesUp = v.random().chance(t.giveUpPerMille);
        std::string outcome;
        if (givesUp) {
            if (v.random().chance(t.pageleavePerMille)) {
                v.leave();
                outcome = "gives up and closes the tab";
            } else {
                v.click(DemoTarget::NavAccount);
                outcome = "gives up and goes to account settings";
            }
        } else {
            v.click(DemoTarget::AddProject);
            v.wait(t.think);
            const std::string name
                = kNewProjectNames[v.random().below(static_cast<std::uint32_t>(kNewProjectNames.size()))];
            createProject(v, t, name);
            outcome = "creates \"" + name + "\" at last";
        }
        const std::int64_t end = v.now();
        std::string story = "opens 'Add Project' " + std::to_string(attempts) + (attempts == 1 ? " time" : " times")
            + " and closes it without creating (" + std::to_string(escapes) + " by Escape), then " + outcome;
        if (!givesUp) {
            v.wait(t.read);
            maybeLeave(v, t);
        }
        if (attempts >= 2) {
            // Hesitation shows at the first close and lasts until they create or give up.
            v.label({ true, closes.front(), end, std::string(kHesitationTrigger), "hesitant: " + story });
            if (v.random().chance(kExpectationPerMille))
                v.expect({ true, std::string(kHesitationTrigger), closes[1], end });
        } else {
            v.tell(story);
        }
    }

    void lost(VisitRecorder& v, const PersonaTraits& t)
    {
        openProduct(v, t, 0);
        const bool wantsInvite = v.random().chance(500);
        const std::int64_t bounces = v.random().between(t.stepsMin, t.stepsMax);
        std::int64_t helpFrom = 0;
        std::string previous;
        for (std::int64_t i = 0; i < bounces; ++i) {
            previous = listedSlug(v, previous);
            v.click(DemoTarget::ProjectLink, previous);
            v.wait(t.linger);
            const auto back = v.random().below(10);
            if (back < 5)
                v.history("/projects");
            else if (back < 8)
                v.click(DemoTarget::BreadcrumbProjects);
            else
                v.click(DemoTarget::NavProjects);
            if (i == 0)
                helpFrom = v.now(); // list → project → list: the back and forth shows
            v.wait(t.think);
            if (v.random().chance(200)) {
                v.click(DemoTarget::NavAccount);
                v.wait(t.linger);
                if (v.random().chance(500))
                    v.history("/projects");
                else
                    v.click(DemoTarget::NavProjects);
                v.wait(t.think);
            } else if (v.random().chance(150)) {
                const DemoPage fresh;
                const std::string& name
                    = fresh.projects()[v.random().below(static_cast<std::uint32_t>(fresh.projects().size()))].name;
                v.click(DemoTarget::SearchInput);
                v.wait(kTyping);
                v.page().query = name.substr(0, 3);
                v.change(DemoTarget::SearchInput);
                v.wait(t.think);
            }
        }

        const std::string goal = wantsInvite ? "where to invite a teammate" : "a project's settings";
        std::string outcome;
        const bool givesUp = v.random().chance(t.giveUpPerMille);
        if (givesUp) {
            v.wait(t.think);
            v.leave();
            outcome = "gives up and closes the tab";
        } else {
            const std::string slug = listedSlug(v, previous);
            v.click(DemoTarget::ProjectLink, slug);
            v.wait(t.read);
            v.click(wantsInvite ? DemoTarget::InviteButton : DemoTarget::SettingsLink);
            outcome = "finds it on " + projectName(v, slug) + "'s page";
        }
        const std::int64_t end = v.now();
        if (!givesUp) {
            v.wait(t.read);
            maybeLeave(v, t);
        }
        v.label({ true, helpFrom, end, std::string(kPingPongTrigger),
            "lost: looks for " + goal + ", bounces between the list and " + std::to_string(bounces)
                + " project pages, then " + outcome });
        if (v.random().chance(kExpectationPerMille))
            v.expect({ true, std::string(kPingPongTrigger), helpFrom, end });
    }

    void idle(VisitRecorder& v, const PersonaTraits& t)
    {
        openProduct(v, t, 0);
        const bool account = v.random().chance(700);
        std::string where = "account settings";
        if (account) {
            v.click(DemoTarget::NavAccount);
        } else {
            const std::string slug = goToProject(v, t);
            where = projectName(v, slug) + "'s settings";
            v.click(DemoTarget::SettingsLink);
        }
        const std::int64_t arrived = v.now();
        const std::int64_t linger = v.random().skewed(t.linger.lo, t.linger.hi);
        // A few clicks into the fields while they look for what they came for, spread over the stay.
        const std::int64_t clicks = v.random().between(t.stepsMin, t.stepsMax);
        std::vector<std::int64_t> moments;
        for (std::int64_t i = 0; i < clicks; ++i)
            moments.push_back(v.random().between(5 * kSecond, linger - 5 * kSecond));
        std::sort(moments.begin(), moments.end());
        for (std::int64_t moment : moments) {
            v.waitExactly(std::max<std::int64_t>(arrived + moment - v.now(), 0));
            const bool first = v.random().chance(500);
            v.click(account ? (first ? DemoTarget::AccountName : DemoTarget::AccountEmail)
                            : (first ? DemoTarget::ProjectName : DemoTarget::ProjectVisibility));
        }
        v.waitExactly(std::max<std::int64_t>(arrived + linger - v.now(), 0));

        std::string outcome;
        const bool givesUp = v.random().chance(t.giveUpPerMille);
        if (givesUp) {
            if (v.random().chance(t.pageleavePerMille)) {
                v.leave();
                outcome = "gives up and closes the tab";
            } else {
                v.click(DemoTarget::NavProjects);
                outcome = "gives up and goes back to the projects";
            }
        } else if (account) {
            v.click(DemoTarget::ChangePassword);
            outcome = "finds 'Change password'";
        } else {
            v.click(DemoTarget::ProjectVisibility);
            outcome = "changes the visibility";
        }
        const std::int64_t end = v.now();
        if (!givesUp) {
            if (account) {
                v.wait(kTyping); // password fields: autocapture records nothing
                v.click(DemoTarget::UpdatePassword);
                v.submit(DemoTarget::PasswordForm);
            } else {
                v.wait(kGlance);
                v.change(DemoTarget::ProjectVisibility);
                v.wait(t.think);
                v.click(DemoTarget::SaveProjectSettings);
                v.submit(DemoTarget::ProjectSettingsForm);
            }
            v.wait(t.read);
            maybeLeave(v, t);
        }
        const std::string answer(account ? kAccountDwellTrigger : kSettingsSectionsTrigger);
        v.label({ true, arrived + kStuckAfterMs, end, answer,
            "idle: stays " + std::to_string(linger / kSecond) + " s on " + where + " with " + std::to_string(clicks)
                + (clicks == 1 ? " click" : " clicks") + ", then " + outcome });
        if (v.random().chance(kExpectationPerMille))
            v.expect({ true, answer, arrived + kStuckAfterMs, end });
    }

} // namespace

std::string_view nameOf(Persona persona)
{
    switch (persona) {
    case Persona::Confident:
        return "confident";
    case Persona::Hesitant:
        return "hesitant";
    case Persona::Lost:
        return "lost";
    case Persona::Idle:
        return "idle";
    case Persona::Returning:
        return "returning";
    }
    return {};
}

std::optional<Persona> personaFromName(std::string_view name)
{
    for (const auto& traits : kTable)
        if (nameOf(traits.persona) == name)
            return traits.persona;
    return std::nullopt;
}

const std::array<PersonaTraits, kPersonaCount>& personaTable()
{
    return kTable;
}

const PersonaTraits& traitsOf(Persona persona)
{
    return kTable[static_cast<std::size_t>(persona)];
}

std::vector<DraftSession> simulatePersona(
    Persona persona, PortableRandom& random, VisitorIdentity identity, CaptureTarget target, std::int64_t startMs)
{
    const PersonaTraits& t = traitsOf(persona);
    VisitRecorder v(random, std::move(identity), std::move(target), startMs);
    switch (persona) {
    case Persona::Confident:
        confident(v, t);
        break;
    case Persona::Hesitant:
        hesitant(v, t);
        break;
    case Persona::Lost:
        lost(v, t);
        break;
    case Persona::Idle:
        idle(v, t);
        break;
    case Persona::Returning: {
        // Later visits 1–3 days apart, within two hours of the previous one's time of day; each a page load in a
        // new tab.
        const std::int64_t visits = random.between(t.stepsMin, t.stepsMax);
        std::int64_t visitStart = startMs;
        for (std::int64_t i = 0; i < visits; ++i) {
            if (i > 0) {
                const std::int64_t next
                    = visitStart + random.between(1, 3) * kDay + random.between(-2 * 60 * kMinute, 2 * 60 * kMinute);
                v.waitExactly(std::max<std::int64_t>(next - v.now(), 40 * kMinute));
            }
            visitStart = v.now();
            openProduct(v, t, 300);
            v.tell(i == 0 ? "first visit" : "returns on another day");
            doTasks(v, t, random.between(1, 2), t.breakPerMille);
            maybeLeave(v, t);
            if (random.chance(kExpectationPerMille / 2))
                v.expect({ false, {}, {}, {} });
        }
        break;
    }
    }
    auto sessions = v.finish();
    for (auto& session : sessions) {
        if (session.ranges.empty())
            session.ranges.push_back({ false, session.startMs, session.endMs, {},
                std::string(nameOf(persona)) + ": " + joined(session.story) });
    }
    return sessions;
}

} // namespace proactive
