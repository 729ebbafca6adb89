// Chats under load, asked of the local runtime: 200 concurrent chats on one service, each with the
// customer's socket and the agent's. Prints the delivery latency (a message sent to the moment the
// other side's socket has it) as p50/p99 per direction, twice: at a steady pace (each chat sends a
// message every few seconds, as people type) and in a burst (every chat sends at once, back to
// back); and the runtime's memory per idle chat (workerd's resident size with the chats open and
// quiet, less before them, over their number).
import { execFileSync } from 'node:child_process';
import { startRuntime } from '../../tests/support/runtime.mjs';
import { client, alwaysOpenService } from '../../tests/support/api.mjs';
import { agent } from '../../tests/support/agent.mjs';
import { until } from '../../tests/support/wait.mjs';

const CHATS = 200;
const AGENTS = 10;
const ROUNDS = 5;

/** workerd's resident memory (KiB), summed over its processes. */
function workerdKiB() {
  const out = execFileSync('ps', ['-eo', 'rss=,comm='], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.trim().endsWith('workerd'))
    .reduce((sum, l) => sum + Number(l.trim().split(/\s+/)[0]), 0);
}

/** A socket that resolves `waiters` when a message with their text arrives. */
async function socket(url) {
  const ws = new WebSocket(url);
  const waiters = new Map();
  ws.addEventListener('message', (e) => {
    for (const entry of JSON.parse(e.data).transcriptToShow ?? []) {
      waiters.get(entry[2])?.(performance.now());
      waiters.delete(entry[2]);
    }
  });
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', () => reject(new Error(`socket ${url} refused`)), { once: true });
  });
  return { ws, arrival: (text) => new Promise((resolve) => waiters.set(text, resolve)) };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ms = (t) => `${t.toFixed(1)} ms`;

const rt = await startRuntime();
try {
  const api = client(rt.base);
  await alwaysOpenService(api, 'chat-load', { preset: 'Chat Immediate', _max_chats_per_agent: '20', _enable_in_queue_checking: 'false' });
  const ws = rt.base.replace(/^http/, 'ws');
  const before = workerdKiB();
  const ids = [];
  for (let i = 0; i < CHATS; i++) ids.push((await api.post('/genesys/1/service/callback/chat-load', {})).body._id);
  const agents = [];
  for (let i = 0; i < AGENTS; i++) agents.push(await agent(api, `load-${i}`, ['chat-load']));
  await Promise.all(agents.map((a) => a.ready()));
  const held = new Map();
  const joined = await until(async () => {
    for (const a of agents) for (const c of (await a.status()).chats) held.set(c.callback._id, a);
    return held.size === CHATS;
  }, 120);
  if (!joined) throw new Error(`only ${held.size} of ${CHATS} chats were joined`);
  const pairs = [];
  for (const id of ids) {
    const a = held.get(id);
    pairs.push({
      id,
      customer: await socket(`${ws}/genesys/1/service/${id}/ixn/chat/ws?transcriptPosition=1`),
      agent: await socket(`${ws}/genesys/1/agent/chats/${id}/ws?from=1&access_token=${encodeURIComponent(a.token)}`),
    });
  }
  await new Promise((r) => setTimeout(r, 2000));
  const idle = workerdKiB();

  /** Every chat sends ROUNDS messages each way, `pause()` ms apart; prints both latencies. */
  const exchange = async (label, pause) => {
    const toCustomer = [];
    const toAgent = [];
    await Promise.all(pairs.map(async (p, n) => {
      const a = held.get(p.id);
      for (let round = 0; round < ROUNDS; round++) {
        await new Promise((r) => setTimeout(r, pause()));
        const down = `${label}a${n}.${round}`;
        const arrived = p.customer.arrival(down);
        const start = performance.now();
        await api.post(`/genesys/1/agent/chats/${p.id}/send`, { text: down }, { auth: a.auth });
        toCustomer.push((await arrived) - start);
        const up = `${label}c${n}.${round}`;
        const back = p.agent.arrival(up);
        const sent = performance.now();
        p.customer.ws.send(JSON.stringify({ type: 'message', text: up }));
        toAgent.push((await back) - sent);
      }
    }));
    for (const list of [toCustomer, toAgent]) list.sort((x, y) => x - y);
    console.log(`  ${label}: agent → customer (HTTP send → customer's socket): p50 ${ms(pct(toCustomer, 50))}, p99 ${ms(pct(toCustomer, 99))} (${toCustomer.length} messages)`);
    console.log(`  ${label}: customer → agent (socket → agent's socket):       p50 ${ms(pct(toAgent, 50))}, p99 ${ms(pct(toAgent, 99))} (${toAgent.length} messages)`);
  };
  console.log(`chat: ${CHATS} concurrent chats on one service, ${AGENTS} agents, ${ROUNDS} messages each way per chat`);
  // Steady: a message every 2 to 6 s per chat and direction, about 100 a second in all.
  await exchange('steady', () => 2000 + Math.random() * 4000);
  await exchange('burst', () => 0);
  console.log(`  memory: workerd ${(before / 1024).toFixed(0)} MiB before, ${(idle / 1024).toFixed(0)} MiB with ${CHATS} idle chats (2 sockets each): ${((idle - before) / CHATS).toFixed(0)} KiB per idle chat`);
  for (const p of pairs) { p.customer.ws.close(); p.agent.ws.close(); }
} finally {
  await rt.stop();
}
