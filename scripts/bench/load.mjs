// What the load scripts (bench-load.mjs, profile-create.mjs) share: wrk, a service no limit
// stops, wrk's script for immediate creates, and the floor's schema.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../../tests/support/runtime.mjs';

/** Installs wrk (Debian) when the machine lacks it. */
export function ensureWrk() {
  if (spawnSync('wrk', ['--version']).error) {
    console.log('installing wrk (Debian)');
    execFileSync('bash', ['-c', 'apt-get install -y -q wrk >/dev/null || (apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null)'], { stdio: 'inherit' });
  }
}

/** Options of a callback service whose limits never refuse a benchmark's creates. */
export const UNLIMITED = {
  _enable_in_queue_checking: 'false', _max_queued_callbacks_per_service: '10000000',
  _throttle_callbacks_per_service_1: '10000000', _throttle_callbacks_per_service_2: '10000000',
  _throttle_request_parameters_limit: '1000000', _max_request_by_time_bucket: '100', _reject_future_desired_time: '2M',
  // Every request comes from one client, thousands a second: the tests' 100,000 a minute runs out.
  _client_rate_limit: '1000000/1',
};

/** Writes wrk's script for immediate creates, a different caller each request as real traffic;
 * answers its path. */
export function createScript() {
  const path = join(tmpdir(), 'callback-create.lua');
  writeFileSync(path, `counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"_customer_number": "+3361%07d", "first_name": "Load"}', counter + math.random(0, 999) * 10000)
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
end
`);
  return path;
}

/** The service object's schema, its migrations applied (edge/src/store/mod.rs: `SCHEMA`, then
 * `MIGRATIONS` in order): the floor runs a create's SQL on the tables and indexes the object has. */
function objectSchema() {
  const source = readFileSync(join(root, 'edge', 'src', 'store', 'mod.rs'), 'utf8');
  const schema = source.match(/const SCHEMA: &str = "([^"]*)";/)?.[1];
  const migrations = source.match(/const MIGRATIONS: &\[&str\] = &\[([\s\S]*?)\n\];/)?.[1];
  if (!schema || !migrations) throw new Error('edge/src/store/mod.rs: SCHEMA or MIGRATIONS not found');
  return [schema, ...[...migrations.matchAll(/^\s*"([^"]*)",?$/gm)].map((m) => m[1])].join('\n');
}

/** Gives the floor at `floorBase` the service object's schema (once per runtime: migrations alter). */
export async function floorSchema(floorBase) {
  const res = await fetch(`${floorBase}/schema`, { method: 'POST', body: objectSchema() });
  if (!res.ok) throw new Error(`the floor refused the schema: ${res.status} ${await res.text()}`);
}
