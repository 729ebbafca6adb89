// IVR Classic Callback on the service's own Twilio number (SCENARIOS.md): a caller waits in the
// service's queue, is offered a callback while the wait is long, presses 1, hears their number's
// last four digits, confirms (or keys another), and keeps their place; closed, the first free
// time is booked; a caller who stays is put through to the agent; one who hangs up leaves no
// callback and counts as abandoned. Driven through the Twilio stand-in, as Twilio calls back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRuntime } from './support/runtime.mjs';
import { client, admin, alwaysOpenService, number, server } from './support/api.mjs';
import { agent } from './support/agent.mjs';
import { until } from './support/wait.mjs';
import { startTwilio, twilioSignature, dialOf, ACCOUNT, TOKEN } from './support/twilio.mjs';

const LINE = {
  preset: 'IVR Classic Callback (sample)', _telephony: 'twilio', _twilio_account_sid: ACCOUNT, _twilio_caller_id: '+15005550006',
  _twilio_inbound: 'true', _average_handle_time: '300', _offer_callback_ewt_threshold: '60', _ivr_offer_interval: '30',
  // Web callbacks wait for an agent too, so that places in the queue can be compared.
  _wait_for_agent: 'true', _enable_in_queue_checking: 'false',
};
let rt, api, twilio;

before(async () => {
  twilio = await startTwilio();
  rt = await startRuntime({ vars: { TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_BASE: twilio.api } });
  api = client(rt.base);
});
after(async () => { await rt?.stop(); await twilio?.stop(); });

const hook = (service) => `${rt.base}/genesys/1/telephony/twilio/${service}/incoming`;
const callIn = (service, from) => twilio.callIn(hook(service), `${hook(service)}/status`, from);
const position = async (id) => (await api.get(`/genesys/1/service/${id}/check-queue-position`)).body._position;
/** The service's callbacks for `customer` (the server's property search). */
const callbacksOf = async (service, customer) => (await api.get(`/genesys/1/service/callback/${service}?_customer_number=${encodeURIComponent(customer)}`, server)).body;

test('open with a long wait: offered, 1, the last four digits, 1: a callback in the caller\'s place, confirmed and texted', async () => {
  await alwaysOpenService(api, 'line', { ...LINE, _sms_confirmation: 'true' });
  const before = await api.create('line', 1);
  const call = await callIn('line', number(2));
  const entered = Date.now();
  assert.match(call.heard(), /estimated wait is about 5 minutes/);
  assert.match(call.heard(), /Press 1 to be called back without losing your place/);
  const after = await api.create('line', 3);
  await call.press('1');
  assert.match(call.heard(), /number ending in 0, 0, 0, 2\. Press 1 to confirm, or 2/);
  await call.press('1');
  assert.match(call.heard(), /keep your place in the queue/);
  assert.match(call.twiml, /<Hangup\/>/);
  const [callback] = await callbacksOf('line', number(2));
  assert.equal(callback._callback_state, 'QUEUED');
  assert.ok(Math.abs(Date.parse(callback._call_entered_time) - entered) < 5000, callback._call_entered_time);
  assert.equal(callback._ivr_on_the_line, undefined, 'off the line');
  assert.equal(callback._ivr_call_sid, call.sid, 'the call it came from');
  assert.deepEqual([await position(before), await position(callback._id), await position(after)], [1, 2, 3], 'behind those before, ahead of those after');
  assert.ok(await until(() => twilio.messages.some((m) => m.to === number(2)), 10), 'the confirmation is texted');
  // The same webhook again (Twilio retries) books nothing more, and says the same.
  await call.replay();
  assert.match(call.heard(), /keep your place in the queue/);
  assert.equal((await callbacksOf('line', number(2))).length, 1);
});

test('2 keys another number ending with #; a withheld caller ID is asked for one; wrong keys repeat twice, then the caller waits', async () => {
  await alwaysOpenService(api, 'line-keys', { ...LINE, _default_country: 'FR', _telephony_language: 'fr' });
  await api.create('line-keys', 10);
  const call = await callIn('line-keys', number(11));
  assert.match(call.heard(), /Tapez 1 pour être rappelé sans perdre votre place/);
  await call.press('1');
  await call.press('2');
  assert.match(call.heard(), /Saisissez votre numéro/);
  await call.press('0687654321#');
  assert.match(call.heard(), /se terminant par 4, 3, 2, 1/);
  await call.press('1');
  assert.equal((await callbacksOf('line-keys', '+33687654321')).length, 1, 'the keyed number');
  assert.equal((await callbacksOf('line-keys', number(11))).length, 0);

  const hidden = await callIn('line-keys', 'anonymous');
  await hidden.press('1');
  assert.match(hidden.heard(), /Saisissez votre numéro/, 'no number to read back');
  await hidden.press('12#');
  assert.match(hidden.heard(), /Désolé, je n'ai pas compris\. Saisissez/);

  const lost = await callIn('line-keys', number(12));
  await lost.press('7');
  assert.match(lost.heard(), /pas compris\. Tapez 1/);
  await lost.next();
  assert.match(lost.heard(), /pas compris\. Tapez 1/, 'no key counts as a wrong one');
  await lost.press('9');
  assert.ok(!lost.gathers(), 'asked three times, then back to waiting');
  assert.match(lost.twiml, /<Pause length="10"\/><Redirect/);
  assert.equal((await callbacksOf('line-keys', number(12)))[0]._callback_state, 'QUEUED', 'still waiting on the line, in the queue');
  await lost.next();
  assert.ok(!lost.gathers(), 'not offered again before _ivr_offer_interval');
  await api.advance('line-keys', 30_000);
  await lost.next();
  assert.match(lost.heard(), /L'attente est d'environ 15 minutes\. Tapez 1/, 'offered again, with the wait (three ahead)');
});

test('closed: the first free time is offered, read back and booked', async () => {
  const today = new Date().toISOString().slice(0, 10);
  await api.section('service.office-closed-today', { _type: 'builtin', _service: 'office-hours', _timezone: 'UTC', _bh_regular1: 'Mon-Sun 00:00-24:00', _holiday1: today });
  await alwaysOpenService(api, 'line-closed', { ...LINE, _business_hours_service: 'office-closed-today' });
  const call = await callIn('line-closed', number(20));
  const tomorrow = new Date(`${today}T00:00:00Z`);
  tomorrow.setUTCDate(tomorrow.getUTCDate() + 1);
  const day = tomorrow.toLocaleDateString('en-US', { weekday: 'long', month: 'long', day: 'numeric', timeZone: 'UTC' }).replace(',', '');
  assert.match(call.heard(), new RegExp(`We are closed now\\. We can call you back on ${day} at 00:00\\. Press 1`));
  await call.press('1');
  await call.press('1');
  assert.match(call.heard(), new RegExp(`We will call you back on ${day} at 00:00\\. Goodbye`));
  const [booked] = await callbacksOf('line-closed', number(20));
  assert.deepEqual([booked._callback_state, booked._desired_time], ['SCHEDULED', tomorrow.toISOString()]);
  // Nobody answers: the caller is let go after the question is asked three times.
  const silent = await callIn('line-closed', number(21));
  for (let i = 0; i < 3; i++) await silent.next();
  assert.match(silent.twiml, /<Hangup\/>/);
  assert.equal((await callbacksOf('line-closed', number(21))).length, 0);
});

test('a caller who stays is put through to the agent when their turn comes; one who hangs up leaves no callback and counts as abandoned', async () => {
  await alwaysOpenService(api, 'line-stay', LINE);
  const ivy = await agent(api, 'ivy', ['line-stay'], 'Ivy', { phone: '+33700000001' });
  const call = await callIn('line-stay', number(30));
  assert.ok(!call.gathers(), 'a short wait: no offer, on hold');
  await ivy.ready();
  const offer = await ivy.offered();
  assert.equal(offer.callback._customer_number, number(30));
  await call.next();
  assert.match(call.heard(), /connecting you to an agent/);
  const dial = dialOf(call.twiml);
  assert.equal(dial.number, '+33700000001');
  assert.equal(twilio.calls.length, 0, 'nobody is called back: the caller is on the line');
  await twilio.status(call, 'in-progress', { url: dial.status });
  await twilio.status(call, 'completed', { url: dial.status, duration: 60 });
  const [done] = await callbacksOf('line-stay', number(30));
  assert.deepEqual([done._callback_state, done._callback_reason], ['COMPLETED', 'AGENT_CONNECTED']);
  await ivy.notReady();

  const gone = await callIn('line-stay', number(31));
  assert.equal((await callbacksOf('line-stay', number(31))).length, 1, 'waiting in the queue');
  assert.equal((await gone.hangUp()).status, 200);
  assert.equal((await gone.hangUp()).status, 200, 'a repeated report changes nothing');
  assert.equal((await callbacksOf('line-stay', number(31))).length, 0, 'no callback is left');
  const day = 86_400_000;
  const stats = await api.get(`/genesys/1/admin/callback/stats?service_name=line-stay&from=${new Date(Date.now() - day).toISOString()}&to=${new Date(Date.now() + day).toISOString()}`, { auth: admin });
  const totals = stats.body.totals['line-stay'];
  assert.deepEqual([totals.abandoned, totals.requested, totals.connected], [1, 1, 1]);
});

test('webhooks are verified first; a replayed call creates nothing twice; a service that does not answer its number says so', async () => {
  await alwaysOpenService(api, 'line-safe', LINE);
  const url = hook('line-safe');
  const params = { AccountSid: ACCOUNT, CallSid: 'CA0123', From: number(40), To: '+15005550006', CallStatus: 'ringing', Direction: 'inbound' };
  assert.equal((await twilio.webhook(url, params, { signature: twilioSignature(url, params, 'not-the-token') })).status, 403);
  assert.equal((await twilio.webhook(url, { ...params, From: number(41) }, { signature: twilioSignature(url, params) })).status, 403, 'a changed parameter');
  assert.equal((await twilio.webhook(url, params)).status, 200);
  assert.equal((await twilio.webhook(url, params)).status, 200);
  assert.equal((await callbacksOf('line-safe', number(40))).length, 1, 'one caller, one place');
  assert.equal((await twilio.webhook(url, { ...params, CallSid: '' })).status, 400);
  await alwaysOpenService(api, 'line-off', { ...LINE, _twilio_inbound: 'false' });
  const off = await twilio.webhook(hook('line-off'), params);
  assert.equal(off.status, 404);
  assert.match(off.text, /_twilio_inbound/);
  // A client cannot pretend a caller is on the line.
  const faked = await api.post('/genesys/1/service/callback/line-safe', { _customer_number: number(42), _ivr_call_sid: 'CA0123', _ivr_on_the_line: 'true' });
  assert.equal(faked.status, 200);
  const [record] = await callbacksOf('line-safe', number(42));
  assert.deepEqual([record._ivr_call_sid, record._ivr_on_the_line], [undefined, undefined]);
});
