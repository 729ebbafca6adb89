// Load benchmark with wrk, on two runtimes: `wrangler dev` (what `make dev` runs: workerd behind
// wrangler's dev proxy) and workerd alone (the runtime as Cloudflare runs it). Prints figures:
// immediate creates per second with p50/p99 on one service, and availability v2 p50/p99 with
// 10,000 stored callbacks; each beside the platform's floor measured in the same runtime and the
// same run (scripts/bench/floor/worker.js: a Worker, one Durable Object, one SQLite statement), as a
// ratio: runs differ by tens of percent from one another, ratios much less. A create's time is also
// split: the round trip with no storage, one INSERT, the rest of a create's own SQL run from
// JavaScript, and what is left: ours (Rust, workers-rs, the forwarding, the decision).
// Run: `make bench-load` (it builds first).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startRuntime } from '../../tests/support/runtime.mjs';
import { startWorkerd } from './workerd.mjs';
import { UNLIMITED, createScript, ensureWrk, floorSchema } from './load.mjs';
import { client, alwaysOpenService } from '../../tests/support/api.mjs';

ensureWrk();

/** Runs wrk and answers requests/s and latency percentiles (ms). Not synchronously: this process's
 * own connections must see the runtime close them meanwhile. */
async function wrk(url, { seconds = 10, connections = 16, script } = {}) {
  const args = [`-t${Math.min(2, connections)}`, `-c${connections}`, `-d${seconds}s`, '--latency'];
  if (script) args.push('-s', script);
  const { stdout: out } = await promisify(execFile)('wrk', [...args, url], { encoding: 'utf8' });
  const ms = (label) => {
    const m = out.match(new RegExp(`${label}%\\s+([\\d.]+)(us|ms|s)`));
    if (!m) return NaN;
    return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]];
  };
  const non2xx = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  return { rps: Number(out.match(/Requests\/sec:\s+([\d.]+)/)[1]), p50: ms('50'), p99: ms('99'), errors: non2xx };
}

/** Latency at a steady rate (one request every 1000/rps ms, one at a time), as a site's visitors
 * make them: wrk's closed loop saturates the two cores and measures the scheduler's tail. */
async function paced(url, { rps = 100, seconds = 10 } = {}) {
  const times = [];
  const gap = 1000 / rps;
  const end = performance.now() + seconds * 1000;
  for (let next = performance.now(); next < end; next += gap) {
    const wait = next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    try {
      await (await fetch(url)).arrayBuffer();
      times.push(performance.now() - t0);
    } catch {
      // A kept-alive connection the runtime closed meanwhile: not a request it answered.
    }
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { n: times.length, p50: at(0.5), p99: at(0.99) };
}

const line = (label, r) => `${label} ${r.rps.toFixed(0).padStart(5)} /s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms   (non-2xx: ${r.errors})`;

async function bench(rt, floorBase) {
  const api = client(rt.base);
  await alwaysOpenService(api, 'load', UNLIMITED);
  const post = createScript();
  const measure = async (url) => {
    await wrk(url, { seconds: 3, script: post }); // warm-up
    return wrk(url, { seconds: 10, script: post });
  };
  await floorSchema(floorBase);
  const floor = await measure(`${floorBase}/`);
  const nothing = await measure(`${floorBase}/nothing`);
  const storage = await measure(`${floorBase}/create`);
  const creates = await measure(`${rt.base}/genesys/1/service/callback/load`);
  console.log(line('floor: one INSERT of the body     ', floor));
  console.log(line('floor: no storage (round trip)    ', nothing));
  console.log(line("floor: a create's SQL, from JS    ", storage));
  console.log(line('immediate creates, one service    ', creates));
  console.log(`  creates at ${(creates.rps / floor.rps).toFixed(2)}× the floor (goal ≥ 0.80×); a create's SQL alone, from JavaScript, at ${(storage.rps / floor.rps).toFixed(2)}×`);
  const ms = (r) => 1000 / r.rps;
  console.log(`  per request at saturation: round trip ${ms(nothing).toFixed(2)} ms, + one INSERT ${(ms(floor) - ms(nothing)).toFixed(2)} ms, + the rest of a create's SQL ${(ms(storage) - ms(floor)).toFixed(2)} ms, + our code ${(ms(creates) - ms(storage)).toFixed(2)} ms = ${ms(creates).toFixed(2)} ms`);

  // 10,000 scheduled callbacks over the next 30 days.
  await alwaysOpenService(api, 'stored', UNLIMITED);
  const start = Date.now() + 3600_000;
  const jobs = Array.from({ length: 10_000 }, (_, i) => new Date(Math.floor((start + (i * 30 * 86_400_000) / 10_000) / 300_000) * 300_000).toISOString());
  for (let i = 0; i < jobs.length; i += 50) {
    await Promise.all(jobs.slice(i, i + 50).map((t, k) => api.post('/genesys/1/service/callback/stored', { _customer_number: `+3361${String(2000000 + i + k).padStart(7, '0')}`, _desired_time: t })));
  }
  // The widget's query (one day) beside the floor's read of one row, then more.
  await wrk(`${floorBase}/`, { seconds: 3, connections: 8 }); // warm-up
  const read = await wrk(`${floorBase}/`, { seconds: 8, connections: 8 });
  await wrk(`${rt.base}/genesys/2/service/callback/stored/availability?number-of-days=1`, { seconds: 3, connections: 8 });
  const day = await wrk(`${rt.base}/genesys/2/service/callback/stored/availability?number-of-days=1`, { seconds: 8, connections: 8 });
  console.log(line('floor: one row read, 8 clients    ', read));
  console.log(line('availability v2, 1 day, 8 clients ', day));
  console.log(`  availability at ${(day.rps / read.rps).toFixed(2)}× the floor's read`);
  for (const [label, query, connections] of [['1 day (the widget), 1 client ', 'number-of-days=1', 1], ['1 day (the widget), 8 clients', 'number-of-days=1', 8], ['7 days, 8 clients            ', 'number-of-days=7', 8], ['30 days, 8 clients           ', 'number-of-days=30', 8]]) {
    const r = await wrk(`${rt.base}/genesys/2/service/callback/stored/availability?${query}`, { seconds: 8, connections });
    console.log(`availability v2, ${label} (10,000 stored): ${r.rps.toFixed(0)} req/s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms   (non-2xx: ${r.errors})`);
  }
  for (const rps of [100, 300]) {
    const steady = await paced(`${rt.base}/genesys/2/service/callback/stored/availability?number-of-days=1`, { rps, seconds: 10 });
    console.log(`availability v2, 1 day, steady ${rps} req/s (10,000 stored): p50 ${steady.p50.toFixed(2)} ms   p99 ${steady.p99.toFixed(2)} ms   (${steady.n} requests)`);
  }
}

const floorBeside = async () => {
  const floor = await startRuntime({ config: 'scripts/bench/floor/wrangler.toml', probe: '/' });
  const rt = await startRuntime();
  return { ...rt, floorBase: floor.base, stop: async () => { await rt.stop(); await floor.stop(); } };
};
for (const [name, start] of [['workerd alone (no dev proxy)', startWorkerd], ['wrangler dev (make dev)', floorBeside]]) {
  console.log(`\n${name}`);
  const rt = await start();
  try {
    await bench(rt, rt.floorBase);
  } catch (e) {
    console.error(`${name}: ${e.message}\n${rt.output?.().slice(-3000) ?? ''}`);
    process.exitCode = 1;
  } finally {
    await rt.stop();
  }
}
