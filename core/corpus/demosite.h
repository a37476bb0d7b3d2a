#pragma once

#include "intake/action.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace proactive {

// The bundled demo product (resources/demo-product: Acme Projects) as the
// corpus generator sees it: its routes, and for each element a user clicks
// or edits the element path posthog-js autocapture records there — target
// first, up to <body>, with the attributes posthog-js keeps (on inputs and
// selects only name, id, class and aria-label: they are "sensitive"), the
// text it reads (links and buttons only) and nth-child / nth-of-type among
// element siblings. index.html and app.js build this DOM; a change there
// must be made here too (tests/ui/tst_demoproduct.cpp checks every recorded
// chain of the demo workspace against the live page).

struct DemoProject {
    std::string slug;
    std::string name;
    bool created = false; // created in this visit (the page keeps it in memory only)
    bool isNew = false; // just created: its row reads "project is-new" until the list renders again
};

// The app's state that element paths depend on; it lives in the page, so it
// resets only when the page loads (a new visit).
class DemoPage final {
public:
    DemoPage();

    const std::string& path() const { return m_path; }
    // Goes to `path` as the router does (closes the dialog, hides the forms;
    // the search query is kept, as app.js keeps it).
    void navigate(std::string path);

    std::vector<DemoProject>& projects() { return m_projects; }
    const std::vector<DemoProject>& projects() const { return m_projects; }
    // The projects the list shows for the current query, in order.
    std::vector<const DemoProject*> listed() const;
    const DemoProject* project(std::string_view slug) const;
    // The project of a /projects/<slug>[/settings] path; null elsewhere.
    const DemoProject* currentProject() const;
    // A project that does not exist yet, as slugify() names it.
    DemoProject newProject(std::string name) const;
    // The list renders again (the dialog's Create does): the new row is no longer marked new.
    void renderList();

    std::string query;
    bool dialogOpen = false;
    bool inviteFormOpen = false;
    bool passwordFormOpen = false;

private:
    std::string m_path;
    std::vector<DemoProject> m_projects;
};

enum class DemoTarget : std::uint8_t {
    // Sidebar (every page).
    Brand,
    NavProjects,
    NavAccount,
    // /projects
    AddProject,
    SearchInput,
    ProjectLink,
    // /projects/:slug
    BreadcrumbProjects,
    SettingsLink,
    InviteButton,
    InviteEmail,
    InviteRole,
    SendInvite,
    InviteForm,
    // /projects/:slug/settings (BreadcrumbProjects too)
    BreadcrumbProject,
    ProjectName,
    ProjectVisibility,
    SaveProjectSettings,
    ProjectSettingsForm,
    // /settings/account
    AccountName,
    AccountEmail,
    SaveAccount,
    AccountForm,
    ChangePassword,
    UpdatePassword,
    PasswordForm,
    // The create-project dialog (over /projects)
    DialogName,
    DialogVisibility,
    DialogCancel,
    DialogCreate,
    DialogForm,
};

// The element path of `target` on `page` (target first); `slug` names the
// project of a ProjectLink. Empty when the page does not show the target.
std::vector<Element> demoElementPath(DemoTarget target, const DemoPage& page, std::string_view slug = {});

// Where following a link target leads; empty for targets that are no link.
std::string demoLinkPath(DemoTarget target, const DemoPage& page, std::string_view slug = {});

} // namespace proactive
