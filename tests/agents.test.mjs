// The agent API and reservation: tokens from the admin API, ready / not ready, the offer by polling
// and as server-sent events, one reservation per agent, queue order, and the acts on a callback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRuntime } from './support/runtime.mjs';
import { client, alwaysOpenService, number, admin } from './support/api.mjs';
import { agent } from './support/agent.mjs';
import { until } from './support/wait.mjs';

let rt, api;
before(async () => {
  rt = await startRuntime();
  api = client(rt.base);
  await alwaysOpenService(api, 'agents-now', { _enable_in_queue_checking: 'false' });
});
after(async () => rt?.stop());


test('agents are configured by the admin API; tokens are answered once and checked', async () => {
  const noServices = await api.put('/genesys/1/admin/agents/zoe', { name: 'Zoé', services: ['nope'] }, { auth: admin });
  assert.equal(noServices.status, 400);
  assert.match(noServices.body.message, /services: `nope` is not a callback service/);
  assert.equal((await api.put('/genesys/1/admin/agents/zoe', { services: [] }, { auth: admin })).status, 400, 'name required');
  assert.equal((await api.put('/genesys/1/admin/agents/zoe', { name: 'Zoé' })).status, 401, 'admin only');
  const zoe = await agent(api, 'zoe', ['agents-now'], 'Zoé');
  assert.match(zoe.token, /^zoe\.[A-Za-z0-9_-]{43}$/);
  const again = await api.put('/genesys/1/admin/agents/zoe', { name: 'Zoé Martin', services: 'agents-now' }, { auth: admin });
  assert.equal(again.body.token, undefined, 'a change keeps the token, which is not shown again');
  assert.equal((await api.get('/genesys/1/agent/offer', { auth: zoe.auth })).status, 200);
  for (const auth of [undefined, 'Bearer zoe.wrong', 'Bearer nobody.x', 'Basic eDp5']) {
    const r = await api.get('/genesys/1/agent/offer', { auth });
    assert.equal(r.status, 401, String(auth));
    assert.match(r.headers.get('www-authenticate'), /^Bearer/);
  }
  const list = await api.get('/genesys/1/admin/agents', { auth: admin });
  assert.deepEqual(list.body.find((a) => a.id === 'zoe'), { id: 'zoe', name: 'Zoé Martin', services: ['agents-now'], ready: false });
  const rotated = await api.put('/genesys/1/admin/agents/zoe', { name: 'Zoé', services: ['agents-now'], rotate_token: true }, { auth: admin });
  assert.ok(rotated.body.token && rotated.body.token !== zoe.token);
  assert.equal((await api.get('/genesys/1/agent/offer', { auth: zoe.auth })).status, 401, 'the old token stops working');
  assert.equal((await api.del('/genesys/1/admin/agents/zoe', { auth: admin })).status, 200);
  assert.equal((await api.get('/genesys/1/agent/offer', { auth: `Bearer ${rotated.body.token}` })).status, 401, 'a deleted agent has no token');
  assert.equal((await api.get('/genesys/1/admin/agents/zoe', { auth: admin })).status, 404);
});

test('a ready agent gets the first callback in queue; one at a time; the next when done', async () => {
  const first = await api.create('agents-now', 1);
  const second = await api.create('agents-now', 2);
  const ann = await agent(api, 'ann', ['agents-now']);
  assert.equal((await ann.status()).offer, null, 'not ready: nothing reserved');
  assert.equal((await ann.ready()).status, 200);
  const offer = await ann.offered('dialing');
  assert.equal(offer.callback._id, first, 'queue order');
  assert.equal(offer.dialer, false, 'no dialer: the agent dials');
  assert.equal(offer.preview._customer_number, number(1));
  assert.equal((await api.record('agents-now', second))._callback_state, 'QUEUED', 'one reservation per agent');
  assert.equal((await ann.dialResult(first, 'ANSWERED')).body._callback_state, 'PROCESSING');
  const done = await ann.end(first);
  assert.deepEqual([done.body._callback_state, done.body._callback_reason], ['COMPLETED', 'AGENT_CONNECTED']);
  assert.equal((await ann.offered('dialing')).callback._id, second, 'the next one follows by itself');
  await ann.notReady();
  assert.equal((await ann.status()).offer.callback._id, second, 'not ready keeps what is held');
  await ann.end(second).then((r) => assert.equal(r.status, 409, 'not connected yet'));
  await ann.dialResult(second, 'ANSWERED');
  await ann.end(second);
  await api.create('agents-now', 3);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await ann.status()).offer, null, 'not ready: no new reservation');
  await ann.ready();
  const third = (await ann.offered()).callback._id;
  await ann.notReady();
  await ann.dialResult(third, 'INVALID_NUMBER');
});

test('agents act only on their own callback; bad acts are clear 4xx', async () => {
  const bob = await agent(api, 'bob', ['agents-now']);
  const cy = await agent(api, 'cy', []);
  await api.create('agents-now', 4);
  await bob.ready();
  const held = (await bob.offered()).callback._id;
  assert.equal((await cy.dialResult(held, 'ANSWERED')).status, 403);
  assert.equal((await bob.dialResult(held, 'MAYBE')).status, 400);
  assert.equal((await bob.disposition(held, '')).status, 400);
  assert.equal((await api.post('/genesys/1/agent/callbacks/agents-now~AAAAAAAAAAAAAAAAAAAAAA/connected', {}, { auth: bob.auth })).status, 404);
  assert.equal((await api.post('/genesys/1/agent/callbacks/..%2F/connected', {}, { auth: bob.auth })).status, 404);
  const talking = await bob.connected(held);
  assert.deepEqual([talking.status, talking.body._callback_state], [200, 'PROCESSING'], 'connected: the agent reached the customer');
  assert.equal((await bob.connected(held)).status, 200, 'said twice, nothing changes');
  await bob.end(held);
  await bob.notReady();
});

test('the offer as a server-sent event stream', async () => {
  const dee = await agent(api, 'dee', ['agents-now']);
  const controller = new AbortController();
  const res = await fetch(`${rt.base}/genesys/1/agent/offer`, { headers: { authorization: dee.auth, accept: 'text/event-stream' }, signal: controller.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/event-stream/);
  const reader = res.body.getReader();
  const events = [];
  let buffer = '';
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += new TextDecoder().decode(value);
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data) events.push(JSON.parse(data.slice(6)));
      }
    }
  })().catch(() => {});
  assert.ok(await until(() => events.length >= 1, 5), 'the current status at once');
  assert.equal(events[0].ready, false);
  const id = await api.create('agents-now', 40);
  await dee.ready();
  assert.ok(await until(() => events.some((e) => e.offer?.callback._id === id), 10), `the reservation is pushed: ${JSON.stringify(events)}`);
  controller.abort();
  await reading;
});

test('IVR Classic: the estimated wait divides by the service\'s ready agents', async () => {
  await alwaysOpenService(api, 'agents-ivr', { _agent_preview: 'true', _agent_preview_timeout: '120', _average_handle_time: '100', _enable_in_queue_checking: 'false' });
  const offer = async () => (await api.get('/genesys/1/service/callback/agents-ivr/offer')).body;
  for (let i = 0; i < 4; i++) await api.create('agents-ivr', 60 + i);
  assert.equal((await offer()).ewt, 400, 'no agent ready: counted as one');
  const [gil, hal] = [await agent(api, 'gil', ['agents-ivr']), await agent(api, 'hal', ['agents-ivr'])];
  await gil.ready();
  await hal.ready();
  await gil.offered('offered');
  await hal.offered('offered');
  assert.deepEqual(await offer(), { ewt: 200, offer: false, open: true, position: 5, timezone: 'Europe/Paris', media: 'voice' }, '4 waiting × 100 s ÷ 2 ready agents');
  await gil.notReady();
  await hal.notReady();
});
