// Headless Debian Chromium driven by playwright-core, and screenshots under target/screenshots/.
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './runtime.mjs';

export const shots = join(root, 'target', 'screenshots');

// Debian's Chromium as its headless shell when installed: the same engine without the desktop
// browser around it, at about two thirds of the CPU (the end-to-end phase is CPU-bound on two
// cores). CALLBACK_BROWSER=/usr/bin/chromium runs the suite in the full browser instead.
const shell = '/usr/bin/chromium-headless-shell';
const executablePath = process.env.CALLBACK_BROWSER || (existsSync(shell) ? shell : '/usr/bin/chromium');

export async function launch() {
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

export async function shot(page, name, { fullPage = false } = {}) {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage });
}

const axeSource = () => readFileSync(join(root, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/** WCAG 2.2 A/AA violations on the page as it is now, each as "label: rule: targets". */
export async function axe(page, label) {
  // Playwright's evaluate is not bound by the page's CSP, which may forbid inline scripts.
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(axeSource());
  return page.evaluate(async (label) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return result.violations.map((v) => `${label}: ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, label);
}

/** The console at `base`, signed in as the administrator, on view `part` (Queues, Services, Agents,
 * Reports); `errors` gathers the page's errors (refusals the tests provoke aside). */
export async function supervisor(browser, base, part, contextOptions = {}) {
  const page = await (await browser.newContext({ locale: 'en-GB', ...contextOptions })).newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 40[0-9]/.test(m.text())) errors.push(m.text()); });
  await page.goto(`${base}/console.html#supervisor`);
  await page.getByLabel('Admin user').fill('admin');
  await page.getByLabel('Password').fill('admin');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('tab', { name: part }).click();
  return { page, errors };
}

/** A host page at `base` with the widget on it (served through routing, same origin as the API). */
export async function hostPage(context, base, { service, locale = '', consent = '', title = 'Test host' }) {
  const page = await context.newPage();
  const url = `${base}/test-host-${service}.html`;
  await page.route(url, (route) => route.fulfill({
    contentType: 'text/html',
    headers: { 'content-security-policy': "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; img-src 'self' data:" },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>
      <h1>${title}</h1><p><a href="#top">A link before the widget</a></p>
      <callback-widget service="${service}" ${locale ? `locale="${locale}"` : ''} ${consent ? `consent="${consent}"` : ''}></callback-widget>
      <script type="module" src="/widget/callback.js"></script></body></html>`,
  }));
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  await page.locator('callback-widget .cb-launcher').waitFor();
  return { page, errors };
}
