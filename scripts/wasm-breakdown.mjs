// Where a WebAssembly module's bytes go: reads the function names that wasm-bindgen's output still
// carries (before wasm-opt strips them) and adds up each function body's size, by what it is for and
// by the crate that defines it, beside the data section.
// Sizes are before wasm-opt, so they overstate the shipped file a little; the shares are what matter.
// Run: node scripts/wasm-breakdown.mjs <file.wasm> [crates to list]
import { readFileSync } from 'node:fs';

const [file, lines = '10'] = process.argv.slice(2);
const bytes = readFileSync(file);
let at = 8;
const leb = () => {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return value;
  }
};
const skipName = () => { at += leb(); };
const sections = [];
while (at < bytes.length) {
  const id = bytes[at++];
  const size = leb();
  sections.push({ id, start: at, end: at + size });
  at += size;
}

let imported = 0;
const names = new Map();
const bodies = [];
let data = 0;
for (const s of sections) {
  at = s.start;
  if (s.id === 2) {
    for (let n = leb(); n > 0; n--) {
      skipName();
      skipName();
      const kind = bytes[at++];
      if (kind === 0) { leb(); imported++; } else if (kind === 1) { at++; if (leb() & 1) leb(); leb(); } else if (kind === 2) { if (leb() & 1) leb(); leb(); } else if (kind === 3) at += 2; else { leb(); }
    }
  } else if (s.id === 10) {
    for (let n = leb(), i = 0; i < n; i++) {
      const size = leb();
      bodies.push([imported + i, size]);
      at += size;
    }
  } else if (s.id === 11) {
    data = s.end - s.start;
  } else if (s.id === 0) {
    const nameLength = leb();
    if (bytes.toString('utf8', at, at + nameLength) !== 'name') continue;
    at += nameLength;
    while (at < s.end) {
      const sub = bytes[at++];
      const end = leb() + at;
      if (sub === 1) {
        for (let n = leb(); n > 0; n--) {
          const index = leb();
          const length = leb();
          names.set(index, bytes.toString('utf8', at, at + length));
          at += length;
        }
      }
      at = end;
    }
  }
}
if (names.size === 0) throw new Error(`${file} has no function names: give the file before wasm-opt`);

// A monomorphised function serves the most specific code its name mentions: `Vec<View<Li>>::extend`
// is there for a view, not for `alloc`.
const FAMILIES = [
  ['ours (widget, shared)', /\b(callback_widget|callback_shared)\b/],
  ['Leptos (tachys, reactive_graph, …)', /\b(leptos\w*|tachys|reactive_graph|reactive_stores|either_of|send_wrapper|guardian|slotmap|throw_error|any_spawner|oco_ref|server_fn|wasm_streams|gloo_\w+|or_poisoned)\b/],
  ['bindings (wasm-bindgen, js-sys, web-sys, futures)', /\b(wasm_bindgen\w*|js_sys|web_sys|futures_\w+)\b/],
  ['standard library (core, alloc, std, hashbrown, dlmalloc)', /\b(core|alloc|std|hashbrown|dlmalloc|compiler_builtins)\b/],
];
const byFamily = new Map([['(data: strings, tables)', data]]);
const byCrate = new Map();
for (const [index, size] of bodies) {
  const name = names.get(index) ?? '';
  const family = FAMILIES.find(([, pattern]) => pattern.test(name))?.[0] ?? 'other crates';
  byFamily.set(family, (byFamily.get(family) ?? 0) + size);
  const crate = name.match(/([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/)?.[1] ?? '(unnamed)';
  byCrate.set(crate, (byCrate.get(crate) ?? 0) + size);
}
const total = [...byFamily.values()].reduce((a, b) => a + b, 0);
const show = (map, count) => {
  const sorted = [...map].sort((a, b) => b[1] - a[1]);
  for (const [what, size] of sorted.slice(0, count)) {
    console.log(`  ${String(size).padStart(8)} B  ${(100 * size / total).toFixed(1).padStart(5)} %  ${what}`);
  }
};
console.log(`${file}: ${total} B of code and data before wasm-opt, by what each function is for`);
show(byFamily, byFamily.size);
console.log(`by the crate that defines each function (the largest ${lines}):`);
show(byCrate, Number(lines));
