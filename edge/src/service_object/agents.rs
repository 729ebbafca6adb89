//! What agents' objects ask of a service: readiness, reservations, and the agents' acts on their
//! callbacks.

use super::callbacks::outcome;
use super::ServiceObject;
use crate::error::{ApiError, ApiResult};
use crate::ids::CallbackId;
use crate::routes::AgentAction;
use callback_shared::config::CallbackService;
use callback_shared::create::decide_update;
use callback_shared::iso;
use callback_shared::params::Params;
use callback_shared::record::{Callback, Disposition, Phase};
use callback_shared::scenario::{self, Actor, Event, Timer};
use callback_shared::wire::{AgentOffer, Record};

impl ServiceObject {
    /// The agent's reservation, or else the next callback that seeks an agent, reserved for them:
    /// only a chat, and within `_max_chats_per_agent`, for an agent in `chats` chats already.
    pub(super) fn reserve(
        &self,
        agent: &str,
        chats: u32,
        service: &CallbackService,
    ) -> ApiResult<Option<AgentOffer>> {
        let next = || match chats {
            0 => self.store.next_seeking(false),
            n if n < service.scenario.max_chats_per_agent => self.store.next_seeking(true),
            _ => Ok(None),
        };
        let callback = match self.store.held_by(agent)? {
            Some(held) => Some(held),
            None => match next()? {
                Some(next) => {
                    let step = scenario::apply(
                        &next,
                        Event::AgentReserved {
                            agent: agent.to_string(),
                        },
                        service,
                        self.now(),
                        Actor::System,
                    )?;
                    self.record(&step)?;
                    Some(step.callback)
                }
                None => None,
            },
        };
        callback.map(|c| self.agent_offer(&c, service)).transpose()
    }

    /// An agent removed, or who left this service: not ready here, and what they held goes back.
    pub(super) fn agent_gone(&self, agent: &str, service: &CallbackService) -> ApiResult<()> {
        self.store.set_agent(agent, false, None)?;
        for held in self.store.holding(agent)? {
            let step =
                scenario::apply(&held, Event::AgentGone, service, self.now(), Actor::System)?;
            self.record(&step)?;
        }
        Ok(())
    }

    /// Callback `id` as its agent sees it, while it is still theirs.
    pub(super) fn held(
        &self,
        agent: &str,
        id: &str,
        service: &CallbackService,
    ) -> ApiResult<Option<AgentOffer>> {
        let held = self
            .store
            .load(id)?
            .filter(|c| c.phase.agent() == Some(agent));
        held.map(|c| self.agent_offer(&c, service)).transpose()
    }

    /// One of an agent's acts on their callback.
    pub(super) fn agent_act(
        &self,
        agent: &str,
        id: &str,
        action: AgentAction,
        p: &Params,
        service: &CallbackService,
    ) -> ApiResult<Record> {
        let now = self.now();
        let id = CallbackId::parse(id).ok_or_else(|| ApiError::UnknownCallback(id.to_string()))?;
        let callback = self.load(&id)?;
        let event = match action {
            AgentAction::Accept => Event::Accept,
            AgentAction::Reject => Event::Reject,
            AgentAction::DialResult => Event::DialResult(outcome(p)?),
            AgentAction::Connected => Event::Connected,
            AgentAction::End => Event::CallEnded,
            AgentAction::Disposition => Event::Disposition(
                Disposition::new(
                    p.get("code").map(String::as_str),
                    p.get("note").map(String::as_str),
                )
                .map_err(ApiError::InvalidParameter)?,
            ),
            AgentAction::Reschedule => {
                let required = || ApiError::InvalidParameter("_new_desired_time: required".into());
                let time = p
                    .get("_new_desired_time")
                    .filter(|t| !t.trim().is_empty())
                    .ok_or_else(required)?;
                let only_time: Params = [("_new_desired_time".to_string(), time.clone())].into();
                let (desired, bucket) =
                    decide_update(service, &callback, &only_time, now, &self.store)?
                        .reschedule
                        .ok_or_else(required)?;
                Event::Reschedule { desired, bucket }
            }
        };
        let step = scenario::apply(
            &callback,
            event,
            service,
            now,
            Actor::Agent(agent.to_string()),
        )?;
        self.record(&step)?;
        Ok(step.callback.to_gms(&self.store.base()))
    }

    /// A callback as its agent sees it.
    fn agent_offer(&self, callback: &Callback, service: &CallbackService) -> ApiResult<AgentOffer> {
        let record = callback.to_gms(&self.store.base());
        let keys = &service.scenario.agent_preview_data;
        let preview = if keys.is_empty() {
            let mut all = callback.user_data.clone();
            all.insert("_customer_number".into(), callback.customer_number.clone());
            all
        } else {
            keys.iter()
                .filter_map(|k| Some((k.clone(), record.get(k)?.clone())))
                .collect()
        };
        let timer = match callback.phase {
            Phase::Offered { .. } => Some(Timer::Offer),
            Phase::Confirming { .. } => Some(Timer::Confirm),
            Phase::Disposition { .. } => Some(Timer::Disposition),
            _ => None,
        };
        let deadline = timer
            .map(|t| self.store.timer_due(&callback.id, t))
            .transpose()?
            .flatten()
            .map(iso::format);
        Ok(AgentOffer {
            callback: record,
            preview,
            deadline,
            dialer: service.scenario.places_calls(),
            disposition: service.scenario.enable_disposition,
        })
    }
}
