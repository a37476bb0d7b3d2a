// The visual replay (issue 16): rrweb's Replayer in the studio's replay
// view, driven from C++ (ReplayPicture) by the replay's virtual clock. Every
// call takes the offset from the recording's first event, in ms: the C++
// side owns the time, the Replayer only draws it. The picture is scaled to
// fit the view; the tour step is drawn over the replayed element.
//
// Seeking: rrweb moves a Replayer forwards by applying the events in
// between, but backwards it rebuilds the page from the last full snapshot
// and applies every event since (~10 µs each): with one full snapshot in a
// 30-minute recording, a seek near its end applies 60 000 events. So the
// player keeps a pool of Replayers over the same events, each parked at a
// home moment (one every kSegmentEvents events since a full snapshot), plus
// a free one; a seek moves whichever Replayer is cheapest to bring there
// and shows it. The moved one walks back home in the background, in steps,
// once seeking and playing have stopped.
(function () {
  'use strict';

  // Events a seek applies at most once the pool is parked.
  const kSegmentEvents = 5000;
  const kMaxHomes = 12;
  // The pool's memory bound. A parked Replayer costs mostly its rebuilt page
  // (Blink's nodes with their style and layout, rrweb's mirror of them):
  // ~6 MB on the bench's 408-element list page, about 15 KB an element. The
  // pool gets as many Replayers as the recording's largest page allows
  // within the budget, so a heavier page means fewer, farther apart.
  const kBytesPerElement = 15 * 1024;
  const kPoolBudgetBytes = 64 * 1024 * 1024;
  // A rebuild from a full snapshot costs about as much as this many events.
  const kRebuildEvents = 500;
  // Background walking: events per step, and the quiet time before it starts.
  const kWalkEvents = 8000;
  const kWalkDelayMs = 300;

  let events = [];
  let eventOffsets = []; // each event's offset, ascending
  let metaList = []; // the meta events' offsets, ascending: rrweb rebuilds from the last one
  let homes = []; // offsets the pool's Replayers are parked at
  let homesByEvents = 0; // the homes the events alone would give (tests)
  let replayerBytes = 0; // what a Replayer of the recording's largest page is estimated to cost
  let pool = []; // { replayer, root, home (null: free), at }
  let shown = null;
  let playing = false;
  let walkTimer = null;
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
    const scale = Math.min(window.innerWidth / size.width, window.innerHeight / size.height, 1);
    const left = (window.innerWidth - size.width * scale) / 2;
    const top = (window.innerHeight - size.height * scale) / 2;
    const transform = `translate(${left}px, ${top}px) scale(${scale})`;
    for (const member of pool)
      member.replayer.wrapper.style.transform = transform;
    const widgets = document.getElementById('viewport').style;
    widgets.inset = 'auto';
    widgets.left = widgets.top = '0';
    widgets.width = `${size.width}px`;
    widgets.height = `${size.height}px`;
    widgets.transform = transform;
    placeStep();
  }

  const replayer = () => (shown ? shown.replayer : null);

  function frameDocument() {
    return shown && shown.replayer.iframe ? shown.replayer.iframe.contentDocument : null;
  }

  // How many of `offsets` are at or before `offset`.
  function countUpTo(offsets, offset) {
    let low = 0;
    let high = offsets.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (offsets[middle] <= offset) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  // Where rrweb starts when a Replayer goes to `offset` from behind it.
  function metaBefore(offset) {
    const n = countUpTo(metaList, offset);
    return n > 0 ? metaList[n - 1] : 0;
  }

  // The events rrweb applies to bring `member` to `offset`.
  function cost(member, offset) {
    const at = positionOf(member);
    if (at <= offset) return countUpTo(eventOffsets, offset) - countUpTo(eventOffsets, Math.max(at, metaBefore(offset)));
    return kRebuildEvents + countUpTo(eventOffsets, offset) - countUpTo(eventOffsets, metaBefore(offset));
  }

  function positionOf(member) {
    return member === shown && playing ? member.replayer.getCurrentTime() : member.at;
  }

  // rrweb skips the events up to the last one it applied when it moves
  // forwards; a Replayer put back to a moment where it applies nothing (at or
  // before the first event, or exactly at a meta event) keeps a stale "last
  // applied" and would skip the page's rebuild on its next move forwards. So
  // the player only asks for moments after such a point.
  function safe(offset) {
    return offset <= 0 || metaOffsets.has(offset) ? Math.max(offset, 0) + 1 : offset;
  }

  // The elements of the largest page the recording's full snapshots build.
  function largestPage() {
    let largest = 0;
    for (const event of events) {
      if (event.type !== 2 || !event.data || !event.data.node) continue;
      let elements = 0;
      const pending = [event.data.node];
      while (pending.length) {
        const node = pending.pop();
        if (node.type === 2) ++elements;
        if (node.childNodes) for (const child of node.childNodes) pending.push(child);
      }
      largest = Math.max(largest, elements);
    }
    return largest;
  }

  // How many homes the budget allows: a pool of more than one Replayer is
  // its homes plus a free one.
  function homesAllowed() {
    const replayers = Math.floor(kPoolBudgetBytes / replayerBytes);
    return replayers >= 3 ? Math.min(kMaxHomes, replayers - 1) : 1;
  }

  // A home every kSegmentEvents events after a meta event or the home before.
  function homesOf() {
    const result = [safe(0)];
    let since = 0;
    for (let i = 0; i < events.length; ++i) {
      if (events[i].type === 4) since = i;
      else if (i - since >= kSegmentEvents) {
        result.push(safe(eventOffsets[i]));
        since = i;
      }
    }
    homesByEvents = result.length;
    const allowed = homesAllowed();
    if (result.length <= allowed) return result;
    // Too many for the memory: spread the allowed number evenly.
    return Array.from({ length: allowed }, (_, k) => result[Math.floor((k * result.length) / allowed)]);
  }

  // Puts a Replayer at `offset`, paused. rrweb's pause(offset) plays from
  // the offset and pauses at once; on the way it makes a timed action (three
  // objects) for every event after the offset, which the pause then drops
  // unrun. Made before the events up to the offset are applied, they live
  // long enough to reach V8's old generation: up to 60 000 at every move on
  // a long recording, garbage that had the page's JS heap at ~160 MB when
  // the pool had parked (bench; ~65 MB without). The timer takes no action
  // during such a move (nothing could run it: the pause clears the timer
  // before its first frame).
  function putAt(replayer, offset) {
    const timer = replayer.timer;
    timer.addAction = () => {};
    try {
      replayer.pause(offset);
    } finally {
      delete timer.addAction;
    }
  }

  function addReplayer(home) {
    const root = document.createElement('div');
    root.className = 'member';
    stage().appendChild(root);
    const replayer = new rrweb.Replayer(events, {
      root,
      mouseTail: { duration: 700, lineCap: 'round', lineWidth: 3, strokeStyle: 'rgba(79, 70, 229, 0.7)' },
      skipInactive: false,
      showWarning: false,
      showDebug: false,
      triggerFocus: false,
      insertStyleRules: [],
    });
    replayer.on('resize', (dimension) => { size = dimension; fit(); });
    putAt(replayer, 0);
    const member = { replayer, root, home, at: 0 };
    pool.push(member);
    root.style.visibility = shown ? 'hidden' : 'visible';
    fit();
    return member;
  }

  function stopPlaying() {
    if (!playing) return;
    shown.at = shown.replayer.getCurrentTime();
    shown.replayer.pause();
    playing = false;
  }

  function show(member) {
    if (member === shown) return;
    if (shown) {
      stopPlaying();
      shown.root.style.visibility = 'hidden';
    }
    shown = member;
    shown.root.style.visibility = 'visible';
  }

  // Puts the cheapest Replayer at `offset` (rrweb's time), paused, and shows it.
  function moveTo(requested) {
    const offset = safe(requested);
    let best = shown;
    let bestCost = cost(shown, offset);
    for (const member of pool) {
      const c = cost(member, offset);
      if (c < bestCost) { best = member; bestCost = c; }
    }
    show(best);
    putAt(best.replayer, offset);
    best.at = offset;
  }

  // One step of the background work: the next Replayer of the pool made,
  // or one not at home walked a step towards it. Never while playing.
  function walk() {
    walkTimer = null;
    if (playing || !shown) return;
    if (pool.length < homes.length + 1 && homes.length > 1) {
      addReplayer(pool.length < homes.length ? homes[pool.length] : null);
    } else {
      const member = pool.find((m) => m !== shown && m.home !== null && m.at !== m.home);
      if (!member) return;
      const from = member.at < member.home ? member.at : metaBefore(member.home);
      const next = countUpTo(eventOffsets, from) + kWalkEvents;
      const to = next < eventOffsets.length ? Math.min(member.home, safe(eventOffsets[next])) : member.home;
      putAt(member.replayer, to);
      member.at = to;
    }
    walkTimer = setTimeout(walk, 0);
  }

  function walkLater() {
    clearTimeout(walkTimer);
    walkTimer = setTimeout(walk, kWalkDelayMs);
  }

  // Where an element of the replayed page is in this view.
  function boxOf(element) {
    const box = element.getBoundingClientRect();
    const frame = replayer().iframe.getBoundingClientRect();
    const scale = frame.width / (replayer().iframe.offsetWidth || 1);
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
      clearTimeout(walkTimer);
      walkTimer = null;
      for (const member of pool) { member.replayer.pause(); member.replayer.destroy(); }
      pool = [];
      shown = null;
      playing = false;
      events = incoming.sort((a, b) => a.timestamp - b.timestamp);
      incoming = [];
      stage().innerHTML = '';
      stepSelector = null;
      placeStep();
      document.getElementById('empty').hidden = events.length > 0;
      if (events.length < 2) {
        events = [];
        document.getElementById('viewport').removeAttribute('style');
        return false;
      }
      eventOffsets = events.map((e) => e.timestamp - events[0].timestamp);
      metaList = events.filter((e) => e.type === 4).map((e) => e.timestamp - events[0].timestamp);
      metaOffsets = new Set(metaList);
      const meta = events.find((e) => e.type === 4);
      if (meta && meta.data) size = { width: meta.data.width, height: meta.data.height };
      replayerBytes = Math.max(1, largestPage()) * kBytesPerElement;
      homes = homesOf();
      show(addReplayer(homes[0]));
      fit();
      walkLater();
      return true;
    },
    // Draws the recording at `offset` and stays there.
    pause(offset) {
      if (!shown) return -1;
      stopPlaying();
      moveTo(atOrBefore(offset));
      placeStep();
      walkLater();
      return shown.replayer.getCurrentTime();
    },
    // Plays from `offset` at `speed` (the replay's speed).
    play(offset, speed) {
      if (!shown) return -1;
      const time = atOrBefore(offset);
      stopPlaying();
      moveTo(time);
      shown.replayer.setConfig({ speed });
      shown.replayer.play(time);
      playing = true;
      clearTimeout(walkTimer);
      walkTimer = null;
      return shown.replayer.getCurrentTime();
    },
    // The pool is complete and every Replayer is at home (benchmarks, tests).
    settled() {
      return walkTimer === null && (homes.length <= 1 || pool.length === homes.length + 1)
        && pool.every((m) => m === shown || m.home === null || m.at === m.home);
    },
    poolSize() { return pool.length; },
    // The pool's memory budget, a Replayer's estimated cost and the homes the
    // events alone would give (tests, benchmarks).
    poolBudget() { return JSON.stringify({ budgetBytes: kPoolBudgetBytes, replayerBytes, homesByEvents }); },
    // Each Replayer's home and moment, and which is shown (tests' messages).
    poolState() { return JSON.stringify(pool.map((m) => ({ home: m.home, at: m.at, shown: m === shown }))); },
    currentTime() { return shown ? shown.replayer.getCurrentTime() : -1; },
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
