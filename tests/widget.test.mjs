// The real widget in headless Chromium against the real Worker in workerd. Screenshots of each
// step go to target/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRuntime } from './support/runtime.mjs';
import { client, admin, alwaysOpenService, number } from './support/api.mjs';
import { launch, shot, hostPage } from './support/browser.mjs';
import { seedDemo } from '../scripts/demo.mjs';
import { agent } from './support/agent.mjs';

let rt, api, browser;
before(async () => {
  rt = await startRuntime();
  api = client(rt.base);
  await seedDemo(rt.base, admin);
  await alwaysOpenService(api, 'web', { _request_time_bucket: '15', _max_request_by_time_bucket: '2', _enable_in_queue_checking: 'false' });
  await alwaysOpenService(api, 'one', { _request_time_bucket: '15', _max_request_by_time_bucket: '1', _enable_in_queue_checking: 'false' });
  await alwaysOpenService(api, 'full', { _max_queued_callbacks_per_service: '0' });
  browser = await launch();
});
after(async () => { await browser?.close(); await rt?.stop(); });

const w = (page, selector, options) => page.locator(`callback-widget ${selector}`, options);
const records = async (service) => (await api.get(`/genesys/1/admin/callback/queues?target=${service}&end_time=${encodeURIComponent(new Date(Date.now() + 30 * 86_400_000).toISOString())}`, { auth: admin })).body[service];
const active = (page) => page.evaluate(() => {
  const a = document.querySelector('callback-widget')?.shadowRoot?.activeElement;
  return a ? { tag: a.tagName, cls: a.className, text: a.textContent, inDialog: !!a.closest('.cb-dialog') } : { tag: document.activeElement?.tagName };
});

/** Clicks "Choose a time" (in `label`'s language) and answers the availability the widget was given. */
async function chooseTime(page, label = 'Choose a time') {
  const listed = page.waitForResponse((r) => r.url().includes('/availability'));
  await w(page, '.cb-secondary', { hasText: label }).click();
  const availability = await (await listed).json();
  await w(page, '.cb-slot').first().waitFor();
  return availability;
}

async function openForm(page, { name = 'Ana Lima', phone = '+33 6 12 34 56 78', reason = 'Contract question' } = {}) {
  await w(page, '.cb-launcher').click();
  await w(page, 'input[type=tel]').fill(phone);
  await w(page, 'input[autocomplete=name]').fill(name);
  await w(page, 'textarea').fill(reason);
}

test('immediate request: the dialog, the estimated wait, the confirmation, the record', async () => {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Europe/Paris' });
  const { page, errors } = await hostPage(context, rt.base, { service: 'web', title: 'Immediate' });
  await shot(page, 'immediate-1-button');
  await openForm(page);
  await w(page, '.cb-wait').waitFor();
  assert.equal(await w(page, '.cb-wait').textContent(), 'No wait right now');
  await shot(page, 'immediate-2-form');
  await w(page, '.cb-primary', { hasText: 'Call me now' }).click();
  await w(page, '.cb-done').waitFor();
  await shot(page, 'immediate-3-done');
  assert.equal(await w(page, '.cb-when').textContent(), 'We will call you shortly.');
  const [record] = (await records('web')).filter((r) => r.reason === 'Contract question');
  assert.equal(record._callback_state, 'QUEUED');
  assert.equal(record._customer_number, '+33612345678');
  assert.equal(record.first_name, 'Ana Lima');
  assert.match(await w(page, '.cb-reference').textContent(), /^[A-Z0-9]{8}$/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('scheduled request from New York: the slot is shown in local time and booked at the right UTC time', async () => {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'America/New_York' });
  const { page } = await hostPage(context, rt.base, { service: 'web', title: 'Scheduled' });
  await openForm(page, { reason: 'New York booking' });
  const availability = await chooseTime(page);
  assert.equal(availability.timezone, 'America/New_York', 'the widget asks in the visitor\'s zone');
  await shot(page, 'scheduled-1-slots');
  const slot = availability.slots.find((s) => s.capacity > 0);
  const label = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit' }).format(new Date(slot.utcTime));
  assert.equal(await w(page, '.cb-slot').first().textContent(), label);
  assert.equal(slot.localTime.slice(11, 16), new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(slot.utcTime)));
  await w(page, '.cb-slot').first().click();
  await w(page, '.cb-primary', { hasText: 'Book this time' }).click();
  await w(page, '.cb-done').waitFor();
  await shot(page, 'scheduled-2-done');
  const when = await w(page, '.cb-when').textContent();
  assert.match(when, /our time, Europe\/Paris/, 'the business\'s time too, as the zones differ');
  const [record] = (await records('web')).filter((r) => r.reason === 'New York booking');
  assert.equal(record._desired_time, slot.utcTime);
  // The first slot may be within the execution buffer (2 minutes), and then queues at once.
  assert.ok(['SCHEDULED', 'QUEUED'].includes(record._callback_state));
  const download = page.waitForEvent('download');
  await w(page, '.cb-secondary', { hasText: 'Add to calendar' }).click();
  const ics = await (await download).path().then((p) => import('node:fs').then((fs) => fs.readFileSync(p, 'utf8')));
  assert.match(ics, new RegExp(`DTSTART:${slot.utcTime.replace(/[-:]/g, '').slice(0, 15)}Z`));
  await context.close();
});

test('cancel from the manage page', async () => {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Europe/Paris' });
  const { page } = await hostPage(context, rt.base, { service: 'web', title: 'Manage' });
  await openForm(page, { reason: 'To cancel' });
  await chooseTime(page);
  // The second day with free times is a whole day at any hour (late at night today has few).
  await w(page, '.cb-day:not(.cb-empty)').nth(1).click();
  await w(page, '.cb-slot').nth(3).click();
  await w(page, '.cb-primary', { hasText: 'Book this time' }).click();
  const href = await w(page, '.cb-done a').getAttribute('href');
  assert.match(href, /\/manage\.html\?id=web~/);
  await page.goto(href);
  const m = (sel, options) => page.locator(`callback-manage ${sel}`, options);
  await m('.cb-state').waitFor();
  assert.equal(await m('.cb-state').textContent(), 'Booked');
  await shot(page, 'manage-1-booked');
  await m('button', { hasText: 'Cancel the callback' }).click();
  await m('.cb-status', { hasText: 'Your callback is cancelled.' }).waitFor();
  assert.equal(await m('.cb-state').textContent(), 'Cancelled');
  await shot(page, 'manage-2-cancelled');
  const id = new URL(href).searchParams.get('id');
  const record = (await api.get(`/genesys/1/service/callback/web/${id}`)).body;
  assert.deepEqual([record._callback_state, record._callback_reason], ['COMPLETED', 'CANCELLED']);
  await context.close();
});

test('the manage page asks the customer to confirm when an agent is ready; user-originated, it gives the number to call', async () => {
  await alwaysOpenService(api, 'confirming', { _wait_for_agent: 'true', _wait_for_user_confirm: 'true', _user_confirm_timeout: '120', _enable_in_queue_checking: 'false' });
  const id = (await api.post('/genesys/1/service/callback/confirming', { _customer_number: number(70) })).body._id;
  const olga = await agent(api, 'olga', ['confirming']);
  await olga.ready();
  await olga.offered('confirming');
  const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  await page.goto(`${rt.base}/manage.html?id=${id}`);
  const m = (sel, options) => page.locator(`callback-manage ${sel}`, options);
  await m('.cb-confirm', { hasText: 'Un conseiller est prêt' }).waitFor();
  await shot(page, 'manage-3-confirm');
  await m('.cb-confirm button', { hasText: 'Appelez-moi maintenant' }).click();
  await m('.cb-state', { hasText: 'Appel en cours' }).waitFor();
  assert.equal((await api.get(`/genesys/1/service/callback/confirming/${id}`)).body._callback_state, 'ROUTING');
  assert.equal(await m('.cb-confirm').count(), 0);
  await olga.dialResult(id, 'INVALID_NUMBER');
  await olga.notReady();

  await api.section('service.widget-access', { _type: 'builtin', _service: 'request-access', _access_numbers: '+18005550400', _provide_code: 'true', _ttl: '120' });
  await alwaysOpenService(api, 'uo-confirming', { _call_direction: 'USERORIGINATED', _wait_for_agent: 'true', _wait_for_user_confirm: 'true', _request_access_service: 'widget-access', _enable_in_queue_checking: 'false' });
  const uo = (await api.post('/genesys/1/service/callback/uo-confirming', { _customer_number: number(71) })).body._id;
  const otto = await agent(api, 'otto', ['uo-confirming']);
  await otto.ready();
  await otto.offered('confirming');
  await page.goto(`${rt.base}/manage.html?id=${uo}&lang=en`);
  await m('.cb-confirm button', { hasText: 'Call me now' }).click();
  const link = m('.cb-dial a');
  await link.waitFor();
  assert.equal(await link.getAttribute('href'), 'tel:+18005550400');
  assert.match(await m('p', { hasText: 'Your code' }).textContent(), /Your code: \d{4}/);
  await shot(page, 'manage-4-access-number');
  await otto.notReady();
  await context.close();
});

test('a slot taken meanwhile shows the alternatives the server returned', async () => {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Europe/Paris' });
  const { page } = await hostPage(context, rt.base, { service: 'one', title: 'Taken' });
  await openForm(page, { reason: 'Lost the race' });
  const slot = (await chooseTime(page)).slots.find((s) => s.capacity > 0);
  await w(page, '.cb-slot').first().click();
  // Someone else books the only place first.
  assert.equal((await api.post('/genesys/1/service/callback/one', { _customer_number: number(500), _desired_time: slot.utcTime })).status, 200);
  await w(page, '.cb-primary', { hasText: 'Book this time' }).click();
  await w(page, '.cb-problem', { hasText: 'That time was just taken' }).waitFor();
  await shot(page, 'taken-1-alternatives');
  const alternatives = w(page, '.cb-alternatives button');
  assert.ok(await alternatives.count() > 0);
  await alternatives.first().click();
  await w(page, '.cb-done').waitFor();
  await shot(page, 'taken-2-done');
  const mine = (await records('one')).filter((r) => r.reason === 'Lost the race');
  assert.equal(mine.length, 1);
  assert.notEqual(mine[0]._desired_time, slot.utcTime);
  await context.close();
});

test('keyboard only: open, fill, choose a time, book; focus stays in the dialog and returns to the button', async () => {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Europe/Paris' });
  const { page } = await hostPage(context, rt.base, { service: 'web', title: 'Keyboard' });
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal((await active(page)).cls, 'cb-launcher');
  await page.keyboard.press('Enter');
  await w(page, '.cb-dialog').waitFor();
  await page.waitForFunction(() => document.querySelector('callback-widget').shadowRoot.activeElement?.tagName === 'INPUT');
  await page.keyboard.type('Key Board');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.type('+33 6 99 88 77 66');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Keyboard booking');
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    assert.ok((await active(page)).inDialog, 'Tab never leaves the dialog');
  }
  await page.keyboard.press('Escape');
  assert.equal(await w(page, '.cb-dialog').count(), 0);
  assert.equal((await active(page)).cls, 'cb-launcher', 'focus returns to the button');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('callback-widget').shadowRoot.activeElement?.tagName === 'INPUT');
  assert.equal(await w(page, 'input[type=tel]').inputValue(), '+33 6 99 88 77 66', 'what was typed is kept when the dialog is closed');
  // From the dialog's first field to a booked time by keyboard alone, counting the Tab presses:
  // each list of the slot picker is one tab stop, moved within by arrow keys, Home and End.
  let tabs = 0;
  const tabTo = async (wanted) => {
    for (let i = 0; i < 12 && !wanted(await active(page)); i++) {
      await page.keyboard.press('Tab');
      tabs++;
    }
    assert.ok(wanted(await active(page)), JSON.stringify(await active(page)));
  };
  const selected = (list) => page.evaluate((list) => [...document.querySelector('callback-widget').shadowRoot.querySelectorAll(`${list} [aria-selected=true]`)].map((e) => e.textContent), list);
  await tabTo((a) => a.text === 'Choose a time');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('callback-widget').shadowRoot.activeElement?.classList.contains('cb-day'));
  const firstDay = (await active(page)).text;
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((first) => { const a = document.querySelector('callback-widget').shadowRoot.activeElement; return a?.classList.contains('cb-day') && a.textContent !== first; }, firstDay);
  assert.deepEqual(await selected('.cb-days'), [(await active(page)).text], 'the day moved to is selected');
  await page.keyboard.press('Home');
  const listFirst = await w(page, '.cb-day').first().textContent();
  await page.waitForFunction((first) => document.querySelector('callback-widget').shadowRoot.activeElement?.textContent === first, listFirst);
  // Late in the evening today has no free time left and the picker opened on a later day.
  for (let i = 0; i < 7 && (await active(page)).text !== firstDay; i++) await page.keyboard.press('ArrowRight');
  assert.equal((await active(page)).text, firstDay, 'arrows lead back to the day the picker opened on');
  await tabTo((a) => a.cls === 'cb-slot');
  // Arrows move and pick; Space picks the focused time too, which a day with one time left needs.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.querySelector('callback-widget').shadowRoot.querySelectorAll('.cb-times [aria-selected=true]').length === 1);
  const chosen = (await selected('.cb-times'))[0];
  assert.equal((await active(page)).text, chosen, 'the focused time is the chosen one');
  await tabTo((a) => a.cls === 'cb-primary');
  await shot(page, 'keyboard-1-focus');
  await page.keyboard.press('Enter');
  await w(page, '.cb-done').waitFor();
  console.log(`keyboard booking: ${tabs} Tab presses from the dialog's first field`);
  assert.ok(tabs <= 12, `${tabs} Tab presses`);
  assert.equal((await records('web')).filter((r) => r.reason === 'Keyboard booking').length, 1);
  await context.close();
});

test('French visitor: words and dates in French', async () => {
  const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const { page } = await hostPage(context, rt.base, { service: 'web', title: 'Français' });
  assert.equal(await w(page, '.cb-launcher').textContent(), 'Rappelez-moi');
  await openForm(page, { phone: '06 12 34 56 79', reason: 'En français' });
  assert.equal(await w(page, 'select').inputValue(), 'FR', 'the country follows the browser locale');
  await chooseTime(page, 'Choisir un horaire');
  const day = await w(page, '.cb-day').first().textContent();
  assert.match(day, /^(lun|mar|mer|jeu|ven|sam|dim)\./, `a French day label: ${day}`);
  await shot(page, 'french-1-slots');
  await w(page, '.cb-slot').first().click();
  await w(page, '.cb-primary').click();
  await w(page, '.cb-done').waitFor();
  assert.match(await w(page, '.cb-when').textContent(), /^Nous vous appellerons /);
  await shot(page, 'french-2-done');
  await context.close();
});

test('limits and a lost connection get human messages; retry works', async () => {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Europe/Paris' });
  const full = await hostPage(context, rt.base, { service: 'full', title: 'Full' });
  await openForm(full.page);
  await w(full.page, '.cb-primary', { hasText: 'Call me now' }).click();
  await w(full.page, '.cb-problem', { hasText: 'We cannot take more requests right now' }).waitFor();
  const { page } = await hostPage(context, rt.base, { service: 'web', title: 'Offline' });
  await openForm(page, { reason: 'Retried' });
  await page.route('**/genesys/1/service/callback/web', (route) => route.abort('internetdisconnected'));
  await w(page, '.cb-primary', { hasText: 'Call me now' }).click();
  await w(page, '.cb-problem', { hasText: 'could not reach the service' }).waitFor();
  await shot(page, 'offline-1-retry');
  await page.unroute('**/genesys/1/service/callback/web');
  await w(page, '.cb-problem button', { hasText: 'Try again' }).click();
  await w(page, '.cb-done').waitFor();
  assert.equal((await records('web')).filter((r) => r.reason === 'Retried').length, 1);
  await context.close();
});

test('the demo page: one tag, a floating button, a strict CSP, no errors; load timing', async () => {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${rt.base}/`);
  const floating = page.locator('callback-widget[floating] .cb-launcher');
  await floating.waitFor();
  // Beside the floating button, the page's own chat button, inline.
  await page.locator('callback-widget[media=chat]').getByRole('button', { name: 'Chat with us' }).waitFor();
  await shot(page, 'demo-page');
  const timing = await page.evaluate(() => {
    const script = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/widget/callback.js'));
    const shown = performance.getEntriesByName('callback:button')[0];
    return { fromScriptRequest: shown.startTime - script.startTime, fromNavigation: shown.startTime };
  });
  console.log(`widget timing: script request -> button shown ${timing.fromScriptRequest.toFixed(0)} ms; navigation -> button ${timing.fromNavigation.toFixed(0)} ms`);
  assert.equal(await floating.evaluate((b) => getComputedStyle(b).position), 'fixed',
    'the button is styled as it is drawn, under a policy with no inline styles');
  assert.deepEqual(errors, []);
  for (const path of ['/embed.html', '/docs.html']) {
    await page.goto(`${rt.base}${path}`);
    await shot(page, path.slice(1, -5));
  }
  await page.locator('#api table').waitFor();
  assert.ok(await page.locator('#api tbody tr').count() >= 20, 'the API docs list the operations');
  await context.close();
});

test('the button comes first: the dialog is fetched on intent, and a click before it is there is kept', async () => {
  const context = await browser.newContext({ locale: 'fr-FR' });
  // The dialog's module arrives late, as on a slow network.
  let release;
  const held = new Promise((r) => (release = r));
  await context.route('**/widget/dialog.js', async (route) => { await held; await route.continue(); });
  const { page, errors } = await hostPage(context, rt.base, { service: 'web', locale: 'fr' });
  const launcher = w(page, '.cb-launcher');
  assert.equal(await launcher.textContent(), 'Rappelez-moi', 'the loader speaks the visitor\'s language');
  await page.waitForTimeout(500);
  const fetched = async () => (await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)))
    .filter((p) => p.startsWith('/widget/'));
  assert.deepEqual((await fetched()).sort(), ['/widget/callback.js'], 'nothing more before any interaction: the loader carries its stylesheet');
  await launcher.click();
  assert.equal(await launcher.getAttribute('aria-busy'), 'true', 'the button shows it is on its way');
  assert.equal(await w(page, '.cb-dialog').count(), 0);
  release();
  await w(page, 'input[type=tel]').waitFor();
  assert.equal(await launcher.getAttribute('aria-busy'), null);
  assert.ok((await fetched()).includes('/widget/pkg/callback_widget_bg.wasm'));
  assert.equal(await w(page, '.cb-dialog').count(), 1, 'one click, one dialog');
  await page.keyboard.press('Escape');
  await launcher.click();
  await w(page, 'input[type=tel]').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});
