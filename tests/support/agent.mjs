// Agents for tests: configured through the admin API, then acting with their bearer token.
import { admin } from './api.mjs';
import { until } from './wait.mjs';

/** Creates (or changes) agent `id` serving `services` (and `more`: their phone); answers a client
 * acting as that agent. */
export async function agent(api, id, services, name = id, more = {}) {
  const put = await api.put(`/genesys/1/admin/agents/${id}`, { name, services, ...more }, { auth: admin });
  if (put.status !== 200 || !put.body.token) throw new Error(`agent ${id}: ${put.status} ${put.text}`);
  const auth = `Bearer ${put.body.token}`;
  const act = async (path, body = {}) => api.post(`/genesys/1/agent/${path}`, body, { auth });
  const me = {
    token: put.body.token,
    auth,
    ready: () => act('ready'),
    notReady: () => act('not-ready'),
    status: async () => (await api.get('/genesys/1/agent/offer', { auth })).body,
    /** Waits until the agent holds a callback (optionally in `phase`); answers the offer. */
    async offered(phase, seconds = 10) {
      let offer;
      const ok = await until(async () => {
        offer = (await me.status())?.offer;
        return offer && (!phase || offer.callback._phase === phase);
      }, seconds);
      if (!ok) throw new Error(`agent ${id}: no offer${phase ? ` in phase ${phase}` : ''} within ${seconds} s (last: ${JSON.stringify(offer)})`);
      return offer;
    },
    accept: (cb) => act(`offer/${cb}/accept`),
    reject: (cb) => act(`offer/${cb}/reject`),
    dialResult: (cb, outcome) => act(`callbacks/${cb}/dial-result`, { outcome }),
    connected: (cb) => act(`callbacks/${cb}/connected`),
    end: (cb) => act(`callbacks/${cb}/end`),
    disposition: (cb, code, note = '') => act(`callbacks/${cb}/disposition`, { code, note }),
    reschedule: (cb, time) => act(`callbacks/${cb}/reschedule`, { _new_desired_time: time }),
  };
  return me;
}
