// The widget's dialog, fetched by callback.js at the first sign of intent: the WebAssembly, its
// glue (bundled here by the build), and the mount. A chat service's button opens its chat
// (chat.js) instead: the service says which it is as the dialog loads.
import init, { mount_widget } from './pkg/callback_widget.js';

const ready = init({ module_or_path: new URL('./pkg/callback_widget_bg.wasm', import.meta.url) });

/** Mounts the dialog into the widget's box (which holds the button it answers). */
export async function mount(box, options) {
  const offer = `${options.api.replace(/\/$/, '')}/genesys/1/service/callback/${encodeURIComponent(options.service)}/offer`;
  const media = await fetch(offer).then((r) => (r.ok ? r.json() : {})).then((o) => o.media, () => undefined);
  if (media === 'chat') {
    const { openChat, wordsOf } = await import('./chat.js');
    const button = box.querySelector('.cb-launcher');
    button.textContent = wordsOf(options.locale || navigator.language).title;
    let panel;
    button.addEventListener('click', () => {
      if (panel) panel.show();
      else panel = openChat(box, button, options);
    });
    return;
  }
  await ready;
  mount_widget(box, options);
}
