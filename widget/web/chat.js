// The chat panel (CHAT.md), fetched by callback.js only when a visitor opens a chat: the voice
// dialog's WebAssembly never carries it. It asks for a chat callback, waits for an agent (Chat
// Delayed: until the visitor says they are ready), then talks through the chat's socket
// (`_comet_url`), reconnecting by itself from the last entry it holds, or by polling the GMS Chat
// API's `refresh` where no socket opens. Entries are indexed from 1 and never change: one shown is
// never shown again, so nothing is lost or doubled across reconnects.
//
// Accessibility: the transcript is a `role="log"` list under a visible heading, only appended to;
// joins, departures and queue notices go to one `role="status"` region; typing is shown, never
// announced. Enter sends, Shift+Enter is a new line.

const WORDS = {
  en: {
    title: 'Chat with us', name: 'Your name (optional)', start: 'Start the chat', close: 'Close',
    conversation: 'Conversation', message: 'Message', send: 'Send', leave: 'Leave the chat',
    download: 'Download the transcript', waiting: 'You are in the queue: an agent will join soon.',
    later: 'We will tell you here when an agent is available.', ready: 'An agent is ready — start the chat',
    joined: (n) => `${n} joined the chat.`, left: (n) => `${n} left the chat.`, typing: (n) => `${n} is typing…`,
    ended: 'The chat has ended.', reconnecting: 'Connection lost: reconnecting…', failed: 'The chat could not start. Please try again.',
    you: 'You', kept: 'The transcript is kept with your request and erased with it.',
    keptUntil: (d) => `This conversation is kept until ${d}, then erased.`,
  },
  fr: {
    title: 'Discuter avec nous', name: 'Votre nom (facultatif)', start: 'Commencer la discussion', close: 'Fermer',
    conversation: 'Conversation', message: 'Message', send: 'Envoyer', leave: 'Quitter la discussion',
    download: 'Télécharger la conversation', waiting: 'Vous êtes dans la file : un conseiller va vous rejoindre.',
    later: 'Nous vous préviendrons ici dès qu’un conseiller sera disponible.', ready: 'Un conseiller est prêt — commencer la discussion',
    joined: (n) => `${n} a rejoint la discussion.`, left: (n) => `${n} a quitté la discussion.`, typing: (n) => `${n} écrit…`,
    ended: 'La discussion est terminée.', reconnecting: 'Connexion perdue : reconnexion…', failed: 'La discussion n’a pas pu commencer. Réessayez.',
    you: 'Vous', kept: 'La conversation est conservée avec votre demande et effacée avec elle.',
    keptUntil: (d) => `Cette conversation est conservée jusqu’au ${d}, puis effacée.`,
  },
  de: {
    title: 'Chatten Sie mit uns', name: 'Ihr Name (optional)', start: 'Chat starten', close: 'Schließen',
    conversation: 'Unterhaltung', message: 'Nachricht', send: 'Senden', leave: 'Chat verlassen',
    download: 'Verlauf herunterladen', waiting: 'Sie sind in der Warteschlange: Gleich kommt jemand.',
    later: 'Wir sagen Ihnen hier Bescheid, sobald jemand frei ist.', ready: 'Jemand ist bereit — Chat starten',
    joined: (n) => `${n} ist dem Chat beigetreten.`, left: (n) => `${n} hat den Chat verlassen.`, typing: (n) => `${n} schreibt…`,
    ended: 'Der Chat ist beendet.', reconnecting: 'Verbindung unterbrochen: neuer Versuch…', failed: 'Der Chat konnte nicht starten. Bitte erneut versuchen.',
    you: 'Sie', kept: 'Der Verlauf wird mit Ihrer Anfrage gespeichert und mit ihr gelöscht.',
    keptUntil: (d) => `Dieses Gespräch wird bis zum ${d} aufbewahrt und dann gelöscht.`,
  },
  es: {
    title: 'Chatea con nosotros', name: 'Tu nombre (opcional)', start: 'Iniciar el chat', close: 'Cerrar',
    conversation: 'Conversación', message: 'Mensaje', send: 'Enviar', leave: 'Salir del chat',
    download: 'Descargar la conversación', waiting: 'Estás en la cola: un agente se unirá pronto.',
    later: 'Te avisaremos aquí cuando haya un agente disponible.', ready: 'Un agente está listo — iniciar el chat',
    joined: (n) => `${n} se ha unido al chat.`, left: (n) => `${n} ha salido del chat.`, typing: (n) => `${n} está escribiendo…`,
    ended: 'El chat ha terminado.', reconnecting: 'Conexión perdida: reconectando…', failed: 'No se pudo iniciar el chat. Inténtalo de nuevo.',
    you: 'Tú', kept: 'La conversación se guarda con tu solicitud y se borra con ella.',
    keptUntil: (d) => `Esta conversación se guarda hasta el ${d} y después se borra.`,
  },
};

/** The words of a locale: its first two letters, else English. */
export const wordsOf = (locale) => WORDS[(locale || '').trim().slice(0, 2).toLowerCase()] ?? WORDS.en;

/** Makes an element with a class, attributes and text (never HTML: what a party wrote is text). */
function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A chat's transcript as the visitor holds it: entries by index, each once, in order. */
export class Transcript {
  constructor() { this.entries = []; this.next = 1; }
  /** Takes an answer's entries; answers those new to it. */
  take(entries) {
    const fresh = [];
    for (const e of [...(entries ?? [])].sort((a, b) => a[3] - b[3])) {
      if (e[3] < this.next) continue;
      this.entries.push(e);
      fresh.push(e);
      this.next = e[3] + 1;
    }
    return fresh;
  }
  /** Plain text, for the visitor to keep. */
  text(you) {
    return this.entries.filter((e) => e[0] === 'Message.Text')
      .map(([, nick, text, , party]) => `${party === 'Client' ? you : nick}: ${text}`).join('\n');
  }
}

/** Opens the chat panel in the widget's box; `launcher` gets the focus back when it closes. */
export function openChat(box, launcher, options) {
  const w = wordsOf(options.locale || navigator.language);
  const api = options.api.replace(/\/$/, '');
  const backdrop = el('div', { class: 'cb-backdrop' });
  const dialog = el('div', { class: 'cb-dialog cb-chat', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'cb-chat-title' });
  const head = el('div', { class: 'cb-head' });
  const close = el('button', { type: 'button', class: 'cb-close', 'aria-label': w.close }, '×');
  head.append(el('h2', { id: 'cb-chat-title' }, w.title), close);
  const status = el('p', { role: 'status', class: 'cb-status' });
  const body = el('div');
  dialog.append(head, status, body);
  backdrop.append(dialog);
  box.append(backdrop);

  const transcript = new Transcript();
  let id;
  const service = options.service;
  let socket;
  let ended = false;
  let polling;
  let retries = 0;
  let typingSent = 0;
  let typingTimer;

  const hide = () => {
    backdrop.hidden = true;
    launcher.focus();
  };
  const show = () => {
    backdrop.hidden = false;
    const usable = (x) => !x.disabled && !x.closest('[hidden]');
    ([...dialog.querySelectorAll('textarea, input, button.cb-primary')].find(usable) ?? close).focus();
  };
  close.addEventListener('click', hide);
  dialog.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { e.preventDefault(); hide(); }
    if (e.key !== 'Tab') return;
    const stops = [...dialog.querySelectorAll('button:not([disabled]), input, textarea, a[href]')].filter((x) => !x.closest('[hidden]'));
    const [first, last] = [stops[0], stops.at(-1)];
    const at = dialog.getRootNode().activeElement;
    if (e.shiftKey && at === first) { e.preventDefault(); last.focus(); }
    if (!e.shiftKey && at === last) { e.preventDefault(); first.focus(); }
  });

  const post = async (path, form) => {
    const r = await fetch(`${api}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
    const json = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(json.message || `HTTP ${r.status}`);
    return json;
  };
  const chatPath = () => `/genesys/1/service/${encodeURIComponent(id)}/ixn/chat`;

  // The start: a name, then the request.
  const form = el('form');
  const nameLabel = el('label', { for: 'cb-chat-name' }, w.name);
  const name = el('input', { id: 'cb-chat-name', autocomplete: 'name', maxlength: '100' });
  const start = el('button', { type: 'submit', class: 'cb-primary' }, w.start);
  form.append(nameLabel, name, el('p', { class: 'cb-notice' }, w.kept), el('div', { class: 'cb-actions' }));
  form.lastChild.append(start);
  body.append(form);

  // The conversation.
  const talk = el('div', { hidden: '' });
  const logHead = el('h3', { id: 'cb-chat-log', class: 'cb-list-name' }, w.conversation);
  // The log is a region around the list: a list keeps its items' role.
  const logRegion = el('div', { role: 'log', 'aria-labelledby': 'cb-chat-log' });
  const log = el('ol', { class: 'cb-log' });
  logRegion.append(log);
  const typing = el('p', { class: 'cb-notice cb-typing', 'aria-hidden': 'true' });
  const msgLabel = el('label', { for: 'cb-chat-message' }, w.message);
  const message = el('textarea', { id: 'cb-chat-message', rows: '2', maxlength: '4000' });
  const send = el('button', { type: 'button', class: 'cb-primary' }, w.send);
  const leave = el('button', { type: 'button', class: 'cb-secondary' }, w.leave);
  const download = el('button', { type: 'button', class: 'cb-link' }, w.download);
  const ready = el('button', { type: 'button', class: 'cb-primary', hidden: '' }, w.ready);
  const actions = el('div', { class: 'cb-actions' });
  actions.append(send, leave);
  const kept = el('p', { class: 'cb-notice' });
  talk.append(ready, logHead, logRegion, typing, msgLabel, message, actions, download, kept);
  body.append(talk);

  const say = (text) => { status.textContent = text; };
  const render = (entries) => {
    for (const [event, nick, text, , party] of entries) {
      if (event === 'Message.Text') {
        const li = el('li', { class: party === 'Client' ? 'cb-mine' : 'cb-theirs' });
        li.append(el('strong', {}, `${party === 'Client' ? w.you : nick}: `), document.createTextNode(text));
        log.append(li);
        if (party !== 'Client') typing.textContent = '';
      } else if (event === 'Notice.Joined' && party === 'Agent') say(w.joined(nick));
      else if (event === 'Notice.Left' && party !== 'Client') say(nick ? w.left(nick) : w.ended);
      else if (event === 'Notice.TypingStarted' && party === 'Agent') typing.textContent = w.typing(nick);
      else if (event === 'Notice.TypingStopped' && party === 'Agent') typing.textContent = '';
    }
  };
  const finish = () => {
    ended = true;
    clearInterval(polling);
    socket?.close();
    // A control about to be disabled would drop the focus out of the dialog.
    const focusWasInside = dialog.contains(dialog.getRootNode().activeElement);
    message.disabled = true;
    send.disabled = true;
    leave.disabled = true;
    say(w.ended);
    if (focusWasInside && !backdrop.hidden) download.focus();
    // How long the words are kept: the record's expiry, now that the chat is over.
    fetch(`${api}/genesys/1/service/callback/${encodeURIComponent(service)}/${encodeURIComponent(id)}`)
      .then((r) => (r.ok ? r.json() : null))
      .then((r) => {
        if (r?._expiration_time) kept.textContent = w.keptUntil(new Date(r._expiration_time).toLocaleDateString(options.locale || undefined, { dateStyle: 'long' }));
      }, () => {});
  };
  const take = (answer) => {
    render(transcript.take(answer.transcriptToShow));
    if (answer.chatIxnState === 'DISCONNECTED' && !ended) finish();
  };

  const poll = () => {
    if (polling) return;
    polling = setInterval(async () => {
      try { take(await post(`${chatPath()}/refresh`, { transcriptPosition: transcript.next })); } catch { /* next tick */ }
    }, 2000);
  };
  // Polling goes on until a socket is open, and again whenever none is: a socket a policy or a
  // network refuses (silently, in some browsers) never leaves the chat without news.
  const connect = (comet) => {
    if (ended) return;
    let opened = false;
    poll();
    try {
      socket = new WebSocket(`${comet}?transcriptPosition=${transcript.next}`);
    } catch {
      return;
    }
    socket.addEventListener('open', () => { opened = true; retries = 0; clearInterval(polling); polling = undefined; });
    socket.addEventListener('message', (e) => {
      const frame = JSON.parse(e.data);
      if (frame.transcriptToShow) take(frame);
      else if (frame.error) say(frame.error);
    });
    socket.addEventListener('close', () => {
      socket = undefined;
      if (ended) return;
      poll();
      // Never opened twice in a row: the network refuses sockets; polling it is.
      if (!opened && ++retries >= 2) return;
      say(w.reconnecting);
      setTimeout(() => connect(comet), Math.min(1000 * 2 ** retries, 10000));
    });
  };
  const speak = async (frame, form, op) => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
    else take(await post(`${chatPath()}/${op}`, { ...form, transcriptPosition: transcript.next }));
  };
  const startChat = async (dialogAnswer) => {
    await post(chatPath(), { userDisplayName: name.value.trim() || w.you, subject: options.subject || '' }).then(take);
    ready.hidden = true;
    message.disabled = false;
    connect(dialogAnswer._comet_url);
    message.focus();
  };

  const submit = async () => {
    const text = message.value;
    if (!text.trim() || ended) return;
    message.value = '';
    typingSent = 0;
    try { await speak({ type: 'message', text }, { message: text }, 'send'); } catch (e) { say(e.message); message.value = text; }
  };
  send.addEventListener('click', submit);
  message.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
  });
  message.addEventListener('input', () => {
    clearTimeout(typingTimer);
    if (Date.now() - typingSent > 5000) {
      typingSent = Date.now();
      speak({ type: 'typing' }, {}, 'startTyping').catch(() => {});
    }
    typingTimer = setTimeout(() => {
      typingSent = 0;
      speak({ type: 'typing', text: 'stopped' }, {}, 'stopTyping').catch(() => {});
    }, 4000);
  });
  leave.addEventListener('click', async () => {
    try { await speak({ type: 'leave' }, {}, 'disconnect'); } catch (e) { say(e.message); }
  });
  download.addEventListener('click', () => {
    const a = el('a', { href: URL.createObjectURL(new Blob([transcript.text(w.you)], { type: 'text/plain' })), download: 'chat.txt' });
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });

  // Chat Delayed: the visitor is told when an agent is ready, and starts the chat then.
  const waitForAgent = () => {
    const check = setInterval(async () => {
      const r = await fetch(`${api}/genesys/1/service/callback/${encodeURIComponent(service)}/${encodeURIComponent(id)}`).catch(() => null);
      const record = r?.ok ? await r.json() : null;
      if (record?._phase === 'confirming' && ready.hidden) {
        ready.hidden = false;
        say(w.ready);
      } else if (record?._callback_state === 'COMPLETED') {
        clearInterval(check);
        finish();
      } else if (record && record._phase !== 'confirming') ready.hidden = true;
    }, 3000);
    ready.addEventListener('click', async () => {
      try {
        const answer = await post(`/genesys/1/service/callback/${encodeURIComponent(service)}/${encodeURIComponent(id)}/confirm`, {});
        clearInterval(check);
        await startChat(answer);
      } catch (e) { say(e.message); }
    });
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    start.disabled = true;
    try {
      const answer = await post(`/genesys/1/service/callback/${encodeURIComponent(service)}`, { _media_type: 'chat', ...(options.subject ? { subject: options.subject } : {}) });
      id = answer._id;
      form.hidden = true;
      talk.hidden = false;
      message.disabled = true;
      if (answer._action === 'StartChat') {
        say(w.waiting);
        await startChat(answer);
      } else {
        say(w.later);
        waitForAgent();
        leave.focus();
      }
    } catch (err) {
      start.disabled = false;
      say(`${w.failed} (${err.message})`);
    }
  });

  // Opened for a callback that exists (the manage page): confirm first if an agent waits for it.
  if (options.id) {
    id = options.id;
    form.hidden = true;
    talk.hidden = false;
    message.disabled = true;
    const path = `/genesys/1/service/callback/${encodeURIComponent(service)}/${encodeURIComponent(id)}/confirm`;
    const socketUrl = `${api.replace(/^http/, 'ws')}${chatPath()}/ws`;
    (options.confirm ? post(path, {}) : Promise.resolve({ _comet_url: socketUrl }))
      .then(startChat, (e) => say(`${w.failed} (${e.message})`));
  }

  show();
  return { show };
}
