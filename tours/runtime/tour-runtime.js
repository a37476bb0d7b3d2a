// The in-page tour overlay (SPEC §7), run by the studio in its isolated
// JavaScript world of the product page: the page's scripts cannot see it,
// and its DOM lives in a closed shadow root so the page's CSS cannot reach
// it. A dimmed backdrop with a cut-out around the step's target, a popover
// with title, content, "Step i of n", Back/Next/Done and close, keyboard
// control, placement with flipping at the viewport's edges. It follows the
// target when the page scrolls, resizes or re-renders (SPA route changes
// replace elements: the target is found again by its selector).
//
// The studio drives it with proactiveTours.start(spec) and hears back
// through the `tours` object of the page bridge: report(JSON) with
// {run, type: started | step | completed | abandoned | failed, ...}.
(function () {
  'use strict';
  if (window.proactiveTours) return;

  const HOST_TAG = 'proactive-studio-tour';
  const VIEWPORT_MARGIN = 8; // popover to the viewport's edge
  const GAP = 12; // popover to the cut-out, arrow included
  const PADDING = 6; // cut-out around the target's box
  const CUTOUT_RADIUS = 8;
  const RECHECK_MS = 200; // layout-only changes (a stylesheet arriving) make no DOM mutation

  const STYLE = `
    :host { all: initial; }
    * { box-sizing: border-box; }
    .backdrop { position: fixed; inset: 0; width: 100%; height: 100%; pointer-events: none; overflow: visible; }
    .backdrop path { fill: rgba(15, 23, 42, 0.55); fill-rule: evenodd; pointer-events: auto; cursor: default; }
    .ring {
      position: fixed; pointer-events: none; border-radius: ${CUTOUT_RADIUS}px;
      box-shadow: 0 0 0 2px #ffffff, 0 0 0 4px #2563eb, 0 0 18px 4px rgba(37, 99, 235, 0.45);
    }
    .popover {
      position: fixed; left: 0; top: 0; width: max-content; max-width: min(340px, calc(100vw - ${2 * VIEWPORT_MARGIN}px));
      min-width: 240px; padding: 16px 18px 14px; border-radius: 12px; background: #ffffff; color: #1e293b;
      font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
      text-align: left; letter-spacing: normal; text-transform: none; white-space: normal;
      box-shadow: 0 18px 40px rgba(15, 23, 42, 0.28), 0 2px 8px rgba(15, 23, 42, 0.12);
      pointer-events: auto; outline: none;
    }
    .arrow {
      position: absolute; width: 14px; height: 14px; background: #ffffff; transform: rotate(45deg);
      border-radius: 2px; pointer-events: none;
    }
    .arrow[hidden] { display: none; }
    .title { margin: 0 28px 6px 0; font-size: 15px; font-weight: 650; line-height: 1.35; color: #0f172a; }
    .content { margin: 0; white-space: pre-line; color: #334155; overflow-wrap: anywhere; }
    .notice { margin: 10px 0 0; padding: 6px 10px; border-radius: 6px; background: #fef3c7; color: #92400e; font-size: 12px; }
    .notice[hidden] { display: none; }
    .footer { display: flex; align-items: center; gap: 8px; margin-top: 14px; }
    .progress { flex: 1; color: #64748b; font-size: 12px; font-variant-numeric: tabular-nums; }
    button {
      font: inherit; font-size: 13px; font-weight: 600; line-height: 1; cursor: pointer; border-radius: 7px;
      padding: 8px 14px; border: 1px solid #cbd5e1; background: #ffffff; color: #1e293b; margin: 0;
    }
    button:hover { background: #f1f5f9; }
    button:focus-visible { outline: 2px solid #2563eb; outline-offset: 2px; }
    button[hidden] { display: none; }
    .next { background: #2563eb; border-color: #2563eb; color: #ffffff; }
    .next:hover { background: #1d4ed8; border-color: #1d4ed8; }
    .close {
      position: absolute; top: 10px; right: 10px; width: 28px; height: 28px; padding: 0; border: none;
      background: transparent; color: #64748b; font-size: 20px; font-weight: 400; line-height: 28px; text-align: center;
    }
    .close:hover { background: #f1f5f9; color: #0f172a; }
  `;

  // ---- Reports to the studio ---------------------------------------------

  let reporter = null;
  const queued = [];
  if (window.proactiveStudio) {
    proactiveStudio.objects.then((objects) => {
      reporter = objects.tours || null;
      if (!reporter) {
        console.warn('proactive tours: no "tours" object on the page bridge; reports are dropped');
        return;
      }
      for (const message of queued.splice(0)) reporter.report(message);
    });
  }

  function report(current, type, fields) {
    const message = JSON.stringify(Object.assign({ run: current.run, type, tour: current.tour }, fields));
    if (reporter) reporter.report(message);
    else queued.push(message);
  }

  // ---- Finding targets -----------------------------------------------------

  function isShown(element) {
    const box = element.getBoundingClientRect();
    if (box.width <= 0 || box.height <= 0) return false;
    const visibility = getComputedStyle(element).visibility;
    return visibility !== 'hidden' && visibility !== 'collapse';
  }

  // {element, count, shown} for the first shown match (shown: how many
  // matches are shown; more than one makes the step ambiguous), else why
  // there is none.
  function probe(selector) {
    let all;
    try {
      all = document.querySelectorAll(selector);
    } catch (error) {
      return { problem: 'invalid', detail: String(error.message || error) };
    }
    const shown = Array.prototype.filter.call(all, isShown);
    if (shown.length) return { element: shown[0], count: all.length, shown: shown.length };
    return { problem: all.length ? 'hidden' : 'missing', count: all.length, shown: 0 };
  }

  // Resolves with probe()'s answer once the target is shown or the time is
  // up: SPA views mount after the route changes, so wait on the DOM itself.
  function waitForTarget(selector, timeoutMs, current) {
    return new Promise((resolve) => {
      const first = probe(selector);
      if (first.element || first.problem === 'invalid' || timeoutMs <= 0) {
        resolve(first);
        return;
      }
      let finished = false;
      const observer = new MutationObserver(check);
      const finish = () => {
        if (finished) return;
        finished = true;
        observer.disconnect();
        clearTimeout(timer);
        clearInterval(recheck);
        current.cancelWait = null;
        resolve(probe(selector));
      };
      function check() {
        if (probe(selector).element) finish();
      }
      observer.observe(document, { childList: true, subtree: true, attributes: true });
      const timer = setTimeout(finish, timeoutMs);
      const recheck = setInterval(check, RECHECK_MS);
      current.cancelWait = finish;
    });
  }

  // Most routers (React Router, Vue Router, Angular, the demo's) render the
  // route of location on popstate; this world cannot call the page's own
  // navigate function, but history and events are shared with it.
  function navigate(path) {
    const url = new URL(path, location.href);
    if (url.origin !== location.origin) {
      location.assign(url.href);
      return;
    }
    const target = url.pathname + url.search + url.hash;
    if (target !== location.pathname + location.search + location.hash) history.pushState(null, '', target);
    window.dispatchEvent(new PopStateEvent('popstate', { state: history.state }));
  }

  // ---- The overlay -----------------------------------------------------------

  let ui = null;

  function createUi() {
    const host = document.createElement(HOST_TAG);
    const root = host.attachShadow({ mode: 'closed' });
    const style = document.createElement('style');
    style.textContent = STYLE;
    const svgNs = 'http://www.w3.org/2000/svg';
    const backdrop = document.createElementNS(svgNs, 'svg');
    backdrop.setAttribute('class', 'backdrop');
    const shade = document.createElementNS(svgNs, 'path');
    backdrop.append(shade);
    const ring = document.createElement('div');
    ring.className = 'ring';
    const popover = document.createElement('div');
    popover.className = 'popover';
    popover.setAttribute('role', 'dialog');
    popover.setAttribute('aria-modal', 'false');
    popover.tabIndex = -1;
    const arrow = document.createElement('div');
    arrow.className = 'arrow';
    const close = document.createElement('button');
    close.className = 'close';
    close.type = 'button';
    close.setAttribute('aria-label', 'Close the tour');
    close.textContent = '\u00d7';
    const title = document.createElement('h2');
    title.className = 'title';
    title.id = 'title';
    popover.setAttribute('aria-labelledby', 'title');
    const content = document.createElement('p');
    content.className = 'content';
    const notice = document.createElement('p');
    notice.className = 'notice';
    notice.hidden = true;
    const progress = document.createElement('span');
    progress.className = 'progress';
    const back = document.createElement('button');
    back.className = 'back';
    back.type = 'button';
    back.textContent = 'Back';
    const next = document.createElement('button');
    next.className = 'next';
    next.type = 'button';
    const footer = document.createElement('div');
    footer.className = 'footer';
    footer.append(progress, back, next);
    popover.append(arrow, close, title, content, notice, footer);
    root.append(style, backdrop, ring, popover);

    close.addEventListener('click', () => abandon('close'));
    back.addEventListener('click', () => goBack());
    next.addEventListener('click', () => goNext());
    // Clicks on the dimmed page do nothing; the target stays usable through the cut-out.
    shade.addEventListener('mousedown', (event) => event.preventDefault());
    // Inline !important: no stylesheet of the page can hide or move the host.
    host.style.cssText = 'all: initial !important; position: fixed !important; inset: 0 !important;'
      + ' z-index: 2147483647 !important; pointer-events: none !important; display: block !important;';
    return { host, root, shade, ring, popover, arrow, close, title, content, notice, progress, back, next };
  }

  // Inside an open modal <dialog>, the overlay must join the dialog in the
  // top layer, which paints above any z-index of the document.
  function hostParent(target) {
    const dialog = target && target.closest('dialog[open]');
    return dialog || document.documentElement;
  }

  function mountUi(target) {
    if (!ui) ui = createUi();
    const parent = hostParent(target);
    if (ui.host.parentNode !== parent) parent.append(ui.host);
  }

  function unmountUi() {
    if (ui && ui.host.parentNode) ui.host.remove();
  }

  function roundedRect(x, y, w, h, r) {
    r = Math.max(0, Math.min(r, w / 2, h / 2));
    return `M${x + r} ${y}H${x + w - r}A${r} ${r} 0 0 1 ${x + w} ${y + r}V${y + h - r}`
      + `A${r} ${r} 0 0 1 ${x + w - r} ${y + h}H${x + r}A${r} ${r} 0 0 1 ${x} ${y + h - r}V${y + r}`
      + `A${r} ${r} 0 0 1 ${x + r} ${y}Z`;
  }

  const OPPOSITE = { top: 'bottom', bottom: 'top', left: 'right', right: 'left' };
  const CROSS = { top: ['right', 'left'], bottom: ['right', 'left'], left: ['bottom', 'top'], right: ['bottom', 'top'] };

  // The preferred side if the popover fits there, else its opposite, else
  // the other two; if none fits, the side with the most room.
  function chooseSide(preferred, hole, size, viewport) {
    const room = {
      top: hole.top - GAP - VIEWPORT_MARGIN,
      bottom: viewport.height - hole.bottom - GAP - VIEWPORT_MARGIN,
      left: hole.left - GAP - VIEWPORT_MARGIN,
      right: viewport.width - hole.right - GAP - VIEWPORT_MARGIN,
    };
    const need = { top: size.height, bottom: size.height, left: size.width, right: size.width };
    const order = [preferred, OPPOSITE[preferred], ...CROSS[preferred]];
    const fitting = order.find((side) => room[side] >= need[side]);
    if (fitting) return { side: fitting, fits: true };
    const best = order.reduce((a, b) => (room[b] - need[b] > room[a] - need[a] ? b : a));
    return { side: best, fits: false };
  }

  function clamp(value, low, high) {
    return Math.max(low, Math.min(value, Math.max(low, high)));
  }

  function viewportSize() {
    // clientWidth/Height leave out scroll bars; a frameset has no usable root.
    const root = document.documentElement;
    return { width: root.clientWidth || window.innerWidth, height: root.clientHeight || window.innerHeight };
  }

  // ---- The running tour ------------------------------------------------------

  let run = null; // { run, tour, steps, index, started, element, placement, ... }
  let layoutPending = false;
  let mutationObserver = null;
  let resizeObserver = null;

  function layout() {
    layoutPending = false;
    const current = run;
    if (!current || current.index < 0 || !ui) return;
    const step = current.steps[current.index];
    if (!current.element || !current.element.isConnected || !isShown(current.element)) {
      current.element = probe(step.target).element || null;
      observeTarget(current.element);
    }
    const element = current.element;
    mountUi(element);
    const viewport = viewportSize();
    const size = { width: ui.popover.offsetWidth, height: ui.popover.offsetHeight };
    const outer = `M0 0H${viewport.width}V${viewport.height}H0Z`;
    ui.notice.hidden = !!element;

    if (!element) {
      // The route changed under the tour, or the page re-renders: keep the
      // step on screen and pick the target up again when it comes back.
      ui.notice.textContent = 'The highlighted element is not on the page right now.';
      ui.shade.setAttribute('d', outer);
      ui.ring.style.display = 'none';
      ui.arrow.hidden = true;
      const left = (viewport.width - ui.popover.offsetWidth) / 2;
      const top = (viewport.height - ui.popover.offsetHeight) / 2;
      place(left, top, null);
      return;
    }

    const box = element.getBoundingClientRect();
    const hole = {
      left: box.left - PADDING, top: box.top - PADDING, right: box.right + PADDING, bottom: box.bottom + PADDING,
    };
    hole.width = hole.right - hole.left;
    hole.height = hole.bottom - hole.top;
    ui.shade.setAttribute('d', outer + roundedRect(hole.left, hole.top, hole.width, hole.height, CUTOUT_RADIUS));
    Object.assign(ui.ring.style, {
      display: 'block', left: `${hole.left}px`, top: `${hole.top}px`, width: `${hole.width}px`, height: `${hole.height}px`,
    });

    const { side, fits } = chooseSide(step.placement || 'bottom', hole, size, viewport);
    const centreX = hole.left + hole.width / 2;
    const centreY = hole.top + hole.height / 2;
    let left;
    let top;
    if (side === 'top' || side === 'bottom') {
      left = clamp(centreX - size.width / 2, VIEWPORT_MARGIN, viewport.width - size.width - VIEWPORT_MARGIN);
      top = side === 'bottom' ? hole.bottom + GAP : hole.top - GAP - size.height;
    } else {
      top = clamp(centreY - size.height / 2, VIEWPORT_MARGIN, viewport.height - size.height - VIEWPORT_MARGIN);
      left = side === 'right' ? hole.right + GAP : hole.left - GAP - size.width;
    }
    if (!fits) {
      left = clamp(left, VIEWPORT_MARGIN, viewport.width - size.width - VIEWPORT_MARGIN);
      top = clamp(top, VIEWPORT_MARGIN, viewport.height - size.height - VIEWPORT_MARGIN);
    }
    current.placement = side;
    place(left, top, fits ? { side, centreX, centreY, size } : null);
  }

  function place(left, top, arrowFor) {
    ui.popover.style.transform = `translate(${Math.round(left)}px, ${Math.round(top)}px)`;
    ui.popover.dataset.left = String(Math.round(left));
    ui.popover.dataset.top = String(Math.round(top));
    if (!arrowFor) {
      ui.arrow.hidden = true;
      return;
    }
    const { side, centreX, centreY, size } = arrowFor;
    const half = 7;
    const style = ui.arrow.style;
    style.left = style.top = style.right = style.bottom = '';
    ui.arrow.hidden = false;
    if (side === 'top' || side === 'bottom') {
      style.left = `${clamp(centreX - left - half, 14, size.width - 14 - 2 * half)}px`;
      style[side === 'bottom' ? 'top' : 'bottom'] = `${-half}px`;
    } else {
      style.top = `${clamp(centreY - top - half, 14, size.height - 14 - 2 * half)}px`;
      style[side === 'right' ? 'left' : 'right'] = `${-half}px`;
    }
  }

  function scheduleLayout() {
    if (layoutPending || !run) return;
    layoutPending = true;
    // Hidden pages get no animation frames; they still need a layout.
    if (document.visibilityState === 'visible') requestAnimationFrame(layout);
    else setTimeout(layout, 0);
  }

  function observeTarget(element) {
    if (!resizeObserver) resizeObserver = new ResizeObserver(scheduleLayout);
    resizeObserver.disconnect();
    if (element) resizeObserver.observe(element);
  }

  function listen() {
    window.addEventListener('resize', scheduleLayout);
    window.addEventListener('scroll', scheduleLayout, true);
    window.addEventListener('keydown', onKey, true);
    window.addEventListener('popstate', scheduleLayout);
    mutationObserver = new MutationObserver((records) => {
      if (ui && records.every((record) => record.target === ui.host)) return;
      // The SPA replaced the subtree the host was in (or the dialog closed).
      if (ui && run && run.index >= 0 && !ui.host.isConnected) mountUi(run.element);
      scheduleLayout();
    });
    mutationObserver.observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
  }

  function unlisten() {
    window.removeEventListener('resize', scheduleLayout);
    window.removeEventListener('scroll', scheduleLayout, true);
    window.removeEventListener('keydown', onKey, true);
    window.removeEventListener('popstate', scheduleLayout);
    if (mutationObserver) mutationObserver.disconnect();
    mutationObserver = null;
    observeTarget(null);
  }

  function isEditable(element) {
    if (!(element instanceof Element)) return false;
    return element.isContentEditable || /^(input|textarea|select)$/i.test(element.tagName);
  }

  // Esc always closes. Enter and the arrows belong to the page while the
  // user types in one of its fields, and Enter on a page control (a focused
  // link or button) keeps doing what it does.
  function onKey(event) {
    const current = run;
    if (!current || current.index < 0 || event.isComposing) return;
    const inOverlay = ui && event.composedPath().includes(ui.host);
    const consume = () => {
      event.preventDefault();
      event.stopImmediatePropagation();
    };
    if (event.key === 'Escape') {
      consume();
      abandon('escape');
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    // The shadow root is closed: only its own reference sees what has focus in it.
    const focused = inOverlay ? ui.root.activeElement : event.target;
    if (!inOverlay && isEditable(focused)) return;
    if (event.key === 'Enter') {
      if (inOverlay && focused instanceof HTMLButtonElement) return; // the button's own click
      if (!inOverlay && focused !== document.body && focused !== document.documentElement) return;
      consume();
      goNext();
    } else if (event.key === 'ArrowRight') {
      if (current.index + 1 < current.steps.length) {
        consume();
        goNext();
      }
    } else if (event.key === 'ArrowLeft') {
      if (current.index > 0) {
        consume();
        goBack();
      }
    }
  }

  function fill(current) {
    const step = current.steps[current.index];
    const last = current.index + 1 === current.steps.length;
    ui.title.textContent = step.title || '';
    ui.content.textContent = step.content || '';
    const number = current.firstNumber + current.index;
    ui.progress.textContent = `Step ${number} of ${current.total}` + (current.preview ? ' \u00b7 preview' : '');
    ui.back.hidden = current.index === 0;
    ui.next.textContent = last ? 'Done' : 'Next';
    ui.popover.setAttribute('aria-label', `${step.title || ''} (step ${number} of ${current.total})`);
  }

  function scrollIntoViewIfNeeded(element) {
    const box = element.getBoundingClientRect();
    const viewport = viewportSize();
    if (box.top >= 0 && box.left >= 0 && box.bottom <= viewport.height && box.right <= viewport.width) return;
    element.scrollIntoView({ block: box.height > viewport.height ? 'start' : 'center', inline: 'nearest' });
  }

  async function show(current, index) {
    const token = ++current.showToken; // a later Next/Back wins over this one
    if (current.cancelWait) current.cancelWait();
    const step = current.steps[index];
    if (ui && current.index >= 0) ui.popover.style.visibility = 'hidden';
    const found = await waitForTarget(step.target, current.timeoutMs, current);
    if (run !== current || current.showToken !== token) return;
    if (!found.element) {
      report(current, 'failed', {
        index, selector: step.target, problem: found.problem, count: found.count || 0,
        detail: found.detail || '', path: location.pathname, waitedMs: current.timeoutMs,
      });
      if (current.started) finish('abandoned', { reason: 'target-missing' });
      else teardown();
      return;
    }
    current.index = index;
    current.element = found.element;
    observeTarget(found.element);
    scrollIntoViewIfNeeded(found.element);
    mountUi(found.element);
    fill(current);
    ui.popover.style.visibility = '';
    layout();
    ui.popover.focus({ preventScroll: true });
    if (!current.started) {
      current.started = true;
      report(current, 'started', { total: current.steps.length });
    }
    report(current, 'step', {
      index, total: current.steps.length, selector: step.target, placement: current.placement, shown: found.shown,
    });
  }

  function goNext() {
    const current = run;
    if (!current || current.index < 0) return;
    if (current.index + 1 < current.steps.length) show(current, current.index + 1);
    else finish('completed', {});
  }

  function goBack() {
    const current = run;
    if (!current || current.index <= 0) return;
    show(current, current.index - 1);
  }

  function abandon(reason) {
    if (!run) return;
    if (run.started) finish('abandoned', { reason });
    else teardown();
  }

  function finish(type, fields) {
    const current = run;
    teardown();
    report(current, type, Object.assign({ index: current.index }, fields));
  }

  function teardown() {
    if (run && run.cancelWait) run.cancelWait();
    run = null;
    unlisten();
    unmountUi();
  }

  function start(spec) {
    if (run) abandon('replaced');
    const current = {
      run: spec.run, tour: spec.tour, steps: spec.steps, index: -1, started: false, element: null,
      timeoutMs: spec.timeoutMs ?? 5000, preview: !!spec.preview,
      firstNumber: spec.firstNumber || 1, total: spec.total || spec.steps.length, cancelWait: null, showToken: 0,
    };
    run = current;
    listen();
    if (spec.navigateTo) navigate(spec.navigateTo);
    show(current, 0);
    return true;
  }

  function rectOf(element) {
    if (!element) return null;
    const box = element.getBoundingClientRect();
    return { x: box.left, y: box.top, width: box.width, height: box.height };
  }

  // The scenario player's probe (docs/studio.md): the step on screen, 1-based.
  window.proactiveProbes = window.proactiveProbes || {};
  window.proactiveProbes.tourStep = () => (run && run.index >= 0
    ? { tourId: run.tour, step: run.firstNumber + run.index, preview: run.preview } : null);

  window.proactiveTours = {
    start,
    // Removes the overlay; a started tour is reported abandoned.
    stop: () => abandon('stopped'),
    next: goNext,
    back: goBack,
    // What is on screen, for the studio's tests and its inspector.
    state() {
      const current = run;
      if (!current) return { running: false };
      const shown = current.index >= 0 && ui && ui.host.isConnected;
      return {
        running: true, run: current.run, tour: current.tour, index: current.index, total: current.total,
        started: current.started, placement: current.placement || null, path: location.pathname,
        title: shown ? ui.title.textContent : null,
        progress: shown ? ui.progress.textContent : null,
        nextLabel: shown ? ui.next.textContent : null,
        backShown: shown ? !ui.back.hidden : false,
        targetFound: !!current.element,
        target: rectOf(current.element),
        popover: shown ? rectOf(ui.popover) : null,
        buttons: shown ? { next: rectOf(ui.next), back: ui.back.hidden ? null : rectOf(ui.back), close: rectOf(ui.close) } : null,
        hostParent: shown ? ui.host.parentNode.nodeName.toLowerCase() : null,
      };
    },
  };
})();
