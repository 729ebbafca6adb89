// The console in headless Chromium against the real Worker: an agent signs in with the token,
// accepts a previewed callback, dials, records a disposition; a supervisor sees the queue change,
// searches, cancels in bulk, charts booked vs capacity and sees configuration errors next to the
// option. Screenshots of each step go to target/screenshots/console-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRuntime } from './support/runtime.mjs';
import { client, admin, alwaysOpenService, number } from './support/api.mjs';
import { agent } from './support/agent.mjs';
import { launch, shot, axe } from './support/browser.mjs';

let rt, api, browser;
before(async () => {
  rt = await startRuntime();
  api = client(rt.base);
  await alwaysOpenService(api, 'desk', { _agent_preview: 'true', _agent_preview_timeout: '120', _enable_disposition_dialog: 'true', _agent_disposition_timeout: '120', _enable_in_queue_checking: 'false', _request_time_bucket: '60', _max_request_by_time_bucket: '3' });
  browser = await launch();
});
after(async () => { await browser?.close(); await rt?.stop(); });

async function consolePage(hash = '') {
  const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Refusals the tests provoke (401, 400) are logged by the browser; anything else is an error.
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 40[01]/.test(m.text())) errors.push(m.text()); });
  await page.goto(`${rt.base}/console.html${hash}`);
  await page.getByRole('tab', { name: 'Agent' }).waitFor();
  return { page, errors };
}

test('an agent accepts a previewed callback, dials, records a disposition', async () => {
  const lina = await agent(api, 'lina', ['desk'], 'Lina Ortiz');
  const id = (await api.post('/genesys/1/service/callback/desk', { _customer_number: number(1), first_name: 'Marta', topic: 'Meter reading' })).body._id;
  const { page, errors } = await consolePage();
  const violations = await axe(page, 'agent sign-in');
  await page.getByLabel('Your agent token').fill('desk.wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'bearer token' }).waitFor();
  await page.getByLabel('Your agent token').fill(lina.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Set yourself ready').waitFor();
  await shot(page, 'console-agent-1-signed-in');
  violations.push(...await axe(page, 'agent signed in'));
  await page.getByRole('button', { name: 'Ready', exact: true }).click();
  await page.getByRole('heading', { name: 'New callback: accept or reject' }).waitFor();
  await page.getByText('Marta').waitFor();
  assert.match(await page.locator('.countdown').textContent(), /^\d+ s left$/);
  await shot(page, 'console-agent-2-preview');
  violations.push(...await axe(page, 'agent preview'));
  await page.getByRole('button', { name: 'Accept' }).click();
  const dial = page.getByRole('link', { name: `Call ${number(1)}` });
  await dial.waitFor();
  assert.equal(await dial.getAttribute('href'), `tel:${number(1)}`);
  await shot(page, 'console-agent-3-dial');
  await page.getByRole('button', { name: 'Answered' }).click();
  await page.getByRole('button', { name: 'End call' }).click();
  await page.getByLabel('Outcome code').fill('RESOLVED');
  await page.getByLabel('Note').fill('Reading sent by email');
  await shot(page, 'console-agent-4-disposition');
  violations.push(...await axe(page, 'agent disposition'));
  await page.getByRole('button', { name: 'Save disposition' }).click();
  await page.getByText('Waiting for a callback').waitFor();
  await shot(page, 'console-agent-5-done');
  const record = (await api.get(`/genesys/1/service/callback/desk/${id}`)).body;
  assert.deepEqual([record._callback_state, record._callback_reason, record._disposition, record._disposition_note], ['COMPLETED', 'AGENT_CONNECTED', 'RESOLVED', 'Reading sent by email']);
  await page.getByRole('button', { name: 'Not ready' }).click();
  await page.getByText('Set yourself ready').waitFor();
  await page.reload();
  await page.getByText('Set yourself ready').waitFor({ timeout: 5000 });
  assert.equal(await page.getByLabel('Your agent token').count(), 0, 'a reload keeps the tab signed in');
  assert.deepEqual(violations, []);
  assert.deepEqual(errors, []);
});

test('a supervisor sees the queue change, searches, cancels in bulk, erases a customer, charts the buckets, edits the configuration', async () => {
  const { page, errors } = await consolePage('#supervisor');
  await page.getByRole('tab', { name: 'Supervisor' }).click();
  await page.getByLabel('Admin user').waitFor();
  assert.deepEqual(await axe(page, 'supervisor sign-in'), []);
  await page.getByLabel('Admin user').fill('admin');
  await page.getByLabel('Password').fill('admin');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('desk — 0 in queue').waitFor();
  await shot(page, 'console-sup-1-board');
  const first = (await api.post('/genesys/1/service/callback/desk', { _customer_number: number(2) })).body._id;
  const second = (await api.post('/genesys/1/service/callback/desk', { _customer_number: number(3) })).body._id;
  await page.getByText('desk — 2 in queue').waitFor();
  await page.getByRole('cell', { name: first }).first().waitFor();
  await shot(page, 'console-sup-2-queue-changed', { fullPage: true });
  assert.deepEqual(await axe(page, 'queues'), []);

  await page.getByLabel('Properties').fill(`_customer_number=${number(3)}`);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByText('1 found').waitFor();

  await page.getByLabel(`Select ${first}`).first().check();
  await page.getByLabel(`Select ${second}`).first().check();
  await page.getByRole('button', { name: 'Cancel selected (2)' }).click();
  await page.getByText('Cancelled 2.').waitFor();
  await page.getByText('desk — 0 in queue').waitFor();
  assert.equal((await api.get(`/genesys/1/service/callback/desk/${first}`)).body._callback_reason, 'CANCELLED_BY_ADMIN');

  // The right to be forgotten, from the board.
  const forgotten = number(5);
  const erasedId = (await api.post('/genesys/1/service/callback/desk', { _customer_number: forgotten, first_name: 'Forget me' })).body._id;
  await page.getByLabel('Customer number (E.164)').fill(forgotten);
  await page.getByLabel('This cannot be undone').check();
  await page.getByRole('button', { name: 'Erase', exact: true }).click();
  const erased = page.getByRole('status').filter({ hasText: /Erased|Nothing/ });
  // A refusal shows as an alert instead: say which, rather than only that the wait ran out.
  await erased.waitFor().catch(async (e) => { throw new Error(`${e.message}\nthe page's alerts: ${JSON.stringify(await page.getByRole('alert').allTextContents())}`); });
  assert.equal(await erased.textContent(), 'Erased 1 callbacks. desk: 1 callbacks (1 cancelled first), 1 counters, 0 holds.');
  assert.equal((await api.get(`/genesys/1/service/callback/desk/${erasedId}`)).status, 404);
  await shot(page, 'console-sup-3-erased', { fullPage: true });

  const slot = new Date(Date.now() + 3 * 3600_000);
  slot.setUTCMinutes(0, 0, 0);
  await api.post('/genesys/1/service/callback/desk', { _customer_number: number(4), _desired_time: slot.toISOString() });
  await page.getByRole('cell', { name: 'SCHEDULED' }).first().waitFor();
  await page.getByLabel('Service', { exact: true }).selectOption('desk');
  const chart = page.locator('svg.bars');
  await chart.waitFor();
  assert.match(await chart.getAttribute('aria-label'), /^1 booked of \d+ across \d+ buckets$/);
  assert.ok(await page.locator('svg.bars rect.booked[height="0"]').count() > 0 && await page.locator('svg.bars title', { hasText: '1 booked of 3' }).count() === 1);
  await shot(page, 'console-sup-4-chart', { fullPage: true });

  // The configuration, from the Services view: an error shows next to its option as it is typed.
  await page.getByRole('tab', { name: 'Services' }).click();
  await page.getByRole('button', { name: 'Edit office-24x7' }).click();
  await page.getByLabel('Value of _bh_regular1').fill('Mon-Fry 00:00-24:00');
  const error = page.locator('.option.invalid .option-error');
  await error.waitFor();
  assert.match(await error.textContent(), /_bh_regular1/);
  await shot(page, 'console-sup-5-config-error', { fullPage: true });
  await page.getByLabel('Value of _bh_regular1').fill('Mon-Sun 00:00-24:00');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('Saved service.office-24x7: the change is in effect.').waitFor();
  assert.equal(await page.locator('.option.invalid').count(), 0);
  assert.deepEqual(errors, []);
});

