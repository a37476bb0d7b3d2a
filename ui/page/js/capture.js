// Live capture, in the studio's isolated world of every document: reports
// what the user does as PostHog autocapture events ($pageview, $autocapture
// click/submit/change, $rageclick, $pageleave) with `$elements_chain` built
// from the real DOM path the way posthog-js builds it. Independent of the
// page: it works whether or not the page runs posthog-js. The studio adds
// the identity ($session_id, distinct_id, token) and the time.
(function () {
  'use strict';
  if (window.proactiveCapture) return;
  window.proactiveCapture = true;

  const STUDIO_TAG_PREFIX = 'proactive-studio-';
  const TEXT_TAGS = new Set(['a', 'button', 'form', 'input', 'select', 'textarea', 'label']);
  const RAGE_CLICKS = 3;
  const RAGE_WINDOW_MS = 1000;
  const RAGE_RADIUS_PX = 30;

  const queue = [];
  let capture = null;
  proactiveStudio.objects.then((objects) => {
    capture = objects.capture;
    for (const event of queue.splice(0)) capture.report(JSON.stringify(event));
  });

  function send(event, properties) {
    const payload = {
      event,
      properties: Object.assign({
        $current_url: location.href,
        $host: location.host,
        $pathname: location.pathname,
        title: document.title,
        $lib: 'proactive-studio-capture',
      }, properties),
    };
    if (capture) capture.report(JSON.stringify(payload));
    else queue.push(payload);
  }

  function isStudioElement(element) {
    return !!element && element.tagName && element.tagName.toLowerCase().startsWith(STUDIO_TAG_PREFIX);
  }

  function quoteless(text) {
    return String(text).replace(/"|\\"/g, '\\"');
  }

  function directText(element) {
    let text = '';
    for (const node of element.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) text += node.textContent;
    }
    return text.replace(/\s+/g, ' ').trim().slice(0, 255);
  }

  function elementText(element) {
    const tag = element.tagName.toLowerCase();
    const text = tag === 'a' || tag === 'button' ? element.innerText || element.textContent || '' : directText(element);
    return text.replace(/\s+/g, ' ').trim().slice(0, 255);
  }

  function position(element) {
    let child = 1;
    let ofType = 1;
    for (let sibling = element.previousElementSibling; sibling; sibling = sibling.previousElementSibling) {
      child += 1;
      if (sibling.tagName === element.tagName) ofType += 1;
    }
    return { child, ofType };
  }

  // One element as posthog-js's getElementsChainString writes it: tag, sorted
  // classes, ':' and the sorted key="value" pairs.
  function chainPart(element, withText) {
    const tag = element.tagName.toLowerCase();
    let part = tag;
    const classes = Array.from(element.classList).filter((c) => c !== '').sort();
    for (const c of classes) part += '.' + c.replace(/"/g, '');
    const { child, ofType } = position(element);
    const pairs = { 'nth-child': child, 'nth-of-type': ofType };
    if (withText) {
      const text = elementText(element);
      if (text) pairs.text = text;
    }
    if (tag === 'a' && element.getAttribute('href')) pairs.href = element.getAttribute('href');
    if (element.id) pairs.attr_id = element.id;
    for (const attribute of element.attributes) {
      // Values typed into fields never leave the page.
      if (attribute.name === 'value') continue;
      pairs['attr__' + attribute.name] = attribute.value;
    }
    part += ':';
    for (const key of Object.keys(pairs).sort()) part += `${quoteless(key)}="${quoteless(pairs[key])}"`;
    return part;
  }

  // posthog-js reports a click inside a link or button as a click on it.
  function actionTarget(element) {
    const clickable = element.closest('a, button, [role="button"], input, select, textarea, label');
    return clickable || element;
  }

  function elementsChain(target) {
    const parts = [];
    for (let element = target; element && element.nodeType === Node.ELEMENT_NODE; element = element.parentElement) {
      const tag = element.tagName.toLowerCase();
      if (tag === 'html') break;
      parts.push(chainPart(element, element === target || TEXT_TAGS.has(tag)));
    }
    return parts.join(';');
  }

  function autocapture(eventType, element) {
    const target = actionTarget(element);
    const properties = {
      $event_type: eventType,
      $elements_chain: elementsChain(target),
      $el_text: elementText(target),
    };
    send('$autocapture', properties);
    return target;
  }

  const recentClicks = [];
  document.addEventListener('click', (event) => {
    if (!(event.target instanceof Element) || isStudioElement(event.target)) return;
    const target = autocapture('click', event.target);
    // Rage clicks are a person's: scripted clicks (scenarios) have no position.
    if (!event.isTrusted) return;
    const now = Date.now();
    recentClicks.push({ x: event.clientX, y: event.clientY, at: now });
    while (recentClicks.length && now - recentClicks[0].at > RAGE_WINDOW_MS) recentClicks.shift();
    const near = recentClicks.filter((c) => Math.hypot(c.x - event.clientX, c.y - event.clientY) <= RAGE_RADIUS_PX);
    if (near.length >= RAGE_CLICKS) {
      recentClicks.length = 0;
      send('$rageclick', { $event_type: 'click', $elements_chain: elementsChain(target), $el_text: elementText(target) });
    }
  }, true);
  document.addEventListener('submit', (event) => {
    if (event.target instanceof Element && !isStudioElement(event.target)) autocapture('submit', event.target);
  }, true);
  document.addEventListener('change', (event) => {
    if (event.target instanceof Element && !isStudioElement(event.target)) autocapture('change', event.target);
  }, true);

  // Route changes, each as it happens: back/forward and hash links, and the
  // page's pushState/replaceState, announced by historyhook.js from the
  // page's world. Like posthog-js, an in-app navigation is a $pageview only;
  // $pageleave is for leaving the document.
  let lastUrl = location.href;
  function checkRoute() {
    if (location.href === lastUrl) return;
    lastUrl = location.href;
    send('$pageview', {});
  }
  window.addEventListener('popstate', checkRoute);
  window.addEventListener('hashchange', checkRoute);
  window.addEventListener('proactive-studio-locationchange', checkRoute);
  window.addEventListener('pagehide', () => send('$pageleave', {}));

  send('$pageview', {});
})();
