#!/usr/bin/env node
// Configuration as code: applies a callback.config.toml to a deployment, or exports one.
// `node scripts/configure.mjs --help` (or `make configure`) says how. The file is checked here for
// its shape, then by the deployment with the admin API's own rules (POST …/configuration/plan,
// which changes nothing); an apply sends the whole file at once (PUT …/configuration), so every
// change lands or none.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, TomlError } from 'smol-toml';

const USAGE = `Usage: node scripts/configure.mjs [--file F] [--apply | --export] <url>
       make configure URL=<url> [FILE=F] [ARGS=--apply | ARGS=--export]

  (default)   show what applying the file would change, and change nothing
  --apply     apply the file: every change lands or none
  --export    write the live configuration to the file (secrets as { keep = true })
  --file F    the configuration file (default: callback.config.toml)

Credentials come from the environment: CALLBACK_ADMIN_USER and CALLBACK_ADMIN_PASSWORD (the
deployment's ADMIN_USER and ADMIN_PASSWORD secrets). Exits 1 on any error, 0 otherwise.`;

const SECRET_OPTIONS = ['_webhook_secret'];
const API = '/genesys/1/admin/configuration';

/** A problem with the file or the deployment, said as is (no stack trace). */
export class ConfigureError extends Error {}

/** The file's tables → the body of a plan (`{sections, agents}`); `live` answers `{ keep = true }`. */
export function declaredOf(text, file, live = { sections: {} }) {
  let doc;
  try {
    doc = parse(text);
  } catch (e) {
    if (e instanceof TomlError) throw new ConfigureError(`${file}:${e.line}:${e.column}: ${e.message.split('\n')[0]}`);
    throw e;
  }
  const problems = [];
  const say = (table, option, message) => problems.push(`${file}: [${table}] ${option}: ${message}`);
  const sections = {};
  let agents;
  for (const [key, value] of Object.entries(doc)) {
    if (!isTable(value)) {
      say(key, key, 'expected a table: [callback], [capacity], [service.<name>] or [agents.<id>]');
    } else if (key === 'callback' || key === 'capacity') {
      sections[key] = options(key, value, live, say);
    } else if (key === 'service' || key === 'agents') {
      for (const [name, table] of Object.entries(value)) {
        const path = `${key}.${name}`;
        if (!isTable(table)) say(path, name, 'expected a table of options');
        else if (key === 'service') sections[path] = options(path, table, live, say);
        else (agents ??= {})[name] = agent(path, table, say);
      }
      if (key === 'agents') agents ??= {};
    } else {
      say(key, key, 'unknown table: use [callback], [capacity], [service.<name>] or [agents.<id>]');
    }
  }
  if (problems.length) throw new ConfigureError(problems.join('\n'));
  return agents ? { sections, agents } : { sections };
}

function isTable(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A section's options as the strings GMS options are; numbers and booleans are written as text. */
function options(table, values, live, say) {
  const out = {};
  for (const [option, value] of Object.entries(values)) {
    if (typeof value === 'string') out[option] = value;
    else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') out[option] = String(value);
    else if (isTable(value) && typeof value.env === 'string' && Object.keys(value).length === 1) {
      if (process.env[value.env] === undefined) say(table, option, `the environment has no ${value.env}`);
      else out[option] = process.env[value.env];
    } else if (isTable(value) && value.keep === true && Object.keys(value).length === 1) {
      const kept = live.sections?.[table]?.[option];
      if (kept === undefined) say(table, option, '{ keep = true } but the deployment has no value to keep: give one with { env = "NAME" }');
      else out[option] = kept;
    } else {
      say(table, option, 'expected a string, a number, a boolean, { env = "NAME" } or { keep = true }');
    }
  }
  return out;
}

function agent(table, values, say) {
  const known = { name: values.name, services: values.services ?? [], phone: values.phone };
  for (const key of Object.keys(values)) {
    if (!(key in known)) say(table, key, 'unknown: an agent has a name, services and a phone (their token is never in a file)');
  }
  if (typeof known.name !== 'string') say(table, 'name', 'expected a string');
  if (known.phone === undefined) delete known.phone;
  else if (typeof known.phone !== 'string') say(table, 'phone', 'expected a string: "+33612345678"');
  if (!Array.isArray(known.services) || known.services.some((s) => typeof s !== 'string')) {
    say(table, 'services', 'expected a list of service names: ["callback-web", …]');
  }
  return known;
}

/** The live configuration as a file: secrets are `{ keep = true }`, never their values. */
export function tomlOf(live, source) {
  const lines = [
    `# Callback configuration, exported from ${source} (version ${live.version}).`,
    '# Options are GMS options (API.md); agents have a name, services and a phone, their tokens are never here.',
    '# Secrets stay on the deployment ({ keep = true }) or come from the environment ({ env = "NAME" }).',
  ];
  const table = (name, entries) => {
    lines.push('', `[${name}]`);
    for (const [key, value] of Object.entries(entries)) lines.push(`${tomlKey(key)} = ${value}`);
  };
  for (const [name, opts] of Object.entries(live.sections)) {
    const header = name.startsWith('service.') ? `service.${tomlKey(name.slice('service.'.length))}` : tomlKey(name);
    table(header, Object.fromEntries(Object.entries(opts).map(([k, v]) => [k, SECRET_OPTIONS.includes(k) ? '{ keep = true }' : tomlString(v)])));
  }
  for (const [id, a] of Object.entries(live.agents ?? {})) {
    const phone = a.phone ? { phone: tomlString(a.phone) } : {};
    table(`agents.${tomlKey(id)}`, { name: tomlString(a.name), services: `[${a.services.map(tomlString).join(', ')}]`, ...phone });
  }
  return `${lines.join('\n')}\n`;
}

const tomlKey = (key) => (/^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key));
// JSON inside an option (capacity tables) reads better in a literal string, where `"` is plain.
const tomlString = (s) => (/^[^'\n\r\t\u0000-\u001f\u007f]*"[^'\n\r\u0000-\u001f\u007f]*$/.test(s) ? `'${s}'` : JSON.stringify(s));

/** Calls the admin API; a refusal becomes a ConfigureError with the deployment's message. */
export async function call(base, authorization, method, path, body) {
  let res;
  try {
    res = await fetch(new URL(path, base), {
      method,
      headers: { authorization, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (e) {
    throw new ConfigureError(`cannot reach ${base}: ${e.cause?.message ?? e.message}`);
  }
  const text = await res.text();
  let answer;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new ConfigureError(`${method} ${path}: ${res.status}, not the Callback API (${text.slice(0, 100)})`);
  }
  if (!res.ok) throw Object.assign(new ConfigureError(answer.message ?? `${res.status}`), { status: res.status });
  return answer;
}

/** The plan, one line a change (secrets' values are hidden by the deployment). */
export function describe(changes) {
  if (!changes.length) return 'No changes: the deployment already has this configuration.';
  const sign = { add: '+', change: '~', remove: '-' };
  const count = (action) => changes.filter((c) => c.action === action).length;
  const lines = [`${count('add')} to add, ${count('change')} to change, ${count('remove')} to remove:`];
  for (const c of changes) {
    lines.push(`${sign[c.action]} [${c.table}]`);
    if (c.action === 'remove') continue;
    for (const o of c.options) {
      if (o.before === undefined) lines.push(`    + ${o.option} = ${JSON.stringify(o.after)}`);
      else if (o.after === undefined) lines.push(`    - ${o.option} (was ${JSON.stringify(o.before)})`);
      else lines.push(`    ~ ${o.option}: ${JSON.stringify(o.before)} → ${JSON.stringify(o.after)}`);
    }
  }
  return lines.join('\n');
}

/**
 * Plans the file against the deployment and, with `apply`, applies it. Answers the plan's (or
 * the apply's) answer: `{version, applied, changes}`. Problems the deployment finds are named
 * with the file.
 */
export async function configure({ base, authorization, file, apply = false }) {
  const text = readFileSync(file, 'utf8');
  const live = await call(base, authorization, 'GET', API);
  const declared = declaredOf(text, file, live);
  const named = (e) => {
    if (e.status === 400) e.message = e.message.split('\n').map((line) => `${file}: ${line}`).join('\n');
    return e;
  };
  const body = { ...declared, version: live.version };
  const plan = await call(base, authorization, 'POST', `${API}/plan`, body).catch((e) => { throw named(e); });
  if (!apply || !plan.changes.length) return plan;
  return call(base, authorization, 'PUT', API, body).catch((e) => { throw named(e); });
}

/** Writes the live configuration to `file`. */
export async function exportTo({ base, authorization, file }) {
  const live = await call(base, authorization, 'GET', API);
  writeFileSync(file, tomlOf(live, base));
  return live;
}

async function main(argv) {
  const args = { file: 'callback.config.toml', apply: false, export: false };
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--apply') args.apply = true;
    else if (a === '--export') args.export = true;
    else if (a === '--file') args.file = argv[++i];
    else if (a.startsWith('--file=')) args.file = a.slice('--file='.length);
    else if (a === '--help' || a === '-h') return console.log(USAGE);
    else if (a.startsWith('-')) throw new ConfigureError(`unknown option ${a}\n\n${USAGE}`);
    else rest.push(a);
  }
  if (rest.length !== 1 || !args.file) throw new ConfigureError(`say which deployment: a URL such as https://callback.example.com\n\n${USAGE}`);
  if (args.apply && args.export) throw new ConfigureError('--apply and --export do opposite things: choose one');
  let base;
  try {
    base = new URL(rest[0]).origin;
  } catch {
    throw new ConfigureError(`not a URL: ${rest[0]}`);
  }
  const { CALLBACK_ADMIN_USER: user, CALLBACK_ADMIN_PASSWORD: password } = process.env;
  if (!user || !password) throw new ConfigureError('set CALLBACK_ADMIN_USER and CALLBACK_ADMIN_PASSWORD (the deployment\'s admin credentials)');
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  if (args.export) {
    const live = await exportTo({ base, authorization, file: args.file });
    console.log(`Wrote ${args.file}: ${Object.keys(live.sections).length} sections, ${Object.keys(live.agents ?? {}).length} agents (version ${live.version}).`);
    return;
  }
  const answer = await configure({ base, authorization, file: args.file, apply: args.apply });
  console.log(`${args.file} against ${base} (version ${answer.version}):`);
  console.log(describe(answer.changes));
  if (answer.applied) {
    console.log(`Applied: the deployment is at version ${answer.version}.`);
    const added = answer.changes.filter((c) => c.action === 'add' && c.table.startsWith('agents.'));
    if (added.length) console.log(`New agents have no token yet: PUT /genesys/1/admin/agents/{id} with "rotate_token": true answers one, once: ${added.map((c) => c.table.slice(7)).join(', ')}.`);
  } else if (answer.changes.length) {
    console.log('Nothing was changed. Run again with --apply to make these changes.');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e instanceof ConfigureError ? `configure: ${e.message}` : e);
    process.exit(1);
  });
}
