//! A callback's life through the public API: create, read, update, cancel, confirm, its history,
//! and the dialer's results.

use super::guard::number_key;
use super::ServiceObject;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::ids::{random16, CallbackId};
use crate::internal::{self, Hold, ServiceAsk};
use callback_shared::config::CallbackService;
use callback_shared::create::{
    self, decide_create, decide_update, throttled_parameters, CreatePlan,
};
use callback_shared::iso::Shift;
use callback_shared::params::Params;
use callback_shared::record::State;
use callback_shared::scenario::{self, Actor, DialOutcome, Event, Step};
use callback_shared::wire::{CreateAnswer, EventsAnswer, Record};
use chrono::Duration;
use worker::{Request, Response};

/// Who acts in the state machine for a caller of the public API.
fn actor(caller: Caller) -> Actor {
    match caller {
        Caller::Admin => Actor::Admin,
        Caller::Public | Caller::Server => Actor::Customer,
    }
}

impl ServiceObject {
    pub(super) async fn create(
        &self,
        req: &mut Request,
        service: &CallbackService,
        caller: Caller,
    ) -> ApiResult<Response> {
        let body = internal::body(req).await?;
        let mut params = http::body_params(&http::content_type(req), &body)?;
        if caller == Caller::Public {
            // When the caller entered the queue is an IVR's word, not a browser's: it would jump
            // the queue.
            params.remove("_call_entered_time");
        }
        let plan = create::plan(service, &params, self.now())?;
        if caller == Caller::Public && !plan.number.is_empty() {
            self.rates
                .hit(&number_key(&plan.number), service.limits.number_rate)?;
        }
        let key = http::header(req, "idempotency-key");
        if key.as_ref().is_some_and(|k| k.len() > 200) {
            return Err(ApiError::InvalidParameter(
                "Idempotency-Key: at most 200 characters".into(),
            ));
        }
        let id = CallbackId::new(&service.name, random16());
        // User-originated and immediate: the customer will dial an access number, held first
        // (the one `await`), so that the decision below stays atomic.
        let held = if plan.needs_access {
            let mut ask = params.clone();
            ask.insert("_id".into(), id.text.clone());
            // Held under the normalised number, so that a match by the caller's ANI finds it.
            if !plan.number.is_empty() {
                ask.insert("_customer_number".into(), plan.number.clone());
            }
            let hold = internal::ask_service::<Hold>(
                &self.env,
                &service.request_access_service,
                &http::own_origin(req)?,
                &ServiceAsk::Hold(ask),
            )
            .await
            .map_err(|e| match e {
                ApiError::ServiceUnavailable(_) => e,
                _ => ApiError::ServiceUnavailable(format!(
                    "Service {} has no request-access service {}.",
                    service.name, service.request_access_service
                )),
            })?;
            Some(hold)
        } else {
            None
        };
        let decided = self.decide_and_record(
            &body,
            &params,
            &plan,
            key.as_deref(),
            &id,
            service,
            caller,
            held.as_ref(),
        );
        if let (Some(hold), Err(_) | Ok((_, true))) = (held, &decided) {
            // Refused, or answered from an earlier request: the number goes back.
            self.release(service, hold).await?;
        }
        let (text, _) = decided?;
        http::text_response(text, "application/json; charset=utf-8", 200)
    }

    /// The synchronous part of a create: idempotency, decision, record. Answers the JSON answer and
    /// whether it was an earlier request's.
    #[allow(
        clippy::too_many_arguments,
        reason = "one create's parts, read once by `create`"
    )]
    pub(super) fn decide_and_record(
        &self,
        body: &str,
        params: &Params,
        plan: &CreatePlan,
        key: Option<&str>,
        id: &CallbackId,
        service: &CallbackService,
        caller: Caller,
        held: Option<&Hold>,
    ) -> ApiResult<(String, bool)> {
        let now = self.now();
        if let Some(key) = key {
            if let Some(first) = self.store.idempotent(key, now)? {
                if first.body != body {
                    return Err(ApiError::IdempotencyConflict);
                }
                return Ok((first.answer, true));
            }
        }
        let new = decide_create(service, params, plan, id.text.clone(), now, &self.store)?;
        let throttled = throttled_parameters(service, params, &new.customer_number);
        let step = scenario::create(new, service, now, actor(caller));
        self.record(&step)?;
        self.store.remember_accepted(now, &throttled)?;
        let c = &step.callback;
        let answer = match (c.bucket, held) {
            (Some(_), _) => CreateAnswer::scheduled(id.text.clone(), c.desired_time),
            (None, Some(hold)) => CreateAnswer::dial(
                id.text.clone(),
                &hold.number,
                Some(hold.code.clone()).filter(|c| !c.is_empty()),
            ),
            (None, None) if c.selectors.is_chat() && c.selectors.wait_for_user_confirm => {
                CreateAnswer::chat_later(id.text.clone())
            }
            (None, None) if c.selectors.is_chat() => self.start_chat(c),
            (None, None) => CreateAnswer::confirmation(id.text.clone()),
        };
        let text = serde_json::to_string(&answer).map_err(|e| ApiError::Internal(e.to_string()))?;
        if let Some(key) = key {
            self.store.remember_answer(key, body, &text, now)?;
        }
        Ok((text, false))
    }

    /// `GET /genesys/1/service/callback?_id=…`: an array, empty when unknown.
    pub(super) fn by_id(&self, req: &Request) -> ApiResult<Response> {
        let params = http::query_params(req)?;
        let found = params
            .get("_id")
            .and_then(|id| CallbackId::parse(id))
            .map(|id| self.store.load(&id.text))
            .transpose()?
            .flatten();
        let base = self.store.base();
        let records: Vec<Record> = found.map(|c| vec![c.to_gms(&base)]).unwrap_or_default();
        http::json(&records)
    }

    pub(super) async fn update(
        &self,
        req: &mut Request,
        id: &CallbackId,
        service: &CallbackService,
        caller: Caller,
    ) -> ApiResult<Response> {
        let body = internal::body(req).await?;
        let params = http::body_params(&http::content_type(req), &body)?;
        let now = self.now();
        let callback = self.load(id)?;
        if callback.state() == State::Completed {
            return Err(ApiError::InvalidState(format!(
                "a {} callback cannot be updated",
                State::Completed
            )));
        }
        let update = decide_update(service, &callback, &params, now, &self.store)?;
        // A move onto another number also counts in that number's burst limit, as a create would.
        if let (Caller::Public, Some(number)) = (
            caller,
            update
                .customer_number
                .as_ref()
                .filter(|n| **n != callback.customer_number && !n.is_empty()),
        ) {
            self.rates
                .hit(&number_key(number), service.limits.number_rate)?;
        }
        let mut step = match update.reschedule {
            Some((desired, bucket)) => scenario::apply(
                &callback,
                Event::Reschedule { desired, bucket },
                service,
                now,
                Actor::Customer,
            )?,
            None => Step {
                callback: callback.clone(),
                effects: Vec::new(),
                change: None,
            },
        };
        update.apply_properties(&mut step.callback);
        step.callback.updated = now;
        self.record(&step)?;
        if !update.counted.is_empty() {
            self.store.remember_accepted(now, &update.counted)?;
        }
        http::json(&step.callback.to_gms(&self.store.base()))
    }

    pub(super) fn cancel(
        &self,
        id: &CallbackId,
        service: &CallbackService,
        caller: Caller,
    ) -> ApiResult<Response> {
        let callback = self.load(id)?;
        let step = scenario::apply(&callback, Event::Cancel, service, self.now(), actor(caller))?;
        self.record(&step)?;
        http::json(&step.callback.to_gms(&self.store.base()))
    }

    pub(super) fn events(&self, id: &CallbackId) -> ApiResult<Response> {
        self.load(id)?;
        http::json(&EventsAnswer {
            events: self.store.events(&id.text)?,
        })
    }

    /// The customer confirms an agent may call now; user-originated, the answer carries the
    /// access number to call.
    pub(super) async fn confirm(
        &self,
        id: &CallbackId,
        service: &CallbackService,
    ) -> ApiResult<Response> {
        let step = scenario::apply(
            &self.load(id)?,
            Event::Confirm,
            service,
            self.now(),
            Actor::Customer,
        )?;
        self.record(&step)?;
        self.talk(service).await?;
        if step.callback.selectors.is_chat() {
            return http::json(&self.start_chat(&step.callback));
        }
        http::json(&self.get(id)?)
    }

    /// The dialer reports a dial's outcome; the request must be signed with the webhook secret,
    /// and its signed body names the callback and the attempt (as the dial webhook gave them), so
    /// that a captured result can be replayed neither on another callback or attempt, nor twice.
    pub(super) async fn dial_result(
        &self,
        req: &mut Request,
        id: &CallbackId,
        service: &CallbackService,
    ) -> ApiResult<Response> {
        let body = internal::body(req).await?;
        let signature =
            http::header(req, crate::signing::HEADER).ok_or(ApiError::Unauthenticated)?;
        let now = self.now();
        if !crate::signing::verify(
            &self.webhook_secret(service),
            &signature,
            &body,
            now.timestamp(),
        ) {
            return Err(ApiError::Unauthenticated);
        }
        let params = http::body_params(&http::content_type(req), &body)?;
        let outcome = outcome(&params)?;
        let callback = self.load(id)?;
        if params.get("id").map(|v| v.trim()) != Some(id.text.as_str()) {
            return Err(ApiError::InvalidParameter(format!(
                "id: the signed result must name the callback it reports on ({})",
                id.text
            )));
        }
        let attempt = params
            .get("attempt")
            .and_then(|a| a.trim().parse::<u32>().ok())
            .ok_or_else(|| {
                ApiError::InvalidParameter("attempt: the dial's attempt number is required".into())
            })?;
        let replay_window = Duration::seconds(crate::signing::TOLERANCE_SECS);
        if !self
            .store
            .first_use(&signature, now, now.plus(replay_window))?
        {
            return Err(ApiError::InvalidState(
                "this signed result was already received".into(),
            ));
        }
        if attempt != callback.dial_attempts {
            return Err(ApiError::InvalidState(format!(
                "this result is for attempt {attempt}; the callback is at attempt {}",
                callback.dial_attempts
            )));
        }
        let step = scenario::apply(
            &callback,
            Event::DialResult(outcome),
            service,
            now,
            Actor::Dialer,
        )?;
        self.record(&step)?;
        http::json(&step.callback.to_gms(&self.store.base()))
    }
}

/// A dial's outcome from a dialer's or an agent's report.
pub(super) fn outcome(params: &Params) -> ApiResult<DialOutcome> {
    let text = params.get("outcome").map(String::as_str).unwrap_or("");
    text.parse().map_err(|_| {
        ApiError::InvalidParameter(format!(
            "outcome: `{text}` is not ANSWERED, ANSWERING_MACHINE, NO_ANSWER, BUSY, \
             INVALID_NUMBER or FAILED"
        ))
    })
}
