// Chat callbacks (CHAT.md): Chat Immediate and Chat Delayed; a GMS Chat API v1 client (form-encoded
// POSTs) and the chat's sockets on the same transcript; reconnects that lose and double nothing;
// a chat left before an agent joins; erase; bounds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRuntime } from './support/runtime.mjs';
import { client, admin, alwaysOpenService, number } from './support/api.mjs';
import { agent } from './support/agent.mjs';
import { until } from './support/wait.mjs';
import { sumOverObjects } from './support/storage.mjs';
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

/** A GMS Chat API v1 client: form-encoded POSTs under the chat's URL. */
function gmsChat(startUrl) {
  const path = new URL(startUrl).pathname;
  const post = async (op, form = {}) => {
    const r = await api.call('POST', op ? `${path}/${op}` : path, { form });
    return r;
  };
  return {
    join: (form) => post('', form),
    send: (message) => post('send', { message }),
    refresh: (transcriptPosition) => post('refresh', { transcriptPosition }),
    startTyping: () => post('startTyping'),
    disconnect: () => post('disconnect'),
  };
}

/** A socket on a chat, keeping every entry it was sent, in order. */
async function socket(url, headers) {
  const ws = new WebSocket(url, headers);
  const entries = [];
  const frames = [];
  ws.addEventListener('message', (e) => {
    const frame = JSON.parse(e.data);
    frames.push(frame);
    entries.push(...(frame.transcriptToShow ?? []));
  });
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', () => reject(new Error(`socket ${url} refused`)), { once: true });
  });
  return {
    ws, entries, frames,
    send: (msg) => ws.send(JSON.stringify(msg)),
    texts: () => entries.filter((e) => e[0] === 'Message.Text').map((e) => e[2]),
    close: () => ws.close(),
  };
}

const indexes = (entries) => entries.map((e) => e[3]);

test('Chat Immediate: the visitor and the agent chat both ways; a GMS Chat API v1 client and sockets share one transcript', async () => {
  const ann = await agent(api, 'ann', ['chat-now'], 'Ann');
  // The visitor asks, form-encoded as GMS clients do.
  const created = await api.call('POST', '/genesys/1/service/callback/chat-now', { form: { _customer_number: number(1), subject: 'My order' } });
  assert.equal(created.status, 200, created.text);
  const dialog = created.body;
  assert.equal(dialog._action, 'StartChat');
  assert.equal(dialog._dialog_id, '0');
  assert.equal(dialog._start_chat_url, `${rt.base}/genesys/1/service/${dialog._id}/ixn/chat`);
  assert.equal(dialog._comet_url, `${rt.base.replace(/^http/, 'ws')}/genesys/1/service/${dialog._id}/ixn/chat/ws`);
  assert.deepEqual(dialog._chat_parameters, { subject: 'My order' });
  const id = dialog._id;
  assert.equal((await api.record('chat-now', id))._callback_state, 'QUEUED');

  const gms = gmsChat(dialog._start_chat_url);
  const joined = await gms.join({ firstName: 'Zoé', lastName: 'Martin', subject: 'My order' });
  assert.equal(joined.status, 200, joined.text);
  assert.equal(joined.body.chatIxnState, 'CONNECTED');
  assert.equal(joined.body.chatSessionId, id);
  assert.deepEqual(joined.body.transcriptToShow, [['Notice.Joined', 'Zoé Martin', '', 1, 'Client']]);
  assert.equal(joined.body.transcriptPosition, 2);
  assert.equal((await gms.send('Hello, anyone?')).status, 200);

  // The visitor's socket reads from the start.
  const visitor = await socket(`${dialog._comet_url}?transcriptPosition=1`);
  assert.ok(await until(() => visitor.entries.length >= 2, 5), 'the socket is sent what came before');

  await ann.ready();
  assert.ok(await until(async () => (await ann.status()).chats.length === 1, 10), 'the agent joins the chat');
  const { chats: [chatHeld] } = await ann.status();
  assert.equal(chatHeld.callback._id, id);
  assert.equal(chatHeld.callback._media_type, 'chat');
  assert.equal((await api.record('chat-now', id))._callback_state, 'PROCESSING');
  assert.ok(await until(() => visitor.entries.some((e) => e[0] === 'Notice.Joined' && e[4] === 'Agent' && e[1] === 'Ann'), 5), 'the visitor sees the agent join');

  // The agent reads and writes through the agent API.
  const read = await api.get(`/genesys/1/agent/chats/${id}?from=1`, { auth: ann.auth });
  assert.equal(read.status, 200, read.text);
  assert.deepEqual(read.body.transcriptToShow.map((e) => e[0]), ['Notice.Joined', 'Message.Text', 'Notice.Joined']);
  assert.equal((await api.post(`/genesys/1/agent/chats/${id}/send`, { text: 'Hi Zoé, how can I help?' }, { auth: ann.auth })).status, 200);
  assert.ok(await until(() => visitor.texts().includes('Hi Zoé, how can I help?'), 5), 'the visitor\'s socket gets the answer');

  // The agent's socket (a browser's: the token in the query).
  const agentSide = await socket(`${rt.base.replace(/^http/, 'ws')}/genesys/1/agent/chats/${id}/ws?from=4&access_token=${encodeURIComponent(ann.token)}`);
  visitor.send({ type: 'message', text: 'Where is order 42?' });
  assert.ok(await until(() => agentSide.texts().includes('Where is order 42?'), 5), 'the agent\'s socket gets the visitor\'s message');
  visitor.send({ type: 'typing' });
  assert.ok(await until(() => agentSide.entries.some((e) => e[0] === 'Notice.TypingStarted' && e[4] === 'Client'), 5));

  // A dropped socket reconnects from the last index it holds: nothing lost, nothing doubled.
  const held = Math.max(...indexes(visitor.entries));
  await visitor.close();
  await api.post(`/genesys/1/agent/chats/${id}/send`, { text: 'It left yesterday.' }, { auth: ann.auth });
  const again = await socket(`${dialog._comet_url}?transcriptPosition=${held + 1}`);
  assert.ok(await until(() => again.texts().includes('It left yesterday.'), 5));
  const all = [...visitor.entries, ...again.entries];
  assert.deepEqual(indexes(all), Array.from({ length: all.length }, (_, i) => i + 1), 'every index once, in order');

  // The GMS client polls from any position and reads the same entries.
  const polled = await gms.refresh(held);
  assert.deepEqual(polled.body.transcriptToShow[0], all[held - 1]);
  const full = await gms.refresh(1);
  assert.deepEqual(full.body.transcriptToShow, all.slice(0, full.body.transcriptToShow.length));

  // The agent ends the chat: both sockets hear it and close; the callback is complete.
  assert.equal((await api.post(`/genesys/1/agent/chats/${id}/end`, {}, { auth: ann.auth })).status, 200);
  // The service closes them (CLOSING here: the local runtime's proxy keeps the TCP connection a while).
  assert.ok(await until(() => again.ws.readyState >= 2 && agentSide.ws.readyState >= 2, 5), 'the service closes the sockets');
  assert.equal(again.entries.at(-1)[0], 'Notice.Left');
  assert.equal(again.frames.at(-1).chatIxnState, 'DISCONNECTED');
  const record = await api.record('chat-now', id);
  assert.deepEqual([record._callback_state, record._callback_reason], ['COMPLETED', 'AGENT_CONNECTED']);
  const after = await gms.send('Still there?');
  assert.equal(after.status, 409, 'an ended chat takes no message');
  assert.equal((await gms.refresh(1)).body.chatIxnState, 'DISCONNECTED');
  const events = (await api.get(`/genesys/1/service/callback/chat-now/${id}/events`)).body;
  assert.ok(JSON.stringify(events).includes('PROCESSING'));
  assert.ok(!JSON.stringify(events).includes('order 42'), 'the history keeps the steps, not the words');
  await ann.notReady();
});

test('Chat Delayed: the visitor is told they will be asked, confirms when an agent is ready, then chats', async () => {
  const bob = await agent(api, 'bob', ['chat-later'], 'Bob');
  const created = await api.post('/genesys/1/service/callback/chat-later', {});
  assert.equal(created.status, 200, created.text);
  assert.equal(created.body._action, 'ConfirmationDialog');
  assert.equal(created.body._text, 'We will notify you when an agent is available');
  const id = created.body._id;
  await bob.ready();
  await bob.offered('confirming');
  const asked = await api.record('chat-later', id);
  assert.deepEqual([asked._callback_state, asked._phase], ['ROUTING', 'confirming']);
  const confirmed = await api.post(`/genesys/1/service/callback/chat-later/${id}/confirm`, {});
  assert.equal(confirmed.status, 200, confirmed.text);
  assert.equal(confirmed.body._action, 'StartChat');
  assert.equal((await api.record('chat-later', id))._callback_state, 'PROCESSING');
  const gms = gmsChat(confirmed.body._start_chat_url);
  await gms.join({ userDisplayName: 'Vis' });
  await gms.send('Ready now');
  const read = await api.get(`/genesys/1/agent/chats/${id}`, { auth: bob.auth });
  assert.deepEqual(read.body.transcriptToShow.map((e) => [e[0], e[4]]), [['Notice.Joined', 'Agent'], ['Notice.Joined', 'Client'], ['Message.Text', 'Client']]);
  assert.equal((await gms.disconnect()).status, 200);
  const record = await api.record('chat-later', id);
  assert.deepEqual([record._callback_state, record._callback_reason], ['COMPLETED', 'AGENT_CONNECTED']);
  await bob.notReady();
});

test('an agent holds several chats at once, up to _max_chats_per_agent, and no call beside them', async () => {
  await alwaysOpenService(api, 'chat-many', { preset: 'Chat Immediate', _max_chats_per_agent: '2', _enable_in_queue_checking: 'false' });
  const cy = await agent(api, 'cy', ['chat-many'], 'Cy');
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await api.post('/genesys/1/service/callback/chat-many', {})).body._id);
  await cy.ready();
  assert.ok(await until(async () => (await cy.status()).chats.length === 2, 10), 'two chats at once');
  const held = (await cy.status()).chats.map((c) => c.callback._id).sort();
  assert.deepEqual(held, ids.slice(0, 2).sort(), 'in queue order');
  assert.equal((await cy.status()).offer, null);
  assert.equal((await api.record('chat-many', ids[2]))._callback_state, 'QUEUED', 'the third waits');
  assert.equal((await api.post(`/genesys/1/agent/chats/${ids[0]}/end`, {}, { auth: cy.auth })).status, 200);
  assert.ok(await until(async () => (await cy.status()).chats.some((c) => c.callback._id === ids[2]), 10), 'the next chat comes when one ends');
  for (const id of ids.slice(1)) await api.post(`/genesys/1/agent/chats/${id}/end`, {}, { auth: cy.auth });
  await cy.notReady();
});

test('a chat left before an agent joined is CANCELLED; erase takes its transcript', async () => {
  await alwaysOpenService(api, 'chat-alone', { preset: 'Chat Immediate' });
  const id = (await api.post('/genesys/1/service/callback/chat-alone', { _customer_number: number(7) })).body._id;
  const gms = gmsChat(`${rt.base}/genesys/1/service/${id}/ixn/chat`);
  await gms.join({ firstName: 'Quick' });
  await gms.send('my secret words');
  const left = await gms.disconnect();
  assert.equal(left.body.chatIxnState, 'DISCONNECTED');
  const record = await api.record('chat-alone', id);
  assert.deepEqual([record._callback_state, record._callback_reason], ['COMPLETED', 'CANCELLED']);
  const kept = () => sumOverObjects(rt.stateDir, ['service'], (db) => db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'transcript'").get().n
    ? db.prepare('SELECT count(*) AS n FROM transcript WHERE callback_id = ?').get(id).n : 0);
  assert.ok(kept() >= 3);
  assert.equal((await api.post('/genesys/1/admin/callback/erase', { _customer_number: number(7) }, { auth: admin })).status, 200);
  assert.equal((await gms.refresh(1)).status, 404);
  assert.equal(kept(), 0, 'the words are gone with the callback');
  // A chat still waiting when its customer is erased: its socket is told and closed.
  const waiting = (await api.post('/genesys/1/service/callback/chat-alone', { _customer_number: number(8) })).body._id;
  const open = await socket(`${rt.base.replace(/^http/, 'ws')}/genesys/1/service/${waiting}/ixn/chat/ws`);
  assert.equal((await api.post('/genesys/1/admin/callback/erase', { _customer_number: number(8) }, { auth: admin })).status, 200);
  assert.ok(await until(() => open.ws.readyState >= 2, 5), 'its socket is closed');
  assert.equal(open.frames.at(-1).chatIxnState, 'DISCONNECTED');
});

test('chats refuse what they cannot take with a clear 4xx', async () => {
  const fax = await api.post('/genesys/1/service/callback/chat-now', { _media_type: 'fax' });
  assert.equal(fax.status, 400);
  assert.match(fax.body.message, /_media_type.*voice or chat/);
  const id = (await api.post('/genesys/1/service/callback/chat-now', {})).body._id;
  const gms = gmsChat(`${rt.base}/genesys/1/service/${id}/ixn/chat`);
  const long = await gms.send('x'.repeat(4001));
  assert.equal(long.status, 400);
  assert.match(long.body.message, /4000 characters/);
  assert.equal((await gms.send('   ')).status, 400);
  assert.equal((await gms.refresh('soon')).status, 400);
  await alwaysOpenService(api, 'chat-voice');
  const call = await api.create('chat-voice', 3);
  assert.equal((await gmsChat(`${rt.base}/genesys/1/service/${call}/ixn/chat`).refresh(1)).status, 404, 'a call has no chat');
  assert.equal((await gmsChat(`${rt.base}/genesys/1/service/chat-now~${'0'.repeat(32)}/ixn/chat`).refresh(1)).status, 404);
  const plain = await api.get(`/genesys/1/service/${id}/ixn/chat/ws`);
  assert.equal(plain.status, 400, 'the socket route without an upgrade');
  const stranger = await agent(api, 'stranger', ['chat-now'], 'S');
  assert.equal((await api.get(`/genesys/1/agent/chats/${id}`, { auth: stranger.auth })).status, 403, 'not their chat');
  let sends = 0;
  for (let i = 0; i < 70; i++) if ((await gms.send(`m${i}`)).status === 429) sends += 1;
  assert.ok(sends > 0, 'a party\'s messages per minute are bounded');
  await gms.disconnect();
});

/** A page of a site on another origin with the chat button on it. */
async function chatPage(service, { locale = 'en-US', viewport, sockets = true, media = 'chat' } = {}) {
  const tag = `<script type="module" src="${rt.base}/widget/callback.js" data-service="${service}"${media ? ` data-media="${media}"` : ''}></script>`;
  const url = site.page(`/chat-${service}.html`, hostHtml(`Shop: ${service}`, tag), guideCsp(rt.base, { sockets }));
  const context = await browser.newContext({ locale, ...(viewport ? { viewport } : {}), acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  if (process.env.DEBUG_CHAT) page.on('request', (r) => console.log('REQ', r.method(), r.url(), r.postData()));
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
  const ready = dialog.getByRole('button', { name: 'Un conseiller est prêt — commencer la discussion' });
  await ready.waitFor({ timeout: 15_000 });
  assert.deepEqual(await axe(page, 'chat delayed'), []);
  await ready.click();
  await dialog.getByRole('status').filter({ hasText: 'Ève a rejoint la discussion.' }).waitFor();
  const field = dialog.getByLabel('Message');
  await field.fill('Me voici');
  await field.press('Enter');
  const id = (await eve.status()).chats[0].callback._id;
  assert.ok(await until(async () => (await api.get(`/genesys/1/agent/chats/${id}`, { auth: eve.auth })).body.transcriptToShow.some((e) => e[2] === 'Me voici'), 5));
  await api.post(`/genesys/1/agent/chats/${id}/end`, {}, { auth: eve.auth });
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
    const gms = gmsChat(`${rt.base}/genesys/1/service/${id}/ixn/chat`);
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
  // The chat goes on: the page offers to open it again.
  await page.getByRole('button', { name: 'Open the chat' }).waitFor({ timeout: 10_000 });
  await api.post(`/genesys/1/agent/chats/${id}/end`, {}, { auth: gus.auth });
  assert.deepEqual(errors, []);
  await gus.notReady();
  await context.close();
});
