// The platform's floor for the load benchmark (scripts/bench/bench-load.mjs): a Worker that sends every
// request to one Durable Object, which answers JSON after
// - `POST /`: one SQLite statement, an INSERT of the body (the floor of a create);
// - `GET /`: a read of one row (the floor of an availability answer);
// - `POST /create`: an immediate create's SQL from JavaScript — the reads and the rows it writes,
//   in the service object's own schema (`POST /schema` sends it: scripts/bench/load.mjs reads it from
//   `edge/src/store/mod.rs`) — with nothing of ours around it (no Rust, no forwarding, no
//   decision): what storing a create costs by itself;
// - `POST /nothing`: no storage at all (the Worker → object round trip).
import { DurableObject } from 'cloudflare:workers';

/** The statements of an immediate create of `number` (as `decide_and_record` and the object's
 * `after` run them), with a record of the stored one's shape. */
function create(sql, body) {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  const number = JSON.parse(body)._customer_number;
  const id = `load~${crypto.randomUUID().replaceAll('-', '').slice(0, 22)}`;
  const at = new Date(now).toISOString();
  sql.exec(`SELECT (SELECT count(*) FROM callbacks WHERE number = ? AND state <> 'COMPLETED'),
    (SELECT coalesce(sum(n), 0) FROM accepted_seconds WHERE second >= ?), (SELECT coalesce(sum(n), 0) FROM accepted_seconds WHERE second >= ?),
    (SELECT coalesce(sum(n), 0) FROM state_counts WHERE state IN (?, ?, ?)),
    (SELECT count(*) FROM accepted WHERE key = ? AND value = ? AND time_ms >= ?)`,
  number, second - 60, second - 3600, 'QUEUED', 'ROUTING', 'PROCESSING', '_customer_number', number, now - 86_400_000).raw().next();
  sql.exec('INSERT INTO state_counts (state, n) VALUES (?, 1) ON CONFLICT (state) DO UPDATE SET n = n + 1', 'QUEUED');
  const record = JSON.stringify({
    id, service: 'load', customer_number: number, desired_time: at, bucket: null, created: at, updated: at, expires: at,
    phase: { phase: 'waiting' }, selectors: { direction: 'USERTERMINATED', media_type: 'voice', wait_for_agent: false, wait_for_user_confirm: false, first_party: 'CUSTOMER' },
    system: {}, user_data: { first_name: 'Load' }, dial_attempts: 0, rejects: 0, disposition: null,
  });
  sql.exec(`INSERT INTO callbacks (id, state, number, desired_ms, created_ms, bucket_ms, record, phase, agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET state = excluded.state, number = excluded.number, desired_ms = excluded.desired_ms, bucket_ms = excluded.bucket_ms,
    record = excluded.record, phase = excluded.phase, agent = excluded.agent`, id, 'QUEUED', number, now, now, null, record, 'waiting', null);
  sql.exec(`INSERT INTO events (callback_id, seq, time_ms, from_state, to_state, reason, actor)
    VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM events WHERE callback_id = ?), ?, ?, ?, ?, ?)`, id, id, now, null, 'QUEUED', null, 'customer');
  sql.exec('INSERT INTO timers (callback_id, kind, due_ms) VALUES (?, ?, ?) ON CONFLICT (callback_id, kind) DO UPDATE SET due_ms = excluded.due_ms', id, 'expire', now + 86_400_000);
  sql.exec('INSERT INTO accepted_seconds (second, n) VALUES (?, 1) ON CONFLICT (second) DO UPDATE SET n = n + 1', second);
  sql.exec('INSERT INTO accepted (time_ms, key, value) VALUES (?, ?, ?)', now, '_customer_number', number);
  sql.exec('SELECT id FROM agents WHERE ready = 1 AND id NOT IN (SELECT agent FROM callbacks WHERE agent IS NOT NULL)').toArray();
  return id;
}

export class Floor extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  }

  async fetch(request) {
    const sql = this.ctx.storage.sql;
    if (request.method !== 'POST') {
      return Response.json(sql.exec('SELECT id, body FROM t ORDER BY id LIMIT 1').toArray()[0] ?? null);
    }
    const body = await request.text();
    switch (new URL(request.url).pathname) {
      case '/schema': sql.exec(body); return Response.json({});
      case '/create': return Response.json({ _id: create(sql, body) });
      case '/nothing': return Response.json({ _id: String(body.length) });
      default: {
        const { id } = sql.exec('INSERT INTO t (body) VALUES (?) RETURNING id', body).one();
        return Response.json({ _id: String(id) });
      }
    }
  }
}

export default {
  fetch(request, env) {
    return env.FLOOR.get(env.FLOOR.idFromName('floor')).fetch(request);
  },
};
