// The tour editor's element picker, in the studio's isolated world of the
// product page: while picking, the element under the pointer is outlined
// with the selector the studio would use; a click picks it (the page never
// sees that click), Esc cancels, ArrowUp/ArrowDown walk to the parent and
// back. Reports through the page bridge's `picker` object:
// {type: 'picked', selector, description, count} or {type: 'cancelled'}.
//
// The selector is the most stable one that names the element alone on this
// page: a data-tour-id (or a test id), then a stable-looking #id, then a
// distinctive attribute (name, aria-label, placeholder, href...), then the
// shortest path of child steps up to an anchored ancestor or <body>.
(function () {
  'use strict';
  if (window.proactivePicker) return;

  const HOST_TAG = 'proactive-studio-picker';
  const TEST_ATTRIBUTES = ['data-tour-id', 'data-testid', 'data-test-id', 'data-test', 'data-cy', 'data-qa'];
  const DISTINCTIVE_ATTRIBUTES = ['name', 'aria-label', 'placeholder', 'title', 'alt', 'for', 'href', 'role', 'type'];
  const CLICKABLE = 'a[href], button, input, select, textarea, label, summary, [role="button"], [role="link"], [role="tab"], [role="menuitem"]';
  // Ids and classes a framework or build generated: they change between builds or renders.
  // (A hash has a digit: "feedback" is a word, "3fa9c0" is not.)
  const GENERATED = /^(css|sc|jsx|emotion|svelte|styled|ember|react|mui|radix|headlessui)[-_]|(?=[a-f]*\d)[0-9a-f]{6,}|\d{3,}|__[A-Za-z0-9]{4,}$|^:|:$/i;
  const STATE_CLASS = /^(is|has)-|^(active|hover|focus|focused|selected|open|opened|closed|disabled|visible|hidden|current|show|collapsed|expanded)$/;
  const SWALLOWED = ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'click', 'dblclick', 'auxclick', 'contextmenu'];

  let reporter = null;
  if (window.proactiveStudio) {
    proactiveStudio.objects.then((objects) => {
      reporter = objects.picker || null;
    });
  }
  function report(message) {
    if (reporter) reporter.report(JSON.stringify(message));
    else console.warn('proactive picker: no "picker" object on the page bridge');
  }

  // ---- Selectors ------------------------------------------------------------

  function quoted(value) {
    return '"' + value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\a ') + '"';
  }

  function uniqueFor(selector, element) {
    try {
      const all = document.querySelectorAll(selector);
      return all.length === 1 && all[0] === element;
    } catch (error) {
      return false;
    }
  }

  function stableId(element) {
    return element.id && !GENERATED.test(element.id) && !/\s/.test(element.id) ? element.id : null;
  }

  function stableClasses(element) {
    return Array.from(element.classList).filter((name) => !GENERATED.test(name) && !STATE_CLASS.test(name));
  }

  // Selectors that name the element by itself, most stable first.
  function ownSelectors(element) {
    const tag = element.localName;
    const out = [];
    for (const name of TEST_ATTRIBUTES) {
      const value = element.getAttribute(name);
      if (value) out.push(`[${name}=${quoted(value)}]`);
    }
    const id = stableId(element);
    if (id) out.push('#' + CSS.escape(id));
    for (const name of DISTINCTIVE_ATTRIBUTES) {
      const value = element.getAttribute(name);
      if (value && value.length <= 80 && !GENERATED.test(value)) out.push(`${tag}[${name}=${quoted(value)}]`);
    }
    const classes = stableClasses(element);
    for (const name of classes) out.push(`${tag}.${CSS.escape(name)}`);
    if (classes.length > 1) out.push(tag + classes.map((name) => '.' + CSS.escape(name)).join(''));
    return out;
  }

  // An ancestor that can start a path: named by a test attribute or an id.
  function anchorOf(element) {
    for (const name of TEST_ATTRIBUTES) {
      const value = element.getAttribute(name);
      if (value && uniqueFor(`[${name}=${quoted(value)}]`, element)) return `[${name}=${quoted(value)}]`;
    }
    const id = stableId(element);
    if (id && uniqueFor('#' + CSS.escape(id), element)) return '#' + CSS.escape(id);
    return null;
  }

  // One child step: the tag with up to two stable classes, and its position
  // among same-tag siblings when those classes do not single it out.
  function stepFor(element) {
    let step = element.localName + stableClasses(element).slice(0, 2).map((name) => '.' + CSS.escape(name)).join('');
    const parent = element.parentElement;
    if (!parent) return step;
    const siblings = Array.from(parent.children).filter((child) => child !== element && child.matches(step));
    if (siblings.length) {
      const sameTag = Array.from(parent.children).filter((child) => child.localName === element.localName);
      step += `:nth-of-type(${sameTag.indexOf(element) + 1})`;
    }
    return step;
  }

  function pathSelector(element) {
    const steps = [];
    for (let node = element; node && node.nodeType === Node.ELEMENT_NODE; node = node.parentElement) {
      const anchor = node === element ? null : anchorOf(node);
      if (anchor) {
        const anchored = [anchor, ...steps].join(' > ');
        if (uniqueFor(anchored, element)) return anchored;
      }
      steps.unshift(stepFor(node));
      const candidate = steps.join(' > ');
      if (uniqueFor(candidate, element)) return candidate;
      if (node.localName === 'body' || node.localName === 'html') break;
    }
    return steps.join(' > ');
  }

  function bestSelector(element) {
    for (const selector of ownSelectors(element)) if (uniqueFor(selector, element)) return selector;
    return pathSelector(element);
  }

  function describe(element) {
    const tag = element.localName;
    const text = (element.getAttribute('aria-label') || element.innerText || element.textContent || '')
      .replace(/\s+/g, ' ').trim();
    if (text) return `${tag} "${text.length > 40 ? text.slice(0, 39) + '\u2026' : text}"`;
    for (const name of ['placeholder', 'name', 'title', 'alt']) {
      const value = element.getAttribute(name);
      if (value) return `${tag} (${name} "${value}")`;
    }
    return tag;
  }

  // ---- The picking session ----------------------------------------------------

  let active = false;
  let ui = null;
  let pointed = null; // under the pointer, adjusted to what it belongs to
  let chosen = null; // pointed, or an ancestor chosen with ArrowUp
  let selector = '';

  function createUi() {
    const host = document.createElement(HOST_TAG);
    host.style.cssText = 'all: initial !important; position: fixed !important; inset: 0 !important;'
      + ' z-index: 2147483647 !important; pointer-events: none !important; display: block !important;';
    const root = host.attachShadow({ mode: 'closed' });
    const style = document.createElement('style');
    style.textContent = `
      .box { position: fixed; pointer-events: none; border: 2px solid #f97316; border-radius: 4px;
             background: rgba(249, 115, 22, 0.12); box-shadow: 0 0 0 1px rgba(255, 255, 255, 0.8); }
      .label { position: fixed; pointer-events: none; max-width: 60vw; padding: 4px 8px; border-radius: 6px;
               background: #0f172a; color: #f8fafc; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace;
               white-space: nowrap; overflow: hidden; text-overflow: ellipsis; box-shadow: 0 4px 12px rgba(0,0,0,.25); }
      [hidden] { display: none; }
    `;
    const box = document.createElement('div');
    box.className = 'box';
    const label = document.createElement('div');
    label.className = 'label';
    root.append(style, box, label);
    return { host, box, label };
  }

  function adjust(element) {
    if (!(element instanceof Element) || (ui && element === ui.host)) return null;
    return element.closest(CLICKABLE) || element;
  }

  function highlight(element) {
    chosen = element;
    if (!element) {
      ui.box.hidden = ui.label.hidden = true;
      return;
    }
    selector = bestSelector(element);
    const box = element.getBoundingClientRect();
    ui.box.hidden = ui.label.hidden = false;
    Object.assign(ui.box.style, {
      left: `${box.left - 2}px`, top: `${box.top - 2}px`, width: `${box.width + 4}px`, height: `${box.height + 4}px`,
    });
    ui.label.textContent = selector;
    const above = box.top - 30;
    ui.label.style.left = `${Math.max(4, box.left)}px`;
    ui.label.style.top = `${above >= 4 ? above : box.bottom + 6}px`;
  }

  function onMove(event) {
    const element = adjust(event.target);
    if (element && element !== pointed) {
      pointed = element;
      highlight(element);
    }
  }

  function swallow(event) {
    event.preventDefault();
    event.stopImmediatePropagation();
    if (event.type !== 'click' || event.button !== 0) return;
    const element = chosen || adjust(event.target);
    if (!element) return;
    const picked = bestSelector(element);
    stop();
    report({ type: 'picked', selector: picked, description: describe(element), count: document.querySelectorAll(picked).length });
  }

  function onKey(event) {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopImmediatePropagation();
      stop();
      report({ type: 'cancelled' });
    } else if (event.key === 'ArrowUp' && chosen && chosen.parentElement && chosen.parentElement !== document.documentElement) {
      event.preventDefault();
      event.stopImmediatePropagation();
      highlight(chosen.parentElement);
    } else if (event.key === 'ArrowDown' && chosen && pointed && chosen !== pointed && chosen.contains(pointed)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      let child = pointed;
      while (child.parentElement !== chosen) child = child.parentElement;
      highlight(child);
    }
  }

  function onScroll() {
    if (chosen) highlight(chosen);
  }

  function start() {
    if (active) return true;
    active = true;
    if (!ui) ui = createUi();
    document.documentElement.append(ui.host);
    pointed = chosen = null;
    highlight(null);
    window.addEventListener('mousemove', onMove, true);
    window.addEventListener('mouseover', onMove, true);
    for (const type of SWALLOWED) window.addEventListener(type, swallow, true);
    window.addEventListener('keydown', onKey, true);
    window.addEventListener('scroll', onScroll, true);
    document.documentElement.style.setProperty('cursor', 'crosshair', 'important');
    return true;
  }

  function stop() {
    if (!active) return;
    active = false;
    window.removeEventListener('mousemove', onMove, true);
    window.removeEventListener('mouseover', onMove, true);
    for (const type of SWALLOWED) window.removeEventListener(type, swallow, true);
    window.removeEventListener('keydown', onKey, true);
    window.removeEventListener('scroll', onScroll, true);
    document.documentElement.style.removeProperty('cursor');
    ui.host.remove();
  }

  window.proactivePicker = {
    start,
    cancel() {
      if (!active) return;
      stop();
      report({ type: 'cancelled' });
    },
    active: () => active,
    // The selector and description the picker proposes for an element, for
    // the studio's tests and for re-checking an existing target.
    selectorFor: (element) => bestSelector(element),
    describe,
    current: () => (active && chosen ? { selector, description: describe(chosen) } : null),
  };
})();
