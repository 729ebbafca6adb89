// Requests shaped like other people's GMS clients, not ours: API-gateway headers, their own
// Authorization, "now" as a desired time, cancels carrying admin credentials, browsers on other
// origins reading errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRuntime } from './support/runtime.mjs';
import { client, admin, alwaysOpenService, number, bucketIn, EXC } from './support/api.mjs';
import { basicAuth } from '../scripts/demo.mjs';

let rt, api;
before(async () => {
  rt = await startRuntime();
  api = client(rt.base);
  await alwaysOpenService(api, 'telco', { _enable_in_queue_checking: 'false', _allowed_origins: 'https://shop.example' });
});
after(async () => { await rt?.stop(); });

const path = '/genesys/1/service/callback/telco';
const state = async (id) => (await api.get(`${path}/${id}`)).body;

/** The headers of Genesys's mobile library behind its API gateway, and of a telco's own client. */
const foreign = [
  { 'x-api-key': 'gateway-key-1234', apikey: 'gateway-key-1234', gms_user: 'mobile-user' },
  { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl' },
  { authorization: 'Token 7f3a9c' },
  { authorization: basicAuth('telco', 'their-own-password') },
  { authorization: 'Basic !!!not-base64' },
  { authorization: basicAuth('admin', 'wrong'), 'x-api-key': 'wrong' },
];

test('credentials that are not ours are ignored on public routes: served as anonymous, never 401', async () => {
  for (const [i, headers] of foreign.entries()) {
    const label = JSON.stringify(headers);
    const created = await api.post(path, { _customer_number: number(100 + i) }, { headers });
    assert.equal(created.status, 200, `create ${label}: ${created.text}`);
    const id = created.body._id;
    for (const route of [`${path}/${id}`, `${path}/offer`, `/genesys/2/service/callback/telco/availability?number-of-days=1`, `/genesys/1/service/callback?_id=${id}`]) {
      assert.equal((await api.get(route, { headers })).status, 200, `GET ${route} ${label}`);
    }
    assert.equal((await api.put(`${path}/${id}`, { note: 'edited' }, { headers })).status, 200, `update ${label}`);
    assert.equal((await api.del(`${path}/${id}`, { headers })).status, 200, `cancel ${label}`);
  }
});

test('valid credentials still grant what they grant; protected routes still refuse, saying nothing of what was wrong', async () => {
  const id = (await api.post(path, { _customer_number: number(120), colour: 'teal' })).body._id;
  const query = `${path}?colour=teal`;
  assert.equal((await api.get(query, { headers: { 'x-api-key': 'dev-server-key' } })).body[0]._id, id, 'the server key');
  assert.equal((await api.get(query, { headers: { apikey: 'dev-server-key' } })).body[0]._id, id, 'the server key under the gateway\'s name');
  assert.equal((await api.get(query, { headers: { authorization: 'Bearer x', 'x-api-key': 'dev-server-key' } })).status, 200, 'a foreign Authorization beside our key');
  assert.equal((await api.get(query, { auth: admin })).status, 200, 'admin');
  const refusals = [];
  for (const headers of [{}, ...foreign]) {
    const property = await api.get(query, { headers });
    const adminPath = await api.get('/genesys/1/admin/config', { headers });
    assert.equal(property.status, 401, `property query ${JSON.stringify(headers)}`);
    assert.equal(adminPath.status, 401, `admin path ${JSON.stringify(headers)}`);
    refusals.push(property.body.message, adminPath.body.message);
  }
  assert.equal(new Set(refusals).size, 1, `one message whatever was wrong: ${[...new Set(refusals)]}`);
  assert.equal((await api.get('/genesys/1/admin/config', { headers: { 'x-api-key': 'dev-server-key' } })).status, 403, 'a server key is not admin');
});

test('"now" as the desired time, as a telco\'s client sends it, is an immediate request', async () => {
  // yyyy-MM-dd'T'HH:mm:ss.SSS'Z', the sender's clock, arriving a little late.
  const now = () => new Date().toISOString();
  const json = await api.post(path, { _customer_number: number(130), _desired_time: now() });
  assert.equal(json.status, 200, json.text);
  assert.equal(json.body._action, 'ConfirmationDialog', 'answered like an immediate create');
  assert.equal((await state(json.body._id))._callback_state, 'QUEUED');
  const form = await api.call('POST', path, { form: { _customer_number: number(131), _desired_time: new Date(Date.now() - 2000).toISOString() } });
  assert.equal(form.status, 200, form.text);
  assert.equal((await state(form.body._id))._callback_state, 'QUEUED');
  const stale = await api.post(path, { _customer_number: number(132), _desired_time: new Date(Date.now() - 10 * 60_000).toISOString() });
  assert.equal(stale.status, 400, 'beyond the default 300 s');
  assert.equal(stale.body.exception, `${EXC}CallbackExceptionAvailability`);
  assert.equal(stale.body.message, 'Desired time is in the past');
  // A reschedule to now queues the callback.
  const later = (await api.post(path, { _customer_number: number(133), _desired_time: bucketIn(180) })).body._id;
  assert.equal((await state(later))._callback_state, 'SCHEDULED');
  const moved = await api.put(`${path}/${later}`, { _new_desired_time: now() });
  assert.equal(moved.status, 200, moved.text);
  assert.equal((await state(later))._callback_state, 'QUEUED');
  // The tolerance is the service's option.
  await alwaysOpenService(api, 'strict-now', { _reject_past_desired_time: '0' });
  const strict = await api.post('/genesys/1/service/callback/strict-now', { _customer_number: number(134), _desired_time: new Date(Date.now() - 1000).toISOString() });
  assert.equal(strict.status, 400);
  const bad = await api.section('service.bad-tolerance', { _type: 'ors', _service: 'callback', _reject_past_desired_time: 'soon' }).catch((e) => e.message);
  assert.match(bad, /400.*_reject_past_desired_time/);
});

test('the service API\'s cancel records CANCELLED whoever calls it; the admin cancel CANCELLED_BY_ADMIN', async () => {
  const a = (await api.post(path, { _customer_number: number(140) })).body._id;
  const b = (await api.post(path, { _customer_number: number(141) })).body._id;
  const c = (await api.post(path, { _customer_number: number(142) })).body._id;
  assert.equal((await api.del(`${path}/${a}`, { auth: admin })).body._callback_reason, 'CANCELLED');
  assert.equal((await api.del(`${path}/${b}`, { headers: { 'x-api-key': 'dev-server-key' } })).body._callback_reason, 'CANCELLED');
  const bulk = await api.post('/genesys/1/admin/callback/cancel', { ids: [c] }, { auth: admin });
  assert.deepEqual(bulk.body.cancelled, [c]);
  assert.deepEqual([(await state(a))._callback_reason, (await state(b))._callback_reason, (await state(c))._callback_reason], ['CANCELLED', 'CANCELLED', 'CANCELLED_BY_ADMIN']);
  const events = (await api.get(`${path}/${a}/events`)).body.events;
  assert.equal(events.at(-1).actor, 'admin', 'the history still says who cancelled');
});

test('browsers on other origins: errors are readable by allowed sites, refusals name the origin to add, preflights take other clients\' headers', async () => {
  const shop = { origin: 'https://shop.example' };
  const invalid = await api.post(path, { _customer_number: '12' }, { headers: shop });
  assert.equal(invalid.status, 400);
  assert.equal(invalid.headers.get('access-control-allow-origin'), 'https://shop.example', 'an error an allowed site can read');
  const created = await api.post(path, { _customer_number: number(150) }, { headers: shop });
  assert.equal(created.headers.get('access-control-allow-origin'), 'https://shop.example');
  const stranger = await api.post(path, { _customer_number: number(151) }, { headers: { origin: 'https://stranger.example' } });
  assert.equal(stranger.status, 403);
  assert.equal(stranger.headers.get('access-control-allow-origin'), 'https://stranger.example');
  assert.match(stranger.body.message, /https:\/\/stranger\.example.*_allowed_origins/);
  assert.equal((await api.get(`/genesys/1/service/callback?_id=${created.body._id}`)).body.length, 1);
  assert.equal((await api.get(`${path}?_customer_number=${encodeURIComponent(number(151))}`, { auth: admin })).body.length, 0, 'nothing was created for the stranger');
  const preflight = await api.call('OPTIONS', path, { headers: { ...shop, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization,x-api-key,apikey,gms_user' } });
  assert.equal(preflight.status, 204);
  const allowed = preflight.headers.get('access-control-allow-headers').toLowerCase();
  for (const h of ['content-type', 'authorization', 'x-api-key', 'apikey', 'gms_user']) assert.ok(allowed.includes(h), h);
  const refused = await api.call('OPTIONS', path, { headers: { origin: 'https://stranger.example', 'access-control-request-method': 'POST' } });
  assert.equal(refused.status, 403);
});

test('every admin POST and PUT takes a form body as well as JSON', async () => {
  const form = (method, p, fields) => api.call(method, p, { form: fields, auth: admin });
  const a = (await api.post(path, { _customer_number: number(71) })).body._id;
  const b = (await api.post(path, { _customer_number: number(72) })).body._id;
  const cancelled = await api.call('POST', '/genesys/1/admin/callback/cancel', { form: new URLSearchParams([['ids', a], ['ids', b], ['reason', 'CANCELLED_BY_ADMIN']]), auth: admin });
  assert.equal(cancelled.status, 200, cancelled.text);
  assert.deepEqual(cancelled.body.cancelled.sort(), [a, b].sort());
  const one = (await api.post(path, { _customer_number: number(73) })).body._id;
  assert.deepEqual((await form('POST', '/genesys/1/admin/callback/cancel', { ids: one })).body.cancelled, [one], 'one id alone');
  const report = await form('POST', '/genesys/1/admin/callback/reportcancelled', { callback_reason: 'CANCELLED_BY_ADMIN', exported_properties: '_customer_number,_id' });
  assert.equal(report.status, 200, report.text);
  assert.match(report.text, new RegExp(number(71).replace('+', '\\+')));
  const erased = await form('POST', '/genesys/1/admin/callback/erase', { _customer_number: number(73) });
  assert.equal(erased.status, 200, erased.text);
  const agent = await form('PUT', '/genesys/1/admin/agents/formy', { name: 'Formy', services: 'telco', rotate_token: 'true' });
  assert.equal(agent.status, 200, agent.text);
  assert.deepEqual([agent.body.services, !!agent.body.token], [['telco'], true]);
  const kept = await form('PUT', '/genesys/1/admin/agents/formy', { name: 'Formy', services: 'telco', rotate_token: 'false' });
  assert.equal(kept.body.token, undefined);
  const bad = await form('PUT', '/genesys/1/admin/agents/formy', { name: 'Formy', rotate_token: 'maybe' });
  assert.equal(bad.status, 400);
  assert.match(bad.body.message, /expected true or false, not `maybe`/);
  const section = await form('PUT', '/genesys/1/admin/config/service.formed', { _type: 'builtin', _service: 'office-hours', _bh_regular1: 'Mon-Fri 09:00-17:00' });
  assert.equal(section.status, 200, section.text);
  const plan = await form('POST', '/genesys/1/admin/configuration/plan', { sections: 'x' });
  assert.equal(plan.status, 400, 'a whole configuration is nested: JSON only, said with a 400');
  assert.equal((await api.call('POST', '/genesys/1/admin/callback/erase', { body: 'x', headers: { 'content-type': 'text/plain' }, auth: admin })).status, 415);
});

test('a browser on another site cannot use administration or agents\' routes, even with valid credentials', async () => {
  const before = (await api.get('/genesys/1/admin/config/service.telco', { auth: admin })).body;
  const id = (await api.post(path, { _customer_number: number(74) })).body._id;
  const agentPut = await api.put('/genesys/1/admin/agents/site', { name: 'Site', services: ['telco'] }, { auth: admin });
  const bearer = `Bearer ${agentPut.body.token}`;
  for (const headers of [{ origin: 'https://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }]) {
    const tries = [
      await api.call('PUT', '/genesys/1/admin/config/service.telco', { form: { _type: 'ors', _service: 'callback', _allowed_origins: '*' }, auth: admin, headers }),
      await api.call('POST', '/genesys/1/admin/callback/cancel', { form: { ids: id }, auth: admin, headers }),
      await api.call('POST', '/genesys/1/admin/callback/erase', { form: { _customer_number: number(74) }, auth: admin, headers }),
      await api.call('DELETE', '/genesys/1/admin/agents/site', { auth: admin, headers }),
      await api.call('POST', '/genesys/1/agent/ready', { auth: bearer, headers }),
    ];
    for (const r of tries) {
      assert.equal(r.status, 403, JSON.stringify(headers));
      assert.match(r.body.message, /may not use administration or agents' routes/);
    }
  }
  assert.deepEqual((await api.get('/genesys/1/admin/config/service.telco', { auth: admin })).body, before, 'nothing changed');
  assert.equal((await state(id))._callback_state, 'QUEUED');
  assert.equal((await api.get('/genesys/1/agent/offer', { auth: bearer })).body.ready, false);
  const same = await api.call('POST', '/genesys/1/agent/ready', { auth: bearer, headers: { origin: rt.base, 'sec-fetch-site': 'same-origin' } });
  assert.equal(same.status, 200, 'the console on this host works');
  assert.equal((await api.post(path, { _customer_number: number(75) }, { headers: { origin: 'https://shop.example' } })).status, 200, 'public routes serve allowed sites');
});
