// Acme Projects: a single-page app in plain JavaScript, the studio's bundled
// demo product. Views are rendered by the router on every navigation, so an
// element of another route only exists once the user (or a tour) has gone
// there. All state lives in memory and resets on reload.
'use strict';

(function () {
  const people = {
    ana: { name: 'Ana Lima', email: 'ana@example.com', color: 0 },
    bo: { name: 'Bo Chen', email: 'bo@example.com', color: 1 },
    cy: { name: 'Cy Okafor', email: 'cy@example.com', color: 2 },
    dee: { name: 'Dee Novak', email: 'dee@example.com', color: 3 },
    eli: { name: 'Eli Moreau', email: 'eli@example.com', color: 4 },
  };

  const state = {
    account: { name: 'Ana Lima', email: 'ana@example.com' },
    projects: [
      {
        slug: 'apollo', name: 'Apollo', visibility: 'private',
        description: 'Launch site and checklist for the spring release',
        members: [['ana', 'Owner'], ['bo', 'Editor'], ['cy', 'Viewer']],
        openTasks: 12, doneTasks: 31,
      },
      {
        slug: 'zephyr', name: 'Zephyr', visibility: 'workspace',
        description: 'Design system and shared component library',
        members: [['bo', 'Owner'], ['ana', 'Editor'], ['dee', 'Editor'], ['eli', 'Viewer']],
        openTasks: 7, doneTasks: 58,
      },
      {
        slug: 'nimbus', name: 'Nimbus', visibility: 'workspace',
        description: 'Cloud cost dashboards for the finance team',
        members: [['dee', 'Owner'], ['ana', 'Viewer']],
        openTasks: 4, doneTasks: 9,
      },
      {
        slug: 'orion', name: 'Orion', visibility: 'private',
        description: 'Mobile onboarding revamp',
        members: [['cy', 'Owner'], ['ana', 'Editor'], ['eli', 'Editor']],
        openTasks: 18, doneTasks: 6,
      },
    ],
    query: '',
    justCreated: null,
  };

  // ---- DOM helpers -------------------------------------------------------

  // h('a', { class: 'x', href: '/y' }, 'text', child): text is always set as
  // text, never parsed as HTML, so project names cannot inject markup.
  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
      else if (value === true) element.setAttribute(name, '');
      else element.setAttribute(name, value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : String(child));
    }
    return element;
  }

  function initials(name) {
    return name.split(/\s+/).filter(Boolean).slice(0, 2).map((part) => part[0].toUpperCase()).join('');
  }

  function avatar(person) {
    return h('span', { class: `avatar avatar-${person.color}`, title: person.name }, initials(person.name));
  }

  function visibilityBadge(visibility) {
    return visibility === 'workspace'
      ? h('span', { class: 'badge badge-workspace' }, 'Workspace')
      : h('span', { class: 'badge' }, 'Private');
  }

  function findProject(slug) {
    return state.projects.find((project) => project.slug === slug) || null;
  }

  function slugify(name) {
    const base = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'project';
    let slug = base;
    for (let n = 2; findProject(slug); ++n) slug = `${base}-${n}`;
    return slug;
  }

  function flash(element, text) {
    element.textContent = text;
    clearTimeout(element.flashTimer);
    element.flashTimer = setTimeout(() => { element.textContent = ''; }, 2500);
  }

  // ---- Views -------------------------------------------------------------

  function projectRow(project) {
    return h('li', { class: project.slug === state.justCreated ? 'project is-new' : 'project' },
      h('a', { class: 'project-link', href: `/projects/${project.slug}` }, project.name),
      h('span', { class: 'project-description' }, project.description),
      visibilityBadge(project.visibility),
      h('span', { class: 'avatars' }, project.members.slice(0, 4).map(([id]) => avatar(people[id]))));
  }

  function renderProjectList(list) {
    const query = state.query.trim().toLowerCase();
    const shown = state.projects.filter((project) => project.name.toLowerCase().includes(query));
    list.replaceChildren(...shown.map(projectRow));
    if (shown.length === 0) list.append(h('li', { class: 'empty' }, `No projects match “${state.query.trim()}”.`));
  }

  function projectsView() {
    const list = h('ul', { class: 'project-list', 'data-tour-id': 'project-list' });
    const search = h('input', {
      type: 'search', placeholder: 'Search projects', 'aria-label': 'Search projects',
      'data-tour-id': 'project-search-input', value: state.query,
      oninput: (event) => { state.query = event.target.value; renderProjectList(list); },
    });
    renderProjectList(list);
    state.justCreated = null;
    return {
      title: 'Projects',
      nav: 'projects',
      content: [
        // The button must stay the header's second child (recorded sessions).
        h('header', { class: 'page-header' },
          h('h1', null, 'Projects'),
          h('button', { class: 'btn btn-primary', 'data-tour-id': 'add-project-btn', onclick: openCreateDialog },
            'Add Project'),
          h('div', { class: 'search' }, search)),
        list,
      ],
    };
  }

  function membersPanel(project) {
    const members = h('ul', { class: 'members' });
    const renderMembers = () => members.replaceChildren(...project.members.map(([id, role]) =>
      h('li', { class: 'member' },
        avatar(people[id]),
        h('span', null, h('div', { class: 'member-name' }, people[id].name),
          h('div', { class: 'member-email' }, people[id].email)),
        h('span', { class: 'member-role' }, role))));
    renderMembers();

    const email = h('input', { type: 'email', placeholder: 'teammate@example.com', 'aria-label': 'Email address',
      'data-tour-id': 'invite-email-input' });
    const role = h('select', { 'aria-label': 'Role', 'data-tour-id': 'invite-role-select' },
      h('option', { value: 'Editor' }, 'Editor'), h('option', { value: 'Viewer' }, 'Viewer'));
    const error = h('span', { class: 'field-error', hidden: true }, 'Enter a valid email address.');
    const form = h('form', {
      class: 'invite-form', hidden: true, novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        const address = email.value.trim();
        if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) { error.hidden = false; return; }
        const id = address.toLowerCase();
        people[id] = people[id] || { name: address.split('@')[0], email: address, color: project.members.length % 5 };
        if (!project.members.some(([member]) => member === id)) project.members.push([id, role.value]);
        email.value = '';
        error.hidden = true;
        form.hidden = true;
        renderMembers();
      },
    }, h('div', { class: 'row' }, email, role), error,
    h('div', { class: 'form-actions' },
      h('button', { class: 'btn btn-primary', 'data-tour-id': 'send-invite-btn' }, 'Send invite')));

    return h('section', { class: 'panel', 'data-tour-id': 'project-members-panel' },
      h('div', { class: 'panel-header' },
        h('h2', null, 'Members'),
        h('button', {
          class: 'btn', 'data-tour-id': 'invite-member-btn',
          onclick: () => { form.hidden = !form.hidden; if (!form.hidden) email.focus(); },
        }, 'Invite')),
      members, form);
  }

  function projectView(slug) {
    const project = findProject(slug);
    if (!project) return notFoundView();
    const activity = [
      ['bo', 'moved “Hero copy” to Done', '2h ago'],
      ['ana', 'commented on “Pricing table”', 'yesterday'],
      ['cy', 'added 3 tasks to Backlog', 'Mon'],
      ['dee', 'closed “Broken footer link”', 'last week'],
    ];
    return {
      title: project.name,
      nav: 'projects',
      content: [
        h('header', { class: 'page-header' },
          h('div', null,
            h('div', { class: 'breadcrumbs' }, h('a', { href: '/projects' }, 'Projects'), ' / ', project.name),
            h('h1', null, project.name),
            h('p', { class: 'subtitle' }, project.description)),
          h('div', { class: 'actions' },
            visibilityBadge(project.visibility),
            h('a', { class: 'btn', href: `/projects/${project.slug}/settings`, 'data-tour-id': 'project-settings-link' },
              'Settings'))),
        h('div', { class: 'columns' },
          h('div', null,
            h('div', { class: 'stats' },
              h('div', { class: 'panel stat' }, h('div', { class: 'stat-value' }, project.openTasks),
                h('div', { class: 'stat-label' }, 'Open tasks')),
              h('div', { class: 'panel stat' }, h('div', { class: 'stat-value' }, project.doneTasks),
                h('div', { class: 'stat-label' }, 'Completed')),
              h('div', { class: 'panel stat' }, h('div', { class: 'stat-value' }, project.members.length),
                h('div', { class: 'stat-label' }, 'Members'))),
            h('section', { class: 'panel' },
              h('h2', null, 'Recent activity'),
              h('ul', { class: 'activity' }, activity.map(([who, what, when]) =>
                h('li', null, avatar(people[who]), h('span', null, h('strong', null, people[who].name), ' ', what),
                  h('time', null, when)))))),
          membersPanel(project)),
      ],
    };
  }

  function projectSettingsView(slug) {
    const project = findProject(slug);
    if (!project) return notFoundView();
    const name = h('input', { 'data-tour-id': 'project-name-input', value: project.name, autocomplete: 'off' });
    const visibility = h('select', { 'data-tour-id': 'project-visibility-select' },
      h('option', { value: 'private', selected: project.visibility === 'private' }, 'Private — only members'),
      h('option', { value: 'workspace', selected: project.visibility === 'workspace' }, 'Workspace — everyone at Acme'));
    const nameError = h('span', { class: 'field-error', hidden: true }, 'The name cannot be empty.');
    const status = h('span', { class: 'status', role: 'status' });
    const heading = h('h1', null, project.name);

    const confirmInput = h('input', { autocomplete: 'off', 'aria-label': 'Project name to confirm',
      'data-tour-id': 'confirm-delete-input' });
    const confirmButton = h('button', {
      class: 'btn btn-danger-solid', disabled: true, 'data-tour-id': 'confirm-delete-btn',
      onclick: () => {
        state.projects = state.projects.filter((other) => other !== project);
        navigate('/projects');
      },
    }, 'Delete this project');
    confirmInput.addEventListener('input', () => { confirmButton.disabled = confirmInput.value !== project.name; });
    const confirm = h('div', { class: 'confirm-delete', hidden: true },
      h('span', { class: 'field-hint' }, 'Type the project name to confirm. This cannot be undone.'),
      confirmInput, h('div', null, confirmButton));

    return {
      title: `${project.name} settings`,
      nav: 'projects',
      content: [
        h('header', { class: 'page-header' },
          h('div', null,
            h('div', { class: 'breadcrumbs' }, h('a', { href: '/projects' }, 'Projects'), ' / ',
              h('a', { href: `/projects/${project.slug}` }, project.name), ' / Settings'),
            heading)),
        h('form', {
          class: 'panel', novalidate: true,
          onsubmit: (event) => {
            event.preventDefault();
            if (!name.value.trim()) { nameError.hidden = false; return; }
            nameError.hidden = true;
            project.name = name.value.trim();
            project.visibility = visibility.value;
            heading.textContent = project.name;
            document.title = `${project.name} settings · Acme Projects`;
            flash(status, 'Changes saved');
          },
        },
        h('h2', null, 'General'),
        h('div', { class: 'form-grid' },
          h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Project name'), name, nameError),
          h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Visibility'), visibility,
            h('span', { class: 'field-hint' }, 'Workspace projects can be found and opened by everyone at Acme.')),
          h('div', { class: 'form-actions' },
            h('button', { class: 'btn btn-primary', 'data-tour-id': 'save-project-settings-btn' }, 'Save'),
            status))),
        h('section', { class: 'panel danger-zone' },
          h('h2', null, 'Danger zone'),
          h('div', { class: 'row' },
            h('p', null, 'Delete this project, its tasks and its history.'),
            h('button', {
              class: 'btn btn-danger', 'data-tour-id': 'delete-project-btn',
              onclick: () => { confirm.hidden = !confirm.hidden; if (!confirm.hidden) confirmInput.focus(); },
            }, 'Delete project')),
          confirm),
      ],
    };
  }

  function accountView() {
    const name = h('input', { 'data-tour-id': 'account-name-input', value: state.account.name, autocomplete: 'name' });
    const email = h('input', { type: 'email', 'data-tour-id': 'account-email-input', value: state.account.email,
      autocomplete: 'email' });
    const error = h('span', { class: 'field-error', hidden: true });
    const status = h('span', { class: 'status', role: 'status' });

    const current = h('input', { type: 'password', autocomplete: 'current-password', 'data-tour-id': 'current-password-input' });
    const next = h('input', { type: 'password', autocomplete: 'new-password', 'data-tour-id': 'new-password-input' });
    const passwordStatus = h('span', { class: 'status', role: 'status' });
    const passwordError = h('span', { class: 'field-error', hidden: true }, 'Use at least 8 characters.');
    const passwordForm = h('form', {
      class: 'form-grid', hidden: true, novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        if (next.value.length < 8 || !current.value) { passwordError.hidden = false; return; }
        passwordError.hidden = true;
        current.value = next.value = '';
        passwordForm.hidden = true;
        flash(passwordStatus, 'Password updated');
      },
    },
    // For password managers: which account the new password belongs to.
    h('input', { type: 'text', autocomplete: 'username', value: state.account.email, hidden: true }),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Current password'), current),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'New password'), next, passwordError),
    h('div', { class: 'form-actions' },
      h('button', { class: 'btn btn-primary', 'data-tour-id': 'update-password-btn' }, 'Update password')));

    return {
      title: 'Account settings',
      nav: 'account',
      content: [
        h('header', { class: 'page-header' },
          h('div', null, h('h1', null, 'Account settings'),
            h('p', { class: 'subtitle' }, 'Your profile and sign-in details.'))),
        h('form', {
          class: 'panel', novalidate: true,
          onsubmit: (event) => {
            event.preventDefault();
            if (!name.value.trim()) { error.textContent = 'Your name cannot be empty.'; error.hidden = false; return; }
            if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email.value.trim())) {
              error.textContent = 'Enter a valid email address.';
              error.hidden = false;
              return;
            }
            error.hidden = true;
            const emailChanged = email.value.trim() !== state.account.email;
            state.account = { name: name.value.trim(), email: email.value.trim() };
            document.querySelector('.sidebar-user').textContent = state.account.name;
            flash(status, emailChanged ? 'Saved. Check your new address for a confirmation link.' : 'Changes saved');
          },
        },
        h('h2', null, 'Profile'),
        h('div', { class: 'form-grid' },
          h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Name'), name),
          h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Email'), email, error),
          h('div', { class: 'form-actions' },
            h('button', { class: 'btn btn-primary', 'data-tour-id': 'save-account-btn' }, 'Save'), status))),
        h('section', { class: 'panel' },
          h('div', { class: 'panel-header' },
            h('h2', null, 'Password'),
            h('button', {
              class: 'btn', 'data-tour-id': 'change-password-btn',
              onclick: () => { passwordForm.hidden = !passwordForm.hidden; if (!passwordForm.hidden) current.focus(); },
            }, 'Change password')),
          passwordForm, passwordStatus),
      ],
    };
  }

  function notFoundView() {
    return {
      title: 'Not found',
      nav: null,
      content: [
        h('section', { class: 'not-found', 'data-tour-id': 'not-found' },
          h('h1', null, '404'),
          h('p', null, 'There is no page at ', h('code', null, location.pathname), '.'),
          h('a', { class: 'btn', href: '/projects' }, 'Back to projects')),
      ],
    };
  }

  // ---- Router ------------------------------------------------------------

  const routes = [
    [/^\/projects\/?$/, projectsView],
    [/^\/projects\/([^/]+)\/?$/, projectView],
    [/^\/projects\/([^/]+)\/settings\/?$/, projectSettingsView],
    [/^\/settings\/account\/?$/, accountView],
  ];

  function render() {
    if (location.pathname === '/') {
      history.replaceState(null, '', '/projects' + location.search + location.hash);
    }
    let view = null;
    for (const [pattern, viewFor] of routes) {
      const match = pattern.exec(location.pathname);
      if (match) {
        view = viewFor(...match.slice(1).map(decodeURIComponent));
        break;
      }
    }
    view = view || notFoundView();
    document.title = `${view.title} · Acme Projects`;
    for (const link of document.querySelectorAll('.nav-link')) {
      if (link.dataset.tourId === `nav-${view.nav}`) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    document.querySelector('main').replaceChildren(...view.content);
    window.scrollTo(0, 0);
  }

  function navigate(path) {
    const url = new URL(path, location.href);
    if (url.origin !== location.origin) {
      location.assign(url.href);
      return;
    }
    if (url.pathname + url.search + url.hash !== location.pathname + location.search + location.hash) {
      history.pushState(null, '', url.pathname + url.search + url.hash);
    }
    render();
  }

  // Same-origin links are routed in the page; modified clicks (new tab,
  // download) and other origins keep the browser's behaviour.
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest('a[href]');
    if (!link || link.target || link.hasAttribute('download')) return;
    const url = new URL(link.href);
    if (url.origin !== location.origin) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });

  window.addEventListener('popstate', render);

  // ---- Create-project dialog ----------------------------------------------

  const dialog = document.querySelector('dialog.create-project');
  const createForm = document.getElementById('create-project-form');
  const createError = createForm.querySelector('.field-error');

  function openCreateDialog() {
    createForm.reset();
    createError.hidden = true;
    dialog.showModal();
    createForm.elements.name.focus();
  }

  dialog.querySelector('[data-tour-id="create-project-cancel"]').addEventListener('click', () => dialog.close());

  createForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = createForm.elements.name.value.trim();
    if (!name) {
      createError.hidden = false;
      createForm.elements.name.focus();
      return;
    }
    const slug = slugify(name);
    state.projects.push({
      slug, name, visibility: createForm.elements.visibility.value,
      description: 'New project', members: [['ana', 'Owner']], openTasks: 0, doneTasks: 0,
    });
    state.justCreated = slug;
    state.query = '';
    dialog.close();
    navigate('/projects');
  });

  // The studio's scenario player and tours navigate like a user would.
  window.acme = { navigate, state };

  render();
})();
