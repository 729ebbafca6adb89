// Chats in pages (CHAT.md): the widget on another site, by keyboard, with and without sockets; the
// agent's console; the manage page of a Chat Delayed callback. The API's side: chat.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRuntime } from './support/runtime.mjs';
import { client, alwaysOpenService, number } from './support/api.mjs';
import { agent } from './support/agent.mjs';
import { until } from './support/wait.mjs';
import { gmsChat } from './support/chat.mjs';
import { launch, shot, axe } from './support/browser.mjs';
import { startSite, guideCsp, hostHtml } from './support/site.mjs';

let rt, api, browser, site;
before(async () => {
  rt = await startRuntime();
  api = client(rt.base);
  site = await startSite();
  const allowed = { _allowed_origins: site.origin, _enable_in_queue_checking: 'false' };
  await alwaysOpenService(api, 'chat-now', { preset: 'Chat Immediate', ...allowed });
  await alwaysOpenService(api, 'chat-later', { preset: 'Chat Delayed', ...allowed });
  browser = await launch();
});
after(async () => { await browser?.close(); await site?.stop(); await rt?.stop(); });

/** A page of a site on another origin with the chat button on it. Its clock is Playwright's: a test
 * moves it past the page's polls rather than waiting for them. */
async function chatPage(service, { locale = 'en-US', viewport, sockets = true, media = 'chat' } = {}) {
  const tag = `<script type="module" src="${rt.base}/widget/callback.js" data-service="${service}"${media ? ` data-media="${media}"` : ''}></script>`;
  const url = site.page(`/chat-${service}.html`, hostHtml(`Shop: ${service}`, tag), guideCsp(rt.base, { sockets }));
  const context = await browser.newContext({ locale, ...(viewport ? { viewport } : {}), acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  if (process.env.DEBUG_CHAT) page.on('request', (r) => console.log('REQ', r.method(), r.url(), r.postData()));
  await context.clock.install();
  await page.goto(url);
  return { page, errors, context };
}

test('in the widget on another site, a visitor and an agent chat both ways, by keyboard, at 375 px', async () => {
  const dee = await agent(api, 'dee', ['chat-now'], 'Dee');
  const { page, errors, context } = await chatPage('chat-now', { viewport: { width: 375, height: 740 } });
  const launcher = page.getByRole('button', { name: 'Chat with us' });
  await launcher.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Chat with us' });
  await dialog.waitFor();
  await page.keyboard.type('Zoé');
  assert.equal(await dialog.getByLabel('Your name (optional)').inputValue(), 'Zoé', 'the name field has the focus');
  await page.keyboard.press('Enter');
  await dialog.getByText('You are in the queue').waitFor();
  const log = dialog.getByRole('log', { name: 'Conversation' });
  await log.waitFor();
  assert.deepEqual(await axe(page, 'chat waiting'), []);
  const field = dialog.getByLabel('Message');
  await field.waitFor({ state: 'visible' });
  await field.fill('Hello from the site');
  await field.press('Enter');
  await log.getByText('Hello from the site').waitFor();

  await dee.ready();
  assert.ok(await until(async () => (await dee.status()).chats.length === 1, 10), 'the agent joins');
  const id = (await dee.status()).chats[0].callback._id;
  await dialog.getByRole('status').filter({ hasText: 'Dee joined the chat.' }).waitFor();
  const read = await api.get(`/genesys/1/agent/chats/${id}`, { auth: dee.auth });
  assert.ok(read.body.transcriptToShow.some((e) => e[2] === 'Hello from the site' && e[1] === 'Zoé'));
  const reply = await api.post(`/genesys/1/agent/chats/${id}/send`, { text: 'Hello Zoé!' }, { auth: dee.auth });
  assert.equal(reply.status, 200, reply.text);
  await log.getByText('Hello Zoé!').waitFor({ timeout: 10_000 }).catch(async (e) => { await shot(page, 'chat-failed'); throw new Error(`${e.message}\n${errors.join('\n')}`); });
  // Shift+Enter is a new line, Enter sends both lines as one message.
  await field.focus();
  await page.keyboard.type('line one');
  await page.keyboard.press('Shift+Enter');
  await page.keyboard.type('line two');
  await page.keyboard.press('Enter');
  assert.ok(await until(async () => (await api.get(`/genesys/1/agent/chats/${id}`, { auth: dee.auth })).body.transcriptToShow.some((e) => e[2] === 'line one\nline two'), 5));
  assert.deepEqual(await axe(page, 'chat'), []);
  await shot(page, 'chat-1-widget', { fullPage: true });

  // The transcript, kept by the visitor as text.
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download the transcript' }).click()]);
  const text = await (await download.createReadStream()).toArray();
  assert.match(Buffer.concat(text).toString(), /You: Hello from the site\nDee: Hello Zoé!/);

  await dialog.getByRole('button', { name: 'Leave the chat' }).click();
  await dialog.getByRole('status').filter({ hasText: 'The chat has ended.' }).waitFor();
  await dialog.getByText(/^This conversation is kept until .+, then erased\.$/).waitFor();
  const record = await api.record('chat-now', id);
  assert.deepEqual([record._callback_state, record._callback_reason], ['COMPLETED', 'AGENT_CONNECTED']);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.deepEqual(errors, []);
  await dee.notReady();
  await context.close();
});

test('Chat Delayed in the widget: told to wait, then "an agent is ready", in French; without sockets it polls', async () => {
  const eve = await agent(api, 'eve', ['chat-later'], 'Ève');
  // No data-media: the service itself says it is a chat service once the visitor shows intent.
  const { page, errors, context } = await chatPage('chat-later', { locale: 'fr-FR', sockets: false, media: '' });
  await page.getByRole('button', { name: 'Rappelez-moi' }).hover();
  await page.getByRole('button', { name: 'Discuter avec nous' }).click();
  const dialog = page.getByRole('dialog', { name: 'Discuter avec nous' });
  await dialog.getByRole('button', { name: 'Commencer la discussion' }).click();
  await dialog.getByText('Nous vous préviendrons ici').waitFor();
  await eve.ready();
  await eve.offered('confirming');
  // The widget polls every 3 s, then every 2 s once the chat runs without sockets.
  await page.clock.fastForward(3000);
  const ready = dialog.getByRole('button', { name: 'Un conseiller est prêt — commencer la discussion' });
  await ready.waitFor();
  assert.deepEqual(await axe(page, 'chat delayed'), []);
  await ready.click();
  assert.ok(await until(async () => (await eve.status()).chats.length === 1, 5), 'the agent joins');
  await page.clock.fastForward(2000);
  await dialog.getByRole('status').filter({ hasText: 'Ève a rejoint la discussion.' }).waitFor();
  const field = dialog.getByLabel('Message');
  await field.fill('Me voici');
  await field.press('Enter');
  const id = (await eve.status()).chats[0].callback._id;
  assert.ok(await until(async () => (await api.get(`/genesys/1/agent/chats/${id}`, { auth: eve.auth })).body.transcriptToShow.some((e) => e[2] === 'Me voici'), 5));
  await api.post(`/genesys/1/agent/chats/${id}/end`, {}, { auth: eve.auth });
  await page.clock.fastForward(2000);
  await dialog.getByRole('status').filter({ hasText: 'La discussion est terminée.' }).waitFor();
  // The page's policy refused the socket (the browser says so in the console); nothing else failed.
  assert.deepEqual(errors.filter((e) => !e.includes('Content Security Policy')), []);
  await eve.notReady();
  await context.close();
});

test('in the console an agent holds two chats, answers by keyboard, sees the customer typing, ends one with a disposition', async () => {
  await alwaysOpenService(api, 'chat-desk', { preset: 'Chat Immediate', _enable_disposition_dialog: 'true' });
  const fay = await agent(api, 'fay', ['chat-desk'], 'Fay');
  const chats = [];
  for (const who of ['Zoé', 'Yann']) {
    const id = (await api.post('/genesys/1/service/callback/chat-desk', {})).body._id;
    const gms = gmsChat(api, `${rt.base}/genesys/1/service/${id}/ixn/chat`);
    await gms.join({ firstName: who });
    await gms.send(`Hello, I am ${who}`);
    chats.push({ id, gms, who });
  }
  const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(`${rt.base}/console.html`);
  await page.getByLabel('Your agent token').fill(fay.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Ready', exact: true }).click();
  const zoe = page.getByRole('article', { name: 'Chat with Zoé' });
  const yann = page.getByRole('article', { name: 'Chat with Yann' });
  await zoe.getByRole('log', { name: 'Conversation' }).getByText('Hello, I am Zoé').waitFor();
  await yann.getByRole('log', { name: 'Conversation' }).getByText('Hello, I am Yann').waitFor();
  assert.deepEqual(await axe(page, 'agent chats'), []);

  await chats[0].gms.startTyping();
  await zoe.getByText('Zoé is typing…').waitFor();
  const field = zoe.getByLabel('Message');
  await field.focus();
  await page.keyboard.type('Hi Zoé, how can I help?');
  await page.keyboard.press('Enter');
  assert.ok(await until(async () => (await chats[0].gms.refresh(1)).body.transcriptToShow.some((e) => e[2] === 'Hi Zoé, how can I help?' && e[4] === 'Agent'), 5));
  assert.equal(await field.inputValue(), '', 'the field is cleared once sent');
  await shot(page, 'chat-2-console', { fullPage: true });

  await zoe.getByRole('button', { name: 'End chat' }).click();
  await zoe.getByLabel('Outcome code').fill('RESOLVED');
  await zoe.getByRole('button', { name: 'Save disposition' }).click();
  await zoe.waitFor({ state: 'detached' });
  const record = await api.record('chat-desk', chats[0].id);
  assert.deepEqual([record._callback_state, record._callback_reason, record._disposition], ['COMPLETED', 'AGENT_CONNECTED', 'RESOLVED']);
  assert.equal((await chats[0].gms.refresh(1)).body.chatIxnState, 'DISCONNECTED');
  await yann.getByRole('log', { name: 'Conversation' }).waitFor();
  await chats[1].gms.disconnect();
  await yann.getByRole('status').filter({ hasText: 'Yann left the chat.' }).waitFor();
  assert.deepEqual(errors, []);
  await fay.notReady();
});

test('the manage page says when an agent is ready and starts the chat there', async () => {
  const gus = await agent(api, 'gus', ['chat-later'], 'Gus');
  const id = (await api.post('/genesys/1/service/callback/chat-later', { _customer_number: number(41) })).body._id;
  await gus.ready();
  await gus.offered('confirming');
  const context = await browser.newContext({ locale: 'en-US' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await context.clock.install();
  await page.goto(`${rt.base}/manage.html?id=${encodeURIComponent(id)}`);
  const start = page.getByRole('button', { name: 'An agent is ready — start the chat' });
  await start.waitFor();
  assert.deepEqual(await axe(page, 'manage chat ready'), []);
  await start.click();
  const dialog = page.getByRole('dialog', { name: 'Chat with us' });
  await dialog.getByRole('status').filter({ hasText: 'Gus joined the chat.' }).waitFor();
  await dialog.getByLabel('Message').fill('Ready!');
  await dialog.getByLabel('Message').press('Enter');
  assert.ok(await until(async () => (await api.get(`/genesys/1/agent/chats/${id}`, { auth: gus.auth })).body.transcriptToShow.some((e) => e[2] === 'Ready!'), 5));
  assert.deepEqual(await axe(page, 'manage chat'), []);
  await page.keyboard.press('Escape');
  // The chat goes on: the page offers to open it again, once it reads the callback (every 5 s).
  await page.clock.fastForward(5000);
  await page.getByRole('button', { name: 'Open the chat' }).waitFor();
  await api.post(`/genesys/1/agent/chats/${id}/end`, {}, { auth: gus.auth });
  assert.deepEqual(errors, []);
  await gus.notReady();
  await context.close();
});
