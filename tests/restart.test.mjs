// A restart keeps what operators made: the run command (`make dev`, scripts/dev.mjs) is started,
// an operator makes a service, callbacks and an agent and changes a demo service through the API,
// the run command is stopped and started again on the same state, and everything is found as it
// was; the demo agent's token still works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { freePort, newStateDir, root, stopGroup, wranglerEnv } from './support/runtime.mjs';
import { client, admin, alwaysOpenService, number } from './support/api.mjs';
import { agent } from './support/agent.mjs';

/** Runs `node scripts/dev.mjs` as `make dev` does, on a free port (`PORT`), with its state in
 * `state`; resolves once it says it is running, with a client of it. Another file's runtime may
 * take the port between `freePort()` and the bind: then it tries another. */
async function runCommand(state) {
  for (let tries = 1; ; tries++) {
    try {
      return await startCommand(await freePort(), state);
    } catch (e) {
      if (tries === 3 || !/Address already in use/.test(e.message)) throw e;
    }
  }
}

async function startCommand(port, state) {
  const child = spawn(process.execPath, ['scripts/dev.mjs'], {
    cwd: root,
    env: { ...wranglerEnv(), PORT: String(port), STATE: state },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  // Ctrl-C, as a person stops `make dev`.
  const stop = () => stopGroup(child, 'SIGINT', 10_000);
  const deadline = Date.now() + 90_000;
  while (!/Callback is running/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`make dev did not start: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { stop, output: () => output, token: output.match(/token (\S+)/)?.[1], api: client(`http://127.0.0.1:${port}`) };
}

test('stopping and starting the run command keeps every service, agent and callback operators made', async () => {
  const state = newStateDir();
  let run = await runCommand(state);
  let api = run.api;
  let ids, zoe, web, before;
  try {
    assert.ok(run.token, run.output());
    await alwaysOpenService(api, 'kept', { _enable_in_queue_checking: 'false' });
    ids = [];
    for (let i = 1; i <= 3; i++) ids.push((await api.post('/genesys/1/service/callback/kept', { _customer_number: number(i) })).body._id);
    assert.ok(ids.every(Boolean));
    web = (await api.get('/genesys/1/admin/config/service.callback-web', { auth: admin })).body;
    await api.section('service.callback-web', { ...web, _request_time_bucket: '30' });
    zoe = await agent(api, 'zoe', ['kept', 'callback-web'], 'Zoé', { phone: '+33612345678' });
    before = (await api.get('/genesys/1/admin/configuration', { auth: admin })).body;
  } finally {
    await run.stop();
  }

  run = await runCommand(state);
  api = run.api;
  try {
    assert.doesNotMatch(run.output(), /Added from callback\.config\.toml/, 'nothing was missing');
    const after = (await api.get('/genesys/1/admin/configuration', { auth: admin })).body;
    assert.deepEqual(after.sections, before.sections, 'every section as the operator left it');
    assert.deepEqual(after.agents, before.agents);
    assert.equal(after.sections['service.callback-web']._request_time_bucket, '30', 'a change to a demo service is kept');
    for (const id of ids) {
      const r = await api.get(`/genesys/1/service/callback/kept/${id}`);
      assert.equal(r.status, 200, id);
      assert.equal(r.body._callback_state, 'QUEUED');
    }
    assert.equal((await api.get('/genesys/1/agent/offer', { auth: zoe.auth })).status, 200, "the operator's agent keeps its token");
    assert.equal((await api.get('/genesys/1/agent/offer', { auth: `Bearer ${run.token}` })).status, 200, "the demo agent's token");

    // A demo service an operator deleted comes back at the next start; nothing else changes.
    assert.equal((await api.del('/genesys/1/admin/config/service.callback-now', { auth: admin })).status, 200);
  } finally {
    await run.stop();
  }
  run = await runCommand(state);
  api = run.api;
  try {
    assert.match(run.output(), /Added from callback\.config\.toml[^\n]*service\.callback-now/);
    const again = (await api.get('/genesys/1/admin/configuration', { auth: admin })).body;
    assert.deepEqual(Object.keys(again.sections).sort(), Object.keys(before.sections).sort());
    assert.equal(again.sections['service.callback-web']._request_time_bucket, '30');
  } finally {
    await run.stop();
  }
});
