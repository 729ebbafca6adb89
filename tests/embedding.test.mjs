// The widget on websites of other origins than the Callback host, as it is used in the world: a
// second local server (another host and port) serves the host pages under their own strict CSP,
// written as the embedding guide says. Screenshots go to target/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRuntime } from './support/runtime.mjs';
import { client, admin, alwaysOpenService } from './support/api.mjs';
import { launch, shot, axe } from './support/browser.mjs';
import { startSite, guideCsp, hostHtml } from './support/site.mjs';

let rt, api, browser, site;
before(async () => {
  rt = await startRuntime();
  api = client(rt.base);
  site = await startSite();
  await alwaysOpenService(api, 'shop', { _request_time_bucket: '15', _enable_in_queue_checking: 'false', _allowed_origins: `https://elsewhere.example, ${site.origin}` });
  await alwaysOpenService(api, 'not-here', { _allowed_origins: 'https://the-real-shop.example' });
  browser = await launch();
});
after(async () => { await browser?.close(); await site?.stop(); await rt?.stop(); });

const w = (page, selector, options) => page.locator(`callback-widget ${selector}`, options);

/** Opens a site's page and waits for the launcher; collects what the page's console says. */
async function visit(url, { viewport } = {}) {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Europe/Paris', ...(viewport ? { viewport } : {}) });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  await w(page, '.cb-launcher').waitFor({ timeout: 15_000 });
  return { context, page, errors };
}

const oneTag = (service, extra = '') => `<script type="module" src="${rt.base}/widget/callback.js" data-service="${service}"${extra}></script>`;

async function fillForm(page, reason) {
  await w(page, '.cb-launcher').click();
  await w(page, 'input[type=tel]').fill('+33 6 44 55 66 77');
  await w(page, 'input[autocomplete=name]').fill('Site Visitor');
  await w(page, 'textarea').fill(reason);
}

const records = async (service) => (await api.get(`/genesys/1/admin/callback/queues?target=${service}&end_time=${encodeURIComponent(new Date(Date.now() + 30 * 86_400_000).toISOString())}`, { auth: admin })).body[service];

test('the widget\'s files are public: any origin may load them, the API stays gated', async () => {
  const files = ['/widget/callback.js', '/widget/manage.js', '/widget/pkg/callback_widget_bg.wasm', '/widget/manage/callback_widget_bg.wasm'];
  for (const path of files) {
    const r = await fetch(`${rt.base}${path}`, { headers: { origin: 'https://any-site.example' } });
    assert.equal(r.status, 200, path);
    assert.equal(r.headers.get('access-control-allow-origin'), '*', path);
    await r.arrayBuffer();
  }
  assert.equal((await fetch(`${rt.base}/_headers`)).status, 404, 'the headers file itself is not served');
  const api = await fetch(`${rt.base}/genesys/1/service/callback/shop/offer`, { headers: { origin: 'https://any-site.example' } });
  assert.equal(api.status, 403);
  assert.equal(api.headers.get('access-control-allow-origin'), 'https://any-site.example', 'the refusal is readable by the page');
  assert.match((await api.json()).message, /_allowed_origins/);
});

test('one tag from the Callback host on another origin: an immediate request', async () => {
  const url = site.page('/immediate.html', hostHtml('Shop: immediate', oneTag('shop')), guideCsp(rt.base));
  const { context, page, errors } = await visit(url);
  await shot(page, 'cross-origin-1-button');
  await fillForm(page, 'Cross-origin now');
  await w(page, '.cb-wait').waitFor();
  await w(page, '.cb-primary', { hasText: 'Call me now' }).click();
  await w(page, '.cb-done').waitFor();
  await shot(page, 'cross-origin-2-done');
  const [record] = (await records('shop')).filter((r) => r.reason === 'Cross-origin now');
  assert.equal(record._callback_state, 'QUEUED');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the guide\'s async tag in a page\'s head, run before there is a body: the button comes with the body, styled', async () => {
  const context = await browser.newContext({ locale: 'de-DE' });
  // A slow script of the site's own holds the parser in the head while the loader arrives and runs.
  await context.route('**/slow.js', async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.fulfill({ contentType: 'text/javascript', body: 'window.slowDone = true;' });
  });
  const html = `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Shop: head</title>
    ${oneTag('shop', ' async')}<script src="/slow.js"></script></head><body><h1>Shop: head</h1></body></html>`;
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(site.page('/head.html', html, guideCsp(rt.base)));
  const launcher = w(page, '.cb-launcher');
  await launcher.waitFor();
  assert.equal(await launcher.textContent(), 'Rückruf anfordern');
  assert.ok(await page.evaluate(() => window.slowDone && performance.getEntriesByName('callback:button')[0].startTime >= performance.getEntriesByType('navigation')[0].domContentLoadedEventStart),
    'the button waited for the body');
  assert.equal(await page.locator('callback-widget').count(), 1);
  assert.equal(await launcher.evaluate((b) => getComputedStyle(b).position), 'fixed', 'styled at once, under a policy that allows no style of the widget\'s host');
  assert.deepEqual(errors, []);
  await context.close();
});

test('one tag from the Callback host on another origin: a scheduled request and its manage link', async () => {
  const url = site.page('/scheduled.html', hostHtml('Shop: scheduled', oneTag('shop')), guideCsp(rt.base));
  const { context, page, errors } = await visit(url);
  await fillForm(page, 'Cross-origin later');
  await w(page, '.cb-secondary', { hasText: 'Choose a time' }).click();
  // The second day with free times is a whole day at any hour (late at night today has few).
  await w(page, '.cb-day:not(.cb-empty)').nth(1).click();
  await w(page, '.cb-slot').nth(2).click();
  await w(page, '.cb-primary', { hasText: 'Book this time' }).click();
  await w(page, '.cb-done').waitFor();
  const [record] = (await records('shop')).filter((r) => r.reason === 'Cross-origin later');
  assert.ok(['SCHEDULED', 'QUEUED'].includes(record._callback_state));
  const href = await w(page, '.cb-done a').getAttribute('href');
  assert.ok(href.startsWith(`${rt.base}/manage.html?id=shop~`), `the manage page is the Callback host's: ${href}`);
  assert.deepEqual(errors, []);
  await page.goto(href);
  await page.locator('callback-manage .cb-state', { hasText: 'Booked' }).or(page.locator('callback-manage .cb-state', { hasText: 'Waiting' })).first().waitFor();
  await shot(page, 'cross-origin-3-manage');
  await context.close();
});

test('a site that hosts the widget\'s files itself, pointed at the API with data-api', async () => {
  const tag = `<script type="module" src="/widget/callback.js" data-service="shop" data-api="${rt.base}"></script>`;
  const url = site.page('/self-hosted.html', hostHtml('Shop: self-hosted widget', tag), guideCsp(rt.base, { selfHosted: true }));
  const { context, page, errors } = await visit(url);
  const loaded = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/widget/')));
  assert.ok(loaded.length > 0 && loaded.every((n) => n.startsWith(site.origin)), `the widget's files come from the site: ${loaded}`);
  await fillForm(page, 'Self-hosted now');
  await w(page, '.cb-primary', { hasText: 'Call me now' }).click();
  await w(page, '.cb-done').waitFor();
  assert.equal((await records('shop')).filter((r) => r.reason === 'Self-hosted now').length, 1);
  assert.ok((await w(page, '.cb-done a').getAttribute('href')).startsWith(`${rt.base}/manage.html?id=`));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a site whose origin the service does not allow: a plain message, one console line for its owner', async () => {
  const url = site.page('/not-allowed.html', hostHtml('Not set up', oneTag('not-here')), guideCsp(rt.base));
  const { context, page, errors } = await visit(url);
  await w(page, '.cb-launcher').click();
  await w(page, '.cb-problem', { hasText: 'This site is not set up for callbacks yet.' }).waitFor();
  await shot(page, 'cross-origin-4-not-allowed');
  assert.equal(await w(page, 'input[type=tel]').count(), 0, 'no form that could not work');
  await w(page, '.cb-close').click();
  await w(page, '.cb-launcher').click();
  await w(page, '.cb-problem').waitFor();
  const ours = errors.filter((e) => e.startsWith('Callback widget:'));
  assert.equal(ours.length, 1, `one line for the site's owner: ${JSON.stringify(errors)}`);
  assert.match(ours[0], new RegExp(`${site.origin.replace(/[.:/]/g, '\\$&')}.*_allowed_origins`));
  assert.deepEqual(errors.filter((e) => /CORS|Uncaught|panicked|unreachable/i.test(e)), [], 'no CORS failures nor exceptions');
  await context.close();
});

test('on a phone-sized screen the dialog takes the screen and the days scroll sideways in one row', async () => {
  const url = site.page('/phone.html', hostHtml('Shop: phone', oneTag('shop')), guideCsp(rt.base));
  const { context, page } = await visit(url, { viewport: { width: 375, height: 740 } });
  await fillForm(page, 'Phone layout');
  await w(page, '.cb-secondary', { hasText: 'Choose a time' }).click();
  await w(page, '.cb-slot').first().waitFor();
  await shot(page, 'phone-1-slots');
  const layout = await page.evaluate(() => {
    const root = document.querySelector('callback-widget').shadowRoot;
    const dialog = root.querySelector('.cb-dialog').getBoundingClientRect();
    const days = root.querySelector('.cb-days');
    const tops = new Set([...days.querySelectorAll('.cb-day')].map((d) => Math.round(d.getBoundingClientRect().top)));
    const parts = [...root.querySelectorAll('.cb-times [role=group]')].map((g) => g.getAttribute('aria-label'));
    return { width: dialog.width, height: dialog.height, rows: tops.size, scrolls: days.scrollWidth > days.clientWidth, parts };
  });
  assert.equal(layout.width, 375);
  assert.equal(layout.height, 740);
  assert.equal(layout.rows, 1, 'the days are one row');
  assert.ok(layout.scrolls, 'the row scrolls sideways');
  assert.ok(layout.parts.length >= 1 && layout.parts.every((p) => ['Morning', 'Afternoon', 'Evening'].includes(p)), `times grouped by part of the day: ${layout.parts}`);
  await context.close();
});

test('no WCAG 2.2 A/AA violation (axe-core): the form while the dialog opens, and the slot picker', async () => {
  const url = site.page('/axe.html', hostHtml('Shop: accessibility', oneTag('shop')), guideCsp(rt.base));
  const { context, page } = await visit(url);
  const check = (label) => axe(page, label);
  await w(page, '.cb-launcher').click();
  const opening = await check('opening');
  await w(page, 'input[type=tel]').fill('+33 6 44 55 66 78');
  await page.waitForTimeout(300);
  const form = await check('form');
  await w(page, '.cb-secondary', { hasText: 'Choose a time' }).click();
  await w(page, '.cb-slot').first().waitFor();
  await w(page, '.cb-slot').first().click();
  const picker = await check('picker');
  assert.deepEqual([...opening, ...form, ...picker], []);
  await context.close();
});
