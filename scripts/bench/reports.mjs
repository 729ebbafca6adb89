// Reports' read path: a year of daily figures for 100 services, each with a year of facts (20
// callbacks a day, 730,000 in all), asked of the local runtime. Prints the answer's time (median of
// five) beside the target: within 1 s; and the largest answer, a quarter by hour.
import { startRuntime } from '../../tests/support/runtime.mjs';
import { client, admin } from '../../tests/support/api.mjs';
import { SERVICES, seedYear, statsQuery } from './year.mjs';

const rt = await startRuntime();
try {
  const { names, seeded } = await seedYear(client(rt.base));
  const query = statsQuery(names, 365);
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
  console.log(`  a year by day, one service, JSON:   ${await time(statsQuery(names.slice(0, 1), 365))}`);
  console.log(`  the last day, every service, JSON:  ${await time(statsQuery(names, 1))}`);
  // The largest answer there is (hourly covers at most 92 days): the Worker passes it on service
  // by service, never holding it whole.
  console.log(`  92 days by hour, every service, JSON: ${await time(statsQuery(names, 92, 'hour'))}`);
} finally {
  await rt.stop();
}
