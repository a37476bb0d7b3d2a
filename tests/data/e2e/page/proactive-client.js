// The tutorial's client (sections 1–3) in plain JS: poll /context, render
// the toast, report the user's answer to /agent_state. Same logic as
// useProactiveTriggers.ts, ProactiveHelpToast.tsx and proactiveAgentState.ts;
// the intervals are settings (window.e2eSettings) instead of constants, and
// every poll and /agent_state answer is logged in window.proactiveClient for
// the test to read. Beyond the tutorial, SPEC §8 "§4 Client": the toast hides
// itself interaction_timeout_s after it appeared, and an offer whose poll was
// sent from a page the user has left meanwhile is dropped, not shown.
(function () {
  'use strict';

  const settings = window.e2eSettings;
  const CONNECTOR_URL = settings.connectorUrl;
  const PRODUCT_ID = settings.productId;
  const POLL_INTERVAL_MS = settings.pollIntervalMs;
  // Short local suppression bridging the gap between a dismiss POST and the
  // next poll observing the updated server state.
  const LOCAL_RACE_WINDOW_MS = settings.raceWindowMs;

  const log = { polls: [], agentStates: [], expired: [], dropped: [] };
  window.proactiveClient = log;

  let trigger = null;
  let expiryTimer = 0;
  const cooldowns = new Map();

  // The page as the client compares it: the URL without its fragment
  // (docs/decisions.md).
  function currentPage() {
    return location.href.split('#')[0];
  }

  function emitAgentStateEvent(event) {
    const sessionId = posthog.get_session_id?.();
    if (!sessionId) return;
    const conversationId = `proactive:${sessionId}`;
    // Fire-and-forget as in the tutorial; the answer is only logged.
    void fetch(`${CONNECTOR_URL}/agent_state/${PRODUCT_ID}/${encodeURIComponent(conversationId)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ event }),
    })
      .then(async (resp) => log.agentStates.push({ event, status: resp.status, body: await resp.json() }))
      .catch(() => log.agentStates.push({ event, status: 0, body: null }));
  }

  function setTrigger(next) {
    if (next && trigger && next.trigger_id === trigger.trigger_id) return;
    trigger = next;
    window.clearTimeout(expiryTimer);
    // The connector forgets the offer after its interaction timeout: hide
    // the toast then, so the user never answers a dead offer.
    const timeoutS = next?.interaction_timeout_s ?? 0;
    if (timeoutS > 0) {
      expiryTimer = window.setTimeout(() => {
        log.expired.push({ triggerId: next.trigger_id });
        setTrigger(null);
      }, timeoutS * 1000);
    }
    renderToast();
  }

  function renderToast() {
    const root = document.getElementById('toast-root');
    root.replaceChildren();
    if (!trigger) return;
    const toast = document.createElement('div');
    toast.id = 'proactive-toast';
    toast.dataset.triggerId = trigger.trigger_id;
    const body = document.createElement('p');
    body.className = 'body';
    body.textContent = trigger.body;
    const dismiss = document.createElement('button');
    dismiss.className = 'dismiss';
    dismiss.textContent = trigger.reply_option_labels?.[1] ?? 'No thanks';
    dismiss.addEventListener('click', onDismiss);
    const accept = document.createElement('button');
    accept.className = 'accept';
    accept.textContent = trigger.reply_option_labels?.[0] ?? 'Show me how';
    accept.addEventListener('click', onAccept);
    const actions = document.createElement('div');
    actions.className = 'actions';
    actions.append(dismiss, accept);
    toast.append(body, actions);
    root.append(toast);
  }

  function onDismiss() {
    if (trigger) cooldowns.set(trigger.trigger_id, Date.now() + LOCAL_RACE_WINDOW_MS);
    setTrigger(null);
    emitAgentStateEvent('proactive_dismissed');
  }

  // SPEC §4: a trigger with a tour starts it; without one, accept opens the chat only.
  function onAccept() {
    const tourId = trigger?.metadata?.tour_id;
    setTrigger(null);
    emitAgentStateEvent(tourId ? 'proactive_accepted_tour' : 'proactive_accepted_chat');
  }

  async function poll() {
    const sessionId = posthog.get_session_id?.();
    if (!sessionId) {
      window.setTimeout(poll, POLL_INTERVAL_MS);
      return;
    }
    const conversationId = `proactive:${sessionId}`;
    const sentFrom = currentPage();
    try {
      const resp = await fetch(
        `${CONNECTOR_URL}/context/${PRODUCT_ID}/${encodeURIComponent(sessionId)}` +
          `?conversation_id=${encodeURIComponent(conversationId)}`,
      );
      if (resp.ok) {
        const json = await resp.json();
        const incoming = json?.proactive_trigger ?? null;
        log.polls.push({
          triggerId: incoming?.trigger_id ?? null,
          skipReason: json?.proactive_skip_reason ?? null,
          state: json?.state ?? null,
        });
        if (incoming && currentPage() !== sentFrom) {
          // An SPA navigation while the poll was in flight: the offer was
          // about a page the user has left. The next poll decides.
          log.dropped.push({ triggerId: incoming.trigger_id, sentFrom, page: currentPage() });
        } else if (incoming) {
          const suppressedUntil = cooldowns.get(incoming.trigger_id) ?? 0;
          if (Date.now() >= suppressedUntil) setTrigger(incoming);
        } else {
          setTrigger(null);
        }
      } else {
        log.polls.push({ httpStatus: resp.status });
      }
    } catch {
      /* network blip — retry next tick */
    }
    window.setTimeout(poll, POLL_INTERVAL_MS);
  }

  window.setTimeout(poll, settings.firstPollMs); // short startup delay
})();
