// The operator's console in headless Chromium against the real Worker, driven by roles and labels
// (and the keyboard for the dialogs): services from each preset through Add New Service, the option
// editor's explanations and checks, deleting with a warning, the option docs; axe-core on every
// view. Agents: operator-agents.test.mjs. Screenshots go to target/screenshots/operator-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRuntime } from './support/runtime.mjs';
import { client, admin, alwaysOpenService, number } from './support/api.mjs';
import { launch, shot, axe, supervisor } from './support/browser.mjs';

let rt, api, browser;
before(async () => {
  rt = await startRuntime();
  api = client(rt.base);
  browser = await launch();
});
after(async () => { await browser?.close(); await rt?.stop(); });

const section = async (name) => (await api.get(`/genesys/1/admin/config/service.${name}`, { auth: admin }));

test('an administrator creates a service of every preset through Add New Service; the API has its options', async () => {
  const catalogue = (await api.get('/genesys/1/admin/templates', { auth: admin })).body;
  assert.deepEqual(catalogue.templates.map((t) => t.name), ['callback', 'office-hours', 'capacity', 'request-access', 'match-interaction']);
  const ttl = catalogue.templates[0].options.find((o) => o.name === '_ttl');
  assert.deepEqual([ttl.type, ttl.default, ttl.min, ttl.max], ['number', 86400, 1, 31536000]);
  const presets = catalogue.presets;
  assert.equal(presets.length, 10);

  const { page, errors } = await supervisor(browser, rt.base, 'Services');
  await page.getByRole('heading', { name: 'Configured Services' }).waitFor();
  assert.deepEqual(await axe(page, 'services'), []);
  for (const [i, preset] of presets.entries()) {
    const name = `op-${i}`;
    // By keyboard: the button, then the dialog's first field has the focus.
    await page.getByRole('button', { name: 'Add New Service' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Add New Service' });
    await dialog.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'new-template');
    await dialog.getByLabel('Common Default Configuration').selectOption(preset.name);
    await dialog.getByLabel('Service Name').fill(name);
    await dialog.getByText(preset.meaning).waitFor();
    for (const [k, v] of Object.entries(preset.sets)) await dialog.getByText(`${k} = ${v}`).waitFor();
    const needs = dialog.getByLabel(/Also create the services it needs/);
    if (await needs.count()) assert.ok(await needs.isChecked(), 'missing services are created by default');
    if (i === 0) {
      assert.deepEqual(await axe(page, 'add service'), []);
      await shot(page, 'operator-1-add-service', { fullPage: true });
    }
    await dialog.getByLabel('Service Name').press('Enter');
    await page.getByRole('status').filter({ hasText: `Service ${name} created.` }).waitFor();
    const stored = (await section(name)).body;
    for (const [k, v] of Object.entries(preset.sets)) assert.equal(stored[k], v, `${preset.name}: ${k}`);
    await page.getByRole('row').filter({ hasText: name }).filter({ hasText: preset.name }).first().waitFor().catch(async (e) => { await shot(page, 'operator-failed-row', { fullPage: true }); throw e; });
  }
  // The user-originated presets made request-access and match-interaction; the scheduled one
  // office-hours and capacity, from their templates.
  for (const dependency of ['request-access', 'match-interaction', 'office-hours', 'capacity']) {
    assert.equal((await section(dependency)).status, 200, dependency);
  }
  await shot(page, 'operator-2-services', { fullPage: true });

  // A name the API would refuse, or one taken, is said before Add.
  await page.getByRole('button', { name: 'Add New Service' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add New Service' });
  await dialog.getByLabel('Service Name').fill('op-0');
  await dialog.getByText('a service named `op-0` exists already').waitFor();
  await dialog.getByLabel('Service Name').fill('a/b');
  await dialog.getByText(/letters, digits/).waitFor();
  assert.ok(await dialog.getByRole('button', { name: 'Add' }).isDisabled());
  await dialog.getByLabel('Service Name').press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
});

test('the editor explains each option, flags an unknown name and a bad value before saving; delete says what happens', async () => {
  await alwaysOpenService(api, 'edited');
  const { page, errors } = await supervisor(browser, rt.base, 'Services');
  await page.getByRole('button', { name: 'Edit edited' }).click();
  const editor = page.getByRole('form', { name: 'Options of service.edited' });
  await editor.waitFor();
  await editor.getByRole('button', { name: 'Add option' }).click();
  const rows = await editor.getByLabel(/^Option \d+$/).count();
  await editor.getByLabel(`Option ${rows}`).fill('_wait_for_agnet');
  await editor.getByText('Did you mean _wait_for_agent?').waitFor();
  await editor.getByLabel(`Option ${rows}`).fill('_ttl');
  await editor.getByLabel('Value of _ttl').fill('forever');
  await editor.getByText('option `_ttl`: `forever` is not a whole number from 1 to 31536000').waitFor().catch(async (e) => { await shot(page, 'operator-failed-editor', { fullPage: true }); throw e; });
  assert.ok(await editor.getByRole('button', { name: 'Save' }).isDisabled(), 'a value the API refuses is not sent');
  await editor.getByText('Seconds after its desired time a callback expires').waitFor();
  assert.deepEqual(await axe(page, 'editor'), []);
  await shot(page, 'operator-3-editor', { fullPage: true });
  await editor.getByLabel('Value of _ttl').fill('7200');
  await editor.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved service.edited' }).waitFor();
  assert.equal((await section('edited')).body._ttl, '7200');

  // A dependency that does not exist is shown, with the action that creates it from its template.
  await api.put('/genesys/1/admin/config/service.uo-api', { preset: 'User Originated Immediate', _request_access_service: 'access-x', _match_interaction_service: 'match-x' }, { auth: admin });
  await page.reload();
  await page.getByRole('tab', { name: 'Services' }).click();
  const missing = page.getByRole('row').filter({ hasText: 'uo-api' });
  await missing.getByText('access-x (_request_access_service) — missing').waitFor();
  await missing.getByRole('button', { name: 'Create access-x' }).click();
  await page.getByRole('status').filter({ hasText: 'Service access-x created from the request-access template.' }).waitFor();
  assert.equal((await section('access-x')).body._service, 'request-access');

  await api.post('/genesys/1/service/callback/edited', { _customer_number: number(40) });
  await page.getByRole('button', { name: 'Delete edited' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete edited' });
  await confirm.getByText(/kept 7 days/).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Cancel', 'the safe choice has the focus');
  await page.keyboard.press('Escape');
  await confirm.waitFor({ state: 'detached' });
  assert.equal((await section('edited')).status, 200);
  await page.getByRole('button', { name: 'Delete edited' }).click();
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('status').filter({ hasText: 'Service edited deleted.' }).waitFor();
  assert.equal((await section('edited')).status, 404);
  assert.deepEqual(errors, []);
});

test('the docs list every option, from the same catalogue', async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${rt.base}/docs.html`);
  await page.getByRole('heading', { name: 'callback: Callbacks: customers ask to be called back, now or at a time.' }).waitFor();
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: '_request_time_bucket' }) });
  assert.equal(await row.getByRole('cell').nth(2).textContent(), '5, 10, 15, 20, 30, 60, 120');
  assert.equal(await page.getByRole('rowheader', { name: '_bh_regular<n>' }).count(), 1);
  assert.deepEqual(await axe(page, 'docs'), []);
});
