// Runs in the page's own world, before the page's scripts: its
// history.pushState and replaceState cannot be seen from the studio's
// isolated world, so they announce themselves with a DOM event, which every
// world receives. posthog-js patches history the same way for the pageviews
// of single-page apps. Nothing of the studio is reachable from here.
(function () {
  'use strict';
  for (const name of ['pushState', 'replaceState']) {
    const original = history[name];
    history[name] = function (...args) {
      const result = original.apply(this, args);
      window.dispatchEvent(new Event('proactive-studio-locationchange'));
      return result;
    };
  }
})();
