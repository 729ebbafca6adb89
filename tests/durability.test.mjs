// Timers and durability: a SCHEDULED callback becomes QUEUED by itself; stopping and restarting
// the runtime on the same state keeps callbacks, configuration and pending timers, which still fire.
// Most tests move the service's clock (api.advance); one waits for a real alarm after a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep, until } from './support/wait.mjs';
import { agent } from './support/agent.mjs';
import { startRuntime, newStateDir } from './support/runtime.mjs';
import { client, admin, alwaysOpenService, serviceDueIn, number, bucketIn } from './support/api.mjs';


/** A service whose execution buffer makes a callback at `desired` due `inSeconds` from now. */
async function waitForState(api, path, state, seconds) {
  let last;
  for (let i = 0; i < seconds * 4; i++) {
    last = await api.get(path);
    if (last.body?._callback_state === state) return last;
    await sleep(250);
  }
  return last;
}

test('a SCHEDULED callback becomes QUEUED by itself; a TTL purges', async () => {
  const rt = await startRuntime();
  try {
    const api = client(rt.base);
    const desired = bucketIn(12);
    await serviceDueIn(api, 'timed', desired, 3);
    const { body } = await api.post('/genesys/1/service/callback/timed', { _customer_number: number(1), _desired_time: desired });
    const path = `/genesys/1/service/callback/timed/${body._id}`;
    assert.equal((await api.get(path)).body._callback_state, 'SCHEDULED');
    await api.advance('timed', 1000);
    assert.equal((await api.get(path)).body._callback_state, 'SCHEDULED', 'not before its time');
    await api.advance('timed', 3000);
    assert.equal((await api.get(path)).body._callback_state, 'QUEUED');
    const events = (await api.get(`${path}/events`)).body.events;
    assert.deepEqual(events.at(-1).actor, 'system');

    await alwaysOpenService(api, 'short', { _ttl: '3' });
    const short = (await api.post('/genesys/1/service/callback/short', { _customer_number: number(2) })).body._id;
    assert.equal((await api.get(`/genesys/1/service/callback/short/${short}`)).status, 200);
    await api.advance('short', 3500);
    assert.equal((await api.get(`/genesys/1/service/callback/short/${short}`)).status, 404, 'purged _ttl seconds after its desired time');
  } finally {
    await rt.stop();
  }
});

test('timers of a service whose configuration is gone wait for it to come back', async () => {
  const rt = await startRuntime();
  try {
    const api = client(rt.base);
    const desired = bucketIn(12);
    await serviceDueIn(api, 'comeback', desired, 3);
    const id = (await api.post('/genesys/1/service/callback/comeback', { _customer_number: number(30), _desired_time: desired })).body._id;
    assert.equal((await api.del('/genesys/1/admin/config/service.comeback', { auth: admin })).status, 200);
    await api.advance('comeback', 4000);
    assert.equal((await api.get(`/genesys/1/service/callback/comeback/${id}`)).status, 404, 'the service is gone');
    await serviceDueIn(api, 'comeback', desired, -60);
    const r = await waitForState(api, `/genesys/1/service/callback/comeback/${id}`, 'QUEUED', 10);
    assert.equal(r.body._callback_state, 'QUEUED', 'the overdue timer ran once the configuration was back');
  } finally {
    await rt.stop();
  }
});

test('restarting the runtime keeps callbacks, configuration and timers', async () => {
  const stateDir = newStateDir();
  let rt = await startRuntime({ stateDir });
  const desired = bucketIn(15);
  let ids;
  try {
    const api = client(rt.base);
    // Due a few seconds after the restart begins: whether it comes due while the runtime is down
    // (then it runs as the runtime starts) or after, the timer must survive and fire.
    await serviceDueIn(api, 'durable', desired, 5, { _enable_in_queue_checking: 'false' });
    ids = [];
    for (let i = 0; i < 3; i++) ids.push((await api.post('/genesys/1/service/callback/durable', { _customer_number: number(10 + i), _desired_time: desired, note: `n${i}` })).body._id);
    ids.push((await api.post('/genesys/1/service/callback/durable', { _customer_number: number(20) })).body._id);
  } finally {
    await rt.stop();
  }
  rt = await startRuntime({ stateDir });
  try {
    const api = client(rt.base);
    for (const [i, id] of ids.entries()) {
      const r = await api.get(`/genesys/1/service/callback/durable/${id}`);
      assert.equal(r.status, 200, 'still there after a restart');
      assert.ok(i < 3 ? ['SCHEDULED', 'QUEUED'].includes(r.body._callback_state) : r.body._callback_state === 'QUEUED', r.body._callback_state);
      if (i < 3) assert.equal(r.body.note, `n${i}`);
    }
    const config = await api.get('/genesys/1/service/callback/durable/availability');
    assert.equal(config.status, 200, 'the configuration survived');
    for (const id of ids.slice(0, 3)) {
      const r = await waitForState(api, `/genesys/1/service/callback/durable/${id}`, 'QUEUED', 25);
      assert.equal(r.body._callback_state, 'QUEUED', 'the pending timer fired after the restart');
    }
  } finally {
    await rt.stop();
  }
});

test('restarting in the middle of a scenario: the agent, the reservation and its preview timer survive', async () => {
  const stateDir = newStateDir();
  let rt = await startRuntime({ stateDir });
  let token, first;
  try {
    const api = client(rt.base);
    await alwaysOpenService(api, 'mid', { _agent_preview: 'true', _agent_preview_timeout: '6', _enable_in_queue_checking: 'false' });
    const ada = await agent(api, 'ada', ['mid']);
    token = ada.auth;
    first = (await api.post('/genesys/1/service/callback/mid', { _customer_number: number(40) })).body._id;
    await api.post('/genesys/1/service/callback/mid', { _customer_number: number(41) });
    await ada.ready();
    assert.equal((await ada.offered('offered')).callback._id, first);
  } finally {
    await rt.stop();
  }
  rt = await startRuntime({ stateDir });
  try {
    const api = client(rt.base);
    const status = (await api.get('/genesys/1/agent/offer', { auth: token })).body;
    assert.deepEqual([status.ready, status.offer?.callback._id, status.offer?.callback._phase], [true, first, 'offered'], 'the token, readiness and offer are kept');
    await api.post('/genesys/1/agent/not-ready', {}, { auth: token });
    await api.advance('mid', 6500);
    const freed = await until(async () => (await api.get('/genesys/1/agent/offer', { auth: token })).body.offer === null, 5);
    assert.ok(freed, 'the preview timed out after the restart');
    assert.equal((await api.get(`/genesys/1/service/callback/mid/${first}`)).body._phase, 'waiting', 'the unanswered preview went back to its place');
    await api.post('/genesys/1/agent/ready', {}, { auth: token });
    const again = await until(async () => (await api.get('/genesys/1/agent/offer', { auth: token })).body.offer?.callback._id === first, 10);
    assert.ok(again, 'ahead of the later one');
  } finally {
    await rt.stop();
  }
});
