// A GMS Chat API v1 client and chat sockets, for the chat tests.

/** A GMS Chat API v1 client: form-encoded POSTs under the chat's URL. */
export function gmsChat(api, startUrl) {
  const path = new URL(startUrl).pathname;
  const post = (op, form = {}) => api.call('POST', op ? `${path}/${op}` : path, { form });
  return {
    join: (form) => post('', form),
    send: (message) => post('send', { message }),
    refresh: (transcriptPosition) => post('refresh', { transcriptPosition }),
    startTyping: () => post('startTyping'),
    disconnect: () => post('disconnect'),
  };
}

/** A socket on a chat, keeping every entry it was sent, in order. */
export async function socket(url, headers) {
  const ws = new WebSocket(url, headers);
  const entries = [];
  const frames = [];
  ws.addEventListener('message', (e) => {
    const frame = JSON.parse(e.data);
    frames.push(frame);
    entries.push(...(frame.transcriptToShow ?? []));
  });
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', () => reject(new Error(`socket ${url} refused`)), { once: true });
  });
  return {
    ws, entries, frames,
    send: (msg) => ws.send(JSON.stringify(msg)),
    texts: () => entries.filter((e) => e[0] === 'Message.Text').map((e) => e[2]),
    close: () => ws.close(),
  };
}

export const indexes = (entries) => entries.map((e) => e[3]);
