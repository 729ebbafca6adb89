// A test receiver for webhooks (status notifications): records what it is sent, and on command
// answers 2xx, fails with 503, redirects elsewhere (307), stays silent (takes the request, never
// answers), or is down (not listening).
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { freePort } from './runtime.mjs';

const hmac = (secret, t, body) => createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');

/** The `X-Callback-Signature` of `body`, as a dialer signs its results. */
export function signature(body, secret, t = Math.floor(Date.now() / 1000)) {
  return `t=${t},v1=${hmac(secret, t, body)}`;
}

export async function startReceiver({ secret, port } = {}) {
  port ??= await freePort();
  const received = [];
  let mode = 'ok';
  let server;
  const silenced = [];
  const taken = { silently: 0, redirected: 0 };
  const listen = () => new Promise((resolve) => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        if (mode === 'silent') {
          silenced.push(res);
          taken.silently++;
          return;
        }
        if (mode === 'fail') {
          res.writeHead(503).end();
          return;
        }
        if (mode.startsWith('redirect ')) {
          taken.redirected++;
          res.writeHead(307, { location: mode.slice('redirect '.length) }).end();
          return;
        }
        const header = req.headers['x-callback-signature'] ?? '';
        const [, t, v1] = header.match(/^t=(\d+),v1=([0-9a-f]{64})$/) ?? [];
        const valid = !!t && hmac(secret, t, body) === v1;
        received.push({ body: JSON.parse(body), valid });
        res.writeHead(200).end('ok');
      });
    });
    server.listen(port, '127.0.0.1', resolve);
  });
  await listen();
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    /** How many requests it took while silent. */
    taken,
    /** 'ok', 'fail' (503), 'redirect <url>' (307), 'silent' (no answer) or 'down' (closed). */
    async set(next) {
      for (const res of silenced.splice(0)) res.socket?.destroy();
      if (next === 'down' && mode !== 'down') await new Promise((r) => { server.closeAllConnections?.(); server.close(r); });
      if (next !== 'down' && mode === 'down') await listen();
      mode = next;
    },
    async stop() { if (mode !== 'down') await new Promise((r) => { server.closeAllConnections?.(); server.close(r); }); },
  };
}
