// A deployment without admin credentials: admin paths and property queries answer 503, never a
// built-in default; and no clock can be moved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRuntime } from './support/runtime.mjs';
import { client, admin } from './support/api.mjs';

test('without admin secrets, admin paths and property queries answer 503', async () => {
  const rt = await startRuntime({ vars: { ADMIN_USER: '', ADMIN_PASSWORD: '', SERVER_API_KEY: '' }, clockControl: false });
  try {
    const api = client(rt.base);
    for (const opts of [{}, { auth: admin }]) {
      const r = await api.get('/genesys/1/admin/config', opts);
      assert.equal(r.status, 503);
      assert.match(r.body.message, /no admin credentials/);
    }
    assert.equal((await api.put('/genesys/1/admin/config/service.x', { _service: 'callback' }, { auth: admin })).status, 503);
    assert.equal((await api.get('/genesys/1/service/callback?_customer_number=1')).status, 503);
    assert.equal((await api.get('/genesys/1/admin/callback/watermarks', { headers: { 'x-api-key': 'dev-server-key' } })).status, 503);
    // As deployed, the tests' clock control does not exist.
    assert.equal((await api.post('/genesys/1/dev/clock/x', { advance_ms: 1000 }, { auth: admin })).status, 404);
    assert.equal((await api.get('/genesys/1/dev/ledger/x', { auth: admin })).status, 404);
    assert.equal((await api.post('/genesys/1/dev/facts/x', {}, { auth: admin })).status, 404);
  } finally {
    await rt.stop();
  }
});
