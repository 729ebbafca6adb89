// What the runtime stores, read from its state directory: each Durable Object's SQLite file (a
// copy, with its write-ahead log, since workerd keeps writing the original). For tests that must
// see that something is not kept, which no API answer can show.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { DatabaseSync } from 'node:sqlite';
import { dirname, join } from 'node:path';

const KINDS = { service: 'callback-ServiceObject', agent: 'callback-AgentObject' };

/** The sum over every object of `kinds` ('service', 'agent') of `read(db)`, a number. */
export function sumOverObjects(stateDir, kinds, read) {
  let sum = 0;
  for (const kind of kinds) {
    const folder = join(stateDir, 'v3', 'do', KINDS[kind]);
    if (!existsSync(folder)) continue;
    for (const file of readdirSync(folder).filter((f) => f.endsWith('.sqlite'))) {
      const copy = join(mkdtempSync(join(tmpdir(), 'callback-db-')), 'copy.sqlite');
      try {
        // An object erased meanwhile has no file any more: it holds nothing.
        if (!copied(join(folder, file), copy)) continue;
        copied(join(folder, `${file}-wal`), `${copy}-wal`);
        const db = new DatabaseSync(copy);
        try {
          sum += read(db);
        } finally {
          db.close();
        }
      } finally {
        rmSync(dirname(copy), { recursive: true, force: true });
      }
    }
  }
  return sum;
}

/** Copies `from` to `to`, if `from` is there (workerd deletes files as we read). */
function copied(from, to) {
  try {
    copyFileSync(from, to);
    return true;
  } catch (e) {
    if (e.code === 'ENOENT') return false;
    throw e;
  }
}

const hasTable = (db, name) => db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?").get(name).n > 0;

/** How many objects hold our tables (a service's `meta`, an agent's `agent`). workerd makes a file
 * for every object it starts, with its own bookkeeping. */
export const objectsWithTables = (stateDir) =>
  sumOverObjects(stateDir, ['service', 'agent'], (db) => (hasTable(db, 'meta') || hasTable(db, 'agent') ? 1 : 0));

/** The outbox rows kept for a callback, delivered or not. */
export const outboxRowsOf = (stateDir, id) =>
  sumOverObjects(stateDir, ['service'], (db) => (hasTable(db, 'outbox') ? db.prepare('SELECT count(*) AS n FROM outbox WHERE callback_id = ?').get(id).n : 0));

/** When a service's object's alarm is set to ring (ms since 1970, on the tests' clock), or null:
 * workerd keeps it in the object's `_cf_METADATA`, in nanoseconds, on the platform's clock, which
 * `make test-at` sets the tests' clock away from by CALLBACK_CLOCK_OFFSET_MS. */
export function alarmOf(stateDir, service) {
  let at = null;
  sumOverObjects(stateDir, ['service'], (db) => {
    const named = hasTable(db, '__miniflare_do_name') && db.prepare('SELECT name FROM __miniflare_do_name').all().some((r) => r.name === service);
    if (named && hasTable(db, '_cf_METADATA')) {
      const row = db.prepare('SELECT value FROM _cf_METADATA WHERE key = 1');
      row.setReadBigInts(true);
      const ns = row.get()?.value;
      if (ns !== undefined) at = Number(ns / 1_000_000n) + Number(process.env.CALLBACK_CLOCK_OFFSET_MS ?? 0);
    }
    return 0;
  });
  return at;
}
