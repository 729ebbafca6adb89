// The demo: its configuration is the example file callback.config.toml, applied as an operator
// would (scripts/configure.mjs); idempotent.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configure, declaredOf } from './configure.mjs';

export const demoFile = fileURLToPath(new URL('../callback.config.toml', import.meta.url));
const demo = declaredOf(readFileSync(demoFile, 'utf8'), demoFile);

/** The demo's agent: serves every demo service. */
const demoAgent = Object.entries(demo.agents).map(([id, a]) => ({ id, ...a }))[0];

export function basicAuth(user, password) {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Applies the demo's configuration; throws with the deployment's message on a refusal. */
export async function seedDemo(base, authorization) {
  return configure({ base, authorization, file: demoFile, apply: true });
}

/** Gives the demo agent a new token (only a new token is ever shown); answers the token. */
export async function seedDemoAgent(base, authorization) {
  const { id, name, services } = demoAgent;
  const res = await fetch(`${base}/genesys/1/admin/agents/${id}`, {
    method: 'PUT', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ name, services, rotate_token: true }),
  });
  if (res.status !== 200) throw new Error(`seeding agent ${id}: ${res.status} ${await res.text()}`);
  return (await res.json()).token;
}
