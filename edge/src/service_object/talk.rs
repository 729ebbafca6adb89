//! Recording steps, and telling other objects what they asked ("decide, then talk"): every write
//! of a step goes through [`ServiceObject::record`], every word to another object after it
//! through [`ServiceObject::talk`].

use super::ServiceObject;
use crate::error::ApiResult;
use crate::internal::{self, AgentAsk, Hold, ServiceAsk};
use callback_shared::config::CallbackService;
use callback_shared::params::Params;
use callback_shared::record::{Callback, Reason, State};
use callback_shared::scenario::{self, Actor, Effect, Event, Step};
use callback_shared::wire::AgentAnswer;

/// What a step asks of other objects, done once its writes are made.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Talk {
    /// Something changed for this agent: their object syncs.
    Agent(String),
    /// A callback waits for an agent: wake the service's free ready agents.
    SeekAgents,
    /// User-originated: hold an access number for this callback.
    Access(String),
    /// A callback that held an access number ended: the number (and code) go back.
    Release(Hold),
}

/// The access number a callback holds (kept in its record), as what releases it.
fn held_by(callback: &Callback) -> Option<Hold> {
    Some(Hold {
        id: callback.id.clone(),
        number: callback.system.get("_access_number")?.clone(),
        code: callback
            .system
            .get("_access_code")
            .cloned()
            .unwrap_or_default(),
        expires: String::new(),
    })
}

impl ServiceObject {
    /// The phone of the agent the callback is reserved for (a telephony provider rings it), from
    /// the agent's object.
    pub(super) async fn agent_phone(&self, callback: &Callback) -> Option<String> {
        let agent = callback.phase.agent()?;
        let status: AgentAnswer = internal::ask_agent(&self.env, agent, &AgentAsk::Status)
            .await
            .ok()?;
        status.phone
    }

    /// Writes a step and notes what must be said to other objects about it.
    pub(super) fn record(&self, step: &Step) -> ApiResult<()> {
        self.store.save(step)?;
        let mut talks = self.talks.borrow_mut();
        for effect in &step.effects {
            match effect {
                Effect::ReleaseAgent { agent } | Effect::Offer { agent, .. } => {
                    talks.insert(Talk::Agent(agent.clone()));
                }
                Effect::SeekAgent => {
                    talks.insert(Talk::SeekAgents);
                }
                Effect::ProvideAccess => {
                    talks.insert(Talk::Access(step.callback.id.clone()));
                }
                Effect::SetTimer { .. }
                | Effect::ClearTimer(_)
                | Effect::Notify(_)
                | Effect::Text(_)
                | Effect::Dial { .. }
                | Effect::AskConfirm
                | Effect::Purge
                | Effect::Outcome(_)
                | Effect::ChatJoined { .. }
                | Effect::ChatEnded { .. } => {}
            }
        }
        // Its sockets hear of any change of a chat: an agent joined, it ended, it was erased.
        if step.callback.selectors.is_chat() {
            self.chats.borrow_mut().insert(step.callback.id.clone());
        }
        if let Some(agent) = step.callback.phase.agent() {
            talks.insert(Talk::Agent(agent.to_string()));
        }
        let ended = step
            .change
            .as_ref()
            .is_some_and(|c| c.to == State::Completed);
        if let Some(hold) = held_by(&step.callback).filter(|_| ended) {
            talks.insert(Talk::Release(hold));
        }
        Ok(())
    }

    /// Says what recorded steps asked. A word lost here is made good: agents' objects re-read
    /// their reservation whenever the agent asks for it.
    pub(super) async fn talk(&self, service: &CallbackService) -> ApiResult<()> {
        loop {
            let Some(talk) = self.talks.borrow_mut().pop_first() else {
                return Ok(());
            };
            let agents = match talk {
                Talk::Agent(agent) => vec![agent],
                Talk::SeekAgents => self.store.free_agents()?,
                Talk::Access(id) => {
                    self.provide_access(&id, service).await?;
                    continue;
                }
                Talk::Release(hold) => {
                    self.release(service, hold).await?;
                    continue;
                }
            };
            for agent in agents {
                if let Err(e) = internal::ask_agent::<()>(&self.env, &agent, &AgentAsk::Sync).await
                {
                    worker::console_warn!("agent {agent} not woken: {e}");
                }
            }
        }
    }

    /// Gives an access number back to the service's request-access service.
    pub(super) async fn release(&self, service: &CallbackService, hold: Hold) -> ApiResult<()> {
        internal::ask_service::<u32>(
            &self.env,
            &service.request_access_service,
            &self.store.origin(),
            &ServiceAsk::Release(hold),
        )
        .await
        .map(|_| ())
    }

    /// User-originated, the customer confirmed: hold an access number for them to call, and keep
    /// it in the record (`_access_number`, `_access_code`).
    async fn provide_access(&self, id: &str, service: &CallbackService) -> ApiResult<()> {
        let Some(asking) = self.store.load(id)? else {
            return Ok(());
        };
        let ask: Params = [
            ("_id".to_string(), id.to_string()),
            ("_customer_number".to_string(), asking.customer_number),
        ]
        .into();
        let answer = internal::ask_service::<Hold>(
            &self.env,
            &service.request_access_service,
            &self.store.origin(),
            &ServiceAsk::Hold(ask),
        )
        .await;
        // Decide again on what is stored now: a cancel or a timer may have come in during the
        // await, and writing the record read before it would undo them.
        let open = self
            .store
            .load(id)?
            .filter(|c| c.state() != State::Completed);
        match (answer, open) {
            (Ok(hold), Some(mut callback)) => {
                callback
                    .system
                    .insert("_access_number".to_string(), hold.number);
                if !hold.code.is_empty() {
                    callback
                        .system
                        .insert("_access_code".to_string(), hold.code);
                }
                self.store.save(&Step {
                    callback,
                    effects: Vec::new(),
                    change: None,
                })
            }
            // Ended meanwhile: the number goes back.
            (Ok(hold), None) => self.release(service, hold).await,
            (Err(e), Some(callback)) => {
                worker::console_error!("callback {id}: no access number: {e}");
                self.record(&scenario::apply(
                    &callback,
                    Event::Fail(Reason::FailError),
                    service,
                    self.now(),
                    Actor::System,
                )?)
            }
            (Err(_), None) => Ok(()),
        }
    }
}
