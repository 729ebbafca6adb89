// Random requests on every route of the OpenAPI document, seeded so that a failure replays: odd
// methods, ids and section names, hostile query values and bodies, other content types, other
// auth schemes and origins, mixed as no hand-written case mixes them. Whatever the mix, the answer
// is never a 5xx, and every refusal is a JSON error naming its status.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRuntime } from './support/runtime.mjs';
import { client, admin, server, alwaysOpenService, number } from './support/api.mjs';
import { agent } from './support/agent.mjs';
import { basicAuth } from '../scripts/demo.mjs';

let rt, api, someone;
before(async () => {
  rt = await startRuntime();
  api = client(rt.base);
  await alwaysOpenService(api, 'rand');
  someone = await agent(api, 'someone', ['rand']);
  await api.section('service.capacity-r', { _type: 'builtin', _service: 'capacity', _timezone: 'Europe/Paris', _capacity_1: '{"1": {"0900": 2}}' });
});
after(async () => { await rt?.stop(); });

const REQUESTS = 1500;
const SEED = Number(process.env.RANDOM_SEED || 20261203);

/** A small linear congruential generator (modulo 2^32: `Math.imul` keeps the product exact, which a
 * float's 53 bits would not): the same seed, the same requests. */
function random(seed) {
  let s = seed >>> 0;
  const next = () => { s = (Math.imul(1103515245, s) + 12345) >>> 0; return s / 4294967296; };
  const pick = (xs) => xs[Math.floor(next() * xs.length)];
  // Mostly what a route expects, so that requests get past the first check; else something odd.
  const often = (usual, odd) => (next() < 0.6 ? usual : pick(odd));
  return { next, pick, often };
}

const VALUES = ['', '0', '-1', '1e309', '99999999999999999999999999', 'NaN', '-0', '١٢٣', 'true', 'null', '[]', '{}',
  '%00', '\u0000', 'a'.repeat(4000), '2026-13-45T25:61:00Z', '2026-03-29T02:30:00', '+99999999999999999999', '../../etc',
  '☃', "'; DROP TABLE callbacks;--", '9'.repeat(400), '-9223372036854775809', '18446744073709551616',
  '2026-12-03T10:00:00.000+14:00', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', 'Etc/GMT+14', 'Mars/Olympus', ' ', 'a=b&c', '*'];
const KEYS = ['_customer_number', '_desired_time', '_new_desired_time', '_callback_state', 'reason', 'outcome', 'attempt',
  'disposition', 'note', 'version', 'sections', 'agents', '_id', 'services', 'target', 'states', 'end_time', 'callback_ids',
  'number', 'max', 'phone', 'name', 'ready', 'rotate_token'];
const QUERY = ['_id', 'operand', 'start', 'end', 'start-ms', 'end-ms', 'number-of-days', 'max-time-slots', 'timezone', 'max',
  'states', 'target', 'start_time', 'end_time', 'attempt', 'leg', 'discard_ors_failure', 'service_name', '_customer_number'];

test(`${REQUESTS} random requests on every route (seed ${SEED}): never a 5xx, every refusal a JSON error`, async () => {
  const { next, pick, often } = random(SEED);
  const id = (await api.post('/genesys/1/service/callback/rand', { _customer_number: number(1) })).body._id;
  const spec = (await api.get('/openapi.json')).body;
  const routes = Object.entries(spec.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => [m.toUpperCase(), path]));
  assert.ok(routes.length > 40, `the document lists ${routes.length} routes`);
  const value = () => pick([pick(VALUES), 1e308, -1, 2 ** 63, [], {}, null, true, [1, 2], { a: { b: [] } }, 'x'.repeat(10_000)]);
  const body = () => pick([
    '', 'null', '[]', '"x"', '1', '{', '{"a":', '\u00ff\u00fe{}',
    JSON.stringify(Object.fromEntries(Array.from({ length: 3 }, () => [pick(KEYS), value()]))),
    new URLSearchParams(Array.from({ length: 2 }, () => [pick(KEYS), String(pick(VALUES))])).toString(),
    JSON.stringify({ version: pick([1e308, -1, 'x']), sections: pick([{}, [], { 'service.a': 'x' }]), agents: pick([[], { a: { services: 'x' } }]) }),
  ]);
  // Requests are drawn in order from the seed, then sent four at a time: the same requests for a
  // seed, in less wall time (each waits mostly on the runtime).
  const requests = [];
  for (let i = 0; i < REQUESTS; i++) {
    const [listed, template] = pick(routes);
    const method = next() < 0.9 ? listed : pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);
    const path = template
      .replace('{service}', often(template.includes('/callback/') ? 'rand' : 'capacity-r', ['rand', 'capacity-r', 'nope', '%2e%2e', 'x'.repeat(300)]))
      .replace('{id}', often(id, ['rand~', '~', 'x~y', `rand~${'a'.repeat(2000)}`, '%ff%fe', `${id}%00`]))
      .replace('{section}', often('service.rand', ['service.x', 'service.', 'agents', '%00', `service.${'y'.repeat(500)}`]))
      .replace('{agent}', often('someone', ['%20', 'a'.repeat(500)]));
    const query = new URLSearchParams(Array.from({ length: Math.floor(next() * 4) }, () => [pick(QUERY), String(pick(VALUES))]));
    // From many clients, as random traffic is: one client's wrong credentials soon make its
    // credentialed requests wait (429), which would leave the routes behind the gate untried.
    const headers = { 'cf-connecting-ip': `198.51.100.${i % 256}` };
    if (next() < 0.6) {
      const right = template.startsWith('/genesys/1/agent') ? someone.auth : admin;
      headers.authorization = often(right, ['Bearer x', basicAuth('admin', 'wrong'), 'Basic %%%', 'Digest x', 'basic YWRtaW46YWRtaW4=',
        `Basic ${Buffer.from('adminadmin').toString('base64')}`]);
    }
    if (next() < 0.2) Object.assign(headers, server.headers);
    if (next() < 0.3) headers.origin = pick([rt.base, 'https://evil.example', 'null']);
    if (next() < 0.2) headers['idempotency-key'] = pick(['k1', 'x'.repeat(300), '']);
    if (next() < 0.1) headers['x-twilio-signature'] = 'abc=';
    const payload = ['GET', 'HEAD'].includes(method) ? undefined : body();
    if (payload !== undefined) {
      headers['content-type'] = pick(['application/json', 'application/x-www-form-urlencoded', 'text/plain',
        'application/json; charset=latin1', 'multipart/form-data; boundary=x', 'application/json;charset=UTF-8']);
    }
    requests.push({ method, url: `${path}${[...query].length ? `?${query}` : ''}`, headers, payload });
  }
  const failures = [];
  const send = async ({ method, url, headers, payload }) => {
    const res = await fetch(`${rt.base}${url}`, { method, headers, body: payload });
    const text = await res.text();
    const said = `${method} ${url.slice(0, 160)} ${JSON.stringify(headers).slice(0, 160)} ${String(payload).slice(0, 120)} → ${res.status} ${text.slice(0, 160)}`;
    if (res.status >= 500) failures.push(said);
    else if (res.status >= 400 && method !== 'HEAD') {
      let error;
      try { error = JSON.parse(text); } catch { /* said below */ }
      if (error?.code !== res.status || typeof error.message !== 'string') failures.push(`not a JSON error: ${said}`);
    }
  };
  let nextRequest = 0;
  const lane = async () => { while (nextRequest < requests.length) await send(requests[nextRequest++]); };
  await Promise.all([lane(), lane(), lane(), lane()]);
  assert.deepEqual(failures, []);
  // And the runtime still serves (the admin's random requests may have deleted the service).
  await alwaysOpenService(api, 'rand');
  assert.equal((await api.post('/genesys/1/service/callback/rand', { _customer_number: number(2) })).status, 200);
});
