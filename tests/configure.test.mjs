// Configuration as code: the real command (scripts/configure.mjs, `make configure`) against the
// real Worker — plan, apply, a second run that changes nothing, invalid files that change nothing,
// export then apply, secrets never shown — and the admin API's whole-configuration routes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRuntime, root } from './support/runtime.mjs';
import { client, admin, number } from './support/api.mjs';

let rt, api;
before(async () => {
  rt = await startRuntime();
  api = client(rt.base);
});
after(async () => { await rt?.stop(); });

const dir = mkdtempSync(join(tmpdir(), 'callback-configure-'));
const credentials = { CALLBACK_ADMIN_USER: 'admin', CALLBACK_ADMIN_PASSWORD: 'admin' };

/** Runs the command; answers its exit code and output. */
function configure(args, env = credentials) {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(root, 'scripts', 'configure.mjs'), ...args, rt.base], { env: { PATH: process.env.PATH, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code : 0, stdout, stderr });
    });
  });
}

function file(name, text) {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const live = async () => (await api.call('GET', '/genesys/1/admin/configuration', { auth: admin })).body;

const HOURS = `
[service.hours]
_type = "builtin"
_service = "office-hours"
_timezone = "America/New_York"
_bh_regular1 = "Mon-Sun 00:00-24:00"
`;
const SALES = `
[service.sales]
_type = "ors"
_service = "callback"
_business_hours_service = "hours"
_request_time_bucket = 30
_enable_in_queue_checking = false
_webhook_secret = { env = "SALES_SECRET" }
`;
const AGENTS = `
[agents.ann]
name = "Ann"
services = ["sales"]
`;

test('plan, apply, then a second run changes nothing; the applied services work', async () => {
  const path = file('first.toml', `${HOURS}${SALES}${AGENTS}`);
  const env = { ...credentials, SALES_SECRET: 'very-secret-value-1' };
  const before = await live();

  const plan = await configure(['--file', path], env);
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /3 to add, 0 to change, 0 to remove/);
  assert.match(plan.stdout, /\+ \[service\.sales\]/);
  assert.match(plan.stdout, /\+ _request_time_bucket = "30"/);
  assert.match(plan.stdout, /\+ \[agents\.ann\]/);
  assert.match(plan.stdout, /Nothing was changed/);
  assert.doesNotMatch(plan.stdout + plan.stderr, /very-secret-value-1/);
  assert.deepEqual(await live(), before, 'a plan changes nothing');

  const applied = await configure(['--file', path, '--apply'], env);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /Applied: the deployment is at version/);
  assert.doesNotMatch(applied.stdout + applied.stderr, /very-secret-value-1/);
  const now = await live();
  assert.equal(now.sections['service.sales']._request_time_bucket, '30');
  assert.equal(now.sections['service.sales']._enable_in_queue_checking, 'false');
  assert.equal(now.sections['service.sales']._webhook_secret, 'very-secret-value-1');
  assert.deepEqual(now.agents, { ann: { name: 'Ann', services: ['sales'] } });
  assert.ok(now.version > before.version);

  // The service's object learnt its configuration: a callback can be booked on it.
  const created = await api.call('POST', '/genesys/1/service/callback/sales', { body: { _customer_number: number(1) } });
  assert.equal(created.status, 200, JSON.stringify(created.body));

  const again = await configure(['--file', path, '--apply'], env);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /No changes/);
  assert.equal((await live()).version, now.version, 'an apply with nothing to change stores nothing');
});

test('changes and removals are planned option by option; agents are left alone when the file has none', async () => {
  const env = { ...credentials, SALES_SECRET: 'very-secret-value-2' };
  const path = file('second.toml', `${HOURS}${SALES.replace('_request_time_bucket = 30', '_request_time_bucket = 15').replace('_enable_in_queue_checking = false\n', '')}`);
  const plan = await configure(['--file', path], env);
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /~ \[service\.sales\]/);
  assert.match(plan.stdout, /~ _request_time_bucket: "30" → "15"/);
  assert.match(plan.stdout, /- _enable_in_queue_checking \(was "false"\)/);
  assert.match(plan.stdout, /~ _webhook_secret: "\(secret, not shown\)" → "\(secret, not shown\)"/);
  assert.doesNotMatch(plan.stdout, /agents/, 'a file without [agents] does not manage them');
  assert.doesNotMatch(plan.stdout + plan.stderr, /very-secret-value/);

  const applied = await configure(['--file', path, '--apply'], env);
  assert.equal(applied.code, 0, applied.stderr);
  const now = await live();
  assert.equal(now.sections['service.sales']._enable_in_queue_checking, undefined);
  assert.deepEqual(Object.keys(now.agents), ['ann']);

  // With an empty [agents] table, the file manages agents: Ann goes.
  const without = file('no-agents.toml', `${HOURS}${SALES}\n[agents]\n`);
  const removed = await configure(['--file', without, '--apply'], env);
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, /- \[agents\.ann\]/);
  assert.deepEqual((await live()).agents, {});
});

test('an invalid file changes nothing, and every problem names the file, the section and the option', async () => {
  const before = await live();
  const env = { ...credentials, SALES_SECRET: 's' };
  const bad = file('bad.toml', `${HOURS.replace('America/New_York', 'Mars/Olympus')}${SALES}
[service.extra]
_type = "ors"
_service = "callback"
_request_time_bucket = "seven"
`);
  for (const args of [['--file', bad], ['--file', bad, '--apply']]) {
    const run = await configure(args, env);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /bad\.toml: \[service\.hours\] _timezone: /);
    assert.match(run.stderr, /bad\.toml: \[service\.extra\] _request_time_bucket: /);
    assert.deepEqual(await live(), before);
  }

  const shapes = file('shapes.toml', `${HOURS}
[service.sales]
_service = "callback"
_business_hours_service = ["hours"]
_webhook_secret = { env = "NOT_SET_ANYWHERE" }
[agents.bob]
name = "Bob"
token = "abc"
[elsewhere]
x = "1"
`);
  const run = await configure(['--file', shapes, '--apply'], credentials);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /shapes\.toml: \[service\.sales\] _business_hours_service: expected a string/);
  assert.match(run.stderr, /shapes\.toml: \[service\.sales\] _webhook_secret: the environment has no NOT_SET_ANYWHERE/);
  assert.match(run.stderr, /shapes\.toml: \[agents\.bob\] token: unknown/);
  assert.match(run.stderr, /shapes\.toml: \[elsewhere\] elsewhere: unknown table/);

  const syntax = await configure(['--file', file('syntax.toml', '[service.x]\n_type = "ors\n')], credentials);
  assert.equal(syntax.code, 1);
  assert.match(syntax.stderr, /syntax\.toml:2:\d+: /);

  const unreachable = await configure(['--file', bad], {});
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /CALLBACK_ADMIN_USER/);
  const wrong = await configure(['--file', bad], { CALLBACK_ADMIN_USER: 'admin', CALLBACK_ADMIN_PASSWORD: 'nope' });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /Credentials/);
  assert.deepEqual(await live(), before);
});

test('a service may name its preset: it has the options of the preset under its own', async () => {
  const before = await live();
  const sections = { ...before.sections, 'service.preset-delayed': { preset: 'User Terminated Delayed', _ttl: '600' } };
  const applied = await api.call('PUT', '/genesys/1/admin/configuration', { auth: admin, body: { sections } });
  assert.equal(applied.status, 200, applied.text);
  const stored = (await live()).sections['service.preset-delayed'];
  assert.deepEqual([stored._call_direction, stored._wait_for_agent, stored._wait_for_user_confirm, stored._ttl, stored.preset], ['USERTERMINATED', 'true', 'true', '600', undefined]);
  const unknown = await api.call('PUT', '/genesys/1/admin/config/service.preset-x', { auth: admin, body: { preset: 'Teleport' } });
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.message, /preset.*User Terminated Delayed/);
  const again = await api.call('PUT', '/genesys/1/admin/configuration', { auth: admin, body: { sections: before.sections } });
  assert.equal(again.status, 200, again.text);
});

test('export then apply is a no-op, and an export holds no secret', async () => {
  const exported = join(dir, 'exported.toml');
  const run = await configure(['--file', exported, '--export']);
  assert.equal(run.code, 0, run.stderr);
  const text = readFileSync(exported, 'utf8');
  assert.match(text, /\[service\.sales\]/);
  assert.match(text, /_webhook_secret = \{ keep = true \}/);
  assert.doesNotMatch(text, /very-secret-value/);
  const plan = await configure(['--file', exported]);
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /No changes/);
});

test('the admin API applies a whole configuration at once or not at all', async () => {
  const call = (method, path, body) => api.call(method, `/genesys/1/admin/configuration${path}`, { body, auth: admin });
  const before = await live();
  const sections = { ...before.sections, 'service.more': { _type: 'ors', _service: 'callback' } };

  // A plan against a version that moved is still a plan; an apply is refused.
  const stale = await call('PUT', '', { sections, version: before.version - 1 });
  assert.equal(stale.status, 409);
  assert.match(stale.body.message, /changed since the plan/);
  // One bad section: nothing of the good one lands.
  const half = await call('PUT', '', { sections: { ...sections, 'service.broken': { _service: 'callback', _max_dial_attempts: '-3' } } });
  assert.equal(half.status, 400);
  assert.match(half.body.message, /\[service\.broken\] _max_dial_attempts: /);
  // Wrong shapes are 400s, not 500s.
  for (const body of [{ sections: [] }, { sections: { callback: { x: 1 } } }, { sections: {}, agents: { a: { services: 'x' } } }, 'nonsense']) {
    const res = await call('POST', '/plan', body);
    assert.equal(res.status, 400, JSON.stringify(body));
  }
  assert.deepEqual(await live(), before);

  const ok = await call('PUT', '', { sections, version: before.version });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.applied, true);
  assert.deepEqual(ok.body.changes.map((c) => [c.table, c.action]), [['service.more', 'add']]);
  assert.equal((await api.call('POST', '/genesys/1/service/callback/more', { body: { _customer_number: number(2) } })).status, 200);
  // Without admin credentials, nothing.
  assert.equal((await api.call('POST', '/genesys/1/admin/configuration/plan', { body: { sections } })).status, 401);
});
