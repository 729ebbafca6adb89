// Every endpoint and error row of API.md, against the real Worker in workerd.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startRuntime } from './support/runtime.mjs';
import { client, admin, server, alwaysOpenService, number, bucketIn, EXC } from './support/api.mjs';
import { seedDemo } from '../scripts/demo.mjs';

let rt, api;
before(async () => {
  rt = await startRuntime();
  api = client(rt.base);
  await seedDemo(rt.base, admin);
  await alwaysOpenService(api, 'cb', { _customer_lookup_keys: '_customer_number,_customer_id' });
});
after(async () => { await rt?.stop(); });

const create = (body, opts) => api.post('/genesys/1/service/callback/cb', body, opts);

describe('create', () => {
  test('immediate create answers the confirmation dialog and queues', async () => {
    const r = await create({ _customer_number: '06 11 22 33 44', first_name: 'Ana' });
    assert.equal(r.status, 200);
    assert.equal(r.body._action, 'ConfirmationDialog');
    assert.equal(r.body._text, 'You will receive the call shortly');
    assert.equal(r.body._dialog_id, '0');
    assert.equal(r.body._ok_title, 'OK');
    const got = await api.get(`/genesys/1/service/callback/cb/${r.body._id}`);
    assert.equal(got.body._callback_state, 'QUEUED');
    assert.equal(got.body._customer_number, '+33611223344');
    assert.equal(got.body.first_name, 'Ana');
    assert.match(got.body._url, /\/genesys\/1\/service\/cb~/);
    assert.equal(got.body.url, got.body._url);
  });

  test('a GMS client form-encoded create, as the mobile samples and Widgets v1 send it', async () => {
    const desired = bucketIn(120);
    const r = await api.call('POST', '/genesys/1/service/callback/cb', { form: { _customer_number: '+33 6 55 44 33 22', _desired_time: desired, first_name: 'Jean', last_name: 'Dupont', _customer_id: 'C-42' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body._desired_time, desired);
    const [record] = (await api.get(`/genesys/1/service/callback?_id=${r.body._id}`)).body;
    assert.equal(record._callback_state, 'SCHEDULED');
    assert.equal(record._customer_id, 'C-42');
    assert.equal(record.last_name, 'Dupont');
    assert.equal(Date.parse(record._expiration_time) - Date.parse(desired), 86_400_000);
    for (const v of Object.values(record)) assert.equal(typeof v, 'string');
  });

  test('times with offsets are normalised to UTC; times without offset are refused', async () => {
    const desired = new Date(bucketIn(180));
    const local = new Date(desired.getTime() + 3600_000).toISOString().replace('Z', '+01:00').replace('.000', '');
    const r = await create({ _customer_number: number(1), _desired_time: local });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body._desired_time, desired.toISOString());
    const bad = await create({ _customer_number: number(2), _desired_time: '2030-01-01T10:00:00' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.exception, `${EXC}CallbackExceptionInvalidParameter`);
    assert.match(bad.body.message, /_desired_time/);
  });

  test('missing or impossible numbers are 400 naming the parameter', async () => {
    for (const body of [{ first_name: 'x' }, { _customer_number: '12' }, { _customer_number: '08 99 12 34 56' }]) {
      const r = await create(body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(r.body.message, /_customer_number/);
    }
  });

  test('closed, past and too far desired times are availability errors with alternatives', async () => {
    const sunday = new Date();
    sunday.setUTCDate(sunday.getUTCDate() + ((7 - sunday.getUTCDay()) % 7 || 7));
    sunday.setUTCHours(12, 0, 0, 0);
    const closed = await api.post('/genesys/1/service/callback/callback-web', { _customer_number: number(3), _desired_time: sunday.toISOString() });
    assert.equal(closed.status, 400);
    assert.equal(closed.body.exception, `${EXC}CallbackExceptionAvailability`);
    assert.equal(closed.body.message, 'Office closed at desired time');
    const slots = Object.keys(closed.body.availability);
    assert.ok(slots.length > 0 && slots.length <= 10);
    for (const s of slots) assert.ok(Date.parse(s) > Date.now());
    const past = await create({ _customer_number: number(4), _desired_time: '2020-01-01T10:00:00Z' });
    assert.equal(past.status, 400);
    assert.equal(past.body.message, 'Desired time is in the past');
    const far = await create({ _customer_number: number(5), _desired_time: new Date(Date.now() + 60 * 86_400_000).toISOString() });
    assert.equal(far.body.message, 'Desired time is more than 1M ahead');
  });

  test('a full bucket is refused and the nearest free buckets are offered', async () => {
    await alwaysOpenService(api, 'tiny', { _max_request_by_time_bucket: '1', _enable_in_queue_checking: 'false' });
    const desired = bucketIn(240);
    assert.equal((await api.post('/genesys/1/service/callback/tiny', { _customer_number: number(6), _desired_time: desired })).status, 200);
    const full = await api.post('/genesys/1/service/callback/tiny', { _customer_number: number(7), _desired_time: desired });
    assert.equal(full.status, 400);
    assert.equal(full.body.message, 'No capacity left at desired time');
    const nearest = Object.keys(full.body.availability).map(Date.parse).map((t) => Math.abs(t - Date.parse(desired)));
    assert.equal(nearest[0] === 300_000 || nearest.includes(300_000), true);
    assert.ok(!Object.keys(full.body.availability).includes(desired));
  });

  test('unknown services are 404 CallbackExceptionResource', async () => {
    for (const name of ['nope', '..%2F..%2Fetc', 'office-paris']) {
      const r = await api.post(`/genesys/1/service/callback/${name}`, { _customer_number: number(8) });
      assert.equal(r.status, 404, name);
      assert.equal(r.body.exception, `${EXC}CallbackExceptionResource`);
    }
  });

  test('bad bodies: malformed JSON, wrong types, other media types, too large', async () => {
    assert.equal((await create('{"_customer_number": ')).status, 400);
    assert.equal((await create('[1,2]')).status, 400);
    const nested = await create({ _customer_number: number(9), note: { a: 1 } });
    assert.equal(nested.status, 400);
    assert.match(nested.body.message, /note/);
    // GMS's callback service processes voice and chat only.
    const fax = await create({ _customer_number: number(14), _media_type: 'fax' });
    assert.equal(fax.status, 400);
    assert.match(fax.body.message, /_media_type: `fax` is not voice or chat/);
    const faxService = await api.put('/genesys/1/admin/config/service.faxy', { _type: 'ors', _service: 'callback', _media_type: 'fax' }, { auth: admin });
    assert.equal(faxService.status, 400);
    assert.match(faxService.body.message, /_media_type/);
    const text = await create('hello', { headers: { 'content-type': 'text/plain' } });
    assert.equal(text.status, 415);
    const huge = await create({ _customer_number: number(10), note: 'x'.repeat(70_000) });
    assert.equal(huge.status, 413);
    const long = await create({ _customer_number: number(11), note: 'x'.repeat(5000) });
    assert.equal(long.status, 400);
    const numbers = await create({ _customer_number: number(12), age: 42, vip: true });
    assert.equal(numbers.status, 200);
    const rec = (await api.get(`/genesys/1/service/callback/cb/${numbers.body._id}`)).body;
    assert.equal(rec.age, '42');
    assert.equal(rec.vip, 'true');
  });

  test('Idempotency-Key: the same body gets the first answer, another body 409', async () => {
    const headers = { 'idempotency-key': 'k-1' };
    const body = { _customer_number: number(13) };
    const a = await create(body, { headers });
    const b = await create(body, { headers });
    assert.equal(a.status, 200);
    assert.deepEqual(b.body, a.body);
    const c = await create({ _customer_number: number(14) }, { headers });
    assert.equal(c.status, 409);
  });
});

describe('limits and throttles (GMS messages, 503)', () => {
  test('queued limit, duplicates, daily limit and throttle windows', async () => {
    await alwaysOpenService(api, 'limited', { _max_queued_callbacks_per_service: '3', _throttle_request_parameters_limit: '3', _throttle_callbacks_per_service_1: '4', _throttle_ttl_1: '60' });
    const p = (n) => api.post('/genesys/1/service/callback/limited', { _customer_number: n });
    assert.equal((await p(number(20))).status, 200);
    assert.equal((await p(number(20))).status, 200);
    const dup = await p(number(20));
    assert.equal(dup.status, 503);
    assert.equal(dup.body.exception, `${EXC}CallbackExceptionServiceUnavailable`);
    assert.match(dup.body.message, /already in the queue/);
    assert.equal((await p(number(21))).status, 200);
    const full = await p(number(22));
    assert.equal(full.status, 503);
    assert.equal(full.body.message, 'Limit of queued callbacks for limited is reached.');
    const scheduled = await api.post('/genesys/1/service/callback/limited', { _customer_number: number(22), _desired_time: bucketIn(300) });
    assert.equal(scheduled.status, 200, 'the queue limit holds immediate creates only');
    const throttled = await api.post('/genesys/1/service/callback/limited', { _customer_number: number(23), _desired_time: bucketIn(305) });
    assert.equal(throttled.status, 503);
    assert.equal(throttled.body.message, 'Limit of queued callbacks for limited is reached for interval 60s.');
  });

  test('per-number daily limit', async () => {
    await alwaysOpenService(api, 'daily', { _throttle_request_parameters_limit: '2', _enable_in_queue_checking: 'false' });
    const p = () => api.post('/genesys/1/service/callback/daily', { _customer_number: number(30) });
    assert.equal((await p()).status, 200);
    assert.equal((await p()).status, 200);
    const third = await p();
    assert.equal(third.status, 503);
    assert.equal(third.body.message, `Callback for _customer_number=${number(30)} rejected because previous callbacks for this parameter were requested for more than 2 times today.`);
  });

  test('per-client-IP rate limit: 429 with Retry-After', async () => {
    await alwaysOpenService(api, 'rated', { _client_rate_limit: '3/60' });
    const statuses = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = await api.get('/genesys/1/service/callback/rated/availability');
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    assert.ok(Number(last.headers.get('retry-after')) >= 1);
    assert.equal(last.body.exception, `${EXC}CallbackExceptionTooManyRequests`);
    const adminCall = await api.get('/genesys/1/service/callback/rated/availability', { auth: admin });
    assert.equal(adminCall.status, 200, 'authenticated calls are exempt');
  });

  test('per-number rate limit on public creates: 429 with Retry-After', async () => {
    await alwaysOpenService(api, 'burst', { _number_rate_limit: '2/60', _enable_in_queue_checking: 'false' });
    const p = (n, opts) => api.post('/genesys/1/service/callback/burst', { _customer_number: n }, opts);
    assert.equal((await p('+33 6 77 00 00 01')).status, 200);
    assert.equal((await p('06 77 00 00 01')).status, 200, 'the same number, written nationally');
    const third = await p('+33 677 000 001');
    assert.equal(third.status, 429);
    assert.ok(Number(third.headers.get('retry-after')) >= 1);
    assert.equal((await p(number(600))).status, 200, 'another number is not held');
    assert.equal((await p('+33 6 77 00 00 01', { auth: admin })).status, 200, 'server calls are exempt');
  });
});

describe('get, query, update, cancel, history', () => {
  test('get by id: array across services, object within one; unknown and odd ids', async () => {
    const { body } = await create({ _customer_number: number(40) });
    assert.equal((await api.get(`/genesys/1/service/callback?_id=${body._id}`)).body.length, 1);
    assert.deepEqual((await api.get('/genesys/1/service/callback?_id=cb~AAAAAAAAAAAAAAAAAAAAAA')).body, []);
    assert.deepEqual((await api.get('/genesys/1/service/callback?_id=..%2F')).body, []);
    for (const id of ['cb~AAAAAAAAAAAAAAAAAAAAAA', 'short', '..%2F..%2Fx', 'cb~AAAAAAAAAAAAAAAAAAAAA%2F']) {
      const r = await api.get(`/genesys/1/service/callback/cb/${id}`);
      assert.equal(r.status, 404, id);
      assert.equal(r.body.exception, `${EXC}CallbackExceptionNotFound`);
    }
    const other = await api.get(`/genesys/1/service/callback/callback-web/${body._id}`);
    assert.equal(other.status, 404, 'an id is found only under its own service');
  });

  test('property queries need server credentials and support AND, OR and !', async () => {
    const a = (await create({ _customer_number: number(41), colour: 'red' })).body._id;
    const b = (await create({ _customer_number: number(42), colour: 'blue' })).body._id;
    await api.del(`/genesys/1/service/callback/cb/${b}`);
    assert.equal((await api.get(`/genesys/1/service/callback?_customer_number=${encodeURIComponent(number(41))}`)).status, 401);
    assert.equal((await api.get('/genesys/1/service/callback/cb?colour=red')).status, 401);
    const ids = async (q, opts = { auth: admin }) => (await api.get(q, opts)).body.map((r) => r._id).sort();
    assert.deepEqual(await ids(`/genesys/1/service/callback?_customer_number=${encodeURIComponent(number(41))}`), [a]);
    assert.deepEqual(await ids('/genesys/1/service/callback/cb?colour=red&colour_missing=x&operand=OR'), [a]);
    assert.deepEqual(await ids(`/genesys/1/service/callback/cb?_callback_state=!COMPLETED&colour=blue`), []);
    assert.deepEqual(await ids('/genesys/1/service/callback/cb?_callback_state=COMPLETED&colour=blue', { headers: { 'x-api-key': 'dev-server-key' } }), [b]);
    const bad = await api.get('/genesys/1/service/callback/cb?_desired_time=x', { auth: admin });
    assert.equal(bad.status, 400);
    assert.equal((await api.get('/genesys/1/service/callback/cb?colour=red', { headers: { 'x-api-key': 'wrong' } })).status, 401);
  });

  test('reschedule and update properties; an empty value deletes; only SCHEDULED or QUEUED', async () => {
    const { body } = await create({ _customer_number: number(43), _desired_time: bucketIn(200), colour: 'red', size: 'L' });
    const path = `/genesys/1/service/callback/cb/${body._id}`;
    const desired = bucketIn(400);
    const r = await api.put(path, { _new_desired_time: desired, colour: '', size: 'XL', _callback_state: 'COMPLETED' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body._desired_time, desired);
    assert.equal(r.body.colour, undefined);
    assert.equal(r.body.size, 'XL');
    assert.equal(r.body._callback_state, 'SCHEDULED');
    const form = await api.call('PUT', path, { form: { note: 'call after lunch' } });
    assert.equal(form.body.note, 'call after lunch');
    assert.equal((await api.put(path, { _new_desired_time: '2020-01-01T00:00:00Z' })).status, 400);
    assert.equal((await api.put(path, { x: { y: 1 } })).status, 400);
    await api.del(path);
    const late = await api.put(path, { _new_desired_time: bucketIn(500) });
    assert.equal(late.status, 409);
    assert.equal(late.body.exception, `${EXC}CallbackExceptionInvalidState`);
  });

  test('cancel: 200, then 409; unknown 404; history oldest first', async () => {
    const { body } = await create({ _customer_number: number(44), _desired_time: bucketIn(210) });
    const path = `/genesys/1/service/callback/cb/${body._id}`;
    await api.put(path, { _new_desired_time: bucketIn(220) });
    const c = await api.del(`${path}?discard_ors_failure=true`);
    assert.equal(c.status, 200);
    assert.equal(c.body._callback_state, 'COMPLETED');
    assert.equal(c.body._callback_reason, 'CANCELLED');
    assert.equal((await api.del(path)).status, 409);
    assert.equal((await api.del('/genesys/1/service/callback/cb/cb~AAAAAAAAAAAAAAAAAAAAAA')).status, 404);
    const { events } = (await api.get(`${path}/events`)).body;
    assert.deepEqual(events.map((e) => [e.from, e.to, e.reason, e.actor]), [
      [null, 'SCHEDULED', null, 'customer'],
      ['SCHEDULED', 'SCHEDULED', null, 'customer'],
      ['SCHEDULED', 'COMPLETED', 'CANCELLED', 'customer'],
    ]);
  });

  test('queue position: position and wait of a queued callback; 409 when not waiting; 404 unknown', async () => {
    await alwaysOpenService(api, 'q', { _average_handle_time: '120', _enable_in_queue_checking: 'false' });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await api.post('/genesys/1/service/callback/q', { _customer_number: number(50 + i) })).body._id);
    const third = await api.get(`/genesys/1/service/${ids[2]}/check-queue-position`);
    assert.deepEqual(third.body, { _position: 3, _total_waiting: 3, _eta: 240, ewt: 240 });
    const scheduled = (await api.post('/genesys/1/service/callback/q', { _customer_number: number(60), _desired_time: bucketIn(300) })).body._id;
    assert.equal((await api.get(`/genesys/1/service/${scheduled}/check-queue-position`)).status, 409);
    assert.equal((await api.get('/genesys/1/service/q~AAAAAAAAAAAAAAAAAAAAAA/check-queue-position')).status, 404);
  });
});

describe('pause and resume', () => {
  test('pausing a service pauses its waiting callbacks; resuming queues them again in their place', async () => {
    await alwaysOpenService(api, 'pausable', { _enable_in_queue_checking: 'false' });
    const ids = [];
    for (let i = 0; i < 2; i++) ids.push((await api.post('/genesys/1/service/callback/pausable', { _customer_number: number(700 + i) })).body._id);
    const state = async (id) => (await api.get(`/genesys/1/service/callback/pausable/${id}`)).body._callback_state;
    await alwaysOpenService(api, 'pausable', { _enable_in_queue_checking: 'false', _paused: 'true' });
    assert.deepEqual([await state(ids[0]), await state(ids[1])], ['PAUSED', 'PAUSED']);
    const during = (await api.post('/genesys/1/service/callback/pausable', { _customer_number: number(702) })).body._id;
    assert.equal(await state(during), 'PAUSED', 'a callback created while paused waits paused');
    assert.equal((await api.get('/genesys/1/admin/callback/watermarks?service_name=pausable', { auth: admin })).body.total, 3, 'paused callbacks are in queue');
    await alwaysOpenService(api, 'pausable', { _enable_in_queue_checking: 'false' });
    assert.deepEqual([await state(ids[0]), await state(ids[1]), await state(during)], ['QUEUED', 'QUEUED', 'QUEUED']);
    assert.equal((await api.get(`/genesys/1/service/${ids[0]}/check-queue-position`)).body._position, 1, 'the first keeps its place');
    const { events } = (await api.get(`/genesys/1/service/callback/pausable/${ids[0]}/events`)).body;
    assert.deepEqual(events.map((e) => e.to), ['QUEUED', 'PAUSED', 'QUEUED']);
  });
});

describe('IVR Classic callback', () => {
  test('a callback created for a caller already in queue keeps the caller\'s place (_call_entered_time)', async () => {
    await alwaysOpenService(api, 'ivrq', { _enable_in_queue_checking: 'false' });
    const first = (await api.post('/genesys/1/service/callback/ivrq', { _customer_number: number(710) })).body._id;
    const entered = new Date(Date.now() - 10 * 60_000).toISOString();
    // The IVR, with the server key, says when the caller entered the queue.
    const caller = await api.call('POST', '/genesys/1/service/callback/ivrq', { form: { _customer_number: number(711), _call_entered_time: entered }, ...server });
    assert.equal(caller.status, 200);
    assert.equal((await api.get(`/genesys/1/service/${caller.body._id}/check-queue-position`)).body._position, 1, 'ahead of those who came later');
    assert.equal((await api.get(`/genesys/1/service/${first}/check-queue-position`)).body._position, 2);
    assert.equal((await api.post('/genesys/1/service/callback/ivrq', { _customer_number: number(712), _call_entered_time: 'an hour ago' }, server)).status, 400);
    // A browser's word for it is ignored: it does not jump the queue.
    const jumper = await api.post('/genesys/1/service/callback/ivrq', { _customer_number: number(713), _call_entered_time: new Date(Date.now() - 3600_000).toISOString() });
    assert.equal(jumper.status, 200);
    assert.equal((await api.get(`/genesys/1/service/${jumper.body._id}/check-queue-position`)).body._position, 3, 'behind those who came before');
  });
});

describe('IVR Classic offer', () => {
  test('offers when open and the estimated wait is over the threshold (queued x handle time / ready agents)', async () => {
    await alwaysOpenService(api, 'ivr', { _average_handle_time: '200', _offer_callback_ewt_threshold: '300', _enable_in_queue_checking: 'false' });
    const before = (await api.get('/genesys/1/service/callback/ivr/offer?_customer_number=%2B33612345678')).body;
    assert.deepEqual(before, { ewt: 0, offer: false, open: true, position: 1, timezone: 'Europe/Paris', media: 'voice' });
    for (let i = 0; i < 2; i++) await api.post('/genesys/1/service/callback/ivr', { _customer_number: number(300 + i) });
    assert.deepEqual((await api.get('/genesys/1/service/callback/ivr/offer')).body, { ewt: 400, offer: true, open: true, position: 3, timezone: 'Europe/Paris', media: 'voice' });
  });
});

describe('availability and builtin services', () => {
  test('v1 and v2 answer the demo office hours and capacity', async () => {
    const v1 = await api.get('/genesys/1/service/callback/callback-web/availability?number-of-days=7');
    assert.equal(v1.status, 200);
    const keys = Object.keys(v1.body);
    assert.ok(keys.length > 0);
    assert.deepEqual([...keys].sort(), keys, 'chronological');
    for (const [t, n] of Object.entries(v1.body)) {
      assert.ok(n > 0 && Date.parse(t) > Date.now());
      assert.equal(new Date(t).getUTCMinutes() % 15, 0);
    }
    const v2 = await api.get('/genesys/2/service/callback/callback-web/availability?number-of-days=7&timezone=America/New_York&max-time-slots=5');
    assert.equal(v2.body.durationMin, 15);
    assert.equal(v2.body.timezone, 'America/New_York');
    assert.equal(v2.body.slots.length, 5);
    const [slot] = v2.body.slots;
    assert.ok(slot.total >= slot.capacity && slot.capacity > 0);
    assert.doesNotMatch(slot.localTime, /Z|[+-]\d\d:\d\d$/);
    const ms = await api.get(`/genesys/2/service/callback/callback-web/availability?start-ms=${Date.now()}&end-ms=${Date.now() + 7 * 86_400_000}`);
    assert.equal(ms.status, 200);
    for (const q of ['start=yesterday', 'max-time-slots=0', 'number-of-days=x', 'timezone=Mars/Base', 'report-busy=maybe']) {
      const r = await api.get(`/genesys/2/service/callback/callback-web/availability?${q}`);
      assert.equal(r.status, 400, q);
    }
    assert.deepEqual((await api.get('/genesys/1/service/callback/callback-now/availability?number-of-days=7')).body, {}, 'an immediate-only service offers no slot');
  });

  test('office-hours and capacity services', async () => {
    const oh = await api.get('/genesys/1/service/office-paris?number-of-days=7');
    assert.equal(oh.body.error, null);
    assert.ok(oh.body.periods.length >= 5);
    const cap = await api.get('/genesys/1/service/capacity-paris?start=2026-12-07T00:00:00.000&end=2026-12-08T00:00:00.000&timezone=Europe/Paris');
    assert.equal(cap.body.timezone, 'Europe/Paris');
    assert.deepEqual(cap.body.slots[0], { start: '2026-12-07T07:00:00.000Z', end: '2026-12-07T08:00:00.000Z', capacity: 2 });
    assert.equal((await api.get('/genesys/1/service/capacity-paris?start=x&end=y')).status, 400);
    assert.equal((await api.get('/genesys/1/service/nothing-here')).status, 404);
  });
});

describe('admin and configuration API', () => {
  test('admin paths need admin credentials', async () => {
    assert.equal((await api.get('/genesys/1/admin/config')).status, 401);
    const wrong = await api.get('/genesys/1/admin/config', { auth: 'Basic YWRtaW46bm9wZQ==' });
    assert.equal(wrong.status, 401);
    assert.equal((await api.get('/genesys/1/admin/config', { headers: { 'x-api-key': 'dev-server-key' } })).status, 403);
  });

  test('configuration: validation names the option; unknown options kept; delete', async () => {
    const bad = await api.put('/genesys/1/admin/config/service.bad', { _service: 'capacity', _capacity_1: 'not json' }, { auth: admin });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /_capacity_1/);
    for (const [kind, opt, value] of [['office-hours', '_timezone', 'Nowhere/Land'], ['callback', '_request_time_bucket', '7'], ['callback', '_ttl', 'x']]) {
      const r = await api.put('/genesys/1/admin/config/service.bad', { _service: kind, [opt]: value }, { auth: admin });
      assert.equal(r.status, 400, opt);
      assert.match(r.body.message, new RegExp(opt));
    }
    const ok = await api.put('/genesys/1/admin/config/service.extra', { _service: 'callback', _vq: 'VQ1' }, { auth: admin });
    assert.equal(ok.status, 200);
    assert.equal((await api.get('/genesys/1/admin/config/service.extra', { auth: admin })).body._vq, 'VQ1');
    assert.ok('service.callback-web' in (await api.get('/genesys/1/admin/config', { auth: admin })).body);
    assert.equal((await api.post('/genesys/1/service/callback/extra', { _customer_number: number(70) })).status, 200, 'reachable at once');
    assert.equal((await api.del('/genesys/1/admin/config/service.office-paris', { auth: admin })).status, 409, 'in use');
    assert.equal((await api.del('/genesys/1/admin/config/service.extra', { auth: admin })).status, 200);
    assert.equal((await api.post('/genesys/1/service/callback/extra', { _customer_number: number(71) })).status, 404, 'gone at once');
    assert.equal((await api.get('/genesys/1/admin/config/service.extra', { auth: admin })).status, 404);
  });

  test('a configuration change takes effect at once', async () => {
    await alwaysOpenService(api, 'switch', { _max_queued_callbacks_per_service: '0' });
    assert.equal((await api.post('/genesys/1/service/callback/switch', { _customer_number: number(72) })).status, 503);
    await alwaysOpenService(api, 'switch', { _max_queued_callbacks_per_service: '10' });
    assert.equal((await api.post('/genesys/1/service/callback/switch', { _customer_number: number(72) })).status, 200);
  });

  test('queues, watermarks, bulk cancel and the cancelled report', async () => {
    await alwaysOpenService(api, 'adm', { _enable_in_queue_checking: 'false' });
    const queued = (await api.post('/genesys/1/service/callback/adm', { _customer_number: number(80) })).body._id;
    const later = (await api.post('/genesys/1/service/callback/adm', { _customer_number: number(81), _desired_time: bucketIn(600), first_name: 'Zoé, "the" boss' })).body._id;
    const queues = (await api.get('/genesys/1/admin/callback/queues?target=adm', { auth: admin })).body;
    assert.deepEqual(queues.adm.map((r) => r._id).sort(), [queued, later].sort());
    const onlyQueued = (await api.get('/genesys/1/admin/callback/queues?target=adm&states=QUEUED', { auth: admin })).body;
    assert.deepEqual(onlyQueued.adm.map((r) => r._id), [queued]);
    assert.equal((await api.get('/genesys/1/admin/callback/queues?states=LOST', { auth: admin })).status, 400);
    const marks = (await api.get('/genesys/1/admin/callback/watermarks?service_name=adm&service_name=none', { auth: admin })).body;
    assert.deepEqual(marks, { services: { adm: 1, none: 0 }, total: 1 });
    const all = (await api.get('/genesys/1/admin/callback/watermarks', { auth: admin })).body;
    assert.ok(all.services.adm === 1 && 'callback-web' in all.services);
    const cancel = await api.post('/genesys/1/admin/callback/cancel', { reason: 'CANCELLED_BY_ADMIN', ids: [queued, later, 'adm~AAAAAAAAAAAAAAAAAAAAAA', 'junk'] }, { auth: admin });
    assert.deepEqual(cancel.body.cancelled.sort(), [queued, later].sort());
    assert.deepEqual(Object.keys(cancel.body.failed).sort(), ['adm~AAAAAAAAAAAAAAAAAAAAAA', 'junk']);
    const again = await api.post('/genesys/1/admin/callback/cancel', { ids: [queued] }, { auth: admin });
    assert.match(again.body.failed[queued], /COMPLETED/);
    assert.equal((await api.get(`/genesys/1/service/callback/adm/${later}`)).body._callback_reason, 'CANCELLED_BY_ADMIN');
    const report = await api.post('/genesys/1/admin/callback/reportcancelled', { callback_reason: 'CANCELLED_BY_ADMIN', exported_properties: ['_customer_number', 'first_name'] }, { auth: admin });
    assert.match(report.headers.get('content-type'), /text\/csv/);
    const lines = report.text.trim().split('\r\n');
    assert.equal(lines[0], '_id,_service_name,_callback_reason,_customer_number,first_name');
    assert.ok(lines.includes(`${later},adm,CANCELLED_BY_ADMIN,${number(81)},"Zoé, ""the"" boss"`));
    assert.equal((await api.post('/genesys/1/admin/callback/cancel', 'x', { auth: admin })).status, 400);
  });
});

describe('CORS', () => {
  test('only the service\'s allowed origins get CORS answers', async () => {
    await alwaysOpenService(api, 'cors', { _allowed_origins: 'https://shop.example, https://www.shop.example' });
    const pre = await api.call('OPTIONS', '/genesys/1/service/callback/cors', { headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'https://shop.example');
    const evil = await api.call('OPTIONS', '/genesys/1/service/callback/cors', { headers: { origin: 'https://evil.example' } });
    assert.equal(evil.status, 403);
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    const ok = await api.get('/genesys/1/service/callback/cors/availability', { headers: { origin: 'https://www.shop.example' } });
    assert.equal(ok.headers.get('access-control-allow-origin'), 'https://www.shop.example');
    const refused = await api.post('/genesys/1/service/callback/cors', { _customer_number: number(90) }, { headers: { origin: 'https://evil.example' } });
    assert.equal(refused.status, 403);
  });
});

describe('OpenAPI', () => {
  test('every documented route is routed, and every route is documented', async () => {
    const doc = (await api.get('/openapi.json')).body;
    assert.equal(doc.openapi, '3.1.0');
    let count = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        count++;
        const url = path.replace('{service}', 'cb').replace('{id}', 'cb~AAAAAAAAAAAAAAAAAAAAAA').replace('{section}', 'service.cb').replace('{agent}', 'nobody');
        const r = await api.call(method.toUpperCase(), url, { auth: admin, body: ['post', 'put'].includes(method) ? {} : undefined });
        assert.ok(!(r.status === 404 && /No route for/.test(r.body?.message ?? '')), `${method} ${path} is routed`);
        assert.notEqual(r.status, 405, `${method} ${path}`);
        assert.ok(r.status < 500, `${method} ${path}: ${r.status} ${r.text}`);
      }
    }
    assert.ok(count >= 20);
    assert.equal((await api.get('/genesys/1/service/callback/cb/x/y/z')).status, 404);
    assert.equal((await api.call('PATCH', '/genesys/1/service/callback/cb')).status, 405);
  });
});
