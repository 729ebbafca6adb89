// Loads the Callback widget. One tag mounts a floating button:
//   <script type="module" src="https://<host>/widget/callback.js" data-service="callback-web"></script>
// or place <callback-widget service="callback-web" api="https://<host>" locale="fr"></callback-widget>
// anywhere. (The manage page's <callback-manage> is in manage.js.) Everything renders in a shadow root; styles come from callback.css (a stylesheet link,
// not inline styles), so the widget works under a strict Content-Security-Policy.
import init, { mount_widget } from './pkg/callback_widget.js';

performance.mark('callback:script');
const here = new URL(import.meta.url);
export const ready = init({ module_or_path: new URL('./pkg/callback_widget_bg.wasm', here) });

/** A shadow root on `host` with our stylesheet; answers the element to mount into. */
export function shadow(host) {
  const root = host.attachShadow({ mode: 'open' });
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = new URL('./callback.css', here).href;
  const mountPoint = document.createElement('div');
  root.append(link, mountPoint);
  return mountPoint;
}

export function options(el) {
  return {
    service: el.getAttribute('service') ?? '',
    api: el.getAttribute('api') ?? here.origin,
    locale: el.getAttribute('locale') ?? '',
    consent: el.getAttribute('consent') ?? '',
    manage: el.getAttribute('manage') ?? '',
    floating: el.hasAttribute('floating'),
  };
}

class CallbackWidget extends HTMLElement {
  async connectedCallback() {
    if (this.shadowRoot) return;
    const mountPoint = shadow(this);
    await ready;
    mount_widget(mountPoint, options(this));
    performance.mark('callback:button');
    this.dispatchEvent(new CustomEvent('callback-ready', { bubbles: true }));
  }
}

if (!customElements.get('callback-widget')) customElements.define('callback-widget', CallbackWidget);

// The one-tag form: a module script has no currentScript, so find the tag by its address.
const tag = [...document.querySelectorAll('script[data-service]')].find((s) => s.src === import.meta.url);
if (tag) {
  const el = document.createElement('callback-widget');
  for (const [attr, key] of [['service', 'service'], ['api', 'api'], ['locale', 'locale'], ['consent', 'consent']]) {
    if (tag.dataset[key]) el.setAttribute(attr, tag.dataset[key]);
  }
  el.setAttribute('floating', '');
  document.body.append(el);
}
