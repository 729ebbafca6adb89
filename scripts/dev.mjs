// `make dev`: runs the Worker in workerd with its state in .wrangler/state, adds the demo's
// services and agent where they are absent, and keeps running until interrupted. What operators
// made (services, agents, callbacks, changes to the demo's services) is kept across restarts.
// PORT (default 8787) and STATE (default .wrangler/state) choose another port or state folder.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { basicAuth, demoAgentToken, seedDemo } from './demo.mjs';

const port = process.env.PORT || '8787';
const state = process.env.STATE || '.wrangler/state';
const base = `http://127.0.0.1:${port}`;
const vars = Object.fromEntries(readFileSync('.dev.vars', 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => l.split(/=(.*)/s).slice(0, 2)));
const child = spawn('wrangler', ['dev', '--ip', '127.0.0.1', '--port', port, '--persist-to', state], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));

// The demo agent's token is kept beside the state (git-ignored), so a console signed in as the
// demo agent stays signed in across restarts.
const tokenFile = join(state, 'demo-agent.token');
const readToken = () => { try { return readFileSync(tokenFile, 'utf8').trim(); } catch { return undefined; } };

for (let i = 0; i < 240; i++) {
  try {
    const admin = basicAuth(vars.ADMIN_USER, vars.ADMIN_PASSWORD);
    const { added } = await seedDemo(base, admin);
    if (added.length) console.log(`\nAdded from callback.config.toml (the demo's configuration): ${added.join(', ')}`);
    const token = await demoAgentToken(base, admin, readToken());
    mkdirSync(state, { recursive: true });
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    console.log(`\nCallback is running on ${base}
  demo page   ${base}/
  API docs    ${base}/docs.html   (OpenAPI: ${base}/openapi.json)
  console     ${base}/console.html   (supervisor: ${base}/console.html#supervisor)
  admin       ${vars.ADMIN_USER} / ${vars.ADMIN_PASSWORD} (from .dev.vars)
  demo agent  token ${token}   (kept in ${tokenFile})
  demo services: callback-web (scheduled or immediate), callback-now (immediate), callback-preview (agent preview), chat-web (chat)
  state       ${state}: kept across restarts (delete it to start afresh)\n`);
    break;
  } catch (e) {
    if (!(e.cause?.code === 'ECONNREFUSED' || e.cause?.code === 'UND_ERR_SOCKET' || /fetch failed|cannot reach/.test(e.message))) {
      console.error(`demo seeding failed: ${e.message}`);
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
