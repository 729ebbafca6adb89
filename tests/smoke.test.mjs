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
