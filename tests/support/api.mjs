// A small client for the API under test.
import { basicAuth } from '../../scripts/demo.mjs';

export const admin = basicAuth('admin', 'admin');
/** Request options of a server (an IVR, a back office) with the local server key. */
export const server = { headers: { 'x-api-key': 'dev-server-key' } };

export function client(base) {
  async function call(method, path, { body, form, headers = {}, auth } = {}) {
    const h = { ...headers };
    if (auth) h.authorization = auth;
    let payload;
    if (form) {
      h['content-type'] = 'application/x-www-form-urlencoded';
      payload = new URLSearchParams(form).toString();
    } else if (body !== undefined) {
      h['content-type'] ??= 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const res = await fetch(`${base}${path}`, { method, headers: h, body: payload });
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: res.status, body: json, text, headers: res.headers };
  }
  return {
    call,
    get: (path, opts) => call('GET', path, opts),
    post: (path, body, opts = {}) => call('POST', path, { ...opts, body }),
    put: (path, body, opts = {}) => call('PUT', path, { ...opts, body }),
    del: (path, opts) => call('DELETE', path, opts),
    /** Creates a callback for `number(i)` in `service`; answers its id. Throws unless 200. */
    async create(service, i, extra = {}) {
      const r = await call('POST', `/genesys/1/service/callback/${service}`, { body: { _customer_number: number(i), ...extra } });
      if (r.status !== 200) throw new Error(`create in ${service}: ${r.status} ${r.text}`);
      return r.body._id;
    },
    /** A callback's record as its client reads it. */
    record: async (service, id) => (await call('GET', `/genesys/1/service/callback/${service}/${id}`)).body,
    /**
     * Moves service `name`'s clock `ms` forward and runs what is then due (timers, the outbox's
     * retries), instead of waiting for them; answers `{now, next, undelivered}`. Throws unless 200.
     */
    async advance(name, ms = 0) {
      const r = await call('POST', `/genesys/1/dev/clock/${name}`, { body: { advance_ms: ms }, auth: admin });
      if (r.status !== 200) throw new Error(`advance ${name}: ${r.status} ${r.text}`);
      return r.body;
    },
    /** PUTs a configuration section as admin; throws unless 200. */
    async section(name, options) {
      const r = await call('PUT', `/genesys/1/admin/config/${name}`, { body: options, auth: admin });
      if (r.status !== 200) throw new Error(`section ${name}: ${r.status} ${r.text}`);
      return r;
    },
  };
}

/** A 24x7 office and a callback service over it, with a generous client rate limit. */
export async function alwaysOpenService(api, name, options = {}) {
  await api.section('service.office-24x7', { _type: 'builtin', _service: 'office-hours', _timezone: 'Europe/Paris', _bh_regular1: 'Mon-Sun 00:00-24:00' });
  await api.section(`service.${name}`, {
    _type: 'ors', _service: 'callback', _business_hours_service: 'office-24x7', _default_country: 'FR',
    _client_rate_limit: '100000/60', _number_rate_limit: '100000/60', ...options,
  });
}

/** An always-open service whose callbacks desired at `desired` are submitted (QUEUED) in about `inSeconds`. */
export async function serviceDueIn(api, name, desired, inSeconds, extra = {}) {
  const buffer = Math.floor((Date.parse(desired) - Date.now()) / 1000) - inSeconds;
  await alwaysOpenService(api, name, { _request_execution_time_buffer: String(buffer), ...extra });
}

/** A French mobile number, distinct for each i. */
export const number = (i) => `+336${String(10000000 + i).slice(-8)}`;

/** The start of a 5-minute bucket about `minutes` from now (UTC ISO). */
export function bucketIn(minutes) {
  const t = new Date(Date.now() + minutes * 60_000);
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() - (t.getUTCMinutes() % 5));
  return t.toISOString();
}

export const EXC = 'com.genesyslab.gsg.services.callback.exceptions.';
