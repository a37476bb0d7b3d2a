// The visual replay (issue 16): rrweb's Replayer in the studio's replay
// view, driven from C++ (ReplayPicture) by the replay's virtual clock. Every
// call takes the offset from the recording's first event, in ms: the C++
// side owns the time, the Replayer only draws it. The picture is scaled to
// fit the view; the tour step is drawn over the replayed element.
(function () {
  'use strict';

  let replayer = null;
  let size = { width: 1280, height: 800 };
  let stepSelector = null;

  // rrweb draws the events before an offset, those at it only once it
  // plays on: the picture at t shows everything recorded up to t included,
  // so rrweb is asked for t + 1 ms, except when a page's meta event is at
  // t + 1: from its meta event on, rrweb draws nothing of the page before.
  let metaOffsets = new Set();
  function atOrBefore(offset) {
    return metaOffsets.has(offset + 1) ? offset : offset + 1;
  }

  function stage() { return document.getElementById('stage'); }

  function fit() {
    if (!replayer) return;
    const wrapper = replayer.wrapper;
    const scale = Math.min(window.innerWidth / size.width, window.innerHeight / size.height, 1);
    const left = (window.innerWidth - size.width * scale) / 2;
    const top = (window.innerHeight - size.height * scale) / 2;
    wrapper.style.transform = `translate(${left}px, ${top}px) scale(${scale})`;
    placeStep();
  }

  function frameDocument() {
    return replayer && replayer.iframe ? replayer.iframe.contentDocument : null;
  }

  // Where an element of the replayed page is in this view.
  function boxOf(element) {
    const box = element.getBoundingClientRect();
    const frame = replayer.iframe.getBoundingClientRect();
    const scale = frame.width / (replayer.iframe.offsetWidth || 1);
    return { left: frame.left + box.left * scale, top: frame.top + box.top * scale,
      width: box.width * scale, height: box.height * scale };
  }

  function placeStep() {
    const ring = document.getElementById('step');
    const text = document.getElementById('stepText');
    if (stepSelector === null) { ring.hidden = true; text.hidden = true; return; }
    const doc = frameDocument();
    let element = null;
    try { element = doc ? doc.querySelector(stepSelector) : null; } catch (e) { element = null; }
    text.hidden = false;
    if (!element) {
      ring.hidden = true;
      text.classList.add('failed');
      text.style.left = '24px';
      text.style.top = '24px';
      return;
    }
    text.classList.remove('failed');
    const box = boxOf(element);
    ring.hidden = false;
    ring.style.left = `${box.left - 4}px`;
    ring.style.top = `${box.top - 4}px`;
    ring.style.width = `${box.width + 8}px`;
    ring.style.height = `${box.height + 8}px`;
    text.style.left = `${Math.max(8, box.left)}px`;
    text.style.top = `${box.top + box.height + 12}px`;
  }

  // The recording's events as they arrive, in pieces (begin, append…, load).
  let incoming = [];

  window.proactivePlayer = {
    // A new recording's events follow.
    begin() { incoming = []; },
    append(events) {
      for (const event of events) incoming.push(event);
      return incoming.length;
    },
    // Replaces the recording with the events appended since begin(); shows
    // its first frame. False without events.
    load() {
      const events = incoming;
      incoming = [];
      if (replayer) { replayer.pause(); replayer.destroy && replayer.destroy(); replayer = null; }
      stage().innerHTML = '';
      stepSelector = null;
      placeStep();
      document.getElementById('empty').hidden = events.length > 0;
      if (events.length < 2) return false;
      metaOffsets = new Set(events.filter((e) => e.type === 4).map((e) => e.timestamp - events[0].timestamp));
      replayer = new rrweb.Replayer(events, {
        root: stage(),
        mouseTail: { duration: 700, lineCap: 'round', lineWidth: 3, strokeStyle: 'rgba(79, 70, 229, 0.7)' },
        skipInactive: false,
        showWarning: false,
        showDebug: false,
        triggerFocus: false,
        insertStyleRules: [],
      });
      replayer.on('resize', (dimension) => { size = dimension; fit(); });
      const meta = events.find((e) => e.type === 4);
      if (meta && meta.data) size = { width: meta.data.width, height: meta.data.height };
      replayer.pause(0);
      fit();
      return true;
    },
    // Draws the recording at `offset` and stays there.
    pause(offset) {
      if (!replayer) return -1;
      replayer.pause(atOrBefore(offset));
      placeStep();
      return replayer.getCurrentTime();
    },
    // Plays from `offset` at `speed` (the replay's speed).
    play(offset, speed) {
      if (!replayer) return -1;
      replayer.setConfig({ speed });
      replayer.play(atOrBefore(offset));
      return replayer.getCurrentTime();
    },
    currentTime() { return replayer ? replayer.getCurrentTime() : -1; },
    // The tour's step over the replayed element; `selector` null removes
    // it. True when the selector resolves in the replayed page.
    showStep(selector, title, content) {
      stepSelector = selector;
      const text = document.getElementById('stepText');
      text.querySelector('h2').textContent = title || '';
      text.querySelector('p').textContent = content || '';
      placeStep();
      return this.resolves(selector);
    },
    resolves(selector) {
      const doc = frameDocument();
      try { return !!(doc && selector && doc.querySelector(selector)); } catch (e) { return false; }
    },
    // An expression evaluated in the replayed page (tests: what the picture shows).
    query(selector, property) {
      const doc = frameDocument();
      const element = doc ? doc.querySelector(selector) : null;
      return element ? String(element[property || 'textContent']) : null;
    },
  };
  window.addEventListener('resize', fit);
})();
