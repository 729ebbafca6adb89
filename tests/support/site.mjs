// A website on another origin than the Callback host, as real embedding sites are: it serves
// its own pages under its own Content-Security-Policy and, for a site that hosts the widget's
// files itself, a copy of www/widget/ under /widget/.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize, extname } from 'node:path';
import { freePort, root } from './runtime.mjs';

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.html': 'text/html; charset=utf-8' };

/** The CSP the embedding guide tells a site to write, for a widget from `callbackHost` (styles: the
 * site's own only, the widget's stylesheet comes inside its script); `sockets: false` leaves out
 * the chat's socket (the chat then polls). */
export function guideCsp(callbackHost, { selfHosted = false, sockets = true } = {}) {
  const from = selfHosted ? '' : ` ${callbackHost}`;
  const socket = sockets ? ` ${callbackHost.replace(/^http/, 'ws')}` : '';
  return `default-src 'self'; script-src 'self'${from} 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self' ${callbackHost}${socket}; img-src 'self' data:; object-src 'none'; base-uri 'none'`;
}

/** A host page: `body` is the page's HTML body (its widget tag among it). */
export function hostHtml(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><link rel="icon" href="data:,"></head>
<body><h1>${title}</h1><p><a href="#top">A link of the site</a></p>${body}</body></html>`;
}

/** Starts the site on `http://localhost:<port>` (another host and port than the API's 127.0.0.1). */
export async function startSite() {
  const port = await freePort();
  const pages = new Map();
  const widgetDir = join(root, 'www', 'widget');
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const page = pages.get(path);
    if (page) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': page.csp });
      return res.end(page.html);
    }
    if (path.startsWith('/widget/')) {
      const file = normalize(join(widgetDir, path.slice('/widget/'.length)));
      if (file.startsWith(widgetDir)) {
        try {
          const bytes = await readFile(file);
          res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
          return res.end(bytes);
        } catch { /* not there: 404 below */ }
      }
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    origin: `http://localhost:${port}`,
    /** Serves `html` at `path` under `csp`; answers the page's address. */
    page(path, html, csp) {
      pages.set(path, { html, csp });
      return `http://localhost:${port}${path}`;
    },
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}
