// Every scenario row of SCENARIOS.md that involves an agent, end to end through the API: agents
// act with their tokens, a test dialer answers signed dial webhooks, the customer confirms, the IVR
// matches calls. Timeouts are a few seconds, and each test moves its service's clock past them
// rather than waiting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRuntime } from './support/runtime.mjs';
import { startReceiver, signature } from './support/receiver.mjs';
import { client, admin, server, alwaysOpenService, serviceDueIn, number, bucketIn } from './support/api.mjs';
import { agent } from './support/agent.mjs';
import { until } from './support/wait.mjs';

const SECRET = 'scenario-secret';
let rt, api, dialer;

before(async () => {
  dialer = await startReceiver({ secret: SECRET });
  rt = await startRuntime();
  api = client(rt.base);
});
after(async () => { await rt?.stop(); await dialer?.stop(); });

/** A service for one scenario (numbers may repeat across tests). */
const service = (name, options) => alwaysOpenService(api, name, { _enable_in_queue_checking: 'false', ...options });
const stateOf = async (name, id) => {
  const r = await api.record(name, id);
  return [r._callback_state, r._callback_reason ?? r._phase];
};
const dialsOf = (id) => dialer.received.filter((r) => r.body.event === 'dial' && r.body.callback._id === id);
const dialerResult = async (name, id, outcome) => {
  const attempt = Number((await api.record(name, id))._dial_attempts ?? 0);
  const body = JSON.stringify({ id, attempt, outcome });
  return api.call('POST', `/genesys/1/service/callback/${name}/${id}/dial-result`, { body, headers: { 'x-callback-signature': signature(body, SECRET) } });
};
const withDialer = () => ({ _dialer_url: dialer.url, _webhook_secret: SECRET });

test('User Terminated Immediate: the agent dials (no dialer), retries after no answer, then FAIL_CALL_TO_CUSTOMER; or talks and completes', async () => {
  await service('ut-immediate', { _max_dial_attempts: '2', _dial_retry_timeout: '1' });
  const ivan = await agent(api, 'ivan', ['ut-immediate']);
  const id = await api.create('ut-immediate', 1);
  assert.deepEqual(await stateOf('ut-immediate', id), ['QUEUED', 'waiting'], 'no agent, no dialer: it simply waits');
  await ivan.ready();
  const offer = await ivan.offered('dialing');
  assert.deepEqual([offer.callback._id, offer.callback._agent_id, offer.callback._dial_attempts, offer.dialer], [id, 'ivan', '1', false]);
  const retry = await ivan.dialResult(id, 'NO_ANSWER');
  assert.deepEqual([retry.body._callback_state, retry.body._phase], ['QUEUED', 'retry_wait']);
  assert.equal((await ivan.status()).offer, null, 'the agent is free while the callback waits for its retry');
  await api.advance('ut-immediate', 1000);
  const second = await ivan.offered('dialing');
  assert.equal(second.callback._dial_attempts, '2', 'dialed again after _dial_retry_timeout');
  const failed = await ivan.dialResult(id, 'BUSY');
  assert.deepEqual([failed.body._callback_state, failed.body._callback_reason], ['COMPLETED', 'FAIL_CALL_TO_CUSTOMER']);

  const talk = await api.create('ut-immediate', 2);
  await ivan.offered('dialing');
  assert.equal((await ivan.dialResult(talk, 'ANSWERED')).body._callback_state, 'PROCESSING');
  assert.deepEqual((await ivan.end(talk)).body._callback_reason, 'AGENT_CONNECTED');
  const events = (await api.get(`/genesys/1/service/callback/ut-immediate/${talk}/events`)).body.events;
  assert.deepEqual(events.map((e) => [e.to, e.actor]), [['QUEUED', 'customer'], ['ROUTING', 'system'], ['PROCESSING', 'agent:ivan'], ['COMPLETED', 'agent:ivan']]);
  await ivan.notReady();
});

test('User Terminated Delayed with customer confirmation: waits for an agent, asks, the customer confirms, the dialer dials with the agent', async () => {
  await service('ut-delayed', { _wait_for_agent: 'true', _wait_for_user_confirm: 'true', ...withDialer() });
  const id = await api.create('ut-delayed', 3);
  await api.advance('ut-delayed');
  assert.deepEqual(await stateOf('ut-delayed', id), ['QUEUED', 'waiting']);
  assert.equal(dialsOf(id).length, 0, 'waiting for an agent: nobody is dialed');
  const dana = await agent(api, 'dana', ['ut-delayed']);
  await dana.ready();
  const offer = await dana.offered('confirming');
  assert.ok(Date.parse(offer.deadline) > Date.now(), 'the confirmation has a deadline');
  assert.equal((await api.post(`/genesys/1/service/callback/ut-delayed/${id}/confirm`, {})).body._callback_state, 'ROUTING');
  assert.ok(await until(() => dialsOf(id).length === 1, 10));
  const dial = dialsOf(id)[0].body;
  assert.deepEqual([dial.attempt, dial.first_connect_party, dial.agent], [1, 'CUSTOMER', { id: 'dana' }]);
  assert.equal((await dialerResult('ut-delayed', id, 'ANSWERED')).body._callback_state, 'PROCESSING');
  assert.equal((await dana.end(id)).body._callback_reason, 'AGENT_CONNECTED');
  assert.equal((await api.post(`/genesys/1/service/callback/ut-delayed/${id}/confirm`, {})).status, 409, 'nothing to confirm any more');
  await dana.notReady();
});

test('customer confirmation times out: CONNECT-ANYWAY dials anyway; otherwise FAIL_USER_NO_CONFIRM and the agent is free', async () => {
  await service('ut-anyway', { _wait_for_agent: 'true', _wait_for_user_confirm: 'true', _user_confirm_timeout: '1' });
  const eve = await agent(api, 'eve', ['ut-anyway']);
  const anyway = await api.create('ut-anyway', 4);
  await eve.ready();
  await eve.offered('confirming');
  await api.advance('ut-anyway', 1000);
  assert.equal((await eve.offered('dialing')).callback._id, anyway, 'dialed anyway after _user_confirm_timeout');
  await eve.dialResult(anyway, 'INVALID_NUMBER');
  await eve.notReady();

  await service('ut-noconfirm', { _wait_for_agent: 'true', _wait_for_user_confirm: 'true', _user_confirm_timeout: '1', _on_user_confirm_timeout: 'FAIL', _max_number_of_user_availability_confirmation_attempts: '2' });
  const fay = await agent(api, 'fay', ['ut-noconfirm']);
  const id = await api.create('ut-noconfirm', 5);
  await fay.ready();
  await fay.offered('confirming');
  await api.advance('ut-noconfirm', 1000);
  await fay.offered('confirming');
  await api.advance('ut-noconfirm', 1000);
  assert.ok(await until(async () => (await stateOf('ut-noconfirm', id))[1] === 'FAIL_USER_NO_CONFIRM', 5), 'asked twice, then failed');
  assert.ok(await until(async () => (await fay.status()).offer === null, 5), 'the agent is free again');
  await fay.notReady();
});

test('User Terminated Scheduled: SCHEDULED until the execution buffer, then an agent gets it', async () => {
  const desired = bucketIn(12);
  await serviceDueIn(api, 'ut-scheduled', desired, 2, { _enable_in_queue_checking: 'false' });
  const sam = await agent(api, 'sam', ['ut-scheduled']);
  await sam.ready();
  const id = await api.create('ut-scheduled', 6, { _desired_time: desired });
  assert.deepEqual(await stateOf('ut-scheduled', id), ['SCHEDULED', 'scheduled']);
  assert.equal((await sam.status()).offer, null, 'not before its time');
  await api.advance('ut-scheduled', 3000);
  assert.equal((await sam.offered('dialing')).callback._id, id);
  await sam.dialResult(id, 'ANSWERED');
  await sam.end(id);
  await sam.notReady();
});

test('User Terminated Delayed Agent Preview: preview data, reject keeps the place, silence is a rejection, AGENT_PREVIEW_CANCEL_AFTER_2REJECTS; accept connects the agent first', async () => {
  await service('ut-preview', {
    _wait_for_agent: 'true', _agent_preview: 'true', _userterminated_first_connect_party: 'AGENT',
    _agent_preview_timeout: '2', _agent_preview_allow_reject: '2', _agent_preview_data: 'first_name,_customer_number',
  });
  const first = await api.create('ut-preview', 7, { first_name: 'Pia', secret_note: 'not for the preview' });
  const later = await api.create('ut-preview', 8, { first_name: 'Leo' });
  const paul = await agent(api, 'paul', ['ut-preview']);
  const rita = await agent(api, 'rita', ['ut-preview']);
  await paul.ready();
  const offer = await paul.offered('offered');
  assert.equal(offer.callback._id, first);
  assert.deepEqual(offer.preview, { first_name: 'Pia', _customer_number: number(7) }, 'only _agent_preview_data');
  assert.ok(Date.parse(offer.deadline) - Date.now() <= 2000);
  await paul.notReady();
  const rejected = await paul.reject(first);
  assert.deepEqual([rejected.body._callback_state, rejected.body._phase], ['QUEUED', 'waiting']);
  await rita.ready();
  assert.equal((await rita.offered('offered')).callback._id, first, 'back in its place, ahead of a later one');
  assert.equal((await rita.accept(later)).status, 403, 'not offered to her');
  await api.advance('ut-preview', 2000);
  assert.ok(await until(async () => (await stateOf('ut-preview', first))[1] === 'AGENT_PREVIEW_CANCEL_AFTER_2REJECTS', 5), 'a silent preview counts as a rejection');
  const next = await rita.offered('offered');
  assert.equal(next.callback._id, later, 'then the next one');
  const accepted = await rita.accept(later);
  assert.deepEqual([accepted.body._callback_state, accepted.body._phase], ['ROUTING', 'dialing']);
  assert.equal((await rita.dialResult(later, 'ANSWERED')).body._callback_state, 'PROCESSING');
  await rita.end(later);
  await rita.notReady();
});

test('User Terminated Agent First with Implicit Reservation: reserved and dialed at once, agent first, through the dialer', async () => {
  await service('ut-agent-first', { _userterminated_first_connect_party: 'AGENT', ...withDialer() });
  const id = await api.create('ut-agent-first', 9);
  assert.deepEqual(await stateOf('ut-agent-first', id), ['QUEUED', 'waiting'], 'agent first: the dialer waits for an agent');
  const amy = await agent(api, 'amy', ['ut-agent-first']);
  await amy.ready();
  const offer = await amy.offered('dialing');
  assert.equal(offer.dialer, true);
  assert.ok(await until(() => dialsOf(id).length === 1, 10));
  assert.deepEqual([dialsOf(id)[0].body.first_connect_party, dialsOf(id)[0].body.agent], ['AGENT', { id: 'amy' }]);
  await dialerResult('ut-agent-first', id, 'ANSWERED');
  await amy.end(id);
  await amy.notReady();
});

test('Preview and Disposition: the agent records a disposition within the timeout, or the callback completes without one', async () => {
  await service('preview-dispo', { _agent_preview: 'true', _enable_disposition_dialog: 'true', _agent_disposition_timeout: '2' });
  const dora = await agent(api, 'dora', ['preview-dispo']);
  const id = await api.create('preview-dispo', 10, { first_name: 'Noa' });
  await dora.ready();
  const offer = await dora.offered('offered');
  assert.equal(offer.disposition, true);
  await dora.accept(id);
  await dora.dialResult(id, 'ANSWERED');
  const ended = await dora.end(id);
  assert.deepEqual([ended.body._callback_state, ended.body._phase], ['PROCESSING', 'disposition']);
  const waiting = await dora.offered('disposition');
  assert.ok(waiting.deadline, 'the disposition has a deadline');
  assert.equal((await dora.disposition(id, '')).status, 400, 'a code is needed');
  const done = await dora.disposition(id, 'SALE', 'two lines');
  assert.deepEqual([done.body._callback_reason, done.body._disposition, done.body._disposition_note], ['AGENT_CONNECTED', 'SALE', 'two lines']);

  const silent = await api.create('preview-dispo', 11);
  await dora.offered('offered');
  await dora.accept(silent);
  await dora.dialResult(silent, 'ANSWERED');
  await dora.end(silent);
  await api.advance('preview-dispo', 2000);
  assert.ok(await until(async () => (await stateOf('preview-dispo', silent))[1] === 'AGENT_CONNECTED', 5), 'completed after _agent_disposition_timeout');
  assert.equal((await api.record('preview-dispo', silent))._disposition, undefined);
  await dora.notReady();
});

test('User Originated Immediate: the matched call is routed to an agent; no agent is held while the customer dials', async () => {
  await api.section('service.uo-access', { _type: 'builtin', _service: 'request-access', _access_numbers: '+18005550300,+18005550301', _ttl: '60' });
  await api.section('service.uo-match', { _type: 'builtin', _service: 'match-interaction', _request_access_service: 'uo-access' });
  await service('uo-immediate', { _call_direction: 'USERORIGINATED', _request_access_service: 'uo-access' });
  const uli = await agent(api, 'uli', ['uo-immediate']);
  await uli.ready();
  const created = (await api.post('/genesys/1/service/callback/uo-immediate', { _customer_number: number(12) })).body;
  assert.equal(created._action, 'DialNumber');
  await api.advance('uo-immediate');
  assert.equal((await uli.status()).offer, null, 'the agent is not held before the call arrives');
  assert.deepEqual(await stateOf('uo-immediate', created._id), ['QUEUED', 'awaiting_call']);
  await api.post('/genesys/1/service/uo-match', { _access_number: created._tel_url.slice(4) }, server);
  // The match itself wakes the agent: no poll of the agent's offer is needed for the reservation.
  const holds = async () => (await api.get('/genesys/1/admin/agents', { auth: admin })).body.find((a) => a.id === 'uli')?.holds;
  assert.ok(await until(async () => (await holds()) === created._id, 5), 'reserved on the match');
  const offer = await uli.offered('connected');
  assert.equal(offer.callback._id, created._id);
  assert.equal((await api.record('uo-immediate', created._id))._callback_state, 'PROCESSING');
  await uli.end(created._id);
  await uli.notReady();
  // A customer on the line goes before callbacks that wait in queue, even older ones.
  const older = await api.create('uo-immediate', 15, { _wait_for_agent: 'true' });
  const caller = (await api.post('/genesys/1/service/callback/uo-immediate', { _customer_number: number(16) })).body;
  await api.post('/genesys/1/service/uo-match', { _access_number: caller._tel_url.slice(4) }, server);
  await uli.ready();
  assert.equal((await uli.offered('connected')).callback._id, caller._id);
  await uli.end(caller._id);
  assert.equal((await uli.offered()).callback._id, older);
  await uli.notReady();
});

test('User Originated Delayed: waits for an agent, the customer confirms and gets the number to call, the call reaches the agent', async () => {
  await service('uo-delayed', { _call_direction: 'USERORIGINATED', _wait_for_agent: 'true', _wait_for_user_confirm: 'true', _request_access_service: 'uo-access' });
  const created = await api.post('/genesys/1/service/callback/uo-delayed', { _customer_number: number(13) });
  assert.equal(created.body._action, 'ConfirmationDialog', 'no number yet: it is given once an agent is ready');
  const id = created.body._id;
  const ugo = await agent(api, 'ugo', ['uo-delayed']);
  await ugo.ready();
  await ugo.offered('confirming');
  const confirmed = await api.post(`/genesys/1/service/callback/uo-delayed/${id}/confirm`, {});
  assert.equal(confirmed.body._callback_state, 'ROUTING');
  assert.match(confirmed.body._access_number, /^\+1800555030[01]$/, 'the confirmation answers the number to call');
  const match = await api.post('/genesys/1/service/uo-match', { _access_number: confirmed.body._access_number }, server);
  assert.equal(match.body._id, id);
  assert.equal((await ugo.offered('connected')).callback._id, id);
  await ugo.end(id);
  await ugo.notReady();
});

test('an agent reschedules the held callback within policy; it leaves the agent and waits for its time', async () => {
  await service('agent-moves', {});
  const rex = await agent(api, 'rex', ['agent-moves']);
  const id = await api.create('agent-moves', 14);
  await rex.ready();
  await rex.offered('dialing');
  assert.equal((await rex.reschedule(id, 'tomorrow')).status, 400);
  assert.equal((await rex.reschedule(id, new Date(Date.now() - 3600_000).toISOString())).status, 400, 'not in the past');
  const later = bucketIn(24 * 60);
  const moved = await rex.reschedule(id, later);
  assert.deepEqual([moved.body._callback_state, moved.body._desired_time], ['SCHEDULED', later]);
  assert.ok(await until(async () => (await rex.status()).offer === null, 5));
  await rex.notReady();
});
