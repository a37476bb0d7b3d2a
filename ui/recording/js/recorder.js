// Records the product page with rrweb (issue 16), in the studio's isolated
// world of every document, after rrweb's own bundle. While the studio's
// `recording` object is active, rrweb's events go to C++ in batches: at most
// every 250 ms, or at once when 100 are waiting, and when the page is left.
// Inputs are masked unless the studio says otherwise; the studio's own
// elements (toast, chat, tour, picker) are blocked: rrweb records a box of
// their size, not their content.
(function () {
  'use strict';
  if (window.proactiveRecorder || typeof rrweb === 'undefined') return;
  window.proactiveRecorder = true;

  const BATCH_EVENTS = 100;
  const BATCH_MS = 250;
  const STUDIO_ELEMENTS = 'proactive-studio-widget, proactive-studio-chat, proactive-studio-tour, proactive-studio-picker';

  let recording = null;
  let stopRecord = null;
  let pending = [];
  let timer = null;

  function flush() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!recording || pending.length === 0) return;
    recording.append(JSON.stringify(pending));
    pending = [];
  }

  function emit(event) {
    pending.push(event);
    if (pending.length >= BATCH_EVENTS) flush();
    else if (!timer) timer = setTimeout(flush, BATCH_MS);
  }

  function apply() {
    if (stopRecord) {
      flush();
      stopRecord();
      stopRecord = null;
    }
    if (!recording.active) return;
    stopRecord = rrweb.record({
      emit,
      maskAllInputs: recording.maskInputs,
      blockSelector: STUDIO_ELEMENTS,
      // A full snapshot every 5 minutes besides each page load: seeking
      // rebuilds from the last one before the moment.
      checkoutEveryNms: 5 * 60 * 1000,
      recordCanvas: false,
      collectFonts: false,
    });
  }

  proactiveStudio.objects.then((objects) => {
    recording = objects.recording;
    recording.activeChanged.connect(apply);
    apply();
  });
  window.addEventListener('pagehide', flush);
})();
