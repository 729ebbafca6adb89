// Runs the built Worker in workerd itself, without `wrangler dev` and its proxy in front: the
// runtime as Cloudflare runs it, for the load benchmark. API only (the site's static files are
// served by wrangler's asset binding). State in a fresh directory.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { root, freePort } from '../../tests/support/runtime.mjs';

// Beside it, on a second port, the load benchmark's floor (scripts/bench/floor/worker.js).
const config = (stateDir, port, floorPort, vars) => `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .main), (name = "floor", worker = .floor), (name = "disk", disk = (path = "${stateDir}", writable = true)) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main"),
              (name = "floorhttp", address = "127.0.0.1:${floorPort}", http = (), service = "floor") ],
);
const floor :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "${relative(join(root, 'edge', 'build'), join(root, 'scripts', 'bench', 'floor', 'worker.js'))}") ],
  compatibilityDate = "2026-11-01",
  bindings = [ (name = "FLOOR", durableObjectNamespace = "Floor") ],
  durableObjectNamespaces = [ (className = "Floor", uniqueKey = "floor", enableSql = true) ],
  durableObjectStorage = (localDisk = "disk"),
);
const main :Workerd.Worker = (
  modules = [ (name = "index.js", esModule = embed "index.js"), (name = "index_bg.wasm", wasm = embed "index_bg.wasm") ],
  compatibilityDate = "2026-11-01",
  bindings = [
    (name = "SERVICES", durableObjectNamespace = "ServiceObject"),
    (name = "CONFIG", durableObjectNamespace = "ConfigObject"),
    (name = "AGENTS", durableObjectNamespace = "AgentObject"),
    ${Object.entries(vars).map(([k, v]) => `(name = "${k}", text = ${JSON.stringify(v)})`).join(',\n    ')}
  ],
  durableObjectNamespaces = [
    (className = "ServiceObject", uniqueKey = "services", enableSql = true),
    (className = "ConfigObject", uniqueKey = "config", enableSql = true),
    (className = "AgentObject", uniqueKey = "agents", enableSql = true),
  ],
  durableObjectStorage = (localDisk = "disk"),
);
`;

/** Starts workerd on a free port; resolves once it answers. `inspector`: an address for the Chrome
 * DevTools protocol (CPU profiles). */
export async function startWorkerd({ vars = { ADMIN_USER: 'admin', ADMIN_PASSWORD: 'admin' }, inspector } = {}) {
  const port = await freePort();
  const floorPort = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), 'callback-workerd-'));
  const build = join(root, 'edge', 'build');
  const file = join(build, 'workerd.capnp');
  writeFileSync(file, config(stateDir, port, floorPort, vars));
  const bin = join(root, 'node_modules', '@cloudflare', 'workerd-linux-64', 'bin', 'workerd');
  const args = ['serve', file, ...(inspector ? [`--inspector-addr=${inspector}`] : [])];
  const child = spawn(bin, args, { cwd: build, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`workerd exited: ${output}`);
    try {
      await (await fetch(`${base}/openapi.json`)).arrayBuffer();
      break;
    } catch {
      if (i > 100) throw new Error(`workerd did not answer: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
  return { base, floorBase: `http://127.0.0.1:${floorPort}`, stop, output: () => output };
}
