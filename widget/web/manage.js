// The manage page's <callback-manage> element: the status of the callback in `?id=`, cancel, and
// another time. A module of its own, so that the widget sites embed stays small (built into
// www/widget/manage.js, bundled with its glue and shadow.js).
import init, { mount_manage } from './manage/callback_widget.js';
import { shadow } from './shadow.js';

const here = new URL(import.meta.url);
const ready = init({ module_or_path: new URL('./manage/callback_widget_bg.wasm', here) });

class CallbackManage extends HTMLElement {
  async connectedCallback() {
    if (this.shadowRoot) return;
    const mountPoint = shadow(this);
    await ready;
    const params = new URLSearchParams(location.search);
    const id = this.getAttribute('callback-id') ?? params.get('id') ?? '';
    const options = {
      service: id.split('~')[0],
      api: this.getAttribute('api') ?? here.origin,
      locale: this.getAttribute('locale') ?? params.get('lang') ?? '',
    };
    mount_manage(mountPoint, options, id);
    // A chat's "start the chat" button: the chat's own module, fetched when it is pressed.
    let panel;
    mountPoint.addEventListener('click', async (e) => {
      const button = e.target.closest?.('.cb-start-chat');
      if (!button) return;
      if (panel) { panel.show(); return; }
      const { openChat } = await import('./chat.js');
      panel = openChat(mountPoint, button, { ...options, id, confirm: button.dataset.confirm === 'true' });
    });
  }
}
if (!customElements.get('callback-manage')) customElements.define('callback-manage', CallbackManage);
