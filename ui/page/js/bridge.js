// Runs first in the studio's isolated world of every document: opens the one
// QWebChannel all studio scripts share. `proactiveStudio.objects` resolves to
// the C++ objects registered on the PageBridge, by name.
(function () {
  'use strict';
  if (window.proactiveStudio) return;
  let resolveObjects;
  const objects = new Promise((resolve) => { resolveObjects = resolve; });
  window.proactiveStudio = { objects };
  function open() {
    if (typeof qt === 'undefined' || !qt.webChannelTransport) {
      // The transport is installed right after document creation.
      setTimeout(open, 0);
      return;
    }
    new QWebChannel(qt.webChannelTransport, (channel) => resolveObjects(channel.objects));
  }
  open();
})();
