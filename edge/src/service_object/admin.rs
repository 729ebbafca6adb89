//! What administrators and servers ask across a service's callbacks: searches, queues, the
//! cancelled report, bulk cancels, and erasing a customer.

use super::configuration::View;
use super::guard::number_key;
use super::ServiceObject;
use crate::error::{ApiError, ApiResult};
use callback_shared::config::{CallbackService, ServiceKind};
use callback_shared::params::Params;
use callback_shared::phone;
use callback_shared::query::{Query, QueuesQuery};
use callback_shared::record::{Reason, State};
use callback_shared::scenario::{self, Actor, Effect, Event, Step};
use callback_shared::wire::{BulkCancelAnswer, Erased, Record};

/// Most records one property query answers.
const MAX_FOUND: usize = 1000;

impl ServiceObject {
    /// Property queries: every term must match (AND) or any (OR).
    pub(super) fn find(
        &self,
        pairs: &[(String, String)],
        service: &CallbackService,
    ) -> ApiResult<Vec<Record>> {
        let query = Query::parse(
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            &service.lookup_keys,
        )?;
        let base = self.store.base();
        Ok(self
            .store
            .matching(|c| query.matches(c), MAX_FOUND)?
            .iter()
            .map(|c| c.to_gms(&base))
            .collect())
    }

    /// Admin queues: callbacks of a time window in some states.
    pub(super) fn queues(&self, params: &Params) -> ApiResult<Vec<Record>> {
        let q = QueuesQuery::parse(params, self.now()).map_err(ApiError::InvalidParameter)?;
        let base = self.store.base();
        Ok(self
            .store
            .in_window(q.start, q.end, &q.states, q.max)?
            .iter()
            .map(|c| c.to_gms(&base))
            .collect())
    }

    pub(super) fn bulk_cancel(
        &self,
        ids: Vec<String>,
        service: &CallbackService,
    ) -> ApiResult<BulkCancelAnswer> {
        let now = self.now();
        let mut answer = BulkCancelAnswer::default();
        for id in ids {
            let outcome = match self.store.load(&id)? {
                None => Err("not found".to_string()),
                Some(c) => scenario::apply(&c, Event::AdminCancel, service, now, Actor::Admin)
                    .map_err(|e| e.to_string()),
            };
            match outcome {
                Ok(step) => {
                    self.record(&step)?;
                    answer.cancelled.push(id);
                }
                Err(why) => {
                    answer.failed.insert(id, why);
                }
            }
        }
        Ok(answer)
    }

    /// Erases what this service keeps about a customer number: its callbacks (open ones cancelled
    /// first, their notifications still sent, then deleted), their history, timers and idempotent
    /// answers, the counters of its creates; or, a request-access service, its holds.
    pub(super) fn erase(&self, view: &View, number: &str) -> ApiResult<Erased> {
        if view.config.kind(&view.name) == Some(ServiceKind::RequestAccess) {
            return Ok(Erased {
                holds: crate::access::erase(self.store.sql(), number)?,
                ..Erased::default()
            });
        }
        let service = view.callback()?;
        let number = phone::normalize(number, &service.phone)
            .map_err(|e| ApiError::InvalidParameter(format!("_customer_number: {e}")))?;
        let now = self.now();
        let mut erased = Erased::default();
        for callback in self.store.of_number(&number)? {
            let mut step = if callback.state() == State::Completed {
                Step {
                    callback,
                    effects: Vec::new(),
                    change: None,
                }
            } else {
                erased.cancelled = erased.cancelled.saturating_add(1);
                scenario::apply(&callback, Event::AdminCancel, &service, now, Actor::Admin)?
            };
            self.store.forget_answers(&step.callback.id)?;
            step.effects.push(Effect::Purge);
            self.record(&step)?;
            erased.callbacks = erased.callbacks.saturating_add(1);
        }
        erased.counters = self.store.forget_accepted("_customer_number", &number)?;
        self.rates.forget(&number_key(&number));
        Ok(erased)
    }

    /// Completed callbacks with a reason (default: both cancel reasons), as records.
    pub(super) fn report(&self, reason: Option<String>) -> ApiResult<Vec<Record>> {
        let wanted: Vec<Reason> = match reason {
            Some(text) => vec![text.parse().map_err(|_| {
                ApiError::InvalidParameter(format!(
                    "callback_reason: `{text}` is not a callback reason"
                ))
            })?],
            None => vec![Reason::Cancelled, Reason::CancelledByAdmin],
        };
        let base = self.store.base();
        Ok(self
            .store
            .completed_for(&wanted)?
            .iter()
            .map(|c| c.to_gms(&base))
            .collect())
    }
}
