// Hosts the end-to-end files' runtimes in one long-lived process (scripts/e2e.sh starts it):
// loading wrangler costs more CPU than the Worker's own start, and on two cores the phase is
// CPU-bound. Each runtime is still its own workerd with its own state directory, started from
// wrangler.toml as `wrangler dev` starts it. A file reaches the host through
// CALLBACK_RUNTIME_HOST (runtime.mjs); without it a file starts `wrangler dev` itself.
//   POST /start {stateDir, vars, clockControl} → {base}     POST /stop {base} → 204
// Prints the host's URL on its first line of output.
import { createServer } from 'node:http';
import { join } from 'node:path';
import { root } from './runtime.mjs';

const { unstable_DevEnv: DevEnv } = await import(join(root, 'node_modules', 'wrangler', 'wrangler-dist', 'cli.js'));
const running = new Map();

async function start({ stateDir, vars = {}, clockControl = true }) {
  const bindings = Object.fromEntries(Object.entries(vars).map(([k, value]) => [k, { type: 'plain_text', value: String(value) }]));
  if (clockControl) bindings.CLOCK_CONTROL = { type: 'plain_text', value: 'on' };
  const env = new DevEnv();
  const loaded = new Promise((resolve) => env.once('reloadComplete', (e) => resolve(e.proxyData.userWorkerUrl)));
  const worker = await env.startWorker({
    config: join(root, 'wrangler.toml'),
    bindings,
    dev: { server: { hostname: '127.0.0.1', port: 0 }, inspector: false, persist: stateDir, watch: false, logLevel: 'warn' },
  });
  await worker.ready;
  // The Worker's own address, not wrangler's proxy in front of it: the proxy only serves reloads,
  // which tests never do, and passes each request through one more workerd.
  const { protocol, hostname, port } = await loaded;
  const base = `${protocol}//${hostname}:${port}`;
  running.set(base, worker);
  return { base };
}

async function stop({ base }) {
  const worker = running.get(base);
  running.delete(base);
  await worker?.dispose();
}

const server = createServer(async (req, res) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  try {
    const input = JSON.parse(body || '{}');
    if (req.method === 'POST' && req.url === '/start') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(await start(input)));
    } else if (req.method === 'POST' && req.url === '/stop') {
      await stop(input);
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  } catch (e) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e?.stack ?? e));
  }
});

const shutdown = async () => {
  await Promise.allSettled([...running.keys()].map((base) => stop({ base })));
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}`));
