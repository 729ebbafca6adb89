// Loads the console's WebAssembly and mounts it into <main id="console">.
import init, { mount_console } from './pkg/callback_console.js';

const root = document.getElementById('console');
init({ module_or_path: new URL('./pkg/callback_console_bg.wasm', import.meta.url) })
  .then(() => { root.replaceChildren(); mount_console(root); })
  .catch((e) => { root.textContent = `The console could not start: ${e}`; });
