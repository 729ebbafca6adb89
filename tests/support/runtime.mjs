// Starts the real Worker in workerd (`wrangler dev`) on a free port with its own state directory,
// and stops it. Tests build on this; the Worker must be built first (`make build`).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export const newStateDir = () => mkdtempSync(join(tmpdir(), 'callback-state-'));

/** The environment of a process that runs wrangler. A suite run at another moment
 * (scripts/test-at.sh) shifts this process's clock and the browser's with libfaketime; wrangler's
 * own tooling is not run under it (its bundler breaks): the Worker's clock is shifted by the same
 * offset instead (`CLOCK_OFFSET_MS`). */
export function wranglerEnv() {
  const { LD_PRELOAD, FAKETIME, CALLBACK_CLOCK_OFFSET_MS, ...env } = process.env;
  // Node keeps wrangler's compiled code between starts (a quarter of its start-up CPU).
  const cache = join(root, 'target', 'node-compile-cache');
  return { ...env, PATH: `${join(root, 'node_modules', '.bin')}:${env.PATH}`, WRANGLER_SEND_METRICS: 'false', CI: 'true', NODE_COMPILE_CACHE: cache };
}

/** Starts `wrangler dev`; resolves once it answers. `vars` are extra --var bindings; `config` another
 * Worker's wrangler.toml (the load benchmark's floor), answering `probe`; `clockControl: false`
 * runs it as deployed, where no test can move a clock. A free port can be taken
 * by another process before wrangler binds it (test files run side by side): then it starts again
 * on another. */
export async function startRuntime(options = {}) {
  if (process.env.CALLBACK_RUNTIME_HOST && !options.config && !options.port) return hosted(options);
  for (let tries = 1; ; tries++) {
    try {
      return await start({ ...options, port: options.port ?? await freePort() });
    } catch (e) {
      if (options.port || tries === 3 || !/Address already in use/.test(e.message)) throw e;
    }
  }
}

/** A runtime from the host scripts/e2e.sh runs (runtime-host.mjs): the same Worker, started
 * without loading wrangler again. */
async function hosted({ stateDir = newStateDir(), vars = {}, clockControl = true }) {
  const host = process.env.CALLBACK_RUNTIME_HOST;
  const offset = process.env.CALLBACK_CLOCK_OFFSET_MS;
  const ask = async (path, body) => {
    const res = await fetch(`${host}${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`runtime host ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : res.json();
  };
  const { base } = await ask('/start', { stateDir, clockControl, vars: offset ? { ...vars, CLOCK_OFFSET_MS: offset } : vars });
  return { base, port: Number(new URL(base).port), stateDir, stop: () => ask('/stop', { base }), output: () => '' };
}

async function start({ stateDir = newStateDir(), port, vars = {}, config, probe = '/openapi.json', clockControl = true }) {
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', stateDir, '--log-level', 'warn', '--show-interactive-dev-session=false'];
  // Tests move a service's clock rather than wait (api.advance); a deployment never can.
  if (clockControl && !config) args.push('--var', 'CLOCK_CONTROL:on');
  if (config) args.push('--config', config);
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
  const offset = process.env.CALLBACK_CLOCK_OFFSET_MS;
  if (offset) args.push('--var', `CLOCK_OFFSET_MS:${offset}`);
  const child = spawn(join(root, 'node_modules', '.bin', 'wrangler'), args, {
    cwd: root,
    env: wranglerEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited: ${output}`);
    try {
      // Another process may have taken the port first (then wrangler stops, and starts again on
      // another): only our Worker's answer means it is up.
      const res = await fetch(`${base}${probe}`);
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${probe}: ${res.status}`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`wrangler dev did not answer within 60 s: ${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return { base, port, stateDir, stop: () => stopGroup(child), output: () => output };
}

/** Stops a detached child and everything it started: `signal`, then SIGKILL after `graceMs`. */
export async function stopGroup(child, signal = 'SIGTERM', graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  try { process.kill(-child.pid, signal); } catch { /* already gone */ }
  const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
  await exited;
  clearTimeout(timer);
}
