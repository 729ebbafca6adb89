// Loads the Callback widget. One tag mounts a floating button:
//   <script type="module" src="https://<host>/widget/callback.js" data-service="callback-web"></script>
// or place <callback-widget service="callback-web" api="https://<host>"></callback-widget> anywhere.
import init, { mount } from './pkg/callback_widget.js';

const here = new URL(import.meta.url);
const ready = Promise.all([
  init({ module_or_path: new URL('./pkg/callback_widget_bg.wasm', here) }),
  fetch(new URL('./callback.css', here)).then((r) => r.text()),
]);

class CallbackWidget extends HTMLElement {
  async connectedCallback() {
    if (this.shadowRoot) return;
    const [, css] = await ready;
    mount(this, css);
  }
}
if (!customElements.get('callback-widget')) customElements.define('callback-widget', CallbackWidget);

const tag = document.currentScript ?? document.querySelector('script[src*="/widget/callback.js"][data-service]');
if (tag?.dataset.service && !document.querySelector('callback-widget')) {
  const el = document.createElement('callback-widget');
  el.setAttribute('service', tag.dataset.service);
  el.setAttribute('api', tag.dataset.api ?? here.origin);
  el.setAttribute('floating', '');
  document.body.append(el);
}
