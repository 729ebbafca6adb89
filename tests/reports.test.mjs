// Reports against the real Worker: callbacks driven through every outcome (connected, cancelled by
// the customer and by an admin, failed after attempts, expired, still open; scheduled ones dialled on
// time and late, by moving the service's clock), then every figure of the JSON and the CSV; the
// figures stay after the callbacks are purged and after an erase; the console's Reports view shows
// the same figures, axe-clean.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRuntime } from './support/runtime.mjs';
import { client, admin, alwaysOpenService, number, bucketIn } from './support/api.mjs';
import { agent } from './support/agent.mjs';
import { launch, shot, axe, supervisor } from './support/browser.mjs';

let rt, api, browser;
before(async () => {
  rt = await startRuntime();
  api = client(rt.base);
  browser = await launch();
});
after(async () => { await browser?.close(); await rt?.stop(); });

const day = 86_400_000;
const period = () => `from=${new Date(Date.now() - day).toISOString()}&to=${new Date(Date.now() + 4 * day).toISOString()}`;
const stats = async (query) => {
  const r = await api.get(`/genesys/1/admin/callback/stats?service_name=rep&${period()}&timezone=Europe/Paris${query ?? ''}`, { auth: admin });
  assert.equal(r.status, 200, r.text);
  return r.body;
};

/** The agent takes the next callback and reports `outcomes`; answered calls are ended. */
async function work(ada, outcomes) {
  const id = (await ada.offered()).callback._id;
  for (const outcome of outcomes) await ada.dialResult(id, outcome);
  if (outcomes.at(-1) === 'ANSWERED') await ada.end(id);
  return id;
}

test('every outcome, promises kept and late, in the JSON and the CSV; the figures outlive purge and erase', async () => {
  await alwaysOpenService(api, 'rep', {
    _request_execution_time_buffer: '0', _max_dial_attempts: '2', _dial_retry_timeout: '60', _ttl: '3600',
    _retention_days: '1', _enable_in_queue_checking: 'false', _request_time_bucket: '60',
  });
  const promised = bucketIn(180);
  const s1 = await api.create('rep', 1, { _desired_time: promised });
  const s2 = await api.create('rep', 2, { _desired_time: promised });
  const ada = await agent(api, 'rep-ada', ['rep']);
  await ada.ready();
  const i1 = await api.create('rep', 3);
  assert.equal(await work(ada, ['ANSWERED']), i1);
  const i2 = await api.create('rep', 4);
  assert.equal(await work(ada, ['NO_ANSWER']), i2);
  await api.advance('rep', 60_000);
  const retried = (await ada.offered()).callback._id;
  assert.equal(retried, i2);
  await ada.dialResult(i2, 'BUSY');
  await ada.notReady();
  await api.del(`/genesys/1/service/callback/rep/${await api.create('rep', 5)}`);
  const i4 = await api.create('rep', 6);
  assert.equal((await api.post('/genesys/1/admin/callback/cancel', { reason: 'CANCELLED_BY_ADMIN', ids: [i4] }, { auth: admin })).status, 200);
  const i5 = await api.create('rep', 7);
  const now = Date.parse((await api.advance('rep', 3_601_000)).now);
  assert.equal((await api.get(`/genesys/1/service/callback/rep/${i5}`)).status, 404, 'expired, and purged as GMS does');
  // The promised time comes; the first is dialled at once, the second ten minutes late.
  await api.advance('rep', Date.parse(promised) - now);
  await ada.ready();
  const first = (await ada.offered()).callback._id;
  await ada.notReady();
  await ada.dialResult(first, 'ANSWERED');
  await ada.end(first);
  await api.advance('rep', 600_000);
  await ada.ready();
  const second = await work(ada, ['ANSWERED']);
  assert.deepEqual([first, second].sort(), [s1, s2].sort());
  await ada.notReady();
  const i6 = await api.create('rep', 8);

  const body = await stats();
  assert.deepEqual([body.timezone, body.bucket], ['Europe/Paris', 'day']);
  const t = body.totals.rep;
  assert.deepEqual(
    [t.requested, t.immediate, t.scheduled, t.open, t.connected, t.cancelled, t.failed],
    [8, 6, 2, 1, 3, 2, { FAIL_CALL_TO_CUSTOMER: 1, FAIL_TIMEOUT_TTL: 1 }],
  );
  assert.deepEqual([t.attempts, t.answered, t.busy, t.no_answer, t.machine, t.abandoned], [5, 3, 1, 1, 0, 0]);
  assert.deepEqual([t.on_time, t.late, t.connect_rate], [1, 1, 0.6]);
  assert.ok(t.punctuality_s.median >= 0 && t.punctuality_s.median <= 5, JSON.stringify(t.punctuality_s));
  assert.ok(t.punctuality_s.p90 >= 600 && t.punctuality_s.p90 <= 610, JSON.stringify(t.punctuality_s));
  assert.ok(t.wait_to_first_attempt_s.median <= 5 && t.wait_to_first_attempt_s.p90 >= 600, JSON.stringify(t.wait_to_first_attempt_s));
  const rows = body.services.rep;
  assert.ok(rows.length >= 5 && rows.every((r) => /T00:00:00\+0[12]:00$/.test(r.start)), rows.map((r) => r.start).join());
  assert.equal(rows.reduce((n, r) => n + r.requested, 0), 8, 'each callback once, in the bucket of its creation');

  const csv = await api.get(`/genesys/1/admin/callback/stats?service_name=rep&${period()}&timezone=Europe/Paris`, { auth: admin, headers: { accept: 'text/csv' } });
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  const [head, ...lines] = csv.text.trim().split('\r\n');
  const columns = head.split(',');
  assert.deepEqual(columns.slice(0, 4), ['service', 'start', 'requested', 'immediate']);
  assert.equal(lines.length, rows.length);
  const cell = (line, name) => line.split(',')[columns.indexOf(name)];
  assert.equal(lines.reduce((n, l) => n + Number(cell(l, 'requested')), 0), 8);
  assert.equal(lines.reduce((n, l) => n + Number(cell(l, 'failed')), 0), 2);

  // Two days on, every finished callback is purged (retention 1 day) and the open one expired;
  // then the customer of i1 is erased. The figures stay; only i6 moved, from open to expired.
  await api.advance('rep', 2 * day);
  assert.equal((await api.get(`/genesys/1/service/callback/rep/${i1}`)).status, 404);
  assert.equal((await api.get(`/genesys/1/service/callback/rep/${i6}`)).status, 404, 'expired');
  assert.equal((await api.post('/genesys/1/admin/callback/erase', { _customer_number: number(3) }, { auth: admin })).status, 200);
  const later = (await stats()).totals.rep;
  assert.deepEqual(
    [later.requested, later.open, later.connected, later.cancelled, later.failed, later.attempts, later.on_time, later.late, later.connect_rate],
    [8, 0, 3, 2, { FAIL_CALL_TO_CUSTOMER: 1, FAIL_TIMEOUT_TTL: 2 }, 5, 1, 1, 0.5],
  );
  assert.deepEqual(later.punctuality_s, t.punctuality_s);
});

test('bad report queries are 400s that say what to change', async () => {
  const ask = (q) => api.get(`/genesys/1/admin/callback/stats?${q}`, { auth: admin });
  const cases = [
    ['from=yesterday&to=2026-12-01T00:00:00Z', /^from:/],
    ['from=2026-12-08T00:00:00Z&to=2026-12-01T00:00:00Z', /^from: must be before to/],
    ['from=2024-01-01T00:00:00Z&to=2026-12-01T00:00:00Z', /400 days/],
    ['from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z&bucket=hour', /hourly/],
    ['from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&bucket=week', /bucket/],
    ['from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&timezone=Mars/Olympus', /timezone/],
    ['from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&service_name=nowhere', /nowhere/],
  ];
  for (const [q, message] of cases) {
    const r = await ask(q);
    assert.equal(r.status, 400, q);
    assert.match(r.body.message, message, q);
  }
  assert.equal((await api.get('/genesys/1/admin/callback/stats?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z')).status, 401);
});

test('services come once each, in order of name, in the JSON and the CSV, however they are asked', async () => {
  await alwaysOpenService(api, 'rep-b');
  const q = `service_name=rep-b&service_name=rep&service_name=rep-b&${period()}&timezone=Europe/Paris`;
  const r = await api.get(`/genesys/1/admin/callback/stats?${q}`, { auth: admin });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.body.services), ['rep', 'rep-b']);
  assert.deepEqual(Object.keys(r.body.totals), ['rep', 'rep-b']);
  assert.equal(r.body.totals['rep-b'].requested, 0);
  const csv = await api.get(`/genesys/1/admin/callback/stats?${q}&format=csv`, { auth: admin });
  const services = csv.text.trim().split('\r\n').slice(1).map((line) => line.split(',')[0]);
  assert.deepEqual([...new Set(services)], ['rep', 'rep-b']);
  assert.equal(services.length, r.body.services.rep.length + r.body.services['rep-b'].length);
});

test('the Reports view shows the API figures as a chart and a table, and downloads the CSV', async () => {
  const { page, errors } = await supervisor(browser, rt.base, 'Reports', { acceptDownloads: true });
  await page.getByLabel('rep', { exact: true }).check();
  // The service's clock ran hours ahead: the dates around today, as the browser counts them.
  const [from, to] = await page.evaluate(() => [-1, 4].map((d) => {
    const t = new Date(Date.now() + d * 86_400_000);
    return `${t.getFullYear()}-${String(t.getMonth() + 1).padStart(2, '0')}-${String(t.getDate()).padStart(2, '0')}`;
  }));
  await page.getByLabel('Period').selectOption('chosen');
  await page.getByLabel('From').fill(from);
  await page.getByLabel('To').fill(to);
  await page.getByRole('button', { name: 'Show' }).click();
  const table = page.getByRole('table', { name: /Figures per day/ });
  await table.waitFor();
  const total = table.getByRole('row').filter({ hasText: 'Total' });
  const cells = await total.getByRole('cell').allTextContents();
  assert.ok(cells.length > 5, cells.join('|'));
  // As the API said after the first test's last moves: 8 requested, 3 connected, 2 cancelled, 3 failed, none open.
  assert.deepEqual(cells.slice(0, 5), ['8', '3', '2', '3', '0']);
  assert.equal(await table.getByRole('columnheader').last().textContent(), 'Abandoned calls');
  assert.equal(cells.at(-1), '0', 'no caller of the service\'s number hung up while waiting');
  await page.locator('svg.report-chart').first().waitFor();
  assert.match(await page.locator('svg.report-chart').first().getAttribute('aria-label'), /^8 requested, 3 connected, 3 failed, over \d+ days$/);
  assert.deepEqual(await axe(page, 'reports'), []);
  await shot(page, 'reports-view', { fullPage: true });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
  assert.match(download.suggestedFilename(), /\.csv$/);
  assert.deepEqual(errors, []);
});
