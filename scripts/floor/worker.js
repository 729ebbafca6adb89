// The platform's floor for the load benchmark (scripts/bench-load.mjs): a Worker that sends every
// request to one Durable Object, which does one SQLite statement — an INSERT of the body (as a
// create), or a read of one row (as an availability answer) — and answers JSON. Nothing else.
import { DurableObject } from 'cloudflare:workers';

export class Floor extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  }

  async fetch(request) {
    const sql = this.ctx.storage.sql;
    if (request.method === 'POST') {
      const { id } = sql.exec('INSERT INTO t (body) VALUES (?) RETURNING id', await request.text()).one();
      return Response.json({ _id: String(id) });
    }
    const row = sql.exec('SELECT id, body FROM t ORDER BY id LIMIT 1').toArray()[0] ?? null;
    return Response.json(row);
  }
}

export default {
  fetch(request, env) {
    return env.FLOOR.get(env.FLOOR.idFromName('floor')).fetch(request);
  },
};
