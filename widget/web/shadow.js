// The widget's stylesheet travels inside this module (the build bundles callback.css as text): the
// button is styled the moment it is drawn, with no request of its own. Adopted, not a <style>
// element, so a page's strict Content-Security-Policy (no 'unsafe-inline') still holds; one sheet
// shared by every Callback element of the page.
import css from './callback.css';

let sheet;

/** A shadow root for a Callback element, styled; answers the element to mount into. */
export function shadow(host) {
  const root = host.attachShadow({ mode: 'open' });
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  }
  root.adoptedStyleSheets = [sheet];
  const mountPoint = document.createElement('div');
  root.append(mountPoint);
  root.addEventListener('keydown', moveInList);
  return mountPoint;
}

const STEPS = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };

// The WAI-ARIA listbox pattern for the widget's lists (days, times): each list is one tab stop,
// arrow keys, Home and End move to another option, which is picked as focus reaches it. Plain DOM
// behaviour with no state, kept here rather than in the WebAssembly, where it would weigh more.
function moveInList(event) {
  const list = event.target.closest?.('[role=listbox]');
  if (!list || event.altKey || event.ctrlKey || event.metaKey) return;
  const options = [...list.querySelectorAll('[role=option]')];
  const here = options.indexOf(event.target);
  const to = event.key === 'Home' ? 0 : event.key === 'End' ? options.length - 1 : here + (STEPS[event.key] ?? NaN);
  const option = options[Math.min(Math.max(to, 0), options.length - 1)];
  if (Number.isNaN(to) || !option) return;
  event.preventDefault();
  if (option !== event.target) {
    option.focus();
    option.click();
  }
}
