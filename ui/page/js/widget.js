// The proactive-help widget as the real client renders it in the product:
// the "Need a hand?" toast, plus the studio's scenario captions. It lives in
// its own shadow root, so the page's CSS cannot restyle it and its CSS cannot
// leak into the page; capture ignores clicks on it (its tag is
// proactive-studio-*). State comes from the `widget` object: it survives
// reloads because the script re-reads it on every document.
(function () {
  'use strict';
  if (window.proactiveWidget) return;

  const host = document.createElement('proactive-studio-widget');
  host.style.cssText = 'all: initial; position: fixed; inset: auto 0 0 auto; z-index: 2147483646;';
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `
    <style>
      :host { all: initial; }
      * { box-sizing: border-box; font-family: "Inter", "Segoe UI", "DejaVu Sans", sans-serif; }
      .toast {
        position: fixed; right: 24px; bottom: 24px; width: 340px;
        background: #ffffff; color: #1f2937; border-radius: 12px;
        box-shadow: 0 12px 32px rgba(15, 23, 42, 0.22), 0 2px 6px rgba(15, 23, 42, 0.12);
        border: 1px solid #e5e7eb; padding: 16px 16px 14px; font-size: 14px; line-height: 1.45;
        animation: rise 160ms ease-out;
      }
      .toast[hidden], .caption[hidden] { display: none; }
      .title { display: flex; align-items: center; gap: 8px; font-weight: 600; font-size: 15px; margin: 0 0 6px; }
      .title::before { content: ""; width: 10px; height: 10px; border-radius: 50%; background: #6366f1;
        box-shadow: 0 0 0 4px rgba(99, 102, 241, 0.18); }
      .body { margin: 0 0 14px; color: #374151; }
      .actions { display: flex; gap: 8px; justify-content: flex-end; }
      button { font-size: 13px; font-weight: 600; border-radius: 8px; padding: 7px 14px; cursor: pointer; border: 1px solid transparent; }
      .accept { background: #4f46e5; color: #fff; }
      .accept:hover { background: #4338ca; }
      .dismiss { background: #fff; color: #374151; border-color: #d1d5db; }
      .dismiss:hover { background: #f3f4f6; }
      .caption {
        position: fixed; left: 50%; top: 18px; transform: translateX(-50%); max-width: 70vw;
        background: rgba(17, 24, 39, 0.9); color: #f9fafb; border-radius: 10px; padding: 10px 18px;
        font-size: 16px; font-weight: 500; box-shadow: 0 8px 24px rgba(0, 0, 0, 0.25); text-align: center;
      }
      @keyframes rise { from { transform: translateY(12px); opacity: 0; } to { transform: none; opacity: 1; } }
    </style>
    <div class="caption" part="caption" hidden></div>
    <div class="toast" role="dialog" aria-live="polite" hidden>
      <p class="title">Need a hand?</p>
      <p class="body"></p>
      <div class="actions">
        <button class="dismiss" type="button"></button>
        <button class="accept" type="button"></button>
      </div>
    </div>`;
  const toast = root.querySelector('.toast');
  const caption = root.querySelector('.caption');

  // Attached to <html>, not <body>: SPAs that re-render <body> keep it. A
  // page that shows another page's picture (the studio's visual replay)
  // names the box the widget belongs in with data-proactive-widgets.
  function mount() {
    const box = document.querySelector('[data-proactive-widgets]') || document.documentElement;
    if (host.parentNode !== box) box.appendChild(host);
  }

  // "The page" as the client compares it (SPEC §8 "§4 Client",
  // docs/decisions.md): the URL without its fragment.
  function currentPage() {
    return location.href.split('#')[0];
  }

  function renderToast(json, widget) {
    const offer = json ? JSON.parse(json) : null;
    // The offer was about the page its poll was sent from: if the user has
    // left it meanwhile (an SPA navigation), it is dropped, not shown.
    if (offer && offer.page && offer.page !== currentPage()) {
      toast.hidden = true;
      widget.drop(offer.trigger_id);
      return;
    }
    toast.hidden = !offer;
    if (!offer) return;
    toast.dataset.triggerId = offer.trigger_id;
    toast.querySelector('.body').textContent = offer.body;
    toast.querySelector('.accept').textContent = offer.accept_label;
    toast.querySelector('.dismiss').textContent = offer.dismiss_label;
    mount();
    // The studio learns when the toast is on screen: still shown when the
    // next frame is made (a later change may have hidden it meanwhile).
    requestAnimationFrame(() => {
      if (!toast.hidden && toast.dataset.triggerId === offer.trigger_id) widget.drawn(offer.trigger_id);
    });
  }

  function renderCaption(text) {
    caption.hidden = !text;
    caption.textContent = text || '';
    if (text) mount();
  }

  window.proactiveWidget = { root, host };
  proactiveStudio.objects.then(({ widget }) => {
    toast.querySelector('.accept').addEventListener('click', () => widget.accept());
    toast.querySelector('.dismiss').addEventListener('click', () => widget.dismiss());
    widget.toastChanged.connect((json) => renderToast(json, widget));
    widget.captionChanged.connect(renderCaption);
    renderToast(widget.toast, widget);
    renderCaption(widget.caption);
  });
  if (document.documentElement) mount();
  new MutationObserver(mount).observe(document.documentElement, { childList: true });
})();
