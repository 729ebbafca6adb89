// Reports' read path: a year of daily figures for 100 services, each with a year of facts (20
// callbacks a day, 730,000 in all), asked of the local runtime. Prints the answer's time (median of
// five) beside the target: within 1 s.
import { startRuntime } from '../../tests/support/runtime.mjs';
import { client, admin, alwaysOpenService } from '../../tests/support/api.mjs';

const SERVICES = 100;
const rt = await startRuntime();
try {
  const api = client(rt.base);
  const names = Array.from({ length: SERVICES }, (_, i) => `report-${String(i).padStart(3, '0')}`);
  let seeded = 0;
  for (const name of names) {
    await alwaysOpenService(api, name);
    const r = await api.post(`/genesys/1/dev/facts/${name}`, {}, { auth: admin });
    if (r.status !== 200) throw new Error(`seeding ${name}: ${r.status} ${r.text}`);
    seeded += r.body.facts;
  }
  const to = new Date();
  const from = new Date(to.getTime() - 365 * 86_400_000);
  const query = `${names.map((n) => `service_name=${n}`).join('&')}&from=${from.toISOString()}&to=${to.toISOString()}&bucket=day&timezone=Europe/Paris`;
  /** Five runs of a query, each timed until the answer's last byte (reading it is the client's
   * part); answers the median (s), the runs and the last answer's size. */
  const time = async (q, headers = {}) => {
    const times = [];
    let size = 0;
    for (let run = 0; run < 5; run++) {
      const start = performance.now();
      const r = await fetch(`${rt.base}/genesys/1/admin/callback/stats?${q}`, { headers: { authorization: admin, ...headers } });
      const body = await r.arrayBuffer();
      times.push(performance.now() - start);
      if (r.status !== 200) throw new Error(`stats: ${r.status} ${new TextDecoder().decode(body).slice(0, 200)}`);
      size = body.byteLength;
    }
    // In order: the first run after facts changed also packs their days again.
    const s = (t) => (t / 1000).toFixed(2);
    const median = [...times].sort((a, b) => a - b)[2];
    return `median ${s(median)} s (runs in order ${times.map(s).join(', ')}), ${(size / 1e6).toFixed(1)} MB`;
  };
  console.log(`reports: ${SERVICES} services, ${seeded} callbacks' facts; target: a year by day of every service within 1 s`);
  console.log(`  a year by day, every service, JSON: ${await time(query)}`);
  console.log(`  a year by day, every service, CSV:  ${await time(query, { accept: 'text/csv' })}`);
  console.log(`  a year by day, one service, JSON:   ${await time(query.replace(/service_name=[^&]+&/g, '').replace(/^/, `service_name=${names[0]}&`))}`);
  const lastDay = `${names.map((n) => `service_name=${n}`).join('&')}&from=${new Date(to.getTime() - 86_400_000).toISOString()}&to=${to.toISOString()}&bucket=day&timezone=Europe/Paris`;
  console.log(`  the last day, every service, JSON:  ${await time(lastDay)}`);
} finally {
  await rt.stop();
}
