//! Calls and texts through a telephony provider (`_telephony`, `_sms_*`): the outbox's dials
//! become calls and its texts messages, and the provider's webhooks — a call answered, its
//! progress, a STOP — become the state machine's events and the service's opt-outs. What
//! each report means is `shared::telephony`'s; the provider's own API is `crate::telephony`'s.
//!
//! Every webhook is verified before anything is read, names its callback and attempt in the URL
//! the provider signs, and is taken only in the phase it concerns: a duplicate, a late report or a
//! report of an attempt already settled changes nothing.

use super::ServiceObject;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::ids::CallbackId;
use crate::internal;
use crate::telephony::{Call, Placed, Provider, Sent};
use callback_shared::config::{CallbackService, FirstParty};
use callback_shared::params;
use callback_shared::record::{Callback, Phase, Reason};
use callback_shared::scenario::{self, Actor, Event, Step, Text};
use callback_shared::telephony::{self as calls, CallStatus, Leg, Next, Verb};
use callback_shared::wire::DialRequest;
use callback_shared::zone::Zone;
use chrono::{DateTime, Utc};
use worker::{Request, Response};

/// Seconds a customer waiting for an agent hears nothing between two messages.
const HOLD_PAUSE: u32 = 10;
/// The record's field with the call's latest progress **[ext]**.
const PROGRESS: &str = "_call_progress";

impl ServiceObject {
    /// Places the call of a dial from the outbox; answers whether the dial is done with (placed,
    /// refused, or no longer wanted), or must be tried again later. `retried_since`: an earlier
    /// try (queued then) failed, perhaps after the provider had placed the call, whose answer was
    /// lost: the provider is asked first, so that the customer's phone does not ring twice.
    pub(super) async fn place_call(
        &self,
        provider: &Provider,
        service: &CallbackService,
        body: &str,
        retried_since: Option<DateTime<Utc>>,
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
            let fail = Event::Fail(Reason::FailAgentConnect);
            self.settle(&id, |c| dialing(c, dial.attempt), fail, service)?;
            return Ok(true);
        };
        if let Some(since) = retried_since {
            match provider.placed_since(&to, since).await {
                Some(true) => return Ok(true),
                Some(false) => {}
                None => return Ok(false),
            }
        }
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
                let result = Event::DialResult(outcome);
                self.settle(&id, |c| dialing(c, dial.attempt), result, service)?;
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
        let (provider, params) = self.verified(req, service).await?;
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
                self.note_progress(callback, calls::progress(leg, status, false))?;
            }
            return http::text_response(String::new(), "text/plain", 200);
        }
        if current {
            for event in calls::on_answer(leg, report.machine, &callback.phase) {
                callback = self.apply(&callback, event, service)?;
            }
            if leg == Leg::Customer {
                let progress = calls::progress(leg, CallStatus::InProgress, report.machine);
                callback = self.note_progress(callback, progress)?;
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
        let say = |text: &str| Verb::Say {
            language: words.language,
            text: text.to_string(),
        };
        let verbs = match next {
            Next::ConnectAgent(_) => self
                .put_through(&provider, &callback, service)
                .await?
                .unwrap_or_else(|| vec![Verb::Hangup]),
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

    /// What puts a customer on the line through to the reserved agent's phone, whose leg reports
    /// to the callback; none when the agent has no phone, and the callback then fails
    /// (FAIL_AGENT_CONNECT).
    pub(super) async fn put_through(
        &self,
        provider: &Provider,
        callback: &Callback,
        service: &CallbackService,
    ) -> ApiResult<Option<Vec<Verb>>> {
        let Some(phone) = self.agent_phone(callback).await else {
            worker::console_error!("callback {}: its agent has no phone", callback.id);
            let connected = |c: &Callback| matches!(c.phase, Phase::Connected { .. });
            let fail = Event::Fail(Reason::FailAgentConnect);
            self.settle(&callback.id, connected, fail, service)?;
            return Ok(None);
        };
        let words = calls::words(provider.language());
        Ok(Some(vec![
            Verb::Say {
                language: words.language,
                text: words.connecting.to_string(),
            },
            Verb::Dial {
                caller_id: provider.caller_id().to_string(),
                timeout: provider.ring_timeout(),
                number: phone,
                status: self.webhook(provider, callback, "status", Leg::ToAgent),
            },
            Verb::Hangup,
        ]))
    }

    /// Sends a text from the outbox (its words made now, so a moved callback's text says the new
    /// time); answers whether it is done with, or must be tried again later.
    pub(super) async fn send_text(
        &self,
        provider: &Provider,
        service: &CallbackService,
        body: &str,
    ) -> ApiResult<bool> {
        #[derive(serde::Deserialize)]
        struct Queued {
            id: String,
            text: Text,
        }
        let queued: Queued =
            serde_json::from_str(body).map_err(|e| ApiError::Internal(e.to_string()))?;
        let Some(c) = self.store.load(&queued.id)? else {
            return Ok(true);
        };
        let number = &c.customer_number;
        if self.store.opted_out(number)? {
            return Ok(true);
        }
        let zone = c
            .system
            .get("_customer_time_zone")
            .and_then(|z| Zone::parse(z).ok())
            .unwrap_or(service.schedule.zone);
        let scheduled = queued.text == Text::Reminder || c.desired_time > c.created;
        let when = scheduled.then(|| {
            let local = zone.to_local(c.desired_time).format("%Y-%m-%d %H:%M");
            format!("{local} ({})", zone.name())
        });
        let link = format!("{}/manage.html?id={}", self.store.origin(), c.id);
        let words = calls::text(
            queued.text,
            provider.language(),
            when.as_deref(),
            &link,
            provider.caller_id(),
        );
        Ok(match provider.send_text(number, &words).await {
            Sent::Done | Sent::Failed => true,
            Sent::OptedOut => {
                self.store.set_opt_out(number, true, self.now())?;
                true
            }
            Sent::Later => false,
        })
    }

    /// A text the customer sent to the service's number: STOP (and its synonyms) ends the
    /// service's texts to that number, START brings them back; anything else is left to people.
    pub(super) async fn text_received(
        &self,
        req: &mut Request,
        service: &CallbackService,
    ) -> ApiResult<Response> {
        let (provider, params) = self.verified(req, service).await?;
        if let Some((from, body)) = provider.text_received(&params) {
            if let Some(out) = calls::opts_out(&body) {
                self.store.set_opt_out(from.trim(), out, self.now())?;
            }
        }
        provider.respond(&[])
    }

    /// The service's provider and a webhook's form parameters, once its signature is checked.
    pub(super) async fn verified(
        &self,
        req: &mut Request,
        service: &CallbackService,
    ) -> ApiResult<(Provider, Vec<(String, String)>)> {
        let provider = Provider::of(&self.env, &service.scenario)
            .ok_or_else(|| ApiError::NotFound(req.path()))?;
        let body = internal::body(req).await?;
        let params = params::pairs(&body).map_err(|e| ApiError::InvalidParameter(e.to_string()))?;
        let signature = http::header(req, provider.signature_header());
        if !provider.verify(req.url()?.as_str(), signature.as_deref(), &params) {
            return Err(ApiError::Forbidden);
        }
        Ok((provider, params))
    }

    /// Keeps the call's latest progress in the record, for the console; no history event (the
    /// dial results and the end of the call are those).
    fn note_progress(&self, mut c: Callback, progress: Option<&str>) -> ApiResult<Callback> {
        let Some(progress) = progress else {
            return Ok(c);
        };
        if c.system.get(PROGRESS).map(String::as_str) != Some(progress) {
            c.system.insert(PROGRESS.to_string(), progress.to_string());
            self.record(&Step {
                callback: c.clone(),
                effects: Vec::new(),
                change: None,
            })?;
        }
        Ok(c)
    }

    /// Runs `event` if the callback, read again after an `await` (it may have been cancelled or
    /// moved meanwhile), is `still` where the event concerns it.
    fn settle(
        &self,
        id: &str,
        still: impl Fn(&Callback) -> bool,
        event: Event,
        service: &CallbackService,
    ) -> ApiResult<()> {
        if let Some(c) = self.store.load(id)?.filter(|c| still(c)) {
            self.apply(&c, event, service)?;
        }
        Ok(())
    }

    /// Runs one event of the provider's through the state machine and records it.
    fn apply(
        &self,
        callback: &Callback,
        event: Event,
        service: &CallbackService,
    ) -> ApiResult<Callback> {
        let step = scenario::apply(callback, event, service, self.now(), Actor::Dialer)?;
        self.record(&step)?;
        Ok(step.callback)
    }

    /// A webhook's URL: the callback, the attempt and the leg, all under the provider's signature.
    pub(super) fn webhook(
        &self,
        provider: &Provider,
        c: &Callback,
        what: &str,
        leg: Leg,
    ) -> String {
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
