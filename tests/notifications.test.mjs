// Status notifications (_cbe_on_*): signed, from a durable outbox, retried with backoff, in order per
// callback, at least once; nothing lost while the receiver is down or the runtime restarts. Tests
// share one runtime (each its own service) and move the service's clock past backoffs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sleep, until } from './support/wait.mjs';
import { startRuntime, newStateDir } from './support/runtime.mjs';
import { startReceiver } from './support/receiver.mjs';
import { client, alwaysOpenService, number, bucketIn } from './support/api.mjs';

const SECRET = 'notify-secret';

let shared;
before(async () => { shared = await startRuntime(); });
after(async () => shared?.stop());

async function notifyingService(api, receiver, extra = {}, name = 'notify') {
  await alwaysOpenService(api, name, {
    _enable_status_notification: 'subscribe_notify', _status_notification_type: 'httpcb',
    _status_notification_target: receiver.url, _webhook_secret: SECRET, _enable_in_queue_checking: 'false', ...extra,
  });
}

const eventsOf = (receiver, id) => receiver.received.filter((r) => r.body.callback._id === id);

test('signed notifications arrive in order for each change', async () => {
  const receiver = await startReceiver({ secret: SECRET });
  try {
    const api = client(shared.base);
    await notifyingService(api, receiver);
    const id = (await api.post('/genesys/1/service/callback/notify', { _customer_number: number(1), first_name: 'Ana' })).body._id;
    const later = (await api.post('/genesys/1/service/callback/notify', { _customer_number: number(2), _desired_time: bucketIn(120) })).body._id;
    await api.put(`/genesys/1/service/callback/notify/${later}`, { _new_desired_time: bucketIn(180) });
    await api.del(`/genesys/1/service/callback/notify/${id}`);
    assert.ok(await until(() => eventsOf(receiver, id).length === 5 && eventsOf(receiver, later).length === 2, 10), JSON.stringify(receiver.received.map((r) => r.body.event)));
    const mine = eventsOf(receiver, id);
    assert.deepEqual(mine.map((r) => r.body.event), ['_cbe_on_callback_queued', '_cbe_on_callback_submitted', '_cbe_on_callback_cancelled', '_cbe_on_service_exit', '_cbe_on_callback_status_updated']);
    assert.deepEqual(mine.map((r) => r.body.seq), [1, 2, 3, 4, 5]);
    assert.ok(mine.every((r) => r.valid), 'every notification carries a valid signature');
    assert.equal(mine[0].body.callback.first_name, 'Ana');
    assert.equal(mine[2].body.callback._callback_reason, 'CANCELLED');
    assert.match(mine[0].body.callback._url, /^http:\/\/127\.0\.0\.1:\d+\/genesys\/1\/service\/notify~/);
    assert.deepEqual(eventsOf(receiver, later).map((r) => r.body.event), ['_cbe_on_callback_scheduled', '_cbe_on_callback_rescheduled']);
  } finally {
    await receiver.stop();
  }
});

test('a silent receiver (takes the request, never answers) is given up on after 10 s, and served again', async () => {
  const receiver = await startReceiver({ secret: SECRET });
  try {
    const api = client(shared.base);
    await notifyingService(api, receiver, { _callback_events_list: '_cbe_on_callback_queued,_cbe_on_callback_cancelled' }, 'notify-silent');
    await receiver.set('silent');
    const id = (await api.post('/genesys/1/service/callback/notify-silent', { _customer_number: number(9) })).body._id;
    await api.del(`/genesys/1/service/callback/notify-silent/${id}`);
    // The first try is given up on after 10 s, and tried again after its backoff (real time: the
    // receiver's silence is).
    assert.ok(await until(() => receiver.taken.silently >= 2, 20), 'given up on after 10 s, then tried again');
    assert.equal(eventsOf(receiver, id).length, 0);
    await receiver.set('ok');
    await api.advance('notify-silent', 5000);
    assert.ok(await until(() => eventsOf(receiver, id).length === 2, 5));
    assert.deepEqual(eventsOf(receiver, id).map((r) => r.body.event), ['_cbe_on_callback_queued', '_cbe_on_callback_cancelled']);
  } finally {
    await receiver.stop();
  }
});

test('a failing receiver gets every notification, in order, once it recovers', async () => {
  const receiver = await startReceiver({ secret: SECRET });
  try {
    const api = client(shared.base);
    await notifyingService(api, receiver, { _callback_events_list: '_cbe_on_callback_queued,_cbe_on_callback_cancelled' }, 'notify-fail');
    await receiver.set('fail');
    const id = (await api.post('/genesys/1/service/callback/notify-fail', { _customer_number: number(3) })).body._id;
    await api.del(`/genesys/1/service/callback/notify-fail/${id}`);
    // Failed tries, each after its backoff (2 s, 4 s, 8 s …), and nothing received meanwhile.
    for (const ms of [0, 2000, 4000, 8000]) assert.equal((await api.advance('notify-fail', ms)).undelivered, 2);
    assert.equal(eventsOf(receiver, id).length, 0);
    await receiver.set('ok');
    const due = await api.advance('notify-fail', 16_000);
    assert.ok(await until(() => eventsOf(receiver, id).length === 2, 5), JSON.stringify(due));
    assert.deepEqual(eventsOf(receiver, id).map((r) => r.body.event), ['_cbe_on_callback_queued', '_cbe_on_callback_cancelled'], 'only the listed events, in order');
    assert.equal((await api.advance('notify-fail')).undelivered, 0, 'the outbox is drained');
  } finally {
    await receiver.stop();
  }
});

test('notifications survive a restart of the runtime while the receiver is down', async () => {
  const receiver = await startReceiver({ secret: SECRET });
  const stateDir = newStateDir();
  let rt = await startRuntime({ stateDir });
  let id;
  try {
    const api = client(rt.base);
    await notifyingService(api, receiver);
    await receiver.set('down');
    id = (await api.post('/genesys/1/service/callback/notify', { _customer_number: number(4) })).body._id;
    await sleep(1500);
  } finally {
    await rt.stop();
  }
  await receiver.set('ok');
  rt = await startRuntime({ stateDir });
  try {
    // Any request wakes nothing up: the object's alarm, kept in its storage, does.
    assert.ok(await until(() => eventsOf(receiver, id).length === 2, 20), 'delivered after the restart');
    assert.deepEqual(eventsOf(receiver, id).map((r) => r.body.seq), [1, 2]);
  } finally {
    await rt.stop();
    await receiver.stop();
  }
});

test('a receiver that redirects is not followed: the notification waits for it to take it', async () => {
  const receiver = await startReceiver({ secret: SECRET });
  const elsewhere = await startReceiver({ secret: SECRET });
  try {
    const api = client(shared.base);
    await notifyingService(api, receiver, {}, 'notify-moved');
    await receiver.set(`redirect ${elsewhere.url}`);
    const id = (await api.post('/genesys/1/service/callback/notify-moved', { _customer_number: number(30) })).body._id;
    assert.ok(await until(() => receiver.taken.redirected >= 1, 5), 'tried');
    await api.advance('notify-moved', 2000);
    assert.ok(await until(() => receiver.taken.redirected >= 2, 5), 'tried again after its backoff');
    assert.equal(elsewhere.received.length, 0, 'the redirect was not followed');
    await receiver.set('ok');
    await api.advance('notify-moved', 4000);
    assert.ok(await until(() => eventsOf(receiver, id).length >= 2, 5), 'delivered where it was configured');
    assert.equal(elsewhere.received.length, 0);
  } finally {
    await receiver.stop();
    await elsewhere.stop();
  }
});
