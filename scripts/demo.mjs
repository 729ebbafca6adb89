// The demo's configuration, applied through the admin API (idempotent: PUT replaces a section).
export const demoSections = {
  'service.office-paris': {
    _type: 'builtin', _service: 'office-hours', _timezone: 'Europe/Paris',
    _bh_regular1: 'Mon-Fri 08:00-20:00', _bh_regular2: 'Sat 09:00-13:00',
    _holiday1: '12-25', _holiday2: '01-01',
  },
  'service.capacity-paris': {
    _type: 'builtin', _service: 'capacity', _timezone: 'Europe/Paris',
    ...Object.fromEntries([1, 2, 3, 4, 5].map((d) => [`_capacity_${d}`, JSON.stringify({ [d]: {
      '0800': 2, '0900': 4, '1000': 4, '1100': 3, '1200': 1, '1300': 1, '1400': 3, '1500': 4, '1600': 4, '1700': 3, '1800': 2, '1900': 1,
    } })])),
    _capacity_6: JSON.stringify({ 6: { '0900': 2, '1000': 3, '1100': 3, '1200': 1 } }),
    _capacity_add: '{}',
  },
  'service.callback-web': {
    _type: 'ors', _service: 'callback', _call_direction: 'USERTERMINATED',
    _business_hours_service: 'office-paris', _capacity_service: 'capacity-paris',
    _request_time_bucket: '15', _default_country: 'FR', _reject_future_desired_time: '1M',
  },
  'service.callback-now': {
    _type: 'ors', _service: 'callback', _call_direction: 'USERTERMINATED',
    _business_hours_service: 'office-paris', _enable_reject_out_of_office_hours: 'true',
    // Immediate only: no bucket can be booked.
    _max_request_by_time_bucket: '0', _default_country: 'FR',
  },
  'service.callback-preview': {
    _type: 'ors', _service: 'callback', _call_direction: 'USERTERMINATED',
    _wait_for_agent: 'true', _agent_preview: 'true', _userterminated_first_connect_party: 'AGENT',
    _agent_preview_allow_reject: '2', _enable_disposition_dialog: 'true',
    _business_hours_service: 'office-paris', _capacity_service: 'capacity-paris', _request_time_bucket: '15', _default_country: 'FR',
  },
};

/** The demo's agent: serves every demo service. */
export const demoAgent = { id: 'demo-agent', name: 'Camille (demo agent)', services: ['callback-web', 'callback-now', 'callback-preview'] };

export function basicAuth(user, password) {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** PUTs every demo section; throws with the server's message on a refusal. */
export async function seedDemo(base, authorization) {
  for (const [section, options] of Object.entries(demoSections)) {
    const res = await fetch(`${base}/genesys/1/admin/config/${section}`, {
      method: 'PUT', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(options),
    });
    if (res.status !== 200) throw new Error(`seeding ${section}: ${res.status} ${await res.text()}`);
  }
}

/** Creates the demo agent, or gives it a new token (only a new token is ever shown); answers the token. */
export async function seedDemoAgent(base, authorization) {
  const { id, name, services } = demoAgent;
  const res = await fetch(`${base}/genesys/1/admin/agents/${id}`, {
    method: 'PUT', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ name, services, rotate_token: true }),
  });
  if (res.status !== 200) throw new Error(`seeding agent ${id}: ${res.status} ${await res.text()}`);
  return (await res.json()).token;
}
