// The widget's dialog, fetched by callback.js at the first sign of intent: the WebAssembly, its
// glue (bundled here by the build), and the mount.
import init, { mount_widget } from './pkg/callback_widget.js';

const ready = init({ module_or_path: new URL('./pkg/callback_widget_bg.wasm', import.meta.url) });

/** Mounts the dialog into the widget's box (which holds the button it answers). */
export async function mount(box, options) {
  await ready;
  mount_widget(box, options);
}
