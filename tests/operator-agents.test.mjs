// The operator's console for agents in headless Chromium against the real Worker, driven by roles,
// labels and the keyboard: an agent added with a phone and services, offered a callback, its token
// rotated, edited and removed; axe-core on every view. Services: operator.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRuntime } from './support/runtime.mjs';
import { client, alwaysOpenService, number } from './support/api.mjs';
import { launch, shot, axe, supervisor } from './support/browser.mjs';

let rt, api, browser;
before(async () => {
  rt = await startRuntime();
  api = client(rt.base);
  browser = await launch();
});
after(async () => { await browser?.close(); await rt?.stop(); });

test('an agent is added with a phone and services, is offered a callback, has the token rotated, and is removed', async () => {
  await alwaysOpenService(api, 'staffed');
  const { page, errors } = await supervisor(browser, rt.base, 'Agents');
  await page.getByRole('button', { name: 'Add agent' }).click();
  const form = page.getByRole('dialog', { name: 'Add agent' });
  await form.getByLabel('Id').fill('noor');
  await form.getByLabel('Name').fill('Noor Haddad');
  await form.getByLabel('staffed').check();
  await form.getByLabel(/^Phone/).fill('0612');
  await form.getByText(/E\.164/).first().waitFor();
  assert.ok(await form.getByRole('button', { name: 'Save agent' }).isDisabled());
  await form.getByLabel(/^Phone/).fill('+33612345670');
  assert.deepEqual(await axe(page, 'agent form'), []);
  await form.getByRole('button', { name: 'Save agent' }).click();
  const token = (await page.getByLabel('Token', { exact: true }).textContent()).trim();
  assert.ok(token.length > 20);
  await shot(page, 'operator-4-token', { fullPage: true });
  await page.getByRole('button', { name: 'Done' }).click().catch(async (e) => { await shot(page, 'operator-failed-done', { fullPage: true }); throw e; });
  await page.getByRole('row').filter({ hasText: 'Noor Haddad' }).filter({ hasText: '+33612345670' }).filter({ hasText: 'not ready' }).waitFor();

  const as = (t) => ({ auth: `Bearer ${t}` });
  assert.equal((await api.post('/genesys/1/agent/ready', {}, as(token))).status, 200);
  const id = (await api.post('/genesys/1/service/callback/staffed', { _customer_number: number(41) })).body._id;
  const offer = async (t) => (await api.get('/genesys/1/agent/offer', as(t))).body?.offer?.callback?._id;
  for (let i = 0; i < 50 && (await offer(token)) !== id; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await offer(token), id);
  await page.getByRole('row').filter({ hasText: `busy with ${id}` }).waitFor();

  await page.getByRole('button', { name: 'Rotate the token of Noor Haddad' }).click();
  const rotated = (await page.getByLabel('Token', { exact: true }).textContent()).trim();
  assert.notEqual(rotated, token);
  assert.equal((await api.get('/genesys/1/agent/offer', as(token))).status, 401, 'the old token stops at once');
  assert.equal(await offer(rotated), id);
  await page.getByRole('button', { name: 'Done' }).click();

  // Edited by keyboard alone: the form opens with the focus in it; the token stays as it is.
  await page.getByRole('button', { name: 'Edit Noor Haddad' }).focus();
  await page.keyboard.press('Enter');
  const edit = page.getByRole('dialog', { name: 'Edit agent noor' });
  await edit.waitFor();
  await edit.getByLabel(/^Phone/).focus();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('+33612345679');
  await page.keyboard.press('Enter');
  await page.getByRole('row').filter({ hasText: '+33612345679' }).waitFor();
  assert.equal(await offer(rotated), id, 'an edit keeps the token');

  await page.getByRole('button', { name: 'Remove Noor Haddad' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Remove Noor Haddad' });
  await confirm.getByText(`The callback ${id} they hold goes back to its queue.`).waitFor();
  assert.deepEqual(await axe(page, 'remove agent'), []);
  await confirm.getByRole('button', { name: 'Remove' }).click();
  await page.getByRole('status').filter({ hasText: 'Agent noor removed.' }).waitFor();
  assert.equal((await api.get('/genesys/1/agent/offer', as(rotated))).status, 401);
  const record = (await api.get(`/genesys/1/service/callback/staffed/${id}`)).body;
  assert.equal(record._callback_state, 'QUEUED');
  assert.equal(record._agent_id, undefined);
  assert.deepEqual(await axe(page, 'agents'), []);
  assert.deepEqual(errors, []);
});
