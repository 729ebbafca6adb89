// What a visitor's browser waits for and downloads: the demo page in headless Chromium with an
// empty cache, five times, medians printed against the targets. Figures, not pass/fail (the size
// budget is checked by `make size`). Run: `make widget-timing` (it builds first).
//   button     navigation → the launcher button in the page (the loader's `callback:button` mark),
//              beside the page's own milestones: its HTML received, the loader received, the page's
//              first paint (what the button cannot come before), and the first paint of the same
//              page without the widget (the floor: how soon this browser shows the page at all)
//   before     the widget's files downloaded before any interaction (gzip -9 sizes of the files)
//   opened     the widget's files once the dialog is open (the click to the first field: `to dialog`)
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { launch } from '../../tests/support/browser.mjs';
import { root, startRuntime } from '../../tests/support/runtime.mjs';
import { admin } from '../../tests/support/api.mjs';
import { seedDemo } from '../demo.mjs';

const RUNS = 5;
// gzip -9, as `make size` counts: the same figures in both.
const gz = (path) => execFileSync('gzip', ['-9', '-c', join(root, 'www', path)]).length;
const widgetBytes = (urls) => urls.filter((u) => u.pathname.startsWith('/widget/')).reduce((sum, u) => sum + gz(u.pathname), 0);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// The page's first paint, waited for: the button is often drawn before it.
const firstPaint = (page) => page.evaluate(() => new Promise((resolve) => {
  const seen = () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
  const poll = () => (seen() ? resolve(seen()) : setTimeout(poll, 20));
  poll();
}));

const rt = await startRuntime();
const browser = await launch();
try {
  await seedDemo(rt.base, admin);
  const runs = [];
  // A first visit warms the runtime (its first answers compile the Worker): not counted.
  for (let i = 0; i <= RUNS; i++) {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${rt.base}/`);
    const launcher = page.locator('callback-widget[floating] .cb-launcher');
    await launcher.waitFor();
    const [button, html, asked, loader] = await page.evaluate(() => [
      performance.getEntriesByName('callback:button')[0].startTime,
      performance.getEntriesByType('navigation')[0].responseEnd,
      performance.getEntriesByType('resource').find((e) => e.name.endsWith('/widget/callback.js'))?.startTime ?? NaN,
      performance.getEntriesByType('resource').find((e) => e.name.endsWith('/widget/callback.js'))?.responseEnd ?? NaN,
    ]);
    const paint = await firstPaint(page);
    // A second with no interaction: nothing more may come.
    await page.waitForTimeout(1000);
    const loaded = async () => (await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name))).map((n) => new URL(n));
    const before = widgetBytes(await loaded());
    const t0 = Date.now();
    await launcher.click();
    await page.locator('callback-widget[floating] input[type=tel]').waitFor();
    const toDialog = Date.now() - t0;
    const opened = widgetBytes(await loaded());
    await context.close();
    // The same page without the widget (its loader refused): when this browser paints it at all.
    const bare = await browser.newContext({ locale: 'en-US' });
    await bare.route('**/widget/callback.js', (route) => route.abort());
    const barePage = await bare.newPage();
    await barePage.goto(`${rt.base}/`);
    const floor = await firstPaint(barePage);
    await bare.close();
    if (i > 0) runs.push({ button, html, asked, loader, paint, floor, before, opened, toDialog });
  }
  const m = (key) => median(runs.map((r) => r[key]));
  console.log(`widget on the demo page (median of ${RUNS}, empty cache, local network):`);
  console.log(`  button visible      ${m('button').toFixed(0)} ms after navigation   (target ≤ 150 ms)`);
  console.log(`    the page's HTML received ${m('html').toFixed(0)} ms, the loader asked for ${m('asked').toFixed(0)} ms and received ${m('loader').toFixed(0)} ms, the page's first paint ${m('paint').toFixed(0)} ms`);
  console.log(`    the same page without the widget first paints at ${m('floor').toFixed(0)} ms: nothing on it can be seen sooner in this browser`);
  console.log(`  before interaction  ${m('before')} B gzipped                (target ≤ 6144 B)`);
  console.log(`  dialog opened       ${m('opened')} B gzipped                (target ≤ 76800 B)`);
  console.log(`  click → dialog      ${m('toDialog')} ms (fetched and compiled on the click: no hover first)`);
} finally {
  await browser.close();
  await rt.stop();
}
