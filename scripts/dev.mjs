// `make dev`: runs the Worker in workerd on http://127.0.0.1:8787 with state in .wrangler/state,
// seeds the demo services once it answers, and keeps running until interrupted.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe } from './configure.mjs';
import { basicAuth, seedDemo, seedDemoAgent } from './demo.mjs';

const base = 'http://127.0.0.1:8787';
const vars = Object.fromEntries(readFileSync('.dev.vars', 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => l.split(/=(.*)/s).slice(0, 2)));
const child = spawn('wrangler', ['dev', '--ip', '127.0.0.1', '--port', '8787', '--persist-to', '.wrangler/state'], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));

for (let i = 0; i < 240; i++) {
  try {
    const admin = basicAuth(vars.ADMIN_USER, vars.ADMIN_PASSWORD);
    const applied = await seedDemo(base, admin);
    if (applied.changes.length) console.log(`\nApplied callback.config.toml (the demo's configuration):\n${describe(applied.changes)}`);
    const token = await seedDemoAgent(base, admin);
    console.log(`\nCallback is running on ${base}
  demo page   ${base}/
  API docs    ${base}/docs.html   (OpenAPI: ${base}/openapi.json)
  console     ${base}/console.html   (supervisor: ${base}/console.html#supervisor)
  admin       ${vars.ADMIN_USER} / ${vars.ADMIN_PASSWORD} (from .dev.vars)
  demo agent  token ${token}   (a new one at each start)
  demo services: callback-web (scheduled or immediate), callback-now (immediate), callback-preview (agent preview)\n`);
    break;
  } catch (e) {
    if (!(e.cause?.code === 'ECONNREFUSED' || e.cause?.code === 'UND_ERR_SOCKET' || /fetch failed|cannot reach/.test(e.message))) {
      console.error(`demo seeding failed: ${e.message}`);
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
