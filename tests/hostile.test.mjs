// Hostile traffic against the public routes: every input here gets a clear 4xx JSON error, never
// a panic, a 500 or lost state; and the IVR-only services, updates, exports and webhook targets
// close the doors the security review found. Erasure, races and failures: integrity.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startRuntime } from './support/runtime.mjs';
import { objectsWithTables } from './support/storage.mjs';
import { agent } from './support/agent.mjs';
import { client, admin, server, alwaysOpenService, number } from './support/api.mjs';

let rt, api;
before(async () => {
  rt = await startRuntime();
  api = client(rt.base);
  await alwaysOpenService(api, 'target', { _enable_in_queue_checking: 'true', _throttle_request_parameters_limit: '3' });
  // A service whose per-client limit is counting while the attacks go on.
  await alwaysOpenService(api, 'counting', { _client_rate_limit: '3/3600' });
  await api.section('service.capacity-h', { _type: 'builtin', _service: 'capacity', _timezone: 'Europe/Paris', _capacity_1: '{"1": {"0900": 2}}' });
  await api.section('service.access-h', { _type: 'builtin', _service: 'request-access', _access_numbers: '+18005550700', _provide_code: 'true', _ttl: '600' });
  await api.section('service.match-h', { _type: 'builtin', _service: 'match-interaction', _request_access_service: 'access-h' });
});
after(async () => { await rt?.stop(); });

const svc = '/genesys/1/service/callback/target';
const far = '8210266800000000';
const hugeBody = JSON.stringify(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, 'v'])));
const nested = `${'['.repeat(5000)}${']'.repeat(5000)}`;

/** Route, method, body: each must be answered with a 4xx JSON error. */
function attacks(id) {
  const avail = (q) => ['GET', `/genesys/2/service/callback/target/availability?${q}`];
  return [
    avail(`start-ms=${far}`), avail(`end-ms=${far}`), avail('start-ms=-8210266800000000'), avail('start-ms=9223372036854775807'),
    avail('start=%2B275760-09-13T00:00:00Z'), avail('start=0000-01-01T00:00:00Z'), avail('start=9999-12-31T23:00:00Z&number-of-days=366'),
    avail('number-of-days=99999999999999999999'), avail('number-of-days=-1'), avail('max-time-slots=1e9'), avail('max-time-slots=-5'),
    avail('timezone=..%2F..%2Fetc%2Fpasswd'), avail('start-ms=1&start-ms=' + far), avail('report-busy=%00'),
    ['GET', `/genesys/1/service/callback/target/availability?end=${far}`],
    ['GET', '/genesys/1/service/capacity-h?start=0001-01-01T00:00:00&end=9999-12-31T00:00:00'],
    ['GET', `/genesys/1/service/capacity-h?start=${far}&end=${far}`],
    ['GET', '/genesys/1/service/office-24x7?start=2026-01-01T00:00:00Z&end=2226-01-01T00:00:00Z'],
    ['GET', '/genesys/1/service/office-24x7?start=-1&number-of-days=366'],
    ['GET', '/genesys/1/service/office-24x7?number-of-days=4294967297'],
    ['POST', svc, { _customer_number: number(900), _desired_time: '+275760-09-13T00:00:00Z' }],
    ['POST', svc, { _customer_number: number(900), _desired_time: '9999-12-31T23:59:59Z' }],
    ['POST', svc, { _customer_number: number(900), _desired_time: '0000-01-01T00:00:00Z' }],
    ['POST', svc, { _customer_number: number(900), _call_entered_time: '0001-01-01T00:00:00Z' }, server],
    ['POST', svc, { _customer_number: 1e308 }], ['POST', svc, { _customer_number: -1 }], ['POST', svc, { _customer_number: '9'.repeat(5000) }],
    ['POST', svc, { _customer_number: { $gt: '' } }], ['POST', svc, { _customer_number: [number(900)] }], ['POST', svc, { _customer_number: null }],
    ['POST', svc, [1, 2, 3]], ['POST', svc, 'null'], ['POST', svc, '"text"'], ['POST', svc, hugeBody], ['POST', svc, nested],
    ['POST', svc, { _customer_number: number(900), note: { deep: { er: 1 } } }],
    ['POST', svc, { _customer_number: `${number(900)}\u0000\u0007` }],
    ['POST', svc, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
    ['POST', svc, '_customer_number=&_customer_number=', 'form'],
    ['POST', svc, ''.padEnd(70_000, 'a'), 'form'],
    ['PUT', `${svc}/${id}`, { _new_desired_time: `${far}` }], ['PUT', `${svc}/${id}`, { _new_desired_time: '0000-01-01T00:00:00Z' }],
    ['PUT', `${svc}/${id}`, { _customer_number: { a: 1 } }], ['PUT', `${svc}/${id}`, nested],
    ['GET', `${svc}/..%2F..%2Fadmin`], ['DELETE', `${svc}/..%2F${id}`], ['GET', `${svc}/${id}%00`], ['PUT', `${svc}/target~${'A'.repeat(5000)}`, {}],
    ['GET', `/genesys/1/service/${id}..%2F/check-queue-position`], ['POST', `${svc}/${id}x/confirm`, {}],
  ];
}

async function send([method, path, body, kind]) {
  const headers = kind === 'form' ? { 'content-type': 'application/x-www-form-urlencoded' } : kind?.headers ?? {};
  let payload;
  if (body instanceof Buffer) payload = body, headers['content-type'] = 'application/json';
  else if (typeof body === 'string') payload = body, headers['content-type'] ??= 'application/json';
  else if (body !== undefined) payload = JSON.stringify(body), headers['content-type'] = 'application/json';
  const res = await fetch(`${rt.base}${path}`, { method, headers, body: payload });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, text, type: res.headers.get('content-type') ?? '' };
}

test('hostile inputs on every public route: a 4xx JSON error each, and the service\'s state intact afterwards', async () => {
  const id = (await api.post(svc, { _customer_number: number(901), colour: 'blue' })).body._id;
  const before = (await api.get(`${svc}/${id}`)).body;
  const queued = (await api.get('/genesys/1/admin/callback/watermarks?service_name=target', { auth: admin })).body;
  for (let i = 0; i < 3; i++) assert.equal((await api.get('/genesys/1/service/callback/counting/offer')).status, 200);
  assert.equal((await api.get('/genesys/1/service/callback/counting/offer')).status, 429, 'the limiter counts');
  const bad = [];
  for (const attack of attacks(id)) {
    const r = await send(attack);
    const ok = r.status >= 400 && r.status < 500 && r.type.startsWith('application/json') && typeof r.json?.exception === 'string' && typeof r.json?.message === 'string';
    if (!ok) bad.push(`${attack[0]} ${attack[1].slice(0, 120)} → ${r.status} ${r.text.slice(0, 160)}`);
  }
  assert.deepEqual(bad, [], 'each answered with a 4xx JSON error');
  assert.deepEqual((await api.get(`${svc}/${id}`)).body, before, 'the stored callback is intact');
  assert.deepEqual((await api.get('/genesys/1/admin/callback/watermarks?service_name=target', { auth: admin })).body, queued, 'its counts too');
  assert.equal((await api.get('/genesys/1/service/callback/counting/offer')).status, 429, 'the limiter is still counting: no panic reset the Worker');
  assert.equal((await api.post(svc, { _customer_number: number(902) })).status, 200, 'and the service still serves');
});

test('builtin answers are bounded like availability', async () => {
  const long = await api.get('/genesys/1/service/office-24x7?start=2026-01-01T00:00:00Z&end=2226-01-01T00:00:00Z');
  assert.equal(long.status, 400);
  assert.match(long.body.message, /366 days/);
  const year = await api.get('/genesys/1/service/office-24x7?start=2027-01-01T00:00:00Z&end=2028-01-01T00:00:00Z');
  assert.equal(year.status, 200);
  assert.ok(year.text.length < 200_000, `${year.text.length} bytes`);
  // Guarded as callback services are: browsers of other sites are refused, the public is rate-limited.
  const foreign = await api.get('/genesys/1/service/office-24x7', { headers: { origin: 'https://elsewhere.example' } });
  assert.equal(foreign.status, 403);
  let limited = 0;
  for (let i = 0; i < 130 && !limited; i++) {
    if ((await api.get('/genesys/1/service/capacity-h?start=2027-01-04T00:00:00&end=2027-01-05T00:00:00')).status === 429) limited = i + 1;
  }
  assert.ok(limited > 0 && limited <= 121, `limited after ${limited}`);
  assert.equal((await api.get('/genesys/1/service/capacity-h?start=2027-01-04T00:00:00&end=2027-01-05T00:00:00', server)).status, 200, 'servers are not');
});

test('request-access and match-interaction are for IVRs and servers; guessing codes is throttled', async () => {
  const victim = number(910);
  const held = await api.post('/genesys/1/service/access-h', { _customer_number: victim, secret_note: 'x' }, server);
  assert.equal(held.status, 200);
  for (const headers of [{}, { authorization: 'Bearer stolen' }, { 'x-api-key': 'guess' }]) {
    assert.equal((await api.post('/genesys/1/service/match-h', { _phone_number: victim }, { headers })).status, 401, JSON.stringify(headers));
    assert.equal((await api.post('/genesys/1/service/access-h', { _customer_number: number(911) }, { headers })).status, 401);
  }
  // With the key, wrong codes for one number are refused once there were too many of them.
  const statuses = [];
  for (let code = 0; code < 25; code++) {
    const guess = String(code).padStart(4, '0');
    if (guess === held.body._access_code) continue;
    statuses.push((await api.post('/genesys/1/service/match-h', { _access_number: held.body._access_number, _access_code: guess }, server)).status);
  }
  assert.ok(statuses.slice(0, 19).every((s) => s === 404), statuses.join());
  assert.equal(statuses.at(-1), 429, `guessing is throttled: ${statuses.join()}`);
  const right = await api.post('/genesys/1/service/match-h', { _access_number: held.body._access_number, _access_code: held.body._access_code }, server);
  assert.equal(right.status, 429, 'even the right code waits out the window: no oracle');
  // The hold is still there for the real caller's number match.
  assert.equal((await api.post('/genesys/1/service/match-h', { _phone_number: victim }, server)).body._id, held.body._id);
});

test('an update that moves a callback onto another number passes the checks of a create', async () => {
  const crowded = number(920);
  await api.post(svc, { _customer_number: crowded });
  await api.post(svc, { _customer_number: crowded });
  const other = (await api.post(svc, { _customer_number: number(921) })).body._id;
  const moved = await api.put(`${svc}/${other}`, { _customer_number: crowded });
  assert.equal(moved.status, 503, 'the in-queue check: two open callbacks already');
  assert.equal((await api.get(`${svc}/${other}`)).body._customer_number, number(921), 'unchanged');
  // The daily limit (3 here) counts moves as it counts creates.
  const fresh = number(922);
  const ids = [];
  for (let i = 0; i < 3; i++) ids.push((await api.post(svc, { _customer_number: number(930 + i) })).body._id);
  await api.del(`${svc}/${ids[0]}`);
  assert.equal((await api.put(`${svc}/${ids[0]}`, { _customer_number: fresh })).status, 409, 'a completed callback is not updated');
  assert.equal((await api.put(`${svc}/${ids[1]}`, { _customer_number: fresh })).status, 200);
  await api.del(`${svc}/${ids[1]}`);
  assert.equal((await api.put(`${svc}/${ids[2]}`, { _customer_number: fresh })).status, 200);
  await api.del(`${svc}/${ids[2]}`);
  assert.equal((await api.post(svc, { _customer_number: fresh })).status, 200, 'third of the day');
  const fourth = await api.post(svc, { _customer_number: fresh });
  assert.equal(fourth.status, 503, 'the fourth of the day is refused: the moves counted');
});

test('the cancelled report neutralises cells a spreadsheet would run', async () => {
  const id = (await api.post(svc, { _customer_number: number(940), first_name: '=HYPERLINK("http://x","y")', last_name: '@SUM(1+1)' })).body._id;
  await api.post('/genesys/1/admin/callback/cancel', { ids: [id] }, { auth: admin });
  const report = await api.post('/genesys/1/admin/callback/reportcancelled', { exported_properties: ['_customer_number', 'first_name', 'last_name'] }, { auth: admin });
  const line = report.text.split('\r\n').find((l) => l.startsWith(id));
  assert.equal(line, `${id},target,CANCELLED_BY_ADMIN,${number(940)},"'=HYPERLINK(""http://x"",""y"")","'@SUM(1+1)"`);
});

test('webhook targets: https only (plain http only to this machine)', async () => {
  for (const [option, value] of [['_dialer_url', 'http://dialer.example.com/dial'], ['_status_notification_target', 'http://hooks.example.com/x'], ['_dialer_url', 'https://user:pw@dialer.example.com/']]) {
    const extra = option === '_dialer_url' ? {} : { _enable_status_notification: 'subscribe_notify' };
    const r = await api.call('PUT', '/genesys/1/admin/config/service.webhooks', { body: { _type: 'ors', _service: 'callback', [option]: value, ...extra }, auth: admin });
    assert.equal(r.status, 400, `${option}=${value}`);
    assert.match(r.body.message, new RegExp(option));
  }
  assert.equal((await api.call('PUT', '/genesys/1/admin/config/service.webhooks', { body: { _type: 'ors', _service: 'callback', _dialer_url: 'https://dialer.example.com/dial' }, auth: admin })).status, 200);
});

test('names nobody configured, and tokens of agents nobody made, store nothing', async () => {
  const before = objectsWithTables(rt.stateDir);
  for (let i = 0; i < 15; i++) {
    assert.equal((await api.post(`/genesys/1/service/callback/nobody-${i}`, { _customer_number: number(950) })).status, 404);
    assert.equal((await api.get(`/genesys/2/service/callback/nobody-${i}/availability`)).status, 404);
    assert.equal((await api.get(`/genesys/1/service/nobody-${i}`)).status, 404);
    assert.equal((await api.get('/genesys/1/agent/offer', { headers: { authorization: `Bearer ghost-${i}.secret` } })).status, 401);
  }
  assert.equal(objectsWithTables(rt.stateDir), before, 'no object got tables');
});

test('a service name given in a query reaches its object whole, whatever it holds: 404, not configured', async () => {
  for (const name of ['\u0000', 'a\u0007b', ' padded ', '%00', 'line\nbreak', '☃']) {
    const r = await api.get(`/genesys/1/admin/callback/queues?target=${encodeURIComponent(name)}`, { auth: admin });
    assert.equal(r.status, 404, JSON.stringify(name));
    assert.equal(r.body.message, `Service ${name} is not configured.`);
  }
});

test('property searches read the callbacks a page at a time and still find them all, in order', async () => {
  await alwaysOpenService(api, 'many', { _enable_in_queue_checking: 'false', _throttle_request_parameters_limit: '100000', _max_queued_callbacks_per_service: '100000', _throttle_callbacks_per_service_1: '100000', _throttle_callbacks_per_service_2: '100000' });
  const path = '/genesys/1/service/callback/many';
  const created = [];
  for (let batch = 0; batch < 13; batch++) {
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => api.post(path, { _customer_number: number(2000 + batch * 40 + i), colour: (batch * 40 + i) % 100 === 7 ? 'pink' : 'grey' })));
    assert.ok(answers.every((r) => r.status === 200), answers.find((r) => r.status !== 200)?.text);
    created.push(...answers.map((r) => r.body._id));
  }
  const pink = await api.get(`${path}?colour=pink`, server);
  assert.equal(pink.status, 200);
  assert.deepEqual(pink.body.map((r) => r._id), [7, 107, 207, 307, 407, 507].map((i) => created[i]), 'across pages of 500, by desired time');
  assert.equal((await api.get(`${path}?colour=grey`, server)).body.length, 514);
});

test('guessing credentials is throttled per client: 30 failures a minute, then 429 even for the right ones', async () => {
  // One client of its own (the platform names clients by cf-connecting-ip).
  const from = { 'cf-connecting-ip': '203.0.113.77' };
  const statuses = [];
  for (let i = 0; i < 32; i++) {
    const auth = i % 2 ? `Basic ${Buffer.from(`admin:guess${i}`).toString('base64')}` : `Bearer stella.guess${i}`;
    const path = i % 2 ? '/genesys/1/admin/config' : '/genesys/1/agent/offer';
    statuses.push((await api.get(path, { auth, headers: from })).status);
  }
  assert.ok(statuses.slice(0, 30).every((s) => s === 401), statuses.join());
  assert.deepEqual(statuses.slice(30), [429, 429], statuses.join());
  assert.equal((await api.get('/genesys/1/admin/config', { auth: admin, headers: from })).status, 429, 'the right password waits too: no oracle');
  assert.equal((await api.get('/genesys/1/service/callback/target/offer', { headers: from })).status, 200, 'public routes are not affected');
  assert.equal((await api.get('/genesys/1/admin/config', { auth: admin })).status, 200, 'nor other clients');
});

test('the tests\' clock route refuses what it cannot do with a 4xx JSON error', async () => {
  await alwaysOpenService(api, 'clocked');
  const move = (name, body, auth = admin) => api.call('POST', `/genesys/1/dev/clock/${name}`, { body, auth });
  for (const [r, status] of [
    [await move('clocked', { advance_ms: -1 }), 400],
    [await move('clocked', { advance_ms: 'soon' }), 400],
    [await move('clocked', '{"advance_ms": '), 400],
    [await move('clocked', { advance_ms: 1000 }, null), 401],
    [await move('nobody', { advance_ms: 1000 }), 404],
  ]) {
    assert.equal(r.status, status, r.text);
    assert.equal(r.body.code, status);
  }
  const moved = await move('clocked', { advance_ms: 60_000 });
  assert.equal(moved.status, 200);
  assert.ok(Date.parse(moved.body.now) - Date.now() > 55_000, 'the service\'s clock is ahead');
});

test('a body without a length is refused once past 64 KiB, without waiting for its end', async () => {
  const url = new URL('/genesys/1/service/callback/target', rt.base);
  const status = await new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
    const timer = setTimeout(() => { req.destroy(); resolve('no answer while the body went on'); }, 8000);
    req.on('response', (res) => { clearTimeout(timer); res.resume(); resolve(res.statusCode); req.destroy(); });
    req.on('error', (e) => { clearTimeout(timer); reject(e); });
    req.write(`{"_customer_number": "${number(995)}", "note": "`);
    // 80 KiB, then the body stays open: only a server that reads as it arrives can answer now.
    for (let i = 0; i < 80; i++) req.write('x'.repeat(1024));
  });
  assert.equal(status, 413);
});
