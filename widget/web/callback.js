// Loads the Callback widget (built into www/widget/callback.js: bundled with shadow.js, minified).
// One tag mounts a floating button:
//   <script type="module" async src="https://<host>/widget/callback.js" data-service="callback-web"></script>
// or place <callback-widget service="callback-web" api="https://<host>" locale="fr"></callback-widget>
// anywhere (`async` draws the button as soon as the loader arrives, without waiting for the rest of
// the page). Everything renders in a shadow root styled by callback.css, which the loader carries
// (shadow.js), so the widget works under a strict Content-Security-Policy. The manage page's
// <callback-manage> is manage.js.
//
// This loader draws the button itself, at once; the dialog (dialog.js: the WebAssembly and its
// glue) is fetched at the first sign of intent — the pointer over the button, focus, a touch — or,
// with the `preload` attribute, as soon as the page is idle. A click before it is there shows the
// button busy and opens the dialog as soon as it is.
import { shadow } from './shadow.js';

const here = new URL(import.meta.url);

// The button's words; the dialog's are in the WebAssembly (widget/src/i18n.rs), chosen by the
// same rule: the locale's first two letters, else English.
const LAUNCHER = { en: 'Call me back', fr: 'Rappelez-moi', de: 'Rückruf anfordern', es: 'Llámame' };
// With `media="chat"` the button opens a chat (chat.js, fetched at the first sign of intent).
const CHAT = { en: 'Chat with us', fr: 'Discuter avec nous', de: 'Chatten Sie mit uns', es: 'Chatea con nosotros' };
const language = (tag) => (LAUNCHER[tag.trim().slice(0, 2).toLowerCase()] ? tag.trim().slice(0, 2).toLowerCase() : 'en');

const modules = {};
const load = (name, get) => (modules[name] ??= get().catch((e) => {
  delete modules[name];
  throw e;
}));

function options(el) {
  return {
    service: el.getAttribute('service') ?? '',
    api: el.getAttribute('api') ?? here.origin,
    locale: el.getAttribute('locale') ?? '',
    consent: el.getAttribute('consent') ?? '',
    manage: el.getAttribute('manage') ?? '',
    subject: el.getAttribute('subject') ?? '',
  };
}

class CallbackWidget extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const box = document.createElement('div');
    box.className = this.hasAttribute('floating') ? 'cb cb-floating' : 'cb';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'cb-launcher';
    button.setAttribute('aria-haspopup', 'dialog');
    const chat = this.getAttribute('media') === 'chat';
    button.textContent = (chat ? CHAT : LAUNCHER)[language(this.getAttribute('locale') || navigator.language || '')];
    box.append(button);
    shadow(this).append(box);
    performance.mark('callback:button');

    // Once mounted, the dialog answers the button's clicks itself.
    let mounted;
    let answering = false;
    let wanted = false;
    let panel;
    const open = chat ? (m) => button.addEventListener('click', () => {
      if (panel) panel.show();
      else panel = m.openChat(box, button, options(this));
    }) : (m) => m.mount(box, options(this));
    const mount = () => (mounted ??= (chat ? load('chat', () => import('./chat.js')) : load('dialog', () => import('./dialog.js'))).then(open).then(() => {
      answering = true;
      button.removeAttribute('aria-busy');
      if (wanted) button.click();
    }, (e) => {
      mounted = undefined;
      wanted = false;
      button.removeAttribute('aria-busy');
      console.error(`Callback widget: the dialog could not be loaded (${e.message}); the next click tries again.`);
    }));
    for (const intent of ['pointerenter', 'focus', 'touchstart']) button.addEventListener(intent, mount, { passive: true });
    button.addEventListener('click', () => {
      if (answering) return;
      wanted = true;
      button.setAttribute('aria-busy', 'true');
      mount();
    });
    if (this.hasAttribute('preload')) (window.requestIdleCallback ?? setTimeout)(mount);
    this.dispatchEvent(new CustomEvent('callback-ready', { bubbles: true }));
  }
}

if (!customElements.get('callback-widget')) customElements.define('callback-widget', CallbackWidget);

// The one-tag form: a module script has no currentScript, so find the tag by its address.
const tag = [...document.querySelectorAll('script[data-service]')].find((s) => s.src === import.meta.url);
if (tag) {
  const el = document.createElement('callback-widget');
  for (const key of ['service', 'api', 'locale', 'consent', 'manage', 'media', 'subject']) {
    if (tag.dataset[key]) el.setAttribute(key, tag.dataset[key]);
  }
  if ('preload' in tag.dataset) el.setAttribute('preload', '');
  el.setAttribute('floating', '');
  // An `async` tag in the page's head can run before there is a body.
  if (document.body) document.body.append(el);
  else document.addEventListener('DOMContentLoaded', () => document.body.append(el), { once: true });
}
