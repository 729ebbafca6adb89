// Chat callbacks (CHAT.md): Chat Immediate and Chat Delayed; a GMS Chat API v1 client (form-encoded
// POSTs) and the chat's sockets on the same transcript; reconnects that lose and double nothing;
// a chat left before an agent joins; erase; bounds. The pages that chat: chat-pages.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRuntime } from './support/runtime.mjs';
import { client, admin, alwaysOpenService, number } from './support/api.mjs';
import { agent } from './support/agent.mjs';
import { until } from './support/wait.mjs';
import { sumOverObjects } from './support/storage.mjs';
import { gmsChat, socket, indexes } from './support/chat.mjs';

let rt, api;
before(async () => {
  rt = await startRuntime();
  api = client(rt.base);
  const allowed = { _enable_in_queue_checking: 'false' };
  await alwaysOpenService(api, 'chat-now', { preset: 'Chat Immediate', ...allowed });
  await alwaysOpenService(api, 'chat-later', { preset: 'Chat Delayed', ...allowed });
});
after(async () => { await rt?.stop(); });

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

  const gms = gmsChat(api, dialog._start_chat_url);
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
  // Reports count a chat like a call, its agent's joining as its first dial (OPERATOR.md).
  const day = 86_400_000;
  const period = `from=${new Date(Date.now() - day).toISOString()}&to=${new Date(Date.now() + day).toISOString()}`;
  const totals = (await api.get(`/genesys/1/admin/callback/stats?service_name=chat-now&${period}`, { auth: admin })).body.totals['chat-now'];
  assert.equal(totals.requested, 1);
  assert.equal(totals.open, 0);
  assert.equal(typeof totals.wait_to_first_attempt_s.median, 'number', JSON.stringify(totals));
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
  const gms = gmsChat(api, confirmed.body._start_chat_url);
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
  const gms = gmsChat(api, `${rt.base}/genesys/1/service/${id}/ixn/chat`);
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
  const gms = gmsChat(api, `${rt.base}/genesys/1/service/${id}/ixn/chat`);
  const long = await gms.send('x'.repeat(4001));
  assert.equal(long.status, 400);
  assert.match(long.body.message, /4000 characters/);
  assert.equal((await gms.send('   ')).status, 400);
  assert.equal((await gms.refresh('soon')).status, 400);
  await alwaysOpenService(api, 'chat-voice');
  const call = await api.create('chat-voice', 3);
  assert.equal((await gmsChat(api, `${rt.base}/genesys/1/service/${call}/ixn/chat`).refresh(1)).status, 404, 'a call has no chat');
  assert.equal((await gmsChat(api, `${rt.base}/genesys/1/service/chat-now~${'0'.repeat(32)}/ixn/chat`).refresh(1)).status, 404);
  const plain = await api.get(`/genesys/1/service/${id}/ixn/chat/ws`);
  assert.equal(plain.status, 400, 'the socket route without an upgrade');
  const stranger = await agent(api, 'stranger', ['chat-now'], 'S');
  assert.equal((await api.get(`/genesys/1/agent/chats/${id}`, { auth: stranger.auth })).status, 403, 'not their chat');
  let sends = 0;
  for (let i = 0; i < 70; i++) if ((await gms.send(`m${i}`)).status === 429) sends += 1;
  assert.ok(sends > 0, 'a party\'s messages per minute are bounded');
  await gms.disconnect();
});
