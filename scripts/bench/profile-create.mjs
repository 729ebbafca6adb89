// Where an immediate create's CPU time goes: a CPU profile of workerd (alone, no dev proxy) while
// wrk sends creates (./profiler.mjs); beside it, the floor's one INSERT and the floor running a
// create's own SQL from JavaScript (scripts/bench/floor/worker.js), so that what is SQLite's and what
// is ours reads from the figures. Figures, not pass/fail. Run: `make profile-create`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startWorkerd } from './workerd.mjs';
import { profile, printProfile } from './profiler.mjs';
import { UNLIMITED, createScript, ensureWrk, floorSchema } from './load.mjs';
import { freePort } from '../../tests/support/runtime.mjs';
import { client, alwaysOpenService } from '../../tests/support/api.mjs';

const SECONDS = 8;
ensureWrk();

/** Profiles one isolate (its DevTools `ws` address) while wrk posts to `url`; prints the summary. */
async function profileUnderLoad(label, wsUrl, url, post) {
  await promisify(execFile)('wrk', ['-t2', '-c16', '-d3s', '-s', post, url]); // warm-up
  const p = await profile(wsUrl, () => promisify(execFile)('wrk', ['-t2', '-c16', `-d${SECONDS}s`, '-s', post, url]));
  const creates = Number(p.result.stdout.match(/Requests\/sec:\s+([\d.]+)/)[1]);
  console.log(`\n${label}: ${creates.toFixed(0)}/s under profile, ${SECONDS} s`);
  printProfile(p, creates * SECONDS, 'request');
  const sqlite = p.self.filter(([n]) => n.startsWith('exec ')).reduce((sum, [, t]) => sum + t, 0);
  console.log(`per request: ${(sqlite / 1000 / (creates * SECONDS)).toFixed(2)} ms of it in SQLite (exec)`);
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
