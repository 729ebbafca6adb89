// Where a report's CPU time goes: a year by day of every service of ./year.mjs, asked of workerd
// alone (no dev proxy), five times after two to warm up and pack the days, profiled
// (./profiler.mjs). Figures, not pass/fail. Run: `make profile-reports`.
import { startWorkerd } from './workerd.mjs';
import { profile, printProfile } from './profiler.mjs';
import { seedYear, statsQuery } from './year.mjs';
import { freePort } from '../../tests/support/runtime.mjs';
import { client, admin } from '../../tests/support/api.mjs';

const RUNS = 5;
const port = await freePort();
const rt = await startWorkerd({ inspector: `127.0.0.1:${port}`, vars: { ADMIN_USER: 'admin', ADMIN_PASSWORD: 'admin', CLOCK_CONTROL: 'on' } });
try {
  const { names } = await seedYear(client(rt.base));
  const url = `${rt.base}/genesys/1/admin/callback/stats?${statsQuery(names, 365)}`;
  const ask = async () => {
    const start = performance.now();
    const r = await fetch(url, { headers: { authorization: admin } });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`stats: ${r.status}`);
    return performance.now() - start;
  };
  await ask();
  await ask();
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const main = targets.find((t) => t.id === 'main' || t.title === 'main');
  const p = await profile(main.webSocketDebuggerUrl, async () => {
    const times = [];
    for (let i = 0; i < RUNS; i++) times.push(await ask());
    return times;
  });
  console.log(`a year by day of ${names.length} services, JSON, under profile: ${p.result.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ')}`);
  printProfile(p, RUNS, 'report');
} finally {
  await rt.stop();
}
