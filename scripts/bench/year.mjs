// The reports benchmarks' data: 100 services, each with a year of facts (20 callbacks a day,
// 730,000 in all, seeded by the runtime's test-only facts route), and the query of their figures.
import { admin, alwaysOpenService } from '../../tests/support/api.mjs';

export const SERVICES = 100;

/** Creates the services and their facts through `api`; answers their names and how many facts. */
export async function seedYear(api) {
  const names = Array.from({ length: SERVICES }, (_, i) => `report-${String(i).padStart(3, '0')}`);
  let seeded = 0;
  for (const name of names) {
    await alwaysOpenService(api, name);
    const r = await api.post(`/genesys/1/dev/facts/${name}`, {}, { auth: admin });
    if (r.status !== 200) throw new Error(`seeding ${name}: ${r.status} ${r.text}`);
    seeded += r.body.facts;
  }
  return { names, seeded };
}

/** The stats query of `names`' figures by `bucket` over the `days` before now, in Paris. */
export function statsQuery(names, days, bucket = 'day') {
  const to = new Date();
  const from = new Date(to.getTime() - days * 86_400_000);
  return `${names.map((n) => `service_name=${n}`).join('&')}&from=${from.toISOString()}&to=${to.toISOString()}&bucket=${bucket}&timezone=Europe/Paris`;
}
