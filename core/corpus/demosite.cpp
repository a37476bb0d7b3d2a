#include "corpus/demosite.h"

#include <algorithm>
#include <utility>

namespace proactive {

namespace {

    using Attributes = std::vector<std::pair<std::string, std::string>>;

    // One element as posthog-js records it: attributes in DOM order (the chain
    // writer sorts them), classes from `class`, href and id as their own keys too.
    Element element(std::string tag, int nthChild, int nthOfType, Attributes attrs = {}, std::string text = {})
    {
        Element e;
        e.tag = std::move(tag);
        e.text = std::move(text);
        e.nthChild = nthChild;
        e.nthOfType = nthOfType;
        for (const auto& [key, value] : attrs) {
            if (key == "class") {
                std::size_t start = 0;
                while (start < value.size()) {
                    const auto end = std::min(value.find(' ', start), value.size());
                    if (end > start)
                        e.classes.push_back(value.substr(start, end - start));
                    start = end + 1;
                }
            } else if (key == "href") {
                e.href = value;
            } else if (key == "id") {
                e.id = value;
            } else if (key == "name") {
                e.name = value;
            }
        }
        e.attrs = std::move(attrs);
        return e;
    }

    using Path = std::vector<Element>;

    Path operator+(Path path, const Path& ancestors)
    {
        path.insert(path.end(), ancestors.begin(), ancestors.end());
        return path;
    }

    // <head> is the first child of <html>; <body>'s children are nav, main, dialog.
    const Path& body()
    {
        static const Path path { element("body", 2, 1) };
        return path;
    }
    Path inMain()
    {
        return Path { element("main", 2, 1) } + body();
    }
    Path inSidebar()
    {
        return Path { element("nav", 1, 1, { { "class", "sidebar" } }) } + body();
    }
    Path inDialog()
    {
        return Path { element("dialog", 3, 1, { { "class", "create-project" }, { "open", "" } }) } + body();
    }
    Path inPageHeader()
    {
        return Path { element("header", 1, 1, { { "class", "page-header" } }) } + inMain();
    }

    // The sidebar links carry aria-current="page" on the section the page belongs to.
    std::string navSection(std::string_view path)
    {
        if (path.starts_with("/settings/account"))
            return "account";
        if (path == "/projects" || path.starts_with("/projects/"))
            return "projects";
        return {};
    }

    Path navLink(
        const DemoPage& page, const std::string& section, int nth, const std::string& href, const std::string& text)
    {
        Attributes attrs { { "class", "nav-link" }, { "data-tour-id", "nav-" + section }, { "href", href } };
        if (navSection(page.path()) == section)
            attrs.emplace_back("aria-current", "page");
        return Path { element("a", nth, nth, std::move(attrs), text) } + inSidebar();
    }

    // /projects/:slug and /projects/:slug/settings: header > div > div.breadcrumbs
    Path inBreadcrumbs()
    {
        return Path { element("div", 1, 1, { { "class", "breadcrumbs" } }), element("div", 1, 1) } + inPageHeader();
    }

    // /projects/:slug: the members panel, right column.
    Path inMembersPanel()
    {
        return Path { element("section", 2, 1, { { "class", "panel" }, { "data-tour-id", "project-members-panel" } }),
            element("div", 2, 1, { { "class", "columns" } }) }
        + inMain();
    }
    Path inInviteForm()
    {
        return Path { element("form", 3, 1, { { "class", "invite-form" }, { "novalidate", "" } }) } + inMembersPanel();
    }

    // /projects/:slug/settings and /settings/account: main > form.panel > div.form-grid
    Path inSettingsForm()
    {
        return Path { element("form", 2, 1, { { "class", "panel" }, { "novalidate", "" } }) } + inMain();
    }
    Path inFormGrid()
    {
        return Path { element("div", 2, 1, { { "class", "form-grid" } }) } + inSettingsForm();
    }
    Path inField(int nth, const Path& grid)
    {
        return Path { element("label", nth, nth, { { "class", "field" } }) } + grid;
    }
    Path inFormActions(const Path& grid, int nth, int nthOfType)
    {
        return Path { element("div", nth, nthOfType, { { "class", "form-actions" } }) } + grid;
    }

    // /settings/account: main > section.panel (the password panel)
    Path inPasswordPanel()
    {
        return Path { element("section", 3, 1, { { "class", "panel" } }) } + inMain();
    }
    Path inPasswordForm()
    {
        return Path { element("form", 2, 1, { { "class", "form-grid" }, { "novalidate", "" } }) } + inPasswordPanel();
    }

    // The dialog's form: label.field ×2 inside form#create-project-form.
    Path inDialogForm()
    {
        return Path { element("form", 2, 1,
                   { { "class", "dialog-body" }, { "id", "create-project-form" }, { "novalidate", "" } }) }
        + inDialog();
    }
    Path inDialogActions()
    {
        return Path { element("div", 3, 1, { { "class", "dialog-actions" } }) } + inDialog();
    }

} // namespace

DemoPage::DemoPage()
    : m_path("/projects")
    , m_projects { { "apollo", "Apollo" }, { "zephyr", "Zephyr" }, { "nimbus", "Nimbus" }, { "orion", "Orion" } }
{ }

void DemoPage::navigate(std::string path)
{
    m_path = std::move(path);
    dialogOpen = false;
    inviteFormOpen = false;
    passwordFormOpen = false;
    if (m_path == "/projects")
        renderList();
}

std::vector<const DemoProject*> DemoPage::listed() const
{
    std::string needle;
    for (char c : query)
        needle += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    std::vector<const DemoProject*> shown;
    for (const auto& project : m_projects) {
        std::string name;
        for (char c : project.name)
            name += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        if (name.find(needle) != std::string::npos)
            shown.push_back(&project);
    }
    return shown;
}

const DemoProject* DemoPage::project(std::string_view slug) const
{
    const auto it = std::find_if(m_projects.begin(), m_projects.end(), [&](const auto& p) { return p.slug == slug; });
    return it == m_projects.end() ? nullptr : &*it;
}

const DemoProject* DemoPage::currentProject() const
{
    if (!m_path.starts_with("/projects/"))
        return nullptr;
    const std::string_view rest = std::string_view(m_path).substr(10);
    return project(rest.substr(0, rest.find('/')));
}

DemoProject DemoPage::newProject(std::string name) const
{
    // app.js slugify(): lowercase, runs of anything else than [a-z0-9] → '-', trimmed, -2, -3 … when taken.
    std::string base;
    for (char c : name) {
        const char lower = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        const bool keep = (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9');
        if (keep)
            base += lower;
        else if (!base.empty() && base.back() != '-')
            base += '-';
    }
    while (!base.empty() && base.back() == '-')
        base.pop_back();
    if (base.empty())
        base = "project";
    std::string slug = base;
    for (int n = 2; project(slug); ++n)
        slug = base + '-' + std::to_string(n);
    return DemoProject { slug, std::move(name), true, true };
}

void DemoPage::renderList()
{
    for (auto& project : m_projects)
        project.isNew = false;
}

std::vector<Element> demoElementPath(DemoTarget target, const DemoPage& page, std::string_view slug)
{
    const std::string& path = page.path();
    const DemoProject* project = page.currentProject();
    const bool onList = path == "/projects";
    const bool onSettings = project && path.ends_with("/settings");
    const bool onProject = project && !onSettings;
    const bool onAccount = path == "/settings/account";
    const bool dialog = page.dialogOpen;
    // Nothing under the modal dialog can be clicked while it is open.
    const bool clickable = !dialog;

    switch (target) {
    case DemoTarget::Brand:
        if (!clickable)
            return {};
        return Path { element("a", 1, 1, { { "class", "brand" }, { "href", "/projects" } }, "Acme Projects") }
        + inSidebar();
    case DemoTarget::NavProjects:
        return clickable ? navLink(page, "projects", 2, "/projects", "Projects") : Path {};
    case DemoTarget::NavAccount:
        return clickable ? navLink(page, "account", 3, "/settings/account", "Account") : Path {};

    case DemoTarget::AddProject:
        if (!onList || !clickable)
            return {};
        return Path { element("button", 2, 1, { { "class", "btn btn-primary" }, { "data-tour-id", "add-project-btn" } },
                   "Add Project") }
        + inPageHeader();
    case DemoTarget::SearchInput:
        if (!onList || !clickable)
            return {};
        return Path { element("input", 1, 1, { { "aria-label", "Search projects" } }),
            element("div", 3, 1, { { "class", "search" } }) }
        + inPageHeader();
    case DemoTarget::ProjectLink: {
        if (!onList || !clickable)
            return {};
        const auto shown = page.listed();
        const auto it = std::find_if(shown.begin(), shown.end(), [&](const DemoProject* p) { return p->slug == slug; });
        if (it == shown.end())
            return {};
        const int row = static_cast<int>(it - shown.begin()) + 1;
        const std::string href = "/projects/" + (*it)->slug;
        return Path { element("a", 1, 1, { { "class", "project-link" }, { "href", href } }, (*it)->name),
            element("li", row, row, { { "class", (*it)->isNew ? "project is-new" : "project" } }),
            element("ul", 2, 1, { { "class", "project-list" }, { "data-tour-id", "project-list" } }) }
        + inMain();
    }

    case DemoTarget::BreadcrumbProjects:
        if (!(onProject || onSettings) || !clickable)
            return {};
        return Path { element("a", 1, 1, { { "href", "/projects" } }, "Projects") } + inBreadcrumbs();
    case DemoTarget::BreadcrumbProject:
        if (!onSettings || !clickable)
            return {};
        return Path { element("a", 2, 2, { { "href", "/projects/" + project->slug } }, project->name) }
        + inBreadcrumbs();
    case DemoTarget::SettingsLink:
        if (!onProject || !clickable)
            return {};
        return Path { element("a", 2, 1,
                          { { "class", "btn" }, { "href", "/projects/" + project->slug + "/settings" },
                              { "data-tour-id", "project-settings-link" } },
                          "Settings"),
            element("div", 2, 2, { { "class", "actions" } }) }
        + inPageHeader();
    case DemoTarget::InviteButton:
        if (!onProject || !clickable)
            return {};
        return Path { element(
                          "button", 2, 1, { { "class", "btn" }, { "data-tour-id", "invite-member-btn" } }, "Invite"),
            element("div", 1, 1, { { "class", "panel-header" } }) }
        + inMembersPanel();
    case DemoTarget::InviteEmail:
        if (!onProject || !page.inviteFormOpen)
            return {};
        return Path { element("input", 1, 1, { { "aria-label", "Email address" } }),
            element("div", 1, 1, { { "class", "row" } }) }
        + inInviteForm();
    case DemoTarget::InviteRole:
        if (!onProject || !page.inviteFormOpen)
            return {};
        return Path { element("select", 2, 1, { { "aria-label", "Role" } }),
            element("div", 1, 1, { { "class", "row" } }) }
        + inInviteForm();
    case DemoTarget::SendInvite:
        if (!onProject || !page.inviteFormOpen)
            return {};
        return Path { element("button", 1, 1, { { "class", "btn btn-primary" }, { "data-tour-id", "send-invite-btn" } },
                   "Send invite") }
        + inFormActions(inInviteForm(), 3, 2);
    case DemoTarget::InviteForm:
        return onProject && page.inviteFormOpen ? inInviteForm() : Path {};

    case DemoTarget::ProjectName:
        return onSettings && clickable ? Path { element("input", 2, 1) } + inField(1, inFormGrid()) : Path {};
    case DemoTarget::ProjectVisibility:
        return onSettings && clickable ? Path { element("select", 2, 1) } + inField(2, inFormGrid()) : Path {};
    case DemoTarget::SaveProjectSettings:
        if (!onSettings || !clickable)
            return {};
        return Path { element("button", 1, 1,
                   { { "class", "btn btn-primary" }, { "data-tour-id", "save-project-settings-btn" } }, "Save") }
        + inFormActions(inFormGrid(), 3, 1);
    case DemoTarget::ProjectSettingsForm:
        return onSettings ? inSettingsForm() : Path {};

    case DemoTarget::AccountName:
        return onAccount && clickable ? Path { element("input", 2, 1) } + inField(1, inFormGrid()) : Path {};
    case DemoTarget::AccountEmail:
        return onAccount && clickable ? Path { element("input", 2, 1) } + inField(2, inFormGrid()) : Path {};
    case DemoTarget::SaveAccount:
        if (!onAccount || !clickable)
            return {};
        return Path { element(
                   "button", 1, 1, { { "class", "btn btn-primary" }, { "data-tour-id", "save-account-btn" } }, "Save") }
        + inFormActions(inFormGrid(), 3, 1);
    case DemoTarget::AccountForm:
        return onAccount ? inSettingsForm() : Path {};
    case DemoTarget::ChangePassword:
        if (!onAccount || !clickable)
            return {};
        return Path { element("button", 2, 1, { { "class", "btn" }, { "data-tour-id", "change-password-btn" } },
                          "Change password"),
            element("div", 1, 1, { { "class", "panel-header" } }) }
        + inPasswordPanel();
    case DemoTarget::UpdatePassword:
        if (!onAccount || !page.passwordFormOpen)
            return {};
        return Path { element("button", 1, 1,
                   { { "class", "btn btn-primary" }, { "data-tour-id", "update-password-btn" } }, "Update password") }
        + inFormActions(inPasswordForm(), 4, 1);
    case DemoTarget::PasswordForm:
        return onAccount && page.passwordFormOpen ? inPasswordForm() : Path {};

    case DemoTarget::DialogName:
        return dialog ? Path { element("input", 2, 1, { { "name", "name" } }) } + inField(1, inDialogForm()) : Path {};
    case DemoTarget::DialogVisibility:
        return dialog ? Path { element("select", 2, 1, { { "name", "visibility" } }) } + inField(2, inDialogForm())
                      : Path {};
    case DemoTarget::DialogCancel:
        return dialog ? Path { element("button", 1, 1,
                            { { "class", "btn" }, { "data-tour-id", "create-project-cancel" } }, "Cancel") }
                + inDialogActions()
                      : Path {};
    case DemoTarget::DialogCreate:
        return dialog ? Path { element("button", 2, 2,
                            { { "class", "btn btn-primary" }, { "data-tour-id", "create-project-submit" },
                                { "form", "create-project-form" } },
                            "Create") }
                + inDialogActions()
                      : Path {};
    case DemoTarget::DialogForm:
        return dialog ? inDialogForm() : Path {};
    }
    return {};
}

std::string demoLinkPath(DemoTarget target, const DemoPage& page, std::string_view slug)
{
    const DemoProject* project = page.currentProject();
    switch (target) {
    case DemoTarget::Brand:
    case DemoTarget::NavProjects:
    case DemoTarget::BreadcrumbProjects:
        return "/projects";
    case DemoTarget::NavAccount:
        return "/settings/account";
    case DemoTarget::ProjectLink:
        return "/projects/" + std::string(slug);
    case DemoTarget::BreadcrumbProject:
        return project ? "/projects/" + project->slug : std::string();
    case DemoTarget::SettingsLink:
        return project ? "/projects/" + project->slug + "/settings" : std::string();
    default:
        return {};
    }
}

} // namespace proactive
