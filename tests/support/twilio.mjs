// A local stand-in for Twilio Programmable Voice and Messaging, following its documented contract:
// the Calls and Messages resources (`POST /2010-04-01/Accounts/{AccountSid}/Calls.json`,
// `…/Messages.json`, Basic auth with the account SID and auth token, form fields, E.164 numbers,
// JSON answers and error codes as Twilio writes them, 21610 for a number that replied STOP),
// and the webhooks Twilio sends back, signed with `X-Twilio-Signature` (HMAC-SHA1 of the URL and
// the sorted POST parameters, base64). Tests drive each call: answer it (a person or a machine),
// report its progress, and read the TwiML the service answered. Calls to the service's number
// come in through its voice webhook; the caller presses keys for a `<Gather>` (posted to its
// `action`, resolved against the document that holds it), stays silent (the verbs after it),
// waits out a `<Pause>` at once, follows a `<Redirect>`, and hangs up (the number's status callback).
import { createServer } from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import { freePort } from './runtime.mjs';

export const ACCOUNT = `AC${'0123456789abcdef'.repeat(2)}`;
export const TOKEN = 'twilio-test-auth-token';
const E164 = /^\+[1-9]\d{7,14}$/;
/** Numbers Twilio answers 21211 for (its test number for an invalid 'To'). */
export const INVALID = '+15005550001';

/** Twilio's signature of a webhook to `url` with form `params`. */
export function twilioSignature(url, params, token = TOKEN) {
  const text = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return createHmac('sha1', token).update(text).digest('base64');
}

const sid = (prefix) => prefix + randomBytes(16).toString('hex');

export async function startTwilio() {
  const port = await freePort();
  const calls = [];
  const messages = [];
  /** Numbers that replied STOP to the account (Twilio then refuses to text them: 21610). */
  const optedOut = new Set();
  const requests = [];
  let mode = 'ok';
  const error = (res, status, code, message) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
  };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url });
      if (mode === 'down') return error(res, 503, 20503, 'Service Unavailable');
      const [path, query = ''] = req.url.split('?');
      const match = path.match(/^\/2010-04-01\/Accounts\/([^/]+)\/(Calls|Messages)\.json$/);
      if (!['GET', 'POST'].includes(req.method) || !match) return error(res, 404, 20404, 'The requested resource was not found');
      const [user, pass] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':');
      if (user !== ACCOUNT || pass !== TOKEN) return error(res, 401, 20003, 'Authenticate');
      if (match[1] !== ACCOUNT) return error(res, 404, 20404, 'The requested resource was not found');
      if (req.method === 'GET') {
        // The account's calls, newest first, filtered as Twilio filters To and From.
        const filter = new URLSearchParams(query);
        const listed = calls.filter((c) => (!filter.get('To') || c.to === filter.get('To')) && (!filter.get('From') || c.from === filter.get('From')))
          .reverse().slice(0, Number(filter.get('PageSize') ?? 50));
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({
          calls: listed.map((c) => ({ sid: c.sid, to: c.to, from: c.from, status: 'in-progress', date_created: c.created.toUTCString().replace('GMT', '+0000') })),
          page: 0, page_size: listed.length, uri: req.url,
        }));
      }
      if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return error(res, 400, 20001, 'Unsupported content type');
      const form = new URLSearchParams(body);
      const to = form.get('To') ?? '';
      const from = form.get('From') ?? '';
      if (!to) return error(res, 400, 21201, "No 'To' number is specified");
      if (!from) return error(res, 400, 21213, "No 'From' number is specified");
      if (!E164.test(to) || to === INVALID) return error(res, 400, 21211, `Invalid 'To' Phone Number: ${to}`);
      if (!E164.test(from)) return error(res, 400, 21212, `Invalid 'From' Phone Number: ${from}`);
      if (match[2] === 'Messages') {
        const text = form.get('Body') ?? '';
        if (!text) return error(res, 400, 21602, 'Message body is required');
        if (text.length > 1600) return error(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit');
        if (optedOut.has(to)) return error(res, 400, 21610, 'Attempt to send to unsubscribed recipient');
        const message = { sid: sid('SM'), to, from, body: text };
        messages.push(message);
        res.writeHead(201, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({
          sid: message.sid, account_sid: ACCOUNT, to, from, body: text, status: 'queued', direction: 'outbound-api',
          api_version: '2010-04-01', num_segments: String(Math.ceil(text.length / 153)), uri: `/2010-04-01/Accounts/${ACCOUNT}/Messages/${message.sid}.json`,
        }));
      }
      for (const field of ['Url', 'StatusCallback']) {
        if (!/^https?:\/\//.test(form.get(field) ?? '')) return error(res, 400, 21205, `${field} is not a valid URL`);
      }
      const timeout = form.get('Timeout');
      if (timeout !== null && !/^\d+$/.test(timeout)) return error(res, 400, 21218, 'Timeout must be an integer');
      const detection = form.get('MachineDetection');
      if (detection !== null && !['Enable', 'DetectMessageEnd'].includes(detection)) return error(res, 400, 21219, 'Invalid MachineDetection');
      const call = {
        sid: sid('CA'), to, from, url: form.get('Url'), statusCallback: form.get('StatusCallback'),
        events: form.getAll('StatusCallbackEvent'), timeout: Number(timeout ?? 60), machineDetection: detection, form, created: new Date(),
      };
      calls.push(call);
      // The call is placed, but its answer is lost on the way (a timeout, a reset connection).
      if (mode === 'lose-answers') return res.socket.destroy();
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        sid: call.sid, account_sid: ACCOUNT, to, from, status: 'queued', direction: 'outbound-api', api_version: '2010-04-01',
        date_created: new Date().toUTCString(), uri: `/2010-04-01/Accounts/${ACCOUNT}/Calls/${call.sid}.json`,
      }));
    });
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));

  /** POSTs a signed webhook as Twilio does; answers the status and the body (TwiML). */
  async function webhook(url, params, { signature } = {}) {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signature ?? twilioSignature(url, params),
        'user-agent': 'TwilioProxy/1.1',
        'i-twilio-idempotency-token': randomBytes(8).toString('hex'),
      },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, text: await res.text() };
  }
  const base = (call, more) => ({
    AccountSid: ACCOUNT, ApiVersion: '2010-04-01', CallSid: call.sid, From: call.from, To: call.to, Called: call.to,
    Caller: call.from, Direction: 'outbound-api', ...more,
  });

  return {
    api: `http://127.0.0.1:${port}`,
    calls,
    messages,
    optedOut,
    requests,
    /** 'ok', 'down' (every request answered 503) or 'lose-answers' (calls are placed, their
     * answers never arrive). */
    set(next) { mode = next; },
    /** The call is answered (by `answeredBy` when it detects machines): answers the TwiML. */
    answer(call, answeredBy = 'human', options) {
      const more = call.machineDetection ? { AnsweredBy: answeredBy } : {};
      return webhook(call.url, base(call, { CallStatus: 'in-progress', ...more }), options);
    },
    /** A status callback of `call` (or of a leg dialled from its TwiML: `url`). */
    status(call, CallStatus, { url = call.statusCallback, duration, signature } = {}) {
      const more = duration === undefined ? {} : { CallDuration: String(duration) };
      return webhook(url, base(call, { CallStatus, CallbackSource: 'call-progress-events', ...more }), { signature });
    },
    /** Follows a `<Redirect>` as Twilio would. */
    redirect(call, url) { return webhook(url, base(call, { CallStatus: 'in-progress' })); },
    /** The customer texts `body` to the service's number (Twilio's messaging webhook at `url`). */
    textIn(url, from, to, body) {
      return webhook(url, { AccountSid: ACCOUNT, ApiVersion: '2010-04-01', MessageSid: sid('SM'), SmsSid: sid('SM'), From: from, To: to, Body: body, NumMedia: '0' });
    },
    webhook,
    /** A call from `from` (a number, or `anonymous`) to the number whose voice webhook is `url`
     * and status callback `statusUrl`: answers the call, holding the TwiML it was last answered. */
    async callIn(url, statusUrl, from, to = '+15005550006') {
      const call = { sid: sid('CA'), from, to, url, twiml: '' };
      const params = (more) => ({
        AccountSid: ACCOUNT, ApiVersion: '2010-04-01', CallSid: call.sid, From: from, Caller: from, To: to, Called: to,
        Direction: 'inbound', CallStatus: 'in-progress', ...more,
      });
      const post = async (target, more = {}) => {
        const r = await webhook(target, params(more));
        if (r.status !== 200) throw new Error(`${target}: ${r.status} ${r.text}`);
        call.url = target;
        call.twiml = r.text;
        call.replay = () => post(target, more);
        return r.text;
      };
      const attr = (tag, name) => {
        const m = call.twiml.match(new RegExp(`<${tag}[^>]*\\s${name}="([^"]*)"`));
        return m && new URL(m[1].replaceAll('&amp;', '&'), call.url).toString();
      };
      /** `call.replay()` sends the last webhook again, as Twilio may. What the caller hears now: */
      call.heard = () => [...call.twiml.matchAll(/<Say[^>]*>([^<]*)<\/Say>/g)].map((m) => m[1].replaceAll('&apos;', "'").replaceAll('&amp;', '&')).join(' ');
      call.gathers = () => call.twiml.includes('<Gather');
      call.press = (digits) => {
        const action = attr('Gather', 'action');
        if (!action) throw new Error(`no <Gather> to press ${digits} for: ${call.twiml}`);
        return post(action, { Digits: digits, FinishedOnKey: digits.endsWith('#') ? '#' : '', msg: 'Gather End' });
      };
      /** Silence, or the end of a `<Pause>`: the next `<Redirect>` is followed. */
      call.next = () => {
        const [, target] = call.twiml.match(/<Redirect[^>]*>([^<]+)<\/Redirect>/) ?? [];
        if (!target) throw new Error(`nothing to follow: ${call.twiml}`);
        return post(new URL(target.replaceAll('&amp;', '&'), call.url).toString());
      };
      call.hangUp = () => webhook(statusUrl, params({ CallStatus: 'completed', CallDuration: '42' }));
      await post(url, { CallStatus: 'ringing' });
      return call;
    },
    stop: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}

/** The `<Dial>` of a TwiML answer: the number it rings and where that leg reports. */
export function dialOf(twiml) {
  const m = twiml.match(/<Number[^>]*statusCallback="([^"]+)"[^>]*>([^<]+)<\/Number>/);
  return m && { status: m[1].replaceAll('&amp;', '&'), number: m[2] };
}
