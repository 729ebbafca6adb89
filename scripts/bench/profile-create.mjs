// Where an immediate create's CPU time goes: a CPU profile of workerd (alone, no dev proxy) through
// its DevTools inspector while wrk sends creates, summed by where the time is spent — the Worker's
// WebAssembly, its JavaScript glue, the runtime (SQLite, I/O, everything outside JavaScript) —
// and the functions that take most; beside it, the floor's one INSERT and the floor running a
// create's own SQL from JavaScript (scripts/bench/floor/worker.js), so that what is SQLite's and what
// is ours reads from the figures. Figures, not pass/fail. Run: `make profile-create`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startWorkerd } from './workerd.mjs';
import { UNLIMITED, createScript, ensureWrk, floorSchema } from './load.mjs';
import { freePort } from '../../tests/support/runtime.mjs';
import { client, alwaysOpenService } from '../../tests/support/api.mjs';

const SECONDS = 8;
ensureWrk();

/** Profiles one isolate (its DevTools `ws` address) while wrk posts to `url`; prints the summary. */
async function profileUnderLoad(label, ws_url, url, post) {
  const ws = new WebSocket(ws_url);
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  let next = 0;
  const pending = new Map();
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (pending.has(msg.id)) { pending.get(msg.id)(msg.result); pending.delete(msg.id); }
  };
  const send = (method, params = {}) => new Promise((resolve) => {
    const id = ++next;
    pending.set(id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });
  await promisify(execFile)('wrk', ['-t2', '-c16', '-d3s', '-s', post, url]); // warm-up
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 200 });
  await send('Profiler.start');
  const { stdout } = await promisify(execFile)('wrk', ['-t2', '-c16', `-d${SECONDS}s`, '-s', post, url]);
  const { profile } = await send('Profiler.stop');
  ws.close();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const where = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const { functionName, url: file } = byId.get(id).callFrame;
    const name = functionName || '(anonymous)';
    const kind = name.startsWith('(') ? name
      : /wasm/.test(file) || /^\$|wasm-function/.test(name) ? 'WebAssembly'
        : 'JavaScript (glue, runtime APIs)';
    where.set(kind, (where.get(kind) ?? 0) + dt);
    self.set(`${name} ${file.split('/').pop()}`, (self.get(`${name} ${file.split('/').pop()}`) ?? 0) + dt);
    if (name !== '(idle)') total += dt;
  });
  const creates = Number(stdout.match(/Requests\/sec:\s+([\d.]+)/)[1]);
  console.log(`\n${label}: ${creates.toFixed(0)}/s under profile; the isolate's CPU not idle: ${(total / 1000).toFixed(0)} ms over ${SECONDS} s`);
  console.log('where the CPU time goes (share of non-idle samples):');
  for (const [kind, t] of [...where].sort((a, b) => b[1] - a[1])) {
    if (kind !== '(idle)') console.log(`  ${(100 * t / total).toFixed(1).padStart(5)} %  ${kind}`);
  }
  console.log('the functions that take most (self time):');
  for (const [name, t] of [...self].filter(([n]) => !n.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    console.log(`  ${(100 * t / total).toFixed(1).padStart(5)} %  ${name}`);
  }
  const perRequest = (t) => (t / 1000 / (creates * SECONDS)).toFixed(2);
  const sqlite = [...self].filter(([n]) => n.startsWith('exec ')).reduce((sum, [, t]) => sum + t, 0);
  console.log(`per request: about ${perRequest(total)} ms of the isolate's CPU, ${perRequest(sqlite)} ms of it in SQLite (exec)`);
}

const port = await freePort();
const rt = await startWorkerd({ inspector: `127.0.0.1:${port}` });
try {
  await alwaysOpenService(client(rt.base), 'load', UNLIMITED);
  await floorSchema(rt.floorBase);
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const post = createScript();
  for (const [label, service, url] of [
    ['floor (one INSERT of the body)', 'floor', `${rt.floorBase}/`],
    ["floor (a create's SQL, from JavaScript)", 'floor', `${rt.floorBase}/create`],
    ['immediate create', 'main', `${rt.base}/genesys/1/service/callback/load`],
  ]) {
    const target = targets.find((t) => t.id === service || t.title === service);
    await profileUnderLoad(label, target.webSocketDebuggerUrl, url, post);
  }
} finally {
  await rt.stop();
}
