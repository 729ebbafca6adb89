// Atomicity: concurrent requests never overbook a bucket and never create twice for one key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRuntime } from './support/runtime.mjs';
import { client, admin, alwaysOpenService, number, bucketIn } from './support/api.mjs';

let rt, api;
before(async () => {
  rt = await startRuntime();
  api = client(rt.base);
  await alwaysOpenService(api, 'race', { _max_request_by_time_bucket: '5', _enable_in_queue_checking: 'false' });
});
after(async () => { await rt?.stop(); });

test('40 parallel bookings into a bucket of capacity 5: exactly 5 succeed', async () => {
  const desired = bucketIn(90);
  const answers = await Promise.all(Array.from({ length: 40 }, (_, i) =>
    api.post('/genesys/1/service/callback/race', { _customer_number: number(100 + i), _desired_time: desired })));
  const ok = answers.filter((a) => a.status === 200);
  assert.equal(ok.length, 5);
  for (const a of answers.filter((a) => a.status !== 200)) {
    assert.equal(a.status, 400);
    assert.equal(a.body.message, 'No capacity left at desired time');
  }
  const v2 = await api.get(`/genesys/2/service/callback/race/availability?start=${desired}&report-busy=true&max-time-slots=1`);
  assert.deepEqual([v2.body.slots[0].utcTime, v2.body.slots[0].capacity, v2.body.slots[0].total], [desired, 0, 5]);
  const booked = (await api.get('/genesys/1/admin/callback/queues?target=race&end_time=' + encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString()), { auth: admin })).body.race;
  assert.equal(booked.filter((r) => r._desired_time === desired).length, 5);
});

test('30 parallel creates with one Idempotency-Key: exactly one callback', async () => {
  const body = { _customer_number: number(200), first_name: 'Once' };
  const answers = await Promise.all(Array.from({ length: 30 }, () =>
    api.post('/genesys/1/service/callback/race', body, { headers: { 'idempotency-key': 'same-key' } })));
  assert.ok(answers.every((a) => a.status === 200));
  const ids = new Set(answers.map((a) => a.body._id));
  assert.equal(ids.size, 1);
  const found = (await api.get(`/genesys/1/service/callback/race?_customer_number=${encodeURIComponent(number(200))}`, { auth: admin })).body;
  assert.equal(found.length, 1);
});

test('after a random mix of creates, cancels, reschedules and agents at work, the SQL ledger agrees with the reference', async () => {
  await alwaysOpenService(api, 'ledger', { _max_request_by_time_bucket: '3', _enable_in_queue_checking: 'true', _request_time_bucket: '60' });
  const { agent } = await import('./support/agent.mjs');
  const ada = await agent(api, 'ledger-ada', ['ledger']);
  let seed = 20261207;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const ids = [];
  const buckets = [bucketIn(120), bucketIn(180), bucketIn(240)];
  for (let i = 0; i < 60; i++) {
    const roll = next();
    const customer = number(500 + Math.floor(next() * 12));
    if (roll < 0.45 || ids.length === 0) {
      const desired = next() < 0.5 ? {} : { _desired_time: buckets[Math.floor(next() * 3)] };
      const made = await api.post('/genesys/1/service/callback/ledger', { _customer_number: customer, ...desired });
      if (made.status === 200) ids.push(made.body._id);
    } else if (roll < 0.65) {
      await api.del(`/genesys/1/service/callback/ledger/${ids[Math.floor(next() * ids.length)]}`);
    } else if (roll < 0.8) {
      await api.put(`/genesys/1/service/callback/ledger/${ids[Math.floor(next() * ids.length)]}`, { _new_desired_time: buckets[Math.floor(next() * 3)] });
    } else if (roll < 0.9) {
      await ada.ready();
      const held = (await ada.status())?.offer?.callback?._id;
      if (held) await ada.dialResult(held, next() < 0.5 ? 'NO_ANSWER' : 'INVALID_NUMBER');
    } else {
      await ada.notReady();
    }
  }
  const check = await api.get('/genesys/1/dev/ledger/ledger', { auth: admin });
  assert.equal(check.status, 200, check.text);
  assert.ok(check.body.callbacks > 10, `${check.body.callbacks} callbacks compared`);
  assert.deepEqual(check.body.differences, []);
  const elsewhere = await api.get('/genesys/1/dev/ledger/ledger', { auth: admin, headers: { origin: 'https://evil.example' } });
  assert.equal(elsewhere.status, 403);
});
