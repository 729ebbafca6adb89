// A shadow root for a Callback element, with the widget's stylesheet linked (not inlined, so a
// strict Content-Security-Policy holds); answers the element to mount into.
export function shadow(host, stylesheet) {
  const root = host.attachShadow({ mode: 'open' });
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = stylesheet;
  const mountPoint = document.createElement('div');
  root.append(link, mountPoint);
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
