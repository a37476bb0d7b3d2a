// Target lint, in the studio's isolated world of a product page opened on a
// tour's route: waits for the steps' targets to mount (up to a timeout), then
// says per step whether the target is found once, not found, found more
// than once, hidden or zero-size, or covered by another element at its
// centre (what a user's click there would hit). Reports through the page
// bridge's `lint` object: {token, path, results: [{status, matches, detail}]}.
(function () {
  'use strict';
  if (window.proactiveLint) return;

  let reporter = null;
  const queued = [];
  if (window.proactiveStudio) {
    proactiveStudio.objects.then((objects) => {
      reporter = objects.lint || null;
      if (reporter) for (const message of queued.splice(0)) reporter.report(message);
    });
  }
  function report(message) {
    const text = JSON.stringify(message);
    if (reporter) reporter.report(text);
    else queued.push(text);
  }

  function count(selector) {
    try {
      return document.querySelectorAll(selector).length;
    } catch (error) {
      return -1;
    }
  }

  function waitForAll(selectors, timeoutMs) {
    return new Promise((resolve) => {
      const ready = () => selectors.every((selector) => count(selector) !== 0);
      if (ready()) {
        resolve();
        return;
      }
      const observer = new MutationObserver(() => {
        if (ready()) finish();
      });
      const timer = setTimeout(finish, timeoutMs);
      function finish() {
        observer.disconnect();
        clearTimeout(timer);
        resolve();
      }
      observer.observe(document, { childList: true, subtree: true, attributes: true });
    });
  }

  function describe(element) {
    let text = element.localName;
    if (element.id) text += '#' + element.id;
    for (const name of Array.from(element.classList).slice(0, 2)) text += '.' + name;
    const tourId = element.getAttribute('data-tour-id');
    if (tourId) text += `[data-tour-id="${tourId}"]`;
    return text;
  }

  function hiddenReason(element) {
    const box = element.getBoundingClientRect();
    if (box.width <= 0 || box.height <= 0) {
      for (let node = element; node && node.nodeType === Node.ELEMENT_NODE; node = node.parentElement) {
        if (getComputedStyle(node).display === 'none') {
          return node === element ? 'display: none' : `inside ${describe(node)}, which has display: none`;
        }
      }
      return `zero size (${Math.round(box.width)}\u00d7${Math.round(box.height)})`;
    }
    const style = getComputedStyle(element);
    if (style.visibility === 'hidden' || style.visibility === 'collapse') return `visibility: ${style.visibility}`;
    for (let node = element; node && node.nodeType === Node.ELEMENT_NODE; node = node.parentElement) {
      if (getComputedStyle(node).opacity === '0') {
        return node === element ? 'opacity: 0' : `inside ${describe(node)}, which has opacity: 0`;
      }
    }
    return null;
  }

  function checkOne(selector) {
    let all;
    try {
      all = document.querySelectorAll(selector);
    } catch (error) {
      return { status: 'invalid', matches: 0, detail: String(error.message || error) };
    }
    if (all.length === 0) return { status: 'not-found', matches: 0, detail: '' };
    if (all.length > 1) {
      return { status: 'multiple', matches: all.length, detail: Array.from(all).slice(0, 3).map(describe).join(', ') };
    }
    const element = all[0];
    const hidden = hiddenReason(element);
    if (hidden) return { status: 'hidden', matches: 1, detail: hidden };
    element.scrollIntoView({ block: 'center', inline: 'center' });
    const box = element.getBoundingClientRect();
    const root = document.documentElement;
    const x = Math.min(Math.max(box.left + box.width / 2, 0), root.clientWidth - 1);
    const y = Math.min(Math.max(box.top + box.height / 2, 0), root.clientHeight - 1);
    const hit = document.elementFromPoint(x, y);
    if (!hit) return { status: 'covered', matches: 1, detail: 'its centre is outside the viewport' };
    if (hit !== element && !element.contains(hit)) {
      return { status: 'covered', matches: 1, detail: `by ${describe(hit)}` };
    }
    return { status: 'found', matches: 1, detail: '' };
  }

  window.proactiveLint = {
    check(token, selectors, timeoutMs) {
      waitForAll(selectors, timeoutMs).then(() => {
        report({ token, path: location.pathname, results: selectors.map(checkOne) });
      });
      return true;
    },
  };
})();
