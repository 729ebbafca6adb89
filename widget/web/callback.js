// Loads the Callback widget (built into www/widget/callback.js: bundled with the wasm-bindgen glue
// and shadow.js, minified). One tag mounts a floating button:
//   <script type="module" src="https://<host>/widget/callback.js" data-service="callback-web"></script>
// or place <callback-widget service="callback-web" api="https://<host>" locale="fr"></callback-widget>
// anywhere. Everything renders in a shadow root with callback.css linked (shadow.js), so the widget
// works under a strict Content-Security-Policy. The manage page's <callback-manage> is manage.js.
import init, { mount_widget } from './pkg/callback_widget.js';
import { shadow } from './shadow.js';

performance.mark('callback:script');
const here = new URL(import.meta.url);
const ready = init({ module_or_path: new URL('./pkg/callback_widget_bg.wasm', here) });

function options(el) {
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
    const mountPoint = shadow(this, new URL('./callback.css', here).href);
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
