// The Twilio voice connector (`_telephony=twilio`) against a local stand-in of Twilio's API:
// calls placed from the durable outbox, the customer's answer connecting the reserved agent's
// phone (or holding until one is free), agent first, Twilio's reports as dial results (busy, no
// answer, machine, invalid number) with retries, signatures, duplicates, an outage across a restart;
// texts (booked, reminder, calling) and opt-outs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { until } from './support/wait.mjs';
import { startRuntime } from './support/runtime.mjs';
import { client, alwaysOpenService, serviceDueIn, number, admin, bucketIn } from './support/api.mjs';
import { agent } from './support/agent.mjs';
import { startTwilio, twilioSignature, dialOf, ACCOUNT, TOKEN, INVALID } from './support/twilio.mjs';

const CALLER_ID = '+15005550006';
const voiceOptions = {
  _telephony: 'twilio', _twilio_account_sid: ACCOUNT, _twilio_caller_id: CALLER_ID, _twilio_ring_timeout: '25',
  _max_dial_attempts: '2', _dial_retry_timeout: '1', _enable_in_queue_checking: 'false',
};
let rt, api, twilio;

before(async () => {
  twilio = await startTwilio();
  rt = await startRuntime({ vars: { TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_BASE: twilio.api } });
  api = client(rt.base);
  const voice = voiceOptions;
  await alwaysOpenService(api, 'voice', voice);
  await alwaysOpenService(api, 'voice-reserved', { ...voice, _wait_for_agent: 'true', _telephony_language: 'fr' });
  await alwaysOpenService(api, 'voice-agent-first', { ...voice, _userterminated_first_connect_party: 'AGENT' });
});
after(async () => { await rt?.stop(); await twilio?.stop(); });

const callsTo = (to) => twilio.calls.filter((c) => c.to === to);
async function callTo(to, n = 1) {
  assert.ok(await until(() => callsTo(to).length >= n, 15), `call ${n} to ${to} placed (placed: ${JSON.stringify(twilio.calls.map((c) => c.to))})`);
  return callsTo(to)[n - 1];
}

test('the connector is configured with an account, a caller id and no dialer', async () => {
  const put = (options) => api.put('/genesys/1/admin/config/service.voice-bad', { _type: 'ors', _service: 'callback', ...options }, { auth: admin });
  const missing = await put({ _telephony: 'twilio', _twilio_account_sid: ACCOUNT });
  assert.equal(missing.status, 400);
  assert.match(missing.text, /_twilio_caller_id/);
  const both = await put({ _telephony: 'twilio', _twilio_account_sid: ACCOUNT, _twilio_caller_id: CALLER_ID, _dialer_url: 'https://dialer.example/hook', _webhook_secret: 's' });
  assert.equal(both.status, 400);
  assert.match(both.text, /_dialer_url/);
  assert.equal((await put({ _telephony: 'asterisk' })).status, 400);
  const phone = await api.put('/genesys/1/admin/agents/no-phone', { name: 'No phone', services: ['voice'], phone: '06 12' }, { auth: admin });
  assert.equal(phone.status, 400);
  assert.match(phone.text, /phone/);
});

test('customer first: the customer answers, holds until an agent is free, then the agent\'s phone rings', async () => {
  const id = await api.create('voice', 1);
  const call = await callTo(number(1));
  assert.deepEqual([call.from, call.timeout, call.machineDetection], [CALLER_ID, 25, 'Enable']);
  assert.deepEqual(call.events, ['initiated', 'ringing', 'answered', 'completed']);
  assert.match(call.url, /\/genesys\/1\/telephony\/twilio\/voice\/.+\/answer\?attempt=1&leg=customer$/);
  await twilio.status(call, 'ringing');
  assert.equal((await api.record('voice', id))._call_progress, 'ringing', 'the console shows where the call is');
  const hold = await twilio.answer(call, 'human');
  assert.equal(hold.status, 200);
  assert.match(hold.text, /<Say language="en-US">Please hold/);
  const redirect = hold.text.match(/<Redirect method="POST">([^<]+)<\/Redirect>/)[1].replaceAll('&amp;', '&');
  const holding = await api.record('voice', id);
  assert.deepEqual([holding._phase, holding._call_progress], ['awaiting_agent', 'answered']);

  const alice = await agent(api, 'alice', ['voice'], 'Alice', { phone: '+33700000001' });
  await alice.ready();
  await alice.offered('connected');
  const connect = await twilio.redirect(call, redirect);
  assert.match(connect.text, /We are connecting you/);
  const leg = dialOf(connect.text);
  assert.equal(leg.number, '+33700000001');
  assert.match(connect.text, new RegExp(`callerId="\\${CALLER_ID}"`));
  await twilio.status(call, 'ringing', { url: leg.status });
  assert.equal((await api.record('voice', id))._call_progress, 'ringing the agent');
  assert.equal((await twilio.status(call, 'in-progress', { url: leg.status })).status, 200);
  await twilio.status(call, 'completed', { url: leg.status, duration: 95 });
  const done = await api.record('voice', id);
  assert.deepEqual([done._callback_state, done._callback_reason], ['COMPLETED', 'AGENT_CONNECTED']);
  // The customer's own leg completes too, and Twilio may send a report twice: nothing changes.
  await twilio.status(call, 'completed', { duration: 100 });
  await twilio.status(call, 'completed', { url: leg.status, duration: 95 });
  assert.equal((await api.record('voice', id))._callback_reason, 'AGENT_CONNECTED');
  await alice.notReady();
});

test('an agent reserved first: the customer hears the service\'s language and is connected at once', async () => {
  const bob = await agent(api, 'bob', ['voice-reserved'], 'Bob', { phone: '+33700000002' });
  await bob.ready();
  const id = await api.create('voice-reserved', 2);
  const call = await callTo(number(2));
  const answer = await twilio.answer(call, 'human');
  assert.match(answer.text, /<Say language="fr-FR">Bonjour/);
  assert.equal(dialOf(answer.text).number, '+33700000002');
  assert.equal((await api.record('voice-reserved', id))._phase, 'connected');
  await twilio.status(call, 'completed', { duration: 60 });
  assert.equal((await api.record('voice-reserved', id))._callback_reason, 'AGENT_CONNECTED');
  await bob.notReady();
});

test('busy, then a machine: each a dial result, retried, then FAIL_CALL_TO_CUSTOMER', async () => {
  const id = await api.create('voice', 3);
  const first = await callTo(number(3));
  await twilio.status(first, 'busy');
  assert.equal((await api.record('voice', id))._phase, 'retry_wait');
  await api.advance('voice', 1000);
  const second = await callTo(number(3), 2);
  assert.match(second.url, /attempt=2/);
  // A late report of the first attempt changes nothing.
  await twilio.status(first, 'no-answer');
  assert.equal((await api.record('voice', id))._phase, 'dialing');
  const machine = await twilio.answer(second, 'machine_end_beep');
  assert.match(machine.text, /<Hangup\/>/);
  assert.doesNotMatch(machine.text, /<Dial/);
  const done = await api.record('voice', id);
  assert.deepEqual([done._callback_state, done._callback_reason, done._dial_attempts], ['COMPLETED', 'FAIL_CALL_TO_CUSTOMER', '2']);
  assert.equal(done._call_progress, 'answering machine');
  await api.advance('voice', 60_000);
  assert.equal(callsTo(number(3)).length, 2, 'no third call');
});

test('a number Twilio will not call ends the callback without a call', async () => {
  const id = (await api.post('/genesys/1/service/callback/voice', { _customer_number: INVALID })).body._id;
  assert.ok(await until(async () => (await api.record('voice', id))._callback_state === 'COMPLETED', 15));
  assert.equal((await api.record('voice', id))._callback_reason, 'FAIL_CALL_TO_CUSTOMER');
  assert.equal(callsTo(INVALID).length, 0);
});

test('Twilio\'s requests must carry its signature: others get 403 and change nothing', async () => {
  const id = await api.create('voice', 4);
  const call = await callTo(number(4));
  const params = { AccountSid: ACCOUNT, CallSid: call.sid, CallStatus: 'busy' };
  const post = (url, headers, body = params) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(body) });
  assert.equal((await post(call.statusCallback, {})).status, 403, 'unsigned');
  assert.equal((await post(call.statusCallback, { 'x-twilio-signature': twilioSignature(call.statusCallback, params, 'another-token') })).status, 403, 'another token');
  const signedOther = twilioSignature(call.statusCallback, { ...params, CallStatus: 'in-progress' });
  assert.equal((await post(call.statusCallback, { 'x-twilio-signature': signedOther })).status, 403, 'the signature covers the parameters');
  const elsewhere = call.statusCallback.replace('attempt=1', 'attempt=2');
  assert.equal((await post(elsewhere, { 'x-twilio-signature': twilioSignature(call.statusCallback, params) })).status, 403, 'and the URL');
  assert.equal((await post(call.url, { 'x-twilio-signature': 'bm90IGEgc2lnbmF0dXJl' }, { CallStatus: 'in-progress' })).status, 403);
  assert.equal((await api.record('voice', id))._phase, 'dialing', 'nothing changed');
  assert.equal((await twilio.status(call, 'busy')).status, 200);
  assert.equal((await api.record('voice', id))._phase, 'retry_wait');
});

test('agent first: the agent\'s phone rings, then the customer\'s from the agent\'s call', async () => {
  const carol = await agent(api, 'carol', ['voice-agent-first'], 'Carol', { phone: '+33700000003' });
  await carol.ready();
  const id = await api.create('voice-agent-first', 5);
  const call = await callTo('+33700000003');
  assert.equal(call.machineDetection, null, 'agents are people');
  assert.match(call.url, /leg=agent$/);
  const answer = await twilio.answer(call);
  assert.match(answer.text, /we are calling the customer/);
  const leg = dialOf(answer.text);
  assert.equal(leg.number, number(5));
  await twilio.status(call, 'in-progress', { url: leg.status });
  assert.equal((await api.record('voice-agent-first', id))._phase, 'connected');
  await twilio.status(call, 'completed', { url: leg.status, duration: 30 });
  assert.equal((await api.record('voice-agent-first', id))._callback_reason, 'AGENT_CONNECTED');
  await carol.notReady();
});

test('every scenario that dials places its call through Twilio: confirmation first, scheduled, agent preview', async () => {
  const voice = { _telephony: 'twilio', _twilio_account_sid: ACCOUNT, _twilio_caller_id: CALLER_ID, _enable_in_queue_checking: 'false' };
  await alwaysOpenService(api, 'voice-confirm', { ...voice, _wait_for_agent: 'true', _wait_for_user_confirm: 'true' });
  await alwaysOpenService(api, 'voice-preview', { ...voice, _wait_for_agent: 'true', _agent_preview: 'true' });
  const dave = await agent(api, 'dave', ['voice-confirm', 'voice-preview'], 'Dave', { phone: '+33700000004' });
  await dave.ready();

  // Delayed, with the customer's confirmation: no call before they confirm.
  const confirm = await api.create('voice-confirm', 11);
  await dave.offered('confirming');
  await api.advance('voice-confirm');
  assert.equal(callsTo(number(11)).length, 0);
  assert.equal((await api.post(`/genesys/1/service/callback/voice-confirm/${confirm}/confirm`, {})).status, 200);
  const confirmed = await callTo(number(11));
  assert.equal(dialOf((await twilio.answer(confirmed)).text).number, '+33700000004');
  await twilio.status(confirmed, 'completed', { duration: 20 });
  assert.equal((await api.record('voice-confirm', confirm))._callback_reason, 'AGENT_CONNECTED');

  // Agent preview: the call waits for the agent's accept.
  const preview = await api.create('voice-preview', 12);
  const offer = await dave.offered('offered');
  await api.advance('voice-preview');
  assert.equal(callsTo(number(12)).length, 0);
  await dave.accept(offer.callback._id);
  const accepted = await callTo(number(12));
  await twilio.answer(accepted);
  assert.equal((await api.record('voice-preview', preview))._phase, 'connected');
  await twilio.status(accepted, 'completed', { duration: 20 });
  await dave.notReady();

  // Scheduled: the call is placed when the callback comes due, not when it is booked.
  const desired = bucketIn(30);
  await serviceDueIn(api, 'voice-scheduled', desired, 3, voice);
  const scheduled = (await api.post('/genesys/1/service/callback/voice-scheduled', { _customer_number: number(13), _desired_time: desired })).body._id;
  assert.equal((await api.record('voice-scheduled', scheduled))._callback_state, 'SCHEDULED');
  await api.advance('voice-scheduled', 1000);
  assert.equal(callsTo(number(13)).length, 0, 'not before it is due');
  await api.advance('voice-scheduled', 3000);
  await callTo(number(13));
});

test('a Twilio outage across a restart of the runtime: the call waits in the outbox, then goes once', async () => {
  twilio.set('down');
  const before = twilio.requests.length;
  const id = await api.create('voice', 14);
  assert.ok(await until(() => twilio.requests.length > before, 10), 'tried during the outage');
  await rt.stop();
  rt = await startRuntime({ stateDir: rt.stateDir, vars: { TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_BASE: twilio.api } });
  api = client(rt.base);
  twilio.set('ok');
  await callTo(number(14));
  await api.advance('voice', 4000);
  assert.equal(callsTo(number(14)).length, 1, 'placed once');
  assert.equal((await api.record('voice', id))._phase, 'dialing');
});

test('a call placed whose answer was lost is not placed again', async () => {
  // A service of its own: its clock is Twilio's (the others were moved ahead, and Twilio tells
  // when a call was created by its own clock).
  await alwaysOpenService(api, 'voice-lost', voiceOptions);
  twilio.set('lose-answers');
  const id = await api.create('voice-lost', 15);
  await callTo(number(15));
  twilio.set('ok');
  // The outbox tries again (it did not hear Twilio take the call), asks Twilio first, and finds it.
  const asked = () => twilio.requests.some((r) => r.method === 'GET' && r.url.includes(encodeURIComponent(number(15))));
  await api.advance('voice-lost', 2000);
  assert.ok(await until(asked, 5), 'Twilio was asked');
  // Past any retry's backoff, short of the ring timeout's timer (which would dial attempt 2).
  await api.advance('voice-lost', 4000);
  assert.equal(callsTo(number(15)).length, 1, 'the customer\'s phone rang once');
  const [call] = callsTo(number(15));
  await twilio.answer(call);
  assert.equal((await api.record('voice-lost', id))._phase, 'awaiting_agent');
});

/** `iso` as the customer's clock in `zone` shows it: `2026-12-08 09:30`. */
function localTime(iso, zone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

const SMS_FROM = '+15005550007';
const textsTo = (to) => twilio.messages.filter((m) => m.to === to);
async function texting(reminderSecs) {
  await alwaysOpenService(api, 'texting', {
    _telephony: 'twilio', _twilio_account_sid: ACCOUNT, _twilio_caller_id: CALLER_ID, _twilio_sms_from: SMS_FROM,
    _sms_confirmation: 'true', _sms_reminder: String(reminderSecs), _sms_calling: 'true', _enable_in_queue_checking: 'false',
  });
}

test('texts: booked with its time in the customer\'s zone and the manage link, a reminder before it, the call announced', async () => {
  const desired = bucketIn(60);
  await texting(Math.floor((Date.parse(desired) - Date.now()) / 1000) - 4);
  const created = await api.post('/genesys/1/service/callback/texting', { _customer_number: number(7), _desired_time: desired, _customer_time_zone: 'America/New_York' });
  assert.equal(created.status, 200, created.text);
  const id = created.body._id;
  assert.ok(await until(() => textsTo(number(7)).length === 1, 10), 'the confirmation');
  const [booked] = textsTo(number(7));
  assert.equal(booked.from, SMS_FROM);
  assert.equal(booked.body, `Your callback is booked for ${localTime(desired, 'America/New_York')} (America/New_York). To change or cancel it: ${rt.base}/manage.html?id=${id} Reply STOP to opt out.`);
  await api.advance('texting', 2000);
  assert.equal(textsTo(number(7)).length, 1, 'no reminder before its time');
  await api.advance('texting', 3000);
  assert.ok(await until(() => textsTo(number(7)).length === 2, 5), 'the reminder');
  assert.match(textsTo(number(7))[1].body, /^Reminder: we will call you at .+ \(America\/New_York\)/);

  const now = (await api.post('/genesys/1/service/callback/texting', { _customer_number: number(8) })).body._id;
  assert.ok(await until(() => textsTo(number(8)).length === 2, 10));
  const [confirmation, calling] = textsTo(number(8)).map((m) => m.body);
  assert.match(confirmation, new RegExp(`we will call you shortly.+manage\\.html\\?id=${now}`));
  assert.equal(calling, `We are calling you now from ${CALLER_ID}. Reply STOP to opt out.`);
  assert.equal(callsTo(number(8)).length, 1);
});

test('texts: STOP (signed, from Twilio) ends a number\'s texts, START brings them back; Twilio\'s own opt-out is kept', async () => {
  await texting(0);
  const inbox = `${rt.base}/genesys/1/telephony/twilio/texting/sms`;
  const unsigned = await fetch(inbox, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ From: number(9), Body: 'STOP' }) });
  assert.equal(unsigned.status, 403);
  const stop = await twilio.textIn(inbox, number(9), SMS_FROM, 'Stop');
  assert.equal(stop.status, 200);
  assert.match(stop.text, /<Response><\/Response>/);
  await api.post('/genesys/1/service/callback/texting', { _customer_number: number(9) });
  await callTo(number(9));
  await api.advance('texting');
  assert.equal(textsTo(number(9)).length, 0, 'no texts after STOP');
  await twilio.textIn(inbox, number(9), SMS_FROM, 'START');
  await api.post('/genesys/1/service/callback/texting', { _customer_number: number(9) });
  assert.ok(await until(() => textsTo(number(9)).length === 2, 10), 'texts again after START');

  // Opted out with Twilio (21610): recorded, so the next callback is not texted either.
  twilio.optedOut.add(number(10));
  await api.post('/genesys/1/service/callback/texting', { _customer_number: number(10) });
  await callTo(number(10));
  await api.advance('texting');
  twilio.optedOut.delete(number(10));
  await api.post('/genesys/1/service/callback/texting', { _customer_number: number(10) });
  await callTo(number(10), 2);
  await api.advance('texting');
  assert.equal(textsTo(number(10)).length, 0);
});

test('Chat Delayed texts the visitor once when an agent is ready, with the manage link; no "we will call you"', async () => {
  await alwaysOpenService(api, 'chat-texting', {
    preset: 'Chat Delayed', _telephony: 'twilio', _twilio_account_sid: ACCOUNT, _twilio_caller_id: CALLER_ID,
    _sms_confirmation: 'true', _enable_in_queue_checking: 'false',
  });
  const id = (await api.post('/genesys/1/service/callback/chat-texting', { _customer_number: number(31) })).body._id;
  const ivy = await agent(api, 'ivy', ['chat-texting'], 'Ivy');
  await ivy.ready();
  assert.ok(await until(() => textsTo(number(31)).length === 1, 10), 'the ready text');
  assert.equal(textsTo(number(31))[0].body, `An agent is ready to chat with you: ${rt.base}/manage.html?id=${id} Reply STOP to opt out.`);
  // A chat without a number is not texted.
  await api.post('/genesys/1/service/callback/chat-texting', {});
  assert.equal((await api.advance('chat-texting', 0)).undelivered, 0);
  await ivy.notReady();
});
