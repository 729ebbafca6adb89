//! Calls a telephony provider places (`_telephony`): the outbox's dials become calls, and the
//! provider's webhooks — a call answered, its progress — become the state machine's events. What
//! each report means is `shared::telephony`'s; the provider's own API is `crate::telephony`'s.
//!
//! Every webhook is verified before anything is read, names its callback and attempt in the URL
//! the provider signs, and is taken only in the phase it concerns: a duplicate, a late report or a
//! report of an attempt already settled changes nothing.

use super::{now, ServiceObject};
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::ids::CallbackId;
use crate::internal;
use crate::telephony::{Call, Placed, Provider};
use callback_shared::config::{CallbackService, FirstParty};
use callback_shared::params;
use callback_shared::record::{Callback, Phase, Reason};
use callback_shared::scenario::{self, Actor, Event};
use callback_shared::telephony::{self as calls, Leg, Next, Verb};
use callback_shared::wire::DialRequest;
use worker::{Request, Response};

/// Seconds a customer waiting for an agent hears nothing between two messages.
const HOLD_PAUSE: u32 = 10;

impl ServiceObject {
    /// Places the call of a dial from the outbox; answers whether the dial is done with (placed,
    /// refused, or no longer wanted), or must be tried again later.
    pub(super) async fn place_call(
        &self,
        provider: &Provider,
        service: &CallbackService,
        body: &str,
    ) -> ApiResult<bool> {
        let dial: DialRequest =
            serde_json::from_str(body).map_err(|e| ApiError::Internal(e.to_string()))?;
        let id = dial.callback.get("_id").cloned().unwrap_or_default();
        let Some(callback) = self.store.load(&id)? else {
            return Ok(true);
        };
        if !dialing(&callback, dial.attempt) {
            return Ok(true);
        }
        let (to, leg) = match dial.first_connect_party {
            FirstParty::Customer => (Some(callback.customer_number.clone()), Leg::Customer),
            FirstParty::Agent => (self.agent_phone(&callback).await, Leg::Agent),
        };
        let Some(to) = to else {
            worker::console_error!("callback {id}: its agent has no phone for the call");
            self.apply(&callback, Event::Fail(Reason::FailAgentConnect), service)?;
            return Ok(true);
        };
        let call = Call {
            to,
            answer_url: self.webhook(provider, &callback, "answer", leg),
            status_url: self.webhook(provider, &callback, "status", leg),
            detect_machine: leg == Leg::Customer,
        };
        match provider.place(&call).await {
            Placed::Done => Ok(true),
            Placed::Later => Ok(false),
            Placed::Refused(outcome) => {
                // Still this attempt's? The callback may have moved while Twilio answered.
                if let Some(callback) = self.store.load(&id)?.filter(|c| dialing(c, dial.attempt)) {
                    self.apply(&callback, Event::DialResult(outcome), service)?;
                }
                Ok(true)
            }
        }
    }

    /// The provider asks what an answered call does (`answer`), or reports its progress
    /// (`status`).
    pub(super) async fn call_webhook(
        &self,
        req: &mut Request,
        id: &CallbackId,
        service: &CallbackService,
        answer: bool,
    ) -> ApiResult<Response> {
        let provider = Provider::of(&self.env, &service.scenario)
            .ok_or_else(|| ApiError::NotFound(req.path()))?;
        let body = internal::body(req).await?;
        let params = params::pairs(&body).map_err(|e| ApiError::InvalidParameter(e.to_string()))?;
        let signature = http::header(req, provider.signature_header());
        if !provider.verify(req.url()?.as_str(), signature.as_deref(), &params) {
            return Err(ApiError::Forbidden);
        }
        let query = http::query_params(req)?;
        let leg = query
            .get("leg")
            .and_then(|l| Leg::parse(l))
            .ok_or_else(|| {
                ApiError::InvalidParameter(
                    "leg: customer, agent, to-agent, to-customer or hold".into(),
                )
            })?;
        let attempt = query.get("attempt").and_then(|a| a.parse::<u32>().ok());
        let mut callback = self.load(id)?;
        let report = provider.report(&params);
        let current = attempt == Some(callback.dial_attempts);
        if !answer {
            if let (Some(status), true) = (report.status, current) {
                for event in calls::on_status(leg, status, report.talked, &callback.phase) {
                    callback = self.apply(&callback, event, service)?;
                }
            }
            return http::text_response(String::new(), "text/plain", 200);
        }
        if current {
            for event in calls::on_answer(leg, report.machine, &callback.phase) {
                callback = self.apply(&callback, event, service)?;
            }
        }
        let next = if current {
            calls::next(leg, &callback.phase)
        } else {
            Next::Hangup
        };
        let words = calls::words(provider.language());
        let dial = |number: String, leg: Leg| Verb::Dial {
            caller_id: provider.caller_id().to_string(),
            timeout: provider.ring_timeout(),
            number,
            status: self.webhook(&provider, &callback, "status", leg),
        };
        let say = |text| Verb::Say {
            language: words.language,
            text,
        };
        let verbs = match next {
            Next::ConnectAgent(_) => match self.agent_phone(&callback).await {
                Some(phone) => vec![
                    say(words.connecting),
                    dial(phone, Leg::ToAgent),
                    Verb::Hangup,
                ],
                None => {
                    worker::console_error!("callback {}: its agent has no phone", callback.id);
                    self.apply(&callback, Event::Fail(Reason::FailAgentConnect), service)?;
                    vec![Verb::Hangup]
                }
            },
            Next::Hold => vec![
                say(words.hold),
                Verb::Pause(HOLD_PAUSE),
                Verb::Redirect(self.webhook(&provider, &callback, "answer", Leg::Hold)),
            ],
            Next::CallCustomer => vec![
                say(words.calling_customer),
                dial(callback.customer_number.clone(), Leg::ToCustomer),
                Verb::Hangup,
            ],
            Next::Hangup => vec![Verb::Hangup],
        };
        provider.respond(&verbs)
    }

    /// Runs one event of the provider's through the state machine and records it.
    fn apply(
        &self,
        callback: &Callback,
        event: Event,
        service: &CallbackService,
    ) -> ApiResult<Callback> {
        let step = scenario::apply(callback, event, service, now(), Actor::Dialer)?;
        self.record(&step)?;
        Ok(step.callback)
    }

    /// A webhook's URL: the callback, the attempt and the leg, all under the provider's signature.
    fn webhook(&self, provider: &Provider, c: &Callback, what: &str, leg: Leg) -> String {
        format!(
            "{}{}/{}/{}/{what}?attempt={}&leg={}",
            self.store.origin(),
            provider.webhooks(),
            c.service,
            c.id,
            c.dial_attempts,
            leg.as_str()
        )
    }
}

/// Whether the callback still waits for this attempt's call.
fn dialing(c: &Callback, attempt: u32) -> bool {
    c.dial_attempts == attempt && matches!(c.phase, Phase::Dialing { .. })
}
