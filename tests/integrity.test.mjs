// What is erased stays erased and what is kept stays right, through races and failures: the right
// to be forgotten, a deleted service's grace period, webhooks of erased callbacks, a failing
// receiver's backoff, rotated tokens, a cancel racing a confirmation, a dialer without a secret.
// The inputs themselves: hostile.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRuntime } from './support/runtime.mjs';
import { startReceiver } from './support/receiver.mjs';
import { alarmOf, objectsWithTables, outboxRowsOf } from './support/storage.mjs';
import { until } from './support/wait.mjs';
import { agent } from './support/agent.mjs';
import { client, admin, server, alwaysOpenService, number } from './support/api.mjs';

let rt, api;
before(async () => {
  rt = await startRuntime();
  api = client(rt.base);
  await api.section('service.access-h', { _type: 'builtin', _service: 'request-access', _access_numbers: '+18005550700', _provide_code: 'true', _ttl: '600' });
  await api.section('service.match-h', { _type: 'builtin', _service: 'match-interaction', _request_access_service: 'access-h' });
});
after(async () => { await rt?.stop(); });

test('a service with a dialer needs a secret to sign with; an empty one signs nothing', async () => {
  const bare = await startRuntime({ vars: { WEBHOOK_SECRET: '' } });
  try {
    const local = client(bare.base);
    const dialer = { _type: 'ors', _service: 'callback', _dialer_url: 'https://dialer.example.com/dial' };
    const refused = await local.call('PUT', '/genesys/1/admin/config/service.dialing', { body: dialer, auth: admin });
    assert.equal(refused.status, 400);
    assert.match(refused.body.message, /_webhook_secret/);
    assert.equal((await local.call('PUT', '/genesys/1/admin/config/service.dialing', { body: { ...dialer, _webhook_secret: 'long-random-secret' }, auth: admin })).status, 200);
  } finally {
    await bare.stop();
  }
});

test('a rotated token closes the event streams opened with the old one', async () => {
  await alwaysOpenService(api, 'streams');
  const first = await api.put('/genesys/1/admin/agents/stella', { name: 'Stella', services: ['streams'] }, { auth: admin });
  const res = await fetch(`${rt.base}/genesys/1/agent/offer`, { headers: { authorization: `Bearer ${first.body.token}`, accept: 'text/event-stream' } });
  assert.equal(res.status, 200);
  const reader = res.body.getReader();
  await reader.read();
  const ended = (async () => { for (;;) if ((await reader.read()).done) return true; })();
  const rotated = await api.put('/genesys/1/admin/agents/stella', { name: 'Stella', services: ['streams'], rotate_token: true }, { auth: admin });
  assert.notEqual(rotated.body.token, first.body.token);
  const timeout = new Promise((r) => setTimeout(() => r(false), 5000));
  assert.equal(await Promise.race([ended, timeout]), true, 'the old stream ended');
  assert.equal((await api.get('/genesys/1/agent/offer', { auth: `Bearer ${first.body.token}` })).status, 401);
});

test('the right to be forgotten: one call erases a customer everywhere', async () => {
  const who = number(960);
  await alwaysOpenService(api, 'forget-a', { _enable_in_queue_checking: 'false', _throttle_request_parameters_limit: '2' });
  await alwaysOpenService(api, 'forget-b', { _enable_in_queue_checking: 'false' });
  const a = '/genesys/1/service/callback/forget-a';
  const open = (await api.post(a, { _customer_number: who, first_name: 'Erin' }, { headers: { 'idempotency-key': 'erase-me-1' } })).body._id;
  const done = (await api.post(a, { _customer_number: who })).body._id;
  await api.del(`${a}/${done}`);
  assert.equal((await api.post(a, { _customer_number: who })).status, 503, 'the daily limit counts the number');
  const other = (await api.post('/genesys/1/service/callback/forget-b', { _customer_number: who })).body._id;
  const kept = (await api.post('/genesys/1/service/callback/forget-b', { _customer_number: number(961) })).body._id;
  assert.equal((await api.post('/genesys/1/service/access-h', { _customer_number: who }, server)).status, 200);

  const erased = await api.post('/genesys/1/admin/callback/erase', { _customer_number: who }, { auth: admin });
  assert.equal(erased.status, 200, erased.text);
  assert.deepEqual(erased.body.services['forget-a'], { callbacks: 2, cancelled: 1, counters: 2, holds: 0 });
  assert.deepEqual(erased.body.services['forget-b'], { callbacks: 1, cancelled: 1, counters: 1, holds: 0 });
  assert.equal(erased.body.services['access-h'].holds, 1);
  assert.equal(erased.body.callbacks, 3);
  for (const path of [`${a}/${open}`, `${a}/${done}`, `/genesys/1/service/callback/forget-b/${other}`]) {
    assert.equal((await api.get(path)).status, 404, path);
    assert.equal((await api.get(`${path}/events`)).status, 404, `${path}/events`);
  }
  assert.deepEqual((await api.get(`/genesys/1/service/callback?_customer_number=${encodeURIComponent(who)}`, server)).body, []);
  assert.equal((await api.post('/genesys/1/service/match-h', { _phone_number: who }, server)).status, 404, 'no hold left');
  assert.equal((await api.get(`/genesys/1/service/callback/forget-b/${kept}`)).status, 200, 'other customers are untouched');
  // Nothing remembered: the daily limit starts again, an idempotent answer no longer leads to them.
  const again = await api.post(a, { _customer_number: who, first_name: 'Erin' }, { headers: { 'idempotency-key': 'erase-me-1' } });
  assert.equal(again.status, 200);
  assert.notEqual(again.body._id, open);
  assert.equal((await api.post('/genesys/1/admin/callback/erase', { _customer_number: who })).status, 401, 'admin only');
  assert.equal((await api.post('/genesys/1/admin/callback/erase', {}, { auth: admin })).status, 400);
});

test('a deleted service\'s data is erased after its grace period (7 days), and comes back empty', async () => {
  await alwaysOpenService(api, 'short-lived');
  const id = (await api.post('/genesys/1/service/callback/short-lived', { _customer_number: number(970) })).body._id;
  const before = objectsWithTables(rt.stateDir);
  assert.equal((await api.del('/genesys/1/admin/config/service.short-lived', { auth: admin })).status, 200);
  await api.advance('short-lived', 6 * 86400e3);
  assert.equal(objectsWithTables(rt.stateDir), before, 'kept during its grace period');
  await api.advance('short-lived', 86400e3 + 1000);
  assert.ok(await until(() => objectsWithTables(rt.stateDir) === before - 1, 5), 'the object\'s tables are gone');
  await alwaysOpenService(api, 'short-lived');
  assert.equal((await api.get(`/genesys/1/service/callback/short-lived/${id}`)).status, 404, 'nothing of it came back');
  assert.equal((await api.post('/genesys/1/service/callback/short-lived', { _customer_number: number(970) })).status, 200, 'the service works anew');
});

test('a cancel that comes while an access number is being held wins, and the number goes back', async () => {
  await alwaysOpenService(api, 'race', { _call_direction: 'USERORIGINATED', _wait_for_agent: 'true', _wait_for_user_confirm: 'true', _request_access_service: 'access-h', _enable_in_queue_checking: 'false' });
  const rae = await agent(api, 'rae', ['race']);
  await rae.ready();
  for (let i = 0; i < 5; i++) {
    const id = (await api.post('/genesys/1/service/callback/race', { _customer_number: number(980 + i) })).body._id;
    assert.equal((await rae.offered('confirming')).callback._id, id);
    // The customer confirms (an access number is held for them, across an await) as the cancel comes.
    const [confirmed] = await Promise.all([api.post(`/genesys/1/service/callback/race/${id}/confirm`, {}), api.del(`/genesys/1/service/callback/race/${id}`)]);
    const record = (await api.get(`/genesys/1/service/callback/race/${id}`)).body;
    assert.deepEqual([record._callback_state, record._callback_reason], ['COMPLETED', 'CANCELLED'], `round ${i}: the cancel is not undone`);
    if (confirmed.body?._access_number) {
      const match = await api.post('/genesys/1/service/match-h', { _access_number: confirmed.body._access_number, _access_code: confirmed.body._access_code }, server);
      assert.equal(match.status, 404, `round ${i}: the number went back`);
    }
    assert.equal((await api.get('/genesys/1/admin/callback/watermarks?service_name=race', { auth: admin })).body.total, 0, `round ${i}: counts agree`);
  }
  await rae.notReady();
});

/** A service that notifies a test receiver, which fails for now; answers the receiver. */
async function failingReceiverFor(service) {
  const secret = `${service}-secret`;
  const receiver = await startReceiver({ secret });
  await receiver.set('fail');
  await alwaysOpenService(api, service, {
    _enable_status_notification: 'subscribe_notify', _status_notification_type: 'httpcb',
    _status_notification_target: receiver.url, _webhook_secret: secret, _enable_in_queue_checking: 'false',
  });
  return receiver;
}

test('an erased callback\'s webhooks go once delivered: nothing of it is kept', async () => {
  const receiver = await failingReceiverFor('purging');
  try {
    const who = number(980);
    const id = (await api.post('/genesys/1/service/callback/purging', { _customer_number: who })).body._id;
    assert.equal((await api.post('/genesys/1/admin/callback/erase', { _customer_number: who }, { auth: admin })).status, 200);
    assert.equal((await api.get(`/genesys/1/service/callback/purging/${id}`)).status, 404, 'the record is gone');
    assert.ok(outboxRowsOf(rt.stateDir, id) >= 2, 'its notifications wait for the receiver');
    await receiver.set('ok');
    await api.advance('purging', 300_000);
    assert.ok(await until(() => receiver.received.filter((r) => r.body.callback._id === id).length >= 2, 5), 'they are delivered');
    assert.ok(await until(() => outboxRowsOf(rt.stateDir, id) === 0, 10), 'and then deleted');
  } finally {
    await receiver.stop();
  }
});

test('while a receiver fails, the alarm waits for the first webhook\'s backoff (those behind it do not ring it)', async () => {
  const receiver = await failingReceiverFor('backing-off');
  try {
    const desired = new Date(Date.now() + 3 * 3600e3).toISOString();
    const id = (await api.post('/genesys/1/service/callback/backing-off', { _customer_number: number(990), _desired_time: desired })).body._id;
    // The first notification fails and backs off; the cancel's waits behind it, due at once.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await api.del(`/genesys/1/service/callback/backing-off/${id}`)).status, 200);
    const seen = [];
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 400));
      const at = alarmOf(rt.stateDir, 'backing-off');
      seen.push({ at, late: at === null ? null : Date.now() - at });
    }
    // A row that is not first in its callback's order must not set the alarm: else it is always
    // due (workerd keeps a past alarm as now), rings at once, finds nothing to send, and sets a
    // new past alarm each time, back to back, until the receiver is back. A due alarm whose ring
    // is still running is seen as past too, so count the distinct past alarms: the backoffs of
    // 1 s and 2 s allow two in this window; ringing back to back shows one per look.
    const past = new Set(seen.filter((s) => s.late === null || s.late >= 0).map((s) => s.at));
    assert.ok(past.size <= 2, `the alarm rang ${seen.map((s) => s.late).join(', ')} ms ago`);
  } finally {
    await receiver.stop();
  }
});
