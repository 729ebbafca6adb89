// The dialer path of User Terminated Immediate (customer first, not waiting for an agent): a
// signed dial webhook per attempt from the durable outbox, signed dial results back, retries after
// _dial_retry_timeout, FAIL_CALL_TO_CUSTOMER after _max_dial_attempts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { until } from './support/wait.mjs';
import { startRuntime } from './support/runtime.mjs';
import { startReceiver, signature as signed } from './support/receiver.mjs';
import { client, alwaysOpenService, number } from './support/api.mjs';

const SECRET = 'dialer-secret';
let rt, api, dialer;

before(async () => {
  dialer = await startReceiver({ secret: SECRET });
  rt = await startRuntime();
  api = client(rt.base);
  await alwaysOpenService(api, 'dialing', {
    _dialer_url: dialer.url, _webhook_secret: SECRET, _max_dial_attempts: '2', _dial_retry_timeout: '1', _enable_in_queue_checking: 'false',
  });
});
after(async () => { await rt?.stop(); await dialer?.stop(); });

const signature = (body, secret = SECRET, t = undefined) => signed(body, secret, t);

/** The dialer's signed result for the callback's current attempt, as the dial webhook gave it. */
const result = async (id, outcome, headers) => {
  const attempt = Number((await record(id))._dial_attempts ?? 0);
  const body = JSON.stringify({ id, attempt, outcome });
  return api.call('POST', `/genesys/1/service/callback/dialing/${id}/dial-result`, { body, headers: headers ?? { 'x-callback-signature': signature(body) } });
};
const record = async (id) => (await api.get(`/genesys/1/service/callback/dialing/${id}`)).body;
const dialsOf = (id) => dialer.received.filter((r) => r.body.callback._id === id);

test('each attempt is a signed dial webhook; no answer twice ends FAIL_CALL_TO_CUSTOMER', async () => {
  const id = (await api.post('/genesys/1/service/callback/dialing', { _customer_number: number(1) })).body._id;
  assert.equal((await record(id))._callback_state, 'ROUTING', 'dialing at once');
  assert.ok(await until(() => dialsOf(id).length === 1, 10));
  const [first] = dialsOf(id);
  assert.equal(first.valid, true);
  assert.deepEqual([first.body.event, first.body.attempt, first.body.first_connect_party, first.body.agent], ['dial', 1, 'CUSTOMER', null]);
  assert.equal(first.body.callback._customer_number, number(1));
  const busy = await result(id, 'NO_ANSWER');
  assert.equal(busy.status, 200);
  assert.equal(busy.body._callback_state, 'QUEUED', 'waiting for the retry');
  assert.ok(await until(() => dialsOf(id).length === 2, 10), 'dialed again after _dial_retry_timeout');
  assert.equal(dialsOf(id)[1].body.attempt, 2);
  const last = await result(id, 'BUSY');
  assert.deepEqual([last.body._callback_state, last.body._callback_reason, last.body._dial_attempts], ['COMPLETED', 'FAIL_CALL_TO_CUSTOMER', '2']);
});

test('an invalid number fails at once; an answered call waits for an agent', async () => {
  const invalid = (await api.post('/genesys/1/service/callback/dialing', { _customer_number: number(2) })).body._id;
  const done = await result(invalid, 'INVALID_NUMBER');
  assert.deepEqual([done.body._callback_state, done.body._callback_reason], ['COMPLETED', 'FAIL_CALL_TO_CUSTOMER']);
  const answered = (await api.post('/genesys/1/service/callback/dialing', { _customer_number: number(3) })).body._id;
  assert.equal((await result(answered, 'ANSWERED')).body._callback_state, 'ROUTING');
  const again = await result(answered, 'ANSWERED');
  assert.equal(again.status, 409, 'no dial is under way any more');
});

test('dial results must be signed, recent, well formed, for this callback and attempt, and used once', async () => {
  const id = (await api.post('/genesys/1/service/callback/dialing', { _customer_number: number(4) })).body._id;
  const other = (await api.post('/genesys/1/service/callback/dialing', { _customer_number: number(6) })).body._id;
  const body = JSON.stringify({ id, attempt: 1, outcome: 'BUSY' });
  const post = (headers, payload = body) => api.call('POST', `/genesys/1/service/callback/dialing/${id}/dial-result`, { body: payload, headers });
  assert.equal((await post({})).status, 401);
  assert.equal((await post({ 'x-callback-signature': signature(body, 'wrong') })).status, 401);
  assert.equal((await post({ 'x-callback-signature': signature(body, SECRET, Math.floor(Date.now() / 1000) - 3600) })).status, 401, 'an old signature is a replay');
  assert.equal((await post({ 'x-callback-signature': signature(body) }, JSON.stringify({ outcome: 'ANSWERED' }))).status, 401, 'the signature covers the body');
  const hung = JSON.stringify({ id, attempt: 1, outcome: 'HUNG' });
  assert.equal((await post({ 'x-callback-signature': signature(hung) }, hung)).status, 400);
  const unbound = JSON.stringify({ outcome: 'BUSY' });
  assert.equal((await post({ 'x-callback-signature': signature(unbound) }, unbound)).status, 400, 'a result names its callback');
  const stale = JSON.stringify({ id, attempt: 7, outcome: 'BUSY' });
  assert.equal((await post({ 'x-callback-signature': signature(stale) }, stale)).status, 409, 'and its attempt');
  // A result captured for another callback cannot be replayed on this one.
  const theirs = JSON.stringify({ id: other, attempt: 1, outcome: 'ANSWERED' });
  assert.equal((await post({ 'x-callback-signature': signature(theirs) }, theirs)).status, 400);
  assert.equal((await api.call('POST', `/genesys/1/service/callback/dialing/${id}/dial-result`, { body: 'x' })).status, 401);
  const r = await result('dialing~AAAAAAAAAAAAAAAAAAAAAA', 'BUSY');
  assert.equal(r.status, 404);
  assert.equal((await record(id))._callback_state, 'ROUTING', 'nothing changed');
  // The same signed result twice: taken once.
  const signed = { 'x-callback-signature': signature(body) };
  assert.equal((await post(signed)).status, 200);
  const replay = await post(signed);
  assert.equal(replay.status, 409);
  assert.match(replay.body.message, /already received/);
});

test('a dialer that is down gets the dial when it comes back', async () => {
  await dialer.set('down');
  const id = (await api.post('/genesys/1/service/callback/dialing', { _customer_number: number(5) })).body._id;
  await api.advance('dialing');
  assert.equal(dialsOf(id).length, 0);
  await dialer.set('ok');
  await api.advance('dialing', 300_000);
  assert.ok(await until(() => dialsOf(id).length === 1, 5));
});
