// The chat panel of the proactive widget, in its own shadow root next to the
// toast: opens on accept with the prefill, streams the answer, renders a
// Markdown subset safely (every piece of an answer becomes text nodes; no
// HTML from an answer is ever parsed), strips [TOUR:…] tags after the
// stream ends and offers "Show me how" for a tour of the catalog. Follow-ups,
// a typing indicator, stop and reset. The `chat` object owns the transcript,
// so a reloaded document shows the conversation as it was.
(function () {
  'use strict';
  if (window.proactiveChat) return;

  const host = document.createElement('proactive-studio-chat');
  host.style.cssText = 'all: initial; position: fixed; z-index: 2147483645;';
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `
    <style>
      :host { all: initial; }
      * { box-sizing: border-box; font-family: "Inter", "Segoe UI", "DejaVu Sans", sans-serif; }
      .panel { position: fixed; right: 24px; bottom: 24px; width: 380px; height: min(560px, calc(100% - 48px));
        display: flex; flex-direction: column; background: #fff; color: #1f2937; border-radius: 14px;
        border: 1px solid #e5e7eb; box-shadow: 0 16px 40px rgba(15, 23, 42, 0.25); overflow: hidden; font-size: 14px; }
      .panel[hidden] { display: none; }
      .panel.folded { height: auto; }
      .panel.folded .messages, .panel.folded .typing, .panel.folded form { display: none; }
      .panel.folded header { cursor: pointer; }
      header { display: flex; align-items: center; gap: 8px; padding: 12px 14px; background: #4f46e5; color: #fff; }
      header .title { flex: 1; font-weight: 600; }
      header button { background: transparent; color: #e0e7ff; border: 0; font-size: 12px; cursor: pointer; padding: 4px 6px; border-radius: 6px; }
      header button:hover { background: rgba(255, 255, 255, 0.15); color: #fff; }
      .messages { flex: 1; overflow-y: auto; padding: 14px; display: flex; flex-direction: column; gap: 10px; background: #f9fafb; }
      .message { max-width: 88%; padding: 9px 12px; border-radius: 12px; line-height: 1.45; white-space: normal; word-wrap: break-word; }
      .message.user { align-self: flex-end; background: #4f46e5; color: #fff; border-bottom-right-radius: 4px; }
      .message.assistant { align-self: flex-start; background: #fff; border: 1px solid #e5e7eb; border-bottom-left-radius: 4px; }
      .message.error { align-self: stretch; background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; font-size: 13px; }
      .message p { margin: 0 0 6px; } .message p:last-child { margin-bottom: 0; }
      .message ul, .message ol { margin: 4px 0 6px; padding-left: 20px; }
      .message code { background: #f3f4f6; border-radius: 4px; padding: 0 4px; font-family: monospace; font-size: 12.5px; }
      details.thought { margin: 0 0 8px; color: #4b5563; font-size: 12.5px; border-left: 3px solid #c7d2fe; padding-left: 8px; }
      details.thought summary { cursor: pointer; color: #4338ca; }
      .thought-body { white-space: pre-wrap; margin-top: 4px; }
      .file { margin-top: 6px; font-size: 13px; } .file a { color: #4338ca; word-break: break-all; }
      .tour { margin-top: 8px; background: #eef2ff; color: #3730a3; border: 1px solid #c7d2fe; border-radius: 8px;
        padding: 6px 12px; font-weight: 600; font-size: 13px; cursor: pointer; }
      .tour:hover { background: #e0e7ff; }
      .typing { align-self: flex-start; color: #6b7280; font-size: 13px; padding: 4px 2px; }
      .typing[hidden] { display: none; }
      .typing span { display: inline-block; width: 6px; height: 6px; margin-right: 3px; border-radius: 50%; background: #9ca3af; animation: blink 1s infinite; }
      .typing span:nth-child(2) { animation-delay: 0.15s; } .typing span:nth-child(3) { animation-delay: 0.3s; }
      form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e5e7eb; background: #fff; }
      input { flex: 1; border: 1px solid #d1d5db; border-radius: 8px; padding: 8px 10px; font-size: 14px; }
      form button { border: 0; border-radius: 8px; padding: 8px 14px; font-weight: 600; cursor: pointer; background: #4f46e5; color: #fff; }
      form button.stop { background: #fff; color: #b91c1c; border: 1px solid #fecaca; }
      form button[hidden] { display: none; }
      @keyframes blink { 0%, 100% { opacity: 0.3; } 50% { opacity: 1; } }
    </style>
    <section class="panel" role="dialog" aria-label="Help chat" hidden>
      <header><span class="title">Help</span>
        <button type="button" class="reset" title="Start a new conversation">Reset</button>
        <button type="button" class="close" title="Close">✕</button></header>
      <div class="messages" aria-live="polite"></div>
      <div class="typing" hidden><span></span><span></span><span></span></div>
      <form><input type="text" placeholder="Ask a question…" aria-label="Message">
        <button type="submit" class="send">Send</button>
        <button type="button" class="stop" hidden>Stop</button></form>
    </section>`;
  const panel = root.querySelector('.panel');
  const messages = root.querySelector('.messages');
  const typing = root.querySelector('.typing');
  const input = root.querySelector('input');
  const sendButton = root.querySelector('.send');
  const stopButton = root.querySelector('.stop');
  // The answer being streamed: its element, its text, and an agent's thought
  // elements by id and file lines so far (kept across re-renders, so a
  // thought the user unfolded stays open while the text streams on).
  let streaming = null; // { element, text, thoughts: Map, files: [] }

  // Where the toast is (widget.js): in <html>, or in the box a page names.
  function mount() {
    const box = document.querySelector('[data-proactive-widgets]') || document.documentElement;
    if (host.parentNode !== box) box.appendChild(host);
  }

  // Inline Markdown: **bold**, *italic*, `code`. Text nodes only.
  function appendInline(parent, text) {
    const pattern = /(\*\*[^*]+\*\*|\*[^*]+\*|`[^`]+`)/g;
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      const token = match[0];
      const element = document.createElement(token.startsWith('**') ? 'strong' : token.startsWith('`') ? 'code' : 'em');
      element.textContent = token.startsWith('**') ? token.slice(2, -2) : token.slice(1, -1);
      parent.appendChild(element);
      last = match.index + token.length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  // Paragraphs and lists ("- ", "* ", "1. "); everything else is text.
  function renderMarkdown(element, text) {
    element.replaceChildren();
    let list = null;
    for (const line of text.split('\n')) {
      const bullet = line.match(/^\s*[-*]\s+(.*)$/);
      const numbered = line.match(/^\s*\d+[.)]\s+(.*)$/);
      if (bullet || numbered) {
        const tag = bullet ? 'ul' : 'ol';
        if (!list || list.tagName.toLowerCase() !== tag) {
          list = document.createElement(tag);
          element.appendChild(list);
        }
        const item = document.createElement('li');
        appendInline(item, (bullet || numbered)[1]);
        list.appendChild(item);
        continue;
      }
      list = null;
      if (line.trim() === '') continue;
      const paragraph = document.createElement('p');
      appendInline(paragraph, line);
      element.appendChild(paragraph);
    }
  }

  function addMessage(role, text) {
    const element = document.createElement('div');
    element.className = 'message ' + role;
    if (role === 'assistant') renderMarkdown(element, text);
    else element.textContent = text;
    messages.appendChild(element);
    messages.scrollTop = messages.scrollHeight;
    return element;
  }

  function setBusy(busy) {
    typing.hidden = !busy;
    stopButton.hidden = !busy;
    sendButton.hidden = busy;
    input.disabled = busy;
  }

  // An agent's thought, folded: the summary says which tool it used; the
  // thought, the tool's input and what it observed are inside.
  function renderThought(thought) {
    const details = document.createElement('details');
    details.className = 'thought';
    const summary = document.createElement('summary');
    summary.textContent = thought.tool ? 'Thought · used ' + thought.tool : 'Thought';
    const body = document.createElement('div');
    body.className = 'thought-body';
    body.textContent = [thought.thought, thought.tool_input && 'Input: ' + thought.tool_input,
      thought.observation && 'Observation: ' + thought.observation].filter(Boolean).join('\n');
    details.append(summary, body);
    return details;
  }

  // A file the app attached: a link line (http(s) only), never fetched or embedded here.
  function renderFile(file) {
    const line = document.createElement('div');
    line.className = 'file';
    const label = 'Attachment (' + (file.type || 'file') + '): ';
    line.appendChild(document.createTextNode(label));
    if (/^https?:\/\//i.test(file.url || '')) {
      const link = document.createElement('a');
      link.href = file.url;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      link.textContent = file.url;
      line.appendChild(link);
    } else {
      line.appendChild(document.createTextNode(file.url || ''));
    }
    return line;
  }

  let chat = null;
  function finishAnswer(reply) {
    let element = streaming ? streaming.element : null;
    streaming = null;
    setBusy(false);
    const thoughts = reply.thoughts || [];
    const files = reply.files || [];
    if (reply.text || thoughts.length || files.length) {
      if (!element) element = addMessage('assistant', reply.text || '');
      else renderMarkdown(element, reply.text || '');
      element.prepend(...thoughts.map(renderThought));
      for (const file of files) element.appendChild(renderFile(file));
      if (reply.tour_id) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'tour';
        button.dataset.tourId = reply.tour_id;
        button.textContent = 'Show me how';
        button.title = reply.tour_name || reply.tour_id;
        button.addEventListener('click', () => chat.showTour(reply.tour_id));
        element.appendChild(button);
      }
    } else if (element) {
      element.remove();
    }
    if (reply.error) addMessage('error', reply.error);
    messages.scrollTop = messages.scrollHeight;
  }

  function renderTranscript(json) {
    messages.replaceChildren();
    streaming = null;
    for (const entry of JSON.parse(json || '[]')) {
      if (entry.role === 'user') addMessage('user', entry.text);
      else finishAnswer(entry);
    }
    // The property is current here (the channel updates it before the signal).
    setBusy(!!(chat && chat.busy));
  }

  window.proactiveChat = { root, host };
  window.proactiveProbes = window.proactiveProbes || {};
  window.proactiveProbes.chatText = () => (panel.hidden ? '' : messages.innerText);
  window.proactiveProbes.chatThoughts = () => [...messages.querySelectorAll('details.thought')].map((d) => ({
    open: d.open, summary: d.querySelector('summary').textContent, body: d.querySelector('.thought-body').textContent }));

  proactiveStudio.objects.then((objects) => {
    chat = objects.chat;
    root.querySelector('form').addEventListener('submit', (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      input.value = '';
      chat.send(text);
    });
    stopButton.addEventListener('click', () => chat.stop());
    root.querySelector('.reset').addEventListener('click', () => chat.reset());
    root.querySelector('.close').addEventListener('click', (event) => { event.stopPropagation(); chat.close(); });
    root.querySelector('header').addEventListener('click', () => { if (panel.classList.contains('folded')) chat.unfold(); });
    chat.foldedChanged.connect((folded) => panel.classList.toggle('folded', folded));
    panel.classList.toggle('folded', chat.folded);
    chat.openChanged.connect((open) => { panel.hidden = !open; if (open) mount(); });
    chat.transcriptReset.connect(renderTranscript);
    chat.userMessage.connect((text) => addMessage('user', text));
    chat.answerStarted.connect(() => { setBusy(true); });
    chat.busyChanged.connect(setBusy);
    // Rendering once per animation frame keeps a fast stream smooth: the
    // whole answer is re-rendered, so per-piece rendering would be quadratic.
    let renderQueued = false;
    function queueRender() {
      if (renderQueued) return;
      renderQueued = true;
      requestAnimationFrame(() => {
        renderQueued = false;
        if (!streaming) return;
        renderMarkdown(streaming.element, streaming.text);
        streaming.element.prepend(...streaming.thoughts.values());
        streaming.element.append(...streaming.files);
        messages.scrollTop = messages.scrollHeight;
      });
    }
    function stream() {
      if (!streaming) streaming = { element: addMessage('assistant', ''), text: '', thoughts: new Map(), files: [] };
      return streaming;
    }
    chat.answerDelta.connect((text) => {
      stream().text += text;
      queueRender();
    });
    chat.answerReplaced.connect((text) => {
      stream().text = text;
      queueRender();
    });
    chat.answerThought.connect((json) => {
      const thought = JSON.parse(json);
      const current = stream();
      const element = renderThought(thought);
      const previous = current.thoughts.get(thought.id);
      if (previous) element.open = previous.open;
      current.thoughts.set(thought.id, element);
      queueRender();
    });
    chat.answerFile.connect((json) => {
      stream().files.push(renderFile(JSON.parse(json)));
      queueRender();
    });
    chat.answerFinished.connect((json) => finishAnswer(JSON.parse(json)));
    renderTranscript(chat.transcript);
    panel.hidden = !chat.open;
    if (chat.open) mount();
  });
  new MutationObserver(mount).observe(document.documentElement, { childList: true });
})();
