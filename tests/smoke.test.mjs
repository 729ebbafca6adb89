// The built Worker runs in workerd, serves the site and answers API errors as GMS JSON.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRuntime } from './support/runtime.mjs';

let rt;
before(async () => { rt = await startRuntime(); });
after(async () => { await rt?.stop(); });

test('the site is served from www/', async () => {
  const res = await fetch(`${rt.base}/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/html/);
});

test('unknown API paths answer a GMS JSON error', async () => {
  const res = await fetch(`${rt.base}/genesys/1/nowhere`);
  assert.equal(res.status, 404);
  const body = await res.json();
  assert.equal(body.code, 404);
  assert.match(body.exception, /^com\.genesyslab\.gsg\.services\.callback\.exceptions\./);
});

test('the demo seeds its services and an agent whose token works; a token that no longer works is replaced', async () => {
  const { seedDemo, demoAgentToken, basicAuth } = await import('../scripts/demo.mjs');
  const admin = basicAuth('admin', 'admin');
  await seedDemo(rt.base, admin);
  const first = await demoAgentToken(rt.base, admin);
  const kept = await demoAgentToken(rt.base, admin, first);
  assert.equal(kept, first, 'a token that works is kept');
  const second = await demoAgentToken(rt.base, admin, 'demo-agent.stale');
  const offer = (token) => fetch(`${rt.base}/genesys/1/agent/offer`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal((await offer(first)).status, 401);
  const status = await (await offer(second)).json();
  assert.deepEqual(status.services, ['callback-web', 'callback-now', 'callback-preview', 'chat-web']);
  assert.equal((await fetch(`${rt.base}/console.html`)).status, 200);
});
