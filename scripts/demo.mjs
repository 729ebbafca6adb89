// The demo: its configuration is the example file callback.config.toml. Seeding adds the demo's
// sections and agent where they are absent and never touches what is there: a restart of
// `make dev` keeps every service, agent and callback an operator made, and their changes to the
// demo's own services.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { call, declaredOf } from './configure.mjs';

export const demoFile = fileURLToPath(new URL('../callback.config.toml', import.meta.url));
const demo = declaredOf(readFileSync(demoFile, 'utf8'), demoFile);
const API = '/genesys/1/admin/configuration';

/** The demo's agent: serves every demo service. */
export const demoAgent = Object.entries(demo.agents).map(([id, a]) => ({ id, ...a }))[0];

export function basicAuth(user, password) {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/**
 * Adds the demo's sections and agent that the deployment lacks, in one apply; answers
 * `{added: [table, …]}`. Throws with the deployment's message on a refusal.
 */
export async function seedDemo(base, authorization) {
  const live = await call(base, authorization, 'GET', API);
  const absent = Object.keys(demo.sections).filter((name) => !(name in live.sections));
  const agentAbsent = !(demoAgent.id in (live.agents ?? {}));
  if (!absent.length && !agentAbsent) return { added: [] };
  const body = {
    version: live.version,
    sections: { ...live.sections, ...Object.fromEntries(absent.map((name) => [name, demo.sections[name]])) },
  };
  // Agents are declared only to add the demo's: without them the apply leaves agents alone.
  if (agentAbsent) body.agents = { ...live.agents, [demoAgent.id]: demo.agents[demoAgent.id] };
  await call(base, authorization, 'PUT', API, body);
  return { added: [...absent, ...(agentAbsent ? [`agents.${demoAgent.id}`] : [])] };
}

/**
 * The demo agent's token: `known` when it still works, else a new one (only a new token is ever
 * shown). Rotating changes the token alone: the agent's name, services and phone stay as they are.
 */
export async function demoAgentToken(base, authorization, known) {
  if (known) {
    const res = await fetch(`${base}/genesys/1/agent/offer`, { headers: { authorization: `Bearer ${known}` } });
    await res.arrayBuffer();
    if (res.status === 200) return known;
  }
  const { agents } = await call(base, authorization, 'GET', API);
  const { name, services, phone } = agents[demoAgent.id] ?? demoAgent;
  const path = `/genesys/1/admin/agents/${encodeURIComponent(demoAgent.id)}`;
  const answer = await call(base, authorization, 'PUT', path, { name, services, phone, rotate_token: true });
  return answer.token;
}
