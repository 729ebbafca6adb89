// A shadow root for a Callback element, with the widget's stylesheet linked (not inlined, so a
// strict Content-Security-Policy holds); answers the element to mount into.
export function shadow(host, stylesheet) {
  const root = host.attachShadow({ mode: 'open' });
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = stylesheet;
  const mountPoint = document.createElement('div');
  root.append(link, mountPoint);
  return mountPoint;
}
