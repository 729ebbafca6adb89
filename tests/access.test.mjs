// User-originated builtin services: request-access holds access numbers (and codes) for _ttl
// seconds; match-interaction finds and releases the hold of an incoming call.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRuntime } from './support/runtime.mjs';
import { client, admin, server, alwaysOpenService, number } from './support/api.mjs';

let rt, api;
before(async () => {
  rt = await startRuntime();
  api = client(rt.base);
  await api.section('service.access', { _type: 'builtin', _service: 'request-access', _access_numbers: '+18005550100,+18005550101', _ttl: '2' });
  await api.section('service.access-codes', { _type: 'builtin', _service: 'request-access', _access_numbers: '+18005550199', _provide_code: 'true', _ttl: '30' });
  await api.section('service.matcher', { _type: 'builtin', _service: 'match-interaction', _request_access_service: 'access' });
  await api.section('service.matcher-codes', { _type: 'builtin', _service: 'match-interaction', _request_access_service: 'access-codes' });
});
after(async () => { await rt?.stop(); });

// IVRs and servers call these services with the server key.
const hold = (service, body) => api.post(`/genesys/1/service/${service}`, body, server);
const match = (service, body) => api.post(`/genesys/1/service/${service}`, body, server);

test('numbers are held for _ttl seconds; none free is 503; a match releases the hold', async () => {
  const a = await hold('access', { _customer_number: '+33 6 12 34 56 78', first_name: 'Ana' });
  assert.equal(a.status, 200);
  assert.equal(a.body._access_number, '+18005550100');
  assert.ok(Date.parse(a.body._expiration_time) > Date.now());
  assert.equal(a.body._access_code, undefined, 'no code unless _provide_code');
  assert.equal((await hold('access', { _customer_number: '+33 6 00 00 00 02' })).body._access_number, '+18005550101');
  const none = await hold('access', { _customer_number: '+33 6 00 00 00 03' });
  assert.equal(none.status, 503);
  assert.match(none.body.message, /No access number is free in access/);
  const matched = await match('matcher', { _access_number: '+18005550100' });
  assert.equal(matched.status, 200);
  assert.deepEqual([matched.body._id, matched.body.first_name], [a.body._id, 'Ana']);
  assert.ok(matched.body._data_id);
  assert.equal((await match('matcher', { _access_number: '+18005550100' })).status, 404, 'released');
  assert.equal((await hold('access', { _customer_number: '+33 6 00 00 00 04' })).body._access_number, '+18005550100', 'free again');
  await api.advance('access', 2200);
  assert.equal((await hold('access', { _customer_number: '+33 6 00 00 00 05' })).status, 200, 'holds expire after _ttl');
});

test('with codes one number serves several calls; matches by code or by the caller\'s phone', async () => {
  const first = (await hold('access-codes', { _customer_number: '+33 6 11 11 11 11', topic: 'billing', _id: 'cb~given' })).body;
  const second = (await hold('access-codes', { _customer_number: '+33 6 22 22 22 22', topic: 'moving' })).body;
  assert.equal(first._access_number, second._access_number);
  assert.match(first._access_code, /^\d{4}$/);
  assert.notEqual(first._access_code, second._access_code);
  assert.equal(first._id, 'cb~given', 'a callback names its own id');
  const byCode = await match('matcher-codes', { _access_number: second._access_number, _access_code: second._access_code });
  assert.equal(byCode.body.topic, 'moving');
  assert.equal((await match('matcher-codes', { _access_number: first._access_number, _access_code: '99999' })).status, 404);
  const byPhone = await api.call('POST', '/genesys/1/service/matcher-codes', { form: { _phone_number: '+33611111111' }, ...server });
  assert.deepEqual([byPhone.body._id, byPhone.body.topic], ['cb~given', 'billing']);
});

test('User Originated Immediate: the create answers the number to dial; the matched call waits for an agent', async () => {
  await alwaysOpenService(api, 'uo', { _call_direction: 'USERORIGINATED', _request_access_service: 'access-codes', _enable_in_queue_checking: 'false' });
  const created = await api.post('/genesys/1/service/callback/uo', { _customer_number: '06 33 33 33 33', first_name: 'Uma' });
  assert.equal(created.status, 200, created.text);
  assert.deepEqual([created.body._action, created.body._dialog_id, created.body._label, created.body._tel_url], ['DialNumber', '0', 'Connect to agent', 'tel:+18005550199']);
  assert.match(created.body._access_code, /^\d{4}$/);
  const path = `/genesys/1/service/callback/uo/${created.body._id}`;
  assert.equal((await api.get(path)).body._callback_state, 'QUEUED');
  const match = await api.call('POST', '/genesys/1/service/matcher-codes', { form: { _phone_number: '+33633333333' }, ...server });
  assert.deepEqual([match.body._id, match.body.first_name], [created.body._id, 'Uma'], 'the IVR finds the callback by the caller\'s number');
  assert.equal((await api.get(path)).body._callback_state, 'ROUTING', 'the customer is on the line, waiting for an agent');
});

test('User Originated with no access number free: 503 and no callback', async () => {
  await alwaysOpenService(api, 'uo-small', { _call_direction: 'USERORIGINATED', _request_access_service: 'access', _enable_in_queue_checking: 'false' });
  await api.advance('access', 2200);
  await hold('access', { _customer_number: '+33 6 00 00 00 06' });
  await hold('access', { _customer_number: '+33 6 00 00 00 07' });
  const refused = await api.post('/genesys/1/service/callback/uo-small', { _customer_number: number(800) });
  assert.equal(refused.status, 503);
  assert.match(refused.body.message, /No access number is free/);
  assert.deepEqual((await api.get(`/genesys/1/service/callback/uo-small?_customer_number=${encodeURIComponent(number(800))}`, { auth: admin })).body, []);
  const scheduled = await api.post('/genesys/1/service/callback/uo-small', { _customer_number: number(801), _desired_time: new Date(Date.now() + 3 * 3600_000).toISOString() });
  assert.equal(scheduled.status, 200, 'a scheduled user-originated callback needs no number yet');
});

test('bad requests', async () => {
  assert.equal((await hold('access', { first_name: 'x' })).status, 400);
  assert.equal((await match('matcher', {})).status, 400);
  assert.equal((await match('nowhere', { _customer_number: '1' })).status, 404);
  assert.equal((await hold('access', 'not json')).status, 400);
});
