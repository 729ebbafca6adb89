// A CPU profile of one workerd isolate through its DevTools inspector, summed by where the time
// goes: the Worker's WebAssembly, its JavaScript glue, the runtime (SQLite's `exec`, I/O,
// everything outside JavaScript), and the functions that take most. Figures, not pass/fail.

/** Profiles the isolate at `wsUrl` (its DevTools address) while `work()` runs; answers the
 * samples summed: `{ busy, where, self }` in µs, `where` and `self` as [name, µs] most first. */
export async function profile(wsUrl, work) {
  const ws = new WebSocket(wsUrl);
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  let next = 0;
  const pending = new Map();
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (pending.has(msg.id)) { pending.get(msg.id)(msg.result); pending.delete(msg.id); }
  };
  const send = (method, params = {}) => new Promise((resolve) => {
    const id = ++next;
    pending.set(id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 200 });
  await send('Profiler.start');
  const result = await work();
  const { profile: p } = await send('Profiler.stop');
  ws.close();
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const where = new Map();
  let busy = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    const { functionName, url: file } = byId.get(id).callFrame;
    const name = functionName || '(anonymous)';
    if (name === '(idle)') return;
    const kind = name.startsWith('(') ? name
      : /wasm/.test(file) || /^\$|wasm-function/.test(name) ? 'WebAssembly'
        : 'JavaScript (glue, runtime APIs)';
    const key = `${name} ${file.split('/').pop()}`;
    where.set(kind, (where.get(kind) ?? 0) + dt);
    self.set(key, (self.get(key) ?? 0) + dt);
    busy += dt;
  });
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]);
  return { result, busy, where: sorted(where), self: sorted(self) };
}

/** Prints a profile's shares, and its time per unit of work when `per` units ran. */
export function printProfile({ busy, where, self }, per, unit) {
  console.log(`the isolate's CPU not idle: ${(busy / 1000).toFixed(0)} ms, ${(busy / 1000 / per).toFixed(2)} ms per ${unit}`);
  console.log('where the CPU time goes (share of non-idle samples):');
  for (const [kind, t] of where) console.log(`  ${(100 * t / busy).toFixed(1).padStart(5)} %  ${kind}`);
  console.log('the functions that take most (self time):');
  for (const [name, t] of self.slice(0, 15)) console.log(`  ${(100 * t / busy).toFixed(1).padStart(5)} %  ${name}`);
}
